// The storage protocol: messages between compute instances (the volume client) and storage
// nodes, and between storage nodes (gossip). Shared by src/storage and src/volume, which must
// not include each other; it depends only on redo and common. Byte layout:
// docs/formats/storage-protocol.md. Every payload starts with a version byte (1).
//
// ---- Coverage and SCL ----------------------------------------------------------------------
// The writer flushes in rounds. Each round covers an LSN interval (covers_after, covers_to] and
// sends every storage node ONE WriteBatch holding, for every PG the node hosts (listed in
// `pgs`, even when it has no records this round), all of that PG's records in the interval.
// So a node that holds a batch knows it has *every* record of those PGs in the interval.
// A segment's SCL is the end of its contiguous coverage from LSN 0 (intervals may arrive out of
// order, twice, or not at all; holes are filled by a retransmission or by gossip from peers,
// which ship coverage along with records). prev_lsn_in_pg back-links are kept in every record
// and checked against coverage; they are not needed to compute SCL.
//
// The writer counts a PG durable up to the 4th-highest SCL its 6 segments acknowledged; VCL is
// the minimum of that over all PGs; VDL the highest CPL <= VCL. Because an acknowledged commit
// c has VCL >= c, four segments of every PG have SCL >= c, and any read quorum (3 of 6) of each
// PG contains one of them: recovery (below) therefore finds every acknowledged commit.
//
// ---- Epochs and truncation ("epoch history") --------------------------------------------------
// Every request carries the sender's volume epoch. A storage node persists the highest epoch
// it has seen and answers Fenced to anything older, so a deposed writer can never again get a
// write acknowledged.
//
// Recovery by a new writer fences first and reads second. It learns the current epoch M from a
// read quorum of PG 0 (PgState with epoch 0: a read that promises nothing) and picks E = M + 1.
// Every later PgState carries E: a node persists E as a *promise* before answering, and from
// then on fences every request below E, and never acknowledges a batch of an older epoch that
// it had appended but not yet synced. So every answer is taken after that node's last
// acknowledgement to any older writer. (Reading before fencing would let the old writer get
// acknowledgements in between for writes that E then annuls.)
// Then: for every PG, ask PgState of the 6 segments and take the first 3 answers; C_pg = max SCL among them (that node holds every record of the PG <= C_pg). VCL =
// min over PGs of C_pg; VDL = highest CPL <= VCL (max of max_cpl_at_or_below over the answers).
// The new epoch E is installed on a write quorum of every PG with history entry (E, VDL): every
// record above VDL written at an epoch < E is annulled, and so is all coverage above VDL from
// older epochs. The new writer allocates LSNs from VDL + LAL + 1 upward (the old writer never
// allocated past its VDL + LAL, and its VDL <= the recovered one), so no LSN is reused; its first
// round covers (VDL, first_new_lsn - 1] as empty, and starts each PG's back-link chain at the
// PG's last record <= VDL (PgState.last_lsn_at_or_below).
//
// The EpochHistory is the list of (E, V_E) pairs, ascending in both. A record written at epoch e
// with LSN l is annulled iff some entry (E, V_E) has E > e and V_E < l. A node that missed a
// recovery learns the history later (InstallEpoch from a writer, or a peer's gossip answer) and
// drops annulled records and coverage then. A node that receives a request whose epoch is above
// its history's answers Unavailable with kEpochHistoryBehind; the writer sends InstallEpoch and
// retries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/status.h"
#include "common/types.h"
#include "redo/record.h"

