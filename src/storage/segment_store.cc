// SegmentStore: opening and recovery, the write path (AppendBatch, AppendFetched, Sync), epochs
// and configuration. Reads are in segment_store_read.cc, background work in
// segment_store_background.cc; the format is docs/formats/segment-log.md.
#include <algorithm>
#include <limits>

#include <cstring>

#include "common/log.h"
#include "storage/segment_store_impl.h"

namespace nordlys::storage {
namespace {
constexpr char kEpochFile[] = "EPOCHS";
constexpr char kPromiseFile[] = "PROMISE";
constexpr char kConfigFile[] = "PGCONFIG";

// Whether the PG's index holds `lsn`. Records mostly arrive above everything held: those are
// answered without a descent of the record tree.
bool Holds(const PgData& pg, Lsn lsn) {
  return !pg.records.empty() && lsn <= pg.records.rbegin()->first && pg.records.count(lsn) != 0;
}
}  // namespace

Result<std::unique_ptr<SegmentStore>> SegmentStore::Open(Env* env,
                                                         const SegmentStoreOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("segment store: empty directory");
  if (options.records_per_image == 0) {
    return Status::InvalidArgument("segment store: records_per_image must be > 0");
  }
  auto store = std::make_unique<SegmentStoreImpl>(env, options);
  NORDLYS_RETURN_IF_ERROR(store->Recover().WithContext("segment store " + options.dir));
  return std::unique_ptr<SegmentStore>(std::move(store));
}

// ---- recovery --------------------------------------------------------------------------------

Status SegmentStoreImpl::Recover() {
  NORDLYS_RETURN_IF_ERROR(env_->CreateDirs(options_.dir));
  if (env_->FileExists(Path(kEpochFile))) {
    std::string data;
    NORDLYS_RETURN_IF_ERROR(env_->ReadFileToString(Path(kEpochFile), &data));
    NORDLYS_RETURN_IF_ERROR(DecodeEpochFile(data, &history_));
  }
  if (env_->FileExists(Path(kPromiseFile))) {
    std::string data;
    NORDLYS_RETURN_IF_ERROR(env_->ReadFileToString(Path(kPromiseFile), &data));
    NORDLYS_RETURN_IF_ERROR(DecodePromiseFile(data, &promised_));
  }
  if (env_->FileExists(Path(kConfigFile))) {
    std::string data;
    NORDLYS_RETURN_IF_ERROR(env_->ReadFileToString(Path(kConfigFile), &data));
    std::vector<PgConfig> pgs;
    NORDLYS_RETURN_IF_ERROR(DecodeConfigFile(data, &pages_per_pg_, &pgs));
    for (auto& c : pgs) {
      NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(c.pg));
      pg->members = std::move(c.members);
      pg->membership = std::move(c.membership);
    }
  }
  NORDLYS_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(options_.dir));
  std::vector<uint32_t> numbers;
  for (const auto& n : names) {
    uint32_t num = 0;
    if (ParseLogFileName(n, &num)) numbers.push_back(num);
  }
  std::sort(numbers.begin(), numbers.end());

  std::vector<Claim> claims;
  std::vector<BaseFrame> bases;
  SnapshotFrame snapshot;
  uint64_t frames_total = 0, annulled = 0;
  for (uint32_t num : numbers) {
    std::string path = Path(LogFileName(num));
    std::string data;
    NORDLYS_RETURN_IF_ERROR(env_->ReadFileToString(path, &data));
    uint64_t valid_end = 0;
    uint32_t skipped = 0;
    std::vector<Frame> frames = ScanFrames(data, &valid_end, &skipped);
    FileHeaderFrame header;
    if (frames.empty() || frames[0].type != FrameType::kFileHeader ||
        !DecodeFileHeader(frames[0].payload, &header).ok() || header.number != num) {
      // Not even a valid header (a crash while creating the file, or garbage): nothing in it
      // can be trusted; what it held becomes holes that gossip refills.
      log::Warn("storage", "log file without a valid header removed",
                {{"file", path}, {"bytes", data.size()}});
      NORDLYS_RETURN_IF_ERROR(env_->DeleteFile(path));
      continue;
    }
    if (valid_end < data.size() &&
        std::all_of(data.begin() + static_cast<std::ptrdiff_t>(valid_end), data.end(),
                    [](char c) { return c == '\0'; })) {
      // Zeros written ahead of the log (ZeroLogAhead): the clean end, not a torn tail. The
      // file is never appended to again (a new one is opened below), so they stay as they are.
    } else if (valid_end < data.size()) {
      log::Warn("storage", "log file truncated at the first bad frame",
                {{"file", path}, {"valid_bytes", valid_end}, {"dropped_bytes",
                                                              data.size() - valid_end}});
      NORDLYS_RETURN_IF_ERROR(env_->TruncateFile(path, valid_end));
    }
    if (skipped > 0) {
      log::Warn("storage", "corrupt frames skipped in the middle of a log file",
                {{"file", path}, {"frames", skipped}});
    }
    LogFile& lf = files_[num];
    lf.size = valid_end;
    for (size_t i = 1; i < frames.size(); ++i) {
      const Frame& f = frames[i];
      ++frames_total;
      Loc loc{num, f.offset, f.size};
      switch (f.type) {
        case FrameType::kRecord: {
          RecordFrame rf;
          if (!DecodeRecordFrame(f.payload, &rf).ok()) break;
          if (history_.Annulled(rf.epoch, rf.record.lsn)) {
            ++annulled;
            break;
          }
          if (pages_per_pg_ != 0 && !CheckPageInPg(rf.record.page, rf.pg, pages_per_pg_).ok()) {
            break;
          }
          NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(rf.pg));
          if (Holds(*pg, rf.record.lsn)) break;
          IndexRecord(pg, rf.record.lsn,
                      RecEntry{rf.record.page, rf.epoch, rf.record.is_cpl(),
                               static_cast<uint32_t>(rf.record.payload.size()), loc});
          break;
        }
        case FrameType::kCoverage: {
          CoverageFrame cf;
          if (!DecodeCoverageFrame(f.payload, &cf).ok()) break;
          lf.max_claim_hi = std::max(lf.max_claim_hi, cf.to.value());
          claims.push_back(Claim{cf.pg, cf.tag, cf.after.value(), cf.to.value(),
                                 std::move(cf.items), false});
          break;
        }
        case FrameType::kImage: {
          ImageFrame im;
          if (!DecodeImageFrame(f.payload, &im).ok()) break;
          if (history_.Annulled(im.epoch, im.lsn)) break;
          NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(im.pg));
          IndexImage(pg, im.page, im.lsn, ImageEntry{im.epoch, loc});
          break;
        }
        case FrameType::kBaseImage: {
          ImageFrame im;
          if (!DecodeImageFrame(f.payload, &im).ok()) break;
          if (history_.Annulled(im.epoch, im.lsn)) break;
          NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(im.pg));
          IndexImage(pg, im.page, im.lsn, ImageEntry{im.epoch, loc});
          PageData& pd = pg->pages[im.page];
          pd.collected_to = std::max(pd.collected_to, im.lsn);  // nothing older came with it
          break;
        }
        case FrameType::kBase: {
          BaseFrame b;
          if (!DecodeBaseFrame(f.payload, &b).ok()) break;
          bases.push_back(b);
          break;
        }
        case FrameType::kSnapshot: {
          SnapshotFrame s;
          if (!DecodeSnapshotFrame(f.payload, &s).ok()) break;
          for (auto& [_, other] : files_) other.has_snapshot = false;
          lf.has_snapshot = true;
          snapshot = std::move(s);
          break;
        }
        case FrameType::kFileHeader:
          break;
      }
    }
  }

  // The snapshot's coverage (<= its floor) is a strict claim: its retained records must be held.
  gc_floor_ = snapshot.floor;
  horizon_ = snapshot.floor;
  for (const auto& sp : snapshot.pgs) {
    NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(sp.pg));
    pg->last_collected = sp.last_collected;
    pg->last_collected_cpl = sp.last_collected_cpl;
    if (sp.last_collected_cpl != kInvalidLsn) pg->cpls.insert(sp.last_collected_cpl);
    std::vector<CoverageFrame::Item> items;
    for (Lsn l : sp.retained) items.push_back({l, PageId(0)});
    for (const auto& iv : sp.coverage) {
      claims.push_back(Claim{sp.pg, iv.tag, iv.lo.value(), iv.hi.value(), items, true});
    }
  }
  // Bases shipped after the snapshot (or before it: AdoptBase only raises).
  for (const BaseFrame& b : bases) {
    NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(b.pg));
    AdoptBase(pg, b);
  }
  for (const Claim& c : claims) ResolveClaim(c);
  for (auto& [id, pg] : pgs_) {
    UpdateScl(&pg, /*allow_decrease=*/true);
    for (auto& [page, pd] : pg.pages) RefreshSinceImage(id, &pg, page, &pd);
  }
  uint32_t next = numbers.empty() ? 1 : numbers.back() + 1;
  NORDLYS_RETURN_IF_ERROR(OpenNewLogFile(next));
  stats_.segments = pgs_.size();
  log::Info("storage", "segment store recovered",
            {{"dir", options_.dir},
             {"files", files_.size()},
             {"frames", frames_total},
             {"annulled", annulled},
             {"pgs", pgs_.size()},
             {"epoch", history_.current()},
             {"gc_floor", gc_floor_}});
  return Status::OK();
}

