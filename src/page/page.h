// The 8 KiB page: the unit the volume stores and the buffer cache holds. Pure: no I/O.
// Layout of the common header (docs/formats/page.md):
//
//   offset size field
//   0      8    page_lsn   LSN of the last redo record applied to this page
//   8      8    page_id    which page this is (catches misdirected reads)
//   16     4    checksum   low 32 bits of XXH3-64 of the page with this field zeroed
//   20     2    format     page format version (1)
//   22     2    type       PageType
//   24     ...  type-specific body
//
// An all-zero page is "never written" (type kEmpty, page_lsn 0); it needs no checksum.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/types.h"

namespace nordlys::page {

inline constexpr size_t kPageSize = 8192;
inline constexpr size_t kPageHeaderSize = 24;
inline constexpr uint16_t kPageFormat = 1;

enum class PageType : uint16_t {
  kEmpty = 0,
  kRaw = 1,    // opaque bytes written by byte-range redo (tests, metadata)
  kHeap = 2,
  kBtree = 3,
  kMeta = 4,
};

// An owned page image.
struct Page {
  alignas(8) std::array<char, kPageSize> bytes{};

  Lsn lsn() const;
  void set_lsn(Lsn lsn);
  PageId id() const;
  PageType type() const;
  bool IsEmpty() const;  // all-zero header
  // Formats a blank page of `type`.
  void Init(PageId id, PageType type);
  // Computes and stores the checksum (call before persisting or sending).
  void Seal();
  // Verifies the checksum and that the page is the one asked for.
  Status Verify(PageId expected) const;
  std::string_view view() const { return {bytes.data(), bytes.size()}; }
};

static_assert(sizeof(Page) == kPageSize);

}  // namespace nordlys::page
