// SegmentStore background work, each call bounded: Coalesce (new page images), Scrub (checksum
// rotation over indexed records and images) and CollectGarbage (versions below the horizon,
// whole log files once nothing live points into them).
#include <algorithm>

#include "common/log.h"
#include "storage/segment_store_impl.h"

namespace nordlys::storage {
namespace {
constexpr uint32_t kCoalesceScanMax = 4096;  // candidates examined per Coalesce call
}  // namespace

Status SegmentStoreImpl::Coalesce(uint32_t max_pages) {
  uint32_t written = 0, scanned = 0;
  for (auto it = coalesce_candidates_.begin();
       it != coalesce_candidates_.end() && written < max_pages && scanned < kCoalesceScanMax;) {
    ++scanned;
    auto [pg_id, page] = *it;
    auto pit = pgs_.find(pg_id);
    if (pit == pgs_.end() || !pit->second.pages.count(page)) {
      it = coalesce_candidates_.erase(it);
      continue;
    }
    PgData& pg = pit->second;
    PageData& pd = pg.pages[page];
    Lsn img = pd.images.empty() ? Lsn(0) : pd.images.rbegin()->first;
    auto r = pd.records.upper_bound(pg.scl);
    Lsn target = r == pd.records.begin() ? Lsn(0) : *std::prev(r);
    // target can be below the newest image when a dropped corrupt record punched a hole under
    // it (SCL went down): then there is nothing to coalesce, and the distance below would run
    // from a later iterator to an earlier one.
    uint32_t count = target <= img ? 0
                                   : static_cast<uint32_t>(std::distance(
                                         pd.records.upper_bound(img), pd.records.upper_bound(target)));
    if (target <= img || count < options_.records_per_image) {
      pd.since_image = static_cast<uint32_t>(
          std::distance(pd.records.upper_bound(img), pd.records.end()));
      it = pd.since_image < options_.records_per_image ? coalesce_candidates_.erase(it)
                                                        : std::next(it);
      continue;  // not enough synced records yet
    }
    page::Page p;
    Epoch e;
    if (Status s = Materialize(pg_id, &pg, page, target, &p, &e); !s.ok()) {
      log::Warn("storage", "coalesce skipped a page",
                {{"pg", pg_id}, {"page", page}, {"error", s.ToString()}});
      ++it;
      continue;
    }
    p.Seal();
    ImageFrame frame{pg_id, page, target, e, std::string(p.view())};
    std::string bytes;
    AppendFrame(FrameType::kImage, EncodeImageFrame(frame), &bytes);
    uint32_t file = 0;
    uint64_t offset = 0;
    NORDLYS_RETURN_IF_ERROR(AppendToLog(bytes, &file, &offset));
    IndexImage(&pg, page, target,
               ImageEntry{e, Loc{file, offset, static_cast<uint32_t>(bytes.size())}});
    pd.since_image =
        static_cast<uint32_t>(std::distance(pd.records.upper_bound(target), pd.records.end()));
    ++written;
    it = pd.since_image < options_.records_per_image ? coalesce_candidates_.erase(it)
                                                      : std::next(it);
  }
  return Status::OK();
}

Result<uint32_t> SegmentStoreImpl::Scrub(uint32_t max_items) {
  uint32_t bad = 0, checked = 0, phase_ends = 0;
  // Bound: max_items verifications, and at most two ends of phase (one full rotation) per call.
  while (checked < max_items && phase_ends < 2) {
    if (scrub_phase_ == 0) {
      // Next record after (scrub_pg_, scrub_lsn_).
      bool found = false;
      for (auto pit = pgs_.lower_bound(scrub_started_ ? scrub_pg_ : PgId(0));
           pit != pgs_.end(); ++pit) {
        auto& recs = pit->second.records;
        auto r = (scrub_started_ && pit->first == scrub_pg_) ? recs.upper_bound(scrub_lsn_)
                                                             : recs.begin();
        if (r == recs.end()) continue;
        scrub_pg_ = pit->first;
        scrub_lsn_ = r->first;
        scrub_started_ = true;
        found = true;
        ++checked;
        auto rec = ReadRecord(r->second, r->first);
        if (!rec.ok()) {
          if (!rec.status().IsCorruption()) return rec.status();
          ++bad;
          DropCorruptRecord(pit->first, &pit->second, r->first, rec.status());
        }
        break;
      }
      if (!found) {
        scrub_phase_ = 1;
        scrub_started_ = false;
        ++phase_ends;
      }
      continue;
    }
    // Next image after (scrub_pg_, scrub_page_, scrub_lsn_).
    bool found = false;
    for (auto pit = pgs_.lower_bound(scrub_started_ ? scrub_pg_ : PgId(0));
         pit != pgs_.end() && !found; ++pit) {
      auto& pages = pit->second.pages;
      bool same_pg = scrub_started_ && pit->first == scrub_pg_;
      for (auto pg_it = same_pg ? pages.lower_bound(scrub_page_) : pages.begin();
           pg_it != pages.end(); ++pg_it) {
        auto& images = pg_it->second.images;
        auto im = (same_pg && pg_it->first == scrub_page_) ? images.upper_bound(scrub_lsn_)
                                                           : images.begin();
        if (im == images.end()) continue;
        scrub_pg_ = pit->first;
        scrub_page_ = pg_it->first;
        scrub_lsn_ = im->first;
        scrub_started_ = true;
        found = true;
        ++checked;
        auto got = ReadImage(im->second, pit->first, pg_it->first, im->first);
        if (!got.ok()) {
          if (!got.status().IsCorruption()) return got.status();
          ++bad;
          log::Warn("storage", "scrub dropped a corrupt page image",
                    {{"pg", pit->first}, {"page", pg_it->first}, {"lsn", im->first}});
          images.erase(im);
        }
        break;
      }
    }
    if (!found) {
      scrub_phase_ = 0;
      scrub_started_ = false;
      ++phase_ends;
    }
  }
  return bad;
}

Status SegmentStoreImpl::CollectGarbage() {
  NORDLYS_RETURN_IF_ERROR(Sync());
  Lsn h = horizon_;
  if (h == kInvalidLsn) return Status::OK();
  uint64_t collected = 0;
  // Bound: every page of every PG once.
  for (auto& [id, pg] : pgs_) {
    for (auto& [page, pd] : pg.pages) {
      auto it = pd.images.upper_bound(h);
      if (it == pd.images.begin()) continue;  // no image <= horizon: every record stays
      --it;
      Lsn img = it->first;
      collected += static_cast<uint64_t>(std::distance(pd.images.begin(), it));
      pd.images.erase(pd.images.begin(), it);
      for (auto r = pd.records.begin(); r != pd.records.end() && *r <= img;) {
        auto rit = pg.records.find(*r);
        NORDLYS_ASSERT(rit != pg.records.end());
        pg.last_collected = std::max(pg.last_collected, *r);
        if (rit->second.cpl) pg.last_collected_cpl = std::max(pg.last_collected_cpl, *r);
        pd.collected_to = std::max(pd.collected_to, *r);
        pg.cpls.erase(*r);
        pg.records.erase(rit);
        r = pd.records.erase(r);
        ++collected;
      }
      if (pg.last_collected_cpl != kInvalidLsn) pg.cpls.insert(pg.last_collected_cpl);
    }
  }
  if (collected == 0 && h <= gc_floor_) return Status::OK();
  stats_.versions_collected += collected;
  gc_floor_ = std::max(gc_floor_, h);

  // Persist the GC checkpoint before any file goes: coverage <= floor, and the records <= floor
  // that are still held (they must survive for that coverage to stay true).
  SnapshotFrame snap;
  snap.floor = gc_floor_;
  uint64_t snapshot_bytes = 12;
  for (const auto& [id, pg] : pgs_) {
    SnapshotFrame::Pg sp;
    sp.pg = id;
    for (const auto& [tag, set] : pg.coverage.by_epoch()) {
      IntervalSet clipped = set.ClippedTo(gc_floor_.value());
      for (const auto& [lo, hi] : clipped.intervals()) {
        sp.coverage.push_back({tag, Lsn(lo), Lsn(hi)});
      }
    }
    for (auto r = pg.records.begin(); r != pg.records.end() && r->first <= gc_floor_; ++r) {
      sp.retained.push_back(r->first);
    }
    sp.last_collected = pg.last_collected;
    sp.last_collected_cpl = pg.last_collected_cpl;
    snapshot_bytes += 40 + 24 * sp.coverage.size() + 8 * sp.retained.size();
    snap.pgs.push_back(std::move(sp));
  }
  if (snapshot_bytes > kFramePayloadBytesMax) {
    log::Warn("storage", "GC snapshot too large; log files kept", {{"bytes", snapshot_bytes}});
    return Status::OK();
  }
  std::string bytes;
  AppendFrame(FrameType::kSnapshot, EncodeSnapshotFrame(snap), &bytes);
  uint32_t file = 0;
  uint64_t offset = 0;
  NORDLYS_RETURN_IF_ERROR(AppendToLog(bytes, &file, &offset));
  for (auto& [_, lf] : files_) lf.has_snapshot = false;
  files_[file].has_snapshot = true;
  NORDLYS_RETURN_IF_ERROR(Sync());

  std::set<uint32_t> live;
  for (const auto& [id, pg] : pgs_) {
    for (const auto& [lsn, e] : pg.records) live.insert(e.loc.file);
    for (const auto& [page, pd] : pg.pages) {
      for (const auto& [lsn, im] : pd.images) live.insert(im.loc.file);
    }
  }
  uint32_t deleted = 0;
  for (auto it = files_.begin(); it != files_.end();) {
    const LogFile& lf = it->second;
    if (it->first == current_file_ || lf.has_snapshot || live.count(it->first) ||
        lf.max_claim_hi > gc_floor_.value()) {
      ++it;
      continue;
    }
    NORDLYS_RETURN_IF_ERROR(env_->DeleteFile(Path(LogFileName(it->first))));
    it = files_.erase(it);
    ++deleted;
  }
  log::Info("storage", "garbage collected",
            {{"horizon", gc_floor_}, {"versions", collected}, {"files_deleted", deleted}});
  return Status::OK();
}

}  // namespace nordlys::storage
