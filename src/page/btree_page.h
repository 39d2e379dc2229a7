// The B-tree page (Lehman & Yao, as in PostgreSQL's nbtree): sorted items, a right-link to the
// next page on the same level, and a high key — the upper bound of the keys this page may hold,
// so a reader that raced with a split sees its key is above the high key and moves right.
// Keys are byte strings in an order-preserving encoding chosen by the engine, so this code and
// redo apply compare with memcmp and never need to know SQL types. Pure: no I/O.
//
// Layout after the common page header (docs/formats/btree-page.md):
//   24  u16 count        items (line pointers) in key order
//   26  u16 lower        end of the line-pointer array
//   28  u16 upper        start of the item area (items grow down from the end)
//   30  u16 level        0 = leaf
//   32  u64 right_link   next page on this level; 0 = rightmost
//   40  u16 high_key_off, 42 u16 high_key_len (len 0 and off 0: no high key, +infinity)
//   44  u16 flags, 46 u16 reserved
//   48  line pointers, 4 bytes each: u16 offset, u16 length
// Item = u16 key_len, key bytes, value bytes (leaf: heap TID = u64 page, u16 slot; inner:
// u64 child page).
//
// Invariants: items sorted by key (memcmp, then shorter first); every key <= high key;
// 48 <= lower <= upper <= 8192.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "page/page.h"

namespace nordlys::page {

inline constexpr size_t kBtreeHeaderEnd = 48;
inline constexpr size_t kBtreeMaxKey = 2000;  // a page must hold at least 3 items plus a high key

struct BtreeItem {
  std::string key;
  std::string value;
  bool operator==(const BtreeItem&) const = default;
};

// memcmp order, then length: the order every encoded key sorts in.
int CompareKeys(std::string_view a, std::string_view b);

class BtreePage {
 public:
  explicit BtreePage(Page* p) : p_(p) {}
  const Page* page() const { return p_; }

  // Formats *p: level, right link and high key ("" with has_high_key=false: +infinity), then
  // the given items (already sorted).
  static Status Load(Page* p, PageId id, uint16_t level, PageId right_link, bool has_high_key,
                     std::string_view high_key, const std::vector<BtreeItem>& items);

  uint16_t count() const;
  uint16_t level() const;
  bool is_leaf() const { return level() == 0; }
  PageId right_link() const;
  bool has_high_key() const;
  std::string_view high_key() const;
  std::string_view Key(uint16_t index) const;
  std::string_view Value(uint16_t index) const;
  BtreeItem Item(uint16_t index) const;
  size_t FreeSpace() const;
  bool Fits(size_t key_len, size_t value_len) const;
  // Index of the first item whose key is >= key (count() if none).
  uint16_t LowerBound(std::string_view key) const;

  // --- mutators (redo apply only) ---
  // Inserts at `index`; the key must sort between its neighbours and under the high key.
  Status Insert(uint16_t index, std::string_view key, std::string_view value);
  Status Remove(uint16_t index);
  // Split, left half: keeps items [0, keep), new right link and high key; compacts.
  Status Truncate(uint16_t keep, PageId right_link, std::string_view high_key);
  Status Validate() const;

  // The items in order (for splits and tests).
  std::vector<BtreeItem> Items() const;

 private:
  uint16_t Get16(size_t off) const;
  void Put16(size_t off, uint16_t v);
  Page* p_;
};

}  // namespace nordlys::page
