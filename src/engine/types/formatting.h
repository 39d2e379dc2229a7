// to_char, to_date and to_timestamp templates (PostgreSQL 15's formatting.c, C locale).
//
// Date/time patterns: HH HH12 HH24 MI SS MS US FF1..FF6 SSSS SSSSS AM PM A.M. P.M. (and lower
// case), Y,YYY YYYY YYY YY Y IYYY IYY IY I BC AD B.C. A.D., MONTH Month month MON Mon mon MM,
// DAY Day day DY Dy dy DDD IDDD DD D ID W WW IW CC J Q RM rm TZ tz TZH TZM OF; prefixes FM
// (no padding) TM (names unpadded) FX; suffixes TH th (ordinals). "quoted text" and any other
// character are copied. Parsing (to_date/to_timestamp) reads YYYY YYY YY Y MM MON/MONTH DD DDD
// HH HH12 HH24 MI SS MS US FF1..FF6 AM/PM BC/AD TZH TZM and skips DY/DAY; other patterns are
// 0A000 there.
//
// Number patterns: 9 0 . D , G S MI PL SG PR L FM and literals; EEEE, V, RN, TH and B are
// 0A000.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/types/datetime.h"
#include "engine/types/numeric.h"

namespace nordlys::engine::types {

// to_char of a timestamp (tz == nullptr) or timestamptz shown in `tz`.
Result<std::string> ToCharTimestamp(int64_t ts, const TimeZone* tz, std::string_view fmt);
Result<std::string> ToCharInterval(const Interval& iv, std::string_view fmt);

// to_char of numbers (numeric and integers).
Result<std::string> ToCharNumber(const Numeric& value, std::string_view fmt);
// to_char of float8 (float_digits 15) and float4 (6): at most that many significant digits,
// rounded as printf rounds, as PG's float8_to_char.
Result<std::string> ToCharFloat(double value, std::string_view fmt, int float_digits);

// to_timestamp(text, text): the UTC instant, `session` being the zone when none is given.
Result<int64_t> ToTimestampFromText(std::string_view text, std::string_view fmt, const TimeZone& session);
// to_date(text, text).
Result<int32_t> ToDateFromText(std::string_view text, std::string_view fmt);

}  // namespace nordlys::engine::types
