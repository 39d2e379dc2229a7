#include "common/status.h"

#include <gtest/gtest.h>

#include "common/types.h"

namespace nordlys {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  NORDLYS_ASSIGN_OR_RETURN(int h, Half(x));
  NORDLYS_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, CodesMessagesAndSqlstate) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status s = Status::Corruption("bad frame").WithContext("segment 3");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.ToString(), "Corruption: segment 3: bad frame");
  EXPECT_EQ(Status::NotSupported("x").sqlstate(), "0A000");
  EXPECT_EQ(Status::Sql(StatusCode::kInvalidArgument, "42601", "syntax").sqlstate(), "42601");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(StatusDeathTest, ValueOfErrorAsserts) {
  Result<int> r = Status::Internal("boom");
  EXPECT_DEATH((void)r.value(), "assertion failed");
}

TEST(StrongTypesTest, CompareAndFormat) {
  Lsn a(5), b(7);
  EXPECT_LT(a, b);
  EXPECT_EQ(Next(a), Lsn(6));
  EXPECT_EQ(fmt::format("{}", b), "7");
  static_assert(!std::is_convertible_v<Lsn, PageId>);
  static_assert(!std::is_convertible_v<uint64_t, Lsn>);
}

}  // namespace
}  // namespace nordlys
