// VolumeClient against fake storage nodes on virtual time. The fake implements the protocol
// semantics the client relies on (coverage -> SCL, epoch checks and annulment, PgState,
// InstallEpoch, GetPage built with redo::Apply), so each test checks a protocol property:
// 4/6 durability, VDL only at CPLs, LAL back-pressure, fencing, recovery and truncation,
// hedged and SCL-aware reads, growth, epoch-history catch-up.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <queue>
#include <thread>

#include "proto/storage_protocol.h"
#include "redo/apply.h"
#include "volume/volume_client.h"

namespace nordlys::volume {
namespace {

// A single-threaded event queue on virtual time.
class ManualScheduler : public Scheduler {
 public:
  void RunAfter(uint64_t delay_micros, std::function<void()> fn) override {
    q_.push({now_ + delay_micros, seq_++, std::move(fn)});
  }
  uint64_t NowMicros() override { return now_; }

  // Runs events up to now + micros (the retry timer never stops, so "until idle" would not end).
  void RunFor(uint64_t micros) {
    uint64_t end = now_ + micros;
    while (!q_.empty() && q_.top().at <= end) Step();
    now_ = end;
  }
  // Runs until pred() holds or max_micros of virtual time passed; returns pred().
  bool RunUntil(const std::function<bool()>& pred, uint64_t max_micros = 10'000'000) {
    uint64_t end = now_ + max_micros;
    while (!pred() && !q_.empty() && q_.top().at <= end) Step();
    return pred();
  }

 private:
  struct Ev {
    uint64_t at;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Ev& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void Step() {
    Ev e = q_.top();
    q_.pop();
    now_ = e.at;
    e.fn();
  }
  uint64_t now_ = 1;
  uint64_t seq_ = 0;
  std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> q_;
};

// A storage node reduced to the protocol rules the client depends on.
struct FakeNode {
  enum class Mode { kUp, kDown, kDrop };  // kDown: fast Unavailable; kDrop: no answer (Timeout)
  Mode mode = Mode::kUp;
  uint64_t delay_micros = 100;
  Lsn scl_cap = Lsn::Max();  // reports SCLs no higher than this (a lagging disk)
  uint64_t pages_per_pg = 0;
  proto::EpochHistory history;
  Epoch promised;  // as src/storage: a recovering writer's PgState epoch, fencing older ones
  Epoch FenceEpoch() const { return std::max(history.current(), promised); }
  struct Cover {
    Epoch epoch;
    Lsn after, to;
  };
  std::map<uint64_t, std::vector<Cover>> coverage;                     // by PG
  std::map<uint64_t, std::map<Lsn, proto::StoredRecord>> records;      // by PG
  int get_page_calls = 0;  // GetPage requests sent to this node (counted when sent)
  int lose_write_batches = 0;        // the next N WriteBatches are lost (the caller times out)
  std::map<Lsn, int> record_copies;  // how often each record arrived

  Lsn TrueScl(uint64_t pg) const {
    auto it = coverage.find(pg);
    if (it == coverage.end()) return kInvalidLsn;
    std::vector<Cover> c = it->second;
    std::sort(c.begin(), c.end(), [](const Cover& a, const Cover& b) { return a.after < b.after; });
    Lsn cur;
    for (const Cover& x : c) {
      if (x.after <= cur) cur = std::max(cur, x.to);
    }
    return cur;
  }
  Lsn Scl(uint64_t pg) const { return std::min(TrueScl(pg), scl_cap); }

  Status CheckEpoch(Epoch e) const {
    if (e < FenceEpoch()) return Status::Fenced("older epoch");
    if (e > history.current()) {
      return Status::Unavailable(std::string(proto::kEpochHistoryBehind) + ": fake");
    }
    return Status::OK();
  }

  proto::PgStateResponse StateOf(uint64_t pg, Lsn at_or_below) const {
    proto::PgStateResponse r;
    r.node_epoch = FenceEpoch();
    r.scl = Scl(pg);
    r.history = history;
    Lsn limit = std::min(at_or_below, r.scl);
    auto it = records.find(pg);
    if (it != records.end()) {
      if (!it->second.empty()) r.max_lsn = it->second.rbegin()->first;
      for (const auto& [lsn, sr] : it->second) {
        if (lsn > limit) break;
        r.last_lsn_at_or_below = lsn;
        if (sr.record.is_cpl()) r.max_cpl_at_or_below = lsn;
      }
    }
    return r;
  }

