// The pg_catalog relations clients read (psql's \d family, drivers' type lookups), computed from
// a CatalogSnapshot when a query scans them: Nordlys keeps its catalog as its own rows
// (catalog.h), not as PostgreSQL's tables, so these are views over it with PostgreSQL's column
// names, types and OIDs.
//
// Only the columns listed are there. A query naming a PostgreSQL column that is not (array and
// node-tree columns such as pg_class.reloptions or pg_index.indkey: arrays are not supported yet)
// fails with 0A000 naming it, never with a made-up value. "char" columns are text here.
//
// Thread safety: the registry is immutable; Rows() reads only its arguments.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sql/catalog/catalog.h"
#include "engine/sql/catalog/row_codec.h"

namespace nordlys::engine::sql {

struct SystemColumn {
  std::string name;
  types::Type type;
};

struct SystemRelation {
  uint32_t oid = 0;  // PostgreSQL's own (pg_class is 1259)
  std::string name;
  std::vector<SystemColumn> columns;
  std::vector<std::string> unsupported;  // PostgreSQL columns not provided (0A000 when named)
  // The rows as `snap` has them; `database` and `user` are the session's.
  std::vector<Row> (*rows)(const CatalogSnapshot& snap, const std::string& database);
};

// pg_catalog.NAME, or nullptr.
const SystemRelation* FindSystemRelation(std::string_view name);
// Every system relation (for pg_class's own rows).
const std::vector<SystemRelation>& SystemRelations();

// The name of the role behind an owner oid (10: the bootstrap superuser "postgres", the only
// role there is until roles are built); "unknown (OID=n)" otherwise, as PostgreSQL prints.
std::string RoleName(uint32_t oid);
constexpr uint32_t kBootstrapSuperuserOid = 10;

// Is the relation with this oid visible on the search path (public, pg_catalog)?
bool RelationVisible(const CatalogSnapshot& snap, uint32_t oid);

}  // namespace nordlys::engine::sql
