// Storage inside the instance on an in-memory volume: bootstrap and reopen, MVCC visibility,
// concurrent writers (wait, re-check, 40001, deadlock), crash without commit, VACUUM, and that
// the writer's cached pages equal what the volume materializes from the redo.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "engine/storage/database.h"
#include "engine/storage/heap.h"
#include "page/heap_page.h"
#include "volume/mem_volume.h"

namespace nordlys::engine::storage {
namespace {

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    db_.reset();
    Status rs;
    vol_.Recover([&](Status s) { rs = s; });
    ASSERT_TRUE(rs.ok()) << rs.ToString();
    auto db = Database::Open(&vol_, DatabaseOptions{.buffer_pool_pages = 64});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  std::unique_ptr<Transaction> Begin(Isolation iso = Isolation::kReadCommitted) {
    auto t = db_->Begin(iso);
    db_->BeginStatement(t.get());
    return t;
  }
  std::vector<std::string> ScanAll(RelId rel, Transaction* t) {
    std::vector<std::string> out;
    auto scan = db_->heap(rel).Scan(t);
    Tid tid;
    std::string data;
    for (;;) {
      auto r = scan->Next(&tid, &data);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok() || !*r) break;
      out.push_back(data);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  RelId NewHeap() {
    auto t = Begin();
    auto rel = db_->CreateHeap(t.get());
    EXPECT_TRUE(rel.ok());
    EXPECT_TRUE(db_->Commit(t.get()).ok());
    return *rel;
  }

  volume::MemVolume vol_;
  std::unique_ptr<Database> db_;
};

TEST_F(StorageTest, FreshVolumeBootstrapsAndReopens) {
  EXPECT_TRUE(db_->bootstrapped());
  RelId catalog = db_->catalog_heap();
  RelId rel = NewHeap();
  auto t = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(t.get(), "row").ok());
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  vol_.CrashAndRecover();
  Open();
  EXPECT_FALSE(db_->bootstrapped());
  EXPECT_EQ(db_->catalog_heap(), catalog);
  auto r = Begin();
  EXPECT_EQ(ScanAll(rel, r.get()), std::vector<std::string>{"row"});
}

TEST_F(StorageTest, SnapshotsSeeOnlyCommittedRows) {
  RelId rel = NewHeap();
  auto w = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(w.get(), "a").ok());
  auto r = Begin();
  EXPECT_TRUE(ScanAll(rel, r.get()).empty());  // not committed
  db_->BeginStatement(w.get());
  EXPECT_EQ(ScanAll(rel, w.get()), std::vector<std::string>{"a"});  // own row, next statement
  auto rr = Begin(Isolation::kRepeatableRead);
  ASSERT_TRUE(db_->Commit(w.get()).ok());
  db_->BeginStatement(r.get());
  EXPECT_EQ(ScanAll(rel, r.get()), std::vector<std::string>{"a"});  // READ COMMITTED: new snapshot
  db_->BeginStatement(rr.get());
  EXPECT_TRUE(ScanAll(rel, rr.get()).empty());  // REPEATABLE READ: the first snapshot
}

TEST_F(StorageTest, StatementDoesNotSeeItsOwnInserts) {
  RelId rel = NewHeap();
  auto t = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(t.get(), "x").ok());
  EXPECT_TRUE(ScanAll(rel, t.get()).empty());
  db_->CommandCounterIncrement(t.get());
  EXPECT_EQ(ScanAll(rel, t.get()).size(), 1u);
}

TEST_F(StorageTest, AbortedAndCrashedTransactionsAreInvisible) {
  RelId rel = NewHeap();
  auto a = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(a.get(), "aborted").ok());
  db_->Abort(a.get());
  auto c = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(c.get(), "committed").ok());
  ASSERT_TRUE(db_->Commit(c.get()).ok());
  auto p = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(p.get(), "in flight").ok());  // durable, never committed
  vol_.CrashAndRecover();
  Open();
  auto r = Begin();
  EXPECT_EQ(ScanAll(rel, r.get()), std::vector<std::string>{"committed"});
}

