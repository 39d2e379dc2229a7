// Unit tests for SegmentStore on MemEnv: durability, torn tails, corruption repair by gossip,
// epochs and annulment, GC, bounds, and hostile input.
#include "storage/segment_store.h"

#include <gtest/gtest.h>

#include <map>

#include "common/mem_env.h"
#include "page/page.h"
#include "redo/apply.h"
#include "storage/segment_log.h"

namespace nordlys::storage {
namespace {

constexpr uint64_t kPpg = 100;  // pages per PG
const PgId kPg(0);

redo::Record Rec(uint64_t lsn, uint64_t page, bool cpl = true) {
  std::string v = "v" + std::to_string(lsn);
  v.resize(8, '.');
  return redo::Record{Lsn(lsn), Lsn(0), PageId(page), redo::RecordType::kWriteBytes,
                      static_cast<uint8_t>(cpl ? redo::kFlagCpl : 0),
                      redo::WriteBytesPayload(static_cast<uint16_t>(24 + (lsn % 50) * 8), v)};
}

// Records lsn in (after, to] spread over pages 0..pages-1, with back-links per PG.
std::vector<redo::Record> Recs(uint64_t after, uint64_t to, uint64_t pages) {
  std::vector<redo::Record> out;
  for (uint64_t l = after + 1; l <= to; ++l) {
    redo::Record r = Rec(l, l % pages);
    r.prev_lsn_in_pg = Lsn(l - 1);
    out.push_back(r);
  }
  return out;
}

proto::WriteBatchRequest Batch(uint64_t epoch, uint64_t after, uint64_t to,
                               std::vector<redo::Record> recs) {
  proto::WriteBatchRequest b{Epoch(epoch), Lsn(after), Lsn(to), {kPg}, std::move(recs), kPpg};
  return b;
}

// Reference model: the page after applying every record <= lsn for it.
std::string Expected(const std::vector<redo::Record>& all, uint64_t page, uint64_t lsn) {
  page::Page p;
  for (const auto& r : all) {
    if (r.page.value() == page && r.lsn.value() <= lsn) EXPECT_TRUE(redo::Apply(r, &p).ok());
  }
  p.Seal();
  return std::string(p.view());
}

class Fixture {
 public:
  explicit Fixture(MemEnv* env, std::string dir = "/node", SegmentStoreOptions o = {})
      : env_(env) {
    opts_ = o;
    opts_.dir = std::move(dir);
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto s = SegmentStore::Open(env_, opts_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  SegmentStore* operator->() { return store_.get(); }
  SegmentStore* get() { return store_.get(); }
  Lsn Scl() { return store_->Scls({kPg}).scls[0].scl; }
  Result<proto::GetPageResponse> Get(uint64_t page, uint64_t lsn, uint64_t epoch = 1) {
    return store_->GetPage({Epoch(epoch), kPg, PageId(page), Lsn(lsn)});
  }
  void Install(proto::EpochHistory h) {
    auto r = store_->InstallEpoch({std::move(h), kPg});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void Write(uint64_t epoch, uint64_t after, uint64_t to, std::vector<redo::Record> recs,
             bool sync = true) {
    Status s = store_->AppendBatch(Batch(epoch, after, to, std::move(recs)));
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (sync) ASSERT_TRUE(store_->Sync().ok());
  }
  std::vector<std::string> LogFiles() {
    std::vector<std::string> out;
    std::vector<std::string> names = env_->ListDir(opts_.dir).value();
    for (const auto& n : names) {
      uint32_t num;
      if (ParseLogFileName(n, &num)) out.push_back(opts_.dir + "/" + n);
    }
    return out;
  }

  SegmentStoreOptions opts_;

 private:
  MemEnv* env_;
  std::unique_ptr<SegmentStore> store_;
};

proto::EpochHistory H(std::vector<std::pair<uint64_t, uint64_t>> e) {
  proto::EpochHistory h;
  for (auto [ep, v] : e) h.entries.push_back({Epoch(ep), Lsn(v)});
  return h;
}

void Configure(Fixture& f, uint64_t self, std::vector<std::pair<uint64_t, std::string>> m) {
  proto::ConfigurePgRequest c{Epoch(1), kPg, {}, kPpg};
  for (auto& [id, addr] : m) c.members.push_back({NodeId(id), addr});
  ASSERT_TRUE(f->ConfigurePg(c).ok());
}

// Runs gossip from `from` into `to` until `to` has no wants (bounded).
void Gossip(Fixture& to, Fixture& from, uint32_t max_bytes = 1u << 20) {
  for (int round = 0; round < 200; ++round) {
    auto wants = to->GossipWants();
    if (wants.empty()) return;
    for (auto& w : wants) {
      w.request.max_bytes = max_bytes;
      auto resp = from->FetchRecords(w.request);
      ASSERT_TRUE(resp.ok()) << resp.status().ToString();
      ASSERT_TRUE(to->AppendFetched(w.request, *resp).ok());
    }
    ASSERT_TRUE(to->Sync().ok());
  }
  FAIL() << "gossip did not converge";
}

// The ingest path encodes record frames in place; the bytes must be what the format defines
// (AppendFrame over EncodeRecordFrame) and must scan and decode back.
TEST(SegmentLogTest, RecordFrameEncodedInPlaceIsTheFormatsBytes) {
  redo::Record r;
  r.lsn = Lsn(77);
  r.prev_lsn_in_pg = Lsn(70);
  r.page = PageId(12);
  r.type = redo::RecordType::kWriteBytes;
  r.flags = redo::kFlagCpl;
  r.payload = redo::WriteBytesPayload(64, std::string(5000, 'q'));
  std::string expect = "prefix";
  AppendFrame(FrameType::kRecord, EncodeRecordFrame(RecordFrame{PgId(3), Epoch(2), r}), &expect);
  std::string got = "prefix";
  AppendRecordFrame(PgId(3), Epoch(2), r, &got);
  ASSERT_EQ(got, expect);
  uint64_t valid_end = 0;
  uint32_t skipped = 0;
  std::vector<Frame> frames = ScanFrames(std::string_view(got).substr(6), &valid_end, &skipped);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(valid_end, got.size() - 6);
  RecordFrame back;
  ASSERT_TRUE(DecodeRecordFrame(frames[0].payload, &back).ok());
  EXPECT_EQ(back.pg, PgId(3));
  EXPECT_EQ(back.epoch, Epoch(2));
  EXPECT_EQ(back.record.lsn, r.lsn);
  EXPECT_EQ(back.record.prev_lsn_in_pg, r.prev_lsn_in_pg);
  EXPECT_EQ(back.record.payload, r.payload);
}

TEST(SegmentStoreTest, WriteSyncGetPageAtSeveralLsns) {
  MemEnv env;
  Fixture f(&env);
  f.Install(H({{1, 0}}));
  auto recs = Recs(0, 30, 3);
  f.Write(1, 0, 10, {recs.begin(), recs.begin() + 10}, /*sync=*/false);
  EXPECT_EQ(f.Scl(), Lsn(0));  // not synced: not counted
  ASSERT_TRUE(f->Sync().ok());
  EXPECT_EQ(f.Scl(), Lsn(10));
  f.Write(1, 10, 30, {recs.begin() + 10, recs.end()});
  EXPECT_EQ(f.Scl(), Lsn(30));
  for (uint64_t lsn : {1, 2, 5, 9, 10, 17, 29, 30}) {
    for (uint64_t page : {0, 1, 2}) {
      auto r = f.Get(page, lsn);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->image, Expected(recs, page, lsn)) << "page " << page << " lsn " << lsn;
    }
  }
  auto r = f.Get(1, 30);
  EXPECT_EQ(r->page_lsn, Lsn(28));
  auto never = f.Get(7, 30);
  ASSERT_TRUE(never.ok());
  EXPECT_EQ(never->page_lsn, Lsn(0));
  EXPECT_EQ(never->image, std::string(8192, '\0'));
  EXPECT_EQ(f->Stats().records_ingested, 30u);
}

TEST(SegmentStoreTest, UnsyncedDataLostAfterCrashAndSclCountsOnlySynced) {
  MemEnv env;
  Fixture f(&env);
  f.Install(H({{1, 0}}));
  auto recs = Recs(0, 20, 2);
  f.Write(1, 0, 10, {recs.begin(), recs.begin() + 10});
  f.Write(1, 10, 20, {recs.begin() + 10, recs.end()}, /*sync=*/false);
  EXPECT_EQ(f.Scl(), Lsn(10));
  EXPECT_EQ(f.Get(0, 15).status().code(), StatusCode::kOutOfRange);
  env.Crash();
  f.Reopen();
  EXPECT_EQ(f.Scl(), Lsn(10));
  EXPECT_EQ(f->epoch(), Epoch(1));  // the history survived
  EXPECT_EQ(f.Get(0, 10)->image, Expected(recs, 0, 10));
  EXPECT_EQ(f.Get(0, 11).status().code(), StatusCode::kOutOfRange);
  // The writer retransmits; the node accepts it again.
  f.Write(1, 10, 20, {recs.begin() + 10, recs.end()});
  EXPECT_EQ(f.Scl(), Lsn(20));
  EXPECT_EQ(f.Get(1, 20)->image, Expected(recs, 1, 20));
}

TEST(SegmentStoreTest, TornTailRecoversToValidPrefixOverManySeeds) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    MemEnv env(seed);
    SegmentStoreOptions o;
    o.log_file_bytes_max = 2048;  // several files, so the tear can land anywhere
    // Odd seeds write zeros ahead of the log: appends then land on durable zeros (which a crash
    // brings back under unsynced frames) as well as grow the file.
    const bool zero_ahead = seed % 2 == 1;
    o.log_zero_ahead_bytes = 700;
    Fixture f(&env, "/node", o);
    f.Install(H({{1, 0}}));
    auto recs = Recs(0, 80, 4);
    uint64_t synced_to = 8 * (1 + seed % 6);
    for (uint64_t a = 0; a < 80; a += 8) {
      f.Write(1, a, a + 8, {recs.begin() + a, recs.begin() + a + 8}, /*sync=*/a + 8 <= synced_to);
      if (zero_ahead) ASSERT_TRUE(f->ZeroLogAhead().ok());
    }
    env.Crash(/*torn_tail=*/true);
    f.Reopen();
    Lsn scl = f.Scl();
    ASSERT_GE(scl, Lsn(synced_to)) << "seed " << seed;
    ASSERT_LE(scl, Lsn(80)) << "seed " << seed;
    for (uint64_t page = 0; page < 4; ++page) {
      auto r = f.Get(page, scl.value());
      ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.status().ToString();
      ASSERT_EQ(r->image, Expected(recs, page, scl.value())) << "seed " << seed;
    }
    // A second recovery of the truncated files finds the same state, and writing continues.
    f.Reopen();
    ASSERT_EQ(f.Scl(), scl) << "seed " << seed;
    f.Write(1, scl.value(), 80, {recs.begin() + scl.value(), recs.end()});
    ASSERT_EQ(f.Scl(), Lsn(80)) << "seed " << seed;
  }
}

// Zeros written ahead of the log are its clean end: recovery keeps every frame before them,
// neither truncates nor counts them, and the next file gets zeros of its own.
TEST(SegmentStoreTest, ZerosAheadOfTheLogAreItsCleanEnd) {
  MemEnv env;
  SegmentStoreOptions o;
  o.log_zero_ahead_bytes = 64 << 10;
  Fixture f(&env, "/node", o);
  f.Install(H({{1, 0}}));
  auto recs = Recs(0, 40, 3);
  f.Write(1, 0, 20, {recs.begin(), recs.begin() + 20});
  ASSERT_TRUE(f->ZeroLogAhead().ok());
  std::vector<std::string> files = f.LogFiles();
  ASSERT_EQ(files.size(), 1u);
  const uint64_t physical = env.FileSize(files[0]).value();
  // Appends land on the zeros: the file does not grow.
  f.Write(1, 20, 40, {recs.begin() + 20, recs.end()});
  EXPECT_EQ(env.FileSize(files[0]).value(), physical);
  ASSERT_TRUE(f->ZeroLogAhead().ok());  // more than half is left: nothing to do
  EXPECT_EQ(env.FileSize(files[0]).value(), physical);
  std::string data;
  ASSERT_TRUE(env.ReadFileToString(files[0], &data).ok());
  uint64_t valid_end = 0;
  uint32_t skipped = 0;
  ScanFrames(data, &valid_end, &skipped);
  EXPECT_EQ(skipped, 0u);
  EXPECT_GE(physical - valid_end, 32u << 10) << "the zeros were not ahead of the frames";

  env.Crash();  // everything was synced: nothing may be lost, the zeros stay zeros
  f.Reopen();
  EXPECT_EQ(f.Scl(), Lsn(40));
  for (uint64_t page = 0; page < 3; ++page) EXPECT_EQ(f.Get(page, 40)->image, Expected(recs, page, 40));
  EXPECT_EQ(env.FileSize(files[0]).value(), physical) << "a clean zero tail was truncated";
  // The reopened store writes to a new file, which gets zeros ahead of it too.
  ASSERT_TRUE(f->ZeroLogAhead().ok());
  files = f.LogFiles();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_GE(env.FileSize(files[1]).value(), 64u << 10);
}

// Offset of a byte inside the record frame for `lsn` in one of the store's log files.
bool FindRecordFrame(MemEnv* env, const std::vector<std::string>& files, uint64_t lsn,
                     std::string* file, uint64_t* offset) {
  for (const auto& path : files) {
    std::string data;
    if (!env->ReadFileToString(path, &data).ok()) continue;
    uint64_t end;
    uint32_t skipped;
    for (const Frame& fr : ScanFrames(data, &end, &skipped)) {
      RecordFrame rf;
      if (fr.type == FrameType::kRecord && DecodeRecordFrame(fr.payload, &rf).ok() &&
          rf.record.lsn == Lsn(lsn)) {
        *file = path;
        *offset = fr.offset + fr.size - 3;  // inside the payload bytes
        return true;
      }
    }
  }
  return false;
}

// Offset of a byte inside the last image frame of `type` (kImage, kBaseImage) for `page` in the
// store's log files.
bool FindImageFrame(MemEnv* env, const std::vector<std::string>& files, FrameType type,
                    PageId page, std::string* file, uint64_t* offset) {
  bool found = false;
  for (const auto& path : files) {
    std::string data;
    if (!env->ReadFileToString(path, &data).ok()) continue;
    uint64_t end;
    uint32_t skipped;
    for (const Frame& fr : ScanFrames(data, &end, &skipped)) {
      ImageFrame im;
      if (fr.type == type && DecodeImageFrame(fr.payload, &im).ok() && im.page == page) {
        *file = path;
        *offset = fr.offset + fr.size - 100;  // inside the page bytes
        found = true;
      }
    }
  }
  return found;
}

// Bytes in the store's log files.
uint64_t LogBytes(MemEnv* env, Fixture& f) {
  uint64_t n = 0;
  for (const auto& p : f.LogFiles()) n += env->FileSize(p).value();
  return n;
}

// Runs Coalesce and returns how many bytes it appended to the log.
uint64_t CoalescedBytes(MemEnv* env, Fixture& f, uint32_t min_records) {
  const uint64_t before = LogBytes(env, f);
  EXPECT_TRUE(f->Coalesce(100, min_records).ok());
  return LogBytes(env, f) - before;
}

// One page image (an 8 KiB page and its frame), not two.
void ExpectOneImage(uint64_t bytes) {
  EXPECT_GT(bytes, page::kPageSize);
  EXPECT_LT(bytes, 2 * page::kPageSize);
}

TEST(SegmentStoreTest, FlippedBitFoundOnOpenIsRefetchedFromPeer) {
  MemEnv env;
  Fixture a(&env, "/a"), b(&env, "/b");
  auto recs = Recs(0, 30, 3);
  for (Fixture* f : {&a, &b}) {
    f->Install(H({{1, 0}}));
    for (uint64_t x = 0; x < 30; x += 10) {
      f->Write(1, x, x + 10, {recs.begin() + x, recs.begin() + x + 10});
    }
  }
  a.opts_.self = NodeId(1);
  Configure(a, 1, {{1, "a:1"}, {2, "b:1"}});
  std::string file;
  uint64_t off = 0;
  ASSERT_TRUE(FindRecordFrame(&env, a.LogFiles(), 15, &file, &off));
  ASSERT_TRUE(env.FlipBit(file, off, 3));
  a.Reopen();
  EXPECT_EQ(a.Scl(), Lsn(14));  // the lost record is a hole, not claimed coverage
  EXPECT_EQ(a.Get(0, 14)->image, Expected(recs, 0, 14));
  auto wants = a->GossipWants();
  ASSERT_EQ(wants.size(), 1u);
  EXPECT_EQ(wants[0].request.after, Lsn(14));
  EXPECT_EQ(wants[0].request.up_to, Lsn(30));
  ASSERT_EQ(wants[0].peers.size(), 1u);  // self left out
  EXPECT_EQ(wants[0].peers[0].node, NodeId(2));
  Gossip(a, b);
  EXPECT_EQ(a.Scl(), Lsn(30));
  for (uint64_t page = 0; page < 3; ++page) {
    EXPECT_EQ(a.Get(page, 30)->image, Expected(recs, page, 30));
  }
  EXPECT_EQ(a->Stats().corruptions_repaired, 1u);
  a.Reopen();
  EXPECT_EQ(a.Scl(), Lsn(30));
}

TEST(SegmentStoreTest, ScrubFindsFlippedBitAndGossipRepairs) {
  MemEnv env;
  Fixture a(&env, "/a"), b(&env, "/b");
  auto recs = Recs(0, 30, 3);
  for (Fixture* f : {&a, &b}) {
    f->Install(H({{1, 0}}));
    f->Write(1, 0, 30, recs);
  }
  Configure(a, 1, {{1, "a:1"}, {2, "b:1"}});
  std::string file;
  uint64_t off = 0;
  ASSERT_TRUE(FindRecordFrame(&env, a.LogFiles(), 22, &file, &off));
  ASSERT_TRUE(env.FlipBit(file, off, 0));
  uint32_t bad = 0;
  for (int i = 0; i < 40; ++i) bad += a->Scrub(256).value();  // rotates in small steps
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(a.Scl(), Lsn(21));
  EXPECT_EQ(a.Get(1, 25).status().code(), StatusCode::kOutOfRange);
  Gossip(a, b);
  EXPECT_EQ(a.Scl(), Lsn(30));
  EXPECT_EQ(a.Get(1, 30)->image, Expected(recs, 1, 30));
  EXPECT_EQ(a->Stats().corruptions_repaired, 1u);
}

TEST(SegmentStoreTest, OutOfOrderBatchesLeaveHoleThatGossipFills) {
  MemEnv env;
  Fixture a(&env, "/a"), b(&env, "/b");
  auto recs = Recs(0, 30, 2);
  a.Install(H({{1, 0}}));
  b.Install(H({{1, 0}}));
  b.Write(1, 0, 30, recs);
  a.Write(1, 20, 30, {recs.begin() + 20, recs.end()});
  a.Write(1, 0, 10, {recs.begin(), recs.begin() + 10});
  EXPECT_EQ(a.Scl(), Lsn(10));
  EXPECT_EQ(a->PgState({Epoch(1), kPg, Lsn::Max()})->max_lsn, Lsn(30));
  Configure(a, 1, {{1, "a:1"}, {2, "b:1"}});
  Gossip(a, b, /*max_bytes=*/100);  // small answers: several rounds, each making progress
  EXPECT_EQ(a.Scl(), Lsn(30));
  EXPECT_EQ(a.Get(0, 30)->image, Expected(recs, 0, 30));
  EXPECT_GE(a->Stats().records_repaired, 10u);
}

TEST(SegmentStoreTest, EpochFencing) {
  MemEnv env;
  Fixture f(&env);
  f.Install(H({{1, 0}}));
  f.Write(1, 0, 10, Recs(0, 10, 2));
  f.Install(H({{1, 0}, {2, 10}}));
  EXPECT_TRUE(f->AppendBatch(Batch(1, 10, 20, Recs(10, 20, 2))).IsFenced());
  EXPECT_TRUE(f.Get(0, 5, /*epoch=*/1).status().IsFenced());
  auto behind = f.Get(0, 5, /*epoch=*/3);
  ASSERT_TRUE(behind.status().IsUnavailable());
  EXPECT_EQ(behind.status().message().rfind(proto::kEpochHistoryBehind, 0), 0u);
  EXPECT_TRUE(f->AppendBatch(Batch(3, 10, 20, {})).IsUnavailable());
  // A shorter history is fenced; a diverging one is corruption.
  EXPECT_TRUE(f->InstallEpoch({H({{1, 0}}), kPg}).status().IsFenced());
  EXPECT_TRUE(f->InstallEpoch({H({{1, 0}, {3, 10}}), kPg}).status().IsCorruption());
  EXPECT_TRUE(f->SetHorizon({Epoch(1), Lsn(3)}).IsFenced());
  f.Reopen();
  EXPECT_EQ(f->epoch(), Epoch(2));
  EXPECT_TRUE(f->AppendBatch(Batch(1, 10, 20, Recs(10, 20, 2))).IsFenced());
}

// A recovering writer's PgState is a durable promise: from the answer on, nothing older is
// acknowledged, so the state it read covers every acknowledgement the old writer ever got.
TEST(SegmentStoreTest, PgStatePromiseFencesOlderWritersDurably) {
  MemEnv env;
  Fixture f(&env);
  f.Install(H({{1, 0}}));
  f.Write(1, 0, 10, Recs(0, 10, 2));
  // Epoch 0 reads without promising anything.
  auto read = f->PgState({Epoch(0), kPg, Lsn::Max()});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->node_epoch, Epoch(1));
  EXPECT_TRUE(f->AppendBatch(Batch(1, 10, 12, Recs(10, 12, 2))).ok());
  // A batch appended before the promise but synced after it is still there, but the old writer
  // is fenced from now on, and the node reports the promise as its epoch.
  auto promised = f->PgState({Epoch(2), kPg, Lsn::Max()});
  ASSERT_TRUE(promised.ok()) << promised.status().ToString();
  EXPECT_EQ(promised->node_epoch, Epoch(2));
  EXPECT_EQ(promised->scl, Lsn(10));  // the unsynced batch is not counted
  EXPECT_EQ(f->epoch(), Epoch(2));
  EXPECT_TRUE(f->AppendBatch(Batch(1, 12, 20, Recs(12, 20, 2))).IsFenced());
  EXPECT_TRUE(f->PgState({Epoch(1), kPg, Lsn::Max()}).status().IsFenced());
  // The promised writer's own requests wait for its history (it has not installed it yet).
  EXPECT_TRUE(f->AppendBatch(Batch(2, 12, 20, {})).IsUnavailable());
  // The promise survives a restart, and a lower epoch can no longer be installed.
  f.Reopen();
  EXPECT_EQ(f->epoch(), Epoch(2));
  EXPECT_TRUE(f->AppendBatch(Batch(1, 12, 20, Recs(12, 20, 2))).IsFenced());
  EXPECT_TRUE(f->InstallEpoch({H({{1, 0}}), kPg}).status().IsFenced());
  EXPECT_EQ(f->PgState({Epoch::Max(), kPg, Lsn::Max()}).status().code(),
            StatusCode::kInvalidArgument);
  f.Install(H({{1, 0}, {2, 10}}));
  EXPECT_EQ(f->epoch(), Epoch(2));
  f.Write(2, 10, 20, Recs(10, 20, 2));
  EXPECT_EQ(f.Scl(), Lsn(20));
}

// A busy node raises the bar: only pages with at least min_records since their last image get
// one; the rest wait until Coalesce runs with the plain records_per_image again.
TEST(SegmentStoreTest, CoalesceHonoursTheBusyThreshold) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  Fixture f(&env, "/node", o);
  f.Install(H({{1, 0}}));
  std::vector<redo::Record> recs;  // page 0: 20 records, page 1: 6
  for (uint64_t l = 1; l <= 26; ++l) {
    redo::Record r = Rec(l, l <= 20 ? 0 : 1);
    r.prev_lsn_in_pg = Lsn(l - 1);
    recs.push_back(r);
  }
  f.Write(1, 0, 26, recs);
  ExpectOneImage(CoalescedBytes(&env, f, 10));  // page 0's image
  EXPECT_EQ(CoalescedBytes(&env, f, 10), 0u);   // page 1 waits
  ExpectOneImage(CoalescedBytes(&env, f, 0));   // and gets its image on an idle tick
  EXPECT_EQ(f.Get(0, 26)->image, Expected(recs, 0, 26));
  EXPECT_EQ(f.Get(1, 26)->image, Expected(recs, 1, 26));
}

