// PostgreSQL v3 protocol server; see server.h. Message flow follows
// https://www.postgresql.org/docs/15/protocol-flow.html.
//
// Per connection (PgConn), reading is handed back and forth between two owners:
//   - the I/O strand, while the connection is idle: it delivers the next bytes (OnData), which
//     pauses delivery and schedules one drain task on the worker pool;
//   - that drain task, on a worker thread: it takes whole messages and handles them in order,
//     and when it needs more bytes it reads the socket itself (ReadDirect). Having flushed its
//     replies it lingers up to ServerOptions::linger_ms for the client's next message, as a
//     PostgreSQL backend blocks in recv, unless tasks of other connections are waiting for a
//     worker. Only then does it give reading back to the strand (ResumeReading). A busy client's
//     queries so go from the socket to the worker without waking an I/O thread.
//   The drain task alone touches the protocol state (phase, session, output buffer), so that
//   state needs no lock. COPY FROM STDIN reads its data the same way, blocking its worker.
//
// Invariants:
//   - at most one drain task per connection is queued or running (`scheduled_`), and it hands
//     reading back only as its very last step;
//   - inbound_ holds at most one whole message plus one read chunk: bytes are read only when
//     the next message is incomplete.
#include "pgwire/server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "engine/parser.h"
#include "net/stream_server.h"
#include "pgwire/auth.h"
#include "pgwire/message.h"

namespace nordlys::pgwire {

// ---------------------------------------------------------------------------------------------
// Error fields inside a Status (backend.h).

namespace {
constexpr char kFieldSep = '\x1e';
}

Status SqlError(StatusCode code, std::string sqlstate, const ErrorFields& f) {
  std::string m = f.message;
  if (!f.detail.empty()) m += std::string(1, kFieldSep) + "D" + f.detail;
  if (!f.hint.empty()) m += std::string(1, kFieldSep) + "H" + f.hint;
  if (f.position > 0) m += std::string(1, kFieldSep) + "P" + std::to_string(f.position);
  return Status::Sql(code, std::move(sqlstate), std::move(m));
}

ErrorFields ErrorFieldsOf(const Status& s) {
  ErrorFields f;
  const std::string& m = s.message();
  size_t sep = m.find(kFieldSep);
  f.message = m.substr(0, sep);
  while (sep != std::string::npos) {
    size_t next = m.find(kFieldSep, sep + 1);
    std::string field = m.substr(sep + 1, next == std::string::npos ? std::string::npos
                                                                     : next - sep - 1);
    if (!field.empty()) {
      std::string v = field.substr(1);
      if (field[0] == 'D') f.detail = v;
      if (field[0] == 'H') f.hint = v;
      if (field[0] == 'P') f.position = std::atoi(v.c_str());
    }
    sep = next;
  }
  if (f.position == 0 && s.sqlstate() == "42601") {
    engine::SyntaxError e = engine::SyntaxErrorOf(Status(s.code(), f.message));
    f.message = e.message;
    f.position = e.position;
  }
  return f;
}

namespace {

constexpr int32_t kProtocol30 = 196608;  // 3 << 16
constexpr int32_t kSslRequestCode = 80877103;
constexpr int32_t kGssEncRequestCode = 80877104;
constexpr int32_t kCancelRequestCode = 80877102;
constexpr size_t kMaxStartupPacketBytes = 10000;  // PostgreSQL's MAX_STARTUP_PACKET_LENGTH
constexpr size_t kInboundCompactBytes = 1 << 20;
constexpr size_t kMaxStartupParameters = 64;
constexpr uint64_t kWriteWaitSliceMs = 1000;
constexpr int kCopyWaitSliceMs = 1000;

Status ProtocolViolation(std::string m) {
  return Status::Sql(StatusCode::kInvalidArgument, "08P01", std::move(m));
}

std::string ErrorMessage(char type, std::string_view severity, const Status& s) {
  ErrorFields f = ErrorFieldsOf(s);
  MessageWriter w(type);
  w.Byte('S').CString(severity).Byte('V').CString(severity);
  w.Byte('C').CString(s.sqlstate()).Byte('M').CString(f.message);
  if (!f.detail.empty()) w.Byte('D').CString(f.detail);
  if (!f.hint.empty()) w.Byte('H').CString(f.hint);
  if (f.position > 0) w.Byte('P').CString(std::to_string(f.position));
  w.Byte('\0');
  return w.Finish();
}

std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return o;
}

// A fixed pool of worker threads with a FIFO of tasks. The queue holds at most one task per
// connection (PgConn::scheduled_), so it is bounded by the connection limit. wake_fd() is
// readable while tasks wait and no thread is idle: a worker lingering on its connection polls it
// and gives way.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() {
    Stop();
    if (wake_fd_ >= 0) close(wake_fd_);
  }
  void Post(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    tasks_.push_back(std::move(fn));
    if (idle_ == 0) SetBacklogLocked(true);
    cv_.notify_one();
  }
  // Runs what is queued, then joins.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      SetBacklogLocked(true);  // lingering workers stop lingering
      cv_.notify_all();
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // -1 when the eventfd could not be made: then nobody lingers.
  int wake_fd() const { return wake_fd_; }
  bool backlog() const { return backlog_.load(std::memory_order_relaxed); }

 private:
  void Run() {
    while (true) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        idle_++;
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        idle_--;
        if (tasks_.empty()) return;
        fn = std::move(tasks_.front());
        tasks_.pop_front();
        if (tasks_.empty() && !stopping_) SetBacklogLocked(false);
      }
      fn();
    }
  }
  // REQUIRES: mu_ held.
  void SetBacklogLocked(bool on) {
    if (backlog_.load(std::memory_order_relaxed) == on || wake_fd_ < 0) return;
    backlog_.store(on, std::memory_order_relaxed);
    uint64_t v = 1;
    ssize_t r = on ? write(wake_fd_, &v, sizeof(v)) : read(wake_fd_, &v, sizeof(v));
    (void)r;  // an eventfd counter far from overflow: neither can fail
  }

  const int wake_fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  int idle_ = 0;                             // GUARDED_BY(mu_): threads waiting for a task
  std::atomic<bool> backlog_{false};         // written under mu_: wake_fd_ is readable
  std::vector<std::thread> threads_;
};

