// B-tree on an in-memory volume: random inserts with many splits checked against a std::set and
// a full structural walk (key ranges, high keys, right links, levels), bounded scans,
// duplicates, RemoveIf, BulkLoad, unique checks that wait for an in-progress inserter, scans
// that resume across concurrent splits, concurrent readers and writers, and that every index
// page the writer caches equals the page the volume materializes from the redo.
#include "engine/storage/btree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "engine/storage/btree_internal.h"
#include "engine/storage/database.h"
#include "engine/storage/heap.h"
#include "page/btree_page.h"
#include "volume/mem_volume.h"

namespace nordlys::engine::storage {
namespace {

using Entry = std::pair<std::string, Tid>;
namespace bi = btree_internal;

Tid T(uint64_t n) { return Tid{PageId(1000 + n / 50), static_cast<uint16_t>(n % 50)}; }

// Fixed-width keys (so no key is a prefix of another, as key_encoding.h guarantees) whose
// order is n's order; `width` pads them to make pages hold fewer items and the tree taller.
std::string Key(uint64_t n, size_t width = 16) {
  std::string k;
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  k.resize(std::max<size_t>(width, 8), static_cast<char>('a' + n % 26));
  return k;
}

class BtreeTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(4096); }
  void Open(size_t pool_pages) {
    db_.reset();
    Status rs;
    vol_.Recover([&](Status s) { rs = s; });
    ASSERT_TRUE(rs.ok()) << rs.ToString();
    auto db = Database::Open(&vol_, DatabaseOptions{.buffer_pool_pages = pool_pages});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  std::unique_ptr<Transaction> Begin() {
    auto t = db_->Begin(Isolation::kReadCommitted);
    db_->BeginStatement(t.get());
    return t;
  }
  RelId NewIndex() {
    auto t = Begin();
    auto rel = db_->CreateIndex(t.get());
    EXPECT_TRUE(rel.ok()) << rel.status().ToString();
    EXPECT_TRUE(db_->Commit(t.get()).ok());
    return *rel;
  }
  std::vector<Entry> ScanRange(RelId rel, std::string lower, std::string upper, bool backward = false) {
    std::vector<Entry> out;
    BtreeIndex idx = db_->index(rel);
    auto scan = backward ? idx.ScanBackward(std::move(lower), std::move(upper)) : idx.Scan(std::move(lower), std::move(upper));
    std::string k;
    Tid tid;
    for (;;) {
      auto r = scan->Next(&k, &tid);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok() || !*r) break;
      out.emplace_back(k, tid);
    }
    return out;
  }
  std::vector<Entry> ScanAll(RelId rel) { return ScanRange(rel, "", ""); }
  std::vector<Entry> ScanRangeBackward(RelId rel, std::string lower, std::string upper) {
    return ScanRange(rel, std::move(lower), std::move(upper), /*backward=*/true);
  }

  page::Page ReadCached(PageId id) {
    auto g = db_->pool()->Fetch(id, LatchMode::kShared);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return *g->page();
  }

