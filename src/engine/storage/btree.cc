// B-tree index access method (btree.h): descent, inserts with splits, unique checks, scans
// across leaves by right links, RemoveIf and bottom-up BulkLoad. Item conventions are in
// btree_internal.h and docs/formats/btree-page.md.
//
// Locking: the index lock (Database::RelationLock) is held shared by readers and exclusively by
// writers, so a writer sees a tree nobody else changes while it descends, splits and inserts;
// page latches are taken parent before child, left before right. A scan holds the lock only while
// it reads one leaf and remembers (leaf, last key) to resume: splits only move the upper part of
// a page to a new right sibling and pages are never merged or freed, so every entry after the
// last key is on that leaf or to its right. The one exception is page 0, which turns from a leaf
// into an inner page when the root first splits; then the reader descends again.
//
// Page allocation: Database::AllocatePage keeps the relation directory latched in the Mtr it is
// given, so one Mtr can allocate only one page. The common split (one leaf, parent has room)
// allocates its page inside its own Mtr and is atomic with it. A split that needs k > 1 pages
// (cascading up, or the root splitting) allocates k - 1 of them first, each in its own small Mtr
// (AllocateNode), and the last inside the split's Mtr. A crash in between leaves allocated pages
// that nothing references (leaked, like the pages of an aborted CREATE INDEX); the tree itself
// is always whole.
#include "engine/storage/btree.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <shared_mutex>

#include "common/coding.h"
#include "engine/storage/btree_internal.h"
#include "page/btree_page.h"
#include "redo/record.h"

namespace nordlys::engine::storage {

namespace btree_internal {

std::string EncodeChild(PageId child) {
  std::string out;
  PutFixed64(&out, child.value());
  return out;
}

Result<PageId> DecodeChild(std::string_view value) {
  if (value.size() != 8) return Status::Corruption("btree inner item value is not a page id");
  return PageId(DecodeFixed64(value.data()));
}

uint16_t ChildIndex(const page::BtreePage& inner, std::string_view key) {
  const uint16_t i = inner.LowerBound(key);
  if (i < inner.count() && page::CompareKeys(inner.Key(i), key) == 0) return i;
  return i == 0 ? 0 : static_cast<uint16_t>(i - 1);
}

Result<size_t> ChooseSplit(const std::vector<page::BtreeItem>& all, size_t right_high_key_len,
                           bool append) {
  const size_t n = all.size();
  std::vector<size_t> prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    prefix[i + 1] = prefix[i] + ItemBytes(all[i].key.size(), all[i].value.size());
  }
  const double target = append ? 0.9 * kPageCapacity : prefix[n] / 2.0;
  size_t best = 0;
  double best_score = 0;
  for (size_t k = 1; k < n; ++k) {
    const size_t left = prefix[k] + all[k].key.size();  // the separator is the left's high key
    const size_t right = prefix[n] - prefix[k] + right_high_key_len;
    if (left > kPageCapacity || right > kPageCapacity) continue;
    const double score = std::fabs(static_cast<double>(prefix[k]) - target);
    if (best == 0 || score < best_score) {
      best = k;
      best_score = score;
    }
  }
  if (best == 0) return Status::Internal("btree split: no split point fits both halves");
  return best;
}

std::vector<size_t> PackRuns(const std::vector<page::BtreeItem>& items, double fill) {
  std::vector<size_t> starts;
  const double target = fill * kPageCapacity;
  size_t sum = 0, in_run = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t size = ItemBytes(items[i].key.size(), items[i].value.size());
    const size_t next_key = i + 1 < items.size() ? items[i + 1].key.size() : 0;
    // Item i may join the run if the run, closed after it, still fits with its high key (the
    // next item's key). When it may not, the run closes before it: it fit with items[i].key as
    // its high key, checked when its last item joined.
    const bool fits = sum + size + next_key <= kPageCapacity;
    const bool wanted = in_run < 2 || static_cast<double>(sum + size) <= target;
    if (in_run > 0 && !(fits && wanted)) {
      sum = 0;
      in_run = 0;
    }
    if (in_run == 0) starts.push_back(i);
    sum += size;
    ++in_run;
  }
  starts.push_back(items.size());
  return starts;
}

}  // namespace btree_internal