class PgConn;

}  // namespace

struct PgServer::Impl {
  ServerOptions options;
  Backend* backend;
  std::unique_ptr<WorkerPool> workers;
  std::unique_ptr<net::StreamServer> stream;
  std::atomic<bool> stopped{false};

  std::mutex mu;
  // process id -> connection, for CancelRequest.
  std::unordered_map<int32_t, std::weak_ptr<PgConn>> by_pid;  // GUARDED_BY(mu)
  int32_t next_pid = 10000;                                    // GUARDED_BY(mu)

  int32_t Register(const std::shared_ptr<PgConn>& c);
  void Unregister(int32_t pid);
  void CancelBackend(int32_t pid, int32_t secret);
  std::vector<std::shared_ptr<PgConn>> All();
};

namespace {

enum class Phase { kStartup, kAuth, kReady, kDone };

class PgConn : public std::enable_shared_from_this<PgConn> {
 public:
  PgConn(PgServer::Impl* server, std::shared_ptr<net::StreamConnection> conn, bool over_limit)
      : server_(server), conn_(std::move(conn)), over_limit_(over_limit) {}
  ~PgConn() {
    if (pid_ != 0) server_->Unregister(pid_);
  }

  // --- I/O strand side.
  net::StreamHandler::Next OnData(std::string_view bytes) {
    bool schedule = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return net::StreamHandler::Next::kPause;
      inbound_.append(bytes);
      if (!scheduled_) schedule = scheduled_ = true;
    }
    if (schedule) Schedule();
    return net::StreamHandler::Next::kPause;  // the worker reads on until it gives reading back
  }

