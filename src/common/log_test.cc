#include "common/log.h"

#include <gtest/gtest.h>

namespace nordlys::log {
namespace {

TEST(LogTest, FormatsLogfmtFieldsAndQuotes) {
  std::string line = FormatLine(Level::kInfo, "storage", "segment recovered",
                                {{"pg", 3}, {"path", "/a b"}, {"q", "say \"hi\""}});
  EXPECT_EQ(line, "storage segment recovered pg=3 path=\"/a b\" q=\"say \\\"hi\\\"\"");
}

TEST(LogTest, ParsesLevels) {
  Level l;
  EXPECT_TRUE(ParseLevel("warn", &l));
  EXPECT_EQ(l, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &l));
}

}  // namespace
}  // namespace nordlys::log