void SegmentStoreImpl::ResolveClaim(const Claim& c) {
  auto it = pgs_.find(c.pg);
  if (it == pgs_.end()) return;
  PgData& pg = it->second;
  uint64_t hi = std::min(c.hi, CutFor(history_, c.tag));
  if (hi <= c.lo) return;
  IntervalSet add;
  add.Add(c.lo, hi);
  // Items come in LSN order (a batch's records, a coverage frame's list): walk the record index
  // beside them instead of a lookup per item (these lookups showed at 3% of a node's CPU).
  auto rec = pg.records.end();
  Lsn prev = kInvalidLsn;
  for (const auto& item : c.items) {
    if (item.lsn.value() <= c.lo || item.lsn.value() > hi) continue;
    if (rec == pg.records.end() || item.lsn < prev) {
      rec = pg.records.lower_bound(item.lsn);
    } else {
      while (rec != pg.records.end() && rec->first < item.lsn) ++rec;
    }
    prev = item.lsn;
    if (rec != pg.records.end() && rec->first == item.lsn) continue;
    if (!c.strict && item.lsn <= gc_floor_) {
      // Reclaimed by GC: an image at or above it replaced it.
      auto pit = pg.pages.find(item.page);
      if (pit != pg.pages.end() && !pit->second.images.empty() &&
          pit->second.images.rbegin()->first >= item.lsn) {
        pit->second.collected_to = std::max(pit->second.collected_to, item.lsn);
        continue;
      }
    }
    // Vouched for but not held: a lost frame. Leave a hole for gossip to refill.
    add.RemovePoint(item.lsn.value());
    pg.lost.insert(item.lsn);
  }
  for (const auto& [lo, h] : add.intervals()) pg.coverage.Add(c.tag, lo, h);
}

