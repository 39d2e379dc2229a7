// Expression evaluation over a row, with SQL's three-valued logic (a NULL Value is unknown).
//
// Thread safety: one statement execution on one thread.
#pragma once

#include "common/status.h"
#include "engine/sql/binder/expr.h"
#include "engine/sql/execution/exec_context.h"

namespace nordlys::engine::sql {

Result<types::Value> Eval(const Expr& e, const Row& row, ExecContext* ctx);
// A condition: true only for a non-NULL true.
Result<bool> EvalCondition(const Expr& e, const Row& row, ExecContext* ctx);

// NULL-aware ordering for sorting: NULLs compare equal to each other; `nulls_first` decides.
int CompareForSort(const types::Value& a, const types::Value& b, types::TypeId type, bool nulls_first);
// Equality for grouping/DISTINCT (NULL equals NULL) and a hash consistent with it.
bool GroupEqual(const types::Value& a, const types::Value& b, types::TypeId type);
uint64_t GroupHash(const types::Value& v, types::TypeId type);

// Applies `type`'s typmod and checks (after a cast) — used by INSERT/UPDATE.
Result<types::Value> CastForAssignment(const types::Value& v, const types::Type& from, const types::Type& to,
                                       const types::SessionSettings& settings);

}  // namespace nordlys::engine::sql
