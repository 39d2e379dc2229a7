// See planner.h.
#include "engine/sql/planner/planner.h"

#include <algorithm>

#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::BinaryOp;
using types::Type;
using types::TypeId;

bool HasCorrelatedSubquery(const Expr& e) {
  if (e.kind == ExprKind::kSubquery && e.subquery->correlated) return true;
  if (e.kind == ExprKind::kOuterColumn) return true;
  for (const auto& a : e.args) {
    if (a && HasCorrelatedSubquery(*a)) return true;
  }
  return false;
}

namespace {

bool IsInt(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
bool IsStr(TypeId t) { return types::CategoryOf(t) == types::TypeCategory::kString; }

// The column an index can serve: the bare column, or the column under a cast among string
// types (same byte order in the C collation).
const Expr* ColumnOf(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return &e;
  if (e.kind == ExprKind::kCast && e.args[0]->kind == ExprKind::kColumn && IsStr(e.type.id) &&
      IsStr(e.args[0]->type.id)) {
    return e.args[0].get();
  }
  return nullptr;
}

BinaryOp Mirror(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLt: return BinaryOp::kGt;
    case BinaryOp::kLe: return BinaryOp::kGe;
    case BinaryOp::kGt: return BinaryOp::kLt;
    case BinaryOp::kGe: return BinaryOp::kLe;
    default: return op;
  }
}

// "column op value" on `col` with a row-independent value of a compatible type.
bool MatchCompare(const Expr& e, int col, Type col_type, BinaryOp* op, ExprPtr* value) {
  if (e.kind != ExprKind::kBinary) return false;
  if (static_cast<int>(e.op) < static_cast<int>(BinaryOp::kEq) || e.op == BinaryOp::kNe) return false;
  for (int side = 0; side < 2; ++side) {
    const Expr* c = ColumnOf(*e.args[side]);
    if (c == nullptr || c->index != col) continue;
    const ExprPtr& other = e.args[1 - side];
    if (!IsRowIndependent(*other)) continue;
    TypeId o = other->type.id;
    TypeId t = col_type.id;
    bool compatible = o == t || (IsInt(o) && IsInt(t)) || (IsStr(o) && IsStr(t));
    if (!compatible) continue;
    *op = side == 0 ? e.op : Mirror(e.op);
    *value = other;
    return true;
  }
  return false;
}

void ColumnsOf(const Expr& e, int* lo, int* hi, bool* any) {
  std::vector<int> cols;
  CollectColumns(e, &cols);
  for (int c : cols) {
    *lo = std::min(*lo, c);
    *hi = std::max(*hi, c);
    *any = true;
  }
}

// All columns of e within [from, to)? (false when it reads no column)
bool Within(const Expr& e, int from, int to) {
  int lo = INT32_MAX, hi = -1;
  bool any = false;
  ColumnsOf(e, &lo, &hi, &any);
  return any && lo >= from && hi < to;
}

}  // namespace

std::shared_ptr<ScanOperator> Planner::PlanTableScan(std::shared_ptr<const TableDef> table,
                                                     const std::string& alias,
                                                     const std::vector<ExprPtr>& conjuncts) {
  ExprPtr filter = MakeAnd(conjuncts);
  const IndexDef* best = nullptr;
  IndexBounds best_bounds;
  std::vector<const Expr*> best_used;
  int best_score = 0;
  for (const auto& ix : table->indexes) {
    IndexBounds b;
    std::vector<const Expr*> used;
    size_t k = 0;
    for (; k < ix.columns.size(); ++k) {
      bool found = false;
      for (const auto& c : conjuncts) {
        BinaryOp op;
        ExprPtr v;
        if (MatchCompare(*c, ix.columns[k], table->columns[ix.columns[k]].type, &op, &v) && op == BinaryOp::kEq) {
          b.eq.push_back(v);
          used.push_back(c.get());
          found = true;
          break;
        }
      }
      if (!found) break;
    }
    if (k < ix.columns.size()) {
      for (const auto& c : conjuncts) {
        BinaryOp op;
        ExprPtr v;
        if (!MatchCompare(*c, ix.columns[k], table->columns[ix.columns[k]].type, &op, &v)) continue;
        if ((op == BinaryOp::kGt || op == BinaryOp::kGe) && !b.lower) {
          used.push_back(c.get());
          b.lower = v;
          b.lower_inclusive = op == BinaryOp::kGe;
        } else if ((op == BinaryOp::kLt || op == BinaryOp::kLe) && !b.upper) {
          used.push_back(c.get());
          b.upper = v;
          b.upper_inclusive = op == BinaryOp::kLe;
        }
      }
    }
    int score = static_cast<int>(b.eq.size()) * 4 + (b.lower ? 1 : 0) + (b.upper ? 1 : 0);
    if (ix.unique && b.eq.size() == ix.columns.size()) score += 2;
    if (score > best_score) {
      best_score = score;
      best = &ix;
      best_bounds = b;
      best_used = used;
    }
  }
  if (best != nullptr) {
    // Every condition is re-checked on the fetched version (old versions are in the index
    // too); EXPLAIN shows only those the index does not already apply.
    std::vector<ExprPtr> residual;
    for (const auto& c : conjuncts) {
      if (std::find(best_used.begin(), best_used.end(), c.get()) == best_used.end()) residual.push_back(c);
    }
    auto scan = std::make_shared<IndexScan>(table, best, best_bounds, filter, alias);
    scan->set_display_filter(MakeAnd(residual));
    return scan;
  }
  return std::make_shared<SeqScan>(table, filter, alias);
}