// Subtransactions: a rolled-back savepoint's rows vanish; the rest, across several subxids (and,
// with enough of them, several status bytes), appear together at commit and survive a crash.
TEST_F(StorageTest, SavepointsRollBackTheirRowsAndCommitTheRestTogether) {
  RelId rel = NewHeap();
  auto w = Begin();
  ASSERT_TRUE(db_->heap(rel).Insert(w.get(), "top").ok());
  std::vector<std::string> kept = {"top"};
  for (int i = 0; i < 9; ++i) {
    db_->Savepoint(w.get(), "s" + std::to_string(i));
    db_->BeginStatement(w.get());
    ASSERT_TRUE(db_->heap(rel).Insert(w.get(), "kept" + std::to_string(i)).ok());
    kept.push_back("kept" + std::to_string(i));
    db_->Savepoint(w.get(), "inner");
    db_->BeginStatement(w.get());
    ASSERT_TRUE(db_->heap(rel).Insert(w.get(), "dropped" + std::to_string(i)).ok());
    ASSERT_TRUE(db_->RollbackToSavepoint(w.get(), "inner").ok());
    ASSERT_TRUE(db_->ReleaseSavepoint(w.get(), "inner").ok());
  }
  EXPECT_EQ(db_->RollbackToSavepoint(w.get(), "nosuch").sqlstate(), "3B001");
  db_->BeginStatement(w.get());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(ScanAll(rel, w.get()), kept);  // its own rows, minus the rolled-back ones
  auto other = Begin();
  EXPECT_TRUE(ScanAll(rel, other.get()).empty());  // nothing before commit
  ASSERT_TRUE(db_->Commit(w.get()).ok());
  auto after = Begin();
  EXPECT_EQ(ScanAll(rel, after.get()), kept);
  vol_.CrashAndRecover();
  Open();
  auto r = Begin();
  EXPECT_EQ(ScanAll(rel, r.get()), kept);
}

TEST_F(StorageTest, ManyRowsSpanPagesAndSurviveEviction) {
  RelId rel = NewHeap();
  auto t = Begin();
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(db_->heap(rel).Insert(t.get(), std::string(100, 'a' + i % 26)).ok());
  }
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto pages = db_->RelationPageCount(rel);
  ASSERT_TRUE(pages.ok());
  EXPECT_GT(*pages, 64u);  // more than the pool holds: pages were evicted and re-read
  auto r = Begin();
  EXPECT_EQ(ScanAll(rel, r.get()).size(), 20000u);
  EXPECT_GT(db_->pool()->misses(), 0u);
}

// Four threads read rows of a heap four times the pool's size at random: hits, misses of the
// same page at once, and evictions race, and every row must still read back as written.
TEST_F(StorageTest, ConcurrentReadersThroughEvictionsSeeEveryRowIntact) {
  RelId rel = NewHeap();
  std::vector<Tid> tids;
  auto t = Begin();
  for (int i = 0; i < 16000; ++i) {
    std::string row = "row-" + std::to_string(i);
    row.resize(120, '.');
    auto tid = db_->heap(rel).Insert(t.get(), row);
    ASSERT_TRUE(tid.ok()) << tid.status().ToString();
    tids.push_back(*tid);
  }
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  ASSERT_GT(*db_->RelationPageCount(rel), 4 * 64u);
  uint64_t misses_before = db_->pool()->misses();
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int w = 0; w < 4; ++w) {
    readers.emplace_back([&, w] {
      auto r = Begin();
      uint64_t x = 0x9e3779b97f4a7c15ull * (w + 1);
      for (int n = 0; n < 3000; ++n) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t i = x % tids.size();
        std::string want = "row-" + std::to_string(i);
        want.resize(120, '.');
        std::string got;
        auto ok = db_->heap(rel).Fetch(r.get(), tids[i], &got);
        if (!ok.ok() || !*ok || got != want) bad++;
      }
    });
  }
  for (auto& th : readers) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(db_->pool()->misses(), misses_before + 1000);
}

