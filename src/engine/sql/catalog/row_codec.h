// The byte form of a table row inside a heap tuple (storage treats it as opaque).
//
// Format version 1:
//   u8      version (1)
//   varint  column count n (rows written before ALTER TABLE ADD COLUMN have fewer columns;
//           the missing trailing columns read as NULL)
//   bytes   NULL bitmap, ceil(n/8) bytes, bit i set = column i is NULL
//   values  each non-NULL column in order, by its type's storage kind:
//             bool 1 byte; int2/int4/int8/oid/date/time/timestamp[tz]: zigzag varint;
//             float4/float8: 8 bytes IEEE double, little-endian; interval: time_us (8),
//             days (4), months (4) little-endian; uuid: 16 bytes; numeric: varint length +
//             PG's binary numeric; text-like and bytea: varint length + bytes
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/sql/catalog/catalog.h"
#include "engine/types/value.h"

namespace nordlys::engine::sql {

using Row = std::vector<types::Value>;

std::string EncodeRow(const Row& row, const std::vector<ColumnDef>& columns);
void EncodeRowInto(const Row& row, const std::vector<ColumnDef>& columns, std::string* out);
// Decodes into *row (resized to columns.size()). Corruption on malformed bytes.
Status DecodeRow(std::string_view data, const std::vector<ColumnDef>& columns, Row* row);

}  // namespace nordlys::engine::sql
