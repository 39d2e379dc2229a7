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

TEST(QuoteIdentifierTest, QuotesWhatPostgresQuotes) {
  EXPECT_EQ(QuoteIdentifier("abc_1"), "abc_1");
  EXPECT_EQ(QuoteIdentifier("name"), "name");      // unreserved keyword: bare
  EXPECT_EQ(QuoteIdentifier("select"), "\"select\"");  // reserved
  EXPECT_EQ(QuoteIdentifier("user"), "\"user\"");
  EXPECT_EQ(QuoteIdentifier("int"), "\"int\"");    // column-name keyword
  EXPECT_EQ(QuoteIdentifier("Foo"), "\"Foo\"");
  EXPECT_EQ(QuoteIdentifier("1x"), "\"1x\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier(""), "\"\"");
}

}  // namespace
}  // namespace nordlys::engine
