// extract/date_part, date_trunc, age, make_*, justify_* and AT TIME ZONE zones, after
// PostgreSQL 15's timestamp.c/date.c field arithmetic (C's truncating division included).
#include "engine/types/datetime_funcs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nordlys::engine::types {
namespace {

constexpr int64_t kUsecsPerMinute = 60 * kUsecsPerSec;
constexpr int64_t kUsecsPerHour = 60 * kUsecsPerMinute;
constexpr int64_t kPgEpochJulian = 2451545;   // POSTGRES_EPOCH_JDATE (2000-01-01)
constexpr int64_t kUnixEpochDays = -10957;    // 1970-01-01 in days since 2000-01-01
constexpr int64_t kMinTimestamp = -211813488000000000LL;
constexpr int64_t kEndTimestamp = 9223371331200000000LL;

// Units as PG's DecodeUnits/DecodeSpecial classify them.
enum class Unit {
  kMicro, kMilli, kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear, kDecade, kCentury,
  kMillennium, kDow, kIsodow, kDoy, kIsoyear, kJulian, kTz, kTzHour, kTzMinute,
  kEpoch,         // RESERV epoch
  kOtherReserved, // RESERV words no field function supports (now, infinity, ...)
  kUnknown,
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Unit LookupUnit(const std::string& lower) {
  std::string w = lower.substr(0, 10);  // TOKMAXLEN
  struct U {
    const char* name;
    Unit unit;
  };
  static const U kUnits[] = {
      {"c", Unit::kCentury}, {"cent", Unit::kCentury}, {"centuries", Unit::kCentury}, {"century", Unit::kCentury},
      {"d", Unit::kDay}, {"day", Unit::kDay}, {"days", Unit::kDay}, {"dec", Unit::kDecade},
      {"decade", Unit::kDecade}, {"decades", Unit::kDecade}, {"decs", Unit::kDecade}, {"h", Unit::kHour},
      {"hour", Unit::kHour}, {"hours", Unit::kHour}, {"hr", Unit::kHour}, {"hrs", Unit::kHour},
      {"m", Unit::kMinute}, {"microsecon", Unit::kMicro}, {"mil", Unit::kMillennium},
      {"millennia", Unit::kMillennium}, {"millennium", Unit::kMillennium}, {"millisecon", Unit::kMilli},
      {"mils", Unit::kMillennium}, {"min", Unit::kMinute}, {"mins", Unit::kMinute}, {"minute", Unit::kMinute},
      {"minutes", Unit::kMinute}, {"mon", Unit::kMonth}, {"mons", Unit::kMonth}, {"month", Unit::kMonth},
      {"months", Unit::kMonth}, {"ms", Unit::kMilli}, {"msec", Unit::kMilli}, {"msecond", Unit::kMilli},
      {"mseconds", Unit::kMilli}, {"msecs", Unit::kMilli}, {"qtr", Unit::kQuarter}, {"quarter", Unit::kQuarter},
      {"s", Unit::kSecond}, {"sec", Unit::kSecond}, {"second", Unit::kSecond}, {"seconds", Unit::kSecond},
      {"secs", Unit::kSecond}, {"timezone", Unit::kTz}, {"timezone_h", Unit::kTzHour},
      {"timezone_m", Unit::kTzMinute}, {"us", Unit::kMicro}, {"usec", Unit::kMicro}, {"usecond", Unit::kMicro},
      {"useconds", Unit::kMicro}, {"usecs", Unit::kMicro}, {"w", Unit::kWeek}, {"week", Unit::kWeek},
      {"weeks", Unit::kWeek}, {"y", Unit::kYear}, {"year", Unit::kYear}, {"years", Unit::kYear},
      {"yr", Unit::kYear}, {"yrs", Unit::kYear},
      // datetktbl (DecodeSpecial)
      {"dow", Unit::kDow}, {"doy", Unit::kDoy}, {"isodow", Unit::kIsodow}, {"isoyear", Unit::kIsoyear},
      {"j", Unit::kJulian}, {"jd", Unit::kJulian}, {"julian", Unit::kJulian}, {"epoch", Unit::kEpoch},
      {"invalid", Unit::kOtherReserved}, {"infinity", Unit::kOtherReserved}, {"-infinity", Unit::kOtherReserved},
      {"now", Unit::kOtherReserved}, {"today", Unit::kOtherReserved}, {"tomorrow", Unit::kOtherReserved},
      {"yesterday", Unit::kOtherReserved}, {"allballs", Unit::kOtherReserved},
  };
  for (const U& u : kUnits) {
    if (w == u.name) return u.unit;
  }
  return Unit::kUnknown;
}

Status NotSupported(const std::string& unit, std::string_view type) {
  return Status::Sql(StatusCode::kNotSupported, "0A000",
                     "unit \"" + unit + "\" not supported for type " + std::string(type));
}
Status NotRecognized(const std::string& unit, std::string_view type) {
  return Status::Sql(StatusCode::kInvalidArgument, "22023",
                     "unit \"" + unit + "\" not recognized for type " + std::string(type));
}
Status TsOutOfRange() { return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range"); }
Status IntervalOutOfRange() { return Status::Sql(StatusCode::kOutOfRange, "22008", "interval out of range"); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// An exact numeric v * 10^-scale.
Numeric Scaled(int64_t v, int scale) {
  bool neg = v < 0;
  uint64_t mag = neg ? 0ULL - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string s = std::to_string(mag);
  if (scale > 0) {
    if (static_cast<int>(s.size()) <= scale) s.insert(0, scale - s.size() + 1, '0');
    s.insert(s.size() - scale, ".");
  }
  return *Numeric::Parse((neg ? "-" : "") + s);
}
Numeric Int(int64_t v) { return Numeric::FromInt64(v); }

// Years as extract shows them: 1 BC is -1 (no year zero).
int64_t DisplayYear(int64_t y) { return y > 0 ? y : y - 1; }
int64_t Decade(int64_t y) { return y >= 0 ? y / 10 : -((8 - (y - 1)) / 10); }
int64_t Century(int64_t y) { return y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100); }
int64_t Millennium(int64_t y) { return y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000); }

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// date_trunc looks units up in PG's deltatktbl only (DecodeUnits): dow, doy, isodow, isoyear,
// julian and epoch are not units there.
bool InDeltaTable(Unit u) {
  switch (u) {
    case Unit::kDow: case Unit::kIsodow: case Unit::kDoy: case Unit::kIsoyear: case Unit::kJulian:
    case Unit::kEpoch: case Unit::kOtherReserved: case Unit::kUnknown:
      return false;
    default:
      return true;
  }
}

bool Monotonic(Unit u) {
  return u == Unit::kYear || u == Unit::kDecade || u == Unit::kCentury || u == Unit::kMillennium ||
         u == Unit::kJulian || u == Unit::kIsoyear || u == Unit::kEpoch;
}
bool Oscillating(Unit u) {
  switch (u) {
    case Unit::kMicro: case Unit::kMilli: case Unit::kSecond: case Unit::kMinute: case Unit::kHour:
    case Unit::kDay: case Unit::kMonth: case Unit::kQuarter: case Unit::kWeek: case Unit::kDow:
    case Unit::kIsodow: case Unit::kDoy: case Unit::kTz: case Unit::kTzMinute: case Unit::kTzHour:
      return true;
    default:
      return false;
  }
}

// The date-only fields (shared by timestamp and date extraction); nullopt when not one.
std::optional<Numeric> DateField(Unit u, const DateTimeFields& f) {
  switch (u) {
    case Unit::kDay: return Int(f.day);
    case Unit::kMonth: return Int(f.month);
    case Unit::kQuarter: return Int((f.month - 1) / 3 + 1);
    case Unit::kWeek: {
      int64_t iy;
      int w;
      IsoWeek(f.days, &iy, &w);
      return Int(w);
    }
    case Unit::kYear: return Int(DisplayYear(f.year));
    case Unit::kDecade: return Int(Decade(f.year));
    case Unit::kCentury: return Int(Century(f.year));
    case Unit::kMillennium: return Int(Millennium(f.year));
    case Unit::kIsoyear: {
      int64_t iy;
      int w;
      IsoWeek(f.days, &iy, &w);
      return Int(iy <= 0 ? iy - 1 : iy);
    }
    case Unit::kDow: return Int(IsoDayOfWeek(f.days) % 7);
    case Unit::kIsodow: return Int(IsoDayOfWeek(f.days));
    case Unit::kDoy: return Int(f.days - DaysFromCivil(f.year, 1, 1) + 1);
    default: return std::nullopt;
  }
}

// Time-of-day fields: microseconds, milliseconds, second, minute, hour.
std::optional<Numeric> ClockField(Unit u, int64_t hour, int64_t minute, int64_t second, int64_t usec) {
  switch (u) {
    case Unit::kMicro: return Int(second * kUsecsPerSec + usec);
    case Unit::kMilli: return Scaled(second * kUsecsPerSec + usec, 3);
    case Unit::kSecond: return Scaled(second * kUsecsPerSec + usec, 6);
    case Unit::kMinute: return Int(minute);
    case Unit::kHour: return Int(hour);
    default: return std::nullopt;
  }
}

// PG's interval2itm: fields truncated toward zero, each keeping the interval's signs.
struct IntervalFields {
  int64_t year, month, day, hour, minute, second, usec;
};
IntervalFields SplitInterval(const Interval& iv) {
  IntervalFields f;
  f.year = iv.months / 12;
  f.month = iv.months % 12;
  f.day = iv.days;
  int64_t t = iv.time_us;
  f.hour = t / kUsecsPerHour;
  t -= f.hour * kUsecsPerHour;
  f.minute = t / kUsecsPerMinute;
  t -= f.minute * kUsecsPerMinute;
  f.second = t / kUsecsPerSec;
  f.usec = t - f.second * kUsecsPerSec;
  return f;
}

Result<Interval> FromIntervalFields(const IntervalFields& f) {
  __int128 months = static_cast<__int128>(f.year) * 12 + f.month;
  __int128 time = ((static_cast<__int128>(f.hour) * 60 + f.minute) * 60 + f.second) * kUsecsPerSec + f.usec;
  if (months < INT32_MIN || months > INT32_MAX || f.day < INT32_MIN || f.day > INT32_MAX ||
      time < INT64_MIN || time > INT64_MAX) {
    return IntervalOutOfRange();
  }
  return Interval{static_cast<int64_t>(time), static_cast<int32_t>(f.day), static_cast<int32_t>(months)};
}

std::string TwoDigits(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld", static_cast<long long>(v));  // NOLINT(runtime/int)
  return buf;
}
std::string FormatG(double v, bool two) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), two ? "%02g" : "%g", v);
  return buf;
}

