// DDL: CREATE/DROP TABLE, CREATE/DROP INDEX, CREATE/DROP SEQUENCE, CREATE SCHEMA, ALTER TABLE
// (constraints, FOREIGN KEY definitions and their dependencies, columns, defaults, NOT NULL,
// renames), TRUNCATE. VACUUM/ANALYZE: vacuum.cc. Foreign keys are enforced in foreign_keys.cc.
//
// Every change is a catalog row written in the statement's transaction (catalog.h), so DDL
// commits and rolls back with it. Relations a dropped or truncated table leaves behind stay
// allocated but unreferenced: reclaiming their pages is not built yet.
//
// Index builds (CREATE INDEX, ADD PRIMARY KEY/UNIQUE) read the rows visible to the statement
// and bulk-load the B-tree. They assume no concurrent writer of that table (PostgreSQL takes a
// SHARE lock; we have only the global DDL lock, which DML does not take).
#include <algorithm>
#include <set>

#include "engine/parser.h"
#include "engine/sql/errors.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/execution/foreign_keys.h"
#include "engine/sql/execution/statements.h"
#include "engine/storage/btree.h"
#include "engine/storage/heap.h"
#include "engine/types/key_encoding.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

// True when the parse tree holds a call with OVER (a window function).
bool HasWindowCall(const Json& node) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "FuncCall" && it.value().is_object() && it.value().contains("over")) return true;
      if (HasWindowCall(it.value())) return true;
    }
  } else if (node.is_array()) {
    for (const auto& x : node) {
      if (HasWindowCall(x)) return true;
    }
  }
  return false;
}

struct DdlEnv {
  StmtEnv* env;
  ExecContext* ctx;
  Catalog* catalog;
  const CatalogSnapshot& snap() const { return *ctx->snap; }
};

void Notice(StmtEnv& env, const std::string& sqlstate, const std::string& msg) {
  env.out->Notice("NOTICE", sqlstate, msg);
}

uint32_t NamespaceOf(const DdlEnv& d, const Json& rv, Status* error) {
  std::string schema = rv.value("schemaname", "");
  if (schema.empty()) return kPublicNamespace;
  uint32_t ns = d.snap().SchemaOid(schema);
  if (ns == 0) *error = SqlError("3F000", "schema \"" + schema + "\" does not exist");
  return ns;
}

// PG's ChooseRelationName: name1_name2_label, made unique with a number.
std::string ChooseName(const DdlEnv& d, uint32_t ns, const std::string& base, const std::string& label,
                       const std::set<std::string>& also_taken) {
  std::string name = types::ClipName(base + "_" + label);
  for (int n = 1; d.snap().RelationNameTaken(ns, name) || also_taken.count(name); ++n) {
    name = types::ClipName(base + "_" + label + std::to_string(n));
  }
  return name;
}

// Collects the column names an expression tree references.
void ColumnRefs(const Json& n, std::set<std::string>* out) {
  if (n.is_array()) {
    for (const auto& x : n) ColumnRefs(x, out);
    return;
  }
  if (!n.is_object()) return;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (it.key() == "ColumnRef") {
      const Json& f = it.value()["fields"];
      if (!f.empty() && f.back().contains("String")) out->insert(StrVal(f.back()));
    } else {
      ColumnRefs(it.value(), out);
    }
  }
}

// Builds the B-tree of `ix` from the rows of `table` visible to the statement.
Status BuildIndex(DdlEnv& d, const TableDef& table, const IndexDef& ix) {
  struct Entry {
    std::string key;
    storage::Tid tid;
    bool has_null;
  };
  std::vector<Entry> entries;
  auto scan = d.ctx->db->heap(table.heap).Scan(d.ctx->txn);
  storage::Tid tid;
  std::string data;
  Row row;
  std::vector<types::KeyColumn> cols;
  for (size_t i = 0; i < ix.columns.size(); ++i) {
    cols.push_back({table.columns[ix.columns[i]].type, ix.descending[i], ix.nulls_first[i]});
  }
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(d.ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
    if (!more) break;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data, table.columns, &row));
    Entry e{{}, tid, false};
    for (size_t i = 0; i < ix.columns.size(); ++i) {
      const Value& v = row[ix.columns[i]];
      if (ix.primary && v.is_null()) {
        return SqlError("23502", "column \"" + table.columns[ix.columns[i]].name + "\" of relation \"" +
                                     table.name + "\" contains null values");
      }
      e.has_null |= v.is_null();
      NORDLYS_RETURN_IF_ERROR(types::AppendKey(v, cols[i], &e.key));
    }
    entries.push_back(std::move(e));
  }
  scan.reset();
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.tid < b.tid;
  });
  if (ix.unique) {
    for (size_t i = 1; i < entries.size(); ++i) {
      if (entries[i].has_null || entries[i].key != entries[i - 1].key) continue;
      std::string dup;
      NORDLYS_ASSIGN_OR_RETURN(bool vis, d.ctx->db->heap(table.heap).Fetch(d.ctx->txn, entries[i].tid, &dup));
      std::string cols_s, vals;
      if (vis) NORDLYS_RETURN_IF_ERROR(DecodeRow(dup, table.columns, &row));
      types::SessionSettings settings = d.ctx->session->settings;
      for (size_t c = 0; c < ix.columns.size(); ++c) {
        if (c > 0) {
          cols_s += ", ";
          vals += ", ";
        }
        const ColumnDef& col = table.columns[ix.columns[c]];
        cols_s += col.name;
        if (vis) vals += row[ix.columns[c]].is_null() ? "null" : types::OutputValue(row[ix.columns[c]], col.type, settings);
      }
      return SqlError("23505", "could not create unique index \"" + ix.name + "\"",
                      {.detail = "Key (" + cols_s + ")=(" + vals + ") is duplicated."});
    }
  }
  std::vector<std::pair<std::string, storage::Tid>> sorted;
  sorted.reserve(entries.size());
  for (auto& e : entries) sorted.push_back({std::move(e.key), e.tid});
  entries.clear();
  return d.ctx->db->index(ix.rel).BulkLoad(d.ctx->txn, std::move(sorted));
}

Result<IndexDef> NewIndex(DdlEnv& d, const TableDef& table, std::string name, std::vector<int> columns,
                          bool unique, bool primary) {
  for (int c : columns) {
    if (!types::IsIndexable(table.columns[c].type.id)) {
      return Unsupported("an index on type " + types::FormatType(table.columns[c].type));
    }
  }
  IndexDef ix;
  ix.oid = d.catalog->NewOid();
  ix.name = std::move(name);
  ix.columns = std::move(columns);
  ix.descending.assign(ix.columns.size(), false);
  ix.nulls_first.assign(ix.columns.size(), false);
  ix.unique = unique || primary;
  ix.primary = primary;
  NORDLYS_ASSIGN_OR_RETURN(ix.rel, d.ctx->db->CreateIndex(d.ctx->txn));
  return ix;
}

Result<std::vector<int>> KeyColumns(const TableDef& t, const Json& keys) {
  std::vector<int> cols;
  for (const auto& k : keys) {
    std::string name = StrVal(k);
    int idx = t.ColumnIndex(name);
    if (idx < 0) return SqlError("42703", "column \"" + name + "\" named in key does not exist");
    for (int c : cols) {
      if (c == idx) return SqlError("42701", "column \"" + name + "\" appears twice in primary key constraint");
    }
    cols.push_back(idx);
  }
  return cols;
}

std::string JoinColumnNames(const TableDef& t, const std::vector<int>& cols) {
  std::string s;
  for (size_t i = 0; i < cols.size(); ++i) s += (i ? "_" : "") + t.columns[cols[i]].name;
  return s;
}


// The names of the constraints of the tables in schema `ns` (PostgreSQL's ChooseConstraintName
// avoids all of them), with those of `t`, which may not be in the snapshot yet.
std::set<std::string> ConstraintNames(const DdlEnv& d, const TableDef& t) {
  std::set<std::string> names;
  auto add = [&](const TableDef& x) {
    for (const auto& ix : x.indexes) {
      if (ix.primary || ix.unique_constraint) names.insert(ix.name);
    }
    for (const auto& c : x.checks) names.insert(c.name);
    for (const auto& f : x.foreign_keys) names.insert(f.name);
  };
  for (const auto& [oid, x] : d.snap().tables) {
    if (x->namespace_oid == t.namespace_oid && oid != t.oid) add(*x);
  }
  add(t);
  return names;
}

