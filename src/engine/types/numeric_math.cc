// numeric sqrt/exp/ln/log/power/div: PG 15's scale selection and special values around MPFR
// (transcendental digits) and GMP (exact integer powers and quotients).
#include "engine/types/numeric_math.h"

#include <gmp.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace nordlys::engine::types {
namespace {

constexpr int32_t kMinSigDigits = 16;        // NUMERIC_MIN_SIG_DIGITS
constexpr int32_t kMaxDisplayScale = 1000;   // NUMERIC_MAX_DISPLAY_SCALE
constexpr int32_t kMaxResultScale = 2000;    // NUMERIC_MAX_RESULT_SCALE
constexpr int64_t kMaxResultDigits = 131072;  // numeric's integer digits, as a size guard
// Integer powers are computed exactly only while the exact value stays this small.
constexpr int64_t kExactPowerDigitsMax = 200000;

Status Overflow() { return Status::Sql(StatusCode::kOutOfRange, "22003", "value overflows numeric format"); }
Status PowerError(const char* msg) { return Status::Sql(StatusCode::kInvalidArgument, "2201F", msg); }
Status LogError(const char* msg) { return Status::Sql(StatusCode::kInvalidArgument, "2201E", msg); }

// A finite numeric as sign, unscaled decimal digits (no leading zeros; empty = 0) and scale.
struct Dec {
  bool neg = false;
  std::string digits;
  int32_t scale = 0;
  bool zero() const { return digits.empty(); }
  // Decimal exponent of the leading digit (value in [10^e, 10^(e+1))); 0 for zero.
  int64_t lead_exp() const { return zero() ? 0 : static_cast<int64_t>(digits.size()) - 1 - scale; }
  // True when the value has no fraction.
  bool integral() const {
    for (size_t i = digits.size() - std::min<size_t>(digits.size(), scale); i < digits.size(); ++i) {
      if (digits[i] != '0') return false;
    }
    return true;
  }
};

Dec Decompose(const Numeric& n) {
  Dec d;
  std::string s = n.ToString();
  size_t i = 0;
  if (!s.empty() && s[0] == '-') {
    d.neg = true;
    i = 1;
  }
  for (; i < s.size(); ++i) {
    if (s[i] == '.') {
      d.scale = static_cast<int32_t>(s.size() - i - 1);
      continue;
    }
    if (d.digits.empty() && s[i] == '0') continue;
    d.digits.push_back(s[i]);
  }
  if (d.digits.empty()) d.neg = false;
  return d;
}

// PG's base-10000 view: weight and the first two digits (d1 = -1 when there is only one).
void Base10000(const Dec& d, int64_t* weight, int* d0, int* d1) {
  int64_t e = d.lead_exp();
  int64_t w = e >= 0 ? e / 4 : -((-e + 3) / 4);
  *weight = w;
  *d0 = 0;
  *d1 = -1;
  bool more = false;
  for (size_t i = 0; i < d.digits.size(); ++i) {
    int64_t ex = e - static_cast<int64_t>(i);
    int64_t g = ex >= 0 ? ex / 4 : -((-ex + 3) / 4);
    int digit = d.digits[i] - '0';
    int64_t pos = ex - 4 * g;
    int p10 = pos == 0 ? 1 : pos == 1 ? 10 : pos == 2 ? 100 : 1000;
    if (g == w) {
      *d0 += digit * p10;
    } else if (g == w - 1) {
      if (*d1 < 0) *d1 = 0;
      *d1 += digit * p10;
      if (digit != 0) more = true;
    } else if (digit != 0) {
      more = true;
    }
  }
  if (!more) *d1 = -1;
  else if (*d1 < 0) *d1 = 0;
}

// estimate_ln_dweight: the decimal weight of ln(x) for positive x.
int64_t EstimateLnDweight(const Numeric& x) {
  Dec d = Decompose(x);
  if (d.zero() || d.neg) return 0;
  Numeric lo = *Numeric::Parse("0.9"), hi = *Numeric::Parse("1.1");
  if (Numeric::Compare(x, lo) >= 0 && Numeric::Compare(x, hi) <= 0) {
    auto y = Numeric::Sub(x, Numeric::FromInt64(1));
    Dec yd = Decompose(*y);
    return yd.zero() ? 0 : yd.lead_exp();
  }
  int64_t w;
  int d0, d1;
  Base10000(d, &w, &d0, &d1);
  double digits = d0;
  int64_t dweight = w * 4;
  if (d1 >= 0) {
    digits = digits * 10000 + d1;
    dweight -= 4;
  }
  double ln = std::log(digits) + static_cast<double>(dweight) * 2.302585092994046;
  return static_cast<int64_t>(std::log10(std::fabs(ln)));
}

int32_t ClampScale(int64_t rscale, std::initializer_list<int32_t> at_least) {
  for (int32_t s : at_least) rscale = std::max<int64_t>(rscale, s);
  rscale = std::max<int64_t>(rscale, 0);
  return static_cast<int32_t>(std::min<int64_t>(rscale, kMaxDisplayScale));
}

// Bits for a value with about `int_digits` integer digits computed to `rscale` decimals.
mpfr_prec_t PrecFor(int64_t int_digits, int32_t rscale) {
  int64_t digits = std::max<int64_t>(int_digits, 1) + rscale + 40;
  return static_cast<mpfr_prec_t>(digits * 3.33 + 64);
}

class Mp {
 public:
  explicit Mp(mpfr_prec_t prec) { mpfr_init2(v_, prec); }
  ~Mp() { mpfr_clear(v_); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
  mpfr_ptr get() { return v_; }

 private:
  mpfr_t v_;
};

class Mz {
 public:
  Mz() { mpz_init(v_); }
  ~Mz() { mpz_clear(v_); }
  Mz(const Mz&) = delete;
  Mz& operator=(const Mz&) = delete;
  mpz_ptr get() { return v_; }

