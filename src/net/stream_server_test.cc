// StreamServer over real loopback sockets: echo, split reads, writes from other threads,
// backpressure, the connection limit, stop with live connections, and direct reads while
// delivery is paused.
#include "net/stream_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace nordlys::net {
namespace {

int Dial(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Reads exactly n bytes, or fewer if the peer closes.
std::string ReadN(int fd, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    ssize_t r = read(fd, buf, std::min(sizeof(buf), n - out.size()));
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

void WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t w = write(fd, s.data(), s.size());
    ASSERT_GT(w, 0);
    s.remove_prefix(static_cast<size_t>(w));
  }
}

// Echoes every byte, upper-cased, from a separate thread (writes are thread-safe); "q" closes.
class EchoHandler : public StreamHandler {
 public:
  EchoHandler(std::shared_ptr<StreamConnection> c, std::atomic<int>* closes)
      : conn_(std::move(c)), closes_(closes) {}
  Next OnData(std::string_view bytes) override {
    std::string s(bytes);
    for (char& ch : s) {
      if (ch == 'q') {
        (void)conn_->Write("bye");
        conn_->Close();
        return Next::kRead;
      }
      ch = static_cast<char>(toupper(ch));
    }
    EXPECT_TRUE(conn_->Write(std::move(s)).ok());
    return Next::kRead;
  }
  void OnClose(const Status&) override { closes_->fetch_add(1); }

