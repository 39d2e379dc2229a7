// The instance's page cache. Pages come from the volume (VolumeClient::ReadPage at the current
// VDL, registered in read_points() while in flight, which bounds the GC horizon) on a miss and are changed only through mini-transactions (mtr.h); nothing is ever written
// back. A page may be evicted only when its LSN <= VDL: storage cannot serve a version that is
// not yet durable, so evicting earlier would lose the page's newest records from view.
//
// Thread safety: all methods are thread-safe. A PageGuard pins its page and holds its latch
// (shared or exclusive) until it is released or destroyed; it belongs to one thread.
// The page table is split into shards by PageId, each under its own reader-writer lock: a hit
// takes its shard's lock shared, so concurrent readers of one hot page (a B-tree root) do not
// queue behind each other. Only misses take the eviction lock, before a shard's.
// Latch order: callers latch pages of one relation in a fixed order (heap: one page at a time,
// except an UPDATE's old and new page, lower PageId first; B-tree: parent before child, left
// before right) so there are no latch deadlocks.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "engine/storage/gc_horizon.h"
#include "page/page.h"
#include "volume/volume_client.h"

namespace nordlys::engine::storage {

enum class LatchMode : uint8_t { kShared, kExclusive };

class BufferPool;

namespace internal {
struct Frame {
  page::Page page;
  // Changes only while the frame is unpinned and out of the table; a pin keeps it stable.
  PageId id;
  std::shared_mutex latch;
  // Taken only under the shard lock of `id` (shared suffices) while the frame is in the table,
  // so an eviction that sees 0 under that lock held exclusively knows nobody can pin it.
  std::atomic<int32_t> pins{0};
  std::atomic<bool> referenced{false};  // clock bit
  // The page content is good. Cleared (a failed load, Discard) only under the exclusive latch,
  // so a thread that pinned the frame and then latched it sees whether it may use it.
  std::atomic<bool> valid{false};
  bool in_table = false;  // GUARDED_BY(the shard lock of id)
};
}  // namespace internal

// A pinned, latched page. Move-only.
class PageGuard {
 public:
  PageGuard() = default;
  PageGuard(PageGuard&& o) noexcept { *this = std::move(o); }
  PageGuard& operator=(PageGuard&& o) noexcept;
  PageGuard(const PageGuard&) = delete;
  PageGuard& operator=(const PageGuard&) = delete;
  ~PageGuard() { Release(); }

  bool valid() const { return frame_ != nullptr; }
  PageId id() const { return frame_->id; }
  LatchMode mode() const { return mode_; }
  page::Page* page() { return &frame_->page; }
  const page::Page* page() const { return &frame_->page; }
  void Release();

 private:
  friend class BufferPool;
  PageGuard(internal::Frame* f, LatchMode m) : frame_(f), mode_(m) {}
  internal::Frame* frame_ = nullptr;
  LatchMode mode_ = LatchMode::kShared;
};

class BufferPool {
 public:
  // `volume` must outlive the pool. capacity_pages bounds the frames (each 8 KiB + a little).
  BufferPool(volume::VolumeClient* volume, size_t capacity_pages);
  ~BufferPool();

  // The page, latched in `mode`; reads it from the volume on a miss (blocks the calling thread).
  // Corruption when storage returns a page that fails verification; Unavailable when no storage
  // node can serve it; ResourceExhausted when every frame is pinned or not yet evictable.
  Result<PageGuard> Fetch(PageId id, LatchMode mode);
  // A page this instance has just allocated and never written: no read, a zeroed frame,
  // exclusively latched. The caller's Mtr must format it (PageInit / BtreeLoad / ...).
  Result<PageGuard> NewPage(PageId id);
  // Drops a page whose in-memory changes could not be logged (the Mtr failed, e.g. Fenced), so
  // the next Fetch reads the durable version. REQUIRES: the caller holds it exclusively.
  void Discard(PageGuard* guard);

  size_t capacity() const { return capacity_; }
  // The read points of the misses being read from the volume (the GC horizon's lower bound).
  const ReadPoints& read_points() const { return read_points_; }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    std::shared_mutex mu;
    std::unordered_map<PageId, internal::Frame*> table;  // GUARDED_BY(mu)
  };
  Shard& ShardOf(PageId id) { return shards_[id.value() % kShards]; }
  // A pinned frame, out of every table, for `id` (whose entry the caller will insert); waits
  // up to kVictimWaitMsMax for one to become evictable.
  Result<internal::Frame*> TakeFrame();
  Result<internal::Frame*> TakeFrameLocked();
  Result<page::Page> ReadFromVolume(PageId id);

  volume::VolumeClient* const volume_;
  const size_t capacity_;
  Shard shards_[kShards];
  // Lock order: evict_mu_ before any shard lock; never two shard locks at once.
  std::mutex evict_mu_;
  std::vector<std::unique_ptr<internal::Frame>> frames_;  // GUARDED_BY(evict_mu_); grows to capacity
  size_t clock_hand_ = 0;                                 // GUARDED_BY(evict_mu_)
  std::atomic<uint64_t> misses_{0};
  ReadPoints read_points_;
};

}  // namespace nordlys::engine::storage
