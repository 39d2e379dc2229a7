// Little-endian fixed-width encoding for on-disk and wire formats, and a bounds-checked reader
// that turns short or garbled input into Corruption instead of reading past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys {

inline void PutFixed8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }
inline void PutFixed16(std::string* out, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out->append(b, 2);
}
inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
// u32 length then bytes.
inline void PutBytes(std::string* out, std::string_view v) {
  PutFixed32(out, static_cast<uint32_t>(v.size()));
  out->append(v);
}

inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline void EncodeFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void EncodeFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

// Reads fields in order; the first short read latches an error and every later read fails too,
// so decoders check ok() once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint8_t U8() { return static_cast<uint8_t>(Take(1)[0]); }
  uint16_t U16() {
    std::string_view b = Take(2);
    return static_cast<uint16_t>(static_cast<uint8_t>(b[0]) | (static_cast<uint8_t>(b[1]) << 8));
  }
  uint32_t U32() { return DecodeFixed32(Take(4).data()); }
  uint64_t U64() { return DecodeFixed64(Take(8).data()); }
  // u32 length then bytes; lengths above max_len are corruption.
  std::string_view Bytes(uint32_t max_len = 64u << 20) {
    uint32_t n = U32();
    if (n > max_len) {
      failed_ = true;
      return {};
    }
    return Take(n);
  }
  std::string_view Raw(size_t n) { return Take(n); }

  bool ok() const { return !failed_; }
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }
  Status status(std::string_view what) const {
    if (!failed_) return Status::OK();
    return Status::Corruption(std::string(what) + ": truncated or malformed");
  }

 private:
  std::string_view Take(size_t n) {
    static const char kZeros[8] = {};
    if (failed_ || in_.size() < n) {
      failed_ = true;
      return std::string_view(kZeros, n <= 8 ? n : 0);
    }
    std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }

  std::string_view in_;
  bool failed_ = false;
};

}  // namespace nordlys