namespace nordlys::proto {

inline constexpr uint8_t kProtocolVersion = 1;
// PgStateResponse and ConfigurePgRequest gained a trailing PG membership in version 2 of their
// layout; both versions decode (a version-1 payload carries "no membership known").
inline constexpr uint8_t kMembershipVersion = 2;
// FetchRecordsRequest/Response gained trailing image-shipping fields in version 3 of their
// layout; version-1 payloads still decode (no images asked for or shipped).
inline constexpr uint8_t kImageShippingVersion = 3;
inline constexpr uint32_t kShippedImageBytes = 8192;  // one page (page::kPageSize)

// RPC message types (frame type field). Each response uses the request's type.
enum : uint16_t {
  kWriteBatch = 100,    // WriteBatchRequest -> WriteBatchResponse
  kGetPage = 101,       // GetPageRequest -> GetPageResponse
  kPgState = 102,       // PgStateRequest -> PgStateResponse
  kInstallEpoch = 103,  // InstallEpochRequest -> PgStateResponse (state after install)
  kFetchRecords = 104,  // FetchRecordsRequest -> FetchRecordsResponse (gossip and repair)
  kSetHorizon = 105,    // SetHorizonRequest -> empty
  kConfigurePg = 106,   // ConfigurePgRequest -> empty: tells a node its PG peers
  kNodeStats = 107,     // empty -> NodeStatsResponse
};

// Status message prefix for "your epoch is newer than my history": send InstallEpoch.
inline constexpr std::string_view kEpochHistoryBehind = "epoch history behind";

struct EpochEntry {
  Epoch epoch;
  Lsn vdl;  // V_E: everything above it written in an older epoch is annulled
  bool operator==(const EpochEntry&) const = default;
};

struct EpochHistory {
  std::vector<EpochEntry> entries;  // ascending epoch and vdl

  Epoch current() const { return entries.empty() ? Epoch(0) : entries.back().epoch; }
  // True if a record written at `written_at` with LSN `lsn` was annulled by a later recovery.
  bool Annulled(Epoch written_at, Lsn lsn) const;
  // Checks ordering. A history from the wire or disk must pass before it is used.
  Status Validate() const;
  // True if `other` extends this history (this is a prefix of other).
  bool IsPrefixOf(const EpochHistory& other) const;
  bool operator==(const EpochHistory&) const = default;
};

// A redo record as stored and shipped: the record plus the epoch of the writer that made it.
struct StoredRecord {
  Epoch epoch;
  redo::Record record;
  bool operator==(const StoredRecord&) const = default;
};

// ---- Membership changes --------------------------------------------------------------------
// Each PG has a membership: one set of 6 members ("stable"), or, while a member is being
// replaced, two sets differing in exactly one member ("transitional", old ∧ new: ABCDEF∧ABCDEG).
// A membership is identified by its version (epoch of the writer that made it, seq), ordered
// lexicographically; version (0, 0) with no sets is the volume geometry's default placement.
// Rules (the volume client enforces them; storage persists the highest version it was sent):
//   - a record is durable when it is on 4 of 6 of EVERY set of the PG's membership (and of the
//     membership being installed, while a change is in flight); a recovery read needs 3 of 6 of
//     every set;
//   - a change installs version v+1 on a write quorum of every set of both v and v+1 before the
//     writer relies on it; so a read quorum of any installed membership shows a node holding its
//     successor, and a recovering writer that follows the highest version it sees until a read
//     quorum of that membership shows nothing newer ends at, or past, the newest installed one;
//   - the versions carry the writer's epoch: a deposed writer's installs are fenced like its
//     writes, and any membership a newer writer makes outranks whatever the deposed one left
//     half-installed.
// Step 1 (old -> old ∧ new) and step 2 (old ∧ new -> new, once the joining member's SCL reached
// the VCL at the time step 1 began) are each such a change; so is a revert (old ∧ new -> old) and
// a retry with another node (old ∧ new -> old ∧ new').
struct PgMember {
  NodeId node;
  std::string address;  // host:port
  bool operator==(const PgMember&) const = default;
};
struct MembershipVersion {
  Epoch epoch;
  uint64_t seq = 0;
  auto operator<=>(const MembershipVersion&) const = default;
};
struct Membership {
  MembershipVersion version;
  std::vector<PgMember> old_set;  // 6 members; empty only for version (0, 0)
  std::vector<PgMember> new_set;  // empty (stable) or 6 members sharing 5 with old_set
  bool operator==(const Membership&) const = default;

