// CREATE [OR REPLACE] VIEW, DROP VIEW, ALTER VIEW ... RENAME, and the dependency rules that
// DROP TABLE / DROP COLUMN / DROP SCHEMA / DROP VIEW follow for the views reading what they drop
// (2BP01 unless CASCADE, which drops those views too), as PostgreSQL's pg_depend does.
//
// A view is a catalog row (ViewDef): its query's parse tree with `*` expanded, its columns, and
// what it reads. It is bound once here, to check it and learn its columns, and again wherever a
// query reads it (binder/bind_view.cc).
#include <algorithm>
#include <set>

#include "engine/sql/errors.h"
#include "engine/sql/execution/statements.h"

namespace nordlys::engine::sql {

namespace {

void Notice(StmtEnv& env, const std::string& sqlstate, const std::string& msg) {
  env.out->Notice("NOTICE", sqlstate, msg);
}

// A relation's name as PostgreSQL's messages print it: qualified unless on the search path.
std::string QualifiedName(const CatalogSnapshot& snap, uint32_t ns, const std::string& name) {
  return ns == kPublicNamespace ? name : snap.SchemaName(ns) + "." + name;
}

bool ContainsParam(const Json& node) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "ParamRef") return true;
      if (ContainsParam(it.value())) return true;
    }
  } else if (node.is_array()) {
    for (const auto& x : node) {
      if (ContainsParam(x)) return true;
    }
  }
  return false;
}

int ParamNumber(const Json& node) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "ParamRef") return it.value().value("number", 0);
      if (int n = ParamNumber(it.value())) return n;
    }
  } else if (node.is_array()) {
    for (const auto& x : node) {
      if (int n = ParamNumber(x)) return n;
    }
  }
  return 0;
}

Result<std::string> CreateView(StmtEnv& env, const Json& s) {
  const CatalogSnapshot& snap = *env.ctx->snap;
  const Json& rv = s["view"];
  const std::string name = rv.value("relname", "");
  if (rv.value("relpersistence", "p") == "t") return Unsupported("temporary views");
  if (s.value("withCheckOption", "NO_CHECK_OPTION") != "NO_CHECK_OPTION") return Unsupported("WITH CHECK OPTION on views");
  if (s.contains("options") && !s["options"].empty()) return Unsupported("view options (WITH (...))");
  uint32_t ns = kPublicNamespace;
  if (rv.contains("schemaname")) {
    ns = snap.SchemaOid(rv.value("schemaname", ""));
    if (ns == 0) return SqlError("3F000", "schema \"" + rv.value("schemaname", "") + "\" does not exist");
  }
  const bool replace = s.value("replace", false);
  const ViewDef* old = snap.FindView(ns, name);
  if (old == nullptr && snap.RelationNameTaken(ns, name)) {
    if (replace) return SqlError("42809", "\"" + name + "\" is not a view");
    return SqlError("42P07", "relation \"" + name + "\" already exists");
  }
  if (old != nullptr && !replace) return SqlError("42P07", "relation \"" + name + "\" already exists");
  const Json& query = s["query"];
  if (ContainsParam(query)) {
    return SqlError("42P02", "there is no parameter $" + std::to_string(ParamNumber(query)));
  }
  // Bound as written first, so that errors carry their positions in this statement.
  std::vector<types::Type> no_params;
  {
    Binder binder(env.ctx->snap, env.ctx->session, env.sql, &no_params);
    NORDLYS_RETURN_IF_ERROR(binder.BindQuery(query, nullptr).status());
  }
  // Then in the stored form, recording what it reads and where `*` expanded.
  ViewDef v;
  v.query = NormalizeStoredExpr(query, env.sql);
  Binder::ViewRecording rec;
  Binder binder(env.ctx->snap, env.ctx->session, std::string_view(), &no_params);
  binder.set_recording(&rec);
  NORDLYS_ASSIGN_OR_RETURN(auto bound, binder.BindQuery(v.query, nullptr));
  Binder::ExpandStars(rec);
  std::vector<std::string> names = bound->OutputNames();
  std::vector<types::Type> types = bound->OutputTypes();
  if (types.empty()) return SqlError("42P16", "view must have at least one column");
  if (s.contains("aliases")) {
    auto aliases = NameList(s["aliases"]);
    if (aliases.size() > names.size()) return SqlError("42601", "CREATE VIEW specifies more column names than columns");
    for (size_t i = 0; i < aliases.size(); ++i) names[i] = aliases[i];
  }
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) return SqlError("42701", "column \"" + names[i] + "\" specified more than once");
    }
    if (types[i].id == types::TypeId::kUnknown) return Unsupported("view columns of type unknown");
    ColumnDef c;
    c.name = names[i];
    c.type = types[i];
    v.columns.push_back(std::move(c));
  }
  if (old != nullptr) {
    // PostgreSQL's rules for CREATE OR REPLACE VIEW: columns may only be added at the end.
    if (v.columns.size() < old->columns.size()) return SqlError("42P16", "cannot drop columns from view");
    for (size_t i = 0; i < old->columns.size(); ++i) {
      const ColumnDef& a = old->columns[i];
      const ColumnDef& b = v.columns[i];
      if (a.name != b.name) {
        return SqlError("42P16", "cannot change name of view column \"" + a.name + "\" to \"" + b.name + "\"",
                        {.hint = "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead."});
      }
      if (a.type.id != b.type.id || a.type.typmod != b.type.typmod) {
        return SqlError("42P16", "cannot change data type of view column \"" + a.name + "\" from " +
                                     types::FormatType(a.type) + " to " + types::FormatType(b.type));
      }
    }
  }
  v.oid = old != nullptr ? old->oid : env.ctx->catalog->NewOid();
  v.name = name;
  v.namespace_oid = ns;
  v.relations.assign(rec.relations.begin(), rec.relations.end());
  v.table_columns.assign(rec.table_columns.begin(), rec.table_columns.end());
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->PutView(env.ctx->txn, env.ctx->cat_state, v));
  return std::string("CREATE VIEW");
}