  // Walks the whole tree from the root: every page validates, keys lie in [low, high) of the
  // page's slot in its parent, each page's high key is the next separator, right links join
  // the pages of a level left to right, levels go down by one. Returns the root's level and
  // fills *leaf_entries in leaf-chain order.
  int CheckTree(RelId rel, std::vector<Entry>* leaf_entries) {
    PageId root = *db_->RelationPage(rel, 0);
    page::Page rp = ReadCached(root);
    page::BtreePage rb(&rp);
    EXPECT_FALSE(rb.has_high_key());
    EXPECT_EQ(rb.right_link(), PageId(0));
    std::vector<PageId> level_pages{root};
    int root_level = rb.level();
    tree_pages_ = 0;
    for (int level = root_level; level >= 0; --level) {
      std::vector<PageId> next;
      std::string prev_high;  // high key of the previous page on this level
      tree_pages_ += level_pages.size();
      for (size_t i = 0; i < level_pages.size(); ++i) {
        page::Page p = ReadCached(level_pages[i]);
        page::BtreePage b(&p);
        EXPECT_TRUE(b.Validate().ok()) << "page " << level_pages[i].value();
        EXPECT_EQ(b.level(), level);
        const bool last = i + 1 == level_pages.size();
        EXPECT_EQ(b.right_link(), last ? PageId(0) : level_pages[i + 1]);
        EXPECT_EQ(b.has_high_key(), !last);
        for (uint16_t j = 0; j < b.count(); ++j) {
          std::string_view k = b.Key(j);
          if (i > 0 && !(level > 0 && j == 0 && k.empty())) {
            EXPECT_GE(page::CompareKeys(k, prev_high), 0) << "key below its page's low bound";
          }
          if (b.has_high_key()) {
            EXPECT_LT(page::CompareKeys(k, b.high_key()), 0);
          }
          if (level > 0) {
            next.push_back(*bi::DecodeChild(b.Value(j)));
            if (j > 0 || i > 0) {
              // The separator of a child equals the previous child's high key.
              page::Page c = ReadCached(next[next.size() - 2]);
              page::BtreePage cb(&c);
              EXPECT_TRUE(cb.has_high_key());
              EXPECT_EQ(cb.high_key(), k);
            }
          } else {
            EXPECT_EQ(k.substr(k.size() - Tid::kEncodedSize), b.Value(j));
            leaf_entries->emplace_back(std::string(k.substr(0, k.size() - Tid::kEncodedSize)),
                                       Tid::Decode(b.Value(j)));
          }
        }
        if (level > 0) {
          EXPECT_GT(b.count(), 0);
        }
        prev_high = std::string(b.high_key());
      }
      level_pages = next;
    }
    return root_level;
  }

  // Every page of the index as cached by this writer equals the page the volume materializes
  // from the redo at its VDL (MemVolume is durable on return, so all are durable).
  void ExpectCachedEqualsMaterialized(RelId rel) {
    const uint64_t n = *db_->RelationPageCount(rel);
    ASSERT_GT(n, 0u);
    for (uint64_t k = 0; k < n; ++k) {
      PageId id = *db_->RelationPage(rel, k);
      page::Page cached = ReadCached(id);
      page::Page durable;
      bool got = false;
      vol_.ReadPage(id, vol_.vdl(), [&](Result<page::Page> r) {
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        durable = *r;
        got = true;
      });
      ASSERT_TRUE(got);
      EXPECT_EQ(cached.type(), page::PageType::kBtree) << "page " << id.value();
      EXPECT_EQ(cached.lsn(), durable.lsn()) << "page " << id.value();
      EXPECT_TRUE(cached.view() == durable.view()) << "page " << id.value();
    }
  }

  // Every page the index allocated is in the tree (no page leaks without a crash).
  void ExpectNoLeakedPages(RelId rel) {
    std::vector<Entry> leaves;
    CheckTree(rel, &leaves);
    EXPECT_EQ(tree_pages_, *db_->RelationPageCount(rel));
  }

  volume::MemVolume vol_;
  std::unique_ptr<Database> db_;
  size_t tree_pages_ = 0;  // pages the last CheckTree visited
};

TEST(BtreeHelpersTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(std::string("ab\xff\xff", 4)), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("\x01\xff", 2)), "\x02");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixSuccessor(""), "");
  // Greater than every extension of the prefix, and the smallest such string among these.
  const std::string p("a\x7f", 2);
  EXPECT_GT(page::CompareKeys(PrefixSuccessor(p), p + std::string(100, '\xff')), 0);
}