namespace {

namespace bi = btree_internal;
using page::BtreeItem;
using page::BtreePage;
using page::CompareKeys;

constexpr size_t kTidSize = Tid::kEncodedSize;
// Bounds on walks that only a corrupt tree could exceed: tree height and right-link hops
// during one descent.
constexpr int kLevelsMax = 64;
constexpr int kMoveRightMax = 1 << 20;
// Pages one BulkLoad Mtr formats (each stays pinned and latched until its commit).
constexpr size_t kBulkMtrPagesMax = 64;
// Leaf and inner fill of BulkLoad, as PostgreSQL's nbtsort (fillfactor 90, non-leaf 70).
constexpr double kBulkLeafFill = 0.9;
constexpr double kBulkInnerFill = 0.7;
// How often InsertUnique re-checks after waiting for a conflicting inserter.
constexpr int kUniqueRechecksMax = 100000;

Status CheckKeySize(std::string_view user_key) {
  if (user_key.size() + kTidSize > page::kBtreeMaxKey) {
    return Status::Sql(StatusCode::kResourceExhausted, "54000",
                       "index row size " + std::to_string(user_key.size() + kTidSize) +
                           " exceeds maximum " + std::to_string(page::kBtreeMaxKey));
  }
  return Status::OK();
}

std::string StoredKey(std::string_view user_key, Tid tid) {
  std::string k(user_key);
  tid.AppendTo(&k);
  return k;
}

std::string TidValue(Tid tid) {
  std::string v;
  tid.AppendTo(&v);
  return v;
}

Result<PageGuard> FetchNode(Database* db, PageId id, LatchMode mode) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db->pool()->Fetch(id, mode));
  if (g.page()->type() != page::PageType::kBtree) {
    return Status::Corruption("page " + std::to_string(id.value()) + " is not a B-tree page");
  }
  return g;
}

// The root: page 0 of the index relation. Call before latching any page of the index.
Result<PageId> RootOf(Database* db, RelId rel) { return db->RelationPage(rel, 0); }

// A new page of the index, allocated (and logged) in its own Mtr; see the file comment.
Result<PageId> AllocateNode(Database* db, RelId rel) {
  Mtr mtr(db->volume(), db->pool());
  NORDLYS_ASSIGN_OR_RETURN(PageId id, db->AllocatePage(rel, &mtr));
  NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  return id;
}

std::vector<redo::BtreeKv> Kvs(const std::vector<BtreeItem>& items, size_t from, size_t to) {
  std::vector<redo::BtreeKv> out;
  out.reserve(to - from);
  for (size_t i = from; i < to; ++i) out.push_back({items[i].key, items[i].value});
  return out;
}

// Index of the first item after `key` (> key).
uint16_t UpperBound(const BtreePage& bp, std::string_view key) {
  uint16_t i = bp.LowerBound(key);
  if (i < bp.count() && CompareKeys(bp.Key(i), key) == 0) ++i;
  return i;
}

Status CheckChildLevel(PageGuard& child, uint16_t parent_level) {
  if (BtreePage(child.page()).level() + 1 != parent_level) {
    return Status::Corruption("btree page " + std::to_string(child.id().value()) +
                              " is not on the level below its parent");
  }
  return Status::OK();
}

// The leaf whose key range holds `key`, latched in `mode`, with latch coupling (the child is
// latched before the parent is released). REQUIRES: the index lock held.
Result<PageGuard> DescendToLeaf(Database* db, PageId root, std::string_view key, LatchMode mode) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, FetchNode(db, root, mode));
  for (int depth = 0; depth <= kLevelsMax; ++depth) {
    // Lehman & Yao: a key at or above the high key lives further right. Under the index lock
    // no split runs concurrently, so this only matters once locking becomes finer.
    for (int hops = 0;; ++hops) {
      BtreePage bp(g.page());
      if (!bp.has_high_key() || CompareKeys(key, bp.high_key()) < 0 ||
          bp.right_link() == PageId(0)) {
        break;
      }
      if (hops >= kMoveRightMax) return Status::Corruption("btree right-link chain too long");
      NORDLYS_ASSIGN_OR_RETURN(PageGuard right, FetchNode(db, bp.right_link(), mode));
      g = std::move(right);
    }
    BtreePage bp(g.page());
    if (bp.is_leaf()) return g;
    if (bp.count() == 0) return Status::Corruption("btree inner page without items");
    NORDLYS_ASSIGN_OR_RETURN(PageId child, bi::DecodeChild(bp.Value(bi::ChildIndex(bp, key))));
    NORDLYS_ASSIGN_OR_RETURN(PageGuard c, FetchNode(db, child, mode));
    NORDLYS_RETURN_IF_ERROR(CheckChildLevel(c, bp.level()));
    g = std::move(c);
  }
  return Status::Corruption("btree deeper than " + std::to_string(kLevelsMax) + " levels");
}

// Resumes a leaf walk after `key`: the leaf `hint` if it still is a leaf (only page 0 stops
// being one, when the root first splits), else a fresh descent. REQUIRES: the index lock held.
Result<PageGuard> Resume(Database* db, PageId root, PageId hint, std::string_view key,
                         LatchMode mode) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, FetchNode(db, hint, mode));
  if (BtreePage(g.page()).is_leaf()) return g;
  g.Release();
  return DescendToLeaf(db, root, key, mode);
}

