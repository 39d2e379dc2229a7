// SegmentStoreImpl: the concrete SegmentStore (see segment_store.h for the contract and
// docs/formats/segment-log.md for the files). Split over three files by concern:
//   segment_store.cc             open/recovery, the write path, epochs, configuration
//   segment_store_read.cc        GetPage, PgState, FetchRecords, GossipWants, Stats
//   segment_store_background.cc  Coalesce, Scrub, CollectGarbage
//
// The in-memory index holds only locations; payloads are re-read (and their frame checksums
// verified) from the log on every use.
//
// Thread safety: none (one caller at a time, as the interface says).
#pragma once

#include <algorithm>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "page/page.h"
#include "storage/coverage.h"
#include "storage/segment_log.h"
#include "storage/segment_store.h"

namespace nordlys::storage {

// Bounds (TigerBeetle style: every collection that grows on input has a named limit).
inline constexpr size_t kPgsMax = 1u << 16;               // PGs one node may host
inline constexpr size_t kPendingClaimsMax = 1u << 20;     // coverage claims awaiting Sync()
inline constexpr uint32_t kGossipBytesMax = 1u << 20;     // answer size asked by GossipWants()
inline constexpr uint32_t kFetchRecordsMax = 1u << 16;    // records in one FetchRecords answer
inline constexpr size_t kTailCacheBytesMax = 16u << 20;   // SegmentStoreImpl::tail_
inline constexpr size_t kReadAheadBytes = 64u << 10;      // SegmentStoreImpl::read_ahead_
inline constexpr uint32_t kShippedImagesMax = 1024;       // images in one FetchRecords answer

struct Loc {
  uint32_t file = 0;
  uint64_t offset = 0;  // of the frame header
  uint32_t size = 0;    // whole frame
};

struct RecEntry {
  PageId page;
  Epoch epoch;
  bool cpl = false;
  uint32_t payload_bytes = 0;
  Loc loc;
};

struct ImageEntry {
  Epoch epoch;  // epoch of the newest record applied (annulment rule as for records)
  Loc loc;
};

// Invariants:
//   - every LSN in `records` is a key of the PG's `records` map, with this page;
//   - records <= collected_to were reclaimed by GC, or never held because a peer shipped a
//     base image at collected_to, and an image with lsn >= collected_to replaced them (if that
//     image is later found corrupt, the page cannot be rebuilt here).
struct PageData {
  std::set<Lsn> records;
  std::map<Lsn, ImageEntry> images;
  Lsn collected_to;
  uint32_t since_image = 0;  // RedoWeight() above the newest image (coalescing trigger)
  // In coalesce_candidates_ (set and cleared with it): a hot page's every record would
  // otherwise look the set up again.
  bool coalesce_candidate = false;
};

// A PG's pages in page order (base shipping walks them in order) with a hash index beside the
// tree: every ingested record looks its page up, and in a PG of tens of thousands of pages the
// tree descent missed the cache at every level (95% of IndexRecord's time, 8% of a node's CPU).
// Invariant: index_ maps exactly the keys of map_ to their (stable) map iterators.
class PageMap {
 public:
  using Map = std::map<PageId, PageData>;
  using iterator = Map::iterator;
  using const_iterator = Map::const_iterator;

  PageMap() = default;
  // A copy's index would point into the original's tree.
  PageMap(const PageMap&) = delete;
  PageMap& operator=(const PageMap&) = delete;
  PageMap(PageMap&&) = default;
  PageMap& operator=(PageMap&&) = default;

