// Evaluation of the array functions (subscript, ||, array_to_string, array_length, ...) for
// EvalFunction. They see NULL arguments themselves.
//
// Thread safety: pure functions.
#pragma once

#include <vector>

#include "common/status.h"
#include "engine/sql/binder/expr.h"
#include "engine/types/type_io.h"
#include "engine/types/value.h"

namespace nordlys::engine::sql {

bool IsArrayFunction(Func f);
// REQUIRES: IsArrayFunction(e.func); `args` are e.args evaluated.
Result<types::Value> EvalArrayFunction(const Expr& e, const std::vector<types::Value>& args,
                                       const types::SessionSettings& settings);

}  // namespace nordlys::engine::sql
