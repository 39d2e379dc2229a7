// See view_definition.h.
#include "engine/sql/catalog/view_definition.h"

#include "engine/parser.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

namespace {

using Json = nlohmann::json;

std::string Str(const Json& string_node) { return string_node.at("String").at("sval").get<std::string>(); }

struct FromItem {
  const TableDef* table;
  std::string alias;    // empty: none
  std::string refname;  // the name the stored query wrote (the table may have been renamed)
  // How the query's column references qualify it, and how PostgreSQL prints that (the
  // table's current name when there is no alias).
  std::string Written() const { return alias.empty() ? refname : alias; }
  std::string Printed() const { return alias.empty() ? table->name : alias; }
};

// The shapes reproduced: SELECT [DISTINCT] of plain columns FROM one or more plain tables
// (comma-separated), WHERE a conjunction of column comparisons with columns, non-negative
// integer constants (integer columns) or string constants (text columns) and IS [NOT] NULL,
// ORDER BY columns, LIMIT a non-negative integer.
class Printer {
 public:
  Printer(const CatalogSnapshot& snap, const ViewDef& v, bool pretty) : snap_(snap), v_(v), pretty_(pretty) {}

  Result<std::string> Print() {
    auto unsupported = [] { return Unsupported("pg_get_viewdef of this view (only simple views are reconstructed)"); };
    if (!v_.query.contains("SelectStmt")) return unsupported();
    const Json& s = v_.query["SelectStmt"];
    for (const auto& [key, value] : s.items()) {
      if (key != "targetList" && key != "fromClause" && key != "whereClause" && key != "sortClause" &&
          key != "limitCount" && key != "limitOption" && key != "op" && key != "distinctClause") {
        return unsupported();
      }
    }
    if (s.value("op", "SETOP_NONE") != "SETOP_NONE" || !s.contains("fromClause")) return unsupported();
    if (s.contains("distinctClause") && !(s["distinctClause"].size() == 1 && s["distinctClause"][0].empty())) {
      return unsupported();
    }
    if (s.contains("limitOption") && s["limitOption"] != "LIMIT_OPTION_COUNT" && s["limitOption"] != "LIMIT_OPTION_DEFAULT") {
      return unsupported();
    }
    for (const auto& f : s["fromClause"]) {
      if (!f.contains("RangeVar")) return unsupported();
      const Json& rv = f["RangeVar"];
      if (rv.contains("catalogname") || (rv.contains("alias") && rv["alias"].contains("colnames"))) return unsupported();
      if (rv.contains("schemaname")) return unsupported();  // PG prints the schema only when not visible
      const TableDef* t = rv.contains("nordlys_oid") ? snap_.TableByOid(rv["nordlys_oid"].get<uint32_t>())
                                                     : snap_.FindTable(0, rv.value("relname", ""));
      if (t == nullptr || t->namespace_oid != kPublicNamespace) return unsupported();
      from_.push_back({t, rv.contains("alias") ? rv["alias"].value("aliasname", "") : "", rv.value("relname", "")});
    }
    const Json& targets = s["targetList"];
    if (targets.size() != v_.columns.size()) return unsupported();
    std::string out = std::string(" SELECT ") + (s.contains("distinctClause") ? "DISTINCT " : "");
    for (size_t i = 0; i < targets.size(); ++i) {
      const Json& rt = targets[i]["ResTarget"];
      Column c;
      if (!ResolveColumn(rt["val"], &c)) return unsupported();
      std::string name = v_.columns[i].name;
      std::string col = c.item->table->columns[c.column].name;
      out += (i ? ",\n    " : "") + c.text + (name != col ? " AS " + QuoteIdentifier(name) : "");
    }
    out += "\n   FROM ";
    for (size_t i = 0; i < from_.size(); ++i) {
      out += (i ? ",\n    " : "") + QuoteIdentifier(from_[i].table->name) +
             (from_[i].alias.empty() ? "" : " " + QuoteIdentifier(from_[i].alias));
    }
    if (s.contains("whereClause")) {
      std::string cond;
      if (!Condition(s["whereClause"], /*top=*/true, &cond)) return unsupported();
      out += "\n  WHERE " + cond;
    }
    if (s.contains("sortClause")) {
      out += "\n  ORDER BY ";
      bool first = true;
      for (const auto& item : s["sortClause"]) {
        const Json& sb = item["SortBy"];
        Column c;
        if (sb.value("sortby_nulls", "SORTBY_NULLS_DEFAULT") != "SORTBY_NULLS_DEFAULT" || !ResolveColumn(sb["node"], &c)) {
          return unsupported();
        }
        std::string dir = sb.value("sortby_dir", "SORTBY_DEFAULT");
        if (dir == "SORTBY_USING") return unsupported();
        out += (first ? "" : ", ") + c.text + (dir == "SORTBY_DESC" ? " DESC" : "");
        first = false;
      }
    }
    if (s.contains("limitCount")) {
      int64_t n;
      if (!IntConst(s["limitCount"], &n)) return unsupported();
      out += "\n LIMIT " + std::to_string(n);
    }
    return out + ";";
  }

