// Runs the storage-protocol simulation over many seeds. A failure prints its seed and fault
// trace; replay exactly with:  NORDLYS_SIM_SEED=<seed> build/tests/sim/sim_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "scenario.h"

namespace nordlys::sim {
namespace {

constexpr uint64_t kSeedsPerChunk = 25;

uint64_t EnvU64(const char* name, uint64_t dflt) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : dflt;
}

void RunSeeds(uint64_t first, uint64_t count, bool past_tolerance) {
  uint64_t acked = 0, recoveries = 0, replacements = 0, images = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    ScenarioOptions o;
    o.seed = seed;
    o.past_tolerance = past_tolerance;
    ScenarioResult r = RunScenario(o);
    acked += r.mtrs_acked;
    recoveries += r.recoveries;
    replacements += r.replacements;
    images += r.images_shipped;
    if (!r.failure.empty()) {
      ADD_FAILURE() << "simulation failed for seed " << seed
                    << (past_tolerance ? " (past tolerance)" : "") << ": " << r.failure
                    << "\nreplay: NORDLYS_SIM_SEED=" << seed
                    << (past_tolerance ? " NORDLYS_SIM_PAST_TOLERANCE=1" : "")
                    << " build/tests/sim/sim_test\nfault trace:\n"
                    << r.trace;
      return;
    }
    // A run that acknowledged nothing tested nothing.
    EXPECT_GT(r.mtrs_acked, 0u) << "seed " << seed;
  }
  // Every third seed within tolerance replaces a node: a chunk that replaced none tested none.
  if (!past_tolerance && count >= 3) EXPECT_GT(replacements, 0u) << "seeds " << first << "+";
  // Every second seed collects garbage and then wipes a node: it is rebuilt from page images.
  if (!past_tolerance && count >= 2) EXPECT_GT(images, 0u) << "seeds " << first << "+";
  std::printf("seeds %llu..%llu: %llu commits acknowledged, %llu recoveries, %llu members "
              "replaced, %llu page images shipped\n",
              static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + count - 1),
              static_cast<unsigned long long>(acked), static_cast<unsigned long long>(recoveries),
              static_cast<unsigned long long>(replacements),
              static_cast<unsigned long long>(images));
}

class SimSeeds : public ::testing::TestWithParam<int> {};

TEST_P(SimSeeds, WithinTolerance) {
  if (const char* one = std::getenv("NORDLYS_SIM_SEED")) {
    RunSeeds(std::strtoull(one, nullptr, 10), 1, EnvU64("NORDLYS_SIM_PAST_TOLERANCE", 0) != 0);
    return;
  }
  RunSeeds(1 + GetParam() * kSeedsPerChunk, kSeedsPerChunk, false);
}

TEST_P(SimSeeds, PastTolerance) {
  if (std::getenv("NORDLYS_SIM_SEED")) GTEST_SKIP() << "replaying one seed";
  RunSeeds(100'001 + GetParam() * kSeedsPerChunk, kSeedsPerChunk / 5, true);
}

// 8 chunks x 25 seeds within tolerance, 8 x 5 past it: 240 seeds per test run.
INSTANTIATE_TEST_SUITE_P(Chunks, SimSeeds, ::testing::Range(0, 8));

}  // namespace
}  // namespace nordlys::sim