// Checks every row of `t` against `fk` (PostgreSQL's RI_Initial_Check, row by row here), as
// this statement left them (ADD COLUMN ... DEFAULT ... REFERENCES rewrote them).
Status ValidateForeignKey(DdlEnv& d, const TableDef& t, const ForeignKeyDef& fk, const TableDef& ref) {
  d.ctx->db->CommandCounterIncrement(d.ctx->txn);
  auto scan = d.ctx->db->heap(t.heap).Scan(d.ctx->txn);
  storage::Tid tid;
  std::string data;
  Row row;
  std::vector<Row> rows;
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(d.ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
    if (!more) break;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data, t.columns, &row));
    rows.push_back(row);
  }
  scan.reset();
  for (const auto& r : rows) {
    NORDLYS_RETURN_IF_ERROR(d.ctx->CheckCancel());
    NORDLYS_RETURN_IF_ERROR(CheckForeignKeyRow(d.ctx, t, fk, ref, r));
  }
  return Status::OK();
}

// FOREIGN KEY / REFERENCES on `t` (a table being created when `fresh`; then nothing is
// validated). Runs after the table's PRIMARY KEY and UNIQUE constraints exist, as
// PostgreSQL adds foreign keys last. Error order and wording follow PostgreSQL's
// ATAddForeignKeyConstraint.
Status AddForeignKey(DdlEnv& d, TableDef* t, const Json& con, bool fresh, std::set<std::string>* taken) {
  if (con.value("deferrable", false) || con.value("initdeferred", false)) {
    return Unsupported("DEFERRABLE foreign key constraints");
  }
  const std::string match = con.value("fk_matchtype", "s");
  if (match == "p") return SqlError("0A000", "MATCH PARTIAL not yet implemented");
  // The referenced table: this one (a self-reference, maybe not in the catalog yet) or another.
  const Json& pk = con["pktable"];
  const std::string pk_name = pk.value("relname", "");
  const std::string pk_schema = pk.value("schemaname", "");
  const TableDef* ref = nullptr;
  if (pk_name == t->name && (pk_schema.empty() ? t->namespace_oid == kPublicNamespace
                                               : d.snap().SchemaOid(pk_schema) == t->namespace_oid)) {
    ref = t;
  } else {
    uint32_t ns = pk_schema.empty() ? 0 : d.snap().SchemaOid(pk_schema);
    if ((pk_schema.empty() || ns != 0) && d.snap().FindView(ns, pk_name) != nullptr) {
      return SqlError("42809", "referenced relation \"" + pk_name + "\" is not a table");
    }
    Binder binder(d.ctx->snap, d.ctx->session, d.env->sql, d.env->param_types);
    NORDLYS_ASSIGN_OR_RETURN(auto found, binder.LookupTable(pk));
    ref = found.get();
  }
  std::string conname = con.value("conname", "");
  auto column_list = [](const TableDef& x, const Json& names, std::vector<int>* out) -> Status {
    for (const auto& k : names) {
      std::string name = StrVal(k);
      int idx = x.ColumnIndex(name);
      if (idx < 0) return SqlError("42703", "column \"" + name + "\" referenced in foreign key constraint does not exist");
      out->push_back(idx);
    }
    return Status::OK();
  };
  ForeignKeyDef fk;
  NORDLYS_RETURN_IF_ERROR(column_list(*t, con.contains("fk_attrs") ? con["fk_attrs"] : con["keys"], &fk.columns));
  const IndexDef* key_index = nullptr;
  if (!con.contains("pk_attrs") || con["pk_attrs"].empty()) {
    key_index = ref->PrimaryKey();
    if (key_index == nullptr) {
      return SqlError("42704", "there is no primary key for referenced table \"" + ref->name + "\"");
    }
    fk.ref_columns = key_index->columns;
  } else {
    NORDLYS_RETURN_IF_ERROR(column_list(*ref, con["pk_attrs"], &fk.ref_columns));
    std::set<int> wanted(fk.ref_columns.begin(), fk.ref_columns.end());
    if (wanted.size() != fk.ref_columns.size()) {
      return SqlError("42830", "foreign key referenced-columns list must not contain duplicates");
    }
    // A unique index on exactly these columns, in any order (PG's transformFkeyCheckAttrs);
    // the primary key first.
    for (const auto& ix : ref->indexes) {
      if (ix.unique && std::set<int>(ix.columns.begin(), ix.columns.end()) == wanted &&
          ix.columns.size() == wanted.size() && (key_index == nullptr || (ix.primary && !key_index->primary))) {
        key_index = &ix;
      }
    }
    if (key_index == nullptr) {
      return SqlError("42830", "there is no unique constraint matching given keys for referenced table \"" +
                                   ref->name + "\"");
    }
  }
  if (fk.columns.size() != fk.ref_columns.size()) {
    return SqlError("42830", "number of referencing and referenced columns for foreign key disagree");
  }
  std::set<std::string> names = ConstraintNames(d, *t);
  names.insert(taken->begin(), taken->end());
  if (conname.empty()) {
    std::string base = t->name + "_" + JoinColumnNames(*t, fk.columns);
    conname = types::ClipName(base + "_fkey");
    for (int n = 1; names.count(conname); ++n) conname = types::ClipName(base + "_fkey" + std::to_string(n));
  } else {
    for (const auto& x : t->foreign_keys) {
      if (x.name == conname) {
        return SqlError("42710", "constraint \"" + conname + "\" for relation \"" + t->name + "\" already exists");
      }
    }
    for (const auto& x : t->checks) {
      if (x.name == conname) {
        return SqlError("42710", "constraint \"" + conname + "\" for relation \"" + t->name + "\" already exists");
      }
    }
  }
  taken->insert(conname);
  fk.name = conname;
  for (size_t i = 0; i < fk.columns.size(); ++i) {
    const ColumnDef& a = t->columns[fk.columns[i]];
    const ColumnDef& b = ref->columns[fk.ref_columns[i]];
    if (!ForeignKeyTypesCompatible(a.type, b.type)) {
      return SqlError("42804", "foreign key constraint \"" + conname + "\" cannot be implemented",
                      {.detail = "Key columns \"" + a.name + "\" and \"" + b.name +
                                 "\" are of incompatible types: " + types::FormatType(a.type) + " and " +
                                 types::FormatType(b.type) + "."});
    }
  }
  if (con.contains("fk_del_set_cols") && !con["fk_del_set_cols"].empty()) {
    NORDLYS_RETURN_IF_ERROR(column_list(*t, con["fk_del_set_cols"], &fk.delete_set_columns));
    for (size_t i = 0; i < fk.delete_set_columns.size(); ++i) {
      int c = fk.delete_set_columns[i];
      if (std::find(fk.columns.begin(), fk.columns.end(), c) == fk.columns.end()) {
        return SqlError("42P10", "column \"" + t->columns[c].name +
                                     "\" referenced in ON DELETE SET action must be part of foreign key");
      }
    }
  }
  fk.oid = d.catalog->NewOid();
  fk.ref_table = ref->oid;
  fk.ref_index = key_index->oid;
  fk.match_type = match.empty() ? 's' : match[0];
  const std::string upd = con.value("fk_upd_action", "a"), del = con.value("fk_del_action", "a");
  fk.update_action = upd.empty() ? 'a' : upd[0];
  fk.delete_action = del.empty() ? 'a' : del[0];
  // NOT VALID leaves the existing rows unchecked (CREATE TABLE has none: PostgreSQL marks the
  // constraint valid there).
  if (!fresh && con.value("skip_validation", false)) {
    fk.validated = false;
  } else if (!fresh) {
    NORDLYS_RETURN_IF_ERROR(ValidateForeignKey(d, *t, fk, *ref));
  }
  t->foreign_keys.push_back(std::move(fk));
  return Status::OK();
}

