// Named time zones ("Europe/Oslo") from the system's tzdata: TZif files (RFC 8536) under $TZDIR
// or /usr/share/zoneinfo, the same database PostgreSQL 15 on Debian uses. A zone is its list of
// transitions (UTC instants at which the offset changes) plus, for instants after the last one,
// the POSIX TZ rule in the file's footer ("CET-1CEST,M3.5.0,M10.5.0/3").
//
// Thread safety: ZoneRules is immutable once loaded; LoadZone's cache is internally locked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace nordlys::engine::types {

// A POSIX TZ string's rule: standard time, and optionally daylight time between two dates.
struct PosixTzRule {
  struct Date {
    enum Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = kMonthWeekDay;
    int day = 0;             // Jn: 1..365 (Feb 29 never counted); n: 0..365; Mm.w.d: d = 0..6
    int month = 0, week = 0;  // Mm.w.d: month 1..12, week 1..5 (5 = last)
    int32_t time = 7200;     // seconds after local midnight; may be negative or past 24h
  };
  std::string std_abbrev;
  int32_t std_east = 0;  // seconds east of UTC (the string's sign is the opposite)
  bool has_dst = false;
  std::string dst_abbrev;
  int32_t dst_east = 0;
  Date start, end;  // daylight time from start (standard local time) to end (daylight local time)

  // The offset (and abbreviation) in force at a UTC instant in seconds.
  int32_t OffsetAt(int64_t utc_sec, const std::string** abbrev = nullptr) const;
};

// Parses a POSIX TZ string as TZif footers hold them; InvalidArgument if malformed. With
// `unnamed_ok` standard time may lack its name ("+05:30", "5"), as PostgreSQL's TimeZone
// setting and AT TIME ZONE accept.
Result<PosixTzRule> ParsePosixTz(std::string_view text, bool unnamed_ok = false);

class ZoneRules {
 public:
  // Parses a TZif file's bytes (version 2 or later: the 64-bit block and the footer are used).
  static Result<std::shared_ptr<const ZoneRules>> Parse(std::string_view data, std::string name);

  // A zone that is only a POSIX rule (a TimeZone setting such as "FOO5BAR").
  static std::shared_ptr<const ZoneRules> FromPosix(PosixTzRule rule, std::string name);

  // Seconds east of UTC at a UTC instant in seconds; *abbrev (if given) the zone's abbreviation.
  int32_t OffsetAt(int64_t utc_sec, const std::string** abbrev = nullptr) const;
  const std::string& name() const { return name_; }

 private:
  struct Type {
    int32_t east;
    bool dst;
    std::string abbrev;
  };
  std::string name_;
  std::vector<int64_t> transitions_;  // ascending UTC seconds
  std::vector<uint8_t> transition_types_;
  std::vector<Type> types_;
  bool has_footer_ = false;
  PosixTzRule footer_;
};

// The zone named `name`, looked up case-insensitively as PostgreSQL does; the result's name() is
// the file's own spelling ("europe/oslo" -> "Europe/Oslo"). NotFound if there is no such zone (or
// the name could escape the zoneinfo directory); Corruption if its file is not valid TZif.
Result<std::shared_ptr<const ZoneRules>> LoadZone(std::string_view name);

}  // namespace nordlys::engine::types
