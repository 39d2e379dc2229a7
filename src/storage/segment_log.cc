// Segment log frames and payload codecs; see segment_log.h and docs/formats/segment-log.md.
#include "storage/segment_log.h"

#include <cstdio>
#include <cstring>

#include "common/checksum.h"
#include "common/coding.h"
#include "page/page.h"

namespace nordlys::storage {
namespace {

uint32_t FrameChecksum(uint8_t type, std::string_view payload) {
  // XXH3 over (type, payload), streamed: the payload is not copied.
  const char t = static_cast<char>(type);
  return static_cast<uint32_t>(Checksum64Of2(std::string_view(&t, 1), payload));
}

bool KnownType(uint8_t t) { return t >= 1 && t <= 7; }

// A list count must be plausible for the bytes left: each element takes >= min_bytes.
bool GetCount(Reader* r, uint32_t min_bytes, uint32_t* n) {
  *n = r->U32();
  return r->ok() && static_cast<uint64_t>(*n) * min_bytes <= r->remaining();
}

Status Finish(const Reader& r, std::string_view what) {
  if (!r.ok()) return r.status(what);
  if (!r.done()) return Status::Corruption(std::string(what) + ": trailing bytes");
  return Status::OK();
}

}  // namespace

void AppendFrame(FrameType type, std::string_view payload, std::string* out) {
  NORDLYS_ASSERT(payload.size() <= kFramePayloadBytesMax);
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  PutFixed32(out, FrameChecksum(static_cast<uint8_t>(type), payload));
  PutFixed8(out, static_cast<uint8_t>(type));
  out->append(payload);
}

void AppendRecordFrame(PgId pg, Epoch epoch, const redo::Record& record, std::string* out) {
  const size_t start = out->size();
  out->append(kFrameHeaderBytes, '\0');  // filled in below, once the payload's size is known
  PutFixed64(out, pg.value());
  PutFixed64(out, epoch.value());
  redo::EncodeRecord(record, out);
  const size_t len = out->size() - start - kFrameHeaderBytes;
  NORDLYS_ASSERT(len <= kFramePayloadBytesMax);
  const auto type = static_cast<uint8_t>(FrameType::kRecord);
  char* header = out->data() + start;
  EncodeFixed32(header, static_cast<uint32_t>(len));
  EncodeFixed32(header + 4,
                FrameChecksum(type, std::string_view(header + kFrameHeaderBytes, len)));
  header[8] = static_cast<char>(type);
}

Result<Frame> ReadFrameAt(const RandomAccessFile& file, uint64_t offset, uint32_t size) {
  if (size < kFrameHeaderBytes) return Status::Corruption("frame size below header size");
  std::string buf;
  NORDLYS_RETURN_IF_ERROR(file.Read(offset, size, &buf));
  return ParseFrameAt(buf, offset, size);
}

Result<Frame> ParseFrameAt(std::string_view buf, uint64_t offset, uint32_t size) {
  if (size < kFrameHeaderBytes) return Status::Corruption("frame size below header size");
  if (buf.size() != size) {
    return Status::Corruption("frame at offset " + std::to_string(offset) + " is short");
  }
  uint32_t len = DecodeFixed32(buf.data());
  uint32_t crc = DecodeFixed32(buf.data() + 4);
  auto type = static_cast<uint8_t>(buf[8]);
  if (len + kFrameHeaderBytes != size || !KnownType(type)) {
    return Status::Corruption("frame header at offset " + std::to_string(offset) + " garbled");
  }
  std::string_view payload(buf.data() + kFrameHeaderBytes, len);
  if (FrameChecksum(type, payload) != crc) {
    return Status::Corruption("frame checksum mismatch at offset " + std::to_string(offset));
  }
  Frame f;
  f.type = static_cast<FrameType>(type);
  f.offset = offset;
  f.size = size;
  f.payload.assign(payload);
  return f;
}

namespace {
// Parses the frame at data[pos]; false if short, oversized, unknown or failing its checksum.
// *len_ok says whether at least the length field fits inside the data.
bool ParseFrame(std::string_view data, uint64_t pos, Frame* f, bool* len_ok) {
  *len_ok = false;
  if (data.size() - pos < kFrameHeaderBytes) return false;
  uint32_t len = DecodeFixed32(data.data() + pos);
  if (len > kFramePayloadBytesMax || data.size() - pos - kFrameHeaderBytes < len) return false;
  *len_ok = true;
  uint32_t crc = DecodeFixed32(data.data() + pos + 4);
  auto type = static_cast<uint8_t>(data[pos + 8]);
  std::string_view payload = data.substr(pos + kFrameHeaderBytes, len);
  if (!KnownType(type) || FrameChecksum(type, payload) != crc) return false;
  f->type = static_cast<FrameType>(type);
  f->offset = pos;
  f->size = static_cast<uint32_t>(kFrameHeaderBytes + len);
  f->payload.assign(payload);
  return true;
}
}  // namespace

std::vector<Frame> ScanFrames(std::string_view data, uint64_t* valid_end, uint32_t* skipped) {
  std::vector<Frame> frames;
  *skipped = 0;
  uint64_t pos = 0;
  // Bound: every iteration advances pos by at least one frame header, so at most
  // data.size() / kFrameHeaderBytes iterations.
  while (pos < data.size()) {
    Frame f;
    bool len_ok = false;
    if (ParseFrame(data, pos, &f, &len_ok)) {
      pos += f.size;
      frames.push_back(std::move(f));
      continue;
    }
    // A bad frame whose length still fits and which is followed by a valid frame is a flipped
    // bit in the middle of the file: step over it and keep the rest. Anything else (a short or
    // torn frame, a garbled length) ends the valid prefix.
    if (len_ok) {
      uint64_t next = pos + kFrameHeaderBytes + DecodeFixed32(data.data() + pos);
      Frame g;
      bool g_len_ok = false;
      if (next < data.size() && ParseFrame(data, next, &g, &g_len_ok)) {
        ++*skipped;
        pos = next;
        continue;
      }
    }
    break;
  }
  *valid_end = pos;
  return frames;
}

std::string LogFileName(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "log-%08u.seg", number);
  return buf;
}

