#include "engine/storage/heap.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "common/assert.h"
#include "engine/storage/database_internal.h"
#include "page/heap_page.h"

namespace nordlys::engine::storage {

namespace {

using page::HeapPage;
using page::TupleHeader;

uint16_t Cmin(const TupleHeader& h) { return static_cast<uint16_t>(h.cids & 0xffff); }
uint16_t Cmax(const TupleHeader& h) { return static_cast<uint16_t>(h.cids >> 16); }

Status SerializationFailure() {
  return Status::Sql(StatusCode::kAborted, "40001",
                     "could not serialize access due to concurrent update");
}

// Is the version with header h visible to txn's snapshot and current command?
Result<bool> Visible(Database* db, Transaction* txn, const TupleHeader& h) {
  if (h.infomask & page::kRedirect) return false;
  const Xid xmin(h.xmin);
  const uint32_t cid = txn->command_id();
  if (txn->IsOwn(xmin)) {
    if (Cmin(h) >= cid) return false;  // inserted by this statement or a later one
  } else {
    if (!txn->snapshot().Finished(xmin)) return false;
    NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(xmin));
    if (st != XidStatus::kCommitted) return false;
  }
  if (h.xmax == 0 || (h.infomask & page::kXmaxLockOnly)) return true;
  const Xid xmax(h.xmax);
  if (txn->IsOwn(xmax)) return Cmax(h) >= cid;  // deleted by a later command: still visible
  if (!txn->snapshot().Finished(xmax)) return true;
  NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(xmax));
  return st != XidStatus::kCommitted;
}

Status AddSetHeader(Mtr* mtr, PageGuard* g, uint16_t slot, const TupleHeader& h) {
  return mtr->Add(g, redo::RecordType::kHeapSetHeader,
                  redo::HeapSetHeaderPayload(slot, page::EncodeTupleHeader(h)));
}

// Where an xmax stands for a writer that wants the row.
enum class XmaxState { kFree, kMine, kWait, kCommittedChange };

Result<XmaxState> ClassifyXmax(Database* db, Transaction* txn, const TupleHeader& h) {
  if (h.xmax == 0) return XmaxState::kFree;
  const Xid xmax(h.xmax);
  if (txn->IsOwn(xmax)) {
    return (h.infomask & page::kXmaxLockOnly) ? XmaxState::kFree : XmaxState::kMine;
  }
  NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(xmax));
  if (st == XidStatus::kInProgress) return XmaxState::kWait;
  if (st == XidStatus::kAborted || (h.infomask & page::kXmaxLockOnly)) return XmaxState::kFree;
  return XmaxState::kCommittedChange;
}

}  // namespace

Status PrunePage(Database* db, PageGuard* g, Xid horizon, bool free_dead_heads,
                 uint64_t* removed);

namespace {

class HeapScanImpl final : public HeapScan {
 public:
  HeapScanImpl(Database* db, RelId rel, Transaction* txn) : db_(db), rel_(rel), txn_(txn) {}

  Result<bool> Next(Tid* tid, std::string* data) override {
    if (!started_) {
      started_ = true;
      NORDLYS_ASSIGN_OR_RETURN(pages_, db_->RelationPageCount(rel_));
    }
    while (pos_ >= batch_.size()) {
      if (next_page_ >= pages_) {
        db_->relation_state(rel_)->estimated_rows.store(seen_, std::memory_order_relaxed);
        return false;
      }
      NORDLYS_RETURN_IF_ERROR(LoadPage(next_page_++));
    }
    *tid = batch_[pos_].first;
    *data = std::move(batch_[pos_].second);
    ++pos_;
    ++seen_;
    return true;
  }

