// SegmentStore read side: GetPage (materialization), PgState, FetchRecords, GossipWants,
// Scls, Stats, and reading frames back from the log with their checksums verified.
#include <algorithm>

#include "common/log.h"
#include "redo/apply.h"
#include "storage/segment_store_impl.h"

namespace nordlys::storage {

Result<Frame> SegmentStoreImpl::ReadFrame(const Loc& loc, bool from_disk) {
  if (!from_disk && loc.file == current_file_ && loc.offset >= tail_start_ &&
      loc.offset + loc.size <= tail_start_ + tail_.size()) {
    return ParseFrameAt(std::string_view(tail_).substr(loc.offset - tail_start_, loc.size), loc.offset, loc.size);
  }
  auto it = files_.find(loc.file);
  if (it == files_.end()) {
    return Status::Corruption("log file " + std::to_string(loc.file) + " is gone");
  }
  if (!it->second.reader) {
    NORDLYS_ASSIGN_OR_RETURN(it->second.reader,
                             env_->NewRandomAccessFile(Path(LogFileName(loc.file))));
  }
  if (from_disk) return ReadFrameAt(*it->second.reader, loc.offset, loc.size);
  auto in_read_ahead = [&] {
    return !read_ahead_.empty() && loc.file == read_ahead_file_ && loc.offset >= read_ahead_start_ &&
           loc.offset + loc.size <= read_ahead_start_ + read_ahead_.size();
  };
  if (!in_read_ahead()) {
    read_ahead_.clear();
    const uint64_t end = std::max<uint64_t>(loc.offset + loc.size, std::min<uint64_t>(loc.offset + kReadAheadBytes, it->second.size));
    NORDLYS_RETURN_IF_ERROR(it->second.reader->Read(loc.offset, end - loc.offset, &read_ahead_));
    read_ahead_file_ = loc.file;
    read_ahead_start_ = loc.offset;
    if (!in_read_ahead()) {
      return Status::Corruption("frame at offset " + std::to_string(loc.offset) + " is short");
    }
  }
  return ParseFrameAt(std::string_view(read_ahead_).substr(loc.offset - read_ahead_start_, loc.size), loc.offset,
                      loc.size);
}

Result<redo::Record> SegmentStoreImpl::ReadRecord(const RecEntry& e, Lsn lsn, bool from_disk) {
  NORDLYS_ASSIGN_OR_RETURN(Frame f, ReadFrame(e.loc, from_disk));
  if (f.type != FrameType::kRecord) return Status::Corruption("index points at a non-record");
  RecordFrame rf;
  NORDLYS_RETURN_IF_ERROR(DecodeRecordFrame(f.payload, &rf));
  if (rf.record.lsn != lsn || rf.record.page != e.page) {
    return Status::Corruption("record frame holds another record");
  }
  return std::move(rf.record);
}

Result<ImageFrame> SegmentStoreImpl::ReadImage(const ImageEntry& e, PgId pg, PageId page,
                                               Lsn lsn, bool from_disk) {
  NORDLYS_ASSIGN_OR_RETURN(Frame f, ReadFrame(e.loc, from_disk));
  if (f.type != FrameType::kImage && f.type != FrameType::kBaseImage) {
    return Status::Corruption("index points at a non-image");
  }
  ImageFrame im;
  NORDLYS_RETURN_IF_ERROR(DecodeImageFrame(f.payload, &im));
  if (im.pg != pg || im.page != page || im.lsn != lsn) {
    return Status::Corruption("image frame holds another page version");
  }
  page::Page p;
  std::memcpy(p.bytes.data(), im.image.data(), page::kPageSize);
  NORDLYS_RETURN_IF_ERROR(p.Verify(page));
  return im;
}

Status SegmentStoreImpl::Materialize(PgId pg_id, PgData* pg, PageId page, Lsn read_lsn,
                                     page::Page* out, Epoch* newest_epoch) {
  out->bytes.fill(0);
  *newest_epoch = Epoch(0);
  auto pit = pg->pages.find(page);
  if (pit == pg->pages.end()) return Status::OK();  // never written: the empty page
  PageData& pd = pit->second;
  Lsn base(0);
  // Newest good image <= read_lsn; a corrupt one is dropped and the next older tried. Bound:
  // each iteration consumes one image of this page.
  auto it = pd.images.upper_bound(read_lsn);
  while (it != pd.images.begin()) {
    --it;
    auto im = ReadImage(it->second, pg_id, page, it->first);
    if (im.ok()) {
      std::memcpy(out->bytes.data(), im->image.data(), page::kPageSize);
      base = it->first;
      *newest_epoch = it->second.epoch;
      break;
    }
    log::Warn("storage", "corrupt page image dropped",
              {{"pg", pg_id}, {"page", page}, {"lsn", it->first},
               {"error", im.status().ToString()}});
    it = pd.images.erase(it);
    RefreshSinceImage(pg_id, pg, page, &pd);
  }
  if (base < pd.collected_to) {
    ForgetPageIfUnrecoverable(pg_id, pg, page);  // invalidates pd
    return Status::Corruption("page " + std::to_string(page.value()) +
                              ": its image is lost and older versions were reclaimed");
  }
  // Records in (base, read_lsn], ascending. Bound: the page's records.
  std::vector<Lsn> lsns(pd.records.upper_bound(base), pd.records.upper_bound(read_lsn));
  for (Lsn lsn : lsns) {
    auto rit = pg->records.find(lsn);
    NORDLYS_ASSERT(rit != pg->records.end());
    auto rec = ReadRecord(rit->second, lsn);
    if (!rec.ok()) {
      DropCorruptRecord(pg_id, pg, lsn, rec.status());
      return Status::Corruption("page " + std::to_string(page.value()) + ": record " +
                                std::to_string(lsn.value()) +
                                " is corrupt on this node; re-fetching it from peers");
    }
    Lsn before = out->IsEmpty() ? Lsn(0) : out->lsn();
    NORDLYS_RETURN_IF_ERROR(redo::Apply(*rec, out).WithContext(
        "page " + std::to_string(page.value()) + " record " + std::to_string(lsn.value())));
    NORDLYS_ASSERT(out->lsn() >= before);
    *newest_epoch = rit->second.epoch;
  }
  return Status::OK();
}

Result<proto::GetPageResponse> SegmentStoreImpl::GetPage(const proto::GetPageRequest& req) {
  NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch, "GetPage"));
  if (pages_per_pg_ != 0) NORDLYS_RETURN_IF_ERROR(CheckPageInPg(req.page, req.pg, pages_per_pg_));
  auto it = pgs_.find(req.pg);
  Lsn scl = it == pgs_.end() ? Lsn(0) : it->second.scl;
  if (req.read_lsn > scl) {
    return Status::OutOfRange("GetPage: read LSN " + std::to_string(req.read_lsn.value()) +
                              " is above this segment's SCL " + std::to_string(scl.value()));
  }
  if (req.read_lsn < horizon_) {
    return Status::OutOfRange("GetPage: read LSN " + std::to_string(req.read_lsn.value()) +
                              " is below the horizon " + std::to_string(horizon_.value()));
  }
  proto::GetPageResponse resp;
  page::Page p;
  if (it != pgs_.end()) {
    Epoch e;
    NORDLYS_RETURN_IF_ERROR(Materialize(req.pg, &it->second, req.page, req.read_lsn, &p, &e));
  }
  p.Seal();
  resp.page_lsn = p.IsEmpty() ? Lsn(0) : p.lsn();
  resp.image.assign(p.bytes.data(), page::kPageSize);
  ++stats_.pages_served;
  return resp;
}

