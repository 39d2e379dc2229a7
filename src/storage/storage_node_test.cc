// StorageNode over real loopback RPC: group-committed WriteBatch, GetPage, garbage payloads,
// NodeStats, and background gossip filling a hole from a peer.
#include "storage/storage_node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "proto/storage_protocol.h"

namespace nordlys::storage {
namespace {

redo::Record Rec(uint64_t lsn, uint64_t page) {
  return redo::Record{Lsn(lsn), Lsn(lsn - 1), PageId(page), redo::RecordType::kWriteBytes,
                      redo::kFlagCpl, redo::WriteBytesPayload(40, "x" + std::to_string(lsn))};
}

class NodeUnderTest {
 public:
  NodeUnderTest(const std::string& dir, uint64_t id) {
    StorageNodeOptions o;
    o.data_dir = dir;
    o.az = "az-a";
    o.node_id = NodeId(id);
    o.background_interval_ms = 10;
    auto n = StorageNode::Open(Env::Default(), o);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    node = std::move(n).value();
    EXPECT_TRUE(node->Start().ok());
    std::string host;
    uint16_t port = 0;
    EXPECT_TRUE(net::ParseHostPort(node->address(), &host, &port).ok());
    client = std::make_unique<net::RpcClient>(&loop, host, port);
  }
  template <typename Req>
  Result<std::string> Call(uint16_t type, const Req& r) {
    return client->CallSync(type, proto::EncodeToString(r), 5000);
  }
  Lsn Scl() {
    auto raw = Call(proto::kPgState, proto::PgStateRequest{Epoch(1), PgId(0), Lsn::Max()});
    proto::PgStateResponse st;
    EXPECT_TRUE(raw.ok() && proto::Decode(*raw, &st).ok());
    return st.scl;
  }

  net::EventLoop loop{1};
  std::unique_ptr<StorageNode> node;
  std::unique_ptr<net::RpcClient> client;
};

TEST(StorageNodeTest, ServesProtocolAndGossipsHolesFromPeers) {
  std::string root = std::filesystem::temp_directory_path() /
                     ("nordlys-storage-node-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  {
    NodeUnderTest a(root + "/a", 1), b(root + "/b", 2);
    proto::InstallEpochRequest ie;
    ie.history.entries = {{Epoch(1), Lsn(0)}};
    ie.pg = PgId(0);
    ASSERT_TRUE(a.Call(proto::kInstallEpoch, ie).ok());
    ASSERT_TRUE(b.Call(proto::kInstallEpoch, ie).ok());
    auto batch = [](uint64_t after, uint64_t to) {
      proto::WriteBatchRequest w{Epoch(1), Lsn(after), Lsn(to), {PgId(0)}, {}, 16};
      for (uint64_t l = after + 1; l <= to; ++l) w.records.push_back(Rec(l, l % 4));
      return w;
    };
    for (auto [after, to] : {std::pair{0, 10}, {10, 20}, {20, 30}}) {
      auto raw = b.Call(proto::kWriteBatch, batch(after, to));
      ASSERT_TRUE(raw.ok()) << raw.status().ToString();
      proto::WriteBatchResponse resp;
      ASSERT_TRUE(proto::Decode(*raw, &resp).ok());
      ASSERT_EQ(resp.scls.size(), 1u);
      EXPECT_EQ(resp.scls[0].scl, Lsn(to));  // answered only once durable
    }
    ASSERT_TRUE(a.Call(proto::kWriteBatch, batch(0, 10)).ok());
    ASSERT_TRUE(a.Call(proto::kWriteBatch, batch(20, 30)).ok());
    EXPECT_EQ(a.Scl(), Lsn(10));

    // Garbage is refused with an error; the node keeps serving.
    EXPECT_FALSE(a.client->CallSync(proto::kWriteBatch, "\x01garbage", 5000).ok());
    EXPECT_FALSE(a.client->CallSync(proto::kGetPage, "", 5000).ok());
    EXPECT_FALSE(a.client->CallSync(999, "", 5000).ok());

    proto::ConfigurePgRequest cfg{Epoch(1), PgId(0), {}, 16};
    cfg.members = {{NodeId(1), a.node->address()}, {NodeId(2), b.node->address()}};
    ASSERT_TRUE(a.Call(proto::kConfigurePg, cfg).ok());
    for (int i = 0; i < 500 && a.Scl() < Lsn(30); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(a.Scl(), Lsn(30));

    auto pa = a.Call(proto::kGetPage, proto::GetPageRequest{Epoch(1), PgId(0), PageId(2), Lsn(30)});
    auto pb = b.Call(proto::kGetPage, proto::GetPageRequest{Epoch(1), PgId(0), PageId(2), Lsn(30)});
    ASSERT_TRUE(pa.ok() && pb.ok());
    EXPECT_EQ(*pa, *pb);
    auto above = a.Call(proto::kGetPage, proto::GetPageRequest{Epoch(1), PgId(0), PageId(2), Lsn(31)});
    EXPECT_EQ(above.status().code(), StatusCode::kOutOfRange);

    auto raw = a.client->CallSync(proto::kNodeStats, "", 5000);
    ASSERT_TRUE(raw.ok());
    proto::NodeStatsResponse stats;
    ASSERT_TRUE(proto::Decode(*raw, &stats).ok());
    EXPECT_GE(stats.records_repaired, 10u);
    EXPECT_EQ(stats.segments, 1u);
    a.node->Stop();
    b.node->Stop();
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace nordlys::storage