bool FloatTimeOverflows(int64_t hour, int64_t minute, double sec) {
  if (hour < 0 || hour > 24) return true;
  if (minute < 0 || minute >= 60) return true;
  if (!(sec >= 0.0 && sec <= 60.0)) return true;  // NaN fails too
  if (hour == 24 && (minute > 0 || sec > 0)) return true;
  double us = std::rint(sec * kUsecsPerSec);
  return static_cast<double>((hour * 60 + minute) * 60) * kUsecsPerSec + us > static_cast<double>(kUsecsPerDay);
}

}  // namespace

DateTimeFields SplitTimestamp(int64_t local) {
  DateTimeFields f;
  int64_t days = FloorDiv(local, kUsecsPerDay);
  int64_t t = local - days * kUsecsPerDay;
  f.days = days;
  CivilFromDays(days, &f.year, &f.month, &f.day);
  f.hour = static_cast<int>(t / kUsecsPerHour);
  t -= f.hour * kUsecsPerHour;
  f.minute = static_cast<int>(t / kUsecsPerMinute);
  t -= f.minute * kUsecsPerMinute;
  f.second = static_cast<int>(t / kUsecsPerSec);
  f.usec = t - f.second * kUsecsPerSec;
  return f;
}

int IsoDayOfWeek(int64_t days) {
  // 2000-01-01 was a Saturday (ISO 6).
  int64_t r = (days + 5) % 7;
  if (r < 0) r += 7;
  return static_cast<int>(r) + 1;
}