  void OnClosed() {
    bool schedule = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      if (!scheduled_) schedule = scheduled_ = true;
    }
    if (schedule) Schedule();  // the session is destroyed on a worker, not on the I/O thread
  }

  // --- any thread.
  void Cancel(int32_t secret) {
    if (secret != secret_) return;  // not this client's key: ignore, as PostgreSQL does
    std::lock_guard<std::mutex> lock(session_mu_);
    if (session_ && executing_.load()) session_->Cancel();
  }
  void ShutdownSession() {
    std::lock_guard<std::mutex> lock(session_mu_);
    if (session_) session_->Cancel();
  }

  // --- worker side (the sinks call these too).
  Status Send(std::string msg) {
    out_ += msg;
    if (out_.size() >= server_->options.output_flush_bytes) return Flush();
    return Status::OK();
  }
  Status Flush() {
    if (!out_.empty()) {
      Status s = conn_->Write(std::move(out_));
      out_.clear();
      if (!s.ok()) return Status::Sql(StatusCode::kUnavailable, "08006", "client went away");
    }
    // Backpressure: a client slow to read holds this worker rather than growing the queue.
    size_t high = server_->options.max_pending_write_bytes / 2;
    while (conn_->pending_write_bytes() > high) {
      if (conn_->WaitWritable(high / 2, kWriteWaitSliceMs)) break;
      if (conn_->closed()) return Status::Sql(StatusCode::kUnavailable, "08006", "client went away");
    }
    return Status::OK();
  }

  // Blocks until a whole message is available (COPY FROM STDIN). type 0 with an error: closed.
  Status WaitMessage(char* type, std::string* body) {
    NORDLYS_RETURN_IF_ERROR(Flush());
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (closed_) return ClientGone();
        Taken t = TakeLocked(type, body);
        if (t == Taken::kBad) return take_error_;
        if (t == Taken::kGot) return Status::OK();
      }
      if (!ReadMore(kCopyWaitSliceMs, -1).ok()) return ClientGone();
    }
  }

  Status SendError(const Status& s) { return Send(ErrorMessage('E', "ERROR", s)); }
  void SendNotice(const Notice& n) {
    MessageWriter w('N');
    w.Byte('S').CString(n.severity).Byte('V').CString(n.severity);
    w.Byte('C').CString(n.sqlstate).Byte('M').CString(n.message);
    if (!n.detail.empty()) w.Byte('D').CString(n.detail);
    if (!n.hint.empty()) w.Byte('H').CString(n.hint);
    w.Byte('\0');
    (void)Send(w.Finish());
  }

  Session* session() { return session_.get(); }
  bool in_copy_in = false;

 private:
  enum class Taken { kNeedMore, kGot, kBad };

  void Schedule() {
    auto self = shared_from_this();
    server_->workers->Post([self] { self->Drain(); });
  }

  // REQUIRES: mu_ held. Takes the first whole message, if any.
  Taken TakeLocked(char* type, std::string* body) {
    std::string_view in(inbound_);
    in.remove_prefix(consumed_);
    size_t header = phase_ == Phase::kStartup ? 4 : 5;
    if (in.size() < header) return Taken::kNeedMore;
    size_t off = header == 5 ? 1 : 0;
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<uint8_t>(in[off + i]);
    if (phase_ == Phase::kStartup) {
      if (len < 8 || len > kMaxStartupPacketBytes) {
        take_error_ = ProtocolViolation("invalid length of startup packet");
        return Taken::kBad;
      }
    } else if (len < 4 || len - 4 > server_->options.max_message_bytes) {
      take_error_ = ProtocolViolation("invalid message length " + std::to_string(len) +
                                      " (at most " +
                                      std::to_string(server_->options.max_message_bytes) +
                                      " bytes allowed)");
      return Taken::kBad;
    }
    size_t total = off + len;
    if (in.size() < total) return Taken::kNeedMore;
    *type = header == 5 ? in[0] : '\0';
    body->assign(in.substr(header, total - header));
    consumed_ += total;
    if (consumed_ > kInboundCompactBytes || consumed_ == inbound_.size()) {
      inbound_.erase(0, consumed_);
      consumed_ = 0;
    }
    return Taken::kGot;
  }

  static Status ClientGone() {
    return Status::Sql(StatusCode::kUnavailable, "08006", "client went away");
  }

  // Reads what the socket has, waiting up to timeout_ms (see ReadDirect), into inbound_.
  // Returns whether bytes came; an error once the client is gone.
  Result<bool> ReadMore(int timeout_ms, int wake_fd) {
    thread_local std::vector<char> buf(64 * 1024);
    auto n = conn_->ReadDirect(buf.data(), buf.size(), timeout_ms, wake_fd);
    std::lock_guard<std::mutex> lock(mu_);
    if (!n.ok()) {
      closed_ = true;
      return n.status();
    }
    inbound_.append(buf.data(), *n);
    return *n > 0;
  }

  // The next message is incomplete: reads on, lingering for the client's next message once the
  // replies are out. Returns false when the client is gone or reading was given back.
  bool FillInbound() {
    auto got = ReadMore(0, -1);
    if (got.ok() && !*got) {
      if (!Flush().ok()) return false;  // the client sends nothing before it has our reply
      WorkerPool& pool = *server_->workers;
      int linger = server_->options.linger_ms;
      if (linger > 0 && pool.wake_fd() >= 0 && !pool.backlog()) {
        got = ReadMore(linger, pool.wake_fd());
      }
    }
    if (!got.ok()) return false;
    if (*got) return true;
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    scheduled_ = false;
    conn_->ResumeReading();  // from here the strand may schedule another drain
    return false;
  }

  void Drain() {
    while (phase_ != Phase::kDone) {
      char type = 0;
      std::string body;
      Taken t;
      Status bad;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (closed_) {
          phase_ = Phase::kDone;  // the peer is gone: drop the session on this worker
          break;
        }
        t = TakeLocked(&type, &body);
        if (t == Taken::kBad) bad = take_error_;
      }
      if (t == Taken::kBad) return Fatal(bad);
      if (t == Taken::kGot) {
        Handle(type, std::move(body));
        continue;
      }
      if (FillInbound()) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (!closed_) return;  // reading is the strand's again; this task must touch nothing
      phase_ = Phase::kDone;
    }
    (void)Flush();
    Finish();
  }

  void Finish() {
    std::unique_ptr<Session> s;
    {
      std::lock_guard<std::mutex> lock(session_mu_);
      s = std::move(session_);
    }
    s.reset();
    std::lock_guard<std::mutex> lock(mu_);
    scheduled_ = true;  // never schedule again
  }

  // Sends a FATAL error and closes the connection.
  void Fatal(const Status& s) {
    if (!s.sqlstate().starts_with("08006")) (void)Send(ErrorMessage('E', "FATAL", s));
    (void)Flush();
    conn_->Close();
    phase_ = Phase::kDone;
    Finish();
  }

  void Handle(char type, std::string body) {
    switch (phase_) {
      case Phase::kStartup: return HandleStartup(body);
      case Phase::kAuth: return HandleAuth(type, body);
      case Phase::kReady: return HandleReady(type, body);
      case Phase::kDone: return;
    }
  }

  // ---- startup
  void HandleStartup(const std::string& body) {
    MessageReader r(body);
    int32_t code = r.Int32();
    if (code == kSslRequestCode || code == kGssEncRequestCode) {
      (void)Send("N");  // no TLS / GSS encryption here; the client continues in plain text
      (void)Flush();
      return;
    }
    if (code == kCancelRequestCode) {
      int32_t pid = r.Int32();
      int32_t key = r.Int32();
      if (r.ok()) server_->CancelBackend(pid, key);
      conn_->Close();  // no reply, by protocol
      phase_ = Phase::kDone;
      return;
    }
    int major = static_cast<uint32_t>(code) >> 16;
    int minor = code & 0xffff;
    if (major != 3) {
      return Fatal(Status::Sql(StatusCode::kNotSupported, "0A000",
                               "unsupported frontend protocol " + std::to_string(major) + "." +
                                   std::to_string(minor) + ": server supports 3.0 to 3.0"));
    }
    std::vector<std::string> unknown_options;
    while (true) {
      std::string_view name = r.CString();
      if (!r.ok()) return Fatal(ProtocolViolation("invalid startup packet layout: expected terminator as last byte"));
      if (name.empty()) break;
      std::string_view value = r.CString();
      if (!r.ok()) return Fatal(ProtocolViolation("invalid startup packet layout: expected terminator as last byte"));
      if (startup_.parameters.size() >= kMaxStartupParameters) {
        return Fatal(ProtocolViolation("too many startup parameters"));
      }
      if (name.starts_with("_pq_.")) {
        unknown_options.emplace_back(name);
        continue;
      }
      startup_.parameters[std::string(name)] = std::string(value);
    }
    if (!r.done()) return Fatal(ProtocolViolation("invalid startup packet layout: expected terminator as last byte"));
    if (minor > 0 || !unknown_options.empty()) {
      MessageWriter w('v');
      w.Int32(0).Int32(static_cast<int32_t>(unknown_options.size()));
      for (const auto& o : unknown_options) w.CString(o);
      (void)Send(w.Finish());
    }
    auto param = [&](const char* k) {
      auto it = startup_.parameters.find(k);
      return it == startup_.parameters.end() ? std::string() : it->second;
    };
    startup_.user = param("user");
    startup_.database = param("database");
    startup_.application_name = param("application_name");
    startup_.peer_address = conn_->peer_address();
    if (startup_.user.empty()) {
      return Fatal(Status::Sql(StatusCode::kInvalidArgument, "28000",
                               "no PostgreSQL user name specified in startup packet"));
    }
    if (startup_.database.empty()) startup_.database = startup_.user;
    if (over_limit_) {
      return Fatal(Status::Sql(StatusCode::kResourceExhausted, "53300",
                               "sorry, too many clients already"));
    }
    if (auto rep = param("replication"); !rep.empty() && rep != "false" && rep != "0" && rep != "off") {
      return Fatal(Status::Sql(StatusCode::kNotSupported, "0A000",
                               "replication connections are not supported"));
    }
    client_encoding_ = "UTF8";
    if (auto enc = Upper(param("client_encoding")); !enc.empty()) {
      if (enc == "UTF8" || enc == "UTF-8" || enc == "UNICODE") {
        client_encoding_ = "UTF8";
      } else if (enc == "SQL_ASCII") {
        client_encoding_ = "SQL_ASCII";
      } else {
        return Fatal(Status::Sql(StatusCode::kInvalidArgument, "22023",
                                 "invalid value for parameter \"client_encoding\": \"" +
                                     param("client_encoding") + "\" (only UTF8 is supported)"));
      }
    }
    const HbaRule* rule =
        server_->options.hba.Match(startup_.database, startup_.user, startup_.peer_address);
    std::string who = "host \"" + startup_.peer_address + "\", user \"" + startup_.user +
                      "\", database \"" + startup_.database + "\", no encryption";
    if (rule == nullptr) {
      return Fatal(Status::Sql(StatusCode::kInvalidArgument, "28000",
                               "no pg_hba.conf entry for " + who));
    }
    method_ = rule->method;
    if (method_ == AuthMethod::kReject) {
      return Fatal(Status::Sql(StatusCode::kInvalidArgument, "28000",
                               "pg_hba.conf rejects connection for " + who));
    }
    if (method_ == AuthMethod::kTrust) return Authenticated();
    auto v = server_->backend->PasswordVerifier(startup_.user);
    if (v.ok()) verifier_ = *v;
    has_verifier_ = v.ok();
    // As PostgreSQL: md5 in the rules with a SCRAM verifier stored means SCRAM.
    if (method_ == AuthMethod::kMd5 && has_verifier_ && IsScramVerifier(verifier_)) {
      method_ = AuthMethod::kScramSha256;
    }
    phase_ = Phase::kAuth;
    switch (method_) {
      case AuthMethod::kPassword:
        (void)Send(MessageWriter('R').Int32(3).Finish());
        break;
      case AuthMethod::kMd5: {
        auto salt = RandomBytes(4);
        if (!salt.ok()) return Fatal(salt.status());
        md5_salt_ = *salt;
        (void)Send(MessageWriter('R').Int32(5).Bytes(md5_salt_).Finish());
        break;
      }
      case AuthMethod::kScramSha256:
        (void)Send(MessageWriter('R').Int32(10).CString("SCRAM-SHA-256").Byte('\0').Finish());
        break;
      default:
        return Fatal(Status::Internal("unexpected auth method"));
    }
    (void)Flush();
  }

  Status AuthFailed() {
    return Status::Sql(StatusCode::kInvalidArgument, "28P01",
                       "password authentication failed for user \"" + startup_.user + "\"");
  }

  void HandleAuth(char type, const std::string& body) {
    if (type != 'p') {
      return Fatal(ProtocolViolation(std::string("expected password response, got message type ") +
                                     std::to_string(static_cast<int>(type))));
    }
    MessageReader r(body);
    if (method_ == AuthMethod::kPassword || method_ == AuthMethod::kMd5) {
      std::string_view pw = r.CString();
      if (!r.ok() || !r.done()) return Fatal(ProtocolViolation("invalid password packet size"));
      bool good = has_verifier_ &&
                  (method_ == AuthMethod::kPassword
                       ? CheckCleartextPassword(verifier_, startup_.user, pw)
                       : CheckMd5Response(verifier_, startup_.user, md5_salt_, pw));
      if (!good) return Fatal(AuthFailed());
      return Authenticated();
    }
    // SCRAM-SHA-256
    if (!scram_) {
      std::string_view mech = r.CString();
      int32_t len = r.Int32();
      if (!r.ok()) return Fatal(ProtocolViolation("malformed SASLInitialResponse"));
      if (mech != "SCRAM-SHA-256") {
        return Fatal(ProtocolViolation("client selected an invalid SASL authentication mechanism"));
      }
      std::string_view data = len < 0 ? std::string_view() : r.Bytes(static_cast<size_t>(len));
      if (!r.ok() || !r.done()) return Fatal(ProtocolViolation("malformed SASLInitialResponse"));
      ScramVerifier v;
      scram_can_succeed_ = false;
      if (has_verifier_) {
        if (auto sv = ParseScramVerifier(verifier_); sv.ok()) {
          v = *sv;
          scram_can_succeed_ = true;
        } else if (!IsMd5Verifier(verifier_)) {
          auto salt = RandomBytes(16);
          if (!salt.ok()) return Fatal(salt.status());
          v = MakeScramVerifier(verifier_, *salt, server_->options.scram_iterations);
          scram_can_succeed_ = true;
        }
      }
      if (!scram_can_succeed_) v = MockScramVerifier(startup_.user);
      auto nonce = RandomBytes(18);
      if (!nonce.ok()) return Fatal(nonce.status());
      scram_ = std::make_unique<ScramServer>(v, Base64Encode(*nonce));
      auto first = scram_->HandleClientFirst(data);
      if (!first.ok()) return Fatal(first.status());
      (void)Send(MessageWriter('R').Int32(11).Bytes(*first).Finish());
      (void)Flush();
      return;
    }
    auto fin = scram_->HandleClientFinal(body);
    if (!fin.ok()) {
      return Fatal(fin.status().sqlstate() == "28P01" ? AuthFailed() : fin.status());
    }
    if (!scram_can_succeed_) return Fatal(AuthFailed());
    (void)Send(MessageWriter('R').Int32(12).Bytes(*fin).Finish());
    Authenticated();
  }

  void Authenticated() {
    (void)Send(MessageWriter('R').Int32(0).Finish());
    pid_ = server_->Register(shared_from_this());
    auto key = RandomBytes(4);
    if (!key.ok()) return Fatal(key.status());
    int32_t secret = 0;
    std::memcpy(&secret, key->data(), 4);
    secret_ = secret;
    startup_.process_id = pid_;
    auto s = server_->backend->Connect(startup_);
    if (!s.ok()) return Fatal(s.status());
    {
      std::lock_guard<std::mutex> lock(session_mu_);
      session_ = std::move(s).value();
    }
    const ServerOptions& o = server_->options;
    bool su = session_->is_superuser();
    const std::pair<const char*, std::string> params[] = {
        {"application_name", startup_.application_name},
        {"client_encoding", client_encoding_},
        {"DateStyle", "ISO, MDY"},
        {"default_transaction_read_only", o.read_only ? "on" : "off"},
        {"in_hot_standby", o.read_only ? "on" : "off"},
        {"integer_datetimes", "on"},
        {"IntervalStyle", "postgres"},
        {"is_superuser", su ? "on" : "off"},
        {"server_encoding", "UTF8"},
        {"server_version", o.server_version},
        {"session_authorization", startup_.user},
        {"standard_conforming_strings", "on"},
        {"TimeZone", o.timezone},
    };
    for (const auto& [k, v] : params) {
      std::optional<std::string> own = session_->Setting(k);
      (void)Send(MessageWriter('S').CString(k).CString(own ? *own : v).Finish());
    }
    (void)Send(MessageWriter('K').Int32(pid_).Int32(secret_.load()).Finish());
    phase_ = Phase::kReady;
    SendReady();
  }

  void SendReady() {
    char st = static_cast<char>(session_->transaction_status());
    (void)Send(MessageWriter('Z').Byte(st).Finish());
    (void)Flush();
  }

  // ---- ready: simple and extended query
  void HandleReady(char type, const std::string& body);
  void SimpleQuery(const std::string& body);
  Status Parse(const std::string& body);
  Status Bind(const std::string& body);
  Status Describe(const std::string& body);
  Status Execute(const std::string& body);
  Status CloseMsg(const std::string& body);

  friend class Sink;

  PgServer::Impl* server_;
  std::shared_ptr<net::StreamConnection> conn_;
  const bool over_limit_;

  std::mutex mu_;
  std::string inbound_;      // GUARDED_BY(mu_)
  size_t consumed_ = 0;      // GUARDED_BY(mu_): bytes of inbound_ already taken
  bool scheduled_ = false;   // GUARDED_BY(mu_)
  bool closed_ = false;      // GUARDED_BY(mu_)
  Status take_error_;        // GUARDED_BY(mu_)

  std::mutex session_mu_;            // guards session_ against a concurrent Cancel
  std::unique_ptr<Session> session_;
  std::atomic<bool> executing_{false};
  int32_t pid_ = 0;
  std::atomic<int32_t> secret_{0};

  // Worker-only protocol state.
  Phase phase_ = Phase::kStartup;
  std::string out_;
  StartupInfo startup_;
  std::string client_encoding_;
  AuthMethod method_ = AuthMethod::kReject;
  std::string verifier_;
  bool has_verifier_ = false;
  std::string md5_salt_;
  std::unique_ptr<ScramServer> scram_;
  bool scram_can_succeed_ = false;
  bool ignore_till_sync_ = false;
  bool batch_failed_ = false;
};

