// See system_views.h.
#include "engine/sql/catalog/system_views.h"

#include "engine/parser.h"
#include "engine/sql/catalog/view_definition.h"

#include <algorithm>
#include <cctype>

#include "engine/types/type.h"

namespace nordlys::engine::sql {
namespace {

using types::Type;
using types::TypeId;
using types::Value;

constexpr uint32_t kHeapAm = 2, kBtreeAm = 403;
constexpr uint32_t kDefaultCollation = 100;

Value Text(std::string s) { return Value::String(std::move(s)); }
Value Bool(bool b) { return Value::Bool(b); }
Value Oid(uint32_t o) { return Value::Oid(o); }
Value I2(int v) { return Value::Int2(static_cast<int16_t>(v)); }
Value I4(int v) { return Value::Int4(v); }

SystemColumn C(const char* name, TypeId t) { return {name, Type(t)}; }

std::vector<Row> NamespaceRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, s] : snap.schemas) out.push_back({Oid(oid), Text(s.name), Oid(kBootstrapSuperuserOid), Value()});
  return out;
}

bool IsTextual(TypeId t) {
  return t == TypeId::kText || t == TypeId::kVarchar || t == TypeId::kBpchar || t == TypeId::kName;
}

// pg_class columns, in order; rows below follow it.
const std::vector<SystemColumn> kClassColumns = {
    C("oid", TypeId::kOid),           C("relname", TypeId::kName),          C("relnamespace", TypeId::kOid),
    C("reltype", TypeId::kOid),       C("reloftype", TypeId::kOid),         C("relowner", TypeId::kOid),
    C("relam", TypeId::kOid),         C("relfilenode", TypeId::kOid),       C("reltablespace", TypeId::kOid),
    C("relpages", TypeId::kInt4),     C("reltuples", TypeId::kFloat4),      C("reltoastrelid", TypeId::kOid),
    C("relhasindex", TypeId::kBool),  C("relisshared", TypeId::kBool),      C("relpersistence", TypeId::kText),
    C("relkind", TypeId::kText),      C("relnatts", TypeId::kInt2),         C("relchecks", TypeId::kInt2),
    C("relhasrules", TypeId::kBool),  C("relhastriggers", TypeId::kBool),   C("relhassubclass", TypeId::kBool),
    C("relrowsecurity", TypeId::kBool), C("relforcerowsecurity", TypeId::kBool),
    C("relispopulated", TypeId::kBool), C("relreplident", TypeId::kText),   C("relispartition", TypeId::kBool),
    C("reloptions", TypeId::kTextArray), C("relpartbound", TypeId::kText), C("relacl", TypeId::kTextArray),
};

Row ClassRow(uint32_t oid, const std::string& name, uint32_t ns, uint32_t am, const char* kind, int natts,
             int checks, bool has_index) {
  return {Oid(oid),  Text(name),        Oid(ns),         Oid(0),        Oid(0),       Oid(kBootstrapSuperuserOid),
          Oid(am),   Oid(oid),          Oid(0),          I4(0),         Value::Float4(-1), Oid(0),
          Bool(has_index), Bool(false), Text("p"),       Text(kind),    I2(natts),    I2(checks),
          Bool(false), Bool(false),     Bool(false),     Bool(false),   Bool(false),  Bool(true),
          Text(kind[0] == 'r' ? "d" : "n"), Bool(false), Value(), Value(), Value()};
}

std::vector<Row> ClassRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& r : SystemRelations()) {
    out.push_back(ClassRow(r.oid, r.name, kPgCatalogNamespace, 0, "v", static_cast<int>(r.columns.size()), 0, false));
  }
  for (const auto& [oid, t] : snap.tables) {
    out.push_back(ClassRow(oid, t->name, t->namespace_oid, kHeapAm, "r", static_cast<int>(t->columns.size()),
                           static_cast<int>(t->checks.size()), !t->indexes.empty()));
    // relhastriggers: PostgreSQL enforces foreign keys with triggers on both tables, and psql
    // prints a table's foreign keys only when it is set. (PostgreSQL leaves it set after the
    // last trigger goes until VACUUM; here it follows the foreign keys.)
    if (!t->foreign_keys.empty() || snap.referenced_by.count(oid) > 0) out.back()[19] = Bool(true);
    if (t->stats.analyzed) {  // relpages, reltuples: what the last ANALYZE saw
      out.back()[9] = I4(static_cast<int32_t>(std::min<uint64_t>(t->stats.relpages, INT32_MAX)));
      out.back()[10] = Value::Float4(static_cast<float>(t->stats.reltuples));
    }
    for (const auto& ix : t->indexes) {
      out.push_back(ClassRow(ix.oid, ix.name, t->namespace_oid, kBtreeAm, "i", static_cast<int>(ix.columns.size()), 0,
                             false));
    }
  }
  for (const auto& [oid, s] : snap.sequences) {
    out.push_back(ClassRow(oid, s->name, s->namespace_oid, 0, "S", 3, 0, false));
  }
  for (const auto& [oid, v] : snap.views) {
    out.push_back(ClassRow(oid, v->name, v->namespace_oid, 0, "v", static_cast<int>(v->columns.size()), 0, false));
    out.back()[7] = Oid(0);          // relfilenode: a view has no storage
    out.back()[18] = Bool(true);     // relhasrules: its _RETURN rule
  }
  return out;
}

