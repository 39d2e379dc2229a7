// pg_get_viewdef: PostgreSQL's deparsed text of a view (ruleutils.c), reproduced exactly for
// simple views — SELECT [DISTINCT] of plain columns from plain tables, a WHERE that ANDs column
// comparisons (with columns, integer or text constants) and IS [NOT] NULL tests, ORDER BY
// columns, LIMIT — in both the plain and the pretty (`pretty`) layout. Any other view is 0A000
// rather than text that might differ from PostgreSQL's.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <string>

#include "common/status.h"
#include "engine/sql/catalog/catalog.h"

namespace nordlys::engine::sql {

Result<std::string> ViewDefinition(const CatalogSnapshot& snap, const ViewDef& v, bool pretty);

// PostgreSQL's automatically-updatable verdict (information_schema.views.is_updatable and
// is_insertable_into) for the views ViewDefinition reproduces: one table, plain columns, no
// DISTINCT or LIMIT. Other views: 0A000.
Result<bool> ViewIsAutoUpdatable(const CatalogSnapshot& snap, const ViewDef& v);

}  // namespace nordlys::engine::sql
