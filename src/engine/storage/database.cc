#include "engine/storage/database.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <set>

#include "common/assert.h"
#include "common/log.h"
#include "engine/storage/btree.h"
#include "engine/storage/database_internal.h"
#include "engine/storage/heap.h"

namespace nordlys::engine::storage {

using namespace internal;  // NOLINT: page layout constants

namespace {

Status WriteAt(Mtr* mtr, PageGuard* g, size_t off, std::string bytes) {
  std::string payload = redo::WriteBytesPayload(static_cast<uint16_t>(off), bytes);
  return mtr->Add(g, redo::RecordType::kWriteBytes, std::move(payload));
}

}  // namespace

Status CanceledStatus(uint8_t reason) {
  return Status::Sql(StatusCode::kAborted, "57014",
                     reason == static_cast<uint8_t>(CancelReason::kStatementTimeout)
                         ? "canceling statement due to statement timeout"
                         : "canceling statement due to user request");
}

struct Database::Impl {
  std::mutex rel_mu;
  std::unordered_map<RelId, std::unique_ptr<RelationState>> rels;  // GUARDED_BY(rel_mu)

  // Transaction state. Invariants: boot_xid <= next_xid <= xid_hwm (the logged mark); every
  // xid in [boot_xid, next_xid) is in `live` or has a final entry in `status`.
  std::mutex mu;
  uint64_t boot_xid = 0;       // GUARDED_BY(mu)
  uint64_t next_xid = 0;       // GUARDED_BY(mu)
  uint64_t xid_hwm = 0;        // GUARDED_BY(mu)
  std::set<uint64_t> live;     // GUARDED_BY(mu)
  std::vector<uint8_t> status;  // GUARDED_BY(mu); index xid - boot_xid (XidStatus)
  std::multiset<uint64_t> snapshot_xmins;               // GUARDED_BY(mu)
  std::unordered_map<uint64_t, uint64_t> waits_for;     // GUARDED_BY(mu); waiter -> holder (top xids)
  std::unordered_map<uint64_t, uint64_t> top_of;        // GUARDED_BY(mu); live subxid -> its top xid
  // Row-lock waiters, by the xid they wait for: each parks on its own condition variable and
  // Finish wakes only the waiters of the xid that ended (a shared one woke every waiter at
  // every commit, and most went back to sleep). Entries are removed by their waiters.
  std::multimap<uint64_t, std::condition_variable*> xid_waiters;  // GUARDED_BY(mu)

  // REQUIRES: mu held.
  uint64_t TopOf(uint64_t x) const {
    auto it = top_of.find(x);
    return it == top_of.end() ? x : it->second;
  }
  // An xid is over (committed or aborted): forget it. REQUIRES: mu held.
  void Finish(uint64_t x, XidStatus st) {
    status[x - boot_xid] = uint8_t(st);
    live.erase(x);
    waits_for.erase(x);
    top_of.erase(x);
    for (auto [it, end] = xid_waiters.equal_range(x); it != end; ++it) it->second->notify_one();
  }
  // Status pages of xids below boot_xid never change again: cached copies by page number.
  std::unordered_map<uint64_t, std::shared_ptr<const page::Page>> old_status;  // GUARDED_BY(mu)

  RelationState* Rel(RelId rel) {
    std::lock_guard lock(rel_mu);
    auto& p = rels[rel];
    if (!p) p = std::make_unique<RelationState>();
    return p.get();
  }
};

Database::Database(volume::VolumeClient* volume, const DatabaseOptions& options)
    : volume_(volume),
      pool_(std::make_unique<BufferPool>(volume, options.buffer_pool_pages)),
      impl_(std::make_unique<Impl>()) {}

Database::~Database() {
  {
    std::lock_guard lock(horizon_mu_);
    horizon_stop_ = true;
  }
  horizon_cv_.notify_all();
  if (horizon_thread_.joinable()) horizon_thread_.join();
}

Result<std::unique_ptr<Database>> Database::Open(volume::VolumeClient* volume,
                                                 const DatabaseOptions& options) {
  std::unique_ptr<Database> db(new Database(volume, options));
  NORDLYS_RETURN_IF_ERROR(db->Load());
  if (options.horizon_interval_ms > 0) {
    Database* raw = db.get();
    db->horizon_thread_ = std::thread([raw, i = options.horizon_interval_ms,
                                       r = options.retention_ms] { raw->HorizonLoop(i, r); });
  }
  return db;
}

void Database::HorizonLoop(uint64_t interval_ms, uint64_t retention_ms) {
  GcHorizon horizon(retention_ms);
  Lsn sent;
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(horizon_mu_);
  // Bound: one tick per interval until the database closes.
  while (!horizon_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms),
                               [this] { return horizon_stop_; })) {
    const uint64_t now_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              start)
            .count());
    Lsn h = horizon.Tick(now_ms, pool_->read_points().Oldest());
    if (h == kInvalidLsn) continue;
    // Re-sent even when unchanged: a storage node that restarted or missed it learns it again.
    volume_->SetHorizon(h);
    if (h != sent) {
      log::Debug("engine", "GC horizon", {{"lsn", h}, {"vdl", volume_->vdl()}});
      sent = h;
    }
  }
}

