#include "engine/storage/mtr.h"

#include <future>

#include "common/assert.h"
#include "redo/apply.h"

namespace nordlys::engine::storage {

Mtr::~Mtr() {
  if (!committed_ && !records_.empty()) {
    // Changes applied to cached pages but never logged must not stay visible.
    for (PageGuard* g : guards_) {
      if (g->valid()) pool_->Discard(g);
    }
  }
  // kept_ guards release their latches here, after the records are logged.
}

PageGuard* Mtr::Keep(PageGuard guard) {
  kept_.push_back(std::make_unique<PageGuard>(std::move(guard)));
  return kept_.back().get();
}

PageGuard* Mtr::Kept(PageId id) {
  for (auto& g : kept_) {
    if (g->valid() && g->id() == id) return g.get();
  }
  return nullptr;
}

Status Mtr::Add(PageGuard* guard, redo::RecordType type, std::string payload) {
  NORDLYS_ASSERT(!committed_);
  NORDLYS_ASSERT(guard->valid());
  NORDLYS_ASSERT(guard->mode() == LatchMode::kExclusive);
  // Apply now with a provisional LSN just above the page's; Commit stamps the real one. The
  // bytes other than the page LSN are exactly what storage will compute.
  redo::Record r;
  page::Page* p = guard->page();
  r.lsn = Lsn((p->IsEmpty() ? 0 : p->lsn().value()) + 1);
  r.page = guard->id();
  r.type = type;
  r.payload = std::move(payload);
  NORDLYS_RETURN_IF_ERROR(redo::Apply(r, p));
  records_.push_back(volume::PendingRecord{guard->id(), type, std::move(r.payload)});
  guards_.push_back(guard);
  return Status::OK();
}

Result<Lsn> Mtr::Commit() {
  NORDLYS_ASSERT(!committed_);
  if (records_.empty()) {
    committed_ = true;
    return volume_->vdl();
  }
  const size_t n = records_.size();
  Result<Lsn> cpl = Status::Internal("unset");
  for (;;) {
    cpl = volume_->AppendMtr(records_);
    if (cpl.ok() || cpl.status().code() != StatusCode::kResourceExhausted) break;
    std::promise<Status> space;
    auto fut = space.get_future();
    volume_->WhenLsnSpace([&space](Status s) { space.set_value(s); });
    Status s = fut.get();
    if (!s.ok()) {
      cpl = s;
      break;
    }
  }
  if (!cpl.ok()) return cpl.status();  // the destructor discards the pages
  committed_ = true;
  // The records got LSNs cpl-n+1 .. cpl in order; each page ends at its last record's LSN.
  const uint64_t first = cpl->value() - n + 1;
  for (size_t i = 0; i < n; ++i) guards_[i]->page()->set_lsn(Lsn(first + i));
  return *cpl;
}

}  // namespace nordlys::engine::storage
