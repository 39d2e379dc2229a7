// The frame: the unit of every message between Nordlys processes (docs/formats/rpc-frame.md).
//
//   offset size field
//   0      4    magic 0x4E524C59 ("NRLY")
//   4      1    version (1)
//   5      1    flags (bit 0: response)
//   6      2    type   (message type; meaning defined by the service)
//   8      8    request_id (echoed by the response)
//   16     4    payload_len
//   20     4    checksum: low 32 bits of XXH3-64 over bytes [0,20) and the payload
//   24     ...  payload
//
// A frame that fails any check ends the connection: a peer that sends garbage is not trusted to
// frame the next message correctly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::net {

inline constexpr uint32_t kFrameMagic = 0x4E524C59;
inline constexpr uint8_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderSize = 24;
inline constexpr uint32_t kMaxFramePayload = 64u << 20;
inline constexpr uint8_t kFlagResponse = 1;

// Message types shared by every service. Service-specific types start at 100.
enum : uint16_t {
  kMsgPing = 1,   // payload: anything; response echoes it
  kMsgError = 2,  // response payload: u8 status code, bytes message
};

struct FrameHeader {
  uint8_t flags = 0;
  uint16_t type = 0;
  uint64_t request_id = 0;
  uint32_t payload_len = 0;
  uint32_t checksum = 0;
};

struct Frame {
  uint8_t flags = 0;
  uint16_t type = 0;
  uint64_t request_id = 0;
  std::string payload;
  bool is_response() const { return flags & kFlagResponse; }
};

std::string EncodeFrame(const Frame& f);
// The first kFrameHeaderSize bytes of EncodeFrame(f): send them, then f.payload.
std::string EncodeFrameHeader(const Frame& f);
// The same for a payload held elsewhere.
std::string EncodeFrameHeader(uint8_t flags, uint16_t type, uint64_t request_id,
                              std::string_view payload);
// Parses and checks the fixed header (magic, version, size bound).
Result<FrameHeader> DecodeFrameHeader(std::string_view header24);
// Verifies the checksum over header + payload.
Status VerifyFrame(std::string_view header24, const FrameHeader& h, std::string_view payload);

// An error response carries a Status across the wire.
std::string EncodeErrorPayload(const Status& s);
Status DecodeErrorPayload(std::string_view payload);

}  // namespace nordlys::net