void IsoWeek(int64_t days, int64_t* iso_year, int* week) {
  int64_t thursday = days - (IsoDayOfWeek(days) - 1) + 3;
  int64_t y;
  int m, d;
  CivilFromDays(thursday, &y, &m, &d);
  *iso_year = y;
  *week = static_cast<int>((thursday - DaysFromCivil(y, 1, 1)) / 7 + 1);
}

Result<std::optional<Numeric>> ExtractFromTimestamp(std::string_view unit_text, int64_t ts, const TimeZone* tz) {
  std::string unit = Lower(unit_text);
  const char* type = tz ? "timestamp with time zone" : "timestamp without time zone";
  Unit u = LookupUnit(unit);
  if (u == Unit::kUnknown) return NotRecognized(unit, type);
  if (ts == kTimestampPosInfinity || ts == kTimestampNegInfinity) {
    if (Oscillating(u)) return std::optional<Numeric>();
    if (Monotonic(u)) return std::optional<Numeric>(Numeric::Infinity(ts == kTimestampNegInfinity));
    return NotSupported(unit, type);
  }
  int32_t east = tz ? tz->OffsetAt(ts) : 0;
  DateTimeFields f = SplitTimestamp(ts + static_cast<int64_t>(east) * kUsecsPerSec);
  if (auto c = ClockField(u, f.hour, f.minute, f.second, f.usec)) return std::optional<Numeric>(*c);
  if (auto d = DateField(u, f)) return std::optional<Numeric>(*d);
  switch (u) {
    case Unit::kJulian: {
      int64_t day_us = ((static_cast<int64_t>(f.hour) * 60 + f.minute) * 60 + f.second) * kUsecsPerSec + f.usec;
      NORDLYS_ASSIGN_OR_RETURN(Numeric frac, Numeric::Div(Int(day_us), Int(kUsecsPerDay)));
      NORDLYS_ASSIGN_OR_RETURN(Numeric j, Numeric::Add(Int(f.days + kPgEpochJulian), frac));
      return std::optional<Numeric>(j);
    }
    case Unit::kEpoch: {
      __int128 us = static_cast<__int128>(ts) - kUnixEpochDays * kUsecsPerDay;
      if (us > INT64_MAX || us < INT64_MIN) {
        NORDLYS_ASSIGN_OR_RETURN(Numeric a, Numeric::Add(Scaled(ts, 6), Int(-kUnixEpochDays * 86400)));
        return std::optional<Numeric>(a);
      }
      return std::optional<Numeric>(Scaled(static_cast<int64_t>(us), 6));
    }
    case Unit::kTz:
    case Unit::kTzHour:
    case Unit::kTzMinute:
      if (!tz) return NotSupported(unit, type);
      if (u == Unit::kTz) return std::optional<Numeric>(Int(east));
      if (u == Unit::kTzHour) return std::optional<Numeric>(Int(east / 3600));
      return std::optional<Numeric>(Int((east / 60) % 60));
    default:
      return NotSupported(unit, type);
  }
}