// Coalescing weighs redo bytes, not just records: three 1 KiB records (weight 9 each) earn page
// 0 an image at records_per_image 16, three small ones leave page 1 without one.
TEST(SegmentStoreTest, CoalesceWeighsLargeRecordsMore) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 16;
  Fixture f(&env, "/node", o);
  f.Install(H({{1, 0}}));
  std::vector<redo::Record> recs;
  for (uint64_t l = 1; l <= 6; ++l) {
    redo::Record r = Rec(l, l <= 3 ? 0 : 1);
    if (l <= 3) {
      r.payload = redo::WriteBytesPayload(24, std::string(1024, static_cast<char>('a' + l)));
    }
    r.prev_lsn_in_pg = Lsn(l - 1);
    recs.push_back(r);
  }
  f.Write(1, 0, 6, recs);
  ExpectOneImage(CoalescedBytes(&env, f, 0));  // page 0's image, and only that
  EXPECT_EQ(f.Get(0, 6)->image, Expected(recs, 0, 6));
  EXPECT_EQ(f.Get(1, 6)->image, Expected(recs, 1, 6));
}

// A page image dropped as corrupt puts the redo above the next older image back into the page's
// coalescing weight: the page is imaged again instead of waiting for records to arrive.
TEST(SegmentStoreTest, DroppedImageMakesThePageACoalescingCandidateAgain) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  Fixture f(&env, "/node", o);
  f.Install(H({{1, 0}}));
  std::vector<redo::Record> recs;
  for (uint64_t l = 1; l <= 8; ++l) {
    redo::Record r = Rec(l, 0);
    r.prev_lsn_in_pg = Lsn(l - 1);
    recs.push_back(r);
  }
  f.Write(1, 0, 6, {recs.begin(), recs.begin() + 6});
  ASSERT_TRUE(f->Coalesce(100, 0).ok());  // the image at 6
  f.Write(1, 6, 8, {recs.begin() + 6, recs.end()});  // weight 2 above it: no new image yet
  std::string file;
  uint64_t offset = 0;
  ASSERT_TRUE(FindImageFrame(&env, f.LogFiles(), FrameType::kImage, PageId(0), &file, &offset))
      << "no image written";
  ASSERT_TRUE(env.FlipBit(file, offset, 1));
  auto bad = f->Scrub(64u << 20);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(*bad, 1u);
  ExpectOneImage(CoalescedBytes(&env, f, 0));  // imaged again: 8 records above nothing
  EXPECT_EQ(f.Get(0, 8)->image, Expected(recs, 0, 8));
}

