// Arithmetic and comparison operators over the supported types, with PostgreSQL 15's operator
// resolution for mixed argument types (which casts apply and the result type), its overflow
// and division-by-zero errors, and a total order plus a consistent hash for sorting, grouping
// and hash joins. Text compares in the "C" collation (byte order); PG's database default may
// be a locale collation, ours is C. NULLs are the executor's business, not these functions'.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "engine/types/type.h"
#include "engine/types/type_io.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe };

std::string_view OpName(BinaryOp op);  // "+", "<=", ...

// The chosen operator: convert the arguments to left/right (implicit casts), result type.
struct OperatorSig {
  TypeId left;
  TypeId right;
  TypeId result;
};

// Operator resolution. An unknown (untyped literal) side takes the other side's type.
// Error: 42883 operator does not exist: date + bigint.
Result<OperatorSig> ResolveBinaryOperator(BinaryOp op, TypeId left, TypeId right);

// Evaluates op on non-NULL values already converted to sig.left / sig.right.
// Errors: 22003 integer out of range / smallint out of range / bigint out of range /
// value out of range: overflow; 22012 division by zero; 22008 date/timestamp out of range.
Result<Value> EvalBinary(BinaryOp op, const Value& l, const Value& r, const OperatorSig& sig,
                         const SessionSettings& settings);
// Resolve, cast both sides implicitly, evaluate. Returns the result type in *result_type.
Result<Value> ApplyBinary(BinaryOp op, const Value& l, const Type& lt, const Value& r, const Type& rt,
                          const SessionSettings& settings, Type* result_type);
// Unary minus.
Result<Value> Negate(const Value& v, TypeId type);

// Total order of two non-NULL values of the same type: <0, 0, >0. Floats: NaN is above every
// other value and equal to itself, -0 = 0. bpchar ignores trailing spaces. Numeric ignores
// scale (1.0 = 1.00). Interval: months as 30 days, days as 24 hours.
int CompareValues(const Value& a, const Value& b, TypeId type);
// Hash consistent with CompareValues == 0.
uint64_t HashValue(const Value& v, TypeId type);

}  // namespace nordlys::engine::types
