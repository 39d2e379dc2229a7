// The information_schema views drivers and ORMs read (schemata, tables, columns, constraints
// and their columns, sequences), computed from a CatalogSnapshot like the pg_catalog relations
// (system_views.h).
//
// PostgreSQL defines these columns over domains (sql_identifier, character_data,
// cardinal_number, yes_or_no) and sends clients their base types, so the columns here are
// name, varchar and int4, with the values PostgreSQL 15's view definitions compute.
//
// Rows: the objects of user schemas (public and CREATE SCHEMA's). PostgreSQL also lists its
// own catalogs (pg_catalog's tables and views, information_schema's views) in tables, columns
// and the constraint views; Nordlys lists none of them there. schemata lists pg_catalog,
// pg_toast and information_schema as PostgreSQL does.
//
// Thread safety: the registry is immutable; the row functions read only their arguments.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "engine/sql/catalog/system_views.h"
#include "engine/sql/catalog/view_definition.h"
#include "engine/types/type.h"

namespace nordlys::engine::sql {
namespace {

using types::Type;
using types::TypeId;
using types::Value;

constexpr int kMaxEncodingBytes = 4;  // UTF8: pg_encoding_max_length of the database's encoding

Value Text(std::string s) { return Value::String(std::move(s)); }
Value I4(int64_t v) { return Value::Int4(static_cast<int32_t>(v)); }
Value YesNo(bool b) { return Value::String(b ? "YES" : "NO"); }
Value Null() { return Value(); }

SystemColumn Ident(const char* name) { return {name, Type(TypeId::kName)}; }
SystemColumn Chars(const char* name) { return {name, Type(TypeId::kVarchar)}; }
SystemColumn Card(const char* name) { return {name, Type(TypeId::kInt4)}; }
SystemColumn YN(const char* name) { return {name, Type(TypeId::kVarchar, 3 + types::kVarHdrSz)}; }

std::string SchemaOf(const CatalogSnapshot& snap, uint32_t ns) { return snap.SchemaName(ns); }

// The sequence behind an identity column (GENERATED ... AS IDENTITY), else nullptr. Serial
// columns' sequences are not identity sequences.
const SequenceDef* IdentitySequence(const CatalogSnapshot& snap, const ColumnDef& c) {
  if (c.identity == 0 || c.identity_sequence == 0) return nullptr;
  auto it = snap.sequences.find(c.identity_sequence);
  return it == snap.sequences.end() ? nullptr : it->second.get();
}

// --- schemata ---

Result<std::vector<Row>> SchemataRows(const CatalogSnapshot& snap, const std::string& db, const ExprPrinter&) {
  std::vector<Row> out;
  auto row = [&](const std::string& name) {
    // PostgreSQL 15 gives public to pg_database_owner; Nordlys records no other schema owner
    // and reports the bootstrap superuser, as pg_namespace.nspowner does.
    std::string owner = name == "public" ? "pg_database_owner" : RoleName(snap, kBootstrapSuperuserOid);
    out.push_back({Text(db), Text(name), Text(owner), Null(), Null(), Null(), Null()});
  };
  bool has_info = false, has_toast = false;
  for (const auto& [oid, s] : snap.schemas) {
    row(s.name);
    has_info |= s.name == "information_schema";
    has_toast |= s.name == "pg_toast";
  }
  if (!has_info) row("information_schema");
  if (!has_toast) row("pg_toast");
  return out;
}

// --- tables ---

Result<std::vector<Row>> TablesRows(const CatalogSnapshot& snap, const std::string& db, const ExprPrinter&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    out.push_back({Text(db), Text(SchemaOf(snap, t->namespace_oid)), Text(t->name), Text("BASE TABLE"), Null(), Null(),
                   Null(), Null(), Null(), YesNo(true), YesNo(false), Null()});
  }
  return out;
}

// --- views ---

// view_definition is pg_get_viewdef's text and is_updatable / is_insertable_into PostgreSQL's
// automatically-updatable verdict; both are known only for simple views (view_definition.h),
// so with any other view this is 0A000 rather than a guess. (Nordlys itself does not write
// through views yet: INSERT/UPDATE/DELETE on one is 0A000 whatever this says.)
Result<std::vector<Row>> ViewsRows(const CatalogSnapshot& snap, const std::string& db, const ExprPrinter&) {
  std::vector<Row> out;
  for (const auto& [oid, v] : snap.views) {
    NORDLYS_ASSIGN_OR_RETURN(std::string def, ViewDefinition(snap, *v, false));
    NORDLYS_ASSIGN_OR_RETURN(bool updatable, ViewIsAutoUpdatable(snap, *v));
    out.push_back({Text(db), Text(SchemaOf(snap, v->namespace_oid)), Text(v->name), Text(def), Text("NONE"),
                   YesNo(updatable), YesNo(updatable), YesNo(false), YesNo(false), YesNo(false)});
  }
  return out;
}

// --- columns ---

bool IsCharType(TypeId id) { return id == TypeId::kBpchar || id == TypeId::kVarchar; }

// information_schema._pg_char_max_length and friends, for a column's (non-domain) type.
Value CharMaxLength(const Type& t) {
  if (IsCharType(t.id) && t.typmod != -1) return I4(t.typmod - types::kVarHdrSz);
  return Null();
}

Value CharOctetLength(const Type& t) {
  if (t.id != TypeId::kText && !IsCharType(t.id)) return Null();
  if (t.typmod == -1) return I4(1 << 30);
  return I4(static_cast<int64_t>(t.typmod - types::kVarHdrSz) * kMaxEncodingBytes);
}

Value NumericPrecision(const Type& t) {
  switch (t.id) {
    case TypeId::kInt2: return I4(16);
    case TypeId::kInt4: return I4(32);
    case TypeId::kInt8: return I4(64);
    case TypeId::kFloat4: return I4(24);
    case TypeId::kFloat8: return I4(53);
    case TypeId::kNumeric:
      if (t.typmod == -1) return Null();
      return I4(((t.typmod - types::kVarHdrSz) >> 16) & 0xFFFF);
    default: return Null();
  }
}

Value NumericRadix(const Type& t) {
  switch (t.id) {
    case TypeId::kInt2: case TypeId::kInt4: case TypeId::kInt8: case TypeId::kFloat4: case TypeId::kFloat8:
      return I4(2);
    case TypeId::kNumeric: return I4(10);
    default: return Null();
  }
}

Value NumericScale(const Type& t) {
  switch (t.id) {
    case TypeId::kInt2: case TypeId::kInt4: case TypeId::kInt8: return I4(0);
    case TypeId::kNumeric:
      if (t.typmod == -1) return Null();
      return I4((t.typmod - types::kVarHdrSz) & 0xFFFF);
    default: return Null();
  }
}

Value DatetimePrecision(const Type& t) {
  switch (t.id) {
    case TypeId::kDate: return I4(0);
    case TypeId::kTime: case TypeId::kTimestamp: case TypeId::kTimestampTz:
      return I4(t.typmod < 0 ? 6 : t.typmod);
    case TypeId::kInterval:
      if (t.typmod < 0 || (t.typmod & 0xFFFF) == 0xFFFF) return I4(6);
      return I4(t.typmod & 0xFFFF);
    default: return Null();
  }
}

// The fields of an interval column ("YEAR TO MONTH"), from format_type as PG's
// _pg_interval_type takes them; NULL without fields.
Value IntervalType(const Type& t) {
  if (t.id != TypeId::kInterval || t.typmod == -1) return Null();
  std::string s = types::FormatType(t);
  size_t i = std::string("interval").size();
  while (i < s.size() && (s[i] == '(' || s[i] == ')' || (s[i] >= '0' && s[i] <= '9'))) ++i;
  if (i >= s.size() || s[i] != ' ') return Null();
  std::string fields = s.substr(i + 1);
  for (char& c : fields) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Text(fields);
}

std::string DataType(const Type& t) {
  if (types::IsArrayType(t.id)) return "ARRAY";
  return types::FormatType(Type(t.id));
}

Result<std::vector<Row>> ColumnsRows(const CatalogSnapshot& snap, const std::string& db, const ExprPrinter& print) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    const std::string schema = SchemaOf(snap, t->namespace_oid);
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const ColumnDef& c = t->columns[i];
      if (c.dropped) continue;
      const int attnum = static_cast<int>(i + 1);
      Value column_default;
      if (!c.default_expr.is_null() && c.identity == 0) {
        NORDLYS_ASSIGN_OR_RETURN(std::string d, print(DefaultNodeTree(c), oid, /*strip_outer_parens=*/false));
        column_default = Text(std::move(d));
      }
      const SequenceDef* seq = IdentitySequence(snap, c);
      auto seq_text = [&](int64_t v) { return seq ? Text(std::to_string(v)) : Null(); };
      Value generation = c.identity == 'a' ? Text("ALWAYS") : c.identity == 'd' ? Text("BY DEFAULT") : Null();
      out.push_back({
          Text(db), Text(schema), Text(t->name), Text(c.name), I4(attnum), column_default,
          YesNo(!c.not_null), Text(DataType(c.type)), CharMaxLength(c.type), CharOctetLength(c.type),
          NumericPrecision(c.type), NumericRadix(c.type), NumericScale(c.type), DatetimePrecision(c.type),
          IntervalType(c.type), Null(),                        // interval_precision: always NULL in PG 15
          Null(), Null(), Null(),                              // character_set_*
          Null(), Null(), Null(),                              // collation_*: the default collation
          Null(), Null(), Null(),                              // domain_*: Nordlys has no domains
          Text(db), Text("pg_catalog"), Text(std::string(types::TypeInternalName(c.type.id))),
          Null(), Null(), Null(), Null(),                      // scope_*, maximum_cardinality
          Text(std::to_string(attnum)), YesNo(false),          // dtd_identifier, is_self_referencing
          YesNo(c.identity != 0), generation,
          seq ? seq_text(seq->start) : Null(), seq ? seq_text(seq->increment) : Null(),
          seq ? seq_text(seq->max_value) : Null(), seq ? seq_text(seq->min_value) : Null(),
          YesNo(seq != nullptr && seq->cycle),
          Text("NEVER"), Null(),                               // no generated columns
          YesNo(true)});
    }
  }
  return out;
}