// Adds a PRIMARY KEY / UNIQUE / CHECK / FOREIGN KEY constraint to `t` (a table being created
// when `fresh`). Callers pass foreign keys after the other constraints' indexes are in `t`.
Status AddConstraint(DdlEnv& d, TableDef* t, const Json& con, bool fresh, std::set<std::string>* taken,
                     std::vector<IndexDef>* new_indexes) {
  std::string type = con.value("contype", "");
  std::string conname = con.value("conname", "");
  if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") {
    bool primary = type == "CONSTR_PRIMARY";
    if (con.contains("including") || con.contains("where_clause")) return Unsupported("INCLUDE/WHERE on constraints");
    if (con.value("nulls_not_distinct", false)) return Unsupported("UNIQUE NULLS NOT DISTINCT");
    NORDLYS_ASSIGN_OR_RETURN(std::vector<int> cols, KeyColumns(*t, con["keys"]));
    if (primary && t->PrimaryKey() != nullptr) {
      return SqlError("42P16", "multiple primary keys for table \"" + t->name + "\" are not allowed");
    }
    for (const auto& nx : *new_indexes) {
      if (primary && nx.primary) {
        return SqlError("42P16", "multiple primary keys for table \"" + t->name + "\" are not allowed");
      }
    }
    std::string name = conname;
    if (name.empty()) {
      name = primary ? ChooseName(d, t->namespace_oid, t->name, "pkey", *taken)
                     : ChooseName(d, t->namespace_oid, t->name + "_" + JoinColumnNames(*t, cols), "key", *taken);
    } else if (d.snap().RelationNameTaken(t->namespace_oid, name) || taken->count(name)) {
      return SqlError("42P07", "relation \"" + name + "\" already exists");
    }
    taken->insert(name);
    if (primary) {
      for (int c : cols) t->columns[c].not_null = true;
    }
    NORDLYS_ASSIGN_OR_RETURN(IndexDef ix, NewIndex(d, *t, name, cols, !primary, primary));
    ix.unique_constraint = !primary;
    new_indexes->push_back(std::move(ix));
    return Status::OK();
  }
  if (type == "CONSTR_CHECK") {
    if (con.value("is_no_inherit", false)) return Unsupported("NO INHERIT");
    std::string name = conname;
    if (name.empty()) {
      std::set<std::string> refs;
      ColumnRefs(con["raw_expr"], &refs);
      std::string base = refs.size() == 1 ? t->name + "_" + *refs.begin() : t->name;
      name = types::ClipName(base + "_check");
      std::set<std::string> names;
      for (const auto& c : t->checks) names.insert(c.name);
      for (int n = 1; names.count(name); ++n) name = types::ClipName(base + "_check" + std::to_string(n));
    }
    CheckDef chk{name, NormalizeStoredExpr(con["raw_expr"], d.env->sql)};
    // The expression must bind over the table and be boolean.
    std::vector<Type> no_params;
    Binder binder(d.ctx->snap, d.ctx->session, "", &no_params);
    Scope scope;
    scope.items.push_back(Binder::TableScope(*t, "", 0));
    Binder::ExprContext ectx{&scope, nullptr, "check constraints"};
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindCondition(chk.expr, ectx, "CHECK"));
    if (!fresh) {
      auto scan = d.ctx->db->heap(t->heap).Scan(d.ctx->txn);
      storage::Tid tid;
      std::string data;
      Row row;
      for (;;) {
        NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
        if (!more) break;
        NORDLYS_RETURN_IF_ERROR(DecodeRow(data, t->columns, &row));
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e, row, d.ctx));
        if (!v.is_null() && !v.as_bool()) {
          return SqlError("23514", "check constraint \"" + name + "\" of relation \"" + t->name +
                                       "\" is violated by some row");
        }
      }
    }
    t->checks.push_back(std::move(chk));
    return Status::OK();
  }
  if (type == "CONSTR_FOREIGN") return AddForeignKey(d, t, con, fresh, taken);
  if (type == "CONSTR_EXCLUSION") return Unsupported("exclusion constraints");
  return Unsupported("constraint " + type);
}

// A column definition (CREATE TABLE, ADD COLUMN). Serial columns get an owned sequence.
Status DefineColumn(DdlEnv& d, TableDef* t, const Json& cd, std::vector<Json>* constraints,
                    std::vector<SequenceDef>* sequences, std::set<std::string>* taken) {
  ColumnDef c;
  c.name = cd.value("colname", "");
  if (t->ColumnIndex(c.name) >= 0) {
    return SqlError("42701", "column \"" + c.name + "\" specified more than once");
  }
  const Json& tn = cd["typeName"];
  auto names = NameList(tn["names"]);
  std::string last = names.empty() ? "" : names.back();
  bool serial = false;
  if (names.size() == 1 && (last == "serial" || last == "serial4" || last == "bigserial" || last == "serial8" ||
                            last == "smallserial" || last == "serial2")) {
    serial = true;
    c.type = Type(last == "bigserial" || last == "serial8" ? TypeId::kInt8
                  : last == "smallserial" || last == "serial2" ? TypeId::kInt2 : TypeId::kInt4);
  } else {
    NORDLYS_ASSIGN_OR_RETURN(c.type, BindTypeName(tn));
  }
  if (cd.contains("collClause")) return Unsupported("COLLATE");
  if (cd.contains("constraints")) {
    for (const auto& cj : cd["constraints"]) {
      const Json& con = cj["Constraint"];
      std::string type = con.value("contype", "");
      if (type == "CONSTR_NOTNULL") {
        c.not_null = true;
      } else if (type == "CONSTR_NULL") {
        c.not_null = false;
      } else if (type == "CONSTR_DEFAULT") {
        if (c.identity != 0) {
          return SqlError("42601", "both default and identity specified for column \"" + c.name + "\" of table \"" +
                                       t->name + "\"");
        }
        if (serial) {
          return SqlError("42601", "multiple default values specified for column \"" + c.name + "\" of table \"" +
                                       t->name + "\"");
        }
        // Defaults bind when a row is inserted; a window function could never run there.
        if (HasWindowCall(con["raw_expr"])) {
          return SqlError("42P20", "window functions are not allowed in DEFAULT expressions");
        }
        c.default_expr = NormalizeStoredExpr(con["raw_expr"], d.env->sql);
      } else if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" || type == "CONSTR_CHECK" ||
                 type == "CONSTR_FOREIGN") {
        Json copy = con;
        if (type != "CONSTR_CHECK") copy["keys"] = Json::array({Json{{"String", {{"sval", c.name}}}}});
        constraints->push_back(copy);
      } else if (type == "CONSTR_IDENTITY") {
        if (serial || c.identity != 0) {
          return SqlError("42601", "multiple identity specifications for column \"" + c.name + "\" of table \"" +
                                       t->name + "\"");
        }
        if (c.type.id != TypeId::kInt2 && c.type.id != TypeId::kInt4 && c.type.id != TypeId::kInt8) {
          return SqlError("22023", "identity column type must be smallint, integer, or bigint");
        }
        if (con.contains("options") && !con["options"].empty()) return Unsupported("identity sequence options");
        if (!c.default_expr.is_null()) {
          return SqlError("42601", "both default and identity specified for column \"" + c.name + "\" of table \"" +
                                       t->name + "\"");
        }
        std::string when = con.value("generated_when", "a");
        c.identity = when.empty() ? 'a' : when[0];
        serial = true;  // the same owned sequence and nextval default as serial
      } else if (type == "CONSTR_ATTR_DEFERRABLE" || type == "CONSTR_ATTR_DEFERRED") {
        return Unsupported("DEFERRABLE foreign key constraints");
      } else if (type == "CONSTR_ATTR_NOT_DEFERRABLE" || type == "CONSTR_ATTR_IMMEDIATE") {
        // What every constraint here is.
      } else if (type == "CONSTR_GENERATED") {
        return Unsupported("generated columns");
      } else {
        return Unsupported("column constraint " + type);
      }
    }
  }
  if (serial) {
    SequenceDef s;
    s.oid = d.catalog->NewOid();
    s.name = ChooseName(d, t->namespace_oid, t->name + "_" + c.name, "seq", *taken);
    taken->insert(s.name);
    s.namespace_oid = t->namespace_oid;
    s.type = c.type;
    s.max_value = c.type.id == TypeId::kInt8 ? INT64_MAX : c.type.id == TypeId::kInt2 ? 32767 : 2147483647;
    s.owner_table = t->oid;
    NORDLYS_ASSIGN_OR_RETURN(s.heap, d.ctx->db->CreateHeap(d.ctx->txn));
    c.not_null = true;
    c.identity_sequence = s.oid;
    std::string quoted = s.name;
    c.default_expr = Json{{"FuncCall", {{"funcname", Json::array({Json{{"String", {{"sval", "nextval"}}}}})},
                                        {"args", Json::array({Json{{"A_Const", {{"sval", {{"sval", quoted}}}}}}})},
                                        {"funcformat", "COERCE_EXPLICIT_CALL"}}}};
    sequences->push_back(std::move(s));
  }
  t->columns.push_back(std::move(c));
  return Status::OK();
}

