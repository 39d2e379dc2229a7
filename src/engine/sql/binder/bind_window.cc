// Window functions: calls with OVER (row_number, rank, dense_rank, percent_rank, cume_dist,
// ntile, lag/lead, first_value/last_value/nth_value, and the aggregates over a frame), their
// windows (PARTITION BY, ORDER BY, frame; the WINDOW clause's named windows and PostgreSQL's
// rules for copying them), and PostgreSQL's 42P20/42803/42809/42704 errors.
//
// A call binds to a kWindowRef; FinishWindows (after FinishAggregation has rewritten the
// window expressions over [groups, aggs]) turns each into a column of the WindowAgg operator,
// which appends one value per call to its input row.
#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;

bool IsAggregateName(const std::string& name) {
  static const char* kAggs[] = {"count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg",
                                "array_agg", "variance", "var_samp", "var_pop", "stddev", "stddev_samp",
                                "stddev_pop"};
  for (const char* a : kAggs) {
    if (name == a) return true;
  }
  return false;
}

Status SortDirection(const Json& sb, SortKey* key, int pos) {
  std::string dir = sb.value("sortby_dir", "SORTBY_DEFAULT");
  std::string nulls = sb.value("sortby_nulls", "SORTBY_NULLS_DEFAULT");
  if (dir == "SORTBY_USING") return Unsupported("ORDER BY ... USING", pos);
  key->descending = dir == "SORTBY_DESC";
  key->nulls_first = nulls == "SORTBY_NULLS_DEFAULT" ? key->descending : nulls == "SORTBY_NULLS_FIRST";
  return Status::OK();
}

namespace {

// A window with names resolved: which parts come from where (JSON lists, may be null).
struct ResolvedWindow {
  const Json* partition = nullptr;
  const Json* order = nullptr;
  int frame = kFrameDefaults;
  const Json* start = nullptr;
  const Json* end = nullptr;
};

bool ContainsSubquery(const Expr& e) {
  if (e.kind == ExprKind::kSubquery) return true;
  for (const auto& a : e.args) {
    if (a && ContainsSubquery(*a)) return true;
  }
  return false;
}

const Json& WindowDefBody(const Json& node) {
  auto [k, b] = NodeOf(node);
  return k == "WindowDef" ? *b : node;
}

}  // namespace

