#include "page/heap_page.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/env.h"

namespace nordlys::page {
namespace {

std::string MakeTuple(uint64_t xmin, const std::string& data) {
  TupleHeader h;
  h.xmin = xmin;
  return EncodeTupleHeader(h) + data;
}

TEST(HeapPageTest, InsertReadUpdateHeader) {
  Page p;
  HeapPage::Init(&p, PageId(3));
  HeapPage h(&p);
  EXPECT_EQ(h.slot_count(), 0);
  ASSERT_TRUE(h.Insert(0, MakeTuple(7, "hello")).ok());
  ASSERT_TRUE(h.Insert(1, MakeTuple(8, "world!")).ok());
  auto t = h.Tuple(1);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(HeapPage::Data(*t), "world!");
  EXPECT_EQ(HeapPage::ReadHeader(*t).xmin, 8u);
  TupleHeader hd = HeapPage::ReadHeader(*h.Tuple(0));
  hd.xmax = 9;
  hd.infomask = kXmaxLockOnly;
  ASSERT_TRUE(h.SetHeader(0, hd).ok());
  EXPECT_EQ(HeapPage::ReadHeader(*h.Tuple(0)).xmax, 9u);
  EXPECT_EQ(HeapPage::ReadHeader(*h.Tuple(0)).infomask, kXmaxLockOnly);
  EXPECT_EQ(HeapPage::Data(*h.Tuple(0)), "hello");
  EXPECT_FALSE(h.Tuple(2).has_value());
  EXPECT_TRUE(h.Validate().ok());
}

TEST(HeapPageTest, RejectsWhatDoesNotFit) {
  Page p;
  HeapPage::Init(&p, PageId(1));
  HeapPage h(&p);
  EXPECT_TRUE(h.Insert(1, MakeTuple(1, "x")).IsCorruption());  // not the next slot
  EXPECT_TRUE(h.Insert(0, "short").IsCorruption());             // no header
  std::string big(kMaxTupleSize - kTupleHeaderSize, 'b');
  ASSERT_TRUE(h.Insert(0, MakeTuple(1, big)).ok());  // exactly fills the page
  EXPECT_FALSE(h.Fits(kTupleHeaderSize));
  EXPECT_TRUE(h.Insert(1, MakeTuple(1, "")).IsCorruption());
  EXPECT_TRUE(h.SetHeader(5, TupleHeader{}).IsCorruption());
  Page raw;
  raw.Init(PageId(2), PageType::kRaw);
  EXPECT_TRUE(HeapPage(&raw).Insert(0, MakeTuple(1, "x")).IsCorruption());
}

// Random inserts and prunes against a model; the page stays valid and every live tuple intact.
TEST(HeapPageTest, PruneCompactsAndReusesSlots) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Random rng(seed);
    Page p;
    HeapPage::Init(&p, PageId(1));
    HeapPage h(&p);
    std::map<uint16_t, std::string> model;
    for (int step = 0; step < 400; ++step) {
      if (rng.OneIn(4) && !model.empty()) {
        std::vector<uint16_t> victims;
        for (auto& [slot, _] : model) {
          if (rng.OneIn(2)) victims.push_back(slot);
        }
        ASSERT_TRUE(h.Prune(victims.data(), victims.size()).ok());
        for (uint16_t v : victims) model.erase(v);
      } else {
        std::string data(rng.Uniform(300), static_cast<char>('a' + rng.Uniform(26)));
        std::string tuple = MakeTuple(step, data);
        if (!h.Fits(tuple.size())) continue;
        uint16_t slot = h.NextSlot();
        ASSERT_FALSE(model.count(slot));
        ASSERT_TRUE(h.Insert(slot, tuple).ok());
        model[slot] = data;
      }
      ASSERT_TRUE(h.Validate().ok()) << "seed " << seed << " step " << step;
      for (auto& [slot, data] : model) {
        auto t = h.Tuple(slot);
        ASSERT_TRUE(t.has_value());
        ASSERT_EQ(HeapPage::Data(*t), data) << "seed " << seed << " slot " << slot;
      }
    }
  }
}

}  // namespace
}  // namespace nordlys::page