// --- constraints ---

// The referenced table's unique index a foreign key was matched to, or nullptr.
const IndexDef* ReferencedIndex(const CatalogSnapshot& snap, const ForeignKeyDef& fk) {
  const TableDef* ref = snap.TableByOid(fk.ref_table);
  if (ref == nullptr) return nullptr;
  for (const auto& ix : ref->indexes) {
    if (ix.oid == fk.ref_index) return &ix;
  }
  return nullptr;
}

std::string NotNullName(uint32_t ns, uint32_t table, int attnum) {
  return std::to_string(ns) + "_" + std::to_string(table) + "_" + std::to_string(attnum) + "_not_null";
}

Result<std::vector<Row>> TableConstraintsRows(const CatalogSnapshot& snap, const std::string& db,
                                              const ExprPrinter&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    Value schema = Text(SchemaOf(snap, t->namespace_oid));
    auto row = [&](const std::string& name, const char* type, Value nulls_distinct) {
      out.push_back({Text(db), schema, Text(name), Text(db), schema, Text(t->name), Text(type), YesNo(false),
                     YesNo(false), YesNo(true), std::move(nulls_distinct)});
    };
    for (const auto& ix : t->indexes) {
      if (ix.primary) row(ix.name, "PRIMARY KEY", Null());
      else if (ix.unique_constraint) row(ix.name, "UNIQUE", YesNo(true));
    }
    for (const auto& ck : t->checks) row(ck.name, "CHECK", Null());
    for (const auto& fk : t->foreign_keys) row(fk.name, "FOREIGN KEY", Null());
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const ColumnDef& c = t->columns[i];
      if (c.dropped || !c.not_null) continue;
      row(NotNullName(t->namespace_oid, oid, static_cast<int>(i + 1)), "CHECK", Null());
    }
  }
  return out;
}

