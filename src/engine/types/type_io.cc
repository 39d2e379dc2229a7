// Dispatch of text and binary I/O on the type id.
#include "engine/types/type_io.h"

#include <cstring>

#include "engine/types/array.h"
#include "engine/types/cast.h"

namespace nordlys::engine::types {
namespace {

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetBE(std::string_view b, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(b[off + i]);
  return v;
}

Status BadBinary() {
  return Status::Sql(StatusCode::kInvalidArgument, "22P03", "incorrect binary data format");
}

}  // namespace

Result<Value> InputValue(std::string_view text, const Type& type, const SessionSettings& settings) {
  if (IsArrayType(type.id)) return ArrayIn(text, type, settings);
  if (IsRegType(type.id)) {
    // Digits are the OID itself (as PG's regclassin); a name needs the catalog.
    bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) {
      NORDLYS_ASSIGN_OR_RETURN(uint32_t v, ParseOid(text));
      return Value::Oid(v);
    }
    if (text == "-") return Value::Oid(0);
    if (settings.oid_namer == nullptr) {
      return Status::Sql(StatusCode::kNotSupported, "0A000",
                         "reading " + std::string(TypeInternalName(type.id)) + " names is not supported here");
    }
    NORDLYS_ASSIGN_OR_RETURN(uint32_t v, settings.oid_namer->Lookup(type.id, text));
    return Value::Oid(v);
  }
  switch (type.id) {
    case TypeId::kBool: {
      NORDLYS_ASSIGN_OR_RETURN(bool b, ParseBool(text));
      return Value::Bool(b);
    }
    case TypeId::kInt2: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t v, ParseInteger(text, 16));
      return Value::Int2(static_cast<int16_t>(v));
    }
    case TypeId::kInt4: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t v, ParseInteger(text, 32));
      return Value::Int4(static_cast<int32_t>(v));
    }
    case TypeId::kInt8: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t v, ParseInteger(text, 64));
      return Value::Int8(v);
    }
    case TypeId::kOid: {
      NORDLYS_ASSIGN_OR_RETURN(uint32_t v, ParseOid(text));
      return Value::Oid(v);
    }
    case TypeId::kFloat4: {
      NORDLYS_ASSIGN_OR_RETURN(float v, ParseFloat4(text));
      return Value::Float4(v);
    }
    case TypeId::kFloat8: {
      NORDLYS_ASSIGN_OR_RETURN(double v, ParseFloat8(text));
      return Value::Float8(v);
    }
    case TypeId::kNumeric: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric n, Numeric::Parse(text));
      NORDLYS_ASSIGN_OR_RETURN(Numeric r, n.ApplyTypmod(type.typmod));
      return Value::MakeNumeric(std::move(r));
    }
    case TypeId::kText:
    case TypeId::kUnknown:
      return Value::String(std::string(text));
    case TypeId::kName:
      return Value::String(ClipName(text));
    case TypeId::kVarchar:
    case TypeId::kBpchar:
      return CoerceToTypmod(Value::String(std::string(text)), type, /*is_explicit=*/false);
    case TypeId::kBytea: {
      NORDLYS_ASSIGN_OR_RETURN(std::string b, ParseBytea(text));
      return Value::Bytea(std::move(b));
    }
    case TypeId::kUuid: {
      NORDLYS_ASSIGN_OR_RETURN(UuidBytes u, ParseUuid(text));
      return Value::Uuid(u);
    }
    case TypeId::kDate: {
      NORDLYS_ASSIGN_OR_RETURN(int32_t d, ParseDate(text));
      return Value::Date(d);
    }
    case TypeId::kTime: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t t, ParseTime(text, type.typmod));
      return Value::Time(t);
    }
    case TypeId::kTimestamp: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t t, ParseTimestamp(text, type.typmod));
      return Value::Timestamp(t);
    }
    case TypeId::kTimestampTz: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t t, ParseTimestampTz(text, settings.time_zone, type.typmod));
      return Value::TimestampTz(t);
    }
    case TypeId::kInterval: {
      NORDLYS_ASSIGN_OR_RETURN(Interval iv, ParseInterval(text, type.typmod));
      return Value::MakeInterval(iv);
    }
    default:
      break;
  }
  return Status::Sql(StatusCode::kNotSupported, "0A000", "unsupported type");
}