// Root-to-leaf path for `key`, every page latched exclusively, path->front() the root.
// REQUIRES: the index lock held exclusively, so nothing moves while we hold the path.
Status DescendForWrite(Database* db, PageId root, std::string_view key,
                       std::vector<PageGuard>* path) {
  path->clear();
  path->reserve(8);
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, FetchNode(db, root, LatchMode::kExclusive));
  path->push_back(std::move(g));
  for (int depth = 0; depth <= kLevelsMax; ++depth) {
    BtreePage bp(path->back().page());
    if (bp.has_high_key() && CompareKeys(key, bp.high_key()) >= 0) {
      // The parent's separators sent us here and nobody else writes: the tree is inconsistent.
      return Status::Corruption("btree key above the high key of page " +
                                std::to_string(path->back().id().value()));
    }
    if (bp.is_leaf()) return Status::OK();
    if (bp.count() == 0) return Status::Corruption("btree inner page without items");
    NORDLYS_ASSIGN_OR_RETURN(PageId child, bi::DecodeChild(bp.Value(bi::ChildIndex(bp, key))));
    NORDLYS_ASSIGN_OR_RETURN(PageGuard c, FetchNode(db, child, LatchMode::kExclusive));
    NORDLYS_RETURN_IF_ERROR(CheckChildLevel(c, bp.level()));
    path->push_back(std::move(c));
  }
  return Status::Corruption("btree deeper than " + std::to_string(kLevelsMax) + " levels");
}

// How many new pages inserting (key, value) at the end of `path` takes: one per non-root page
// that splits, two if the root splits. Mirrors InsertEntry's choices without changing anything.
Result<size_t> PagesNeeded(std::vector<PageGuard>* path, std::string key, size_t value_len) {
  size_t need = 0;
  for (size_t d = path->size(); d-- > 0;) {
    BtreePage bp((*path)[d].page());
    if (bp.Fits(key.size(), value_len)) return need;
    if (d == 0) return need + 2;
    const uint16_t pos = bp.LowerBound(key);
    std::vector<BtreeItem> all = bp.Items();
    const bool append = pos == all.size() && bp.right_link() == PageId(0);
    all.insert(all.begin() + pos, BtreeItem{key, std::string(value_len, '\0')});
    NORDLYS_ASSIGN_OR_RETURN(
        size_t k, bi::ChooseSplit(all, bp.has_high_key() ? bp.high_key().size() : 0, append));
    key = all[k].key;
    value_len = 8;  // a child pointer
    ++need;
  }
  return need;
}