Result<OperatorPtr> Planner::PlanDmlSource(const BoundFrom& from, std::vector<ExprPtr> conj) {
  NORDLYS_ASSIGN_OR_RETURN(OperatorPtr input, PlanFrom(from, &conj));
  if (!conj.empty()) input = std::make_shared<Filter>(input, MakeAnd(conj));
  return input;
}

Result<OperatorPtr> Planner::PlanFrom(const BoundFrom& f, std::vector<ExprPtr>* conj) {
  int from = f.offset, to = f.offset + f.width;
  auto take_local = [&](std::vector<ExprPtr>* list, bool allow_correlated) {
    std::vector<ExprPtr> mine, rest;
    for (auto& c : *list) {
      if (Within(*c, from, to) && (allow_correlated || !HasCorrelatedSubquery(*c))) {
        mine.push_back(ShiftColumns(c, -from));
      } else {
        rest.push_back(c);
      }
    }
    *list = std::move(rest);
    return mine;
  };
  switch (f.kind) {
    case BoundFrom::Kind::kTable: {
      auto mine = take_local(conj, false);
      auto scan = PlanTableScan(f.table, f.alias, mine);
      scan->set_emit_tid(f.with_tid);
      return OperatorPtr(scan);
    }
    case BoundFrom::Kind::kSubquery: {
      NORDLYS_ASSIGN_OR_RETURN(OperatorPtr sub, PlanQuery(*f.subquery));
      auto mine = take_local(conj, false);
      if (!mine.empty()) sub = std::make_shared<Filter>(sub, MakeAnd(mine));
      return sub;
    }
    case BoundFrom::Kind::kFunction: {
      OperatorPtr gen = std::make_shared<GenerateSeries>(f.func_args, f.func_type);
      auto mine = take_local(conj, false);
      if (!mine.empty()) gen = std::make_shared<Filter>(gen, MakeAnd(mine));
      return gen;
    }
    case BoundFrom::Kind::kSystem: {
      auto mine = take_local(conj, false);
      return OperatorPtr(std::make_shared<SystemScan>(f.system, MakeAnd(mine), f.alias));
    }
    case BoundFrom::Kind::kJoin:
      break;
  }
  bool left_join = f.join_type == BoundFrom::JoinType::kLeft;
  std::vector<ExprPtr> on;
  SplitConjuncts(f.cond, &on);
  OperatorPtr left, right;
  std::vector<ExprPtr> join_conj;
  if (f.join_type == BoundFrom::JoinType::kRight || f.join_type == BoundFrom::JoinType::kFull) {
    bool full = f.join_type == BoundFrom::JoinType::kFull;
    // RIGHT: WHERE conditions may filter the right side early, ON conditions on the left side
    // alone filter the left side. FULL: nothing moves.
    std::vector<ExprPtr> left_only, rest;
    for (auto& c : on) {
      if (!full && Within(*c, f.left->offset, f.left->offset + f.left->width) && !HasCorrelatedSubquery(*c)) {
        left_only.push_back(c);
      } else {
        rest.push_back(c);
      }
    }
    std::vector<ExprPtr> none;
    NORDLYS_ASSIGN_OR_RETURN(left, PlanFrom(*f.left, &left_only));
    NORDLYS_ASSIGN_OR_RETURN(right, PlanFrom(*f.right, full ? &none : conj));
    rest.insert(rest.end(), left_only.begin(), left_only.end());
    for (auto& c : rest) {
      if (HasCorrelatedSubquery(*c) && from != 0) return Unsupported("correlated subqueries in this JOIN condition");
      join_conj.push_back(ShiftColumns(c, -from));
    }
    return OperatorPtr(std::make_shared<NestedLoopJoin>(left, right, f.left->width, f.right->width, full, true,
                                                        MakeAnd(join_conj)));
  }
  if (!left_join) {
    conj->insert(conj->end(), on.begin(), on.end());
    NORDLYS_ASSIGN_OR_RETURN(left, PlanFrom(*f.left, conj));
    NORDLYS_ASSIGN_OR_RETURN(right, PlanFrom(*f.right, conj));
    join_conj = take_local(conj, from == 0);
  } else {
    NORDLYS_ASSIGN_OR_RETURN(left, PlanFrom(*f.left, conj));
    // ON conditions on the right side alone filter it before the join.
    std::vector<ExprPtr> right_only, rest;
    for (auto& c : on) {
      if (Within(*c, f.right->offset, f.right->offset + f.right->width) && !HasCorrelatedSubquery(*c)) {
        right_only.push_back(c);
      } else {
        rest.push_back(c);
      }
    }
    NORDLYS_ASSIGN_OR_RETURN(right, PlanFrom(*f.right, &right_only));
    rest.insert(rest.end(), right_only.begin(), right_only.end());
    for (auto& c : rest) {
      if (HasCorrelatedSubquery(*c) && from != 0) return Unsupported("correlated subqueries in this JOIN condition");
      join_conj.push_back(ShiftColumns(c, -from));
    }
  }
  // Equality conditions between the two sides become hash keys.
  int lw = f.left->width;
  std::vector<ExprPtr> lkeys, rkeys, residual;
  for (auto& c : join_conj) {
    if (c->kind == ExprKind::kBinary && c->op == BinaryOp::kEq && c->sig.left == c->sig.right &&
        !HasCorrelatedSubquery(*c)) {
      const ExprPtr& a = c->args[0];
      const ExprPtr& b = c->args[1];
      if (Within(*a, 0, lw) && Within(*b, lw, f.width)) {
        lkeys.push_back(a);
        rkeys.push_back(ShiftColumns(b, -lw));
        continue;
      }
      if (Within(*b, 0, lw) && Within(*a, lw, f.width)) {
        lkeys.push_back(b);
        rkeys.push_back(ShiftColumns(a, -lw));
        continue;
      }
    }
    residual.push_back(c);
  }
  if (!lkeys.empty()) {
    return OperatorPtr(std::make_shared<HashJoin>(left, right, f.right->width, left_join, lkeys, rkeys,
                                                  MakeAnd(residual)));
  }
  return OperatorPtr(std::make_shared<NestedLoopJoin>(left, right, f.left->width, f.right->width, left_join, false,
                                                      MakeAnd(residual)));
}

