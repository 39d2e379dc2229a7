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
    : volume_(volume), capacity_(capacity_pages < 16 ? 16 : capacity_pages) {}

BufferPool::~BufferPool() = default;

Result<page::Page> BufferPool::ReadFromVolume(PageId id) {
  std::promise<Result<page::Page>> done;
  auto fut = done.get_future();
  volume_->ReadPage(id, volume_->vdl(),
                    [&done](Result<page::Page> r) { done.set_value(std::move(r)); });
  return fut.get();
}

// REQUIRES: mu_ held. A frame nobody pins whose page is durable (LSN <= VDL), by clock sweep;
// or a new frame while below capacity.
Result<internal::Frame*> BufferPool::FindVictimLocked() {
  if (frames_.size() < capacity_) {
    frames_.push_back(std::make_unique<internal::Frame>());
    return frames_.back().get();
  }
  const Lsn vdl = volume_->vdl();
  for (size_t step = 0; step < 2 * frames_.size(); ++step) {
    internal::Frame* f = frames_[clock_hand_].get();
    clock_hand_ = (clock_hand_ + 1) % frames_.size();
    if (f->pins.load(std::memory_order_acquire) != 0) continue;
    if (f->referenced.exchange(false, std::memory_order_relaxed)) continue;
    // pins == 0 under mu_: nobody holds the latch, and nobody can take it without mu_.
    if (f->valid && !f->page.IsEmpty() && f->page.lsn() > vdl) continue;
    return f;
  }
  return Status::ResourceExhausted("buffer pool: no evictable page (all pinned or not durable)");
}

Result<PageGuard> BufferPool::Fetch(PageId id, LatchMode mode) {
  for (int attempt = 0;; ++attempt) {
    internal::Frame* f = nullptr;
    bool load = false;
    {
      std::unique_lock lock(mu_);
      auto it = table_.find(id);
      if (it != table_.end()) {
        f = it->second;
        f->pins.fetch_add(1, std::memory_order_acq_rel);
        f->referenced.store(true, std::memory_order_relaxed);
      } else {
        Result<internal::Frame*> victim = FindVictimLocked();
        for (int waited_ms = 0; !victim.ok() && waited_ms < kVictimWaitMsMax; ++waited_ms) {
          lock.unlock();
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          lock.lock();
          if (table_.count(id)) break;  // someone else loaded it meanwhile: retry the lookup
          victim = FindVictimLocked();
        }
        if (table_.count(id)) continue;
        if (!victim.ok()) return victim.status();
        f = *victim;
        if (f->valid) table_.erase(f->id);
        f->id = id;
        f->valid = false;
        f->pins.store(1, std::memory_order_release);
        f->referenced.store(true, std::memory_order_relaxed);
        f->latch.lock();  // uncontended: nobody pinned it
        table_[id] = f;
        load = true;
      }
    }
    if (load) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      Result<page::Page> r = ReadFromVolume(id);
      if (!r.ok()) {
        {
          std::lock_guard lock(mu_);
          table_.erase(id);
          f->valid = false;
        }
        f->latch.unlock();
        f->pins.fetch_sub(1, std::memory_order_acq_rel);
        return r.status();
      }
      f->page = *r;
      {
        std::lock_guard lock(mu_);
        f->valid = true;
      }
      if (mode == LatchMode::kExclusive) return PageGuard(f, mode);
      f->latch.unlock();
      f->latch.lock_shared();
      return PageGuard(f, mode);
    }
    if (mode == LatchMode::kExclusive) {
      f->latch.lock();
    } else {
      f->latch.lock_shared();
    }
    PageGuard g(f, mode);
    bool ok;
    {
      std::lock_guard lock(mu_);
      ok = f->valid && f->id == id;
    }
    if (ok) return g;
    g.Release();  // its load failed or it was discarded: look it up again
    NORDLYS_ASSERT(attempt < 1000);
  }
}

Result<PageGuard> BufferPool::NewPage(PageId id) {
  internal::Frame* f;
  {
    std::unique_lock lock(mu_);
    NORDLYS_ASSERT(table_.count(id) == 0);
    Result<internal::Frame*> victim = FindVictimLocked();
    for (int waited_ms = 0; !victim.ok() && waited_ms < kVictimWaitMsMax; ++waited_ms) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lock.lock();
      victim = FindVictimLocked();
    }
    if (!victim.ok()) return victim.status();
    f = *victim;
    if (f->valid) table_.erase(f->id);
    f->id = id;
    f->valid = true;
    f->page = page::Page{};
    f->pins.store(1, std::memory_order_release);
    f->referenced.store(true, std::memory_order_relaxed);
    f->latch.lock();
    table_[id] = f;
  }
  return PageGuard(f, LatchMode::kExclusive);
}

void BufferPool::Discard(PageGuard* guard) {
  NORDLYS_ASSERT(guard->valid());
  NORDLYS_ASSERT(guard->mode() == LatchMode::kExclusive);
  std::lock_guard lock(mu_);
  auto it = table_.find(guard->id());
  if (it != table_.end() && it->second == guard->frame_) table_.erase(it);
  guard->frame_->valid = false;
}

}  // namespace nordlys::engine::storage