bool IsWindowOnlyFunction(const std::string& name) {
  static const char* kNames[] = {"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
                                 "lag", "lead", "first_value", "last_value", "nth_value"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

namespace {

// Resolves `def` (an OVER clause's or the WINDOW clause's entry number `limit`, which may
// refer only to entries before it) against the WINDOW clause, as PostgreSQL's
// transformWindowDefinitions does.
Result<ResolvedWindow> Resolve(const Json& def, const Json* clause, size_t limit, std::string_view sql) {
  ResolvedWindow r;
  std::string refname = def.value("refname", "");
  int pos = CharPosition(sql, def.value("location", -1));
  if (!refname.empty()) {
    size_t idx = limit;
    for (size_t i = 0; clause != nullptr && i < limit && i < clause->size(); ++i) {
      if (WindowDefBody((*clause)[i]).value("name", "") == refname) idx = i;
    }
    if (idx == limit) return SqlError("42704", "window \"" + refname + "\" does not exist", {.position = pos});
    NORDLYS_ASSIGN_OR_RETURN(ResolvedWindow base, Resolve(WindowDefBody((*clause)[idx]), clause, idx, sql));
    if (def.contains("partitionClause")) {
      return SqlError("42P20", "cannot override PARTITION BY clause of window \"" + refname + "\"", {.position = pos});
    }
    r.partition = base.partition;
    if (def.contains("orderClause") && base.order != nullptr) {
      return SqlError("42P20", "cannot override ORDER BY clause of window \"" + refname + "\"", {.position = pos});
    }
    r.order = def.contains("orderClause") ? &def["orderClause"] : base.order;
    if (base.frame != kFrameDefaults) {
      return SqlError("42P20", "cannot copy window \"" + refname + "\" because it has a frame clause",
                      {.hint = def.contains("name") ? "" : "Omit the parentheses in this OVER clause.",
                       .position = pos});
    }
  } else {
    if (def.contains("partitionClause")) r.partition = &def["partitionClause"];
    if (def.contains("orderClause")) r.order = &def["orderClause"];
  }
  r.frame = def.value("frameOptions", static_cast<int>(kFrameDefaults));
  if (def.contains("startOffset")) r.start = &def["startOffset"];
  if (def.contains("endOffset")) r.end = &def["endOffset"];
  return r;
}

}  // namespace

Result<int> Binder::BindWindowSpec(const Json& over, ExprContext& ctx, int pos) {
  BoundSelect* q = ctx.windows->query;
  const Json* clause = ctx.windows->window_clause;
  size_t n = clause != nullptr ? clause->size() : 0;
  ResolvedWindow rw;
  std::string name = over.value("name", "");
  if (!name.empty()) {
    // OVER w: the named window itself.
    size_t idx = n;
    for (size_t i = 0; i < n; ++i) {
      if (WindowDefBody((*clause)[i]).value("name", "") == name) idx = i;
    }
    if (idx == n) return SqlError("42704", "window \"" + name + "\" does not exist", {.position = pos});
    NORDLYS_ASSIGN_OR_RETURN(rw, Resolve(WindowDefBody((*clause)[idx]), clause, idx, sql_));
  } else {
    NORDLYS_ASSIGN_OR_RETURN(rw, Resolve(over, clause, n, sql_));
  }
  WindowSpec spec;
  spec.frame_options = rw.frame;
  ExprContext wctx{ctx.scope, ctx.aggs, "window definitions", nullptr, "window definitions"};
  std::string fp = "P";
  if (rw.partition != nullptr) {
    for (const auto& p : *rw.partition) {
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(p, wctx));
      e = ResolveUnknown(e);
      fp += ExprFingerprint(*e) + ";";
      spec.partition_by.push_back(e);
    }
  }
  fp += "O";
  if (rw.order != nullptr) {
    for (const auto& item : *rw.order) {
      const Json& sb = item["SortBy"];
      SortKey key;
      NORDLYS_RETURN_IF_ERROR(SortDirection(sb, &key));
      NORDLYS_ASSIGN_OR_RETURN(key.expr, BindExpr(sb["node"], wctx));
      key.expr = ResolveUnknown(key.expr);
      fp += ExprFingerprint(*key.expr) + (key.descending ? "D" : "A") + (key.nulls_first ? "F" : "L") + ";";
      spec.order_by.push_back(key);
    }
  }
  const int f = rw.frame;
  if ((f & kFrameGroups) != 0 && spec.order_by.empty()) {
    return SqlError("42P20", "GROUPS mode requires an ORDER BY clause", {.position = pos});
  }
  const bool has_offset = (f & (kFrameStartOffsetPreceding | kFrameStartOffsetFollowing | kFrameEndOffsetPreceding |
                                kFrameEndOffsetFollowing)) != 0;
  if ((f & kFrameRange) != 0 && has_offset) {
    if (spec.order_by.size() != 1) {
      return SqlError("42P20", "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                      {.position = pos});
    }
  }
  // Offsets: constants (no columns of this query). ROWS / GROUPS: bigint. RANGE: as the
  // ORDER BY column's in_range support function wants (integers: an integer; numeric: numeric;
  // floats: float8; date, time, timestamp[tz], interval: interval).
  const bool range = (f & kFrameRange) != 0;
  const char* mode = (f & kFrameRows) != 0 ? "ROWS" : range ? "RANGE" : "GROUPS";
  ExprContext octx{ctx.scope, nullptr, (f & kFrameRows) != 0 ? "window ROWS" : range ? "window RANGE" : "window GROUPS",
                   nullptr, "window definitions"};
  for (int which = 0; which < 2; ++which) {
    const Json* node = which == 0 ? rw.start : rw.end;
    if (node == nullptr) continue;
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(*node, octx));
    std::vector<int> cols;
    CollectColumns(*e, &cols);
    if (!cols.empty()) {
      return SqlError("42P10", std::string("argument of ") + mode + " must not contain variables",
                      {.position = Position(*node)});
    }
    TypeId t = e->type.id;
    const bool int_offset = t == TypeId::kUnknown || t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8;
    TypeId want = TypeId::kInt8;
    if (range) {
      TypeId col = spec.order_by[0].expr->type.id;
      const bool col_int = col == TypeId::kInt2 || col == TypeId::kInt4 || col == TypeId::kInt8;
      if (col_int && int_offset) {
        want = TypeId::kInt8;
      } else if (col == TypeId::kNumeric && (int_offset || t == TypeId::kNumeric)) {
        want = TypeId::kNumeric;
      } else if ((col == TypeId::kFloat8 || col == TypeId::kFloat4) &&
                 (int_offset || t == TypeId::kNumeric || t == TypeId::kFloat4 || t == TypeId::kFloat8)) {
        want = TypeId::kFloat8;
      } else if ((col == TypeId::kDate || col == TypeId::kTimestamp || col == TypeId::kTimestampTz ||
                  col == TypeId::kInterval || col == TypeId::kTime) &&
                 (t == TypeId::kUnknown || t == TypeId::kInterval)) {
        want = TypeId::kInterval;
      } else if (col_int || col == TypeId::kNumeric || col == TypeId::kFloat4 || col == TypeId::kFloat8 ||
                 col == TypeId::kDate || col == TypeId::kTimestamp || col == TypeId::kTimestampTz ||
                 col == TypeId::kInterval || col == TypeId::kTime) {
        return SqlError("0A000",
                        "RANGE with offset PRECEDING/FOLLOWING is not supported for column type " +
                            types::FormatType(Type(col)) + " and offset type " + types::FormatType(Type(t)),
                        {.hint = "Cast the offset value to an appropriate type.", .position = Position(*node)});
      } else {
        return SqlError("0A000", "RANGE with offset PRECEDING/FOLLOWING is not supported for column type " +
                                     types::FormatType(Type(col)),
                        {.position = Position(*node)});
      }
    } else if (!int_offset) {
      // ROWS / GROUPS take their offset as an assignment to bigint (1.5 rounds to 2).
      auto cast = types::FindCast(t, TypeId::kInt8);
      if (!cast || *cast == types::CastContext::kExplicit) {
        return SqlError("42804", std::string("argument of ") + mode + " must be type bigint, not type " +
                                     types::FormatType(e->type),
                        {.position = Position(*node)});
      }
      NORDLYS_ASSIGN_OR_RETURN(e, Coerce(e, Type(want), types::CastContext::kAssignment, "", Position(*node)));
    }
    NORDLYS_ASSIGN_OR_RETURN(e, Coerce(e, Type(want), types::CastContext::kImplicit, "", Position(*node)));
    fp += (which == 0 ? "S" : "E") + e->ToString();
    (which == 0 ? spec.start_offset : spec.end_offset) = e;
  }
  fp += "F" + std::to_string(f);
  // Subqueries print alike ("(SubPlan)"): a window with one never shares its spec.
  bool has_subquery = false;
  for (const auto& e : spec.partition_by) has_subquery |= ContainsSubquery(*e);
  for (const auto& k : spec.order_by) has_subquery |= ContainsSubquery(*k.expr);
  if (has_subquery) fp += "#" + std::to_string(q->window_specs.size());
  spec.fingerprint = fp;
  for (size_t i = 0; i < q->window_specs.size(); ++i) {
    if (q->window_specs[i].fingerprint == fp) return static_cast<int>(i);
  }
  q->window_specs.push_back(std::move(spec));
  return static_cast<int>(q->window_specs.size() - 1);
}

Result<ExprPtr> Binder::BindWindowFunction(const Json& b, const std::string& name, ExprContext& ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  if (ctx.windows == nullptr) {
    std::string why = ctx.no_window != nullptr ? ctx.no_window : "";
    std::string clause = ctx.clause;
    if (why == "aggregate" || (why.empty() && clause == "aggregate")) {
      return SqlError("42803", "aggregate function calls cannot contain window function calls", {.position = pos});
    }
    if (why == "window") return SqlError("42P20", "window function calls cannot be nested", {.position = pos});
    return SqlError("42P20", "window functions are not allowed in " + (why.empty() ? clause : why),
                    {.position = pos});
  }
  const bool is_agg = IsAggregateName(name);
  if (!is_agg && !IsWindowOnlyFunction(name)) {
    // A function that does not exist at all is 42883, as PostgreSQL resolves the name first.
    Json plain = b;
    plain.erase("over");
    ExprContext sctx{ctx.scope, nullptr, ctx.clause, nullptr, "window"};
    auto scalar = BindFuncCall(plain, sctx);
    if (!scalar.ok() && scalar.status().sqlstate() == "42883") return scalar.status();
    return SqlError("42809", "OVER specified, but " + name + " is not a window function nor an aggregate function",
                    {.position = pos});
  }
  if (b.value("agg_distinct", false)) {
    return SqlError("0A000", "DISTINCT is not implemented for window functions", {.position = pos});
  }
  if (b.contains("agg_order")) {
    return SqlError("0A000", "aggregate ORDER BY is not implemented for window functions", {.position = pos});
  }
  if (!is_agg && b.contains("agg_filter")) {
    return SqlError("0A000", "FILTER is not implemented for non-aggregate window functions", {.position = pos});
  }
  // rank(*) OVER (...): PostgreSQL takes `*` as no arguments for a window function.
  ExprContext argctx{ctx.scope, ctx.aggs, ctx.clause, nullptr, "window"};
  WindowCall call;
  if (is_agg) {
    std::vector<AggCall> one;
    ExprContext actx{ctx.scope, &one, ctx.clause, nullptr, "window"};
    NORDLYS_RETURN_IF_ERROR(BindAggregate(b, name, actx, &argctx).status());
    call.func = WinFunc::kAggregate;
    call.agg = std::move(one.back());
    call.type = call.agg.type;
  } else {
    std::vector<ExprPtr> args;
    if (b.contains("args")) {
      for (const auto& a : b["args"]) {
        if (NodeOf(a).first == "NamedArgExpr") return Unsupported("named arguments", pos);
        NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(a, argctx));
        args.push_back(x);
      }
    }
    auto int_arg = [&](size_t i) -> Status {
      TypeId t = args[i]->type.id;
      if (t != TypeId::kUnknown && t != TypeId::kInt2 && t != TypeId::kInt4) return NoSuchFunction(name, args, pos);
      NORDLYS_ASSIGN_OR_RETURN(args[i], Coerce(args[i], Type(TypeId::kInt4), types::CastContext::kImplicit, "", pos));
      return Status::OK();
    };
    if (name == "row_number" || name == "rank" || name == "dense_rank" || name == "percent_rank" ||
        name == "cume_dist") {
      if (!args.empty()) return NoSuchFunction(name, args, pos);
      call.func = name == "row_number"     ? WinFunc::kRowNumber
                  : name == "rank"         ? WinFunc::kRank
                  : name == "dense_rank"   ? WinFunc::kDenseRank
                  : name == "percent_rank" ? WinFunc::kPercentRank
                                           : WinFunc::kCumeDist;
      call.type = Type(call.func == WinFunc::kPercentRank || call.func == WinFunc::kCumeDist ? TypeId::kFloat8
                                                                                            : TypeId::kInt8);
    } else if (name == "ntile") {
      if (args.size() != 1) return NoSuchFunction(name, args, pos);
      NORDLYS_RETURN_IF_ERROR(int_arg(0));
      call.func = WinFunc::kNtile;
      call.type = Type(TypeId::kInt4);
    } else if (name == "lag" || name == "lead") {
      if (args.empty() || args.size() > 3) return NoSuchFunction(name, args, pos);
      if (args.size() >= 2) NORDLYS_RETURN_IF_ERROR(int_arg(1));
      if (args.size() == 3) {
        if (args[0]->type.id != TypeId::kUnknown && args[2]->type.id != TypeId::kUnknown) {
          auto t = CommonType({args[0], args[2]}, "lag", pos);
          if (!t.ok()) return NoSuchFunction(name, args, pos);
        }
        NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType({args[0], args[2]}, "lag", pos));
        if (t.id == TypeId::kUnknown) t = Type(TypeId::kText);
        NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], t, types::CastContext::kImplicit, "", pos));
        NORDLYS_ASSIGN_OR_RETURN(args[2], Coerce(args[2], t, types::CastContext::kImplicit, "", pos));
      }
      args[0] = ResolveUnknown(args[0]);
      call.func = name == "lag" ? WinFunc::kLag : WinFunc::kLead;
      call.type = args[0]->type;
    } else if (name == "first_value" || name == "last_value") {
      if (args.size() != 1) return NoSuchFunction(name, args, pos);
      args[0] = ResolveUnknown(args[0]);
      call.func = name == "first_value" ? WinFunc::kFirstValue : WinFunc::kLastValue;
      call.type = args[0]->type;
    } else {  // nth_value
      if (args.size() != 2) return NoSuchFunction(name, args, pos);
      NORDLYS_RETURN_IF_ERROR(int_arg(1));
      args[0] = ResolveUnknown(args[0]);
      call.func = WinFunc::kNthValue;
      call.type = args[0]->type;
    }
    call.args = std::move(args);
  }
  NORDLYS_ASSIGN_OR_RETURN(call.spec, BindWindowSpec(b["over"], ctx, pos));
  BoundSelect* q = ctx.windows->query;
  q->windows.push_back(std::move(call));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kWindowRef;
  e->index = static_cast<int>(q->windows.size() - 1);
  e->type = q->windows.back().type;
  e->location = pos;
  return ExprPtr(e);
}

namespace {

ExprPtr ReplaceWindowRefs(const ExprPtr& e, int base) {
  if (!e) return e;
  if (e->kind == ExprKind::kWindowRef) return MakeColumn(base + e->index, e->type, "window");
  auto c = std::make_shared<Expr>(*e);
  for (auto& a : c->args) a = ReplaceWindowRefs(a, base);
  return c;
}

}  // namespace

Status Binder::FinishWindows(BoundSelect* q) {
  if (q->windows.empty()) return Status::OK();
  q->window_input_width = q->aggregated ? static_cast<int>(q->group_by.size() + q->aggs.size()) : q->from_width;
  for (auto& t : q->targets) t = ReplaceWindowRefs(t, q->window_input_width);
  return Status::OK();
}

}  // namespace nordlys::engine::sql
