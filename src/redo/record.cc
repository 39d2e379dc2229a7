// Redo record encoding; see record.h.
#include "redo/record.h"

#include "common/coding.h"

namespace nordlys::redo {

void EncodeRecord(const Record& r, std::string* out) {
  NORDLYS_ASSERT(r.payload.size() <= kMaxPayload);
  PutFixed64(out, r.lsn.value());
  PutFixed64(out, r.prev_lsn_in_pg.value());
  PutFixed64(out, r.page.value());
  PutFixed16(out, static_cast<uint16_t>(r.type));
  PutFixed8(out, r.flags);
  PutFixed8(out, kRecordVersion);
  PutFixed32(out, static_cast<uint32_t>(r.payload.size()));
  out->append(r.payload);
}

Result<Record> DecodeRecord(std::string_view* in) {
  Reader rd(*in);
  Record r;
  r.lsn = Lsn(rd.U64());
  r.prev_lsn_in_pg = Lsn(rd.U64());
  r.page = PageId(rd.U64());
  uint16_t type = rd.U16();
  r.flags = rd.U8();
  uint8_t version = rd.U8();
  uint32_t len = rd.U32();
  if (!rd.ok()) return rd.status("redo record header");
  if (version != kRecordVersion) {
    return Status::Corruption("redo record version " + std::to_string(version));
  }
  if (len > kMaxPayload) return Status::Corruption("redo record payload too large");
  if (type < 1 || type > kMaxRecordType) return Status::Corruption("redo record type " + std::to_string(type));
  r.type = static_cast<RecordType>(type);
  std::string_view payload = rd.Raw(len);
  if (!rd.ok()) return rd.status("redo record payload");
  r.payload.assign(payload);
  if (r.lsn == kInvalidLsn || r.prev_lsn_in_pg >= r.lsn) {
    return Status::Corruption("redo record LSN chain broken");
  }
  in->remove_prefix(in->size() - rd.remaining());
  return r;
}

std::string PageInitPayload(uint16_t page_type) {
  std::string out;
  PutFixed16(&out, page_type);
  return out;
}

std::string WriteBytesPayload(uint16_t offset, std::string_view bytes) {
  std::string out;
  PutFixed16(&out, offset);
  out.append(bytes);
  return out;
}

std::string HeapInsertPayload(uint16_t slot, std::string_view tuple) {
  return WriteBytesPayload(slot, tuple);  // same shape: u16 then bytes
}

std::string HeapSetHeaderPayload(uint16_t slot, std::string_view header32) {
  return WriteBytesPayload(slot, header32);
}

std::string HeapPrunePayload(const std::vector<uint16_t>& slots) {
  std::string out;
  PutFixed16(&out, static_cast<uint16_t>(slots.size()));
  for (uint16_t s : slots) PutFixed16(&out, s);
  return out;
}

std::string BtreeLoadPayload(uint16_t level, PageId right_link, bool has_high_key,
                             std::string_view high_key, const std::vector<BtreeKv>& items) {
  std::string out;
  PutFixed16(&out, level);
  PutFixed64(&out, right_link.value());
  PutFixed8(&out, has_high_key ? 1 : 0);
  PutBytes(&out, high_key);
  PutFixed16(&out, static_cast<uint16_t>(items.size()));
  for (const auto& kv : items) {
    PutBytes(&out, kv.key);
    PutBytes(&out, kv.value);
  }
  return out;
}

std::string BtreeInsertPayload(uint16_t index, std::string_view key, std::string_view value) {
  std::string out;
  PutFixed16(&out, index);
  PutBytes(&out, key);
  PutBytes(&out, value);
  return out;
}

std::string BtreeRemovePayload(uint16_t index) {
  std::string out;
  PutFixed16(&out, index);
  return out;
}

std::string BtreeTruncatePayload(uint16_t keep, PageId right_link, std::string_view high_key) {
  std::string out;
  PutFixed16(&out, keep);
  PutFixed64(&out, right_link.value());
  PutBytes(&out, high_key);
  return out;
}

}  // namespace nordlys::redo
