// See estimate.h.
#include "engine/sql/planner/estimate.h"

#include <algorithm>

#include "engine/storage/heap.h"

namespace nordlys::engine::sql {

using types::BinaryOp;
using types::TypeId;

namespace {

// Bytes a value of the type takes on average (varlena types: PostgreSQL's guess of 32).
double TypeWidth(TypeId t) {
  switch (t) {
    case TypeId::kBool: return 1;
    case TypeId::kInt2: return 2;
    case TypeId::kInt4: case TypeId::kFloat4: case TypeId::kOid: case TypeId::kDate: return 4;
    case TypeId::kInt8: case TypeId::kFloat8: case TypeId::kTime: case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return 8;
    case TypeId::kInterval: case TypeId::kUuid: return 16;
    default: return 32;
  }
}

const Expr* BareColumn(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return &e;
  if (e.kind == ExprKind::kCast && e.args[0]->kind == ExprKind::kColumn) return e.args[0].get();
  return nullptr;
}

double NullFrac(const TableDef& t, int column) {
  if (t.stats.analyzed && column >= 0 && static_cast<size_t>(column) < t.stats.columns.size()) {
    return t.stats.columns[column].null_frac;
  }
  return 0;
}

}  // namespace

double TableRows(storage::Database* db, const TableDef& t) {
  Result<uint64_t> pages = db->RelationPageCount(t.heap);
  if (t.stats.analyzed) {
    if (!pages.ok() || t.stats.relpages == 0) return std::max(t.stats.reltuples, 1.0);
    // PostgreSQL's scaling: the density ANALYZE saw times the pages there are now.
    return std::max(t.stats.reltuples / static_cast<double>(t.stats.relpages) * static_cast<double>(*pages), 1.0);
  }
  uint64_t seen = db->heap(t.heap).EstimatedRows();
  if (seen > 0) return static_cast<double>(seen);
  double width = 24 + 4;  // tuple header and line pointer
  for (const auto& c : t.columns) width += c.dropped ? 0 : TypeWidth(c.type.id);
  double per_page = std::max(1.0, (8192 - 24) / width);
  // A table that looks empty may be filling up right now (PostgreSQL assumes 10 pages too).
  double n_pages = pages.ok() && *pages > 1 ? static_cast<double>(*pages) : 10;
  return n_pages * per_page;
}

double DistinctValues(const TableDef& t, int column, double rows) {
  for (const auto& ix : t.indexes) {
    if (ix.unique && ix.columns.size() == 1 && ix.columns[0] == column) return std::max(rows, 1.0);
  }
  if (t.stats.analyzed && column >= 0 && static_cast<size_t>(column) < t.stats.columns.size()) {
    double nd = t.stats.columns[column].n_distinct;
    if (nd > 0) return nd;
    if (nd < 0) return std::max(-nd * rows, 1.0);
  }
  if (t.columns[column].type.id == TypeId::kBool) return 2;
  return std::min(kDefaultNumDistinct, std::max(rows, 1.0));
}

double Selectivity(const Expr& cond, const TableDef& t, double rows) {
  switch (cond.kind) {
    case ExprKind::kAnd: {
      double s = 1;
      for (const auto& a : cond.args) s *= Selectivity(*a, t, rows);
      return s;
    }
    case ExprKind::kOr: {
      double miss = 1;
      for (const auto& a : cond.args) miss *= 1 - Selectivity(*a, t, rows);
      return 1 - miss;
    }
    case ExprKind::kNot:
      return 1 - Selectivity(*cond.args[0], t, rows);
    case ExprKind::kIsNull: {
      const Expr* c = BareColumn(*cond.args[0]);
      double nf = c != nullptr && t.stats.analyzed ? NullFrac(t, c->index) : kDefaultEqSel;
      return cond.negated ? 1 - nf : nf;
    }
    case ExprKind::kBinary: {
      for (int side = 0; side < 2; ++side) {
        const Expr* c = BareColumn(*cond.args[side]);
        if (c == nullptr || !IsRowIndependent(*cond.args[1 - side])) continue;
        if (cond.op == BinaryOp::kEq) {
          if (!t.stats.analyzed && DistinctValues(t, c->index, rows) < rows) return kDefaultEqSel;
          return (1 - NullFrac(t, c->index)) / DistinctValues(t, c->index, rows);
        }
        if (cond.op == BinaryOp::kNe) return 1 - (1 - NullFrac(t, c->index)) / DistinctValues(t, c->index, rows);
        return kDefaultIneqSel;
      }
      return cond.op == BinaryOp::kEq ? kDefaultEqSel : kDefaultIneqSel;
    }
    case ExprKind::kInList: {
      const Expr* c = BareColumn(*cond.args[0]);
      double each = c != nullptr ? (1 - NullFrac(t, c->index)) / DistinctValues(t, c->index, rows) : kDefaultEqSel;
      double s = std::min(1.0, each * static_cast<double>(cond.args.size() - 1));
      return cond.negated ? 1 - s : s;
    }
    case ExprKind::kLike:
      return cond.negated ? 1 - kDefaultEqSel : kDefaultEqSel;
    case ExprKind::kConst:
      return cond.value.is_null() || !cond.value.as_bool() ? 0 : 1;
    default:
      return kDefaultIneqSel;
  }
}

double ConjunctsSelectivity(const std::vector<ExprPtr>& conjuncts, const TableDef& t, double rows) {
  double s = 1;
  std::vector<int> lower, upper;  // columns with a range bound seen
  for (const auto& c : conjuncts) {
    int col = -1;
    bool is_lower = false;
    if (c->kind == ExprKind::kBinary && c->op != BinaryOp::kEq && c->op != BinaryOp::kNe) {
      for (int side = 0; side < 2 && col < 0; ++side) {
        const Expr* ref = BareColumn(*c->args[side]);
        if (ref == nullptr || !IsRowIndependent(*c->args[1 - side])) continue;
        col = ref->index;
        const bool greater = c->op == BinaryOp::kGt || c->op == BinaryOp::kGe;
        is_lower = side == 0 ? greater : !greater;
      }
    }
    if (col < 0) {
      s *= Selectivity(*c, t, rows);
      continue;
    }
    std::vector<int>& mine = is_lower ? lower : upper;
    std::vector<int>& other = is_lower ? upper : lower;
    if (std::find(mine.begin(), mine.end(), col) != mine.end()) continue;  // a second bound adds little
    mine.push_back(col);
    // The second side of a range turns the first side's 1/3 into the range's selectivity.
    s *= std::find(other.begin(), other.end(), col) != other.end() ? kDefaultRangeSel / kDefaultIneqSel
                                                                    : kDefaultIneqSel;
  }
  return s;
}

}  // namespace nordlys::engine::sql