  PageData& operator[](PageId page) {
    auto h = index_.find(page);
    if (h != index_.end()) return h->second->second;
    auto it = map_.try_emplace(page).first;
    index_.emplace(page, it);
    return it->second;
  }
  iterator find(PageId page) {
    auto h = index_.find(page);
    return h == index_.end() ? map_.end() : h->second;
  }
  const_iterator find(PageId page) const {
    auto h = index_.find(page);
    return h == index_.end() ? map_.end() : const_iterator(h->second);
  }
  size_t count(PageId page) const { return index_.count(page); }
  iterator erase(iterator it) {
    index_.erase(it->first);
    return map_.erase(it);
  }
  iterator lower_bound(PageId page) { return map_.lower_bound(page); }
  iterator begin() { return map_.begin(); }
  iterator end() { return map_.end(); }
  const_iterator begin() const { return map_.begin(); }
  const_iterator end() const { return map_.end(); }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

 private:
  struct Hash {
    size_t operator()(PageId p) const { return std::hash<uint64_t>()(p.value()); }
  };
  Map map_;
  std::unordered_map<PageId, iterator, Hash> index_;
};

// Invariants:
//   - `records` holds no annulled record (per the node's history) and no record outside this PG;
//   - scl == coverage.Scl(), and scl only decreases through annulment or detected corruption;
//   - `cpls` is the subset of records' LSNs that are CPLs (plus GC-retained maxima).
struct PgData {
  std::map<Lsn, RecEntry> records;
  PageMap pages;
  std::set<Lsn> cpls;
  Coverage coverage;  // synced coverage only
  Lsn scl;
  Lsn last_collected;      // highest record LSN reclaimed by GC
  Lsn last_collected_cpl;  // highest CPL reclaimed by GC
  std::vector<proto::PgMember> members;  // gossip peers (every member of every set)
  proto::Membership membership;          // highest version sent (persisted in PGCONFIG)
  std::set<Lsn> lost;  // LSNs dropped as corrupt, awaiting re-fetch (corruptions_repaired)
  // Where the writer said the PG's log reaches (any batch's covers_to, status polls included).
  // Guides gossip only — a node that restarted empty learns it is behind — never coverage.
  // In memory: the writer's polls restore it after a restart.
  Lsn known_tip;
  // A base being shipped to us (proto "Image shipping"): the floor of the chunks received so
  // far and the page the next chunk starts at. In memory: after a restart it starts over.
  Lsn ship_at;
  PageId ship_next;
};

// A coverage claim waiting for Sync() (or, during recovery, for the end of the scan). Resolving
// it cuts it per the epoch history and punches a hole at every vouched-for record not held.
struct Claim {
  PgId pg;
  Epoch tag;
  uint64_t lo = 0, hi = 0;
  std::vector<CoverageFrame::Item> items;
  bool strict = false;  // snapshot claim: no GC exemption for missing items
};

struct LogFile {
  std::unique_ptr<RandomAccessFile> reader;  // opened lazily
  uint64_t size = 0;
  uint64_t max_claim_hi = 0;  // highest coverage claimed by a frame in this file
  bool has_snapshot = false;
};

class SegmentStoreImpl final : public SegmentStore {
 public:
  SegmentStoreImpl(Env* env, SegmentStoreOptions options)
      : env_(env), options_(std::move(options)) {}

  Status Recover();

  Status AppendBatch(const proto::WriteBatchRequest& req) override;
  Status Sync() override;
  proto::WriteBatchResponse Scls(const std::vector<PgId>& pgs) const override;
  Result<proto::GetPageResponse> GetPage(const proto::GetPageRequest& req) override;
  Result<proto::PgStateResponse> PgState(const proto::PgStateRequest& req) override;
  Result<proto::PgStateResponse> InstallEpoch(const proto::InstallEpochRequest& req) override;
  Status SetHorizon(const proto::SetHorizonRequest& req) override;
  Status ConfigurePg(const proto::ConfigurePgRequest& req) override;
  Result<proto::FetchRecordsResponse> FetchRecords(const proto::FetchRecordsRequest& r) override;
  Status AppendFetched(const proto::FetchRecordsRequest& req,
                       const proto::FetchRecordsResponse& resp) override;
  std::vector<GossipWant> GossipWants() const override;
  Status Coalesce(uint32_t max_pages, uint32_t min_records) override;
  Result<uint32_t> Scrub(uint64_t max_bytes) override;
  Status CollectGarbage() override;
  Status ZeroLogAhead() override;
  proto::NodeStatsResponse Stats() const override;
  // The fencing epoch: the history's newest epoch or a recovering writer's promise, if higher.
  Epoch epoch() const override { return std::max(history_.current(), promised_); }

