// Heap access: rows as tuples on heap pages (page/heap_page.h), with MVCC. The row bytes are the
// executor's encoding; this layer only adds the tuple header (xmin, xmax, version chain,
// infomask, command ids).
//
// Concurrent writers follow PostgreSQL: Update/Delete/Lock of a row version that another running
// transaction has updated, deleted or locked wait for it to finish, then:
//   - it aborted: go ahead;
//   - it committed: READ COMMITTED returns kUpdated (with the newer version's Tid) or kDeleted,
//     and the executor re-checks its predicate on FetchLatest's version and retries there;
//     REPEATABLE READ fails with 40001 "could not serialize access due to concurrent update".
// A version this same statement already changed gives kSelfModified (skip it, as PG does).
//
// Thread safety: a Heap is a cheap handle; its methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/storage/database.h"
#include "engine/storage/txn.h"

namespace nordlys::engine::storage {

enum class TmOutcome : uint8_t { kOk, kSelfModified, kUpdated, kDeleted };
struct TmResult {
  TmOutcome outcome = TmOutcome::kOk;
  Tid newer;  // kUpdated: the next version in the chain
};

enum class RowLockMode : uint8_t { kForUpdate, kForShare };

class HeapScan {
 public:
  virtual ~HeapScan() = default;
  // The next version visible to the transaction's snapshot and command id. false at the end.
  virtual Result<bool> Next(Tid* tid, std::string* data) = 0;
};

class Heap {
 public:
  Heap(Database* db, RelId rel) : db_(db), rel_(rel) {}
  RelId id() const { return rel_; }

  // New row version with xmin = txn's xid. The row must fit a page (54000 otherwise: no TOAST).
  Result<Tid> Insert(Transaction* txn, std::string_view data);
  // Every version visible to txn (its snapshot and command id), in physical order.
  std::unique_ptr<HeapScan> Scan(Transaction* txn);
  // The version of the row whose HOT chain starts at `tid` (an index entry's Tid, or any Tid a
  // scan returned) that is visible to txn: walks redirects and HOT links on the page. false:
  // no version is visible. *found (optional) gets the visible version's Tid (use it for Update,
  // Delete and Lock).
  Result<bool> Fetch(Transaction* txn, Tid tid, std::string* data, Tid* found = nullptr);
  // READ COMMITTED re-check: follows the version chain from `tid` (a version, or a chain head an
  // index entry points at) to its newest committed (or
  // own) version. false when the row was deleted. Waits for an in-progress updater.
  Result<bool> FetchLatest(Transaction* txn, Tid tid, Tid* latest, std::string* data);

  // Replaces the version at `tid` (which txn saw) with `data`; *new_tid is the new version.
  // hot_allowed: the caller's UPDATE changes no indexed column. The new version then joins the
  // old one's HOT chain if it fits on the same page (after pruning the page if needed), and
  // *hot is set: the caller must NOT add index entries for it (index scans reach it through
  // Fetch). When *hot is false the caller adds index entries for *new_tid as for an insert.
  Result<TmResult> Update(Transaction* txn, Tid tid, std::string_view data, Tid* new_tid,
                          bool hot_allowed = false, bool* hot = nullptr);
  Result<TmResult> Delete(Transaction* txn, Tid tid);
  Result<TmResult> Lock(Transaction* txn, Tid tid, RowLockMode mode);

  // For uniqueness checks: is the row whose HOT chain starts at `tid` live (some version
  // inserted by a committed or own xid and not deleted by one)? kInProgress with *wait_for set
  // when that depends on a running xid.
  enum class Liveness : uint8_t { kDead, kLive, kInProgress };
  Result<Liveness> LivenessOf(Transaction* txn, Tid tid, Xid* wait_for);
  // Was the version at `tid` inserted by txn's current command (so the statement must not
  // change it again: INSERT ... ON CONFLICT DO UPDATE's 21000)?
  Result<bool> InsertedByCurrentCommand(Transaction* txn, Tid tid);
  // True when every version of the HOT chain starting at `tid` is dead to every snapshot with
  // respect to `horizon` (an earlier
  // Database::OldestXmin()): deleted by a committed xid below it, or inserted by an aborted xid
  // below it. Such a version's xids finished before `horizon` was taken, so all of its index
  // entries already exist: VACUUM removes them with BtreeIndex::RemoveIf(DeadToAll(., h)) and
  // then prunes the heap with Vacuum(h), using the same h, so no index entry is left pointing
  // at a freed slot.
  Result<bool> DeadToAll(Tid tid, Xid horizon);

  // VACUUM: prunes versions dead to all w.r.t. `horizon` (see DeadToAll). Returns how many.
  Result<uint64_t> Vacuum(Xid horizon);
  // Visible row count estimate for the planner (pages, tuples seen by the last scan/vacuum).
  uint64_t EstimatedRows();

 private:
  Database* db_;
  RelId rel_;
};

}  // namespace nordlys::engine::storage