// The QuerySink for one Session call.
class Sink final : public QuerySink, public CopyInReader {
 public:
  Sink(PgConn* c, bool simple) : c_(c), simple_(simple) {}

  Status SendRowDescription(const RowDescription& fields) override {
    if (!simple_) return Status::OK();  // extended: Describe already told the client
    return c_->Send(EncodeRowDescription(fields));
  }
  Status SendRow(std::span<const WireValue> values) override {
    MessageWriter w('D');
    w.Int16(static_cast<int16_t>(values.size()));
    for (const auto& v : values) {
      if (!v) {
        w.Int32(-1);
      } else {
        w.Int32(static_cast<int32_t>(v->size())).Bytes(*v);
      }
    }
    return c_->Send(w.Finish());
  }
  Status SendCommandComplete(std::string_view tag) override {
    if (!simple_) return Status::OK();  // extended: ExecuteResult carries the tag
    return c_->Send(MessageWriter('C').CString(tag).Finish());
  }
  Status SendEmptyQuery() override {
    if (!simple_) return Status::OK();
    return c_->Send(MessageWriter('I').Finish());
  }
  void SendNotice(const Notice& n) override { c_->SendNotice(n); }
  void SendParameterStatus(std::string_view name, std::string_view value) override {
    (void)c_->Send(MessageWriter('S').CString(name).CString(value).Finish());
  }
  Result<CopyInReader*> BeginCopyIn(CopyFormat format,
                                    const std::vector<Format>& column_formats) override {
    NORDLYS_RETURN_IF_ERROR(c_->Send(CopyResponse('G', format, column_formats)));
    NORDLYS_RETURN_IF_ERROR(c_->Flush());
    copy_in_active_ = true;
    c_->in_copy_in = true;
    return static_cast<CopyInReader*>(this);
  }
  Status BeginCopyOut(CopyFormat format, const std::vector<Format>& column_formats) override {
    return c_->Send(CopyResponse('H', format, column_formats));
  }
  Status SendCopyData(std::string_view bytes) override {
    return c_->Send(MessageWriter('d').Bytes(bytes).Finish());
  }
  Status EndCopyOut() override { return c_->Send(MessageWriter('c').Finish()); }