TEST(BtreeHelpersTest, SplitPointsFitAndBalance) {
  std::vector<page::BtreeItem> all;
  for (int i = 0; i < 60; ++i)
    all.push_back({std::string(120, static_cast<char>('A' + i % 50)) + std::to_string(100 + i),
                   "0123456789"});
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.key < b.key; });
  auto k = bi::ChooseSplit(all, 0, false);
  ASSERT_TRUE(k.ok());
  EXPECT_NEAR(static_cast<double>(*k), 30.0, 1.0);
  auto ka = bi::ChooseSplit(all, 0, true);
  ASSERT_TRUE(ka.ok());
  EXPECT_GT(*ka, 45u);  // ascending inserts leave the left page about 90% full
  // Maximal keys: still a split point where both halves fit.
  std::vector<page::BtreeItem> big;
  for (int i = 0; i < 4; ++i)
    big.push_back({std::string(page::kBtreeMaxKey - 1, 'a') + char('a' + i), ""});
  auto kb = bi::ChooseSplit(big, page::kBtreeMaxKey, false);
  ASSERT_TRUE(kb.ok());
  EXPECT_EQ(*kb, 2u);
  // PackRuns: every run fits with its high key and holds at least two items.
  std::vector<page::BtreeItem> many;
  for (int i = 0; i < 5000; ++i) many.push_back({Key(i, 1 + (i * 37) % 1900), "0123456789"});
  std::vector<size_t> starts = bi::PackRuns(many, 0.9);
  ASSERT_GE(starts.size(), 3u);
  for (size_t r = 0; r + 1 < starts.size(); ++r) {
    size_t bytes = 0;
    for (size_t i = starts[r]; i < starts[r + 1]; ++i)
      bytes += bi::ItemBytes(many[i].key.size(), 10);
    if (starts[r + 1] < many.size()) bytes += many[starts[r + 1]].key.size();
    EXPECT_LE(bytes, bi::kPageCapacity);
    EXPECT_GE(starts[r + 1] - starts[r], 2u);
  }
}

TEST_F(BtreeTest, EmptyIndexScansNothingAndRejectsHugeKeys) {
  RelId rel = NewIndex();
  EXPECT_TRUE(ScanAll(rel).empty());
  auto t = Begin();
  Status s = db_->index(rel).Insert(t.get(), std::string(page::kBtreeMaxKey, 'x'), T(1));
  EXPECT_EQ(s.sqlstate(), "54000");
  ASSERT_TRUE(db_->index(rel)
                  .Insert(t.get(), std::string(page::kBtreeMaxKey - Tid::kEncodedSize, 'x'), T(1))
                  .ok());
  EXPECT_EQ(ScanAll(rel).size(), 1u);
}

TEST_F(BtreeTest, RandomInsertsSplitIntoSeveralLevelsAndScanInOrder) {
  Open(64);  // a small pool: pages are evicted and read back from the volume
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  std::vector<uint64_t> order(20000);
  for (size_t i = 0; i < order.size(); ++i) order[i] = i * 3;  // gaps for bound tests
  std::mt19937_64 rng(42);
  std::shuffle(order.begin(), order.end(), rng);
  std::set<Entry> want;
  for (uint64_t n : order) {
    // Wide keys (300 bytes) make ~25 items a page: four levels.
    ASSERT_TRUE(idx.Insert(t.get(), Key(n, 300), T(n)).ok());
    want.emplace(Key(n, 300), T(n));
  }
  std::vector<Entry> leaves;
  EXPECT_GE(CheckTree(rel, &leaves), 3);
  EXPECT_EQ(leaves, std::vector<Entry>(want.begin(), want.end()));
  EXPECT_EQ(ScanAll(rel), std::vector<Entry>(want.begin(), want.end()));
  // Bounded scans: lower inclusive, upper exclusive, bounds on and between keys.
  for (int i = 0; i < 200; ++i) {
    uint64_t a = rng() % 61000, b = a + rng() % 3000;
    std::string lo = Key(a, 300), hi = Key(b, 300);
    if (i % 3 == 0) lo = lo.substr(0, 8);  // a prefix bound
    std::vector<Entry> expect;
    for (auto it = want.lower_bound({lo, Tid{}}); it != want.end() && it->first < hi; ++it) {
      expect.push_back(*it);
    }
    ASSERT_EQ(ScanRange(rel, lo, hi), expect) << a << ".." << b;
  }
  // Exclusive lower / inclusive upper through PrefixSuccessor.
  std::vector<Entry> got =
      ScanRange(rel, PrefixSuccessor(Key(300, 300)), PrefixSuccessor(Key(600, 300)));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().first, Key(303, 300));
  EXPECT_EQ(got.back().first, Key(600, 300));
  EXPECT_EQ(got.size(), 100u);
  ExpectCachedEqualsMaterialized(rel);
  ExpectNoLeakedPages(rel);
}