Status Database::Load() {
  bool empty;
  {
    NORDLYS_ASSIGN_OR_RETURN(PageGuard meta, pool_->Fetch(PageId(0), LatchMode::kShared));
    empty = meta.page()->IsEmpty();
    if (!empty) {
      const page::Page& p = *meta.page();
      if (p.type() != page::PageType::kMeta || Get32(p, kMetaMagicOff) != kMetaMagic) {
        return Status::Corruption("page 0 is not a Nordlys meta page");
      }
      if (Get32(p, kMetaVersionOff) != kMetaVersion) {
        return Status::NotSupported(fmt::format("meta page version {} (this build reads {})",
                                                Get32(p, kMetaVersionOff), kMetaVersion));
      }
      catalog_heap_ = RelId(Get64(p, kMetaCatalogOff));
      std::lock_guard lock(impl_->mu);
      impl_->xid_hwm = Get64(p, kMetaXidHwmOff);
      impl_->boot_xid = impl_->next_xid = impl_->xid_hwm;
    }
  }
  if (empty) return Bootstrap();
  log::Info("engine", "database opened",
            {{"catalog", catalog_heap_.value()}, {"first_xid", impl_->boot_xid}});
  return Status::OK();
}

Status Database::Bootstrap() {
  {
    Mtr mtr(volume_, pool_.get());
    {
      // A fresh volume: page 0 was never written, so a new frame replaces the empty one read.
      NORDLYS_ASSIGN_OR_RETURN(PageGuard old, pool_->Fetch(PageId(0), LatchMode::kExclusive));
      pool_->Discard(&old);
    }
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool_->NewPage(PageId(0)));
    PageGuard* meta = mtr.Keep(std::move(g));
    NORDLYS_RETURN_IF_ERROR(mtr.Add(meta, redo::RecordType::kPageInit,
                                    redo::PageInitPayload(uint16_t(page::PageType::kMeta))));
    NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, meta, kMetaMagicOff,
                                    Bytes32(kMetaMagic) + Bytes32(kMetaVersion) + Bytes64(1) +
                                        Bytes64(1)));
    NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->boot_xid = impl_->next_xid = impl_->xid_hwm = 1;
  }
  auto txn = Begin(Isolation::kReadCommitted);
  NORDLYS_ASSIGN_OR_RETURN(RelId catalog, CreateHeap(txn.get()));
  {
    Mtr mtr(volume_, pool_.get());
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool_->Fetch(PageId(0), LatchMode::kExclusive));
    PageGuard* meta = mtr.Keep(std::move(g));
    NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, meta, kMetaCatalogOff, Bytes64(catalog.value())));
    NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  }
  NORDLYS_RETURN_IF_ERROR(Commit(txn.get()));
  catalog_heap_ = catalog;
  bootstrapped_ = true;
  log::Info("engine", "database bootstrapped on a fresh volume", {{"catalog", catalog.value()}});
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Transactions

std::unique_ptr<Transaction> Database::Begin(Isolation isolation) {
  auto t = std::make_unique<Transaction>();
  t->isolation_ = isolation;
  return t;
}

void Database::BeginStatement(Transaction* txn) {
  NORDLYS_ASSERT(!txn->finished_);
  if (txn->command_id_ < 0xffff) ++txn->command_id_;
  if (txn->snapshot_taken_ && txn->isolation_ == Isolation::kRepeatableRead) return;
  std::lock_guard lock(impl_->mu);
  if (txn->xmin_registered_) {
    impl_->snapshot_xmins.erase(impl_->snapshot_xmins.find(txn->snapshot_.xmin.value()));
  }
  Snapshot& s = txn->snapshot_;
  s.xmax = Xid(impl_->next_xid);
  s.active.clear();
  for (uint64_t x : impl_->live) s.active.push_back(Xid(x));
  s.xmin = s.active.empty() ? s.xmax : s.active.front();
  impl_->snapshot_xmins.insert(s.xmin.value());
  txn->xmin_registered_ = true;
  txn->snapshot_taken_ = true;
}