 private:
  std::string Path(const std::string& name) const { return options_.dir + "/" + name; }
  // older -> Fenced; newer than the history -> Unavailable(kEpochHistoryBehind).
  Status CheckEpoch(Epoch e, std::string_view what) const;
  // Persists `e` as the promised epoch if it is above the fencing epoch.
  Status Promise(Epoch e);
  Result<PgData*> GetOrCreatePg(PgId pg);
  Status CheckPageInPg(PageId page, PgId pg, uint64_t pages_per_pg) const;

  // --- log ---
  Status OpenNewLogFile(uint32_t number);
  // Appends whole frames to the current file (rolling first if it is full). *offset = where
  // `bytes` starts in file *file.
  Status AppendToLog(const std::string& bytes, uint32_t* file, uint64_t* offset);
  // from_disk: bypass the tail cache (scrub verifies what the disk holds).
  Result<Frame> ReadFrame(const Loc& loc, bool from_disk = false);
  Result<redo::Record> ReadRecord(const RecEntry& e, Lsn lsn, bool from_disk = false);
  Result<ImageFrame> ReadImage(const ImageEntry& e, PgId pg, PageId page, Lsn lsn, bool from_disk = false);
  // Scrub's answer to a frame that failed its checksum on disk: the records and images stored
  // in [from, to) of `file` are read again from disk one by one and dropped if corrupt.
  Result<uint32_t> DropCorruptItemsIn(uint32_t file, uint64_t from, uint64_t to);

  // --- index ---
  // Inserts a record (not already held, not annulled) into the index; returns its page.
  PageData* IndexRecord(PgData* pg, Lsn lsn, const RecEntry& e);
  void IndexImage(PgData* pg, PageId page, Lsn lsn, const ImageEntry& e);
  void EraseRecord(PgData* pg, std::map<Lsn, RecEntry>::iterator it);
  // A record frame failed its checksum: forget it and open a hole so gossip re-fetches it.
  void DropCorruptRecord(PgId pg_id, PgData* pg, Lsn lsn, const Status& why);
  // An image was dropped as corrupt. If it was the page's only version at or above the LSN its
  // older versions were reclaimed to (by GC, or never held because it was shipped), the page
  // cannot be rebuilt here: forget the page and all of the PG's coverage, so gossip fetches the
  // PG again (a base from a peer that collected, everything above it) — the way a wiped node
  // is rebuilt. Returns true if it did.
  bool ForgetPageIfUnrecoverable(PgId pg_id, PgData* pg, PageId page);
  void ResolveClaim(const Claim& c);
  // allow_decrease: annulment or corruption; otherwise SCL must not go backwards.
  void UpdateScl(PgData* pg, bool allow_decrease);
  // Writes the history file, then annuls what each new entry cuts.
  Status AdoptHistory(const proto::EpochHistory& h);
  void Annul(const proto::EpochEntry& entry);
  Status PersistConfig();
  void NoteCoalesceCandidate(PgId pg, PageId page, PageData* pd);
  // Recounts the page's weight from its newest image (after recovery, or after images were
  // dropped as annulled or corrupt, so the page is imaged again rather than waiting for new
  // records) and notes it as a coalescing candidate if it weighs enough.
  void RefreshSinceImage(PgId pg_id, PgData* pg, PageId page, PageData* pd);
  std::set<std::pair<PgId, PageId>>::iterator NextCandidate(
      std::set<std::pair<PgId, PageId>>::iterator it, PageData* pd);