Result<std::vector<Row>> KeyColumnUsageRows(const CatalogSnapshot& snap, const std::string& db, const ExprPrinter&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    Value schema = Text(SchemaOf(snap, t->namespace_oid));
    for (const auto& ix : t->indexes) {
      if (!ix.primary && !ix.unique_constraint) continue;
      for (size_t i = 0; i < ix.columns.size(); ++i) {
        out.push_back({Text(db), schema, Text(ix.name), Text(db), schema, Text(t->name),
                       Text(t->columns[ix.columns[i]].name), I4(static_cast<int>(i + 1)), Null()});
      }
    }
    for (const auto& fk : t->foreign_keys) {
      const IndexDef* key = ReferencedIndex(snap, fk);
      for (size_t i = 0; i < fk.columns.size(); ++i) {
        // position_in_unique_constraint: where the referenced column sits in the unique key.
        Value pos = Null();
        if (key != nullptr) {
          auto it = std::find(key->columns.begin(), key->columns.end(), fk.ref_columns[i]);
          if (it != key->columns.end()) pos = I4(static_cast<int>(it - key->columns.begin() + 1));
        }
        out.push_back({Text(db), schema, Text(fk.name), Text(db), schema, Text(t->name),
                       Text(t->columns[fk.columns[i]].name), I4(static_cast<int>(i + 1)), pos});
      }
    }
  }
  return out;
}