 private:
  // Copies the visible tuples of one page, so no latch is held between calls.
  Status LoadPage(uint64_t index) {
    batch_.clear();
    pos_ = 0;
    NORDLYS_ASSIGN_OR_RETURN(PageId id, db_->RelationPage(rel_, index));
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(id, LatchMode::kShared));
    if (g.page()->type() != page::PageType::kHeap) {
      return Status::Corruption(fmt::format("page {} of heap {} is not a heap page", id.value(),
                                            rel_.value()));
    }
    HeapPage hp(g.page());
    for (uint16_t s = 0; s < hp.slot_count(); ++s) {
      auto t = hp.Tuple(s);
      if (!t) continue;
      NORDLYS_ASSIGN_OR_RETURN(bool vis, Visible(db_, txn_, HeapPage::ReadHeader(*t)));
      if (vis) batch_.emplace_back(Tid{id, s}, std::string(HeapPage::Data(*t)));
    }
    return Status::OK();
  }

  Database* db_;
  RelId rel_;
  Transaction* txn_;
  bool started_ = false;
  uint64_t pages_ = 0;
  uint64_t next_page_ = 0;
  uint64_t seen_ = 0;
  std::vector<std::pair<Tid, std::string>> batch_;
  size_t pos_ = 0;
};

}  // namespace

Result<Tid> Heap::Insert(Transaction* txn, std::string_view data) {
  NORDLYS_ASSIGN_OR_RETURN(Xid xid, db_->EnsureXid(txn));
  const size_t size = page::kTupleHeaderSize + data.size();
  if (size > page::kMaxTupleSize - page::kLinePointerSize) {
    return Status::Sql(StatusCode::kInvalidArgument, "54000",
                       fmt::format("row is too big: size {}, maximum size {}", size,
                                   page::kMaxTupleSize - page::kLinePointerSize));
  }
  TupleHeader h;
  h.xmin = xid.value();
  h.cids = txn->command_id();
  RelationState* rs = db_->relation_state(rel_);
  for (int attempt = 0;; ++attempt) {
    NORDLYS_ASSERT(attempt < 1'000'000);
    // Pick a page the free-space map says has room.
    uint64_t index = UINT64_MAX;
    {
      std::lock_guard lock(rs->fsm_mu);
      if (!rs->fsm_loaded) {
        NORDLYS_ASSIGN_OR_RETURN(uint64_t n, db_->RelationPageCount(rel_));
        rs->free_bytes.assign(n, 0);
        if (n > 0) rs->free_bytes[n - 1] = page::kPageSize;  // unknown: try it
        rs->insert_hint = n > 0 ? n - 1 : 0;
        rs->fsm_loaded = true;
      }
      const uint64_t n = rs->free_bytes.size();
      for (uint64_t k = 0; k < n; ++k) {
        const uint64_t i = (rs->insert_hint + k) % n;
        if (rs->free_bytes[i] >= size + page::kLinePointerSize) {
          index = i;
          break;
        }
      }
    }
    Mtr mtr(db_->volume(), db_->pool());
    PageGuard g;
    uint64_t new_index = 0;
    if (index != UINT64_MAX) {
      NORDLYS_ASSIGN_OR_RETURN(PageId id, db_->RelationPage(rel_, index));
      NORDLYS_ASSIGN_OR_RETURN(g, db_->pool()->Fetch(id, LatchMode::kExclusive));
      HeapPage hp(g.page());
      if (!hp.Fits(size)) {
        std::lock_guard lock(rs->fsm_mu);
        rs->free_bytes[index] = static_cast<uint16_t>(hp.FreeSpace());
        if (rs->free_bytes[index] >= size + page::kLinePointerSize) rs->free_bytes[index] = 0;
        continue;
      }
    } else {
      NORDLYS_ASSIGN_OR_RETURN(PageId id, db_->AllocatePage(rel_, &mtr, &new_index));
      NORDLYS_ASSIGN_OR_RETURN(g, db_->pool()->NewPage(id));
      NORDLYS_RETURN_IF_ERROR(mtr.Add(&g, redo::RecordType::kPageInit,
                                      redo::PageInitPayload(uint16_t(page::PageType::kHeap))));
    }
    HeapPage hp(g.page());
    const uint16_t slot = hp.NextSlot();
    if (slot >= page::kMaxHeapSlots) {  // the page is out of line pointers
      std::lock_guard lock(rs->fsm_mu);
      if (index != UINT64_MAX) rs->free_bytes[index] = 0;
      if (index != UINT64_MAX) continue;
    }
    h.next_page = g.id();
    h.next_slot = slot;
    std::string tuple = page::EncodeTupleHeader(h);
    tuple.append(data);
    NORDLYS_RETURN_IF_ERROR(
        mtr.Add(&g, redo::RecordType::kHeapInsert, redo::HeapInsertPayload(slot, tuple)));
    NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
    const uint16_t left = static_cast<uint16_t>(hp.FreeSpace());
    {
      std::lock_guard lock(rs->fsm_mu);
      if (index == UINT64_MAX) {
        index = new_index;
        if (rs->free_bytes.size() <= index) rs->free_bytes.resize(index + 1, 0);
      }
      rs->free_bytes[index] = left;
      rs->insert_hint = index;
    }
    return Tid{g.id(), slot};
  }
}

