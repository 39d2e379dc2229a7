// SegmentStore background work, each call bounded: Coalesce (new page images), Scrub (checksum
// rotation over indexed records and images) and CollectGarbage (versions below the horizon,
// whole log files once nothing live points into them).
#include <algorithm>

#include "common/coding.h"
#include "common/log.h"
#include "storage/segment_store_impl.h"

namespace nordlys::storage {
namespace {
constexpr uint32_t kCoalesceScanMax = 4096;  // candidates examined per Coalesce call
// ... when min_records raises the bar: most candidates then stay, so a smaller step that moves
// on from where the last call stopped keeps a busy node's scanning cheap and still fair.
constexpr uint32_t kCoalesceBusyScanMax = 256;
}  // namespace

// The candidate after `it`; `it` leaves the set when its page no longer has enough records.
std::set<std::pair<PgId, PageId>>::iterator SegmentStoreImpl::NextCandidate(
    std::set<std::pair<PgId, PageId>>::iterator it, PageData* pd) {
  if (pd->since_image >= options_.records_per_image) return std::next(it);
  pd->coalesce_candidate = false;
  return coalesce_candidates_.erase(it);
}

Status SegmentStoreImpl::Coalesce(uint32_t max_pages, uint32_t min_records) {
  const uint32_t need = std::max(options_.records_per_image, min_records);
  const uint32_t scan_max = need > options_.records_per_image ? kCoalesceBusyScanMax
                                                              : kCoalesceScanMax;
  uint32_t written = 0, scanned = 0;
  // Resume after the last candidate examined, wrapping around once.
  auto it = coalesce_candidates_.upper_bound(coalesce_cursor_);
  bool wrapped = false;
  while (written < max_pages && scanned < scan_max) {
    if (it == coalesce_candidates_.end()) {
      if (wrapped || coalesce_candidates_.empty()) break;
      wrapped = true;
      it = coalesce_candidates_.begin();
    }
    coalesce_cursor_ = *it;
    ++scanned;
    auto [pg_id, page] = *it;
    auto pit = pgs_.find(pg_id);
    if (pit == pgs_.end() || !pit->second.pages.count(page)) {
      it = coalesce_candidates_.erase(it);
      continue;
    }
    PgData& pg = pit->second;
    PageData& pd = pg.pages[page];
    if (pd.since_image < need) {  // an upper bound of `weight` below: no need to walk the records
      it = NextCandidate(it, &pd);
      continue;
    }
    Lsn img = pd.images.empty() ? Lsn(0) : pd.images.rbegin()->first;
    auto r = pd.records.upper_bound(pg.scl);
    Lsn target = r == pd.records.begin() ? Lsn(0) : *std::prev(r);
    // target can be below the newest image when a dropped corrupt record punched a hole under
    // it (SCL went down): then there is nothing to coalesce, and the distance below would run
    // from a later iterator to an earlier one.
    uint32_t weight = target <= img ? 0 : RedoWeight(pg, pd, img, target);
    if (target <= img || weight < need) {
      pd.since_image = RedoWeight(pg, pd, img, kNoLimit);
      it = NextCandidate(it, &pd);
      continue;  // not enough synced records yet (or not enough to be worth it now)
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
    pd.since_image = RedoWeight(pg, pd, target, kNoLimit);
    ++written;
    it = NextCandidate(it, &pd);
  }
  return Status::OK();
}

Result<uint32_t> SegmentStoreImpl::Scrub(uint64_t max_bytes) {
  uint32_t bad = 0;
  uint64_t read = 0;
  int wraps = 0;  // bound: at most one full rotation per call
  while (read < max_bytes && !files_.empty() && wraps < 2) {
    auto it = files_.lower_bound(scrub_file_);
    if (it == files_.end()) {
      ++wraps;
      scrub_file_ = files_.begin()->first;
      scrub_offset_ = 0;
      continue;
    }
    if (it->first != scrub_file_) {
      scrub_file_ = it->first;
      scrub_offset_ = 0;
    }
    const uint64_t size = it->second.size;
    if (scrub_offset_ >= size) {
      scrub_file_ = it->first + 1;
      scrub_offset_ = 0;
      continue;
    }
    if (!it->second.reader) {
      NORDLYS_ASSIGN_OR_RETURN(it->second.reader, env_->NewRandomAccessFile(Path(LogFileName(it->first))));
    }
    const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(max_bytes - read, kFrameHeaderBytes), size - scrub_offset_);
    std::string buf;
    NORDLYS_RETURN_IF_ERROR(it->second.reader->Read(scrub_offset_, want, &buf));
    read += std::max<uint64_t>(buf.size(), 1);
    // Walk the frames that lie wholly in buf; a frame cut at its end is read again next time.
    uint64_t pos = 0;
    bool lost_track = false;
    while (pos + kFrameHeaderBytes <= buf.size()) {
      const uint64_t total = DecodeFixed32(buf.data() + pos) + kFrameHeaderBytes;
      const uint64_t at = scrub_offset_ + pos;
      if (at + total > size) {  // a garbled length: no frame boundary can be trusted after here
        lost_track = true;
        break;
      }
      if (pos + total > buf.size()) {
        if (pos == 0) {  // one frame larger than the step: verify it alone
          NORDLYS_RETURN_IF_ERROR(it->second.reader->Read(at, total, &buf));
          continue;
        }
        break;
      }
      if (!ParseFrameAt(std::string_view(buf).substr(pos, total), at, static_cast<uint32_t>(total)).ok()) {
        NORDLYS_ASSIGN_OR_RETURN(uint32_t n, DropCorruptItemsIn(it->first, at, at + total));
        bad += n;
      }
      pos += total;
    }
    if (lost_track) {
      NORDLYS_ASSIGN_OR_RETURN(uint32_t n, DropCorruptItemsIn(it->first, scrub_offset_ + pos, size));
      bad += n;
      pos = size - scrub_offset_;
    }
    if (pos == 0 && buf.size() < kFrameHeaderBytes) pos = buf.size();  // a cut header at the end
    scrub_offset_ += pos;
    if (pos == 0) break;  // the file ends in a partial frame still being written
  }
  return bad;
}

Result<uint32_t> SegmentStoreImpl::DropCorruptItemsIn(uint32_t file, uint64_t from, uint64_t to) {
  uint32_t bad = 0;
  auto inside = [&](const Loc& l) { return l.file == file && l.offset >= from && l.offset < to; };
  for (auto& [pg_id, pg] : pgs_) {
    std::vector<Lsn> corrupt;
    for (const auto& [lsn, e] : pg.records) {
      if (!inside(e.loc)) continue;
      auto rec = ReadRecord(e, lsn, /*from_disk=*/true);
      if (rec.ok()) continue;
      if (!rec.status().IsCorruption()) return rec.status();
      corrupt.push_back(lsn);
    }
    for (Lsn lsn : corrupt) {
      ++bad;
      DropCorruptRecord(pg_id, &pg, lsn, Status::Corruption("scrub: checksum mismatch on disk"));
    }
    std::vector<PageId> lost_images;
    for (auto& [page, pd] : pg.pages) {
      for (auto im = pd.images.begin(); im != pd.images.end();) {
        if (!inside(im->second.loc)) {
          ++im;
          continue;
        }
        auto got = ReadImage(im->second, pg_id, page, im->first, /*from_disk=*/true);
        if (got.ok()) {
          ++im;
          continue;
        }
        if (!got.status().IsCorruption()) return got.status();
        ++bad;
        log::Warn("storage", "scrub dropped a corrupt page image", {{"pg", pg_id}, {"page", page}, {"lsn", im->first}});
        im = pd.images.erase(im);
        RefreshSinceImage(pg_id, &pg, page, &pd);
        lost_images.push_back(page);
      }
    }
    for (PageId page : lost_images) ForgetPageIfUnrecoverable(pg_id, &pg, page);
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