std::vector<Row> AmRows(const CatalogSnapshot&, const std::string&) {
  return {{Oid(kHeapAm), Text("heap"), Text("t")}, {Oid(kBtreeAm), Text("btree"), Text("i")}};
}

std::vector<Row> IndexRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    for (const auto& ix : t->indexes) {
      int n = static_cast<int>(ix.columns.size());
      out.push_back({Oid(ix.oid), Oid(oid), I2(n), I2(n), Bool(ix.unique), Bool(false), Bool(ix.primary),
                     Bool(false), Bool(true), Bool(false), Bool(true), Bool(false), Bool(true), Bool(true),
                     Bool(false), Value(), Value()});
    }
  }
  return out;
}

Row AttributeRow(uint32_t rel, const ColumnDef& c, int attnum) {
  int16_t len = types::TypeLength(c.type.id);
  if (c.dropped) {
    return {Oid(rel), Text("........pg.dropped." + std::to_string(attnum) + "........"), Oid(0), I2(len), I2(attnum),
            I4(-1), Bool(false), Bool(false), Text(""), Text(""), Bool(true), Oid(0), I4(0), Text(len == -1 ? "x" : "p"),
            Text(""), I4(0), Value()};
  }
  return {Oid(rel),  Text(c.name), Oid(c.type.oid()), I2(len), I2(attnum), I4(c.type.typmod), Bool(c.not_null),
          Bool(!c.default_expr.is_null() && c.identity == 0), Text(c.identity ? std::string(1, c.identity) : ""),
          Text(""), Bool(false),
          Oid(IsTextual(c.type.id) || IsTextual(types::ArrayElementType(c.type.id)) ? kDefaultCollation : 0), I4(-1),
          Text(len == -1 ? "x" : "p"), Text(""), I4(types::IsArrayType(c.type.id) ? 1 : 0), Value()};
}

std::vector<Row> AttributeRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& r : SystemRelations()) {
    for (size_t i = 0; i < r.columns.size(); ++i) {
      ColumnDef c;
      c.name = r.columns[i].name;
      c.type = r.columns[i].type;
      out.push_back(AttributeRow(r.oid, c, static_cast<int>(i + 1)));
    }
  }
  for (const auto& [oid, t] : snap.tables) {
    for (size_t i = 0; i < t->columns.size(); ++i) out.push_back(AttributeRow(oid, t->columns[i], static_cast<int>(i + 1)));
    for (const auto& ix : t->indexes) {
      for (size_t i = 0; i < ix.columns.size(); ++i) {
        ColumnDef c = t->columns[ix.columns[i]];
        c.not_null = false;
        c.default_expr = nullptr;
        out.push_back(AttributeRow(ix.oid, c, static_cast<int>(i + 1)));
      }
    }
  }
  for (const auto& [oid, v] : snap.views) {
    for (size_t i = 0; i < v->columns.size(); ++i) out.push_back(AttributeRow(oid, v->columns[i], static_cast<int>(i + 1)));
  }
  return out;
}

constexpr TypeId kAllTypes[] = {
    TypeId::kBool, TypeId::kBytea, TypeId::kName, TypeId::kInt8, TypeId::kInt2, TypeId::kInt4, TypeId::kText,
    TypeId::kOid, TypeId::kFloat4, TypeId::kFloat8, TypeId::kUnknown, TypeId::kBpchar, TypeId::kVarchar,
    TypeId::kDate, TypeId::kTime, TypeId::kTimestamp, TypeId::kTimestampTz, TypeId::kInterval, TypeId::kNumeric,
    TypeId::kUuid, TypeId::kRegclass, TypeId::kRegtype, TypeId::kRegnamespace, TypeId::kRegrole};

Row TypeRow(TypeId id) {
  int16_t len = types::TypeLength(id);
  TypeId elem = types::ArrayElementType(id);
  return {Oid(static_cast<uint32_t>(id)), Text(std::string(types::TypeInternalName(id))),
          Oid(kPgCatalogNamespace), Oid(kBootstrapSuperuserOid), I2(len), Bool(len > 0 && len <= 8),
          Text(id == TypeId::kUnknown ? "p" : "b"), Text(std::string(1, static_cast<char>(types::CategoryOf(id)))),
          Bool(types::IsPreferredType(id)), Bool(true), Text(","), Oid(0), Oid(static_cast<uint32_t>(elem)),
          Bool(false), Oid(0), I4(-1), Oid(IsTextual(id) || IsTextual(elem) ? kDefaultCollation : 0),
          Oid(static_cast<uint32_t>(types::ArrayTypeOf(id)))};
}