TEST_F(BtreeTest, AscendingAndDescendingInsertsKeepPagesFull) {
  RelId asc = NewIndex(), desc = NewIndex();
  auto t = Begin();
  const int kN = 20000;
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE(db_->index(asc).Insert(t.get(), Key(i), T(i)).ok());
    ASSERT_TRUE(db_->index(desc).Insert(t.get(), Key(kN - i), T(i)).ok());
  }
  std::vector<Entry> a, d;
  CheckTree(asc, &a);
  CheckTree(desc, &d);
  EXPECT_EQ(a.size(), static_cast<size_t>(kN));
  EXPECT_EQ(d.size(), static_cast<size_t>(kN));
  // 40-byte items: ~200 fit a page. Ascending splits leave ~90% full pages, so far fewer
  // pages than the ~50% that balanced splits give for this pattern.
  EXPECT_LT(*db_->RelationPageCount(asc), static_cast<uint64_t>(kN / 200 * 1.25 + 5));
  EXPECT_LT(*db_->RelationPageCount(desc), static_cast<uint64_t>(kN / 100 * 1.1 + 5));
}

TEST_F(BtreeTest, DuplicatesSortByTidAndSpanLeaves) {
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  std::vector<uint64_t> ns(3000);
  for (size_t i = 0; i < ns.size(); ++i) ns[i] = i;
  std::shuffle(ns.begin(), ns.end(), std::mt19937_64(5));
  for (uint64_t n : ns) {
    ASSERT_TRUE(idx.Insert(t.get(), "dup-key", T(n)).ok());
    ASSERT_TRUE(idx.Insert(t.get(), n % 2 ? "dup-kex" : "dup-kez", T(n)).ok());
  }
  ASSERT_TRUE(idx.Insert(t.get(), "dup-key", T(7)).ok());  // the same entry again: no-op
  std::vector<Entry> got = ScanRange(db_->index(rel).id(), "dup-key", PrefixSuccessor("dup-key"));
  ASSERT_EQ(got.size(), 3000u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, "dup-key");
    EXPECT_EQ(got[i].second, T(i));
  }
  std::vector<Entry> leaves;
  EXPECT_GE(CheckTree(rel, &leaves), 1);
  EXPECT_EQ(leaves.size(), 6000u);
}

TEST_F(BtreeTest, RemoveIfRemovesExactlyTheMatchingEntries) {
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  std::set<Entry> want;
  for (uint64_t n = 0; n < 8000; ++n) {
    uint64_t k = (n * 7919) % 8000;
    ASSERT_TRUE(idx.Insert(t.get(), Key(k), T(k)).ok());
    want.emplace(Key(k), T(k));
  }
  uint64_t calls = 0;
  auto removed = idx.RemoveIf([&](Tid tid) -> Result<bool> {
    ++calls;
    return tid.slot % 3 == 0;
  });
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(calls, 8000u);  // each entry asked once
  uint64_t expect_removed = 0;
  for (auto it = want.begin(); it != want.end();) {
    if (it->second.slot % 3 == 0) {
      it = want.erase(it);
      ++expect_removed;
    } else {
      ++it;
    }
  }
  EXPECT_EQ(*removed, expect_removed);
  EXPECT_EQ(ScanAll(rel), std::vector<Entry>(want.begin(), want.end()));
  // An error from the predicate stops the walk and is returned.
  auto err = idx.RemoveIf([](Tid) -> Result<bool> { return Status::IoError("heap unreadable"); });
  EXPECT_EQ(err.status().code(), StatusCode::kIoError);
  // Removing everything leaves a tree that takes inserts again (removed keys included).
  ASSERT_EQ(*idx.RemoveIf([](Tid) -> Result<bool> { return true; }), want.size());
  EXPECT_TRUE(ScanAll(rel).empty());
  for (uint64_t n = 0; n < 3000; ++n) ASSERT_TRUE(idx.Insert(t.get(), Key(n), T(n)).ok());
  std::vector<Entry> leaves;
  CheckTree(rel, &leaves);
  EXPECT_EQ(leaves.size(), 3000u);
  ExpectCachedEqualsMaterialized(rel);
}

