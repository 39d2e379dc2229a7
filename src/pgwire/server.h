// The PostgreSQL v3 protocol server: listens on TCP, runs startup, authentication (trust,
// password, md5, SCRAM-SHA-256 per pg_hba-style rules), simple and extended query, COPY and
// cancel, and hands SQL to a Backend (backend.h).
//
// Concurrency: sockets are served by net::StreamServer (a few I/O threads, a strand per
// connection). Protocol work and every Session call run on a fixed pool of worker threads, one
// task per connection at a time, so a slow query never stalls an I/O thread. A busy connection's
// worker reads the socket itself and lingers briefly for the next message; an idle connection
// holds no thread. A connection inside a statement (or a COPY FROM STDIN waiting for data) holds
// one worker until the statement ends.
//
// Thread safety: PgServer is safe to use from any thread. The Backend must be thread-safe and
// must outlive the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "pgwire/auth.h"
#include "pgwire/backend.h"
#include "pgwire/hba.h"

namespace nordlys::pgwire {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: the OS picks; see PgServer::port()
  // One I/O thread: a busy connection's worker reads its own socket, so this thread only
  // accepts and watches idle connections; a second one made asio hand work between the two
  // (futex wake-ups) and cost ~10 context switches per pgbench TPC-B transaction.
  int io_threads = 1;
  int worker_threads = 8;
  // PostgreSQL's max_connections: one more is told 53300 "sorry, too many clients already".
  size_t max_connections = 100;
  // Largest frontend message accepted. PostgreSQL allows 1 GiB; a smaller cap bounds the memory
  // one client can pin. Larger messages end the connection with 08P01.
  size_t max_message_bytes = 64 * 1024 * 1024;
  // Backend messages are gathered and sent when this many bytes are waiting (and at every
  // ReadyForQuery, Flush, or wait for client input).
  size_t output_flush_bytes = 64 * 1024;
  // After answering, a worker waits this long for the same client's next message before it
  // gives the connection back to the I/O threads (and at once when other connections wait for
  // a worker). 0: never wait.
  int linger_ms = 10;
  // A client that does not read its results is disconnected when this much is queued.
  size_t max_pending_write_bytes = 64 * 1024 * 1024;
  HbaConfig hba = HbaConfig::AllowAll(AuthMethod::kScramSha256);
  int scram_iterations = kScramDefaultIterations;  // for plain stored passwords
  std::string server_version = "15.0";  // what clients see; drivers parse the leading number
  std::string timezone = "UTC";
  bool read_only = false;  // a reader instance: in_hot_standby and default_transaction_read_only
};

class PgServer {
 public:
  static Result<std::unique_ptr<PgServer>> Start(const ServerOptions& options, Backend* backend);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  uint16_t port() const;
  // Stops accepting, cancels running statements, closes every connection, joins the workers.
  // Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit PgServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nordlys::pgwire
