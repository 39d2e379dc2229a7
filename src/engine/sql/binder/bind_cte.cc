// Common table expressions: a reference to a WITH query binds its query again, as a FROM
// subquery (CTEs are inlined, never materialized once). WITH RECURSIVE: a CTE whose query names
// itself must be `non-recursive term UNION [ALL] recursive term`; it binds to a recursive union
// whose recursive term reads a working table (BoundFrom::kWorkTable), with PostgreSQL's 42P19
// checks on where the self-reference may appear (parse_cte.c's checkWellFormedRecursion) and
// its rule that the non-recursive term fixes the column types.
#include <algorithm>

#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

// Does the tree name relation `name` without a schema anywhere (subqueries included)?
bool ReferencesRelation(const Json& node, const std::string& name) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "RangeVar" && it.value().is_object() && !it.value().contains("schemaname") &&
          it.value().value("relname", "") == name) {
        return true;
      }
      if (ReferencesRelation(it.value(), name)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& x : node) {
      if (ReferencesRelation(x, name)) return true;
    }
  }
  return false;
}

Status RecursionError(const std::string& name, const std::string& where, int pos) {
  return SqlError("42P19", "recursive reference to query \"" + name + "\" must not appear within " + where,
                  {.position = pos});
}

}  // namespace

Result<std::unique_ptr<BoundFrom>> Binder::BindCteReference(size_t index, const Json& b, Scope* scope, int* offset) {
  const Cte cte = ctes_[index];
  const std::string alias = b.contains("alias") ? b["alias"].value("aliasname", cte.name) : cte.name;
  const Json* ref_cols = b.contains("alias") && b["alias"].contains("colnames") ? &b["alias"]["colnames"] : nullptr;
  if (cte.nonrecursive_term) return RecursionError(cte.name, "its non-recursive term", Position(b));
  if (!cte.work && std::find(ctes_expanding_.begin(), ctes_expanding_.end(), cte.query) != ctes_expanding_.end()) {
    return SqlError("0A000", "mutual recursion between WITH items is not implemented", {.position = Position(b)});
  }
  // The CTE's own query sees the CTEs defined before it; in a RECURSIVE list, all of the list.
  Result<std::unique_ptr<BoundFrom>> r = Status::Internal("unset");
  if (cte.work) {
    r = BindWorkTableRef(cte, b, scope, offset);
  } else {
    std::vector<Cte> saved = ctes_;
    ctes_.resize(cte.recursive ? cte.list_end : index);
    ctes_expanding_.push_back(cte.query);
    if (cte.recursive && ReferencesRelation(*cte.query, cte.name)) {
      r = BindRecursiveCte(cte, alias, ref_cols, scope, offset);
    } else {
      r = BindSubqueryItem(*cte.query, cte.name, cte.colnames, scope, offset, "WITH query");
    }
    ctes_expanding_.pop_back();
    ctes_ = std::move(saved);
  }
  if (!r.ok()) return r;
  // The reference's own alias and column aliases.
  ScopeItem& item = scope->items.back();
  item.alias = alias;
  (*r)->alias = alias;
  if (ref_cols != nullptr) {
    auto cols = NameList(*ref_cols);
    if (cols.size() > item.columns.size()) {
      return SqlError("42P10", "table \"" + alias + "\" has " + std::to_string(item.columns.size()) +
                                   " columns available but " + std::to_string(cols.size()) + " columns specified");
    }
    for (size_t i = 0; i < cols.size(); ++i) item.columns[i] = cols[i];
  }
  for (size_t i = 0; i + 1 < scope->items.size(); ++i) {
    if (scope->items[i].alias == alias) {
      return SqlError("42712", "table name \"" + alias + "\" specified more than once", {.position = Position(b)});
    }
  }
  return r;
}