  Result<bool> Next(std::string* chunk) override {
    if (!copy_in_active_) return false;
    while (true) {
      char type = 0;
      std::string body;
      Status s = c_->WaitMessage(&type, &body);
      if (!s.ok()) {
        Done();
        return s;
      }
      switch (type) {
        case 'd':
          *chunk = std::move(body);
          return true;
        case 'c':
          Done();
          return false;
        case 'f': {
          Done();
          MessageReader r(body);
          std::string_view m = r.CString();
          return Status::Sql(StatusCode::kAborted, "57014",
                             "COPY from stdin failed: " + std::string(m));
        }
        case 'H':
        case 'S':
          continue;  // ignored during COPY IN, as PostgreSQL does
        default:
          Done();
          return ProtocolViolation("unexpected message type 0x" +
                                   fmt::format("{:02X}", static_cast<uint8_t>(type)) +
                                   " during COPY from stdin");
      }
    }
  }

  static std::string EncodeRowDescription(const RowDescription& fields) {
    MessageWriter w('T');
    w.Int16(static_cast<int16_t>(fields.size()));
    for (const auto& f : fields) {
      w.CString(f.name).Int32(static_cast<int32_t>(f.table_oid)).Int16(f.column_number);
      w.Int32(static_cast<int32_t>(f.type_oid)).Int16(f.type_size).Int32(f.type_modifier);
      w.Int16(static_cast<int16_t>(f.format));
    }
    return w.Finish();
  }

