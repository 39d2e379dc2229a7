// Pure helpers of the B-tree access method (btree.cc), shared with its tests: the encodings of
// stored keys and child pointers, how a full page's items are divided in a split, and how
// BulkLoad packs sorted items into pages. No I/O, no locks.
//
// Conventions (docs/formats/btree-page.md, "Items as the engine uses them"):
//   leaf item   key = user key + Tid (Tid::AppendTo, 10 bytes big-endian), value = the Tid again
//   inner item  key = separator: the first key of the child's subtree when the child was split
//               off (or packed by BulkLoad); the first item of the leftmost page of a level
//               has an empty key (-infinity). value = child PageId, u64 little-endian.
//   a page holds keys in [its separator in the parent, its high key): a search key >= the
//   high key belongs to a page further right.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "page/btree_page.h"

namespace nordlys::engine::storage::btree_internal {

// Bytes a page's item area has for items and the high key.
inline constexpr size_t kPageCapacity = page::kPageSize - page::kBtreeHeaderEnd;
// Space an item takes: u16 key length, key, value, and its 4-byte line pointer.
inline size_t ItemBytes(size_t key_len, size_t value_len) { return 2 + key_len + value_len + 4; }

// u64 little-endian child page id.
std::string EncodeChild(PageId child);
// Corruption when the value is not 8 bytes.
Result<PageId> DecodeChild(std::string_view value);

// The index of the child of an inner page that covers `key`: the last item whose key is <= key
// (item 0 if key is below every separator, which only a search below the page's range gives).
uint16_t ChildIndex(const page::BtreePage& inner, std::string_view key);

// Where to split `all` (a full page's items with the new one inserted in order) into
// [0, k) and [k, n): both halves non-empty, the left one fitting with all[k].key as its high
// key, the right one with `right_high_key_len` (the old page's high key). `append` (the new item
// went to the end of the rightmost page of its level) packs the left page to about 90% so that
// ascending inserts leave nearly full pages; otherwise the halves are balanced by bytes.
// Internal when no split point fits (impossible while keys are <= kBtreeMaxKey).
Result<size_t> ChooseSplit(const std::vector<page::BtreeItem>& all, size_t right_high_key_len,
                           bool append);

// BulkLoad packing: consecutive runs [starts[i], starts[i+1]) of `items`, each filling a page to
// about `fill` of its capacity and fitting together with its high key (the next run's first key).
std::vector<size_t> PackRuns(const std::vector<page::BtreeItem>& items, double fill);

}  // namespace nordlys::engine::storage::btree_internal