Result<std::unique_ptr<BoundFrom>> Binder::BindRecursiveCte(const Cte& cte, const std::string& alias,
                                                            const Json* ref_cols, Scope* scope, int* offset) {
  const std::string& name = cte.name;
  const Json& q = *NodeOf(*cte.query).second;
  const int pos = Position(*cte.node);
  if (q.value("op", "SETOP_NONE") != "SETOP_UNION") {
    return SqlError("42P19", "recursive query \"" + name +
                                 "\" does not have the form non-recursive-term UNION [ALL] recursive-term",
                    {.position = pos});
  }
  const Json& larg = q["larg"];
  const Json& rarg = q["rarg"];
  if (ReferencesRelation(larg, name)) return RecursionError(name, "its non-recursive term", pos);
  if (q.contains("sortClause")) return SqlError("0A000", "ORDER BY in a recursive query is not implemented", {.position = pos});
  if (q.contains("limitOffset")) return SqlError("0A000", "OFFSET in a recursive query is not implemented", {.position = pos});
  if (q.contains("limitCount")) return SqlError("0A000", "LIMIT in a recursive query is not implemented", {.position = pos});
  if (q.contains("lockingClause")) {
    return SqlError("0A000", "FOR UPDATE/SHARE in a recursive query is not implemented", {.position = pos});
  }
  if (q.contains("withClause")) return Unsupported("WITH attached to a recursive query's UNION", pos);
  const Json& rb = *NodeOf(rarg).second;
  const std::string rop = rb.value("op", "SETOP_NONE");
  if (rop != "SETOP_NONE") {
    const bool all = rb.value("all", false);
    if (rop == "SETOP_INTERSECT" && all) return RecursionError(name, "INTERSECT", pos);
    if (rop == "SETOP_EXCEPT" && (ReferencesRelation(rb["rarg"], name) || (all && ReferencesRelation(rb["larg"], name)))) {
      return RecursionError(name, "EXCEPT", pos);
    }
    return Unsupported("UNION, INTERSECT or EXCEPT inside the recursive term of a recursive query", pos);
  }

  // The non-recursive term fixes the names and types; a reference to the CTE there is an error.
  Cte marker;
  marker.name = name;
  marker.nonrecursive_term = true;
  ctes_.push_back(marker);
  auto lq = BindQuery(larg, scope->parent);
  ctes_.pop_back();
  NORDLYS_ASSIGN_OR_RETURN(auto left, std::move(lq));
  std::vector<std::string> names = left->OutputNames();
  std::vector<Type> types = left->OutputTypes();
  for (size_t c = 0; c < types.size(); ++c) {
    if (types[c].id != TypeId::kUnknown) continue;
    types[c] = Type(TypeId::kText);
    if (left->set_op != BoundSelect::SetOp::kNone) return Unsupported("untyped literals in a recursive query's non-recursive term", pos);
    if (!left->values.empty()) {
      for (auto& row : left->values) {
        NORDLYS_ASSIGN_OR_RETURN(row[c], Coerce(row[c], types[c], types::CastContext::kImplicit, "", pos));
      }
    } else {
      NORDLYS_ASSIGN_OR_RETURN(left->targets[c], Coerce(left->targets[c], types[c], types::CastContext::kImplicit, "", pos));
    }
  }
  if (cte.colnames != nullptr) {
    auto cols = NameList(*cte.colnames);
    if (cols.size() > names.size()) {
      return SqlError("42P10", "WITH query \"" + name + "\" has " + std::to_string(names.size()) +
                                   " columns available but " + std::to_string(cols.size()) + " columns specified",
                      {.position = pos});
    }
    for (size_t i = 0; i < cols.size(); ++i) names[i] = cols[i];
  }

  // The recursive term reads the working table where it names the CTE.
  auto work = std::make_shared<WorkTable>();
  Cte w;
  w.name = name;
  w.work = work;
  w.work_columns = names;
  w.work_types = types;
  w.work_depth = sublink_depth_;
  w.work_nullable_depth = nullable_depth_;
  w.work_refs = std::make_shared<int>(0);
  ctes_.push_back(w);
  auto rq = BindQuery(rarg, scope->parent);
  ctes_.pop_back();
  NORDLYS_ASSIGN_OR_RETURN(auto right, std::move(rq));
  if (!right->aggs.empty()) {
    return SqlError("42P19", "aggregate functions are not allowed in a recursive query's recursive term",
                    {.position = pos});
  }
  auto rt = right->OutputTypes();
  if (rt.size() != types.size()) {
    return SqlError("42601", "each UNION query must have the same number of columns", {.position = Position(rarg)});
  }
  for (size_t c = 0; c < types.size(); ++c) {
    NORDLYS_ASSIGN_OR_RETURN(Type common, CommonType({MakeConst(Value(), types[c]), MakeConst(Value(), rt[c])}, "UNION", 0));
    // PostgreSQL's select_common_typmod: kept only when every input has the common type and
    // the same typmod.
    int32_t typmod = types[c].id == common.id && rt[c].id == common.id && types[c].typmod == rt[c].typmod
                         ? types[c].typmod : -1;
    Type overall(common.id, typmod);
    if (overall.id != types[c].id || overall.typmod != types[c].typmod) {
      return SqlError("42804", "recursive query \"" + name + "\" column " + std::to_string(c + 1) + " has type " +
                                   types::FormatType(types[c]) + " in non-recursive term but type " +
                                   types::FormatType(overall) + " overall",
                      {.hint = "Cast the output of the non-recursive term to the correct type.", .position = pos});
    }
    if (rt[c].id == types[c].id && (rt[c].typmod == types[c].typmod || types[c].typmod < 0)) continue;
    if (!right->values.empty()) {
      for (auto& row : right->values) {
        NORDLYS_ASSIGN_OR_RETURN(row[c], Coerce(row[c], types[c], types::CastContext::kImplicit, "", 0));
      }
    } else {
      NORDLYS_ASSIGN_OR_RETURN(right->targets[c], Coerce(right->targets[c], types[c], types::CastContext::kImplicit, "", 0));
    }
  }

  auto rec = std::make_unique<BoundSelect>();
  rec->set_op = BoundSelect::SetOp::kRecursiveUnion;
  rec->set_all = q.value("all", false);
  rec->correlated = left->correlated || right->correlated;
  rec->larg = std::move(left);
  rec->rarg = std::move(right);
  rec->work = work;
  rec->names = names;
  rec->origins.assign(names.size(), ColumnOrigin{});
  rec->visible = names.size();

  auto f = std::make_unique<BoundFrom>();
  f->kind = BoundFrom::Kind::kSubquery;
  f->offset = *offset;
  if (rec->correlated) scope->correlated = true;
  f->subquery = std::move(rec);
  f->alias = alias;
  ScopeItem item;
  item.alias = alias;
  item.offset = *offset;
  item.columns = names;
  item.types = types;
  f->width = static_cast<int>(names.size());
  *offset += f->width;
  scope->items.push_back(std::move(item));
  (void)ref_cols;  // applied by BindCteReference
  return f;
}

