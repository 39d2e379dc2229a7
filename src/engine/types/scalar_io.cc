// Scalar text I/O. Mirrors PostgreSQL 15's int*in (pg_strtoint*), float*in (strtod based),
// float*out (shortest round-trip digits, PG's Ryu layout), boolin, byteain/out, uuid_in/out.
#include "engine/types/scalar_io.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace nordlys::engine::types {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

Status InvalidSyntax(std::string_view type, std::string_view text) {
  return Status::Sql(StatusCode::kInvalidArgument, "22P02",
                     "invalid input syntax for type " + std::string(type) + ": \"" + std::string(text) + "\"");
}

std::string_view IntTypeName(int bits) {
  return bits == 16 ? "smallint" : (bits == 32 ? "integer" : "bigint");
}

// Shortest digits and decimal exponent from std::to_chars (scientific).
template <typename F>
std::string FormatShortest(F v, int fixed_max_exp) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  int exp = std::atoi(s.c_str() + e + 1);
  if (exp < -4 || exp >= fixed_max_exp) return s;  // to_chars already writes 1.5e+20, 1e-05
  bool neg = s[0] == '-';
  std::string digits;
  for (size_t i = neg ? 1 : 0; i < e; ++i) {
    if (s[i] != '.') digits.push_back(s[i]);
  }
  std::string out = neg ? "-" : "";
  if (exp >= 0) {
    if (digits.size() <= static_cast<size_t>(exp) + 1) {
      out += digits + std::string(exp + 1 - digits.size(), '0');
    } else {
      out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
  } else {
    out += "0." + std::string(-exp - 1, '0') + digits;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t Utf8CharLen(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

}  // namespace

Result<int64_t> ParseInteger(std::string_view text, int bits) {
  const __int128 max = bits == 16 ? INT16_MAX : (bits == 32 ? INT32_MAX : INT64_MAX);
  const __int128 min = -max - 1;
  size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    neg = text[i] == '-';
    ++i;
  }
  if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
    return InvalidSyntax(IntTypeName(bits), text);
  }
  __int128 v = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    v = v * 10 + (text[i] - '0');
    if ((neg ? -v : v) < min || (neg ? -v : v) > max) {
      return Status::Sql(StatusCode::kOutOfRange, "22003",
                         "value \"" + std::string(text) + "\" is out of range for type " +
                             std::string(IntTypeName(bits)));
    }
  }
  while (i < text.size() && IsSpace(text[i])) ++i;
  if (i != text.size()) return InvalidSyntax(IntTypeName(bits), text);
  return static_cast<int64_t>(neg ? -v : v);
}

Result<uint32_t> ParseOid(std::string_view text) {
  std::string s(text);
  if (s.empty()) return InvalidSyntax("oid", text);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  auto out_of_range = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22003",
                       "value \"" + s + "\" is out of range for type oid");
  };
  if (errno == ERANGE) return out_of_range();
  if (end == s.c_str()) return InvalidSyntax("oid", text);
  // strtoull negates "-n"; PG accepts negatives down to INT32_MIN.
  if (v > UINT32_MAX) {
    long long as_signed = static_cast<long long>(v);
    if (as_signed < INT32_MIN || as_signed >= 0) return out_of_range();
  }
  while (*end && IsSpace(*end)) ++end;
  if (*end) return InvalidSyntax("oid", text);
  return static_cast<uint32_t>(v);
}

template <typename F>
Result<F> ParseFloatImpl(std::string_view text, std::string_view type) {
  std::string s(text);
  const char* num = s.c_str();
  while (*num && IsSpace(*num)) ++num;
  if (!*num) return InvalidSyntax(type, text);
  errno = 0;
  char* end = nullptr;
  F v;
  if constexpr (sizeof(F) == 4) v = std::strtof(num, &end);
  else v = std::strtod(num, &end);
  if (end == num || errno != 0) {
    if (errno == ERANGE && end != num) {
      if (v == 0 || std::isinf(v)) {
        return Status::Sql(StatusCode::kOutOfRange, "22003",
                           "\"" + std::string(num, static_cast<size_t>(end - num)) + "\" is out of range for type " + std::string(type));
      }
    } else {
      return InvalidSyntax(type, text);
    }
  }
  while (*end && IsSpace(*end)) ++end;
  if (*end) return InvalidSyntax(type, text);
  return v;
}