  bool single_table() const { return from_.size() == 1; }

 private:
  struct Column {
    const FromItem* item = nullptr;
    int column = -1;
    std::string text;  // qualifier.column
  };

  bool ResolveColumn(const Json& node, Column* out) {
    if (!node.contains("ColumnRef")) return false;
    const Json& fields = node["ColumnRef"]["fields"];
    if (fields.empty() || fields.size() > 2 || !fields.back().contains("String")) return false;
    std::string qual = fields.size() == 2 ? Str(fields[0]) : "";
    std::string name = Str(fields.back());
    for (const auto& item : from_) {
      if (!qual.empty() && item.Written() != qual) continue;
      int c = item.table->ColumnIndex(name);
      if (c < 0) continue;
      if (out->item != nullptr) return false;  // ambiguous: the view could not have been created
      out->item = &item;
      out->column = c;
      out->text = QuoteIdentifier(item.Printed()) + "." + QuoteIdentifier(name);
    }
    return out->item != nullptr;
  }

  static bool IntConst(const Json& node, int64_t* v) {
    if (!node.contains("A_Const") || !node["A_Const"].contains("ival")) return false;
    *v = node["A_Const"]["ival"].value("ival", 0);
    return *v >= 0;
  }

  static bool IsInteger(types::TypeId t) {
    return t == types::TypeId::kInt2 || t == types::TypeId::kInt4 || t == types::TypeId::kInt8;
  }

  bool Condition(const Json& node, bool top, std::string* out) {
    auto wrap = [&](const std::string& s) { return pretty_ ? s : "(" + s + ")"; };
    if (node.contains("BoolExpr")) {
      const Json& b = node["BoolExpr"];
      if (b.value("boolop", "") != "AND_EXPR" || !top) return false;
      std::string s;
      for (const auto& a : b["args"]) {
        std::string part;
        if (!Condition(a, false, &part)) return false;
        s += (s.empty() ? "" : " AND ") + part;
      }
      *out = wrap(s);
      return true;
    }
    if (node.contains("NullTest")) {
      const Json& n = node["NullTest"];
      Column c;
      if (!ResolveColumn(n["arg"], &c)) return false;
      *out = wrap(c.text + (n.value("nulltesttype", "") == "IS_NOT_NULL" ? " IS NOT NULL" : " IS NULL"));
      return true;
    }
    if (node.contains("A_Expr")) {
      const Json& e = node["A_Expr"];
      if (e.value("kind", "") != "AEXPR_OP" || e["name"].size() != 1) return false;
      std::string op = Str(e["name"][0]);
      if (op != "=" && op != "<>" && op != "<" && op != ">" && op != "<=" && op != ">=") return false;
      Column l;
      if (!ResolveColumn(e["lexpr"], &l)) return false;
      types::TypeId lt = l.item->table->columns[l.column].type.id;
      std::string rhs;
      Column r;
      int64_t n;
      if (ResolveColumn(e["rexpr"], &r)) {
        types::TypeId rt = r.item->table->columns[r.column].type.id;
        if (!((lt == types::TypeId::kText && rt == lt) || (IsInteger(lt) && IsInteger(rt)))) return false;
        rhs = r.text;
      } else if (IntConst(e["rexpr"], &n) && IsInteger(lt)) {
        rhs = std::to_string(n);
      } else if (e["rexpr"].contains("A_Const") && e["rexpr"]["A_Const"].contains("sval") && lt == types::TypeId::kText) {
        std::string v = e["rexpr"]["A_Const"]["sval"].value("sval", "");
        std::string quoted = "'";
        for (char ch : v) {
          if (ch == '\'' || ch == '\\') return false;  // PG's escaping rules: not reproduced here
          quoted.push_back(ch);
        }
        rhs = quoted + "'::text";
      } else {
        return false;
      }
      *out = wrap(l.text + " " + op + " " + rhs);
      return true;
    }
    return false;
  }

  const CatalogSnapshot& snap_;
  const ViewDef& v_;
  bool pretty_;
  std::vector<FromItem> from_;
};

}  // namespace

Result<std::string> ViewDefinition(const CatalogSnapshot& snap, const ViewDef& v, bool pretty) {
  return Printer(snap, v, pretty).Print();
}

Result<bool> ViewIsAutoUpdatable(const CatalogSnapshot& snap, const ViewDef& v) {
  Printer p(snap, v, false);
  NORDLYS_RETURN_IF_ERROR(p.Print().status());
  const Json& s = v.query["SelectStmt"];
  return p.single_table() && !s.contains("distinctClause") && !s.contains("limitCount");
}

}  // namespace nordlys::engine::sql
