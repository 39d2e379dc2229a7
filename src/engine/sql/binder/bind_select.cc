// Query binding: SELECT (FROM, WHERE, GROUP BY, HAVING, target list, DISTINCT, ORDER BY,
// LIMIT/OFFSET), VALUES, and UNION/INTERSECT/EXCEPT.
#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

std::vector<Type> BoundSelect::OutputTypes() const {
  if (set_op != SetOp::kNone) return larg->OutputTypes();
  std::vector<Type> out;
  if (!values.empty()) {
    for (const auto& e : values[0]) out.push_back(e->type);
    return out;
  }
  for (size_t i = 0; i < visible; ++i) out.push_back(targets[i]->type);
  return out;
}

std::vector<std::string> BoundSelect::OutputNames() const {
  if (set_op == SetOp::kRecursiveUnion) return names;
  if (set_op != SetOp::kNone) return larg->OutputNames();
  if (values.empty()) return {names.begin(), names.begin() + visible};
  std::vector<std::string> out;
  for (size_t i = 0; i < values[0].size(); ++i) out.push_back("column" + std::to_string(i + 1));
  return out;
}

namespace {

// PostgreSQL's FigureColname: the column name a target gets without AS. The strength says how
// good a name is (2: a column or function name, 1: a type name or "case", 0: none), so that an
// outer cast names `x::int::text` only when nothing stronger is inside.
std::string FigureColname(const Json& node, int* strength) {
  *strength = 2;
  auto [k, b] = NodeOf(node);
  if (k == "ColumnRef") {
    const Json& fields = (*b)["fields"];
    if (!fields.empty() && fields.back().contains("String")) return StrVal(fields.back());
    *strength = 0;
    return "?column?";
  }
  if (k == "FuncCall") {
    auto names = NameList((*b)["funcname"]);
    return names.empty() ? "?column?" : names.back();
  }
  if (k == "TypeCast") {
    std::string inner = FigureColname((*b)["arg"], strength);
    if (*strength > 1) return inner;
    auto names = NameList((*b)["typeName"]["names"]);
    if (names.empty()) return inner;
    *strength = 1;
    // PG shows the type's name as the column name; for the common aliases that is pg_type's.
    auto t = types::LookupType(names, {});
    if (t.ok()) return std::string(types::TypeInternalName(t->id));
    return names.back();
  }
  if (k == "CollateClause" || k == "A_Indirection") return FigureColname((*b)["arg"], strength);
  if (k == "CaseExpr") {
    if (b->contains("defresult")) {
      std::string d = FigureColname((*b)["defresult"], strength);
      if (*strength > 1) return d;
    }
    *strength = 1;
    return "case";
  }
  if (k == "CoalesceExpr") return "coalesce";
  if (k == "A_ArrayExpr") return "array";
  if (k == "RowExpr") return "row";
  if (k == "MinMaxExpr") return (*b).value("op", "") == "IS_GREATEST" ? "greatest" : "least";
  if (k == "A_Expr" && (*b).value("kind", "") == "AEXPR_NULLIF") return "nullif";
  if (k == "SubLink") {
    std::string t = (*b).value("subLinkType", "");
    if (t == "EXISTS_SUBLINK") return "exists";
    if (t == "ARRAY_SUBLINK") return "array";
    if (t == "EXPR_SUBLINK") {
      const Json& sel = (*b)["subselect"]["SelectStmt"];
      if (sel.contains("targetList") && !sel["targetList"].empty()) {
        const Json& rt = sel["targetList"][0]["ResTarget"];
        if (rt.contains("name")) return rt["name"].get<std::string>();
        int inner = 0;
        return FigureColname(rt["val"], &inner);
      }
    }
    *strength = 0;
    return "?column?";
  }
  if (k == "SQLValueFunction") {
    std::string op = (*b).value("op", "");
    if (op.rfind("SVFOP_", 0) == 0) op = op.substr(6);
    for (auto& c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (op.size() > 2 && op.substr(op.size() - 2) == "_n") op.resize(op.size() - 2);
    if (op == "current_catalog") return "current_catalog";
    return op;
  }
  *strength = 0;
  return "?column?";
}

std::string FigureColname(const Json& node) {
  int strength = 0;
  return FigureColname(node, &strength);
}

bool IsIntConst(const Json& node, int64_t* v) {
  auto [k, b] = NodeOf(node);
  if (k != "A_Const" || !b->contains("ival")) return false;
  *v = (*b)["ival"].value("ival", 0);
  return true;
}

std::string Fingerprint(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return "#" + std::to_string(e.index);
  std::string s = std::to_string(static_cast<int>(e.kind)) + ":" + e.ToString() + "[";
  for (const auto& a : e.args) s += a ? Fingerprint(*a) + "," : "-,";
  return s + "]";
}

}  // namespace

std::string ExprFingerprint(const Expr& e) { return Fingerprint(e); }

// "FOR UPDATE", "FOR SHARE", ... as PostgreSQL's errors name a locking clause.
static std::string LockingClauseName(const Json& s) {
  std::string strength = s["lockingClause"][0]["LockingClause"].value("strength", "");
  return strength == "LCS_FORUPDATE"        ? "FOR UPDATE"
         : strength == "LCS_FORNOKEYUPDATE" ? "FOR NO KEY UPDATE"
         : strength == "LCS_FORSHARE"       ? "FOR SHARE"
                                            : "FOR KEY SHARE";
}

static void CollectRowLocks(const BoundFrom* f, std::vector<BoundSelect::RowLock>* out) {
  if (f == nullptr) return;
  if (f->kind == BoundFrom::Kind::kTable && f->with_tid) out->push_back({f->table, f->offset, f->lock_exclusive});
  if (f->kind == BoundFrom::Kind::kJoin) {
    CollectRowLocks(f->left.get(), out);
    CollectRowLocks(f->right.get(), out);
  }
}

ScopeItem Binder::TableScope(const TableDef& t, const std::string& alias, int offset) {
  ScopeItem item;
  item.alias = alias.empty() ? t.name : alias;
  item.offset = offset;
  item.table_oid = t.oid;
  item.table_name = t.name;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    item.columns.push_back(t.columns[i].name);
    item.types.push_back(t.columns[i].type);
    if (t.columns[i].dropped) {
      item.hidden.resize(t.columns.size(), false);
      item.hidden[i] = true;
    }
  }
  return item;
}