// Inserts one stored entry, splitting as needed: all changes, from the leaf up to the last page
// that had room (or the root, reloaded one level up), in one Mtr. An entry already present is
// left as it is (stored keys are unique, so it is the same entry).
// REQUIRES: the index lock held exclusively.
Status InsertEntry(Database* db, RelId rel, PageId root, std::string key, std::string value) {
  std::vector<PageGuard> path;  // outlives mtr (declared first): the Mtr points into it
  std::deque<PageGuard> fresh;  // pages the splits allocate; deque keeps addresses stable
  NORDLYS_RETURN_IF_ERROR(DescendForWrite(db, root, key, &path));
  {
    BtreePage leaf(path.back().page());
    const uint16_t pos = leaf.LowerBound(key);
    if (pos < leaf.count() && CompareKeys(leaf.Key(pos), key) == 0) return Status::OK();
  }
  NORDLYS_ASSIGN_OR_RETURN(size_t need, PagesNeeded(&path, key, value.size()));
  std::vector<PageId> ids;  // the pages the splits take, in the order they take them
  for (size_t i = 0; i + 1 < need; ++i) {
    NORDLYS_ASSIGN_OR_RETURN(PageId id, AllocateNode(db, rel));
    ids.push_back(id);
  }
  Mtr mtr(db->volume(), db->pool());
  if (need > 0) {
    NORDLYS_ASSIGN_OR_RETURN(PageId id, db->AllocatePage(rel, &mtr));
    ids.push_back(id);
  }
  size_t next_id = 0;
  auto take = [&]() -> Result<PageId> {
    if (next_id >= ids.size()) return Status::Internal("btree split took more pages than planned");
    return ids[next_id++];
  };
  for (size_t d = path.size(); d-- > 0;) {
    PageGuard* g = &path[d];
    BtreePage bp(g->page());
    const uint16_t pos = bp.LowerBound(key);
    if (bp.Fits(key.size(), value.size())) {
      NORDLYS_RETURN_IF_ERROR(
          mtr.Add(g, redo::RecordType::kBtreeInsert, redo::BtreeInsertPayload(pos, key, value)));
      return mtr.Commit().status();
    }
    // Split this page. Copy what the records below change before adding them.
    const uint16_t level = bp.level();
    const PageId old_right = bp.right_link();
    const bool old_has_hk = bp.has_high_key();
    const std::string old_hk(bp.high_key());
    std::vector<BtreeItem> all = bp.Items();
    const bool append = pos == all.size() && old_right == PageId(0);
    all.insert(all.begin() + pos, BtreeItem{key, value});
    NORDLYS_ASSIGN_OR_RETURN(size_t k,
                             bi::ChooseSplit(all, old_has_hk ? old_hk.size() : 0, append));
    const std::string sep = all[k].key;
    if (d == 0) {
      // Root split: both halves move to new pages, the root goes one level up. The root never
      // has a right link or a high key.
      NORDLYS_ASSIGN_OR_RETURN(PageId a, take());
      NORDLYS_ASSIGN_OR_RETURN(PageId b, take());
      NORDLYS_ASSIGN_OR_RETURN(PageGuard ga, db->pool()->NewPage(a));
      fresh.push_back(std::move(ga));
      PageGuard* pa = &fresh.back();
      NORDLYS_ASSIGN_OR_RETURN(PageGuard gb, db->pool()->NewPage(b));
      fresh.push_back(std::move(gb));
      PageGuard* pb = &fresh.back();
      NORDLYS_RETURN_IF_ERROR(mtr.Add(pa, redo::RecordType::kBtreeLoad,
                                      redo::BtreeLoadPayload(level, b, true, sep, Kvs(all, 0, k))));
      NORDLYS_RETURN_IF_ERROR(
          mtr.Add(pb, redo::RecordType::kBtreeLoad,
                  redo::BtreeLoadPayload(level, PageId(0), false, "", Kvs(all, k, all.size()))));
      const std::vector<redo::BtreeKv> top = {{"", bi::EncodeChild(a)}, {sep, bi::EncodeChild(b)}};
      NORDLYS_RETURN_IF_ERROR(mtr.Add(
          g, redo::RecordType::kBtreeLoad,
          redo::BtreeLoadPayload(static_cast<uint16_t>(level + 1), PageId(0), false, "", top)));
      return mtr.Commit().status();
    }
    NORDLYS_ASSIGN_OR_RETURN(PageId r, take());
    NORDLYS_ASSIGN_OR_RETURN(PageGuard gr, db->pool()->NewPage(r));
    fresh.push_back(std::move(gr));
    PageGuard* pr = &fresh.back();
    NORDLYS_RETURN_IF_ERROR(mtr.Add(
        pr, redo::RecordType::kBtreeLoad,
        redo::BtreeLoadPayload(level, old_right, old_has_hk, old_hk, Kvs(all, k, all.size()))));
    if (pos < k) {
      NORDLYS_RETURN_IF_ERROR(
          mtr.Add(g, redo::RecordType::kBtreeTruncate,
                  redo::BtreeTruncatePayload(static_cast<uint16_t>(k - 1), r, sep)));
      NORDLYS_RETURN_IF_ERROR(
          mtr.Add(g, redo::RecordType::kBtreeInsert, redo::BtreeInsertPayload(pos, key, value)));
    } else {
      NORDLYS_RETURN_IF_ERROR(
          mtr.Add(g, redo::RecordType::kBtreeTruncate,
                  redo::BtreeTruncatePayload(static_cast<uint16_t>(k), r, sep)));
    }
    // The parent gets (separator, new page) right after the entry of the page that split.
    key = sep;
    value = bi::EncodeChild(r);
  }
  return Status::Internal("btree insert: the root did not take the separator");
}

// Leaf item i of `bp` (page `id`): its user key (the stored key without the Tid) and Tid.
Status LeafEntry(const BtreePage& bp, uint16_t i, PageId id, std::string_view* user, Tid* tid) {
  const std::string_view key = bp.Key(i);
  const std::string_view value = bp.Value(i);
  if (key.size() < kTidSize || value.size() != kTidSize) {
    return Status::Corruption("btree leaf item malformed on page " + std::to_string(id.value()));
  }
  *user = key.substr(0, key.size() - kTidSize);
  *tid = Tid::Decode(value);
  return Status::OK();
}

