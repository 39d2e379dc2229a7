// Six real storage-node processes (2 per AZ) on loopback and a writer (VolumeClient over RPC)
// in this process, under continuous writes:
//   - kill -9 both nodes of one AZ: writes continue, nothing acknowledged is lost;
//   - kill a third: writes stall (no acknowledgement without 4 of 6), durable data stays readable;
//   - restart them: writes resume;
//   - flip bytes in a node's log: scrub finds it and the node repairs from its peers;
//   - wipe a node's directory: it is rebuilt from its peers; again after the writer set a GC
//     horizon and every node collected garbage: then from the page images its peers ship;
//   - (second test) kill -9 a node for good, start a 7th storage process and replace the dead
//     node with it through the two-step membership change while writes go on; then lose a node
//     of another AZ: writes continue, and a new writer learns the membership from storage;
//   - finally a new writer recovers the volume and every acknowledged commit reads back right.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "common/env.h"
#include "harness.h"
#include "net/rpc.h"
#include "page/page.h"
#include "proto/storage_protocol.h"
#include "redo/apply.h"
#include "volume/rpc_channel.h"
#include "volume/volume_client.h"

namespace nordlys::testing {
namespace {

constexpr uint64_t kPages = 64;
// Few records reach each page here; GC reclaims only below an image, so images must be made.
constexpr char kRecordsPerImage[] = "32";
constexpr uint64_t kPagesPerPg = 16;
constexpr int kCommitters = 16;

struct Mtr {
  std::vector<std::pair<PageId, std::string>> payloads;  // page, WriteBytes payload
  Lsn first;
  Lsn cpl;
  bool acked = false;
};

// Keeps kCommitters mini-transactions in flight and records what was acknowledged.
class Workload {
 public:
  explicit Workload(volume::VolumeClient* client) : client_(client), rng_(42) {}

  void Start() {
    running_ = true;
    for (int i = 0; i < kCommitters; ++i) Issue();
  }
  void Stop() { running_ = false; }

  uint64_t acked() const { return acked_.load(); }

  // Blocks until `n` more commits are acknowledged or `timeout_ms` passes.
  bool WaitForAcks(uint64_t n, uint64_t timeout_ms) {
    uint64_t target = acked_.load() + n;
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return acked_.load() >= target; });
  }

  // Pages as of `vdl`, built from every MTR with CPL <= vdl (a single writer: nothing annulled).
  std::map<uint64_t, page::Page> Model(Lsn vdl, uint64_t* acked_above_vdl) {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<uint64_t, page::Page> pages;
    *acked_above_vdl = 0;
    for (auto& [cpl, m] : mtrs_) {
      if (m.cpl > vdl) {
        if (m.acked) ++*acked_above_vdl;
        continue;
      }
      uint64_t lsn = m.first.value();
      for (auto& [page, payload] : m.payloads) {
        redo::Record r{Lsn(lsn++), Lsn(0), page, redo::RecordType::kWriteBytes, 0, payload};
        EXPECT_TRUE(redo::Apply(r, &pages[page.value()]).ok());
      }
    }
    return pages;
  }

 private:
  void Issue() {
    if (!running_) return;
    std::vector<volume::PendingRecord> recs;
    Mtr m;
    {
      std::lock_guard<std::mutex> lock(mu_);
      int n = 1 + static_cast<int>(rng_.Uniform(3));
      for (int i = 0; i < n; ++i) {
        PageId page(rng_.Uniform(kPages));
        uint16_t off = static_cast<uint16_t>(page::kPageHeaderSize + 16 * rng_.Uniform(64));
        std::string payload = redo::WriteBytesPayload(off, fmt::format("{:016x}", rng_.Next()));
        recs.push_back({page, redo::RecordType::kWriteBytes, payload});
        m.payloads.emplace_back(page, payload);
      }
    }
    size_t n = recs.size();
    auto cpl = client_->AppendMtr(std::move(recs));
    if (!cpl.ok()) {
      if (cpl.status().code() == StatusCode::kResourceExhausted) {
        client_->WhenLsnSpace([this](Status s) {
          if (s.ok()) Issue();
        });
      }
      return;
    }
    m.cpl = *cpl;
    m.first = Lsn(cpl->value() - n + 1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      mtrs_[cpl->value()] = std::move(m);
    }
    uint64_t key = cpl->value();
    client_->WhenDurable(*cpl, [this, key](Status s) {
      if (!s.ok()) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        mtrs_[key].acked = true;
        acked_++;
      }
      cv_.notify_all();
      Issue();
    });
  }

  volume::VolumeClient* client_;
  std::mutex mu_;
  std::condition_variable cv_;
  Random rng_;                    // GUARDED_BY(mu_)
  std::map<uint64_t, Mtr> mtrs_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> acked_{0};
  std::atomic<bool> running_{false};
};

class StorageClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* names[] = {"a1", "a2", "b1", "b2", "c1", "c2"};
    std::vector<volume::NodeInfo> infos;
    for (int i = 0; i < 6; ++i) {
      std::string name = names[i];
      std::string az = std::string("az-") + name[0];
      auto p = h_.Start(name, {"storage", "--data-dir", h_.dir() + "/" + name, "--az", az,
                               "--node-id", std::to_string(i + 1),
                               "--records-per-image", kRecordsPerImage});
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      procs_.push_back(*p);
      infos.push_back({NodeId(i + 1), az, (*p)->address});
    }
    auto g = volume::Geometry::Make(infos, kPagesPerPg);
    ASSERT_TRUE(g.ok());
    geometry_ = std::make_unique<volume::Geometry>(std::move(g).value());
  }

  std::unique_ptr<volume::VolumeClient> NewWriter(Status* recovered) {
    auto c = volume::VolumeClient::Create(*geometry_, channel_.get(), scheduler_.get(),
                                          volume::VolumeOptions{});
    std::promise<Status> p;
    c->Recover([&p](Status s) { p.set_value(s); });
    *recovered = p.get_future().get();
    return c;
  }

  Result<page::Page> Read(volume::VolumeClient* c, PageId page, Lsn at) {
    std::promise<Result<page::Page>> p;
    c->ReadPage(page, at, [&p](Result<page::Page> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  // Direct GetPage at one node, bypassing the client's choice of member.
  Result<page::Page> ReadAt(Harness::Proc* proc, Epoch epoch, PageId page, Lsn at) {
    std::string host;
    uint16_t port = 0;
    NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(proc->address, &host, &port));
    net::RpcClient rpc(loop_.get(), host, port);
    proto::GetPageRequest req{epoch, PgId(page.value() / kPagesPerPg), page, at};
    NORDLYS_ASSIGN_OR_RETURN(std::string raw,
                             rpc.CallSync(proto::kGetPage, proto::EncodeToString(req), 3000));
    proto::GetPageResponse resp;
    NORDLYS_RETURN_IF_ERROR(proto::Decode(raw, &resp));
    page::Page out;
    std::memcpy(out.bytes.data(), resp.image.data(), page::kPageSize);
    return out;
  }

  Result<proto::NodeStatsResponse> Stats(Harness::Proc* proc) {
    std::string host;
    uint16_t port = 0;
    NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(proc->address, &host, &port));
    net::RpcClient rpc(loop_.get(), host, port);
    NORDLYS_ASSIGN_OR_RETURN(std::string raw, rpc.CallSync(proto::kNodeStats, "", 3000));
    proto::NodeStatsResponse resp;
    NORDLYS_RETURN_IF_ERROR(proto::Decode(raw, &resp));
    return resp;
  }

  // Every node's view, for a failure message: per-PG SCL and epoch, and repair counters.
  std::string DumpState() {
    std::string out;
    for (Harness::Proc* p : procs_) {
      std::string host;
      uint16_t port = 0;
      if (!net::ParseHostPort(p->address, &host, &port).ok()) continue;
      net::RpcClient rpc(loop_.get(), host, port);
      out += p->name + ":";
      for (uint64_t pg = 0; pg * kPagesPerPg < kPages; ++pg) {
        proto::PgStateRequest req{Epoch(0), PgId(pg), Lsn::Max()};  // read only
        auto raw = rpc.CallSync(proto::kPgState, proto::EncodeToString(req), 1000);
        proto::PgStateResponse st;
        if (raw.ok() && proto::Decode(*raw, &st).ok()) {
          out += fmt::format(" pg{}: scl={} max={} epoch={}", pg, st.scl, st.max_lsn,
                             st.node_epoch);
        } else {
          out += fmt::format(" pg{}: {}", pg, raw.ok() ? "undecodable" : raw.status().ToString());
        }
      }
      auto s = Stats(p);
      if (s.ok()) {
        out += fmt::format(" | repaired={} corruptions_repaired={}", s->records_repaired,
                           s->corruptions_repaired);
      }
      out += "\n";
    }
    return out;
  }

  void ExpectPagesMatch(const std::map<uint64_t, page::Page>& model,
                        const std::function<Result<page::Page>(PageId)>& read,
                        const std::string& who) {
    for (uint64_t p = 0; p < kPages; ++p) {
      auto got = read(PageId(p));
      ASSERT_TRUE(got.ok()) << who << " page " << p << ": " << got.status().ToString();
      page::Page want = model.count(p) ? model.at(p) : page::Page();
      page::Page have = *got;
      want.Seal();
      have.Seal();
      ASSERT_TRUE(want.bytes == have.bytes) << who << ": page " << p << " differs";
    }
  }

  Harness h_;
  std::vector<Harness::Proc*> procs_;
  std::unique_ptr<volume::Geometry> geometry_;
  std::unique_ptr<net::EventLoop> loop_ = std::make_unique<net::EventLoop>(2);
  std::unique_ptr<volume::StorageChannel> channel_;
  std::unique_ptr<volume::Scheduler> scheduler_;
};

