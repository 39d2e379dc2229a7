// The redo record: the only thing the writer ships to storage ("the log is the database").
// Physiological (one page, one logical operation) and idempotent (applied only when
// page_lsn < lsn). Encoding (docs/formats/redo-record.md), little-endian:
//
//   offset size field
//   0      8    lsn
//   8      8    prev_lsn_in_pg   previous record of the same protection group (0 = first)
//   16     8    page_id
//   24     2    type             RecordType
//   26     1    flags            bit 0: CPL (last record of a mini-transaction)
//   27     1    version (1)
//   28     4    payload_len
//   32     ...  payload          type-specific
//
// Framing and checksums belong to whoever stores or sends records (segment log, RPC frame).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace nordlys::redo {

inline constexpr size_t kRecordHeaderSize = 32;
inline constexpr uint8_t kRecordVersion = 1;
inline constexpr uint8_t kFlagCpl = 1;
inline constexpr uint32_t kMaxPayload = 1u << 20;

enum class RecordType : uint16_t {
  kPageInit = 1,    // payload: u16 PageType. Formats the page blank.
  kWriteBytes = 2,  // payload: u16 offset, bytes. Overwrites a byte range of the body.
  kPageImage = 3,   // payload: a full 8 KiB page image (first touch after a restore, tests)
  kHeapInsert = 4,  // payload: u16 slot, tuple (header + data). Slot = HeapPage::NextSlot().
  kHeapSetHeader = 5,  // payload: u16 slot, 32-byte tuple header (xmax, ctid chain, infomask)
  kHeapPrune = 6,   // payload: u16 count, count x u16 slot. Frees slots, compacts the page.
  kBtreeLoad = 7,   // payload: u16 level, u64 right link, u8 has high key, bytes high key,
                    //          u16 n, n x (bytes key, bytes value). Formats a whole B-tree page.
  kBtreeInsert = 8,    // payload: u16 index, bytes key, bytes value
  kBtreeRemove = 9,    // payload: u16 index
  kBtreeTruncate = 10, // payload: u16 keep, u64 right link, bytes high key (left half of a split)
};
inline constexpr uint16_t kMaxRecordType = 10;

struct Record {
  Lsn lsn;
  Lsn prev_lsn_in_pg;
  PageId page;
  RecordType type = RecordType::kWriteBytes;
  uint8_t flags = 0;
  std::string payload;

  bool is_cpl() const { return flags & kFlagCpl; }
  bool operator==(const Record&) const = default;
};

// Bytes EncodeRecord writes for r: a fixed header and the payload.
inline size_t EncodedRecordSize(const Record& r) { return kRecordHeaderSize + r.payload.size(); }
void EncodeRecord(const Record& r, std::string* out);
// Decodes one record from the front of *in and advances it.
Result<Record> DecodeRecord(std::string_view* in);

// Payload builders.
std::string PageInitPayload(uint16_t page_type);
std::string WriteBytesPayload(uint16_t offset, std::string_view bytes);
std::string HeapInsertPayload(uint16_t slot, std::string_view tuple);
std::string HeapSetHeaderPayload(uint16_t slot, std::string_view header32);
std::string HeapPrunePayload(const std::vector<uint16_t>& slots);
// "bytes" in the payloads above is u32 length + bytes.
struct BtreeKv {
  std::string key;
  std::string value;
};
std::string BtreeLoadPayload(uint16_t level, PageId right_link, bool has_high_key,
                             std::string_view high_key, const std::vector<BtreeKv>& items);
std::string BtreeInsertPayload(uint16_t index, std::string_view key, std::string_view value);
std::string BtreeRemovePayload(uint16_t index);
std::string BtreeTruncatePayload(uint16_t keep, PageId right_link, std::string_view high_key);

}  // namespace nordlys::redo