// A scan that reads a leaf's worth of entries at a time (Fill) and hands them out one by one.
// Invariants: once done_, nothing after batch_ qualifies.
class BatchedScan : public IndexScan {
 public:
  Result<bool> Next(std::string* user_key, Tid* tid) override {
    while (pos_ >= batch_.size()) {
      if (done_) return false;
      batch_.clear();
      pos_ = 0;
      NORDLYS_RETURN_IF_ERROR(Fill());
    }
    *user_key = std::move(batch_[pos_].first);
    *tid = batch_[pos_].second;
    ++pos_;
    return true;
  }

 protected:
  // Appends the next entries to batch_ (or sets done_).
  virtual Status Fill() = 0;

  bool done_ = false;
  std::vector<std::pair<std::string, Tid>> batch_;

 private:
  size_t pos_ = 0;
};

// Scan state between batches: the leaf it read last and the last stored key it examined there.
// Invariants: batch_ holds entries in key order, all after those returned before; once done_,
// nothing after batch_ qualifies.
class BtreeScan final : public BatchedScan {
 public:
  BtreeScan(Database* db, RelId rel, std::string lower, std::string upper)
      : db_(db), rel_(rel), lower_(std::move(lower)), upper_(std::move(upper)) {}

 private:
  // Reads the entries of the next leaf that has any in range (one leaf per call, under the
  // shared index lock).
  Status Fill() override {
    std::shared_lock lock(db_->RelationLock(rel_));
    NORDLYS_ASSIGN_OR_RETURN(PageId root, RootOf(db_, rel_));
    PageGuard g;
    if (started_) {
      NORDLYS_ASSIGN_OR_RETURN(g, Resume(db_, root, leaf_, resume_, LatchMode::kShared));
    } else {
      NORDLYS_ASSIGN_OR_RETURN(g, DescendToLeaf(db_, root, lower_, LatchMode::kShared));
    }
    for (int hops = 0; hops < kMoveRightMax; ++hops) {
      BtreePage bp(g.page());
      if (!bp.is_leaf()) return Status::Corruption("btree right link leads off the leaf level");
      const uint16_t n = bp.count();
      const uint16_t from = started_ ? UpperBound(bp, resume_) : bp.LowerBound(lower_);
      for (uint16_t i = from; i < n; ++i) {
        std::string_view user;
        Tid tid;
        NORDLYS_RETURN_IF_ERROR(LeafEntry(bp, i, g.id(), &user, &tid));
        if (CompareKeys(user, lower_) < 0) continue;
        if (!upper_.empty() && CompareKeys(user, upper_) >= 0) {
          done_ = true;
          break;
        }
        batch_.emplace_back(std::string(user), tid);
      }
      // Only forward: when this leaf split since we read it, its last key now is below
      // resume_ (the rest moved right) and moving resume_ back would repeat entries.
      if (from < n) {
        resume_ = std::string(bp.Key(static_cast<uint16_t>(n - 1)));
        leaf_ = g.id();
        started_ = true;
      }
      if (done_ || !batch_.empty()) return Status::OK();
      if (bp.right_link() == PageId(0)) {
        done_ = true;
        return Status::OK();
      }
      NORDLYS_ASSIGN_OR_RETURN(PageGuard right,
                               FetchNode(db_, bp.right_link(), LatchMode::kShared));
      g = std::move(right);
    }
    return Status::Corruption("btree leaf chain too long");
  }

  Database* const db_;
  const RelId rel_;
  const std::string lower_;
  const std::string upper_;
  bool started_ = false;  // leaf_ and resume_ are set
  PageId leaf_;
  std::string resume_;
};

// The leaf that holds the greatest stored key below `bound` (any key: bound_inf), latched
// shared, and in *low the lowest key that leaf's range can hold (*low_inf: it is the leftmost
// leaf). Child i of an inner page holds keys in [key(i), key(i+1)), so the child before the
// first key >= bound holds every key in [its key, bound). REQUIRES: the index lock held.
Result<PageGuard> DescendBefore(Database* db, PageId root, std::string_view bound, bool bound_inf,
                                std::string* low, bool* low_inf) {
  *low_inf = true;
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, FetchNode(db, root, LatchMode::kShared));
  for (int depth = 0; depth <= kLevelsMax; ++depth) {
    BtreePage bp(g.page());
    if (bp.is_leaf()) return g;
    if (bp.count() == 0) return Status::Corruption("btree inner page without items");
    const uint16_t first_not_below = bound_inf ? bp.count() : bp.LowerBound(bound);
    const uint16_t child = first_not_below == 0 ? 0 : static_cast<uint16_t>(first_not_below - 1);
    if (child > 0) {
      *low = std::string(bp.Key(child));
      *low_inf = false;
    }
    NORDLYS_ASSIGN_OR_RETURN(PageId id, bi::DecodeChild(bp.Value(child)));
    NORDLYS_ASSIGN_OR_RETURN(PageGuard c, FetchNode(db, id, LatchMode::kShared));
    NORDLYS_RETURN_IF_ERROR(CheckChildLevel(c, bp.level()));
    g = std::move(c);
  }
  return Status::Corruption("btree deeper than " + std::to_string(kLevelsMax) + " levels");
}

