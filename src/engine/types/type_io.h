// Type input/output by SQL type: the text forms (typinput/typoutput) and PostgreSQL's binary
// wire forms (typsend/typreceive) for every supported type. The pgwire layer and COPY call these.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/types/datetime.h"
#include "engine/types/type.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {

// Names of catalog objects for the reg* types (regclass, regtype, regnamespace, regrole). The
// SQL layer implements it over the catalog the statement sees.
class OidNamer {
 public:
  virtual ~OidNamer() = default;
  // The object's name as its reg type prints it (schema-qualified when not on the search
  // path), or nullopt when there is no such object (the number is printed then, as PG does).
  virtual std::optional<std::string> Name(TypeId reg_type, uint32_t oid) const = 0;
  // The OID a name denotes. Errors: 42P01 relation "x" does not exist, 42704 type / role
  // does not exist, 3F000 schema "x" does not exist.
  virtual Result<uint32_t> Lookup(TypeId reg_type, std::string_view name) const = 0;
};

// The session settings that change how values read and print. DateStyle is fixed at ISO, MDY
// and IntervalStyle at postgres; text comparisons use the "C" collation (byte order).
struct SessionSettings {
  TimeZone time_zone;
  const OidNamer* oid_namer = nullptr;  // reg* I/O; without one they read and print numbers
};

// The type's input function, with the typmod applied as the input function applies it
// (varchar(n) errors with 22001 when too long, numeric(p,s) rounds and may overflow, time(p)
// rounds). Explicit-cast truncation is CastValue's job.
Result<Value> InputValue(std::string_view text, const Type& type, const SessionSettings& settings);
// The type's output function. REQUIRES: !v.is_null() and v's kind matches type.
std::string OutputValue(const Value& v, const Type& type, const SessionSettings& settings);

// Binary: big-endian integers, IEEE floats, PG's numeric/interval layouts, raw text bytes.
std::string SendValue(const Value& v, const Type& type);
// Errors: 22P03 incorrect binary data format; range errors as the text input functions.
Result<Value> RecvValue(std::string_view bytes, const Type& type);

}  // namespace nordlys::engine::types