 private:
  void Done() {
    copy_in_active_ = false;
    c_->in_copy_in = false;
  }
  static std::string CopyResponse(char type, CopyFormat format,
                                  const std::vector<Format>& cols) {
    MessageWriter w(type);
    w.Byte(static_cast<char>(format)).Int16(static_cast<int16_t>(cols.size()));
    for (Format f : cols) w.Int16(static_cast<int16_t>(f));
    return w.Finish();
  }

  PgConn* c_;
  bool simple_;
  bool copy_in_active_ = false;
};

void PgConn::HandleReady(char type, const std::string& body) {
  if (type == 'X') {
    conn_->Close();
    phase_ = Phase::kDone;
    return;
  }
  if (ignore_till_sync_ && type != 'S') return;  // after an extended-query error
  Status s;
  switch (type) {
    case 'Q':
      return SimpleQuery(body);
    case 'P': s = Parse(body); break;
    case 'B': s = Bind(body); break;
    case 'D': s = Describe(body); break;
    case 'E': s = Execute(body); break;
    case 'C': s = CloseMsg(body); break;
    case 'H':
      (void)Flush();
      return;
    case 'S': {
      bool failed = ignore_till_sync_ || batch_failed_;
      ignore_till_sync_ = false;
      batch_failed_ = false;
      Status st = session_->Sync(failed);
      if (!st.ok()) (void)SendError(st);
      return SendReady();
    }
    case 'd':
    case 'c':
    case 'f':
      return;  // left over from a failed COPY: ignored, as PostgreSQL does
    case 'F':
      s = Status::Sql(StatusCode::kNotSupported, "0A000", "the fastpath function call protocol is not supported");
      break;
    default:
      return Fatal(ProtocolViolation("invalid frontend message type " +
                                     std::to_string(static_cast<uint8_t>(type))));
  }
  if (!s.ok()) {
    if (s.sqlstate() == "08006") {  // the client is gone
      conn_->Abort();
      phase_ = Phase::kDone;
      return;
    }
    if (s.sqlstate() == "08P01" && s.message().starts_with("invalid message format")) {
      return Fatal(s);  // a malformed message: the stream can no longer be trusted
    }
    (void)SendError(s);
    ignore_till_sync_ = true;
    batch_failed_ = true;
  }
}