TEST(SegmentStoreTest, InstallEpochAnnulsRecordsAboveVdl) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 2;
  Fixture f(&env, "/node", o);
  f.Install(H({{1, 0}}));
  auto old = Recs(0, 20, 1);  // all on page 0
  f.Write(1, 0, 20, old);
  ASSERT_TRUE(f->Coalesce(100, 0).ok());  // an image at 20 that includes soon-annulled records
  EXPECT_EQ(f.Scl(), Lsn(20));
  auto st = f->InstallEpoch({H({{1, 0}, {2, 12}}), kPg});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->scl, Lsn(12));
  EXPECT_EQ(st->max_lsn, Lsn(12));
  EXPECT_EQ(st->max_cpl_at_or_below, Lsn(12));
  // The new writer covers (12, 40] with new records from LSN 30 on (LAL gap).
  std::vector<redo::Record> fresh = {Rec(30, 0), Rec(31, 0)};
  fresh[0].prev_lsn_in_pg = Lsn(12);
  fresh[1].prev_lsn_in_pg = Lsn(30);
  f.Write(2, 12, 40, fresh);
  EXPECT_EQ(f.Scl(), Lsn(40));
  std::vector<redo::Record> truth(old.begin(), old.begin() + 12);
  truth.insert(truth.end(), fresh.begin(), fresh.end());
  for (int pass = 0; pass < 2; ++pass) {
    for (uint64_t lsn : {12, 15, 20, 29, 31, 40}) {
      auto r = f.Get(0, lsn, 2);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->image, Expected(truth, 0, lsn)) << "lsn " << lsn << " pass " << pass;
    }
    // Gossip never ships annulled records either.
    auto fr = f->FetchRecords({Epoch(2), kPg, Lsn(0), Lsn(40), 1u << 20});
    ASSERT_TRUE(fr.ok());
    for (const auto& s : fr->records) {
      EXPECT_TRUE(s.record.lsn <= Lsn(12) || s.epoch == Epoch(2));
    }
    f.Reopen();  // the same after recovery from the log and the history file
  }
}

