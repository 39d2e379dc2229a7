// See catalog_functions.h.
#include "engine/sql/execution/catalog_functions.h"

#include <cctype>

#include "engine/parser.h"
#include "engine/sql/binder/binder.h"
#include "engine/sql/catalog/system_views.h"
#include "engine/sql/catalog/view_definition.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Value;

namespace {

// "(x)" -> "x" when the outer parentheses enclose the whole text (pretty-printing).
std::string StripOuterParens(const std::string& s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return s;
  int depth = 0;
  bool in_quote = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') in_quote = !in_quote;
    if (in_quote) continue;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0 && i + 1 != s.size()) return s;
  }
  return s.substr(1, s.size() - 2);
}

// Binds a stored node tree in its table's scope and prints it.
Result<std::string> Deparse(const std::string& node_text, uint32_t relid, ExecContext* ctx) {
  auto tree = nlohmann::json::parse(node_text, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) return SqlError("22P02", "invalid node tree");
  // A bare CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP(3), ... (a common column default)
  // prints under its SQL name as ruleutils does; bound, it would read as now().
  if (tree.contains("SQLValueFunction")) {
    const auto& f = tree["SQLValueFunction"];
    std::string op = f.value("op", "");
    if (op.rfind("SVFOP_", 0) == 0) {
      std::string name = op.substr(6);
      if (name.size() > 2 && name.compare(name.size() - 2, 2, "_N") == 0) {
        return name.substr(0, name.size() - 2) + "(" + std::to_string(f.value("typmod", -1)) + ")";
      }
      return name;
    }
  }
  std::vector<types::Type> params;
  Binder binder(ctx->snap, ctx->session, "", &params);
  Scope scope;
  if (const TableDef* t = ctx->snap->TableByOid(relid)) {
    ScopeItem item = Binder::TableScope(*t, "", 0);
    item.alias.clear();  // columns print unqualified, as PG's deparser does for one relation
    scope.items.push_back(std::move(item));
  }
  Binder::ExprContext ectx{&scope, nullptr, "pg_get_expr"};
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindExpr(tree, ectx));
  return binder.ResolveUnknown(e)->ToString();  // a bare literal prints as 'x'::text
}

std::string ColumnList(const TableDef& t, const std::vector<int>& cols) {
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? ", " : "") + QuoteIdentifier(t.columns[cols[i]].name);
  return out;
}

const IndexDef* FindIndexByOid(const CatalogSnapshot& snap, uint32_t oid, const TableDef** table) {
  for (const auto& [toid, t] : snap.tables) {
    for (const auto& ix : t->indexes) {
      if (ix.oid == oid) {
        *table = t.get();
        return &ix;
      }
    }
  }
  return nullptr;
}

const ForeignKeyDef* FindForeignKeyByOid(const CatalogSnapshot& snap, uint32_t oid, const TableDef** table) {
  for (const auto& [toid, t] : snap.tables) {
    for (const auto& fk : t->foreign_keys) {
      if (fk.oid == oid) {
        *table = t.get();
        return &fk;
      }
    }
  }
  return nullptr;
}

// pg_get_constraintdef of a foreign key, worded as PostgreSQL's ruleutils.c words it.
std::string ForeignKeyDefinition(const CatalogSnapshot& snap, const TableDef& t, const ForeignKeyDef& fk) {
  const TableDef* ref = snap.TableByOid(fk.ref_table);
  if (ref == nullptr) return "";
  // Tables outside public are not on the search path (there is no SET search_path).
  std::string ref_name = QuoteIdentifier(ref->name);
  if (ref->namespace_oid != kPublicNamespace) ref_name = QuoteIdentifier(snap.SchemaName(ref->namespace_oid)) + "." + ref_name;
  std::string s = "FOREIGN KEY (" + ColumnList(t, fk.columns) + ") REFERENCES " + ref_name + "(" +
                  ColumnList(*ref, fk.ref_columns) + ")";
  if (fk.match_type == 'f') s += " MATCH FULL";
  auto action = [](char a) -> std::string {
    switch (a) {
      case 'r': return "RESTRICT";
      case 'c': return "CASCADE";
      case 'n': return "SET NULL";
      case 'd': return "SET DEFAULT";
      default: return "";
    }
  };
  if (!action(fk.update_action).empty()) s += " ON UPDATE " + action(fk.update_action);
  if (!action(fk.delete_action).empty()) s += " ON DELETE " + action(fk.delete_action);
  if (!fk.delete_set_columns.empty()) s += " (" + ColumnList(t, fk.delete_set_columns) + ")";
  if (!fk.validated) s += " NOT VALID";
  return s;
}

}  // namespace

Result<std::string> PrintStoredExpr(const std::string& node_text, uint32_t relid, bool pretty, ExecContext* ctx) {
  NORDLYS_ASSIGN_OR_RETURN(std::string s, Deparse(node_text, relid, ctx));
  return pretty ? StripOuterParens(s) : s;
}