void Database::CommandCounterIncrement(Transaction* txn) {
  if (txn->command_id_ < 0xffff) ++txn->command_id_;
}

Result<Xid> Database::EnsureXid(Transaction* txn) {
  if (txn->current_ != kInvalidXid) return txn->current_;
  if (txn->command_id_ >= 0xffff) {
    return Status::Sql(StatusCode::kResourceExhausted, "54000",
                       "cannot have more than 2^16-2 commands in a transaction");
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->next_xid >= impl_->xid_hwm) {
    // Log the next batch (and the status pages it needs) before handing out its xids. If this
    // Mtr is lost in a crash, so is every record that used those xids (they come after it).
    const uint64_t new_hwm = impl_->xid_hwm + kXidBatch;
    Mtr mtr(volume_, pool_.get());
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool_->Fetch(PageId(0), LatchMode::kExclusive));
    PageGuard* meta = mtr.Keep(std::move(g));
    uint64_t next_free = Get64(*meta->page(), kMetaNextFreeOff);
    uint32_t n_status = Get32(*meta->page(), kMetaStatusCountOff);
    const uint64_t need = (new_hwm + kXidsPerStatusPage - 1) / kXidsPerStatusPage;
    if (need > kMetaStatusPagesMax) {
      return Status::Sql(StatusCode::kResourceExhausted, "54000",
                         "transaction id space of this database format is exhausted");
    }
    while (n_status < need) {
      PageId sp(next_free++);
      NORDLYS_ASSIGN_OR_RETURN(PageGuard sg, pool_->NewPage(sp));
      PageGuard* spg = mtr.Keep(std::move(sg));
      NORDLYS_RETURN_IF_ERROR(mtr.Add(spg, redo::RecordType::kPageInit,
                                      redo::PageInitPayload(uint16_t(page::PageType::kRaw))));
      NORDLYS_RETURN_IF_ERROR(
          WriteAt(&mtr, meta, kMetaStatusDirOff + 8 * n_status, Bytes64(sp.value())));
      ++n_status;
    }
    NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, meta, kMetaNextFreeOff, Bytes64(next_free)));
    NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, meta, kMetaXidHwmOff, Bytes64(new_hwm)));
    NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, meta, kMetaStatusCountOff, Bytes32(n_status)));
    NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
    impl_->xid_hwm = new_hwm;
  }
  const uint64_t x = impl_->next_xid++;
  impl_->live.insert(x);
  impl_->status.push_back(uint8_t(XidStatus::kInProgress));
  NORDLYS_ASSERT(impl_->status.size() == impl_->next_xid - impl_->boot_xid);
  if (!txn->xids_.empty()) impl_->top_of[x] = txn->xids_.front().value();
  txn->xids_.push_back(Xid(x));
  txn->current_ = Xid(x);
  return txn->current_;
}

// Drops the transaction's snapshot from OldestXmin. REQUIRES: impl->mu held.
static void UnregisterSnapshotLocked(std::multiset<uint64_t>* xmins, bool* registered, Xid xmin) {
  if (!*registered) return;
  xmins->erase(xmins->find(xmin.value()));
  *registered = false;
}