TEST_F(BtreeTest, BulkLoadBuildsLevelsThenTakesInserts) {
  Open(64);  // Mtrs of BulkLoad must stay well below the pool (their pages stay pinned)
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  std::set<Entry> want;
  std::vector<Entry> sorted;
  for (uint64_t n = 0; n < 60000; n += 2) sorted.emplace_back(Key(n, 40), T(n));
  want.insert(sorted.begin(), sorted.end());
  ASSERT_TRUE(idx.BulkLoad(t.get(), sorted).ok());
  std::vector<Entry> leaves;
  EXPECT_GE(CheckTree(rel, &leaves), 2);
  EXPECT_EQ(leaves, std::vector<Entry>(want.begin(), want.end()));
  // Not empty any more.
  EXPECT_FALSE(idx.BulkLoad(t.get(), {{Key(1), T(1)}}).ok());
  std::mt19937_64 rng(9);
  for (int i = 0; i < 5000; ++i) {
    uint64_t n = rng() % 60000;
    ASSERT_TRUE(idx.Insert(t.get(), Key(n, 40), T(n)).ok());
    want.emplace(Key(n, 40), T(n));
  }
  leaves.clear();
  CheckTree(rel, &leaves);
  EXPECT_EQ(leaves, std::vector<Entry>(want.begin(), want.end()));
  EXPECT_EQ(ScanAll(rel), std::vector<Entry>(want.begin(), want.end()));
  ExpectCachedEqualsMaterialized(rel);
  ExpectNoLeakedPages(rel);
}

