// asio implementation of EventLoop, RpcServer and RpcClient (rpc.h).
//
// Each connection serializes its work on an asio strand: the read loop, the write queue and the
// pending-call table are touched only from that strand, so they need no lock.
#include "net/rpc.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>
#include <vector>

#include <asio.hpp>

#include "common/log.h"
#include "net/frame.h"
#include "net/listen.h"

namespace nordlys::net {

// ------------------------------------------------------------------------------------------
// EventLoop

struct EventLoop::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
};

EventLoop::EventLoop(int threads) : impl_(std::make_unique<Impl>()) {
  NORDLYS_ASSERT(threads > 0);
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

void EventLoop::Post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

void EventLoop::RunAfter(uint64_t delay_ms, std::function<void()> fn) {
  RunAfterMicros(delay_ms * 1000, std::move(fn));
}

void EventLoop::RunAfterMicros(uint64_t delay_micros, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io);
  timer->expires_after(std::chrono::microseconds(delay_micros));
  timer->async_wait([timer, fn = std::move(fn)](const asio::error_code& ec) {
    if (!ec) fn();
  });
}

Status ParseHostPort(const std::string& s, std::string* host, uint16_t* port,
                     bool allow_zero_port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) {
    return Status::InvalidArgument("address '" + s + "' is not HOST:PORT");
  }
  std::string p = s.substr(colon + 1);
  unsigned long v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return Status::InvalidArgument("port in '" + s + "' is not a number");
    v = v * 10 + static_cast<unsigned long>(c - '0');
    if (v > 65535) return Status::InvalidArgument("port in '" + s + "' is above 65535");
  }
  if (v == 0 && !allow_zero_port) return Status::InvalidArgument("port 0 in '" + s + "'");
  *host = s.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  *port = static_cast<uint16_t>(v);
  return Status::OK();
}

namespace {

using internal::ResolveHost;

// One piece of an outgoing frame: bytes of its own (headers, responses, most payloads), or a
// payload shared with calls to other peers.
struct OutPiece {
  std::string own;
  std::shared_ptr<const std::string> shared;