std::unique_ptr<HeapScan> Heap::Scan(Transaction* txn) {
  return std::make_unique<HeapScanImpl>(db_, rel_, txn);
}

// The next member of a HOT chain on the same page after the version with header h, or -1.
static int HotNext(const HeapPage& hp, Tid at, const TupleHeader& h) {
  if (!(h.infomask & (page::kHotUpdated | page::kRedirect))) return -1;
  if (h.next_page != at.page || h.next_slot == at.slot || h.next_slot >= hp.slot_count()) return -1;
  return h.next_slot;
}

Result<bool> Heap::Fetch(Transaction* txn, Tid tid, std::string* data, Tid* found) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(tid.page, LatchMode::kShared));
  if (g.page()->type() != page::PageType::kHeap) return false;
  HeapPage hp(g.page());
  for (uint16_t hops = 0; hops <= hp.slot_count(); ++hops) {
    auto t = hp.Tuple(tid.slot);
    if (!t) return false;
    const TupleHeader h = HeapPage::ReadHeader(*t);
    NORDLYS_ASSIGN_OR_RETURN(bool vis, Visible(db_, txn, h));
    if (vis) {
      data->assign(HeapPage::Data(*t));
      if (found != nullptr) *found = tid;
      return true;
    }
    const int next = HotNext(hp, tid, h);
    if (next < 0) return false;
    tid.slot = static_cast<uint16_t>(next);
  }
  return Status::Corruption(fmt::format("HOT chain loop on page {}", tid.page.value()));
}

Result<bool> Heap::FetchLatest(Transaction* txn, Tid tid, Tid* latest, std::string* data) {
  for (int hops = 0;; ++hops) {
    NORDLYS_ASSERT(hops < 10'000'000);
    TupleHeader h;
    {
      NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(tid.page, LatchMode::kShared));
      HeapPage hp(g.page());
      auto t = hp.Tuple(tid.slot);
      if (!t) return false;
      h = HeapPage::ReadHeader(*t);
      if (h.infomask & page::kRedirect) {
        // A pruned chain head (an index entry's Tid): the chain goes on at its target.
        const int next = HotNext(hp, tid, h);
        if (next < 0) return false;
        tid.slot = static_cast<uint16_t>(next);
        continue;
      }
      NORDLYS_ASSIGN_OR_RETURN(XmaxState st, ClassifyXmax(db_, txn, h));
      if (st == XmaxState::kFree) {
        *latest = tid;
        data->assign(HeapPage::Data(*t));
        return true;
      }
      if (st == XmaxState::kWait) {
        g.Release();
        NORDLYS_RETURN_IF_ERROR(db_->WaitForXid(txn, Xid(h.xmax)));
        continue;
      }
    }
    // Changed by a committed transaction or by us: follow an update, stop at a delete.
    if (!(h.infomask & page::kUpdated)) return false;
    tid = Tid{h.next_page, h.next_slot};
  }
}

