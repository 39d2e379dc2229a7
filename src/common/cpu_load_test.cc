#include "common/cpu_load.h"

#include <gtest/gtest.h>

namespace nordlys {
namespace {

TEST(CpuLoadTest, ParsesTheAggregateLine) {
  auto t = ParseProcStat("cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->busy, 100u + 5 + 50 + 3 + 2 + 10);  // guest (7) is inside user already
  EXPECT_EQ(t->total, t->busy + 800 + 20);
  auto old = ParseProcStat("cpu 1 2 3 4");  // kernels before iowait existed
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->busy, 6u);
  EXPECT_EQ(old->total, 10u);
}

TEST(CpuLoadTest, RejectsWhatIsNotTheAggregateLine) {
  EXPECT_FALSE(ParseProcStat("").has_value());
  EXPECT_FALSE(ParseProcStat("cpu0 1 2 3 4").has_value());
  EXPECT_FALSE(ParseProcStat("cpu  1 2 x 4").has_value());
  EXPECT_FALSE(ParseProcStat("cpu  1 2").has_value());
}

TEST(CpuLoadTest, SamplerReportsAShareAfterTheFirstSample) {
  CpuLoadSampler s;
  EXPECT_FALSE(s.Sample().has_value());  // nothing to compare with yet
  volatile uint64_t spin = 0;
  std::optional<double> load;
  for (int i = 0; i < 200 && !load; ++i) {  // /proc/stat moves in clock ticks (10 ms)
    for (int k = 0; k < 1000000; ++k) spin = spin + k;
    load = s.Sample();
  }
  ASSERT_TRUE(load.has_value());
  EXPECT_GE(*load, 0.0);
  EXPECT_LE(*load, 1.0);
}

}  // namespace
}  // namespace nordlys