TEST_F(BtreeTest, BulkLoadSmallAndRejectsUnsortedInput) {
  RelId small = NewIndex(), bad = NewIndex(), dup = NewIndex();
  auto t = Begin();
  std::vector<Entry> few = {{"a", T(1)}, {"a", T(2)}, {"b", T(0)}};
  ASSERT_TRUE(db_->index(small).BulkLoad(t.get(), few).ok());
  EXPECT_EQ(ScanAll(small), few);
  std::vector<Entry> leaves;
  EXPECT_EQ(CheckTree(small, &leaves), 0);  // fits in the root leaf
  EXPECT_EQ(db_->index(bad).BulkLoad(t.get(), {{"b", T(1)}, {"a", T(2)}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->index(dup).BulkLoad(t.get(), {{"a", T(1)}, {"a", T(1)}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(ScanAll(bad).empty());
  EXPECT_TRUE(db_->index(bad).Insert(t.get(), "z", T(3)).ok());
  EXPECT_EQ(ScanAll(bad).size(), 1u);
}

TEST_F(BtreeTest, ContentSurvivesACrashAndRestart) {
  RelId rel = NewIndex();
  auto t = Begin();
  for (uint64_t n = 0; n < 5000; ++n) {
    ASSERT_TRUE(db_->index(rel).Insert(t.get(), Key((n * 31) % 5000, 64), T(n)).ok());
  }
  ASSERT_TRUE(db_->Commit(t.get()).ok());
  std::vector<Entry> before = ScanAll(rel);
  vol_.CrashAndRecover();
  Open(64);
  EXPECT_EQ(ScanAll(rel), before);
  std::vector<Entry> leaves;
  CheckTree(rel, &leaves);
  EXPECT_EQ(leaves, before);
}

TEST_F(BtreeTest, AFencedWriterFailsSplitsWithoutLeavingUnloggedPages) {
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  uint64_t n = 0;
  // Fill the root leaf to the brim, so that the next insert must split it.
  for (;; ++n) {
    page::Page root = ReadCached(*db_->RelationPage(rel, 0));
    if (!page::BtreePage(&root).Fits(Key(n).size() + Tid::kEncodedSize, Tid::kEncodedSize)) break;
    ASSERT_TRUE(idx.Insert(t.get(), Key(n), T(n)).ok());
  }
  const page::Page before = ReadCached(*db_->RelationPage(rel, 0));
  vol_.Fence();
  Status s = idx.Insert(t.get(), Key(n), T(n));
  EXPECT_TRUE(s.IsFenced()) << s.ToString();
  // No change that failed to be logged stays visible: every index page the pool serves is the
  // logged version, and the root is as it was before the failed split.
  ExpectCachedEqualsMaterialized(rel);
  EXPECT_TRUE(ReadCached(*db_->RelationPage(rel, 0)).view() == before.view());
  std::vector<Entry> leaves;
  EXPECT_EQ(CheckTree(rel, &leaves), 0);
  EXPECT_EQ(leaves.size(), n);
}

class BtreeUniqueTest : public BtreeTest {
 protected:
  // A heap row for `key`, inserted by txn, indexed uniquely.
  Status InsertRow(Transaction* txn, const std::string& key, Tid* tid) {
    auto r = db_->heap(heap_).Insert(txn, key);
    if (!r.ok()) return r.status();
    *tid = *r;
    return db_->index(index_).InsertUnique(txn, db_->heap(heap_), key, *tid);
  }
  void SetUp() override {
    BtreeTest::SetUp();
    auto t = Begin();
    heap_ = *db_->CreateHeap(t.get());
    index_ = *db_->CreateIndex(t.get());
    ASSERT_TRUE(db_->Commit(t.get()).ok());
  }
  RelId heap_, index_;
};

TEST_F(BtreeUniqueTest, LiveDuplicateFailsDeadOneDoesNot) {
  auto a = Begin();
  Tid ta;
  ASSERT_TRUE(InsertRow(a.get(), "k1", &ta).ok());
  // The same transaction's own row is live to it.
  Tid tb;
  EXPECT_EQ(InsertRow(a.get(), "k1", &tb).code(), StatusCode::kAlreadyExists);
  // Re-checking the row's own entry is not a conflict.
  EXPECT_TRUE(db_->index(index_).InsertUnique(a.get(), db_->heap(heap_), "k1", ta).ok());
  ASSERT_TRUE(db_->Commit(a.get()).ok());
  auto b = Begin();
  EXPECT_EQ(InsertRow(b.get(), "k1", &tb).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(InsertRow(b.get(), "k2", &tb).ok());
  db_->Abort(b.get());
  // k2's row is dead (aborted): its entry stays in the index but does not conflict.
  auto c = Begin();
  Tid tc;
  EXPECT_TRUE(InsertRow(c.get(), "k2", &tc).ok());
  ASSERT_TRUE(db_->Commit(c.get()).ok());
  // A deleted (committed) row does not conflict either.
  auto d = Begin();
  ASSERT_TRUE(db_->heap(heap_).Delete(d.get(), ta).ok());
  ASSERT_TRUE(db_->Commit(d.get()).ok());
  auto e = Begin();
  Tid te;
  EXPECT_TRUE(InsertRow(e.get(), "k1", &te).ok());
  ASSERT_TRUE(db_->Commit(e.get()).ok());
  EXPECT_EQ(ScanRange(index_, "k1", PrefixSuccessor("k1")).size(), 2u);  // ta (deleted), te
}

TEST_F(BtreeUniqueTest, WaitsForAnInProgressInserterThenFailsIfItCommits) {
  for (bool commit : {true, false}) {
    const std::string key = commit ? "c" : "a";
    auto a = Begin();
    Tid ta;
    ASSERT_TRUE(InsertRow(a.get(), key, &ta).ok());
    auto b = Begin();
    std::atomic<bool> b_done{false};
    Status sb = Status::Internal("unset");
    std::thread th([&] {
      Tid tb;
      sb = InsertRow(b.get(), key, &tb);
      b_done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    EXPECT_FALSE(b_done.load());  // waiting for a
    // The index is not locked while b waits: readers and other inserters proceed.
    EXPECT_EQ(ScanRange(index_, key, PrefixSuccessor(key)).size(), 1u);
    auto other = Begin();
    Tid to;
    EXPECT_TRUE(InsertRow(other.get(), key + "-other", &to).ok());
    ASSERT_TRUE(db_->Commit(other.get()).ok());
    if (commit) {
      ASSERT_TRUE(db_->Commit(a.get()).ok());
    } else {
      db_->Abort(a.get());
    }
    th.join();
    if (commit) {
      EXPECT_EQ(sb.code(), StatusCode::kAlreadyExists) << sb.ToString();
      db_->Abort(b.get());
    } else {
      EXPECT_TRUE(sb.ok()) << sb.ToString();
      ASSERT_TRUE(db_->Commit(b.get()).ok());
    }
  }
}

TEST_F(BtreeTest, ScanResumesAcrossSplitsMadeBetweenItsCalls) {
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  // Start with a single root leaf, so the scan's first leaf is the root, which then splits.
  for (uint64_t n = 0; n < 150; ++n) ASSERT_TRUE(idx.Insert(t.get(), Key(n * 1000), T(n)).ok());
  auto scan = idx.Scan("", "");
  std::string k;
  Tid tid;
  std::vector<Entry> seen;
  std::mt19937_64 rng(3);
  for (;;) {
    auto r = scan->Next(&k, &tid);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!*r) break;
    seen.emplace_back(k, tid);
    // Between calls: inserts all over the key space, mostly below the scan position, so the
    // leaf the scan is on splits and its last entries move to a new right sibling.
    for (int i = 0; i < 40; ++i) {
      uint64_t n = rng() % (seen.size() * 1000 + 2000);
      ASSERT_TRUE(idx.Insert(t.get(), Key(n), T(1000 + seen.size() * 40 + i)).ok());
    }
  }
  // Entries come once each, in order; every entry present when the scan began is returned.
  // (Entries inserted while it runs may or may not be: the scan reads a leaf at a time.)
  EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end(), std::greater_equal<Entry>()) ==
              seen.end());
  std::set<Entry> seen_set(seen.begin(), seen.end());
  for (uint64_t n = 0; n < 150; ++n) EXPECT_TRUE(seen_set.count({Key(n * 1000), T(n)})) << n;
  std::vector<Entry> leaves;
  EXPECT_GE(CheckTree(rel, &leaves), 1);
  EXPECT_GT(leaves.size(), seen.size() * 10);
}

TEST_F(BtreeTest, ScanDoesNotRepeatEntriesWhenItsLeafSplitsBetweenBatches) {
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  for (uint64_t n = 0; n < 1000; ++n) ASSERT_TRUE(idx.Insert(t.get(), Key(n * 10), T(n)).ok());
  // The scan reads the leftmost leaf (not the root) as its first batch.
  page::Page root = ReadCached(*db_->RelationPage(rel, 0));
  ASSERT_GT(page::BtreePage(&root).level(), 0);
  page::Page first = ReadCached(*bi::DecodeChild(page::BtreePage(&root).Value(0)));
  const size_t batch = page::BtreePage(&first).count();
  auto scan = idx.Scan("", "");
  std::vector<Entry> seen;
  std::string k;
  Tid tid;
  for (size_t i = 0; i < batch; ++i) {
    ASSERT_TRUE(*scan->Next(&k, &tid));
    seen.emplace_back(k, tid);
  }
  // Fill the gaps of that leaf: it splits and its last entries move to a new right sibling.
  for (uint64_t n = 0; n + 1 < batch; ++n) {
    ASSERT_TRUE(idx.Insert(t.get(), Key(n * 10 + 5), T(5000 + n)).ok());
  }
  for (;;) {
    auto r = scan->Next(&k, &tid);
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    seen.emplace_back(k, tid);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end(), std::greater_equal<Entry>()) ==
              seen.end());
}

// Descending scans return exactly the forward scan's entries reversed, over a tree of several
// levels with emptied leaves (removed runs of keys), and resume correctly across splits made
// between their calls.
TEST_F(BtreeTest, BackwardScansMatchTheModelAndResumeAcrossSplits) {
  Open(64);
  RelId rel = NewIndex();
  BtreeIndex idx = db_->index(rel);
  auto t = Begin();
  std::set<Entry> want;
  std::vector<uint64_t> order(6000);
  for (size_t i = 0; i < order.size(); ++i) order[i] = i * 3;
  std::mt19937_64 rng(7);
  std::shuffle(order.begin(), order.end(), rng);
  for (uint64_t n : order) {
    ASSERT_TRUE(idx.Insert(t.get(), Key(n, 300), T(n)).ok());
    want.emplace(Key(n, 300), T(n));
  }
  // Empty whole leaves in the middle: keys 3000..6000 (several leaves' worth) go away.
  auto InRemovedRun = [](Tid tid) { return tid.page.value() >= T(3000).page.value() && tid.page.value() < T(6000).page.value(); };
  ASSERT_TRUE(idx.RemoveIf([&](Tid tid) -> Result<bool> { return InRemovedRun(tid); }).ok());
  for (auto it = want.begin(); it != want.end();) {
    it = InRemovedRun(it->second) ? want.erase(it) : std::next(it);
  }
  std::vector<Entry> all(want.begin(), want.end());
  EXPECT_EQ(ScanRangeBackward(rel, "", ""), std::vector<Entry>(all.rbegin(), all.rend()));
  for (int i = 0; i < 150; ++i) {
    uint64_t a = rng() % 19000, b = a + rng() % 7000;
    std::string lo = Key(a, 300), hi = Key(b, 300);
    if (i % 3 == 0) hi = PrefixSuccessor(hi.substr(0, 8));  // a prefix bound
    if (i % 5 == 0) lo = "";
    if (i % 7 == 0) hi = "";
    std::vector<Entry> forward = ScanRange(rel, lo, hi);
    ASSERT_EQ(ScanRangeBackward(rel, lo, hi), std::vector<Entry>(forward.rbegin(), forward.rend())) << a << ".." << b;
  }
  // Splits between calls: every entry present at the start comes once, in descending order.
  auto scan = idx.ScanBackward("", "");
  std::vector<Entry> seen;
  std::string k;
  Tid tid;
  for (;;) {
    auto r = scan->Next(&k, &tid);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!*r) break;
    seen.emplace_back(k, tid);
    if (seen.size() % 10 == 0) {
      for (int j = 0; j < 20; ++j) {
        uint64_t n = rng() % 18000;
        ASSERT_TRUE(idx.Insert(t.get(), Key(n, 300), T(100000 + seen.size() * 20 + j)).ok());
      }
    }
  }
  EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end(), std::less_equal<Entry>()) == seen.end());
  std::set<Entry> seen_set(seen.begin(), seen.end());
  for (const auto& e : want) EXPECT_TRUE(seen_set.count(e)) << e.second.slot;
}

TEST_F(BtreeTest, ConcurrentReadersAndWriters) {
  RelId rel = NewIndex();
  constexpr int kWriters = 2, kPerWriter = 6000;
  std::atomic<int> writers_done{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto t = db_->Begin(Isolation::kReadCommitted);
      std::mt19937_64 rng(w);
      for (int i = 0; i < kPerWriter && !failed; ++i) {
        uint64_t n = (rng() % 1000000) * kWriters + w;  // disjoint key sets
        Status s = db_->index(rel).Insert(t.get(), Key(n), T(n));
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failed = true;
        }
      }
      writers_done++;
    });
  }
  std::atomic<int> scans{0};
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      size_t last_count = 0;
      while (writers_done.load() < kWriters && !failed) {
        auto scan = db_->index(rel).Scan("", "");
        std::string k, prev;
        Tid tid;
        size_t count = 0;
        for (;;) {
          auto res = scan->Next(&k, &tid);
          if (!res.ok()) {
            ADD_FAILURE() << res.status().ToString();
            failed = true;
            return;
          }
          if (!*res) break;
          if (count > 0 && k < prev) {
            ADD_FAILURE() << "scan out of order at " << count << ": "
                          << testing::PrintToString(prev.substr(0, 8)) << " then "
                          << testing::PrintToString(k.substr(0, 8));
            failed = true;
            return;
          }
          prev = k;
          ++count;
        }
        // Inserts only: a later scan sees at least what an earlier one saw before it began.
        if (count < last_count) {
          ADD_FAILURE() << "scan lost entries: " << count << " < " << last_count;
          failed = true;
        }
        last_count = count;
        scans++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(scans.load(), 0);
  std::vector<Entry> leaves;
  CheckTree(rel, &leaves);
  std::set<Entry> distinct(leaves.begin(), leaves.end());
  EXPECT_EQ(ScanAll(rel).size(), distinct.size());
  EXPECT_TRUE(std::is_sorted(leaves.begin(), leaves.end()));
  ExpectCachedEqualsMaterialized(rel);
}

}  // namespace
}  // namespace nordlys::engine::storage