Result<std::optional<Numeric>> ExtractFromDate(std::string_view unit_text, int32_t date) {
  std::string unit = Lower(unit_text);
  Unit u = LookupUnit(unit);
  if (u == Unit::kUnknown) return NotRecognized(unit, "date");
  if (date == kDatePosInfinity || date == kDateNegInfinity) {
    switch (u) {
      case Unit::kDay: case Unit::kMonth: case Unit::kQuarter: case Unit::kWeek: case Unit::kDow:
      case Unit::kIsodow: case Unit::kDoy:
        return std::optional<Numeric>();
      default:
        if (Monotonic(u)) return std::optional<Numeric>(Numeric::Infinity(date == kDateNegInfinity));
        return NotSupported(unit, "date");
    }
  }
  DateTimeFields f = SplitTimestamp(static_cast<int64_t>(date) * kUsecsPerDay);
  if (auto d = DateField(u, f)) return std::optional<Numeric>(*d);
  if (u == Unit::kJulian) return std::optional<Numeric>(Int(date + kPgEpochJulian));
  if (u == Unit::kEpoch) return std::optional<Numeric>(Int((static_cast<int64_t>(date) - kUnixEpochDays) * 86400));
  return NotSupported(unit, "date");
}

Result<std::optional<Numeric>> ExtractFromTime(std::string_view unit_text, int64_t t) {
  std::string unit = Lower(unit_text);
  const char* type = "time without time zone";
  Unit u = LookupUnit(unit);
  if (u == Unit::kUnknown) return NotRecognized(unit, type);
  int64_t hour = t / kUsecsPerHour;
  int64_t rest = t - hour * kUsecsPerHour;
  int64_t minute = rest / kUsecsPerMinute;
  rest -= minute * kUsecsPerMinute;
  if (auto c = ClockField(u, hour, minute, rest / kUsecsPerSec, rest % kUsecsPerSec)) {
    return std::optional<Numeric>(*c);
  }
  if (u == Unit::kEpoch) return std::optional<Numeric>(Scaled(t, 6));
  return NotSupported(unit, type);
}

Result<std::optional<Numeric>> ExtractFromInterval(std::string_view unit_text, const Interval& iv) {
  std::string unit = Lower(unit_text);
  Unit u = LookupUnit(unit);
  if (u == Unit::kUnknown) return NotRecognized(unit, "interval");
  IntervalFields f = SplitInterval(iv);
  if (auto c = ClockField(u, f.hour, f.minute, f.second, f.usec)) return std::optional<Numeric>(*c);
  switch (u) {
    case Unit::kDay: return std::optional<Numeric>(Int(f.day));
    case Unit::kMonth: return std::optional<Numeric>(Int(f.month));
    case Unit::kQuarter: return std::optional<Numeric>(Int(f.month / 3 + 1));
    case Unit::kYear: return std::optional<Numeric>(Int(f.year));
    case Unit::kDecade: return std::optional<Numeric>(Int(f.year / 10));
    case Unit::kCentury: return std::optional<Numeric>(Int(f.year / 100));
    case Unit::kMillennium: return std::optional<Numeric>(Int(f.year / 1000));
    case Unit::kEpoch: {
      // 365.25 days a year and 30 a month, in integers: everything times 4, then / 4.
      __int128 secs = (static_cast<__int128>(1461) * (iv.months / 12) + static_cast<__int128>(120) * (iv.months % 12) +
                       static_cast<__int128>(4) * iv.days) * (86400 / 4);
      __int128 us = secs * kUsecsPerSec + iv.time_us;
      if (us > INT64_MAX || us < INT64_MIN) {
        NORDLYS_ASSIGN_OR_RETURN(Numeric a, Numeric::Add(Int(static_cast<int64_t>(secs)), Scaled(iv.time_us, 6)));
        return std::optional<Numeric>(a);
      }
      return std::optional<Numeric>(Scaled(static_cast<int64_t>(us), 6));
    }
    default:
      return NotSupported(unit, "interval");
  }
}

