// Value: one SQL datum of any supported type, as a small tagged union. The tag says how the
// payload is stored; the SQL type (with typmod) travels beside the value in the executor's
// schema, not inside every value. NULL is a value with no payload.
//
// Storage: integers widen to int64 and float4 to double (exactly representable), numeric is a
// Numeric, text-like types and bytea a std::string, dates int32 days, times and timestamps
// int64 microseconds, interval {us, days, months}, uuid 16 bytes, arrays a shared immutable
// vector of element values.
//
// Thread safety: a value type; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/types/datetime.h"
#include "engine/types/numeric.h"
#include "engine/types/scalar_io.h"
#include "engine/types/type.h"

namespace nordlys::engine::types {

class Value {
 public:
  enum class Kind : uint8_t {
    kNull, kBool, kInt2, kInt4, kInt8, kFloat4, kFloat8, kNumeric, kString, kBytea,
    kDate, kTime, kTimestamp, kTimestampTz, kInterval, kUuid, kOid, kArray,
  };

  Value() = default;  // NULL
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(Kind::kBool, b); }
  static Value Int2(int16_t v) { return Value(Kind::kInt2, static_cast<int64_t>(v)); }
  static Value Int4(int32_t v) { return Value(Kind::kInt4, static_cast<int64_t>(v)); }
  static Value Int8(int64_t v) { return Value(Kind::kInt8, v); }
  static Value Float4(float v) { return Value(Kind::kFloat4, static_cast<double>(v)); }
  static Value Float8(double v) { return Value(Kind::kFloat8, v); }
  static Value MakeNumeric(Numeric n) { return Value(Kind::kNumeric, std::move(n)); }
  static Value String(std::string s) { return Value(Kind::kString, std::move(s)); }
  static Value Bytea(std::string b) { return Value(Kind::kBytea, std::move(b)); }
  static Value Date(int32_t days) { return Value(Kind::kDate, static_cast<int64_t>(days)); }
  static Value Time(int64_t us) { return Value(Kind::kTime, us); }
  static Value Timestamp(int64_t us) { return Value(Kind::kTimestamp, us); }
  static Value TimestampTz(int64_t us) { return Value(Kind::kTimestampTz, us); }
  static Value MakeInterval(const Interval& iv) { return Value(Kind::kInterval, iv); }
  static Value Uuid(const UuidBytes& u) { return Value(Kind::kUuid, u); }
  static Value Oid(uint32_t v) { return Value(Kind::kOid, static_cast<int64_t>(v)); }
  // A one-dimensional array (lower bound 1); elements are values of the element type or NULL.
  static Value Array(std::vector<Value> elems) {
    return Value(Kind::kArray, std::make_shared<const std::vector<Value>>(std::move(elems)));
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }

  // Accessors. REQUIRES: the matching kind (asserted).
  bool as_bool() const;
  int64_t as_int() const;      // kInt2/kInt4/kInt8/kOid/kDate/kTime/kTimestamp/kTimestampTz
  double as_float() const;     // kFloat4/kFloat8
  const Numeric& as_numeric() const;
  const std::string& as_string() const;  // kString/kBytea
  const Interval& as_interval() const;
  const UuidBytes& as_uuid() const;
  const std::vector<Value>& as_array() const;

  // Debug form: "int4:42", "NULL". Not SQL output; see OutputValue.
  std::string DebugString() const;

 private:
  using Elements = std::shared_ptr<const std::vector<Value>>;  // shared: arrays are immutable
  using Payload = std::variant<std::monostate, bool, int64_t, double, Numeric, std::string, Interval, UuidBytes,
                               Elements>;
  Value(Kind k, Payload p) : kind_(k), payload_(std::move(p)) {}

  Kind kind_ = Kind::kNull;
  Payload payload_;
};

// The payload kind that stores values of a type.
Value::Kind KindOf(TypeId id);

}  // namespace nordlys::engine::types