Status Database::Commit(Transaction* txn) {
  NORDLYS_ASSERT(!txn->finished_);
  txn->finished_ = true;
  if (txn->xids_.empty()) {
    std::lock_guard lock(impl_->mu);
    UnregisterSnapshotLocked(&impl_->snapshot_xmins, &txn->xmin_registered_, txn->snapshot_.xmin);
    return Status::OK();
  }
  // The top xid and every subxid still standing become committed in one Mtr: they appear
  // together or not at all. Status bytes hold 4 xids: compute each byte once, pages in order.
  Result<Lsn> cpl = Status::Internal("unset");
  {
    std::map<uint64_t, std::map<size_t, std::pair<uint8_t, uint8_t>>> bytes;  // page -> off -> (mask, bits)
    for (const Xid& xid : txn->xids_) {
      const uint64_t x = xid.value();
      const size_t off = kStatusBodyOff + (x % kXidsPerStatusPage) / 4;
      const int shift = 2 * (x % 4);
      auto& [mask, bits] = bytes[x / kXidsPerStatusPage][off];
      mask = static_cast<uint8_t>(mask | (3 << shift));
      bits = static_cast<uint8_t>(bits | (uint8_t(XidStatus::kCommitted) << shift));
    }
    std::vector<PageId> pages;
    {
      NORDLYS_ASSIGN_OR_RETURN(PageGuard meta, pool_->Fetch(PageId(0), LatchMode::kShared));
      for (const auto& [k, offs] : bytes) pages.push_back(PageId(Get64(*meta.page(), kMetaStatusDirOff + 8 * k)));
    }
    Mtr mtr(volume_, pool_.get());
    size_t i = 0;
    for (const auto& [k, offs] : bytes) {
      NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool_->Fetch(pages[i++], LatchMode::kExclusive));
      PageGuard* kept = mtr.Keep(std::move(g));
      for (const auto& [off, mb] : offs) {
        uint8_t byte = static_cast<uint8_t>(kept->page()->bytes[off]);
        byte = static_cast<uint8_t>((byte & ~mb.first) | mb.second);
        NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, kept, off, std::string(1, static_cast<char>(byte))));
      }
    }
    cpl = mtr.Commit();
  }
  Status s = cpl.status();
  if (s.ok()) {
    std::promise<Status> durable;
    auto fut = durable.get_future();
    volume_->WhenDurable(*cpl, [&durable](Status st) { durable.set_value(st); });
    s = fut.get();
  }
  {
    std::lock_guard lock(impl_->mu);
    for (const Xid& x : txn->xids_) impl_->Finish(x.value(), s.ok() ? XidStatus::kCommitted : XidStatus::kAborted);
    UnregisterSnapshotLocked(&impl_->snapshot_xmins, &txn->xmin_registered_, txn->snapshot_.xmin);
  }
  return s;
}

void Database::Abort(Transaction* txn) {
  if (txn->finished_) return;
  txn->finished_ = true;
  {
    std::lock_guard lock(impl_->mu);
    for (const Xid& x : txn->xids_) impl_->Finish(x.value(), XidStatus::kAborted);
    UnregisterSnapshotLocked(&impl_->snapshot_xmins, &txn->xmin_registered_, txn->snapshot_.xmin);
  }
}

void Database::Savepoint(Transaction* txn, const std::string& name) {
  NORDLYS_ASSERT(!txn->finished_);
  txn->levels_.push_back({name, txn->xids_.size(), txn->current_});
  txn->current_ = kInvalidXid;  // the next write at this level takes a subxid
}

static Status NoSuchSavepoint(const std::string& name) {
  return Status::Sql(StatusCode::kNotFound, "3B001", "savepoint \"" + name + "\" does not exist");
}

Status Database::RollbackToSavepoint(Transaction* txn, const std::string& name) {
  size_t i = txn->levels_.size();
  while (i > 0 && txn->levels_[i - 1].name != name) --i;
  if (i == 0) return NoSuchSavepoint(name);
  const size_t mark = txn->levels_[i - 1].mark;
  txn->levels_.resize(i);  // the savepoint itself stays
  {
    std::lock_guard lock(impl_->mu);
    for (size_t k = mark; k < txn->xids_.size(); ++k) impl_->Finish(txn->xids_[k].value(), XidStatus::kAborted);
  }
  txn->xids_.resize(mark);
  txn->current_ = kInvalidXid;
  return Status::OK();
}

Status Database::ReleaseSavepoint(Transaction* txn, const std::string& name) {
  size_t i = txn->levels_.size();
  while (i > 0 && txn->levels_[i - 1].name != name) --i;
  if (i == 0) return NoSuchSavepoint(name);
  // Its changes now belong to the enclosing level (a later ROLLBACK TO an outer savepoint
  // still undoes them: their xids are after its mark).
  txn->current_ = txn->levels_[i - 1].saved_current;
  txn->levels_.resize(i - 1);
  return Status::OK();
}

