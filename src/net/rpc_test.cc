// RpcServer/RpcClient over real loopback sockets.
#include "net/port_reservation.h"
#include "net/rpc.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <future>
#include <thread>

#include "net/frame.h"

namespace nordlys::net {
namespace {

constexpr uint16_t kEcho = 100;
constexpr uint16_t kFail = 101;
constexpr uint16_t kSlow = 102;
constexpr uint16_t kLater = 103;

std::unique_ptr<RpcServer> StartServer(uint16_t port = 0) {
  RpcServer::Options o;
  o.port = port;
  auto s = RpcServer::Start(o, [](uint16_t type, std::string payload, RpcServer::Responder r) {
    switch (type) {
      case kEcho: return r(std::move(payload));
      case kFail: return r(Status::Fenced("stale epoch"));
      case kSlow: return;  // never answers: the client's timeout must fire
      case kLater:         // answered from another thread, after a while
        std::thread([r, payload] {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          r(payload + "!");
        }).detach();
        return;
      default: return r(Status::NotSupported("unknown type"));
    }
  });
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// A plain TCP connection to the server, for tests that speak raw bytes; -1 on failure.
int ConnectRaw(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(RpcTest, EchoErrorAndAsyncAnswer) {
  auto server = StartServer();
  EventLoop loop(1);
  RpcClient client(&loop, "127.0.0.1", server->port());
  EXPECT_EQ(client.CallSync(kEcho, "abc", 2000).value(), "abc");
  EXPECT_EQ(client.CallSync(kMsgPing, "p", 2000).value(), "p");
  EXPECT_TRUE(client.CallSync(kFail, "", 2000).status().IsFenced());
  EXPECT_EQ(client.CallSync(kLater, "x", 2000).value(), "x!");
  EXPECT_EQ(client.CallSync(999, "", 2000).status().code(), StatusCode::kNotSupported);
}

TEST(RpcTest, ManyPipelinedCallsAllAnswered) {
  auto server = StartServer();
  EventLoop loop(2);
  RpcClient client(&loop, "127.0.0.1", server->port());
  constexpr int kCalls = 2000;
  std::atomic<int> ok{0};
  std::promise<void> all;
  std::atomic<int> left{kCalls};
  for (int i = 0; i < kCalls; ++i) {
    client.Call(kEcho, std::to_string(i), 5000, [&, i](Result<std::string> r) {
      if (r.ok() && *r == std::to_string(i)) ok++;
      if (--left == 0) all.set_value();
    });
  }
  all.get_future().wait();
  EXPECT_EQ(ok.load(), kCalls);
}

// Sends go out as gathered writes of header and payload pieces, small pieces packed together:
// a burst that mixes tiny, page-sized and multi-megabyte payloads must arrive byte for byte, in
// both directions.
TEST(RpcTest, MixedSizeBurstsArriveIntact) {
  auto server = StartServer();
  EventLoop loop(2);
  RpcClient client(&loop, "127.0.0.1", server->port());
  const std::vector<size_t> sizes = {0, 1, 23, 4095, 4096, 4097, 100, 70000, 3, 2u << 20, 9};
  constexpr int kRounds = 20;
  std::atomic<int> ok{0};
  std::atomic<int> left{kRounds * static_cast<int>(sizes.size())};
  std::promise<void> all;
  for (int round = 0; round < kRounds; ++round) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::string payload(sizes[i], '\0');
      for (size_t b = 0; b < payload.size(); ++b) {
        payload[b] = static_cast<char>((b * 131 + i * 7 + static_cast<size_t>(round)) & 0xff);
      }
      auto check = [&, payload](Result<std::string> r) {
        if (r.ok() && *r == payload) ok++;
        if (--left == 0) all.set_value();
      };
      if ((i + static_cast<size_t>(round)) % 2 == 0) {
        client.Call(kEcho, payload, 10000, check);
      } else {  // shared payloads are packed and sent beside owned ones the same way
        client.Call(kEcho, std::make_shared<const std::string>(payload), 10000, check);
      }
    }
  }
  ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(ok.load(), kRounds * static_cast<int>(sizes.size()));
}

// A peer that takes the connection but never reads (a stopped process): once the socket's
// buffers and the client's own bound are full, further calls fail at once with Unavailable
// instead of queueing without limit in the caller's memory.
TEST(RpcTest, CallsToAPeerThatDoesNotReadFailOnceTheQueueIsFull) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(lfd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(lfd, 4), 0);  // connections complete in the backlog; nothing reads them
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  constexpr int kCalls = 200;
  std::atomic<int> not_reading{0};
  std::atomic<int> left{kCalls};
  std::promise<void> all;
  {
    EventLoop loop(1);
    RpcClient client(&loop, "127.0.0.1", ntohs(addr.sin_port));
    auto payload = std::make_shared<const std::string>(1u << 20, 'p');
    for (int i = 0; i < kCalls; ++i) {
      client.Call(kEcho, payload, 3000, [&](Result<std::string> r) {
        if (!r.ok() && r.status().code() == StatusCode::kUnavailable &&
            r.status().message().find("is not reading") != std::string::npos) {
          not_reading++;
        }
        if (--left == 0) all.set_value();
      });
    }
    ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  }
  ::close(lfd);
  // 200 MiB asked; at most 64 MiB queued plus what the kernel's socket buffers took.
  EXPECT_GE(not_reading.load(), 100);
}

// One payload to several peers (a write round to the nodes that hold the same PGs): each gets
// it whole, nobody copies or changes it, and the connections let go of it once it is written.
TEST(RpcTest, SharedPayloadReachesEveryPeerAndIsReleased) {
  auto a = StartServer();
  auto b = StartServer();
  EventLoop loop(2);
  RpcClient ca(&loop, "127.0.0.1", a->port());
  RpcClient cb(&loop, "127.0.0.1", b->port());
  for (size_t size : {size_t{100}, size_t{3} << 20}) {
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 37) & 0xff);
    std::weak_ptr<const std::string> watch;
    std::atomic<int> ok{0};
    std::atomic<int> left{4};
    std::promise<void> all;
    {
      // Only the calls hold it: a connection that let go before its write finished would
      // send freed memory (and ASan would say so).
      auto shared = std::make_shared<const std::string>(bytes);
      watch = shared;
      for (RpcClient* c : {&ca, &cb, &ca, &cb}) {
        c->Call(kEcho, shared, 10000, [&](Result<std::string> r) {
          if (r.ok() && *r == bytes) ok++;
          if (--left == 0) all.set_value();
        });
      }
    }
    ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
    EXPECT_EQ(ok.load(), 4);
    for (int i = 0; i < 500 && !watch.expired(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(watch.expired()) << size;
  }
}

// Frames arrive in arbitrary pieces: many in one segment, one split over many, one larger
// than the read buffer. With a tiny in-flight limit the server pauses reading with whole
// frames still buffered; every frame must still be answered, in any order, exactly once.
TEST(RpcTest, BurstsSplitFramesAndPausedReadingAllAnswered) {
  RpcServer::Options o;
  o.max_inflight_per_connection = 2;
  auto started = RpcServer::Start(o, [](uint16_t, std::string payload, RpcServer::Responder r) {
    std::thread([r, payload] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      r(payload);
    }).detach();
  });
  ASSERT_TRUE(started.ok());
  auto server = std::move(started).value();
  int fd = ConnectRaw(server->port());
  ASSERT_GE(fd, 0);