void SegmentStoreImpl::UpdateScl(PgData* pg, bool allow_decrease) {
  Lsn scl = pg->coverage.Scl();
  if (!allow_decrease) NORDLYS_ASSERT(scl >= pg->scl);
  pg->scl = scl;
}

// ---- helpers ---------------------------------------------------------------------------------

Status SegmentStoreImpl::CheckEpoch(Epoch e, std::string_view what) const {
  Epoch cur = epoch();
  if (e < cur) {
    return Status::Fenced(std::string(what) + ": request epoch " + std::to_string(e.value()) +
                          " is older than the node's epoch " + std::to_string(cur.value()));
  }
  if (e > history_.current()) {
    return Status::Unavailable(std::string(proto::kEpochHistoryBehind) + ": " +
                               std::string(what) + " at epoch " + std::to_string(e.value()) +
                               ", node history ends at epoch " +
                               std::to_string(history_.current().value()));
  }
  return Status::OK();
}

Result<PgData*> SegmentStoreImpl::GetOrCreatePg(PgId pg) {
  auto it = pgs_.find(pg);
  if (it != pgs_.end()) return &it->second;
  if (pgs_.size() >= kPgsMax) {
    return Status::ResourceExhausted("node already hosts " + std::to_string(kPgsMax) + " PGs");
  }
  stats_.segments = pgs_.size() + 1;
  return &pgs_[pg];
}

Status SegmentStoreImpl::CheckPageInPg(PageId page, PgId pg, uint64_t pages_per_pg) const {
  if (pages_per_pg == 0) {
    return Status::InvalidArgument("pages_per_pg unknown: send it in the batch or ConfigurePg");
  }
  if (page.value() / pages_per_pg != pg.value()) {
    return Status::InvalidArgument("page " + std::to_string(page.value()) + " is not in PG " +
                                   std::to_string(pg.value()));
  }
  return Status::OK();
}

PageData* SegmentStoreImpl::IndexRecord(PgData* pg, Lsn lsn, const RecEntry& e) {
  NORDLYS_ASSERT(lsn != kInvalidLsn);
  // Records mostly arrive in LSN order: the hint makes appending at the end O(1) (the trees
  // hold every retained record, so a full descent per insert showed at 13% of a node's CPU).
  pg->records.emplace_hint(pg->records.end(), lsn, e);
  if (e.cpl) pg->cpls.insert(pg->cpls.end(), lsn);
  PageData& pd = pg->pages[e.page];
  pd.records.insert(pd.records.end(), lsn);
  if (pd.images.empty() || pd.images.rbegin()->first < lsn) {
    pd.since_image = static_cast<uint32_t>(
        std::min<uint64_t>(uint64_t{pd.since_image} + RecordWeight(e.payload_bytes), UINT32_MAX));
  }
  return &pd;
}

uint32_t SegmentStoreImpl::RedoWeight(const PgData& pg, const PageData& pd, Lsn after,
                                      Lsn to) const {
  uint64_t w = 0;
  for (auto r = pd.records.upper_bound(after); r != pd.records.end() && *r <= to; ++r) {
    auto e = pg.records.find(*r);
    w += RecordWeight(e == pg.records.end() ? 0 : e->second.payload_bytes);
  }
  return static_cast<uint32_t>(std::min<uint64_t>(w, UINT32_MAX));
}

void SegmentStoreImpl::IndexImage(PgData* pg, PageId page, Lsn lsn, const ImageEntry& e) {
  pg->pages[page].images[lsn] = e;
}

void SegmentStoreImpl::EraseRecord(PgData* pg, std::map<Lsn, RecEntry>::iterator it) {
  auto pit = pg->pages.find(it->second.page);
  if (pit != pg->pages.end()) pit->second.records.erase(it->first);
  if (it->second.cpl) pg->cpls.erase(it->first);
  pg->records.erase(it);
}

void SegmentStoreImpl::DropCorruptRecord(PgId pg_id, PgData* pg, Lsn lsn, const Status& why) {
  log::Warn("storage", "corrupt record dropped; its LSN is now a hole for gossip to refill",
            {{"pg", pg_id}, {"lsn", lsn}, {"error", why.ToString()}});
  auto it = pg->records.find(lsn);
  if (it != pg->records.end()) EraseRecord(pg, it);
  pg->coverage.RemovePoint(lsn.value());
  pg->lost.insert(lsn);
  UpdateScl(pg, /*allow_decrease=*/true);
}