Result<std::shared_ptr<const TableDef>> Binder::LookupTable(const Json& rv, bool missing_schema_is_42p01) {
  std::string schema = rv.value("schemaname", "");
  std::string name = rv.value("relname", "");
  int pos = CharPosition(sql_, rv.value("location", -1));
  if (rv.contains("catalogname")) {
    std::string db = rv["catalogname"].get<std::string>();
    if (session_ == nullptr || db != session_->database) {
      return SqlError("0A000", "cross-database references are not implemented: " + db + "." +
                                   schema + "." + name,
                      {.position = pos});
    }
  }
  uint32_t ns = 0;
  if (!schema.empty()) {
    if (schema == "information_schema" && !IsPostgresInformationSchemaRelation(name)) {
      return SqlError("42P01", "relation \"" + schema + "." + name + "\" does not exist", {.position = pos});
    }
    if (schema == "pg_catalog" || schema == "information_schema") {
      return Unsupported("system catalog " + schema + "." + name, pos);
    }
    ns = snap_->SchemaOid(schema);
    if (ns == 0 && missing_schema_is_42p01) {
      return SqlError("42P01", "relation \"" + schema + "." + name + "\" does not exist", {.position = pos});
    }
    if (ns == 0) return SqlError("3F000", "schema \"" + schema + "\" does not exist", {.position = pos});
  }
  const TableDef* t = snap_->FindTable(ns, name);
  if (t == nullptr && snap_->FindView(ns, name) != nullptr) {
    return SqlError("42809", "\"" + name + "\" is not a table", {.position = pos});
  }
  if (t == nullptr) {
    if (schema.empty() && (name.rfind("pg_", 0) == 0)) {
      return Unsupported("system catalog " + name, pos);
    }
    return SqlError("42P01", "relation \"" + (schema.empty() ? name : schema + "." + name) +
                                 "\" does not exist",
                    {.position = pos});
  }
  return snap_->tables.at(t->oid);
}

Result<std::unique_ptr<BoundSelect>> Binder::BindQuery(const Json& node, Scope* outer) {
  auto [k, body] = NodeOf(node);
  const Json& s = k == "SelectStmt" ? *body : node;
  size_t cte_mark = ctes_.size();
  if (s.contains("withClause")) {
    const Json& w = s["withClause"];
    const bool recursive = w.value("recursive", false);
    for (const auto& c : w["ctes"]) {
      const Json& cte = c["CommonTableExpr"];
      if (NodeOf(cte["ctequery"]).first != "SelectStmt") {
        return Unsupported("data-modifying statements in WITH", Position(cte["ctequery"]));
      }
      if (cte.contains("search_clause")) return Unsupported("SEARCH in WITH RECURSIVE", Position(c));
      if (cte.contains("cycle_clause")) return Unsupported("CYCLE in WITH RECURSIVE", Position(c));
      std::string name = cte.value("ctename", "");
      for (size_t i = cte_mark; i < ctes_.size(); ++i) {
        if (ctes_[i].name == name) {
          return SqlError("42712", "WITH query name \"" + name + "\" specified more than once", {.position = Position(c)});
        }
      }
      Cte entry{name, &cte["ctequery"], cte.contains("aliascolnames") ? &cte["aliascolnames"] : nullptr, &cte};
      entry.recursive = recursive;
      ctes_.push_back(std::move(entry));
    }
    for (size_t i = cte_mark; i < ctes_.size(); ++i) ctes_[i].list_end = ctes_.size();
  }
  std::string op = s.value("op", "SETOP_NONE");
  if (s.contains("lockingClause") && (op != "SETOP_NONE" || s.contains("valuesLists"))) {
    std::string what = LockingClauseName(s);
    return SqlError("0A000", op != "SETOP_NONE" ? what + " is not allowed with UNION/INTERSECT/EXCEPT"
                                                : what + " cannot be applied to VALUES");
  }
  Result<std::unique_ptr<BoundSelect>> r = op != "SETOP_NONE"          ? BindSetOp(s, outer)
                                           : s.contains("valuesLists") ? BindValues(s, outer)
                                                                       : BindSimpleSelect(s, outer);
  ctes_.resize(cte_mark);
  return r;
}

types::Value TidValue(const storage::Tid& tid) {
  return types::Value::Int8(static_cast<int64_t>((tid.page.value() << 16) | tid.slot));
}

storage::Tid TidOfValue(const types::Value& v) {
  uint64_t x = static_cast<uint64_t>(v.as_int());
  return storage::Tid{PageId(x >> 16), static_cast<uint16_t>(x & 0xffff)};
}

Result<std::unique_ptr<BoundFrom>> Binder::BindDmlSource(std::shared_ptr<const TableDef> table,
                                                         const std::string& alias, const Json* from_list,
                                                         Scope* scope) {
  auto target = std::make_unique<BoundFrom>();
  target->kind = BoundFrom::Kind::kTable;
  target->table = table;
  target->alias = alias;
  target->with_tid = true;
  target->width = static_cast<int>(table->columns.size()) + 1;
  scope->items.push_back(TableScope(*table, alias, 0));
  int offset = target->width;
  std::unique_ptr<BoundFrom> from = std::move(target);
  if (from_list == nullptr) return from;
  for (const auto& item : *from_list) {
    NORDLYS_ASSIGN_OR_RETURN(auto f, BindFromItem(item, scope, &offset));
    auto j = std::make_unique<BoundFrom>();
    j->kind = BoundFrom::Kind::kJoin;
    j->join_type = BoundFrom::JoinType::kCross;
    j->offset = 0;
    j->width = from->width + f->width;
    j->left = std::move(from);
    j->right = std::move(f);
    from = std::move(j);
  }
  return from;
}