  Result<std::string> Handle(uint16_t type, const std::string& payload) {
    switch (type) {
      case proto::kWriteBatch: {
        proto::WriteBatchRequest req;
        NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
        NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch));
        EXPECT_EQ(req.pages_per_pg, pages_per_pg);
        for (const redo::Record& r : req.records) {
          EXPECT_GT(r.lsn, req.covers_after);
          EXPECT_LE(r.lsn, req.covers_to);
          records[r.page.value() / pages_per_pg][r.lsn] = {req.epoch, r};
          ++record_copies[r.lsn];
        }
        proto::WriteBatchResponse resp;
        for (PgId pg : req.pgs) {
          if (req.covers_after < req.covers_to) {
            coverage[pg.value()].push_back({req.epoch, req.covers_after, req.covers_to});
          }
          resp.scls.push_back({pg, Scl(pg.value())});
        }
        return proto::EncodeToString(resp);
      }
      case proto::kPgState: {
        proto::PgStateRequest req;
        NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
        if (req.epoch != Epoch(0)) {  // 0 reads without a promise
          if (req.epoch < FenceEpoch()) return Status::Fenced("older epoch");
          promised = req.epoch;
        }
        return proto::EncodeToString(StateOf(req.pg.value(), req.at_or_below));
      }
      case proto::kInstallEpoch: {
        proto::InstallEpochRequest req;
        NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
        if (req.history.current() < FenceEpoch() || !history.IsPrefixOf(req.history)) {
          return Status::Fenced("incompatible or older history");
        }
        history = req.history;
        for (auto& [pg, recs] : records) {
          std::erase_if(recs, [&](const auto& kv) {
            return history.Annulled(kv.second.epoch, kv.first);
          });
        }
        for (auto& [pg, covers] : coverage) {
          for (Cover& c : covers) {
            for (const proto::EpochEntry& e : history.entries) {
              if (e.epoch > c.epoch) c.to = std::min(c.to, e.vdl);
            }
          }
          std::erase_if(covers, [](const Cover& c) { return c.to <= c.after; });
        }
        return proto::EncodeToString(StateOf(req.pg.value(), Lsn::Max()));
      }
      case proto::kGetPage: {
        proto::GetPageRequest req;
        NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
        NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch));
        if (req.read_lsn > Scl(req.pg.value())) return Status::OutOfRange("above SCL");
        page::Page p;
        for (const auto& [lsn, sr] : records[req.pg.value()]) {
          if (lsn > req.read_lsn) break;
          if (sr.record.page == req.page) NORDLYS_RETURN_IF_ERROR(redo::Apply(sr.record, &p));
        }
        p.Seal();
        proto::GetPageResponse resp;
        resp.page_lsn = p.lsn();
        resp.image.assign(p.bytes.data(), p.bytes.size());
        return proto::EncodeToString(resp);
      }
      case proto::kConfigurePg: {
        proto::ConfigurePgRequest req;
        NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
        NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch));
        EXPECT_EQ(req.members.size(), static_cast<size_t>(kCopies));
        return std::string();
      }
      case proto::kSetHorizon:
        return std::string();
      default:
        return Status::NotSupported("fake: message type");
    }
  }
};

class FakeChannel : public StorageChannel {
 public:
  FakeChannel(ManualScheduler* sched, std::map<NodeId, FakeNode>* nodes)
      : sched_(sched), nodes_(nodes) {}
  // When set, takes every call instead of the scheduler (for tests that answer on threads).
  std::function<void(FakeNode*, uint16_t, std::string, Callback)> intercept;

  void Call(NodeId node, uint16_t type, std::string payload, uint64_t timeout_ms,
            Callback cb) override {
    FakeNode* n = &(*nodes_)[node];
    if (intercept) return intercept(n, type, std::move(payload), std::move(cb));
    if (type == proto::kGetPage) ++n->get_page_calls;
    switch (n->mode) {
      case FakeNode::Mode::kDown:
        sched_->RunAfter(50, [cb] { cb(Status::Unavailable("fake: node down")); });
        break;
      case FakeNode::Mode::kDrop:
        sched_->RunAfter(timeout_ms * 1000, [cb] { cb(Status::Timeout("fake: no answer")); });
        break;
      case FakeNode::Mode::kUp:
        if (type == proto::kWriteBatch && n->lose_write_batches > 0) {
          --n->lose_write_batches;
          sched_->RunAfter(timeout_ms * 1000, [cb] { cb(Status::Timeout("fake: batch lost")); });
          break;
        }
        // The node handles the request when it arrives; the answer comes back at once.
        sched_->RunAfter(n->delay_micros,
                         [n, type, payload = std::move(payload), cb] { cb(n->Handle(type, payload)); });
        break;
    }
  }

