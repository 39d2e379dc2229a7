// Page header accessors and checksums; see page.h.
#include "page/page.h"

#include "common/checksum.h"
#include "common/coding.h"

namespace nordlys::page {
namespace {
constexpr size_t kLsnOff = 0, kIdOff = 8, kChecksumOff = 16, kFormatOff = 20, kTypeOff = 22;

uint32_t ComputeChecksum(const Page& p) {
  Page copy = p;
  std::memset(copy.bytes.data() + kChecksumOff, 0, 4);
  return Checksum32(copy.bytes.data(), kPageSize);
}
}  // namespace

Lsn Page::lsn() const { return Lsn(DecodeFixed64(bytes.data() + kLsnOff)); }
void Page::set_lsn(Lsn lsn) { EncodeFixed64(bytes.data() + kLsnOff, lsn.value()); }
PageId Page::id() const { return PageId(DecodeFixed64(bytes.data() + kIdOff)); }
PageType Page::type() const {
  return static_cast<PageType>(static_cast<uint8_t>(bytes[kTypeOff]) |
                               (static_cast<uint8_t>(bytes[kTypeOff + 1]) << 8));
}

bool Page::IsEmpty() const {
  for (size_t i = 0; i < kPageHeaderSize; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

void Page::Init(PageId id, PageType type) {
  bytes.fill(0);
  EncodeFixed64(bytes.data() + kIdOff, id.value());
  bytes[kFormatOff] = static_cast<char>(kPageFormat & 0xff);
  bytes[kFormatOff + 1] = static_cast<char>(kPageFormat >> 8);
  auto t = static_cast<uint16_t>(type);
  bytes[kTypeOff] = static_cast<char>(t & 0xff);
  bytes[kTypeOff + 1] = static_cast<char>(t >> 8);
}

void Page::Seal() {
  if (IsEmpty()) return;
  EncodeFixed32(bytes.data() + kChecksumOff, ComputeChecksum(*this));
}

Status Page::Verify(PageId expected) const {
  if (IsEmpty()) return Status::OK();
  if (DecodeFixed32(bytes.data() + kChecksumOff) != ComputeChecksum(*this)) {
    return Status::Corruption("page " + std::to_string(expected.value()) + ": checksum mismatch");
  }
  if (id() != expected) {
    return Status::Corruption("page " + std::to_string(expected.value()) + ": holds page " +
                              std::to_string(id().value()));
  }
  return Status::OK();
}

}  // namespace nordlys::page