// Takes the row at `tid` for a change by txn: waits out other writers, then returns kOk with
// the page latched exclusively in *g and the current header in *h, or the reason it can't.
static Result<TmResult> Acquire(Database* db, Transaction* txn, Tid tid, PageGuard* g,
                                TupleHeader* h) {
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(*g, db->pool()->Fetch(tid.page, LatchMode::kExclusive));
    HeapPage hp(g->page());
    auto t = hp.Tuple(tid.slot);
    if (!t) return TmResult{TmOutcome::kDeleted, {}};
    *h = HeapPage::ReadHeader(*t);
    NORDLYS_ASSIGN_OR_RETURN(XmaxState st, ClassifyXmax(db, txn, *h));
    switch (st) {
      case XmaxState::kFree:
        return TmResult{TmOutcome::kOk, {}};
      case XmaxState::kMine:
        return TmResult{TmOutcome::kSelfModified, {}};
      case XmaxState::kWait: {
        g->Release();
        NORDLYS_RETURN_IF_ERROR(db->WaitForXid(txn, Xid(h->xmax)));
        continue;
      }
      case XmaxState::kCommittedChange:
        if (txn->isolation() == Isolation::kRepeatableRead) return SerializationFailure();
        if (h->infomask & page::kUpdated) {
          return TmResult{TmOutcome::kUpdated, Tid{h->next_page, h->next_slot}};
        }
        return TmResult{TmOutcome::kDeleted, {}};
    }
  }
}

Result<TmResult> Heap::Update(Transaction* txn, Tid tid, std::string_view data, Tid* new_tid,
                              bool hot_allowed, bool* hot) {
  if (hot != nullptr) *hot = false;
  NORDLYS_ASSIGN_OR_RETURN(Xid xid, db_->EnsureXid(txn));
  const uint32_t cid = txn->command_id();
  PageGuard g;
  TupleHeader h;
  NORDLYS_ASSIGN_OR_RETURN(TmResult r, Acquire(db_, txn, tid, &g, &h));
  if (r.outcome != TmOutcome::kOk) return r;
  const size_t size = page::kTupleHeaderSize + data.size();
  HeapPage hp(g.page());
  auto fits = [&] { return hp.Fits(size) && hp.NextSlot() < page::kMaxHeapSlots; };
  if (hot_allowed && !fits()) {
    // Make room the way PostgreSQL's opportunistic pruning does: drop dead heap-only versions
    // and turn dead chain heads into redirects. No index entry can point at what goes.
    uint64_t pruned = 0;
    NORDLYS_RETURN_IF_ERROR(PrunePage(db_, &g, db_->OldestXmin(), false, &pruned));
    auto t = hp.Tuple(tid.slot);
    NORDLYS_ASSERT(t.has_value());  // we hold its page latch and it is not dead
    h = HeapPage::ReadHeader(*t);
  }
  if (fits()) {
    // Both versions on one page: one Mtr.
    Mtr mtr(db_->volume(), db_->pool());
    const uint16_t slot = hp.NextSlot();
    TupleHeader nh;
    nh.xmin = xid.value();
    nh.next_page = tid.page;
    nh.next_slot = slot;
    nh.cids = cid;
    nh.infomask = hot_allowed ? page::kHeapOnly : 0;
    std::string tuple = page::EncodeTupleHeader(nh);
    tuple.append(data);
    NORDLYS_RETURN_IF_ERROR(
        mtr.Add(&g, redo::RecordType::kHeapInsert, redo::HeapInsertPayload(slot, tuple)));
    h.xmax = xid.value();
    h.infomask = static_cast<uint16_t>(page::kUpdated | (hot_allowed ? page::kHotUpdated : 0) |
                                       (h.infomask & page::kHeapOnly));
    h.next_page = tid.page;
    h.next_slot = slot;
    h.cids = (h.cids & 0xffff) | (cid << 16);
    NORDLYS_RETURN_IF_ERROR(AddSetHeader(&mtr, &g, tid.slot, h));
    NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
    *new_tid = Tid{tid.page, slot};
    if (hot != nullptr) *hot = hot_allowed;
    return TmResult{};
  }
  // The new version goes to another page. Lock the old one first (xmax = us, lock only) so no
  // one else can change it while we hold no latch on it; we never hold two heap latches.
  {
    Mtr mtr(db_->volume(), db_->pool());
    TupleHeader lock = h;
    lock.xmax = xid.value();
    lock.infomask = static_cast<uint16_t>(page::kXmaxLockOnly | (h.infomask & page::kHeapOnly));
    NORDLYS_RETURN_IF_ERROR(AddSetHeader(&mtr, &g, tid.slot, lock));
    NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
    g.Release();
  }
  NORDLYS_ASSIGN_OR_RETURN(Tid nt, Insert(txn, data));
  NORDLYS_ASSIGN_OR_RETURN(g, db_->pool()->Fetch(tid.page, LatchMode::kExclusive));
  HeapPage hp2(g.page());
  auto t = hp2.Tuple(tid.slot);
  NORDLYS_ASSERT(t.has_value());  // we hold its row lock, so VACUUM cannot have pruned it
  h = HeapPage::ReadHeader(*t);
  Mtr mtr(db_->volume(), db_->pool());
  h.xmax = xid.value();
  h.infomask = static_cast<uint16_t>(page::kUpdated | (h.infomask & page::kHeapOnly));
  h.next_page = nt.page;
  h.next_slot = nt.slot;
  h.cids = (h.cids & 0xffff) | (cid << 16);
  NORDLYS_RETURN_IF_ERROR(AddSetHeader(&mtr, &g, tid.slot, h));
  NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  *new_tid = nt;
  return TmResult{};
}

