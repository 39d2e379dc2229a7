// Real storage-node processes: start, ping over RPC, kill -9, restart on the same directory and
// port, and refuse a directory that belongs to another node.
#include <gtest/gtest.h>

#include "harness.h"
#include "net/frame.h"
#include "net/rpc.h"

namespace nordlys::testing {
namespace {

Result<std::string> Ping(net::EventLoop* loop, const std::string& address) {
  std::string host;
  uint16_t port = 0;
  NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(address, &host, &port));
  net::RpcClient c(loop, host, port);
  return c.CallSync(net::kMsgPing, "hi", 2000);
}

TEST(StorageProcessTest, StartPingKillRestart) {
  Harness h;
  auto a = h.StartStorage("storage-a1", "az-a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = h.StartStorage("storage-b1", "az-b");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE((*a)->address, (*b)->address);

  net::EventLoop loop(1);
  EXPECT_EQ(Ping(&loop, (*a)->address).value(), "hi");
  EXPECT_EQ(Ping(&loop, (*b)->address).value(), "hi");

  h.Kill9(*a);
  EXPECT_TRUE(Ping(&loop, (*a)->address).status().IsUnavailable());
  EXPECT_EQ(Ping(&loop, (*b)->address).value(), "hi");  // the other node is unaffected

  ASSERT_TRUE(h.Restart(*a).ok());
  EXPECT_EQ(Ping(&loop, (*a)->address).value(), "hi");
}

TEST(StorageProcessTest, RefusesAnotherNodesDirectory) {
  Harness h;
  auto a = h.StartStorage("n1", "az-a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  h.Kill9(*a);
  // Same data directory, different AZ: the node must refuse rather than serve wrong segments.
  auto wrong = h.Start("n1-wrong", {"storage", "--data-dir", h.dir() + "/n1", "--az", "az-b"},
                       5000);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("belongs to another node"), std::string::npos)
      << wrong.status().ToString();
}

}  // namespace
}  // namespace nordlys::testing