bool IsCatalogFunction(Func f) {
  return f == Func::kPgGetExpr || f == Func::kPgGetConstraintdef || f == Func::kPgGetIndexdef || f == Func::kPgGetViewdef ||
         f == Func::kPgRelationIsPublishable || f == Func::kPgGetStatisticsobjdefColumns || f == Func::kPgGetTriggerdef;
}

Result<Value> EvalCatalogFunction(const Expr& e, const std::vector<Value>& a, ExecContext* ctx) {
  for (const auto& v : a) {
    if (v.is_null()) return Value();
  }
  const bool pretty = a.size() >= 2 && a.back().kind() == Value::Kind::kBool && a.back().as_bool();
  switch (e.func) {
    case Func::kPgGetExpr: {
      NORDLYS_ASSIGN_OR_RETURN(std::string s, Deparse(a[0].as_string(), static_cast<uint32_t>(a[1].as_int()), ctx));
      return Value::String(pretty ? StripOuterParens(s) : s);
    }
    case Func::kPgGetConstraintdef: {
      auto oid = static_cast<uint32_t>(a[0].as_int());
      bool is_check;
      uint32_t table_oid;
      int pos;
      if (DecodeDerivedOid(oid, &is_check, &table_oid, &pos)) {
        const TableDef* t = ctx->snap->TableByOid(table_oid);
        if (!is_check || t == nullptr || pos >= static_cast<int>(t->checks.size())) return Value();
        NORDLYS_ASSIGN_OR_RETURN(std::string s, Deparse(t->checks[pos].expr.dump(), table_oid, ctx));
        std::string body = StripOuterParens(s);
        return Value::String("CHECK (" + (pretty ? body : "(" + body + ")") + ")");
      }
      const TableDef* t = nullptr;
      if (const ForeignKeyDef* fk = FindForeignKeyByOid(*ctx->snap, oid, &t)) {
        return Value::String(ForeignKeyDefinition(*ctx->snap, *t, *fk));
      }
      const IndexDef* ix = FindIndexByOid(*ctx->snap, oid, &t);
      if (ix == nullptr || (!ix->primary && !ix->unique_constraint)) return Value();
      return Value::String(std::string(ix->primary ? "PRIMARY KEY (" : "UNIQUE (") + ColumnList(*t, ix->columns) + ")");
    }
    case Func::kPgGetIndexdef: {
      const TableDef* t = nullptr;
      const IndexDef* ix = FindIndexByOid(*ctx->snap, static_cast<uint32_t>(a[0].as_int()), &t);
      if (ix == nullptr) return Value();
      int64_t column = a.size() >= 2 && a[1].kind() != Value::Kind::kBool ? a[1].as_int() : 0;
      auto key = [&](size_t i) {
        std::string k = QuoteIdentifier(t->columns[ix->columns[i]].name);
        bool desc = i < ix->descending.size() && ix->descending[i];
        bool nf = i < ix->nulls_first.size() && ix->nulls_first[i];
        if (desc) k += nf ? " DESC" : " DESC NULLS LAST";
        else if (nf) k += " NULLS FIRST";
        return k;
      };
      if (column > 0) {
        if (column > static_cast<int64_t>(ix->columns.size())) return Value::String("");
        return Value::String(QuoteIdentifier(t->columns[ix->columns[column - 1]].name));
      }
      std::string keys;
      for (size_t i = 0; i < ix->columns.size(); ++i) keys += (i ? ", " : "") + key(i);
      return Value::String(std::string("CREATE ") + (ix->unique ? "UNIQUE " : "") + "INDEX " + QuoteIdentifier(ix->name) +
                           " ON " + QuoteIdentifier(ctx->snap->SchemaName(t->namespace_oid)) + "." + QuoteIdentifier(t->name) +
                           " USING btree (" + keys + ")");
    }
    case Func::kPgGetViewdef: {
      const ViewDef* v = nullptr;
      if (a[0].kind() == Value::Kind::kString) {
        std::string name = a[0].as_string();
        v = ctx->snap->FindView(0, name);
        if (v == nullptr) return SqlError("42P01", "relation \"" + name + "\" does not exist");
      } else {
        v = ctx->snap->ViewByOid(static_cast<uint32_t>(a[0].as_int()));
      }
      if (v == nullptr) return Value();
      NORDLYS_ASSIGN_OR_RETURN(std::string text, ViewDefinition(*ctx->snap, *v, pretty));
      return Value::String(text);
    }
    case Func::kPgRelationIsPublishable:
      // Ordinary tables in user schemas are what a publication could include.
      return Value::Bool(ctx->snap->TableByOid(static_cast<uint32_t>(a[0].as_int())) != nullptr);
    case Func::kPgGetStatisticsobjdefColumns:
      return Value();  // no extended statistics objects exist (CREATE STATISTICS is not built)
    case Func::kPgGetTriggerdef:
      return Value();  // no triggers exist (pg_trigger is empty)
    default:
      return Status::Internal("not a catalog function");
  }
}

}  // namespace nordlys::engine::sql