Result<TmResult> Heap::Delete(Transaction* txn, Tid tid) {
  NORDLYS_ASSIGN_OR_RETURN(Xid xid, db_->EnsureXid(txn));
  PageGuard g;
  TupleHeader h;
  NORDLYS_ASSIGN_OR_RETURN(TmResult r, Acquire(db_, txn, tid, &g, &h));
  if (r.outcome != TmOutcome::kOk) return r;
  Mtr mtr(db_->volume(), db_->pool());
  h.xmax = xid.value();
  h.infomask = static_cast<uint16_t>(h.infomask & page::kHeapOnly);
  h.next_page = tid.page;
  h.next_slot = tid.slot;
  h.cids = (h.cids & 0xffff) | (txn->command_id() << 16);
  NORDLYS_RETURN_IF_ERROR(AddSetHeader(&mtr, &g, tid.slot, h));
  NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  return TmResult{};
}

Result<TmResult> Heap::Lock(Transaction* txn, Tid tid, RowLockMode mode) {
  // FOR SHARE takes the same exclusive row lock as FOR UPDATE (one xmax per version): stricter
  // than PostgreSQL (two sharers wait for each other), never less safe.
  (void)mode;
  NORDLYS_ASSIGN_OR_RETURN(Xid xid, db_->EnsureXid(txn));
  PageGuard g;
  TupleHeader h;
  NORDLYS_ASSIGN_OR_RETURN(TmResult r, Acquire(db_, txn, tid, &g, &h));
  if (r.outcome != TmOutcome::kOk) return r;
  // Already locked by this transaction (at this level or an enclosing one): keep that lock, so
  // that rolling back a later savepoint cannot release it.
  if (txn->IsOwn(Xid(h.xmax))) return TmResult{};
  Mtr mtr(db_->volume(), db_->pool());
  h.xmax = xid.value();
  h.infomask = static_cast<uint16_t>(page::kXmaxLockOnly | (h.infomask & page::kHeapOnly));
  NORDLYS_RETURN_IF_ERROR(AddSetHeader(&mtr, &g, tid.slot, h));
  NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  return TmResult{};
}

// Liveness of one version (not its chain).
static Result<Heap::Liveness> VersionLiveness(Database* db, Transaction* txn,
                                              const TupleHeader& h, Xid* wait_for) {
  using L = Heap::Liveness;
  if (h.infomask & page::kRedirect) return L::kDead;
  if (!txn->IsOwn(Xid(h.xmin))) {
    NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(Xid(h.xmin)));
    if (st == XidStatus::kAborted) return L::kDead;
    if (st == XidStatus::kInProgress) {
      *wait_for = Xid(h.xmin);
      return L::kInProgress;
    }
  }
  if (h.xmax == 0 || (h.infomask & page::kXmaxLockOnly)) return L::kLive;
  if (txn->IsOwn(Xid(h.xmax))) return L::kDead;
  NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(Xid(h.xmax)));
  if (st == XidStatus::kCommitted) return L::kDead;
  if (st == XidStatus::kAborted) return L::kLive;
  *wait_for = Xid(h.xmax);
  return L::kInProgress;
}