TEST(SegmentStoreTest, LaggingNodeLearnsHistoryFromGossip) {
  MemEnv env;
  Fixture a(&env, "/a"), b(&env, "/b");
  auto recs = Recs(0, 20, 1);
  for (Fixture* f : {&a, &b}) {
    f->Install(H({{1, 0}}));
    f->Write(1, 0, 20, recs);
  }
  b.Install(H({{1, 0}, {2, 12}}));
  b.Write(2, 12, 40, {});
  a.Write(1, 20, 20, {});
  Configure(a, 1, {{1, "a:1"}, {2, "b:1"}});
  // a asks for (20, 40] with its old epoch; b answers (not fenced) with its history.
  proto::FetchRecordsRequest req{Epoch(1), kPg, Lsn(12), Lsn(40), 1u << 20};
  auto resp = b->FetchRecords(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  ASSERT_TRUE(a->AppendFetched(req, *resp).ok());
  ASSERT_TRUE(a->Sync().ok());
  EXPECT_EQ(a->epoch(), Epoch(2));
  EXPECT_EQ(a.Scl(), Lsn(40));
  EXPECT_EQ(a.Get(0, 40, 2)->image, Expected(recs, 0, 12));
}

TEST(SegmentStoreTest, GcReclaimsAndReadsAtOrAboveHorizonStayRight) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  o.log_file_bytes_max = 4096;
  Fixture f(&env, "/node", o);
  f.Install(H({{1, 0}}));
  auto recs = Recs(0, 200, 5);
  for (uint64_t a = 0; a < 200; a += 10) {
    f.Write(1, a, a + 10, {recs.begin() + a, recs.begin() + a + 10});
    ASSERT_TRUE(f->Coalesce(100, 0).ok());
  }
  size_t files_before = f.LogFiles().size();
  uint64_t bytes_before = env.TotalBytes();
  ASSERT_TRUE(f->SetHorizon({Epoch(1), Lsn(150)}).ok());
  ASSERT_TRUE(f->CollectGarbage().ok());
  EXPECT_GT(f->Stats().versions_collected, 100u);
  EXPECT_LT(f.LogFiles().size(), files_before);
  EXPECT_LT(env.TotalBytes(), bytes_before);
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(f.Scl(), Lsn(200));
    for (uint64_t lsn : {150, 151, 163, 199, 200}) {
      for (uint64_t page = 0; page < 5; ++page) {
        auto r = f.Get(page, lsn);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ(r->image, Expected(recs, page, lsn)) << "page " << page << " lsn " << lsn;
      }
    }
    EXPECT_EQ(f.Get(0, 149).status().code(), StatusCode::kOutOfRange);  // below the horizon
    EXPECT_EQ(f.Get(0, 201).status().code(), StatusCode::kOutOfRange);  // above SCL
    auto st = f->PgState({Epoch(1), kPg, Lsn::Max()});
    EXPECT_EQ(st->last_lsn_at_or_below, Lsn(200));
    EXPECT_EQ(st->horizon, Lsn(150));
    f.Reopen();  // GC checkpoint + surviving files rebuild the same state
  }
}