Result<std::unique_ptr<BoundFrom>> Binder::BindFromItem(const Json& node, Scope* scope, int* offset) {
  auto [k, bp] = NodeOf(node);
  const Json& b = *bp;
  auto f = std::make_unique<BoundFrom>();
  f->offset = *offset;
  if (k == "RangeVar" && !b.contains("schemaname")) {
    std::string name = b.value("relname", "");
    for (size_t i = ctes_.size(); i > 0; --i) {
      if (ctes_[i - 1].name == name) return BindCteReference(i - 1, b, scope, offset);
    }
  }
  if (k == "RangeFunction") return BindFunctionItem(b, scope, offset);
  if (k == "RangeVar" && b.contains("nordlys_oid")) {
    // A view's stored reference: by oid, so renames since do not matter; its columns keep the
    // qualifier it was written with.
    uint32_t oid = b["nordlys_oid"].get<uint32_t>();
    if (const ViewDef* v = snap_->ViewByOid(oid)) return BindViewItem(*v, b, scope, offset);
    auto it = snap_->tables.find(oid);
    if (it == snap_->tables.end()) return SqlError("XX000", "a relation a view reads is gone (oid " + std::to_string(oid) + ")");
    f->table = it->second;
    f->kind = BoundFrom::Kind::kTable;
    f->alias = b.contains("alias") ? b["alias"].value("aliasname", "") : b.value("relname", "");
    ScopeItem item = TableScope(*f->table, f->alias, *offset);
    if (b.contains("alias") && b["alias"].contains("colnames")) {
      auto cols = NameList(b["alias"]["colnames"]);
      size_t n = 0;
      for (size_t i = 0; i < f->table->columns.size() && n < cols.size(); ++i) {
        if (!f->table->columns[i].dropped) item.columns[i] = cols[n++];
      }
    }
    for (const auto& other : scope->items) {
      if (other.alias == item.alias) {
        return SqlError("42712", "table name \"" + item.alias + "\" specified more than once", {.position = Position(node)});
      }
    }
    f->width = static_cast<int>(item.columns.size());
    *offset += f->width;
    scope->items.push_back(std::move(item));
    return f;
  }
  if (k == "RangeVar") {
    // pg_catalog comes first on the search path, as in PostgreSQL.
    std::string schema = b.value("schemaname", "");
    const SystemRelation* sys =
        schema.empty() || schema == "pg_catalog" ? FindSystemRelation(b.value("relname", ""))
        : schema == "information_schema"         ? FindInformationSchemaRelation(b.value("relname", ""))
                                                 : nullptr;
    if (sys != nullptr && !b.contains("catalogname")) {
      if (locking_ != nullptr && locking_->scope == scope) return Unsupported("FOR UPDATE on a system catalog");
      f->kind = BoundFrom::Kind::kSystem;
      f->system = sys;
      f->alias = b.contains("alias") ? b["alias"].value("aliasname", "") : "";
      ScopeItem item;
      item.alias = f->alias.empty() ? sys->name : f->alias;
      item.offset = *offset;
      item.table_oid = sys->oid;
      item.table_name = sys->name;
      item.unsupported = &sys->unsupported;
      for (const auto& c : sys->columns) {
        item.columns.push_back(c.name);
        item.types.push_back(c.type);
      }
      for (const auto& other : scope->items) {
        if (other.alias == item.alias) {
          return SqlError("42712", "table name \"" + item.alias + "\" specified more than once",
                          {.position = Position(node)});
        }
      }
      f->width = static_cast<int>(item.columns.size());
      *offset += f->width;
      scope->items.push_back(std::move(item));
      return f;
    }
    if (!b.contains("catalogname")) {
      uint32_t ns = schema.empty() ? 0 : snap_->SchemaOid(schema);
      if (const ViewDef* v = schema.empty() || ns != 0 ? snap_->FindView(ns, b.value("relname", "")) : nullptr) {
        return BindViewItem(*v, b, scope, offset);
      }
    }
    NORDLYS_ASSIGN_OR_RETURN(f->table, LookupTable(b, /*missing_schema_is_42p01=*/true));
    if (recording_ != nullptr && view_depth_ == 0) {
      recording_->relations.insert(f->table->oid);
      recording_->relation_refs.emplace_back(&b, f->table->oid);
    }
    f->kind = BoundFrom::Kind::kTable;
    f->alias = b.contains("alias") ? b["alias"].value("aliasname", "") : "";
    ScopeItem item = TableScope(*f->table, f->alias, *offset);
    if (b.contains("alias") && b["alias"].contains("colnames")) {
      auto cols = NameList(b["alias"]["colnames"]);
      std::vector<size_t> live;  // dropped columns take no alias
      for (size_t i = 0; i < f->table->columns.size(); ++i) {
        if (!f->table->columns[i].dropped) live.push_back(i);
      }
      if (cols.size() > live.size()) {
        return SqlError("42P10", "table \"" + item.alias + "\" has " + std::to_string(live.size()) +
                                     " columns available but " + std::to_string(cols.size()) +
                                     " columns specified");
      }
      for (size_t i = 0; i < cols.size(); ++i) item.columns[live[i]] = cols[i];
    }
    for (const auto& other : scope->items) {
      if (other.alias == item.alias) {
        return SqlError("42712", "table name \"" + item.alias + "\" specified more than once",
                        {.position = Position(node)});
      }
    }
    f->width = static_cast<int>(item.columns.size());
    if (locking_ != nullptr && locking_->scope == scope) {
      for (size_t i = 0; i < locking_->names.size(); ++i) {
        if (locking_->names[i] != item.alias) continue;
        locking_->used[i] = true;
        f->with_tid = true;
        f->lock_exclusive = locking_->exclusive[i];
      }
      if (locking_->all) {
        f->with_tid = true;
        f->lock_exclusive = locking_->all_exclusive;
      }
      if (f->with_tid) f->width += 1;  // the Tid after the columns; no scope name reaches it
    }
    *offset += f->width;
    scope->items.push_back(std::move(item));
    return f;
  }
  if (k == "RangeSubselect") {
    if (b.value("lateral", false)) return Unsupported("LATERAL", Position(b["subquery"]));
    if (!b.contains("alias")) {
      return SqlError("42601", "subquery in FROM must have an alias",
                      {.hint = "For example, FROM (SELECT ...) [AS] foo.", .position = Position(b["subquery"])});
    }
    return BindSubqueryItem(b["subquery"], b["alias"].value("aliasname", ""),
                            b["alias"].contains("colnames") ? &b["alias"]["colnames"] : nullptr, scope, offset);
  }
  if (k == "JoinExpr") {
    std::string jt = b.value("jointype", "JOIN_INNER");
    if (b.contains("alias")) return Unsupported("aliases on JOIN");
    f->kind = BoundFrom::Kind::kJoin;
    size_t left_begin = scope->items.size();
    // Recursive references may not sit on the side an outer join fills with NULLs.
    const bool left_nullable = jt == "JOIN_RIGHT" || jt == "JOIN_FULL";
    const bool right_nullable = jt == "JOIN_LEFT" || jt == "JOIN_FULL";
    nullable_depth_ += left_nullable;
    auto left = BindFromItem(b["larg"], scope, offset);
    nullable_depth_ -= left_nullable;
    NORDLYS_ASSIGN_OR_RETURN(f->left, std::move(left));
    size_t right_begin = scope->items.size();
    nullable_depth_ += right_nullable;
    auto right = BindFromItem(b["rarg"], scope, offset);
    nullable_depth_ -= right_nullable;
    NORDLYS_ASSIGN_OR_RETURN(f->right, std::move(right));
    size_t right_end = scope->items.size();
    f->width = f->left->width + f->right->width;
    f->join_type = jt == "JOIN_LEFT" ? BoundFrom::JoinType::kLeft
                   : jt == "JOIN_RIGHT" ? BoundFrom::JoinType::kRight
                   : jt == "JOIN_FULL" ? BoundFrom::JoinType::kFull : BoundFrom::JoinType::kInner;
    bool natural = b.value("isNatural", false);
    if (natural || b.contains("usingClause")) {
      if (f->join_type == BoundFrom::JoinType::kFull) return Unsupported("FULL JOIN with USING or NATURAL");
      // The visible (unhidden) columns of one side, by name.
      auto find = [&](size_t from, size_t to, const std::string& name, ScopeItem** item, size_t* col) -> int {
        int n = 0;
        for (size_t i = from; i < to; ++i) {
          for (size_t c = 0; c < scope->items[i].columns.size(); ++c) {
            if (scope->items[i].columns[c] == name && !scope->items[i].Hidden(c)) {
              *item = &scope->items[i];
              *col = c;
              ++n;
            }
          }
        }
        return n;
      };
      std::vector<std::string> names;
      if (natural) {
        for (size_t i = left_begin; i < right_begin; ++i) {
          for (size_t c = 0; c < scope->items[i].columns.size(); ++c) {
            if (scope->items[i].Hidden(c)) continue;
            ScopeItem* it;
            size_t col;
            if (find(right_begin, right_end, scope->items[i].columns[c], &it, &col) > 0) {
              names.push_back(scope->items[i].columns[c]);
            }
          }
        }
      } else {
        names = NameList(b["usingClause"]);
      }
      std::vector<ExprPtr> eqs;
      for (const auto& name : names) {
        ScopeItem *li = nullptr, *ri = nullptr;
        size_t lc = 0, rc = 0;
        int nl = find(left_begin, right_begin, name, &li, &lc);
        int nr = find(right_begin, right_end, name, &ri, &rc);
        if (nl > 1) return SqlError("42702", "common column name \"" + name + "\" appears more than once in left table");
        if (nr > 1) return SqlError("42702", "common column name \"" + name + "\" appears more than once in right table");
        if (nl == 0) return SqlError("42703", "column \"" + name + "\" specified in USING clause does not exist in left table");
        if (nr == 0) return SqlError("42703", "column \"" + name + "\" specified in USING clause does not exist in right table");
        ExprPtr l = MakeColumn(li->offset + static_cast<int>(lc), li->types[lc], li->alias + "." + name);
        ExprPtr r = MakeColumn(ri->offset + static_cast<int>(rc), ri->types[rc], ri->alias + "." + name);
        RecordColumn(li->table_oid, static_cast<int>(lc));
        RecordColumn(ri->table_oid, static_cast<int>(rc));
        NORDLYS_ASSIGN_OR_RETURN(ExprPtr eq, BindOperator(types::BinaryOp::kEq, l, r, 0));
        eqs.push_back(eq);
        ScopeItem* hide = f->join_type == BoundFrom::JoinType::kRight ? li : ri;
        size_t hc = f->join_type == BoundFrom::JoinType::kRight ? lc : rc;
        ScopeItem* keep = hide == li ? ri : li;
        scope->merged.emplace_back(static_cast<size_t>(keep - scope->items.data()), hide == li ? rc : lc);
        hide->hidden.resize(hide->columns.size(), false);
        hide->hidden[hc] = true;
      }
      ++scope->using_joins;
      f->cond = MakeAnd(eqs);
      if (!f->cond && f->join_type == BoundFrom::JoinType::kInner) f->join_type = BoundFrom::JoinType::kCross;
    } else if (b.contains("quals")) {
      ExprContext ctx{scope, nullptr, "JOIN conditions"};
      NORDLYS_ASSIGN_OR_RETURN(f->cond, BindCondition(b["quals"], ctx, "JOIN/ON"));
    } else {
      f->join_type = BoundFrom::JoinType::kCross;
    }
    return f;
  }
  if (k == "RangeFunction") return Unsupported("functions in FROM", Position(node));
  return Unsupported("FROM item " + k);
}

