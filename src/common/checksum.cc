// XXH3 wrapper; the only file that includes xxhash.h.
#include "common/checksum.h"

#include <xxhash.h>

#include <cstring>
#include <memory>

#include "common/assert.h"

namespace nordlys {

uint64_t Checksum64(const void* data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}

uint64_t Checksum64Of2(std::string_view a, std::string_view b) {
  // Short inputs: a copy on the stack is cheaper than the streaming state.
  constexpr size_t kStackBytes = 512;
  if (a.size() + b.size() <= kStackBytes) {
    char buf[kStackBytes];
    if (!a.empty()) std::memcpy(buf, a.data(), a.size());
    if (!b.empty()) std::memcpy(buf + a.size(), b.data(), b.size());
    return XXH3_64bits(buf, a.size() + b.size());
  }
  // The state is opaque outside static linking: one per thread, made once.
  struct StateDeleter {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
  };
  thread_local std::unique_ptr<XXH3_state_t, StateDeleter> state(XXH3_createState());
  NORDLYS_ASSERT(state != nullptr);
  XXH3_64bits_reset(state.get());
  XXH3_64bits_update(state.get(), a.data(), a.size());
  XXH3_64bits_update(state.get(), b.data(), b.size());
  return XXH3_64bits_digest(state.get());
}

}  // namespace nordlys