  bool known() const { return !old_set.empty(); }
  bool transitional() const { return !new_set.empty(); }
  // Every member of either set, old_set's order first.
  std::vector<PgMember> Union() const;
  // Checks sizes, uniqueness and the one-member difference.
  Status Validate() const;
};
void EncodeMembership(const Membership& m, std::string* out);
Status DecodeMembership(Reader* r, Membership* m);

struct WriteBatchRequest {
  Epoch epoch;
  Lsn covers_after;  // this batch holds every record of each PG in `pgs` with LSN in
  Lsn covers_to;     // (covers_after, covers_to]; covers_after == covers_to: a status poll
  std::vector<PgId> pgs;              // every PG this node hosts, ascending
  std::vector<redo::Record> records;  // ascending LSN; each in one of `pgs`; written at `epoch`
  // Volume geometry: page p belongs to PG p / pages_per_pg. Storage needs it to check that each
  // record belongs to one of `pgs`. 0 = "as configured by ConfigurePg" (required non-zero
  // somewhere when the batch holds records).
  uint64_t pages_per_pg = 0;
};
struct PgScl {
  PgId pg;
  Lsn scl;
  bool operator==(const PgScl&) const = default;
};
struct WriteBatchResponse {
  std::vector<PgScl> scls;  // per PG of the request, after the batch is durable on this node
};

struct GetPageRequest {
  Epoch epoch;
  PgId pg;
  PageId page;
  Lsn read_lsn;  // the page as of this LSN; must be <= the segment's SCL
};
struct GetPageResponse {
  Lsn page_lsn;       // LSN of the newest record applied (0: never written)
  std::string image;  // 8192 bytes
};

struct PgStateRequest {
  // 0: read only. Otherwise a recovering writer's new epoch: the node persists it as a promise
  // (fencing everything older) before answering; older than the node's epoch -> Fenced.
  Epoch epoch;
  PgId pg;
  Lsn at_or_below;  // for last_lsn_at_or_below; Lsn::Max() for "any"
};
struct PgStateResponse {
  Epoch node_epoch;  // the node's fencing epoch: its history's newest, or a promise if higher
  Lsn scl;
  Lsn max_lsn;                 // highest non-annulled record held (may be above scl: holes)
  Lsn max_cpl_at_or_below;     // highest CPL record <= min(request.at_or_below, scl) (0: none)
  Lsn last_lsn_at_or_below;    // highest record <= min(request.at_or_below, scl) (0: none)
  Lsn horizon;                 // oldest LSN a GetPage may still ask for
  EpochHistory history;
  Membership membership;       // the highest the node was sent for the PG (layout version 2)
};

struct InstallEpochRequest {
  EpochHistory history;  // its last entry is the new epoch and its VDL
  PgId pg;               // the PG whose state to answer with
};

// ---- Image shipping (layout version 3) -------------------------------------------------------
// GC reclaims, for every page, the records at or below its newest image <= the horizon; a node's
// GC floor F is the highest horizon it collected at. Records <= F may then be gone, so a peer
// that asks with `after` < F cannot be answered with records. Instead the sender ships the PG's
// *base*: for every page of the PG that has a version <= F, the page as of F (one image, its
// page LSN is the page's last record <= F), in page order, a bounded chunk per answer; the
// receiver asks again from `images_from` = the previous answer's `images_next` (with `images_at`
// = F) until an answer has `images_done`. That last answer covers (after, F]: the receiver now
// holds the state of every page as of F, which is everything a read at or above F can need,
// and it fetches the records above F as usual. The sender needs SCL >= F (else OutOfRange: ask
// another peer). If its floor moved on between chunks (an answer's images_at differs from the
// request's), the receiver starts over from page 0 at the new floor; images it already stored
// are older versions and harmless. A receiver stores shipped images as "base" images (nothing
// older of that page is held, docs/formats/segment-log.md), and raises its own GC floor and
// horizon to F: it cannot answer reads or fetches below F either. F is a horizon the writer
// sent, so F <= every VDL any recovery can pick: shipped images are never annulled.
struct ShippedImage {
  PageId page;
  Lsn lsn;            // page LSN: the page's last record <= images_at
  Epoch epoch;        // epoch of that record
  std::string image;  // 8192 bytes, sealed (checksummed)
  bool operator==(const ShippedImage&) const = default;
};

struct FetchRecordsRequest {
  Epoch epoch;
  PgId pg;
  Lsn after;           // records with LSN > after ...
  Lsn up_to;           // ... and <= up_to
  uint32_t max_bytes;  // bound on the answer size
  // Image shipping (version 3): continue a base at this floor from this page on. 0: start.
  Lsn images_at;
  PageId images_from;
};
struct FetchRecordsResponse {
  EpochHistory history;  // the sender's, so a lagging peer learns of truncations
  Lsn scl;               // the sender's SCL for the PG
  // The answer holds every non-annulled record of the PG in (request.after, covered_to]:
  // covered_to = min(request.up_to, scl), lowered when max_bytes cut the answer short.
  // An image answer (images_at != 0) holds no records: covered_to = images_at when images_done
  // (the base is complete, see "Image shipping"), else request.after.
  Lsn covered_to;
  std::vector<StoredRecord> records;  // ascending LSN
  // Image shipping (version 3). images_at = 0: a plain records answer.
  Lsn images_at;                     // F: the sender's GC floor the images are as of
  std::vector<ShippedImage> images;  // ascending page, each with a version <= F
  PageId images_next;                // the next chunk starts at this page (when !images_done)
  bool images_done = false;
  Lsn base_last_lsn;  // with images_done: the PG's last record <= F (for PgState answers)
  Lsn base_last_cpl;  // with images_done: the PG's last CPL <= F (recovery's VDL needs it)
};

struct SetHorizonRequest {
  Epoch epoch;
  Lsn horizon;  // versions no read will ask for again may be reclaimed below this
};


struct ConfigurePgRequest {
  Epoch epoch;
  PgId pg;
  std::vector<PgMember> members;  // gossip peers: every member of every set, the receiver too
  uint64_t pages_per_pg = 0;      // volume geometry (see WriteBatchRequest); 0 = unchanged
  // The PG's membership (layout version 2). The node persists it if its version is higher
  // than the one it holds, before answering; an unknown membership (version (0, 0)) is ignored.
  Membership membership;
};

struct NodeStatsResponse {
  uint64_t records_ingested = 0;
  uint64_t bytes_ingested = 0;
  uint64_t pages_served = 0;
  uint64_t records_repaired = 0;  // fetched from peers by gossip
  uint64_t corruptions_repaired = 0;
  uint64_t versions_collected = 0;
  uint64_t segments = 0;
  uint64_t images_received = 0;  // page images shipped to this node by peers (version 3)
};

// Encoders append to *out; decoders reject trailing bytes, bad versions and bad lengths with
// Corruption (the payload came over the network).
void Encode(const WriteBatchRequest& m, std::string* out);
// The same bytes as Encode of `head` with `records` in place of head.records (which must be
// empty): lets a writer send one round's records to several nodes without copying them into
// a request per node.
std::string EncodeWriteBatch(const WriteBatchRequest& head,
                             const std::vector<const redo::Record*>& records);
void Encode(const WriteBatchResponse& m, std::string* out);
void Encode(const GetPageRequest& m, std::string* out);
void Encode(const GetPageResponse& m, std::string* out);
void Encode(const PgStateRequest& m, std::string* out);
void Encode(const PgStateResponse& m, std::string* out);
void Encode(const InstallEpochRequest& m, std::string* out);
void Encode(const FetchRecordsRequest& m, std::string* out);
void Encode(const FetchRecordsResponse& m, std::string* out);
void Encode(const SetHorizonRequest& m, std::string* out);
void Encode(const ConfigurePgRequest& m, std::string* out);
void Encode(const NodeStatsResponse& m, std::string* out);

Status Decode(std::string_view in, WriteBatchRequest* m);
Status Decode(std::string_view in, WriteBatchResponse* m);
Status Decode(std::string_view in, GetPageRequest* m);
Status Decode(std::string_view in, GetPageResponse* m);
Status Decode(std::string_view in, PgStateRequest* m);
Status Decode(std::string_view in, PgStateResponse* m);
Status Decode(std::string_view in, InstallEpochRequest* m);
Status Decode(std::string_view in, FetchRecordsRequest* m);
Status Decode(std::string_view in, FetchRecordsResponse* m);
Status Decode(std::string_view in, SetHorizonRequest* m);
Status Decode(std::string_view in, ConfigurePgRequest* m);
Status Decode(std::string_view in, NodeStatsResponse* m);

template <typename M>
std::string EncodeToString(const M& m) {
  std::string out;
  Encode(m, &out);
  return out;
}

}  // namespace nordlys::proto