  OutPiece(std::string s) : own(std::move(s)) {}  // NOLINT: pieces are built from strings
  explicit OutPiece(std::shared_ptr<const std::string> s) : shared(std::move(s)) {}
  std::string_view bytes() const {
    return shared ? std::string_view(*shared) : std::string_view(own);
  }
};

// A client connection holds at most this many bytes it has not written yet (beyond one frame
// of any size): past it the peer is not reading (stopped, or its disk is stuck), and further calls
// fail at once instead of piling up in this process's memory.
constexpr size_t kUnsentBytesMax = 64u << 20;

// Input side of a connection: bytes read but not yet delivered as frames.
struct InBuffer {
  static constexpr size_t kChunk = 64 << 10;
  std::string bytes;  // [begin, end) read and not yet parsed
  size_t begin = 0;
  size_t end = 0;
  size_t need = kFrameHeaderSize;  // bytes the next frame needs in all (header, then whole frame)
};

template <typename Conn>
void PumpFrames(std::shared_ptr<Conn> c);

// One read of whatever the socket has (up to the free space). REQUIRES: on the connection's
// strand, no read outstanding.
template <typename Conn>
void ReadMore(std::shared_ptr<Conn> c) {
  InBuffer& in = c->in;
  if (in.begin > 0) {  // keep the unparsed tail at the front
    std::memmove(in.bytes.data(), in.bytes.data() + in.begin, in.end - in.begin);
    in.end -= in.begin;
    in.begin = 0;
  }
  const size_t want = std::max(InBuffer::kChunk, in.need);
  if (in.bytes.size() < want || (in.bytes.size() > 4 * want && in.end <= want)) {
    in.bytes.resize(want);  // grows for a large frame, shrinks again after one
  }
  c->socket.async_read_some(
      asio::buffer(in.bytes.data() + in.end, in.bytes.size() - in.end),
      asio::bind_executor(c->strand, [c](const asio::error_code& ec, size_t n) {
        if (ec) return c->OnError(Status::Unavailable("connection closed: " + ec.message()));
        c->in.end += n;
        PumpFrames(c);
      }));
}

// Delivers every complete frame already read, then reads more, unless the connection closed
// or paused reading (c->ReadPaused(); whoever resumes it calls PumpFrames again). A burst of
// frames thus costs one read, and the handler sees the whole burst before anything it posted
// runs (a storage node's group commit covers every WriteBatch of the burst).
// REQUIRES: on the connection's strand, no read outstanding.
template <typename Conn>
void PumpFrames(std::shared_ptr<Conn> c) {
  InBuffer& in = c->in;
  bool delivered = false;
  while (!c->closed && !c->ReadPaused()) {
    const size_t avail = in.end - in.begin;
    if (avail < kFrameHeaderSize) {
      in.need = kFrameHeaderSize;
      break;
    }
    std::string_view header(in.bytes.data() + in.begin, kFrameHeaderSize);
    auto h = DecodeFrameHeader(header);
    if (!h.ok()) return c->OnError(h.status());
    const size_t total = kFrameHeaderSize + h->payload_len;
    if (avail < total) {
      in.need = total;
      break;
    }
    std::string_view payload(in.bytes.data() + in.begin + kFrameHeaderSize, h->payload_len);
    if (Status v = VerifyFrame(header, *h, payload); !v.ok()) return c->OnError(v);
    Frame f;
    f.flags = h->flags;
    f.type = h->type;
    f.request_id = h->request_id;
    f.payload.assign(payload);
    in.begin += total;
    delivered = true;
    c->OnFrame(std::move(f));
  }
  if (delivered) c->AfterBurst();
  if (c->closed || c->ReadPaused()) return;
  ReadMore(c);
}

// Writes everything queued in one gathered write (one syscall for a burst of frames). Frames are
// queued as pieces (a header, then its payload): large payloads go to the socket from where they
// are, small pieces are packed together so that a burst of small frames is a few iovecs.
// REQUIRES: called on the connection's strand.
template <typename Conn>
void WriteNext(std::shared_ptr<Conn> c) {
  if (c->writing || c->out.empty() || c->closed) return;
  c->writing = true;
  constexpr size_t kPackBelow = 4096;
  c->wpieces.clear();
  bool back_packs = false;  // wpieces.back() is a pack of small pieces (owned bytes)
  while (!c->out.empty()) {
    OutPiece& piece = c->out.front();
    const std::string_view bytes = piece.bytes();
    if (bytes.size() < kPackBelow && back_packs) {
      c->wpieces.back().own.append(bytes);
    } else if (bytes.size() < kPackBelow) {
      // Starts a pack, which must own its bytes.
      c->wpieces.emplace_back(piece.shared ? std::string(bytes) : std::move(piece.own));
      back_packs = true;
    } else {
      c->wpieces.push_back(std::move(piece));
      back_packs = false;
    }
    c->out.pop_front();
  }
  std::vector<asio::const_buffer> bufs;
  bufs.reserve(c->wpieces.size());
  size_t total = 0;
  for (const OutPiece& p : c->wpieces) {
    bufs.push_back(asio::buffer(p.bytes().data(), p.bytes().size()));
    total += p.bytes().size();
  }
  asio::async_write(c->socket, bufs,
                    asio::bind_executor(c->strand, [c, total](const asio::error_code& ec, size_t) {
                      c->writing = false;
                      c->unsent_bytes -= total;
                      c->wpieces.clear();  // large payloads are not held until the next write
                      if (ec) {
                        return c->OnError(Status::Unavailable("write failed: " + ec.message()));
                      }
                      WriteNext(c);
                    }));
}

// Queues a frame on c->out as two pieces, its header and its payload, so that the payload is
// not copied; counts them as unsent until WriteNext's write completes.
template <typename Conn>
void QueueFrame(Conn* c, uint8_t flags, uint16_t type, uint64_t request_id, OutPiece payload) {
  c->unsent_bytes += kFrameHeaderSize + payload.bytes().size();
  c->out.push_back(EncodeFrameHeader(flags, type, request_id, payload.bytes()));
  c->out.push_back(std::move(payload));
}

}  // namespace

// ------------------------------------------------------------------------------------------
// RpcServer

struct ServerConn;

struct RpcServer::Impl {
  Options options;
  Handler handler;
  EventLoop loop;
  asio::ip::tcp::acceptor acceptor;
  std::mutex mu;
  std::vector<std::weak_ptr<ServerConn>> conns;  // GUARDED_BY(mu)
  std::atomic<size_t> live_conns{0};
  std::atomic<bool> stopped{false};

