// Casts among the supported types, as PostgreSQL 15's pg_cast defines them (implicit,
// assignment, explicit), plus the automatic I/O casts to and from the string types, and the
// typmod coercions (varchar(n), char(n), numeric(p,s), time(p), ...).
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <optional>

#include "common/status.h"
#include "engine/types/type.h"
#include "engine/types/type_io.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {

enum class CastContext : uint8_t { kImplicit, kAssignment, kExplicit };

// The weakest context in which from -> to is allowed (same type: implicit), or nullopt when
// PG has no cast. unknown (an untyped literal) casts implicitly to everything.
std::optional<CastContext> FindCast(TypeId from, TypeId to);

// Converts v (of type `from`) to `to` including its typmod. `is_explicit` is true for
// CAST/:: (varchar(n)/char(n) then truncate instead of failing). Errors: 42846 cannot cast
// type x to y; and the conversion's own (22003 integer out of range, 22001 value too long for
// type character varying(3), ...).
Result<Value> CastValue(const Value& v, const Type& from, const Type& to, bool is_explicit,
                        const SessionSettings& settings);

// Applies to.typmod to a value already of type to.id (the length coercion functions).
Result<Value> CoerceToTypmod(const Value& v, const Type& to, bool is_explicit);

}  // namespace nordlys::engine::types