std::string OutputValue(const Value& v, const Type& type, const SessionSettings& settings) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "";
    case Value::Kind::kBool: return v.as_bool() ? "t" : "f";
    case Value::Kind::kInt2:
    case Value::Kind::kInt4:
    case Value::Kind::kInt8: return std::to_string(v.as_int());
    case Value::Kind::kOid: {
      if (IsRegType(type.id)) {
        auto oid = static_cast<uint32_t>(v.as_int());
        if (oid == 0) return "-";
        if (settings.oid_namer != nullptr) {
          if (auto name = settings.oid_namer->Name(type.id, oid)) return *name;
        }
      }
      return std::to_string(v.as_int());
    }
    case Value::Kind::kFloat4: return FormatFloat4(static_cast<float>(v.as_float()));
    case Value::Kind::kFloat8: return FormatFloat8(v.as_float());
    case Value::Kind::kNumeric: return v.as_numeric().ToString();
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kBytea: return FormatBytea(v.as_string());
    case Value::Kind::kDate: return FormatDate(static_cast<int32_t>(v.as_int()));
    case Value::Kind::kTime: return FormatTime(v.as_int());
    case Value::Kind::kTimestamp: return FormatTimestamp(v.as_int());
    case Value::Kind::kTimestampTz: return FormatTimestampTz(v.as_int(), settings.time_zone);
    case Value::Kind::kInterval: return FormatInterval(v.as_interval());
    case Value::Kind::kUuid: return FormatUuid(v.as_uuid());
    case Value::Kind::kArray: return ArrayOut(v, type, settings);
  }
  return "";
}

std::string SendValue(const Value& v, const Type& type) {
  std::string out;
  switch (v.kind()) {
    case Value::Kind::kNull: break;
    case Value::Kind::kBool: out.push_back(v.as_bool() ? 1 : 0); break;
    case Value::Kind::kInt2: PutBE(&out, static_cast<uint64_t>(v.as_int()), 2); break;
    case Value::Kind::kInt4:
    case Value::Kind::kOid:
    case Value::Kind::kDate: PutBE(&out, static_cast<uint64_t>(v.as_int()), 4); break;
    case Value::Kind::kInt8:
    case Value::Kind::kTime:
    case Value::Kind::kTimestamp:
    case Value::Kind::kTimestampTz: PutBE(&out, static_cast<uint64_t>(v.as_int()), 8); break;
    case Value::Kind::kFloat4: {
      float f = static_cast<float>(v.as_float());
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      PutBE(&out, bits, 4);
      break;
    }
    case Value::Kind::kFloat8: {
      double d = v.as_float();
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      PutBE(&out, bits, 8);
      break;
    }
    case Value::Kind::kNumeric: out = v.as_numeric().Send(); break;
    case Value::Kind::kString:
    case Value::Kind::kBytea: out = v.as_string(); break;
    case Value::Kind::kInterval: {
      const Interval& iv = v.as_interval();
      PutBE(&out, static_cast<uint64_t>(iv.time_us), 8);
      PutBE(&out, static_cast<uint32_t>(iv.days), 4);
      PutBE(&out, static_cast<uint32_t>(iv.months), 4);
      break;
    }
    case Value::Kind::kUuid: out.assign(reinterpret_cast<const char*>(v.as_uuid().data()), 16); break;
    case Value::Kind::kArray: out = ArraySend(v, type); break;
  }
  return out;
}