Result<OperatorPtr> Planner::PlanSortLimit(OperatorPtr input, const BoundSelect& q, std::vector<Type> types) {
  if (!q.order_by.empty()) input = std::make_shared<Sort>(input, q.order_by, types);
  if (q.limit || q.offset) input = std::make_shared<Limit>(input, q.limit, q.offset);
  return input;
}

Result<OperatorPtr> Planner::PlanQuery(const BoundSelect& q) {
  if (q.set_op != BoundSelect::SetOp::kNone) {
    NORDLYS_ASSIGN_OR_RETURN(OperatorPtr l, PlanQuery(*q.larg));
    NORDLYS_ASSIGN_OR_RETURN(OperatorPtr r, PlanQuery(*q.rarg));
    auto types = q.OutputTypes();
    OperatorPtr op = std::make_shared<SetOperation>(l, r, q.set_op, q.set_all, types);
    return PlanSortLimit(op, q, types);
  }
  if (!q.values.empty()) {
    auto types = q.OutputTypes();
    return PlanSortLimit(std::make_shared<ValuesScan>(q.values), q, types);
  }
  OperatorPtr input;
  std::vector<ExprPtr> conj;
  SplitConjuncts(q.where, &conj);
  if (q.from) {
    NORDLYS_ASSIGN_OR_RETURN(input, PlanFrom(*q.from, &conj));
  } else {
    input = std::make_shared<ValuesScan>(std::vector<std::vector<ExprPtr>>{{}});
  }
  if (!conj.empty()) input = std::make_shared<Filter>(input, MakeAnd(conj));
  if (q.aggregated) {
    input = std::make_shared<HashAggregate>(input, q.group_by, q.aggs);
    if (q.having) input = std::make_shared<Filter>(input, q.having);
  }
  input = std::make_shared<Project>(input, q.targets);
  std::vector<Type> types;
  for (const auto& t : q.targets) types.push_back(t->type);
  if (q.distinct) input = std::make_shared<Distinct>(input, types);
  NORDLYS_ASSIGN_OR_RETURN(input, PlanSortLimit(input, q, types));
  if (!q.row_locks.empty()) {
    std::vector<ExprPtr> visible(q.targets.begin(), q.targets.begin() + static_cast<std::ptrdiff_t>(q.visible));
    input = std::make_shared<LockRows>(input, q.row_locks, q.lock_from_start, q.from_width, visible, q.where);
  }
  if (q.targets.size() > q.visible) {
    std::vector<ExprPtr> cols;
    for (size_t i = 0; i < q.visible; ++i) cols.push_back(MakeColumn(static_cast<int>(i), types[i], q.names[i]));
    input = std::make_shared<Project>(input, cols);
  }
  return input;
}

Status Planner::PlanSubqueries(Binder* binder) {
  for (auto& p : binder->pending_subqueries_) {
    if (p.info->plan) continue;
    NORDLYS_ASSIGN_OR_RETURN(p.info->plan, PlanQuery(*p.query));
  }
  return Status::OK();
}

}  // namespace nordlys::engine::sql
