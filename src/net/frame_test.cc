#include "net/frame.h"

#include <gtest/gtest.h>

namespace nordlys::net {
namespace {

TEST(FrameTest, RoundTrip) {
  Frame f;
  f.type = 123;
  f.request_id = 0xABCDEF;
  f.payload = "hello";
  std::string bytes = EncodeFrame(f);
  ASSERT_EQ(bytes.size(), kFrameHeaderSize + 5);
  auto h = DecodeFrameHeader(std::string_view(bytes).substr(0, kFrameHeaderSize));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, 123);
  EXPECT_EQ(h->request_id, 0xABCDEFu);
  EXPECT_EQ(h->payload_len, 5u);
  EXPECT_TRUE(VerifyFrame(std::string_view(bytes).substr(0, kFrameHeaderSize), *h,
                          std::string_view(bytes).substr(kFrameHeaderSize))
                  .ok());
}

TEST(FrameTest, HeaderThenPayloadIsTheFrame) {
  Frame f;
  f.flags = kFlagResponse;
  f.type = 9;
  f.request_id = 77;
  f.payload = std::string(5000, 'x');
  f.payload[4999] = 'y';
  std::string header = EncodeFrameHeader(f);
  ASSERT_EQ(header.size(), kFrameHeaderSize);
  EXPECT_EQ(header + f.payload, EncodeFrame(f));
  auto h = DecodeFrameHeader(header);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(VerifyFrame(header, *h, f.payload).ok());
  f.payload[0] = 'z';  // the header's checksum covers the payload
  EXPECT_FALSE(VerifyFrame(header, *h, f.payload).ok());
}

TEST(FrameTest, EveryFlippedBitIsCaught) {
  Frame f;
  f.type = 7;
  f.payload = std::string(100, 'p');
  std::string good = EncodeFrame(f);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x10;
    std::string_view hv = std::string_view(bad).substr(0, kFrameHeaderSize);
    auto h = DecodeFrameHeader(hv);
    if (!h.ok()) continue;  // magic/version/length check caught it
    if (h->payload_len != f.payload.size()) continue;  // framing would misread: also caught
    EXPECT_FALSE(VerifyFrame(hv, *h, std::string_view(bad).substr(kFrameHeaderSize)).ok())
        << "flip at byte " << i;
  }
}

TEST(FrameTest, OversizedAndForeignFramesRejected) {
  std::string junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_TRUE(DecodeFrameHeader(junk.substr(0, kFrameHeaderSize)).status().IsCorruption());
  Frame f;
  std::string bytes = EncodeFrame(f);
  bytes[16] = bytes[17] = bytes[18] = bytes[19] = '\xff';  // payload_len = 4 GiB
  EXPECT_TRUE(DecodeFrameHeader(bytes.substr(0, kFrameHeaderSize)).status().IsCorruption());
}

TEST(FrameTest, ErrorPayloadCarriesStatus) {
  Status s = DecodeErrorPayload(EncodeErrorPayload(Status::Fenced("epoch 3 < 4")));
  EXPECT_TRUE(s.IsFenced());
  EXPECT_EQ(s.message(), "epoch 3 < 4");
  EXPECT_TRUE(DecodeErrorPayload("").IsCorruption());
}

}  // namespace
}  // namespace nordlys::net
