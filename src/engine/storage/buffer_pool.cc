#include "engine/storage/buffer_pool.h"

#include <chrono>
#include <future>
#include <thread>

#include "common/assert.h"

namespace nordlys::engine::storage {

namespace {
// How long a miss waits for a frame to become evictable (every frame pinned, or holding
// changes not yet durable) before giving up with ResourceExhausted.
constexpr int kVictimWaitMsMax = 5000;
}  // namespace

PageGuard& PageGuard::operator=(PageGuard&& o) noexcept {
  if (this != &o) {
    Release();
    frame_ = o.frame_;
    mode_ = o.mode_;
    o.frame_ = nullptr;
  }
  return *this;
}

void PageGuard::Release() {
  if (frame_ == nullptr) return;
  if (mode_ == LatchMode::kExclusive) {
    frame_->latch.unlock();
  } else {
    frame_->latch.unlock_shared();
  }
  frame_->pins.fetch_sub(1, std::memory_order_acq_rel);
  frame_ = nullptr;
}

BufferPool::BufferPool(volume::VolumeClient* volume, size_t capacity_pages)
    : volume_(volume),
      capacity_(capacity_pages < 16 ? 16 : capacity_pages),
      read_points_([volume] { return volume->vdl(); }) {}

BufferPool::~BufferPool() = default;

Result<page::Page> BufferPool::ReadFromVolume(PageId id) {
  std::promise<Result<page::Page>> done;
  auto fut = done.get_future();
  const Lsn at = read_points_.Begin();
  volume_->ReadPage(id, at, [&done](Result<page::Page> r) { done.set_value(std::move(r)); });
  Result<page::Page> r = fut.get();
  read_points_.End(at);
  return r;
}

// REQUIRES: evict_mu_ held. A frame nobody pins whose page is durable (LSN <= VDL), by clock
// sweep, or a new frame while below capacity; returned pinned and out of its table.
Result<internal::Frame*> BufferPool::TakeFrameLocked() {
  if (frames_.size() < capacity_) {
    frames_.push_back(std::make_unique<internal::Frame>());
    internal::Frame* f = frames_.back().get();
    f->pins.store(1, std::memory_order_release);
    return f;
  }
  const Lsn vdl = volume_->vdl();
  for (size_t step = 0; step < 2 * frames_.size(); ++step) {
    internal::Frame* f = frames_[clock_hand_].get();
    clock_hand_ = (clock_hand_ + 1) % frames_.size();
    if (f->pins.load(std::memory_order_acquire) != 0) continue;
    if (f->referenced.exchange(false, std::memory_order_relaxed)) continue;
    Shard& sh = ShardOf(f->id);
    std::unique_lock lock(sh.mu);
    // pins == 0 under the shard lock held exclusively: nobody holds the latch, and nobody can
    // pin the frame (pins are taken under this lock, or by us under evict_mu_).
    if (f->pins.load(std::memory_order_acquire) != 0) continue;
    if (f->in_table) {
      if (f->valid.load(std::memory_order_acquire) && !f->page.IsEmpty() && f->page.lsn() > vdl) {
        continue;
      }
      sh.table.erase(f->id);
      f->in_table = false;
    }
    f->valid.store(false, std::memory_order_release);
    f->pins.store(1, std::memory_order_release);
    return f;
  }
  return Status::ResourceExhausted("buffer pool: no evictable page (all pinned or not durable)");
}

Result<internal::Frame*> BufferPool::TakeFrame() {
  std::unique_lock lock(evict_mu_);
  Result<internal::Frame*> f = TakeFrameLocked();
  for (int waited_ms = 0; !f.ok() && waited_ms < kVictimWaitMsMax; ++waited_ms) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lock.lock();
    f = TakeFrameLocked();
  }
  return f;
}

Result<PageGuard> BufferPool::Fetch(PageId id, LatchMode mode) {
  Shard& sh = ShardOf(id);
  for (int attempt = 0;; ++attempt) {
    NORDLYS_ASSERT(attempt < 1000);
    internal::Frame* f = nullptr;
    {
      std::shared_lock lock(sh.mu);
      auto it = sh.table.find(id);
      if (it != sh.table.end()) {
        f = it->second;
        f->pins.fetch_add(1, std::memory_order_acq_rel);
        f->referenced.store(true, std::memory_order_relaxed);
      }
    }
    if (f != nullptr) {
      PageGuard g(f, mode);
      if (mode == LatchMode::kExclusive) {
        f->latch.lock();
      } else {
        f->latch.lock_shared();
      }
      if (f->valid.load(std::memory_order_acquire)) return g;
      g.Release();  // its load failed or it was discarded: look it up again
      std::this_thread::yield();
      continue;
    }
    // A miss: take a frame, then claim the id unless someone else loaded it meanwhile.
    Result<internal::Frame*> victim = TakeFrame();
    if (!victim.ok()) return victim.status();
    f = *victim;
    {
      std::unique_lock lock(sh.mu);
      if (sh.table.count(id)) {
        lock.unlock();
        f->pins.fetch_sub(1, std::memory_order_acq_rel);  // free, out of every table
        continue;
      }
      f->id = id;
      f->latch.lock();  // uncontended: we hold its only pin
      f->referenced.store(true, std::memory_order_relaxed);
      f->in_table = true;
      sh.table[id] = f;
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    Result<page::Page> r = ReadFromVolume(id);
    if (!r.ok()) {
      {
        std::unique_lock lock(sh.mu);
        sh.table.erase(id);
        f->in_table = false;
      }
      f->latch.unlock();
      f->pins.fetch_sub(1, std::memory_order_acq_rel);
      return r.status();
    }
    f->page = *r;
    f->valid.store(true, std::memory_order_release);
    if (mode == LatchMode::kExclusive) return PageGuard(f, mode);
    f->latch.unlock();
    f->latch.lock_shared();
    if (f->valid.load(std::memory_order_acquire)) return PageGuard(f, mode);
    PageGuard(f, mode).Release();  // discarded between the two latches: look it up again
  }
}

Result<PageGuard> BufferPool::NewPage(PageId id) {
  Result<internal::Frame*> victim = TakeFrame();
  if (!victim.ok()) return victim.status();
  internal::Frame* f = *victim;
  Shard& sh = ShardOf(id);
  std::unique_lock lock(sh.mu);
  NORDLYS_ASSERT(sh.table.count(id) == 0);
  f->id = id;
  f->page = page::Page{};
  f->latch.lock();
  f->valid.store(true, std::memory_order_release);
  f->referenced.store(true, std::memory_order_relaxed);
  f->in_table = true;
  sh.table[id] = f;
  return PageGuard(f, LatchMode::kExclusive);
}

void BufferPool::Discard(PageGuard* guard) {
  NORDLYS_ASSERT(guard->valid());
  NORDLYS_ASSERT(guard->mode() == LatchMode::kExclusive);
  internal::Frame* f = guard->frame_;
  Shard& sh = ShardOf(f->id);
  std::unique_lock lock(sh.mu);
  auto it = sh.table.find(f->id);
  if (it != sh.table.end() && it->second == f) sh.table.erase(it);
  f->in_table = false;
  f->valid.store(false, std::memory_order_release);
}

}  // namespace nordlys::engine::storage
