#include <gtest/gtest.h>

#include "redo/apply.h"
#include "redo/record.h"

namespace nordlys::redo {
namespace {

Record Write(uint64_t lsn, uint64_t prev, uint16_t off, std::string bytes) {
  return Record{Lsn(lsn), Lsn(prev), PageId(5), RecordType::kWriteBytes, 0,
                WriteBytesPayload(off, bytes)};
}

TEST(RecordTest, EncodeDecodeMany) {
  std::string buf;
  Record a = Write(1, 0, 24, "abc");
  Record b{Lsn(2), Lsn(1), PageId(5), RecordType::kPageInit, kFlagCpl, PageInitPayload(2)};
  EncodeRecord(a, &buf);
  EncodeRecord(b, &buf);
  std::string_view in = buf;
  EXPECT_EQ(DecodeRecord(&in).value(), a);
  Record got = DecodeRecord(&in).value();
  EXPECT_EQ(got, b);
  EXPECT_TRUE(got.is_cpl());
  EXPECT_TRUE(in.empty());
}

TEST(RecordTest, GarbageIsCorruption) {
  std::string buf;
  EncodeRecord(Write(3, 1, 24, "xyz"), &buf);
  std::string_view cut = std::string_view(buf).substr(0, buf.size() - 1);
  EXPECT_TRUE(DecodeRecord(&cut).status().IsCorruption());
  std::string bad = buf;
  bad[24] = 99;  // type
  std::string_view in = bad;
  EXPECT_TRUE(DecodeRecord(&in).status().IsCorruption());
  Record loop = Write(3, 3, 24, "x");  // prev must be below lsn
  std::string l;
  EncodeRecord(loop, &l);
  in = l;
  EXPECT_TRUE(DecodeRecord(&in).status().IsCorruption());
}

TEST(ApplyTest, AppliesInOrderAndIsIdempotent) {
  page::Page p;
  ASSERT_TRUE(Apply(Write(1, 0, 24, "hello"), &p).ok());
  ASSERT_TRUE(Apply(Write(2, 1, 26, "LL"), &p).ok());
  EXPECT_EQ(std::string(p.bytes.data() + 24, 5), "heLLo");
  EXPECT_EQ(p.lsn(), Lsn(2));
  ASSERT_TRUE(Apply(Write(1, 0, 24, "hello"), &p).ok());  // replay: no-op
  EXPECT_EQ(std::string(p.bytes.data() + 24, 5), "heLLo");
  EXPECT_EQ(p.id(), PageId(5));
}

TEST(ApplyTest, RejectsOutOfPageWrites) {
  page::Page p;
  EXPECT_TRUE(Apply(Write(1, 0, 8190, "toolong"), &p).IsCorruption());
  EXPECT_TRUE(Apply(Write(1, 0, 4, "header"), &p).IsCorruption());
  EXPECT_TRUE(p.IsEmpty());
}

}  // namespace
}  // namespace nordlys::redo
