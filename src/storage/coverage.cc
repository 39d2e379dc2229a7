// Coverage interval sets and SCL; see coverage.h.
#include "storage/coverage.h"

#include <algorithm>
#include <limits>

#include "common/assert.h"

namespace nordlys::storage {

void IntervalSet::Add(uint64_t lo, uint64_t hi) {
  if (lo >= hi) return;
  // Merge with every interval that overlaps or touches (lo, hi].
  auto it = map_.upper_bound(lo);
  if (it != map_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= lo) it = prev;
  }
  while (it != map_.end() && it->first <= hi) {
    lo = std::min(lo, it->first);
    hi = std::max(hi, it->second);
    it = map_.erase(it);
  }
  map_.emplace(lo, hi);
}

void IntervalSet::CutAbove(uint64_t v) {
  auto it = map_.lower_bound(v);  // intervals with lo >= v hold no LSN <= v
  map_.erase(it, map_.end());
  if (!map_.empty() && map_.rbegin()->second > v) map_.rbegin()->second = v;
}

void IntervalSet::RemovePoint(uint64_t l) {
  if (l == 0) return;
  auto it = map_.upper_bound(l - 1);  // first interval with lo >= l
  if (it == map_.begin()) return;
  --it;  // lo < l
  uint64_t lo = it->first, hi = it->second;
  if (hi < l) return;
  map_.erase(it);
  if (lo < l - 1) map_.emplace(lo, l - 1);
  if (l < hi) map_.emplace(l, hi);
}

IntervalSet IntervalSet::ClippedTo(uint64_t v) const {
  IntervalSet out = *this;
  out.CutAbove(v);
  return out;
}

void Coverage::Add(Epoch tag, uint64_t lo, uint64_t hi) {
  if (lo >= hi) return;
  sets_[tag].Add(lo, hi);
}

void Coverage::Annul(const proto::EpochEntry& entry) {
  for (auto it = sets_.begin(); it != sets_.end();) {
    if (it->first < entry.epoch) it->second.CutAbove(entry.vdl.value());
    it = it->second.empty() ? sets_.erase(it) : std::next(it);
  }
}

void Coverage::RemovePoint(uint64_t l) {
  for (auto it = sets_.begin(); it != sets_.end();) {
    it->second.RemovePoint(l);
    it = it->second.empty() ? sets_.erase(it) : std::next(it);
  }
}

Lsn Coverage::Scl() const {
  // Bound: the sweep visits each interval of each epoch set once per pass, and each pass either
  // extends `cur` or ends; passes <= total intervals + 1.
  uint64_t cur = 0;
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& [_, set] : sets_) {
      const auto& m = set.intervals();
      auto it = m.upper_bound(cur);  // first with lo > cur
      if (it == m.begin()) continue;
      --it;  // lo <= cur
      if (it->second > cur) {
        cur = it->second;
        grew = true;
      }
    }
  }
  return Lsn(cur);
}

uint64_t Coverage::MaxHi() const {
  uint64_t m = 0;
  for (const auto& [_, set] : sets_) m = std::max(m, set.MaxHi());
  return m;
}

uint64_t CutFor(const proto::EpochHistory& history, Epoch tag) {
  for (const auto& e : history.entries) {
    if (e.epoch > tag) return e.vdl.value();
  }
  return std::numeric_limits<uint64_t>::max();
}

}  // namespace nordlys::storage