Result<int64_t> TruncTimestamp(std::string_view unit_text, int64_t ts, const TimeZone* tz) {
  std::string unit = Lower(unit_text);
  const char* type = tz ? "timestamp with time zone" : "timestamp without time zone";
  Unit u = LookupUnit(unit);
  bool units_type = InDeltaTable(u);
  if (!units_type) return NotRecognized(unit, type);
  if (ts == kTimestampPosInfinity || ts == kTimestampNegInfinity) return ts;
  int32_t east = tz ? tz->OffsetAt(ts) : 0;
  DateTimeFields f = SplitTimestamp(ts + static_cast<int64_t>(east) * kUsecsPerSec);
  int64_t y = f.year;
  int mon = f.month, day = f.day, hour = f.hour, minute = f.minute, sec = f.second;
  int64_t usec = f.usec;
  if (u == Unit::kWeek) {
    int64_t monday = f.days - (IsoDayOfWeek(f.days) - 1);
    CivilFromDays(monday, &y, &mon, &day);
    hour = minute = sec = 0;
    usec = 0;
  } else {
    switch (u) {
      case Unit::kMillennium:
        y = y > 0 ? ((y + 999) / 1000) * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1;
        [[fallthrough]];
      case Unit::kCentury:
        y = y > 0 ? ((y + 99) / 100) * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1;
        [[fallthrough]];
      case Unit::kDecade:
        if (u != Unit::kMillennium && u != Unit::kCentury) {
          y = y > 0 ? (y / 10) * 10 : -((8 - (y - 1)) / 10) * 10;
        }
        [[fallthrough]];
      case Unit::kYear: mon = 1; [[fallthrough]];
      case Unit::kQuarter: mon = 3 * ((mon - 1) / 3) + 1; [[fallthrough]];
      case Unit::kMonth: day = 1; [[fallthrough]];
      case Unit::kDay: hour = 0; [[fallthrough]];
      case Unit::kHour: minute = 0; [[fallthrough]];
      case Unit::kMinute: sec = 0; [[fallthrough]];
      case Unit::kSecond: usec = 0; break;
      case Unit::kMilli: usec = (usec / 1000) * 1000; break;
      case Unit::kMicro: break;
      default: return NotSupported(unit, type);
    }
  }
  __int128 local = static_cast<__int128>(DaysFromCivil(y, mon, day)) * kUsecsPerDay +
                   ((static_cast<int64_t>(hour) * 60 + minute) * 60 + sec) * kUsecsPerSec + usec;
  if (tz) {
    // As PostgreSQL: units of a day and more find the zone's offset for the truncated wall
    // clock; smaller ones keep the instant's own (02:00 CEST and 02:00 CET stay apart on the
    // night the clocks go back).
    const bool day_or_more = u == Unit::kWeek || u == Unit::kDay || u == Unit::kMonth || u == Unit::kQuarter ||
                             u == Unit::kYear || u == Unit::kDecade || u == Unit::kCentury ||
                             u == Unit::kMillennium;
    const int32_t off = day_or_more ? tz->OffsetForLocal(static_cast<int64_t>(local)) : east;
    local -= static_cast<__int128>(off) * kUsecsPerSec;
  }
  if (local < kMinTimestamp || local >= kEndTimestamp) return TsOutOfRange();
  return static_cast<int64_t>(local);
}

Result<Interval> TruncInterval(std::string_view unit_text, const Interval& iv) {
  std::string unit = Lower(unit_text);
  Unit u = LookupUnit(unit);
  bool units_type = InDeltaTable(u);
  if (!units_type) return NotRecognized(unit, "interval");
  IntervalFields f = SplitInterval(iv);
  switch (u) {
    case Unit::kMillennium: f.year = (f.year / 1000) * 1000; [[fallthrough]];
    case Unit::kCentury: f.year = (f.year / 100) * 100; [[fallthrough]];
    case Unit::kDecade: f.year = (f.year / 10) * 10; [[fallthrough]];
    case Unit::kYear: f.month = 0; [[fallthrough]];
    case Unit::kQuarter: f.month = 3 * (f.month / 3); [[fallthrough]];
    case Unit::kMonth: f.day = 0; [[fallthrough]];
    case Unit::kDay: f.hour = 0; [[fallthrough]];
    case Unit::kHour: f.minute = 0; [[fallthrough]];
    case Unit::kMinute: f.second = 0; [[fallthrough]];
    case Unit::kSecond: f.usec = 0; break;
    case Unit::kMilli: f.usec = (f.usec / 1000) * 1000; break;
    case Unit::kMicro: break;
    default: return NotSupported(unit, "interval");
  }
  return FromIntervalFields(f);
}