// A node with records 0..200 over `pages` pages, coalesced as it went, GC'd at `horizon`.
void FillAndCollect(Fixture& f, const std::vector<redo::Record>& recs, uint64_t horizon) {
  f.Install(H({{1, 0}}));
  for (uint64_t a = 0; a < recs.size(); a += 10) {
    f.Write(1, a, a + 10, {recs.begin() + a, recs.begin() + a + 10});
    ASSERT_TRUE(f->Coalesce(100, 0).ok());
  }
  ASSERT_TRUE(f->SetHorizon({Epoch(1), Lsn(horizon)}).ok());
  ASSERT_TRUE(f->CollectGarbage().ok());
}

// One gossip exchange of `to` with `from`; returns false when `to` wants nothing.
bool GossipStep(Fixture& to, Fixture& from, uint32_t max_bytes, int* image_answers) {
  auto wants = to->GossipWants();
  if (wants.empty()) return false;
  for (auto& w : wants) {
    w.request.max_bytes = max_bytes;
    auto resp = from->FetchRecords(w.request);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (!resp.ok()) return false;
    if (resp->images_at != kInvalidLsn) ++*image_answers;
    Status s = to->AppendFetched(w.request, *resp);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_TRUE(to->Sync().ok());
  return true;
}

void ExpectPagesRight(Fixture& f, const std::vector<redo::Record>& recs, uint64_t pages,
                      std::initializer_list<uint64_t> lsns) {
  for (uint64_t lsn : lsns) {
    for (uint64_t page = 0; page < pages; ++page) {
      auto r = f.Get(page, lsn);
      ASSERT_TRUE(r.ok()) << r.status().ToString() << " page " << page << " lsn " << lsn;
      EXPECT_EQ(r->image, Expected(recs, page, lsn)) << "page " << page << " lsn " << lsn;
    }
  }
}

TEST(SegmentStoreTest, WipedNodeIsRebuiltFromShippedImagesAfterGc) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  o.log_file_bytes_max = 8192;
  Fixture a(&env, "/a", o), b(&env, "/b", o);
  constexpr uint64_t kPages = 12;
  auto recs = Recs(0, 200, kPages);
  // Pages 20 and 21 are first written above the horizon: no image ships for them.
  recs[180].page = PageId(20);
  recs[190].page = PageId(21);
  FillAndCollect(a, recs, 150);
  // Records below the floor are gone from a: a plain fetch could not rebuild anything.
  ASSERT_GT(a->Stats().versions_collected, 0u);
  b.Install(H({{1, 0}}));
  Configure(b, 2, {{1, "a:1"}, {2, "b:1"}});
  b.Write(1, 200, 200, {});  // the writer's status poll: b learns the PG reaches 200
  int image_answers = 0, steps = 0;
  // 3 images per answer: the base takes several chunks.
  while (GossipStep(b, a, 3 * 8300, &image_answers) && ++steps < 100) {
  }
  EXPECT_GE(image_answers, 4);
  EXPECT_EQ(b.Scl(), Lsn(200));
  EXPECT_GE(b->Stats().images_received, kPages);
  for (int pass = 0; pass < 2; ++pass) {
    ExpectPagesRight(b, recs, 22, {150, 151, 177, 199, 200});
    EXPECT_EQ(b.Get(0, 149).status().code(), StatusCode::kOutOfRange);  // below the base
    auto st = b->PgState({Epoch(0), kPg, Lsn(150)});
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->last_lsn_at_or_below, Lsn(150));     // shipped with the base
    EXPECT_EQ(st->max_cpl_at_or_below, Lsn(150));
    EXPECT_EQ(st->horizon, Lsn(150));
    // Scrub reads every frame from disk, the shipped images included: none is bad.
    auto bad = b->Scrub(64u << 20);
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(*bad, 0u);
    env.Crash();  // kill -9: everything above was synced
    b.Reopen();
  }
  // b can now ship the same base on to a third node c: the chain a -> b -> c.
  Fixture c(&env, "/c", o);
  c.Install(H({{1, 0}}));
  Configure(c, 3, {{2, "b:1"}, {3, "c:1"}});
  c.Write(1, 200, 200, {});
  image_answers = 0;
  steps = 0;
  while (GossipStep(c, b, 1u << 20, &image_answers) && ++steps < 100) {
  }
  EXPECT_EQ(image_answers, 1);
  EXPECT_EQ(c.Scl(), Lsn(200));
  ExpectPagesRight(c, recs, 22, {150, 200});
}

