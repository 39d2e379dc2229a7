// Date/time arithmetic and conversions with PostgreSQL 15's rules: month arithmetic clamps to
// the end of the month, infinities pass through addition, precision typmods round half away
// from zero, and timestamp - timestamp folds whole days out of the hours (justify_hours).
#include <cstdlib>

#include "engine/types/datetime.h"

namespace nordlys::engine::types {
namespace {

constexpr int64_t kMinTimestamp = -211813488000000000LL;
constexpr int64_t kEndTimestamp = 9223371331200000000LL;
constexpr int32_t kMinDate = -2451545;
constexpr int32_t kEndDate = 2147483494 - 2451545;
constexpr int32_t kTimestampEndDate = 109203489 - 2451545;  // TIMESTAMP_END_JULIAN - epoch

bool FiniteTs(int64_t ts) { return ts != kTimestampNegInfinity && ts != kTimestampPosInfinity; }
bool FiniteDate(int32_t d) { return d != kDateNegInfinity && d != kDatePosInfinity; }
bool ValidTs(__int128 ts) { return ts >= kMinTimestamp && ts < kEndTimestamp; }

Status TsOutOfRange() { return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range"); }
Status DateOutOfRange() { return Status::Sql(StatusCode::kOutOfRange, "22008", "date out of range"); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

void Split(int64_t ts, int64_t* days, int64_t* time) {
  *days = ts / kUsecsPerDay;
  *time = ts % kUsecsPerDay;
  if (*time < 0) {
    *time += kUsecsPerDay;
    --*days;
  }
}

const int64_t kScales[] = {1000000, 100000, 10000, 1000, 100, 10, 1};

// Adds months, then days, then microseconds to a wall-clock value (timestamp_pl_interval).
Result<int64_t> AddToLocal(int64_t local, const Interval& iv) {
  __int128 t = local;
  if (iv.months != 0) {
    int64_t days, time;
    Split(local, &days, &time);
    int64_t y;
    int m, d;
    CivilFromDays(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + iv.months;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int nm = static_cast<int>(total - ny * 12) + 1;
    if (d > DaysInMonth(ny, nm)) d = DaysInMonth(ny, nm);
    if (ny <= -4714 || ny >= 294277) return TsOutOfRange();
    t = static_cast<__int128>(DaysFromCivil(ny, nm, d)) * kUsecsPerDay + time;
    if (!ValidTs(t)) return TsOutOfRange();
  }
  if (iv.days != 0) {
    t += static_cast<__int128>(iv.days) * kUsecsPerDay;
    if (!ValidTs(t)) return TsOutOfRange();
  }
  t += iv.time_us;
  if (!ValidTs(t)) return TsOutOfRange();
  return static_cast<int64_t>(t);
}

}  // namespace

int64_t RoundTime(int64_t time, int32_t typmod) {
  if (typmod < 0 || typmod > 6) return time;
  int64_t scale = kScales[typmod], offset = scale / 2;
  if (time >= 0) return ((time + offset) / scale) * scale;
  return -((((-time) + offset) / scale) * scale);
}

Result<int64_t> RoundTimestamp(int64_t ts, int32_t typmod) {
  if (!FiniteTs(ts) || typmod < 0 || typmod > 6) return ts;
  int64_t r = RoundTime(ts, typmod);
  if (!ValidTs(r)) return TsOutOfRange();
  return r;
}

Result<int32_t> DateAddDays(int32_t date, int64_t days) {
  if (!FiniteDate(date)) return date;
  int64_t r = static_cast<int64_t>(date) + days;
  if (r < kMinDate || r >= kEndDate) return DateOutOfRange();
  return static_cast<int32_t>(r);
}

Result<int32_t> DateDiff(int32_t a, int32_t b) {
  if (!FiniteDate(a) || !FiniteDate(b)) {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "cannot subtract infinite dates");
  }
  return a - b;
}

Result<int64_t> TimestampAddInterval(int64_t ts, const Interval& iv) {
  if (!FiniteTs(ts)) return ts;
  return AddToLocal(ts, iv);
}

Result<int64_t> TimestampTzAddInterval(int64_t ts, const Interval& iv, const TimeZone& tz) {
  if (!FiniteTs(ts)) return ts;
  if (iv.months == 0 && iv.days == 0) {
    // Only elapsed time: the wall clock plays no part (across a DST change too).
    __int128 r = static_cast<__int128>(ts) + iv.time_us;
    if (!ValidTs(r)) return TsOutOfRange();
    return static_cast<int64_t>(r);
  }
  // Months, then days, move the local wall clock, and after each the zone's rules give the
  // instant back (PostgreSQL resolves the zone twice: '02:30' + 1 month may land in a gap that
  // the following day then leaves).
  int64_t cur = ts;
  for (const Interval& step : {Interval{0, 0, iv.months}, Interval{0, iv.days, 0}}) {
    if (step.months == 0 && step.days == 0) continue;
    int64_t off = static_cast<int64_t>(tz.OffsetAt(cur)) * kUsecsPerSec;
    NORDLYS_ASSIGN_OR_RETURN(int64_t local, AddToLocal(cur + off, step));
    __int128 r = static_cast<__int128>(local) - static_cast<int64_t>(tz.OffsetForLocal(local)) * kUsecsPerSec;
    if (!ValidTs(r)) return TsOutOfRange();
    cur = static_cast<int64_t>(r);
  }
  __int128 r = static_cast<__int128>(cur) + iv.time_us;
  if (!ValidTs(r)) return TsOutOfRange();
  return static_cast<int64_t>(r);
}

Result<Interval> TimestampDiff(int64_t a, int64_t b) {
  if (!FiniteTs(a) || !FiniteTs(b)) {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "cannot subtract infinite timestamps");
  }
  int64_t diff;
  if (__builtin_sub_overflow(a, b, &diff)) {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "interval out of range");
  }
  Interval r;
  r.days = static_cast<int32_t>(diff / kUsecsPerDay);
  r.time_us = diff % kUsecsPerDay;
  return r;
}

int64_t TimeAddInterval(int64_t time, const Interval& iv) {
  int64_t r = time + iv.time_us;
  r -= r / kUsecsPerDay * kUsecsPerDay;
  if (r < 0) r += kUsecsPerDay;
  return r;
}

Result<int64_t> DateToTimestamp(int32_t date) {
  if (date == kDateNegInfinity) return kTimestampNegInfinity;
  if (date == kDatePosInfinity) return kTimestampPosInfinity;
  if (date >= kTimestampEndDate) {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "date out of range for timestamp");
  }
  return static_cast<int64_t>(date) * kUsecsPerDay;
}

