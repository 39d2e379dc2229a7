// Unit tests for ReadPoints and GcHorizon (gc_horizon.h), and for Database sending the horizon.
#include "engine/storage/gc_horizon.h"

#include <gtest/gtest.h>

#include <atomic>

namespace nordlys::engine::storage {
namespace {

TEST(ReadPointsTest, OldestIsTheOldestReadInFlightElseTheVdl) {
  std::atomic<uint64_t> vdl{10};
  ReadPoints rp([&] { return Lsn(vdl.load()); });
  EXPECT_EQ(rp.Oldest(), Lsn(10));
  Lsn a = rp.Begin();
  vdl = 20;
  Lsn b = rp.Begin();
  vdl = 30;
  EXPECT_EQ(a, Lsn(10));
  EXPECT_EQ(b, Lsn(20));
  EXPECT_EQ(rp.Oldest(), Lsn(10));
  rp.End(a);
  EXPECT_EQ(rp.Oldest(), Lsn(20));
  rp.End(b);
  EXPECT_EQ(rp.Oldest(), Lsn(30));
  EXPECT_EQ(rp.in_flight(), 0u);
}

TEST(GcHorizonTest, TrailsTheOldestReadPointByTheRetentionWindow) {
  GcHorizon h(10'000);  // 10 s
  // Nothing until the instance has been up for the window.
  EXPECT_EQ(h.Tick(0, Lsn(100)), Lsn(0));
  EXPECT_EQ(h.Tick(5'000, Lsn(200)), Lsn(0));
  EXPECT_EQ(h.Tick(9'990, Lsn(300)), Lsn(0));
  // At 10 s the read point of 0 s is the horizon; at 15 s the one of 5 s.
  EXPECT_EQ(h.Tick(10'000, Lsn(400)), Lsn(100));
  EXPECT_EQ(h.Tick(15'000, Lsn(500)), Lsn(200));
  EXPECT_EQ(h.Tick(16'000, Lsn(600)), Lsn(200));
  EXPECT_EQ(h.Tick(20'000, Lsn(700)), Lsn(400));
  // Never above the oldest read in flight now (a long read started before the window).
  EXPECT_EQ(h.Tick(40'000, Lsn(450)), Lsn(450));
  // Never backwards.
  EXPECT_EQ(h.Tick(41'000, Lsn(420)), Lsn(450));
}

TEST(GcHorizonTest, ZeroRetentionIsTheOldestReadPoint) {
  GcHorizon h(0);
  EXPECT_EQ(h.Tick(0, Lsn(5)), Lsn(5));
  EXPECT_EQ(h.Tick(1, Lsn(9)), Lsn(9));
}

TEST(GcHorizonTest, LongWindowKeepsBoundedSamples) {
  GcHorizon h(uint64_t{7} * 86'400'000);  // a week, ticked every second for two weeks
  Lsn last;
  for (uint64_t t = 0; t <= uint64_t{14} * 86'400; t += 1) {
    last = h.Tick(t * 1000, Lsn(t + 1));
  }
  // The horizon lags a week, give or take one sample interval (a week / 4096 ~ 148 s), towards
  // keeping more.
  const uint64_t week_s = 7 * 86'400;
  EXPECT_LE(last.value(), week_s + 1);
  EXPECT_GE(last.value() + 2 * (week_s / kGcHorizonSamplesMax) + 2, week_s + 1);
}

}  // namespace
}  // namespace nordlys::engine::storage