bool SegmentStoreImpl::ForgetPageIfUnrecoverable(PgId pg_id, PgData* pg, PageId page) {
  auto pit = pg->pages.find(page);
  if (pit == pg->pages.end()) return false;
  PageData& pd = pit->second;
  if (pd.collected_to == kInvalidLsn) return false;
  if (!pd.images.empty() && pd.images.rbegin()->first >= pd.collected_to) return false;
  log::Warn("storage",
            "page lost its only image above reclaimed versions; the PG is fetched again from peers",
            {{"pg", pg_id}, {"page", page}, {"collected_to", pd.collected_to}});
  // Bound: the page's records.
  std::vector<Lsn> lsns(pd.records.begin(), pd.records.end());
  for (Lsn lsn : lsns) {
    auto it = pg->records.find(lsn);
    if (it != pg->records.end()) EraseRecord(pg, it);
  }
  pg->pages.erase(pit);
  // Above the base a peer ships, the page's reclaimed records must come back as records: only a
  // PG with no coverage at all asks for all of them (a hole at one LSN would not).
  pg->coverage = Coverage();
  pg->ship_at = kInvalidLsn;
  pg->ship_next = PageId(0);
  UpdateScl(pg, /*allow_decrease=*/true);
  ++stats_.corruptions_repaired;
  return true;
}

void SegmentStoreImpl::RefreshSinceImage(PgId pg_id, PgData* pg, PageId page, PageData* pd) {
  Lsn base = pd->images.empty() ? Lsn(0) : pd->images.rbegin()->first;
  pd->since_image = RedoWeight(*pg, *pd, base, kNoLimit);
  NoteCoalesceCandidate(pg_id, page, pd);
}

void SegmentStoreImpl::NoteCoalesceCandidate(PgId pg, PageId page, PageData* pd) {
  if (!pd->coalesce_candidate && pd->since_image >= options_.records_per_image) {
    coalesce_candidates_.insert({pg, page});
    pd->coalesce_candidate = true;
  }
}

// ---- log -------------------------------------------------------------------------------------

Status SegmentStoreImpl::OpenNewLogFile(uint32_t number) {
  std::string header;
  AppendFrame(FrameType::kFileHeader, EncodeFileHeader(FileHeaderFrame{kLogFormatVersion, number}),
              &header);
  std::string path = Path(LogFileName(number));
  // WriteFileAtomic makes the new file's directory entry durable; appends then go to it.
  NORDLYS_RETURN_IF_ERROR(env_->WriteFileAtomic(path, header));
  NORDLYS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env_->NewAppendableFile(path));
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    writer_ = std::move(file);
  }
  current_file_ = number;
  LogFile& lf = files_[number];
  lf.size = header.size();
  tail_.clear();
  tail_start_ = lf.size;
  lf.reader.reset();
  return Status::OK();
}

Status SegmentStoreImpl::ZeroLogAhead() {
  if (options_.log_zero_ahead_bytes == 0) return Status::OK();
  std::shared_ptr<WritableFile> file;
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    file = writer_;
  }
  if (!file) return Status::OK();
  // While the log grows fast (a quarter of the window since the last call: 20 MB/s at the
  // node's 50 ms tick) the zeros would double the disk's write bandwidth, and each fdatasync
  // carries enough data that the metadata it writes costs little: appends grow the file then.
  const uint64_t size = file->Size();
  const bool fast = file == zero_check_file_ && size - zero_check_size_ > options_.log_zero_ahead_bytes / 4;
  zero_check_file_ = file;
  zero_check_size_ = size;
  if (fast) return Status::OK();
  // A failure here is not a write error of the log: appends simply grow the file again.
  return file->ZeroAhead(options_.log_zero_ahead_bytes);
}

Status SegmentStoreImpl::AppendToLog(const std::string& bytes, uint32_t* file, uint64_t* offset) {
  NORDLYS_RETURN_IF_ERROR(write_error_);
  LogFile* lf = &files_[current_file_];
  if (lf->size + bytes.size() > options_.log_file_bytes_max && lf->size > kFrameHeaderBytes + 16) {
    // Everything in a finished file is durable before the next one starts: recovery may then
    // treat any bad frame in an older file as corruption, never as a torn tail.
    if (Status s = writer_->Sync(); !s.ok()) {
      write_error_ = s;
      return s;
    }
    if (Status s = OpenNewLogFile(current_file_ + 1); !s.ok()) {
      write_error_ = s;
      return s;
    }
    lf = &files_[current_file_];
  }
  if (Status s = writer_->Append(bytes); !s.ok()) {
    // Part of the frames may be on disk; nothing after them could be trusted on replay, so
    // the store stops writing until it is reopened.
    write_error_ = s;
    return s;
  }
  *file = current_file_;
  *offset = lf->size;
  if (tail_start_ + tail_.size() != lf->size) {  // the file was reopened: start the cache here
    tail_.clear();
    tail_start_ = lf->size;
  }
  if (tail_.size() + bytes.size() > kTailCacheBytesMax) {
    // Keep the newer part: dropping at least half each time moves each byte about once.
    const size_t drop = std::min(tail_.size(), std::max(tail_.size() / 2, tail_.size() + bytes.size() - kTailCacheBytesMax));
    tail_.erase(0, drop);
    tail_start_ += drop;
  }
  tail_ += bytes;
  lf->size += bytes.size();
  unsynced_ = true;
  return Status::OK();
}

Status SegmentStoreImpl::Sync() {
  NORDLYS_RETURN_IF_ERROR(write_error_);
  if (unsynced_) {
    if (Status s = writer_->Sync(); !s.ok()) {
      write_error_ = s;  // after a failed fsync the page cache state is unknown
      return s;
    }
    unsynced_ = false;
  }
  std::vector<Claim> claims = std::move(pending_);
  pending_.clear();
  std::set<PgId> touched;
  for (const Claim& c : claims) {
    ResolveClaim(c);
    touched.insert(c.pg);
  }
  for (PgId id : touched) {
    auto it = pgs_.find(id);
    if (it != pgs_.end()) UpdateScl(&it->second, /*allow_decrease=*/false);
  }
  return Status::OK();
}

