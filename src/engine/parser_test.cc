#include "engine/parser.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace nordlys::engine {
namespace {

TEST(ParserTest, ParsesStatements) {
  auto tree = Parse("SELECT 1; CREATE TABLE t (a int primary key)");
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  ASSERT_EQ((*tree)["stmts"].size(), 2u);
  EXPECT_TRUE((*tree)["stmts"][0]["stmt"].contains("SelectStmt"));
  EXPECT_TRUE((*tree)["stmts"][1]["stmt"].contains("CreateStmt"));
}

TEST(ParserTest, SyntaxErrorHasSqlstateAndPosition) {
  auto tree = Parse("SELECT * FORM t");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.status().sqlstate(), "42601");
  SyntaxError e = SyntaxErrorOf(tree.status());
  EXPECT_EQ(e.message, "syntax error at or near \"FORM\"");  // as PostgreSQL 15 says it
  EXPECT_EQ(e.position, 10);
}

}  // namespace
}  // namespace nordlys::engine
