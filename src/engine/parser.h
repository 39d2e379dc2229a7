// SQL text -> PostgreSQL 15 parse tree, via libpg_query (PostgreSQL's own grammar). The tree is
// libpg_query's JSON form; the binder turns it into Nordlys's own typed tree.
//
// Thread safety: safe to call from any thread (libpg_query keeps per-thread memory contexts).
#pragma once

#include <string>

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

}  // namespace nordlys::engine
