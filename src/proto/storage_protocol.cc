// Storage protocol encoding; layout in docs/formats/storage-protocol.md.
#include "proto/storage_protocol.h"

#include "common/assert.h"
#include "common/coding.h"

namespace nordlys::proto {

// ---- EpochHistory ------------------------------------------------------------------------------

bool EpochHistory::Annulled(Epoch written_at, Lsn lsn) const {
  for (const EpochEntry& e : entries) {
    if (e.epoch > written_at && e.vdl < lsn) return true;
  }
  return false;
}

Status EpochHistory::Validate() const {
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].epoch <= entries[i - 1].epoch || entries[i].vdl < entries[i - 1].vdl) {
      return Status::Corruption("epoch history not ascending at entry " + std::to_string(i));
    }
  }
  return Status::OK();
}

bool EpochHistory::IsPrefixOf(const EpochHistory& other) const {
  if (entries.size() > other.entries.size()) return false;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!(entries[i] == other.entries[i])) return false;
  }
  return true;
}

// ---- Membership --------------------------------------------------------------------------------

std::vector<PgMember> Membership::Union() const {
  std::vector<PgMember> out = old_set;
  for (const PgMember& m : new_set) {
    bool seen = false;
    for (const PgMember& o : old_set) seen = seen || o.node == m.node;
    if (!seen) out.push_back(m);
  }
  return out;
}

Status Membership::Validate() const {
  constexpr size_t kSetSize = 6;
  if (old_set.empty()) {
    if (!new_set.empty() || version != MembershipVersion{}) {
      return Status::Corruption("membership: a versioned membership without members");
    }
    return Status::OK();
  }
  auto unique = [](const std::vector<PgMember>& set) {
    for (size_t i = 0; i < set.size(); ++i) {
      if (set[i].node == NodeId(0)) return false;
      for (size_t j = 0; j < i; ++j) {
        if (set[i].node == set[j].node) return false;
      }
    }
    return true;
  };
  if (old_set.size() != kSetSize || !unique(old_set)) {
    return Status::Corruption("membership: the old set is not 6 distinct members");
  }
  if (new_set.empty()) return Status::OK();
  if (new_set.size() != kSetSize || !unique(new_set)) {
    return Status::Corruption("membership: the new set is not 6 distinct members");
  }
  if (Union().size() != kSetSize + 1) {
    return Status::Corruption("membership: old and new sets must differ in exactly one member");
  }
  return Status::OK();
}

namespace {

void PutMembers(const std::vector<PgMember>& set, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(set.size()));
  for (const PgMember& m : set) {
    PutFixed64(out, m.node.value());
    PutBytes(out, m.address);
  }
}

Status GetMembers(Reader* r, std::vector<PgMember>* set) {
  uint32_t n = r->U32();
  if (!r->ok() || n > 6) return Status::Corruption("membership: set size");
  set->clear();
  for (uint32_t i = 0; i < n && r->ok(); ++i) {
    PgMember m;
    m.node = NodeId(r->U64());
    m.address.assign(r->Bytes(256));
    set->push_back(std::move(m));
  }
  return r->status("membership");
}

}  // namespace

void EncodeMembership(const Membership& m, std::string* out) {
  PutFixed64(out, m.version.epoch.value());
  PutFixed64(out, m.version.seq);
  PutMembers(m.old_set, out);
  PutMembers(m.new_set, out);
}

Status DecodeMembership(Reader* r, Membership* m) {
  m->version.epoch = Epoch(r->U64());
  m->version.seq = r->U64();
  NORDLYS_RETURN_IF_ERROR(GetMembers(r, &m->old_set));
  NORDLYS_RETURN_IF_ERROR(GetMembers(r, &m->new_set));
  return m->Validate();
}