Result<XidStatus> Database::StatusOf(Xid xid) {
  const uint64_t x = xid.value();
  std::shared_ptr<const page::Page> sp;
  {
    std::lock_guard lock(impl_->mu);
    if (x >= impl_->boot_xid) {
      if (x >= impl_->next_xid) return XidStatus::kInProgress;  // not started: not committed
      return static_cast<XidStatus>(impl_->status[x - impl_->boot_xid]);
    }
    auto it = impl_->old_status.find(x / kXidsPerStatusPage);
    if (it != impl_->old_status.end()) sp = it->second;
  }
  if (!sp) {
    NORDLYS_ASSIGN_OR_RETURN(PageGuard meta, pool_->Fetch(PageId(0), LatchMode::kShared));
    const uint64_t k = x / kXidsPerStatusPage;
    if (k >= Get32(*meta.page(), kMetaStatusCountOff)) {
      return Status::Corruption(fmt::format("xid {} has no status page", x));
    }
    PageId id(Get64(*meta.page(), kMetaStatusDirOff + 8 * k));
    meta.Release();
    NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool_->Fetch(id, LatchMode::kShared));
    sp = std::make_shared<const page::Page>(*g.page());
    std::lock_guard lock(impl_->mu);
    impl_->old_status[k] = sp;
  }
  const size_t off = kStatusBodyOff + (x % kXidsPerStatusPage) / 4;
  const uint8_t bits = (static_cast<uint8_t>(sp->bytes[off]) >> (2 * (x % 4))) & 3;
  // An xid from before this instance that never committed was running when its writer died.
  return bits == uint8_t(XidStatus::kCommitted) ? XidStatus::kCommitted : XidStatus::kAborted;
}

Status Database::WaitForXid(Transaction* waiter, Xid xid) {
  std::unique_lock lock(impl_->mu);
  const uint64_t x = xid.value();
  // The graph is between top xids: a subtransaction waits and is waited for as its transaction.
  const uint64_t me = waiter->top_xid().value();
  if (me != 0) {
    // Each transaction waits for at most one other, so the waits-for graph is a set of chains:
    // a cycle through us exists iff following the chain from `x` comes back to us.
    uint64_t cur = impl_->TopOf(x);
    for (size_t steps = 0; steps <= impl_->waits_for.size(); ++steps) {
      if (cur == me) {
        return Status::Sql(StatusCode::kAborted, "40P01", "deadlock detected");
      }
      auto it = impl_->waits_for.find(cur);
      if (it == impl_->waits_for.end()) break;
      cur = it->second;
    }
    impl_->waits_for[me] = impl_->TopOf(x);
  }
  Status result = Status::OK();
  std::condition_variable cv;
  auto registered = impl_->xid_waiters.emplace(x, &cv);
  while (impl_->live.count(x)) {
    if (IsCanceled(waiter->cancel)) {
      result = CanceledStatus(waiter->cancel->load());
      break;
    }
    cv.wait_for(lock, std::chrono::milliseconds(10));  // the timeout polls for cancellation
  }
  impl_->xid_waiters.erase(registered);
  if (me != 0) impl_->waits_for.erase(me);
  return result;
}

Xid Database::OldestXmin() {
  std::lock_guard lock(impl_->mu);
  uint64_t m = impl_->next_xid;
  if (!impl_->live.empty()) m = std::min(m, *impl_->live.begin());
  if (!impl_->snapshot_xmins.empty()) m = std::min(m, *impl_->snapshot_xmins.begin());
  return Xid(m);
}

// ---------------------------------------------------------------------------------------------
// Relations and page allocation

static Result<RelId> CreateRelation(volume::VolumeClient* volume, BufferPool* pool,
                                    RelKind kind) {
  Mtr mtr(volume, pool);
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool->Fetch(PageId(0), LatchMode::kExclusive));
  PageGuard* meta = mtr.Keep(std::move(g));
  const uint64_t next_free = Get64(*meta->page(), kMetaNextFreeOff);
  RelId rel(next_free);
  NORDLYS_ASSIGN_OR_RETURN(PageGuard dg, pool->NewPage(PageId(next_free)));
  PageGuard* dir = mtr.Keep(std::move(dg));
  NORDLYS_RETURN_IF_ERROR(mtr.Add(dir, redo::RecordType::kPageInit,
                                  redo::PageInitPayload(uint16_t(page::PageType::kRaw))));
  std::string hdr = Bytes32(kDirMagic);
  PutFixed16(&hdr, uint16_t(kind));
  PutFixed16(&hdr, 0);
  NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, dir, kDirMagicOff, std::move(hdr)));
  NORDLYS_RETURN_IF_ERROR(WriteAt(&mtr, meta, kMetaNextFreeOff, Bytes64(next_free + 1)));
  NORDLYS_RETURN_IF_ERROR(mtr.Commit().status());
  return rel;
}