void PgConn::SimpleQuery(const std::string& body) {
  MessageReader r(body);
  std::string_view sql = r.CString();
  if (!r.ok() || !r.done()) return Fatal(r.status("Query"));
  Sink sink(this, /*simple=*/true);
  executing_ = true;
  Status s = session_->SimpleQuery(sql, &sink);
  executing_ = false;
  if (!s.ok()) {
    if (s.sqlstate() == "08006") {
      conn_->Abort();
      phase_ = Phase::kDone;
      return;
    }
    (void)SendError(s);
  }
  SendReady();
}

Status PgConn::Parse(const std::string& body) {
  MessageReader r(body);
  std::string name(r.CString());
  std::string_view sql = r.CString();
  int16_t n = r.Int16();
  std::vector<Oid> types;
  for (int i = 0; i < n && r.ok(); ++i) types.push_back(static_cast<Oid>(r.Int32()));
  if (!r.ok() || n < 0 || !r.done()) return r.ok() ? ProtocolViolation("invalid message format: Parse") : r.status("Parse");
  NORDLYS_ASSIGN_OR_RETURN(auto desc, session_->Prepare(name, sql, types));
  (void)desc;
  return Send(MessageWriter('1').Finish());
}

Status PgConn::Bind(const std::string& body) {
  MessageReader r(body);
  std::string portal(r.CString());
  std::string stmt(r.CString());
  int16_t nfmt = r.Int16();
  std::vector<int16_t> fmts;
  for (int i = 0; i < nfmt && r.ok(); ++i) fmts.push_back(r.Int16());
  int16_t nparams = r.Int16();
  BindRequest req;
  for (int i = 0; i < nparams && r.ok(); ++i) {
    int32_t len = r.Int32();
    if (len < -1) return ProtocolViolation("invalid message format: Bind parameter length");
    if (len == -1) {
      req.params.emplace_back(std::nullopt);
    } else {
      std::string_view v = r.Bytes(static_cast<size_t>(len));
      req.params.emplace_back(std::string(v));
    }
  }
  int16_t nres = r.Int16();
  std::vector<int16_t> rfmts;
  for (int i = 0; i < nres && r.ok(); ++i) rfmts.push_back(r.Int16());
  if (!r.ok() || nfmt < 0 || nparams < 0 || nres < 0 || !r.done()) {
    return ProtocolViolation("invalid message format: Bind");
  }
  if (nfmt > 1 && nfmt != nparams) {
    return ProtocolViolation("bind message has " + std::to_string(nfmt) +
                             " parameter formats but " + std::to_string(nparams) + " parameters");
  }
  auto check = [](int16_t f) -> Result<Format> {
    if (f != 0 && f != 1) {
      return Status::Sql(StatusCode::kInvalidArgument, "22023",
                         "unsupported format code: " + std::to_string(f));
    }
    return static_cast<Format>(f);
  };
  for (int i = 0; i < nparams; ++i) {
    int16_t f = nfmt == 0 ? 0 : nfmt == 1 ? fmts[0] : fmts[static_cast<size_t>(i)];
    NORDLYS_ASSIGN_OR_RETURN(Format ff, check(f));
    req.param_formats.push_back(ff);
  }
  for (int16_t f : rfmts) {
    NORDLYS_ASSIGN_OR_RETURN(Format ff, check(f));
    req.result_formats.push_back(ff);
  }
  NORDLYS_RETURN_IF_ERROR(session_->Bind(portal, stmt, req));
  return Send(MessageWriter('2').Finish());
}