namespace {

constexpr uint32_t kMaxListLen = 1u << 20;

void PutHeader(std::string* out) { PutFixed8(out, kProtocolVersion); }

Status CheckHeader(Reader* r, std::string_view what, uint8_t max_version = kProtocolVersion,
                   uint8_t* version = nullptr) {
  uint8_t v = r->U8();
  if (!r->ok()) return r->status(what);
  if (v < kProtocolVersion || v > max_version) {
    return Status::NotSupported(std::string(what) + ": protocol version " + std::to_string(v));
  }
  if (version != nullptr) *version = v;
  return Status::OK();
}

Status Finish(const Reader& r, std::string_view what) {
  if (!r.ok()) return r.status(what);
  if (!r.done()) return Status::Corruption(std::string(what) + ": trailing bytes");
  return Status::OK();
}

void PutHistory(const EpochHistory& h, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(h.entries.size()));
  for (const EpochEntry& e : h.entries) {
    PutFixed64(out, e.epoch.value());
    PutFixed64(out, e.vdl.value());
  }
}

bool GetCount(Reader* r, uint32_t* n) {
  *n = r->U32();
  return r->ok() && *n <= kMaxListLen && *n <= r->remaining();  // each element >= 1 byte
}

Status GetHistory(Reader* r, EpochHistory* h) {
  uint32_t n = 0;
  if (!GetCount(r, &n)) return Status::Corruption("epoch history length");
  h->entries.clear();
  for (uint32_t i = 0; i < n && r->ok(); ++i) {
    EpochEntry e;
    e.epoch = Epoch(r->U64());
    e.vdl = Lsn(r->U64());
    h->entries.push_back(e);
  }
  if (!r->ok()) return r->status("epoch history");
  return h->Validate();
}

void PutRecords(const std::vector<redo::Record>& recs, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(recs.size()));
  for (const auto& rec : recs) redo::EncodeRecord(rec, out);
}

// Records are self-delimiting; decode them from the reader's remaining bytes.
Status GetRecord(Reader* r, redo::Record* rec) {
  std::string_view rest = r->Raw(r->remaining());
  std::string_view in = rest;
  auto dec = redo::DecodeRecord(&in);
  if (!dec.ok()) return dec.status();
  *rec = std::move(dec).value();
  // Rewind the reader to just after the record.
  *r = Reader(in);
  return Status::OK();
}

}  // namespace

// ---- messages ----------------------------------------------------------------------------------

namespace {
// Everything of a WriteBatchRequest before its records; reserves room for `record_bytes` more.
void PutWriteBatchHead(const WriteBatchRequest& m, size_t record_bytes, std::string* out) {
  // Room for the whole request up front (the head is under 64 bytes plus its PG list): a batch
  // of large records would otherwise be copied at every doubling.
  out->reserve(out->size() + 64 + 8 * m.pgs.size() + 4 + record_bytes);
  PutHeader(out);
  PutFixed64(out, m.epoch.value());
  PutFixed64(out, m.covers_after.value());
  PutFixed64(out, m.covers_to.value());
  PutFixed64(out, m.pages_per_pg);
  PutFixed32(out, static_cast<uint32_t>(m.pgs.size()));
  for (PgId pg : m.pgs) PutFixed64(out, pg.value());
}
}  // namespace

void Encode(const WriteBatchRequest& m, std::string* out) {
  size_t record_bytes = 0;
  for (const redo::Record& r : m.records) record_bytes += redo::EncodedRecordSize(r);
  PutWriteBatchHead(m, record_bytes, out);
  PutRecords(m.records, out);
}

std::string EncodeWriteBatch(const WriteBatchRequest& head,
                             const std::vector<const redo::Record*>& records) {
  NORDLYS_ASSERT(head.records.empty());
  size_t record_bytes = 0;
  for (const redo::Record* r : records) record_bytes += redo::EncodedRecordSize(*r);
  std::string out;
  PutWriteBatchHead(head, record_bytes, &out);
  PutFixed32(&out, static_cast<uint32_t>(records.size()));
  for (const redo::Record* r : records) redo::EncodeRecord(*r, &out);
  return out;
}