 private:
  mpz_t v_;
};

void SetFrom(mpfr_ptr r, const Numeric& n) { mpfr_set_str(r, n.ToString().c_str(), 10, MPFR_RNDN); }

// A numeric from an integer's decimal text (maybe "-") scaled by 10^-scale.
Result<Numeric> FromScaledText(std::string s, int32_t scale) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.erase(0, 1);
  if (scale > 0) {
    if (static_cast<int32_t>(s.size()) <= scale) s.insert(0, scale - s.size() + 1, '0');
    s.insert(s.size() - scale, ".");
  }
  if (static_cast<int64_t>(s.size()) - scale > kMaxResultDigits) return Overflow();
  return Numeric::Parse((neg ? "-" : "") + s);
}

std::string MpzText(mpz_ptr z) {
  char* p = mpz_get_str(nullptr, 10, z);
  std::string s(p);
  void (*freefunc)(void*, size_t);
  mp_get_memory_functions(nullptr, nullptr, &freefunc);
  freefunc(p, s.size() + 1);
  return s;
}

// v rounded half away from zero to `rscale` decimals.
Result<Numeric> RoundToScale(mpfr_ptr v, int32_t rscale) {
  if (mpfr_zero_p(v)) return FromScaledText("0", rscale);
  mpfr_exp_t e2 = mpfr_get_exp(v);
  mpfr_prec_t prec = std::max<mpfr_prec_t>(mpfr_get_prec(v), static_cast<mpfr_prec_t>(e2) + rscale * 4 + 64);
  Mp scaled(prec);
  mpfr_ui_pow_ui(scaled.get(), 10, static_cast<unsigned long>(rscale), MPFR_RNDN);  // NOLINT(runtime/int)
  mpfr_mul(scaled.get(), scaled.get(), v, MPFR_RNDN);
  mpfr_round(scaled.get(), scaled.get());
  Mz z;
  mpfr_get_z(z.get(), scaled.get(), MPFR_RNDN);
  return FromScaledText(MpzText(z.get()), rscale);
}

// Exact big-integer form of a Dec (sign included).
void ToMpz(const Dec& d, mpz_ptr z) {
  mpz_set_str(z, d.digits.empty() ? "0" : d.digits.c_str(), 10);
  if (d.neg) mpz_neg(z, z);
}

// round(num / den) half away from zero. REQUIRES: den > 0.
void DivRound(mpz_ptr q, mpz_ptr num, mpz_ptr den) {
  Mz r;
  mpz_tdiv_qr(q, r.get(), num, den);
  mpz_mul_2exp(r.get(), r.get(), 1);
  mpz_abs(r.get(), r.get());
  if (mpz_cmp(r.get(), den) >= 0) {
    if (mpz_sgn(num) < 0) mpz_sub_ui(q, q, 1);
    else mpz_add_ui(q, q, 1);
  }
}

// power_var_int (PG 15): base ^ n for an int32 exponent; the scale is max(16, base's), and
// the digits are exact here (GMP) where PG multiplies with guard digits.
Result<Numeric> PowerInt(const Numeric& base, int64_t n) {
  Dec b = Decompose(base);
  int32_t rscale = ClampScale(kMinSigDigits, {b.scale});
  double f = 0;
  if (!b.zero()) {
    // log10(|base^n|) from the leading digits, for the early overflow/underflow tests.
    std::string lead = b.digits.substr(0, 17);
    double m = std::strtod(lead.c_str(), nullptr);
    double lg = std::log10(m) + static_cast<double>(b.lead_exp() - static_cast<int64_t>(lead.size()) + 1);
    f = static_cast<double>(n) * lg;
  }
  if (n != 0 && n != 1 && n != -1 && n != 2 && !b.zero()) {
    if (f > 3.0 * 32767 * 4) return Overflow();
    if (f + 1 < -rscale || f + 1 < -kMaxDisplayScale) return FromScaledText("0", rscale);
  }
  if (n == 0) return FromScaledText("1" + std::string(rscale, '0'), rscale);
  int64_t an = n < 0 ? -n : n;
  if (static_cast<int64_t>(b.digits.size()) * an > kExactPowerDigitsMax) {
    // Too large to form exactly: MPFR at a precision covering the result scale.
    Mp x(PrecFor(static_cast<int64_t>(f) + 1, rscale));
    SetFrom(x.get(), base);
    mpfr_pow_si(x.get(), x.get(), static_cast<long>(n), MPFR_RNDN);  // NOLINT(runtime/int)
    return RoundToScale(x.get(), rscale);
  }
  Mz d, p, num, den, q;
  ToMpz(b, d.get());
  mpz_pow_ui(p.get(), d.get(), static_cast<unsigned long>(an));  // NOLINT(runtime/int)
  int64_t pscale = static_cast<int64_t>(b.scale) * an;  // p * 10^-pscale = |base|^|n| (signed)
  if (n > 0) {
    if (pscale <= rscale) {
      mpz_ui_pow_ui(num.get(), 10, static_cast<unsigned long>(rscale - pscale));  // NOLINT(runtime/int)
      mpz_mul(q.get(), p.get(), num.get());
    } else {
      mpz_ui_pow_ui(den.get(), 10, static_cast<unsigned long>(pscale - rscale));  // NOLINT(runtime/int)
      DivRound(q.get(), p.get(), den.get());
    }
  } else {
    // 10^(pscale + rscale) / p
    mpz_ui_pow_ui(num.get(), 10, static_cast<unsigned long>(pscale + rscale));  // NOLINT(runtime/int)
    if (mpz_sgn(p.get()) < 0) {
      mpz_neg(num.get(), num.get());
      mpz_neg(p.get(), p.get());
    }
    DivRound(q.get(), num.get(), p.get());
  }
  return FromScaledText(MpzText(q.get()), rscale);
}

Numeric One() { return Numeric::FromInt64(1); }

}  // namespace