Result<std::string> DropViews(StmtEnv& env, const Json& s) {
  const CatalogSnapshot& snap = *env.ctx->snap;
  const bool missing_ok = s.value("missing_ok", false);
  const bool cascade = s.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE";
  std::vector<uint32_t> views;
  for (const auto& obj : s["objects"]) {
    auto names = NameList(obj["List"]["items"]);
    std::string name = names.back();
    uint32_t ns = 0;
    if (names.size() > 1) {
      ns = snap.SchemaOid(names[names.size() - 2]);
      if (ns == 0) {
        if (missing_ok) {
          Notice(env, "00000", "schema \"" + names[names.size() - 2] + "\" does not exist, skipping");
          continue;
        }
        return SqlError("3F000", "schema \"" + names[names.size() - 2] + "\" does not exist");
      }
    }
    std::string shown = names.size() > 1 ? names[names.size() - 2] + "." + name : name;
    if (const ViewDef* v = snap.FindView(ns, name)) {
      views.push_back(v->oid);
      continue;
    }
    const IndexDef* ix = nullptr;
    if (snap.FindTable(ns, name) != nullptr) {
      return SqlError("42809", "\"" + name + "\" is not a view", {.hint = "Use DROP TABLE to remove a table."});
    }
    if (snap.FindSequence(ns, name) != nullptr) {
      return SqlError("42809", "\"" + name + "\" is not a view", {.hint = "Use DROP SEQUENCE to remove a sequence."});
    }
    if (snap.FindIndex(ns, name, &ix) != nullptr) {
      return SqlError("42809", "\"" + name + "\" is not a view", {.hint = "Use DROP INDEX to remove an index."});
    }
    if (missing_ok) {
      Notice(env, "00000", "view \"" + shown + "\" does not exist, skipping");
      continue;
    }
    return SqlError("42P01", "view \"" + shown + "\" does not exist");
  }
  if (views.empty()) return std::string("DROP VIEW");
  auto deps = DependentViews(snap, views);
  NORDLYS_RETURN_IF_ERROR(DropDependentViews(env, RelationDescription(snap, views.front()), deps, cascade));
  for (uint32_t oid : views) {
    NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->DeleteObject(env.ctx->txn, env.ctx->cat_state, oid));
  }
  return std::string("DROP VIEW");
}

}  // namespace

std::string RelationDescription(const CatalogSnapshot& snap, uint32_t oid) {
  if (const ViewDef* v = snap.ViewByOid(oid)) return "view " + QualifiedName(snap, v->namespace_oid, v->name);
  if (const TableDef* t = snap.TableByOid(oid)) return "table " + QualifiedName(snap, t->namespace_oid, t->name);
  return "relation " + std::to_string(oid);
}