Result<std::unique_ptr<BoundFrom>> Binder::BindSubqueryItem(const Json& query, const std::string& alias,
                                                            const Json* colnames, Scope* scope, int* offset,
                                                            const char* what) {
  auto f = std::make_unique<BoundFrom>();
  f->offset = *offset;
  // A FROM subquery sees the enclosing query's outer scope, not its sibling FROM items.
  NORDLYS_ASSIGN_OR_RETURN(f->subquery, BindQuery(query, scope->parent));
  // Its outer references skip this query's scope, yet this query then depends on the outer
  // row too: without the mark, a scalar subquery holding such a FROM item would be cached.
  if (f->subquery->correlated) scope->correlated = true;
  f->kind = BoundFrom::Kind::kSubquery;
  ScopeItem item;
  item.alias = alias;
  item.offset = *offset;
  item.columns = f->subquery->OutputNames();
  item.types = f->subquery->OutputTypes();
  if (colnames != nullptr) {
    auto cols = NameList(*colnames);
    if (cols.size() > item.columns.size()) {
      return SqlError("42P10", std::string(what) + " \"" + alias + "\" has " + std::to_string(item.columns.size()) +
                                   " columns available but " + std::to_string(cols.size()) + " columns specified");
    }
    for (size_t i = 0; i < cols.size(); ++i) item.columns[i] = cols[i];
  }
  f->alias = alias;
  f->width = static_cast<int>(item.columns.size());
  *offset += f->width;
  scope->items.push_back(std::move(item));
  return f;
}

