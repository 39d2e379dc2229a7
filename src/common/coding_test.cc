#include "common/coding.h"

#include <gtest/gtest.h>

#include "common/checksum.h"

namespace nordlys {
namespace {

TEST(CodingTest, RoundTrip) {
  std::string buf;
  PutFixed8(&buf, 7);
  PutFixed16(&buf, 0xBEEF);
  PutFixed32(&buf, 0xDEADBEEF);
  PutFixed64(&buf, 0x0123456789ABCDEFULL);
  PutBytes(&buf, "payload");
  Reader r(buf);
  EXPECT_EQ(r.U8(), 7);
  EXPECT_EQ(r.U16(), 0xBEEF);
  EXPECT_EQ(r.U32(), 0xDEADBEEFu);
  EXPECT_EQ(r.U64(), 0x0123456789ABCDEFULL);
  EXPECT_EQ(r.Bytes(), "payload");
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.done());
}

TEST(CodingTest, ShortInputIsCorruptionNotACrash) {
  std::string buf;
  PutFixed32(&buf, 1000);  // claims 1000 bytes follow
  buf += "abc";
  Reader r(buf);
  (void)r.Bytes();
  (void)r.U64();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status("frame").IsCorruption());
}

TEST(ChecksumTest, DetectsSingleBitFlip) {
  std::string a(4096, 'x');
  uint64_t c = Checksum64(a);
  a[1000] ^= 1;
  EXPECT_NE(c, Checksum64(a));
  EXPECT_NE(Checksum64("a", 1), Checksum64("a", 2));
}

TEST(ChecksumTest, TwoPartsHashLikeTheirConcatenation) {
  // Both sides of the short-input copy and of the streaming path.
  for (size_t n : {0, 1, 100, 511, 512, 513, 4096, 100000}) {
    std::string a(1, 't');
    std::string b(n, 'p');
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>(i * 7);
    EXPECT_EQ(Checksum64Of2(a, b), Checksum64(a + b)) << n;
    EXPECT_EQ(Checksum64Of2(b, a), Checksum64(b + a)) << n;
    EXPECT_EQ(Checksum64Of2("", b), Checksum64(b)) << n;
  }
}

}  // namespace
}  // namespace nordlys