  Impl(const Options& o, Handler h)
      : options(o), handler(std::move(h)), loop(o.io_threads), acceptor(loop.impl()->io) {}
  void Accept();
};

struct ServerConn : std::enable_shared_from_this<ServerConn> {
  RpcServer::Impl* server;
  asio::ip::tcp::socket socket;
  asio::strand<asio::io_context::executor_type> strand;
  InBuffer in;
  std::deque<OutPiece> out;       // pieces of frames not yet handed to the socket
  std::vector<OutPiece> wpieces;  // what the write in progress sends
  size_t unsent_bytes = 0;        // in out and wpieces
  bool writing = false;
  bool closed = false;
  size_t inflight = 0;
  bool read_paused = false;
  // While reading is paused no read holds the connection; responders hold it only weakly.
  std::shared_ptr<ServerConn> keep_while_paused;

  bool ReadPaused() const { return read_paused; }
  void AfterBurst() {
    if (server->options.after_burst) server->options.after_burst();
  }

  ServerConn(RpcServer::Impl* s, asio::ip::tcp::socket sock)
      : server(s), socket(std::move(sock)), strand(asio::make_strand(s->loop.impl()->io)) {}
  ~ServerConn() { server->live_conns--; }

  void OnError(const Status& s) {
    if (closed) return;
    closed = true;
    auto keep = std::move(keep_while_paused);  // released when this returns
    if (s.code() != StatusCode::kUnavailable) {
      log::Warn("rpc", "dropping connection", {{"reason", s.ToString()}});
    }
    asio::error_code ignored;
    socket.close(ignored);
  }

  void OnFrame(Frame f) {
    if (f.is_response()) return OnError(Status::Corruption("client sent a response frame"));
    ++inflight;
    uint64_t id = f.request_id;
    uint16_t type = f.type;
    std::weak_ptr<ServerConn> weak = shared_from_this();
    auto once = std::make_shared<std::atomic<bool>>(false);
    RpcServer::Responder respond = [weak, id, type, once](Result<std::string> r) {
      NORDLYS_ASSERT(!once->exchange(true));  // each request is answered exactly once
      auto c = weak.lock();
      if (!c) return;
      Frame resp;
      resp.flags = kFlagResponse;
      resp.request_id = id;
      if (r.ok()) {
        resp.type = type;
        resp.payload = std::move(r).value();
      } else {
        resp.type = kMsgError;
        resp.payload = EncodeErrorPayload(r.status());
      }
      asio::post(c->strand, [c, resp = std::move(resp)]() mutable {
        c->inflight--;
        if (c->closed) return;
        QueueFrame(c.get(), resp.flags, resp.type, resp.request_id, std::move(resp.payload));
        WriteNext(c);
        if (c->read_paused && c->inflight < c->server->options.max_inflight_per_connection) {
          c->read_paused = false;
          c->keep_while_paused.reset();
          PumpFrames(c);
        }
      });
    };
    if (type == kMsgPing) {
      respond(std::move(f.payload));
    } else {
      server->handler(type, std::move(f.payload), std::move(respond));
    }
    if (inflight >= server->options.max_inflight_per_connection) {
      read_paused = true;
      keep_while_paused = shared_from_this();
    }
  }
};

void RpcServer::Impl::Accept() {
  acceptor.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket sock) {
    if (stopped) return;
    if (!ec) {
      if (live_conns.load() >= options.max_connections) {
        log::Warn("rpc", "connection limit reached; refusing",
                  {{"max_connections", options.max_connections}});
        asio::error_code ignored;
        sock.close(ignored);
      } else {
        asio::error_code ignored;
        sock.set_option(asio::ip::tcp::no_delay(true), ignored);
        live_conns++;
        auto c = std::make_shared<ServerConn>(this, std::move(sock));
        {
          std::lock_guard<std::mutex> lock(mu);
          std::erase_if(conns, [](auto& w) { return w.expired(); });
          conns.push_back(c);
        }
        asio::post(c->strand, [c] { PumpFrames(c); });
      }
    }
    Accept();
  });
}

RpcServer::RpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<RpcServer>> RpcServer::Start(const Options& options, Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  NORDLYS_RETURN_IF_ERROR(internal::OpenListener(&impl->acceptor, options.host, options.port));
  Impl* raw = impl.get();
  asio::post(raw->loop.impl()->io, [raw] { raw->Accept(); });
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(impl)));
}

