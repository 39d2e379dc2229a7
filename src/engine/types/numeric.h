// Arbitrary-precision decimal numbers with PostgreSQL 15's numeric semantics: display scale
// (dscale), NaN and +/-Infinity, the result-scale rules of numeric add/sub/mul/div
// (select_div_scale), rounding half away from zero, typmod application with "numeric field
// overflow", PG's text forms and its binary wire format (base-10000 digits).
//
// Representation: a sign and the decimal digits of the unscaled magnitude, so that
// value = +/- digits * 10^-dscale. PG stores base-10000 digits; both describe the same values
// and every observable result (text, binary, scales) is computed as PG computes it. Decimal
// digits keep rounding and scaling simple; the wire format is regrouped into base 10000.
//
// Thread safety: a value type; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::engine::types {

class Numeric {
 public:
  enum class Kind : uint8_t { kFinite, kNaN, kPosInf, kNegInf };

  Numeric() = default;  // 0 with dscale 0
  static Numeric NaN();
  static Numeric Infinity(bool negative);
  static Numeric FromInt64(int64_t v);
  // PG's float8_numeric / float4_numeric: the value printed with 15 (or 6) significant digits.
  static Numeric FromDouble(double v, bool is_float4 = false);

  // numeric_in. Errors: 22P02 invalid input syntax for type numeric: "x";
  // 22003 value overflows numeric format.
  static Result<Numeric> Parse(std::string_view text);
  // numeric_out.
  std::string ToString() const;

  Kind kind() const { return kind_; }
  bool is_nan() const { return kind_ == Kind::kNaN; }
  bool is_inf() const { return kind_ == Kind::kPosInf || kind_ == Kind::kNegInf; }
  bool is_finite() const { return kind_ == Kind::kFinite; }
  bool is_zero() const { return kind_ == Kind::kFinite && digits_.empty(); }
  bool negative() const { return kind_ == Kind::kNegInf || (kind_ == Kind::kFinite && negative_); }
  int32_t dscale() const { return dscale_; }

  // Arithmetic with PG's result scales. Errors: 22012 division by zero; 22003 value overflows
  // numeric format.
  static Result<Numeric> Add(const Numeric& a, const Numeric& b);
  static Result<Numeric> Sub(const Numeric& a, const Numeric& b);
  static Result<Numeric> Mul(const Numeric& a, const Numeric& b);
  static Result<Numeric> Div(const Numeric& a, const Numeric& b);
  static Result<Numeric> Mod(const Numeric& a, const Numeric& b);
  Numeric Negate() const;
  Numeric Abs() const;

  // Total order as PG's cmp_numerics: -Inf < finite < +Inf < NaN, NaN = NaN; scale ignored.
  static int Compare(const Numeric& a, const Numeric& b);
  // Consistent with Compare: equal values (1.0 and 1.00) hash alike.
  uint64_t Hash() const;

  // round(x, s): half away from zero; s may be negative. dscale becomes max(s, 0).
  Numeric Round(int32_t scale) const;
  // trunc(x, s).
  Numeric Trunc(int32_t scale) const;
  // numeric(p, s) coercion (apply_typmod). typmod < 4 means none. 22003 numeric field overflow.
  Result<Numeric> ApplyTypmod(int32_t typmod) const;

  // numeric -> int with rounding half away from zero. `type_name` is "smallint", "integer" or
  // "bigint" for the messages (0A000 cannot convert NaN to integer; 22003 integer out of range).
  Result<int64_t> ToInt64(int64_t min, int64_t max, std::string_view type_name) const;
  // numeric -> float8/float4 via text, as PG (errors as float8in/float4in).
  Result<double> ToFloat8() const;
  Result<float> ToFloat4() const;

  // PG binary format: int16 ndigits, int16 weight, uint16 sign, int16 dscale, int16 digits[].
  std::string Send() const;
  // numeric_recv. Errors: 22P03 invalid ... in external "numeric" value.
  static Result<Numeric> Recv(std::string_view bytes);

 private:
  // Strips leading zeros; a zero is never negative.
  void Normalize();
  // Decimal exponent of the first significant digit (value in [10^e, 10^(e+1))); zero -> 0.
  int32_t LeadingExponent() const;
  // PG's base-10000 weight and first digit (select_div_scale inputs).
  void Base10000Head(int32_t* weight, int32_t* first_digit) const;
  // Rescales the unscaled digits so that dscale_ == scale (scale >= dscale_: append zeros).
  std::string DigitsAtScale(int32_t scale) const;
  Status CheckLimits() const;

  Kind kind_ = Kind::kFinite;
  bool negative_ = false;
  int32_t dscale_ = 0;
  std::string digits_;  // unscaled magnitude, '0'..'9', no leading zeros; empty = 0
};

}  // namespace nordlys::engine::types