TEST_F(StorageClusterTest, SurvivesAzLossStallsPastQuorumRepairsCorruptionAndWipe) {
  channel_ = std::make_unique<volume::RpcStorageChannel>(loop_.get(), *geometry_);
  scheduler_ = std::make_unique<volume::EventLoopScheduler>(loop_.get());
  Status st;
  auto writer = NewWriter(&st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  Workload work(writer.get());
  work.Start();
  ASSERT_TRUE(work.WaitForAcks(200, 10000)) << "no progress with all nodes up";

  // Lose a whole AZ: 4 of 6 remain, still a write quorum.
  h_.Kill9(procs_[0]);
  h_.Kill9(procs_[1]);
  ASSERT_TRUE(work.WaitForAcks(200, 10000)) << "writes stopped after losing one AZ";

  // Lose a third node: 3 of 6 is below the write quorum. Writes stall...
  h_.Kill9(procs_[2]);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // in-flight acks drain
  uint64_t before = work.acked();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(work.acked(), before) << "commits acknowledged with only 3 of 6 nodes";
  // ... while durable data stays readable (a read needs one segment that covers the point).
  Lsn vdl = writer->vdl();
  uint64_t acked_above = 0;
  auto model = work.Model(vdl, &acked_above);
  EXPECT_EQ(acked_above, 0u);
  ExpectPagesMatch(model, [&](PageId p) { return Read(writer.get(), p, vdl); },
                   "reads with 3 of 6 down");

  // Restart them: writes resume.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h_.Restart(procs_[i]).ok());
  ASSERT_TRUE(work.WaitForAcks(200, 20000)) << "writes did not resume after restarts\n"
                                             << DumpState();

  // Corrupt a live node's log: scrub detects it and repairs from peers.
  Harness::Proc* victim = procs_[4];
  std::string log_file;
  for (auto& e : std::filesystem::directory_iterator(h_.dir() + "/c1/segments")) {
    if (e.path().filename().string().rfind("log", 0) == 0 &&
        (log_file.empty() || e.file_size() > std::filesystem::file_size(log_file))) {
      log_file = e.path().string();
    }
  }
  ASSERT_FALSE(log_file.empty()) << "no log file in c1";
  {
    // The frames end where the zeros written ahead of the log begin: corrupt frames, not zeros.
    std::string content;
    {
      std::ifstream in(log_file, std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const size_t last = content.find_last_not_of('\0');
    ASSERT_NE(last, std::string::npos) << log_file << " holds only zeros";
    const uint64_t size = last + 1;
    std::fstream f(log_file, std::ios::in | std::ios::out | std::ios::binary);
    for (uint64_t off = size / 4; off < size / 2; off += size / 16) {
      f.seekp(static_cast<std::streamoff>(off));
      f.put('\x5a');
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uint64_t repaired = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = Stats(victim);
    if (s.ok() && s->corruptions_repaired > 0) {
      repaired = s->corruptions_repaired;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(repaired, 0u) << "scrub did not find or repair the corrupted log";

  // Wipe a node: it is rebuilt from its peers.
  Harness::Proc* wiped = procs_[5];
  h_.Kill9(wiped);
  std::filesystem::remove_all(h_.dir() + "/c2");
  ASSERT_TRUE(h_.Restart(wiped).ok());
  ASSERT_TRUE(work.WaitForAcks(100, 20000)) << "writes stalled after wiping a node; "
                                             << "writer vdl=" << writer->vdl().value() << "\n"
                                             << DumpState();

  work.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  vdl = writer->vdl();
  model = work.Model(vdl, &acked_above);
  EXPECT_EQ(acked_above, 0u) << "acknowledged above VDL";
  // The corrupted and the wiped node each serve every page correctly once caught up.
  for (Harness::Proc* p : {victim, wiped}) {
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    Result<page::Page> probe = Status::Unavailable("not tried");
    while (std::chrono::steady_clock::now() < deadline) {
      probe = ReadAt(p, writer->epoch(), PageId(kPages - 1), vdl);
      if (probe.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(probe.ok()) << p->name << " never caught up: " << probe.status().ToString();
    ExpectPagesMatch(model, [&](PageId pg) { return ReadAt(p, writer->epoch(), pg, vdl); },
                     p->name);
  }

  // Wiped while the writer is idle: no new rounds tell it anything, so it must learn the epoch
  // and how far its PGs reach from the writer's status polls, then rebuild from peers.
  h_.Kill9(wiped);
  std::filesystem::remove_all(h_.dir() + "/c2");
  ASSERT_TRUE(h_.Restart(wiped).ok());
  // Gossip rebuilds one PG after another: wait until every PG (its first page) is readable.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Result<page::Page> probe = Status::Unavailable("not tried");
  for (uint64_t first = 0; first < kPages; first += kPagesPerPg) {
    while (std::chrono::steady_clock::now() < deadline) {
      probe = ReadAt(wiped, writer->epoch(), PageId(first), vdl);
      if (probe.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(probe.ok()) << "idle rebuild never finished (page " << first << "): " << probe.status().ToString()
                            << "\n"
                            << DumpState();
  }
  ExpectPagesMatch(model, [&](PageId pg) { return ReadAt(wiped, writer->epoch(), pg, vdl); },
                   "rebuilt while idle");

  // Garbage collection, then a wipe: the writer sets the GC horizon at VDL, every node collects
  // (records below their newest image at or below it are gone), and the wiped node can only be
  // rebuilt from the page images its peers ship as of their GC floor.
  writer->SetHorizon(vdl);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool collected = false;
  while (!collected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    writer->SetHorizon(vdl);  // as the instance re-sends it: a restarted node learns it again
    collected = true;
    for (Harness::Proc* p : procs_) {
      auto s = Stats(p);
      collected = collected && s.ok() && s->versions_collected > 0;
    }
  }
  ASSERT_TRUE(collected) << "storage did not garbage-collect below the horizon\n" << DumpState();
  h_.Kill9(wiped);
  std::filesystem::remove_all(h_.dir() + "/c2");
  ASSERT_TRUE(h_.Restart(wiped).ok());
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (uint64_t first = 0; first < kPages; first += kPagesPerPg) {
    probe = Status::Unavailable("not tried");
    while (std::chrono::steady_clock::now() < deadline) {
      probe = ReadAt(wiped, writer->epoch(), PageId(first), vdl);
      if (probe.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(probe.ok()) << "rebuild after GC never finished (page " << first
                            << "): " << probe.status().ToString() << "\n"
                            << DumpState();
  }
  ExpectPagesMatch(model, [&](PageId pg) { return ReadAt(wiped, writer->epoch(), pg, vdl); },
                   "rebuilt after GC");
  auto wiped_stats = Stats(wiped);
  ASSERT_TRUE(wiped_stats.ok());
  EXPECT_GT(wiped_stats->images_received, 0u) << "rebuilt without shipped images: GC reclaimed "
                                                 "nothing its peers would have needed";
  // Below the horizon nothing is served any more (the read would need reclaimed versions).
  EXPECT_EQ(ReadAt(wiped, writer->epoch(), PageId(0), Lsn(vdl.value() - 1)).status().code(),
            StatusCode::kOutOfRange);

  // A new writer recovers (fencing the first); every acknowledged commit is there.
  auto second = NewWriter(&st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GE(second->vdl(), vdl);
  ExpectPagesMatch(model, [&](PageId p) { return Read(second.get(), p, vdl); },
                   "after writer recovery");
}

// Repair by replacement: a node is dead for good; a new (7th) storage process takes its place in
// every PG through ABCDEF -> ABCDEF∧ABCDEG -> ABCDEG, with writes never stopping.
TEST_F(StorageClusterTest, ReplacesDeadNodeWithNewNodeUnderWrites) {
  channel_ = std::make_unique<volume::RpcStorageChannel>(loop_.get(), *geometry_);
  scheduler_ = std::make_unique<volume::EventLoopScheduler>(loop_.get());
  Status st;
  auto writer = NewWriter(&st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  Workload work(writer.get());
  work.Start();
  ASSERT_TRUE(work.WaitForAcks(200, 10000)) << "no progress with all nodes up";

  // a1 dies for good.
  h_.Kill9(procs_[0]);
  ASSERT_TRUE(work.WaitForAcks(100, 10000)) << "writes stopped after losing one node";

  // Storage collects garbage below a horizon before and during the change: the new member is
  // rebuilt from shipped page images where its peers reclaimed records.
  writer->SetHorizon(writer->vdl());
  // A 7th storage process, empty, in a1's AZ, replaces it.
  auto fresh = h_.Start("a3", {"storage", "--data-dir", h_.dir() + "/a3", "--az", "az-a",
                               "--node-id", "7", "--records-per-image", kRecordsPerImage});
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  Harness::Proc* a3 = *fresh;
  std::promise<Status> replaced;
  writer->ReplaceMember(NodeId(1), volume::NodeInfo{NodeId(7), "az-a", a3->address},
                        [&replaced](Status s) { replaced.set_value(s); });
  // Writes go on during the change.
  ASSERT_TRUE(work.WaitForAcks(200, 20000)) << "writes stopped during the membership change\n"
                                             << DumpState();
  auto done = replaced.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready)
      << "membership change did not finish\n" << DumpState();
  Status change = done.get();
  ASSERT_TRUE(change.ok()) << change.ToString();
  EXPECT_FALSE(writer->ChangingMembership());
  for (uint64_t pg = 0; pg * kPagesPerPg < kPages; ++pg) {
    auto members = writer->Members(PgId(pg));
    EXPECT_EQ(members.size(), 6u) << "PG " << pg;
    EXPECT_EQ(std::count(members.begin(), members.end(), NodeId(1)), 0) << "PG " << pg;
  }

  // Lose another node, of another AZ: 4 of the 6 members remain, with the new one among them.
  h_.Kill9(procs_[2]);
  ASSERT_TRUE(work.WaitForAcks(200, 20000)) << "writes stopped after losing b1 too\n"
                                             << DumpState();

  work.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Lsn vdl = writer->vdl();
  uint64_t acked_above = 0;
  auto model = work.Model(vdl, &acked_above);
  EXPECT_EQ(acked_above, 0u) << "acknowledged above VDL";
  ExpectPagesMatch(model, [&](PageId p) { return Read(writer.get(), p, vdl); }, "writer");
  // The new node holds every page right once it caught up.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Result<page::Page> probe = Status::Unavailable("not tried");
  while (std::chrono::steady_clock::now() < deadline) {
    probe = ReadAt(a3, writer->epoch(), PageId(kPages - 1), vdl);
    if (probe.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(probe.ok()) << "a3 never caught up: " << probe.status().ToString();
  ExpectPagesMatch(model, [&](PageId p) { return ReadAt(a3, writer->epoch(), p, vdl); }, "a3");

  // A new writer, with a channel that knows only the geometry's 6 nodes, learns the membership
  // (and a3's address) from storage while a1 and b1 are down, and finds every commit.
  volume::RpcStorageChannel geometry_only(loop_.get(), *geometry_);
  auto second = volume::VolumeClient::Create(*geometry_, &geometry_only, scheduler_.get(),
                                             volume::VolumeOptions{});
  std::promise<Status> recovered;
  second->Recover([&recovered](Status s) { recovered.set_value(s); });
  st = recovered.get_future().get();
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << DumpState();
  EXPECT_GE(second->vdl(), vdl);
  EXPECT_EQ(second->Members(PgId(0)), writer->Members(PgId(0)));
  ExpectPagesMatch(model, [&](PageId p) { return Read(second.get(), p, vdl); },
                   "after writer recovery");
}

}  // namespace
}  // namespace nordlys::testing