Result<Interval> TimestampAge(int64_t a, int64_t b, const TimeZone* tz) {
  auto finite = [](int64_t t) { return t != kTimestampPosInfinity && t != kTimestampNegInfinity; };
  // PG 15 decomposes the infinity sentinels as if they were dates and returns a meaningless
  // interval; we refuse instead of imitating it.
  if (!finite(a) || !finite(b)) {
    return Status::Sql(StatusCode::kNotSupported, "0A000", "age() of infinite time stamps is not supported");
  }
  auto local = [&](int64_t t) { return t + (tz ? static_cast<int64_t>(tz->OffsetAt(t)) * kUsecsPerSec : 0); };
  DateTimeFields f1 = SplitTimestamp(local(a)), f2 = SplitTimestamp(local(b));
  int64_t usec = f1.usec - f2.usec;
  int64_t sec = f1.second - f2.second, min = f1.minute - f2.minute, hour = f1.hour - f2.hour;
  int64_t day = f1.day - f2.day, mon = f1.month - f2.month, year = f1.year - f2.year;
  const bool flip = a < b;
  auto negate_all = [&] {
    usec = -usec; sec = -sec; min = -min; hour = -hour; day = -day; mon = -mon; year = -year;
  };
  if (flip) negate_all();
  while (usec < 0) { usec += kUsecsPerSec; --sec; }
  while (sec < 0) { sec += 60; --min; }
  while (min < 0) { min += 60; --hour; }
  while (hour < 0) { hour += 24; --day; }
  while (day < 0) {
    // Borrow the length of the month of the later time stamp's predecessor, as PG does: the
    // month of whichever input is the earlier one.
    const DateTimeFields& ref = flip ? f1 : f2;
    day += DaysInMonth(ref.year, ref.month);
    --mon;
  }
  while (mon < 0) { mon += 12; --year; }
  if (flip) negate_all();
  return FromIntervalFields(IntervalFields{year, mon, day, hour, min, sec, usec});
}

Result<int32_t> MakeDate(int64_t year, int64_t month, int64_t day) {
  int64_t y = year;
  bool bc = false;
  if (y < 0) {
    bc = true;
    y = -y;
  }
  auto field_error = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       "date field value out of range: " + std::to_string(y) + "-" + TwoDigits(month) + "-" +
                           TwoDigits(day));
  };
  if (y <= 0) return field_error();
  if (bc) y = -(y - 1);
  if (month < 1 || month > 12 || day < 1 || day > 31) return field_error();
  if (day > DaysInMonth(y, static_cast<int>(month))) return field_error();
  bool valid_julian = (y > -4713 || (y == -4713 && month >= 11 && (month > 11 || day >= 24))) && y < 5874898;
  auto out_of_range = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       "date out of range: " + std::to_string(y) + "-" + TwoDigits(month) + "-" + TwoDigits(day));
  };
  if (!valid_julian) return out_of_range();
  int64_t d = DaysFromCivil(y, static_cast<int>(month), static_cast<int>(day));
  if (d < -2451545 || d >= 2147483494 - 2451545) return out_of_range();
  return static_cast<int32_t>(d);
}

Result<int64_t> MakeTime(int64_t hour, int64_t minute, double second) {
  if (FloatTimeOverflows(hour, minute, second)) {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       "time field value out of range: " + std::to_string(hour) + ":" + TwoDigits(minute) + ":" +
                           FormatG(second, true));
  }
  return ((hour * 60 + minute) * 60) * kUsecsPerSec + static_cast<int64_t>(std::rint(second * kUsecsPerSec));
}

Result<int64_t> MakeTimestamp(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                              double second) {
  int64_t y = year;
  bool bc = false;
  if (y < 0) {
    bc = true;
    y = -y;
  }
  std::string date_text = std::to_string(year) + "-" + TwoDigits(month) + "-" + TwoDigits(day);
  auto field_error = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "date field value out of range: " + date_text);
  };
  if (y <= 0) return field_error();
  if (bc) y = -(y - 1);
  if (month < 1 || month > 12 || day < 1 || day > 31) return field_error();
  if (day > DaysInMonth(y, static_cast<int>(month))) return field_error();
  bool valid_julian = (y > -4713 || (y == -4713 && month >= 11 && (month > 11 || day >= 24))) && y < 5874898;
  if (!valid_julian) return Status::Sql(StatusCode::kOutOfRange, "22008", "date out of range: " + date_text);
  if (FloatTimeOverflows(hour, minute, second)) {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       "time field value out of range: " + std::to_string(hour) + ":" + TwoDigits(minute) + ":" +
                           FormatG(second, true));
  }
  int64_t time = ((hour * 60 + minute) * 60) * kUsecsPerSec + static_cast<int64_t>(std::rint(second * kUsecsPerSec));
  __int128 ts = static_cast<__int128>(DaysFromCivil(y, static_cast<int>(month), static_cast<int>(day))) * kUsecsPerDay + time;
  if (ts < kMinTimestamp || ts >= kEndTimestamp) {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       "timestamp out of range: " + date_text + " " + std::to_string(hour) + ":" + TwoDigits(minute) +
                           ":" + FormatG(second, true));
  }
  return static_cast<int64_t>(ts);
}

