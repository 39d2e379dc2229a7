// B-tree page operations; see btree_page.h for the layout.
#include "page/btree_page.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"

namespace nordlys::page {
namespace {
constexpr size_t kCountOff = 24, kLowerOff = 26, kUpperOff = 28, kLevelOff = 30, kRightOff = 32,
                 kHighOffOff = 40, kHighLenOff = 42;
constexpr size_t kLinePointer = 4;
size_t SlotOff(uint16_t i) { return kBtreeHeaderEnd + kLinePointer * i; }
}  // namespace

int CompareKeys(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

uint16_t BtreePage::Get16(size_t off) const {
  return static_cast<uint16_t>(static_cast<uint8_t>(p_->bytes[off]) |
                               (static_cast<uint8_t>(p_->bytes[off + 1]) << 8));
}
void BtreePage::Put16(size_t off, uint16_t v) {
  p_->bytes[off] = static_cast<char>(v & 0xff);
  p_->bytes[off + 1] = static_cast<char>(v >> 8);
}

uint16_t BtreePage::count() const { return Get16(kCountOff); }
uint16_t BtreePage::level() const { return Get16(kLevelOff); }
PageId BtreePage::right_link() const { return PageId(DecodeFixed64(p_->bytes.data() + kRightOff)); }
bool BtreePage::has_high_key() const { return Get16(kHighOffOff) != 0; }
std::string_view BtreePage::high_key() const {
  return {p_->bytes.data() + Get16(kHighOffOff), Get16(kHighLenOff)};
}

std::string_view BtreePage::Key(uint16_t i) const {
  uint16_t off = Get16(SlotOff(i));
  uint16_t klen = Get16(off);
  return {p_->bytes.data() + off + 2, klen};
}

std::string_view BtreePage::Value(uint16_t i) const {
  uint16_t off = Get16(SlotOff(i)), len = Get16(SlotOff(i) + 2);
  uint16_t klen = Get16(off);
  return {p_->bytes.data() + off + 2 + klen, static_cast<size_t>(len - 2 - klen)};
}

BtreeItem BtreePage::Item(uint16_t i) const {
  return {std::string(Key(i)), std::string(Value(i))};
}

std::vector<BtreeItem> BtreePage::Items() const {
  std::vector<BtreeItem> out;
  for (uint16_t i = 0; i < count(); ++i) out.push_back(Item(i));
  return out;
}

size_t BtreePage::FreeSpace() const {
  uint16_t lower = Get16(kLowerOff), upper = Get16(kUpperOff);
  return upper > lower ? upper - lower : 0;
}

bool BtreePage::Fits(size_t key_len, size_t value_len) const {
  return key_len <= kBtreeMaxKey && 2 + key_len + value_len + kLinePointer <= FreeSpace();
}

uint16_t BtreePage::LowerBound(std::string_view key) const {
  uint16_t lo = 0, hi = count();
  while (lo < hi) {
    uint16_t mid = static_cast<uint16_t>((lo + hi) / 2);
    if (CompareKeys(Key(mid), key) < 0) {
      lo = static_cast<uint16_t>(mid + 1);
    } else {
      hi = mid;
    }
  }
  return lo;
}

Status BtreePage::Load(Page* p, PageId id, uint16_t level, PageId right_link, bool has_high_key,
                       std::string_view high_key, const std::vector<BtreeItem>& items) {
  Page fresh;
  fresh.Init(id, PageType::kBtree);
  BtreePage b(&fresh);
  b.Put16(kCountOff, 0);
  b.Put16(kLowerOff, kBtreeHeaderEnd);
  b.Put16(kUpperOff, static_cast<uint16_t>(kPageSize));
  b.Put16(kLevelOff, level);
  EncodeFixed64(fresh.bytes.data() + kRightOff, right_link.value());
  if (has_high_key) {
    if (high_key.size() > kBtreeMaxKey) return Status::Corruption("btree high key too long");
    size_t upper = kPageSize - high_key.size();
    std::memcpy(fresh.bytes.data() + upper, high_key.data(), high_key.size());
    b.Put16(kUpperOff, static_cast<uint16_t>(upper));
    // Offset 0 means "no high key"; an empty high key sits at 8192 - 0 = the page end.
    b.Put16(kHighOffOff, static_cast<uint16_t>(upper == kPageSize ? kPageSize - 1 : upper));
    b.Put16(kHighLenOff, static_cast<uint16_t>(high_key.size()));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    NORDLYS_RETURN_IF_ERROR(b.Insert(static_cast<uint16_t>(i), items[i].key, items[i].value));
  }
  *p = fresh;
  return Status::OK();
}

Status BtreePage::Insert(uint16_t index, std::string_view key, std::string_view value) {
  if (p_->type() != PageType::kBtree) return Status::Corruption("btree insert on non-btree page");
  uint16_t n = count();
  if (index > n) return Status::Corruption("btree insert index out of range");
  if (!Fits(key.size(), value.size())) return Status::Corruption("btree item does not fit");
  if (index > 0 && CompareKeys(Key(static_cast<uint16_t>(index - 1)), key) > 0) {
    return Status::Corruption("btree insert out of key order");
  }
  if (index < n && CompareKeys(key, Key(index)) > 0) {
    return Status::Corruption("btree insert out of key order");
  }
  if (has_high_key() && CompareKeys(key, high_key()) > 0) {
    return Status::Corruption("btree insert above the high key");
  }
  size_t len = 2 + key.size() + value.size();
  uint16_t upper = static_cast<uint16_t>(Get16(kUpperOff) - len);
  char* dst = p_->bytes.data() + upper;
  dst[0] = static_cast<char>(key.size() & 0xff);
  dst[1] = static_cast<char>(key.size() >> 8);
  std::memcpy(dst + 2, key.data(), key.size());
  std::memcpy(dst + 2 + key.size(), value.data(), value.size());
  std::memmove(p_->bytes.data() + SlotOff(static_cast<uint16_t>(index + 1)),
               p_->bytes.data() + SlotOff(index), kLinePointer * (n - index));
  Put16(SlotOff(index), upper);
  Put16(SlotOff(index) + 2, static_cast<uint16_t>(len));
  Put16(kCountOff, static_cast<uint16_t>(n + 1));
  Put16(kLowerOff, static_cast<uint16_t>(SlotOff(static_cast<uint16_t>(n + 1))));
  Put16(kUpperOff, upper);
  return Status::OK();
}

Status BtreePage::Remove(uint16_t index) {
  uint16_t n = count();
  if (index >= n) return Status::Corruption("btree remove index out of range");
  // Rebuild without the item: keeps the item area compact and the result deterministic.
  std::vector<BtreeItem> items = Items();
  items.erase(items.begin() + index);
  std::string hk(high_key());
  return Load(p_, p_->id(), level(), right_link(), has_high_key(), hk, items);
}

Status BtreePage::Truncate(uint16_t keep, PageId right_link, std::string_view high_key) {
  if (keep > count()) return Status::Corruption("btree truncate beyond count");
  std::vector<BtreeItem> items = Items();
  items.resize(keep);
  if (!items.empty() && CompareKeys(items.back().key, high_key) > 0) {
    return Status::Corruption("btree truncate: high key below kept items");
  }
  std::string hk(high_key);
  return Load(p_, p_->id(), level(), right_link, true, hk, items);
}

Status BtreePage::Validate() const {
  uint16_t n = count(), lower = Get16(kLowerOff), upper = Get16(kUpperOff);
  if (lower != SlotOff(n) || lower > upper || upper > kPageSize) {
    return Status::Corruption("btree page header inconsistent");
  }
  for (uint16_t i = 0; i < n; ++i) {
    uint16_t off = Get16(SlotOff(i)), len = Get16(SlotOff(i) + 2);
    if (off < upper || off + len > kPageSize || len < 2 || Get16(off) + 2 > len) {
      return Status::Corruption("btree item " + std::to_string(i) + " malformed");
    }
    if (i > 0 && CompareKeys(Key(static_cast<uint16_t>(i - 1)), Key(i)) > 0) {
      return Status::Corruption("btree items out of order");
    }
    if (has_high_key() && CompareKeys(Key(i), high_key()) > 0) {
      return Status::Corruption("btree item above the high key");
    }
  }
  return Status::OK();
}

}  // namespace nordlys::page