proto::WriteBatchResponse SegmentStoreImpl::Scls(const std::vector<PgId>& pgs) const {
  proto::WriteBatchResponse resp;
  for (PgId pg : pgs) {
    auto it = pgs_.find(pg);
    resp.scls.push_back({pg, it == pgs_.end() ? Lsn(0) : it->second.scl});
  }
  return resp;
}

proto::PgStateResponse SegmentStoreImpl::StateOf(PgId pg_id, Lsn at_or_below) const {
  proto::PgStateResponse r;
  r.node_epoch = epoch();  // the fencing epoch, promises included
  r.horizon = horizon_;
  r.history = history_;
  auto it = pgs_.find(pg_id);
  if (it == pgs_.end()) return r;
  const PgData& pg = it->second;
  r.membership = pg.membership;
  r.scl = pg.scl;
  r.max_lsn = pg.records.empty() ? pg.last_collected : pg.records.rbegin()->first;
  Lsn limit = std::min(at_or_below, pg.scl);
  auto c = pg.cpls.upper_bound(limit);
  if (c != pg.cpls.begin()) r.max_cpl_at_or_below = *std::prev(c);
  auto l = pg.records.upper_bound(limit);
  if (l != pg.records.begin()) r.last_lsn_at_or_below = std::prev(l)->first;
  if (pg.last_collected <= limit) {
    r.last_lsn_at_or_below = std::max(r.last_lsn_at_or_below, pg.last_collected);
  }
  return r;
}