Result<Numeric> NumericSqrt(const Numeric& x) {
  if (x.is_nan()) return x;
  if (x.negative()) return PowerError("cannot take square root of a negative number");
  if (x.is_inf()) return x;
  Dec d = Decompose(x);
  int64_t w;
  int d0, d1;
  Base10000(d, &w, &d0, &d1);
  if (d.zero()) w = 0;
  // sweight = (weight + 1) * DEC_DIGITS / 2 - 1, in C's truncating arithmetic.
  int64_t sweight = (w + 1) * 4 / 2 - 1;
  int32_t rscale = ClampScale(kMinSigDigits - sweight, {d.scale});
  Mp v(PrecFor(d.lead_exp() / 2 + 1, rscale));
  SetFrom(v.get(), x);
  mpfr_sqrt(v.get(), v.get(), MPFR_RNDN);
  return RoundToScale(v.get(), rscale);
}

Result<Numeric> NumericSqrtAtScale(const Numeric& x, int32_t rscale) {
  if (!x.is_finite()) return x;
  if (x.negative()) return PowerError("cannot take square root of a negative number");
  if (x.is_zero()) return FromScaledText("0", rscale);
  Dec d = Decompose(x);
  Mp v(PrecFor(d.lead_exp() / 2 + 1, rscale));
  SetFrom(v.get(), x);
  mpfr_sqrt(v.get(), v.get(), MPFR_RNDN);
  return RoundToScale(v.get(), rscale);
}