Result<Interval> MakeInterval(int64_t years, int64_t months, int64_t weeks, int64_t days, int64_t hours,
                              int64_t minutes, double seconds) {
  if (std::isinf(seconds) || std::isnan(seconds)) return IntervalOutOfRange();
  // PG 15 does this arithmetic in plain int32/int64 without overflow checks: wrap likewise.
  auto wrap32 = [](int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); };
  Interval iv;
  iv.months = wrap32(static_cast<int64_t>(static_cast<uint64_t>(years) * 12 + static_cast<uint64_t>(months)));
  iv.days = wrap32(static_cast<int64_t>(static_cast<uint64_t>(weeks) * 7 + static_cast<uint64_t>(days)));
  double us = std::rint(seconds * kUsecsPerSec);
  if (!(us >= -9.2e18 && us <= 9.2e18)) return IntervalOutOfRange();
  iv.time_us = static_cast<int64_t>(static_cast<uint64_t>(hours) * static_cast<uint64_t>(kUsecsPerHour) +
                                    static_cast<uint64_t>(minutes) * static_cast<uint64_t>(kUsecsPerMinute) +
                                    static_cast<uint64_t>(static_cast<int64_t>(us)));
  return iv;
}

Result<int64_t> TimestampFromUnixSeconds(double seconds) {
  if (std::isnan(seconds)) return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp cannot be NaN");
  if (std::isinf(seconds)) return seconds > 0 ? kTimestampPosInfinity : kTimestampNegInfinity;
  auto out_of_range = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range: \"" + FormatG(seconds, false) + "\"");
  };
  constexpr double kMinSecs = 86400.0 * (0 - 2440588);
  constexpr double kEndSecs = 86400.0 * (109203528.0 - 2440588);
  if (seconds < kMinSecs || seconds >= kEndSecs) return out_of_range();
  double s = seconds - 10957.0 * 86400;
  double us = std::rint(s * kUsecsPerSec);
  auto r = static_cast<int64_t>(us);
  if (r < kMinTimestamp || r >= kEndTimestamp) return out_of_range();
  return r;
}

Result<Interval> JustifyDays(const Interval& iv) {
  Interval r = iv;
  int32_t whole = r.days / 30;
  r.days -= whole * 30;
  int64_t m = static_cast<int64_t>(r.months) + whole;
  if (m > INT32_MAX || m < INT32_MIN) return IntervalOutOfRange();
  r.months = static_cast<int32_t>(m);
  if (r.months > 0 && r.days < 0) {
    r.days += 30;
    --r.months;
  } else if (r.months < 0 && r.days > 0) {
    r.days -= 30;
    ++r.months;
  }
  return r;
}

Result<Interval> JustifyHours(const Interval& iv) {
  Interval r = iv;
  int64_t whole = r.time_us / kUsecsPerDay;
  r.time_us -= whole * kUsecsPerDay;
  int64_t d = r.days + whole;
  if (d > INT32_MAX || d < INT32_MIN) return IntervalOutOfRange();
  r.days = static_cast<int32_t>(d);
  if (r.days > 0 && r.time_us < 0) {
    r.time_us += kUsecsPerDay;
    --r.days;
  } else if (r.days < 0 && r.time_us > 0) {
    r.time_us -= kUsecsPerDay;
    ++r.days;
  }
  return r;
}

Result<Interval> JustifyInterval(const Interval& iv) {
  int64_t months = iv.months, days = iv.days, time = iv.time_us;
  auto check = [](int64_t v) { return v <= INT32_MAX && v >= INT32_MIN; };
  if ((days > 0 && time > 0) || (days < 0 && time < 0)) {
    int64_t whole = days / 30;
    days -= whole * 30;
    months += whole;
    if (!check(months)) return IntervalOutOfRange();
  }
  int64_t whole_day = time / kUsecsPerDay;
  time -= whole_day * kUsecsPerDay;
  days += whole_day;
  if (!check(days)) return IntervalOutOfRange();
  int64_t whole = days / 30;
  days -= whole * 30;
  months += whole;
  if (!check(months)) return IntervalOutOfRange();
  if (months > 0 && (days < 0 || (days == 0 && time < 0))) {
    days += 30;
    --months;
  } else if (months < 0 && (days > 0 || (days == 0 && time > 0))) {
    days -= 30;
    ++months;
  }
  if (days > 0 && time < 0) {
    time += kUsecsPerDay;
    --days;
  } else if (days < 0 && time > 0) {
    time -= kUsecsPerDay;
    ++days;
  }
  return Interval{time, static_cast<int32_t>(days), static_cast<int32_t>(months)};
}

