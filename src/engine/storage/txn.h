// Transactions and MVCC visibility (docs/design/engine.md, "Transactions and MVCC").
//
// - Xids are 64-bit and never reused. A transaction gets one lazily, at its first write, so
//   read-only transactions log nothing. The counter's high-water mark is logged on the meta page
//   in batches; a restarted writer starts at the recovered mark.
// - Status (committed / aborted) of xids: in memory for xids of this instance's lifetime; for
//   older xids, the status pages (2 bits per xid, set by the commit's redo record). An older
//   xid whose status is not "committed" is aborted: it was running when the last writer died.
// - A commit is one Mtr on a status page; its CPL is the commit LSN. The transaction becomes
//   visible to others, and releases its row locks, only once that LSN is durable (VDL), so no
//   one ever sees data that a crash could take back.
// - Snapshots are PostgreSQL's: xmin, xmax and the xids running when taken. READ COMMITTED takes
//   one per statement, REPEATABLE READ one per transaction. Within a transaction, command ids
//   (cmin/cmax in the tuple header's last 4 bytes) hide a statement's own changes from itself.
// - Savepoints are subtransactions: after SAVEPOINT, the next write takes a new xid of its own
//   (a subxid); ROLLBACK TO marks the subxids since the savepoint aborted, so their changes
//   vanish as any aborted transaction's do; COMMIT marks the top xid and every subxid still
//   standing committed in one Mtr, so they become visible together. Other transactions see
//   subxids as running until then; waits and deadlock detection go by the top xid.
//
// Thread safety: Database (which manages transactions) is thread-safe. A Transaction is used by one thread at a time (its
// session's), except `cancel`, which any thread may set.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace nordlys::engine::storage {

struct XidTag {};
// Transaction id. 0 = none (a transaction that has not written).
using Xid = StrongU64<XidTag>;
inline constexpr Xid kInvalidXid{0};

enum class Isolation : uint8_t { kReadCommitted, kRepeatableRead };

struct Snapshot {
  Xid xmin;                 // every xid below this had finished when the snapshot was taken
  Xid xmax;                 // every xid at or above this had not started
  std::vector<Xid> active;  // sorted; running when taken (between xmin and xmax)
  // Was `xid` already finished (committed or aborted) when this snapshot was taken?
  bool Finished(Xid xid) const;
};

// Row-version location: heap page and slot.
struct Tid {
  PageId page;
  uint16_t slot = 0;
  bool operator==(const Tid&) const = default;
  auto operator<=>(const Tid&) const = default;
  // 10 bytes, big-endian, so byte order equals (page, slot) order (B-tree key suffix).
  static constexpr size_t kEncodedSize = 10;
  void AppendTo(std::string* out) const;
  static Tid Decode(std::string_view in);  // REQUIRES: in.size() >= kEncodedSize
};


class Database;

// Why a statement is being stopped; a session's CancelFlag holds one. Any thread may set it.
enum class CancelReason : uint8_t { kNone = 0, kUserRequest = 1, kStatementTimeout = 2 };
using CancelFlag = std::atomic<uint8_t>;
// The 57014 error for a set flag: "canceling statement due to user request" or "... due to
// statement timeout", as PostgreSQL words them.
Status CanceledStatus(uint8_t reason);
inline bool IsCanceled(const CancelFlag* f) { return f != nullptr && f->load(std::memory_order_relaxed) != 0; }

class Transaction {
 public:
  Isolation isolation() const { return isolation_; }
  // The xid this transaction's writes are stamped with now (its current subtransaction's);
  // kInvalidXid until the first write at this level.
  Xid xid() const { return current_; }
  // The first xid it took (txid_current()), or kInvalidXid.
  Xid top_xid() const { return xids_.empty() ? kInvalidXid : xids_.front(); }
  // Did this transaction write with `x` (its own xid or a subxid not rolled back)?
  bool IsOwn(Xid x) const {
    if (x == kInvalidXid) return false;
    for (const Xid& o : xids_) {
      if (o == x) return true;
    }
    return false;
  }
  uint32_t command_id() const { return command_id_; }
  const Snapshot& snapshot() const { return snapshot_; }
  bool read_only() const { return xids_.empty(); }
  size_t savepoint_count() const { return levels_.size(); }
  // Set by another thread (cancel request, statement_timeout) to stop waits with 57014: holds a
  // CancelReason, kNone while the statement may run.
  CancelFlag* cancel = nullptr;

 private:
  friend class Database;
  Isolation isolation_ = Isolation::kReadCommitted;
  Xid current_;             // stamps writes; kInvalidXid until this level's first write
  std::vector<Xid> xids_;   // every xid taken and not rolled back, oldest first
  // Invariants: levels_[i].mark <= levels_[i+1].mark <= xids_.size().
  struct Level {
    std::string name;
    size_t mark = 0;        // xids_ taken from here on belong to this savepoint
    Xid saved_current;      // the enclosing level's current_, back after RELEASE
  };
  std::vector<Level> levels_;
  uint32_t command_id_ = 0;
  bool snapshot_taken_ = false;
  Snapshot snapshot_;
  bool finished_ = false;
  bool xmin_registered_ = false;  // snapshot_.xmin counts in Database::OldestXmin
};

enum class XidStatus : uint8_t { kInProgress = 0, kCommitted = 1, kAborted = 2 };

}  // namespace nordlys::engine::storage
