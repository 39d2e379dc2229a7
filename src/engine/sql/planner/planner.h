// The planner: bound queries -> operator trees. Chooses each table's access path (an index
// whose leading columns have equality conditions, then a range on the next column; else a
// sequential scan), pushes WHERE conditions down to the tables they reference, orders inner
// joins by estimated rows (outer joins keep their written order), and joins with
// an index nested loop when the inner table has an index on the join columns and the estimates
// (estimate.h) say probing it per outer row is cheaper, else a hash join when the join has
// equality conditions, else a nested loop. ORDER BY is served by an index when one delivers
// the order (after the columns fixed by equality conditions) and the query has a LIMIT or the
// index is the access path anyway; the Sort then disappears.
//
// Thread safety: a Planner is used by one thread for one statement.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/sql/binder/binder.h"
#include "engine/sql/planner/operator.h"

namespace nordlys::engine::sql {

class Planner {
 public:
  // `db` lets the planner read table sizes for its estimates; without it (tests, DDL helpers)
  // it plans without estimates (no index nested loops).
  explicit Planner(storage::Database* db = nullptr) : db_(db) {}
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
  Result<OperatorPtr> PlanSortLimit(OperatorPtr input, const BoundSelect& q, std::vector<types::Type> types,
                                    bool presorted = false);
  // Where a column of a join's row comes from: a table's column, or nothing known.
  struct JoinColumn {
    const TableDef* table = nullptr;
    int column = -1;
  };
  static void CollectOrigins(const BoundFrom& f, std::vector<JoinColumn>* out);
  // A tree of inner/cross joins, in the order the estimates favour (see planner.cc).
  Result<OperatorPtr> PlanInnerJoins(const BoundFrom& f, std::vector<ExprPtr>* conjuncts);
  // Joins two planned inputs; `join_conj` is over the joined row [left..., right...] and
  // `origins` names its columns. `rf`: the right input's FROM item when it may be probed
  // through an index (an index nested loop), else null.
  OperatorPtr BuildJoin(const OperatorPtr& left, int lw, const OperatorPtr& right, int rw, const BoundFrom* rf,
                        const std::vector<JoinColumn>& origins, const std::vector<ExprPtr>& join_conj, bool left_join);
  // An index nested loop into the table `rf` when the estimates favour it, else null.
  OperatorPtr PlanIndexNestedLoop(const OperatorPtr& left, int lw, const BoundFrom& rf, const OperatorPtr& right,
                                  const std::vector<ExprPtr>& join_conj, bool left_join);
  // A scan of q's single table that returns rows in q.order_by's order, or null.
  std::shared_ptr<ScanOperator> PlanOrderedScan(const BoundSelect& q, const std::vector<ExprPtr>& conjuncts);

  // Estimates (only while planning a join: they cost a buffer-pool read per table).
  double TableRowsOf(const TableDef& t);
  double RowsOf(const Operator* op) const;
  double JoinSelectivity(const std::vector<JoinColumn>& origins, const Expr& cond);

  storage::Database* const db_;
  int joins_open_ = 0;  // > 0 while planning inside a join: record estimates
  std::unordered_map<uint32_t, double> table_rows_;      // by table oid
  std::unordered_map<const Operator*, double> rows_;     // estimated output rows
};

// True if any subquery inside reads an enclosing row (such an expression must run where the
// whole FROM row is the input).
bool HasCorrelatedSubquery(const Expr& e);

}  // namespace nordlys::engine::sql
