// The transcendental and integer-quotient functions of numeric (sqrt, exp, ln, log, power, div)
// with PostgreSQL 15's result scales (numeric.c's rscale rules: at least 16 significant digits,
// never fewer decimals than an input's display scale, at most 1000) and its error SQLSTATEs.
//
// The digits are computed with MPFR at a working precision well beyond the result scale and
// then rounded half away from zero, as PG rounds; integer powers are exact (GMP). PG computes
// with its own truncated series, so a result could in principle differ from ours in the last
// digit where the true value lies within a rounding of a half-unit boundary.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include "common/status.h"
#include "engine/types/numeric.h"

namespace nordlys::engine::types {

// sqrt(numeric). 2201F cannot take square root of a negative number.
Result<Numeric> NumericSqrt(const Numeric& x);
// The square root of a finite x >= 0 rounded to `rscale` decimals (sqrt_var at a caller's
// scale, as stddev uses it). 2201F for a negative x.
Result<Numeric> NumericSqrtAtScale(const Numeric& x, int32_t rscale);
// exp(numeric). 22003 value overflows numeric format.
Result<Numeric> NumericExp(const Numeric& x);
// ln(numeric). 2201E cannot take logarithm of zero / of a negative number.
Result<Numeric> NumericLn(const Numeric& x);
// log(base, x); log(x) and log10(x) are log(10, x). 22012 division by zero for base 1.
Result<Numeric> NumericLog(const Numeric& base, const Numeric& x);
// base ^ exp (numeric_power). 2201F zero raised to a negative power is undefined; 2201F a
// negative number raised to a non-integer power yields a complex result.
Result<Numeric> NumericPower(const Numeric& base, const Numeric& exp);
// div(a, b): the quotient truncated toward zero, scale 0. 22012 division by zero.
Result<Numeric> NumericDivTrunc(const Numeric& a, const Numeric& b);

}  // namespace nordlys::engine::types
