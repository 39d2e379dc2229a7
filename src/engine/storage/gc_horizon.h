// The GC horizon the writer gives storage (VolumeClient::SetHorizon): below it, storage may
// reclaim page versions. Two parts:
//   ReadPoints — the LSNs at which this instance's page reads are in flight. The buffer pool
//                reads every miss at the VDL it samples when the read starts, so the oldest
//                read point any read may still use is the oldest of those in flight, or the
//                current VDL when none is.
//   GcHorizon  — turns the oldest read point over time into the horizon: the oldest read point
//                as it was `retention` ago (the retention window: kept for backup/PITR later,
//                and a margin for reads that are slow to start), never above the oldest read
//                point now. Retention 0: just the oldest read point in flight.
// Database runs a thread that ticks GcHorizon and sends the result (database.h).
//
// Thread safety: ReadPoints is thread-safe. GcHorizon is not (one ticking thread).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <utility>

#include "common/types.h"

namespace nordlys::engine::storage {

class ReadPoints {
 public:
  // `vdl` is the volume's current VDL (never decreasing).
  explicit ReadPoints(std::function<Lsn()> vdl) : vdl_(std::move(vdl)) {}

  // Samples the VDL as a new read's point and registers it, under the lock Oldest() takes: a
  // read that begins after an Oldest() call therefore reads at or above its answer.
  Lsn Begin();
  void End(Lsn read_point);
  // The oldest read point in flight, or the current VDL when no read is.
  Lsn Oldest() const;
  size_t in_flight() const;

 private:
  const std::function<Lsn()> vdl_;
  mutable std::mutex mu_;
  std::multiset<Lsn> in_flight_;  // GUARDED_BY(mu_); bounded by the reading threads
};

// Samples kept: one per max(tick, retention / kGcHorizonSamplesMax), so a long window costs a
// bounded amount of memory (and the horizon lags the window by at most one sample interval,
// always towards keeping more).
inline constexpr size_t kGcHorizonSamplesMax = 4096;

class GcHorizon {
 public:
  explicit GcHorizon(uint64_t retention_ms) : retention_ms_(retention_ms) {}

  // Records the oldest read point at `now_ms` (monotonic clock) and returns the horizon: the
  // newest sample at least `retention` old, capped at `oldest_read_point`; 0 (none) while the
  // instance has not run for the retention window yet. Never decreases.
  Lsn Tick(uint64_t now_ms, Lsn oldest_read_point);

 private:
  const uint64_t retention_ms_;
  std::deque<std::pair<uint64_t, Lsn>> samples_;  // (time, oldest read point), ascending
  Lsn horizon_;
};

}  // namespace nordlys::engine::storage