Result<std::unique_ptr<BoundFrom>> Binder::BindFunctionItem(const Json& b, Scope* scope, int* offset) {
  if (b.value("lateral", false)) return Unsupported("LATERAL");
  // pg_partition_ancestors(rel) [WITH ORDINALITY]: no table is partitioned, and PostgreSQL
  // returns no rows for a relation outside a partition tree; bound as an empty subquery of the
  // function's columns. psql's \d asks it.
  if (b["functions"].size() == 1) {
    const Json& call = b["functions"][0]["List"]["items"][0];
    auto [ck, cb] = NodeOf(call);
    if (ck == "FuncCall" && NameList((*cb)["funcname"]).back() == "pg_partition_ancestors" &&
        cb->contains("args") && (*cb)["args"].size() == 1) {
      auto type_name = [](const char* t) { return Json{{"names", Json::array({Json{{"String", {{"sval", t}}}}})}}; };
      Json targets = Json::array(
          {Json{{"ResTarget", {{"name", "relid"}, {"val", {{"TypeCast", {{"arg", (*cb)["args"][0]}, {"typeName", type_name("regclass")}}}}}}}}});
      if (b.value("ordinality", false)) {
        targets.push_back(Json{{"ResTarget",
                                {{"name", "ordinality"},
                                 {"val", {{"TypeCast", {{"arg", {{"A_Const", {{"ival", {{"ival", 1}}}}}}},
                                                        {"typeName", type_name("int8")}}}}}}}});
      }
      Json sub{{"RangeSubselect",
                {{"subquery", {{"SelectStmt", {{"targetList", targets},
                                               {"whereClause", {{"TypeCast", {{"arg", {{"A_Const", {{"sval", {{"sval", "f"}}}}}}},
                                                                              {"typeName", type_name("bool")}}}}},
                                               {"limitOption", "LIMIT_OPTION_DEFAULT"},
                                               {"op", "SETOP_NONE"}}}}},
                 {"alias", b.contains("alias") ? b["alias"] : Json{{"aliasname", "pg_partition_ancestors"}}}}}};
      return BindFromItem(sub, scope, offset);
    }
  }
  if (b.value("ordinality", false)) return Unsupported("WITH ORDINALITY");
  const Json& fns = b["functions"];
  if (fns.size() != 1) return Unsupported("ROWS FROM");
  const Json& call = fns[0]["List"]["items"][0];
  auto [k, fb] = NodeOf(call);
  std::string name = k == "FuncCall" ? NameList((*fb)["funcname"]).back() : "";
  int pos = Position(call);
  if (name != "generate_series" && name != "unnest") {
    return Unsupported("function " + (name.empty() ? k : name) + " in FROM", pos);
  }
  auto f = std::make_unique<BoundFrom>();
  f->kind = BoundFrom::Kind::kFunction;
  f->offset = *offset;
  // The function's one output column, named by the alias (or the function) unless renamed.
  auto add_column = [&](const std::string& fname, Type type) {
    ScopeItem item;
    item.alias = b.contains("alias") ? b["alias"].value("aliasname", fname) : fname;
    item.offset = *offset;
    std::string col = item.alias;
    if (b.contains("alias") && b["alias"].contains("colnames")) col = NameList(b["alias"]["colnames"])[0];
    item.columns = {col};
    item.types = {type};
    f->alias = item.alias;
    f->width = 1;
    *offset += 1;
    scope->items.push_back(std::move(item));
  };
  Scope empty;
  empty.parent = scope->parent;
  ExprContext ctx{&empty, nullptr, "functions in FROM"};
  std::vector<ExprPtr> args;
  for (const auto& a : (*fb)["args"]) {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(a, ctx));
    args.push_back(x);
  }
  if (name == "unnest") {
    if (args.size() != 1) return Unsupported("unnest of several arrays", pos);
    if (!types::IsArrayType(args[0]->type.id)) {
      if (args[0]->type.id == TypeId::kUnknown) {
        return SqlError("42725", "function unnest(unknown) is not unique",
                        {.hint = "Could not choose a best candidate function. You might need to add explicit type casts.",
                         .position = pos});
      }
      return SqlError("42883", "function unnest(" + types::FormatType(args[0]->type) + ") does not exist",
                      {.position = pos});
    }
    Type elem(types::ArrayElementType(args[0]->type.id), args[0]->type.typmod);
    f->func_type = args[0]->type;
    f->func_args = std::move(args);
    add_column(name, elem);
    return f;
  }
  if (args.size() < 2 || args.size() > 3) {
    return SqlError("42883", "function generate_series with " + std::to_string(args.size()) + " arguments does not exist",
                    {.position = pos});
  }
  // PostgreSQL's variants: integer, bigint, numeric (start, stop[, step]) and timestamp,
  // timestamptz (start, stop, interval step); unknown literals and dates resolve as there.
  TypeId t = TypeId::kInt4;
  bool datetime = false, plain_timestamp = false, zoned = false;
  for (const auto& a : args) {
    switch (a->type.id) {
      case TypeId::kInt2: case TypeId::kInt4: case TypeId::kUnknown: break;
      case TypeId::kInt8: if (t == TypeId::kInt4) t = TypeId::kInt8; break;
      case TypeId::kNumeric: t = TypeId::kNumeric; break;
      case TypeId::kTimestamp: datetime = plain_timestamp = true; break;
      case TypeId::kTimestampTz: case TypeId::kDate: datetime = zoned = true; break;
      case TypeId::kInterval: datetime = true; break;
      default: return Unsupported("generate_series over " + types::FormatType(a->type), pos);
    }
  }
  auto signature = [&] {
    std::string sig;
    for (size_t i = 0; i < args.size(); ++i) sig += (i ? ", " : "") + types::FormatType(args[i]->type);
    return sig;
  };
  if (std::all_of(args.begin(), args.end(), [](const ExprPtr& a) { return a->type.id == TypeId::kUnknown; })) {
    return SqlError("42725", "function generate_series(" + signature() + ") is not unique",
                    {.hint = "Could not choose a best candidate function. You might need to add explicit type casts.",
                     .position = pos});
  }
  const bool numeric_arg = std::any_of(args.begin(), args.end(), [](const ExprPtr& a) {
    return a->type.id == TypeId::kInt2 || a->type.id == TypeId::kInt4 || a->type.id == TypeId::kInt8 ||
           a->type.id == TypeId::kNumeric;
  });
  std::vector<Type> want(args.size(), Type(t));
  if (datetime) {
    t = plain_timestamp && !zoned ? TypeId::kTimestamp : TypeId::kTimestampTz;
    if (args.size() != 3 || numeric_arg ||
        (args[2]->type.id != TypeId::kInterval && args[2]->type.id != TypeId::kUnknown)) {
      return SqlError("42883", "function generate_series(" + signature() + ") does not exist",
                      {.hint = "No function matches the given name and argument types. You might need to add "
                               "explicit type casts.",
                       .position = pos});
    }
    want = {Type(t), Type(t), Type(TypeId::kInterval)};
  }
  for (size_t i = 0; i < args.size(); ++i) {
    NORDLYS_ASSIGN_OR_RETURN(args[i], Coerce(args[i], want[i], types::CastContext::kImplicit, "", pos));
  }
  f->func_args = std::move(args);
  f->func_type = Type(t);
  add_column(name, Type(t));
  return f;
}

