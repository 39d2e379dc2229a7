// Database: the storage side of one SQL instance — the buffer pool, page allocation for
// relations, transactions with MVCC, and the heap and B-tree access methods — on top of one
// volume. Everything it changes goes through Mtrs to the VolumeClient; it keeps no other state
// that a restart needs (the meta page, relation directories and status pages are on the volume).
//
// Volume layout (docs/formats/engine-pages.md):
//   page 0     meta page: format version, next free page, xid high-water mark, status-page
//              directory, the catalog heap's RelId
//   other      relation directory pages (one per heap or index; its PageId is the RelId),
//              relation data pages in extents, xid status pages
//
// Thread safety: Database is thread-safe; a Transaction belongs to one session thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "engine/storage/buffer_pool.h"
#include "engine/storage/mtr.h"
#include "engine/storage/txn.h"
#include "volume/volume_client.h"

namespace nordlys::engine::storage {

struct RelTag {};
// A heap or index: the PageId of its directory page.
using RelId = StrongU64<RelTag>;

struct DatabaseOptions {
  size_t buffer_pool_pages = 65536;  // 512 MiB
  // GC horizon (gc_horizon.h): every horizon_interval_ms the database sends the volume
  // SetHorizon(the oldest read point in flight as of retention_ms ago). 0: never sent (storage
  // keeps every version). The retention window is the backup/PITR window later.
  uint64_t horizon_interval_ms = 1000;
  uint64_t retention_ms = 3'600'000;  // one hour
};

class Heap;
class BtreeIndex;
struct RelationState;

class Database {
 public:
  // Opens the database on a recovered volume (REQUIRES: volume->Recover() succeeded). A fresh
  // volume (page 0 never written) is bootstrapped: meta page and an empty catalog heap.
  static Result<std::unique_ptr<Database>> Open(volume::VolumeClient* volume,
                                                const DatabaseOptions& options);
  ~Database();

  // The heap where the catalog keeps its rows (its format is the catalog's business).
  RelId catalog_heap() const { return catalog_heap_; }
  // True when Open() bootstrapped a fresh volume (the catalog should create its initial rows).
  bool bootstrapped() const { return bootstrapped_; }

  // --- transactions ---
  std::unique_ptr<Transaction> Begin(Isolation isolation);
  // Statement start: advances the command id; READ COMMITTED (or the first statement of
  // REPEATABLE READ) takes a new snapshot.
  void BeginStatement(Transaction* txn);
  // Makes the transaction's changes visible to itself (the next command id) without a new
  // snapshot, e.g. between the rows a COPY or a multi-row INSERT writes and its index checks.
  void CommandCounterIncrement(Transaction* txn);
  // Commits: logs the status change and waits until it is durable. A read-only transaction
  // commits without redo. Fenced if a newer writer exists (the transaction is then lost).
  Status Commit(Transaction* txn);
  // Aborts: nothing is logged (an xid that never commits reads as aborted, also after restart).
  void Abort(Transaction* txn);
  // SAVEPOINT name: a new subtransaction level (a later savepoint may reuse the name; the
  // innermost one counts).
  void Savepoint(Transaction* txn, const std::string& name);
  // ROLLBACK TO name: aborts every xid taken since that savepoint and drops the savepoints
  // after it; the savepoint itself stays. RELEASE name: drops it and those after it, keeping
  // their changes. 3B001 when there is no such savepoint.
  Status RollbackToSavepoint(Transaction* txn, const std::string& name);
  Status ReleaseSavepoint(Transaction* txn, const std::string& name);
  // The xid's status as this instance sees it now.
  Result<XidStatus> StatusOf(Xid xid);
  // Blocks until `xid` has finished (committed and durable, or aborted). 57014 when
  // waiter->cancel is set; 40P01 when waiting would deadlock.
  Status WaitForXid(Transaction* waiter, Xid xid);
  // Assigns the transaction's xid if it has none (called by the access methods on first write).
  Result<Xid> EnsureXid(Transaction* txn);
  // The oldest xmin of any running snapshot: versions deleted by committed xids below it are
  // dead to everyone.
  Xid OldestXmin();

  // --- relations ---
  // A new, empty heap or B-tree index. The RelId is the catalog's to keep; if the creating
  // transaction aborts, the pages are simply never referenced (reclaiming them is not built).
  Result<RelId> CreateHeap(Transaction* txn);
  Result<RelId> CreateIndex(Transaction* txn);
  Heap heap(RelId rel);
  BtreeIndex index(RelId rel);

  // --- page allocation (used by the access methods) ---
  // Allocates the next page of `rel` in `mtr` (the directory page is latched and kept by the
  // Mtr). The caller must take the page with pool()->NewPage() and format it in the same Mtr.
  // *index (optional) gets the page's index within the relation. One Mtr may allocate several
  // pages. While the Mtr lives, this thread holds the directory latch: don't call
  // RelationPage/RelationPageCount for `rel` until it is committed.
  Result<PageId> AllocatePage(RelId rel, Mtr* mtr, uint64_t* index = nullptr);
  // The relation's index-th page (0-based) and its page count.
  Result<PageId> RelationPage(RelId rel, uint64_t index);
  Result<uint64_t> RelationPageCount(RelId rel);

  // Per-relation in-memory reader-writer lock (B-tree: the index lock described in btree.h).
  std::shared_mutex& RelationLock(RelId rel);

  // In-memory state of a relation (free-space map, lock); see database_internal.h.
  RelationState* relation_state(RelId rel);

  BufferPool* pool() { return pool_.get(); }
  volume::VolumeClient* volume() { return volume_; }

  struct Impl;

 private:
  Database(volume::VolumeClient* volume, const DatabaseOptions& options);
  friend class Heap;
  friend class BtreeIndex;
  Status Bootstrap();
  Status Load();

  volume::VolumeClient* const volume_;
  std::unique_ptr<BufferPool> pool_;
  RelId catalog_heap_;
  bool bootstrapped_ = false;

  std::unique_ptr<Impl> impl_;

  // The GC horizon thread (started by Open when horizon_interval_ms > 0, joined by the
  // destructor before the pool goes).
  void HorizonLoop(uint64_t interval_ms, uint64_t retention_ms);
  std::thread horizon_thread_;
  std::mutex horizon_mu_;
  std::condition_variable horizon_cv_;
  bool horizon_stop_ = false;  // GUARDED_BY(horizon_mu_)
};

}  // namespace nordlys::engine::storage
