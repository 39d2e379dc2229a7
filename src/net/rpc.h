// RPC over TCP: the one way Nordlys processes talk to each other. Requests and responses are
// frames (frame.h); a connection carries many requests at once (pipelined), and responses may
// come back in any order, matched by request_id. asio stays inside net/*.cc: nothing above this
// layer includes it.
//
// Thread safety: EventLoop, RpcServer and RpcClient are safe to use from any thread. Callbacks
// run on an EventLoop thread and must not block for long (no fsync, no waiting on other RPCs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace nordlys::net {

// A pool of I/O threads running one asio io_context.
class EventLoop {
 public:
  explicit EventLoop(int threads);
  ~EventLoop();  // stops and joins the threads
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void Post(std::function<void()> fn);
  // Runs fn once after delay_ms on a loop thread.
  void RunAfter(uint64_t delay_ms, std::function<void()> fn);
  // The same with microsecond resolution (e.g. a writer's 200 us group-commit flush).
  void RunAfterMicros(uint64_t delay_micros, std::function<void()> fn);
  void Stop();

  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// "host:port" -> parts. Port 0 is allowed (the OS picks one) when allow_zero_port.
Status ParseHostPort(const std::string& s, std::string* host, uint16_t* port,
                     bool allow_zero_port = false);

class RpcServer {
 public:
  // Sends the response for one request. Call exactly once, from any thread. An error Status is
  // delivered to the caller as that Status.
  using Responder = std::function<void(Result<std::string> payload)>;
  using Handler = std::function<void(uint16_t type, std::string payload, Responder respond)>;

  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  // 0: the OS picks; see port()
    int io_threads = 2;
    size_t max_connections = 1024;
    // A connection stops reading new requests while this many are unanswered.
    size_t max_inflight_per_connection = 4096;
    // Runs on the I/O thread after the handler got every complete request that one read from a
    // connection brought, before the next read: the place to finish work for a whole burst at
    // once (a storage node's group commit). It may block; that delays only this server's
    // connections served by the same thread.
    std::function<void()> after_burst;
  };

  static Result<std::unique_ptr<RpcServer>> Start(const Options& options, Handler handler);
  ~RpcServer();
  uint16_t port() const;
  // Stops accepting, closes every connection, joins the I/O threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit RpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class RpcClient {
 public:
  using Callback = std::function<void(Result<std::string> payload)>;

  // Connects lazily on the first call and again after a failure.
  RpcClient(EventLoop* loop, std::string host, uint16_t port);
  ~RpcClient();  // fails outstanding calls with Aborted

  // cb gets the response payload, the server's error, Unavailable when the connection fails,
  // or Timeout after timeout_ms. Called exactly once.
  void Call(uint16_t type, std::string payload, uint64_t timeout_ms, Callback cb);
  // The same for a payload shared with other calls (one batch to several nodes): it goes to the
  // socket from where it is, and is released once written.
  void Call(uint16_t type, std::shared_ptr<const std::string> payload, uint64_t timeout_ms,
            Callback cb);
  // Blocks the calling thread; never call from an EventLoop thread.
  Result<std::string> CallSync(uint16_t type, std::string payload, uint64_t timeout_ms);

  const std::string& address() const { return address_; }

  struct Impl;

 private:
  std::string address_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nordlys::net