Result<Value> RecvValue(std::string_view b, const Type& type) {
  auto need = [&](size_t n) { return b.size() == n; };
  if (IsArrayType(type.id)) return ArrayRecv(b, type);
  if (IsRegType(type.id)) {
    if (!need(4)) return BadBinary();
    return Value::Oid(static_cast<uint32_t>(GetBE(b, 0, 4)));
  }
  switch (type.id) {
    case TypeId::kBool:
      if (!need(1)) return BadBinary();
      return Value::Bool(b[0] != 0);
    case TypeId::kInt2:
      if (!need(2)) return BadBinary();
      return Value::Int2(static_cast<int16_t>(GetBE(b, 0, 2)));
    case TypeId::kInt4:
      if (!need(4)) return BadBinary();
      return Value::Int4(static_cast<int32_t>(GetBE(b, 0, 4)));
    case TypeId::kOid:
      if (!need(4)) return BadBinary();
      return Value::Oid(static_cast<uint32_t>(GetBE(b, 0, 4)));
    case TypeId::kInt8:
      if (!need(8)) return BadBinary();
      return Value::Int8(static_cast<int64_t>(GetBE(b, 0, 8)));
    case TypeId::kFloat4: {
      if (!need(4)) return BadBinary();
      uint32_t bits = static_cast<uint32_t>(GetBE(b, 0, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      return Value::Float4(f);
    }
    case TypeId::kFloat8: {
      if (!need(8)) return BadBinary();
      uint64_t bits = GetBE(b, 0, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      return Value::Float8(d);
    }
    case TypeId::kNumeric: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric n, Numeric::Recv(b));
      NORDLYS_ASSIGN_OR_RETURN(Numeric r, n.ApplyTypmod(type.typmod));
      return Value::MakeNumeric(std::move(r));
    }
    case TypeId::kText:
    case TypeId::kUnknown:
    case TypeId::kName:
    case TypeId::kVarchar:
    case TypeId::kBpchar:
      return InputValue(b, type, SessionSettings{});
    case TypeId::kBytea:
      return Value::Bytea(std::string(b));
    case TypeId::kUuid: {
      if (!need(16)) return BadBinary();
      UuidBytes u;
      std::memcpy(u.data(), b.data(), 16);
      return Value::Uuid(u);
    }
    case TypeId::kDate: {
      if (!need(4)) return BadBinary();
      int32_t d = static_cast<int32_t>(GetBE(b, 0, 4));
      if (d != kDatePosInfinity && d != kDateNegInfinity && (d < -2451545 || d >= 2147483494 - 2451545)) {
        return Status::Sql(StatusCode::kOutOfRange, "22008", "date out of range");
      }
      return Value::Date(d);
    }
    case TypeId::kTime: {
      if (!need(8)) return BadBinary();
      int64_t t = static_cast<int64_t>(GetBE(b, 0, 8));
      if (t < 0 || t > kUsecsPerDay) return Status::Sql(StatusCode::kOutOfRange, "22008", "time out of range");
      return Value::Time(RoundTime(t, type.typmod));
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      if (!need(8)) return BadBinary();
      int64_t t = static_cast<int64_t>(GetBE(b, 0, 8));
      if (t != kTimestampPosInfinity && t != kTimestampNegInfinity &&
          (t < -211813488000000000LL || t >= 9223371331200000000LL)) {
        return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range");
      }
      NORDLYS_ASSIGN_OR_RETURN(int64_t r, RoundTimestamp(t, type.typmod));
      return type.id == TypeId::kTimestamp ? Value::Timestamp(r) : Value::TimestampTz(r);
    }
    case TypeId::kInterval: {
      if (!need(16)) return BadBinary();
      Interval iv{static_cast<int64_t>(GetBE(b, 0, 8)), static_cast<int32_t>(GetBE(b, 8, 4)),
                  static_cast<int32_t>(GetBE(b, 12, 4))};
      NORDLYS_ASSIGN_OR_RETURN(Interval r, RoundInterval(iv, type.typmod));
      return Value::MakeInterval(r);
    }
    default:
      break;
  }
  return BadBinary();
}

}  // namespace nordlys::engine::types