std::vector<ViewDependent> DependentViews(const CatalogSnapshot& snap, const std::vector<uint32_t>& relations,
                                          uint32_t column_table, int column) {
  std::set<uint32_t> gone(relations.begin(), relations.end());
  std::vector<ViewDependent> out;
  // Views reading what is dropped directly...
  for (const auto& [oid, v] : snap.views) {
    if (gone.count(oid)) continue;
    if (column >= 0) {
      if (!v->DependsOnColumn(column_table, column)) continue;
      const TableDef* t = snap.TableByOid(column_table);
      out.push_back({oid, RelationDescription(snap, oid) + " depends on column " + t->columns[column].name + " of " +
                              RelationDescription(snap, column_table)});
      continue;
    }
    for (uint32_t r : relations) {
      if (!v->DependsOn(r)) continue;
      out.push_back({oid, RelationDescription(snap, oid) + " depends on " + RelationDescription(snap, r)});
      break;
    }
  }
  // ...then the views reading those, and so on (a view's dependencies were created before it,
  // so this ends).
  for (size_t i = 0; i < out.size(); ++i) gone.insert(out[i].oid);
  for (size_t i = 0; i < out.size(); ++i) {
    for (const auto& [oid, v] : snap.views) {
      if (gone.count(oid) || !v->DependsOn(out[i].oid)) continue;
      gone.insert(oid);
      out.push_back({oid, RelationDescription(snap, oid) + " depends on " + RelationDescription(snap, out[i].oid)});
    }
  }
  return out;
}

Status DropDependentViews(StmtEnv& env, const std::string& object, const std::vector<ViewDependent>& deps,
                          bool cascade) {
  if (deps.empty()) return Status::OK();
  if (!cascade) {
    std::string detail;
    for (const auto& d : deps) detail += (detail.empty() ? "" : "\n") + d.detail;
    return SqlError("2BP01", "cannot drop " + object + " because other objects depend on it",
                    {.detail = detail, .hint = "Use DROP ... CASCADE to drop the dependent objects too."});
  }
  if (!env.describe && env.out != nullptr) {
    if (deps.size() == 1) {
      Notice(env, "00000", "drop cascades to " + RelationDescription(*env.ctx->snap, deps[0].oid));
    } else {
      Notice(env, "00000", "drop cascades to " + std::to_string(deps.size()) + " other objects");
    }
  }
  for (const auto& d : deps) {
    NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->DeleteObject(env.ctx->txn, env.ctx->cat_state, d.oid));
  }
  return Status::OK();
}

Result<std::string> RenameView(StmtEnv& env, const Json& s, const ViewDef& view) {
  const CatalogSnapshot& snap = *env.ctx->snap;
  ViewDef v = view;
  const std::string type = s.value("renameType", "");
  const std::string newname = s.value("newname", "");
  const char* tag = s.value("relationType", "") == "OBJECT_VIEW" || type == "OBJECT_VIEW" ? "ALTER VIEW" : "ALTER TABLE";
  if (type == "OBJECT_COLUMN") {
    const std::string old = s.value("subname", "");
    auto it = std::find_if(v.columns.begin(), v.columns.end(), [&](const ColumnDef& c) { return c.name == old; });
    if (it == v.columns.end()) {
      return SqlError("42703", "column \"" + old + "\" does not exist");
    }
    for (const auto& c : v.columns) {
      if (c.name == newname) {
        return SqlError("42701", "column \"" + newname + "\" of relation \"" + v.name + "\" already exists");
      }
    }
    // Views reading this one name its columns in their stored trees.
    if (!DependentViews(snap, {v.oid}).empty()) return Unsupported("renaming a column of a view other views read");
    it->name = newname;
  } else {
    if (snap.RelationNameTaken(v.namespace_oid, newname)) {
      return SqlError("42P07", "relation \"" + newname + "\" already exists");
    }
    v.name = newname;  // views reading it name it by oid too
  }
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->PutView(env.ctx->txn, env.ctx->cat_state, v));
  return std::string(tag);
}

Result<std::string> ExecViewDdl(const std::string& kind, const Json& s, StmtEnv& env) {
  return RunCatalogChange(env, [&]() -> Result<std::string> {
    if (kind == "ViewStmt") return CreateView(env, s);
    return DropViews(env, s);
  });
}

}  // namespace nordlys::engine::sql
