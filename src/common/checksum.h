// Checksums for everything persisted or sent: XXH3-64 (libxxhash), ~30 GB/s on one core, which
// keeps verification off the profile. Changing the function changes every on-disk format: don't.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nordlys {

uint64_t Checksum64(const void* data, size_t len, uint64_t seed = 0);
inline uint64_t Checksum64(std::string_view s, uint64_t seed = 0) {
  return Checksum64(s.data(), s.size(), seed);
}
// Checksum64 of the concatenation a + b, without building it (streaming XXH3).
uint64_t Checksum64Of2(std::string_view a, std::string_view b);
// 32-bit form for compact headers: the low half of XXH3-64.
inline uint32_t Checksum32(const void* data, size_t len) {
  return static_cast<uint32_t>(Checksum64(data, len));
}

}  // namespace nordlys
