// The planner: bound queries -> operator trees. Chooses each table's access path (an index
// whose leading columns have equality conditions, then a range on the next column; else a
// sequential scan), pushes WHERE conditions down to the tables they reference, and joins in
// FROM order with a hash join when the join has equality conditions, else a nested loop.
//
// Thread safety: a Planner is used by one thread for one statement.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/sql/binder/binder.h"
#include "engine/sql/planner/operator.h"

namespace nordlys::engine::sql {

class Planner {
 public:
  Result<OperatorPtr> PlanQuery(const BoundSelect& q);
  // Plans the subqueries the binder collected (each expression then has its operator tree).
  Status PlanSubqueries(Binder* binder);
  // UPDATE/DELETE: the rows of Binder::BindDmlSource's FROM that pass `conjuncts` (over its
  // row: target columns, Tid, the other items' columns).
  Result<OperatorPtr> PlanDmlSource(const BoundFrom& from, std::vector<ExprPtr> conjuncts);
  // Access path for one table; `conjuncts` are over the table's row.
  std::shared_ptr<ScanOperator> PlanTableScan(std::shared_ptr<const TableDef> table,
                                              const std::string& alias,
                                              const std::vector<ExprPtr>& conjuncts);

 private:
  Result<OperatorPtr> PlanFrom(const BoundFrom& f, std::vector<ExprPtr>* conjuncts);
  Result<OperatorPtr> PlanSortLimit(OperatorPtr input, const BoundSelect& q, std::vector<types::Type> types);
};

// True if any subquery inside reads an enclosing row (such an expression must run where the
// whole FROM row is the input).
bool HasCorrelatedSubquery(const Expr& e);

}  // namespace nordlys::engine::sql