TEST_F(StorageTest, ConcurrentUpdateWaitsThenReportsTheNewerVersion) {
  RelId rel = NewHeap();
  auto t = Begin();
  auto tid = db_->heap(rel).Insert(t.get(), "v0");
  ASSERT_TRUE(tid.ok());
  ASSERT_TRUE(db_->Commit(t.get()).ok());

  auto a = Begin();
  Tid a_new;
  auto ra = db_->heap(rel).Update(a.get(), *tid, "v1", &a_new);
  ASSERT_TRUE(ra.ok());
  ASSERT_EQ(ra->outcome, TmOutcome::kOk);

  auto b = Begin();
  std::atomic<bool> b_done{false};
  Result<TmResult> rb = Status::Internal("unset");
  std::thread th([&] {
    Tid nt;
    rb = db_->heap(rel).Update(b.get(), *tid, "v2", &nt);
    b_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(b_done.load());  // waits for a
  ASSERT_TRUE(db_->Commit(a.get()).ok());
  th.join();
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->outcome, TmOutcome::kUpdated);
  EXPECT_EQ(rb->newer, a_new);
  Tid latest;
  std::string data;
  auto fl = db_->heap(rel).FetchLatest(b.get(), *tid, &latest, &data);
  ASSERT_TRUE(fl.ok());
  EXPECT_TRUE(*fl);
  EXPECT_EQ(data, "v1");
  Tid nt;
  auto again = db_->heap(rel).Update(b.get(), latest, "v2", &nt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, TmOutcome::kOk);
  ASSERT_TRUE(db_->Commit(b.get()).ok());
  auto r = Begin();
  EXPECT_EQ(ScanAll(rel, r.get()), std::vector<std::string>{"v2"});
}

TEST_F(StorageTest, RepeatableReadFailsOnConcurrentUpdate) {
  RelId rel = NewHeap();
  auto t = Begin();
  auto tid = db_->heap(rel).Insert(t.get(), "v0");
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto rr = Begin(Isolation::kRepeatableRead);
  auto a = Begin();
  Tid nt;
  ASSERT_TRUE(db_->heap(rel).Update(a.get(), *tid, "v1", &nt).ok());
  ASSERT_TRUE(db_->Commit(a.get()).ok());
  auto r = db_->heap(rel).Update(rr.get(), *tid, "v2", &nt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().sqlstate(), "40001");
}

TEST_F(StorageTest, DeadlockIsDetected) {
  RelId rel = NewHeap();
  auto t = Begin();
  auto x = db_->heap(rel).Insert(t.get(), "x");
  auto y = db_->heap(rel).Insert(t.get(), "y");
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto a = Begin();
  auto b = Begin();
  ASSERT_TRUE(db_->heap(rel).Lock(a.get(), *x, RowLockMode::kForUpdate).ok());
  ASSERT_TRUE(db_->heap(rel).Lock(b.get(), *y, RowLockMode::kForUpdate).ok());
  Result<TmResult> ra = Status::Internal("unset");
  std::thread th([&] { ra = db_->heap(rel).Lock(a.get(), *y, RowLockMode::kForUpdate); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto rb = db_->heap(rel).Lock(b.get(), *x, RowLockMode::kForUpdate);
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.status().sqlstate(), "40P01");
  db_->Abort(b.get());
  th.join();
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  EXPECT_EQ(ra->outcome, TmOutcome::kOk);
  ASSERT_TRUE(db_->Commit(a.get()).ok());
}

TEST_F(StorageTest, CancelStopsAWait) {
  RelId rel = NewHeap();
  auto t = Begin();
  auto x = db_->heap(rel).Insert(t.get(), "x");
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto a = Begin();
  ASSERT_TRUE(db_->heap(rel).Lock(a.get(), *x, RowLockMode::kForUpdate).ok());
  auto b = Begin();
  CancelFlag cancel{0};
  b->cancel = &cancel;
  std::thread th([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cancel = static_cast<uint8_t>(CancelReason::kStatementTimeout);
  });
  auto r = db_->heap(rel).Delete(b.get(), *x);
  th.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().sqlstate(), "57014");
  EXPECT_EQ(r.status().message(), "canceling statement due to statement timeout");
}

TEST_F(StorageTest, DeleteAndVacuumReclaimSpace) {
  RelId rel = NewHeap();
  auto t = Begin();
  std::vector<Tid> tids;
  for (int i = 0; i < 500; ++i) tids.push_back(*db_->heap(rel).Insert(t.get(), std::string(200, 'x')));
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto d = Begin();
  for (size_t i = 0; i < tids.size(); i += 2) {
    auto r = db_->heap(rel).Delete(d.get(), tids[i]);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->outcome, TmOutcome::kOk);
  }
  auto old_reader = Begin();  // its snapshot still sees the deleted rows
  ASSERT_TRUE(db_->Commit(d.get()).ok());
  auto v1 = db_->heap(rel).Vacuum(db_->OldestXmin());
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(*v1, 0u);
  EXPECT_EQ(ScanAll(rel, old_reader.get()).size(), 500u);
  ASSERT_TRUE(db_->Commit(old_reader.get()).ok());
  auto v2 = db_->heap(rel).Vacuum(db_->OldestXmin());
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 250u);
  auto pages_before = *db_->RelationPageCount(rel);
  auto i = Begin();
  for (int k = 0; k < 250; ++k) ASSERT_TRUE(db_->heap(rel).Insert(i.get(), std::string(200, 'y')).ok());
  ASSERT_TRUE(db_->Commit(i.get()).ok());
  EXPECT_EQ(*db_->RelationPageCount(rel), pages_before);  // reused the freed space
  auto r = Begin();
  EXPECT_EQ(ScanAll(rel, r.get()).size(), 500u);
}

