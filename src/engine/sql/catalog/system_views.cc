// See system_views.h.
#include "engine/sql/catalog/system_views.h"

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
  for (const auto& [oid, s] : snap.schemas) out.push_back({Oid(oid), Text(s.name), Oid(kBootstrapSuperuserOid)});
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
};

Row ClassRow(uint32_t oid, const std::string& name, uint32_t ns, uint32_t am, const char* kind, int natts,
             int checks, bool has_index) {
  return {Oid(oid),  Text(name),        Oid(ns),         Oid(0),        Oid(0),       Oid(kBootstrapSuperuserOid),
          Oid(am),   Oid(oid),          Oid(0),          I4(0),         Value::Float4(-1), Oid(0),
          Bool(has_index), Bool(false), Text("p"),       Text(kind),    I2(natts),    I2(checks),
          Bool(false), Bool(false),     Bool(false),     Bool(false),   Bool(false),  Bool(true),
          Text(kind[0] == 'r' ? "d" : "n"), Bool(false)};
}

std::vector<Row> ClassRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
  for (const auto& r : SystemRelations()) {
    out.push_back(ClassRow(r.oid, r.name, kPgCatalogNamespace, 0, "v", static_cast<int>(r.columns.size()), 0, false));
  }
  for (const auto& [oid, t] : snap.tables) {
    out.push_back(ClassRow(oid, t->name, t->namespace_oid, kHeapAm, "r", static_cast<int>(t->columns.size()),
                           static_cast<int>(t->checks.size()), !t->indexes.empty()));
    for (const auto& ix : t->indexes) {
      out.push_back(ClassRow(ix.oid, ix.name, t->namespace_oid, kBtreeAm, "i", static_cast<int>(ix.columns.size()), 0,
                             false));
    }
  }
  for (const auto& [oid, s] : snap.sequences) {
    out.push_back(ClassRow(oid, s->name, s->namespace_oid, 0, "S", 3, 0, false));
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
                     Bool(false)});
    }
  }
  return out;
}

Row AttributeRow(uint32_t rel, const ColumnDef& c, int attnum) {
  int16_t len = types::TypeLength(c.type.id);
  if (c.dropped) {
    return {Oid(rel), Text("........pg.dropped." + std::to_string(attnum) + "........"), Oid(0), I2(len), I2(attnum),
            I4(-1), Bool(false), Bool(false), Text(""), Text(""), Bool(true), Oid(0), I4(0), Text(len == -1 ? "x" : "p")};
  }
  return {Oid(rel),  Text(c.name), Oid(c.type.oid()), I2(len), I2(attnum), I4(c.type.typmod), Bool(c.not_null),
          Bool(!c.default_expr.is_null() && c.identity == 0), Text(c.identity ? std::string(1, c.identity) : ""),
          Text(""), Bool(false),
          Oid(IsTextual(c.type.id) ? kDefaultCollation : 0), I4(-1), Text(len == -1 ? "x" : "p")};
}

std::vector<Row> AttributeRows(const CatalogSnapshot& snap, const std::string&) {
  std::vector<Row> out;
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
  return out;
}

constexpr TypeId kAllTypes[] = {
    TypeId::kBool, TypeId::kBytea, TypeId::kName, TypeId::kInt8, TypeId::kInt2, TypeId::kInt4, TypeId::kText,
    TypeId::kOid, TypeId::kFloat4, TypeId::kFloat8, TypeId::kUnknown, TypeId::kBpchar, TypeId::kVarchar,
    TypeId::kDate, TypeId::kTime, TypeId::kTimestamp, TypeId::kTimestampTz, TypeId::kInterval, TypeId::kNumeric,
    TypeId::kUuid};

std::vector<Row> TypeRows(const CatalogSnapshot&, const std::string&) {
  std::vector<Row> out;
  for (TypeId id : kAllTypes) {
    int16_t len = types::TypeLength(id);
    out.push_back({Oid(static_cast<uint32_t>(id)), Text(std::string(types::TypeInternalName(id))),
                   Oid(kPgCatalogNamespace), Oid(kBootstrapSuperuserOid), I2(len), Bool(len > 0 && len <= 8),
                   Text(id == TypeId::kUnknown ? "p" : "b"), Text(std::string(1, static_cast<char>(types::CategoryOf(id)))),
                   Bool(types::IsPreferredType(id)), Bool(true), Text(","), Oid(0), Oid(0), Bool(false), Oid(0),
                   I4(-1), Oid(IsTextual(id) ? kDefaultCollation : 0)});
  }
  return out;
}

std::vector<Row> DatabaseRows(const CatalogSnapshot&, const std::string& database) {
  return {{Oid(5), Text(database), Oid(kBootstrapSuperuserOid), I4(6), Text("c"), Bool(false), Bool(true), I4(-1),
           Text("C"), Text("C"), Value()}};
}

