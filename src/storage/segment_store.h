// SegmentStore: every segment a storage node holds, on disk through an Env. The deterministic
// core of the storage node: it does no networking and starts no threads. The process wrapper
// (StorageNode) calls it from RPC threads under one mutex and runs group commit, gossip, scrub,
// coalescing and GC around it; the simulator (tests/sim) calls it directly on virtual time with a
// MemEnv that loses unsynced writes and flips bits.
//
// Durability contract: Append*() only buffers/appends; nothing is acknowledged until Sync()
// returned OK, and SCLs reported by Scls()/PgState() count only synced data. A crash (kill -9,
// or MemEnv::Crash) loses at most what was appended since the last Sync(); Open() then recovers
// every synced frame and discards a torn or corrupt tail by checksum.
//
// Epochs: every request's epoch is checked against the node's epoch history (see
// proto/storage_protocol.h): older -> Fenced; newer than the history -> Unavailable with
// proto::kEpochHistoryBehind. The history is persisted (WriteFileAtomic) before InstallEpoch
// answers.
//
// Thread safety: none. One caller at a time — except ZeroLogAhead(), which may run beside any
// other call (it writes zeros without a lock held for that long).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "common/types.h"
#include "proto/storage_protocol.h"

namespace nordlys::storage {

struct SegmentStoreOptions {
  std::string dir;  // the node's data directory
  // Coalesce a page into a new image once the redo above its last image weighs this much: one
  // per record plus one per 128 payload bytes (SegmentStoreImpl::RedoWeight). An image is 8 KiB
  // and a TPC-B record about 100 bytes: at 128 the images written are about as many bytes as
  // the redo they stand for (at 32 records they were 2.5 times as many, written and fdatasync'd
  // by every node, and coalescing took a tenth of a node's CPU under pgbench); 4 KiB records
  // are imaged after 4, so a read never applies much more redo than an image holds.
  uint32_t records_per_image = 128;
  // Roll to a new log file past this size (old files are reclaimed by GC).
  uint64_t log_file_bytes_max = 64u << 20;
  // ZeroLogAhead keeps up to this many bytes of zeros written ahead of the log's end (0 = off).
  uint64_t log_zero_ahead_bytes = 4u << 20;
  // This node's identity: GossipWants() leaves it out of a PG's peers. 0 = unknown (then no
  // member is left out; the process wrapper also skips its own address).
  NodeId self;
};

class SegmentStore {
 public:
  // Opens or creates the store under options.dir and recovers it from its files.
  static Result<std::unique_ptr<SegmentStore>> Open(Env* env, const SegmentStoreOptions& options);
  virtual ~SegmentStore() = default;

  // --- writer-facing -------------------------------------------------------------------------
  // Checks the epoch, appends the batch's records and coverage to the log (unsynced). Records
  // already held or annulled are skipped; a record outside the batch's PGs or interval is
  // InvalidArgument. After Sync(), Scls(request.pgs) is the response.
  virtual Status AppendBatch(const proto::WriteBatchRequest& req) = 0;
  // fdatasync of everything appended so far: group commit. May be called with nothing pending.
  virtual Status Sync() = 0;
  virtual proto::WriteBatchResponse Scls(const std::vector<PgId>& pgs) const = 0;

  virtual Result<proto::GetPageResponse> GetPage(const proto::GetPageRequest& req) = 0;
  virtual Result<proto::PgStateResponse> PgState(const proto::PgStateRequest& req) = 0;
  // Adopts a longer history (persisted before returning), drops annulled records and coverage,
  // and answers with the PG's state.
  virtual Result<proto::PgStateResponse> InstallEpoch(const proto::InstallEpochRequest& req) = 0;
  virtual Status SetHorizon(const proto::SetHorizonRequest& req) = 0;
  virtual Status ConfigurePg(const proto::ConfigurePgRequest& req) = 0;

  // --- peer-facing (gossip and repair) --------------------------------------------------------
  virtual Result<proto::FetchRecordsResponse> FetchRecords(const proto::FetchRecordsRequest& r) = 0;
  // Ingests a peer's answer to `req` (unsynced, like AppendBatch): adopts a longer history,
  // stores the records with their original epochs, and adds coverage (req.after, covered_to].
  // An image answer (proto "Image shipping") stores the images as base images; its last chunk
  // adds coverage (req.after, images_at] and raises the GC floor and horizon to images_at.
  virtual Status AppendFetched(const proto::FetchRecordsRequest& req,
                               const proto::FetchRecordsResponse& resp) = 0;

  // What this node is missing: for each PG whose coverage has a hole, or that is known to be
  // behind, a request to send to one of `peers` (rotate through them on failure).
  struct GossipWant {
    proto::FetchRecordsRequest request;
    std::vector<proto::PgMember> peers;  // the PG's other members, from ConfigurePg
  };
  virtual std::vector<GossipWant> GossipWants() const = 0;

  // --- background work; each call does a bounded amount and returns -----------------------
  // Writes new page images for pages with many records since their last image: at least
  // max(records_per_image, min_records) of them (a busy node raises the bar so that only pages
  // whose reads have become expensive get an image; the others wait for idle time).
  virtual Status Coalesce(uint32_t max_pages, uint32_t min_records) = 0;
  // Verifies the checksums of the next `max_bytes` of the log files, read sequentially from
  // disk (a rotation over all of them, one bounded step per call). A corrupt record is dropped
  // and its range reported by GossipWants() so that it is re-fetched from a peer; a corrupt
  // image is dropped. Returns how many items were bad.
  virtual Result<uint32_t> Scrub(uint64_t max_bytes) = 0;
  // Reclaims versions below the horizon that no read can ask for any more.
  virtual Status CollectGarbage() = 0;
  // Writes zeros ahead of the current log file's end (WritableFile::ZeroAhead) once fewer than
  // half of log_zero_ahead_bytes remain: an fdatasync after appending over them writes no file
  // metadata (on this machine's ext4 that took a second synchronous write per group commit).
  // Blocks for the write and its fdatasync; callable concurrently with every other method.
  virtual Status ZeroLogAhead() = 0;

  virtual proto::NodeStatsResponse Stats() const = 0;
  virtual Epoch epoch() const = 0;
};

// After AppendFetched(*req, resp) succeeded: true if the answer made progress (coverage or
// shipped images); *req becomes the request that continues where the answer ended. Shared by the
// storage process and the simulator.
bool ContinueFetch(const proto::FetchRecordsResponse& resp, proto::FetchRecordsRequest* req);

}  // namespace nordlys::storage