 private:
  std::shared_ptr<StreamConnection> conn_;
  std::atomic<int>* closes_;
};

class RefuseHandler : public StreamHandler {
 public:
  Next OnData(std::string_view) override { return Next::kRead; }
  void OnClose(const Status&) override {}
};

std::unique_ptr<StreamServer> StartEcho(std::atomic<int>* closes, size_t max_conns = 64) {
  StreamServer::Options o;
  o.max_connections = max_conns;
  o.max_over_limit_connections = 2;
  o.read_chunk_bytes = 7;  // tiny: the stream arrives in many pieces
  auto s = StreamServer::Start(
      o, [closes](std::shared_ptr<StreamConnection> c,
                  const StreamServer::AcceptInfo& info) -> std::unique_ptr<StreamHandler> {
        if (info.over_limit) {
          (void)c->Write("full");
          c->Close();
          return std::make_unique<RefuseHandler>();
        }
        return std::make_unique<EchoHandler>(std::move(c), closes);
      });
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(StreamServerTest, EchoesInOrderAcrossSplitReads) {
  std::atomic<int> closes{0};
  auto server = StartEcho(&closes);
  int fd = Dial(server->port());
  ASSERT_GE(fd, 0);
  std::string msg;
  for (int i = 0; i < 1000; ++i) msg += "abcdefghij"[i % 10];
  WriteAll(fd, msg);
  std::string got = ReadN(fd, msg.size());
  std::string want = msg;
  for (char& ch : want) ch = static_cast<char>(toupper(ch));
  EXPECT_EQ(got, want);
  WriteAll(fd, "q");
  EXPECT_EQ(ReadN(fd, 3), "bye");
  EXPECT_EQ(ReadN(fd, 1), "");  // then the server closed
  close(fd);
  for (int i = 0; i < 200 && closes.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(closes.load(), 1);
}

TEST(StreamServerTest, OverLimitConnectionsAreToldAndClosed) {
  std::atomic<int> closes{0};
  auto server = StartEcho(&closes, /*max_conns=*/2);
  int a = Dial(server->port());
  int b = Dial(server->port());
  WriteAll(a, "x");
  WriteAll(b, "y");
  EXPECT_EQ(ReadN(a, 1), "X");
  EXPECT_EQ(ReadN(b, 1), "Y");
  int c = Dial(server->port());
  ASSERT_GE(c, 0);
  EXPECT_EQ(ReadN(c, 4), "full");
  EXPECT_EQ(ReadN(c, 1), "");
  close(c);
  close(a);
  // A slot freed: a new connection is served again.
  int d = -1;
  for (int i = 0; i < 200; ++i) {
    if (server->connection_count() < 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  d = Dial(server->port());
  WriteAll(d, "z");
  EXPECT_EQ(ReadN(d, 1), "Z");
  close(b);
  close(d);
}

TEST(StreamServerTest, PeerThatDoesNotReadIsDroppedAtTheWriteBound) {
  StreamServer::Options o;
  o.max_pending_write_bytes = 1 << 20;
  std::shared_ptr<StreamConnection> conn;
  std::mutex mu;
  auto s = StreamServer::Start(o, [&](std::shared_ptr<StreamConnection> c,
                                      const StreamServer::AcceptInfo&) {
    std::lock_guard<std::mutex> lock(mu);
    conn = c;
    return std::make_unique<RefuseHandler>();
  });
  ASSERT_TRUE(s.ok());
  int fd = Dial((*s)->port());
  std::shared_ptr<StreamConnection> c;
  for (int i = 0; i < 200 && !c; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard<std::mutex> lock(mu);
    c = conn;
  }
  ASSERT_TRUE(c);
  Status st;
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 10000 && st.ok(); ++i) st = c->Write(chunk);  // never read by the peer
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(c->closed());
  EXPECT_FALSE(c->Write("late").ok());
  EXPECT_FALSE(c->WaitWritable(0, 10));
  close(fd);
}

TEST(StreamServerTest, StopClosesLiveConnectionsAndOutlivingHandlesAreSafe) {
  std::atomic<int> closes{0};
  std::shared_ptr<StreamConnection> kept;
  std::mutex mu;
  StreamServer::Options o;
  auto s = StreamServer::Start(o, [&](std::shared_ptr<StreamConnection> c,
                                      const StreamServer::AcceptInfo&) {
    std::lock_guard<std::mutex> lock(mu);
    kept = c;
    return std::make_unique<EchoHandler>(c, &closes);
  });
  ASSERT_TRUE(s.ok());
  int fd = Dial((*s)->port());
  WriteAll(fd, "a");
  EXPECT_EQ(ReadN(fd, 1), "A");
  (*s)->Stop();
  EXPECT_EQ(closes.load(), 1);
  EXPECT_EQ(ReadN(fd, 1), "");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(kept->Write("after stop").ok());  // no crash: the loop is gone
  close(fd);
}

// Records what OnData delivers and pauses after each chunk, so the test thread can read the
// socket itself the way a pgwire worker does.
struct PausingProbe {
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<StreamConnection> conn;
  std::string delivered;
  int closes = 0;

  bool WaitDelivered(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return delivered.size() >= n; });
  }
};

class PausingHandler : public StreamHandler {
 public:
  explicit PausingHandler(PausingProbe* p) : p_(p) {}
  Next OnData(std::string_view bytes) override {
    std::lock_guard<std::mutex> lock(p_->mu);
    p_->delivered.append(bytes);
    p_->cv.notify_all();
    return Next::kPause;
  }
  void OnClose(const Status&) override {
    std::lock_guard<std::mutex> lock(p_->mu);
    p_->closes++;
  }

 private:
  PausingProbe* p_;
};

std::unique_ptr<StreamServer> StartPausing(PausingProbe* probe) {
  auto s = StreamServer::Start(StreamServer::Options{},
                               [probe](std::shared_ptr<StreamConnection> c,
                                       const StreamServer::AcceptInfo&) {
                                 std::lock_guard<std::mutex> lock(probe->mu);
                                 probe->conn = c;
                                 return std::make_unique<PausingHandler>(probe);
                               });
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

std::string ReadDirectN(StreamConnection* c, size_t n) {
  std::string out;
  char buf[64];
  while (out.size() < n) {
    auto r = c->ReadDirect(buf, sizeof(buf), 5000, -1);
    if (!r.ok() || *r == 0) break;
    out.append(buf, *r);
  }
  return out;
}

TEST(StreamServerTest, PausedConnectionIsReadDirectlyUntilReadingResumes) {
  PausingProbe probe;
  auto server = StartPausing(&probe);
  int fd = Dial(server->port());
  ASSERT_GE(fd, 0);
  WriteAll(fd, "hello");
  ASSERT_TRUE(probe.WaitDelivered(5));
  StreamConnection* c = probe.conn.get();

  // Paused: the next bytes are not delivered; the caller reads them itself.
  WriteAll(fd, "world");
  EXPECT_EQ(ReadDirectN(c, 5), "world");
  char buf[16];
  auto none = c->ReadDirect(buf, sizeof(buf), 0, -1);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  none = c->ReadDirect(buf, sizeof(buf), 20, -1);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);

  // A readable wake descriptor ends an unbounded wait with nothing read.
  int wake = eventfd(1, EFD_CLOEXEC);
  ASSERT_GE(wake, 0);
  none = c->ReadDirect(buf, sizeof(buf), -1, wake);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  close(wake);

  // Handed back: delivery starts again, including bytes that arrived while nobody read.
  WriteAll(fd, "again");
  c->ResumeReading();
  ASSERT_TRUE(probe.WaitDelivered(10));
  {
    std::lock_guard<std::mutex> lock(probe.mu);
    EXPECT_EQ(probe.delivered, "helloagain");
  }
  // Replies written meanwhile reach the client.
  ASSERT_TRUE(c->Write("ok").ok());
  EXPECT_EQ(ReadN(fd, 2), "ok");

  // The peer hanging up ends a direct read with Unavailable.
  close(fd);
  auto gone = c->ReadDirect(buf, sizeof(buf), 5000, -1);
  EXPECT_FALSE(gone.ok());
}

TEST(StreamServerTest, StopWakesADirectReaderAndClosesTheConnection) {
  PausingProbe probe;
  auto server = StartPausing(&probe);
  int fd = Dial(server->port());
  ASSERT_GE(fd, 0);
  WriteAll(fd, "x");
  ASSERT_TRUE(probe.WaitDelivered(1));
  std::shared_ptr<StreamConnection> c = probe.conn;
  auto reader = std::async(std::launch::async, [c] {
    char buf[16];
    return c->ReadDirect(buf, sizeof(buf), -1, -1).status();  // would wait forever
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it block in poll
  server->Stop();
  Status s = reader.get();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(ReadN(fd, 1), "");  // the client sees the close
  {
    std::lock_guard<std::mutex> lock(probe.mu);
    EXPECT_EQ(probe.closes, 1);
  }
  char buf[4];
  EXPECT_FALSE(c->ReadDirect(buf, sizeof(buf), 0, -1).ok());
  close(fd);
}

}  // namespace
}  // namespace nordlys::net
