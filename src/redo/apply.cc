// Redo apply for every record type; see apply.h.
#include "redo/apply.h"

#include <cstring>
#include <vector>

#include "common/coding.h"
#include "page/btree_page.h"
#include "page/heap_page.h"

namespace nordlys::redo {

Status Apply(const Record& r, page::Page* p) {
  if (!p->IsEmpty() && p->lsn() >= r.lsn) return Status::OK();  // already applied
  if (!p->IsEmpty() && p->id() != r.page) {
    return Status::Corruption("record for page " + std::to_string(r.page.value()) +
                              " applied to page " + std::to_string(p->id().value()));
  }
  switch (r.type) {
    case RecordType::kPageInit: {
      Reader rd(r.payload);
      uint16_t type = rd.U16();
      if (!rd.ok() || !rd.done()) return Status::Corruption("PageInit payload");
      if (static_cast<page::PageType>(type) == page::PageType::kHeap) {
        page::HeapPage::Init(p, r.page);
      } else {
        p->Init(r.page, static_cast<page::PageType>(type));
      }
      break;
    }
    case RecordType::kWriteBytes: {
      Reader rd(r.payload);
      uint16_t offset = rd.U16();
      if (!rd.ok()) return Status::Corruption("WriteBytes payload");
      size_t n = rd.remaining();
      if (offset < page::kPageHeaderSize || offset + n > page::kPageSize) {
        return Status::Corruption("WriteBytes range outside the page body");
      }
      if (p->IsEmpty()) p->Init(r.page, page::PageType::kRaw);
      std::memcpy(p->bytes.data() + offset, r.payload.data() + 2, n);
      break;
    }
    case RecordType::kPageImage: {
      if (r.payload.size() != page::kPageSize) return Status::Corruption("PageImage size");
      std::memcpy(p->bytes.data(), r.payload.data(), page::kPageSize);
      if (p->id() != r.page) return Status::Corruption("PageImage of another page");
      break;
    }
    case RecordType::kHeapInsert:
    case RecordType::kHeapSetHeader: {
      Reader rd(r.payload);
      uint16_t slot = rd.U16();
      if (!rd.ok()) return Status::Corruption("heap record payload");
      std::string_view rest(r.payload.data() + 2, r.payload.size() - 2);
      page::HeapPage h(p);
      if (p->type() != page::PageType::kHeap) return Status::Corruption("heap record on non-heap page");
      if (r.type == RecordType::kHeapInsert) {
        NORDLYS_RETURN_IF_ERROR(h.Insert(slot, rest));
      } else {
        if (rest.size() != page::kTupleHeaderSize) return Status::Corruption("heap header size");
        NORDLYS_RETURN_IF_ERROR(h.SetHeader(slot, page::HeapPage::ReadHeader(rest)));
      }
      break;
    }
    case RecordType::kHeapPrune: {
      Reader rd(r.payload);
      uint16_t n = rd.U16();
      std::vector<uint16_t> slots;
      for (uint16_t i = 0; i < n && rd.ok(); ++i) slots.push_back(rd.U16());
      if (!rd.ok() || !rd.done()) return Status::Corruption("heap prune payload");
      if (p->type() != page::PageType::kHeap) return Status::Corruption("heap record on non-heap page");
      NORDLYS_RETURN_IF_ERROR(page::HeapPage(p).Prune(slots.data(), slots.size()));
      break;
    }
    case RecordType::kBtreeLoad: {
      Reader rd(r.payload);
      uint16_t level = rd.U16();
      PageId right(rd.U64());
      bool has_hk = rd.U8() != 0;
      std::string_view hk = rd.Bytes(page::kBtreeMaxKey);
      uint16_t n = rd.U16();
      std::vector<page::BtreeItem> items;
      for (uint16_t i = 0; i < n && rd.ok(); ++i) {
        std::string_view k = rd.Bytes(page::kBtreeMaxKey);
        std::string_view v = rd.Bytes(page::kPageSize);
        items.push_back({std::string(k), std::string(v)});
      }
      if (!rd.ok() || !rd.done()) return Status::Corruption("BtreeLoad payload");
      page::Page fresh;
      NORDLYS_RETURN_IF_ERROR(
          page::BtreePage::Load(&fresh, r.page, level, right, has_hk, hk, items));
      *p = fresh;
      break;
    }
    case RecordType::kBtreeInsert:
    case RecordType::kBtreeRemove:
    case RecordType::kBtreeTruncate: {
      if (p->type() != page::PageType::kBtree) {
        return Status::Corruption("btree record on a non-btree page");
      }
      Reader rd(r.payload);
      uint16_t index = rd.U16();
      // Work on a copy so that a record that fails halfway leaves *p unchanged.
      page::Page copy = *p;
      page::BtreePage b(&copy);
      if (r.type == RecordType::kBtreeInsert) {
        std::string_view k = rd.Bytes(page::kBtreeMaxKey);
        std::string_view v = rd.Bytes(page::kPageSize);
        if (!rd.ok() || !rd.done()) return Status::Corruption("BtreeInsert payload");
        NORDLYS_RETURN_IF_ERROR(b.Insert(index, k, v));
      } else if (r.type == RecordType::kBtreeRemove) {
        if (!rd.ok() || !rd.done()) return Status::Corruption("BtreeRemove payload");
        NORDLYS_RETURN_IF_ERROR(b.Remove(index));
      } else {
        PageId right(rd.U64());
        std::string_view hk = rd.Bytes(page::kBtreeMaxKey);
        if (!rd.ok() || !rd.done()) return Status::Corruption("BtreeTruncate payload");
        NORDLYS_RETURN_IF_ERROR(b.Truncate(index, right, hk));
      }
      *p = copy;
      break;
    }
  }
  p->set_lsn(r.lsn);
  return Status::OK();
}

}  // namespace nordlys::redo