std::vector<Row> RoleRows(const CatalogSnapshot&, const std::string&) {
  return {{Oid(kBootstrapSuperuserOid), Text("postgres"), Bool(true), Bool(true), Bool(true), Bool(true), Bool(true),
           Bool(true), I4(-1), Value(), Bool(true)}};
}

std::vector<SystemRelation> MakeRelations() {
  std::vector<SystemRelation> r;
  r.push_back({2615, "pg_namespace", {C("oid", TypeId::kOid), C("nspname", TypeId::kName), C("nspowner", TypeId::kOid)},
               {"nspacl"}, &NamespaceRows});
  r.push_back({1259, "pg_class", kClassColumns,
               {"relacl", "reloptions", "relpartbound", "relfrozenxid", "relminmxid", "relallvisible",
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
                C("indisreplident", TypeId::kBool)},
               {"indkey", "indcollation", "indclass", "indoption", "indexprs", "indpred"},
               &IndexRows});
  r.push_back({1249, "pg_attribute",
               {C("attrelid", TypeId::kOid), C("attname", TypeId::kName), C("atttypid", TypeId::kOid),
                C("attlen", TypeId::kInt2), C("attnum", TypeId::kInt2), C("atttypmod", TypeId::kInt4),
                C("attnotnull", TypeId::kBool), C("atthasdef", TypeId::kBool), C("attidentity", TypeId::kText),
                C("attgenerated", TypeId::kText), C("attisdropped", TypeId::kBool),
                C("attcollation", TypeId::kOid), C("attstattarget", TypeId::kInt4),
                C("attstorage", TypeId::kText)},
               {"attacl", "attoptions", "attfdwoptions", "attmissingval", "attcompression", "attndims",
                "attbyval", "attalign", "attinhcount", "attislocal", "atthasmissing"},
               &AttributeRows});
  r.push_back({1247, "pg_type",
               {C("oid", TypeId::kOid), C("typname", TypeId::kName), C("typnamespace", TypeId::kOid),
                C("typowner", TypeId::kOid), C("typlen", TypeId::kInt2), C("typbyval", TypeId::kBool),
                C("typtype", TypeId::kText), C("typcategory", TypeId::kText), C("typispreferred", TypeId::kBool),
                C("typisdefined", TypeId::kBool), C("typdelim", TypeId::kText), C("typrelid", TypeId::kOid),
                C("typelem", TypeId::kOid), C("typnotnull", TypeId::kBool), C("typbasetype", TypeId::kOid),
                C("typtypmod", TypeId::kInt4), C("typcollation", TypeId::kOid)},
               {"typarray", "typinput", "typoutput", "typreceive", "typsend", "typalign", "typstorage",
                "typndims", "typdefault", "typdefaultbin", "typacl", "typsubscript", "typmodin", "typmodout",
                "typanalyze"},
               &TypeRows});
  r.push_back({1262, "pg_database",
               {C("oid", TypeId::kOid), C("datname", TypeId::kName), C("datdba", TypeId::kOid),
                C("encoding", TypeId::kInt4), C("datlocprovider", TypeId::kText), C("datistemplate", TypeId::kBool),
                C("datallowconn", TypeId::kBool), C("datconnlimit", TypeId::kInt4), C("datcollate", TypeId::kText),
                C("datctype", TypeId::kText), C("daticulocale", TypeId::kText)},
               {"datacl", "datfrozenxid", "datminmxid", "dattablespace", "datcollversion"},
               &DatabaseRows});
  r.push_back({1260, "pg_roles",
               {C("oid", TypeId::kOid), C("rolname", TypeId::kName), C("rolsuper", TypeId::kBool),
                C("rolinherit", TypeId::kBool), C("rolcreaterole", TypeId::kBool), C("rolcreatedb", TypeId::kBool),
                C("rolcanlogin", TypeId::kBool), C("rolreplication", TypeId::kBool),
                C("rolconnlimit", TypeId::kInt4), C("rolvaliduntil", TypeId::kTimestampTz),
                C("rolbypassrls", TypeId::kBool)},
               {"rolpassword", "rolconfig"},
               &RoleRows});
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

std::string RoleName(uint32_t oid) {
  if (oid == kBootstrapSuperuserOid) return "postgres";
  return "unknown (OID=" + std::to_string(oid) + ")";
}

bool RelationVisible(const CatalogSnapshot& snap, uint32_t oid) {
  for (const auto& r : SystemRelations()) {
    if (r.oid == oid) return true;
  }
  if (const TableDef* t = snap.TableByOid(oid)) return t->namespace_oid == kPublicNamespace;
  for (const auto& [toid, t] : snap.tables) {
    for (const auto& ix : t->indexes) {
      if (ix.oid == oid) return t->namespace_oid == kPublicNamespace;
    }
  }
  auto s = snap.sequences.find(oid);
  return s != snap.sequences.end() && s->second->namespace_oid == kPublicNamespace;
}

}  // namespace nordlys::engine::sql
