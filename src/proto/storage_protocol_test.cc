#include "proto/storage_protocol.h"

#include <gtest/gtest.h>

#include "common/coding.h"

namespace nordlys::proto {
namespace {

redo::Record Rec(uint64_t lsn, uint64_t prev, uint64_t page, bool cpl) {
  return redo::Record{Lsn(lsn), Lsn(prev), PageId(page), redo::RecordType::kWriteBytes,
                      static_cast<uint8_t>(cpl ? redo::kFlagCpl : 0),
                      redo::WriteBytesPayload(30, "data" + std::to_string(lsn))};
}

template <typename M>
M RoundTrip(const M& m) {
  M out;
  Status s = Decode(EncodeToString(m), &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(StorageProtocolTest, WriteBatchRoundTrip) {
  WriteBatchRequest w{Epoch(3), Lsn(10), Lsn(20), {PgId(0), PgId(2)},
                      {Rec(11, 0, 1, false), Rec(12, 11, 1, true)}, 1024};
  WriteBatchRequest got = RoundTrip(w);
  EXPECT_EQ(got.pages_per_pg, 1024u);
  EXPECT_EQ(got.epoch, w.epoch);
  EXPECT_EQ(got.covers_after, w.covers_after);
  EXPECT_EQ(got.covers_to, w.covers_to);
  EXPECT_EQ(got.pgs, w.pgs);
  EXPECT_EQ(got.records, w.records);
  WriteBatchResponse resp{{{PgId(0), Lsn(20)}, {PgId(2), Lsn(15)}}};
  EXPECT_EQ(RoundTrip(resp).scls, resp.scls);
}

TEST(StorageProtocolTest, WriteBatchFromRecordPointersIsTheSameBytes) {
  WriteBatchRequest w{Epoch(3), Lsn(10), Lsn(20), {PgId(0), PgId(2)},
                      {Rec(11, 0, 1, false), Rec(12, 11, 1, true)}, 1024};
  w.records[1].payload = std::string(5000, 'z');  // past any small-string size
  WriteBatchRequest head = w;
  head.records.clear();
  std::vector<const redo::Record*> ptrs;
  for (const redo::Record& r : w.records) ptrs.push_back(&r);
  EXPECT_EQ(EncodeWriteBatch(head, ptrs), EncodeToString(w));
  EXPECT_EQ(EncodeWriteBatch(head, {}), EncodeToString(head));
}

TEST(StorageProtocolTest, StateFetchAndConfigRoundTrip) {
  PgStateResponse st;
  st.node_epoch = Epoch(2);
  st.scl = Lsn(100);
  st.max_lsn = Lsn(120);
  st.max_cpl_at_or_below = Lsn(99);
  st.last_lsn_at_or_below = Lsn(98);
  st.horizon = Lsn(5);
  st.history.entries = {{Epoch(1), Lsn(0)}, {Epoch(2), Lsn(50)}};
  PgStateResponse st2 = RoundTrip(st);
  EXPECT_EQ(st2.history, st.history);
  EXPECT_EQ(st2.max_cpl_at_or_below, Lsn(99));

  FetchRecordsResponse f;
  f.history = st.history;
  f.scl = Lsn(100);
  f.covered_to = Lsn(90);
  f.records = {{Epoch(1), Rec(40, 0, 3, true)}, {Epoch(2), Rec(60, 40, 3, false)}};
  FetchRecordsResponse f2 = RoundTrip(f);
  EXPECT_EQ(f2.records, f.records);
  EXPECT_EQ(f2.covered_to, Lsn(90));
  f.images_at = Lsn(70);
  f.images = {{PageId(3), Lsn(69), Epoch(2), std::string(8192, 'i')}};
  f.images_next = PageId(4);
  f.images_done = true;
  f.base_last_lsn = Lsn(69);
  f.base_last_cpl = Lsn(68);
  f2 = RoundTrip(f);
  EXPECT_EQ(f2.images, f.images);
  EXPECT_EQ(f2.images_next, PageId(4));
  EXPECT_TRUE(f2.images_done);
  EXPECT_EQ(f2.base_last_cpl, Lsn(68));
  FetchRecordsRequest fr{Epoch(2), PgId(1), Lsn(5), Lsn(9), 100, Lsn(70), PageId(4)};
  FetchRecordsRequest fr2 = RoundTrip(fr);
  EXPECT_EQ(fr2.images_at, Lsn(70));
  EXPECT_EQ(fr2.images_from, PageId(4));
  // A version-1 request (no image fields) still decodes.
  std::string v1 = EncodeToString(fr);
  v1[0] = 1;
  v1.resize(v1.size() - 16);
  ASSERT_TRUE(Decode(v1, &fr2).ok());
  EXPECT_EQ(fr2.images_at, Lsn(0));
  EXPECT_EQ(fr2.after, Lsn(5));
  // An image of the wrong size is refused.
  f.images[0].image.resize(100);
  EXPECT_FALSE(Decode(EncodeToString(f), &f2).ok());

  ConfigurePgRequest c{
      Epoch(2), PgId(4), {{NodeId(1), "127.0.0.1:7001"}, {NodeId(2), "x:1"}}, 4096};
  EXPECT_EQ(RoundTrip(c).members, c.members);
  EXPECT_EQ(RoundTrip(c).pages_per_pg, 4096u);
  GetPageResponse g{Lsn(7), std::string(8192, 'p')};
  EXPECT_EQ(RoundTrip(g).image, g.image);
}

std::vector<PgMember> Set(std::initializer_list<uint64_t> ids) {
  std::vector<PgMember> out;
  for (uint64_t id : ids) out.push_back({NodeId(id), "n" + std::to_string(id) + ":1"});
  return out;
}

TEST(StorageProtocolTest, MembershipRoundTripAndRules) {
  Membership m{{Epoch(4), 2}, Set({1, 2, 3, 4, 5, 6}), Set({1, 2, 3, 4, 5, 7})};
  ASSERT_TRUE(m.Validate().ok());
  EXPECT_EQ(m.Union().size(), 7u);
  PgStateResponse st;
  st.membership = m;
  EXPECT_EQ(RoundTrip(st).membership, m);
  ConfigurePgRequest c{Epoch(4), PgId(1), m.Union(), 8, m};
  EXPECT_EQ(RoundTrip(c).membership, m);
  EXPECT_LT((MembershipVersion{Epoch(3), 9}), (MembershipVersion{Epoch(4), 0}));
  EXPECT_LT((MembershipVersion{Epoch(4), 1}), (MembershipVersion{Epoch(4), 2}));
  // Two members differ: not a single replacement.
  Membership two{{Epoch(4), 2}, Set({1, 2, 3, 4, 5, 6}), Set({1, 2, 3, 4, 7, 8})};
  EXPECT_TRUE(two.Validate().IsCorruption());
  Membership dup{{Epoch(4), 2}, Set({1, 1, 3, 4, 5, 6}), {}};
  EXPECT_TRUE(dup.Validate().IsCorruption());
  Membership five{{Epoch(4), 2}, Set({1, 2, 3, 4, 5}), {}};
  EXPECT_TRUE(five.Validate().IsCorruption());
  st.membership = two;
  PgStateResponse out;
  EXPECT_TRUE(Decode(EncodeToString(st), &out).IsCorruption());
  // A version-1 answer (before memberships) still decodes, with no membership.
  PgStateResponse v1;
  v1.history.entries = {{Epoch(1), Lsn(0)}};
  std::string bytes = EncodeToString(v1);
  bytes[0] = 1;
  bytes.resize(bytes.size() - 24);  // drop the (empty) membership: 2 x u64 + 2 x u32
  ASSERT_TRUE(Decode(bytes, &out).ok());
  EXPECT_FALSE(out.membership.known());
}

TEST(StorageProtocolTest, AnnulmentRule) {
  EpochHistory h;
  h.entries = {{Epoch(1), Lsn(0)}, {Epoch(2), Lsn(100)}, {Epoch(3), Lsn(500)}};
  EXPECT_FALSE(h.Annulled(Epoch(1), Lsn(100)));  // at the cut: kept
  EXPECT_TRUE(h.Annulled(Epoch(1), Lsn(101)));   // above epoch 2's VDL, written before it
  EXPECT_FALSE(h.Annulled(Epoch(2), Lsn(400)));  // epoch 2's own record below epoch 3's VDL
  EXPECT_TRUE(h.Annulled(Epoch(2), Lsn(501)));
  EXPECT_FALSE(h.Annulled(Epoch(3), Lsn(9000)));
  EpochHistory prefix;
  prefix.entries = {h.entries[0], h.entries[1]};
  EXPECT_TRUE(prefix.IsPrefixOf(h));
  EXPECT_FALSE(h.IsPrefixOf(prefix));
}

TEST(StorageProtocolTest, GarbageIsRejectedNotTrusted) {
  WriteBatchRequest w{Epoch(3), Lsn(10), Lsn(20), {PgId(0)}, {Rec(11, 0, 1, false)}};
  std::string bytes = EncodeToString(w);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    WriteBatchRequest out;
    EXPECT_FALSE(Decode(std::string_view(bytes).substr(0, cut), &out).ok()) << cut;
  }
  WriteBatchRequest out;
  EXPECT_FALSE(Decode(bytes + "x", &out).ok());  // trailing bytes
  std::string v2 = bytes;
  v2[0] = 2;
  EXPECT_EQ(Decode(v2, &out).code(), StatusCode::kNotSupported);
  PgStateResponse st;
  st.history.entries = {{Epoch(2), Lsn(5)}, {Epoch(1), Lsn(9)}};  // not ascending
  PgStateResponse st2;
  EXPECT_TRUE(Decode(EncodeToString(st), &st2).IsCorruption());
  std::string huge;
  PutFixed8(&huge, kProtocolVersion);
  PutFixed64(&huge, 1);
  PutFixed64(&huge, 1);
  PutFixed64(&huge, 2);
  PutFixed64(&huge, 1024);        // pages_per_pg
  PutFixed32(&huge, 0xFFFFFFFF);  // claims 4 billion PGs
  EXPECT_TRUE(Decode(huge, &out).IsCorruption());
}

}  // namespace
}  // namespace nordlys::proto