Result<std::vector<Row>> CheckConstraintsRows(const CatalogSnapshot& snap, const std::string& db,
                                              const ExprPrinter& print) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    Value schema = Text(SchemaOf(snap, t->namespace_oid));
    for (const auto& ck : t->checks) {
      // substring(pg_get_constraintdef(oid) from 7): "CHECK ((a > 0))" -> "((a > 0))"
      NORDLYS_ASSIGN_OR_RETURN(std::string body, print(ck.expr, oid, /*strip_outer_parens=*/true));
      out.push_back({Text(db), schema, Text(ck.name), Text("((" + body + "))")});
    }
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const ColumnDef& c = t->columns[i];
      if (c.dropped || !c.not_null) continue;
      out.push_back({Text(db), schema, Text(NotNullName(t->namespace_oid, oid, static_cast<int>(i + 1))),
                     Text(c.name + " IS NOT NULL")});
    }
  }
  return out;
}

// The columns a stored expression names (PostgreSQL records them in pg_depend), each once.
void CollectColumnRefs(const nlohmann::json& node, const TableDef& t, std::vector<int>* out) {
  if (node.is_object()) {
    if (node.contains("ColumnRef") && node["ColumnRef"].contains("fields")) {
      const auto& fields = node["ColumnRef"]["fields"];
      if (!fields.empty() && fields.back().contains("String")) {
        int i = t.ColumnIndex(fields.back()["String"].value("sval", ""));
        if (i >= 0 && std::find(out->begin(), out->end(), i) == out->end()) out->push_back(i);
      }
    }
    for (const auto& [k, v] : node.items()) CollectColumnRefs(v, t, out);
  } else if (node.is_array()) {
    for (const auto& v : node) CollectColumnRefs(v, t, out);
  }
}

Result<std::vector<Row>> ConstraintColumnUsageRows(const CatalogSnapshot& snap, const std::string& db,
                                                   const ExprPrinter&) {
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    Value schema = Text(SchemaOf(snap, t->namespace_oid));
    auto row = [&](int column, const std::string& constraint) {
      out.push_back({Text(db), schema, Text(t->name), Text(t->columns[column].name), Text(db), schema,
                     Text(constraint)});
    };
    for (const auto& ck : t->checks) {
      std::vector<int> cols;
      CollectColumnRefs(ck.expr, *t, &cols);
      for (int c : cols) row(c, ck.name);
    }
    for (const auto& ix : t->indexes) {
      if (!ix.primary && !ix.unique_constraint) continue;
      for (int c : ix.columns) row(c, ix.name);
    }
  }
  // A foreign key uses the columns it references (PostgreSQL lists those, under the referenced
  // table, with the constraint's own schema).
  for (const auto& [oid, t] : snap.tables) {
    for (const auto& fk : t->foreign_keys) {
      const TableDef* ref = snap.TableByOid(fk.ref_table);
      if (ref == nullptr) continue;
      Value ref_schema = Text(SchemaOf(snap, ref->namespace_oid));
      for (int c : fk.ref_columns) {
        out.push_back({Text(db), ref_schema, Text(ref->name), Text(ref->columns[c].name), Text(db),
                       Text(SchemaOf(snap, t->namespace_oid)), Text(fk.name)});
      }
    }
  }
  return out;
}

