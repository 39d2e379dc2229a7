// TZif files, POSIX TZ rules and TimeZone's local-time rules. The zone files are the system's
// tzdata (scripts/install-deps installs it), which is also what PostgreSQL 15 reads.
#include "engine/types/tzfile.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/types/datetime.h"

namespace nordlys::engine::types {
namespace {

int64_t Unix(int64_t y, int m, int d, int hh = 0, int mm = 0) {
  return (static_cast<int64_t>(DaysFromCivil(y, m, d)) + 10957) * 86400 + hh * 3600 + mm * 60;
}

TEST(PosixTzTest, ParsesRulesAndComputesBothHemispheres) {
  auto eu = ParsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(eu.ok()) << eu.status().ToString();
  EXPECT_EQ(eu->std_east, 3600);
  EXPECT_EQ(eu->dst_east, 7200);
  const std::string* abbrev = nullptr;
  EXPECT_EQ(eu->OffsetAt(Unix(2030, 1, 15), &abbrev), 3600);
  EXPECT_EQ(*abbrev, "CET");
  EXPECT_EQ(eu->OffsetAt(Unix(2030, 7, 15), &abbrev), 7200);
  EXPECT_EQ(*abbrev, "CEST");
  // Last Sunday of March 2030 is the 31st; the change is at 01:00 UTC.
  EXPECT_EQ(eu->OffsetAt(Unix(2030, 3, 31, 0, 59)), 3600);
  EXPECT_EQ(eu->OffsetAt(Unix(2030, 3, 31, 1, 0)), 7200);

  auto au = ParsePosixTz("AEST-10AEDT,M10.1.0,M4.1.0/3");  // southern: summer spans new year
  ASSERT_TRUE(au.ok());
  EXPECT_EQ(au->OffsetAt(Unix(2030, 1, 15)), 11 * 3600);
  EXPECT_EQ(au->OffsetAt(Unix(2030, 7, 15)), 10 * 3600);

  auto quoted = ParsePosixTz("<+0545>-5:45");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->std_abbrev, "+0545");
  EXPECT_EQ(quoted->OffsetAt(Unix(2030, 7, 1)), 5 * 3600 + 45 * 60);
  EXPECT_FALSE(quoted->has_dst);

  auto julian = ParsePosixTz("XST3XDT,J60/0,300");
  ASSERT_TRUE(julian.ok());
  EXPECT_EQ(julian->start.kind, PosixTzRule::Date::kJulianNoLeap);

  for (const char* bad : {"", "X1", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                          "CET-1CEST,M3.5.0,M10.5.0/3x", "<>1", "CET-99"}) {
    EXPECT_FALSE(ParsePosixTz(bad).ok()) << bad;
  }
}

TEST(ZoneRulesTest, MalformedFilesAreCorruptionNeverACrash) {
  EXPECT_FALSE(ZoneRules::Parse("", "x").ok());
  EXPECT_FALSE(ZoneRules::Parse("TZif2", "x").ok());
  std::string header = "TZif2" + std::string(15, '\0') + std::string(24, '\xff');
  EXPECT_FALSE(ZoneRules::Parse(header, "x").ok());
}

// Every prefix and many bit flips of a real zone file: a Corruption or a zone, never a crash or
// a read past the bytes (the file is input like any other).
TEST(ZoneRulesTest, DamagedZoneFilesNeverCrash) {
  std::ifstream f("/usr/share/zoneinfo/Europe/Oslo", std::ios::binary);
  ASSERT_TRUE(f) << "is tzdata installed?";
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (size_t n = 0; n < data.size(); n += 7) (void)ZoneRules::Parse(data.substr(0, n), "cut");
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = data;
    for (int k = 0; k < 4; ++k) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: the same flips every run
      bad[x % bad.size()] ^= static_cast<char>(1 << (x >> 60) % 8);
    }
    auto z = ZoneRules::Parse(bad, "flipped");
    if (z.ok()) {
      for (int64_t t : {INT64_MIN / 2, int64_t{0}, int64_t{1700000000}, INT64_MAX / 2}) (void)(*z)->OffsetAt(t);
    }
  }
}

TEST(ZoneRulesTest, LoadsSystemZonesCaseInsensitively) {
  auto oslo = LoadZone("europe/oslo");
  ASSERT_TRUE(oslo.ok()) << oslo.status().ToString() << " (is tzdata installed?)";
  EXPECT_EQ((*oslo)->name(), "Europe/Oslo");
  EXPECT_EQ((*oslo)->OffsetAt(Unix(2024, 1, 1)), 3600);
  EXPECT_EQ((*oslo)->OffsetAt(Unix(2024, 7, 1)), 7200);
  EXPECT_EQ((*oslo)->OffsetAt(Unix(2100, 7, 1)), 7200);  // from the footer rule
  auto ny = LoadZone("America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ((*ny)->OffsetAt(Unix(1850, 1, 1)), -(4 * 3600 + 56 * 60 + 2));  // local mean time
  for (const char* bad : {"Nowhere/Land", "../../etc/passwd", "/etc/passwd", "Europe", "", "Europe/"}) {
    EXPECT_TRUE(LoadZone(bad).status().IsNotFound()) << bad;
  }
}

TEST(TimeZoneTest, LocalTimesInGapsAndOverlapsFollowPostgres) {
  auto tz = TimeZone::Parse("America/New_York");
  ASSERT_TRUE(tz.ok());
  EXPECT_TRUE(tz->named());
  auto local = [](int64_t y, int m, int d, int hh, int mm) {
    return (static_cast<int64_t>(DaysFromCivil(y, m, d)) * 86400 + hh * 3600 + mm * 60) * kUsecsPerSec;
  };
  // 02:30 on 2018-03-11 never happened: the offset before the change (-5) applies.
  EXPECT_EQ(tz->OffsetForLocal(local(2018, 3, 11, 2, 30)), -5 * 3600);
  // 01:30 on 2018-11-04 happened twice: the offset after the change (-5).
  EXPECT_EQ(tz->OffsetForLocal(local(2018, 11, 4, 1, 30)), -5 * 3600);
  EXPECT_EQ(tz->OffsetForLocal(local(2018, 11, 4, 0, 30)), -4 * 3600);
  EXPECT_EQ(tz->OffsetForLocal(local(2018, 7, 1, 12, 0)), -4 * 3600);
  EXPECT_EQ(tz->AbbrevAt(local(2018, 7, 1, 12, 0)), "EDT");

  auto rule = TimeZone::Parse("FOO5BAR");  // a POSIX rule with daylight time, US dates
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->name(), "FOO5BAR");
  EXPECT_EQ(rule->OffsetAt(local(2024, 7, 1, 12, 0)), -4 * 3600);
  EXPECT_EQ(rule->AbbrevAt(local(2024, 1, 1, 12, 0)), "FOO");

  auto fixed = TimeZone::Parse("UTC+5");
  ASSERT_TRUE(fixed.ok());
  EXPECT_FALSE(fixed->named());
  EXPECT_EQ(fixed->name(), "UTC+5");
  EXPECT_EQ(fixed->OffsetAt(0), -5 * 3600);
  EXPECT_EQ(fixed->AbbrevAt(0), "UTC");
  EXPECT_EQ(TimeZone::Parse("Nowhere/Land").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nordlys::engine::types