Status Decode(std::string_view in, WriteBatchRequest* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "WriteBatch"));
  m->epoch = Epoch(r.U64());
  m->covers_after = Lsn(r.U64());
  m->covers_to = Lsn(r.U64());
  m->pages_per_pg = r.U64();
  uint32_t n = 0;
  if (!GetCount(&r, &n)) return Status::Corruption("WriteBatch: PG count");
  m->pgs.clear();
  for (uint32_t i = 0; i < n && r.ok(); ++i) m->pgs.push_back(PgId(r.U64()));
  if (!GetCount(&r, &n)) return Status::Corruption("WriteBatch: record count");
  m->records.clear();
  m->records.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    redo::Record rec;
    NORDLYS_RETURN_IF_ERROR(GetRecord(&r, &rec).WithContext("WriteBatch"));
    m->records.push_back(std::move(rec));
  }
  NORDLYS_RETURN_IF_ERROR(Finish(r, "WriteBatch"));
  if (m->covers_to < m->covers_after) return Status::Corruption("WriteBatch: interval reversed");
  return Status::OK();
}

void Encode(const WriteBatchResponse& m, std::string* out) {
  PutHeader(out);
  PutFixed32(out, static_cast<uint32_t>(m.scls.size()));
  for (const PgScl& s : m.scls) {
    PutFixed64(out, s.pg.value());
    PutFixed64(out, s.scl.value());
  }
}

Status Decode(std::string_view in, WriteBatchResponse* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "WriteBatchResponse"));
  uint32_t n = 0;
  if (!GetCount(&r, &n)) return Status::Corruption("WriteBatchResponse: count");
  m->scls.clear();
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    PgScl s;
    s.pg = PgId(r.U64());
    s.scl = Lsn(r.U64());
    m->scls.push_back(s);
  }
  return Finish(r, "WriteBatchResponse");
}

void Encode(const GetPageRequest& m, std::string* out) {
  PutHeader(out);
  PutFixed64(out, m.epoch.value());
  PutFixed64(out, m.pg.value());
  PutFixed64(out, m.page.value());
  PutFixed64(out, m.read_lsn.value());
}

Status Decode(std::string_view in, GetPageRequest* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "GetPage"));
  m->epoch = Epoch(r.U64());
  m->pg = PgId(r.U64());
  m->page = PageId(r.U64());
  m->read_lsn = Lsn(r.U64());
  return Finish(r, "GetPage");
}

void Encode(const GetPageResponse& m, std::string* out) {
  PutHeader(out);
  PutFixed64(out, m.page_lsn.value());
  PutBytes(out, m.image);
}

Status Decode(std::string_view in, GetPageResponse* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "GetPageResponse"));
  m->page_lsn = Lsn(r.U64());
  m->image.assign(r.Bytes(1u << 20));
  NORDLYS_RETURN_IF_ERROR(Finish(r, "GetPageResponse"));
  if (m->image.size() != 8192) return Status::Corruption("GetPageResponse: image size");
  return Status::OK();
}

void Encode(const PgStateRequest& m, std::string* out) {
  PutHeader(out);
  PutFixed64(out, m.epoch.value());
  PutFixed64(out, m.pg.value());
  PutFixed64(out, m.at_or_below.value());
}

Status Decode(std::string_view in, PgStateRequest* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "PgState"));
  m->epoch = Epoch(r.U64());
  m->pg = PgId(r.U64());
  m->at_or_below = Lsn(r.U64());
  return Finish(r, "PgState");
}

void Encode(const PgStateResponse& m, std::string* out) {
  PutFixed8(out, kMembershipVersion);
  PutFixed64(out, m.node_epoch.value());
  PutFixed64(out, m.scl.value());
  PutFixed64(out, m.max_lsn.value());
  PutFixed64(out, m.max_cpl_at_or_below.value());
  PutFixed64(out, m.last_lsn_at_or_below.value());
  PutFixed64(out, m.horizon.value());
  PutHistory(m.history, out);
  EncodeMembership(m.membership, out);
}

Status Decode(std::string_view in, PgStateResponse* m) {
  Reader r(in);
  uint8_t version = 0;
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "PgStateResponse", kMembershipVersion, &version));
  m->node_epoch = Epoch(r.U64());
  m->scl = Lsn(r.U64());
  m->max_lsn = Lsn(r.U64());
  m->max_cpl_at_or_below = Lsn(r.U64());
  m->last_lsn_at_or_below = Lsn(r.U64());
  m->horizon = Lsn(r.U64());
  NORDLYS_RETURN_IF_ERROR(GetHistory(&r, &m->history).WithContext("PgStateResponse"));
  m->membership = Membership{};
  if (version >= kMembershipVersion) {
    NORDLYS_RETURN_IF_ERROR(DecodeMembership(&r, &m->membership).WithContext("PgStateResponse"));
  }
  return Finish(r, "PgStateResponse");
}