std::vector<Row> TypeRows(const CatalogSnapshot&, const std::string&) {
  std::vector<Row> out;
  for (TypeId id : kAllTypes) {
    out.push_back(TypeRow(id));
    if (TypeId a = types::ArrayTypeOf(id); a != TypeId::kUnknown) out.push_back(TypeRow(a));
  }
  return out;
}

}  // namespace

// A default that is a bare string literal reads as the column's type (PG stores it coerced, so
// pg_get_expr prints '{}'::integer[] rather than an untyped literal).
nlohmann::json DefaultNodeTree(const ColumnDef& c) {
  if (!c.default_expr.contains("A_Const") || !c.default_expr["A_Const"].contains("sval")) return c.default_expr;
  TypeId elem = types::IsArrayType(c.type.id) ? types::ArrayElementType(c.type.id) : c.type.id;
  nlohmann::json tn = {{"names", nlohmann::json::array({nlohmann::json{{"String", {{"sval", "pg_catalog"}}}},
                                                        nlohmann::json{{"String", {{"sval", std::string(types::TypeInternalName(elem))}}}}})},
                       {"typemod", -1}};
  if (types::IsArrayType(c.type.id)) tn["arrayBounds"] = nlohmann::json::array({nlohmann::json{{"Integer", {{"ival", -1}}}}});
  return {{"TypeCast", {{"arg", c.default_expr}, {"typeName", tn}}}};
}

namespace {

// pg_attrdef and pg_constraint hold expressions as Nordlys's node trees (the stored parse
// tree as JSON text) where PostgreSQL has pg_node_tree; pg_get_expr reads either back.
std::vector<Row> AttrdefRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const ColumnDef& c = t->columns[i];
      if (c.dropped || c.default_expr.is_null() || c.identity != 0) continue;
      out.push_back({Oid(AttrdefOid(oid, static_cast<int>(i))), Oid(oid), I2(static_cast<int>(i + 1)),
                     Text(DefaultNodeTree(c).dump())});
    }
  }
  return out;
}

Value Int2Array(const std::vector<int>& v) {
  std::vector<Value> e;
  for (int x : v) e.push_back(I2(x));
  return Value::Array(std::move(e));
}

// confdelsetcols: the attnums ON DELETE SET NULL / SET DEFAULT (columns) sets, else NULL.
Value DelSetCols(const ForeignKeyDef& fk) {
  if (fk.delete_set_columns.empty()) return Value();
  std::vector<int> cols;
  for (int c : fk.delete_set_columns) cols.push_back(c + 1);
  return Int2Array(cols);
}

std::vector<Row> ConstraintRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    for (const auto& ix : t->indexes) {
      if (!ix.primary && !ix.unique_constraint) continue;
      std::vector<int> keys;
      for (int c : ix.columns) keys.push_back(c + 1);
      out.push_back({Oid(ix.oid), Text(ix.name), Oid(t->namespace_oid), Text(ix.primary ? "p" : "u"), Bool(false),
                     Bool(false), Bool(true), Oid(oid), Oid(0), Oid(ix.oid), Oid(0), Oid(0), Text(" "), Text(" "),
                     Text(" "), Bool(true), I4(0), Bool(true), Int2Array(keys), Value(), Value(), Value()});
    }
    for (const auto& fk : t->foreign_keys) {
      std::vector<int> keys, fkeys;
      for (int c : fk.columns) keys.push_back(c + 1);
      for (int c : fk.ref_columns) fkeys.push_back(c + 1);
      out.push_back({Oid(fk.oid), Text(fk.name), Oid(t->namespace_oid), Text("f"), Bool(false), Bool(false),
                     Bool(fk.validated), Oid(oid), Oid(0), Oid(fk.ref_index), Oid(0), Oid(fk.ref_table),
                     Text(std::string(1, fk.update_action)), Text(std::string(1, fk.delete_action)),
                     Text(std::string(1, fk.match_type)), Bool(true), I4(0), Bool(true), Int2Array(keys),
                     Int2Array(fkeys), Value(), DelSetCols(fk)});
    }
    for (size_t i = 0; i < t->checks.size(); ++i) {
      out.push_back({Oid(CheckConstraintOid(oid, static_cast<int>(i))), Text(t->checks[i].name),
                     Oid(t->namespace_oid), Text("c"), Bool(false), Bool(false), Bool(true), Oid(oid), Oid(0), Oid(0),
                     Oid(0), Oid(0), Text(" "), Text(" "), Text(" "), Bool(true), I4(0), Bool(false), Value(), Value(),
                     Text(t->checks[i].expr.dump()), Value()});
    }
  }
  return out;
}

