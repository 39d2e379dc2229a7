#include "page/btree_page.h"

#include <gtest/gtest.h>

#include <map>

#include <fmt/format.h>

#include "common/env.h"

namespace nordlys::page {
namespace {

TEST(BtreePageTest, CompareKeysIsMemcmpThenLength) {
  EXPECT_LT(CompareKeys("a", "b"), 0);
  EXPECT_LT(CompareKeys("a", "ab"), 0);
  EXPECT_EQ(CompareKeys("ab", "ab"), 0);
  EXPECT_GT(CompareKeys(std::string("\xff", 1), "a"), 0);  // unsigned bytes
  EXPECT_EQ(CompareKeys("", ""), 0);
}

TEST(BtreePageTest, LoadInsertFindRemove) {
  Page p;
  ASSERT_TRUE(BtreePage::Load(&p, PageId(4), 0, PageId(0), false, "", {}).ok());
  BtreePage b(&p);
  EXPECT_TRUE(b.is_leaf());
  EXPECT_FALSE(b.has_high_key());
  ASSERT_TRUE(b.Insert(0, "m", "tid-m").ok());
  ASSERT_TRUE(b.Insert(b.LowerBound("c"), "c", "tid-c").ok());
  ASSERT_TRUE(b.Insert(b.LowerBound("x"), "x", "tid-x").ok());
  EXPECT_EQ(b.count(), 3);
  EXPECT_EQ(b.Key(0), "c");
  EXPECT_EQ(b.Value(2), "tid-x");
  EXPECT_EQ(b.LowerBound("d"), 1);
  EXPECT_EQ(b.LowerBound("zz"), 3);
  EXPECT_TRUE(b.Insert(0, "z", "v").IsCorruption());  // out of order
  ASSERT_TRUE(b.Remove(1).ok());
  EXPECT_EQ(b.Key(1), "x");
  EXPECT_TRUE(b.Validate().ok());
  EXPECT_EQ(p.id(), PageId(4));
}

TEST(BtreePageTest, SplitKeepsOrderAndHighKey) {
  Page left;
  ASSERT_TRUE(BtreePage::Load(&left, PageId(1), 0, PageId(0), false, "", {}).ok());
  BtreePage l(&left);
  for (int i = 0; i < 100; ++i) {
    std::string k = fmt::format("k{:04}", i);
    ASSERT_TRUE(l.Insert(l.LowerBound(k), k, "0123456789").ok());
  }
  std::vector<BtreeItem> all = l.Items();
  std::vector<BtreeItem> right_items(all.begin() + 50, all.end());
  std::string high = all[49].key;
  Page right;
  ASSERT_TRUE(BtreePage::Load(&right, PageId(2), 0, PageId(0), false, "", right_items).ok());
  ASSERT_TRUE(l.Truncate(50, PageId(2), high).ok());
  EXPECT_EQ(l.count(), 50);
  EXPECT_EQ(l.right_link(), PageId(2));
  EXPECT_EQ(l.high_key(), high);
  EXPECT_TRUE(l.Insert(l.count(), "k9999", "v").IsCorruption());  // belongs to the right page
  EXPECT_TRUE(l.Validate().ok());
  EXPECT_TRUE(BtreePage(&right).Validate().ok());
  EXPECT_EQ(BtreePage(&right).Key(0), "k0050");
}

TEST(BtreePageTest, RandomInsertsAgainstAModel) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Random rng(seed);
    Page p;
    ASSERT_TRUE(BtreePage::Load(&p, PageId(1), 1, PageId(7), true, "zzzz", {}).ok());
    BtreePage b(&p);
    std::multimap<std::string, std::string> model;
    while (true) {
      std::string k(1 + rng.Uniform(12), 'a');
      for (char& c : k) c = static_cast<char>('a' + rng.Uniform(25));
      std::string v = std::to_string(rng.Next());
      if (!b.Fits(k.size(), v.size())) break;
      uint16_t at = b.LowerBound(k);
      ASSERT_TRUE(b.Insert(at, k, v).ok());
      model.emplace(k, v);
      if (rng.OneIn(5) && b.count() > 0) {
        uint16_t victim = static_cast<uint16_t>(rng.Uniform(b.count()));
        std::string key(b.Key(victim)), val(b.Value(victim));
        auto range = model.equal_range(key);
        for (auto it = range.first; it != range.second; ++it) {
          if (it->second == val) {
            model.erase(it);
            break;
          }
        }
        ASSERT_TRUE(b.Remove(victim).ok());
      }
    }
    ASSERT_TRUE(b.Validate().ok());
    ASSERT_EQ(b.count(), model.size());
    uint16_t i = 0;
    for (auto& [k, v] : model) EXPECT_EQ(b.Key(i++), k);
    EXPECT_EQ(b.right_link(), PageId(7));
    EXPECT_EQ(b.level(), 1);
  }
}

}  // namespace
}  // namespace nordlys::page