Result<std::unique_ptr<BoundSelect>> Binder::BindSimpleSelect(const Json& s, Scope* outer) {
  auto q = std::make_unique<BoundSelect>();
  Scope scope;
  scope.parent = outer;
  if (s.contains("intoClause")) return Unsupported("SELECT INTO");
  // WINDOW clause: names must be unique; each definition is checked (its references to
  // earlier windows) when a call uses it.
  WindowTarget windows{q.get(), s.contains("windowClause") ? &s["windowClause"] : nullptr};
  if (windows.window_clause != nullptr) {
    const Json& wc = *windows.window_clause;
    for (size_t i = 0; i < wc.size(); ++i) {
      const Json& d = NodeOf(wc[i]).second->is_object() ? *NodeOf(wc[i]).second : wc[i];
      for (size_t j = 0; j < i; ++j) {
        if ((*NodeOf(wc[j]).second).value("name", "") == d.value("name", "")) {
          return SqlError("42P20", "window \"" + d.value("name", "") + "\" is already defined",
                          {.position = Position(wc[i])});
        }
      }
    }
  }
  LockRequest lock;
  if (s.contains("lockingClause")) {
    for (const auto& lc : s["lockingClause"]) {
      const Json& c = lc["LockingClause"];
      std::string strength = c.value("strength", "");
      bool exclusive = strength == "LCS_FORUPDATE" || strength == "LCS_FORNOKEYUPDATE";
      if (c.value("waitPolicy", "LockWaitBlock") != "LockWaitBlock") {
        return Unsupported(c.value("waitPolicy", "") == "LockWaitSkip" ? "SKIP LOCKED" : "NOWAIT");
      }
      if (!c.contains("lockedRels")) {
        lock.all = true;
        lock.all_exclusive = lock.all_exclusive || exclusive;
        continue;
      }
      for (const auto& r : c["lockedRels"]) {
        lock.names.push_back(r["RangeVar"].value("relname", ""));
        lock.exclusive.push_back(exclusive);
        lock.used.push_back(false);
      }
    }
    lock.scope = &scope;
    locking_ = &lock;
  }
  if (s.contains("distinctClause")) {
    const Json& d = s["distinctClause"];
    if (!(d.size() == 1 && d[0].empty())) return Unsupported("DISTINCT ON");
    q->distinct = true;
  }
  // FROM: a comma list is a chain of cross joins.
  int offset = 0;
  if (s.contains("fromClause")) {
    for (const auto& item : s["fromClause"]) {
      NORDLYS_ASSIGN_OR_RETURN(auto f, BindFromItem(item, &scope, &offset));
      if (!q->from) {
        q->from = std::move(f);
      } else {
        auto j = std::make_unique<BoundFrom>();
        j->kind = BoundFrom::Kind::kJoin;
        j->join_type = BoundFrom::JoinType::kCross;
        j->offset = q->from->offset;
        j->width = q->from->width + f->width;
        j->left = std::move(q->from);
        j->right = std::move(f);
        q->from = std::move(j);
      }
    }
  }
  q->from_width = offset;
  if (locking_ == &lock) {
    locking_ = nullptr;
    for (size_t i = 0; i < lock.names.size(); ++i) {
      if (!lock.used[i]) {
        return SqlError("42P01", "relation \"" + lock.names[i] + "\" in FOR UPDATE clause not found in FROM clause");
      }
    }
    CollectRowLocks(q->from.get(), &q->row_locks);
  }
  if (s.contains("whereClause")) {
    ExprContext ctx{&scope, nullptr, "WHERE"};
    NORDLYS_ASSIGN_OR_RETURN(q->where, BindCondition(s["whereClause"], ctx, "WHERE"));
  }
  // Target list, with * expanded.
  std::vector<const Json*> target_nodes;  // per visible target: its value node (for GROUP BY n)
  ExprContext tctx{&scope, &q->aggs, "SELECT", &windows};
  if (s.contains("targetList")) {
    for (const auto& t : s["targetList"]) {
      const Json& rt = t["ResTarget"];
      const Json& val = rt["val"];
      auto [vk, vb] = NodeOf(val);
      bool star = false;
      std::string qual;
      if (vk == "ColumnRef") {
        const Json& fields = (*vb)["fields"];
        if (!fields.empty() && fields.back().contains("A_Star")) {
          star = true;
          if (fields.size() == 2) qual = StrVal(fields[0]);
        }
      }
      if (star) {
        bool any = false;
        Binder::ViewRecording::Star* star_record = nullptr;
        if (recording_ != nullptr) {
          const Json* list = &s["targetList"];
          size_t index = static_cast<size_t>(&t - &(*list)[0]);
          bool seen = false;  // a CTE's query is bound once per reference
          for (const auto& st : recording_->stars) seen = seen || (st.target_list == list && st.index == index);
          if (!seen) {
            recording_->stars.push_back({list, index, {}});
            star_record = &recording_->stars.back();
          }
        }
        auto add = [&](const ScopeItem& item, size_t c) {
          RecordColumn(item.table_oid, static_cast<int>(c));
          if (star_record != nullptr) {
            Json fields = Json::array({Json{{"String", {{"sval", item.alias}}}}, Json{{"String", {{"sval", item.columns[c]}}}}});
            star_record->targets.push_back({{"ResTarget", {{"name", item.columns[c]}, {"val", {{"ColumnRef", {{"fields", fields}}}}}}}});
          }
          q->targets.push_back(MakeColumn(item.offset + static_cast<int>(c), item.types[c],
                                          item.alias + "." + item.columns[c]));
          q->names.push_back(item.columns[c]);
          q->origins.push_back({item.table_oid, static_cast<int16_t>(item.table_oid ? c + 1 : 0)});
          target_nodes.push_back(nullptr);
        };
        auto is_merged = [&](size_t i, size_t c) {
          return std::find(scope.merged.begin(), scope.merged.end(), std::make_pair(i, c)) != scope.merged.end();
        };
        if (qual.empty() && scope.using_joins > 1) {
          return Unsupported("SELECT * over more than one JOIN ... USING or NATURAL JOIN", Position(val));
        }
        if (qual.empty()) {
          for (const auto& [i, c] : scope.merged) add(scope.items[i], c);
        }
        for (size_t i = 0; i < scope.items.size(); ++i) {
          const ScopeItem& item = scope.items[i];
          if (!qual.empty() && item.alias != qual) continue;
          any = true;
          for (size_t c = 0; c < item.columns.size(); ++c) {
            if ((qual.empty() && (item.Hidden(c) || is_merged(i, c))) || item.columns[c].empty()) continue;
            add(item, c);
          }
        }
        if (!qual.empty() && !any) {
          return SqlError("42P01", "missing FROM-clause entry for table \"" + qual + "\"",
                          {.position = Position(val)});
        }
        if (qual.empty() && scope.items.empty()) {
          return SqlError("42601", "SELECT * with no tables specified is not valid", {.position = Position(val)});
        }
        continue;
      }
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(val, tctx));
      q->targets.push_back(e);
      q->names.push_back(rt.contains("name") ? rt["name"].get<std::string>() : FigureColname(val));
      ColumnOrigin origin;
      if (e->kind == ExprKind::kColumn) {
        for (const auto& item : scope.items) {
          if (item.table_oid != 0 && e->index >= item.offset &&
              e->index < item.offset + static_cast<int>(item.columns.size())) {
            origin = {item.table_oid, static_cast<int16_t>(e->index - item.offset + 1)};
          }
        }
      }
      q->origins.push_back(origin);
      target_nodes.push_back(&val);
    }
  }
  q->visible = q->targets.size();
  // GROUP BY: input expressions, output column numbers or output names.
  if (s.contains("groupClause")) {
    ExprContext gctx{&scope, nullptr, "GROUP BY"};
    for (const auto& g : s["groupClause"]) {
      int64_t n;
      const Json* node = &g;
      if (IsIntConst(g, &n)) {
        if (n < 1 || n > static_cast<int64_t>(q->visible)) {
          return SqlError("42P10", "GROUP BY position " + std::to_string(n) + " is not in select list",
                          {.position = Position(g)});
        }
        if (target_nodes[n - 1] == nullptr) {
          q->group_by.push_back(q->targets[n - 1]);
          continue;
        }
        node = target_nodes[n - 1];
      } else if (NodeOf(g).first == "GroupingSet") {
        return Unsupported("GROUPING SETS");
      }
      auto e = BindExpr(*node, gctx);
      if (!e.ok() && e.status().sqlstate() == "42703" && NodeOf(g).first == "ColumnRef") {
        // An output column name.
        const Json& fields = NodeOf(g).second->at("fields");
        std::string name = fields.size() == 1 ? StrVal(fields[0]) : "";
        bool matched = false;
        for (size_t i = 0; i < q->visible && !name.empty(); ++i) {
          if (q->names[i] == name && target_nodes[i] != nullptr) {
            NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(*target_nodes[i], gctx));
            q->group_by.push_back(x);
            matched = true;
            break;
          }
        }
        if (matched) continue;
      }
      if (!e.ok()) return e.status();
      q->group_by.push_back(*e);
    }
  }
  if (s.contains("havingClause")) {
    ExprContext hctx{&scope, &q->aggs, "HAVING"};
    NORDLYS_ASSIGN_OR_RETURN(q->having, BindCondition(s["havingClause"], hctx, "HAVING"));
  }
  NORDLYS_RETURN_IF_ERROR(BindSortLimit(s, q.get(), &scope, &windows));
  // Every WINDOW clause entry is checked as PostgreSQL does, used or not (into a scratch query:
  // an unused window adds no sort).
  if (windows.window_clause != nullptr) {
    BoundSelect scratch;
    WindowTarget unused{&scratch, windows.window_clause};
    ExprContext vctx{&scope, &scratch.aggs, "SELECT", &unused};
    for (const auto& entry : *windows.window_clause) {
      const Json& d = NodeOf(entry).second->is_object() ? *NodeOf(entry).second : entry;
      Json over = {{"name", d.value("name", "")}};
      NORDLYS_RETURN_IF_ERROR(BindWindowSpec(over, vctx, Position(entry)).status());
    }
  }
  NORDLYS_RETURN_IF_ERROR(FinishAggregation(q.get()));
  NORDLYS_RETURN_IF_ERROR(FinishWindows(q.get()));
  for (auto& t : q->targets) t = ResolveUnknown(t);
  if (s.contains("lockingClause")) {
    const char* with = q->distinct ? "DISTINCT clause" : !q->group_by.empty() ? "GROUP BY clause"
                       : q->having ? "HAVING clause" : q->aggregated ? "aggregate functions"
                       : !q->windows.empty() ? "window functions" : nullptr;
    if (with != nullptr) {
      return SqlError("0A000", LockingClauseName(s) + " is not allowed with " + with);
    }
    // The FROM row rides along after every other target (see BoundSelect::row_locks).
    q->lock_from_start = q->targets.size();
    std::vector<Type> from_types(q->from_width, Type(TypeId::kInt8));  // Tids stay int8
    for (const auto& item : scope.items) {
      for (size_t c = 0; c < item.types.size(); ++c) from_types[item.offset + c] = item.types[c];
    }
    for (int i = 0; i < q->from_width; ++i) q->targets.push_back(MakeColumn(i, from_types[i], ""));
  }
  q->correlated = scope.correlated;
  return q;
}