std::vector<Row> CollationRows(const CatalogSnapshot&, const std::string&) {
  auto row = [](uint32_t oid, const char* name, const char* provider, int encoding, const char* coll) -> Row {
    return {Oid(oid), Text(name), Oid(kPgCatalogNamespace), Oid(kBootstrapSuperuserOid), Text(provider), Bool(true),
            I4(encoding), coll ? Text(coll) : Value(), coll ? Text(coll) : Value()};
  };
  return {row(kDefaultCollation, "default", "d", -1, nullptr), row(950, "C", "c", -1, "C"),
          row(951, "POSIX", "c", -1, "POSIX")};
}

// pg_depend: what psql and tools ask of it, which objects belong to which: a serial or identity
// column's sequence ('a' / 'i') and a table's indexes ('a'; constraint indexes 'i' in PG via
// pg_constraint, simplified here to the table).
std::vector<Row> DependRows(const CatalogSnapshot& snap, const std::string&) {
  constexpr uint32_t kPgClass = 1259;
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const ColumnDef& c = t->columns[i];
      if (c.identity_sequence == 0) continue;
      out.push_back({Oid(kPgClass), Oid(c.identity_sequence), I4(0), Oid(kPgClass), Oid(oid),
                     I4(static_cast<int>(i + 1)), Text(c.identity != 0 ? "i" : "a")});
    }
    for (const auto& ix : t->indexes) {
      for (int col : ix.columns) {
        out.push_back({Oid(kPgClass), Oid(ix.oid), I4(0), Oid(kPgClass), Oid(oid), I4(col + 1), Text("a")});
      }
    }
  }
  return out;
}

std::vector<Row> SequenceRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, q] : snap.sequences) {
    out.push_back({Oid(oid), Oid(q->type.oid()), Value::Int8(q->start), Value::Int8(q->increment),
                   Value::Int8(q->max_value), Value::Int8(q->min_value), Value::Int8(1), Bool(q->cycle)});
  }
  return out;
}

// Objects Nordlys does not have yet (row security policies, extended statistics,
// publications, inheritance): the relations exist, with PostgreSQL's columns, and are empty.
std::vector<Row> NoRows(const CatalogSnapshot&, const std::string&) { return {}; }

std::vector<Row> DatabaseRows(const CatalogSnapshot&, const std::string& database) {
  return {{Oid(5), Text(database), Oid(kBootstrapSuperuserOid), I4(6), Text("c"), Bool(false), Bool(true), I4(-1),
           Text("C"), Text("C"), Value(), Value()}};
}

Value ValidUntil(const RoleDef& r) { return r.valid_until ? Value::TimestampTz(*r.valid_until) : Value(); }

std::vector<Row> RoleRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, r] : snap.roles) {
    out.push_back({Oid(oid), Text(r->name), Bool(r->superuser), Bool(r->inherit), Bool(r->createrole),
                   Bool(r->createdb), Bool(r->login), Bool(r->replication), I4(-1), ValidUntil(*r),
                   Bool(r->bypassrls), Text("********"), Value()});  // PG's view shows the mask always
  }
  return out;
}

// pg_user: the roles that can log in, in PostgreSQL's older spelling.
// pg_views: definition is pg_get_viewdef's text, 0A000 for a view it cannot reproduce.
Result<std::vector<Row>> ViewRows(const CatalogSnapshot& snap, const std::string&, const ExprPrinter&) {
  std::vector<Row> out;
  for (const auto& [oid, v] : snap.views) {
    NORDLYS_ASSIGN_OR_RETURN(std::string def, ViewDefinition(snap, *v, false));
    out.push_back({Text(snap.SchemaName(v->namespace_oid)), Text(v->name), Text(RoleName(snap, kBootstrapSuperuserOid)),
                   Text(def)});
  }
  return out;
}

std::vector<Row> UserRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& [oid, r] : snap.roles) {
    if (!r->login) continue;
    out.push_back({Text(r->name), Oid(oid), Bool(r->createdb), Bool(r->superuser), Bool(r->replication),
                   Bool(r->bypassrls), Text("********"), ValidUntil(*r), Value()});
  }
  return out;
}

