// SQL text -> PostgreSQL 15 parse tree, via libpg_query (PostgreSQL's own grammar). The tree is
// libpg_query's JSON form; the binder turns it into Nordlys's own typed tree.
//
// Thread safety: safe to call from any thread (libpg_query keeps per-thread memory contexts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace nordlys::engine {

// Returns the parse tree ({"version":..., "stmts":[...]}) or a syntax error carrying SQLSTATE
// 42601 and the 1-based character position PostgreSQL would report.
Result<nlohmann::json> Parse(const std::string& sql);

struct SyntaxError {
  std::string message;
  int position = 0;  // 1-based, 0 = unknown
};
// The position of a syntax error from Parse(), recovered from its Status.
SyntaxError SyntaxErrorOf(const Status& s);

// libpg_query 15-4.0's JSON leaves out the value of an integer that is zero or negative
// ({"ival":{}}, {"Integer":{}}). This reads it back from the statement text at the node's byte
// `location`: after skipping, when `keyword` is set, the option words before the value
// ("INCREMENT BY", "START WITH", "CACHE"), it counts the unary minus signs, parentheses and
// blanks that PostgreSQL folds into a constant ("-1", "- 1", "-(1)", "-(-(2))") and reads the
// digits. 0 when the text holds none.
int64_t IntegerAt(std::string_view sql, int location, bool keyword = false);

// PostgreSQL's quote_ident: bare when the name is lower-case letters, digits and '_' (not
// starting with a digit) and not a keyword the grammar reserves in some position; else in
// double quotes with inner quotes doubled. The keyword list is PostgreSQL 15's own, from
// libpg_query (ScanKeywords).
std::string QuoteIdentifier(std::string_view name);

}  // namespace nordlys::engine