Result<std::string> CreateTable(DdlEnv& d, const Json& s) {
  const Json& rv = s["relation"];
  std::string name = rv.value("relname", "");
  if (rv.value("relpersistence", "p") == "t") return Unsupported("temporary tables");
  if (s.contains("inhRelations")) return Unsupported("table inheritance");
  if (s.contains("partspec") || s.contains("partbound")) return Unsupported("partitioned tables");
  if (s.contains("ofTypename")) return Unsupported("typed tables");
  Status err;
  uint32_t ns = NamespaceOf(d, rv, &err);
  NORDLYS_RETURN_IF_ERROR(err);
  if (d.snap().RelationNameTaken(ns, name)) {
    if (s.value("if_not_exists", false)) {
      Notice(*d.env, "42P07", "relation \"" + name + "\" already exists, skipping");
      return std::string("CREATE TABLE");
    }
    return SqlError("42P07", "relation \"" + name + "\" already exists");
  }
  if (s.contains("options")) {
    for (const auto& o : s["options"]) {
      std::string opt = o["DefElem"].value("defname", "");
      if (opt != "fillfactor" && opt.rfind("autovacuum_", 0) != 0 && opt.rfind("toast", 0) != 0) {
        return SqlError("22023", "unrecognized parameter \"" + opt + "\"");
      }
    }
  }
  TableDef t;
  t.oid = d.catalog->NewOid();
  t.name = name;
  t.namespace_oid = ns;
  std::vector<Json> constraints;
  std::vector<SequenceDef> sequences;
  std::set<std::string> taken{name};
  if (s.contains("tableElts")) {
    for (const auto& e : s["tableElts"]) {
      auto [k, b] = NodeOf(e);
      if (k == "ColumnDef") {
        NORDLYS_RETURN_IF_ERROR(DefineColumn(d, &t, *b, &constraints, &sequences, &taken));
      } else if (k == "Constraint") {
        constraints.push_back(*b);
      } else {
        return Unsupported("CREATE TABLE element " + k);
      }
    }
  }
  if (t.columns.size() > 1600) return SqlError("54011", "tables can have at most 1600 columns");
  NORDLYS_ASSIGN_OR_RETURN(t.heap, d.ctx->db->CreateHeap(d.ctx->txn));
  std::vector<IndexDef> indexes;
  for (const auto& con : constraints) {
    if (con.value("contype", "") == "CONSTR_FOREIGN") continue;
    NORDLYS_RETURN_IF_ERROR(AddConstraint(d, &t, con, /*fresh=*/true, &taken, &indexes));
  }
  // PRIMARY KEY first, as PG lists it.
  std::stable_sort(indexes.begin(), indexes.end(), [](const IndexDef& a, const IndexDef& b) { return a.primary > b.primary; });
  t.indexes = std::move(indexes);
  for (const auto& con : constraints) {
    if (con.value("contype", "") != "CONSTR_FOREIGN") continue;
    NORDLYS_RETURN_IF_ERROR(AddConstraint(d, &t, con, /*fresh=*/true, &taken, &indexes));
  }
  for (const auto& seq : sequences) NORDLYS_RETURN_IF_ERROR(d.catalog->InsertSequence(d.ctx->txn, d.ctx->cat_state, seq));
  NORDLYS_RETURN_IF_ERROR(d.catalog->InsertTable(d.ctx->txn, d.ctx->cat_state, t));
  return std::string("CREATE TABLE");
}


// A FOREIGN KEY constraint of another table that something being dropped takes away.
struct ForeignKeyDependent {
  uint32_t table;
  std::string name;
};

// The foreign keys referencing table `ref_table` that `pick` selects, except those of tables in
// `skip` (going away themselves).
std::vector<ForeignKeyDependent> ReferencingForeignKeys(const CatalogSnapshot& snap, uint32_t ref_table,
                                                        const std::function<bool(const ForeignKeyDef&)>& pick,
                                                        const std::vector<uint32_t>& skip = {}) {
  std::vector<ForeignKeyDependent> out;
  auto it = snap.referenced_by.find(ref_table);
  if (it == snap.referenced_by.end()) return out;
  for (const auto& [child, i] : it->second) {
    if (std::find(skip.begin(), skip.end(), child) != skip.end()) continue;
    const TableDef* t = snap.TableByOid(child);
    if (t != nullptr && pick(t->foreign_keys[i])) out.push_back({child, t->foreign_keys[i].name});
  }
  return out;
}

// PostgreSQL's dependency rule for foreign keys: without CASCADE, 2BP01 "cannot drop <object>
// because other objects depend on it"; with it, a NOTICE and the constraints go (from *self when
// they are its own, else by rewriting their table's row). `depends_on` words what they need.
Status DropForeignKeys(DdlEnv& d, const std::string& object, const std::string& depends_on,
                       const std::vector<ForeignKeyDependent>& fks, bool cascade, TableDef* self,
                       bool quiet = false) {
  if (fks.empty()) return Status::OK();
  auto describe = [&](const ForeignKeyDependent& f) {
    const TableDef* t = self != nullptr && f.table == self->oid ? self : d.snap().TableByOid(f.table);
    return "constraint " + f.name + " on table " + t->name;
  };
  if (!cascade) {
    std::string detail;
    for (const auto& f : fks) detail += (detail.empty() ? "" : "\n") + describe(f) + " depends on " + depends_on;
    return SqlError("2BP01", "cannot drop " + object + " because other objects depend on it",
                    {.detail = detail, .hint = "Use DROP ... CASCADE to drop the dependent objects too."});
  }
  if (quiet) {
    // The caller's NOTICE covers them.
  } else if (fks.size() == 1) {
    Notice(*d.env, "00000", "drop cascades to " + describe(fks[0]));
  } else {
    Notice(*d.env, "00000", "drop cascades to " + std::to_string(fks.size()) + " other objects");
  }
  std::map<uint32_t, TableDef> changed;
  for (const auto& f : fks) {
    TableDef* t = self;
    if (self == nullptr || f.table != self->oid) {
      if (!changed.count(f.table)) changed[f.table] = *d.snap().TableByOid(f.table);
      t = &changed[f.table];
    }
    auto& v = t->foreign_keys;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const ForeignKeyDef& x) { return x.name == f.name; }), v.end());
  }
  for (const auto& [oid, t] : changed) NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
  return Status::OK();
}

// DROP SCHEMA [IF EXISTS] name, ... [CASCADE | RESTRICT]: CASCADE takes the schema's tables
// (with their indexes and owned sequences) and sequences along; RESTRICT refuses while any exist.
Result<std::string> DropSchema(DdlEnv& d, const Json& s, bool missing_ok) {
  const bool cascade = s.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE";
  std::vector<uint32_t> schemas;
  for (const auto& obj : s["objects"]) {
    std::string name = StrVal(obj);
    uint32_t ns = d.snap().SchemaOid(name);
    if (ns == 0) {
      if (missing_ok) {
        Notice(*d.env, "00000", "schema \"" + name + "\" does not exist, skipping");
        continue;
      }
      return SqlError("3F000", "schema \"" + name + "\" does not exist");
    }
    if (ns == kPgCatalogNamespace) {
      return SqlError("2BP01", "cannot drop schema " + name + " because it is required by the database system");
    }
    // Tables without a schema go to public (there is no search_path to change yet).
    if (ns == kPublicNamespace) return Unsupported("DROP SCHEMA public");
    schemas.push_back(ns);
  }
  std::vector<std::string> dependents;
  std::vector<uint32_t> drop;
  for (uint32_t ns : schemas) {
    std::string schema = d.snap().SchemaName(ns);
    for (const auto& [oid, t] : d.snap().tables) {
      if (t->namespace_oid != ns) continue;
      dependents.push_back("table " + schema + "." + t->name);
      drop.push_back(oid);
    }
    for (const auto& [oid, q] : d.snap().sequences) {
      if (q->namespace_oid != ns || q->owner_table != 0) continue;
      dependents.push_back("sequence " + schema + "." + q->name);
      drop.push_back(oid);
    }
    for (const auto& [oid, v] : d.snap().views) {
      if (v->namespace_oid != ns) continue;
      dependents.push_back("view " + schema + "." + v->name);
      drop.push_back(oid);
    }
  }
  // Views elsewhere that read what goes.
  std::vector<ViewDependent> outside;
  for (const auto& dep : DependentViews(d.snap(), drop)) {
    if (std::find(drop.begin(), drop.end(), dep.oid) != drop.end()) continue;
    outside.push_back(dep);
    dependents.push_back(RelationDescription(d.snap(), dep.oid));
    drop.push_back(dep.oid);
  }
  if (!dependents.empty() && !cascade) {
    std::string detail;
    for (const auto& dep : dependents) {
      detail += (detail.empty() ? "" : "\n") + dep + " depends on schema " + d.snap().SchemaName(schemas.front());
    }
    return SqlError("2BP01", "cannot drop schema " + d.snap().SchemaName(schemas.front()) +
                                 " because other objects depend on it",
                    {.detail = detail, .hint = "Use DROP ... CASCADE to drop the dependent objects too."});
  }
  if (dependents.size() == 1) {
    Notice(*d.env, "00000", "drop cascades to " + dependents.front());
  } else if (!dependents.empty()) {
    Notice(*d.env, "00000", "drop cascades to " + std::to_string(dependents.size()) + " other objects");
  }
  {
    std::vector<ForeignKeyDependent> fks;
    for (uint32_t oid : drop) {
      auto more = ReferencingForeignKeys(d.snap(), oid, [](const ForeignKeyDef&) { return true; }, drop);
      fks.insert(fks.end(), more.begin(), more.end());
    }
    NORDLYS_RETURN_IF_ERROR(DropForeignKeys(d, "", "", fks, /*cascade=*/true, nullptr, /*quiet=*/true));
  }
  for (uint32_t oid : drop) {
    for (const auto& [soid, seq] : d.snap().sequences) {
      if (seq->owner_table == oid) NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, soid));
    }
    NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, oid));
  }
  for (uint32_t ns : schemas) NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, ns));
  return std::string("DROP SCHEMA");
}

