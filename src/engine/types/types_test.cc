// Unit tests of the type system without a server: type lookup, numeric arithmetic and scales,
// scalar and date/time I/O, casts, operators, ordering and hashing. The differential
// comparison against PostgreSQL itself is oracle_test.cc.
#include <cmath>

#include <gtest/gtest.h>

#include "engine/types/cast.h"
#include "engine/types/datetime.h"
#include "engine/types/numeric.h"
#include "engine/types/operators.h"
#include "engine/types/scalar_io.h"
#include "engine/types/type.h"
#include "engine/types/type_io.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {
namespace {

Numeric N(const char* s) {
  Result<Numeric> n = Numeric::Parse(s);
  EXPECT_TRUE(n.ok()) << s;
  return n.ok() ? *n : Numeric();
}

std::string Out(const Result<Value>& v, const Type& t) {
  if (!v.ok()) return "ERR " + v.status().sqlstate() + " " + v.status().message();
  return OutputValue(*v, t, SessionSettings{});
}

TEST(TypeTest, LookupByParserNames) {
  Result<Type> t = LookupType({"pg_catalog", "int4"}, {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->oid(), 23u);
  t = LookupType({"varchar"}, {3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->id, TypeId::kVarchar);
  EXPECT_EQ(t->typmod, 7);
  EXPECT_EQ(FormatType(*t), "character varying(3)");
  t = LookupType({"pg_catalog", "numeric"}, {10, 2});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatType(*t), "numeric(10,2)");
  t = LookupType({"nosuchtype"}, {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().sqlstate(), "42704");
  EXPECT_EQ(t.status().message(), "type \"nosuchtype\" does not exist");
  EXPECT_EQ(LookupType({"pg_catalog", "int4"}, {3}).status().sqlstate(), "42601");
  EXPECT_EQ(LookupType({"varchar"}, {0}).status().message(), "length for type varchar must be at least 1");
}

TEST(TypeTest, OidsMatchPostgres) {
  EXPECT_EQ(Type(TypeId::kBool).oid(), 16u);
  EXPECT_EQ(Type(TypeId::kName).oid(), 19u);
  EXPECT_EQ(Type(TypeId::kOid).oid(), 26u);
  EXPECT_EQ(Type(TypeId::kUnknown).oid(), 705u);
  EXPECT_EQ(Type(TypeId::kUuid).oid(), 2950u);
  EXPECT_TRUE(IsKnownTypeOid(1184));
  EXPECT_FALSE(IsKnownTypeOid(114));
}

TEST(NumericTest, ParseAndPrintKeepScale) {
  EXPECT_EQ(N("1.50").ToString(), "1.50");
  EXPECT_EQ(N("1e3").ToString(), "1000");
  EXPECT_EQ(N("1.5e-3").ToString(), "0.0015");
  EXPECT_EQ(N("-0.000").ToString(), "0.000");
  EXPECT_EQ(N(" nan ").ToString(), "NaN");
  EXPECT_EQ(N("-inf").ToString(), "-Infinity");
  Result<Numeric> bad = Numeric::Parse("1e");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().sqlstate(), "22P02");
  EXPECT_EQ(bad.status().message(), "invalid input syntax for type numeric: \"1e\"");
  EXPECT_EQ(Numeric::Parse("1e131072").status().message(), "value overflows numeric format");
}

TEST(NumericTest, DivisionUsesSelectDivScale) {
  EXPECT_EQ(Numeric::Div(N("1"), N("3"))->ToString(), "0.33333333333333333333");
  EXPECT_EQ(Numeric::Div(N("10"), N("3"))->ToString(), "3.3333333333333333");
  EXPECT_EQ(Numeric::Div(N("12345678901234567890"), N("7"))->ToString(), "1763668414462081127");
  EXPECT_EQ(Numeric::Div(N("2"), N("0.0000001"))->ToString(), "20000000.000000000000");
  EXPECT_EQ(Numeric::Div(N("2"), N("3"))->ToString(), "0.66666666666666666667");
  Result<Numeric> z = Numeric::Div(N("1"), N("0"));
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.status().sqlstate(), "22012");
}

TEST(NumericTest, AddMulModScales) {
  EXPECT_EQ(Numeric::Add(N("0.1"), N("0.22"))->ToString(), "0.32");
  EXPECT_EQ(Numeric::Sub(N("0.5"), N("0.5000"))->ToString(), "0.0000");
  EXPECT_EQ(Numeric::Mul(N("1.23"), N("4.567"))->ToString(), "5.61741");
  EXPECT_EQ(Numeric::Mod(N("1.5"), N("0.7"))->ToString(), "0.1");
  EXPECT_EQ(Numeric::Mod(N("-7"), N("3"))->ToString(), "-1");
  EXPECT_TRUE(Numeric::Sub(N("inf"), N("inf"))->is_nan());
}

TEST(NumericTest, RoundingAndTypmod) {
  EXPECT_EQ(N("2.5").Round(0).ToString(), "3");
  EXPECT_EQ(N("-2.5").Round(0).ToString(), "-3");
  EXPECT_EQ(N("1234.5").Round(-2).ToString(), "1200");
  EXPECT_EQ(N("12.345").ApplyTypmod(Type::Numeric(4, 2).typmod)->ToString(), "12.35");
  Result<Numeric> o = N("999.995").ApplyTypmod(Type::Numeric(5, 2).typmod);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "numeric field overflow");
  EXPECT_EQ(N("-2.5").ToInt64(INT32_MIN, INT32_MAX, "integer").value(), -3);
  EXPECT_EQ(N("NaN").ToInt64(INT32_MIN, INT32_MAX, "integer").status().message(), "cannot convert NaN to integer");
}

