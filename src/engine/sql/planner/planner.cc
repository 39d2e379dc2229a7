// See planner.h.
#include "engine/sql/planner/planner.h"

#include <algorithm>

#include "engine/sql/errors.h"
#include "engine/sql/planner/estimate.h"

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

// "column IN (values)" or "column = ANY (array)" with row-independent values of a compatible
// type: the index probes each value (IndexBounds::in_values / in_array).
void MatchList(const TableDef& table, int col, const std::vector<ExprPtr>& conjuncts, IndexBounds* b,
               std::vector<const Expr*>* used) {
  const Type col_type = table.columns[col].type;
  auto compatible = [&](TypeId o) {
    TypeId t = col_type.id;
    return o == t || (IsInt(o) && IsInt(t)) || (IsStr(o) && IsStr(t));
  };
  for (const auto& c : conjuncts) {
    if (c->kind == ExprKind::kInList && !c->negated) {
      const Expr* ref = ColumnOf(*c->args[0]);
      if (ref == nullptr || ref->index != col) continue;
      bool ok = true;
      for (size_t i = 1; i < c->args.size() && ok; ++i) {
        ok = IsRowIndependent(*c->args[i]) && compatible(c->args[i]->type.id);
      }
      if (!ok) continue;
      b->in_values.assign(c->args.begin() + 1, c->args.end());
    } else if (c->kind == ExprKind::kArrayAny && !c->flag && c->op == BinaryOp::kEq) {
      const Expr* ref = ColumnOf(*c->args[0]);
      if (ref == nullptr || ref->index != col || !IsRowIndependent(*c->args[1])) continue;
      if (!compatible(types::ArrayElementType(c->args[1]->type.id))) continue;
      b->in_array = c->args[1];
    } else {
      continue;
    }
    b->in_display = c;
    used->push_back(c.get());
    return;
  }
}

// Bounds an index can take from `conjuncts` (over the table's row): equality on its leading
// columns, then a range on the next one. `used` gets the conjuncts the bounds apply.
IndexBounds BoundsFor(const TableDef& table, const IndexDef& ix, const std::vector<ExprPtr>& conjuncts,
                      std::vector<const Expr*>* used) {
  IndexBounds b;
  size_t k = 0;
  for (; k < ix.columns.size(); ++k) {
    bool found = false;
    for (const auto& c : conjuncts) {
      BinaryOp op;
      ExprPtr v;
      if (MatchCompare(*c, ix.columns[k], table.columns[ix.columns[k]].type, &op, &v) && op == BinaryOp::kEq) {
        b.eq.push_back(v);
        used->push_back(c.get());
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
      if (!MatchCompare(*c, ix.columns[k], table.columns[ix.columns[k]].type, &op, &v)) continue;
      if ((op == BinaryOp::kGt || op == BinaryOp::kGe) && !b.lower) {
        used->push_back(c.get());
        b.lower = v;
        b.lower_inclusive = op == BinaryOp::kGe;
      } else if ((op == BinaryOp::kLt || op == BinaryOp::kLe) && !b.upper) {
        used->push_back(c.get());
        b.upper = v;
        b.upper_inclusive = op == BinaryOp::kLe;
      }
    }
    if (!b.lower && !b.upper) MatchList(table, ix.columns[k], conjuncts, &b, used);
  }
  return b;
}

// How well bounds narrow a scan: equality columns count most, a whole unique key more.
int BoundsScore(const IndexDef& ix, const IndexBounds& b) {
  int score = static_cast<int>(b.eq.size()) * 4 + (b.lower ? 1 : 0) + (b.upper ? 1 : 0) + (b.has_list() ? 3 : 0);
  if (ix.unique && b.eq.size() == ix.columns.size()) score += 2;
  return score;
}

std::shared_ptr<IndexScan> MakeIndexScan(std::shared_ptr<const TableDef> table, const IndexDef* ix, IndexBounds b,
                                         const std::vector<const Expr*>& used, const std::vector<ExprPtr>& conjuncts,
                                         const std::string& alias) {
  // Every condition is re-checked on the fetched version (old versions are in the index
  // too); EXPLAIN shows only those the index does not already apply.
  std::vector<ExprPtr> residual;
  for (const auto& c : conjuncts) {
    if (std::find(used.begin(), used.end(), c.get()) == used.end()) residual.push_back(c);
  }
  auto scan = std::make_shared<IndexScan>(std::move(table), ix, std::move(b), MakeAnd(conjuncts), alias);
  scan->set_display_filter(MakeAnd(residual));
  return scan;
}

// Cost units of the join choice (PostgreSQL's ratios, roughly): reading a row in a sequential
// scan, one index descent, fetching one row through an index (a random page read), and
// building or probing a hash table with one row.
constexpr double kSeqRowCost = 1.0;
constexpr double kIndexDescentCost = 4.0;
constexpr double kIndexFetchCost = 2.0;
constexpr double kHashRowCost = 0.5;

}  // namespace