Result<proto::PgStateResponse> SegmentStoreImpl::PgState(const proto::PgStateRequest& req) {
  // Epoch 0 reads without fencing (how a recovering writer learns the current epoch). Any other
  // epoch older than ours is fenced; a newer one is a recovering writer's: we promise it —
  // durably, before answering — so the state below is read after every write we will ever
  // acknowledge at an older epoch (see proto::PgStateRequest).
  if (req.epoch != Epoch(0)) {
    // The largest epoch would leave no room for the next writer's epoch + 1.
    if (req.epoch == Epoch::Max()) return Status::InvalidArgument("PgState: epoch out of range");
    if (req.epoch < epoch()) return CheckEpoch(req.epoch, "PgState");
    NORDLYS_RETURN_IF_ERROR(Promise(req.epoch));
  }
  return StateOf(req.pg, req.at_or_below);
}

Result<proto::FetchRecordsResponse> SegmentStoreImpl::FetchRecords(
    const proto::FetchRecordsRequest& req) {
  // A peer with an older epoch is answered, not fenced: the answer carries our history, which
  // is how a lagging node learns of truncations.
  if (req.epoch > history_.current()) return CheckEpoch(req.epoch, "FetchRecords");
  if (req.up_to < req.after) return Status::InvalidArgument("FetchRecords: up_to below after");
  proto::FetchRecordsResponse resp;
  resp.history = history_;
  auto it = pgs_.find(req.pg);
  if (it == pgs_.end()) {
    resp.covered_to = req.after;
    return resp;
  }
  PgData& pg = it->second;
  // Records at or below the GC floor may be gone: ship the PG's base instead.
  if (req.after < gc_floor_) return ShipBase(req, &pg);
  resp.scl = pg.scl;
  Lsn covered = std::max(req.after, std::min(req.up_to, pg.scl));
  resp.covered_to = covered;
  uint64_t bytes = 0;
  // Bound: kFetchRecordsMax records and max_bytes (at least one record, for progress).
  std::vector<std::pair<Lsn, RecEntry>> want;
  for (auto r = pg.records.upper_bound(req.after);
       r != pg.records.end() && r->first <= covered; ++r) {
    uint64_t sz = 8 + redo::kRecordHeaderSize + r->second.payload_bytes;
    if (!want.empty() && (bytes + sz > req.max_bytes || want.size() >= kFetchRecordsMax)) {
      resp.covered_to = Lsn(r->first.value() - 1);
      break;
    }
    bytes += sz;
    want.emplace_back(r->first, r->second);
  }
  for (const auto& [lsn, e] : want) {
    auto rec = ReadRecord(e, lsn);
    if (!rec.ok()) {
      DropCorruptRecord(req.pg, &pg, lsn, rec.status());
      return Status::Corruption("FetchRecords: record " + std::to_string(lsn.value()) +
                                " is corrupt on this node");
    }
    resp.records.push_back(proto::StoredRecord{e.epoch, std::move(rec).value()});
  }
  return resp;
}