Status PgConn::Describe(const std::string& body) {
  MessageReader r(body);
  char kind = r.Byte();
  std::string name(r.CString());
  if (!r.ok() || !r.done()) return ProtocolViolation("invalid message format: Describe");
  if (kind == 'S') {
    NORDLYS_ASSIGN_OR_RETURN(auto d, session_->DescribeStatement(name));
    MessageWriter w('t');
    w.Int16(static_cast<int16_t>(d.param_types.size()));
    for (Oid t : d.param_types) w.Int32(static_cast<int32_t>(t));
    NORDLYS_RETURN_IF_ERROR(Send(w.Finish()));
    for (auto& f : d.fields) f.format = Format::kText;
    return Send(d.returns_rows ? Sink::EncodeRowDescription(d.fields) : MessageWriter('n').Finish());
  }
  if (kind == 'P') {
    NORDLYS_ASSIGN_OR_RETURN(auto d, session_->DescribePortal(name));
    return Send(d.returns_rows ? Sink::EncodeRowDescription(d.fields) : MessageWriter('n').Finish());
  }
  return ProtocolViolation("invalid DESCRIBE message subtype " + std::to_string(static_cast<int>(kind)));
}

Status PgConn::Execute(const std::string& body) {
  MessageReader r(body);
  std::string portal(r.CString());
  int32_t max_rows = r.Int32();
  if (!r.ok() || !r.done()) return ProtocolViolation("invalid message format: Execute");
  Sink sink(this, /*simple=*/false);
  executing_ = true;
  auto res = session_->Execute(portal, max_rows <= 0 ? 0 : static_cast<uint64_t>(max_rows), &sink);
  executing_ = false;
  if (!res.ok()) return res.status();
  if (res->suspended) return Send(MessageWriter('s').Finish());
  if (res->empty_query) return Send(MessageWriter('I').Finish());
  return Send(MessageWriter('C').CString(res->command_tag).Finish());
}

Status PgConn::CloseMsg(const std::string& body) {
  MessageReader r(body);
  char kind = r.Byte();
  std::string name(r.CString());
  if (!r.ok() || !r.done()) return ProtocolViolation("invalid message format: Close");
  if (kind == 'S') {
    NORDLYS_RETURN_IF_ERROR(session_->CloseStatement(name));
  } else if (kind == 'P') {
    NORDLYS_RETURN_IF_ERROR(session_->ClosePortal(name));
  } else {
    return ProtocolViolation("invalid CLOSE message subtype " + std::to_string(static_cast<int>(kind)));
  }
  return Send(MessageWriter('3').Finish());
}

// Adapts net's callbacks (on the I/O strand) to PgConn.
class Handler final : public net::StreamHandler {
 public:
  explicit Handler(std::shared_ptr<PgConn> c) : c_(std::move(c)) {}
  Next OnData(std::string_view bytes) override { return c_->OnData(bytes); }
  void OnClose(const Status&) override { c_->OnClosed(); }

 private:
  std::shared_ptr<PgConn> c_;
};

}  // namespace

int32_t PgServer::Impl::Register(const std::shared_ptr<PgConn>& c) {
  std::lock_guard<std::mutex> lock(mu);
  while (true) {
    int32_t pid = next_pid++;
    if (next_pid <= 0) next_pid = 10000;
    if (!by_pid.contains(pid)) {
      by_pid[pid] = c;
      return pid;
    }
  }
}

void PgServer::Impl::Unregister(int32_t pid) {
  std::lock_guard<std::mutex> lock(mu);
  by_pid.erase(pid);
}

void PgServer::Impl::CancelBackend(int32_t pid, int32_t secret) {
  std::shared_ptr<PgConn> c;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = by_pid.find(pid);
    if (it != by_pid.end()) c = it->second.lock();
  }
  if (c) c->Cancel(secret);
}

std::vector<std::shared_ptr<PgConn>> PgServer::Impl::All() {
  std::vector<std::shared_ptr<PgConn>> out;
  std::lock_guard<std::mutex> lock(mu);
  for (auto& [pid, w] : by_pid) {
    if (auto c = w.lock()) out.push_back(std::move(c));
  }
  return out;
}

PgServer::PgServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<PgServer>> PgServer::Start(const ServerOptions& options, Backend* backend) {
  if (backend == nullptr) return Status::InvalidArgument("no backend");
  if (options.worker_threads <= 0) return Status::InvalidArgument("worker_threads must be positive");
  if (options.max_message_bytes < 1024) {
    return Status::InvalidArgument("max_message_bytes must be at least 1024");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->backend = backend;
  impl->workers = std::make_unique<WorkerPool>(options.worker_threads);
  net::StreamServer::Options so;
  so.host = options.host;
  so.port = options.port;
  so.io_threads = options.io_threads;
  so.max_connections = options.max_connections;
  so.max_pending_write_bytes = options.max_pending_write_bytes;
  Impl* raw = impl.get();
  auto stream = net::StreamServer::Start(
      so, [raw](std::shared_ptr<net::StreamConnection> conn,
                const net::StreamServer::AcceptInfo& info) -> std::unique_ptr<net::StreamHandler> {
        if (raw->stopped) return nullptr;
        return std::make_unique<Handler>(std::make_shared<PgConn>(raw, std::move(conn), info.over_limit));
      });
  if (!stream.ok()) return stream.status();
  impl->stream = std::move(stream).value();
  return std::unique_ptr<PgServer>(new PgServer(std::move(impl)));
}

uint16_t PgServer::port() const { return impl_->stream->port(); }

void PgServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  for (auto& c : impl_->All()) c->ShutdownSession();  // running statements stop early
  impl_->stream->Stop();   // every connection is closed; COPY waits wake up
  impl_->workers->Stop();  // drain tasks finish (they see the connection closed)
}

PgServer::~PgServer() { Stop(); }

}  // namespace nordlys::pgwire
