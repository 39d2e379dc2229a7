// asio implementation of StreamServer (stream_server.h).
//
// Each connection owns a strand. The socket, the read buffer, the handler and the in-flight
// write buffer are touched only on that strand. The outgoing queue and the closed flags are
// shared with writer threads, so they sit under the connection's mutex; the mutex is never held
// across a call into the handler or into asio I/O. One exception: when nothing is queued or in
// flight, Write() sends straight from the caller's thread with a non-blocking send() under the
// mutex (Finish closes the socket only after setting closed_ under it), so that a reply does not
// wait for the strand's thread to wake up; what the kernel does not take is queued as usual.
// Likewise ReadDirect reads the socket from the caller's thread while delivery is paused (no
// read is outstanding on the strand then); Finish shuts the socket down to wake such a reader and
// waits for it to leave before closing the descriptor, so the reader never uses a reused fd.
//
// Invariants:
//   - once `closed_` is set (under mu_) nothing is posted to the strand again, so a connection
//     that outlives the server (held by a handler's worker) never touches a dead io_context;
//   - OnClose is called exactly once, and the handler is destroyed right after it, which breaks
//     the handler -> connection -> handler reference cycle.
#include "net/stream_server.h"

#include "net/listen.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "common/log.h"

namespace nordlys::net {

namespace {

// What connections share with the server; outlives the server while connections live.
struct Shared {
  StreamServer::Options options;
  std::atomic<size_t> live{0};
  std::atomic<uint64_t> next_id{1};
};

class Conn final : public StreamConnection, public std::enable_shared_from_this<Conn> {
 public:
  Conn(std::shared_ptr<Shared> shared, asio::io_context& io, asio::ip::tcp::socket sock)
      : shared_(std::move(shared)),
        socket_(std::move(sock)),
        strand_(asio::make_strand(io)),
        id_(shared_->next_id++),
        fd_(socket_.native_handle()) {
    shared_->live++;
    asio::error_code ec;
    protocol_ = socket_.local_endpoint(ec).protocol();
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) {
      peer_address_ = ep.address().to_string();
      peer_port_ = ep.port();
    }
    read_buf_.resize(shared_->options.read_chunk_bytes);
  }
  ~Conn() override {
    if (detached_) ::close(fd_);  // socket_ no longer owns it
    shared_->live--;
  }

  // Installs the handler on the strand and starts reading.
  void Start(std::unique_ptr<StreamHandler> handler) {
    auto h = std::make_shared<std::unique_ptr<StreamHandler>>(std::move(handler));
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    asio::post(strand_, [self = shared_from_this(), h] {
      if (self->finished_) return;
      self->handler_ = std::move(*h);
      self->StartRead();
    });
  }

