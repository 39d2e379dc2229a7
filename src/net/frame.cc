// Frame encoding and validation; see frame.h for the layout.
#include "net/frame.h"

#include "common/checksum.h"
#include "common/coding.h"

namespace nordlys::net {
namespace {

uint32_t FrameChecksum(std::string_view header20, std::string_view payload) {
  uint64_t h = Checksum64(header20.data(), header20.size());
  return static_cast<uint32_t>(Checksum64(payload.data(), payload.size(), h));
}

}  // namespace

std::string EncodeFrame(const Frame& f) {
  std::string out = EncodeFrameHeader(f);
  out.reserve(kFrameHeaderSize + f.payload.size());
  out += f.payload;
  return out;
}

std::string EncodeFrameHeader(const Frame& f) {
  return EncodeFrameHeader(f.flags, f.type, f.request_id, f.payload);
}

std::string EncodeFrameHeader(uint8_t flags, uint16_t type, uint64_t request_id,
                              std::string_view payload) {
  NORDLYS_ASSERT(payload.size() <= kMaxFramePayload);
  std::string out;
  out.reserve(kFrameHeaderSize);
  PutFixed32(&out, kFrameMagic);
  PutFixed8(&out, kFrameVersion);
  PutFixed8(&out, flags);
  PutFixed16(&out, type);
  PutFixed64(&out, request_id);
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  PutFixed32(&out, FrameChecksum(out, payload));
  return out;
}

Result<FrameHeader> DecodeFrameHeader(std::string_view header24) {
  if (header24.size() != kFrameHeaderSize) return Status::Corruption("short frame header");
  Reader r(header24);
  uint32_t magic = r.U32();
  uint8_t version = r.U8();
  FrameHeader h;
  h.flags = r.U8();
  h.type = r.U16();
  h.request_id = r.U64();
  h.payload_len = r.U32();
  h.checksum = r.U32();
  if (magic != kFrameMagic) return Status::Corruption("bad frame magic (not a Nordlys peer?)");
  if (version != kFrameVersion) {
    return Status::NotSupported("frame version " + std::to_string(version) + " not supported");
  }
  if (h.payload_len > kMaxFramePayload) {
    return Status::Corruption("frame payload of " + std::to_string(h.payload_len) +
                              " bytes exceeds the limit");
  }
  return h;
}

Status VerifyFrame(std::string_view header24, const FrameHeader& h, std::string_view payload) {
  if (FrameChecksum(header24.substr(0, 20), payload) != h.checksum) {
    return Status::Corruption("frame checksum mismatch");
  }
  return Status::OK();
}

std::string EncodeErrorPayload(const Status& s) {
  std::string out;
  PutFixed8(&out, static_cast<uint8_t>(s.code()));
  PutBytes(&out, s.message());
  return out;
}

Status DecodeErrorPayload(std::string_view payload) {
  Reader r(payload);
  uint8_t code = r.U8();
  std::string_view msg = r.Bytes();
  if (!r.ok() || code == 0 || code > static_cast<uint8_t>(StatusCode::kInternal)) {
    return Status::Corruption("malformed error response");
  }
  return Status(static_cast<StatusCode>(code), std::string(msg));
}

}  // namespace nordlys::net