TEST_F(StorageTest, CachedPagesEqualWhatTheVolumeMaterializes) {
  RelId rel = NewHeap();
  auto t = Begin();
  std::vector<Tid> tids;
  for (int i = 0; i < 300; ++i) tids.push_back(*db_->heap(rel).Insert(t.get(), std::to_string(i)));
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto u = Begin();
  for (int i = 0; i < 300; i += 3) {
    Tid nt;
    ASSERT_TRUE(db_->heap(rel).Update(u.get(), tids[i], "updated", &nt).ok());
  }
  ASSERT_TRUE(db_->Commit(u.get()).ok());
  uint64_t n = *db_->RelationPageCount(rel);
  for (uint64_t k = 0; k < n; ++k) {
    PageId id = *db_->RelationPage(rel, k);
    auto g = db_->pool()->Fetch(id, LatchMode::kShared);
    ASSERT_TRUE(g.ok());
    page::Page cached = *g->page();
    g->Release();
    page::Page durable;
    vol_.ReadPage(id, vol_.vdl(), [&](Result<page::Page> r) { durable = *r; });
    EXPECT_EQ(cached.view(), durable.view()) << "page " << id.value();
  }
}

TEST_F(StorageTest, HotUpdatesStayOnThePageAndIndexTidsLeadToTheVisibleVersion) {
  RelId rel = NewHeap();
  Heap heap = db_->heap(rel);
  auto t = Begin();
  const Tid head = *heap.Insert(t.get(), "v0");
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto old_reader = Begin();  // sees v0 through the whole test
  Tid cur = head;
  for (int i = 1; i <= 2000; ++i) {
    auto u = Begin();
    std::string data;
    Tid found;
    ASSERT_TRUE(*heap.Fetch(u.get(), head, &data, &found)) << i;  // the index's Tid: the head
    ASSERT_EQ(found, cur);
    ASSERT_EQ(data, "v" + std::to_string(i - 1));
    Tid nt;
    bool hot = false;
    auto r = heap.Update(u.get(), found, "v" + std::to_string(i), &nt, true, &hot);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->outcome, TmOutcome::kOk);
    if (i > 200) ASSERT_TRUE(hot) << "update " << i << " left the page";
    if (hot) ASSERT_EQ(nt.page, head.page);
    cur = nt;
    ASSERT_TRUE(db_->Commit(u.get()).ok());
    if (i == 100) ASSERT_TRUE(db_->Commit(old_reader.get()).ok());  // lets pruning start
    if (i < 100) {
      std::string v0;
      ASSERT_TRUE(*heap.Fetch(old_reader.get(), head, &v0));
      ASSERT_EQ(v0, "v0");
    }
  }
  // Pruning kept the chain on the head's page; the relation did not grow past its first pages.
  EXPECT_LE(*db_->RelationPageCount(rel), 3u);
  auto r = Begin();
  std::string data;
  ASSERT_TRUE(*heap.Fetch(r.get(), head, &data));
  EXPECT_EQ(data, "v2000");
  EXPECT_EQ(ScanAll(rel, r.get()), std::vector<std::string>{"v2000"});
  EXPECT_FALSE(*heap.DeadToAll(head, db_->OldestXmin()));
  Xid w;
  EXPECT_EQ(*heap.LivenessOf(r.get(), head, &w), Heap::Liveness::kLive);
}