TEST(SegmentStoreTest, ImageShippingSurvivesCrashAndFloorMovesMidway) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  Fixture a(&env, "/a", o), b(&env, "/b", o);
  constexpr uint64_t kPages = 10;
  auto recs = Recs(0, 200, kPages);
  FillAndCollect(a, recs, 100);
  b.Install(H({{1, 0}}));
  Configure(b, 2, {{1, "a:1"}, {2, "b:1"}});
  b.Write(1, 200, 200, {});
  int image_answers = 0;
  ASSERT_TRUE(GossipStep(b, a, 2 * 8300, &image_answers));  // one chunk of 2 images
  EXPECT_EQ(b.Scl(), Lsn(0));  // no coverage until the base is complete
  env.Crash();
  b.Reopen();  // the chunk's images survive; the shipping itself starts over
  b.Write(1, 200, 200, {});
  ASSERT_TRUE(GossipStep(b, a, 2 * 8300, &image_answers));
  // a collects again at a higher horizon: the next chunk starts over at the new floor.
  ASSERT_TRUE(a->SetHorizon({Epoch(1), Lsn(180)}).ok());
  ASSERT_TRUE(a->CollectGarbage().ok());
  int steps = 0;
  while (GossipStep(b, a, 2 * 8300, &image_answers) && ++steps < 100) {
  }
  EXPECT_EQ(b.Scl(), Lsn(200));
  EXPECT_EQ(b->PgState({Epoch(0), kPg, Lsn::Max()})->horizon, Lsn(180));
  ExpectPagesRight(b, recs, kPages, {180, 190, 200});
  EXPECT_EQ(b.Get(0, 179).status().code(), StatusCode::kOutOfRange);
  // GC on b reclaims its stale chunk images of the first floor (older than its newest).
  ASSERT_TRUE(b->CollectGarbage().ok());
  env.Crash();
  b.Reopen();
  ExpectPagesRight(b, recs, kPages, {180, 200});
}

