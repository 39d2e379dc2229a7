// Row-count estimates for the planner: from ANALYZE's statistics (TableStats) where a table has
// them, else from the heap's size and PostgreSQL's default selectivities (selfuncs.h). They
// only steer plan choices (join method, join order, index order); results never depend on them.
//
// Thread safety: pure functions over immutable catalog objects; TableRows reads the buffer pool.
#pragma once

#include "engine/sql/binder/expr.h"
#include "engine/sql/catalog/catalog.h"
#include "engine/storage/database.h"

namespace nordlys::engine::sql {

// PostgreSQL's defaults for conditions it has no statistics for.
inline constexpr double kDefaultEqSel = 0.005;
inline constexpr double kDefaultIneqSel = 1.0 / 3;
inline constexpr double kDefaultRangeSel = 0.005;  // a column bounded on both sides
inline constexpr double kDefaultNumDistinct = 200;

// Rows the table holds now: ANALYZE's count scaled by the heap's growth since, else the count
// the last full scan or VACUUM saw, else a guess from the heap's pages and the row width.
double TableRows(storage::Database* db, const TableDef& t);
// Distinct non-NULL values of column `column` in a table of `rows` rows.
double DistinctValues(const TableDef& t, int column, double rows);
// Fraction of the table's rows satisfying `cond` (an expression over the table's row).
double Selectivity(const Expr& cond, const TableDef& t, double rows);
// Fraction of the rows satisfying all of `conjuncts`: their selectivities multiplied, except
// that a lower and an upper bound on the same column count once, as a range.
double ConjunctsSelectivity(const std::vector<ExprPtr>& conjuncts, const TableDef& t, double rows);

}  // namespace nordlys::engine::sql