  constexpr int kFrames = 40;
  std::string stream;
  std::map<uint64_t, std::string> expect;
  for (int i = 0; i < kFrames; ++i) {
    Frame f;
    f.type = kEcho;
    f.request_id = i + 1;
    f.payload = i == 7 ? std::string(300 << 10, 'L') : "frame-" + std::to_string(i);
    expect[f.request_id] = f.payload;
    stream += EncodeFrame(f);
  }
  // Pieces: 1 byte, 3 bytes, 5000 bytes, then the rest in one write.
  std::thread writer([&] {
    size_t off = 0;
    for (size_t piece : {size_t{1}, size_t{3}, size_t{5000}, stream.size()}) {
      size_t n = std::min(piece, stream.size() - off);
      while (n > 0) {
        ssize_t w = ::write(fd, stream.data() + off, n);
        ASSERT_GT(w, 0);
        off += static_cast<size_t>(w);
        n -= static_cast<size_t>(w);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::string in;
  std::map<uint64_t, std::string> got;
  char buf[65536];
  while (got.size() < expect.size()) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    ASSERT_GT(n, 0);
    in.append(buf, static_cast<size_t>(n));
    while (in.size() >= kFrameHeaderSize) {
      auto h = DecodeFrameHeader(std::string_view(in).substr(0, kFrameHeaderSize));
      ASSERT_TRUE(h.ok());
      if (in.size() < kFrameHeaderSize + h->payload_len) break;
      EXPECT_TRUE(got.emplace(h->request_id, in.substr(kFrameHeaderSize, h->payload_len)).second)
          << "answered twice: " << h->request_id;
      in.erase(0, kFrameHeaderSize + h->payload_len);
    }
  }
  writer.join();
  ::close(fd);
  EXPECT_EQ(got, expect);
}

TEST(RpcTest, TimeoutAndRefusedConnection) {
  auto server = StartServer();
  EventLoop loop(1);
  RpcClient client(&loop, "127.0.0.1", server->port());
  EXPECT_EQ(client.CallSync(kSlow, "", 50).status().code(), StatusCode::kTimeout);
  uint16_t dead_port = server->port();
  server->Stop();
  RpcClient dead(&loop, "127.0.0.1", dead_port);
  EXPECT_TRUE(dead.CallSync(kEcho, "", 2000).status().IsUnavailable());
}

TEST(RpcTest, GarbageFromAPeerDropsOnlyThatConnection) {
  auto server = StartServer();
  int fd = ConnectRaw(server->port());
  ASSERT_GE(fd, 0);
  std::string junk(64, 'Z');
  ASSERT_EQ(::write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  char buf[16];
  // The server closes the connection: EOF, or a reset because our junk was left unread.
  ssize_t n = ::read(fd, buf, sizeof(buf));
  EXPECT_TRUE(n == 0 || (n < 0 && errno == ECONNRESET)) << n;
  ::close(fd);
  EventLoop loop(1);
  RpcClient client(&loop, "127.0.0.1", server->port());
  EXPECT_EQ(client.CallSync(kEcho, "still up", 2000).value(), "still up");
}

TEST(RpcTest, ClientReconnectsAfterServerRestart) {
  auto server = StartServer();
  uint16_t port = server->port();
  EventLoop loop(1);
  RpcClient client(&loop, "127.0.0.1", port);
  ASSERT_TRUE(client.CallSync(kEcho, "1", 2000).ok());
  server.reset();
  EXPECT_FALSE(client.CallSync(kEcho, "2", 2000).ok());
  server = StartServer(port);
  EXPECT_EQ(client.CallSync(kEcho, "3", 2000).value(), "3");
}

// A reservation fails on a port something listens on, reserves nothing for port 0, and does
// not stop this process's own listener from taking the port once released.
TEST(PortReservationTest, ReservesFreePortsAndRefusesTakenOnes) {
  auto listening = StartServer();
  ASSERT_NE(listening, nullptr);
  auto taken = PortReservation::Reserve("127.0.0.1", listening->port());
  EXPECT_EQ(taken.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(PortReservation::Reserve("127.0.0.1", 0).ok());
  EXPECT_FALSE(PortReservation::Reserve("no-such-host", 5432).ok());
  const uint16_t port = listening->port();
  listening->Stop();
  listening.reset();
  auto r = PortReservation::Reserve("127.0.0.1", port);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  r->Release();
  auto server = StartServer(port);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->port(), port);
}

TEST(RpcTest, ParseHostPort) {
  std::string h;
  uint16_t p = 0;
  EXPECT_TRUE(ParseHostPort("127.0.0.1:5432", &h, &p).ok());
  EXPECT_EQ(h, "127.0.0.1");
  EXPECT_EQ(p, 5432);
  EXPECT_TRUE(ParseHostPort("[::1]:7", &h, &p).ok());
  EXPECT_EQ(h, "::1");
  EXPECT_FALSE(ParseHostPort("nohost", &h, &p).ok());
  EXPECT_FALSE(ParseHostPort("a:99999", &h, &p).ok());
  EXPECT_FALSE(ParseHostPort("a:0", &h, &p).ok());
  EXPECT_TRUE(ParseHostPort("a:0", &h, &p, true).ok());
}

}  // namespace
}  // namespace nordlys::net
