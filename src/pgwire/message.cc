// PostgreSQL message encoding; see message.h.
#include "pgwire/message.h"

namespace nordlys::pgwire {

MessageWriter& MessageWriter::Int16(int16_t v) {
  auto u = static_cast<uint16_t>(v);
  buf_.push_back(static_cast<char>(u >> 8));
  buf_.push_back(static_cast<char>(u));
  return *this;
}

MessageWriter& MessageWriter::Int32(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) buf_.push_back(static_cast<char>(u >> shift));
  return *this;
}

MessageWriter& MessageWriter::CString(std::string_view s) {
  buf_.append(s);
  buf_.push_back('\0');
  return *this;
}

std::string MessageWriter::Finish() {
  auto len = static_cast<uint32_t>(buf_.size() - 1);
  for (int i = 0; i < 4; ++i) buf_[1 + i] = static_cast<char>(len >> (24 - 8 * i));
  return std::move(buf_);
}

char MessageReader::Byte() {
  if (!ok_ || in_.empty()) {
    ok_ = false;
    return 0;
  }
  char c = in_[0];
  in_.remove_prefix(1);
  return c;
}

int16_t MessageReader::Int16() {
  std::string_view b = Bytes(2);
  if (!ok_) return 0;
  return static_cast<int16_t>((static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]));
}

int32_t MessageReader::Int32() {
  std::string_view b = Bytes(4);
  if (!ok_) return 0;
  uint32_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int32_t>(v);
}

std::string_view MessageReader::CString() {
  auto nul = in_.find('\0');
  if (!ok_ || nul == std::string_view::npos) {
    ok_ = false;
    return {};
  }
  std::string_view s = in_.substr(0, nul);
  in_.remove_prefix(nul + 1);
  return s;
}

std::string_view MessageReader::Bytes(size_t n) {
  if (!ok_ || in_.size() < n) {
    ok_ = false;
    return {};
  }
  std::string_view s = in_.substr(0, n);
  in_.remove_prefix(n);
  return s;
}

Status MessageReader::status(std::string_view what) const {
  if (ok_) return Status::OK();
  return Status::Sql(StatusCode::kInvalidArgument, "08P01",
                     "invalid message format: " + std::string(what));
}

}  // namespace nordlys::pgwire