TEST(NumericTest, OrderAndHashIgnoreScale) {
  EXPECT_EQ(Numeric::Compare(N("1.0"), N("1.00")), 0);
  EXPECT_EQ(N("1.0").Hash(), N("1.00").Hash());
  EXPECT_EQ(N("0").Hash(), N("0.000").Hash());
  EXPECT_LT(Numeric::Compare(N("-inf"), N("-1e100")), 0);
  EXPECT_LT(Numeric::Compare(N("inf"), N("nan")), 0);
  EXPECT_EQ(Numeric::Compare(N("nan"), N("nan")), 0);
  EXPECT_LT(Numeric::Compare(N("0.0999"), N("0.1")), 0);
  EXPECT_GT(Numeric::Compare(N("-0.0999"), N("-0.1")), 0);
}

TEST(NumericTest, BinaryRoundTrip) {
  for (const char* s : {"0", "1.50", "-123456789.000123", "1e20", "0.00001", "NaN", "Infinity", "10000"}) {
    Numeric n = N(s);
    Result<Numeric> back = Numeric::Recv(n.Send());
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(back->ToString(), n.ToString());
  }
  // 1.50: ndigits 2, weight 0, sign 0, dscale 2, digits {1, 5000}
  EXPECT_EQ(N("1.50").Send(), std::string("\x00\x02\x00\x00\x00\x00\x00\x02\x00\x01\x13\x88", 12));
}

TEST(ValueTest, IntegerInputErrors) {
  Result<int64_t> v = ParseInteger("abc", 32);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().sqlstate(), "22P02");
  EXPECT_EQ(v.status().message(), "invalid input syntax for type integer: \"abc\"");
  v = ParseInteger("2147483648", 32);
  EXPECT_EQ(v.status().sqlstate(), "22003");
  EXPECT_EQ(v.status().message(), "value \"2147483648\" is out of range for type integer");
  EXPECT_EQ(ParseInteger(" -32768 ", 16).value(), -32768);
}

