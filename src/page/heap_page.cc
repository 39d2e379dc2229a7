// Heap page operations; see heap_page.h for the layout.
#include "page/heap_page.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/coding.h"

namespace nordlys::page {
namespace {
constexpr size_t kSlotCountOff = 24, kLowerOff = 26, kUpperOff = 28, kFlagsOff = 30;
size_t SlotOff(uint16_t slot) { return kHeapHeaderEnd + kLinePointerSize * slot; }
}  // namespace

uint16_t HeapPage::Get16(size_t off) const {
  return static_cast<uint16_t>(static_cast<uint8_t>(p_->bytes[off]) |
                               (static_cast<uint8_t>(p_->bytes[off + 1]) << 8));
}

void HeapPage::Put16(size_t off, uint16_t v) {
  p_->bytes[off] = static_cast<char>(v & 0xff);
  p_->bytes[off + 1] = static_cast<char>(v >> 8);
}

void HeapPage::Init(Page* p, PageId id) {
  p->Init(id, PageType::kHeap);
  HeapPage h(p);
  h.Put16(kSlotCountOff, 0);
  h.Put16(kLowerOff, kHeapHeaderEnd);
  h.Put16(kUpperOff, static_cast<uint16_t>(kPageSize & 0xffff));  // 8192 fits in u16
  h.Put16(kFlagsOff, 0);
}

uint16_t HeapPage::slot_count() const { return Get16(kSlotCountOff); }

size_t HeapPage::FreeSpace() const {
  uint16_t lower = Get16(kLowerOff), upper = Get16(kUpperOff);
  return upper > lower ? upper - lower : 0;
}

uint16_t HeapPage::NextSlot() const {
  uint16_t n = slot_count();
  for (uint16_t s = 0; s < n; ++s) {
    if (Get16(SlotOff(s) + 2) == 0) return s;
  }
  return n;
}

bool HeapPage::Fits(size_t tuple_size) const {
  size_t need = tuple_size + (NextSlot() == slot_count() ? kLinePointerSize : 0);
  return NextSlot() < kMaxHeapSlots && need <= FreeSpace();
}

std::optional<std::string_view> HeapPage::Tuple(uint16_t slot) const {
  if (slot >= slot_count()) return std::nullopt;
  uint16_t off = Get16(SlotOff(slot)), len = Get16(SlotOff(slot) + 2);
  if (len == 0 || off + len > kPageSize) return std::nullopt;
  return std::string_view(p_->bytes.data() + off, len);
}

TupleHeader HeapPage::ReadHeader(std::string_view t) {
  TupleHeader h;
  h.xmin = DecodeFixed64(t.data());
  h.xmax = DecodeFixed64(t.data() + 8);
  h.next_page = PageId(DecodeFixed64(t.data() + 16));
  h.next_slot = static_cast<uint16_t>(static_cast<uint8_t>(t[24]) |
                                      (static_cast<uint8_t>(t[25]) << 8));
  h.infomask = static_cast<uint16_t>(static_cast<uint8_t>(t[26]) |
                                     (static_cast<uint8_t>(t[27]) << 8));
  h.cids = DecodeFixed32(t.data() + 28);
  return h;
}

std::string EncodeTupleHeader(const TupleHeader& h) {
  std::string out;
  PutFixed64(&out, h.xmin);
  PutFixed64(&out, h.xmax);
  PutFixed64(&out, h.next_page.value());
  PutFixed16(&out, h.next_slot);
  PutFixed16(&out, h.infomask);
  PutFixed32(&out, h.cids);
  return out;
}

Status HeapPage::Insert(uint16_t slot, std::string_view tuple) {
  if (p_->type() != PageType::kHeap) return Status::Corruption("heap insert on a non-heap page");
  if (tuple.size() < kTupleHeaderSize || tuple.size() > kMaxTupleSize) {
    return Status::Corruption("heap insert: tuple size " + std::to_string(tuple.size()));
  }
  if (slot != NextSlot()) return Status::Corruption("heap insert: slot is not the next free one");
  if (!Fits(tuple.size())) return Status::Corruption("heap insert: tuple does not fit");
  uint16_t n = slot_count();
  if (slot == n) {
    Put16(kSlotCountOff, static_cast<uint16_t>(n + 1));
    Put16(kLowerOff, static_cast<uint16_t>(SlotOff(static_cast<uint16_t>(n + 1))));
  }
  uint16_t upper = static_cast<uint16_t>(Get16(kUpperOff) - tuple.size());
  std::memcpy(p_->bytes.data() + upper, tuple.data(), tuple.size());
  Put16(kUpperOff, upper);
  Put16(SlotOff(slot), upper);
  Put16(SlotOff(slot) + 2, static_cast<uint16_t>(tuple.size()));
  return Status::OK();
}

Status HeapPage::SetHeader(uint16_t slot, const TupleHeader& h) {
  auto t = Tuple(slot);
  if (!t) return Status::Corruption("heap header update on an unused slot");
  std::string enc = EncodeTupleHeader(h);
  std::memcpy(const_cast<char*>(t->data()), enc.data(), kTupleHeaderSize);
  return Status::OK();
}

Status HeapPage::Prune(const uint16_t* slots, size_t count) {
  uint16_t n = slot_count();
  for (size_t i = 0; i < count; ++i) {
    if (slots[i] >= n) return Status::Corruption("heap prune: slot out of range");
  }
  for (size_t i = 0; i < count; ++i) {
    Put16(SlotOff(slots[i]), 0);
    Put16(SlotOff(slots[i]) + 2, 0);
  }
  // Compact: copy live tuples to the end of the page in descending slot-offset order.
  struct Live {
    uint16_t slot, off, len;
  };
  std::vector<Live> live;
  for (uint16_t s = 0; s < n; ++s) {
    uint16_t len = Get16(SlotOff(s) + 2);
    if (len != 0) live.push_back({s, Get16(SlotOff(s)), len});
  }
  std::sort(live.begin(), live.end(), [](const Live& a, const Live& b) { return a.off > b.off; });
  std::string area(kPageSize, '\0');
  size_t upper = kPageSize;
  for (const Live& l : live) {
    upper -= l.len;
    std::memcpy(area.data() + upper, p_->bytes.data() + l.off, l.len);
    Put16(SlotOff(l.slot), static_cast<uint16_t>(upper));
  }
  // Trailing unused line pointers are given back.
  while (n > 0 && Get16(SlotOff(static_cast<uint16_t>(n - 1)) + 2) == 0) --n;
  Put16(kSlotCountOff, n);
  Put16(kLowerOff, static_cast<uint16_t>(SlotOff(n)));
  std::memset(p_->bytes.data() + SlotOff(n), 0, upper - SlotOff(n));
  std::memcpy(p_->bytes.data() + upper, area.data() + upper, kPageSize - upper);
  Put16(kUpperOff, static_cast<uint16_t>(upper));
  return Status::OK();
}

Status HeapPage::Validate() const {
  uint16_t n = slot_count(), lower = Get16(kLowerOff), upper = Get16(kUpperOff);
  if (lower != SlotOff(n) || lower > upper || upper > kPageSize) {
    return Status::Corruption("heap page header inconsistent");
  }
  std::vector<std::pair<uint16_t, uint16_t>> spans;
  for (uint16_t s = 0; s < n; ++s) {
    uint16_t off = Get16(SlotOff(s)), len = Get16(SlotOff(s) + 2);
    if (len == 0) continue;
    if (len < kTupleHeaderSize || off < upper || off + len > kPageSize) {
      return Status::Corruption("heap tuple " + std::to_string(s) + " outside the tuple area");
    }
    spans.emplace_back(off, len);
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i - 1].first + spans[i - 1].second > spans[i].first) {
      return Status::Corruption("heap tuples overlap");
    }
  }
  return Status::OK();
}

}  // namespace nordlys::page
