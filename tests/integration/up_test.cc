// `nordlys up` starts six storage nodes in three AZs, reports them, and stops them all on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.h"
#include "net/frame.h"
#include "net/rpc.h"

namespace nordlys::testing {
namespace {

TEST(UpTest, StartsSixStorageNodesAndStopsThemAll) {
  Harness h;
  Subprocess up;
  std::string log = h.dir() + "/up.log";
  ASSERT_TRUE(up.Start({Harness::Binary(), "up", "--data-dir", h.dir() + "/data", "--base-port",
                        "0"},
                       log)
                  .ok());
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (out.find("Press Ctrl-C") == std::string::npos) {
    ASSERT_TRUE(up.running()) << TailOfFile(log, 50);
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << TailOfFile(log, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    out = TailOfFile(log, 100);
  }
  std::regex node_re(R"((storage-[abc][12])\s+(az-[abc])\s+(127\.0\.0\.1:\d+))");
  std::vector<std::string> addrs;
  for (std::sregex_iterator it(out.begin(), out.end(), node_re), end; it != end; ++it) {
    addrs.push_back((*it)[3]);
  }
  ASSERT_EQ(addrs.size(), 6u) << out;
  EXPECT_NE(out.find("Not built yet"), std::string::npos) << out;

  net::EventLoop loop(1);
  for (const auto& a : addrs) {
    std::string host;
    uint16_t port = 0;
    ASSERT_TRUE(net::ParseHostPort(a, &host, &port).ok());
    net::RpcClient c(&loop, host, port);
    EXPECT_TRUE(c.CallSync(net::kMsgPing, "x", 2000).ok()) << a;
  }

  ASSERT_TRUE(up.Signal(SIGTERM).ok());
  auto rc = up.Wait(15000);
  ASSERT_TRUE(rc.ok()) << "nordlys up did not stop";
  EXPECT_EQ(*rc, 0) << TailOfFile(log, 30);
  // Every storage node went down with it.
  for (const auto& a : addrs) {
    std::string host;
    uint16_t port = 0;
    ASSERT_TRUE(net::ParseHostPort(a, &host, &port).ok());
    net::RpcClient c(&loop, host, port);
    EXPECT_TRUE(c.CallSync(net::kMsgPing, "x", 2000).status().IsUnavailable()) << a;
  }
}

}  // namespace
}  // namespace nordlys::testing