std::shared_ptr<ScanOperator> Planner::PlanTableScan(std::shared_ptr<const TableDef> table,
                                                     const std::string& alias,
                                                     const std::vector<ExprPtr>& conjuncts) {
  const IndexDef* best = nullptr;
  IndexBounds best_bounds;
  std::vector<const Expr*> best_used;
  int best_score = 0;
  for (const auto& ix : table->indexes) {
    std::vector<const Expr*> used;
    IndexBounds b = BoundsFor(*table, ix, conjuncts, &used);
    int score = BoundsScore(ix, b);
    if (score > best_score) {
      best_score = score;
      best = &ix;
      best_bounds = std::move(b);
      best_used = std::move(used);
    }
  }
  std::shared_ptr<ScanOperator> scan;
  if (best != nullptr) {
    scan = MakeIndexScan(table, best, std::move(best_bounds), best_used, conjuncts, alias);
  } else {
    scan = std::make_shared<SeqScan>(table, MakeAnd(conjuncts), alias);
  }
  if (joins_open_ > 0 && db_ != nullptr) {
    const double rows = TableRowsOf(*table);
    rows_[scan.get()] = std::max(rows * ConjunctsSelectivity(conjuncts, *table, rows), 1.0);
  }
  return scan;
}

double Planner::TableRowsOf(const TableDef& t) {
  auto it = table_rows_.find(t.oid);
  if (it != table_rows_.end()) return it->second;
  double rows = TableRows(db_, t);
  table_rows_[t.oid] = rows;
  return rows;
}

double Planner::RowsOf(const Operator* op) const {
  auto it = rows_.find(op);
  return it == rows_.end() ? 1000 : it->second;  // no estimate (subqueries, functions): a guess
}

void Planner::CollectOrigins(const BoundFrom& f, std::vector<JoinColumn>* out) {
  switch (f.kind) {
    case BoundFrom::Kind::kTable:
      for (int c = 0; c < f.width; ++c) {
        out->push_back(static_cast<size_t>(c) < f.table->columns.size() ? JoinColumn{f.table.get(), c} : JoinColumn{});
      }
      return;
    case BoundFrom::Kind::kJoin:
      CollectOrigins(*f.left, out);
      CollectOrigins(*f.right, out);
      return;
    default:
      out->resize(out->size() + static_cast<size_t>(f.width));
  }
}

// Equality between columns of the two sides: 1 / the larger number of distinct values (each
// value of the side with fewer values matches rows of the other); else PostgreSQL's defaults.
double Planner::JoinSelectivity(const std::vector<JoinColumn>& origins, const Expr& c) {
  if (c.kind != ExprKind::kBinary || c.op != BinaryOp::kEq) return kDefaultIneqSel;
  double nd = 0;
  for (int side = 0; side < 2; ++side) {
    const Expr* col = ColumnOf(*c.args[side]);
    if (col == nullptr || col->index < 0 || static_cast<size_t>(col->index) >= origins.size() ||
        origins[col->index].table == nullptr) {
      nd = std::max(nd, kDefaultNumDistinct);
      continue;
    }
    const JoinColumn& o = origins[col->index];
    nd = std::max(nd, DistinctValues(*o.table, o.column, TableRowsOf(*o.table)));
  }
  return 1 / std::max(nd, 1.0);
}