TEST_F(StorageTest, VacuumFreesAWholeDeadChainOnlyWhenAsked) {
  RelId rel = NewHeap();
  Heap heap = db_->heap(rel);
  auto t = Begin();
  const Tid head = *heap.Insert(t.get(), "v0");
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  auto u = Begin();
  Tid nt;
  ASSERT_TRUE(heap.Update(u.get(), head, "v1", &nt, true).ok());
  ASSERT_TRUE(db_->Commit(u.get()).ok());
  auto d = Begin();
  std::string data;
  Tid found;
  ASSERT_TRUE(*heap.Fetch(d.get(), head, &data, &found));
  ASSERT_TRUE(heap.Delete(d.get(), found).ok());
  ASSERT_TRUE(db_->Commit(d.get()).ok());
  const Xid horizon = db_->OldestXmin();
  EXPECT_TRUE(*heap.DeadToAll(head, horizon));
  auto removed = heap.Vacuum(horizon);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2u);
  auto r = Begin();
  EXPECT_FALSE(*heap.Fetch(r.get(), head, &data));
}

TEST_F(StorageTest, OneMtrAllocatesManyPagesAcrossExtents) {
  RelId rel = NewHeap();
  {
    Mtr mtr(db_->volume(), db_->pool());
    std::vector<PageGuard> pages;
    pages.reserve(30);  // the Mtr holds pointers to the guards: they must not move
    for (int i = 0; i < 30; ++i) {  // extents of 8 and 16 pages, then a third
      uint64_t index = 0;
      auto id = db_->AllocatePage(rel, &mtr, &index);
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      ASSERT_EQ(index, uint64_t(i));
      auto g = db_->pool()->NewPage(*id);
      ASSERT_TRUE(g.ok());
      pages.push_back(std::move(*g));
      ASSERT_TRUE(mtr.Add(&pages.back(), redo::RecordType::kPageInit,
                          redo::PageInitPayload(uint16_t(page::PageType::kHeap)))
                      .ok());
    }
    ASSERT_TRUE(mtr.Commit().ok());
  }
  EXPECT_EQ(*db_->RelationPageCount(rel), 30u);
  std::set<uint64_t> distinct;
  for (uint64_t i = 0; i < 30; ++i) distinct.insert(db_->RelationPage(rel, i)->value());
  EXPECT_EQ(distinct.size(), 30u);
}

}  // namespace
}  // namespace nordlys::engine::storage
