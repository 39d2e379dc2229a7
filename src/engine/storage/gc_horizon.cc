// ReadPoints and GcHorizon; see gc_horizon.h.
#include "engine/storage/gc_horizon.h"

#include <algorithm>

#include "common/assert.h"

namespace nordlys::engine::storage {

Lsn ReadPoints::Begin() {
  std::lock_guard lock(mu_);
  Lsn at = vdl_();
  in_flight_.insert(at);
  return at;
}

void ReadPoints::End(Lsn read_point) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(read_point);
  NORDLYS_ASSERT(it != in_flight_.end());
  in_flight_.erase(it);
}

Lsn ReadPoints::Oldest() const {
  std::lock_guard lock(mu_);
  Lsn vdl = vdl_();
  return in_flight_.empty() ? vdl : std::min(vdl, *in_flight_.begin());
}

size_t ReadPoints::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

Lsn GcHorizon::Tick(uint64_t now_ms, Lsn oldest_read_point) {
  const uint64_t interval_ms = std::max<uint64_t>(1, retention_ms_ / kGcHorizonSamplesMax);
  if (samples_.empty() || now_ms >= samples_.back().first + interval_ms) {
    samples_.emplace_back(now_ms, oldest_read_point);
  }
  // The newest sample at least retention old is the candidate; older ones are no longer needed.
  // Bound: the samples (at most kGcHorizonSamplesMax + 1 within the window).
  Lsn candidate;
  bool have = false;
  while (!samples_.empty() && samples_.front().first + retention_ms_ <= now_ms) {
    candidate = samples_.front().second;
    have = true;
    if (samples_.size() > 1 && samples_[1].first + retention_ms_ <= now_ms) {
      samples_.pop_front();
      continue;
    }
    break;
  }
  while (samples_.size() > kGcHorizonSamplesMax + 1) samples_.pop_front();
  if (!have) return horizon_;
  horizon_ = std::max(horizon_, std::min(candidate, oldest_read_point));
  return horizon_;
}

}  // namespace nordlys::engine::storage
