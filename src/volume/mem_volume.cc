#include "volume/mem_volume.h"

#include "redo/apply.h"

namespace nordlys::volume {

void MemVolume::Recover(std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    if (fenced_) {
      done(Status::Fenced("mem volume: fenced"));
      return;
    }
    recovered_ = true;
    ++epoch_;
  }
  done(Status::OK());
}

Result<Lsn> MemVolume::AppendMtr(std::vector<PendingRecord> records) {
  NORDLYS_ASSERT(!records.empty());
  std::vector<std::function<void(Status)>> fire;
  Lsn cpl;
  {
    std::lock_guard lock(mu_);
    if (fenced_) return Status::Fenced("mem volume: a newer writer exists");
    if (!recovered_) return Status::Unavailable("mem volume: not recovered");
    if (next_lsn_.value() + records.size() > vdl_.value() + options_.lsn_allocation_limit) {
      return Status::ResourceExhausted("mem volume: LSN allocation limit");
    }
    for (size_t i = 0; i < records.size(); ++i) {
      redo::Record r;
      r.lsn = next_lsn_;
      next_lsn_ = Next(next_lsn_);
      r.page = records[i].page;
      r.type = records[i].type;
      r.payload = std::move(records[i].payload);
      if (i + 1 == records.size()) r.flags |= redo::kFlagCpl;
      cpl = r.lsn;
      log_.push_back(std::move(r));
    }
    last_cpl_ = cpl;
    appended_ += records.size();
    if (options_.auto_durable) FireLocked(&fire);
  }
  for (auto& f : fire) f(Status::OK());
  return cpl;
}

// Applies the log up to last_cpl_ to the durable pages and collects the waiters now satisfied.
void MemVolume::FireLocked(std::vector<std::function<void(Status)>>* out) {
  while (applied_ < log_.size() && log_[applied_].lsn <= last_cpl_) {
    const redo::Record& r = log_[applied_++];
    page::Page& p = durable_pages_[r.page];
    Status s = redo::Apply(r, &p);
    NORDLYS_ASSERT(s.ok());
  }
  vdl_ = last_cpl_;
  while (!durable_waiters_.empty() && durable_waiters_.begin()->first <= vdl_) {
    out->push_back(std::move(durable_waiters_.begin()->second));
    durable_waiters_.erase(durable_waiters_.begin());
  }
  for (auto& f : space_waiters_) out->push_back(std::move(f));
  space_waiters_.clear();
}

void MemVolume::MakeDurable() {
  std::vector<std::function<void(Status)>> fire;
  {
    std::lock_guard lock(mu_);
    FireLocked(&fire);
  }
  for (auto& f : fire) f(Status::OK());
}

void MemVolume::Fence() {
  std::vector<std::function<void(Status)>> fire;
  {
    std::lock_guard lock(mu_);
    fenced_ = true;
    for (auto& [lsn, f] : durable_waiters_) fire.push_back(std::move(f));
    durable_waiters_.clear();
    for (auto& f : space_waiters_) fire.push_back(std::move(f));
    space_waiters_.clear();
  }
  for (auto& f : fire) f(Status::Fenced("mem volume: a newer writer exists"));
}

void MemVolume::CrashAndRecover() {
  std::vector<std::function<void(Status)>> fire;
  {
    std::lock_guard lock(mu_);
    log_.resize(applied_);  // everything above VDL is annulled
    next_lsn_ = Next(vdl_);
    last_cpl_ = vdl_;
    recovered_ = false;
    for (auto& [lsn, f] : durable_waiters_) fire.push_back(std::move(f));
    durable_waiters_.clear();
    for (auto& f : space_waiters_) fire.push_back(std::move(f));
    space_waiters_.clear();
  }
  for (auto& f : fire) f(Status::Fenced("mem volume: writer crashed"));
}

void MemVolume::WhenLsnSpace(std::function<void(Status)> fn) {
  {
    std::lock_guard lock(mu_);
    if (fenced_) {
    } else if (next_lsn_.value() + 1 > vdl_.value() + options_.lsn_allocation_limit) {
      space_waiters_.push_back(std::move(fn));
      return;
    }
  }
  fn(fenced() ? Status::Fenced("mem volume: fenced") : Status::OK());
}

void MemVolume::WhenDurable(Lsn lsn, std::function<void(Status)> fn) {
  {
    std::lock_guard lock(mu_);
    if (!fenced_ && lsn > vdl_) {
      durable_waiters_.emplace(lsn, std::move(fn));
      return;
    }
  }
  fn(fenced() && lsn > vdl() ? Status::Fenced("mem volume: fenced") : Status::OK());
}

void MemVolume::ReadPage(PageId page, Lsn read_point,
                         std::function<void(Result<page::Page>)> fn) {
  Result<page::Page> out = Status::Unavailable("mem volume: read above VDL");
  {
    std::lock_guard lock(mu_);
    if (read_point <= vdl_) {
      auto it = durable_pages_.find(page);
      out = it == durable_pages_.end() ? page::Page{} : it->second;
    }
  }
  fn(std::move(out));
}

void MemVolume::SetHorizon(Lsn) {}
Lsn MemVolume::vdl() const { std::lock_guard lock(mu_); return vdl_; }
Lsn MemVolume::vcl() const { std::lock_guard lock(mu_); return last_cpl_; }
Epoch MemVolume::epoch() const { std::lock_guard lock(mu_); return Epoch(epoch_); }
bool MemVolume::fenced() const { std::lock_guard lock(mu_); return fenced_; }
uint64_t MemVolume::records_appended() const { std::lock_guard lock(mu_); return appended_; }

}  // namespace nordlys::volume
