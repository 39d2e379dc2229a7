// A generic TCP byte-stream server: accepts connections and hands each one's bytes, in order, to
// a per-connection handler. It knows nothing of any protocol on top (pgwire frames PostgreSQL
// messages itself). asio stays inside net/*.cc.
//
// Model: a pool of I/O threads, one asio strand per connection, no thread per connection. Reads
// are asynchronous; each chunk read is given to StreamHandler::OnData on the connection's strand,
// so one connection's callbacks never run concurrently. Writes are queued and sent in order.
// A handler whose consumer runs on a thread of its own can pause delivery from OnData and then
// read the socket directly on that thread (ReadDirect) until it hands reading back
// (ResumeReading): a busy connection's bytes then skip the I/O thread altogether.
//
// Thread safety: StreamServer and StreamConnection are safe to use from any thread.
// StreamHandler callbacks run on the connection's strand (an I/O thread) and must not block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::net {

// The server's side of one accepted connection, shared between the server and its handler.
class StreamConnection {
 public:
  virtual ~StreamConnection() = default;

  // Queues bytes to send. Returns Unavailable once the connection is closed, ResourceExhausted
  // (and closes the connection) when more than Options::max_pending_write_bytes would be queued.
  virtual Status Write(std::string bytes) = 0;
  // Sends what is queued, then closes. Later writes fail; OnClose follows.
  virtual void Close() = 0;
  // Closes at once, dropping queued bytes.
  virtual void Abort() = 0;
  // Restarts delivering OnData after the handler paused it (StreamHandler::OnData returned
  // kPause). Idempotent.
  virtual void ResumeReading() = 0;
  // Reads from the socket on the caller's thread. Returns the bytes read, at most `cap`; 0 when
  // none arrived within timeout_ms (0: take only what is there now) or when `wake_fd` (if >= 0)
  // became readable first; Unavailable once the peer closed or the connection is closed.
  // REQUIRES: delivery paused, and one caller at a time. Never call from an I/O thread.
  virtual Result<size_t> ReadDirect(char* buf, size_t cap, int timeout_ms, int wake_fd) = 0;
  // Blocks until at most `bytes` are queued for sending, the connection closes (false), or
  // timeout_ms passes (false). Never call from an I/O thread: it would wait on itself.
  virtual bool WaitWritable(size_t bytes, uint64_t timeout_ms) = 0;
  virtual size_t pending_write_bytes() const = 0;
  virtual bool closed() const = 0;

  // Unique per server, from 1.
  virtual uint64_t id() const = 0;
  // The peer's IP address as text ("127.0.0.1", "::1"), and its port.
  virtual const std::string& peer_address() const = 0;
  virtual uint16_t peer_port() const = 0;
};

// Receives one connection's events, on its strand.
class StreamHandler {
 public:
  enum class Next {
    kRead,   // deliver the next bytes as they arrive
    kPause,  // deliver nothing more until StreamConnection::ResumeReading()
  };
  virtual ~StreamHandler() = default;
  // Bytes as they arrive: any split of the stream, never empty.
  virtual Next OnData(std::string_view bytes) = 0;
  // Called once when the connection ends (peer closed, error, Close/Abort, server stop). No
  // OnData follows.
  virtual void OnClose(const Status& why) = 0;
};

class StreamServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  // 0: the OS picks; see port()
    int io_threads = 2;
    // Connections past this are still accepted and given to the factory with over_limit set, so
    // the protocol can say why it refuses (PostgreSQL's 53300), up to this many more; beyond
    // that they are closed at once without a word.
    size_t max_connections = 1024;
    size_t max_over_limit_connections = 16;
    size_t read_chunk_bytes = 64 * 1024;
    // A peer that does not read its answers cannot make the server buffer without bound.
    size_t max_pending_write_bytes = 64 * 1024 * 1024;
  };

  struct AcceptInfo {
    bool over_limit = false;  // the handler should refuse the connection and Close() it
  };

  // Makes the handler for a new connection; runs on an I/O thread. Returning null closes it.
  using HandlerFactory = std::function<std::unique_ptr<StreamHandler>(
      std::shared_ptr<StreamConnection> conn, const AcceptInfo& info)>;

  static Result<std::unique_ptr<StreamServer>> Start(const Options& options,
                                                     HandlerFactory factory);
  ~StreamServer();
  StreamServer(const StreamServer&) = delete;
  StreamServer& operator=(const StreamServer&) = delete;

  uint16_t port() const;
  // Connections currently open (including over-limit ones not yet closed).
  size_t connection_count() const;
  // Stops accepting, aborts every connection (each gets OnClose), joins the I/O threads.
  // Idempotent. Handlers are destroyed before it returns.
  void Stop();

  struct Impl;

 private:
  explicit StreamServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace nordlys::net
