// The pg_catalog relations clients read (psql's \d family, drivers' type lookups), computed from
// a CatalogSnapshot when a query scans them: Nordlys keeps its catalog as its own rows
// (catalog.h), not as PostgreSQL's tables, so these are views over it with PostgreSQL's column
// names, types and OIDs.
//
// Only the columns listed are there. A query naming a PostgreSQL column that is not (e.g.
// pg_index.indkey, an int2vector) fails with 0A000 naming it, never with a made-up value.
// "char" columns are text here and aclitem[] columns text[]; pg_node_tree columns (adbin,
// conbin) hold Nordlys's own node trees, which pg_get_expr reads.
//
// Thread safety: the registry is immutable; Rows() reads only its arguments.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sql/catalog/catalog.h"
#include "engine/sql/catalog/row_codec.h"
#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

struct SystemColumn {
  std::string name;
  types::Type type;
};

// Prints a stored expression node tree of relation `relid` (a column default, a check
// constraint) as pg_get_expr(tree, relid) does; `strip_outer_parens` as its pretty form. The
// binder lives above the catalog, so the scan that needs it passes it in.
using ExprPrinter =
    std::function<Result<std::string>(const nlohmann::json& tree, uint32_t relid, bool strip_outer_parens)>;

struct SystemRelation {
  uint32_t oid = 0;  // PostgreSQL's own (pg_class is 1259)
  std::string name;
  std::vector<SystemColumn> columns;
  std::vector<std::string> unsupported;  // PostgreSQL columns not provided (0A000 when named)
  // The rows as `snap` has them; `database` and `user` are the session's.
  std::vector<Row> (*rows)(const CatalogSnapshot& snap, const std::string& database);
  // Instead of `rows` (which is then null), for relations that print expressions.
  Result<std::vector<Row>> (*printed_rows)(const CatalogSnapshot& snap, const std::string& database,
                                           const ExprPrinter& print) = nullptr;
};

// pg_catalog.NAME, or nullptr.
const SystemRelation* FindSystemRelation(std::string_view name);
// Every system relation (for pg_class's own rows).
const std::vector<SystemRelation>& SystemRelations();
// information_schema.NAME (information_schema.cc), or nullptr. These views are not in
// SystemRelations(): pg_class does not list them.
const SystemRelation* FindInformationSchemaRelation(std::string_view name);
// Whether PostgreSQL 15 has information_schema.NAME (provided here or not): the others are
// 42P01, the missing ones 0A000.
bool IsPostgresInformationSchemaRelation(std::string_view name);

// A column default as pg_attrdef.adbin holds it: a bare string literal is cast to the column's
// type (PG stores defaults coerced, so pg_get_expr prints '{}'::integer[]).
nlohmann::json DefaultNodeTree(const ColumnDef& c);

// The name of the role behind an oid; "unknown (OID=n)" when there is none, as
// pg_get_userbyid prints.
std::string RoleName(const CatalogSnapshot& snap, uint32_t oid);

// OIDs for catalog rows Nordlys keeps inside its table definitions: a column default
// (pg_attrdef) and a check constraint (pg_constraint; primary key and unique constraints use
// their index's oid). They are derived from the table's oid and the position, in a range
// above 2^31 that user objects do not reach; decoding gives back the table and position
// (for tables whose oid is below 2^20 and positions below 1024).
uint32_t AttrdefOid(uint32_t table_oid, int column);
uint32_t CheckConstraintOid(uint32_t table_oid, int check);
// Returns false when `oid` is not of that form.
bool DecodeDerivedOid(uint32_t oid, bool* is_check, uint32_t* table_oid, int* position);

// Is the relation with this oid visible on the search path (public, pg_catalog)?
bool RelationVisible(const CatalogSnapshot& snap, uint32_t oid);

// The reg* types' names over a catalog snapshot: relations (tables, indexes, sequences,
// system views), types, schemas and roles, qualified with their schema when not on the search
// path, as PG's regclassout prints them. The snapshot is the one the session's latest
// statement saw (Reset).
class CatalogOidNamer final : public types::OidNamer {
 public:
  void Reset(std::shared_ptr<const CatalogSnapshot> snap) { snap_ = std::move(snap); }
  std::optional<std::string> Name(types::TypeId reg_type, uint32_t oid) const override;
  Result<uint32_t> Lookup(types::TypeId reg_type, std::string_view name) const override;

 private:
  std::shared_ptr<const CatalogSnapshot> snap_;
};

}  // namespace nordlys::engine::sql
