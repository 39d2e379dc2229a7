// Redo apply for every record type; see apply.h.
#include "redo/apply.h"

#include <cstring>

#include "common/coding.h"

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
      p->Init(r.page, static_cast<page::PageType>(type));
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
  }
  p->set_lsn(r.lsn);
  return Status::OK();
}

}  // namespace nordlys::redo
