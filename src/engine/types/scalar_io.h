// Text input and output of the scalar types (integers, floats, bool, bytea, uuid, oid), with
// PostgreSQL 15's accepted spellings and its exact error messages and SQLSTATEs.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::engine::types {

using UuidBytes = std::array<uint8_t, 16>;

// int2in/int4in/int8in: `bits` is 16, 32 or 64. Errors: 22P02 invalid input syntax for type
// integer: "x"; 22003 value "x" is out of range for type integer.
Result<int64_t> ParseInteger(std::string_view text, int bits);
// oidin: accepts -2147483648..4294967295 (negatives wrap, as PG).
Result<uint32_t> ParseOid(std::string_view text);

// float8in/float4in (strtod syntax, NaN, [+-]Infinity). Errors: 22P02; 22003 "x" is out of
// range for type double precision.
Result<double> ParseFloat8(std::string_view text);
Result<float> ParseFloat4(std::string_view text);
// float8out/float4out with extra_float_digits = 1 (the default): shortest exact digits,
// fixed notation for decimal exponents -4..14 (float4: -4..5), else 1.5e+20 style.
std::string FormatFloat8(double v);
std::string FormatFloat4(float v);

// boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, any unique prefix, any case.
Result<bool> ParseBool(std::string_view text);

// byteain: hex ("\x0aff") or escape format. byteaout: hex.
Result<std::string> ParseBytea(std::string_view text);
std::string FormatBytea(std::string_view bytes);

// uuid_in: 32 hex digits, hyphen allowed after any group of four, optional braces.
Result<UuidBytes> ParseUuid(std::string_view text);
std::string FormatUuid(const UuidBytes& u);

// name: clipped to 63 bytes on a UTF-8 character boundary.
std::string ClipName(std::string_view text);

// Number of characters of UTF-8 text (PG's pg_mbstrlen; invalid bytes count as one each).
size_t Utf8Length(std::string_view s);
// Byte offset of the first `chars` characters.
size_t Utf8Prefix(std::string_view s, size_t chars);

}  // namespace nordlys::engine::types
