// Order-preserving key encoding; the byte layout is documented in key_encoding.h.
#include "engine/types/key_encoding.h"

#include <cmath>
#include <cstring>

#include "engine/types/datetime.h"

namespace nordlys::engine::types {
namespace {

constexpr char kMarkerNullFirst = 0x00;
constexpr char kMarkerValue = 0x01;
constexpr char kMarkerNullLast = 0x02;

enum NumericTag : uint8_t {
  kNumNegInf = 0x10,
  kNumNegative = 0x20,
  kNumZero = 0x30,
  kNumPositive = 0x40,
  kNumPosInf = 0x50,
  kNumNaN = 0x60,
};

void PutBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Signed integer of `bytes` width: flipping the sign bit makes two's complement sort as
// unsigned big-endian bytes.
void PutSigned(int64_t v, int bytes, std::string* out) {
  const uint64_t sign = uint64_t{1} << (8 * bytes - 1);
  const uint64_t mask = bytes == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
  PutBigEndian((static_cast<uint64_t>(v) & mask) ^ sign, bytes, out);
}

void PutDouble(double d, std::string* out) {
  if (d == 0) d = 0;  // -0 = 0
  uint64_t bits;
  if (std::isnan(d)) {
    bits = 0x7ff8000000000000ULL;  // one NaN above +Infinity (0x7ff0...)
  } else {
    std::memcpy(&bits, &d, sizeof bits);
  }
  bits = (bits & 0x8000000000000000ULL) ? ~bits : bits ^ 0x8000000000000000ULL;
  PutBigEndian(bits, 8, out);
}

void PutFloat(float f, std::string* out) {
  if (f == 0) f = 0;
  uint32_t bits;
  if (std::isnan(f)) {
    bits = 0x7fc00000u;
  } else {
    std::memcpy(&bits, &f, sizeof bits);
  }
  bits = (bits & 0x80000000u) ? ~bits : bits ^ 0x80000000u;
  PutBigEndian(bits, 4, out);
}

// Escaped bytes then a terminator below every escaped continuation: a string sorts before its
// extensions, and 0x00 inside the string (bytea) stays ordered as the smallest byte.
void PutBytes(std::string_view s, std::string* out) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back(static_cast<char>(0xff));
  }
  out->push_back('\0');
  out->push_back('\x01');
}

uint16_t Get16(std::string_view s, size_t off) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[off]) << 8) |
                               static_cast<uint8_t>(s[off + 1]));
}

