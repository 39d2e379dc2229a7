// SELECT and EXPLAIN.
#include "engine/sql/errors.h"
#include "engine/sql/execution/statements.h"
#include "engine/sql/planner/planner.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;

std::vector<ResultColumn> ColumnsOf(const BoundSelect& q) {
  std::vector<ResultColumn> cols;
  auto types = q.OutputTypes();
  const BoundSelect* first = &q;
  while (first->set_op != BoundSelect::SetOp::kNone) first = first->larg.get();
  for (size_t i = 0; i < types.size(); ++i) {
    ResultColumn c;
    c.name = i < q.names.size() ? q.names[i] : "?column?";
    c.type = types[i].id == TypeId::kUnknown ? Type(TypeId::kText) : types[i];
    if (q.set_op == BoundSelect::SetOp::kNone && i < q.origins.size()) {
      c.table_oid = q.origins[i].table_oid;
      c.attnum = q.origins[i].attnum;
    }
    cols.push_back(c);
  }
  return cols;
}

Result<uint64_t> RunToOutput(Operator* plan, ExecContext* ctx, StatementOutput* out) {
  NORDLYS_RETURN_IF_ERROR(plan->Open(ctx));
  uint64_t n = 0;
  Row row;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, plan->Next(ctx, &row));
    if (!more) break;
    NORDLYS_RETURN_IF_ERROR(out->Row(row));
    ++n;
  }
  return n;
}

Result<std::string> ExecSelect(const Json& s, StmtEnv& env) {
  Binder binder = env.MakeBinder();
  NORDLYS_ASSIGN_OR_RETURN(auto q, binder.BindQuery(s, nullptr));
  auto cols = ColumnsOf(*q);
  if (env.describe) {
    env.info->returns_rows = true;
    env.info->columns = cols;
    return std::string();
  }
  Planner planner(env.ctx->db);
  NORDLYS_RETURN_IF_ERROR(planner.PlanSubqueries(&binder));
  NORDLYS_ASSIGN_OR_RETURN(OperatorPtr plan, planner.PlanQuery(*q));
  NORDLYS_RETURN_IF_ERROR(env.out->Columns(cols));
  NORDLYS_ASSIGN_OR_RETURN(uint64_t n, RunToOutput(plan.get(), env.ctx, env.out));
  return "SELECT " + std::to_string(n);
}

Result<std::string> ExecExplain(const Json& s, StmtEnv& env) {
  std::vector<ResultColumn> cols = {{"QUERY PLAN", Type(TypeId::kText)}};
  if (env.describe) {
    env.info->returns_rows = true;
    env.info->columns = cols;
    return std::string();
  }
  if (s.contains("options")) {
    for (const auto& o : s["options"]) {
      std::string name = o["DefElem"].value("defname", "");
      if (name == "analyze") return Unsupported("EXPLAIN ANALYZE");
      if (name == "format") return Unsupported("EXPLAIN FORMAT");
    }
  }
  auto [kind, body] = NodeOf(s["query"]);
  Binder binder = env.MakeBinder();
  Planner planner(env.ctx->db);
  OperatorPtr plan;
  std::string prefix;
  if (kind == "SelectStmt") {
    NORDLYS_ASSIGN_OR_RETURN(auto q, binder.BindQuery(s["query"], nullptr));
    NORDLYS_RETURN_IF_ERROR(planner.PlanSubqueries(&binder));
    NORDLYS_ASSIGN_OR_RETURN(plan, planner.PlanQuery(*q));
  } else if (kind == "UpdateStmt" || kind == "DeleteStmt") {
    if (body->contains("fromClause") || body->contains("usingClause")) {
      return Unsupported(kind == "UpdateStmt" ? "EXPLAIN of UPDATE ... FROM" : "EXPLAIN of DELETE ... USING");
    }
    NORDLYS_ASSIGN_OR_RETURN(auto table, binder.LookupTable((*body)["relation"]["RangeVar"].is_null()
                                                                ? (*body)["relation"]
                                                                : (*body)["relation"]));
    std::string alias = (*body)["relation"].contains("alias") ? (*body)["relation"]["alias"].value("aliasname", "") : "";
    Scope scope;
    scope.items.push_back(Binder::TableScope(*table, alias, 0));
    std::vector<ExprPtr> conj;
    if (body->contains("whereClause")) {
      Binder::ExprContext ctx{&scope, nullptr, "WHERE"};
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr w, binder.BindCondition((*body)["whereClause"], ctx, "WHERE"));
      SplitConjuncts(w, &conj);
    }
    plan = planner.PlanTableScan(table, alias, conj);
    prefix = (kind == "UpdateStmt" ? "Update on " : "Delete on ") + table->name;
  } else if (kind == "InsertStmt") {
    NORDLYS_ASSIGN_OR_RETURN(auto table, binder.LookupTable((*body)["relation"]));
    prefix = "Insert on " + table->name;
    plan = std::make_shared<ValuesScan>(std::vector<std::vector<ExprPtr>>{{}});
  } else {
    return Unsupported("EXPLAIN of this statement");
  }
  NORDLYS_RETURN_IF_ERROR(env.out->Columns(cols));
  std::vector<std::string> lines;
  if (!prefix.empty()) {
    lines.push_back(prefix);
    for (auto& l : ExplainLines(*plan)) lines.push_back("  ->  " + l.substr(0, 0) + (l.empty() ? l : l));
    // Re-indent the child plan under the DML node.
    lines.resize(1);
    auto child = ExplainLines(*plan);
    for (size_t i = 0; i < child.size(); ++i) lines.push_back(i == 0 ? "  ->  " + child[i] : "      " + child[i]);
  } else {
    lines = ExplainLines(*plan);
  }
  for (const auto& l : lines) NORDLYS_RETURN_IF_ERROR(env.out->Row({types::Value::String(l)}));
  return std::string("EXPLAIN");
}

}  // namespace nordlys::engine::sql