Status Binder::BindSortLimit(const Json& s, BoundSelect* q, Scope* scope, WindowTarget* windows) {
  if (s.contains("sortClause")) {
    ExprContext octx{scope, &q->aggs, "ORDER BY", windows};
    for (const auto& item : s["sortClause"]) {
      const Json& sb = item["SortBy"];
      SortKey key;
      NORDLYS_RETURN_IF_ERROR(SortDirection(sb, &key));
      const Json& node = sb["node"];
      int target = -1;
      int64_t n;
      if (IsIntConst(node, &n)) {
        if (n < 1 || n > static_cast<int64_t>(q->visible)) {
          return SqlError("42P10", "ORDER BY position " + std::to_string(n) + " is not in select list",
                          {.position = Position(node)});
        }
        target = static_cast<int>(n - 1);
      } else if (NodeOf(node).first == "ColumnRef") {
        const Json& fields = NodeOf(node).second->at("fields");
        if (fields.size() == 1 && fields[0].contains("String")) {
          std::string name = StrVal(fields[0]);
          for (size_t i = 0; i < q->visible; ++i) {
            if (q->names[i] != name) continue;
            if (target >= 0) {
              return SqlError("42702", "ORDER BY \"" + name + "\" is ambiguous", {.position = Position(node)});
            }
            target = static_cast<int>(i);
          }
        }
      }
      if (target < 0) {
        if (scope == nullptr) {
          return SqlError("0A000", "ORDER BY on a UNION/INTERSECT/EXCEPT result must be on one of the result columns",
                          {.position = Position(node)});
        }
        NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(node, octx));
        e = ResolveUnknown(e);
        std::string fp = Fingerprint(*e);
        for (size_t i = 0; i < q->targets.size(); ++i) {
          if (Fingerprint(*q->targets[i]) == fp) {
            target = static_cast<int>(i);
            break;
          }
        }
        if (target < 0) {
          if (q->distinct) {
            return SqlError("42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                            {.position = Position(node)});
          }
          q->targets.push_back(e);
          q->names.push_back("?sort?");
          q->origins.push_back({});
          target = static_cast<int>(q->targets.size() - 1);
        }
      }
      key.expr = MakeColumn(target, Type(TypeId::kUnknown), "");
      q->order_by.push_back(key);
    }
  }
  ExprContext lctx{nullptr, nullptr, "LIMIT"};
  Scope empty;
  empty.parent = scope != nullptr ? scope->parent : nullptr;
  lctx.scope = &empty;
  if (s.contains("limitCount")) {
    lctx.clause = "LIMIT";
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(s["limitCount"], lctx));
    NORDLYS_ASSIGN_OR_RETURN(q->limit, Coerce(e, Type(TypeId::kInt8), types::CastContext::kImplicit, "", Position(s["limitCount"])));
  }
  if (s.contains("limitOffset")) {
    lctx.clause = "OFFSET";
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(s["limitOffset"], lctx));
    NORDLYS_ASSIGN_OR_RETURN(q->offset, Coerce(e, Type(TypeId::kInt8), types::CastContext::kImplicit, "", Position(s["limitOffset"])));
  }
  if (s.value("limitOption", "") == "LIMIT_OPTION_WITH_TIES") return Unsupported("FETCH ... WITH TIES");
  return Status::OK();
}