std::vector<SystemRelation> MakeRelations() {
  std::vector<SystemRelation> r;
  // ACL columns are NULL, PostgreSQL's "default privileges" (GRANT/REVOKE are not built).
  r.push_back({2615, "pg_namespace",
               {C("oid", TypeId::kOid), C("nspname", TypeId::kName), C("nspowner", TypeId::kOid),
                C("nspacl", TypeId::kTextArray)},
               {}, &NamespaceRows});
  r.push_back({1259, "pg_class", kClassColumns,
               {"relfrozenxid", "relminmxid", "relallvisible",
                "relrewrite"},
               &ClassRows});
  r.push_back({2601, "pg_am", {C("oid", TypeId::kOid), C("amname", TypeId::kName), C("amtype", TypeId::kText)},
               {"amhandler"}, &AmRows});
  r.push_back({2610, "pg_index",
               {C("indexrelid", TypeId::kOid), C("indrelid", TypeId::kOid), C("indnatts", TypeId::kInt2),
                C("indnkeyatts", TypeId::kInt2), C("indisunique", TypeId::kBool),
                C("indnullsnotdistinct", TypeId::kBool), C("indisprimary", TypeId::kBool),
                C("indisexclusion", TypeId::kBool), C("indimmediate", TypeId::kBool),
                C("indisclustered", TypeId::kBool), C("indisvalid", TypeId::kBool),
                C("indcheckxmin", TypeId::kBool), C("indisready", TypeId::kBool), C("indislive", TypeId::kBool),
                C("indisreplident", TypeId::kBool), C("indexprs", TypeId::kText), C("indpred", TypeId::kText)},
               {"indkey", "indcollation", "indclass", "indoption"},
               &IndexRows});
  r.push_back({1249, "pg_attribute",
               {C("attrelid", TypeId::kOid), C("attname", TypeId::kName), C("atttypid", TypeId::kOid),
                C("attlen", TypeId::kInt2), C("attnum", TypeId::kInt2), C("atttypmod", TypeId::kInt4),
                C("attnotnull", TypeId::kBool), C("atthasdef", TypeId::kBool), C("attidentity", TypeId::kText),
                C("attgenerated", TypeId::kText), C("attisdropped", TypeId::kBool),
                C("attcollation", TypeId::kOid), C("attstattarget", TypeId::kInt4),
                C("attstorage", TypeId::kText), C("attcompression", TypeId::kText), C("attndims", TypeId::kInt4),
                C("attacl", TypeId::kTextArray)},
               {"attoptions", "attfdwoptions", "attmissingval",
                "attbyval", "attalign", "attinhcount", "attislocal", "atthasmissing"},
               &AttributeRows});
  r.push_back({1247, "pg_type",
               {C("oid", TypeId::kOid), C("typname", TypeId::kName), C("typnamespace", TypeId::kOid),
                C("typowner", TypeId::kOid), C("typlen", TypeId::kInt2), C("typbyval", TypeId::kBool),
                C("typtype", TypeId::kText), C("typcategory", TypeId::kText), C("typispreferred", TypeId::kBool),
                C("typisdefined", TypeId::kBool), C("typdelim", TypeId::kText), C("typrelid", TypeId::kOid),
                C("typelem", TypeId::kOid), C("typnotnull", TypeId::kBool), C("typbasetype", TypeId::kOid),
                C("typtypmod", TypeId::kInt4), C("typcollation", TypeId::kOid), C("typarray", TypeId::kOid)},
               {"typinput", "typoutput", "typreceive", "typsend", "typalign", "typstorage",
                "typndims", "typdefault", "typdefaultbin", "typacl", "typsubscript", "typmodin", "typmodout",
                "typanalyze"},
               &TypeRows});
  r.push_back({1262, "pg_database",
               {C("oid", TypeId::kOid), C("datname", TypeId::kName), C("datdba", TypeId::kOid),
                C("encoding", TypeId::kInt4), C("datlocprovider", TypeId::kText), C("datistemplate", TypeId::kBool),
                C("datallowconn", TypeId::kBool), C("datconnlimit", TypeId::kInt4), C("datcollate", TypeId::kText),
                C("datctype", TypeId::kText), C("daticulocale", TypeId::kText), C("datacl", TypeId::kTextArray)},
               {"datfrozenxid", "datminmxid", "dattablespace", "datcollversion"},
               &DatabaseRows});
  r.push_back({1260, "pg_roles",
               {C("oid", TypeId::kOid), C("rolname", TypeId::kName), C("rolsuper", TypeId::kBool),
                C("rolinherit", TypeId::kBool), C("rolcreaterole", TypeId::kBool), C("rolcreatedb", TypeId::kBool),
                C("rolcanlogin", TypeId::kBool), C("rolreplication", TypeId::kBool),
                C("rolconnlimit", TypeId::kInt4), C("rolvaliduntil", TypeId::kTimestampTz),
                C("rolbypassrls", TypeId::kBool), C("rolpassword", TypeId::kText), C("rolconfig", TypeId::kTextArray)},
               {},
               &RoleRows});
  r.push_back({12005, "pg_user",
               {C("usename", TypeId::kName), C("usesysid", TypeId::kOid), C("usecreatedb", TypeId::kBool),
                C("usesuper", TypeId::kBool), C("userepl", TypeId::kBool), C("usebypassrls", TypeId::kBool),
                C("passwd", TypeId::kText), C("valuntil", TypeId::kTimestampTz), C("useconfig", TypeId::kTextArray)},
               {}, &UserRows});
  r.push_back({12028, "pg_views",
               {C("schemaname", TypeId::kName), C("viewname", TypeId::kName), C("viewowner", TypeId::kName),
                C("definition", TypeId::kText)},
               {}, nullptr, &ViewRows});
  r.push_back({2604, "pg_attrdef",
               {C("oid", TypeId::kOid), C("adrelid", TypeId::kOid), C("adnum", TypeId::kInt2),
                C("adbin", TypeId::kText)},
               {}, &AttrdefRows});
  r.push_back({2606, "pg_constraint",
               {C("oid", TypeId::kOid), C("conname", TypeId::kName), C("connamespace", TypeId::kOid),
                C("contype", TypeId::kText), C("condeferrable", TypeId::kBool), C("condeferred", TypeId::kBool),
                C("convalidated", TypeId::kBool), C("conrelid", TypeId::kOid), C("contypid", TypeId::kOid),
                C("conindid", TypeId::kOid), C("conparentid", TypeId::kOid), C("confrelid", TypeId::kOid),
                C("confupdtype", TypeId::kText), C("confdeltype", TypeId::kText), C("confmatchtype", TypeId::kText),
                C("conislocal", TypeId::kBool), C("coninhcount", TypeId::kInt4), C("connoinherit", TypeId::kBool),
                C("conkey", TypeId::kInt2Array), C("confkey", TypeId::kInt2Array), C("conbin", TypeId::kText),
                C("confdelsetcols", TypeId::kInt2Array)},
               {"conpfeqop", "conppeqop", "conffeqop", "conexclop"}, &ConstraintRows});
  r.push_back({3456, "pg_collation",
               {C("oid", TypeId::kOid), C("collname", TypeId::kName), C("collnamespace", TypeId::kOid),
                C("collowner", TypeId::kOid), C("collprovider", TypeId::kText),
                C("collisdeterministic", TypeId::kBool), C("collencoding", TypeId::kInt4),
                C("collcollate", TypeId::kText), C("collctype", TypeId::kText)},
               {"colliculocale", "collversion"}, &CollationRows});
  r.push_back({3256, "pg_policy",
               {C("oid", TypeId::kOid), C("polname", TypeId::kName), C("polrelid", TypeId::kOid),
                C("polcmd", TypeId::kText), C("polpermissive", TypeId::kBool), C("polroles", TypeId::kOidArray),
                C("polqual", TypeId::kText), C("polwithcheck", TypeId::kText)},
               {}, &NoRows});
  r.push_back({3381, "pg_statistic_ext",
               {C("oid", TypeId::kOid), C("stxrelid", TypeId::kOid), C("stxname", TypeId::kName),
                C("stxnamespace", TypeId::kOid), C("stxowner", TypeId::kOid), C("stxstattarget", TypeId::kInt4),
                C("stxkeys", TypeId::kInt2Array), C("stxkind", TypeId::kTextArray), C("stxexprs", TypeId::kText)},
               {}, &NoRows});
  r.push_back({6104, "pg_publication",
               {C("oid", TypeId::kOid), C("pubname", TypeId::kName), C("pubowner", TypeId::kOid),
                C("puballtables", TypeId::kBool), C("pubinsert", TypeId::kBool), C("pubupdate", TypeId::kBool),
                C("pubdelete", TypeId::kBool), C("pubtruncate", TypeId::kBool), C("pubviaroot", TypeId::kBool)},
               {}, &NoRows});
  r.push_back({6237, "pg_publication_namespace",
               {C("oid", TypeId::kOid), C("pnpubid", TypeId::kOid), C("pnnspid", TypeId::kOid)}, {}, &NoRows});
  r.push_back({6106, "pg_publication_rel",
               {C("oid", TypeId::kOid), C("prpubid", TypeId::kOid), C("prrelid", TypeId::kOid),
                C("prqual", TypeId::kText), C("prattrs", TypeId::kInt2Array)},
               {}, &NoRows});
  r.push_back({2224, "pg_sequence",
               {C("seqrelid", TypeId::kOid), C("seqtypid", TypeId::kOid), C("seqstart", TypeId::kInt8),
                C("seqincrement", TypeId::kInt8), C("seqmax", TypeId::kInt8), C("seqmin", TypeId::kInt8),
                C("seqcache", TypeId::kInt8), C("seqcycle", TypeId::kBool)},
               {}, &SequenceRows});
  r.push_back({3079, "pg_extension",
               {C("oid", TypeId::kOid), C("extname", TypeId::kName), C("extowner", TypeId::kOid),
                C("extnamespace", TypeId::kOid), C("extrelocatable", TypeId::kBool), C("extversion", TypeId::kText),
                C("extconfig", TypeId::kOidArray), C("extcondition", TypeId::kTextArray)},
               {}, &NoRows});
  // COMMENT ON is not built: no object has a description.
  r.push_back({2609, "pg_description",
               {C("objoid", TypeId::kOid), C("classoid", TypeId::kOid), C("objsubid", TypeId::kInt4),
                C("description", TypeId::kText)},
               {}, &NoRows});
  r.push_back({2608, "pg_depend",
               {C("classid", TypeId::kOid), C("objid", TypeId::kOid), C("objsubid", TypeId::kInt4),
                C("refclassid", TypeId::kOid), C("refobjid", TypeId::kOid), C("refobjsubid", TypeId::kInt4),
                C("deptype", TypeId::kText)},
               {}, &DependRows});
  r.push_back({1261, "pg_auth_members",
               {C("oid", TypeId::kOid), C("roleid", TypeId::kOid), C("member", TypeId::kOid),
                C("grantor", TypeId::kOid), C("admin_option", TypeId::kBool)},
               {}, &NoRows});
  // Foreign keys are enforced without triggers, and CREATE TRIGGER is not built: no rows (where
  // PostgreSQL lists its internal RI triggers).
  r.push_back({2620, "pg_trigger",
               {C("oid", TypeId::kOid), C("tgrelid", TypeId::kOid), C("tgparentid", TypeId::kOid),
                C("tgname", TypeId::kName), C("tgfoid", TypeId::kOid), C("tgtype", TypeId::kInt2),
                C("tgenabled", TypeId::kText), C("tgisinternal", TypeId::kBool), C("tgconstrrelid", TypeId::kOid),
                C("tgconstrindid", TypeId::kOid), C("tgconstraint", TypeId::kOid), C("tgdeferrable", TypeId::kBool),
                C("tginitdeferred", TypeId::kBool), C("tgnargs", TypeId::kInt2), C("tgargs", TypeId::kBytea),
                C("tgqual", TypeId::kText), C("tgoldtable", TypeId::kName), C("tgnewtable", TypeId::kName)},
               {"tgattr"}, &NoRows});
  r.push_back({2611, "pg_inherits",
               {C("inhrelid", TypeId::kOid), C("inhparent", TypeId::kOid), C("inhseqno", TypeId::kInt4),
                C("inhdetachpending", TypeId::kBool)},
               {}, &NoRows});
  return r;
}

}  // namespace