// Descending scan. Without left links each batch descends afresh to the leaf holding the
// greatest key below the smallest key returned so far (bound_), so splits between batches
// cannot make it skip or repeat an entry.
// Invariants: batch_ holds entries in descending key order, all below those returned before;
// once done_, nothing after batch_ qualifies. Bounds are user-key prefixes (key_encoding.h is
// prefix-free per column), so a stored key is below `upper` exactly when its user key is.
class BtreeBackwardScan final : public BatchedScan {
 public:
  BtreeBackwardScan(Database* db, RelId rel, std::string lower, std::string upper)
      : db_(db), rel_(rel), lower_(std::move(lower)), upper_(std::move(upper)),
        bound_(upper_), bound_inf_(upper_.empty()) {}

 private:
  Status Fill() override {
    std::shared_lock lock(db_->RelationLock(rel_));
    NORDLYS_ASSIGN_OR_RETURN(PageId root, RootOf(db_, rel_));
    for (int leaves = 0; leaves < kMoveRightMax; ++leaves) {
      std::string low;
      bool low_inf = true;
      NORDLYS_ASSIGN_OR_RETURN(PageGuard g, DescendBefore(db_, root, bound_, bound_inf_, &low, &low_inf));
      BtreePage bp(g.page());
      const uint16_t end = bound_inf_ ? bp.count() : bp.LowerBound(bound_);
      for (uint16_t i = end; i-- > 0;) {
        std::string_view user;
        Tid tid;
        NORDLYS_RETURN_IF_ERROR(LeafEntry(bp, i, g.id(), &user, &tid));
        if (!upper_.empty() && CompareKeys(user, upper_) >= 0) continue;
        if (CompareKeys(user, lower_) < 0) {
          done_ = true;
          break;
        }
        batch_.emplace_back(std::string(user), tid);
      }
      if (end > 0) {
        bound_ = std::string(bp.Key(0));
      } else if (low_inf) {
        done_ = true;
      } else {
        bound_ = std::move(low);  // nothing below bound_ here: continue in the leaf before
      }
      bound_inf_ = false;
      if (done_ || !batch_.empty()) return Status::OK();
    }
    return Status::Corruption("btree: too many empty leaves in a row");
  }

  Database* const db_;
  const RelId rel_;
  const std::string lower_;
  const std::string upper_;
  std::string bound_;  // every entry still to return is below this stored key
  bool bound_inf_;
};

// Scans that fail report the error on the first Next().
class FailedScan final : public IndexScan {
 public:
  explicit FailedScan(Status s) : s_(std::move(s)) {}
  Result<bool> Next(std::string*, Tid*) override { return s_; }

 private:
  Status s_;
};

}  // namespace

Status BtreeIndex::InitRoot(Transaction*) {
  std::unique_lock lock(db_->RelationLock(rel_));
  PageGuard g;  // outlives mtr
  Mtr mtr(db_->volume(), db_->pool());
  uint64_t index = 0;
  NORDLYS_ASSIGN_OR_RETURN(PageId id, db_->AllocatePage(rel_, &mtr, &index));
  if (index != 0) return Status::Internal("btree InitRoot on an index that already has pages");
  NORDLYS_ASSIGN_OR_RETURN(g, db_->pool()->NewPage(id));
  NORDLYS_RETURN_IF_ERROR(mtr.Add(&g, redo::RecordType::kBtreeLoad,
                                  redo::BtreeLoadPayload(0, PageId(0), false, "", {})));
  return mtr.Commit().status();
}

Status BtreeIndex::Insert(Transaction*, std::string_view user_key, Tid tid) {
  NORDLYS_RETURN_IF_ERROR(CheckKeySize(user_key));
  std::unique_lock lock(db_->RelationLock(rel_));
  NORDLYS_ASSIGN_OR_RETURN(PageId root, RootOf(db_, rel_));
  return InsertEntry(db_, rel_, root, StoredKey(user_key, tid), TidValue(tid));
}

