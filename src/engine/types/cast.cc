// The cast matrix and conversions. Contexts follow PG 15's pg_cast rows among these types; the
// I/O conversion casts (anything -> string type: assignment; string type -> anything:
// explicit) follow PG's rule for types without a pg_cast row.
#include "engine/types/cast.h"

#include <cmath>

namespace nordlys::engine::types {
namespace {

using C = CastContext;

struct CastRow {
  TypeId from, to;
  CastContext context;
};

// pg_cast rows among the supported types (SELECT ... FROM pg_cast on PostgreSQL 15).
constexpr CastRow kCasts[] = {
    {TypeId::kInt8, TypeId::kFloat8, C::kImplicit},     {TypeId::kInt8, TypeId::kInt4, C::kAssignment},
    {TypeId::kInt8, TypeId::kNumeric, C::kImplicit},    {TypeId::kInt8, TypeId::kOid, C::kImplicit},
    {TypeId::kInt8, TypeId::kFloat4, C::kImplicit},     {TypeId::kInt8, TypeId::kInt2, C::kAssignment},
    {TypeId::kBool, TypeId::kBpchar, C::kAssignment},   {TypeId::kBool, TypeId::kVarchar, C::kAssignment},
    {TypeId::kBool, TypeId::kInt4, C::kExplicit},       {TypeId::kBool, TypeId::kText, C::kAssignment},
    {TypeId::kBpchar, TypeId::kVarchar, C::kImplicit},  {TypeId::kBpchar, TypeId::kName, C::kImplicit},
    {TypeId::kBpchar, TypeId::kText, C::kImplicit},     {TypeId::kVarchar, TypeId::kBpchar, C::kImplicit},
    {TypeId::kVarchar, TypeId::kName, C::kImplicit},    {TypeId::kVarchar, TypeId::kText, C::kImplicit},
    {TypeId::kDate, TypeId::kTimestampTz, C::kImplicit}, {TypeId::kDate, TypeId::kTimestamp, C::kImplicit},
    {TypeId::kFloat8, TypeId::kInt8, C::kAssignment},   {TypeId::kFloat8, TypeId::kInt4, C::kAssignment},
    {TypeId::kFloat8, TypeId::kNumeric, C::kAssignment}, {TypeId::kFloat8, TypeId::kFloat4, C::kAssignment},
    {TypeId::kFloat8, TypeId::kInt2, C::kAssignment},   {TypeId::kInt4, TypeId::kInt8, C::kImplicit},
    {TypeId::kInt4, TypeId::kBool, C::kExplicit},       {TypeId::kInt4, TypeId::kFloat8, C::kImplicit},
    {TypeId::kInt4, TypeId::kNumeric, C::kImplicit},    {TypeId::kInt4, TypeId::kOid, C::kImplicit},
    {TypeId::kInt4, TypeId::kFloat4, C::kImplicit},     {TypeId::kInt4, TypeId::kInt2, C::kAssignment},
    {TypeId::kInterval, TypeId::kTime, C::kAssignment}, {TypeId::kName, TypeId::kBpchar, C::kAssignment},
    {TypeId::kName, TypeId::kVarchar, C::kAssignment},  {TypeId::kName, TypeId::kText, C::kImplicit},
    {TypeId::kNumeric, TypeId::kInt8, C::kAssignment},  {TypeId::kNumeric, TypeId::kFloat8, C::kImplicit},
    {TypeId::kNumeric, TypeId::kInt4, C::kAssignment},  {TypeId::kNumeric, TypeId::kFloat4, C::kImplicit},
    {TypeId::kNumeric, TypeId::kInt2, C::kAssignment},  {TypeId::kOid, TypeId::kInt8, C::kAssignment},
    {TypeId::kOid, TypeId::kInt4, C::kAssignment},      {TypeId::kFloat4, TypeId::kInt8, C::kAssignment},
    {TypeId::kFloat4, TypeId::kFloat8, C::kImplicit},   {TypeId::kFloat4, TypeId::kInt4, C::kAssignment},
    {TypeId::kFloat4, TypeId::kNumeric, C::kAssignment}, {TypeId::kFloat4, TypeId::kInt2, C::kAssignment},
    {TypeId::kInt2, TypeId::kInt8, C::kImplicit},       {TypeId::kInt2, TypeId::kFloat8, C::kImplicit},
    {TypeId::kInt2, TypeId::kInt4, C::kImplicit},       {TypeId::kInt2, TypeId::kNumeric, C::kImplicit},
    {TypeId::kInt2, TypeId::kOid, C::kImplicit},        {TypeId::kInt2, TypeId::kFloat4, C::kImplicit},
    {TypeId::kText, TypeId::kBpchar, C::kImplicit},     {TypeId::kText, TypeId::kVarchar, C::kImplicit},
    {TypeId::kText, TypeId::kName, C::kImplicit},       {TypeId::kTime, TypeId::kInterval, C::kImplicit},
    {TypeId::kTimestampTz, TypeId::kDate, C::kAssignment}, {TypeId::kTimestampTz, TypeId::kTime, C::kAssignment},
    {TypeId::kTimestampTz, TypeId::kTimestamp, C::kAssignment}, {TypeId::kTimestamp, TypeId::kDate, C::kAssignment},
    {TypeId::kTimestamp, TypeId::kTime, C::kAssignment}, {TypeId::kTimestamp, TypeId::kTimestampTz, C::kImplicit},
};

bool IsStringType(TypeId id) { return CategoryOf(id) == TypeCategory::kString; }

Status OutOfRange(std::string_view what) {
  return Status::Sql(StatusCode::kOutOfRange, "22003", std::string(what) + " out of range");
}

Result<Value> IntTo(int64_t v, TypeId to) {
  switch (to) {
    case TypeId::kInt2:
      if (v < INT16_MIN || v > INT16_MAX) return OutOfRange("smallint");
      return Value::Int2(static_cast<int16_t>(v));
    case TypeId::kInt4:
      if (v < INT32_MIN || v > INT32_MAX) return OutOfRange("integer");
      return Value::Int4(static_cast<int32_t>(v));
    case TypeId::kInt8: return Value::Int8(v);
    default: return Status::Internal("IntTo");
  }
}

Result<Value> FloatToInt(double d, TypeId to) {
  double r = std::rint(d);
  const char* name = to == TypeId::kInt2 ? "smallint" : (to == TypeId::kInt4 ? "integer" : "bigint");
  double lo = to == TypeId::kInt2 ? -32768.0 : (to == TypeId::kInt4 ? -2147483648.0 : -9223372036854775808.0);
  if (std::isnan(r) || r < lo || r >= -lo) return OutOfRange(name);
  return IntTo(static_cast<int64_t>(r), to);
}

bool IsIntType(TypeId id) { return id == TypeId::kInt2 || id == TypeId::kInt4 || id == TypeId::kInt8; }

// Character-length coercion shared by varchar(n) and char(n).
Result<std::string> FitLength(const std::string& s, int32_t n, bool pad, bool is_explicit, const Type& to) {
  size_t len = Utf8Length(s);
  if (len > static_cast<size_t>(n)) {
    size_t cut = Utf8Prefix(s, n);
    if (!is_explicit) {
      for (size_t i = cut; i < s.size(); ++i) {
        if (s[i] != ' ') {
          return Status::Sql(StatusCode::kInvalidArgument, "22001",
                             "value too long for type " + FormatType(to));
        }
      }
    }
    return s.substr(0, cut);
  }
  if (pad && len < static_cast<size_t>(n)) return s + std::string(n - len, ' ');
  return s;
}

std::string RTrimSpaces(const std::string& s) {
  size_t end = s.find_last_not_of(' ');
  return end == std::string::npos ? "" : s.substr(0, end + 1);
}

}  // namespace

std::optional<CastContext> FindCast(TypeId from, TypeId to) {
  if (from == to || from == TypeId::kUnknown) return CastContext::kImplicit;
  if (IsArrayType(from) && IsArrayType(to)) return FindCast(ArrayElementType(from), ArrayElementType(to));
  // The reg* types are oids: binary-coercible to and from oid, integers cast in (implicitly)
  // and out (by assignment), and text/varchar name the object (regclass('t')).
  if (IsRegType(from) || IsRegType(to)) {
    TypeId other = IsRegType(from) ? to : from;
    if (IsRegType(other)) return std::nullopt;
    if (other == TypeId::kOid) return CastContext::kImplicit;
    if (IsIntType(other)) return IsRegType(to) ? CastContext::kImplicit : CastContext::kAssignment;
    if (IsRegType(to) && (from == TypeId::kText || from == TypeId::kVarchar)) return CastContext::kImplicit;
  }
  for (const CastRow& r : kCasts) {
    if (r.from == from && r.to == to) return r.context;
  }
  if (IsStringType(to)) return CastContext::kAssignment;
  if (IsStringType(from)) return CastContext::kExplicit;
  return std::nullopt;
}

Result<Value> CoerceToTypmod(const Value& v, const Type& to, bool is_explicit) {
  if (v.is_null() || to.typmod < 0) return v;
  if (IsArrayType(to.id)) {
    const Type elem(ArrayElementType(to.id), to.typmod);
    std::vector<Value> out;
    out.reserve(v.as_array().size());
    for (const auto& e : v.as_array()) {
      NORDLYS_ASSIGN_OR_RETURN(Value c, CoerceToTypmod(e, elem, is_explicit));
      out.push_back(std::move(c));
    }
    return Value::Array(std::move(out));
  }
  switch (to.id) {
    case TypeId::kVarchar:
    case TypeId::kBpchar: {
      NORDLYS_ASSIGN_OR_RETURN(std::string s, FitLength(v.as_string(), CharLengthOf(to),
                                                        to.id == TypeId::kBpchar, is_explicit, to));
      return Value::String(std::move(s));
    }
    case TypeId::kNumeric: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric n, v.as_numeric().ApplyTypmod(to.typmod));
      return Value::MakeNumeric(std::move(n));
    }
    case TypeId::kTime: return Value::Time(RoundTime(v.as_int(), to.typmod));
    case TypeId::kTimestamp: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t t, RoundTimestamp(v.as_int(), to.typmod));
      return Value::Timestamp(t);
    }
    case TypeId::kTimestampTz: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t t, RoundTimestamp(v.as_int(), to.typmod));
      return Value::TimestampTz(t);
    }
    case TypeId::kInterval: {
      NORDLYS_ASSIGN_OR_RETURN(Interval iv, RoundInterval(v.as_interval(), to.typmod));
      return Value::MakeInterval(iv);
    }
    default: return v;
  }
}