const std::vector<SystemRelation>& SystemRelations() {
  static const std::vector<SystemRelation> relations = MakeRelations();
  return relations;
}

const SystemRelation* FindSystemRelation(std::string_view name) {
  for (const auto& r : SystemRelations()) {
    if (r.name == name) return &r;
  }
  return nullptr;
}


std::string RoleName(const CatalogSnapshot& snap, uint32_t oid) {
  if (const RoleDef* r = snap.RoleByOid(oid)) return r->name;
  return "unknown (OID=" + std::to_string(oid) + ")";
}

namespace {
constexpr uint32_t kDerivedOidBit = 0x80000000u;
constexpr uint32_t kDerivedCheckBit = 0x40000000u;
constexpr int kDerivedPositionBits = 10;  // up to 1024 columns / checks per table
}  // namespace

uint32_t AttrdefOid(uint32_t table_oid, int column) {
  return kDerivedOidBit | ((table_oid & 0xFFFFF) << kDerivedPositionBits) | static_cast<uint32_t>(column & 0x3FF);
}

uint32_t CheckConstraintOid(uint32_t table_oid, int check) {
  return AttrdefOid(table_oid, check) | kDerivedCheckBit;
}

bool DecodeDerivedOid(uint32_t oid, bool* is_check, uint32_t* table_oid, int* position) {
  if ((oid & kDerivedOidBit) == 0) return false;
  *is_check = (oid & kDerivedCheckBit) != 0;
  *table_oid = (oid >> kDerivedPositionBits) & 0xFFFFF;
  *position = static_cast<int>(oid & 0x3FF);
  return true;
}