  Status Write(std::string bytes) override {
    if (bytes.empty()) return Status::OK();
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || closing_) return Status::Unavailable("connection closed");
    if (pending_bytes_ + bytes.size() > shared_->options.max_pending_write_bytes) {
      closed_ = true;  // the peer is not reading; drop it rather than buffer without bound
      cv_.notify_all();
      asio::post(strand_, [self = shared_from_this()] {
        self->Finish(Status::ResourceExhausted("peer does not read; write queue full"));
      });
      return Status::ResourceExhausted("write queue of connection " + std::to_string(id_) +
                                       " is full");
    }
    if (pending_bytes_ == 0) {
      // Write-through: nothing is queued or being written, so this cannot overtake anything.
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n == static_cast<ssize_t>(bytes.size())) return Status::OK();
      if (n > 0) bytes.erase(0, static_cast<size_t>(n));
      // EAGAIN or an error: the strand's async_write retries and reports the error.
    }
    pending_bytes_ += bytes.size();
    out_.push_back(std::move(bytes));
    if (!write_posted_) {
      write_posted_ = true;
      asio::post(strand_, [self = shared_from_this()] { self->WriteNext(); });
    }
    return Status::OK();
  }

  void Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || closing_) return;
    closing_ = true;
    asio::post(strand_, [self = shared_from_this()] { self->MaybeFinishGraceful(); });
  }

  void Abort() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    cv_.notify_all();
    asio::post(strand_, [self = shared_from_this()] { self->Finish(Status::Aborted("aborted")); });
  }

  void ResumeReading() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    asio::post(strand_, [self = shared_from_this()] {
      self->paused_ = false;
      if (self->reading_ || self->finished_) return;
      if (self->Attach()) self->StartRead();
    });
  }

  Result<size_t> ReadDirect(char* buf, size_t cap, int timeout_ms, int wake_fd) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || closing_) return Status::Unavailable("connection closed");
      direct_reading_ = true;
    }
    Result<size_t> got = Recv(buf, cap, timeout_ms, wake_fd);
    std::lock_guard<std::mutex> lock(mu_);
    direct_reading_ = false;
    cv_.notify_all();
    return got;
  }

  bool WaitWritable(size_t bytes, uint64_t timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return closed_ || pending_bytes_ <= bytes; }) &&
           !closed_;
  }

  size_t pending_write_bytes() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_bytes_;
  }
  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ || closing_;
  }
  uint64_t id() const override { return id_; }
  const std::string& peer_address() const override { return peer_address_; }
  uint16_t peer_port() const override { return peer_port_; }

  // Server stop: marks closed (no more posts) and finishes on the strand; `done` is set after.
  void Shutdown(std::shared_ptr<std::promise<void>> done) {
    std::lock_guard<std::mutex> lock(mu_);
    bool already = closed_;
    closed_ = true;
    cv_.notify_all();
    if (already && finished_flag_) {
      done->set_value();
      return;
    }
    asio::post(strand_, [self = shared_from_this(), done] {
      self->Finish(Status::Unavailable("server stopping"));
      done->set_value();
    });
  }

 private:
  // REQUIRES: direct_reading_ (the descriptor stays open meanwhile).
  Result<size_t> Recv(char* buf, size_t cap, int timeout_ms, int wake_fd) {
    const int fd = fd_;
    bool waited = false;
    while (true) {
      ssize_t n = ::recv(fd, buf, cap, MSG_DONTWAIT);
      if (n > 0) return static_cast<size_t>(n);
      if (n == 0) return Status::Unavailable("peer closed the connection");
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        return Status::Unavailable(std::string("read failed: ") + std::strerror(errno));
      }
      if (timeout_ms == 0 || waited) return size_t{0};
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
      int r = ::poll(fds, wake_fd >= 0 ? 2 : 1, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0 || (fds[0].revents == 0 && fds[1].revents != 0)) return size_t{0};
      waited = true;  // readable, hung up or in error: the next recv says which
    }
  }

  // REQUIRES: on strand.
  void StartRead() {
    if (paused_ || finished_ || reading_) return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(read_buf_.data(), read_buf_.size()),
        asio::bind_executor(strand_, [self = shared_from_this()](const asio::error_code& ec,
                                                                 size_t n) {
          self->reading_ = false;
          if (self->finished_) return;
          if (ec) {
            return self->Finish(ec == asio::error::eof
                                    ? Status::Unavailable("peer closed the connection")
                                    : Status::Unavailable("read failed: " + ec.message()));
          }
          if (n > 0 && self->handler_ &&
              self->handler_->OnData(std::string_view(self->read_buf_.data(), n)) ==
                  StreamHandler::Next::kPause) {
            self->paused_ = true;
            self->Detach();
          }
          self->StartRead();
        }));
  }

  // REQUIRES: on strand.
  void WriteNext() {
    if (writing_ || finished_) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      write_posted_ = false;
      if (out_.empty()) {
        if (closing_) asio::post(strand_, [self = shared_from_this()] {
            self->MaybeFinishGraceful();
          });
        return;
      }
      wbuf_.clear();
      while (!out_.empty()) {  // coalesce: one syscall for a burst of small messages
        wbuf_ += out_.front();
        out_.pop_front();
      }
    }
    if (!Attach()) return;
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(wbuf_),
        asio::bind_executor(strand_, [self = shared_from_this()](const asio::error_code& ec,
                                                                 size_t n) {
          self->writing_ = false;
          {
            std::lock_guard<std::mutex> lock(self->mu_);
            self->pending_bytes_ -= self->wbuf_.size();
            self->cv_.notify_all();
          }
          if (ec) return self->Finish(Status::Unavailable("write failed: " + ec.message()));
          self->WriteNext();
          if (self->paused_) self->Detach();
        }));
  }

  // REQUIRES: on strand. While delivery is paused (a worker reads the socket directly) and no
  // write is in flight, the descriptor leaves the reactor: asio registers sockets
  // edge-triggered, so every message the direct reader takes would otherwise also wake an I/O
  // thread for nothing (about one wake-up per statement).
  void Detach() {
    if (detached_ || reading_ || writing_ || finished_) return;
    asio::error_code ec;
    socket_.release(ec);  // nothing is outstanding, so nothing is cancelled; fd_ stays open
    if (!ec) detached_ = true;
  }

  // REQUIRES: on strand. Puts the descriptor back under the reactor; false (and the connection
  // finished) when that fails.
  bool Attach() {
    if (!detached_) return true;
    asio::error_code ec;
    socket_.assign(protocol_, fd_, ec);
    if (ec) {
      ::close(fd_);  // not owned by socket_ after a failed assign
      detached_ = false;
      closed_fd_ = true;
      Finish(Status::Unavailable("cannot watch the connection: " + ec.message()));
      return false;
    }
    detached_ = false;
    return true;
  }

  // REQUIRES: on strand. Finishes a Close() once every queued byte is written.
  void MaybeFinishGraceful() {
    if (finished_ || writing_) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!out_.empty()) {
        if (!write_posted_) {
          write_posted_ = true;
          asio::post(strand_, [self = shared_from_this()] { self->WriteNext(); });
        }
        return;
      }
    }
    ::shutdown(fd_, SHUT_WR);
    Finish(Status::Unavailable("closed by server"));
  }

  // REQUIRES: on strand. Idempotent.
  void Finish(const Status& why) {
    if (finished_) return;
    finished_ = true;
    {
      std::unique_lock<std::mutex> lock(mu_);
      closed_ = true;
      finished_flag_ = true;
      out_.clear();
      cv_.notify_all();
      if (direct_reading_) {  // wake the reader (poll sees the hang-up) and let it leave
        ::shutdown(fd_, SHUT_RDWR);
        cv_.wait(lock, [&] { return !direct_reading_; });
      }
    }
    if (detached_) {
      ::close(fd_);
      detached_ = false;
    } else if (!closed_fd_) {
      asio::error_code ignored;
      socket_.close(ignored);
    }
    if (handler_) {
      auto h = std::move(handler_);
      h->OnClose(why);
    }  // the handler is destroyed here
  }

  std::shared_ptr<Shared> shared_;
  asio::ip::tcp::socket socket_;
  asio::strand<asio::io_context::executor_type> strand_;
  const uint64_t id_;
  // The descriptor, for the raw calls made outside the strand (write-through send, direct
  // reads); valid until Finish closes it, whether or not the reactor watches it.
  const int fd_;
  asio::ip::tcp protocol_ = asio::ip::tcp::v4();
  std::string peer_address_;
  uint16_t peer_port_ = 0;

  // Strand-only.
  std::unique_ptr<StreamHandler> handler_;
  std::vector<char> read_buf_;  // bounded by Options::read_chunk_bytes
  std::string wbuf_;
  bool reading_ = false;
  bool writing_ = false;
  bool paused_ = false;
  bool finished_ = false;
  bool detached_ = false;   // socket_ released from the reactor; fd_ still open (Detach)
  bool closed_fd_ = false;  // fd_ closed after a failed Attach

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> out_;  // GUARDED_BY(mu_); bounded by max_pending_write_bytes
  size_t pending_bytes_ = 0;      // GUARDED_BY(mu_): queued + being written
  bool write_posted_ = false;     // GUARDED_BY(mu_)
  bool closing_ = false;          // GUARDED_BY(mu_): Close() called, flushing
  bool closed_ = false;           // GUARDED_BY(mu_): no more posts to the strand
  bool finished_flag_ = false;    // GUARDED_BY(mu_): Finish ran
  bool direct_reading_ = false;   // GUARDED_BY(mu_): a ReadDirect is using the descriptor
};

}  // namespace