Result<std::vector<Row>> ReferentialConstraintsRows(const CatalogSnapshot& snap, const std::string& db,
                                                    const ExprPrinter&) {
  auto rule = [](char a) {
    switch (a) {
      case 'r': return "RESTRICT";
      case 'c': return "CASCADE";
      case 'n': return "SET NULL";
      case 'd': return "SET DEFAULT";
      default: return "NO ACTION";
    }
  };
  std::vector<Row> out;
  for (const auto& [oid, t] : snap.tables) {
    Value schema = Text(SchemaOf(snap, t->namespace_oid));
    for (const auto& fk : t->foreign_keys) {
      // The referenced PRIMARY KEY / UNIQUE constraint; a plain unique index is no constraint.
      const IndexDef* key = ReferencedIndex(snap, fk);
      const TableDef* ref = snap.TableByOid(fk.ref_table);
      bool is_constraint = key != nullptr && (key->primary || key->unique_constraint);
      Value ref_schema = is_constraint ? Text(SchemaOf(snap, ref->namespace_oid)) : Null();
      out.push_back({Text(db), schema, Text(fk.name), is_constraint ? Text(db) : Null(), ref_schema,
                     is_constraint ? Text(key->name) : Null(), Text(fk.match_type == 'f' ? "FULL" : "NONE"),
                     Text(rule(fk.update_action)), Text(rule(fk.delete_action))});
    }
  }
  return out;
}

// --- sequences ---

Result<std::vector<Row>> SequencesRows(const CatalogSnapshot& snap, const std::string& db, const ExprPrinter&) {
  std::vector<uint32_t> identity;  // identity columns' sequences are not listed (PG: deptype 'i')
  for (const auto& [oid, t] : snap.tables) {
    for (const auto& c : t->columns) {
      if (c.identity != 0) identity.push_back(c.identity_sequence);
    }
  }
  std::vector<Row> out;
  for (const auto& [oid, s] : snap.sequences) {
    if (std::find(identity.begin(), identity.end(), oid) != identity.end()) continue;
    out.push_back({Text(db), Text(SchemaOf(snap, s->namespace_oid)), Text(s->name),
                   Text(types::FormatType(Type(s->type.id))), NumericPrecision(Type(s->type.id)), I4(2), I4(0), Text(std::to_string(s->start)),
                   Text(std::to_string(s->min_value)), Text(std::to_string(s->max_value)),
                   Text(std::to_string(s->increment)), YesNo(s->cycle)});
  }
  return out;
}