bool RelationVisible(const CatalogSnapshot& snap, uint32_t oid) {
  for (const auto& r : SystemRelations()) {
    if (r.oid == oid) return true;
  }
  if (const TableDef* t = snap.TableByOid(oid)) return t->namespace_oid == kPublicNamespace;
  if (const ViewDef* v = snap.ViewByOid(oid)) return v->namespace_oid == kPublicNamespace;
  for (const auto& [toid, t] : snap.tables) {
    for (const auto& ix : t->indexes) {
      if (ix.oid == oid) return t->namespace_oid == kPublicNamespace;
    }
  }
  auto s = snap.sequences.find(oid);
  return s != snap.sequences.end() && s->second->namespace_oid == kPublicNamespace;
}

namespace {


// Splits "a.b" / "\"A\".b" into identifiers, downcasing the unquoted ones. Empty on bad syntax.
std::vector<std::string> SplitQualifiedName(std::string_view s) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (true) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::string part;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return {};
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            part.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        part.push_back(s[i++]);
      }
    } else {
      while (i < s.size() && s[i] != '.' && s[i] != ' ') {
        part.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
        ++i;
      }
      if (part.empty()) return {};
    }
    parts.push_back(part);
    while (i < s.size() && s[i] == ' ') ++i;
    if (i == s.size()) return parts;
    if (s[i] != '.') return {};
    ++i;
  }
}

Status NoSuch(const char* what, std::string_view name, const char* sqlstate) {
  return Status::Sql(StatusCode::kNotFound, sqlstate, std::string(what) + " \"" + std::string(name) + "\" does not exist");
}

}  // namespace