Result<bool> Heap::InsertedByCurrentCommand(Transaction* txn, Tid tid) {
  if (txn->read_only()) return false;
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(tid.page, LatchMode::kShared));
  if (g.page()->type() != page::PageType::kHeap) return false;
  HeapPage hp(g.page());
  auto t = hp.Tuple(tid.slot);
  if (!t) return false;
  const TupleHeader h = HeapPage::ReadHeader(*t);
  return txn->IsOwn(Xid(h.xmin)) && (h.cids & 0xffff) == (txn->command_id() & 0xffff);
}

Result<Heap::Liveness> Heap::LivenessOf(Transaction* txn, Tid tid, Xid* wait_for) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(tid.page, LatchMode::kShared));
  if (g.page()->type() != page::PageType::kHeap) return Liveness::kDead;
  HeapPage hp(g.page());
  Liveness out = Liveness::kDead;
  for (uint16_t hops = 0; hops <= hp.slot_count(); ++hops) {
    auto t = hp.Tuple(tid.slot);
    if (!t) break;
    const TupleHeader h = HeapPage::ReadHeader(*t);
    Xid w;
    NORDLYS_ASSIGN_OR_RETURN(Liveness l, VersionLiveness(db_, txn, h, &w));
    if (l == Liveness::kLive) return l;
    if (l == Liveness::kInProgress && out == Liveness::kDead) {
      out = l;
      *wait_for = w;
    }
    const int next = HotNext(hp, tid, h);
    if (next < 0) break;
    tid.slot = static_cast<uint16_t>(next);
  }
  return out;
}

static Result<bool> DeadHeader(Database* db, const TupleHeader& h, Xid horizon) {
  if (h.infomask & page::kRedirect) return true;
  if (Xid(h.xmin) < horizon) {
    NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(Xid(h.xmin)));
    if (st == XidStatus::kAborted) return true;
  }
  if (h.xmax == 0 || (h.infomask & page::kXmaxLockOnly) || Xid(h.xmax) >= horizon) return false;
  NORDLYS_ASSIGN_OR_RETURN(XidStatus st, db->StatusOf(Xid(h.xmax)));
  return st == XidStatus::kCommitted;
}

Result<bool> Heap::DeadToAll(Tid tid, Xid horizon) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(tid.page, LatchMode::kShared));
  if (g.page()->type() != page::PageType::kHeap) return true;
  HeapPage hp(g.page());
  for (uint16_t hops = 0; hops <= hp.slot_count(); ++hops) {
    auto t = hp.Tuple(tid.slot);
    if (!t) return true;
    const TupleHeader h = HeapPage::ReadHeader(*t);
    NORDLYS_ASSIGN_OR_RETURN(bool dead, DeadHeader(db_, h, horizon));
    if (!dead) return false;
    const int next = HotNext(hp, tid, h);
    if (next < 0) return true;
    tid.slot = static_cast<uint16_t>(next);
  }
  return Status::Corruption(fmt::format("HOT chain loop on page {}", tid.page.value()));
}