Result<Numeric> NumericExp(const Numeric& x) {
  if (x.is_nan()) return x;
  if (x.is_inf()) return x.negative() ? Numeric() : x;
  Dec d = Decompose(x);
  double val = std::strtod(x.ToString().c_str(), nullptr);
  double w = std::clamp(val * 0.434294481903252, -static_cast<double>(kMaxResultScale),
                        static_cast<double>(kMaxResultScale));
  int32_t rscale = ClampScale(kMinSigDigits - static_cast<int64_t>(w), {d.scale});
  if (std::fabs(val) >= kMaxResultScale * 3) {
    if (val > 0) return Overflow();
    return FromScaledText("0", rscale);
  }
  Mp v(PrecFor(static_cast<int64_t>(w) + 1, rscale));
  SetFrom(v.get(), x);
  mpfr_exp(v.get(), v.get(), MPFR_RNDN);
  return RoundToScale(v.get(), rscale);
}

Result<Numeric> NumericLn(const Numeric& x) {
  if (x.is_nan()) return x;
  if (x.negative()) return LogError("cannot take logarithm of a negative number");
  if (x.is_zero()) return LogError("cannot take logarithm of zero");
  if (x.is_inf()) return x;
  Dec d = Decompose(x);
  int32_t rscale = ClampScale(kMinSigDigits - EstimateLnDweight(x), {d.scale});
  Mp v(PrecFor(8, rscale) + static_cast<mpfr_prec_t>(d.digits.size() * 3.33));
  SetFrom(v.get(), x);
  mpfr_log(v.get(), v.get(), MPFR_RNDN);
  return RoundToScale(v.get(), rscale);
}

Result<Numeric> NumericLog(const Numeric& base, const Numeric& x) {
  if (base.is_nan() || x.is_nan()) return Numeric::NaN();
  if (base.is_inf() || x.is_inf()) {
    if (base.negative() || x.negative()) return LogError("cannot take logarithm of a negative number");
    if (base.is_zero() || x.is_zero()) return LogError("cannot take logarithm of zero");
    if (base.is_inf()) return x.is_inf() ? Numeric::NaN() : Numeric();
    return Numeric::Infinity(false);
  }
  for (const Numeric* n : {&base, &x}) {
    if (n->is_zero()) return LogError("cannot take logarithm of zero");
    if (n->negative()) return LogError("cannot take logarithm of a negative number");
  }
  if (Numeric::Compare(base, One()) == 0) {
    return Status::Sql(StatusCode::kInvalidArgument, "22012", "division by zero");
  }
  Dec bd = Decompose(base), xd = Decompose(x);
  int64_t result_dweight = EstimateLnDweight(x) - EstimateLnDweight(base);
  int32_t rscale = ClampScale(kMinSigDigits - result_dweight, {bd.scale, xd.scale});
  mpfr_prec_t prec = PrecFor(std::max<int64_t>(result_dweight, 0) + 8, rscale) +
                     static_cast<mpfr_prec_t>((bd.digits.size() + xd.digits.size()) * 3.33);
  Mp lb(prec), lx(prec);
  SetFrom(lb.get(), base);
  SetFrom(lx.get(), x);
  mpfr_log(lb.get(), lb.get(), MPFR_RNDN);
  mpfr_log(lx.get(), lx.get(), MPFR_RNDN);
  mpfr_div(lx.get(), lx.get(), lb.get(), MPFR_RNDN);
  return RoundToScale(lx.get(), rscale);
}