bool ParseLogFileName(std::string_view name, uint32_t* number) {
  if (name.size() != 16 || name.substr(0, 4) != "log-" || name.substr(12) != ".seg") return false;
  uint32_t n = 0;
  for (char c : name.substr(4, 8)) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  *number = n;
  return true;
}

// ---- payloads --------------------------------------------------------------------------------

std::string EncodeFileHeader(const FileHeaderFrame& f) {
  std::string out(kLogMagic, sizeof(kLogMagic));
  PutFixed32(&out, f.version);
  PutFixed32(&out, f.number);
  return out;
}

Status DecodeFileHeader(std::string_view in, FileHeaderFrame* f) {
  Reader r(in);
  std::string_view magic = r.Raw(sizeof(kLogMagic));
  f->version = r.U32();
  f->number = r.U32();
  NORDLYS_RETURN_IF_ERROR(Finish(r, "log file header"));
  if (magic != std::string_view(kLogMagic, sizeof(kLogMagic))) {
    return Status::Corruption("log file header: bad magic");
  }
  if (f->version != 1 && f->version != kLogFormatVersion) {
    return Status::NotSupported("segment log format version " + std::to_string(f->version));
  }
  return Status::OK();
}

std::string EncodeRecordFrame(const RecordFrame& f) {
  std::string out;
  PutFixed64(&out, f.pg.value());
  PutFixed64(&out, f.epoch.value());
  redo::EncodeRecord(f.record, &out);
  return out;
}

Status DecodeRecordFrame(std::string_view in, RecordFrame* f) {
  Reader r(in);
  f->pg = PgId(r.U64());
  f->epoch = Epoch(r.U64());
  if (!r.ok()) return r.status("record frame");
  std::string_view rest = r.Raw(r.remaining());
  NORDLYS_ASSIGN_OR_RETURN(f->record, redo::DecodeRecord(&rest));
  if (!rest.empty()) return Status::Corruption("record frame: trailing bytes");
  return Status::OK();
}

std::string EncodeCoverageFrame(const CoverageFrame& f) {
  std::string out;
  PutFixed64(&out, f.pg.value());
  PutFixed64(&out, f.tag.value());
  PutFixed64(&out, f.after.value());
  PutFixed64(&out, f.to.value());
  PutFixed32(&out, static_cast<uint32_t>(f.items.size()));
  for (const auto& it : f.items) {
    PutFixed64(&out, it.lsn.value());
    PutFixed64(&out, it.page.value());
  }
  return out;
}

Status DecodeCoverageFrame(std::string_view in, CoverageFrame* f) {
  Reader r(in);
  f->pg = PgId(r.U64());
  f->tag = Epoch(r.U64());
  f->after = Lsn(r.U64());
  f->to = Lsn(r.U64());
  uint32_t n = 0;
  if (!GetCount(&r, 16, &n)) return Status::Corruption("coverage frame: count");
  f->items.resize(n);
  for (auto& it : f->items) {
    it.lsn = Lsn(r.U64());
    it.page = PageId(r.U64());
  }
  NORDLYS_RETURN_IF_ERROR(Finish(r, "coverage frame"));
  if (f->to < f->after) return Status::Corruption("coverage frame: interval reversed");
  return Status::OK();
}