namespace {
// Abbreviations in PostgreSQL's default timezone_abbreviations table that AT TIME ZONE would
// resolve there (to a fixed offset) before trying the zone database.
bool IsKnownAbbreviation(const std::string& lower) {
  static const char* kAbbreviations[] = {
      "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "akst", "akdt", "hst", "ast", "adt", "nst", "ndt",
      "cet", "cest", "eet", "eest", "wet", "west", "met", "mest", "bst", "ist", "msk", "jst", "kst", "hkt", "sgt",
      "aest", "aedt", "acst", "acdt", "awst", "nzst", "nzdt", "sast", "wib", "pht", "art", "brt", "clt"};
  for (const char* a : kAbbreviations) {
    if (lower == a) return true;
  }
  return false;
}
}  // namespace

Result<TimeZone> ZoneForAtTimeZone(std::string_view name) {
  std::string lower = Lower(name);
  auto not_recognized = [&] {
    return Status::Sql(StatusCode::kInvalidArgument, "22023", "time zone \"" + std::string(name) + "\" not recognized");
  };
  if (lower == "utc" || lower == "gmt" || lower == "z" || lower == "zulu" || lower == "ut" || lower == "etc/utc" ||
      lower == "etc/gmt" || lower == "universal" || lower == "uct") {
    return TimeZone::FixedOffset(0, "UTC", "UTC");
  }
  // PostgreSQL looks a name up in its abbreviation table before the zone database: for the
  // abbreviations it knows ("CET" is a fixed +1 there, a zone with summer time in tzdata) ours
  // would differ, so they stay unsupported below.
  if (!IsKnownAbbreviation(lower)) {
    auto zone = LoadZone(name);
    if (zone.ok()) return TimeZone::Named(std::move(zone).value());
    if (!zone.status().IsNotFound()) return Status::Sql(StatusCode::kInvalidArgument, "22023", zone.status().message());
  }
  // A POSIX zone, west positive ("UTC+5", "<+03>-3", "FOO5BAR"); a bare number is POSIX too:
  // "5" is five hours west.
  if (auto rule = ParsePosixTz(name, /*unnamed_ok=*/true); rule.ok()) {
    if (!rule->has_dst) return TimeZone::FixedOffset(rule->std_east, std::string(name));
    return TimeZone::Named(ZoneRules::FromPosix(*rule, std::string(name)));
  }
  if (IsKnownAbbreviation(lower)) {
    return Status::Sql(StatusCode::kNotSupported, "0A000",
                       "time zone abbreviation \"" + std::string(name) +
                           "\" is not supported yet: use a zone name (\"Europe/Paris\") or an offset");
  }
  return not_recognized();
}

Result<TimeZone> ZoneForMakeTimestamptz(std::string_view name) {
  // parse_sane_timezone: a leading sign is an ISO offset (east positive); a leading digit is an
  // error; anything else is looked up as AT TIME ZONE does.
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
    return Status::Sql(StatusCode::kInvalidArgument, "22023",
                       "invalid input syntax for type numeric time zone: \"" + std::string(name) + "\"");
  }
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    int sign = name[0] == '-' ? -1 : 1;
    std::string body(name.substr(1));
    int64_t h = 0, m = 0, s = 0;
    bool ok = !body.empty();
    for (char c : body) ok &= std::isdigit(static_cast<unsigned char>(c)) || c == ':';
    if (ok) {
      size_t c1 = body.find(':');
      if (c1 == std::string::npos) {
        if (body.size() <= 2) h = std::stoll(body);
        else if (body.size() <= 4) { h = std::stoll(body) / 100; m = std::stoll(body) % 100; }
        else if (body.size() <= 6) { int64_t v = std::stoll(body); h = v / 10000; m = (v / 100) % 100; s = v % 100; }
        else ok = false;
      } else {
        size_t c2 = body.find(':', c1 + 1);
        ok = c1 > 0 && c1 + 1 < body.size();
        if (ok) {
          h = std::stoll(body.substr(0, c1));
          m = std::stoll(body.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1));
          if (c2 != std::string::npos) s = c2 + 1 < body.size() ? std::stoll(body.substr(c2 + 1)) : 0;
        }
      }
    }
    if (!ok) {
      return Status::Sql(StatusCode::kInvalidArgument, "22023",
                         "invalid input syntax for type numeric time zone: \"" + std::string(name) + "\"");
    }
    if (h > 15 || m > 59 || s > 59) {
      return Status::Sql(StatusCode::kOutOfRange, "22009",
                         "numeric time zone \"" + std::string(name) + "\" out of range");
    }
    return TimeZone::FixedOffset(static_cast<int32_t>(sign * (h * 3600 + m * 60 + s)), std::string(name));
  }
  return ZoneForAtTimeZone(name);
}

Result<TimeZone> ZoneFromInterval(const Interval& iv) {
  if (iv.months != 0 || iv.days != 0) {
    return Status::Sql(StatusCode::kInvalidArgument, "22023",
                       "interval time zone \"" + FormatInterval(iv) + "\" must not include months or days");
  }
  int64_t secs = iv.time_us / kUsecsPerSec;
  return TimeZone::FixedOffset(static_cast<int32_t>(secs), FormatInterval(iv));
}

}  // namespace nordlys::engine::types
