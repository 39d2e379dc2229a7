// Coverage bookkeeping for one segment: which LSN intervals (lo, hi] of a protection group the
// node is known to hold every record of, tagged with the epoch under which each interval was
// received, so that a later recovery (epoch history entry (E, V_E)) can cut exactly the coverage
// that older epochs claimed above V_E. SCL is the end of the contiguous union from LSN 0.
//
// Thread safety: none; owned by SegmentStore under its caller's serialization.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "common/types.h"
#include "proto/storage_protocol.h"

namespace nordlys::storage {

// A set of disjoint half-open-below intervals (lo, hi] over LSN values.
// Invariants:
//   - every stored interval has lo < hi;
//   - intervals neither overlap nor touch: for consecutive a, b: a.hi < b.lo.
class IntervalSet {
 public:
  void Add(uint64_t lo, uint64_t hi);
  // Removes every LSN > v.
  void CutAbove(uint64_t v);
  // Removes the single LSN l (punches a hole).
  void RemovePoint(uint64_t l);
  // Keeps only LSNs <= v in the returned copy.
  IntervalSet ClippedTo(uint64_t v) const;
  uint64_t MaxHi() const { return map_.empty() ? 0 : map_.rbegin()->second; }
  bool empty() const { return map_.empty(); }
  const std::map<uint64_t, uint64_t>& intervals() const { return map_; }  // lo -> hi

 private:
  std::map<uint64_t, uint64_t> map_;
};

// Coverage of one PG: one IntervalSet per epoch tag.
class Coverage {
 public:
  void Add(Epoch tag, uint64_t lo, uint64_t hi);
  // Applies one history entry: coverage tagged with an epoch < entry.epoch loses LSNs > vdl.
  void Annul(const proto::EpochEntry& entry);
  void RemovePoint(uint64_t l);
  // End of contiguous coverage from LSN 0.
  Lsn Scl() const;
  uint64_t MaxHi() const;
  const std::map<Epoch, IntervalSet>& by_epoch() const { return sets_; }

 private:
  std::map<Epoch, IntervalSet> sets_;
};

// The LSN above which coverage tagged `tag` is void under `history`: V_E of the first entry with
// E > tag, or UINT64_MAX if none.
uint64_t CutFor(const proto::EpochHistory& history, Epoch tag);

}  // namespace nordlys::storage