uint16_t RpcServer::port() const {
  asio::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void RpcServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  std::promise<void> done;
  asio::post(impl_->loop.impl()->io, [this, &done] {
    asio::error_code ignored;
    impl_->acceptor.close(ignored);
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& w : impl_->conns) {
      if (auto c = w.lock()) {
        asio::post(c->strand, [c] { c->OnError(Status::Unavailable("server stopping")); });
      }
    }
    done.set_value();
  });
  done.get_future().wait();
  impl_->loop.Stop();
}

RpcServer::~RpcServer() { Stop(); }

// ------------------------------------------------------------------------------------------
// RpcClient

namespace {

// One TCP connection of a client. A reconnect makes a new ClientConn, so handlers still running
// for an old socket can only ever touch the old object.
struct ClientConn : std::enable_shared_from_this<ClientConn> {
  std::weak_ptr<RpcClient::Impl> owner;
  asio::ip::tcp::socket socket;
  asio::strand<asio::io_context::executor_type> strand;
  InBuffer in;
  std::deque<OutPiece> out;       // pieces of frames not yet handed to the socket
  std::vector<OutPiece> wpieces;  // what the write in progress sends
  size_t unsent_bytes = 0;        // in out and wpieces
  bool writing = false;
  bool closed = false;

  bool ReadPaused() const { return false; }
  void AfterBurst() {}

  ClientConn(std::weak_ptr<RpcClient::Impl> o, asio::io_context& io,
             asio::strand<asio::io_context::executor_type> s)
      : owner(std::move(o)), socket(io), strand(std::move(s)) {}

  void OnError(const Status& s);
  void OnFrame(Frame f);
};

}  // namespace

struct RpcClient::Impl : std::enable_shared_from_this<RpcClient::Impl> {
  struct Pending {
    Callback cb;
    std::unique_ptr<asio::steady_timer> timer;
  };

  static constexpr uint64_t kConnectTimeoutMs = 1000;

  EventLoop* loop;
  std::string host;
  uint16_t port;
  asio::strand<asio::io_context::executor_type> strand;  // all fields below are touched only here
  std::shared_ptr<ClientConn> conn;  // null: not connected
  bool connected = false;            // conn finished connecting
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, Pending> pending;
  bool shutdown = false;

  Impl(EventLoop* l, std::string h, uint16_t p)
      : loop(l), host(std::move(h)), port(p), strand(asio::make_strand(l->impl()->io)) {}

  std::string Addr() const { return host + ":" + std::to_string(port); }

  void Fail(uint64_t id, Status s) {
    auto it = pending.find(id);
    if (it == pending.end()) return;
    Callback cb = std::move(it->second.cb);
    if (it->second.timer) it->second.timer->cancel();
    pending.erase(it);
    cb(std::move(s));
  }

  void FailAll(const Status& s) {
    auto all = std::move(pending);
    pending.clear();
    for (auto& [id, p] : all) {
      if (p.timer) p.timer->cancel();
      p.cb(s);
    }
  }

  // The connection failed: every outstanding call fails; the next call reconnects.
  void ConnFailed(ClientConn* c, const Status& s) {
    if (conn.get() != c) return;
    conn.reset();
    connected = false;
    FailAll(Status::Unavailable(Addr() + ": " + s.message()));
  }

  void Deliver(Frame f) {
    auto it = pending.find(f.request_id);
    if (it == pending.end()) return;  // late answer to a call that timed out
    Callback cb = std::move(it->second.cb);
    if (it->second.timer) it->second.timer->cancel();
    pending.erase(it);
    if (f.type == kMsgError) {
      cb(DecodeErrorPayload(f.payload));
    } else {
      cb(std::move(f.payload));
    }
  }

  void Connect() {
    auto addr = ResolveHost(host);
    if (!addr.ok()) return FailAll(addr.status());
    auto self = shared_from_this();
    auto c = std::make_shared<ClientConn>(self, loop->impl()->io, strand);
    conn = c;
    connected = false;
    // Bounded connect: a peer that never answers SYN must not hold calls forever.
    auto timer = std::make_shared<asio::steady_timer>(loop->impl()->io);
    timer->expires_after(std::chrono::milliseconds(kConnectTimeoutMs));
    timer->async_wait(asio::bind_executor(strand, [self, c](const asio::error_code& ec) {
      if (ec || self->conn != c || self->connected) return;
      c->OnError(Status::Unavailable("connect timed out"));
    }));
    c->socket.async_connect(
        asio::ip::tcp::endpoint(*addr, port),
        asio::bind_executor(strand, [self, c, timer](const asio::error_code& ec) {
          timer->cancel();
          if (self->conn != c || c->closed) return;
          if (ec) return c->OnError(Status::Unavailable("connect failed: " + ec.message()));
          asio::error_code ignored;
          c->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
          self->connected = true;
          PumpFrames(c);
          WriteNext(c);
        }));
  }
};

