// One-dimensional arrays: PostgreSQL's text form ('{1,2,NULL}', '{"a b","x\"y"}'), its binary
// wire form (array_send/array_recv), element-wise casts and the btree order of arrays
// (element by element, NULL elements above all others, then the shorter array first).
// Arrays with more than one dimension or explicit bounds ('[0:1]={1,2}') are rejected with
// 0A000: nothing here would print them back correctly.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/types/type.h"
#include "engine/types/type_io.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {

// REQUIRES: IsArrayType(type.id). The element type is ArrayElementType(type.id) with type.typmod.
// Errors: 22P02 malformed array literal (with PG's detail); the element type's input errors.
Result<Value> ArrayIn(std::string_view text, const Type& type, const SessionSettings& settings);
std::string ArrayOut(const Value& v, const Type& type, const SessionSettings& settings);
std::string ArraySend(const Value& v, const Type& type);
// Errors: 22P03 on a malformed buffer or a wrong element type; 0A000 for ndim > 1.
Result<Value> ArrayRecv(std::string_view bytes, const Type& type);

// Total order and hash of non-NULL arrays of one type.
int CompareArrays(const Value& a, const Value& b, TypeId type);
uint64_t HashArray(const Value& v, TypeId type);

}  // namespace nordlys::engine::types