 private:
  ManualScheduler* sched_;
  std::map<NodeId, FakeNode>* nodes_;
};

class VolumeClientTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeCluster(/*pages_per_pg=*/1000); }

  void MakeCluster(uint64_t pages_per_pg) {
    std::vector<NodeInfo> infos;
    const char* azs[] = {"a", "a", "b", "b", "c", "c"};
    nodes_.clear();
    for (uint64_t i = 1; i <= 6; ++i) {
      infos.push_back({NodeId(i), azs[i - 1], "127.0.0.1:" + std::to_string(9000 + i)});
      nodes_[NodeId(i)].pages_per_pg = pages_per_pg;
    }
    auto g = Geometry::Make(infos, pages_per_pg);
    ASSERT_TRUE(g.ok());
    geometry_ = std::make_unique<Geometry>(std::move(g).value());
  }

  FakeNode& node(uint64_t id) { return nodes_[NodeId(id)]; }

  VolumeOptions Options() {
    VolumeOptions o;
    o.lsn_allocation_limit = 1000;
    o.request_timeout_ms = 50;
    o.retry_interval_micros = 10'000;
    o.hedge_after_micros = 5'000;
    return o;
  }

  std::unique_ptr<VolumeClient> NewClient(VolumeOptions o) {
    return VolumeClient::Create(*geometry_, &channel_, &sched_, o);
  }
  std::unique_ptr<VolumeClient> NewClient() { return NewClient(Options()); }

  Status Recover(VolumeClient* c) {
    std::optional<Status> st;
    c->Recover([&](Status s) { st = s; });
    sched_.RunUntil([&] { return st.has_value(); });
    return st.value_or(Status::Timeout("recovery never finished"));
  }

  static PendingRecord Write(uint64_t page, std::string_view bytes) {
    return {PageId(page), redo::RecordType::kWriteBytes, redo::WriteBytesPayload(100, bytes)};
  }

  // Waits (virtual time) for VDL >= lsn; returns the waiter's status, or nullopt if it never ran.
  std::optional<Status> Durable(VolumeClient* c, Lsn lsn, uint64_t max_micros = 1'000'000) {
    auto st = std::make_shared<std::optional<Status>>();
    c->WhenDurable(lsn, [st](Status s) { *st = s; });
    sched_.RunUntil([&] { return st->has_value(); }, max_micros);
    return *st;
  }

  // A recovered client whose first (empty) round is durable and whose writes from now on
  // cannot reach a quorum: nodes 3-6 drop them until WaitForSpaceWithQuorumBack.
  // Appends `n` one-record mini-transactions 5 ms apart and waits until the last is durable;
  // returns its LSN.
  Lsn AppendEvery5msUntilDurable(VolumeClient* c, int n) {
    Lsn last;
    for (int i = 0; i < n; ++i) {
      auto cpl = c->AppendMtr({Write(static_cast<uint64_t>(i), "x")});
      EXPECT_TRUE(cpl.ok());
      if (cpl.ok()) last = *cpl;
      sched_.RunFor(5'000);
    }
    auto st = Durable(c, last);
    EXPECT_TRUE(st.has_value() && st->ok());
    return last;
  }

  // Node `id` received `n` records, each exactly once.
  void ExpectEachRecordOnce(uint64_t id, size_t n) {
    ASSERT_EQ(node(id).record_copies.size(), n) << "node " << id;
    for (const auto& [lsn, copies] : node(id).record_copies) {
      EXPECT_EQ(copies, 1) << "node " << id << ", LSN " << lsn.value();
    }
  }

  // A recovered client, with a long timeout, whose quorum needs node 6 (4 and 5 are down),
  // and node 6 loses the next WriteBatch sent to it.
  std::unique_ptr<VolumeClient> ClientWhoseQuorumNeedsALossyNode() {
    VolumeOptions o = Options();
    o.request_timeout_ms = 1000;
    auto c = NewClient(o);
    EXPECT_TRUE(Recover(c.get()).ok());
    sched_.RunFor(10'000);
    for (int i : {4, 5}) node(i).mode = FakeNode::Mode::kDown;
    node(6).lose_write_batches = 1;
    return c;
  }

  std::unique_ptr<VolumeClient> ClientWithoutQuorum(VolumeOptions o) {
    auto c = NewClient(o);
    EXPECT_TRUE(Recover(c.get()).ok());
    sched_.RunFor(10'000);
    for (int i : {3, 4, 5, 6}) node(i).mode = FakeNode::Mode::kDrop;
    return c;
  }

  // Waits on WhenLsnSpace: not answered while the quorum is missing (if `check_waits`), then
  // answered once nodes 3 and 4 are back. Returns its status (nullopt: never answered).
  std::optional<Status> WaitForSpaceWithQuorumBack(VolumeClient* c, bool check_waits) {
    auto space = std::make_shared<std::optional<Status>>();
    c->WhenLsnSpace([space](Status s) { *space = s; });
    if (check_waits) {
      sched_.RunFor(300'000);
      EXPECT_FALSE(space->has_value());
    }
    for (int i : {3, 4}) node(i).mode = FakeNode::Mode::kUp;
    sched_.RunUntil([&] { return space->has_value(); });
    return *space;
  }

  Result<page::Page> Read(VolumeClient* c, uint64_t page, Lsn at, uint64_t max_micros = 2'000'000) {
    std::optional<Result<page::Page>> out;
    c->ReadPage(PageId(page), at, [&](Result<page::Page> r) { out = std::move(r); });
    sched_.RunUntil([&] { return out.has_value(); }, max_micros);
    if (!out) return Status::Timeout("read never finished");
    return *std::move(out);
  }

  static std::string BodyAt100(const page::Page& p, size_t n) {
    return std::string(p.bytes.data() + 100, n);
  }

  ManualScheduler sched_;
  std::map<NodeId, FakeNode> nodes_;
  FakeChannel channel_{&sched_, &nodes_};
  std::unique_ptr<Geometry> geometry_;
};

TEST_F(VolumeClientTest, AppendBeforeRecoveryIsUnavailable) {
  auto c = NewClient();
  auto r = c->AppendMtr({Write(1, "x")});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable());
}

TEST_F(VolumeClientTest, CommitNeedsFourAcksNotThree) {
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  for (int i : {4, 5, 6}) node(i).mode = FakeNode::Mode::kDrop;
  auto cpl = c->AppendMtr({Write(1, "a"), Write(2, "b")});
  ASSERT_TRUE(cpl.ok());
  EXPECT_FALSE(Durable(c.get(), *cpl, 500'000).has_value());  // only 3 of 6 hold it
  EXPECT_LT(c->vdl(), *cpl);
  // A fourth node comes back: the retry tick resends the rounds it missed.
  node(4).mode = FakeNode::Mode::kUp;
  auto st = Durable(c.get(), *cpl);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok());
  EXPECT_GE(c->vdl(), *cpl);
}

// A node that is slow but gets every round must not be sent them twice: the copies would load
// it further exactly when it is behind (a streaming writer once resent more than it sent).
TEST_F(VolumeClientTest, SlowNodeIsNotSentRoundsTwice) {
  VolumeOptions o = Options();
  o.request_timeout_ms = 1000;
  auto c = NewClient(o);
  ASSERT_TRUE(Recover(c.get()).ok());
  // Four nodes eight retry intervals behind (well within the timeout): rounds stay short of
  // their quorum that long, so they are still there to be sent again.
  for (int i : {3, 4, 5, 6}) node(i).delay_micros = 80'000;
  Lsn last = AppendEvery5msUntilDurable(c.get(), 20);
  sched_.RunFor(200'000);
  EXPECT_GE(node(6).Scl(0), last);
  for (int i : {3, 4, 5, 6}) ExpectEachRecordOnce(i, 20);
}

// A node whose SCL is held below every round the writer still has (one joining a PG, being
// rebuilt by its peers) answers every round: they are not sent to it twice.
TEST_F(VolumeClientTest, NodeWithAHoleBelowTheHeldRoundsIsNotSentThemAgain) {
  node(6).scl_cap = Lsn(1);  // from the start: its gap lies below anything the writer holds
  VolumeOptions o = Options();
  o.request_timeout_ms = 1000;
  auto c = NewClient(o);
  ASSERT_TRUE(Recover(c.get()).ok());
  sched_.RunFor(10'000);
  for (int i : {2, 3, 4, 5}) node(i).delay_micros = 80'000;  // rounds wait for their quorum
  AppendEvery5msUntilDurable(c.get(), 20);
  ExpectEachRecordOnce(6, 20);
}

// A lost batch, while later ones arrive, is resent at the next retry tick, long before the lost
// call times out: the node answers rounds past the hole, so nothing it lacks is on its way.
TEST_F(VolumeClientTest, LostBatchIsResentBeforeItTimesOut) {
  auto c = ClientWhoseQuorumNeedsALossyNode();
  Lsn last;
  for (int i = 0; i < 3; ++i) {
    auto cpl = c->AppendMtr({Write(static_cast<uint64_t>(i), "x")});
    ASSERT_TRUE(cpl.ok());
    last = *cpl;
    sched_.RunFor(2'000);
  }
  auto st = Durable(c.get(), last, 100'000);  // a tenth of the timeout
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok());
  EXPECT_GE(node(6).Scl(0), last);
}

// The same hole at a node that is also slower than a retry interval, while the writer keeps
// appending: there is always something in flight to it, so only its answers can show the hole.
TEST_F(VolumeClientTest, LostBatchAtASlowNodeIsResentWhileAppendsGoOn) {
  auto c = ClientWhoseQuorumNeedsALossyNode();
  node(6).delay_micros = 30'000;
  auto first = c->AppendMtr({Write(0, "x")});
  ASSERT_TRUE(first.ok());
  auto durable = std::make_shared<std::optional<Status>>();
  c->WhenDurable(*first, [durable](Status s) { *durable = s; });
  for (int i = 1; i < 100 && !durable->has_value(); ++i) {  // one append every 2 ms
    ASSERT_TRUE(c->AppendMtr({Write(static_cast<uint64_t>(i), "x")}).ok());
    sched_.RunFor(2'000);
  }
  ASSERT_TRUE(durable->has_value()) << "not durable after 200 ms of appends";
  EXPECT_TRUE((*durable)->ok());
}

TEST_F(VolumeClientTest, CommitAckedWithTwoNodesDown) {
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  node(5).mode = FakeNode::Mode::kDown;
  node(6).mode = FakeNode::Mode::kDrop;
  auto cpl = c->AppendMtr({Write(7, "hello")});
  ASSERT_TRUE(cpl.ok());
  auto st = Durable(c.get(), *cpl, 10'000);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok());
}

TEST_F(VolumeClientTest, VdlNeverPassesANonCplRecord) {
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  auto a = c->AppendMtr({Write(1, "a1"), Write(2, "a2")});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(Durable(c.get(), *a).has_value());
  auto b = c->AppendMtr({Write(1, "b1"), Write(2, "b2"), Write(3, "b3")});
  ASSERT_TRUE(b.ok());
  // Every node is complete only up to B's first record: VCL lands inside B.
  Lsn inside(b->value() - 2);
  for (int i = 1; i <= 6; ++i) node(i).scl_cap = inside;
  sched_.RunFor(100'000);
  EXPECT_EQ(c->vcl(), inside);
  EXPECT_EQ(c->vdl(), *a);
  EXPECT_FALSE(Durable(c.get(), *b, 50'000).has_value());
  for (int i = 1; i <= 6; ++i) node(i).scl_cap = Lsn::Max();
  auto st = Durable(c.get(), *b);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(c->vdl(), *b);
}

TEST_F(VolumeClientTest, LsnAllocationLimitBackPressure) {
  VolumeOptions o = Options();
  o.lsn_allocation_limit = 8;
  auto c = ClientWithoutQuorum(o);  // the first (empty) round is durable: VDL = 8
  // LSNs 9..16 fill the space up to VDL (8) + LAL (8).
  ASSERT_TRUE(c->AppendMtr({Write(1, "1"), Write(1, "2"), Write(1, "3"), Write(1, "4")}).ok());
  ASSERT_TRUE(c->AppendMtr({Write(1, "5"), Write(1, "6"), Write(1, "7"), Write(1, "8")}).ok());
  auto r = c->AppendMtr({Write(1, "9")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  auto space = WaitForSpaceWithQuorumBack(c.get(), /*check_waits=*/true);
  ASSERT_TRUE(space.has_value());
  EXPECT_TRUE(space->ok());
  EXPECT_TRUE(c->AppendMtr({Write(1, "9")}).ok());
}

TEST_F(VolumeClientTest, RedoBytesInFlightBackPressure) {
  VolumeOptions o = Options();
  o.redo_in_flight_bytes_max = 10'000;
  auto c = ClientWithoutQuorum(o);
  const std::string kb3(3000, 'x');
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->AppendMtr({Write(1, kb3)}).ok()) << i;
  auto r = c->AppendMtr({Write(1, kb3)});  // LSNs are plenty; bytes are not
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("10000 bytes"), std::string::npos) << r.status().ToString();
  auto space = WaitForSpaceWithQuorumBack(c.get(), /*check_waits=*/true);
  ASSERT_TRUE(space.has_value());
  EXPECT_TRUE(space->ok());
  // With nothing held, one mini-transaction larger than the bound still goes.
  auto big = c->AppendMtr({Write(1, kb3), Write(2, kb3), Write(3, kb3), Write(4, kb3)});
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  auto st = Durable(c.get(), *big);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok());
}

// A mini-transaction refused for space goes before smaller ones that would fit in the space
// it waits for; one that could never fit LAL is refused outright.
TEST_F(VolumeClientTest, LargerRefusedMiniTransactionGoesFirst) {
  VolumeOptions o = Options();
  o.redo_in_flight_bytes_max = 10'000;
  auto c = ClientWithoutQuorum(o);
  const std::string kb3(3000, 'x');
  ASSERT_TRUE(c->AppendMtr({Write(1, kb3)}).ok());
  auto big = c->AppendMtr({Write(1, kb3), Write(2, kb3)});                 // 6 KB more: fits
  auto big2 = c->AppendMtr({Write(1, kb3), Write(2, kb3), Write(3, kb3)});  // 9 KB: refused
  ASSERT_TRUE(big.ok());
  ASSERT_FALSE(big2.ok());
  auto small = c->AppendMtr({Write(4, "tiny")});  // fits the bound, but the larger one waits
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), StatusCode::kResourceExhausted);
  auto space = WaitForSpaceWithQuorumBack(c.get(), /*check_waits=*/false);
  ASSERT_TRUE(space.has_value());
  EXPECT_TRUE(c->AppendMtr({Write(1, kb3), Write(2, kb3), Write(3, kb3)}).ok());
  EXPECT_TRUE(c->AppendMtr({Write(4, "tiny")}).ok());

  std::vector<PendingRecord> too_many;
  for (uint64_t i = 0; i <= o.lsn_allocation_limit; ++i) too_many.push_back(Write(1, "r"));
  auto r = c->AppendMtr(std::move(too_many));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VolumeClientTest, SecondWriterFencesTheFirst) {
  auto a = NewClient();
  ASSERT_TRUE(Recover(a.get()).ok());
  auto c1 = a->AppendMtr({Write(1, "committed")});
  ASSERT_TRUE(c1.ok());
  ASSERT_TRUE(Durable(a.get(), *c1).has_value());

  auto b = NewClient();
  ASSERT_TRUE(Recover(b.get()).ok());
  EXPECT_GT(b->epoch(), a->epoch());
  EXPECT_GE(b->vdl(), *c1);  // the acknowledged commit survives

  int ok_count = 0, fenced_count = 0;
  auto c2 = a->AppendMtr({Write(1, "deposed")});
  ASSERT_TRUE(c2.ok());  // buffered: storage has not refused it yet
  a->WhenDurable(*c2, [&](Status s) {
    if (s.ok()) ++ok_count;
    if (s.IsFenced()) ++fenced_count;
  });
  sched_.RunFor(200'000);
  EXPECT_EQ(ok_count, 0);
  EXPECT_EQ(fenced_count, 1);
  EXPECT_TRUE(a->fenced());
  auto r = a->AppendMtr({Write(1, "again")});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsFenced());
  auto late = Durable(a.get(), *c2);
  ASSERT_TRUE(late.has_value());
  EXPECT_TRUE(late->IsFenced());

  // The new writer's data is what storage holds.
  auto page = Read(b.get(), 1, b->vdl());
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(BodyAt100(*page, 9), "committed");
}

TEST_F(VolumeClientTest, RecoveryFindsVdlAcrossPgsAndTruncatesNonDurableMtr) {
  MakeCluster(/*pages_per_pg=*/100);
  VolumeOptions o = Options();
  o.initial_pgs = 2;
  auto a = NewClient(o);
  ASSERT_TRUE(Recover(a.get()).ok());
  auto m1 = a->AppendMtr({Write(1, "m1-pg0"), Write(101, "m1-pg1")});
  ASSERT_TRUE(m1.ok());
  auto m1b = a->AppendMtr({Write(102, "m1b")});  // PG 1 only: the VDL is found there
  ASSERT_TRUE(m1b.ok());
  ASSERT_TRUE(Durable(a.get(), *m1b).has_value());

  for (int i : {1, 2, 3}) node(i).mode = FakeNode::Mode::kDrop;
  auto m2 = a->AppendMtr({Write(1, "m2-pg0"), Write(101, "m2-pg1")});
  ASSERT_TRUE(m2.ok());
  sched_.RunFor(50'000);
  EXPECT_LT(a->vdl(), *m2);  // on 3 of 6: not durable
  ASSERT_FALSE(node(4).records[0].empty());
  ASSERT_EQ(node(4).records[0].rbegin()->first.value(), m2->value() - 1);
  a.reset();  // the writer crashes

  // The nodes holding M2 answer slowly, so the recovery's read quorum is the three without it.
  for (int i : {1, 2, 3}) {
    node(i).mode = FakeNode::Mode::kUp;
    node(i).delay_micros = 100;
  }
  for (int i : {4, 5, 6}) node(i).delay_micros = 20'000;
  auto b = NewClient(o);
  ASSERT_TRUE(Recover(b.get()).ok());
  // The recovered VDL is M1b's CPL (found in PG 1 only); it is what the new epoch installs.
  for (int i : {1, 2, 3}) {
    ASSERT_EQ(node(i).history.entries.size(), 2u);
    EXPECT_EQ(node(i).history.entries.back().vdl, *m1b);
  }
  EXPECT_GT(b->vdl(), *m2);  // then the first round's end
  sched_.RunFor(100'000);  // the install reaches the slow nodes too
  for (int i : {4, 5, 6}) {
    for (const auto& [pg, recs] : node(i).records) {
      for (const auto& [lsn, sr] : recs) EXPECT_LE(lsn, *m1b) << "node " << i << " kept M2";
    }
  }
  auto p = Read(b.get(), 1, b->vdl());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(BodyAt100(*p, 6), "m1-pg0");
  auto next = b->AppendMtr({Write(1, "after")});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(*next, *m2);  // no LSN of the old writer is reused
  EXPECT_TRUE(Durable(b.get(), *next).has_value());
}

TEST_F(VolumeClientTest, HedgedReadAsksASecondNodeWhenTheFirstIsSlow) {
  auto c = NewClient();
  node(1).delay_micros = 20;  // the fastest responder while writing
  ASSERT_TRUE(Recover(c.get()).ok());
  auto cpl = c->AppendMtr({Write(5, "hedge")});
  ASSERT_TRUE(cpl.ok());
  ASSERT_TRUE(Durable(c.get(), *cpl).has_value());
  sched_.RunFor(50'000);

  node(1).delay_micros = 1'000'000;  // now its disk stalls
  uint64_t start = sched_.NowMicros();
  auto p = Read(c.get(), 5, c->vdl());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(BodyAt100(*p, 5), "hedge");
  EXPECT_LT(sched_.NowMicros() - start, 10'000u);  // hedge_after (5 ms) + one fast answer
  EXPECT_EQ(node(1).get_page_calls, 1);            // it was asked first
}

TEST_F(VolumeClientTest, ReadsOnlyFromAMemberWhoseSclCoversTheReadPoint) {
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  for (int i : {1, 2}) {
    node(i).scl_cap = Lsn(1);   // lagging: never complete past LSN 1
    node(i).delay_micros = 10;  // but the fastest to answer
  }
  auto cpl = c->AppendMtr({Write(9, "covered")});
  ASSERT_TRUE(cpl.ok());
  ASSERT_TRUE(Durable(c.get(), *cpl).has_value());
  for (int k = 0; k < 5; ++k) {
    auto p = Read(c.get(), 9, c->vdl());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(BodyAt100(*p, 7), "covered");
  }
  EXPECT_EQ(node(1).get_page_calls, 0);
  EXPECT_EQ(node(2).get_page_calls, 0);
}

TEST_F(VolumeClientTest, UnwrittenPageReadsEmpty) {
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  sched_.RunFor(10'000);
  auto p = Read(c.get(), 42, c->vdl());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->IsEmpty());
}

TEST_F(VolumeClientTest, WritingPastTheLastPgGrowsTheVolume) {
  MakeCluster(/*pages_per_pg=*/10);
  auto a = NewClient();
  ASSERT_TRUE(Recover(a.get()).ok());
  auto first = a->AppendMtr({Write(1, "pg0")});
  ASSERT_TRUE(first.ok());
  auto r = a->AppendMtr({Write(25, "pg2")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  std::optional<Status> space;
  a->WhenLsnSpace([&](Status s) { space = s; });
  ASSERT_TRUE(sched_.RunUntil([&] { return space.has_value(); }));
  auto cpl = a->AppendMtr({Write(25, "pg2")});
  ASSERT_TRUE(cpl.ok()) << cpl.status().ToString();
  ASSERT_TRUE(Durable(a.get(), *cpl).has_value());
  auto p = Read(a.get(), 25, a->vdl());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(BodyAt100(*p, 3), "pg2");
  a.reset();

  // A new writer discovers the three PGs: writing to PG 2 needs no growth.
  auto b = NewClient();
  ASSERT_TRUE(Recover(b.get()).ok());
  EXPECT_GE(b->vdl(), *cpl);
  EXPECT_TRUE(b->AppendMtr({Write(25, "again")}).ok());
}

TEST_F(VolumeClientTest, NodeThatMissedRecoveryLearnsTheHistoryAndCatchesUp) {
  node(6).mode = FakeNode::Mode::kDrop;
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  EXPECT_TRUE(node(6).history.entries.empty());
  // Node 6 comes back and two others fail: the commit now needs node 6, which first refuses
  // the new epoch (kEpochHistoryBehind), gets InstallEpoch, then the rounds again.
  node(6).mode = FakeNode::Mode::kUp;
  for (int i : {4, 5}) node(i).mode = FakeNode::Mode::kDrop;
  auto cpl = c->AppendMtr({Write(3, "late")});
  ASSERT_TRUE(cpl.ok());
  ASSERT_TRUE(sched_.RunUntil([&] { return node(6).history == node(1).history; }, 200'000));
  // The rounds before its catch-up were freed (durable elsewhere): storage gossip fills that
  // hole; the fake's stand-in copies a peer's coverage. The client's status polls see the SCL.
  node(6).coverage[0] = node(1).coverage[0];
  node(6).records[0] = node(1).records[0];
  auto st = Durable(c.get(), *cpl);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok());
  EXPECT_EQ(node(6).records[0].count(*cpl), 1u);
  EXPECT_EQ(node(6).history.current(), c->epoch());
}

// An answer delivered on another thread (as an event loop does) runs the client's code while the
// owner destroys the client; the owner then destroys the channel and scheduler. The destructor
// must wait for that callback, or it would run on freed objects.
TEST_F(VolumeClientTest, DestroyWaitsForACallbackRunningOnAnotherThread) {
  auto c = NewClient();
  ASSERT_TRUE(Recover(c.get()).ok());
  std::function<void()> answer;
  channel_.intercept = [&](FakeNode* n, uint16_t type, std::string payload,
                           StorageChannel::Callback cb) {
    if (answer) return;  // a hedge: the first request is the one answered
    answer = [n, type, payload = std::move(payload), cb = std::move(cb)] {
      cb(n->Handle(type, payload));
    };
  };
  std::atomic<bool> in_callback{false};
  std::atomic<bool> destroying{false};
  std::atomic<bool> callback_done{false};
  c->ReadPage(PageId(1), c->vdl(), [&](Result<page::Page>) {
    in_callback = true;
    while (!destroying) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    callback_done = true;
  });
  ASSERT_TRUE(answer) << "the read sent nothing";
  std::thread loop_thread(answer);
  while (!in_callback) std::this_thread::yield();
  destroying = true;
  c.reset();
  EXPECT_TRUE(callback_done) << "the client was destroyed while its callback still ran";
  loop_thread.join();
}

}  // namespace
}  // namespace nordlys::volume