void PutNumeric(const Numeric& n, std::string* out) {
  switch (n.kind()) {
    case Numeric::Kind::kNaN:
      out->push_back(static_cast<char>(kNumNaN));
      return;
    case Numeric::Kind::kPosInf:
      out->push_back(static_cast<char>(kNumPosInf));
      return;
    case Numeric::Kind::kNegInf:
      out->push_back(static_cast<char>(kNumNegInf));
      return;
    case Numeric::Kind::kFinite:
      break;
  }
  if (n.is_zero()) {
    out->push_back(static_cast<char>(kNumZero));
    return;
  }
  // PG's binary form gives the base-10000 weight and digits with leading and trailing zero
  // digits stripped: int16 ndigits, int16 weight, u16 sign, int16 dscale, digits.
  const std::string wire = n.Send();
  const uint16_t ndigits = Get16(wire, 0);
  const int16_t weight = static_cast<int16_t>(Get16(wire, 2));
  const bool negative = n.negative();
  out->push_back(static_cast<char>(negative ? kNumNegative : kNumPositive));
  const size_t body = out->size();
  // A larger weight means a larger magnitude (the first digit is non-zero).
  PutBigEndian(static_cast<uint16_t>(static_cast<int32_t>(weight) + 0x8000), 2, out);
  for (uint16_t i = 0; i < ndigits; ++i) {
    PutBigEndian(static_cast<uint16_t>(Get16(wire, 8 + 2 * i) + 1), 2, out);
  }
  PutBigEndian(0, 2, out);  // below every digit + 1: fewer digits = smaller magnitude
  if (negative) {
    for (size_t i = body; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

bool IsIntegerKind(Value::Kind k) {
  return k == Value::Kind::kInt2 || k == Value::Kind::kInt4 || k == Value::Kind::kInt8;
}

Status KindMismatch(const Value& v, const Type& t) {
  return Status::InvalidArgument("key encoding: value " + v.DebugString() +
                                 " for a column of type " + FormatType(t));
}

Status NotIndexable(const Type& type) {
  return Status::Sql(StatusCode::kNotSupported, "0A000", "indexes on type " + FormatType(type) + " are not supported yet");
}

// The body of a non-NULL value, ascending.
Status PutBody(const Value& v, const Type& type, std::string* out) {
  const TypeId id = type.id;
  const Value::Kind want = KindOf(id);
  const bool int_column = id == TypeId::kInt2 || id == TypeId::kInt4 || id == TypeId::kInt8;
  if (int_column ? !IsIntegerKind(v.kind()) : v.kind() != want) return KindMismatch(v, type);
  switch (id) {
    case TypeId::kBool:
      out->push_back(v.as_bool() ? 1 : 0);
      return Status::OK();
    case TypeId::kInt2:
    case TypeId::kInt4:
    case TypeId::kInt8: {
      const int bytes = id == TypeId::kInt2 ? 2 : (id == TypeId::kInt4 ? 4 : 8);
      const int64_t x = v.as_int();
      if (bytes < 8) {
        const int64_t lim = int64_t{1} << (8 * bytes - 1);
        if (x < -lim || x >= lim) return KindMismatch(v, type);
      }
      PutSigned(x, bytes, out);
      return Status::OK();
    }
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegnamespace:
    case TypeId::kRegrole:
      PutBigEndian(static_cast<uint32_t>(v.as_int()), 4, out);
      return Status::OK();
    case TypeId::kFloat4:
      PutFloat(static_cast<float>(v.as_float()), out);
      return Status::OK();
    case TypeId::kFloat8:
      PutDouble(v.as_float(), out);
      return Status::OK();
    case TypeId::kNumeric:
      PutNumeric(v.as_numeric(), out);
      return Status::OK();
    case TypeId::kBpchar: {
      const std::string& s = v.as_string();
      size_t end = s.find_last_not_of(' ');
      PutBytes(
          end == std::string::npos ? std::string_view() : std::string_view(s).substr(0, end + 1),
          out);
      return Status::OK();
    }
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kName:
    case TypeId::kUnknown:
    case TypeId::kBytea:
      PutBytes(v.as_string(), out);
      return Status::OK();
    case TypeId::kDate:
      PutSigned(v.as_int(), 4, out);
      return Status::OK();
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      PutSigned(v.as_int(), 8, out);
      return Status::OK();
    case TypeId::kInterval: {
      const Interval& iv = v.as_interval();
      const __int128 span = static_cast<__int128>(iv.months) * 30 * kUsecsPerDay +
                            static_cast<__int128>(iv.days) * kUsecsPerDay + iv.time_us;
      const unsigned __int128 u =
          static_cast<unsigned __int128>(span) ^ (static_cast<unsigned __int128>(1) << 127);
      PutBigEndian(static_cast<uint64_t>(u >> 64), 8, out);
      PutBigEndian(static_cast<uint64_t>(u), 8, out);
      return Status::OK();
    }
    case TypeId::kUuid:
      out->append(reinterpret_cast<const char*>(v.as_uuid().data()), v.as_uuid().size());
      return Status::OK();
    default:
      break;
  }
  return NotIndexable(type);
}

}  // namespace

bool IsIndexable(TypeId id) { return id != TypeId::kUnknown && !IsArrayType(id); }

Status AppendKey(const Value& v, const KeyColumn& col, std::string* out) {
  if (v.is_null()) {
    out->push_back(col.nulls_first ? kMarkerNullFirst : kMarkerNullLast);
    return Status::OK();
  }
  std::string body;
  NORDLYS_RETURN_IF_ERROR(PutBody(v, col.type, &body));
  if (col.descending) {
    // Bodies are prefix-free, so the first differing byte lies inside both: inverting it
    // reverses their order without involving what follows.
    for (char& c : body) c = static_cast<char>(~c);
  }
  out->push_back(kMarkerValue);
  out->append(body);
  return Status::OK();
}

Result<std::string> EncodeKey(std::span<const Value> values, std::span<const KeyColumn> cols) {
  if (values.size() > cols.size()) {
    return Status::InvalidArgument("key encoding: more values than key columns");
  }
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    NORDLYS_RETURN_IF_ERROR(AppendKey(values[i], cols[i], &out));
  }
  return out;
}

}  // namespace nordlys::engine::types