TEST(SegmentStoreTest, CorruptShippedImageIsFoundByScrubAndTheBaseFetchedAgain) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  Fixture a(&env, "/a", o), b(&env, "/b", o);
  constexpr uint64_t kPages = 6;
  auto recs = Recs(0, 200, kPages);
  FillAndCollect(a, recs, 150);
  b.Install(H({{1, 0}}));
  Configure(b, 2, {{1, "a:1"}, {2, "b:1"}});
  b.Write(1, 200, 200, {});
  int image_answers = 0, steps = 0;
  while (GossipStep(b, a, 1u << 20, &image_answers) && ++steps < 100) {
  }
  ASSERT_EQ(b.Scl(), Lsn(200));
  // Flip a byte inside page 3's shipped image on b's disk.
  std::string file;
  uint64_t offset = 0;
  ASSERT_TRUE(FindImageFrame(&env, b.LogFiles(), FrameType::kBaseImage, PageId(3), &file, &offset))
      << "no shipped image of page 3 on b";
  ASSERT_TRUE(env.FlipBit(file, offset, 2));
  auto bad = b->Scrub(64u << 20);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(*bad, 1u);
  // The page cannot be rebuilt from what b holds: b forgot the PG's coverage ...
  EXPECT_EQ(b.Scl(), Lsn(0));
  // ... and fetches the base again.
  image_answers = 0;
  steps = 0;
  while (GossipStep(b, a, 1u << 20, &image_answers) && ++steps < 100) {
  }
  EXPECT_EQ(image_answers, 1);
  EXPECT_EQ(b.Scl(), Lsn(200));
  ExpectPagesRight(b, recs, kPages, {150, 170, 200});
  env.Crash();
  b.Reopen();
  ExpectPagesRight(b, recs, kPages, {150, 200});
}

