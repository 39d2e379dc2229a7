// Operator resolution and evaluation. The resolution table is a condensed form of PG 15's
// pg_operator entries for these types plus its implicit-cast rules (e.g. int4 + float4 resolves
// to float8 + float8, int + numeric to numeric + numeric, date + int2 to date + int4).
#include "engine/types/operators.h"

#include <cmath>
#include <cstring>
#include <functional>

#include "engine/types/array.h"
#include "engine/types/cast.h"

namespace nordlys::engine::types {
namespace {

bool IsInt(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
bool IsNum(TypeId t) { return IsInt(t) || t == TypeId::kNumeric || t == TypeId::kFloat4 || t == TypeId::kFloat8; }
bool IsComparison(BinaryOp op) { return op >= BinaryOp::kEq; }
bool IsString(TypeId t) {
  return t == TypeId::kText || t == TypeId::kVarchar || t == TypeId::kBpchar || t == TypeId::kName;
}

int NumRank(TypeId t) {
  switch (t) {
    case TypeId::kInt2: return 0;
    case TypeId::kInt4: return 1;
    case TypeId::kInt8: return 2;
    case TypeId::kNumeric: return 3;
    case TypeId::kFloat4: return 4;
    default: return 5;
  }
}

TypeId CommonNumeric(TypeId a, TypeId b) {
  if (a == b) return a;
  if (a == TypeId::kFloat4 || b == TypeId::kFloat4 || a == TypeId::kFloat8 || b == TypeId::kFloat8) {
    return TypeId::kFloat8;
  }
  return NumRank(a) >= NumRank(b) ? a : b;
}

Status NoOperator(BinaryOp op, TypeId l, TypeId r) {
  return Status::Sql(StatusCode::kInvalidArgument, "42883",
                     "operator does not exist: " + FormatType(Type(l)) + " " + std::string(OpName(op)) + " " +
                         FormatType(Type(r)));
}

Status IntOutOfRange(TypeId t) {
  const char* name = t == TypeId::kInt2 ? "smallint" : (t == TypeId::kInt4 ? "integer" : "bigint");
  return Status::Sql(StatusCode::kOutOfRange, "22003", std::string(name) + " out of range");
}
Status DivByZero() { return Status::Sql(StatusCode::kInvalidArgument, "22012", "division by zero"); }
Status FloatOverflow() { return Status::Sql(StatusCode::kOutOfRange, "22003", "value out of range: overflow"); }
Status FloatUnderflow() { return Status::Sql(StatusCode::kOutOfRange, "22003", "value out of range: underflow"); }

Value MakeInt(TypeId t, int64_t v) {
  if (t == TypeId::kInt2) return Value::Int2(static_cast<int16_t>(v));
  if (t == TypeId::kInt4) return Value::Int4(static_cast<int32_t>(v));
  return Value::Int8(v);
}

Result<Value> IntArith(BinaryOp op, int64_t a, int64_t b, TypeId t) {
  __int128 r;
  switch (op) {
    case BinaryOp::kAdd: r = static_cast<__int128>(a) + b; break;
    case BinaryOp::kSub: r = static_cast<__int128>(a) - b; break;
    case BinaryOp::kMul: r = static_cast<__int128>(a) * b; break;
    case BinaryOp::kDiv:
      if (b == 0) return DivByZero();
      r = static_cast<__int128>(a) / b;
      break;
    case BinaryOp::kMod:
      if (b == 0) return DivByZero();
      r = b == -1 ? 0 : a % b;
      break;
    default: return Status::Internal("IntArith");
  }
  __int128 lo = t == TypeId::kInt2 ? INT16_MIN : (t == TypeId::kInt4 ? INT32_MIN : INT64_MIN);
  __int128 hi = t == TypeId::kInt2 ? INT16_MAX : (t == TypeId::kInt4 ? INT32_MAX : INT64_MAX);
  if (r < lo || r > hi) return IntOutOfRange(t);
  return MakeInt(t, static_cast<int64_t>(r));
}

template <typename F>
Result<F> FloatArith(BinaryOp op, F a, F b) {
  F r;
  switch (op) {
    case BinaryOp::kAdd: r = a + b; break;
    case BinaryOp::kSub: r = a - b; break;
    case BinaryOp::kMul:
      r = a * b;
      if (r == 0 && a != 0 && b != 0) return FloatUnderflow();
      break;
    case BinaryOp::kDiv:
      if (b == 0 && !std::isnan(a)) return DivByZero();
      r = a / b;
      if (r == 0 && a != 0 && !std::isinf(b)) return FloatUnderflow();
      break;
    default: return Status::Internal("FloatArith");
  }
  if (std::isinf(r) && !std::isinf(a) && !std::isinf(b)) return FloatOverflow();
  return r;
}

template <typename T>
int Cmp3(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

int CompareFloat(double a, double b) {
  if (std::isnan(a)) return std::isnan(b) ? 0 : 1;
  if (std::isnan(b)) return -1;
  return Cmp3(a, b);
}

std::string_view RTrim(const std::string& s) {
  size_t end = s.find_last_not_of(' ');
  return end == std::string::npos ? std::string_view() : std::string_view(s.data(), end + 1);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool CompareResult(BinaryOp op, int c) {
  switch (op) {
    case BinaryOp::kEq: return c == 0;
    case BinaryOp::kNe: return c != 0;
    case BinaryOp::kLt: return c < 0;
    case BinaryOp::kLe: return c <= 0;
    case BinaryOp::kGt: return c > 0;
    case BinaryOp::kGe: return c >= 0;
    default: return false;
  }
}

}  // namespace

std::string_view OpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNe: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
  }
  return "?";
}

Result<OperatorSig> ResolveBinaryOperator(BinaryOp op, TypeId l, TypeId r) {
  if (l == TypeId::kUnknown && r == TypeId::kUnknown) {
    if (IsComparison(op)) return OperatorSig{TypeId::kText, TypeId::kText, TypeId::kBool};
    return Status::Sql(StatusCode::kInvalidArgument, "42725",
                       "operator is not unique: unknown " + std::string(OpName(op)) + " unknown");
  }
  const TypeId ol = l, orr = r;
  if (l == TypeId::kUnknown) l = r;
  if (r == TypeId::kUnknown) r = l;
  const bool cmp = IsComparison(op);
  const TypeId kBool = TypeId::kBool;
  if (IsNum(l) && IsNum(r)) {
    if (op == BinaryOp::kMod && (!IsInt(l) && l != TypeId::kNumeric)) return NoOperator(op, ol, orr);
    if (op == BinaryOp::kMod && (!IsInt(r) && r != TypeId::kNumeric)) return NoOperator(op, ol, orr);
    TypeId c = CommonNumeric(l, r);
    return OperatorSig{c, c, cmp ? kBool : c};
  }
  if (cmp) {
    if (l == r && !IsString(l)) return OperatorSig{l, r, kBool};
    if (IsString(l) && IsString(r)) {
      if (l == r) return OperatorSig{l, r, kBool};
      return OperatorSig{TypeId::kText, TypeId::kText, kBool};
    }
    auto is_dt = [](TypeId t) {
      return t == TypeId::kDate || t == TypeId::kTimestamp || t == TypeId::kTimestampTz;
    };
    if (is_dt(l) && is_dt(r)) {
      TypeId c = (l == TypeId::kTimestampTz || r == TypeId::kTimestampTz) ? TypeId::kTimestampTz : TypeId::kTimestamp;
      return OperatorSig{c, c, kBool};
    }
    auto oidish = [](TypeId t) { return t == TypeId::kOid || IsRegType(t); };
    if ((oidish(l) && IsInt(r)) || (IsInt(l) && oidish(r)) || (oidish(l) && oidish(r))) {
      return OperatorSig{TypeId::kOid, TypeId::kOid, kBool};
    }
    return NoOperator(op, ol, orr);
  }
  using T = TypeId;
  auto int4ish = [](TypeId t) { return t == T::kInt2 || t == T::kInt4; };
  switch (op) {
    case BinaryOp::kAdd:
      if (l == T::kDate && int4ish(r)) return OperatorSig{T::kDate, T::kInt4, T::kDate};
      if (int4ish(l) && r == T::kDate) return OperatorSig{T::kInt4, T::kDate, T::kDate};
      if (l == T::kDate && r == T::kInterval) return OperatorSig{T::kTimestamp, T::kInterval, T::kTimestamp};
      if (l == T::kInterval && r == T::kDate) return OperatorSig{T::kInterval, T::kTimestamp, T::kTimestamp};
      if (l == T::kDate && r == T::kTime) return OperatorSig{T::kDate, T::kTime, T::kTimestamp};
      if (l == T::kTime && r == T::kDate) return OperatorSig{T::kTime, T::kDate, T::kTimestamp};
      if ((l == T::kTimestamp || l == T::kTimestampTz || l == T::kTime) && r == T::kInterval) {
        return OperatorSig{l, r, l};
      }
      if (l == T::kInterval && (r == T::kTimestamp || r == T::kTimestampTz || r == T::kTime)) {
        return OperatorSig{l, r, r};
      }
      if (l == T::kInterval && r == T::kInterval) return OperatorSig{l, r, l};
      break;
    case BinaryOp::kSub:
      if (l == T::kDate && int4ish(r)) return OperatorSig{T::kDate, T::kInt4, T::kDate};
      if (l == T::kDate && r == T::kDate) return OperatorSig{T::kDate, T::kDate, T::kInt4};
      if (l == T::kDate && r == T::kInterval) return OperatorSig{T::kTimestamp, T::kInterval, T::kTimestamp};
      if ((l == T::kTimestamp || l == T::kTimestampTz || l == T::kTime) && r == T::kInterval) {
        return OperatorSig{l, r, l};
      }
      if (l == T::kInterval && r == T::kInterval) return OperatorSig{l, r, l};
      if ((l == T::kTimestamp || l == T::kTimestampTz || l == T::kTime) && l == r) {
        return OperatorSig{l, r, T::kInterval};
      }
      if ((l == T::kDate && r == T::kTimestamp) || (l == T::kTimestamp && r == T::kDate)) {
        return OperatorSig{T::kTimestamp, T::kTimestamp, T::kInterval};
      }
      break;
    case BinaryOp::kMul:
      if (l == T::kInterval && IsNum(r)) return OperatorSig{l, T::kFloat8, l};
      if (IsNum(l) && r == T::kInterval) return OperatorSig{T::kFloat8, r, r};
      break;
    case BinaryOp::kDiv:
      if (l == T::kInterval && IsNum(r)) return OperatorSig{l, T::kFloat8, l};
      break;
    default: break;
  }
  return NoOperator(op, ol, orr);
}

Result<Value> EvalBinary(BinaryOp op, const Value& l, const Value& r, const OperatorSig& sig,
                         const SessionSettings& settings) {
  if (IsComparison(op)) {
    return Value::Bool(CompareResult(op, CompareValues(l, r, sig.left)));
  }
  using T = TypeId;
  const T lt = sig.left, rt = sig.right;
  if (IsInt(lt) && IsInt(rt)) return IntArith(op, l.as_int(), r.as_int(), sig.result);
  if (lt == T::kFloat8 && rt == T::kFloat8) {
    NORDLYS_ASSIGN_OR_RETURN(double d, FloatArith<double>(op, l.as_float(), r.as_float()));
    return Value::Float8(d);
  }
  if (lt == T::kFloat4 && rt == T::kFloat4) {
    NORDLYS_ASSIGN_OR_RETURN(float f, FloatArith<float>(op, static_cast<float>(l.as_float()),
                                                        static_cast<float>(r.as_float())));
    return Value::Float4(f);
  }
  if (lt == T::kNumeric && rt == T::kNumeric) {
    const Numeric& a = l.as_numeric();
    const Numeric& b = r.as_numeric();
    Result<Numeric> n = Status::Internal("numeric op");
    switch (op) {
      case BinaryOp::kAdd: n = Numeric::Add(a, b); break;
      case BinaryOp::kSub: n = Numeric::Sub(a, b); break;
      case BinaryOp::kMul: n = Numeric::Mul(a, b); break;
      case BinaryOp::kDiv: n = Numeric::Div(a, b); break;
      case BinaryOp::kMod: n = Numeric::Mod(a, b); break;
      default: break;
    }
    if (!n.ok()) return n.status();
    return Value::MakeNumeric(std::move(*n));
  }
  const TimeZone& tz = settings.time_zone;
  if (lt == T::kDate && rt == T::kInt4) {
    int64_t days = op == BinaryOp::kSub ? -r.as_int() : r.as_int();
    NORDLYS_ASSIGN_OR_RETURN(int32_t d, DateAddDays(static_cast<int32_t>(l.as_int()), days));
    return Value::Date(d);
  }
  if (lt == T::kInt4 && rt == T::kDate) {
    NORDLYS_ASSIGN_OR_RETURN(int32_t d, DateAddDays(static_cast<int32_t>(r.as_int()), l.as_int()));
    return Value::Date(d);
  }
  if (lt == T::kDate && rt == T::kDate) {
    NORDLYS_ASSIGN_OR_RETURN(int32_t d, DateDiff(static_cast<int32_t>(l.as_int()), static_cast<int32_t>(r.as_int())));
    return Value::Int4(d);
  }
  if ((lt == T::kDate && rt == T::kTime) || (lt == T::kTime && rt == T::kDate)) {
    const Value& d = lt == T::kDate ? l : r;
    const Value& t = lt == T::kDate ? r : l;
    NORDLYS_ASSIGN_OR_RETURN(int64_t ts, DateToTimestamp(static_cast<int32_t>(d.as_int())));
    if (ts == kTimestampPosInfinity || ts == kTimestampNegInfinity) return Value::Timestamp(ts);
    __int128 sum = static_cast<__int128>(ts) + t.as_int();
    if (sum >= 9223371331200000000LL) {
      return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range");
    }
    return Value::Timestamp(static_cast<int64_t>(sum));
  }
  if (lt == T::kInterval && rt == T::kInterval) {
    NORDLYS_ASSIGN_OR_RETURN(Interval iv, op == BinaryOp::kAdd ? IntervalAdd(l.as_interval(), r.as_interval())
                                                               : IntervalSub(l.as_interval(), r.as_interval()));
    return Value::MakeInterval(iv);
  }
  if ((lt == T::kInterval) != (rt == T::kInterval)) {
    const bool left_iv = lt == T::kInterval;
    const Value& other = left_iv ? r : l;
    const T ot = left_iv ? rt : lt;
    const Interval& iv0 = left_iv ? l.as_interval() : r.as_interval();
    if (op == BinaryOp::kMul || op == BinaryOp::kDiv) {
      NORDLYS_ASSIGN_OR_RETURN(Interval iv, op == BinaryOp::kMul ? IntervalMul(iv0, other.as_float())
                                                                 : IntervalDiv(iv0, other.as_float()));
      return Value::MakeInterval(iv);
    }
    Interval iv = iv0;
    if (op == BinaryOp::kSub) {
      NORDLYS_ASSIGN_OR_RETURN(iv, IntervalNegate(iv0));
    }
    if (ot == T::kTimestamp) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, TimestampAddInterval(other.as_int(), iv));
      return Value::Timestamp(ts);
    }
    if (ot == T::kTimestampTz) {
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, TimestampTzAddInterval(other.as_int(), iv, tz));
      return Value::TimestampTz(ts);
    }
    if (ot == T::kTime) return Value::Time(TimeAddInterval(other.as_int(), iv));
  }
  if (lt == rt && (lt == T::kTimestamp || lt == T::kTimestampTz) && op == BinaryOp::kSub) {
    NORDLYS_ASSIGN_OR_RETURN(Interval iv, TimestampDiff(l.as_int(), r.as_int()));
    return Value::MakeInterval(iv);
  }
  if (lt == T::kTime && rt == T::kTime && op == BinaryOp::kSub) {
    return Value::MakeInterval(Interval{l.as_int() - r.as_int(), 0, 0});
  }
  return NoOperator(op, lt, rt);
}

