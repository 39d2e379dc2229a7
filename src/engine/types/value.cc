// Value accessors and the type -> payload-kind map.
#include "engine/types/value.h"

#include "common/assert.h"

namespace nordlys::engine::types {

bool Value::as_bool() const {
  NORDLYS_ASSERT(kind_ == Kind::kBool);
  return std::get<bool>(payload_);
}

int64_t Value::as_int() const {
  NORDLYS_ASSERT(std::holds_alternative<int64_t>(payload_));
  return std::get<int64_t>(payload_);
}

double Value::as_float() const {
  NORDLYS_ASSERT(std::holds_alternative<double>(payload_));
  return std::get<double>(payload_);
}

const Numeric& Value::as_numeric() const {
  NORDLYS_ASSERT(kind_ == Kind::kNumeric);
  return std::get<Numeric>(payload_);
}

const std::string& Value::as_string() const {
  NORDLYS_ASSERT(std::holds_alternative<std::string>(payload_));
  return std::get<std::string>(payload_);
}

const Interval& Value::as_interval() const {
  NORDLYS_ASSERT(kind_ == Kind::kInterval);
  return std::get<Interval>(payload_);
}

const UuidBytes& Value::as_uuid() const {
  NORDLYS_ASSERT(kind_ == Kind::kUuid);
  return std::get<UuidBytes>(payload_);
}

const std::vector<Value>& Value::as_array() const {
  NORDLYS_ASSERT(kind_ == Kind::kArray);
  return *std::get<Elements>(payload_);
}

std::string Value::DebugString() const {
  switch (kind_) {
    case Kind::kNull: return "NULL";
    case Kind::kBool: return as_bool() ? "bool:t" : "bool:f";
    case Kind::kInt2: return "int2:" + std::to_string(as_int());
    case Kind::kInt4: return "int4:" + std::to_string(as_int());
    case Kind::kInt8: return "int8:" + std::to_string(as_int());
    case Kind::kOid: return "oid:" + std::to_string(as_int());
    case Kind::kFloat4: return "float4:" + FormatFloat4(static_cast<float>(as_float()));
    case Kind::kFloat8: return "float8:" + FormatFloat8(as_float());
    case Kind::kNumeric: return "numeric:" + as_numeric().ToString();
    case Kind::kString: return "string:" + as_string();
    case Kind::kBytea: return "bytea:" + FormatBytea(as_string());
    case Kind::kDate: return "date:" + FormatDate(static_cast<int32_t>(as_int()));
    case Kind::kTime: return "time:" + FormatTime(as_int());
    case Kind::kTimestamp: return "timestamp:" + FormatTimestamp(as_int());
    case Kind::kTimestampTz: return "timestamptz:" + FormatTimestampTz(as_int(), TimeZone());
    case Kind::kInterval: return "interval:" + FormatInterval(as_interval());
    case Kind::kUuid: return "uuid:" + FormatUuid(as_uuid());
    case Kind::kArray: {
      std::string out = "array:{";
      for (size_t i = 0; i < as_array().size(); ++i) out += (i ? "," : "") + as_array()[i].DebugString();
      return out + "}";
    }
  }
  return "?";
}

Value::Kind KindOf(TypeId id) {
  switch (id) {
    case TypeId::kBool: return Value::Kind::kBool;
    case TypeId::kInt2: return Value::Kind::kInt2;
    case TypeId::kInt4: return Value::Kind::kInt4;
    case TypeId::kInt8: return Value::Kind::kInt8;
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegnamespace:
    case TypeId::kRegrole: return Value::Kind::kOid;
    case TypeId::kFloat4: return Value::Kind::kFloat4;
    case TypeId::kFloat8: return Value::Kind::kFloat8;
    case TypeId::kNumeric: return Value::Kind::kNumeric;
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kBpchar:
    case TypeId::kName:
    case TypeId::kUnknown: return Value::Kind::kString;
    case TypeId::kBytea: return Value::Kind::kBytea;
    case TypeId::kDate: return Value::Kind::kDate;
    case TypeId::kTime: return Value::Kind::kTime;
    case TypeId::kTimestamp: return Value::Kind::kTimestamp;
    case TypeId::kTimestampTz: return Value::Kind::kTimestampTz;
    case TypeId::kInterval: return Value::Kind::kInterval;
    case TypeId::kUuid: return Value::Kind::kUuid;
    default:
      if (IsArrayType(id)) return Value::Kind::kArray;
  }
  return Value::Kind::kNull;
}

}  // namespace nordlys::engine::types