Result<std::string> Drop(DdlEnv& d, const Json& s) {
  std::string type = s.value("removeType", "");
  bool missing_ok = s.value("missing_ok", false);
  const char* what = type == "OBJECT_TABLE" ? "table" : type == "OBJECT_INDEX" ? "index"
                     : type == "OBJECT_SEQUENCE" ? "sequence" : type == "OBJECT_SCHEMA" ? "schema" : nullptr;
  if (what == nullptr) return Unsupported("DROP of this object type");
  std::string tag = std::string("DROP ") + (type == "OBJECT_TABLE" ? "TABLE" : type == "OBJECT_INDEX" ? "INDEX"
                                            : type == "OBJECT_SEQUENCE" ? "SEQUENCE" : "SCHEMA");
  if (type == "OBJECT_SCHEMA") return DropSchema(d, s, missing_ok);
  // Resolve everything first: PG fails the whole statement on the first missing object.
  std::vector<uint32_t> tables, sequences;
  std::vector<std::pair<uint32_t, std::string>> indexes;  // table oid, index name
  std::map<uint32_t, TableDef> changed;                  // tables whose indexes go
  for (const auto& obj : s["objects"]) {
    auto names = NameList(obj["List"]["items"]);
    std::string name = names.back();
    uint32_t ns = 0;
    if (names.size() > 1) {
      ns = d.snap().SchemaOid(names[names.size() - 2]);
      if (ns == 0) {
        if (missing_ok) {
          Notice(*d.env, "00000", "schema \"" + names[names.size() - 2] + "\" does not exist, skipping");
          continue;
        }
        return SqlError("3F000", "schema \"" + names[names.size() - 2] + "\" does not exist");
      }
    }
    std::string shown = names.size() > 1 ? names[names.size() - 2] + "." + name : name;
    bool found = false;
    if (type == "OBJECT_TABLE") {
      if (d.snap().FindView(ns, name) != nullptr) {
        return SqlError("42809", "\"" + name + "\" is not a table", {.hint = "Use DROP VIEW to remove a view."});
      }
      if (const TableDef* t = d.snap().FindTable(ns, name)) {
        tables.push_back(t->oid);
        found = true;
      } else if (d.snap().RelationNameTaken(ns, name)) {
        return SqlError("42809", "\"" + name + "\" is not a table", {.hint = "Use DROP INDEX or DROP SEQUENCE to remove it."});
      }
    } else if (type == "OBJECT_INDEX") {
      const IndexDef* ix = nullptr;
      if (const TableDef* t = d.snap().FindIndex(ns, name, &ix)) {
        if (ix->primary) {
          // A primary key's index goes with ALTER TABLE DROP CONSTRAINT.
          return SqlError("2BP01", "cannot drop index " + name + " because constraint " + name + " on table " +
                                       t->name + " requires it",
                          {.hint = "You can drop constraint " + name + " on table " + t->name + " instead."});
        }
        const uint32_t index_oid = ix->oid;
        auto fks = ReferencingForeignKeys(d.snap(), t->oid,
                                          [&](const ForeignKeyDef& f) { return f.ref_index == index_oid; });
        // The index's own table is rewritten below: its foreign keys go in that copy.
        if (!changed.count(t->oid)) changed[t->oid] = *t;
        NORDLYS_RETURN_IF_ERROR(DropForeignKeys(d, "index " + name, "index " + name, fks,
                                                s.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE",
                                                &changed[t->oid]));
        indexes.push_back({t->oid, name});
        found = true;
      }
    } else {
      if (const SequenceDef* sq = d.snap().FindSequence(ns, name)) {
        sequences.push_back(sq->oid);
        found = true;
      }
    }
    if (!found) {
      if (missing_ok) {
        Notice(*d.env, "00000", std::string(what) + " \"" + shown + "\" does not exist, skipping");
        continue;
      }
      return SqlError(type == "OBJECT_INDEX" ? "42704" : "42P01",
                      std::string(what) + " \"" + shown + "\" does not exist");
    }
  }
  if (!tables.empty()) {
    const bool cascade = s.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE";
    std::vector<ForeignKeyDependent> fks;
    for (uint32_t oid : tables) {
      auto more = ReferencingForeignKeys(d.snap(), oid, [](const ForeignKeyDef&) { return true; }, tables);
      fks.insert(fks.end(), more.begin(), more.end());
    }
    NORDLYS_RETURN_IF_ERROR(DropForeignKeys(d, RelationDescription(d.snap(), tables.front()),
                                            RelationDescription(d.snap(), tables.front()), fks, cascade, nullptr));
    NORDLYS_RETURN_IF_ERROR(DropDependentViews(*d.env, RelationDescription(d.snap(), tables.front()),
                                               DependentViews(d.snap(), tables), cascade));
  }
  for (uint32_t oid : tables) {
    // Owned sequences (serial columns) go with their table.
    for (const auto& [soid, seq] : d.snap().sequences) {
      if (seq->owner_table == oid) NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, soid));
    }
    NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, oid));
  }
  for (uint32_t oid : sequences) NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, oid));
  for (const auto& [toid, name] : indexes) {
    if (!changed.count(toid)) changed[toid] = *d.snap().TableByOid(toid);
    auto& ixs = changed[toid].indexes;
    ixs.erase(std::remove_if(ixs.begin(), ixs.end(), [&](const IndexDef& x) { return x.name == name; }), ixs.end());
  }
  for (const auto& [toid, t] : changed) NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
  return tag;
}

Result<std::string> CreateIndex(DdlEnv& d, const Json& s) {
  Binder binder(d.ctx->snap, d.ctx->session, d.env->sql, d.env->param_types);
  {
    Status err;
    uint32_t ns = NamespaceOf(d, s["relation"], &err);
    std::string rel = s["relation"].value("relname", "");
    if (err.ok() && d.snap().FindView(ns, rel) != nullptr) {
      return SqlError("42809", "cannot create index on relation \"" + rel + "\"",
                      {.detail = "This operation is not supported for views."});
    }
  }
  NORDLYS_ASSIGN_OR_RETURN(auto table, binder.LookupTable(s["relation"]));
  std::string method = s.value("accessMethod", "btree");
  if (method != "btree") return Unsupported("index access method \"" + method + "\"");
  if (s.contains("whereClause")) return Unsupported("partial indexes");
  if (s.contains("indexIncludingParams")) return Unsupported("INCLUDE");
  if (s.value("nulls_not_distinct", false)) return Unsupported("UNIQUE NULLS NOT DISTINCT");
  TableDef t = *table;
  std::vector<int> cols;
  std::vector<bool> desc, nulls_first;
  for (const auto& p : s["indexParams"]) {
    const Json& ie = p["IndexElem"];
    if (!ie.contains("name")) return Unsupported("indexes on expressions");
    if (ie.contains("collation") || ie.contains("opclass")) return Unsupported("index collations and operator classes");
    std::string name = ie["name"].get<std::string>();
    int idx = t.ColumnIndex(name);
    if (idx < 0) return SqlError("42703", "column \"" + name + "\" does not exist");
    cols.push_back(idx);
    bool d_ = ie.value("ordering", "") == "SORTBY_DESC";
    std::string nulls = ie.value("nulls_ordering", "SORTBY_NULLS_DEFAULT");
    desc.push_back(d_);
    nulls_first.push_back(nulls == "SORTBY_NULLS_DEFAULT" ? d_ : nulls == "SORTBY_NULLS_FIRST");
  }
  std::string name = s.value("idxname", "");
  if (name.empty()) {
    name = ChooseName(d, t.namespace_oid, t.name + "_" + JoinColumnNames(t, cols), "idx", {});
  } else if (d.snap().RelationNameTaken(t.namespace_oid, name)) {
    if (s.value("if_not_exists", false)) {
      Notice(*d.env, "42P07", "relation \"" + name + "\" already exists, skipping");
      return std::string("CREATE INDEX");
    }
    return SqlError("42P07", "relation \"" + name + "\" already exists");
  }
  NORDLYS_ASSIGN_OR_RETURN(IndexDef ix, NewIndex(d, t, name, cols, s.value("unique", false), false));
  ix.descending = desc;
  ix.nulls_first = nulls_first;
  NORDLYS_RETURN_IF_ERROR(BuildIndex(d, t, ix));
  t.indexes.push_back(std::move(ix));
  NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
  return std::string("CREATE INDEX");
}