void ClientConn::OnError(const Status& s) {
  if (closed) return;
  closed = true;
  asio::error_code ignored;
  socket.close(ignored);
  out.clear();
  if (auto o = owner.lock()) o->ConnFailed(this, s);
}

void ClientConn::OnFrame(Frame f) {
  if (!f.is_response()) return OnError(Status::Corruption("server sent a request frame"));
  if (auto o = owner.lock()) o->Deliver(std::move(f));
}

RpcClient::RpcClient(EventLoop* loop, std::string host, uint16_t port)
    : address_(host + ":" + std::to_string(port)),
      impl_(std::make_shared<Impl>(loop, std::move(host), port)) {}

RpcClient::~RpcClient() {
  auto impl = impl_;
  if (impl->loop->impl()->io.stopped()) return;  // nothing runs any more; nothing to fail
  std::promise<void> done;
  asio::post(impl->strand, [impl, &done] {
    impl->shutdown = true;
    if (impl->conn) {
      auto c = impl->conn;
      impl->conn.reset();
      c->closed = true;
      asio::error_code ignored;
      c->socket.close(ignored);
    }
    impl->FailAll(Status::Aborted("client destroyed"));
    done.set_value();
  });
  done.get_future().wait();
}

namespace {

void StartCall(std::shared_ptr<RpcClient::Impl> impl, uint16_t type, OutPiece payload,
               uint64_t timeout_ms, RpcClient::Callback cb) {
  asio::post(impl->strand, [impl, type, payload = std::move(payload), timeout_ms,
                            cb = std::move(cb)]() mutable {
    if (impl->shutdown) return cb(Status::Aborted("client destroyed"));
    const size_t bytes = kFrameHeaderSize + payload.bytes().size();
    if (impl->conn && impl->conn->unsent_bytes > 0 &&
        impl->conn->unsent_bytes + bytes > kUnsentBytesMax) {
      return cb(Status::Unavailable("peer " + impl->Addr() + " is not reading: " +
                                    std::to_string(impl->conn->unsent_bytes) +
                                    " bytes wait to be sent to it"));
    }
    uint64_t id = impl->next_id++;
    RpcClient::Impl::Pending p;
    p.cb = std::move(cb);
    p.timer = std::make_unique<asio::steady_timer>(impl->loop->impl()->io);
    p.timer->expires_after(std::chrono::milliseconds(timeout_ms));
    p.timer->async_wait(asio::bind_executor(impl->strand, [impl, id](const asio::error_code& ec) {
      if (!ec) impl->Fail(id, Status::Timeout("no answer from " + impl->Addr()));
    }));
    impl->pending.emplace(id, std::move(p));
    if (!impl->conn) impl->Connect();
    if (!impl->conn) return;  // Connect failed and already failed the call
    QueueFrame(impl->conn.get(), 0, type, id, std::move(payload));
    if (impl->connected) WriteNext(impl->conn);
  });
}

}  // namespace

void RpcClient::Call(uint16_t type, std::string payload, uint64_t timeout_ms, Callback cb) {
  StartCall(impl_, type, OutPiece(std::move(payload)), timeout_ms, std::move(cb));
}

void RpcClient::Call(uint16_t type, std::shared_ptr<const std::string> payload,
                     uint64_t timeout_ms, Callback cb) {
  StartCall(impl_, type, OutPiece(std::move(payload)), timeout_ms, std::move(cb));
}

Result<std::string> RpcClient::CallSync(uint16_t type, std::string payload, uint64_t timeout_ms) {
  std::promise<Result<std::string>> p;
  auto fut = p.get_future();
  Call(type, std::move(payload), timeout_ms,
       [&p](Result<std::string> r) { p.set_value(std::move(r)); });
  return fut.get();
}

}  // namespace nordlys::net