struct StreamServer::Impl {
  std::shared_ptr<Shared> shared;
  HandlerFactory factory;
  // Own I/O pool (EventLoop's internals are private to rpc.cc).
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  asio::ip::tcp::acceptor acceptor;
  std::mutex mu;
  std::vector<std::weak_ptr<Conn>> conns;  // GUARDED_BY(mu)
  std::atomic<bool> stopped{false};

  Impl(const Options& o, HandlerFactory f)
      : shared(std::make_shared<Shared>()),
        factory(std::move(f)),
        acceptor(io) {
    shared->options = o;
  }

  void RunThreads(int n) {
    for (int i = 0; i < n; ++i) threads.emplace_back([this] { io.run(); });
  }

  void StopThreads() {
    work.reset();
    io.stop();
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
  }

  void Accept() {
    acceptor.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket sock) {
      if (stopped) return;
      if (!ec) Admit(std::move(sock));
      Accept();
    });
  }

  void Admit(asio::ip::tcp::socket sock) {
    const Options& o = shared->options;
    size_t live = shared->live.load();
    AcceptInfo info;
    if (live >= o.max_connections + o.max_over_limit_connections) {
      log::Warn("net", "connection limit reached; closing without a word",
                {{"max_connections", o.max_connections}});
      asio::error_code ignored;
      sock.close(ignored);
      return;
    }
    info.over_limit = live >= o.max_connections;
    asio::error_code ignored;
    sock.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto c = std::make_shared<Conn>(shared, io, std::move(sock));
    {
      std::lock_guard<std::mutex> lock(mu);
      std::erase_if(conns, [](auto& w) { return w.expired(); });
      conns.push_back(c);
    }
    std::unique_ptr<StreamHandler> handler = factory(c, info);
    if (!handler) {
      c->Abort();
      return;
    }
    c->Start(std::move(handler));
  }
};

