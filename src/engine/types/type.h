// SQL type identity: which PostgreSQL type a value has (by PG's own OID, so catalog queries and
// the wire protocol can use the number as is) and its typmod (varchar length, numeric
// precision/scale, time precision). Also the lookup from the names libpg_query's TypeName gives.
//
// Thread safety: values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace nordlys::engine::types {

// PostgreSQL 15 pg_type OIDs. The numbers are part of the wire protocol (RowDescription).
enum class TypeId : uint32_t {
  kBool = 16,
  kBytea = 17,
  kName = 19,
  kInt8 = 20,
  kInt2 = 21,
  kInt4 = 23,
  kText = 25,
  kOid = 26,
  kFloat4 = 700,
  kFloat8 = 701,
  kUnknown = 705,
  kBpchar = 1042,
  kVarchar = 1043,
  kDate = 1082,
  kTime = 1083,
  kTimestamp = 1114,
  kTimestampTz = 1184,
  kInterval = 1186,
  kNumeric = 1700,
  kUuid = 2950,
  // Object identifier aliases: an oid whose text form is the object's name (looked up in the
  // catalog through SessionSettings::oid_namer).
  kRegclass = 2205,
  kRegtype = 2206,
  kRegnamespace = 4089,
  kRegrole = 4096,
  // One-dimensional arrays of the types above (pg_type's _int4 etc.); the element's typmod is
  // the array's typmod, as in PG. "char" and aclitem catalog columns use text[].
  kBoolArray = 1000,
  kByteaArray = 1001,
  kNameArray = 1003,
  kInt2Array = 1005,
  kInt4Array = 1007,
  kTextArray = 1009,
  kBpcharArray = 1014,
  kVarcharArray = 1015,
  kInt8Array = 1016,
  kFloat4Array = 1021,
  kFloat8Array = 1022,
  kOidArray = 1028,
  kTimestampArray = 1115,
  kDateArray = 1182,
  kTimeArray = 1183,
  kTimestampTzArray = 1185,
  kIntervalArray = 1187,
  kNumericArray = 1231,
  kUuidArray = 2951,
};

// PG's typcategory: drives implicit I/O casts and operator resolution.
enum class TypeCategory : char {
  kBoolean = 'B',
  kNumeric = 'N',
  kString = 'S',
  kDateTime = 'D',
  kTimespan = 'T',
  kUser = 'U',
  kArray = 'A',
  kUnknown = 'X',
};

// A type with its modifier. typmod -1 means "none", as in PG. Encodings follow PG exactly:
//   varchar(n), bpchar(n): n + 4 (VARHDRSZ)
//   numeric(p, s):         ((p << 16) | (s & 0x7ff)) + 4
//   time(p), timestamp(p), timestamptz(p), interval(p): p (0..6)
struct Type {
  TypeId id = TypeId::kUnknown;
  int32_t typmod = -1;

  constexpr Type() = default;
  constexpr Type(TypeId i, int32_t m = -1) : id(i), typmod(m) {}  // NOLINT: implicit by design

  uint32_t oid() const { return static_cast<uint32_t>(id); }
  bool operator==(const Type& o) const { return id == o.id && typmod == o.typmod; }

  static Type Varchar(int32_t n) { return {TypeId::kVarchar, n + 4}; }
  static Type Bpchar(int32_t n) { return {TypeId::kBpchar, n + 4}; }
  static Type Numeric(int32_t precision, int32_t scale) {
    return {TypeId::kNumeric, ((precision << 16) | (scale & 0x7ff)) + 4};
  }
};

constexpr int32_t kVarHdrSz = 4;
constexpr int32_t kMaxTimePrecision = 6;
constexpr int32_t kNumericMaxPrecision = 1000;

// Character length limit of varchar(n)/char(n), or -1.
inline int32_t CharLengthOf(const Type& t) { return t.typmod >= kVarHdrSz ? t.typmod - kVarHdrSz : -1; }
// numeric(p, s) parts; only meaningful when typmod >= 4.
inline int32_t NumericPrecisionOf(int32_t typmod) { return ((typmod - kVarHdrSz) >> 16) & 0xffff; }
inline int32_t NumericScaleOf(int32_t typmod) {
  return (((typmod - kVarHdrSz) & 0x7ff) ^ 1024) - 1024;  // sign-extend 11 bits, as PG 15
}

// Is this OID one the type system knows?
bool IsKnownTypeOid(uint32_t oid);
TypeCategory CategoryOf(TypeId id);
// The preferred type of a category (PG's typispreferred): text, float8, timestamptz, interval, bool.
bool IsPreferredType(TypeId id);
// Fixed length in bytes as pg_type.typlen (-1 variable, -2 cstring-like unknown).
int16_t TypeLength(TypeId id);

// Arrays: the element type of an array type (kUnknown when `id` is not an array), and the
// array type whose elements are `elem` (kUnknown when PG has none we support).
TypeId ArrayElementType(TypeId id);
TypeId ArrayTypeOf(TypeId elem);
inline bool IsArrayType(TypeId id) { return ArrayElementType(id) != TypeId::kUnknown; }
inline bool IsRegType(TypeId id) {
  return id == TypeId::kRegclass || id == TypeId::kRegtype || id == TypeId::kRegnamespace || id == TypeId::kRegrole;
}

// pg_type.typname: "int4", "varchar", "bpchar", ...
std::string_view TypeInternalName(TypeId id);
// format_type() with the typmod: "integer", "character varying(3)", "numeric(10,2)",
// "timestamp(3) with time zone". This is the name PG's error messages use.
std::string FormatType(const Type& t);

// The type a parse tree names. `names` is TypeName.names as libpg_query gives it (e.g.
// {"pg_catalog", "int4"} or {"varchar"}); `typmods` are the integer modifiers in order
// (empty = none). Array types are one level up: the binder applies ArrayTypeOf.
// Errors: 42704 type "x" does not exist; 22023 invalid typmods as PG words them.
Result<Type> LookupType(const std::vector<std::string>& names, const std::vector<int32_t>& typmods);
// Convenience for a single (possibly schema-qualified) name: "pg_catalog.int4", "varchar",
// "double precision", "character varying".
Result<Type> LookupTypeByName(std::string_view name, const std::vector<int32_t>& typmods = {});

}  // namespace nordlys::engine::types