Status Binder::FinishAggregation(BoundSelect* q) {
  q->aggregated = !q->group_by.empty() || !q->aggs.empty() || q->having != nullptr;
  if (!q->aggregated) return Status::OK();
  std::vector<std::string> group_fps;
  for (auto& g : q->group_by) {
    g = ResolveUnknown(g);
    group_fps.push_back(Fingerprint(*g));
  }
  int ngroups = static_cast<int>(q->group_by.size());
  // Rewrites an expression over the FROM row into one over [groups, aggregates].
  std::function<Result<ExprPtr>(const ExprPtr&)> rewrite = [&](const ExprPtr& e) -> Result<ExprPtr> {
    std::string fp = Fingerprint(*e);
    for (int i = 0; i < ngroups; ++i) {
      if (group_fps[i] == fp) return MakeColumn(i, q->group_by[i]->type, e->name.empty() ? e->ToString() : e->name);
    }
    if (e->kind == ExprKind::kAggRef) {
      return MakeColumn(ngroups + e->index, e->type, "agg");
    }
    if (e->kind == ExprKind::kColumn) {
      return SqlError("42803", "column \"" + e->name + "\" must appear in the GROUP BY clause or be used in an aggregate function",
                      {.position = e->location});
    }
    if (e->kind == ExprKind::kSubquery && e->subquery->correlated) {
      return Unsupported("correlated subqueries in an aggregated query's output", e->location);
    }
    auto c = std::make_shared<Expr>(*e);
    for (auto& a : c->args) {
      if (a) {
        NORDLYS_ASSIGN_OR_RETURN(a, rewrite(a));
      }
    }
    return ExprPtr(c);
  };
  for (auto& t : q->targets) {
    NORDLYS_ASSIGN_OR_RETURN(t, rewrite(t));
  }
  // Window functions run over the aggregated rows: their arguments and windows too.
  for (auto& w : q->windows) {
    for (auto& a : w.args) {
      NORDLYS_ASSIGN_OR_RETURN(a, rewrite(a));
    }
    for (auto& a : w.agg.args) {
      NORDLYS_ASSIGN_OR_RETURN(a, rewrite(a));
    }
    if (w.agg.filter) {
      NORDLYS_ASSIGN_OR_RETURN(w.agg.filter, rewrite(w.agg.filter));
    }
  }
  for (auto& spec : q->window_specs) {
    for (auto& p : spec.partition_by) {
      NORDLYS_ASSIGN_OR_RETURN(p, rewrite(p));
    }
    for (auto& k : spec.order_by) {
      NORDLYS_ASSIGN_OR_RETURN(k.expr, rewrite(k.expr));
    }
  }
  if (q->having) {
    NORDLYS_ASSIGN_OR_RETURN(q->having, rewrite(q->having));
  }
  return Status::OK();
}

Result<std::unique_ptr<BoundSelect>> Binder::BindValues(const Json& s, Scope* outer) {
  auto q = std::make_unique<BoundSelect>();
  Scope scope;
  scope.parent = outer;
  ExprContext ctx{&scope, nullptr, "VALUES"};
  size_t width = 0;
  for (const auto& row : s["valuesLists"]) {
    const Json& items = row["List"]["items"];
    std::vector<ExprPtr> exprs;
    for (const auto& item : items) {
      if (NodeOf(item).first == "SetToDefault") {
        return SqlError("42601", "DEFAULT is not allowed in this context", {.position = Position(item)});
      }
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(item, ctx));
      exprs.push_back(e);
    }
    if (!q->values.empty() && exprs.size() != width) {
      return SqlError("42601", "VALUES lists must all be the same length", {.position = Position(items[0])});
    }
    width = exprs.size();
    q->values.push_back(std::move(exprs));
  }
  for (size_t c = 0; c < width; ++c) {
    std::vector<ExprPtr> col;
    for (const auto& r : q->values) col.push_back(r[c]);
    NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType(col, "VALUES", 0));
    for (auto& r : q->values) {
      NORDLYS_ASSIGN_OR_RETURN(r[c], Coerce(r[c], t, types::CastContext::kImplicit, "", r[c]->location));
    }
    q->names.push_back("column" + std::to_string(c + 1));
    q->origins.push_back({});
  }
  q->visible = width;
  q->correlated = scope.correlated;
  // ORDER BY / LIMIT on VALUES: over its own columns.
  if (s.contains("sortClause") || s.contains("limitCount") || s.contains("limitOffset")) {
    for (size_t c = 0; c < width; ++c) q->targets.push_back(MakeColumn(static_cast<int>(c), q->values[0][c]->type, q->names[c]));
    NORDLYS_RETURN_IF_ERROR(BindSortLimit(s, q.get(), nullptr));
    q->targets.clear();
  }
  return q;
}

Result<std::unique_ptr<BoundSelect>> Binder::BindSetOp(const Json& s, Scope* outer) {
  auto q = std::make_unique<BoundSelect>();
  std::string op = s.value("op", "");
  q->set_op = op == "SETOP_UNION" ? BoundSelect::SetOp::kUnion
              : op == "SETOP_INTERSECT" ? BoundSelect::SetOp::kIntersect : BoundSelect::SetOp::kExcept;
  const char* opname = op == "SETOP_UNION" ? "UNION" : op == "SETOP_INTERSECT" ? "INTERSECT" : "EXCEPT";
  q->set_all = s.value("all", false);
  NORDLYS_ASSIGN_OR_RETURN(q->larg, BindQuery(s["larg"], outer));
  NORDLYS_ASSIGN_OR_RETURN(q->rarg, BindQuery(s["rarg"], outer));
  q->correlated = q->larg->correlated || q->rarg->correlated;
  auto lt = q->larg->OutputTypes();
  auto rt = q->rarg->OutputTypes();
  if (lt.size() != rt.size()) {
    return SqlError("42601", std::string("each ") + opname + " query must have the same number of columns",
                    {.position = Position(s["rarg"])});
  }
  // Unify column types; insert casts on the side that needs one.
  for (size_t c = 0; c < lt.size(); ++c) {
    auto le = MakeConst(Value(), lt[c]);
    auto re = MakeConst(Value(), rt[c]);
    NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType({le, re}, opname, 0));
    for (BoundSelect* side : {q->larg.get(), q->rarg.get()}) {
      Type have = side->OutputTypes()[c];
      if (have.id == t.id && (have.typmod == t.typmod || t.typmod < 0)) continue;
      if (side->set_op != BoundSelect::SetOp::kNone) {
        return Unsupported("nested set operations with differing column types");
      }
      if (!side->values.empty()) {
        for (auto& r : side->values) {
          NORDLYS_ASSIGN_OR_RETURN(r[c], Coerce(r[c], t, types::CastContext::kImplicit, "", 0));
        }
      } else {
        NORDLYS_ASSIGN_OR_RETURN(side->targets[c], Coerce(side->targets[c], t, types::CastContext::kImplicit, "", 0));
      }
    }
  }
  const BoundSelect* first = q->larg.get();
  while (first->set_op != BoundSelect::SetOp::kNone) first = first->larg.get();
  q->names.assign(first->names.begin(), first->names.begin() + first->visible);
  q->origins.assign(q->names.size(), ColumnOrigin{});
  q->visible = q->names.size();
  auto types = q->OutputTypes();
  for (size_t c = 0; c < q->visible; ++c) q->targets.push_back(MakeColumn(static_cast<int>(c), types[c], q->names[c]));
  NORDLYS_RETURN_IF_ERROR(BindSortLimit(s, q.get(), nullptr));
  q->targets.clear();
  return q;
}

}  // namespace nordlys::engine::sql