// ---- write path ------------------------------------------------------------------------------

Status SegmentStoreImpl::AppendBatch(const proto::WriteBatchRequest& req) {
  NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch, "WriteBatch"));
  if (req.covers_to < req.covers_after) {
    return Status::InvalidArgument("WriteBatch: covers_to below covers_after");
  }
  if (req.pgs.empty()) return Status::InvalidArgument("WriteBatch: no PGs listed");
  for (size_t i = 1; i < req.pgs.size(); ++i) {
    if (req.pgs[i] <= req.pgs[i - 1]) {
      return Status::InvalidArgument("WriteBatch: PGs not strictly ascending");
    }
  }
  uint64_t ppg = req.pages_per_pg != 0 ? req.pages_per_pg : pages_per_pg_;
  if (req.pages_per_pg != 0 && pages_per_pg_ != 0 && req.pages_per_pg != pages_per_pg_) {
    return Status::InvalidArgument("WriteBatch: pages_per_pg " +
                                   std::to_string(req.pages_per_pg) + " differs from the node's " +
                                   std::to_string(pages_per_pg_));
  }
  for (size_t i = 0; i < req.records.size(); ++i) {
    const redo::Record& r = req.records[i];
    if (i > 0 && r.lsn <= req.records[i - 1].lsn) {
      return Status::InvalidArgument("WriteBatch: records not in ascending LSN order");
    }
    if (r.lsn <= req.covers_after || r.lsn > req.covers_to) {
      return Status::InvalidArgument("WriteBatch: record " + std::to_string(r.lsn.value()) +
                                     " outside the batch interval");
    }
    if (ppg == 0) return CheckPageInPg(r.page, PgId(0), 0);
    PgId pg(r.page.value() / ppg);
    if (!std::binary_search(req.pgs.begin(), req.pgs.end(), pg)) {
      return Status::InvalidArgument("WriteBatch: record " + std::to_string(r.lsn.value()) +
                                     " is for page " + std::to_string(r.page.value()) +
                                     " in PG " + std::to_string(pg.value()) +
                                     ", which the batch does not list");
    }
    if (r.payload.size() > redo::kMaxPayload) {
      return Status::InvalidArgument("WriteBatch: record payload too large");
    }
  }
  if (pending_.size() + req.pgs.size() > kPendingClaimsMax) {
    return Status::ResourceExhausted("WriteBatch: too many unsynced batches; Sync first");
  }
  size_t new_pgs = 0;
  for (PgId pg : req.pgs) new_pgs += pgs_.count(pg) ? 0 : 1;
  if (pgs_.size() + new_pgs > kPgsMax) {
    return Status::ResourceExhausted("WriteBatch: node would host too many PGs");
  }
  if (req.pages_per_pg != 0 && pages_per_pg_ == 0) pages_per_pg_ = req.pages_per_pg;
  for (PgId pg : req.pgs) {
    NORDLYS_ASSIGN_OR_RETURN(PgData * d, GetOrCreatePg(pg));
    d->known_tip = std::max(d->known_tip, req.covers_to);
  }
  if (req.covers_to == req.covers_after && req.records.empty()) {
    return Status::OK();  // a status poll: nothing to write
  }

  // Build the frames: new records, then one coverage claim per listed PG vouching for every
  // record of the batch (held before or not), so a lost record frame is detectable on replay.
  std::string bytes;
  {
    // Room for every frame up front: growing the string would copy the batch again.
    size_t room = (kFrameHeaderBytes + 100) * (req.pgs.size() + 1);
    for (const redo::Record& r : req.records) {
      // Frame header, PG and epoch, the record; then its item in the coverage frame.
      room += kFrameHeaderBytes + 16 + redo::EncodedRecordSize(r) + 16;
    }
    bytes.reserve(room);
  }
  struct NewRec {
    PgId pg;
    size_t index;
    uint64_t rel_offset;
    uint32_t size;
  };
  std::vector<NewRec> fresh;
  std::map<PgId, std::vector<CoverageFrame::Item>> items;
  for (size_t i = 0; i < req.records.size(); ++i) {
    const redo::Record& r = req.records[i];
    PgId pg(r.page.value() / ppg);
    items[pg].push_back({r.lsn, r.page});
    auto it = pgs_.find(pg);
    if (it != pgs_.end() && Holds(it->second, r.lsn)) continue;  // already held
    uint64_t rel = bytes.size();
    AppendRecordFrame(pg, req.epoch, r, &bytes);
    fresh.push_back({pg, i, rel, static_cast<uint32_t>(bytes.size() - rel)});
  }
  std::vector<Claim> claims;
  for (PgId pg : req.pgs) {
    CoverageFrame cf{pg, req.epoch, req.covers_after, req.covers_to, items[pg]};
    AppendFrame(FrameType::kCoverage, EncodeCoverageFrame(cf), &bytes);
    claims.push_back(Claim{pg, req.epoch, req.covers_after.value(), req.covers_to.value(),
                           std::move(cf.items), false});
  }
  uint32_t file = 0;
  uint64_t offset = 0;
  NORDLYS_RETURN_IF_ERROR(AppendToLog(bytes, &file, &offset));
  files_[file].max_claim_hi = std::max(files_[file].max_claim_hi, req.covers_to.value());
  for (PgId pg : req.pgs) (void)GetOrCreatePg(pg);
  for (const NewRec& n : fresh) {
    const redo::Record& r = req.records[n.index];
    PgData* pg = &pgs_[n.pg];
    PageData* pd = IndexRecord(
        pg, r.lsn,
        RecEntry{r.page, req.epoch, r.is_cpl(), static_cast<uint32_t>(r.payload.size()),
                 Loc{file, offset + n.rel_offset, n.size}});
    NoteCoalesceCandidate(n.pg, r.page, pd);
    ++stats_.records_ingested;
    stats_.bytes_ingested += r.payload.size();
  }
  for (auto& c : claims) pending_.push_back(std::move(c));
  return Status::OK();
}