Result<double> ParseFloat8(std::string_view text) { return ParseFloatImpl<double>(text, "double precision"); }
Result<float> ParseFloat4(std::string_view text) { return ParseFloatImpl<float>(text, "real"); }

std::string FormatFloat8(double v) { return FormatShortest(v, 15); }
std::string FormatFloat4(float v) { return FormatShortest(v, 6); }

Result<bool> ParseBool(std::string_view text) {
  std::string_view v = text;
  while (!v.empty() && IsSpace(v.front())) v.remove_prefix(1);
  while (!v.empty() && IsSpace(v.back())) v.remove_suffix(1);
  auto prefix_of = [&](std::string_view word, size_t min_len) {
    if (v.size() < min_len || v.size() > word.size()) return false;
    for (size_t k = 0; k < v.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(v[k])) != word[k]) return false;
    }
    return true;
  };
  if (!v.empty()) {
    if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || v == "1") return true;
    if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || v == "0") return false;
  }
  return InvalidSyntax("boolean", text);
}

Result<std::string> ParseBytea(std::string_view text) {
  std::string out;
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    for (size_t i = 2; i < text.size();) {
      if (IsSpace(text[i])) {
        ++i;
        continue;
      }
      int hi = HexValue(text[i]);
      if (hi < 0) {
        size_t len = std::min(Utf8CharLen(static_cast<unsigned char>(text[i])), text.size() - i);
        return Status::Sql(StatusCode::kInvalidArgument, "22023",
                           "invalid hexadecimal digit: \"" + std::string(text.substr(i, len)) + "\"");
      }
      if (i + 1 >= text.size()) {
        return Status::Sql(StatusCode::kInvalidArgument, "22023", "invalid hexadecimal data: odd number of digits");
      }
      int lo = HexValue(text[i + 1]);
      if (lo < 0) {
        size_t len = std::min(Utf8CharLen(static_cast<unsigned char>(text[i + 1])), text.size() - i - 1);
        return Status::Sql(StatusCode::kInvalidArgument, "22023",
                           "invalid hexadecimal digit: \"" + std::string(text.substr(i + 1, len)) + "\"");
      }
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    }
    return out;
  }
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '\\') {
      out.push_back(text[i++]);
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      out.push_back('\\');
      i += 2;
    } else if (i + 3 < text.size() + 0 && text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' &&
               text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
      out.push_back(static_cast<char>((text[i + 1] - '0') << 6 | (text[i + 2] - '0') << 3 | (text[i + 3] - '0')));
      i += 4;
    } else {
      return Status::Sql(StatusCode::kInvalidArgument, "22P02", "invalid input syntax for type bytea");
    }
  }
  return out;
}

std::string FormatBytea(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<UuidBytes> ParseUuid(std::string_view text) {
  UuidBytes u{};
  size_t i = 0;
  bool braces = false;
  if (i < text.size() && text[i] == '{') {
    braces = true;
    ++i;
  }
  for (int k = 0; k < 16; ++k) {
    if (i + 1 >= text.size()) return InvalidSyntax("uuid", text);
    int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return InvalidSyntax("uuid", text);
    u[k] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
    if (i < text.size() && text[i] == '-' && (k % 2) == 1 && k < 15) ++i;
  }
  if (braces) {
    if (i >= text.size() || text[i] != '}') return InvalidSyntax("uuid", text);
    ++i;
  }
  if (i != text.size()) return InvalidSyntax("uuid", text);
  return u;
}

std::string FormatUuid(const UuidBytes& u) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int k = 0; k < 16; ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) out.push_back('-');
    out.push_back(kHex[u[k] >> 4]);
    out.push_back(kHex[u[k] & 15]);
  }
  return out;
}

std::string ClipName(std::string_view text) {
  constexpr size_t kNameDataLen = 64;
  if (text.size() < kNameDataLen) return std::string(text);
  size_t n = 0;
  while (n < text.size()) {
    size_t len = Utf8CharLen(static_cast<unsigned char>(text[n]));
    if (n + len > kNameDataLen - 1) break;
    n += len;
  }
  return std::string(text.substr(0, n));
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += Utf8CharLen(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

size_t Utf8Prefix(std::string_view s, size_t chars) {
  size_t i = 0;
  while (chars > 0 && i < s.size()) {
    i += Utf8CharLen(static_cast<unsigned char>(s[i]));
    --chars;
  }
  return std::min(i, s.size());
}

}  // namespace nordlys::engine::types