Status BtreeIndex::InsertUnique(Transaction* txn, Heap heap, std::string_view user_key, Tid tid) {
  NORDLYS_RETURN_IF_ERROR(CheckKeySize(user_key));
  for (int round = 0; round < kUniqueRechecksMax; ++round) {
    std::unique_lock lock(db_->RelationLock(rel_));
    NORDLYS_ASSIGN_OR_RETURN(PageId root, RootOf(db_, rel_));
    // Every entry whose stored key starts with user_key is contiguous; the ones whose user key
    // is exactly user_key are those of length user_key + Tid.
    std::vector<Tid> others;
    {
      NORDLYS_ASSIGN_OR_RETURN(PageGuard g, DescendToLeaf(db_, root, user_key, LatchMode::kShared));
      bool past = false;
      for (int hops = 0; !past; ++hops) {
        if (hops >= kMoveRightMax) return Status::Corruption("btree leaf chain too long");
        BtreePage bp(g.page());
        for (uint16_t i = bp.LowerBound(user_key); i < bp.count(); ++i) {
          const std::string_view key = bp.Key(i);
          if (key.substr(0, user_key.size()) != user_key) {
            past = true;
            break;
          }
          if (key.size() != user_key.size() + kTidSize) continue;
          const Tid t = Tid::Decode(key.substr(user_key.size()));
          if (t != tid) others.push_back(t);
        }
        if (past || bp.right_link() == PageId(0)) break;
        NORDLYS_ASSIGN_OR_RETURN(PageGuard right,
                                 FetchNode(db_, bp.right_link(), LatchMode::kShared));
        g = std::move(right);
      }
    }
    // Latches released; the exclusive index lock still keeps other inserters of this key out.
    Xid wait_for;
    bool must_wait = false;
    for (const Tid& t : others) {
      Xid xid;
      NORDLYS_ASSIGN_OR_RETURN(Heap::Liveness live, heap.LivenessOf(txn, t, &xid));
      if (live == Heap::Liveness::kLive) {
        return Status::AlreadyExists("duplicate key value violates unique constraint");
      }
      if (live == Heap::Liveness::kInProgress && !must_wait) {
        must_wait = true;
        wait_for = xid;
      }
    }
    if (!must_wait) return InsertEntry(db_, rel_, root, StoredKey(user_key, tid), TidValue(tid));
    lock.unlock();
    NORDLYS_RETURN_IF_ERROR(db_->EnsureXid(txn).status());  // so the wait joins deadlock detection
    NORDLYS_RETURN_IF_ERROR(db_->WaitForXid(txn, wait_for));
  }
  return Status::Internal("btree unique check: too many waits for conflicting inserters");
}

std::unique_ptr<IndexScan> BtreeIndex::Scan(std::string lower, std::string upper) {
  return std::make_unique<BtreeScan>(db_, rel_, std::move(lower), std::move(upper));
}

std::unique_ptr<IndexScan> BtreeIndex::ScanBackward(std::string lower, std::string upper) {
  return std::make_unique<BtreeBackwardScan>(db_, rel_, std::move(lower), std::move(upper));
}

Result<uint64_t> BtreeIndex::RemoveIf(const std::function<Result<bool>(Tid)>& dead) {
  uint64_t removed = 0;
  bool started = false;  // leaf and resume are set
  PageId leaf;
  std::string resume;
  // One leaf per round, each under the exclusive lock, removed in one Mtr of one page.
  for (uint64_t round = 0;; ++round) {
    std::unique_lock lock(db_->RelationLock(rel_));
    NORDLYS_ASSIGN_OR_RETURN(PageId root, RootOf(db_, rel_));
    PageGuard g;  // outlives mtr
    if (started) {
      NORDLYS_ASSIGN_OR_RETURN(g, Resume(db_, root, leaf, resume, LatchMode::kExclusive));
    } else {
      NORDLYS_ASSIGN_OR_RETURN(g, DescendToLeaf(db_, root, "", LatchMode::kExclusive));
    }
    for (int hops = 0;; ++hops) {
      if (hops >= kMoveRightMax) return Status::Corruption("btree leaf chain too long");
      BtreePage bp(g.page());
      if (!bp.is_leaf()) return Status::Corruption("btree right link leads off the leaf level");
      const uint16_t n = bp.count();
      const uint16_t from = started ? UpperBound(bp, resume) : 0;
      if (from < n) break;
      if (bp.right_link() == PageId(0)) return removed;
      NORDLYS_ASSIGN_OR_RETURN(PageGuard right,
                               FetchNode(db_, bp.right_link(), LatchMode::kExclusive));
      g = std::move(right);
    }
    BtreePage bp(g.page());
    const uint16_t n = bp.count();
    std::vector<uint16_t> victims;
    for (uint16_t i = started ? UpperBound(bp, resume) : 0; i < n; ++i) {
      if (bp.Value(i).size() != kTidSize) {
        return Status::Corruption("btree leaf item malformed on page " +
                                  std::to_string(g.id().value()));
      }
      NORDLYS_ASSIGN_OR_RETURN(bool is_dead, dead(Tid::Decode(bp.Value(i))));
      if (is_dead) victims.push_back(i);
    }
    resume = std::string(bp.Key(static_cast<uint16_t>(n - 1)));
    leaf = g.id();
    started = true;
    const bool last = bp.right_link() == PageId(0);
    if (!victims.empty()) {
      Mtr mtr(db_->volume(), db_->pool());
      // Highest index first, so the lower indexes stay where they were.
      for (auto it = victims.rbegin(); it != victims.rend(); ++it) {
        NORDLYS_RETURN_IF_ERROR(
            mtr.Add(&g, redo::RecordType::kBtreeRemove, redo::BtreeRemovePayload(*it)));
      }
      NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
      removed += victims.size();
    }
    if (last) return removed;
  }
}