void Encode(const InstallEpochRequest& m, std::string* out) {
  PutHeader(out);
  PutHistory(m.history, out);
  PutFixed64(out, m.pg.value());
}

Status Decode(std::string_view in, InstallEpochRequest* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "InstallEpoch"));
  NORDLYS_RETURN_IF_ERROR(GetHistory(&r, &m->history).WithContext("InstallEpoch"));
  m->pg = PgId(r.U64());
  NORDLYS_RETURN_IF_ERROR(Finish(r, "InstallEpoch"));
  if (m->history.entries.empty()) return Status::InvalidArgument("InstallEpoch: empty history");
  return Status::OK();
}

void Encode(const FetchRecordsRequest& m, std::string* out) {
  PutFixed8(out, kImageShippingVersion);
  PutFixed64(out, m.epoch.value());
  PutFixed64(out, m.pg.value());
  PutFixed64(out, m.after.value());
  PutFixed64(out, m.up_to.value());
  PutFixed32(out, m.max_bytes);
  PutFixed64(out, m.images_at.value());
  PutFixed64(out, m.images_from.value());
}

Status Decode(std::string_view in, FetchRecordsRequest* m) {
  Reader r(in);
  uint8_t version = 0;
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "FetchRecords", kImageShippingVersion, &version));
  if (version == 2) return Status::NotSupported("FetchRecords: protocol version 2");
  m->epoch = Epoch(r.U64());
  m->pg = PgId(r.U64());
  m->after = Lsn(r.U64());
  m->up_to = Lsn(r.U64());
  m->max_bytes = r.U32();
  m->images_at = kInvalidLsn;
  m->images_from = PageId(0);
  if (version >= kImageShippingVersion) {
    m->images_at = Lsn(r.U64());
    m->images_from = PageId(r.U64());
  }
  return Finish(r, "FetchRecords");
}

void Encode(const FetchRecordsResponse& m, std::string* out) {
  PutFixed8(out, kImageShippingVersion);
  PutHistory(m.history, out);
  PutFixed64(out, m.scl.value());
  PutFixed64(out, m.covered_to.value());
  PutFixed32(out, static_cast<uint32_t>(m.records.size()));
  for (const StoredRecord& s : m.records) {
    PutFixed64(out, s.epoch.value());
    redo::EncodeRecord(s.record, out);
  }
  PutFixed64(out, m.images_at.value());
  PutFixed32(out, static_cast<uint32_t>(m.images.size()));
  for (const ShippedImage& im : m.images) {
    PutFixed64(out, im.page.value());
    PutFixed64(out, im.lsn.value());
    PutFixed64(out, im.epoch.value());
    PutBytes(out, im.image);
  }
  PutFixed64(out, m.images_next.value());
  PutFixed8(out, m.images_done ? 1 : 0);
  PutFixed64(out, m.base_last_lsn.value());
  PutFixed64(out, m.base_last_cpl.value());
}