Result<Numeric> NumericPower(const Numeric& base, const Numeric& exp) {
  const int s1 = base.is_nan() ? 0 : base.is_zero() ? 0 : base.negative() ? -1 : 1;
  const int s2 = exp.is_nan() ? 0 : exp.is_zero() ? 0 : exp.negative() ? -1 : 1;
  auto integral = [](const Numeric& n) { return n.is_finite() && Decompose(n).integral(); };
  if (!base.is_finite() || !exp.is_finite()) {
    // POSIX pow() rules, as PG 15 numeric_power.
    if (base.is_nan()) return exp.is_zero() ? One() : Numeric::NaN();
    if (exp.is_nan()) return base.is_finite() && Numeric::Compare(base, One()) == 0 ? One() : Numeric::NaN();
    if (s1 == 0 && s2 < 0) return PowerError("zero raised to a negative power is undefined");
    if (s1 < 0 && !integral(exp)) {
      return PowerError("a negative number raised to a non-integer power yields a complex result");
    }
    if (base.is_finite() && Numeric::Compare(base, One()) == 0) return One();
    if (s2 == 0) return One();
    if (s1 == 0 && s2 > 0) return Numeric();
    if (exp.is_inf()) {
      bool abs_gt_one = true;
      if (base.is_finite()) {
        if (Numeric::Compare(base, Numeric::FromInt64(-1)) == 0) return One();
        abs_gt_one = Numeric::Compare(base.Abs(), One()) > 0;
      }
      return abs_gt_one == (s2 > 0) ? Numeric::Infinity(false) : Numeric();
    }
    if (!base.negative()) return s2 > 0 ? Numeric::Infinity(false) : Numeric();
    if (s2 < 0) return Numeric();
    Dec e = Decompose(exp);
    bool odd = e.integral() && !e.zero() && ((e.digits[e.digits.size() - 1 - e.scale] - '0') & 1);
    return Numeric::Infinity(odd);
  }
  if (s1 == 0 && s2 < 0) return PowerError("zero raised to a negative power is undefined");
  Dec e = Decompose(exp);
  if (s1 < 0 && !e.integral()) {
    return PowerError("a negative number raised to a non-integer power yields a complex result");
  }
  if (e.integral()) {
    auto n = exp.ToInt64(INT32_MIN, INT32_MAX, "integer");
    if (n.ok()) return PowerInt(base, *n);
  }
  Dec b = Decompose(base);
  if (b.zero()) return FromScaledText("0", kMinSigDigits);
  // The result's decimal weight, from a low-precision exp * ln(|base|).
  Mp lnb(256), prod(256);
  SetFrom(lnb.get(), base.Abs());
  mpfr_log(lnb.get(), lnb.get(), MPFR_RNDN);
  Mp ex(static_cast<mpfr_prec_t>(e.digits.size() * 3.33 + 64));
  SetFrom(ex.get(), exp);
  mpfr_mul(prod.get(), lnb.get(), ex.get(), MPFR_RNDN);
  double val = mpfr_get_d(prod.get(), MPFR_RNDN);
  if (std::fabs(val) > kMaxResultScale * 3.01) {
    if (val > 0) return Overflow();
    return FromScaledText("0", kMaxDisplayScale);
  }
  double w = val * 0.434294481903252;
  int32_t rscale = ClampScale(kMinSigDigits - static_cast<int64_t>(w), {b.scale, e.scale});
  if (std::fabs(val) >= kMaxResultScale * 3) {
    if (val > 0) return Overflow();
    return FromScaledText("0", rscale);
  }
  mpfr_prec_t prec = PrecFor(static_cast<int64_t>(std::max(w, 0.0)) + 1, rscale) +
                     static_cast<mpfr_prec_t>((b.digits.size() + e.digits.size()) * 3.33);
  Mp x(prec), y(prec);
  SetFrom(x.get(), base.Abs());
  SetFrom(y.get(), exp);
  mpfr_pow(x.get(), x.get(), y.get(), MPFR_RNDN);
  if (base.negative()) {
    // Integral exponent too large for int32: the sign follows its parity.
    bool odd = (e.digits[e.digits.size() - 1 - e.scale] - '0') & 1;
    if (odd) mpfr_neg(x.get(), x.get(), MPFR_RNDN);
  }
  return RoundToScale(x.get(), rscale);
}

Result<Numeric> NumericDivTrunc(const Numeric& a, const Numeric& b) {
  if (a.is_nan() || b.is_nan()) return Numeric::NaN();
  if (a.is_inf()) {
    if (b.is_zero()) return Status::Sql(StatusCode::kInvalidArgument, "22012", "division by zero");
    if (b.is_inf()) return Numeric::NaN();
    return Numeric::Infinity(a.negative() != b.negative());
  }
  if (b.is_inf()) return Numeric();
  if (b.is_zero()) return Status::Sql(StatusCode::kInvalidArgument, "22012", "division by zero");
  Dec x = Decompose(a), y = Decompose(b);
  int32_t scale = std::max(x.scale, y.scale);
  Mz nx, ny, p, q;
  ToMpz(x, nx.get());
  ToMpz(y, ny.get());
  mpz_ui_pow_ui(p.get(), 10, static_cast<unsigned long>(scale - x.scale));  // NOLINT(runtime/int)
  mpz_mul(nx.get(), nx.get(), p.get());
  mpz_ui_pow_ui(p.get(), 10, static_cast<unsigned long>(scale - y.scale));  // NOLINT(runtime/int)
  mpz_mul(ny.get(), ny.get(), p.get());
  mpz_tdiv_q(q.get(), nx.get(), ny.get());
  return FromScaledText(MpzText(q.get()), 0);
}

}  // namespace nordlys::engine::types