OperatorPtr Planner::PlanIndexNestedLoop(const OperatorPtr& left, int lw, const BoundFrom& rf, const OperatorPtr& right,
                                         const std::vector<ExprPtr>& join_conj, bool left_join) {
  auto* rscan = dynamic_cast<ScanOperator*>(right.get());
  if (db_ == nullptr || rf.kind != BoundFrom::Kind::kTable || rscan == nullptr) return nullptr;
  const TableDef& table = *rf.table;
  // Candidate conditions over the join row: the join's own, and the right table's local ones.
  std::vector<ExprPtr> right_local;
  SplitConjuncts(rscan->filter(), &right_local);
  std::vector<ExprPtr> cands = join_conj;
  for (const auto& c : right_local) cands.push_back(ShiftColumns(c, lw));
  const IndexDef* best = nullptr;
  IndexBounds best_bounds;
  std::vector<const Expr*> best_used;
  double best_matches = 0;
  for (const auto& ix : table.indexes) {
    IndexBounds b;
    std::vector<const Expr*> used;
    bool reads_left = false;
    double matches = TableRowsOf(table);
    for (size_t k = 0; k < ix.columns.size(); ++k) {
      const int col = ix.columns[k];
      const Type col_type = table.columns[col].type;
      bool found = false;
      for (const auto& c : cands) {
        if (c->kind != ExprKind::kBinary || c->op != BinaryOp::kEq) continue;
        for (int side = 0; side < 2 && !found; ++side) {
          const Expr* cref = ColumnOf(*c->args[side]);
          const ExprPtr& other = c->args[1 - side];
          if (cref == nullptr || cref->index != lw + col) continue;
          const bool from_left = Within(*other, 0, lw) && !HasCorrelatedSubquery(*other);
          if (!from_left && !IsRowIndependent(*other)) continue;
          TypeId o = other->type.id, t = col_type.id;
          if (!(o == t || (IsInt(o) && IsInt(t)) || (IsStr(o) && IsStr(t)))) continue;
          b.eq.push_back(other);
          used.push_back(c.get());
          reads_left |= from_left;
          found = true;
        }
        if (found) break;
      }
      if (!found) break;
      matches /= DistinctValues(table, col, TableRowsOf(table));
    }
    if (b.eq.empty() || !reads_left) continue;
    if (ix.unique && b.eq.size() == ix.columns.size()) matches = std::min(matches, 1.0);
    if (best == nullptr || b.eq.size() > best_bounds.eq.size()) {
      best = &ix;
      best_bounds = std::move(b);
      best_used = std::move(used);
      best_matches = std::max(matches, 1.0);
    }
  }
  if (best == nullptr) return nullptr;
  const double outer_rows = RowsOf(left.get());
  const double inner_rows = RowsOf(right.get());
  const double inl_cost = outer_rows * (kIndexDescentCost + best_matches * kIndexFetchCost);
  const double inner_scan_cost = dynamic_cast<SeqScan*>(right.get()) != nullptr
                                     ? TableRowsOf(table) * kSeqRowCost
                                     : kIndexDescentCost + inner_rows * kIndexFetchCost;
  const double hash_cost = inner_scan_cost + (inner_rows + outer_rows) * kHashRowCost;
  if (inl_cost >= hash_cost) return nullptr;
  // The probe's bounds read the outer row; the scan re-checks the right table's own
  // conditions; the join re-checks every join condition (old versions are in the index too).
  auto scan = std::make_shared<IndexScan>(rf.table, best, std::move(best_bounds), rscan->filter(), rf.alias);
  scan->set_emit_tid(rf.with_tid);
  std::vector<ExprPtr> display;
  for (const auto& c : join_conj) {
    if (std::find(best_used.begin(), best_used.end(), c.get()) == best_used.end()) display.push_back(c);
  }
  std::vector<ExprPtr> right_display;
  for (size_t i = 0; i < right_local.size(); ++i) {
    const Expr* shifted = cands[join_conj.size() + i].get();
    if (std::find(best_used.begin(), best_used.end(), shifted) == best_used.end()) right_display.push_back(right_local[i]);
  }
  scan->set_display_filter(MakeAnd(right_display));
  return std::make_shared<IndexNestedLoopJoin>(left, scan, rf.width, left_join, MakeAnd(join_conj), MakeAnd(display));
}