Result<Value> ApplyBinary(BinaryOp op, const Value& l, const Type& lt, const Value& r, const Type& rt,
                          const SessionSettings& settings, Type* result_type) {
  NORDLYS_ASSIGN_OR_RETURN(OperatorSig sig, ResolveBinaryOperator(op, lt.id, rt.id));
  if (result_type) *result_type = Type(sig.result);
  NORDLYS_ASSIGN_OR_RETURN(Value a, CastValue(l, lt, Type(sig.left), false, settings));
  NORDLYS_ASSIGN_OR_RETURN(Value b, CastValue(r, rt, Type(sig.right), false, settings));
  if (a.is_null() || b.is_null()) return Value::Null();
  return EvalBinary(op, a, b, sig, settings);
}

Result<Value> Negate(const Value& v, TypeId type) {
  if (v.is_null()) return v;
  switch (type) {
    case TypeId::kInt2:
    case TypeId::kInt4:
    case TypeId::kInt8: return IntArith(BinaryOp::kSub, 0, v.as_int(), type);
    case TypeId::kFloat4: return Value::Float4(-static_cast<float>(v.as_float()));
    case TypeId::kFloat8: return Value::Float8(-v.as_float());
    case TypeId::kNumeric: return Value::MakeNumeric(v.as_numeric().Negate());
    case TypeId::kInterval: {
      NORDLYS_ASSIGN_OR_RETURN(Interval iv, IntervalNegate(v.as_interval()));
      return Value::MakeInterval(iv);
    }
    default:
      return Status::Sql(StatusCode::kInvalidArgument, "42883",
                         "operator does not exist: - " + FormatType(Type(type)));
  }
}