Status SegmentStoreImpl::AppendFetched(const proto::FetchRecordsRequest& req,
                                       const proto::FetchRecordsResponse& resp) {
  NORDLYS_RETURN_IF_ERROR(resp.history.Validate());
  if (history_.IsPrefixOf(resp.history)) {
    if (resp.history.entries.size() > history_.entries.size()) {
      NORDLYS_RETURN_IF_ERROR(AdoptHistory(resp.history));
    }
  } else if (!resp.history.IsPrefixOf(history_)) {
    return Status::Corruption("FetchRecords answer: the peer's epoch history diverges from ours");
  }
  if (resp.images_at != kInvalidLsn) {
    if (pending_.size() + 1 > kPendingClaimsMax) {
      return Status::ResourceExhausted("AppendFetched: too many unsynced claims; Sync first");
    }
    NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(req.pg));
    return AppendBase(req, resp, pg);
  }
  if (resp.covered_to < req.after || resp.covered_to > req.up_to) {
    return Status::InvalidArgument("FetchRecords answer: covered_to outside the request");
  }
  if (resp.records.size() > kFetchRecordsMax) {
    return Status::InvalidArgument("FetchRecords answer: too many records");
  }
  for (size_t i = 0; i < resp.records.size(); ++i) {
    const auto& s = resp.records[i];
    if (i > 0 && s.record.lsn <= resp.records[i - 1].record.lsn) {
      return Status::InvalidArgument("FetchRecords answer: records not ascending");
    }
    if (s.record.lsn <= req.after || s.record.lsn > resp.covered_to) {
      return Status::InvalidArgument("FetchRecords answer: record outside covered interval");
    }
    if (s.epoch > history_.current()) {
      return Status::InvalidArgument("FetchRecords answer: record from a future epoch");
    }
    if (pages_per_pg_ != 0) NORDLYS_RETURN_IF_ERROR(CheckPageInPg(s.record.page, req.pg,
                                                                  pages_per_pg_));
  }
  if (pending_.size() + 1 > kPendingClaimsMax) {
    return Status::ResourceExhausted("AppendFetched: too many unsynced claims; Sync first");
  }
  NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(req.pg));
  Epoch tag = resp.history.current();
  std::string bytes;
  std::vector<std::pair<size_t, std::pair<uint64_t, uint32_t>>> fresh;
  std::vector<CoverageFrame::Item> items;
  for (size_t i = 0; i < resp.records.size(); ++i) {
    const auto& s = resp.records[i];
    if (history_.Annulled(s.epoch, s.record.lsn)) continue;
    items.push_back({s.record.lsn, s.record.page});
    if (Holds(*pg, s.record.lsn)) continue;
    uint64_t rel = bytes.size();
    AppendRecordFrame(req.pg, s.epoch, s.record, &bytes);
    fresh.push_back({i, {rel, static_cast<uint32_t>(bytes.size() - rel)}});
  }
  if (resp.covered_to > req.after) {
    CoverageFrame cf{req.pg, tag, req.after, resp.covered_to, items};
    AppendFrame(FrameType::kCoverage, EncodeCoverageFrame(cf), &bytes);
  }
  if (bytes.empty()) return Status::OK();
  uint32_t file = 0;
  uint64_t offset = 0;
  NORDLYS_RETURN_IF_ERROR(AppendToLog(bytes, &file, &offset));
  files_[file].max_claim_hi = std::max(files_[file].max_claim_hi, resp.covered_to.value());
  for (const auto& [i, where] : fresh) {
    const auto& s = resp.records[i];
    PageData* pd = IndexRecord(pg, s.record.lsn,
                               RecEntry{s.record.page, s.epoch, s.record.is_cpl(),
                                        static_cast<uint32_t>(s.record.payload.size()),
                                        Loc{file, offset + where.first, where.second}});
    NoteCoalesceCandidate(req.pg, s.record.page, pd);
    ++stats_.records_repaired;
    if (pg->lost.erase(s.record.lsn)) ++stats_.corruptions_repaired;
  }
  if (resp.covered_to > req.after) {
    pending_.push_back(
        Claim{req.pg, tag, req.after.value(), resp.covered_to.value(), std::move(items), false});
  }
  return Status::OK();
}