  // What coalescing weighs against an image: the page's records in (after, to], one per record
  // plus one per kRecordWeightBytes of payload. An image is 8 KiB: small records (TPC-B's are
  // about 100 bytes) are imaged every records_per_image, large ones after fewer (4 KiB records
  // after 4 at the default 128), so neither the images written nor the redo a read applies
  // grows far past the other.
  uint32_t RedoWeight(const PgData& pg, const PageData& pd, Lsn after, Lsn to) const;
  static uint32_t RecordWeight(uint32_t payload_bytes) {
    return 1 + payload_bytes / kRecordWeightBytes;
  }
  static constexpr uint32_t kRecordWeightBytes = 128;
  static constexpr Lsn kNoLimit = Lsn(~uint64_t{0});

  // --- materialization ---
  // The page as of read_lsn from the newest good image and the records above it.
  Status Materialize(PgId pg_id, PgData* pg, PageId page, Lsn read_lsn, page::Page* out,
                     Epoch* newest_epoch);
  proto::PgStateResponse StateOf(PgId pg_id, Lsn at_or_below) const;
  // FetchRecords below our GC floor: the PG's base as of the floor, one chunk.
  Result<proto::FetchRecordsResponse> ShipBase(const proto::FetchRecordsRequest& req, PgData* pg);
  // AppendFetched of an image answer (resp.images_at != 0).
  Status AppendBase(const proto::FetchRecordsRequest& req, const proto::FetchRecordsResponse& resp,
                    PgData* pg);
  // A shipped base is complete (live, or found by recovery): the PG's state as of `floor` is
  // held, so nothing below it can be read or fetched here any more.
  void AdoptBase(PgData* pg, const BaseFrame& base);

  Env* env_;
  SegmentStoreOptions options_;
  proto::EpochHistory history_;
  // Highest epoch promised to a recovering writer by PgState (persisted in PROMISE before the
  // answer). Requests below max(history_.current(), promised_) are fenced.
  Epoch promised_;
  uint64_t pages_per_pg_ = 0;
  std::map<PgId, PgData> pgs_;
  std::vector<Claim> pending_;  // appended, not yet synced; bounded by kPendingClaimsMax
  Lsn horizon_;                 // reads below are OutOfRange
  Lsn gc_floor_;                // horizon of the last persisted GC snapshot
  std::map<uint32_t, LogFile> files_;
  uint32_t current_file_ = 0;
  // Replaced only by OpenNewLogFile, under writer_mu_; ZeroLogAhead reads it under writer_mu_
  // from another thread and keeps the old file alive while it writes zeros to it.
  std::shared_ptr<WritableFile> writer_;
  std::mutex writer_mu_;
  // ZeroLogAhead's view of the log at its last call (only its own thread touches these).
  std::shared_ptr<WritableFile> zero_check_file_;
  uint64_t zero_check_size_ = 0;
  // The newest bytes appended to the current log file (offsets [tail_start_, file size)), so
  // that coalescing, which reads records soon after they arrive, needs no read syscall (it was
  // most of a node's syscalls under pgbench). Bounded by kTailCacheBytesMax; reset when a new
  // log file starts. Scrub still reads the disk.
  std::string tail_;
  uint64_t tail_start_ = 0;
  // The last kReadAheadBytes read from an older part of the log: a page's records written
  // together (a bulk load) lie next to each other, so coalescing them takes one read, not one
  // per record. Scrub bypasses it too.
  uint32_t read_ahead_file_ = 0;
  uint64_t read_ahead_start_ = 0;
  std::string read_ahead_;
  Status write_error_;  // sticky: after a failed append/fsync the log cannot be trusted
  bool unsynced_ = false;
  std::set<std::pair<PgId, PageId>> coalesce_candidates_;
  std::pair<PgId, PageId> coalesce_cursor_;  // the last candidate Coalesce examined
  // Scrub rotation cursor: records first (pg, lsn), then images (pg, page, lsn).
  // Scrub position: the next byte of the log to verify.
  uint32_t scrub_file_ = 0;
  uint64_t scrub_offset_ = 0;
  proto::NodeStatsResponse stats_;
};

}  // namespace nordlys::storage