OperatorPtr Planner::BuildJoin(const OperatorPtr& left, int lw, const OperatorPtr& right, int rw, const BoundFrom* rf,
                               const std::vector<JoinColumn>& origins, const std::vector<ExprPtr>& join_conj,
                               bool left_join) {
  const int width = lw + rw;
  // Estimated output: both sides' rows times the join conditions' selectivity (a left join
  // keeps every left row).
  double rows = RowsOf(left.get()) * RowsOf(right.get());
  for (const auto& c : join_conj) rows *= JoinSelectivity(origins, *c);
  if (left_join) rows = std::max(rows, RowsOf(left.get()));
  rows = std::max(rows, 1.0);
  OperatorPtr join = rf != nullptr ? PlanIndexNestedLoop(left, lw, *rf, right, join_conj, left_join) : nullptr;
  if (!join) {
    // Equality conditions between the two sides become hash keys.
    std::vector<ExprPtr> lkeys, rkeys, residual;
    for (const auto& c : join_conj) {
      if (c->kind == ExprKind::kBinary && c->op == BinaryOp::kEq && c->sig.left == c->sig.right &&
          !HasCorrelatedSubquery(*c)) {
        const ExprPtr& a = c->args[0];
        const ExprPtr& b = c->args[1];
        if (Within(*a, 0, lw) && Within(*b, lw, width)) {
          lkeys.push_back(a);
          rkeys.push_back(ShiftColumns(b, -lw));
          continue;
        }
        if (Within(*b, 0, lw) && Within(*a, lw, width)) {
          lkeys.push_back(b);
          rkeys.push_back(ShiftColumns(a, -lw));
          continue;
        }
      }
      residual.push_back(c);
    }
    if (!lkeys.empty()) {
      join = std::make_shared<HashJoin>(left, right, rw, left_join, lkeys, rkeys, MakeAnd(residual));
    } else {
      join = std::make_shared<NestedLoopJoin>(left, right, lw, rw, left_join, false, MakeAnd(residual));
    }
  }
  rows_[join.get()] = rows;
  return join;
}

namespace {

// The FROM items of a tree of inner and cross joins (its leaves: tables, subqueries, outer
// joins), in FROM order, and the ON conditions of its joins.
void CollectInnerJoinItems(const BoundFrom& f, std::vector<const BoundFrom*>* items, std::vector<ExprPtr>* on) {
  if (f.kind == BoundFrom::Kind::kJoin &&
      (f.join_type == BoundFrom::JoinType::kInner || f.join_type == BoundFrom::JoinType::kCross)) {
    SplitConjuncts(f.cond, on);
    CollectInnerJoinItems(*f.left, items, on);
    CollectInnerJoinItems(*f.right, items, on);
    return;
  }
  items->push_back(&f);
}

// Copies the tree with every kColumn index i replaced by map[i].
ExprPtr RemapColumns(const ExprPtr& e, const std::vector<int>& map) {
  if (!e) return e;
  auto c = std::make_shared<Expr>(*e);
  if (c->kind == ExprKind::kColumn) c->index = map[static_cast<size_t>(c->index)];
  for (auto& a : c->args) a = RemapColumns(a, map);
  return c;
}

}  // namespace

