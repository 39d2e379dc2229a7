// Unit tests of the differential test's own parts: the corpus splitter (quotes, comments,
// dollar quotes, COPY data, `-- error` annotations, which statement numbers rely on), the
// comparison of outcomes, and the known-failures list.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "known_failures.h"
#include "sql_diff.h"
#include "sql_script.h"

namespace nordlys::sqltest {
namespace {

TEST(SqlScript, SplitsOnSemicolonsOutsideQuotesAndComments) {
  auto r = ParseScript(
      "SELECT 'a;b', \"c;d\" ; -- x; y\n"
      "/* a; /* nested; */ b; */ SELECT E'\\';', $$;$$, $t$ $$; $t$;\n"
      "SELECT $1;\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].sql, "SELECT 'a;b', \"c;d\"");
  EXPECT_EQ((*r)[1].sql, "SELECT E'\\';', $$;$$, $t$ $$; $t$");
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_EQ((*r)[2].sql, "SELECT $1");
  EXPECT_EQ((*r)[2].number, 3);
}

TEST(SqlScript, ErrorAnnotationsBeforeOrAfter) {
  auto r = ParseScript(
      "SELECT 1/0; -- error 22012\n"
      "-- a comment\n"
      "-- error 42601\n"
      "SELEC 1;\n"
      "SELECT 1; -- errors are fine here\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].expected_sqlstate, "22012");
  EXPECT_EQ((*r)[1].expected_sqlstate, "42601");
  EXPECT_EQ((*r)[2].expected_sqlstate, "");
  EXPECT_FALSE(ParseScript("SELECT 1; -- error 22\n").ok());
}

TEST(SqlScript, CopyDataRunsToBackslashDot) {
  auto r = ParseScript(
      "COPY t (a, b) FROM STDIN; -- error 22P02\n"
      "1\tx;y'\n"
      "2\t\\N\n"
      "\\.\n"
      "SELECT 2;\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_TRUE((*r)[0].copy_in);
  EXPECT_EQ((*r)[0].copy_data, "1\tx;y'\n2\t\\N\n");
  EXPECT_EQ((*r)[0].expected_sqlstate, "22P02");
  EXPECT_EQ((*r)[1].expected_sqlstate, "");
  EXPECT_EQ((*r)[1].sql, "SELECT 2");
  EXPECT_EQ((*r)[1].line, 5);
  EXPECT_FALSE(ParseScript("COPY t FROM stdin;\n1\n").ok());
}

TEST(SqlScript, UnterminatedInputIsAnError) {
  EXPECT_FALSE(ParseScript("SELECT 'abc;\n").ok());
  EXPECT_FALSE(ParseScript("SELECT 1 /* x;\n").ok());
  EXPECT_FALSE(ParseScript("SELECT 1\n").ok());
}

TEST(SqlScript, ProtocolDirectiveAppliesToTheWholeFile) {
  auto r = ParseScript("-- sqldiff: protocol=prepared\nSELECT 1;\nSELECT 2;\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].protocol, Protocol::kPrepared);
  EXPECT_EQ((*r)[1].protocol, Protocol::kPrepared);
  auto simple = ParseScript("SELECT 1;\n");
  ASSERT_TRUE(simple.ok());
  EXPECT_EQ((*simple)[0].protocol, Protocol::kSimple);
  EXPECT_FALSE(ParseScript("SELECT 1;\n-- sqldiff: protocol=extended\nSELECT 2;\n").ok());
  EXPECT_FALSE(ParseScript("-- sqldiff: protocol=carrier-pigeon\nSELECT 1;\n").ok());
}

TEST(SqlScript, TopLevelOrderBy) {
  EXPECT_TRUE(HasTopLevelOrderBy("select a from t order  by a"));
  EXPECT_TRUE(HasTopLevelOrderBy("SELECT 1 UNION SELECT 2 ORDER\nBY 1"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT rank() OVER (ORDER BY a) FROM t"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT 'order by' FROM t -- order by\n"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT * FROM (SELECT a FROM t ORDER BY a) s"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT border by_x FROM t"));
}

Outcome Rows(std::vector<Row> rows) {
  Outcome o;
  o.kind = Outcome::Kind::kRows;
  o.tag = "SELECT " + std::to_string(rows.size());
  o.column_names = {"a", "b"};
  o.column_types = {23, 25};
  o.rows = std::move(rows);
  return o;
}

TEST(SqlCompare, RowsAreAMultisetUnlessOrdered) {
  Outcome want = Rows({{"1", "x"}, {"2", std::nullopt}});
  Outcome swapped = Rows({{"2", std::nullopt}, {"1", "x"}});
  EXPECT_EQ(Compare(want, swapped, /*ordered=*/false), "");
  EXPECT_NE(Compare(want, swapped, /*ordered=*/true), "");
  Outcome null_vs_text = Rows({{"1", "x"}, {"2", "<NULL>"}});
  EXPECT_NE(Compare(want, null_vs_text, false), "");
  Outcome fewer = Rows({{"1", "x"}});
  EXPECT_NE(Compare(want, fewer, false), "");
  Outcome dup = Rows({{"1", "x"}, {"1", "x"}});
  EXPECT_NE(Compare(Rows({{"1", "x"}, {"2", "x"}}), dup, false), "");
}

TEST(SqlCompare, TagNamesTypesAndErrorsCount) {
  Outcome want = Rows({{"1", "x"}});
  Outcome other_type = want;
  other_type.column_types[0] = 20;
  EXPECT_NE(Compare(want, other_type, false).find("type OID"), std::string::npos);
  Outcome other_name = want;
  other_name.column_names[1] = "c";
  EXPECT_NE(Compare(want, other_name, false), "");
  Outcome cmd;
  cmd.tag = "INSERT 0 1";
  Outcome cmd2 = cmd;
  cmd2.tag = "INSERT 0 2";
  EXPECT_EQ(Compare(cmd, cmd, false), "");
  EXPECT_NE(Compare(cmd, cmd2, false), "");
  Outcome err;
  err.kind = Outcome::Kind::kError;
  err.sqlstate = "22012";
  err.message = "division by zero";
  Outcome err2 = err;
  err2.message = "divide by zero";
  EXPECT_EQ(Compare(err, err, false), "");
  EXPECT_NE(Compare(err, err2, false), "");
  err2 = err;
  err2.sqlstate = "XX000";
  EXPECT_NE(Compare(err, err2, false), "");
  EXPECT_NE(Compare(err, cmd, false), "");
  std::string shown = RenderSideBySide("pg15", want, "nordlys", err, false, 10);
  EXPECT_NE(shown.find("1 | x"), std::string::npos) << shown;
  EXPECT_NE(shown.find("division by zero"), std::string::npos) << shown;
}

TEST(KnownFailuresList, UpdateKeepsReasonsAndOtherFiles) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("known-failures-" + std::to_string(::getpid()) + ".txt"))
                         .string();
  {
    std::ofstream out(path);
    out << "# header\n\na.sql:3 a reason\na.sql:5 gone soon\nb.sql:1 other file\n";
  }
  auto k = KnownFailures::Load(path);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->For("a.sql").size(), 2u);
  EXPECT_EQ(k->For("a.sql").at(3), "a reason");
  ASSERT_TRUE(KnownFailures::Update(path, "a.sql", {{3, "TODO: x"}, {4, "TODO: new"}}).ok());
  k = KnownFailures::Load(path);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  KnownFailures::Entries a = k->For("a.sql");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.at(3), "a reason");
  EXPECT_EQ(a.at(4), "TODO: new");
  EXPECT_EQ(k->For("b.sql").at(1), "other file");
  ASSERT_TRUE(KnownFailures::Update(path, "b.sql", {}).ok());
  k = KnownFailures::Load(path);
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->For("b.sql").empty());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().rfind("# header\n", 0), 0u) << text.str();
  {
    std::ofstream out(path);
    out << "a.sql:7\n";
  }
  EXPECT_FALSE(KnownFailures::Load(path).ok());  // an entry without a reason
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace nordlys::sqltest
