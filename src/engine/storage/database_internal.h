// Internals shared by database.cc, heap.cc and btree.cc: page layouts of the meta page,
// relation directories and xid status pages (docs/formats/engine-pages.md), and the per-relation
// in-memory state.
#pragma once

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "common/coding.h"
#include "engine/storage/database.h"
#include "page/page.h"

namespace nordlys::engine::storage::internal {

// Meta page (page 0).
inline constexpr uint32_t kMetaMagic = 0x594c444e;  // "NDLY"
inline constexpr uint32_t kMetaVersion = 1;
inline constexpr size_t kMetaMagicOff = 24;
inline constexpr size_t kMetaVersionOff = 28;
inline constexpr size_t kMetaNextFreeOff = 32;
inline constexpr size_t kMetaXidHwmOff = 40;
inline constexpr size_t kMetaCatalogOff = 48;
inline constexpr size_t kMetaStatusCountOff = 56;
inline constexpr size_t kMetaStatusDirOff = 64;
inline constexpr size_t kMetaStatusPagesMax = (page::kPageSize - kMetaStatusDirOff) / 8;

// Relation directory page.
inline constexpr uint32_t kDirMagic = 0x4c45524e;  // "NREL"
inline constexpr size_t kDirMagicOff = 24;
inline constexpr size_t kDirKindOff = 28;
inline constexpr size_t kDirPageCountOff = 32;
inline constexpr size_t kDirExtentCountOff = 40;
inline constexpr size_t kDirExtentsOff = 48;
inline constexpr size_t kDirExtentsMax = (page::kPageSize - kDirExtentsOff) / 8;
enum class RelKind : uint16_t { kHeap = 1, kBtree = 2 };

// Extent i holds min(8 << i, 1024) pages: small relations stay small, large ones grow by 8 MiB.
inline uint64_t ExtentPages(uint64_t i) { return i < 7 ? (8ull << i) : 1024; }
// (extent, offset) of a relation's index-th page.
inline std::pair<uint64_t, uint64_t> ExtentOf(uint64_t index) {
  constexpr uint64_t kSmall = 8 * ((1 << 7) - 1);  // pages in extents 0..6
  if (index < kSmall) {
    uint64_t e = 0, start = 0;
    while (start + ExtentPages(e) <= index) start += ExtentPages(e++);
    return {e, index - start};
  }
  return {7 + (index - kSmall) / 1024, (index - kSmall) % 1024};
}
inline uint64_t PagesInExtents(uint64_t extents) {
  uint64_t n = 0;
  for (uint64_t i = 0; i < extents && i < 7; ++i) n += ExtentPages(i);
  if (extents > 7) n += (extents - 7) * 1024;
  return n;
}

// Xid status page: 2 bits per xid from byte 32 on.
inline constexpr size_t kStatusBodyOff = 32;
inline constexpr uint64_t kXidsPerStatusPage = (page::kPageSize - kStatusBodyOff) * 4;
// Xids are reserved on the meta page this many at a time.
inline constexpr uint64_t kXidBatch = 1024;

inline uint64_t Get64(const page::Page& p, size_t off) { return DecodeFixed64(p.bytes.data() + off); }
inline uint32_t Get32(const page::Page& p, size_t off) { return DecodeFixed32(p.bytes.data() + off); }
inline std::string Bytes64(uint64_t v) {
  std::string s;
  PutFixed64(&s, v);
  return s;
}
inline std::string Bytes32(uint32_t v) {
  std::string s;
  PutFixed32(&s, v);
  return s;
}

}  // namespace nordlys::engine::storage::internal

namespace nordlys::engine::storage {

// In-memory state of one relation: its lock (B-tree) and the heap's free-space map.
struct RelationState {
  std::shared_mutex rel_lock;
  std::mutex fsm_mu;
  bool fsm_loaded = false;                 // GUARDED_BY(fsm_mu)
  std::vector<uint16_t> free_bytes;        // GUARDED_BY(fsm_mu); per page index, a lower bound
  uint64_t insert_hint = 0;                // GUARDED_BY(fsm_mu)
  std::atomic<uint64_t> estimated_rows{0};
};

}  // namespace nordlys::engine::storage