std::string EncodeImageFrame(const ImageFrame& f) {
  NORDLYS_ASSERT(f.image.size() == page::kPageSize);
  std::string out;
  PutFixed64(&out, f.pg.value());
  PutFixed64(&out, f.page.value());
  PutFixed64(&out, f.lsn.value());
  PutFixed64(&out, f.epoch.value());
  out.append(f.image);
  return out;
}

Status DecodeImageFrame(std::string_view in, ImageFrame* f) {
  Reader r(in);
  f->pg = PgId(r.U64());
  f->page = PageId(r.U64());
  f->lsn = Lsn(r.U64());
  f->epoch = Epoch(r.U64());
  f->image.assign(r.Raw(page::kPageSize));
  return Finish(r, "image frame");
}

std::string EncodeBaseFrame(const BaseFrame& f) {
  std::string out;
  PutFixed64(&out, f.pg.value());
  PutFixed64(&out, f.floor.value());
  PutFixed64(&out, f.last_lsn.value());
  PutFixed64(&out, f.last_cpl.value());
  return out;
}

Status DecodeBaseFrame(std::string_view in, BaseFrame* f) {
  Reader r(in);
  f->pg = PgId(r.U64());
  f->floor = Lsn(r.U64());
  f->last_lsn = Lsn(r.U64());
  f->last_cpl = Lsn(r.U64());
  NORDLYS_RETURN_IF_ERROR(Finish(r, "base frame"));
  if (f->last_lsn > f->floor || f->last_cpl > f->floor) {
    return Status::Corruption("base frame: last record above the floor");
  }
  return Status::OK();
}

std::string EncodeSnapshotFrame(const SnapshotFrame& f) {
  std::string out;
  PutFixed64(&out, f.floor.value());
  PutFixed32(&out, static_cast<uint32_t>(f.pgs.size()));
  for (const auto& pg : f.pgs) {
    PutFixed64(&out, pg.pg.value());
    PutFixed32(&out, static_cast<uint32_t>(pg.coverage.size()));
    for (const auto& iv : pg.coverage) {
      PutFixed64(&out, iv.tag.value());
      PutFixed64(&out, iv.lo.value());
      PutFixed64(&out, iv.hi.value());
    }
    PutFixed32(&out, static_cast<uint32_t>(pg.retained.size()));
    for (Lsn l : pg.retained) PutFixed64(&out, l.value());
    PutFixed64(&out, pg.last_collected.value());
    PutFixed64(&out, pg.last_collected_cpl.value());
  }
  return out;
}

Status DecodeSnapshotFrame(std::string_view in, SnapshotFrame* f) {
  Reader r(in);
  f->floor = Lsn(r.U64());
  uint32_t npg = 0;
  if (!GetCount(&r, 16, &npg)) return Status::Corruption("snapshot frame: PG count");
  f->pgs.resize(npg);
  for (auto& pg : f->pgs) {
    pg.pg = PgId(r.U64());
    uint32_t n = 0;
    if (!GetCount(&r, 24, &n)) return Status::Corruption("snapshot frame: interval count");
    pg.coverage.resize(n);
    for (auto& iv : pg.coverage) {
      iv.tag = Epoch(r.U64());
      iv.lo = Lsn(r.U64());
      iv.hi = Lsn(r.U64());
    }
    if (!GetCount(&r, 8, &n)) return Status::Corruption("snapshot frame: record count");
    pg.retained.resize(n);
    for (auto& l : pg.retained) l = Lsn(r.U64());
    pg.last_collected = Lsn(r.U64());
    pg.last_collected_cpl = Lsn(r.U64());
  }
  return Finish(r, "snapshot frame");
}

// ---- EPOCHS ----------------------------------------------------------------------------------

std::string EncodeEpochFile(const proto::EpochHistory& h) {
  std::string out = "NEPH";
  PutFixed32(&out, kEpochFileVersion);
  PutFixed32(&out, static_cast<uint32_t>(h.entries.size()));
  for (const auto& e : h.entries) {
    PutFixed64(&out, e.epoch.value());
    PutFixed64(&out, e.vdl.value());
  }
  PutFixed32(&out, Checksum32(out.data(), out.size()));
  return out;
}