TEST(SegmentStoreTest, ImageShippingRefusesBadAnswersAndLaggingSenders) {
  MemEnv env;
  SegmentStoreOptions o;
  o.records_per_image = 4;
  Fixture a(&env, "/a", o), b(&env, "/b", o);
  auto recs = Recs(0, 100, 4);
  FillAndCollect(a, recs, 60);
  b.Install(H({{1, 0}}));
  b.Write(1, 100, 100, {});
  proto::FetchRecordsRequest req{Epoch(1), kPg, Lsn(0), Lsn(100), 1u << 20};
  auto resp = a->FetchRecords(req);
  ASSERT_TRUE(resp.ok());
  ASSERT_TRUE(resp->images_done);
  ASSERT_EQ(resp->images.size(), 4u);
  EXPECT_EQ(resp->covered_to, Lsn(60));
  // A flipped byte in one image: the whole answer is refused, nothing is stored.
  auto bad = *resp;
  bad.images[2].image[100] ^= 1;
  EXPECT_FALSE(b->AppendFetched(req, bad).ok());
  // An image claiming a version above the floor.
  bad = *resp;
  bad.images[0].lsn = Lsn(61);
  EXPECT_EQ(b->AppendFetched(req, bad).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(b->Sync().ok());
  EXPECT_EQ(b.Scl(), Lsn(0));
  EXPECT_EQ(b->Stats().images_received, 0u);
  // The good answer is taken.
  ASSERT_TRUE(b->AppendFetched(req, *resp).ok());
  ASSERT_TRUE(b->Sync().ok());
  EXPECT_EQ(b.Scl(), Lsn(60));
  ExpectPagesRight(b, recs, 4, {60});
  // A node whose SCL is below its GC floor cannot ship a base: OutOfRange, ask another peer.
  Fixture c(&env, "/c", o);
  c.Install(H({{1, 0}}));
  c.Write(1, 0, 10, {recs.begin(), recs.begin() + 10});
  c.Write(1, 20, 30, {recs.begin() + 20, recs.begin() + 30});  // hole (10, 20]
  ASSERT_TRUE(c->Coalesce(100, 0).ok());
  ASSERT_TRUE(c->SetHorizon({Epoch(1), Lsn(25)}).ok());
  ASSERT_TRUE(c->CollectGarbage().ok());
  auto r = c->FetchRecords({Epoch(1), kPg, Lsn(0), Lsn(30), 1u << 20});
  if (!r.ok()) EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
}

TEST(SegmentStoreTest, InvalidBatchesAreRejected) {
  MemEnv env;
  Fixture f(&env);
  f.Install(H({{1, 0}}));
  auto recs = Recs(0, 10, 2);
  auto bad = Batch(1, 0, 10, {recs[3], recs[2]});
  EXPECT_EQ(f->AppendBatch(bad).code(), StatusCode::kInvalidArgument);  // out of order
  bad = Batch(1, 0, 5, {recs[7]});
  EXPECT_EQ(f->AppendBatch(bad).code(), StatusCode::kInvalidArgument);  // outside interval
  bad = Batch(1, 0, 10, {Rec(3, 250)});
  EXPECT_EQ(f->AppendBatch(bad).code(), StatusCode::kInvalidArgument);  // PG 2 not listed
  bad = Batch(1, 0, 10, {recs[0]});
  bad.pages_per_pg = 0;
  EXPECT_EQ(f->AppendBatch(bad).code(), StatusCode::kInvalidArgument);  // geometry unknown
  bad = Batch(1, 0, 10, {});
  bad.pgs.clear();
  EXPECT_EQ(f->AppendBatch(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_EQ(f.Scl(), Lsn(0));
  proto::FetchRecordsRequest req{Epoch(1), kPg, Lsn(0), Lsn(10), 1000};
  proto::FetchRecordsResponse resp;
  resp.history = H({{1, 0}});
  resp.covered_to = Lsn(50);  // beyond the request
  EXPECT_FALSE(f->AppendFetched(req, resp).ok());
  resp.covered_to = Lsn(10);
  resp.history = H({{2, 0}});  // diverges
  EXPECT_FALSE(f->AppendFetched(req, resp).ok());
}

TEST(SegmentStoreTest, GarbageOnDiskOrWireIsAnErrorNeverACrash) {
  Random rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string junk(rng.Uniform(200), '\0');
    for (auto& c : junk) c = static_cast<char>(rng.Next());
    if (i % 2 == 0 && !junk.empty()) junk[0] = 1;  // right version byte: deeper parsing
    proto::WriteBatchRequest w;
    proto::FetchRecordsResponse fr;
    proto::ConfigurePgRequest c;
    proto::InstallEpochRequest ie;
    (void)proto::Decode(junk, &w);
    (void)proto::Decode(junk, &fr);
    (void)proto::Decode(junk, &c);
    (void)proto::Decode(junk, &ie);
    FileHeaderFrame h;
    SnapshotFrame s;
    CoverageFrame cf;
    proto::EpochHistory eh;
    (void)DecodeFileHeader(junk, &h);
    (void)DecodeSnapshotFrame(junk, &s);
    (void)DecodeCoverageFrame(junk, &cf);
    (void)DecodeEpochFile(junk, &eh);
  }
  // Whole log files of garbage, and a valid store whose files get random bit flips.
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    MemEnv env(seed);
    {
      Fixture f(&env);
      f.Install(H({{1, 0}}));
      f.Write(1, 0, 40, Recs(0, 40, 3));
    }
    Random r(seed);
    std::string path = "/node/" + LogFileName(1);
    uint64_t size = env.FileSize(path).value();
    for (int k = 0; k < 5; ++k) env.FlipBit(path, r.Uniform(size), static_cast<int>(r.Uniform(8)));
    std::string junk(500, 'x');
    ASSERT_TRUE(env.WriteFileAtomic("/node/" + LogFileName(7), junk).ok());
    auto store = SegmentStore::Open(&env, {"/node"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Lsn scl = (*store)->Scls({kPg}).scls[0].scl;
    auto got = (*store)->GetPage({Epoch(1), kPg, PageId(1), scl});
    // Either a correct page or a clean error; never a crash or a wrong answer.
    if (got.ok()) EXPECT_EQ(got->image, Expected(Recs(0, 40, 3), 1, scl.value()));
  }
}

}  // namespace
}  // namespace nordlys::storage
