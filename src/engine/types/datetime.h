// Dates, times, timestamps and intervals as PostgreSQL 15 stores and prints them, with
// DateStyle = ISO, MDY and IntervalStyle = postgres:
//   date        int32 days since 2000-01-01 (INT32_MIN/MAX = -infinity/infinity)
//   time        int64 microseconds since midnight (0 .. 24:00:00)
//   timestamp   int64 microseconds since 2000-01-01 00:00:00 (INT64_MIN/MAX = -/+infinity);
//   timestamptz the same instant in UTC, printed in the session time zone
//   interval    {int64 microseconds, int32 days, int32 months}
//
// Time zones: UTC/GMT, a number of hours ("5.5", ISO sign: east positive), named tzdata zones
// ("Europe/Oslo", "EST5EDT"; tzfile.h) and POSIX offsets ("+05:30", "UTC+5": POSIX sign, west
// positive, as PG reads them), tried in that order as PostgreSQL does.
//
// Thread safety: pure functions and value types; safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/types/tzfile.h"

namespace nordlys::engine::types {

constexpr int64_t kUsecsPerSec = 1000000;
constexpr int64_t kUsecsPerDay = 86400 * kUsecsPerSec;
constexpr int64_t kUnixSecondsTo2000 = 946684800;  // 1970-01-01 to 2000-01-01
constexpr int32_t kDateNegInfinity = INT32_MIN;
constexpr int32_t kDatePosInfinity = INT32_MAX;
constexpr int64_t kTimestampNegInfinity = INT64_MIN;
constexpr int64_t kTimestampPosInfinity = INT64_MAX;

struct Interval {
  int64_t time_us = 0;
  int32_t days = 0;
  int32_t months = 0;
  bool operator==(const Interval& o) const = default;
};

// A session time zone: a fixed offset or a named zone's rules (see the file comment).
class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // The TimeZone setting: 22023 invalid value for parameter "TimeZone": "x".
  static Result<TimeZone> Parse(std::string_view setting);
  // `abbrev` is what to_char's TZ shows ("UTC" for "UTC+5", "" for "+05:30", as PG does).
  static TimeZone FixedOffset(int32_t seconds_east, std::string name, std::string abbrev = "");
  static TimeZone Named(std::shared_ptr<const ZoneRules> rules);
  // Seconds east of UTC at the given UTC instant.
  int32_t OffsetAt(int64_t utc_us) const;
  // The offset for a local wall-clock time. A time the clocks skipped (spring forward) takes the
  // offset before the change, a time they passed twice (fall back) the offset after it, as in
  // PostgreSQL ("2018-03-11 02:30" in America/New_York is 03:30 EDT).
  int32_t OffsetForLocal(int64_t local_us) const;
  // The zone's abbreviation at a UTC instant ("CEST", "+0545"; a fixed zone's own).
  std::string AbbrevAt(int64_t utc_us) const;
  bool named() const { return rules_ != nullptr; }
  const std::string& name() const { return name_; }

 private:
  int32_t seconds_east_ = 0;
  std::string name_ = "UTC";
  std::string abbrev_ = "UTC";
  std::shared_ptr<const ZoneRules> rules_;  // null: the fixed seconds_east_
};

// date_in / date_out.
Result<int32_t> ParseDate(std::string_view text);
std::string FormatDate(int32_t date);
// time_in / time_out; `typmod` rounds fractional seconds (-1 = none).
Result<int64_t> ParseTime(std::string_view text, int32_t typmod = -1);
std::string FormatTime(int64_t time_us);
// timestamp_in / timestamptz_in. A zone in the text is ignored for timestamp; for
// timestamptz a missing zone means the session zone.
Result<int64_t> ParseTimestamp(std::string_view text, int32_t typmod = -1);
Result<int64_t> ParseTimestampTz(std::string_view text, const TimeZone& tz, int32_t typmod = -1);
std::string FormatTimestamp(int64_t ts);
std::string FormatTimestampTz(int64_t ts, const TimeZone& tz);
// interval_in / interval_out (postgres style).
Result<Interval> ParseInterval(std::string_view text, int32_t typmod = -1);
std::string FormatInterval(const Interval& iv);

// Rounding to a precision typmod (AdjustTimeForTypmod / AdjustTimestampForTypmod).
int64_t RoundTime(int64_t time_us, int32_t typmod);
Result<int64_t> RoundTimestamp(int64_t ts, int32_t typmod);
Result<Interval> RoundInterval(const Interval& iv, int32_t typmod);

// Arithmetic. Errors: 22008 date out of range / timestamp out of range / interval out of range,
// 22012 division by zero.
Result<int32_t> DateAddDays(int32_t date, int64_t days);
Result<int32_t> DateDiff(int32_t a, int32_t b);  // 22008 cannot subtract infinite dates
Result<int64_t> TimestampAddInterval(int64_t ts, const Interval& iv);
Result<int64_t> TimestampTzAddInterval(int64_t ts, const Interval& iv, const TimeZone& tz);
Result<Interval> TimestampDiff(int64_t a, int64_t b);
Result<Interval> IntervalAdd(const Interval& a, const Interval& b);
Result<Interval> IntervalSub(const Interval& a, const Interval& b);
Result<Interval> IntervalNegate(const Interval& a);
Result<Interval> IntervalMul(const Interval& a, double factor);
Result<Interval> IntervalDiv(const Interval& a, double factor);
// time + interval wraps around midnight (time_pl_interval).
int64_t TimeAddInterval(int64_t time_us, const Interval& iv);

// Conversions (the casts among date/time types).
Result<int64_t> DateToTimestamp(int32_t date);
Result<int64_t> DateToTimestampTz(int32_t date, const TimeZone& tz);
Result<int32_t> TimestampToDate(int64_t ts);
int64_t TimestampToTime(int64_t ts);
Result<int64_t> TimestampToTimestampTz(int64_t ts, const TimeZone& tz);
Result<int64_t> TimestampTzToTimestamp(int64_t ts, const TimeZone& tz);
Interval TimeToInterval(int64_t time_us);
int64_t IntervalToTime(const Interval& iv);

// Interval ordering as PG's interval_cmp: months count 30 days, days 24 hours.
int CompareIntervals(const Interval& a, const Interval& b);
uint64_t HashInterval(const Interval& iv);

// Calendar helpers (proleptic Gregorian, astronomical years: 0 = 1 BC).
int32_t DaysFromCivil(int64_t year, int month, int day);  // days since 2000-01-01
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

}  // namespace nordlys::engine::types