Status DecodeEpochFile(std::string_view in, proto::EpochHistory* h) {
  if (in.size() < 16) return Status::Corruption("EPOCHS: short");
  uint32_t crc = DecodeFixed32(in.data() + in.size() - 4);
  if (Checksum32(in.data(), in.size() - 4) != crc) return Status::Corruption("EPOCHS: checksum");
  Reader r(in.substr(0, in.size() - 4));
  std::string_view magic = r.Raw(4);
  uint32_t version = r.U32();
  uint32_t n = 0;
  if (magic != "NEPH") return Status::Corruption("EPOCHS: bad magic");
  if (version != kEpochFileVersion) {
    return Status::NotSupported("EPOCHS version " + std::to_string(version));
  }
  if (!GetCount(&r, 16, &n)) return Status::Corruption("EPOCHS: count");
  h->entries.resize(n);
  for (auto& e : h->entries) {
    e.epoch = Epoch(r.U64());
    e.vdl = Lsn(r.U64());
  }
  NORDLYS_RETURN_IF_ERROR(Finish(r, "EPOCHS"));
  return h->Validate();
}

// ---- PROMISE ---------------------------------------------------------------------------------

std::string EncodePromiseFile(Epoch promised) {
  std::string out = "NPRM";
  PutFixed32(&out, kPromiseFileVersion);
  PutFixed64(&out, promised.value());
  PutFixed32(&out, Checksum32(out.data(), out.size()));
  return out;
}

Status DecodePromiseFile(std::string_view in, Epoch* promised) {
  if (in.size() != 20) return Status::Corruption("PROMISE: wrong size");
  if (Checksum32(in.data(), 16) != DecodeFixed32(in.data() + 16)) {
    return Status::Corruption("PROMISE: checksum");
  }
  Reader r(in.substr(0, 16));
  std::string_view magic = r.Raw(4);
  uint32_t version = r.U32();
  *promised = Epoch(r.U64());
  if (magic != "NPRM") return Status::Corruption("PROMISE: bad magic");
  if (version != kPromiseFileVersion) {
    return Status::NotSupported("PROMISE version " + std::to_string(version));
  }
  return Status::OK();
}

// ---- PGCONFIG --------------------------------------------------------------------------------

std::string EncodeConfigFile(uint64_t pages_per_pg, const std::vector<PgConfig>& pgs) {
  std::string out = "NPGC";
  PutFixed32(&out, kConfigFileVersion);
  PutFixed64(&out, pages_per_pg);
  PutFixed32(&out, static_cast<uint32_t>(pgs.size()));
  for (const auto& pg : pgs) {
    PutFixed64(&out, pg.pg.value());
    PutFixed32(&out, static_cast<uint32_t>(pg.members.size()));
    for (const auto& m : pg.members) {
      PutFixed64(&out, m.node.value());
      PutBytes(&out, m.address);
    }
    proto::EncodeMembership(pg.membership, &out);
  }
  PutFixed32(&out, Checksum32(out.data(), out.size()));
  return out;
}

Status DecodeConfigFile(std::string_view in, uint64_t* pages_per_pg, std::vector<PgConfig>* pgs) {
  if (in.size() < 20) return Status::Corruption("PGCONFIG: short");
  uint32_t crc = DecodeFixed32(in.data() + in.size() - 4);
  if (Checksum32(in.data(), in.size() - 4) != crc) return Status::Corruption("PGCONFIG: checksum");
  Reader r(in.substr(0, in.size() - 4));
  std::string_view magic = r.Raw(4);
  uint32_t version = r.U32();
  if (magic != "NPGC") return Status::Corruption("PGCONFIG: bad magic");
  if (version != 1 && version != kConfigFileVersion) {
    return Status::NotSupported("PGCONFIG version " + std::to_string(version));
  }
  *pages_per_pg = r.U64();
  uint32_t n = 0;
  if (!GetCount(&r, 12, &n)) return Status::Corruption("PGCONFIG: count");
  pgs->resize(n);
  for (auto& pg : *pgs) {
    pg.pg = PgId(r.U64());
    uint32_t m = 0;
    if (!GetCount(&r, 12, &m)) return Status::Corruption("PGCONFIG: member count");
    pg.members.resize(m);
    for (auto& mem : pg.members) {
      mem.node = NodeId(r.U64());
      mem.address.assign(r.Bytes(256));
    }
    pg.membership = proto::Membership{};
    if (version >= 2 && r.ok()) {
      NORDLYS_RETURN_IF_ERROR(proto::DecodeMembership(&r, &pg.membership).WithContext("PGCONFIG"));
    }
  }
  return Finish(r, "PGCONFIG");
}

}  // namespace nordlys::storage