Result<Value> CastValue(const Value& v, const Type& from, const Type& to, bool is_explicit,
                        const SessionSettings& settings) {
  if (!FindCast(from.id, to.id)) {
    return Status::Sql(StatusCode::kInvalidArgument, "42846",
                       "cannot cast type " + FormatType(Type(from.id)) + " to " + FormatType(Type(to.id)));
  }
  if (v.is_null()) return v;
  if (from.id == to.id) return CoerceToTypmod(v, to, is_explicit);
  if (IsArrayType(from.id) && IsArrayType(to.id)) {
    const Type fe(ArrayElementType(from.id), from.typmod), te(ArrayElementType(to.id), to.typmod);
    std::vector<Value> out;
    out.reserve(v.as_array().size());
    for (const auto& e : v.as_array()) {
      NORDLYS_ASSIGN_OR_RETURN(Value c, CastValue(e, fe, te, is_explicit, settings));
      out.push_back(std::move(c));
    }
    return Value::Array(std::move(out));
  }
  if ((IsRegType(from.id) || IsRegType(to.id)) && !IsStringType(from.id) && !IsStringType(to.id) &&
      from.id != TypeId::kUnknown) {
    // Both sides are oid-like or integers: cast through oid.
    Type f = IsRegType(from.id) ? Type(TypeId::kOid) : from;
    Type t = IsRegType(to.id) ? Type(TypeId::kOid) : to;
    return CastValue(v, f, t, is_explicit, settings);
  }
  // Untyped literals and string types read through the target's input function.
  if (from.id == TypeId::kUnknown || (IsStringType(from.id) && !IsStringType(to.id))) {
    NORDLYS_ASSIGN_OR_RETURN(Value in, InputValue(v.as_string(), Type(to.id), settings));
    return CoerceToTypmod(in, to, is_explicit);
  }
  if (IsStringType(to.id)) {
    std::string s;
    if (from.id == TypeId::kBool) s = v.as_bool() ? "true" : "false";
    else if (from.id == TypeId::kBpchar) s = RTrimSpaces(v.as_string());
    else s = OutputValue(v, from, settings);
    if (to.id == TypeId::kName) return Value::String(ClipName(s));
    return CoerceToTypmod(Value::String(std::move(s)), to, is_explicit);
  }
  TypeId f = from.id, t = to.id;
  Result<Value> out = Status::Internal("unhandled cast");
  if (IsIntType(f) || f == TypeId::kOid) {
    int64_t i = v.as_int();
    if (IsIntType(t)) {
      if (f == TypeId::kOid && t == TypeId::kInt4) out = Value::Int4(static_cast<int32_t>(static_cast<uint32_t>(i)));
      else out = IntTo(i, t);
    } else if (t == TypeId::kOid) {
      if (f == TypeId::kInt8 && (i < 0 || i > UINT32_MAX)) {
        return Status::Sql(StatusCode::kOutOfRange, "22003", "OID out of range");
      }
      out = Value::Oid(static_cast<uint32_t>(i));
    } else if (t == TypeId::kFloat4) {
      out = Value::Float4(static_cast<float>(i));
    } else if (t == TypeId::kFloat8) {
      out = Value::Float8(static_cast<double>(i));
    } else if (t == TypeId::kNumeric) {
      out = Value::MakeNumeric(Numeric::FromInt64(i));
    } else if (t == TypeId::kBool) {
      out = Value::Bool(i != 0);
    }
  } else if (f == TypeId::kFloat4 || f == TypeId::kFloat8) {
    double d = v.as_float();
    if (IsIntType(t)) {
      out = FloatToInt(d, t);
    } else if (t == TypeId::kFloat8) {
      out = Value::Float8(d);
    } else if (t == TypeId::kFloat4) {
      float r = static_cast<float>(d);
      if (std::isinf(r) && !std::isinf(d)) {
        return Status::Sql(StatusCode::kOutOfRange, "22003", "value out of range: overflow");
      }
      if (r == 0.0f && d != 0.0) {
        return Status::Sql(StatusCode::kOutOfRange, "22003", "value out of range: underflow");
      }
      out = Value::Float4(r);
    } else if (t == TypeId::kNumeric) {
      out = Value::MakeNumeric(Numeric::FromDouble(d, f == TypeId::kFloat4));
    }
  } else if (f == TypeId::kNumeric) {
    const Numeric& n = v.as_numeric();
    if (t == TypeId::kInt2) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t i, n.ToInt64(INT16_MIN, INT16_MAX, "smallint"));
      out = Value::Int2(static_cast<int16_t>(i));
    } else if (t == TypeId::kInt4) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t i, n.ToInt64(INT32_MIN, INT32_MAX, "integer"));
      out = Value::Int4(static_cast<int32_t>(i));
    } else if (t == TypeId::kInt8) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t i, n.ToInt64(INT64_MIN, INT64_MAX, "bigint"));
      out = Value::Int8(i);
    } else if (t == TypeId::kFloat8) {
      NORDLYS_ASSIGN_OR_RETURN(double d, n.ToFloat8());
      out = Value::Float8(d);
    } else if (t == TypeId::kFloat4) {
      NORDLYS_ASSIGN_OR_RETURN(float d, n.ToFloat4());
      out = Value::Float4(d);
    }
  } else if (f == TypeId::kBool && t == TypeId::kInt4) {
    out = Value::Int4(v.as_bool() ? 1 : 0);
  } else if (f == TypeId::kDate) {
    if (t == TypeId::kTimestamp) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, DateToTimestamp(static_cast<int32_t>(v.as_int())));
      out = Value::Timestamp(ts);
    } else if (t == TypeId::kTimestampTz) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, DateToTimestampTz(static_cast<int32_t>(v.as_int()), settings.time_zone));
      out = Value::TimestampTz(ts);
    }
  } else if (f == TypeId::kTimestamp || f == TypeId::kTimestampTz) {
    int64_t ts = v.as_int();
    int64_t local = ts;
    if (f == TypeId::kTimestampTz && t != TypeId::kTimestamp) {
      NORDLYS_ASSIGN_OR_RETURN(local, TimestampTzToTimestamp(ts, settings.time_zone));
    }
    if (t == TypeId::kDate) {
      NORDLYS_ASSIGN_OR_RETURN(int32_t d, TimestampToDate(local));
      out = Value::Date(d);
    } else if (t == TypeId::kTime) {
      if (local == kTimestampPosInfinity || local == kTimestampNegInfinity) return Value::Null();
      out = Value::Time(TimestampToTime(local));
    } else if (t == TypeId::kTimestampTz) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t r, TimestampToTimestampTz(ts, settings.time_zone));
      out = Value::TimestampTz(r);
    } else if (t == TypeId::kTimestamp) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t r, TimestampTzToTimestamp(ts, settings.time_zone));
      out = Value::Timestamp(r);
    }
  } else if (f == TypeId::kTime && t == TypeId::kInterval) {
    out = Value::MakeInterval(TimeToInterval(v.as_int()));
  } else if (f == TypeId::kInterval && t == TypeId::kTime) {
    out = Value::Time(IntervalToTime(v.as_interval()));
  }
  if (!out.ok()) return out;
  return CoerceToTypmod(*out, to, is_explicit);
}

}  // namespace nordlys::engine::types