Status SegmentStoreImpl::AppendBase(const proto::FetchRecordsRequest& req,
                                    const proto::FetchRecordsResponse& resp, PgData* pg) {
  const Lsn floor = resp.images_at;
  if (!resp.records.empty()) {
    return Status::InvalidArgument("FetchRecords answer: records beside shipped images");
  }
  if (floor <= req.after) {
    return Status::InvalidArgument("FetchRecords answer: images at or below the asked range");
  }
  if (resp.images.size() > kShippedImagesMax) {
    return Status::InvalidArgument("FetchRecords answer: too many images");
  }
  if (resp.images_done ? resp.covered_to != floor : resp.covered_to != req.after) {
    return Status::InvalidArgument("FetchRecords answer: image answer with a wrong covered_to");
  }
  if (resp.images_done && (resp.base_last_lsn > floor || resp.base_last_cpl > floor)) {
    return Status::InvalidArgument("FetchRecords answer: base reaches above its floor");
  }
  // Every image is checked (checksum and page id) before any is stored.
  for (size_t i = 0; i < resp.images.size(); ++i) {
    const proto::ShippedImage& im = resp.images[i];
    if (i > 0 && im.page <= resp.images[i - 1].page) {
      return Status::InvalidArgument("FetchRecords answer: images not ascending by page");
    }
    if (im.lsn == kInvalidLsn || im.lsn > floor || im.epoch > history_.current()) {
      return Status::InvalidArgument("FetchRecords answer: image version outside the base");
    }
    if (pages_per_pg_ != 0) NORDLYS_RETURN_IF_ERROR(CheckPageInPg(im.page, req.pg, pages_per_pg_));
    page::Page p;
    if (im.image.size() != page::kPageSize) {
      return Status::InvalidArgument("FetchRecords answer: image size");
    }
    std::memcpy(p.bytes.data(), im.image.data(), page::kPageSize);
    NORDLYS_RETURN_IF_ERROR(p.Verify(im.page).WithContext("FetchRecords answer: shipped image"));
    if (p.lsn() != im.lsn) {
      return Status::InvalidArgument("FetchRecords answer: image LSN differs from its page's");
    }
  }
  std::string bytes;
  std::vector<std::pair<size_t, std::pair<uint64_t, uint32_t>>> fresh;
  for (size_t i = 0; i < resp.images.size(); ++i) {
    const proto::ShippedImage& im = resp.images[i];
    uint64_t rel = bytes.size();
    AppendFrame(FrameType::kBaseImage,
                EncodeImageFrame(ImageFrame{req.pg, im.page, im.lsn, im.epoch, im.image}), &bytes);
    fresh.push_back({i, {rel, static_cast<uint32_t>(bytes.size() - rel)}});
  }
  BaseFrame base{req.pg, floor, resp.base_last_lsn, resp.base_last_cpl};
  Epoch tag = resp.history.current();
  if (resp.images_done) {
    // The base marker first, then its coverage: recovery applies a base only with its claim.
    AppendFrame(FrameType::kBase, EncodeBaseFrame(base), &bytes);
    AppendFrame(FrameType::kCoverage,
                EncodeCoverageFrame(CoverageFrame{req.pg, tag, req.after, floor, {}}), &bytes);
  }
  if (!bytes.empty()) {
    uint32_t file = 0;
    uint64_t offset = 0;
    NORDLYS_RETURN_IF_ERROR(AppendToLog(bytes, &file, &offset));
    if (resp.images_done) {
      files_[file].max_claim_hi = std::max(files_[file].max_claim_hi, floor.value());
    }
    for (const auto& [i, where] : fresh) {
      const proto::ShippedImage& im = resp.images[i];
      IndexImage(pg, im.page, im.lsn,
                 ImageEntry{im.epoch, Loc{file, offset + where.first, where.second}});
      PageData& pd = pg->pages[im.page];
      pd.collected_to = std::max(pd.collected_to, im.lsn);
      pd.since_image = RedoWeight(*pg, pd, im.lsn, kNoLimit);
    }
  }
  stats_.images_received += resp.images.size();
  if (!resp.images_done) {
    pg->ship_at = floor;
    pg->ship_next = resp.images_next;
    return Status::OK();
  }
  pg->ship_at = kInvalidLsn;
  pg->ship_next = PageId(0);
  AdoptBase(pg, base);
  pending_.push_back(Claim{req.pg, tag, req.after.value(), floor.value(), {}, false});
  log::Info("storage", "page images shipped from a peer installed",
            {{"pg", req.pg}, {"floor", floor}, {"images", resp.images.size()}});
  return Status::OK();
}

void SegmentStoreImpl::AdoptBase(PgData* pg, const BaseFrame& base) {
  gc_floor_ = std::max(gc_floor_, base.floor);
  horizon_ = std::max(horizon_, base.floor);
  pg->last_collected = std::max(pg->last_collected, base.last_lsn);
  if (base.last_cpl > pg->last_collected_cpl) {
    pg->last_collected_cpl = base.last_cpl;
    pg->cpls.insert(base.last_cpl);
  }
}

// ---- epochs and configuration -----------------------------------------------------------------

Status SegmentStoreImpl::Promise(Epoch e) {
  if (e <= epoch()) return Status::OK();
  NORDLYS_RETURN_IF_ERROR(env_->WriteFileAtomic(Path(kPromiseFile), EncodePromiseFile(e)));
  promised_ = e;
  log::Info("storage", "promised epoch to a recovering writer", {{"epoch", e}});
  return Status::OK();
}