// Rewrites every row of t (ADD COLUMN with a default): new versions carry the new column.
Status RewriteRows(DdlEnv& d, const TableDef& old_def, const TableDef& new_def, const ExprPtr& fill, int column) {
  storage::Heap heap = d.ctx->db->heap(old_def.heap);
  auto scan = heap.Scan(d.ctx->txn);
  storage::Tid tid;
  std::string data;
  std::vector<std::pair<storage::Tid, Row>> rows;
  Row row;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
    if (!more) break;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data, old_def.columns, &row));
    rows.push_back({tid, row});
  }
  scan.reset();
  Row none;
  for (auto& [t, r] : rows) {
    r.resize(new_def.columns.size());
    if (fill) {
      NORDLYS_ASSIGN_OR_RETURN(r[column], Eval(*fill, none, d.ctx));
    }
    if (new_def.columns[column].not_null && r[column].is_null()) {
      return SqlError("23502", "column \"" + new_def.columns[column].name + "\" of relation \"" + new_def.name +
                                   "\" contains null values");
    }
    storage::Tid nt;
    bool hot = false;
    NORDLYS_ASSIGN_OR_RETURN(auto res, heap.Update(d.ctx->txn, t, EncodeRow(r, new_def.columns), &nt, true, &hot));
    if (res.outcome != storage::TmOutcome::kOk) return SqlError("40001", "could not serialize access due to concurrent update");
    if (!hot) {
      for (const auto& ix : new_def.indexes) {
        std::string key;
        for (size_t i = 0; i < ix.columns.size(); ++i) {
          NORDLYS_RETURN_IF_ERROR(types::AppendKey(r[ix.columns[i]], {new_def.columns[ix.columns[i]].type, ix.descending[i], ix.nulls_first[i]}, &key));
        }
        NORDLYS_RETURN_IF_ERROR(d.ctx->db->index(ix.rel).Insert(d.ctx->txn, key, nt));
      }
    }
  }
  return Status::OK();
}

Result<bool> TableHasRows(DdlEnv& d, const TableDef& t, int not_null_column) {
  auto scan = d.ctx->db->heap(t.heap).Scan(d.ctx->txn);
  storage::Tid tid;
  std::string data;
  Row row;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
    if (!more) return false;
    if (not_null_column < 0) return true;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data, t.columns, &row));
    if (row[not_null_column].is_null()) return true;
  }
}