std::optional<std::string> CatalogOidNamer::Name(types::TypeId reg_type, uint32_t oid) const {
  using types::TypeId;
  switch (reg_type) {
    case TypeId::kRegtype:
      if (!types::IsKnownTypeOid(oid)) return std::nullopt;
      return types::FormatType(types::Type(static_cast<TypeId>(oid)));
    case TypeId::kRegrole:
      if (snap_ == nullptr || snap_->RoleByOid(oid) == nullptr) return std::nullopt;
      return QuoteIdentifier(snap_->RoleByOid(oid)->name);
    case TypeId::kRegnamespace:
      if (oid == kPgCatalogNamespace) return "pg_catalog";
      if (snap_ == nullptr || snap_->schemas.count(oid) == 0) return std::nullopt;
      return QuoteIdentifier(snap_->SchemaName(oid));
    case TypeId::kRegclass: {
      for (const auto& r : SystemRelations()) {
        if (r.oid == oid) return r.name;
      }
      if (snap_ == nullptr) return std::nullopt;
      std::string name;
      uint32_t ns = 0;
      if (const TableDef* t = snap_->TableByOid(oid)) {
        name = t->name;
        ns = t->namespace_oid;
      } else if (const ViewDef* v = snap_->ViewByOid(oid)) {
        name = v->name;
        ns = v->namespace_oid;
      } else if (auto s = snap_->sequences.find(oid); s != snap_->sequences.end()) {
        name = s->second->name;
        ns = s->second->namespace_oid;
      } else {
        for (const auto& [toid, t] : snap_->tables) {
          for (const auto& ix : t->indexes) {
            if (ix.oid == oid) {
              name = ix.name;
              ns = t->namespace_oid;
            }
          }
        }
      }
      if (name.empty()) return std::nullopt;
      if (RelationVisible(*snap_, oid)) return QuoteIdentifier(name);
      return QuoteIdentifier(snap_->SchemaName(ns)) + "." + QuoteIdentifier(name);
    }
    default:
      return std::nullopt;
  }
}

Result<uint32_t> CatalogOidNamer::Lookup(types::TypeId reg_type, std::string_view text) const {
  using types::TypeId;
  if (reg_type == TypeId::kRegtype) {
    std::string_view base = text;
    const bool array = base.size() > 2 && base.substr(base.size() - 2) == "[]";
    if (array) base.remove_suffix(2);
    auto t = types::LookupTypeByName(base);
    if (!t.ok()) return NoSuch("type", text, "42704");
    if (!array) return t->oid();
    TypeId a = types::ArrayTypeOf(t->id);
    if (a == TypeId::kUnknown) return NoSuch("type", text, "42704");
    return static_cast<uint32_t>(a);
  }
  std::vector<std::string> parts = SplitQualifiedName(text);
  if (parts.empty()) return Status::Sql(StatusCode::kInvalidArgument, "42602", "invalid name syntax");
  if (reg_type == TypeId::kRegrole) {
    if (parts.size() != 1) return Status::Sql(StatusCode::kInvalidArgument, "42602", "invalid name syntax");
    if (snap_ != nullptr) {
      if (const RoleDef* r = snap_->FindRole(parts[0])) return r->oid;
    }
    return NoSuch("role", parts[0], "42704");
  }
  if (reg_type == TypeId::kRegnamespace) {
    if (parts.size() != 1) return Status::Sql(StatusCode::kInvalidArgument, "42602", "invalid name syntax");
    if (parts[0] == "pg_catalog") return kPgCatalogNamespace;
    uint32_t oid = snap_ ? snap_->SchemaOid(parts[0]) : 0;
    if (oid == 0) return NoSuch("schema", parts[0], "3F000");
    return oid;
  }
  if (reg_type != TypeId::kRegclass || parts.size() > 2) {
    return Status::Sql(StatusCode::kInvalidArgument, "42602", "invalid name syntax");
  }
  const std::string& rel = parts.back();
  const bool qualified = parts.size() == 2;
  if (!qualified || parts[0] == "pg_catalog") {
    if (const SystemRelation* r = FindSystemRelation(rel)) return r->oid;
  }
  if (snap_ != nullptr) {
    uint32_t ns = 0;
    if (qualified) {
      ns = parts[0] == "pg_catalog" ? kPgCatalogNamespace : snap_->SchemaOid(parts[0]);
      if (ns == 0) return NoSuch("schema", parts[0], "3F000");
    }
    if (const TableDef* t = snap_->FindTable(ns, rel)) return t->oid;
    if (const ViewDef* v = snap_->FindView(ns, rel)) return v->oid;
    if (const SequenceDef* s = snap_->FindSequence(ns, rel)) return s->oid;
    const IndexDef* ix = nullptr;
    if (snap_->FindIndex(ns, rel, &ix) != nullptr && ix != nullptr) return ix->oid;
  }
  return NoSuch("relation", text, "42P01");
}

}  // namespace nordlys::engine::sql
