// The catalog functions that print objects back as SQL: pg_get_expr (column defaults and check
// constraints, from the node trees pg_attrdef/pg_constraint hold), pg_get_constraintdef,
// pg_get_indexdef, and the small predicates psql's \d asks (pg_relation_is_publishable,
// pg_get_statisticsobjdef_columns). Expressions print in the form EXPLAIN uses, which follows
// PostgreSQL's ruleutils closely but not exactly (it keeps inner parentheses).
//
// Thread safety: one statement execution.
#pragma once

#include <vector>

#include "common/status.h"
#include "engine/sql/binder/expr.h"
#include "engine/sql/execution/exec_context.h"

namespace nordlys::engine::sql {

bool IsCatalogFunction(Func f);
// REQUIRES: IsCatalogFunction(e.func); `args` are e.args evaluated.
Result<types::Value> EvalCatalogFunction(const Expr& e, const std::vector<types::Value>& args, ExecContext* ctx);
// pg_get_expr(node_text, relid[, pretty]) for a stored node tree; `pretty` drops the outer
// parentheses. (The ExprPrinter that information_schema's rows use.)
Result<std::string> PrintStoredExpr(const std::string& node_text, uint32_t relid, bool pretty, ExecContext* ctx);

}  // namespace nordlys::engine::sql