int CompareValues(const Value& a, const Value& b, TypeId type) {
  switch (a.kind()) {
    case Value::Kind::kNull: return 0;
    case Value::Kind::kBool: return Cmp3(a.as_bool(), b.as_bool());
    case Value::Kind::kOid: return Cmp3(static_cast<uint32_t>(a.as_int()), static_cast<uint32_t>(b.as_int()));
    case Value::Kind::kInt2:
    case Value::Kind::kInt4:
    case Value::Kind::kInt8:
    case Value::Kind::kDate:
    case Value::Kind::kTime:
    case Value::Kind::kTimestamp:
    case Value::Kind::kTimestampTz: return Cmp3(a.as_int(), b.as_int());
    case Value::Kind::kFloat4:
    case Value::Kind::kFloat8: return CompareFloat(a.as_float(), b.as_float());
    case Value::Kind::kNumeric: return Numeric::Compare(a.as_numeric(), b.as_numeric());
    case Value::Kind::kString:
      if (type == TypeId::kBpchar) return CompareBytes(RTrim(a.as_string()), RTrim(b.as_string()));
      return CompareBytes(a.as_string(), b.as_string());
    case Value::Kind::kBytea: return CompareBytes(a.as_string(), b.as_string());
    case Value::Kind::kInterval: return CompareIntervals(a.as_interval(), b.as_interval());
    case Value::Kind::kUuid: return Cmp3(std::memcmp(a.as_uuid().data(), b.as_uuid().data(), 16), 0);
    case Value::Kind::kArray: return CompareArrays(a, b, type);
  }
  return 0;
}

uint64_t HashValue(const Value& v, TypeId type) {
  switch (v.kind()) {
    case Value::Kind::kNull: return 0;
    case Value::Kind::kBool: return v.as_bool() ? 1 : 2;
    case Value::Kind::kFloat4:
    case Value::Kind::kFloat8: {
      double d = v.as_float();
      if (d == 0) d = 0;  // -0 hashes as 0
      if (std::isnan(d)) return 0x7ff8000000000000ULL;
      return std::hash<double>{}(d);
    }
    case Value::Kind::kNumeric: return v.as_numeric().Hash();
    case Value::Kind::kString:
      if (type == TypeId::kBpchar) return std::hash<std::string_view>{}(RTrim(v.as_string()));
      return std::hash<std::string_view>{}(v.as_string());
    case Value::Kind::kBytea: return std::hash<std::string_view>{}(v.as_string()) ^ 0x5bd1e995;
    case Value::Kind::kInterval: return HashInterval(v.as_interval());
    case Value::Kind::kUuid:
      return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(v.as_uuid().data()), 16));
    case Value::Kind::kArray: return HashArray(v, type);
    default: return std::hash<int64_t>{}(v.as_int());
  }
}

}  // namespace nordlys::engine::types
