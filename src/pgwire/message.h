// PostgreSQL v3 protocol message building and reading (backend side). A message is a type byte,
// an Int32 length that counts itself, and a body; integers are big-endian (network order).
// https://www.postgresql.org/docs/15/protocol-message-formats.html
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::pgwire {

// Builds one backend message: MessageWriter w('Z'); w.Byte('I'); out += w.Finish();
class MessageWriter {
 public:
  explicit MessageWriter(char type) : buf_(1, type) { buf_.append(4, '\0'); }
  MessageWriter& Byte(char c) {
    buf_.push_back(c);
    return *this;
  }
  MessageWriter& Int16(int16_t v);
  MessageWriter& Int32(int32_t v);
  // NUL-terminated string.
  MessageWriter& CString(std::string_view s);
  MessageWriter& Bytes(std::string_view s) {
    buf_.append(s);
    return *this;
  }
  // Patches the length and returns the finished message.
  std::string Finish();

 private:
  std::string buf_;
};

// Reads a frontend message body with bounds checks; any short read latches an error.
class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : in_(body) {}
  char Byte();
  int16_t Int16();
  int32_t Int32();
  std::string_view CString();  // without the NUL
  std::string_view Bytes(size_t n);
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  // SQLSTATE 08P01 protocol_violation when a read failed.
  Status status(std::string_view what) const;

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace nordlys::pgwire