std::vector<SystemRelation> MakeRelations() {
  std::vector<SystemRelation> r;
  auto add = [&](uint32_t oid, const char* name, std::vector<SystemColumn> cols,
                 Result<std::vector<Row>> (*rows)(const CatalogSnapshot&, const std::string&, const ExprPrinter&)) {
    SystemRelation rel;
    rel.oid = oid;  // PostgreSQL 15's, for whoever reads the scope's table oid
    rel.name = name;
    rel.columns = std::move(cols);
    rel.rows = nullptr;
    rel.printed_rows = rows;
    r.push_back(std::move(rel));
  };
  add(13382, "schemata",
      {Ident("catalog_name"), Ident("schema_name"), Ident("schema_owner"), Ident("default_character_set_catalog"),
       Ident("default_character_set_schema"), Ident("default_character_set_name"), Chars("sql_path")},
      &SchemataRows);
  add(13425, "tables",
      {Ident("table_catalog"), Ident("table_schema"), Ident("table_name"), Chars("table_type"),
       Ident("self_referencing_column_name"), Chars("reference_generation"), Ident("user_defined_type_catalog"),
       Ident("user_defined_type_schema"), Ident("user_defined_type_name"), YN("is_insertable_into"), YN("is_typed"),
       Chars("commit_action")},
      &TablesRows);
  add(13295, "columns",
      {Ident("table_catalog"), Ident("table_schema"), Ident("table_name"), Ident("column_name"),
       Card("ordinal_position"), Chars("column_default"), YN("is_nullable"), Chars("data_type"),
       Card("character_maximum_length"), Card("character_octet_length"), Card("numeric_precision"),
       Card("numeric_precision_radix"), Card("numeric_scale"), Card("datetime_precision"), Chars("interval_type"),
       Card("interval_precision"), Ident("character_set_catalog"), Ident("character_set_schema"),
       Ident("character_set_name"), Ident("collation_catalog"), Ident("collation_schema"), Ident("collation_name"),
       Ident("domain_catalog"), Ident("domain_schema"), Ident("domain_name"), Ident("udt_catalog"),
       Ident("udt_schema"), Ident("udt_name"), Ident("scope_catalog"), Ident("scope_schema"), Ident("scope_name"),
       Card("maximum_cardinality"), Ident("dtd_identifier"), YN("is_self_referencing"), YN("is_identity"),
       Chars("identity_generation"), Chars("identity_start"), Chars("identity_increment"),
       Chars("identity_maximum"), Chars("identity_minimum"), YN("identity_cycle"), Chars("is_generated"),
       Chars("generation_expression"), YN("is_updatable")},
      &ColumnsRows);
  add(13411, "table_constraints",
      {Ident("constraint_catalog"), Ident("constraint_schema"), Ident("constraint_name"), Ident("table_catalog"),
       Ident("table_schema"), Ident("table_name"), Chars("constraint_type"), YN("is_deferrable"),
       YN("initially_deferred"), YN("enforced"), YN("nulls_distinct")},
      &TableConstraintsRows);
  add(13329, "key_column_usage",
      {Ident("constraint_catalog"), Ident("constraint_schema"), Ident("constraint_name"), Ident("table_catalog"),
       Ident("table_schema"), Ident("table_name"), Ident("column_name"), Card("ordinal_position"),
       Card("position_in_unique_constraint")},
      &KeyColumnUsageRows);
  add(13260, "check_constraints",
      {Ident("constraint_catalog"), Ident("constraint_schema"), Ident("constraint_name"), Chars("check_clause")},
      &CheckConstraintsRows);
  add(13300, "constraint_column_usage",
      {Ident("table_catalog"), Ident("table_schema"), Ident("table_name"), Ident("column_name"),
       Ident("constraint_catalog"), Ident("constraint_schema"), Ident("constraint_name")},
      &ConstraintColumnUsageRows);
  add(13386, "sequences",
      {Ident("sequence_catalog"), Ident("sequence_schema"), Ident("sequence_name"), Chars("data_type"),
       Card("numeric_precision"), Card("numeric_precision_radix"), Card("numeric_scale"), Chars("start_value"),
       Chars("minimum_value"), Chars("maximum_value"), Chars("increment"), YN("cycle_option")},
      &SequencesRows);
  add(13483, "views",
      {Ident("table_catalog"), Ident("table_schema"), Ident("table_name"), Chars("view_definition"),
       Chars("check_option"), YN("is_updatable"), YN("is_insertable_into"), YN("is_trigger_updatable"),
       YN("is_trigger_deletable"), YN("is_trigger_insertable_into")},
      &ViewsRows);
  add(13339, "referential_constraints",
      {Ident("constraint_catalog"), Ident("constraint_schema"), Ident("constraint_name"),
       Ident("unique_constraint_catalog"), Ident("unique_constraint_schema"), Ident("unique_constraint_name"),
       Chars("match_option"), Chars("update_rule"), Chars("delete_rule")},
      &ReferentialConstraintsRows);
  return r;
}

}  // namespace

const SystemRelation* FindInformationSchemaRelation(std::string_view name) {
  static const std::vector<SystemRelation> relations = MakeRelations();
  for (const auto& r : relations) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

bool IsPostgresInformationSchemaRelation(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "_pg_foreign_data_wrappers", "_pg_foreign_servers", "_pg_foreign_table_columns", "_pg_foreign_tables",
      "_pg_user_mappings", "administrable_role_authorizations", "applicable_roles", "attributes",
      "character_sets", "check_constraint_routine_usage", "check_constraints",
      "collation_character_set_applicability", "collations", "column_column_usage", "column_domain_usage",
      "column_options", "column_privileges", "column_udt_usage", "columns", "constraint_column_usage",
      "constraint_table_usage", "data_type_privileges", "domain_constraints", "domain_udt_usage", "domains",
      "element_types", "enabled_roles", "foreign_data_wrapper_options", "foreign_data_wrappers",
      "foreign_server_options", "foreign_servers", "foreign_table_options", "foreign_tables",
      "information_schema_catalog_name", "key_column_usage", "parameters", "referential_constraints",
      "role_column_grants", "role_routine_grants", "role_table_grants", "role_udt_grants",
      "role_usage_grants", "routine_column_usage", "routine_privileges", "routine_routine_usage",
      "routine_sequence_usage", "routine_table_usage", "routines", "schemata", "sequences", "sql_features",
      "sql_implementation_info", "sql_parts", "sql_sizing", "table_constraints", "table_privileges", "tables",
      "transforms", "triggered_update_columns", "triggers", "udt_privileges", "usage_privileges",
      "user_defined_types", "user_mapping_options", "user_mappings", "view_column_usage",
      "view_routine_usage", "view_table_usage", "views",
  };
  for (std::string_view n : kNames) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace nordlys::engine::sql