// Inner joins commute, so their order is free: start from the item with the fewest estimated
// rows, then repeatedly join the item connected by a condition that gives the fewest rows
// (an unconnected one only when none is). Conditions are placed at the first join where all
// their columns are present. A projection at the end restores the FROM row's column order.
Result<OperatorPtr> Planner::PlanInnerJoins(const BoundFrom& f, std::vector<ExprPtr>* conj) {
  const int from = f.offset, to = f.offset + f.width;
  std::vector<const BoundFrom*> items;
  std::vector<ExprPtr> pending;
  CollectInnerJoinItems(f, &items, &pending);
  // WHERE conditions within these items join the ON conditions; correlated ones (and those
  // reading columns of other FROM items) stay with the caller, above the final column order.
  std::vector<ExprPtr> rest;
  for (auto& c : *conj) (Within(*c, from, to) && !HasCorrelatedSubquery(*c) ? pending : rest).push_back(c);
  // ON conditions that read no column of these items (ON true, ON $1 > 0) filter the joined
  // rows; correlated ones read the whole FROM row and go to the caller.
  std::vector<ExprPtr> correlated_on, constant_on;
  for (auto it = pending.begin(); it != pending.end();) {
    if (HasCorrelatedSubquery(**it)) {
      correlated_on.push_back(*it);
    } else if (!Within(**it, from, to)) {
      constant_on.push_back(*it);
    } else {
      ++it;
      continue;
    }
    it = pending.erase(it);
  }
  std::vector<OperatorPtr> ops;
  for (const BoundFrom* item : items) {
    NORDLYS_ASSIGN_OR_RETURN(OperatorPtr op, PlanFrom(*item, &pending));
    ops.push_back(op);
  }
  std::vector<JoinColumn> origins_abs;  // by position within f
  CollectOrigins(f, &origins_abs);
  std::vector<bool> used(items.size(), false);
  auto columns_in = [&](const Expr& e, const std::vector<bool>& set) {
    std::vector<int> cols;
    CollectColumns(e, &cols);
    for (int c : cols) {
      bool found = false;
      for (size_t i = 0; i < items.size() && !found; ++i) {
        found = set[i] && c >= items[i]->offset && c < items[i]->offset + items[i]->width;
      }
      if (!found) return false;
    }
    return true;
  };
  // The row built so far: its columns (absolute positions) in order.
  std::vector<int> cols;
  OperatorPtr cur;
  double cur_rows = 0;
  for (size_t step = 0; step < items.size(); ++step) {
    size_t pick = items.size();
    double pick_rows = 0;
    bool pick_connected = false;
    for (size_t i = 0; i < items.size(); ++i) {
      if (used[i]) continue;
      std::vector<bool> with = used;
      with[i] = true;
      double rows = RowsOf(ops[i].get()) * (cur ? cur_rows : 1);
      bool connected = false;
      for (const auto& c : pending) {
        if (!columns_in(*c, with) || columns_in(*c, used)) continue;
        rows *= JoinSelectivity(origins_abs, *ShiftColumns(c, -from));
        connected = true;
      }
      if (pick == items.size() || (connected && !pick_connected) ||
          (connected == pick_connected && rows < pick_rows)) {
        pick = i;
        pick_rows = rows;
        pick_connected = connected;
      }
    }
    const BoundFrom& item = *items[pick];
    std::vector<bool> with = used;
    with[pick] = true;
    if (!cur) {
      cur = ops[pick];
      for (int p = 0; p < item.width; ++p) cols.push_back(item.offset + p);
      used = with;
      cur_rows = RowsOf(cur.get());
      continue;
    }
    // Conditions that become complete with this item.
    std::vector<ExprPtr> conds, still;
    for (auto& c : pending) (columns_in(*c, with) ? conds : still).push_back(c);
    pending = std::move(still);
    std::vector<int> item_cols;
    for (int p = 0; p < item.width; ++p) item_cols.push_back(item.offset + p);
    // The joined row is [outer columns..., inner columns...]; conditions are remapped onto it.
    auto join = [&](const std::vector<int>& outer, const std::vector<int>& inner, const OperatorPtr& outer_op,
                    const OperatorPtr& inner_op, const BoundFrom* inner_item, bool hash_only) {
      std::vector<int> map(static_cast<size_t>(to), -1);
      std::vector<JoinColumn> origins;
      for (int c : outer) {
        map[static_cast<size_t>(c)] = static_cast<int>(origins.size());
        origins.push_back(origins_abs[static_cast<size_t>(c - from)]);
      }
      for (int c : inner) {
        map[static_cast<size_t>(c)] = static_cast<int>(origins.size());
        origins.push_back(origins_abs[static_cast<size_t>(c - from)]);
      }
      std::vector<ExprPtr> join_conj;
      for (const auto& c : conds) join_conj.push_back(RemapColumns(c, map));
      if (hash_only) inner_item = nullptr;
      return BuildJoin(outer_op, static_cast<int>(outer.size()), inner_op, static_cast<int>(inner.size()), inner_item,
                       origins, join_conj, false);
    };
    OperatorPtr joined = join(cols, item_cols, cur, ops[pick], &item, false);
    if (dynamic_cast<IndexNestedLoopJoin*>(joined.get()) == nullptr && RowsOf(ops[pick].get()) > cur_rows) {
      // A hash join builds its table from the inner side: make it the smaller one.
      joined = join(item_cols, cols, ops[pick], cur, nullptr, true);
      item_cols.insert(item_cols.end(), cols.begin(), cols.end());
      cols = std::move(item_cols);
    } else {
      cols.insert(cols.end(), item_cols.begin(), item_cols.end());
    }
    cur = joined;
    cur_rows = RowsOf(cur.get());
    used = with;
  }
  // Conditions on no item's columns alone, e.g. constants, were not placed: check them last.
  // (pending holds none here: each condition's columns lie in the items, so one step took it.)
  NORDLYS_ASSERT(pending.empty());
  bool in_order = true;
  for (size_t k = 0; k < cols.size(); ++k) in_order &= cols[k] == from + static_cast<int>(k);
  if (!in_order) {
    std::vector<int> pos(static_cast<size_t>(to), -1);
    for (size_t k = 0; k < cols.size(); ++k) pos[static_cast<size_t>(cols[k])] = static_cast<int>(k);
    std::vector<ExprPtr> exprs;
    for (int p = from; p < to; ++p) exprs.push_back(MakeColumn(pos[static_cast<size_t>(p)], Type(), ""));
    OperatorPtr project = std::make_shared<Project>(cur, std::move(exprs));
    rows_[project.get()] = cur_rows;
    cur = project;
  }
  if (!constant_on.empty()) {
    OperatorPtr filter = std::make_shared<Filter>(cur, MakeAnd(constant_on));
    rows_[filter.get()] = cur_rows;
    cur = filter;
  }
  // Correlated ON conditions of these joins: over the whole FROM row, so only at the top.
  for (auto& c : correlated_on) {
    if (from != 0 && HasCorrelatedSubquery(*c)) return Unsupported("correlated subqueries in this JOIN condition");
    rest.push_back(c);
  }
  *conj = std::move(rest);
  return cur;
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
    case BoundFrom::Kind::kWorkTable: {
      OperatorPtr scan = std::make_shared<WorkTableScan>(f.work);
      auto mine = take_local(conj, false);
      if (!mine.empty()) scan = std::make_shared<Filter>(scan, MakeAnd(mine));
      return scan;
    }
    case BoundFrom::Kind::kJoin:
      break;
  }
  ++joins_open_;
  struct Close {
    int* n;
    ~Close() { --*n; }
  } close{&joins_open_};
  bool left_join = f.join_type == BoundFrom::JoinType::kLeft;
  if (db_ != nullptr && (f.join_type == BoundFrom::JoinType::kInner || f.join_type == BoundFrom::JoinType::kCross)) {
    return PlanInnerJoins(f, conj);
  }
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
    OperatorPtr join = std::make_shared<NestedLoopJoin>(left, right, f.left->width, f.right->width, full, true,
                                                        MakeAnd(join_conj));
    rows_[join.get()] = std::max(RowsOf(left.get()), RowsOf(right.get()));
    return join;
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
  std::vector<JoinColumn> origins;
  CollectOrigins(f, &origins);
  return BuildJoin(left, f.left->width, right, f.right->width, f.right.get(), origins, join_conj, left_join);
}