Result<int64_t> DateToTimestampTz(int32_t date, const TimeZone& tz) {
  NORDLYS_ASSIGN_OR_RETURN(int64_t local, DateToTimestamp(date));
  if (!FiniteTs(local)) return local;
  __int128 r = static_cast<__int128>(local) - static_cast<int64_t>(tz.OffsetForLocal(local)) * kUsecsPerSec;
  if (!ValidTs(r)) return Status::Sql(StatusCode::kOutOfRange, "22008", "date out of range for timestamp");
  return static_cast<int64_t>(r);
}

Result<int32_t> TimestampToDate(int64_t ts) {
  if (ts == kTimestampNegInfinity) return kDateNegInfinity;
  if (ts == kTimestampPosInfinity) return kDatePosInfinity;
  int64_t days, time;
  Split(ts, &days, &time);
  return static_cast<int32_t>(days);
}

int64_t TimestampToTime(int64_t ts) {
  int64_t days, time;
  Split(ts, &days, &time);
  return time;
}

Result<int64_t> TimestampToTimestampTz(int64_t ts, const TimeZone& tz) {
  if (!FiniteTs(ts)) return ts;
  __int128 r = static_cast<__int128>(ts) - static_cast<int64_t>(tz.OffsetForLocal(ts)) * kUsecsPerSec;
  if (!ValidTs(r)) return TsOutOfRange();
  return static_cast<int64_t>(r);
}

Result<int64_t> TimestampTzToTimestamp(int64_t ts, const TimeZone& tz) {
  if (!FiniteTs(ts)) return ts;
  __int128 r = static_cast<__int128>(ts) + static_cast<int64_t>(tz.OffsetAt(ts)) * kUsecsPerSec;
  if (!ValidTs(r)) return TsOutOfRange();
  return static_cast<int64_t>(r);
}

Interval TimeToInterval(int64_t time) { return Interval{time, 0, 0}; }

int64_t IntervalToTime(const Interval& iv) {
  int64_t r = iv.time_us;
  if (r >= kUsecsPerDay || r < 0) {
    r -= (r / kUsecsPerDay) * kUsecsPerDay;
    if (r < 0) r += kUsecsPerDay;
  }
  return r;
}

}  // namespace nordlys::engine::types