Result<RelId> Database::CreateHeap(Transaction*) {
  return CreateRelation(volume_, pool_.get(), RelKind::kHeap);
}

Result<RelId> Database::CreateIndex(Transaction* txn) {
  NORDLYS_ASSIGN_OR_RETURN(RelId rel, CreateRelation(volume_, pool_.get(), RelKind::kBtree));
  NORDLYS_RETURN_IF_ERROR(index(rel).InitRoot(txn));
  return rel;
}

Heap Database::heap(RelId rel) { return Heap(this, rel); }
BtreeIndex Database::index(RelId rel) { return BtreeIndex(this, rel); }

std::shared_mutex& Database::RelationLock(RelId rel) { return impl_->Rel(rel)->rel_lock; }

RelationState* Database::relation_state(RelId rel) { return impl_->Rel(rel); }

static Status CheckDirectory(const page::Page& p, RelId rel) {
  if (Get32(p, kDirMagicOff) != kDirMagic) {
    return Status::Corruption(fmt::format("page {} is not a relation directory", rel.value()));
  }
  return Status::OK();
}

// The page latched exclusively and kept by `mtr`, fetching it unless the Mtr already has it.
static Result<PageGuard*> KeepExclusive(BufferPool* pool, Mtr* mtr, PageId id) {
  if (PageGuard* g = mtr->Kept(id)) return g;
  NORDLYS_ASSIGN_OR_RETURN(PageGuard g, pool->Fetch(id, LatchMode::kExclusive));
  return mtr->Keep(std::move(g));
}

Result<PageId> Database::AllocatePage(RelId rel, Mtr* mtr, uint64_t* index) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard* dir, KeepExclusive(pool_.get(), mtr, PageId(rel.value())));
  NORDLYS_RETURN_IF_ERROR(CheckDirectory(*dir->page(), rel));
  const uint64_t count = Get64(*dir->page(), kDirPageCountOff);
  uint32_t extents = Get32(*dir->page(), kDirExtentCountOff);
  auto [e, off] = ExtentOf(count);
  if (e >= extents) {
    if (extents >= kDirExtentsMax) {
      return Status::Sql(StatusCode::kResourceExhausted, "54000",
                         "relation is too large for this database format");
    }
    NORDLYS_ASSIGN_OR_RETURN(PageGuard* meta, KeepExclusive(pool_.get(), mtr, PageId(0)));
    const uint64_t start = Get64(*meta->page(), kMetaNextFreeOff);
    NORDLYS_RETURN_IF_ERROR(
        WriteAt(mtr, meta, kMetaNextFreeOff, Bytes64(start + ExtentPages(extents))));
    NORDLYS_RETURN_IF_ERROR(WriteAt(mtr, dir, kDirExtentsOff + 8 * extents, Bytes64(start)));
    ++extents;
    NORDLYS_RETURN_IF_ERROR(WriteAt(mtr, dir, kDirExtentCountOff, Bytes32(extents)));
  }
  NORDLYS_RETURN_IF_ERROR(WriteAt(mtr, dir, kDirPageCountOff, Bytes64(count + 1)));
  if (index != nullptr) *index = count;
  return PageId(Get64(*dir->page(), kDirExtentsOff + 8 * e) + off);
}

Result<PageId> Database::RelationPage(RelId rel, uint64_t index) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard dir, pool_->Fetch(PageId(rel.value()), LatchMode::kShared));
  NORDLYS_RETURN_IF_ERROR(CheckDirectory(*dir.page(), rel));
  if (index >= Get64(*dir.page(), kDirPageCountOff)) {
    return Status::OutOfRange(fmt::format("relation {} has no page {}", rel.value(), index));
  }
  auto [e, off] = ExtentOf(index);
  return PageId(Get64(*dir.page(), kDirExtentsOff + 8 * e) + off);
}

Result<uint64_t> Database::RelationPageCount(RelId rel) {
  NORDLYS_ASSIGN_OR_RETURN(PageGuard dir, pool_->Fetch(PageId(rel.value()), LatchMode::kShared));
  NORDLYS_RETURN_IF_ERROR(CheckDirectory(*dir.page(), rel));
  return Get64(*dir.page(), kDirPageCountOff);
}

}  // namespace nordlys::engine::storage
