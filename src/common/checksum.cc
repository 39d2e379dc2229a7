// XXH3 wrapper; the only file that includes xxhash.h.
#include "common/checksum.h"

#include <xxhash.h>

namespace nordlys {

uint64_t Checksum64(const void* data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}

}  // namespace nordlys
