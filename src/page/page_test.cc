#include "page/page.h"

#include <gtest/gtest.h>

namespace nordlys::page {
namespace {

TEST(PageTest, InitSealVerify) {
  Page p;
  EXPECT_TRUE(p.IsEmpty());
  EXPECT_TRUE(p.Verify(PageId(9)).ok());
  p.Init(PageId(9), PageType::kRaw);
  p.set_lsn(Lsn(42));
  p.bytes[100] = 'x';
  p.Seal();
  EXPECT_TRUE(p.Verify(PageId(9)).ok());
  EXPECT_EQ(p.lsn(), Lsn(42));
  EXPECT_EQ(p.type(), PageType::kRaw);
  EXPECT_TRUE(p.Verify(PageId(10)).IsCorruption());  // misdirected
  p.bytes[5000] ^= 4;
  EXPECT_TRUE(p.Verify(PageId(9)).IsCorruption());
}

}  // namespace
}  // namespace nordlys::page
