// Unit tests of the template code (formatting.cc), the field functions (datetime_funcs.cc) and
// numeric math scales (numeric_math.cc). Expected strings are PostgreSQL 15's outputs; the
// differential corpus (tests/sql/corpus/functions_more.sql) checks the same against a server.
#include <gtest/gtest.h>

#include "engine/types/datetime_funcs.h"
#include "engine/types/formatting.h"
#include "engine/types/numeric_math.h"

namespace nordlys::engine::types {
namespace {

Numeric N(const char* s) { return *Numeric::Parse(s); }

std::string Num(const char* value, const char* fmt, int float_digits = 0) {
  auto r = float_digits ? ToCharFloat(std::stod(value), fmt, float_digits) : ToCharNumber(N(value), fmt);
  return r.ok() ? *r : "ERR " + r.status().sqlstate();
}

std::string Ts(const char* ts, const char* fmt) {
  auto t = ParseTimestamp(ts);
  EXPECT_TRUE(t.ok());
  auto r = ToCharTimestamp(*t, nullptr, fmt);
  return r.ok() ? *r : "ERR " + r.status().sqlstate();
}

TEST(ToCharNumberTest, DigitsSignsAndFillMode) {
  EXPECT_EQ(Num("0.5", "9.99"), "  .50");
  EXPECT_EQ(Num("0", "999"), "   0");
  EXPECT_EQ(Num("0", "0.99"), " 0.00");
  EXPECT_EQ(Num("-0.5", "9.99"), " -.50");
  EXPECT_EQ(Num("5", "FM9.99"), "5.");
  EXPECT_EQ(Num("5.5", "FM9.00"), "5.50");
  EXPECT_EQ(Num("12345", "999"), " ###");
  EXPECT_EQ(Num("99.999", "99.99"), " ##.##");
  EXPECT_EQ(Num("-12", "S999"), " -12");
  EXPECT_EQ(Num("12", "999S"), " 12+");
  EXPECT_EQ(Num("-12", "999MI"), " 12-");
  EXPECT_EQ(Num("-12", "999PR"), " <12>");
  EXPECT_EQ(Num("12", "999PR"), "  12 ");
  EXPECT_EQ(Num("1234567", "9,999,999"), " 1,234,567");
  EXPECT_EQ(Num("12", "9,999"), "    12");
  EXPECT_EQ(Num("12", "0,000"), " 0,012");
  EXPECT_EQ(Num("-12", "SG999"), "- 12");
  EXPECT_EQ(Num("12", "PL999"), "+  12");
  EXPECT_EQ(Num("-1234.5", "FM9,999.00"), "-1,234.50");
  EXPECT_EQ(Num("1.5", "9.9999999999999999", 15), " 1.50000000000000");
  EXPECT_EQ(Num("125", "9\"x\"99"), " 1x25");
  EXPECT_EQ(Num("2.5", "9", 15), " 2");
  EXPECT_EQ(Num("1", "9.9.9"), "ERR 42601");
  EXPECT_EQ(Num("1", "9.99EEEE"), "ERR 0A000");
}

TEST(ToCharDateTimeTest, Patterns) {
  EXPECT_EQ(Ts("2024-03-05 07:08:09.123456", "YYYY-MM-DD HH24:MI:SS.MS.US"), "2024-03-05 07:08:09.123.123456");
  EXPECT_EQ(Ts("2024-03-05 19:08:09", "HH12:MI AM, hh:mi pm"), "07:08 PM, 07:08 pm");
  EXPECT_EQ(Ts("2024-03-05 00:00:00", "Day, DD Month YYYY"), "Tuesday  , 05 March     2024");
  EXPECT_EQ(Ts("2024-03-05 00:00:00", "FMDay, FMDD FMMonth"), "Tuesday, 5 March");
  EXPECT_EQ(Ts("2024-03-01 00:00:00", "DDth FMDDTH"), "01st 1ST");
  EXPECT_EQ(Ts("2024-12-30 00:00:00", "IYYY-IW-ID"), "2025-01-1");
  EXPECT_EQ(Ts("2024-07-04 00:00:00", "RM|FMrm|Q"), "VII |vii|3");
  EXPECT_EQ(Ts("2024-03-05 07:08:09", "\"Year\" YYYY"), "Year 2024");
  auto iv = ToCharInterval(Interval{30 * 3600 * kUsecsPerSec, 0, 0}, "HH24 HH12");
  ASSERT_TRUE(iv.ok());
  EXPECT_EQ(*iv, "30 06");
  EXPECT_EQ(ToCharInterval(Interval{}, "Day").status().sqlstate(), "22007");
}

TEST(ToTimestampTest, ParsesCommonTemplates) {
  TimeZone utc;
  auto d = ToDateFromText("05 Mar 2024", "DD Mon YYYY");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2024-03-05");
  d = ToDateFromText("20240305", "YYYYMMDD");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2024-03-05");
  auto t = ToTimestampFromText("05/03/2024 07:30:15.25 PM", "DD/MM/YYYY HH12:MI:SS.MS AM", utc);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTimestamp(*t), "2024-03-05 19:30:15.25");
  EXPECT_EQ(ToDateFromText("2024-02-30", "YYYY-MM-DD").status().sqlstate(), "22008");
  EXPECT_EQ(ToDateFromText("xx", "YYYY").status().sqlstate(), "22007");
}

TEST(DateTimeFieldsTest, ExtractTruncAge) {
  auto ts = *ParseTimestamp("2024-03-15 10:20:30.5");
  auto sec = ExtractFromTimestamp("second", ts, nullptr);
  ASSERT_TRUE(sec.ok());
  EXPECT_EQ((*sec)->ToString(), "30.500000");
  EXPECT_EQ(ExtractFromTimestamp("foo", ts, nullptr).status().sqlstate(), "22023");
  EXPECT_EQ(ExtractFromDate("hour", 0).status().sqlstate(), "0A000");
  auto inf = ExtractFromTimestamp("dow", kTimestampPosInfinity, nullptr);
  ASSERT_TRUE(inf.ok());
  EXPECT_FALSE(inf->has_value());
  auto wk = TruncTimestamp("week", *ParseTimestamp("2024-03-17 10:00"), nullptr);
  ASSERT_TRUE(wk.ok());
  EXPECT_EQ(FormatTimestamp(*wk), "2024-03-11 00:00:00");
  auto age = TimestampAge(*ParseTimestamp("2024-03-01"), *ParseTimestamp("2024-01-31"), nullptr);
  ASSERT_TRUE(age.ok());
  EXPECT_EQ(FormatInterval(*age), "1 mon 1 day");
  EXPECT_EQ(MakeDate(0, 1, 1).status().message(), "date field value out of range: 0-01-01");
}

TEST(NumericMathTest, ScalesAsPostgres) {
  EXPECT_EQ(NumericSqrt(N("2"))->ToString(), "1.414213562373095");
  EXPECT_EQ(NumericSqrt(N("0"))->ToString(), "0.000000000000000");
  EXPECT_EQ(NumericPower(N("10"), N("2"))->ToString(), "100.0000000000000000");
  EXPECT_EQ(NumericPower(N("2"), N("0.5"))->ToString(), "1.4142135623730950");
  EXPECT_EQ(NumericPower(N("2"), N("-2"))->ToString(), "0.2500000000000000");
  EXPECT_EQ(NumericExp(N("1"))->ToString(), "2.7182818284590452");
  EXPECT_EQ(NumericLn(N("10"))->ToString(), "2.3025850929940457");
  EXPECT_EQ(NumericLog(N("2"), N("8"))->ToString(), "3.0000000000000000");
  EXPECT_EQ(NumericDivTrunc(N("-17"), N("5"))->ToString(), "-3");
  EXPECT_EQ(NumericPower(N("0"), N("-1")).status().sqlstate(), "2201F");
  EXPECT_EQ(NumericLn(N("0")).status().sqlstate(), "2201E");
}

}  // namespace
}  // namespace nordlys::engine::types
