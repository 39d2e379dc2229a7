#include "pgwire/message.h"

#include <gtest/gtest.h>

namespace nordlys::pgwire {
namespace {

TEST(MessageTest, ReadyForQueryBytes) {
  MessageWriter w('Z');
  w.Byte('I');
  EXPECT_EQ(w.Finish(), std::string("Z\0\0\0\5I", 6));
}

TEST(MessageTest, ReaderRoundTripAndShortInput) {
  MessageWriter w('X');
  w.Int16(-2).Int32(70000).CString("user").Bytes("ab");
  std::string m = w.Finish();
  MessageReader r(std::string_view(m).substr(5));
  EXPECT_EQ(r.Int16(), -2);
  EXPECT_EQ(r.Int32(), 70000);
  EXPECT_EQ(r.CString(), "user");
  EXPECT_EQ(r.Bytes(2), "ab");
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.done());
  (void)r.Int32();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status("Bind").sqlstate(), "08P01");
  MessageReader unterminated("abc");
  EXPECT_EQ(unterminated.CString(), "");
  EXPECT_FALSE(unterminated.ok());
}

}  // namespace
}  // namespace nordlys::pgwire