Status SegmentStoreImpl::AdoptHistory(const proto::EpochHistory& h) {
  NORDLYS_ASSERT(history_.IsPrefixOf(h));
  NORDLYS_RETURN_IF_ERROR(env_->WriteFileAtomic(Path(kEpochFile), EncodeEpochFile(h)));
  size_t old_len = history_.entries.size();
  history_ = h;
  for (size_t i = old_len; i < h.entries.size(); ++i) Annul(h.entries[i]);
  log::Info("storage", "epoch history adopted",
            {{"epoch", h.current()}, {"vdl", h.entries.back().vdl}});
  return Status::OK();
}

void SegmentStoreImpl::Annul(const proto::EpochEntry& entry) {
  for (auto& [id, pg] : pgs_) {
    for (auto it = pg.records.upper_bound(entry.vdl); it != pg.records.end();) {
      if (it->second.epoch < entry.epoch) {
        auto next = std::next(it);
        EraseRecord(&pg, it);
        it = next;
      } else {
        ++it;
      }
    }
    for (auto& [page, pd] : pg.pages) {
      bool dropped = false;
      for (auto it = pd.images.upper_bound(entry.vdl); it != pd.images.end();) {
        if (it->second.epoch < entry.epoch) {
          it = pd.images.erase(it);
          dropped = true;
        } else {
          ++it;
        }
      }
      if (dropped) RefreshSinceImage(id, &pg, page, &pd);
    }
    for (auto it = pg.lost.upper_bound(entry.vdl); it != pg.lost.end();) it = pg.lost.erase(it);
    pg.coverage.Annul(entry);
    UpdateScl(&pg, /*allow_decrease=*/true);
  }
}

Result<proto::PgStateResponse> SegmentStoreImpl::InstallEpoch(
    const proto::InstallEpochRequest& req) {
  if (req.history.entries.empty()) return Status::InvalidArgument("InstallEpoch: empty history");
  if (req.history.current() < promised_) {
    return Status::Fenced("InstallEpoch: epoch " + std::to_string(req.history.current().value()) +
                          " is below the epoch " + std::to_string(promised_.value()) +
                          " promised to another recovering writer");
  }
  NORDLYS_RETURN_IF_ERROR(req.history.Validate());
  if (history_.IsPrefixOf(req.history)) {
    if (req.history.entries.size() > history_.entries.size()) {
      NORDLYS_RETURN_IF_ERROR(AdoptHistory(req.history));
    }
  } else if (req.history.IsPrefixOf(history_)) {
    return Status::Fenced("InstallEpoch: the node already has epoch " +
                          std::to_string(history_.current().value()));
  } else {
    return Status::Corruption("InstallEpoch: epoch history diverges from the node's");
  }
  return StateOf(req.pg, Lsn::Max());
}

bool ContinueFetch(const proto::FetchRecordsResponse& resp, proto::FetchRecordsRequest* req) {
  bool progress = resp.covered_to > req->after || !resp.images.empty();
  if (resp.images_at != kInvalidLsn && !resp.images_done) {
    req->images_at = resp.images_at;
    req->images_from = resp.images_next;
  } else {
    req->after = std::max(req->after, resp.covered_to);
    req->images_at = kInvalidLsn;
    req->images_from = PageId(0);
  }
  return progress;
}

Status SegmentStoreImpl::SetHorizon(const proto::SetHorizonRequest& req) {
  NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch, "SetHorizon"));
  horizon_ = std::max(horizon_, req.horizon);  // never moves back: GC may already have run
  return Status::OK();
}

Status SegmentStoreImpl::ConfigurePg(const proto::ConfigurePgRequest& req) {
  NORDLYS_RETURN_IF_ERROR(CheckEpoch(req.epoch, "ConfigurePg"));
  if (req.members.size() > 64) return Status::InvalidArgument("ConfigurePg: too many members");
  if (req.pages_per_pg != 0 && pages_per_pg_ != 0 && req.pages_per_pg != pages_per_pg_) {
    return Status::InvalidArgument("ConfigurePg: pages_per_pg differs from the node's");
  }
  NORDLYS_RETURN_IF_ERROR(req.membership.Validate());
  NORDLYS_ASSIGN_OR_RETURN(PgData * pg, GetOrCreatePg(req.pg));
  if (req.membership.known()) {
    // Memberships only move forward: a late, older ConfigurePg (a resend overtaken by the next
    // step of a change) must not bring back a member set, nor its gossip peers.
    if (req.membership.version < pg->membership.version) return Status::OK();
    if (req.membership.version.epoch > req.epoch) {
      return Status::InvalidArgument("ConfigurePg: membership from a future epoch");
    }
    if (req.membership.version == pg->membership.version && req.membership != pg->membership) {
      return Status::Corruption("ConfigurePg: two memberships with one version");
    }
    pg->membership = req.membership;
  }
  pg->members = req.members;
  if (req.pages_per_pg != 0) pages_per_pg_ = req.pages_per_pg;
  return PersistConfig();
}

Status SegmentStoreImpl::PersistConfig() {
  std::vector<PgConfig> cfg;
  for (const auto& [id, pg] : pgs_) {
    if (!pg.members.empty() || pg.membership.known()) {
      cfg.push_back(PgConfig{id, pg.members, pg.membership});
    }
  }
  return env_->WriteFileAtomic(Path(kConfigFile), EncodeConfigFile(pages_per_pg_, cfg));
}

}  // namespace nordlys::storage
