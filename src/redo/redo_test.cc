#include <gtest/gtest.h>

#include "redo/apply.h"
#include "redo/record.h"
#include "page/btree_page.h"
#include "page/heap_page.h"

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

namespace nordlys::redo {
namespace {

TEST(HeapApplyTest, InsertSetHeaderPruneAreIdempotent) {
  page::TupleHeader h;
  h.xmin = 5;
  std::string tuple = page::EncodeTupleHeader(h) + "row";
  std::vector<Record> log = {
      {Lsn(1), Lsn(0), PageId(9), RecordType::kPageInit, 0,
       PageInitPayload(static_cast<uint16_t>(page::PageType::kHeap))},
      {Lsn(2), Lsn(1), PageId(9), RecordType::kHeapInsert, 0, HeapInsertPayload(0, tuple)},
      {Lsn(3), Lsn(2), PageId(9), RecordType::kHeapInsert, 0, HeapInsertPayload(1, tuple)},
  };
  h.xmax = 6;
  log.push_back({Lsn(4), Lsn(3), PageId(9), RecordType::kHeapSetHeader, 0,
                 HeapSetHeaderPayload(0, page::EncodeTupleHeader(h))});
  log.push_back({Lsn(5), Lsn(4), PageId(9), RecordType::kHeapPrune, kFlagCpl,
                 HeapPrunePayload({0})});
  page::Page once, twice;
  for (const auto& r : log) ASSERT_TRUE(Apply(r, &once).ok()) << r.lsn.value();
  for (const auto& r : log) ASSERT_TRUE(Apply(r, &twice).ok());
  for (const auto& r : log) ASSERT_TRUE(Apply(r, &twice).ok());  // replay: no-ops
  EXPECT_EQ(once.bytes, twice.bytes);
  page::HeapPage hp(&once);
  EXPECT_FALSE(hp.Tuple(0).has_value());
  ASSERT_TRUE(hp.Tuple(1).has_value());
  EXPECT_EQ(page::HeapPage::Data(*hp.Tuple(1)), "row");
  EXPECT_TRUE(hp.Validate().ok());
  // Round trip through the wire encoding.
  std::string buf;
  for (const auto& r : log) EncodeRecord(r, &buf);
  std::string_view in = buf;
  for (const auto& r : log) EXPECT_EQ(DecodeRecord(&in).value(), r);
}

TEST(HeapApplyTest, HeapRecordOnWrongPageKindIsCorruption) {
  page::Page p;
  Record ins{Lsn(1), Lsn(0), PageId(9), RecordType::kHeapInsert, 0,
             HeapInsertPayload(0, std::string(40, 'x'))};
  EXPECT_TRUE(Apply(ins, &p).IsCorruption());
  EXPECT_TRUE(p.IsEmpty());
}

}  // namespace
}  // namespace nordlys::redo

namespace nordlys::redo {
namespace {

TEST(BtreeApplyTest, SplitAsRecordsIsDeterministicAndIdempotent) {
  std::vector<BtreeKv> items;
  for (int i = 0; i < 10; ++i) items.push_back({"key" + std::to_string(i), "v"});
  std::vector<Record> left_log = {
      {Lsn(1), Lsn(0), PageId(1), RecordType::kBtreeLoad, 0,
       BtreeLoadPayload(0, PageId(0), false, "", items)},
      {Lsn(2), Lsn(1), PageId(1), RecordType::kBtreeInsert, 0,
       BtreeInsertPayload(10, "key99", "w")},
      {Lsn(4), Lsn(2), PageId(1), RecordType::kBtreeTruncate, 0,
       BtreeTruncatePayload(5, PageId(2), "key4")},
      {Lsn(5), Lsn(4), PageId(1), RecordType::kBtreeRemove, kFlagCpl, BtreeRemovePayload(0)},
  };
  page::Page a, b;
  for (const auto& r : left_log) ASSERT_TRUE(Apply(r, &a).ok()) << r.lsn.value();
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : left_log) ASSERT_TRUE(Apply(r, &b).ok());
  }
  EXPECT_EQ(a.bytes, b.bytes);
  page::BtreePage bp(&a);
  EXPECT_EQ(bp.count(), 4);
  EXPECT_EQ(bp.Key(0), "key1");
  EXPECT_EQ(bp.right_link(), PageId(2));
  EXPECT_EQ(bp.high_key(), "key4");
  // A bad record leaves the page as it was.
  page::Page before = a;
  Record bad{Lsn(9), Lsn(5), PageId(1), RecordType::kBtreeInsert, 0,
             BtreeInsertPayload(0, "zzz", "v")};  // out of order at index 0
  EXPECT_TRUE(Apply(bad, &a).IsCorruption());
  EXPECT_EQ(a.bytes, before.bytes);
}

}  // namespace
}  // namespace nordlys::redo
