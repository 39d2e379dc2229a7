#include "engine/storage/txn.h"

#include <algorithm>

namespace nordlys::engine::storage {

bool Snapshot::Finished(Xid xid) const {
  if (xid >= xmax) return false;
  if (xid < xmin) return true;
  return !std::binary_search(active.begin(), active.end(), xid);
}

void Tid::AppendTo(std::string* out) const {
  uint64_t p = page.value();
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((p >> (8 * i)) & 0xff));
  out->push_back(static_cast<char>(slot >> 8));
  out->push_back(static_cast<char>(slot & 0xff));
}

Tid Tid::Decode(std::string_view in) {
  uint64_t p = 0;
  for (int i = 0; i < 8; ++i) p = (p << 8) | static_cast<uint8_t>(in[i]);
  Tid t;
  t.page = PageId(p);
  t.slot = static_cast<uint16_t>((static_cast<uint8_t>(in[8]) << 8) | static_cast<uint8_t>(in[9]));
  return t;
}

}  // namespace nordlys::engine::storage