Result<std::string> AlterTable(DdlEnv& d, const Json& s) {
  if (s.value("objtype", "OBJECT_TABLE") != "OBJECT_TABLE") return Unsupported("ALTER of this object type");
  Binder binder(d.ctx->snap, d.ctx->session, d.env->sql, d.env->param_types);
  auto found = binder.LookupTable(s["relation"]);
  if (!found.ok()) {
    if (s.value("missing_ok", false) && found.status().sqlstate() == "42P01") {
      Notice(*d.env, "00000", "relation \"" + s["relation"].value("relname", "") + "\" does not exist, skipping");
      return std::string("ALTER TABLE");
    }
    return found.status();
  }
  TableDef t = **found;
  std::set<std::string> taken;
  for (const auto& cmdj : s["cmds"]) {
    const Json& cmd = cmdj["AlterTableCmd"];
    std::string sub = cmd.value("subtype", "");
    if (sub == "AT_AddConstraint") {
      std::vector<IndexDef> indexes;
      NORDLYS_RETURN_IF_ERROR(AddConstraint(d, &t, cmd["def"]["Constraint"], false, &taken, &indexes));
      for (auto& ix : indexes) {
        if (ix.primary) {
          for (int c : ix.columns) {
            NORDLYS_ASSIGN_OR_RETURN(bool has_null, TableHasRows(d, t, c));
            if (has_null) {
              return SqlError("23502", "column \"" + t.columns[c].name + "\" of relation \"" + t.name +
                                           "\" contains null values");
            }
          }
        }
        NORDLYS_RETURN_IF_ERROR(BuildIndex(d, t, ix));
        t.indexes.insert(ix.primary ? t.indexes.begin() : t.indexes.end(), std::move(ix));
      }
    } else if (sub == "AT_AddColumn") {
      TableDef before = t;
      std::vector<Json> constraints;
      std::vector<SequenceDef> sequences;
      const Json& cd = cmd["def"]["ColumnDef"];
      if (t.ColumnIndex(cd.value("colname", "")) >= 0) {
        if (cmd.value("missing_ok", false)) {
          Notice(*d.env, "42701", "column \"" + cd.value("colname", "") + "\" of relation \"" + t.name + "\" already exists, skipping");
          continue;
        }
        return SqlError("42701", "column \"" + cd.value("colname", "") + "\" of relation \"" + t.name + "\" already exists");
      }
      NORDLYS_RETURN_IF_ERROR(DefineColumn(d, &t, cd, &constraints, &sequences, &taken));
      for (const auto& seq : sequences) NORDLYS_RETURN_IF_ERROR(d.catalog->InsertSequence(d.ctx->txn, d.ctx->cat_state, seq));
      int col = static_cast<int>(t.columns.size() - 1);
      ExprPtr fill;
      if (!t.columns[col].default_expr.is_null()) {
        std::vector<Type> no_params;
        Binder b2(d.ctx->snap, d.ctx->session, "", &no_params);
        Scope scope;
        Binder::ExprContext ectx{&scope, nullptr, "DEFAULT expressions"};
        NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, b2.BindExpr(t.columns[col].default_expr, ectx));
        NORDLYS_ASSIGN_OR_RETURN(fill, b2.Coerce(e, t.columns[col].type, types::CastContext::kAssignment, t.columns[col].name, 0));
      }
      if (fill || t.columns[col].not_null) {
        if (!sequences.empty()) {
          // nextval() per existing row needs the sequence visible to this statement.
          NORDLYS_RETURN_IF_ERROR(d.catalog->Refresh(d.ctx->txn, d.ctx->cat_state));
        }
        NORDLYS_RETURN_IF_ERROR(RewriteRows(d, before, t, fill, col));
      }
      std::vector<IndexDef> indexes;
      for (const auto& con : constraints) {
        if (con.value("contype", "") == "CONSTR_FOREIGN") continue;
        NORDLYS_RETURN_IF_ERROR(AddConstraint(d, &t, con, false, &taken, &indexes));
      }
      for (auto& ix : indexes) {
        NORDLYS_RETURN_IF_ERROR(BuildIndex(d, t, ix));
        t.indexes.push_back(std::move(ix));
      }
      for (const auto& con : constraints) {
        if (con.value("contype", "") == "CONSTR_FOREIGN") {
          NORDLYS_RETURN_IF_ERROR(AddConstraint(d, &t, con, false, &taken, &indexes));
        }
      }
    } else if (sub == "AT_ColumnDefault" || sub == "AT_SetNotNull" || sub == "AT_DropNotNull") {
      std::string cname = cmd.value("name", "");
      int idx = t.ColumnIndex(cname);
      if (idx < 0) {
        return SqlError("42703", "column \"" + cname + "\" of relation \"" + t.name + "\" does not exist");
      }
      if (sub == "AT_ColumnDefault") {
        if (cmd.contains("def") && HasWindowCall(cmd["def"])) {
          return SqlError("42P20", "window functions are not allowed in DEFAULT expressions");
        }
        t.columns[idx].default_expr = cmd.contains("def") ? NormalizeStoredExpr(cmd["def"], d.env->sql) : Json();
      } else if (sub == "AT_SetNotNull") {
        NORDLYS_ASSIGN_OR_RETURN(bool has_null, TableHasRows(d, t, idx));
        if (has_null) {
          return SqlError("23502", "column \"" + cname + "\" of relation \"" + t.name + "\" contains null values");
        }
        t.columns[idx].not_null = true;
      } else {
        for (const auto& ix : t.indexes) {
          if (!ix.primary) continue;
          for (int c : ix.columns) {
            if (c == idx) return SqlError("42P16", "column \"" + cname + "\" is in a primary key");
          }
        }
        t.columns[idx].not_null = false;
      }
    } else if (sub == "AT_DropConstraint") {
      std::string cname = cmd.value("name", "");
      const bool cascade = cmd.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE";
      bool done = false;
      for (auto it = t.foreign_keys.begin(); it != t.foreign_keys.end(); ++it) {
        if (it->name == cname) {
          t.foreign_keys.erase(it);
          done = true;
          break;
        }
      }
      for (auto it = t.indexes.begin(); !done && it != t.indexes.end(); ++it) {
        if (it->name == cname && (it->primary || it->unique)) {
          const uint32_t index_oid = it->oid;
          // Foreign keys of this table matched to the index go too (they are in t, not the snapshot).
          auto fks = ReferencingForeignKeys(d.snap(), t.oid,
                                            [&](const ForeignKeyDef& f) { return f.ref_index == index_oid; });
          fks.erase(std::remove_if(fks.begin(), fks.end(), [&](const ForeignKeyDependent& f) {
                      return f.table == t.oid && std::none_of(t.foreign_keys.begin(), t.foreign_keys.end(),
                                                              [&](const ForeignKeyDef& x) { return x.name == f.name; });
                    }),
                    fks.end());
          NORDLYS_RETURN_IF_ERROR(DropForeignKeys(d, "constraint " + cname + " on table " + t.name, "index " + cname,
                                                  fks, cascade, &t));
          t.indexes.erase(std::find_if(t.indexes.begin(), t.indexes.end(),
                                       [&](const IndexDef& x) { return x.oid == index_oid; }));
          done = true;
          break;
        }
      }
      for (auto it = t.checks.begin(); !done && it != t.checks.end(); ++it) {
        if (it->name == cname) {
          t.checks.erase(it);
          done = true;
          break;
        }
      }
      if (!done) {
        if (cmd.value("missing_ok", false)) {
          Notice(*d.env, "00000", "constraint \"" + cname + "\" of relation \"" + t.name + "\" does not exist, skipping");
          continue;
        }
        return SqlError("42704", "constraint \"" + cname + "\" of relation \"" + t.name + "\" does not exist");
      }
    } else if (sub == "AT_ValidateConstraint") {
      // Foreign keys added NOT VALID get their existing rows checked; anything else is valid.
      std::string cname = cmd.value("name", "");
      auto fk = std::find_if(t.foreign_keys.begin(), t.foreign_keys.end(),
                             [&](const ForeignKeyDef& f) { return f.name == cname; });
      bool exists = fk != t.foreign_keys.end() ||
                    std::any_of(t.checks.begin(), t.checks.end(), [&](const CheckDef& c) { return c.name == cname; }) ||
                    std::any_of(t.indexes.begin(), t.indexes.end(), [&](const IndexDef& ix) {
                      return ix.name == cname && (ix.primary || ix.unique_constraint);
                    });
      if (!exists) {
        return SqlError("42704", "constraint \"" + cname + "\" of relation \"" + t.name + "\" does not exist");
      }
      if (fk != t.foreign_keys.end() && !fk->validated) {
        const TableDef* ref = fk->ref_table == t.oid ? &t : d.snap().TableByOid(fk->ref_table);
        NORDLYS_RETURN_IF_ERROR(ValidateForeignKey(d, t, *fk, *ref));
        fk->validated = true;
      }
    } else if (sub == "AT_DropColumn") {
      std::string name = cmd.value("name", "");
      int idx = t.ColumnIndex(name);
      if (idx < 0) {
        if (cmd.value("missing_ok", false)) {
          Notice(*d.env, "00000", "column \"" + name + "\" of relation \"" + t.name + "\" does not exist, skipping");
          continue;
        }
        return SqlError("42703", "column \"" + name + "\" of relation \"" + t.name + "\" does not exist");
      }
      // Views reading the column: 2BP01, or CASCADE drops them.
      NORDLYS_RETURN_IF_ERROR(DropDependentViews(
          *d.env, "column " + name + " of " + RelationDescription(d.snap(), t.oid),
          DependentViews(d.snap(), {}, t.oid, idx), cmd.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE"));
      // Foreign keys of this table on the column go with it; those of tables referencing it
      // depend on it (2BP01, or CASCADE).
      t.foreign_keys.erase(std::remove_if(t.foreign_keys.begin(), t.foreign_keys.end(),
                                          [&](const ForeignKeyDef& f) {
                                            return std::find(f.columns.begin(), f.columns.end(), idx) != f.columns.end();
                                          }),
                           t.foreign_keys.end());
      {
        auto fks = ReferencingForeignKeys(d.snap(), t.oid, [&](const ForeignKeyDef& f) {
          return std::find(f.ref_columns.begin(), f.ref_columns.end(), idx) != f.ref_columns.end();
        });
        fks.erase(std::remove_if(fks.begin(), fks.end(), [&](const ForeignKeyDependent& f) {
                    return f.table == t.oid && std::none_of(t.foreign_keys.begin(), t.foreign_keys.end(),
                                                            [&](const ForeignKeyDef& x) { return x.name == f.name; });
                  }),
                  fks.end());
        const std::string what = "column " + name + " of table " + t.name;
        NORDLYS_RETURN_IF_ERROR(DropForeignKeys(d, what, what, fks,
                                                cmd.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE", &t));
      }
      // Indexes and CHECK constraints that involve the column go with it, as in PostgreSQL;
      // so does a serial or identity column's sequence.
      t.indexes.erase(std::remove_if(t.indexes.begin(), t.indexes.end(),
                                     [&](const IndexDef& ix) {
                                       return std::find(ix.columns.begin(), ix.columns.end(), idx) != ix.columns.end();
                                     }),
                      t.indexes.end());
      t.checks.erase(std::remove_if(t.checks.begin(), t.checks.end(),
                                    [&](const CheckDef& c) {
                                      std::set<std::string> refs;
                                      ColumnRefs(c.expr, &refs);
                                      return refs.count(name) > 0;
                                    }),
                     t.checks.end());
      ColumnDef& col = t.columns[idx];
      if (col.identity_sequence != 0) {
        NORDLYS_RETURN_IF_ERROR(d.catalog->DeleteObject(d.ctx->txn, d.ctx->cat_state, col.identity_sequence));
      }
      col.dropped = true;
      col.name.clear();
      col.not_null = false;
      col.default_expr = nullptr;
      col.identity_sequence = 0;
      col.identity = 0;
    } else if (sub == "AT_AlterColumnType") {
      return Unsupported("ALTER TABLE ... ALTER COLUMN TYPE");
    } else {
      return Unsupported("ALTER TABLE " + sub);
    }
  }
  NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
  return std::string("ALTER TABLE");
}

Result<std::string> Rename(DdlEnv& d, const Json& s) {
  std::string type = s.value("renameType", "");
  std::string newname = s.value("newname", "");
  if (type == "OBJECT_TABLE" || type == "OBJECT_COLUMN" || type == "OBJECT_VIEW") {
    const Json& rv = s["relation"];
    Status err;
    uint32_t vns = NamespaceOf(d, rv, &err);
    if (err.ok()) {
      if (const ViewDef* v = d.snap().FindView(vns, rv.value("relname", ""))) return RenameView(*d.env, s, *v);
    }
    if (type == "OBJECT_VIEW" || s.value("relationType", "") == "OBJECT_VIEW") {
      if (s.value("missing_ok", false) && err.ok() && !d.snap().RelationNameTaken(vns, rv.value("relname", ""))) {
        Notice(*d.env, "00000", "relation \"" + rv.value("relname", "") + "\" does not exist, skipping");
        return std::string("ALTER VIEW");
      }
      if (err.ok() && d.snap().RelationNameTaken(vns, rv.value("relname", ""))) {
        return SqlError("42809", "\"" + rv.value("relname", "") + "\" is not a view");
      }
    }
    Binder binder(d.ctx->snap, d.ctx->session, d.env->sql, d.env->param_types);
    NORDLYS_ASSIGN_OR_RETURN(auto found, binder.LookupTable(s["relation"]));
    TableDef t = *found;
    // Views name the columns they read in their stored trees (tables they name by oid too).
    if (type == "OBJECT_COLUMN" && !DependentViews(d.snap(), {t.oid}).empty()) {
      return Unsupported("renaming a column of a table that a view reads");
    }
    if (type == "OBJECT_TABLE") {
      if (d.snap().RelationNameTaken(t.namespace_oid, newname)) {
        return SqlError("42P07", "relation \"" + newname + "\" already exists");
      }
      t.name = newname;
    } else {
      std::string old = s.value("subname", "");
      int idx = t.ColumnIndex(old);
      if (idx < 0) return SqlError("42703", "column \"" + old + "\" does not exist");
      if (t.ColumnIndex(newname) >= 0) {
        return SqlError("42701", "column \"" + newname + "\" of relation \"" + t.name + "\" already exists");
      }
      t.columns[idx].name = newname;
      // CHECK constraints and defaults name columns in their stored trees: refuse rather than
      // leave them pointing at a name that no longer exists.
      for (const auto& c : t.checks) {
        std::set<std::string> refs;
        ColumnRefs(c.expr, &refs);
        if (refs.count(old)) return Unsupported("renaming a column used by a CHECK constraint");
      }
    }
    NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
    return std::string("ALTER TABLE");
  }
  if (type == "OBJECT_INDEX") {
    const Json& rv = s["relation"];
    const IndexDef* ix = nullptr;
    const TableDef* owner = d.snap().FindIndex(0, rv.value("relname", ""), &ix);
    if (owner == nullptr) return SqlError("42P01", "relation \"" + rv.value("relname", "") + "\" does not exist");
    if (d.snap().RelationNameTaken(owner->namespace_oid, newname)) {
      return SqlError("42P07", "relation \"" + newname + "\" already exists");
    }
    TableDef t = *owner;
    for (auto& x : t.indexes) {
      if (x.name == ix->name) x.name = newname;
    }
    NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
    return std::string("ALTER INDEX");
  }
  return Unsupported("this form of ALTER ... RENAME");
}

Result<std::string> Truncate(DdlEnv& d, const Json& s) {
  Binder binder(d.ctx->snap, d.ctx->session, d.env->sql, d.env->param_types);
  std::vector<TableDef> tables;
  for (const auto& r : s["relations"]) {
    NORDLYS_ASSIGN_OR_RETURN(auto t, binder.LookupTable(r["RangeVar"]));
    tables.push_back(*t);
  }
  // A table referenced by a foreign key goes only with its referencing tables: CASCADE adds
  // them (and theirs), as PostgreSQL does.
  const bool cascade = s.value("behavior", "DROP_RESTRICT") == "DROP_CASCADE";
  for (size_t i = 0; i < tables.size(); ++i) {
    auto it = d.snap().referenced_by.find(tables[i].oid);
    if (it == d.snap().referenced_by.end()) continue;
    for (const auto& [child, fk] : it->second) {
      if (std::any_of(tables.begin(), tables.end(), [&](const TableDef& x) { return x.oid == child; })) continue;
      const TableDef* c = d.snap().TableByOid(child);
      if (!cascade) {
        return SqlError("0A000", "cannot truncate a table referenced in a foreign key constraint",
                        {.detail = "Table \"" + c->name + "\" references \"" + tables[i].name + "\".",
                         .hint = "Truncate table \"" + c->name + "\" at the same time, or use TRUNCATE ... CASCADE."});
      }
      Notice(*d.env, "00000", "truncate cascades to table \"" + c->name + "\"");
      tables.push_back(*c);
    }
  }
  for (auto& t : tables) {
    // A new, empty heap and indexes; the old ones stay until the catalog row's old version is
    // gone (their pages are not reclaimed, see the file comment).
    NORDLYS_ASSIGN_OR_RETURN(t.heap, d.ctx->db->CreateHeap(d.ctx->txn));
    for (auto& ix : t.indexes) {
      NORDLYS_ASSIGN_OR_RETURN(ix.rel, d.ctx->db->CreateIndex(d.ctx->txn));
    }
    NORDLYS_RETURN_IF_ERROR(d.catalog->UpdateTable(d.ctx->txn, d.ctx->cat_state, t));
    if (s.value("restart_seqs", false)) {
      for (const auto& [oid, seq] : d.snap().sequences) {
        if (seq->owner_table == t.oid) NORDLYS_RETURN_IF_ERROR(d.catalog->SetVal(*seq, seq->start, false));
      }
    }
  }
  return std::string("TRUNCATE TABLE");
}

Result<std::string> CreateSequence(DdlEnv& d, const Json& s) {
  const Json& rv = s["sequence"];
  std::string name = rv.value("relname", "");
  Status err;
  uint32_t ns = NamespaceOf(d, rv, &err);
  NORDLYS_RETURN_IF_ERROR(err);
  if (d.snap().RelationNameTaken(ns, name)) {
    if (s.value("if_not_exists", false)) {
      Notice(*d.env, "42P07", "relation \"" + name + "\" already exists, skipping");
      return std::string("CREATE SEQUENCE");
    }
    return SqlError("42P07", "relation \"" + name + "\" already exists");
  }
  SequenceDef q;
  q.oid = d.catalog->NewOid();
  q.name = name;
  q.namespace_oid = ns;
  bool has_min = false, has_max = false, has_start = false;
  auto int_arg = [&](const Json& de) -> int64_t {
    const Json& a = de["arg"];
    if (a.contains("Integer")) {
      // Negative values are missing from libpg_query's JSON (parser.h): read them from the text.
      if (a["Integer"].contains("ival")) return a["Integer"]["ival"].get<int64_t>();
      return IntegerAt(d.env->sql, de.value("location", -1), /*keyword=*/true);
    }
    if (a.contains("Float")) return std::stoll(a["Float"].value("fval", "0"));
    return 0;
  };
  if (s.contains("options")) {
    for (const auto& o : s["options"]) {
      const Json& de = o["DefElem"];
      std::string opt = de.value("defname", "");
      if (opt == "increment") {
        q.increment = int_arg(de);
        if (q.increment == 0) return SqlError("22023", "INCREMENT must not be zero");
      } else if (opt == "start") {
        q.start = int_arg(de);
        has_start = true;
      } else if (opt == "minvalue") {
        if (de.contains("arg")) {
          q.min_value = int_arg(de);
          has_min = true;
        }
      } else if (opt == "maxvalue") {
        if (de.contains("arg")) {
          q.max_value = int_arg(de);
          has_max = true;
        }
      } else if (opt == "cycle") {
        q.cycle = !de.contains("arg") || de["arg"].contains("Boolean") ? de["arg"]["Boolean"].value("boolval", true) : true;
      } else if (opt == "as") {
        NORDLYS_ASSIGN_OR_RETURN(q.type, BindTypeName(de["arg"]["TypeName"]));
        if (q.type.id != TypeId::kInt2 && q.type.id != TypeId::kInt4 && q.type.id != TypeId::kInt8) {
          return SqlError("22023", "sequence type must be smallint, integer, or bigint");
        }
      } else if (opt == "cache") {
      } else if (opt == "owned_by") {
        return Unsupported("OWNED BY");
      } else {
        return Unsupported("sequence option " + opt);
      }
    }
  }
  int64_t type_max = q.type.id == TypeId::kInt2 ? 32767 : q.type.id == TypeId::kInt4 ? 2147483647 : INT64_MAX;
  int64_t type_min = q.type.id == TypeId::kInt2 ? -32768 : q.type.id == TypeId::kInt4 ? -2147483648LL : INT64_MIN;
  if (!has_max) q.max_value = q.increment > 0 ? type_max : -1;
  if (!has_min) q.min_value = q.increment > 0 ? 1 : type_min;
  if (!has_start) q.start = q.increment > 0 ? q.min_value : q.max_value;
  if (q.start < q.min_value) {
    return SqlError("22023", "START value (" + std::to_string(q.start) + ") cannot be less than MINVALUE (" +
                                 std::to_string(q.min_value) + ")");
  }
  if (q.start > q.max_value) {
    return SqlError("22023", "START value (" + std::to_string(q.start) + ") cannot be greater than MAXVALUE (" +
                                 std::to_string(q.max_value) + ")");
  }
  NORDLYS_ASSIGN_OR_RETURN(q.heap, d.ctx->db->CreateHeap(d.ctx->txn));
  NORDLYS_RETURN_IF_ERROR(d.catalog->InsertSequence(d.ctx->txn, d.ctx->cat_state, q));
  return std::string("CREATE SEQUENCE");
}

Result<std::string> CreateSchema(DdlEnv& d, const Json& s) {
  std::string name = s.value("schemaname", "");
  if (s.contains("schemaElts")) return Unsupported("CREATE SCHEMA with elements");
  if (d.snap().SchemaOid(name) != 0) {
    if (s.value("if_not_exists", false)) {
      Notice(*d.env, "42P06", "schema \"" + name + "\" already exists, skipping");
      return std::string("CREATE SCHEMA");
    }
    return SqlError("42P06", "schema \"" + name + "\" already exists");
  }
  NORDLYS_RETURN_IF_ERROR(d.catalog->InsertSchema(d.ctx->txn, d.ctx->cat_state, {d.catalog->NewOid(), name}));
  return std::string("CREATE SCHEMA");
}

Result<std::string> ExecCatalogDdl(const std::string& kind, const Json& s, StmtEnv& env) {
  DdlEnv d{&env, env.ctx, env.ctx->catalog};
  Result<std::string> r = Status::Internal("unreachable");
  if (kind == "CreateStmt") {
    r = CreateTable(d, s);
  } else if (kind == "DropStmt") {
    r = Drop(d, s);
  } else if (kind == "IndexStmt") {
    r = CreateIndex(d, s);
  } else if (kind == "AlterTableStmt") {
    r = AlterTable(d, s);
  } else if (kind == "RenameStmt") {
    r = Rename(d, s);
  } else if (kind == "TruncateStmt") {
    r = Truncate(d, s);
  } else if (kind == "CreateSeqStmt") {
    r = CreateSequence(d, s);
  } else if (kind == "CreateSchemaStmt") {
    r = CreateSchema(d, s);
  } else {
    return Unsupported(kind);
  }
  return r;
}


}  // namespace

Result<std::string> RunCatalogChange(StmtEnv& env, const std::function<Result<std::string>()>& change) {
  if (env.describe) return std::string();
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->BeginDdl(env.ctx->txn, env.ctx->cat_state));
  env.ctx->snap = env.ctx->cat_state->own;
  Result<std::string> r = change();
  if (!r.ok()) return r;
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->Refresh(env.ctx->txn, env.ctx->cat_state));
  env.ctx->snap = env.ctx->cat_state->own;
  return r;
}

Result<std::string> ExecDdl(const std::string& kind, const Json& s, StmtEnv& env) {
  if (kind == "VacuumStmt") return ExecVacuum(s, env);
  return RunCatalogChange(env, [&]() { return ExecCatalogDdl(kind, s, env); });
}


}  // namespace nordlys::engine::sql
