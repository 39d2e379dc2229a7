// The heap page: a slotted page of tuples, PostgreSQL's layout with 64-bit transaction ids (so
// there is no xid wraparound and no freezing). Pure: no I/O. Every change goes through a redo
// record (redo/heap_records.h) applied by redo::Apply, on the writer, the readers and the storage
// nodes alike, so all three hold identical bytes.
//
// Layout after the common page header (docs/formats/page.md):
//   24  u16 slot_count   line pointers in use or free
//   26  u16 lower        end of the line-pointer array (first free byte)
//   28  u16 upper        start of the tuple area (tuples grow down from the page end)
//   30  u16 flags
//   32  line pointers, 4 bytes each: u16 offset, u16 length (length 0: unused slot)
//   ... free space ...
//   upper .. 8192: tuples
//
// Tuple = TupleHeader (32 bytes) + user data (the executor's row encoding; opaque here):
//   0  u64 xmin        inserting transaction
//   8  u64 xmax        deleting/locking transaction (0: none)
//   16 u64 next_page   newer version after an UPDATE (the "ctid" chain); == own page and
//   24 u16 next_slot   slot == own slot when this is the newest version
//   26 u16 infomask    kXmaxLockOnly, kUpdated, ...
//   28 u32 cids        command ids within the writing transaction: cmin (low 16 bits), cmax
//                      (high 16); only the writing transaction reads them
//
// Invariants: 32 <= lower <= upper <= 8192; lower == 32 + 4 * slot_count; every used slot's
// tuple lies in [upper, 8192) and tuples do not overlap.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "page/page.h"

namespace nordlys::page {

inline constexpr size_t kHeapHeaderEnd = 32;
inline constexpr size_t kLinePointerSize = 4;
inline constexpr size_t kTupleHeaderSize = 32;
inline constexpr uint16_t kMaxHeapSlots = 1024;
// Largest tuple (header + data) a heap page holds; longer rows are an error for now (no TOAST).
inline constexpr size_t kMaxTupleSize = kPageSize - kHeapHeaderEnd - kLinePointerSize;

enum TupleInfo : uint16_t {
  kXmaxLockOnly = 1,  // xmax locks the row (SELECT ... FOR UPDATE/SHARE); it did not delete it
  kUpdated = 2,       // xmax replaced this version with next_page/next_slot
  kXmaxShared = 4,    // FOR SHARE rather than FOR UPDATE
  // Heap-only tuples (PostgreSQL's HOT): an UPDATE that changes no indexed column and fits on
  // the same page links the new version into the old one's chain instead of adding index
  // entries. Index scans enter a chain at its head and walk it.
  kHotUpdated = 8,    // this version's successor (next_page/next_slot) is heap-only
  kHeapOnly = 16,     // no index entry points here; reached through the chain only
  kRedirect = 32,     // a pruned chain head kept so index entries still lead into the chain:
                      // never visible itself; next_page/next_slot is the chain's first live
                      // version
};

struct TupleHeader {
  uint64_t xmin = 0;
  uint64_t xmax = 0;
  PageId next_page;
  uint16_t next_slot = 0;
  uint16_t infomask = 0;
  uint32_t cids = 0;  // cmin | cmax << 16
};

// A read/write view of a heap page held elsewhere (the buffer cache). Mutators are called only
// from redo apply (redo/heap_records.cc) and check their preconditions: a record that does not
// fit the page is Corruption, never a crash.
class HeapPage {
 public:
  explicit HeapPage(Page* p) : p_(p) {}

  // Formats *p as an empty heap page.
  static void Init(Page* p, PageId id);

  uint16_t slot_count() const;
  // Contiguous free bytes between the line pointers and the tuples.
  size_t FreeSpace() const;
  // Room for a tuple of `tuple_size` bytes, counting a new line pointer if no slot is free.
  bool Fits(size_t tuple_size) const;
  // The slot an insert would use: the first unused one, or a new one at the end.
  uint16_t NextSlot() const;

  // The tuple in `slot` (header + data), or nullopt for an unused or out-of-range slot.
  std::optional<std::string_view> Tuple(uint16_t slot) const;
  static TupleHeader ReadHeader(std::string_view tuple);
  static std::string_view Data(std::string_view tuple) { return tuple.substr(kTupleHeaderSize); }

  // --- mutators (redo apply only) ---
  // Places `tuple` (header + data) in `slot`; the slot must be NextSlot().
  Status Insert(uint16_t slot, std::string_view tuple);
  // Rewrites the header fields of the tuple in `slot`.
  Status SetHeader(uint16_t slot, const TupleHeader& h);
  // Frees the listed slots and compacts the tuple area (VACUUM / pruning). Deterministic: the
  // same page and slot list give the same bytes everywhere.
  Status Prune(const uint16_t* slots, size_t count);
  // Checks the invariants above (used on pages read from storage and in tests).
  Status Validate() const;

 private:
  uint16_t Get16(size_t off) const;
  void Put16(size_t off, uint16_t v);
  Page* p_;
};

std::string EncodeTupleHeader(const TupleHeader& h);

}  // namespace nordlys::page