Status BtreeIndex::BulkLoad(Transaction*, std::vector<std::pair<std::string, Tid>> sorted) {
  std::unique_lock lock(db_->RelationLock(rel_));
  NORDLYS_ASSIGN_OR_RETURN(PageId root, RootOf(db_, rel_));
  {
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, FetchNode(db_, root, LatchMode::kShared));
    BtreePage bp(g.page());
    if (!bp.is_leaf() || bp.count() != 0) {
      return Status::InvalidArgument("btree BulkLoad into an index that is not empty");
    }
  }
  std::vector<BtreeItem> items;
  items.reserve(sorted.size());
  for (auto& [user_key, tid] : sorted) {
    NORDLYS_RETURN_IF_ERROR(CheckKeySize(user_key));
    BtreeItem item{StoredKey(user_key, tid), TidValue(tid)};
    if (!items.empty() && CompareKeys(items.back().key, item.key) >= 0) {
      return Status::InvalidArgument(
          "btree BulkLoad: entries not sorted by (key, tid) or repeated");
    }
    items.push_back(std::move(item));
    std::string().swap(user_key);
  }
  sorted.clear();
  // Pages per Mtr: bounded, and small against the pool since each stays pinned until commit.
  const size_t chunk = std::max<size_t>(1, std::min(kBulkMtrPagesMax, db_->pool()->capacity() / 4));
  for (uint16_t level = 0; level <= kLevelsMax; ++level) {
    size_t bytes = 0;
    for (const BtreeItem& it : items) bytes += bi::ItemBytes(it.key.size(), it.value.size());
    if (bytes <= bi::kPageCapacity) {
      PageGuard g;  // outlives mtr
      Mtr mtr(db_->volume(), db_->pool());
      NORDLYS_ASSIGN_OR_RETURN(g, FetchNode(db_, root, LatchMode::kExclusive));
      NORDLYS_RETURN_IF_ERROR(mtr.Add(
          &g, redo::RecordType::kBtreeLoad,
          redo::BtreeLoadPayload(level, PageId(0), false, "", Kvs(items, 0, items.size()))));
      return mtr.Commit().status();
    }
    const std::vector<size_t> starts =
        bi::PackRuns(items, level == 0 ? kBulkLeafFill : kBulkInnerFill);
    const size_t pages = starts.size() - 1;
    std::vector<PageId> ids;
    ids.reserve(pages);
    for (size_t i = 0; i < pages; ++i) {
      NORDLYS_ASSIGN_OR_RETURN(PageId id, AllocateNode(db_, rel_));
      ids.push_back(id);
    }
    for (size_t first = 0; first < pages; first += chunk) {
      std::deque<PageGuard> guards;  // outlives mtr
      Mtr mtr(db_->volume(), db_->pool());
      for (size_t i = first; i < std::min(pages, first + chunk); ++i) {
        NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->NewPage(ids[i]));
        guards.push_back(std::move(g));
        const bool has_next = i + 1 < pages;
        const std::string_view hk = has_next ? std::string_view(items[starts[i + 1]].key) : "";
        NORDLYS_RETURN_IF_ERROR(
            mtr.Add(&guards.back(), redo::RecordType::kBtreeLoad,
                    redo::BtreeLoadPayload(level, has_next ? ids[i + 1] : PageId(0), has_next, hk,
                                           Kvs(items, starts[i], starts[i + 1]))));
      }
      NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
    }
    // The level above: one item per page, keyed by the page's first key (-infinity for the
    // leftmost page of the level).
    std::vector<BtreeItem> parents;
    parents.reserve(pages);
    for (size_t i = 0; i < pages; ++i) {
      parents.push_back({i == 0 ? std::string() : items[starts[i]].key, bi::EncodeChild(ids[i])});
    }
    items = std::move(parents);
  }
  return Status::Internal("btree BulkLoad: too many levels");
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xff) s.pop_back();
  if (!s.empty()) s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
  return s;
}

}  // namespace nordlys::engine::storage