Result<proto::FetchRecordsResponse> SegmentStoreImpl::ShipBase(
    const proto::FetchRecordsRequest& req, PgData* pg) {
  const Lsn floor = gc_floor_;
  if (pg->scl < floor) {
    return Status::OutOfRange("FetchRecords: records at or below " +
                              std::to_string(floor.value()) +
                              " were reclaimed by GC here, and this segment (SCL " +
                              std::to_string(pg->scl.value()) +
                              ") cannot ship their page images as of that floor");
  }
  proto::FetchRecordsResponse resp;
  resp.history = history_;
  resp.scl = pg->scl;
  resp.covered_to = req.after;
  resp.images_at = floor;
  // A chunk continues the base only at the same floor; otherwise it starts over.
  PageId from = req.images_at == floor ? req.images_from : PageId(0);
  uint64_t bytes = 0;
  // Bound: kShippedImagesMax images and max_bytes (at least one image, for progress); pages
  // without a version <= floor are skipped without materializing.
  auto p = pg->pages.lower_bound(from);
  for (; p != pg->pages.end(); ++p) {
    const PageData& pd = p->second;
    bool old = (!pd.images.empty() && pd.images.begin()->first <= floor) ||
               (!pd.records.empty() && *pd.records.begin() <= floor);
    if (!old) continue;
    if (!resp.images.empty() && (bytes + page::kPageSize + 32 > req.max_bytes ||
                                 resp.images.size() >= kShippedImagesMax)) {
      break;
    }
    page::Page image;
    Epoch e;
    NORDLYS_RETURN_IF_ERROR(Materialize(req.pg, pg, p->first, floor, &image, &e)
                                .WithContext("FetchRecords: shipping the base"));
    if (image.IsEmpty()) continue;
    image.Seal();
    resp.images.push_back({p->first, image.lsn(), e, std::string(image.view())});
    bytes += page::kPageSize + 32;
  }
  if (p != pg->pages.end()) {
    resp.images_next = p->first;
    return resp;
  }
  resp.images_done = true;
  resp.covered_to = floor;
  auto last = pg->records.upper_bound(floor);
  resp.base_last_lsn = last == pg->records.begin() ? kInvalidLsn : std::prev(last)->first;
  if (pg->last_collected <= floor) {
    resp.base_last_lsn = std::max(resp.base_last_lsn, pg->last_collected);
  }
  auto cpl = pg->cpls.upper_bound(floor);
  resp.base_last_cpl = cpl == pg->cpls.begin() ? kInvalidLsn : *std::prev(cpl);
  return resp;
}

std::vector<SegmentStore::GossipWant> SegmentStoreImpl::GossipWants() const {
  std::vector<GossipWant> wants;
  for (const auto& [id, pg] : pgs_) {  // bounded by kPgsMax
    uint64_t hi = pg.coverage.MaxHi();
    if (!pg.records.empty()) hi = std::max(hi, pg.records.rbegin()->first.value());
    hi = std::max(hi, pg.known_tip.value());
    if (hi <= pg.scl.value()) continue;
    GossipWant w;
    for (const auto& m : pg.members) {
      if (options_.self.value() != 0 && m.node == options_.self) continue;
      w.peers.push_back(m);
    }
    if (w.peers.empty()) continue;
    w.request = proto::FetchRecordsRequest{history_.current(), id, pg.scl, Lsn(hi),
                                           kGossipBytesMax, pg.ship_at, pg.ship_next};
    wants.push_back(std::move(w));
  }
  return wants;
}

proto::NodeStatsResponse SegmentStoreImpl::Stats() const {
  proto::NodeStatsResponse s = stats_;
  s.segments = pgs_.size();
  return s;
}

}  // namespace nordlys::storage
