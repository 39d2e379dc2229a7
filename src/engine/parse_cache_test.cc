#include "engine/parse_cache.h"

#include <gtest/gtest.h>

#include <random>

#include "engine/parser.h"

namespace nordlys::engine {
namespace {

// Every tree the cache hands out must be the one a fresh parse gives, hit or miss.
void ExpectSameAsParse(ParseCache* cache, const std::string& sql) {
  auto cached = cache->Parse(sql);
  auto fresh = Parse(sql);
  ASSERT_EQ(cached.ok(), fresh.ok()) << sql;
  if (!fresh.ok()) {
    EXPECT_EQ(cached.status().ToString(), fresh.status().ToString()) << sql;
    return;
  }
  EXPECT_EQ(**cached, *fresh) << sql << "\ncached: " << (*cached)->dump() << "\nfresh:  " << fresh->dump();
}

TEST(ParseCacheTest, HitGivesTheTreeOfTheNewLiterals) {
  ParseCache cache;
  ExpectSameAsParse(&cache, "SELECT abalance FROM pgbench_accounts WHERE aid = 5;");
  EXPECT_EQ(cache.hits(), 0u);
  ExpectSameAsParse(&cache, "SELECT abalance FROM pgbench_accounts WHERE aid = 123456;");
  ExpectSameAsParse(&cache, "SELECT abalance FROM pgbench_accounts WHERE aid = 0;");
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ParseCacheTest, RandomLiteralsInTemplates) {
  const std::vector<std::string> templates = {
      "UPDATE pgbench_accounts SET abalance = abalance + -@ WHERE aid = @;",
      "UPDATE pgbench_accounts SET abalance = abalance + @ WHERE aid = @;",
      "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (@, @, @, -@, CURRENT_TIMESTAMP);",
      "SELECT a, b + @ AS x, 'it''s @' FROM t WHERE c BETWEEN - @ AND @ ORDER BY @ LIMIT @ OFFSET @",
      "SELECT @::numeric(@, @), @::varchar(@), \"col@\" FROM \"t 1\" WHERE x IN (@, @, -@)",
      "SELECT $1 + @, f(@, $2) FROM t1 JOIN t2 ON t1.a = t2.b - @",
  };
  const std::vector<std::string> literals = {"0",  "1",     "7",          "2147483647", "2147483648",
                                             "10", "00012", "9223372036854775808", "1.5",   ".5",
                                             "1e3", "2.5E-3", "0.0",       "42"};
  std::mt19937 rng(20261202);
  ParseCache cache;
  for (int round = 0; round < 400; ++round) {
    std::string sql;
    for (char c : templates[rng() % templates.size()]) {
      if (c == '@') {
        sql += literals[rng() % literals.size()];
      } else {
        sql += c;
      }
    }
    ExpectSameAsParse(&cache, sql);
    if (HasFailure()) return;
  }
  // A literal that changes class (int4, bigger integer, decimal) re-parses; the rest hit.
  EXPECT_GT(cache.hits(), 20u);
}

TEST(ParseCacheTest, WhatTheScannerIsNotSureOfIsNotCached) {
  std::vector<ParseCache::Token> tokens;
  std::string key;
  EXPECT_FALSE(ParseCache::Scan("SELECT 1 -- note", &tokens, &key));
  EXPECT_FALSE(ParseCache::Scan("SELECT /* 1 */ 2", &tokens, &key));
  EXPECT_FALSE(ParseCache::Scan("SELECT $$1$$", &tokens, &key));
  EXPECT_FALSE(ParseCache::Scan("SELECT E'\\'1'", &tokens, &key));
  EXPECT_FALSE(ParseCache::Scan("SELECT 1abc", &tokens, &key));
  EXPECT_FALSE(ParseCache::Scan("SELECT 'open", &tokens, &key));
  ASSERT_TRUE(ParseCache::Scan("SELECT t1.a, '5', \"6\", $3, 7.5e2 FROM t1", &tokens, &key));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].begin, 27u);
  EXPECT_EQ(key, "SELECT t1.a, '5', \"6\", $3, \x01 FROM t1");

  // Numbers that are not A_Consts (float(p) picks a type; sequence options are Integer nodes)
  // are parsed every time, and still correctly.
  ParseCache cache;
  for (const char* sql : {"SELECT 1::float(20)", "SELECT 1::float(30)", "SELECT 1::float(20)",
                          "SELECT -(5)", "SELECT -(6)", "SELECT - - 5", "SELECT - - 6",
                          "SELECT interval '1' day", "SELECT interval '2' day", "SELECT 1; SELECT 2",
                          "SELECT 1; SELECT 2"}) {
    ExpectSameAsParse(&cache, sql);
  }
  EXPECT_EQ(cache.hits(), 0u);
}

TEST(ParseCacheTest, SyntaxErrorsAreNotCached) {
  ParseCache cache;
  ExpectSameAsParse(&cache, "SELEC 1");
  ExpectSameAsParse(&cache, "SELEC 2");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ParseCacheTest, CapacityIsBounded) {
  ParseCache cache(4);
  for (int i = 0; i < 20; ++i) ExpectSameAsParse(&cache, "SELECT 1 AS c" + std::to_string(i) + "x");
  EXPECT_LE(cache.size(), 4u);
}

}  // namespace
}  // namespace nordlys::engine