StreamServer::StreamServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<StreamServer>> StreamServer::Start(const Options& options,
                                                          HandlerFactory factory) {
  if (options.read_chunk_bytes == 0 || options.io_threads <= 0) {
    return Status::InvalidArgument("read_chunk_bytes and io_threads must be positive");
  }
  auto impl = std::make_shared<Impl>(options, std::move(factory));
  NORDLYS_RETURN_IF_ERROR(internal::OpenListener(&impl->acceptor, options.host, options.port));
  Impl* raw = impl.get();
  raw->RunThreads(options.io_threads);
  asio::post(raw->io, [raw] { raw->Accept(); });
  return std::unique_ptr<StreamServer>(new StreamServer(std::move(impl)));
}

uint16_t StreamServer::port() const {
  asio::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

size_t StreamServer::connection_count() const { return impl_->shared->live.load(); }

void StreamServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  std::promise<void> closed_acceptor;
  asio::post(impl_->io, [this, &closed_acceptor] {
    asio::error_code ignored;
    impl_->acceptor.close(ignored);
    closed_acceptor.set_value();
  });
  closed_acceptor.get_future().wait();
  std::vector<std::shared_ptr<Conn>> live;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& w : impl_->conns) {
      if (auto c = w.lock()) live.push_back(std::move(c));
    }
    impl_->conns.clear();
  }
  std::vector<std::future<void>> done;
  for (auto& c : live) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    c->Shutdown(std::move(p));
  }
  for (auto& f : done) f.wait();
  impl_->StopThreads();
}

StreamServer::~StreamServer() { Stop(); }

}  // namespace nordlys::net
