// Unit tests for coverage interval sets and SCL.
#include "storage/coverage.h"

#include <gtest/gtest.h>

namespace nordlys::storage {
namespace {

TEST(CoverageTest, MergesOutOfOrderIntervalsIntoScl) {
  Coverage c;
  c.Add(Epoch(1), 20, 30);
  EXPECT_EQ(c.Scl(), Lsn(0));
  c.Add(Epoch(1), 0, 10);
  EXPECT_EQ(c.Scl(), Lsn(10));
  c.Add(Epoch(2), 10, 20);  // another epoch's interval still joins the union
  EXPECT_EQ(c.Scl(), Lsn(30));
  EXPECT_EQ(c.MaxHi(), 30u);
}

TEST(CoverageTest, AnnulCutsOnlyOlderEpochs) {
  Coverage c;
  c.Add(Epoch(1), 0, 50);
  c.Add(Epoch(2), 60, 80);
  c.Annul({Epoch(2), Lsn(40)});
  EXPECT_EQ(c.Scl(), Lsn(40));
  EXPECT_EQ(c.MaxHi(), 80u);  // epoch 2's own coverage stays
}

TEST(CoverageTest, RemovePointPunchesHole) {
  IntervalSet s;
  s.Add(0, 10);
  s.RemovePoint(5);
  ASSERT_EQ(s.intervals().size(), 2u);
  EXPECT_EQ(s.intervals().at(0), 4u);
  EXPECT_EQ(s.intervals().at(5), 10u);
  s.Add(4, 5);
  EXPECT_EQ(s.intervals().size(), 1u);
  s.CutAbove(3);
  EXPECT_EQ(s.MaxHi(), 3u);
}

TEST(CoverageTest, CutForUsesFirstNewerEntry) {
  proto::EpochHistory h;
  h.entries = {{Epoch(1), Lsn(0)}, {Epoch(3), Lsn(100)}, {Epoch(5), Lsn(200)}};
  EXPECT_EQ(CutFor(h, Epoch(1)), 100u);
  EXPECT_EQ(CutFor(h, Epoch(3)), 200u);
  EXPECT_EQ(CutFor(h, Epoch(5)), UINT64_MAX);
}

}  // namespace
}  // namespace nordlys::storage
