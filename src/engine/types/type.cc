// Type identity, names and typmod validation, following PostgreSQL 15's pg_type and the typmodin
// functions (varchartypmodin, numerictypmodin, anytime_typmodin, intervaltypmodin).
#include "engine/types/type.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace nordlys::engine::types {
namespace {

struct TypeInfo {
  TypeId id;
  std::string_view internal;  // pg_type.typname
  std::string_view sql;       // format_type() without typmod
  TypeCategory category;
  bool preferred;
  int16_t length;
};

constexpr std::array<TypeInfo, 24> kTypes = {{
    {TypeId::kBool, "bool", "boolean", TypeCategory::kBoolean, true, 1},
    {TypeId::kBytea, "bytea", "bytea", TypeCategory::kUser, false, -1},
    {TypeId::kName, "name", "name", TypeCategory::kString, false, 64},
    {TypeId::kInt8, "int8", "bigint", TypeCategory::kNumeric, false, 8},
    {TypeId::kInt2, "int2", "smallint", TypeCategory::kNumeric, false, 2},
    {TypeId::kInt4, "int4", "integer", TypeCategory::kNumeric, false, 4},
    {TypeId::kText, "text", "text", TypeCategory::kString, true, -1},
    {TypeId::kOid, "oid", "oid", TypeCategory::kNumeric, true, 4},
    {TypeId::kFloat4, "float4", "real", TypeCategory::kNumeric, false, 4},
    {TypeId::kFloat8, "float8", "double precision", TypeCategory::kNumeric, true, 8},
    {TypeId::kUnknown, "unknown", "unknown", TypeCategory::kUnknown, false, -2},
    {TypeId::kBpchar, "bpchar", "character", TypeCategory::kString, false, -1},
    {TypeId::kVarchar, "varchar", "character varying", TypeCategory::kString, false, -1},
    {TypeId::kDate, "date", "date", TypeCategory::kDateTime, false, 4},
    {TypeId::kTime, "time", "time without time zone", TypeCategory::kDateTime, false, 8},
    {TypeId::kTimestamp, "timestamp", "timestamp without time zone", TypeCategory::kDateTime, false, 8},
    {TypeId::kTimestampTz, "timestamptz", "timestamp with time zone", TypeCategory::kDateTime, true, 8},
    {TypeId::kInterval, "interval", "interval", TypeCategory::kTimespan, true, 16},
    {TypeId::kNumeric, "numeric", "numeric", TypeCategory::kNumeric, false, -1},
    {TypeId::kUuid, "uuid", "uuid", TypeCategory::kUser, false, 16},
    {TypeId::kRegclass, "regclass", "regclass", TypeCategory::kNumeric, false, 4},
    {TypeId::kRegtype, "regtype", "regtype", TypeCategory::kNumeric, false, 4},
    {TypeId::kRegnamespace, "regnamespace", "regnamespace", TypeCategory::kNumeric, false, 4},
    {TypeId::kRegrole, "regrole", "regrole", TypeCategory::kNumeric, false, 4},
}};

const TypeInfo* Find(TypeId id) {
  for (const auto& t : kTypes) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

struct ArrayInfo {
  TypeId array;
  TypeId elem;
  std::string_view internal;  // pg_type.typname of the array type
};
constexpr std::array<ArrayInfo, 19> kArrays = {{
    {TypeId::kBoolArray, TypeId::kBool, "_bool"},
    {TypeId::kByteaArray, TypeId::kBytea, "_bytea"},
    {TypeId::kNameArray, TypeId::kName, "_name"},
    {TypeId::kInt2Array, TypeId::kInt2, "_int2"},
    {TypeId::kInt4Array, TypeId::kInt4, "_int4"},
    {TypeId::kTextArray, TypeId::kText, "_text"},
    {TypeId::kBpcharArray, TypeId::kBpchar, "_bpchar"},
    {TypeId::kVarcharArray, TypeId::kVarchar, "_varchar"},
    {TypeId::kInt8Array, TypeId::kInt8, "_int8"},
    {TypeId::kFloat4Array, TypeId::kFloat4, "_float4"},
    {TypeId::kFloat8Array, TypeId::kFloat8, "_float8"},
    {TypeId::kOidArray, TypeId::kOid, "_oid"},
    {TypeId::kTimestampArray, TypeId::kTimestamp, "_timestamp"},
    {TypeId::kDateArray, TypeId::kDate, "_date"},
    {TypeId::kTimeArray, TypeId::kTime, "_time"},
    {TypeId::kTimestampTzArray, TypeId::kTimestampTz, "_timestamptz"},
    {TypeId::kIntervalArray, TypeId::kInterval, "_interval"},
    {TypeId::kNumericArray, TypeId::kNumeric, "_numeric"},
    {TypeId::kUuidArray, TypeId::kUuid, "_uuid"},
}};

const ArrayInfo* FindArray(TypeId id) {
  for (const auto& a : kArrays) {
    if (a.array == id) return &a;
  }
  return nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Extra spellings accepted by LookupTypeByName (the grammar maps these itself, but callers
// such as tests and the catalog use them).
struct Alias {
  std::string_view name;
  TypeId id;
};
constexpr std::array<Alias, 16> kAliases = {{
    {"integer", TypeId::kInt4},
    {"int", TypeId::kInt4},
    {"smallint", TypeId::kInt2},
    {"bigint", TypeId::kInt8},
    {"real", TypeId::kFloat4},
    {"double precision", TypeId::kFloat8},
    {"boolean", TypeId::kBool},
    {"decimal", TypeId::kNumeric},
    {"character varying", TypeId::kVarchar},
    {"character", TypeId::kBpchar},
    {"char", TypeId::kBpchar},
    {"time without time zone", TypeId::kTime},
    {"timestamp without time zone", TypeId::kTimestamp},
    {"timestamp with time zone", TypeId::kTimestampTz},
    {"dec", TypeId::kNumeric},
    {"float", TypeId::kFloat8},
}};

// PG types we know by name but do not implement: say so instead of "does not exist".
constexpr std::array<std::string_view, 14> kUnsupported = {
    "bit", "varbit", "money", "json", "jsonb", "xml", "inet", "cidr", "macaddr", "timetz",
    "regproc", "regoper", "tsvector", "point"};

Status SqlError(std::string_view state, std::string message, StatusCode code = StatusCode::kInvalidArgument) {
  return Status::Sql(code, std::string(state), std::move(message));
}

Result<int32_t> CharTypmod(const char* what, const std::vector<int32_t>& mods) {
  if (mods.empty()) return -1;
  if (mods.size() != 1) return SqlError("22023", std::string("invalid type modifier"));
  if (mods[0] < 1) return SqlError("22023", std::string("length for type ") + what + " must be at least 1");
  if (mods[0] > 10485760) {
    return SqlError("22023", std::string("length for type ") + what + " cannot exceed 10485760");
  }
  return mods[0] + kVarHdrSz;
}

Result<int32_t> NumericTypmod(const std::vector<int32_t>& mods) {
  if (mods.empty()) return -1;
  if (mods.size() > 2) return SqlError("22023", "invalid NUMERIC type modifier");
  int32_t p = mods[0];
  int32_t s = mods.size() == 2 ? mods[1] : 0;
  if (p < 1 || p > kNumericMaxPrecision) {
    return SqlError("22023", "NUMERIC precision " + std::to_string(p) + " must be between 1 and 1000");
  }
  if (s < -1000 || s > 1000) {
    return SqlError("22023", "NUMERIC scale " + std::to_string(s) + " must be between -1000 and 1000");
  }
  return ((p << 16) | (s & 0x7ff)) + kVarHdrSz;
}

// time/timestamp precision. PG reduces >6 to 6 with a WARNING; we do the same silently.
Result<int32_t> TimeTypmod(const char* what, const std::vector<int32_t>& mods) {
  if (mods.empty()) return -1;
  if (mods.size() != 1) return SqlError("22023", "invalid type modifier");
  if (mods[0] < 0) {
    return SqlError("22023", std::string(what) + "(" + std::to_string(mods[0]) + ") precision must not be negative");
  }
  return std::min(mods[0], kMaxTimePrecision);
}

}  // namespace

bool IsKnownTypeOid(uint32_t oid) {
  return Find(static_cast<TypeId>(oid)) != nullptr || FindArray(static_cast<TypeId>(oid)) != nullptr;
}

TypeId ArrayElementType(TypeId id) {
  const ArrayInfo* a = FindArray(id);
  return a ? a->elem : TypeId::kUnknown;
}

TypeId ArrayTypeOf(TypeId elem) {
  for (const auto& a : kArrays) {
    if (a.elem == elem) return a.array;
  }
  return TypeId::kUnknown;
}

TypeCategory CategoryOf(TypeId id) {
  if (FindArray(id)) return TypeCategory::kArray;
  const TypeInfo* t = Find(id);
  return t ? t->category : TypeCategory::kUser;
}

bool IsPreferredType(TypeId id) {
  const TypeInfo* t = Find(id);
  return t && t->preferred;
}

int16_t TypeLength(TypeId id) {
  const TypeInfo* t = Find(id);
  return t ? t->length : -1;
}

std::string_view TypeInternalName(TypeId id) {
  if (const ArrayInfo* a = FindArray(id)) return a->internal;
  const TypeInfo* t = Find(id);
  return t ? t->internal : "???";
}

std::string FormatType(const Type& t) {
  if (const ArrayInfo* a = FindArray(t.id)) return FormatType(Type(a->elem, t.typmod)) + "[]";
  const TypeInfo* info = Find(t.id);
  if (!info) return "???";
  std::string out(info->sql);
  if (t.typmod < 0) return out;
  switch (t.id) {
    case TypeId::kVarchar:
    case TypeId::kBpchar:
      return out + "(" + std::to_string(t.typmod - kVarHdrSz) + ")";
    case TypeId::kNumeric:
      return out + "(" + std::to_string(NumericPrecisionOf(t.typmod)) + "," +
             std::to_string(NumericScaleOf(t.typmod)) + ")";
    case TypeId::kTime:
      return "time(" + std::to_string(t.typmod) + ") without time zone";
    case TypeId::kTimestamp:
      return "timestamp(" + std::to_string(t.typmod) + ") without time zone";
    case TypeId::kTimestampTz:
      return "timestamp(" + std::to_string(t.typmod) + ") with time zone";
    case TypeId::kInterval: {
      int32_t precision = t.typmod & 0xffff;
      return precision == 0xffff ? out : out + "(" + std::to_string(precision) + ")";
    }
    default:
      return out;
  }
}

Result<Type> LookupType(const std::vector<std::string>& names, const std::vector<int32_t>& typmods) {
  if (names.empty() || names.size() > 2) return SqlError("42601", "improper qualified name");
  std::string name = Lower(names.back());
  if (names.size() == 2 && Lower(names[0]) != "pg_catalog" && Lower(names[0]) != "public") {
    return SqlError("42704", "type \"" + names[0] + "." + names[1] + "\" does not exist",
                    StatusCode::kNotFound);
  }
  const TypeInfo* info = nullptr;
  for (const auto& t : kTypes) {
    if (t.internal == name) info = &t;
  }
  if (!info) {
    for (const auto& a : kAliases) {
      if (a.name == name) info = Find(a.id);
    }
  }
  if (!info) {
    for (const auto& a : kArrays) {
      if (a.internal == name) {
        NORDLYS_ASSIGN_OR_RETURN(Type elem, LookupType({std::string(TypeInternalName(a.elem))}, typmods));
        return Type(a.array, elem.typmod);
      }
    }
  }
  if (!info) {
    for (std::string_view u : kUnsupported) {
      if (u == name) {
        return SqlError("0A000", "type \"" + name + "\" is not supported yet", StatusCode::kNotSupported);
      }
    }
    std::string shown = names.size() == 2 ? names[0] + "." + names[1] : names[0];
    return SqlError("42704", "type \"" + shown + "\" does not exist", StatusCode::kNotFound);
  }
  Result<int32_t> mod = int32_t{-1};
  switch (info->id) {
    case TypeId::kVarchar: mod = CharTypmod("varchar", typmods); break;
    case TypeId::kBpchar: mod = CharTypmod("char", typmods); break;
    case TypeId::kNumeric: mod = NumericTypmod(typmods); break;
    case TypeId::kTime: mod = TimeTypmod("TIME", typmods); break;
    case TypeId::kTimestamp: mod = TimeTypmod("TIMESTAMP", typmods); break;
    case TypeId::kTimestampTz: mod = TimeTypmod("TIMESTAMP", typmods); break;
    case TypeId::kInterval: {
      // The grammar passes (range) or (range, precision); a bare interval(p) arrives as
      // (INTERVAL_FULL_RANGE, p). Only the full range is supported.
      if (typmods.empty()) break;
      if (typmods[0] != 0x7fff) {
        return SqlError("0A000", "interval field restrictions are not supported yet", StatusCode::kNotSupported);
      }
      int32_t p = 0xffff;
      if (typmods.size() == 2) {
        if (typmods[1] < 0) return SqlError("22023", "INTERVAL(" + std::to_string(typmods[1]) + ") precision must not be negative");
        p = std::min(typmods[1], kMaxTimePrecision);
      } else if (typmods.size() > 2) {
        return SqlError("22023", "invalid INTERVAL type modifier");
      }
      mod = (0x7fff << 16) | p;
      break;
    }
    default:
      if (!typmods.empty()) {
        return SqlError("42601", "type modifier is not allowed for type \"" + names.back() + "\"");
      }
  }
  if (!mod.ok()) return mod.status();
  return Type(info->id, *mod);
}

Result<Type> LookupTypeByName(std::string_view name, const std::vector<int32_t>& typmods) {
  std::vector<std::string> names;
  std::string lower = Lower(name);
  size_t dot = lower.find('.');
  if (dot != std::string::npos && lower.find(' ') == std::string::npos) {
    names = {std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))};
  } else {
    names = {std::string(name)};
  }
  if (names.back() == "float" || Lower(names.back()) == "float") {
    // float(p): 1..24 bits is real, 25..53 double precision (the grammar does this).
    if (typmods.empty()) return Type(TypeId::kFloat8);
    if (typmods[0] < 1) return SqlError("22023", "precision for type float must be at least 1 bit");
    if (typmods[0] > 53) return SqlError("22023", "precision for type float must be less than 54 bits");
    return Type(typmods[0] <= 24 ? TypeId::kFloat4 : TypeId::kFloat8);
  }
  return LookupType(names, typmods);
}

}  // namespace nordlys::engine::types
