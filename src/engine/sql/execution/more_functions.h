// Evaluation of the date/time, math and text functions bound by binder/bind_scalar_function.cc
// (extract, date_trunc, to_char, age, AT TIME ZONE, make_*, numeric ln/exp/power, format,
// regexp_replace, encode/decode, md5, ...), for EvalFunction.
//
// Thread safety: one statement execution at a time (the regex cache is per thread).
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/sql/binder/expr.h"
#include "engine/sql/execution/exec_context.h"
#include "engine/types/value.h"

namespace nordlys::engine::sql {

// True for the functions EvalMoreFunction computes (numeric sqrt/power included).
bool IsMoreFunction(const Expr& e);
// REQUIRES: IsMoreFunction(e); `args` are e.args evaluated (NULLs included: each function
// applies its own strictness).
Result<types::Value> EvalMoreFunction(const Expr& e, std::vector<types::Value>& args, ExecContext* ctx);

// The compiled std::regex (ECMAScript) for a pattern, cached per thread. 2201B for a pattern
// std::regex rejects.
Result<const std::regex*> CompiledRegex(const std::string& pattern, bool icase);

}  // namespace nordlys::engine::sql