Result<std::unique_ptr<BoundFrom>> Binder::BindWorkTableRef(const Cte& cte, const Json& b, Scope* scope, int* offset) {
  const int pos = Position(b);
  if (sublink_depth_ != cte.work_depth) return RecursionError(cte.name, "a subquery", pos);
  if (nullable_depth_ > cte.work_nullable_depth) return RecursionError(cte.name, "an outer join", pos);
  if (++*cte.work_refs > 1) {
    return SqlError("42P19", "recursive reference to query \"" + cte.name + "\" must not appear more than once",
                    {.position = pos});
  }
  if (locking_ != nullptr && locking_->scope == scope) {
    return SqlError("0A000", "FOR UPDATE/SHARE in a recursive query is not implemented", {.position = pos});
  }
  auto f = std::make_unique<BoundFrom>();
  f->kind = BoundFrom::Kind::kWorkTable;
  f->work = cte.work;
  f->offset = *offset;
  f->alias = cte.name;
  ScopeItem item;
  item.alias = cte.name;
  item.offset = *offset;
  item.columns = cte.work_columns;
  item.types = cte.work_types;
  f->width = static_cast<int>(item.columns.size());
  *offset += f->width;
  scope->items.push_back(std::move(item));
  return f;
}

}  // namespace nordlys::engine::sql