TEST(ValueTest, FloatOutputIsShortestExact) {
  EXPECT_EQ(FormatFloat8(0.1), "0.1");
  EXPECT_EQ(FormatFloat8(1e20), "1e+20");
  EXPECT_EQ(FormatFloat8(1e14), "100000000000000");
  EXPECT_EQ(FormatFloat8(1e15), "1e+15");
  EXPECT_EQ(FormatFloat8(0.00001), "1e-05");
  EXPECT_EQ(FormatFloat8(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatFloat8(-0.0), "-0");
  EXPECT_EQ(FormatFloat8(NAN), "NaN");
  EXPECT_EQ(FormatFloat8(-INFINITY), "-Infinity");
  EXPECT_EQ(FormatFloat4(1e6f), "1e+06");
  EXPECT_EQ(FormatFloat4(123456.0f), "123456");
  EXPECT_EQ(ParseFloat8("1e400").status().message(), "\"1e400\" is out of range for type double precision");
}

TEST(ValueTest, BoolByteaUuid) {
  EXPECT_TRUE(ParseBool(" YES ").value());
  EXPECT_FALSE(ParseBool("of").value());
  EXPECT_FALSE(ParseBool("o").ok());
  EXPECT_EQ(FormatBytea(ParseBytea("\\x0AfF").value()), "\\x0aff");
  EXPECT_EQ(ParseBytea("\\x0").status().message(), "invalid hexadecimal data: odd number of digits");
  EXPECT_EQ(FormatUuid(ParseUuid("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}").value()),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST(ValueTest, BinaryRoundTripEveryType) {
  SessionSettings ss;
  struct C {
    const char* type;
    const char* text;
  };
  for (const C& c : {C{"bool", "t"}, C{"int2", "-5"}, C{"int4", "123456"}, C{"int8", "-9223372036854775808"},
                     C{"float4", "1.5"}, C{"float8", "-0.1"}, C{"numeric", "-12.340"}, C{"text", "héllo"},
                     C{"varchar", "x"}, C{"bytea", "\\x00ff"}, C{"date", "1999-12-31"}, C{"time", "12:34:56.5"},
                     C{"timestamp", "2024-01-02 03:04:05"}, C{"timestamptz", "2024-01-02 03:04:05+02"},
                     C{"interval", "1 year 2 days 00:00:03"}, C{"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
                     C{"oid", "4294967295"}}) {
    Type t = LookupTypeByName(c.type).value();
    Value v = InputValue(c.text, t, ss).value();
    Result<Value> back = RecvValue(SendValue(v, t), t);
    ASSERT_TRUE(back.ok()) << c.type;
    EXPECT_EQ(OutputValue(*back, t, ss), OutputValue(v, t, ss)) << c.type;
  }
  EXPECT_EQ(SendValue(Value::Int4(1), Type(TypeId::kInt4)), std::string("\x00\x00\x00\x01", 4));
  EXPECT_EQ(SendValue(Value::Date(0), Type(TypeId::kDate)), std::string(4, '\0'));
}

TEST(DatetimeTest, DateIO) {
  EXPECT_EQ(FormatDate(ParseDate("2024-01-02").value()), "2024-01-02");
  EXPECT_EQ(ParseDate("2000-01-01").value(), 0);
  EXPECT_EQ(FormatDate(ParseDate("1/2/2024").value()), "2024-01-02");
  EXPECT_EQ(FormatDate(ParseDate("0001-01-01 BC").value()), "0001-01-01 BC");
  EXPECT_EQ(FormatDate(ParseDate("infinity").value()), "infinity");
  Result<int32_t> bad = ParseDate("2024-13-01");
  EXPECT_EQ(bad.status().sqlstate(), "22008");
  EXPECT_EQ(bad.status().message(), "date/time field value out of range: \"2024-13-01\"");
  EXPECT_EQ(ParseDate("garbage").status().sqlstate(), "22007");
}

TEST(DatetimeTest, TimestampAndZones) {
  TimeZone utc;
  int64_t ts = ParseTimestampTz("2024-01-02 03:04:05.123+00", utc).value();
  EXPECT_EQ(FormatTimestampTz(ts, utc), "2024-01-02 03:04:05.123+00");
  TimeZone ist = TimeZone::Parse("5.5").value();
  EXPECT_EQ(FormatTimestampTz(ts, ist), "2024-01-02 08:34:05.123+05:30");
  TimeZone posix = TimeZone::Parse("+05:30").value();  // POSIX sign: 5:30 west
  EXPECT_EQ(FormatTimestampTz(ts, posix), "2024-01-01 21:34:05.123-05:30");
  TimeZone oslo = TimeZone::Parse("Europe/Oslo").value();
  EXPECT_EQ(FormatTimestampTz(ts, oslo), "2024-01-02 04:04:05.123+01");
  EXPECT_EQ(TimeZone::Parse("Nowhere/Land").status().sqlstate(), "22023");
  EXPECT_EQ(TimeZone::Parse("no zone!").status().sqlstate(), "22023");
}

TEST(DatetimeTest, IntervalIOAndArithmetic) {
  Interval iv = ParseInterval("1 year 2 mons 3 days 04:05:06").value();
  EXPECT_EQ(FormatInterval(iv), "1 year 2 mons 3 days 04:05:06");
  EXPECT_EQ(FormatInterval(ParseInterval("-1 day +02:00").value()), "-1 days +02:00:00");
  EXPECT_EQ(FormatInterval(ParseInterval("1.5 months").value()), "1 mon 15 days");
  EXPECT_EQ(FormatInterval(ParseInterval("@ 1 hour ago").value()), "-01:00:00");
  EXPECT_EQ(FormatInterval(IntervalMul(ParseInterval("1 mon").value(), 0.5).value()), "15 days");
  EXPECT_EQ(CompareIntervals(ParseInterval("1 mon").value(), ParseInterval("30 days").value()), 0);
  EXPECT_EQ(HashInterval(ParseInterval("1 day").value()), HashInterval(ParseInterval("24 hours").value()));
  int64_t jan31 = ParseTimestamp("2024-01-31").value();
  EXPECT_EQ(FormatTimestamp(TimestampAddInterval(jan31, ParseInterval("1 month").value()).value()),
            "2024-02-29 00:00:00");
}

TEST(CastTest, MatrixLevels) {
  EXPECT_EQ(FindCast(TypeId::kInt4, TypeId::kInt8), CastContext::kImplicit);
  EXPECT_EQ(FindCast(TypeId::kInt8, TypeId::kInt4), CastContext::kAssignment);
  EXPECT_EQ(FindCast(TypeId::kInt4, TypeId::kBool), CastContext::kExplicit);
  EXPECT_EQ(FindCast(TypeId::kDate, TypeId::kText), CastContext::kAssignment);
  EXPECT_EQ(FindCast(TypeId::kText, TypeId::kDate), CastContext::kExplicit);
  EXPECT_FALSE(FindCast(TypeId::kDate, TypeId::kInt4).has_value());
  Result<Value> r = CastValue(Value::Date(0), Type(TypeId::kDate), Type(TypeId::kInt4), true, SessionSettings{});
  EXPECT_EQ(r.status().sqlstate(), "42846");
  EXPECT_EQ(r.status().message(), "cannot cast type date to integer");
}

TEST(CastTest, RoundingRules) {
  SessionSettings ss;
  Type i4(TypeId::kInt4);
  // float -> int rounds half to even (rint); numeric -> int half away from zero.
  EXPECT_EQ(Out(CastValue(Value::Float8(2.5), Type(TypeId::kFloat8), i4, true, ss), i4), "2");
  EXPECT_EQ(Out(CastValue(Value::MakeNumeric(N("2.5")), Type(TypeId::kNumeric), i4, true, ss), i4), "3");
  EXPECT_EQ(Out(CastValue(Value::Float8(3e9), Type(TypeId::kFloat8), i4, true, ss), i4),
            "ERR 22003 integer out of range");
}

TEST(CastTest, CharLengthSemantics) {
  SessionSettings ss;
  Type v3 = Type::Varchar(3), c3 = Type::Bpchar(3), text(TypeId::kText);
  EXPECT_EQ(Out(CastValue(Value::String("abcd"), text, v3, true, ss), v3), "abc");
  EXPECT_EQ(Out(CastValue(Value::String("abcd"), text, v3, false, ss), v3),
            "ERR 22001 value too long for type character varying(3)");
  EXPECT_EQ(Out(CastValue(Value::String("abc  "), text, v3, false, ss), v3), "abc");
  EXPECT_EQ(Out(CastValue(Value::String("a"), text, c3, false, ss), c3), "a  ");
  EXPECT_EQ(Out(CastValue(Value::String("a  "), c3, text, false, ss), text), "a");
  EXPECT_EQ(Out(CastValue(Value::Bool(true), Type(TypeId::kBool), text, false, ss), text), "true");
}

TEST(ValueTest, OperatorsOverflowAndDivision) {
  SessionSettings ss;
  Type i4(TypeId::kInt4), i2(TypeId::kInt2), f8(TypeId::kFloat8);
  Type rt;
  EXPECT_EQ(Out(ApplyBinary(BinaryOp::kAdd, Value::Int4(INT32_MAX), i4, Value::Int4(1), i4, ss, &rt), i4),
            "ERR 22003 integer out of range");
  EXPECT_EQ(Out(ApplyBinary(BinaryOp::kMul, Value::Int2(200), i2, Value::Int2(200), i2, ss, &rt), i2),
            "ERR 22003 smallint out of range");
  EXPECT_EQ(Out(ApplyBinary(BinaryOp::kDiv, Value::Int4(1), i4, Value::Int4(0), i4, ss, &rt), i4),
            "ERR 22012 division by zero");
  Result<Value> v = ApplyBinary(BinaryOp::kAdd, Value::Int2(1), i2, Value::Float4(1.5f), Type(TypeId::kFloat4), ss, &rt);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(rt.id, TypeId::kFloat8);
  EXPECT_EQ(Out(v, f8), "2.5");
  Result<OperatorSig> none = ResolveBinaryOperator(BinaryOp::kAdd, TypeId::kDate, TypeId::kInt8);
  EXPECT_EQ(none.status().message(), "operator does not exist: date + bigint");
}

TEST(ValueTest, CompareAndHashAreConsistent) {
  EXPECT_EQ(CompareValues(Value::Float8(NAN), Value::Float8(NAN), TypeId::kFloat8), 0);
  EXPECT_GT(CompareValues(Value::Float8(NAN), Value::Float8(INFINITY), TypeId::kFloat8), 0);
  EXPECT_EQ(CompareValues(Value::Float8(-0.0), Value::Float8(0.0), TypeId::kFloat8), 0);
  EXPECT_EQ(HashValue(Value::Float8(-0.0), TypeId::kFloat8), HashValue(Value::Float8(0.0), TypeId::kFloat8));
  EXPECT_EQ(CompareValues(Value::String("ab "), Value::String("ab"), TypeId::kBpchar), 0);
  EXPECT_EQ(HashValue(Value::String("ab "), TypeId::kBpchar), HashValue(Value::String("ab"), TypeId::kBpchar));
  EXPECT_NE(CompareValues(Value::String("ab "), Value::String("ab"), TypeId::kText), 0);
  EXPECT_LT(CompareValues(Value::String("B"), Value::String("a"), TypeId::kText), 0);  // C collation
  EXPECT_EQ(HashValue(Value::MakeNumeric(N("1.0")), TypeId::kNumeric),
            HashValue(Value::MakeNumeric(N("1")), TypeId::kNumeric));
}

TEST(ArrayTest, TextFormRoundTripsAndQuotesAsPg) {
  SessionSettings st;
  Type ta(TypeId::kTextArray);
  EXPECT_EQ(Out(InputValue("{a,\"b c\",NULL,\"\",\"NULL\",\"x\\\"y\"}", ta, st), ta),
            "{a,\"b c\",NULL,\"\",\"NULL\",\"x\\\"y\"}");
  EXPECT_EQ(Out(InputValue("  { 1 ,2, null }  ", Type(TypeId::kInt4Array), st), Type(TypeId::kInt4Array)),
            "{1,2,NULL}");
  EXPECT_EQ(Out(InputValue("{}", ta, st), ta), "{}");
  EXPECT_EQ(Out(InputValue("{a b  }", ta, st), ta), "{\"a b\"}");  // trailing blanks dropped, inner kept
  EXPECT_EQ(Out(InputValue("{1,2", Type(TypeId::kInt4Array), st), Type(TypeId::kInt4Array)).substr(0, 9), "ERR 22P02");
  EXPECT_EQ(Out(InputValue("{1}x", Type(TypeId::kInt4Array), st), Type(TypeId::kInt4Array)).substr(0, 9), "ERR 22P02");
  EXPECT_EQ(Out(InputValue("{{1}}", Type(TypeId::kInt4Array), st), Type(TypeId::kInt4Array)).substr(0, 9), "ERR 0A000");
  EXPECT_EQ(Out(InputValue("[0:1]={1,2}", Type(TypeId::kInt4Array), st), Type(TypeId::kInt4Array)).substr(0, 9),
            "ERR 0A000");
  // The element type's typmod applies to each element.
  Type vc3(TypeId::kVarcharArray, 3 + kVarHdrSz);
  EXPECT_EQ(Out(InputValue("{abcd}", vc3, st), vc3).substr(0, 9), "ERR 22001");
  EXPECT_EQ(FormatType(vc3), "character varying(3)[]");
}

TEST(ArrayTest, BinaryFormRoundTrips) {
  Type t(TypeId::kInt8Array);
  Value v = Value::Array({Value::Int8(1), Value(), Value::Int8(-7)});
  std::string b = SendValue(v, t);
  EXPECT_EQ(b.size(), 12u + 8u + 3 * 4u + 2 * 8u);
  Result<Value> back = RecvValue(b, t);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(OutputValue(*back, t, SessionSettings{}), "{1,NULL,-7}");
  EXPECT_FALSE(RecvValue(b.substr(0, b.size() - 1), t).ok());
  EXPECT_FALSE(RecvValue(b, Type(TypeId::kInt4Array)).ok());  // element type mismatch
  Result<Value> empty = RecvValue(SendValue(Value::Array({}), t), t);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->as_array().empty());
}

TEST(ArrayTest, OrderCastsAndRegTypes) {
  Type t(TypeId::kInt4Array);
  auto arr = [](std::vector<Value> v) { return Value::Array(std::move(v)); };
  EXPECT_LT(CompareValues(arr({Value::Int4(1), Value::Int4(2)}), arr({Value::Int4(1), Value::Int4(3)}), t.id), 0);
  EXPECT_LT(CompareValues(arr({Value::Int4(1)}), arr({Value::Int4(1), Value::Int4(0)}), t.id), 0);
  EXPECT_GT(CompareValues(arr({Value()}), arr({Value::Int4(9)}), t.id), 0);  // NULL elements sort last
  EXPECT_EQ(HashValue(arr({Value::Int4(5)}), t.id), HashValue(arr({Value::Int4(5)}), t.id));
  Result<Value> c = CastValue(arr({Value::Int4(1), Value()}), t, Type(TypeId::kTextArray), false, SessionSettings{});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(OutputValue(*c, Type(TypeId::kTextArray), SessionSettings{}), "{1,NULL}");
  EXPECT_EQ(FindCast(TypeId::kInt4Array, TypeId::kInt8Array), CastContext::kImplicit);
  EXPECT_EQ(FindCast(TypeId::kOid, TypeId::kRegclass), CastContext::kImplicit);
  EXPECT_EQ(FindCast(TypeId::kRegclass, TypeId::kInt4), CastContext::kAssignment);
  EXPECT_FALSE(FindCast(TypeId::kRegclass, TypeId::kRegtype).has_value());
  // Without a namer (no catalog), reg* values read digits and print numbers.
  EXPECT_EQ(Out(InputValue("1259", Type(TypeId::kRegclass), SessionSettings{}), Type(TypeId::kRegclass)), "1259");
  EXPECT_EQ(Out(InputValue("pg_class", Type(TypeId::kRegclass), SessionSettings{}), Type(TypeId::kRegclass)).substr(0, 9),
            "ERR 0A000");
  EXPECT_EQ(Out(Value::Oid(0), Type(TypeId::kRegclass)), "-");
}

}  // namespace
}  // namespace nordlys::engine::types