Result<OperatorPtr> Planner::PlanSortLimit(OperatorPtr input, const BoundSelect& q, std::vector<Type> types,
                                           bool presorted) {
  if (!q.order_by.empty() && !presorted) {
    std::vector<std::string> names;
    for (const auto& k : q.order_by) {
      const auto i = static_cast<size_t>(k.expr->index);
      names.push_back(i < q.targets.size() ? q.targets[i]->ToString() : i < q.names.size() ? q.names[i] : "?column?");
    }
    input = std::make_shared<Sort>(input, q.order_by, types, std::move(names));
  }
  if (q.limit || q.offset) input = std::make_shared<Limit>(input, q.limit, q.offset);
  return input;
}

Result<OperatorPtr> Planner::PlanQuery(const BoundSelect& q) {
  if (q.set_op == BoundSelect::SetOp::kRecursiveUnion) {
    NORDLYS_ASSIGN_OR_RETURN(OperatorPtr l, PlanQuery(*q.larg));
    NORDLYS_ASSIGN_OR_RETURN(OperatorPtr r, PlanQuery(*q.rarg));
    return OperatorPtr(std::make_shared<RecursiveUnion>(l, r, q.work, q.set_all, q.OutputTypes()));
  }
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
  bool presorted = false;
  if (auto ordered = PlanOrderedScan(q, conj)) {
    ordered->set_emit_tid(q.from->with_tid);
    input = ordered;
    conj.clear();
    presorted = true;
  } else if (q.from) {
    NORDLYS_ASSIGN_OR_RETURN(input, PlanFrom(*q.from, &conj));
  } else {
    input = std::make_shared<ValuesScan>(std::vector<std::vector<ExprPtr>>{{}});
  }
  if (!conj.empty()) input = std::make_shared<Filter>(input, MakeAnd(conj));
  if (q.aggregated) {
    input = std::make_shared<HashAggregate>(input, q.group_by, q.aggs);
    if (q.having) input = std::make_shared<Filter>(input, q.having);
  }
  if (!q.windows.empty()) {
    input = std::make_shared<WindowAgg>(input, q.window_specs, q.windows, q.window_input_width);
  }
  input = std::make_shared<Project>(input, q.targets);
  std::vector<Type> types;
  for (const auto& t : q.targets) types.push_back(t->type);
  if (q.distinct) input = std::make_shared<Distinct>(input, types);
  NORDLYS_ASSIGN_OR_RETURN(input, PlanSortLimit(input, q, types, presorted));
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

std::shared_ptr<ScanOperator> Planner::PlanOrderedScan(const BoundSelect& q, const std::vector<ExprPtr>& conjuncts) {
  if (q.order_by.empty() || !q.from || q.from->kind != BoundFrom::Kind::kTable || q.aggregated || q.distinct ||
      !q.windows.empty()) {
    return nullptr;
  }
  const TableDef& table = *q.from->table;
  for (const auto& c : conjuncts) {
    if (HasCorrelatedSubquery(*c)) return nullptr;  // such conditions must stay above the scan
  }
  // The table columns the sort keys name (each key is a target; the target must be a column).
  std::vector<int> key_cols;
  for (const auto& k : q.order_by) {
    if (k.expr->kind != ExprKind::kColumn) return nullptr;
    const Expr& target = *q.targets[static_cast<size_t>(k.expr->index)];
    if (target.kind != ExprKind::kColumn || static_cast<size_t>(target.index) >= table.columns.size()) return nullptr;
    key_cols.push_back(target.index);
  }
  auto fixed = [&](int col) {  // an equality condition makes the column constant
    for (const auto& c : conjuncts) {
      BinaryOp op;
      ExprPtr v;
      if (MatchCompare(*c, col, table.columns[col].type, &op, &v) && op == BinaryOp::kEq) return true;
    }
    return false;
  };
  const IndexDef* best = nullptr;
  IndexBounds best_bounds;
  std::vector<const Expr*> best_used;
  int best_score = -1;
  bool best_backward = false;
  for (const auto& ix : table.indexes) {
    // Forward, every key in the index's direction; or backward, every key in the opposite one
    // (the reverse of ASC NULLS LAST is DESC NULLS FIRST).
    size_t k = 0;
    bool forward = true, backward = true;
    for (size_t i = 0; i < key_cols.size() && (forward || backward); ++i) {
      if (fixed(key_cols[i])) continue;
      while (k < ix.columns.size() && fixed(ix.columns[k]) && ix.columns[k] != key_cols[i]) ++k;
      if (k >= ix.columns.size() || ix.columns[k] != key_cols[i]) {
        forward = backward = false;
        break;
      }
      const bool same = ix.descending[k] == q.order_by[i].descending && ix.nulls_first[k] == q.order_by[i].nulls_first;
      const bool opposite =
          ix.descending[k] != q.order_by[i].descending && ix.nulls_first[k] != q.order_by[i].nulls_first;
      forward &= same;
      backward &= opposite;
      ++k;
    }
    if (!forward && !backward) continue;
    std::vector<const Expr*> used;
    IndexBounds b = BoundsFor(table, ix, conjuncts, &used);
    int score = BoundsScore(ix, b);
    if (score > best_score) {
      best_score = score;
      best = &ix;
      best_bounds = std::move(b);
      best_used = std::move(used);
      best_backward = !forward;
    }
  }
  if (best == nullptr) return nullptr;
  // Worth it when the scan would use this index anyway, or when a LIMIT can stop it early and
  // no other index narrows the rows by equality.
  int other_score = 0;
  for (const auto& ix : table.indexes) {
    std::vector<const Expr*> used;
    other_score = std::max(other_score, BoundsScore(ix, BoundsFor(table, ix, conjuncts, &used)));
  }
  if (best_score < other_score && !(q.limit && other_score < 4)) return nullptr;
  if (best_score == 0 && !q.limit) return nullptr;  // a whole-table walk in index order: sort instead
  auto scan = MakeIndexScan(q.from->table, best, std::move(best_bounds), best_used, conjuncts, q.from->alias);
  scan->set_backward(best_backward);
  return scan;
}

Status Planner::PlanSubqueries(Binder* binder) {
  for (auto& p : binder->pending_subqueries_) {
    if (p.info->plan) continue;
    NORDLYS_ASSIGN_OR_RETURN(p.info->plan, PlanQuery(*p.query));
  }
  return Status::OK();
}

}  // namespace nordlys::engine::sql