// Prunes one exclusively latched heap page w.r.t. `horizon`: in every HOT chain, dead versions
// before the first live one go and a dead head becomes a redirect to it; a chain dead all
// through keeps its head as a redirect to itself (a dead end) unless free_dead_heads (VACUUM,
// after it removed the chain's index entries), which frees it too. Unreachable dead heap-only
// versions go as well. One Mtr.
Status PrunePage(Database* db, PageGuard* g, Xid horizon, bool free_dead_heads,
                 uint64_t* removed) {
  HeapPage hp(g->page());
  const uint16_t n = hp.slot_count();
  std::vector<std::optional<TupleHeader>> hdr(n);
  std::vector<char> dead(n, 0), reached(n, 0);
  for (uint16_t s = 0; s < n; ++s) {
    auto t = hp.Tuple(s);
    if (!t) continue;
    hdr[s] = HeapPage::ReadHeader(*t);
    NORDLYS_ASSIGN_OR_RETURN(bool d, DeadHeader(db, *hdr[s], horizon));
    dead[s] = d;
  }
  std::vector<uint16_t> to_free;
  std::vector<std::pair<uint16_t, TupleHeader>> new_headers;
  const Tid at{g->id(), 0};
  for (uint16_t s = 0; s < n; ++s) {
    if (!hdr[s] || (hdr[s]->infomask & page::kHeapOnly)) continue;  // heads only
    std::vector<uint16_t> chain{s};
    reached[s] = 1;
    for (uint16_t cur = s; chain.size() <= n;) {
      const int next = HotNext(hp, Tid{at.page, cur}, *hdr[cur]);
      if (next < 0 || !hdr[next] || !(hdr[next]->infomask & page::kHeapOnly) || reached[next]) {
        break;
      }
      cur = static_cast<uint16_t>(next);
      chain.push_back(cur);
      reached[cur] = 1;
    }
    size_t live = 0;
    while (live < chain.size() && dead[chain[live]]) ++live;
    for (size_t i = 1; i < live; ++i) to_free.push_back(chain[i]);
    if (live == 0) continue;  // the head itself is live
    if (live == chain.size() && free_dead_heads) {
      to_free.push_back(s);
      continue;
    }
    TupleHeader r = *hdr[s];
    r.infomask = page::kRedirect;
    r.next_page = at.page;
    r.next_slot = live == chain.size() ? s : chain[live];
    if (!(hdr[s]->infomask & page::kRedirect) || hdr[s]->next_slot != r.next_slot) {
      new_headers.emplace_back(s, r);
    }
  }
  for (uint16_t s = 0; s < n; ++s) {
    if (hdr[s] && !reached[s] && dead[s]) to_free.push_back(s);  // orphaned heap-only
  }
  if (to_free.empty() && new_headers.empty()) return Status::OK();
  std::sort(to_free.begin(), to_free.end());
  to_free.erase(std::unique(to_free.begin(), to_free.end()), to_free.end());
  Mtr mtr(db->volume(), db->pool());
  for (const auto& [slot, h] : new_headers) NORDLYS_RETURN_IF_ERROR(AddSetHeader(&mtr, g, slot, h));
  if (!to_free.empty()) {
    NORDLYS_RETURN_IF_ERROR(
        mtr.Add(g, redo::RecordType::kHeapPrune, redo::HeapPrunePayload(to_free)));
  }
  NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  *removed += to_free.size();
  return Status::OK();
}

Result<uint64_t> Heap::Vacuum(Xid horizon) {
  NORDLYS_ASSIGN_OR_RETURN(uint64_t n, db_->RelationPageCount(rel_));
  uint64_t removed = 0, live = 0;
  RelationState* rs = db_->relation_state(rel_);
  for (uint64_t i = 0; i < n; ++i) {
    NORDLYS_ASSIGN_OR_RETURN(PageId id, db_->RelationPage(rel_, i));
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, db_->pool()->Fetch(id, LatchMode::kExclusive));
    NORDLYS_RETURN_IF_ERROR(PrunePage(db_, &g, horizon, true, &removed));
    HeapPage hp(g.page());
    for (uint16_t s = 0; s < hp.slot_count(); ++s) {
      auto t = hp.Tuple(s);
      if (!t) continue;
      const TupleHeader h = HeapPage::ReadHeader(*t);
      if (!(h.infomask & page::kRedirect) && h.xmax == 0) ++live;
    }
    const uint16_t free_now = static_cast<uint16_t>(hp.FreeSpace());
    std::lock_guard lock(rs->fsm_mu);
    if (rs->fsm_loaded && i < rs->free_bytes.size()) rs->free_bytes[i] = free_now;
  }
  rs->estimated_rows.store(live, std::memory_order_relaxed);
  return removed;
}

uint64_t Heap::EstimatedRows() {
  return db_->relation_state(rel_)->estimated_rows.load(std::memory_order_relaxed);
}

}  // namespace nordlys::engine::storage