Status Decode(std::string_view in, FetchRecordsResponse* m) {
  Reader r(in);
  uint8_t version = 0;
  NORDLYS_RETURN_IF_ERROR(
      CheckHeader(&r, "FetchRecordsResponse", kImageShippingVersion, &version));
  if (version == 2) return Status::NotSupported("FetchRecordsResponse: protocol version 2");
  NORDLYS_RETURN_IF_ERROR(GetHistory(&r, &m->history).WithContext("FetchRecordsResponse"));
  m->scl = Lsn(r.U64());
  m->covered_to = Lsn(r.U64());
  uint32_t n = 0;
  if (!GetCount(&r, &n)) return Status::Corruption("FetchRecordsResponse: count");
  m->records.clear();
  m->records.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    StoredRecord s;
    s.epoch = Epoch(r.U64());
    if (!r.ok()) return r.status("FetchRecordsResponse");
    NORDLYS_RETURN_IF_ERROR(GetRecord(&r, &s.record).WithContext("FetchRecordsResponse"));
    m->records.push_back(std::move(s));
  }
  m->images_at = kInvalidLsn;
  m->images.clear();
  m->images_next = PageId(0);
  m->images_done = false;
  m->base_last_lsn = kInvalidLsn;
  m->base_last_cpl = kInvalidLsn;
  if (version >= kImageShippingVersion) {
    m->images_at = Lsn(r.U64());
    if (!GetCount(&r, &n)) return Status::Corruption("FetchRecordsResponse: image count");
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      ShippedImage im;
      im.page = PageId(r.U64());
      im.lsn = Lsn(r.U64());
      im.epoch = Epoch(r.U64());
      im.image.assign(r.Bytes(kShippedImageBytes));
      if (r.ok() && im.image.size() != kShippedImageBytes) {
        return Status::Corruption("FetchRecordsResponse: image size");
      }
      m->images.push_back(std::move(im));
    }
    m->images_next = PageId(r.U64());
    m->images_done = r.U8() != 0;
    m->base_last_lsn = Lsn(r.U64());
    m->base_last_cpl = Lsn(r.U64());
  }
  return Finish(r, "FetchRecordsResponse");
}

void Encode(const SetHorizonRequest& m, std::string* out) {
  PutHeader(out);
  PutFixed64(out, m.epoch.value());
  PutFixed64(out, m.horizon.value());
}

Status Decode(std::string_view in, SetHorizonRequest* m) {
  Reader r(in);
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "SetHorizon"));
  m->epoch = Epoch(r.U64());
  m->horizon = Lsn(r.U64());
  return Finish(r, "SetHorizon");
}

void Encode(const ConfigurePgRequest& m, std::string* out) {
  PutFixed8(out, kMembershipVersion);
  PutFixed64(out, m.epoch.value());
  PutFixed64(out, m.pg.value());
  PutFixed64(out, m.pages_per_pg);
  PutFixed32(out, static_cast<uint32_t>(m.members.size()));
  for (const PgMember& mem : m.members) {
    PutFixed64(out, mem.node.value());
    PutBytes(out, mem.address);
  }
  EncodeMembership(m.membership, out);
}

Status Decode(std::string_view in, ConfigurePgRequest* m) {
  Reader r(in);
  uint8_t version = 0;
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "ConfigurePg", kMembershipVersion, &version));
  m->epoch = Epoch(r.U64());
  m->pg = PgId(r.U64());
  m->pages_per_pg = r.U64();
  uint32_t n = 0;
  if (!GetCount(&r, &n) || n > 64) return Status::Corruption("ConfigurePg: member count");
  m->members.clear();
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    PgMember mem;
    mem.node = NodeId(r.U64());
    mem.address.assign(r.Bytes(256));
    m->members.push_back(std::move(mem));
  }
  m->membership = Membership{};
  if (version >= kMembershipVersion && r.ok()) {
    NORDLYS_RETURN_IF_ERROR(DecodeMembership(&r, &m->membership).WithContext("ConfigurePg"));
  }
  return Finish(r, "ConfigurePg");
}

void Encode(const NodeStatsResponse& m, std::string* out) {
  PutFixed8(out, kImageShippingVersion);
  for (uint64_t v : {m.records_ingested, m.bytes_ingested, m.pages_served, m.records_repaired,
                     m.corruptions_repaired, m.versions_collected, m.segments,
                     m.images_received}) {
    PutFixed64(out, v);
  }
}

Status Decode(std::string_view in, NodeStatsResponse* m) {
  Reader r(in);
  uint8_t version = 0;
  NORDLYS_RETURN_IF_ERROR(CheckHeader(&r, "NodeStats", kImageShippingVersion, &version));
  for (uint64_t* v : {&m->records_ingested, &m->bytes_ingested, &m->pages_served,
                      &m->records_repaired, &m->corruptions_repaired, &m->versions_collected,
                      &m->segments}) {
    *v = r.U64();
  }
  m->images_received = version >= kImageShippingVersion ? r.U64() : 0;
  return Finish(r, "NodeStats");
}

}  // namespace nordlys::proto
