// The date/time functions of PostgreSQL 15 that compute on fields: extract/date_part,
// date_trunc, age, make_date/make_time/make_timestamp/make_interval, justify_*, to_timestamp
// (double), and the zone arguments of AT TIME ZONE. Errors carry PG's SQLSTATEs and messages:
// 22023 unit "x" not recognized for type t, 0A000 unit "x" not supported for type t, 22008
// for out-of-range fields.
//
// Time stamps with time zone are decomposed in a fixed-offset TimeZone (datetime.h): the
// session's, or the one AT TIME ZONE names.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/types/datetime.h"
#include "engine/types/numeric.h"

namespace nordlys::engine::types {

// A broken-down local date and time (astronomical years: 0 = 1 BC).
struct DateTimeFields {
  int64_t year = 2000;
  int month = 1, day = 1;
  int hour = 0, minute = 0, second = 0;
  int64_t usec = 0;    // fraction of the second
  int64_t days = 0;    // days since 2000-01-01 of the date
};
DateTimeFields SplitTimestamp(int64_t local_us);
// ISO 8601 week-numbering: day of week 1 (Monday) .. 7, week 1..53 and its year.
int IsoDayOfWeek(int64_t days);
void IsoWeek(int64_t days, int64_t* iso_year, int* week);

// What extract and date_part compute on. `tz` is the zone of a timestamptz (null: timestamp).
// nullopt: SQL NULL (an infinite input with a field that is not monotonic).
Result<std::optional<Numeric>> ExtractFromTimestamp(std::string_view unit, int64_t ts, const TimeZone* tz);
Result<std::optional<Numeric>> ExtractFromDate(std::string_view unit, int32_t date);
Result<std::optional<Numeric>> ExtractFromTime(std::string_view unit, int64_t time_us);
Result<std::optional<Numeric>> ExtractFromInterval(std::string_view unit, const Interval& iv);

// date_trunc. For a timestamptz, `tz` is the zone the truncation happens in.
Result<int64_t> TruncTimestamp(std::string_view unit, int64_t ts, const TimeZone* tz);
Result<Interval> TruncInterval(std::string_view unit, const Interval& iv);

// age(a, b): the symbolic difference in years, months, days and time (timestamp_age).
Result<Interval> TimestampAge(int64_t a, int64_t b, const TimeZone* tz);

Result<int32_t> MakeDate(int64_t year, int64_t month, int64_t day);
Result<int64_t> MakeTime(int64_t hour, int64_t minute, double second);
// A local timestamp (timestamp, or the wall-clock time of make_timestamptz).
Result<int64_t> MakeTimestamp(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                              double second);
Result<Interval> MakeInterval(int64_t years, int64_t months, int64_t weeks, int64_t days, int64_t hours,
                              int64_t minutes, double seconds);
// to_timestamp(double precision): Unix seconds to a timestamptz.
Result<int64_t> TimestampFromUnixSeconds(double seconds);

Result<Interval> JustifyDays(const Interval& iv);
Result<Interval> JustifyHours(const Interval& iv);
Result<Interval> JustifyInterval(const Interval& iv);

// The zone of AT TIME ZONE / timezone(text, ...) and date_trunc's third argument: UTC and its
// aliases, and POSIX offsets ("+05", "-03:30", "UTC+5"; west positive, as PG reads them).
// 22023 time zone "x" not recognized; 0A000 for tzdata names and DST abbreviations.
Result<TimeZone> ZoneForAtTimeZone(std::string_view name);
// make_timestamptz's zone: "+02" is ISO (two hours east); otherwise as ZoneForAtTimeZone.
Result<TimeZone> ZoneForMakeTimestamptz(std::string_view name);
// timezone(interval, ...): 22023 when the interval has months or days.
Result<TimeZone> ZoneFromInterval(const Interval& iv);

}  // namespace nordlys::engine::types
