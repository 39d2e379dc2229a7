// Numeric arithmetic on decimal digit strings with PostgreSQL 15's scale rules. The digit
// algorithms are schoolbook (O(n*m)); numbers in SQL are short, and PG's limits (131072 integer
// digits, 16383 fraction digits) bound the work.
#include "engine/types/numeric.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "engine/types/scalar_io.h"

namespace nordlys::engine::types {
namespace {

constexpr int32_t kMaxIntegerDigits = 131072;  // NUMERIC_WEIGHT_MAX + 1 base-10000 digits
constexpr int32_t kDscaleMax = 16383;          // NUMERIC_DSCALE_MAX
constexpr int32_t kMinSigDigits = 16;          // NUMERIC_MIN_SIG_DIGITS
constexpr int32_t kMaxDisplayScale = 1000;     // NUMERIC_MAX_DISPLAY_SCALE

Status Overflow() {
  return Status::Sql(StatusCode::kOutOfRange, "22003", "value overflows numeric format");
}
Status DivisionByZero() {
  return Status::Sql(StatusCode::kInvalidArgument, "22012", "division by zero");
}

std::string StripLeadingZeros(std::string s) {
  size_t i = 0;
  while (i < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}

int CompareMag(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string AddMag(const std::string& a, const std::string& b) {
  std::string out;
  out.reserve(std::max(a.size(), b.size()) + 1);
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return StripLeadingZeros(std::move(out));
}

// REQUIRES: a >= b.
std::string SubMag(const std::string& a, const std::string& b) {
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0;
    if (d < 0) d += 10;
    out[a.size() - 1 - i] = static_cast<char>('0' + d);
  }
  return StripLeadingZeros(std::move(out));
}

std::string MulMag(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return "";
  std::vector<uint32_t> acc(a.size() + b.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) {
    uint32_t da = a[a.size() - 1 - i] - '0';
    if (da == 0) continue;
    for (size_t j = 0; j < b.size(); ++j) acc[i + j] += da * static_cast<uint32_t>(b[b.size() - 1 - j] - '0');
    if ((i & 0xff) == 0xff) {  // keep the column sums far from overflow
      for (size_t k = 0; k + 1 < acc.size(); ++k) {
        acc[k + 1] += acc[k] / 10;
        acc[k] %= 10;
      }
    }
  }
  for (size_t k = 0; k + 1 < acc.size(); ++k) {
    acc[k + 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string out(acc.size(), '0');
  for (size_t k = 0; k < acc.size(); ++k) out[acc.size() - 1 - k] = static_cast<char>('0' + acc[k]);
  return StripLeadingZeros(std::move(out));
}

// Truncating long division. REQUIRES: b nonempty (nonzero).
std::string DivMag(const std::string& a, const std::string& b, std::string* remainder) {
  std::string q;
  std::string rem;
  q.reserve(a.size());
  for (char c : a) {
    rem.push_back(c);
    rem = StripLeadingZeros(std::move(rem));
    int d = 0;
    while (CompareMag(rem, b) >= 0) {
      rem = SubMag(rem, b);
      ++d;
    }
    q.push_back(static_cast<char>('0' + d));
  }
  if (remainder) *remainder = rem;
  return StripLeadingZeros(std::move(q));
}

// Drops `n` trailing digits of an unscaled magnitude, rounding half away from zero if `round`.
std::string DropDigits(const std::string& digits, int32_t n, bool round) {
  if (n <= 0) return digits;
  if (static_cast<size_t>(n) > digits.size()) return "";
  std::string kept = digits.substr(0, digits.size() - n);
  if (round && digits[digits.size() - n] >= '5') kept = AddMag(kept, "1");
  return StripLeadingZeros(std::move(kept));
}

std::string AppendZeros(const std::string& digits, int32_t n) {
  if (digits.empty() || n <= 0) return digits;
  return digits + std::string(n, '0');
}

}  // namespace

Numeric Numeric::NaN() {
  Numeric n;
  n.kind_ = Kind::kNaN;
  return n;
}

Numeric Numeric::Infinity(bool negative) {
  Numeric n;
  n.kind_ = negative ? Kind::kNegInf : Kind::kPosInf;
  return n;
}

Numeric Numeric::FromInt64(int64_t v) {
  Numeric n;
  n.negative_ = v < 0;
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  n.digits_ = mag == 0 ? "" : std::to_string(mag);
  return n;
}

Numeric Numeric::FromDouble(double v, bool is_float4) {
  if (std::isnan(v)) return NaN();
  if (std::isinf(v)) return Infinity(v < 0);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", is_float4 ? 6 : 15, v);
  Result<Numeric> r = Parse(buf);
  return r.ok() ? *r : Numeric();
}

void Numeric::Normalize() {
  digits_ = StripLeadingZeros(std::move(digits_));
  if (digits_.empty()) negative_ = false;
}

int32_t Numeric::LeadingExponent() const {
  if (digits_.empty()) return 0;
  return static_cast<int32_t>(digits_.size()) - 1 - dscale_;
}

Status Numeric::CheckLimits() const {
  if (kind_ != Kind::kFinite) return Status::OK();
  if (dscale_ > kDscaleMax) return Overflow();
  if (!digits_.empty() && LeadingExponent() >= kMaxIntegerDigits) return Overflow();
  return Status::OK();
}

Result<Numeric> Numeric::Parse(std::string_view text) {
  auto bad = [&]() {
    return Status::Sql(StatusCode::kInvalidArgument, "22P02",
                       "invalid input syntax for type numeric: \"" + std::string(text) + "\"");
  };
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  auto rest_is_space = [&](size_t from) {
    for (size_t k = from; k < text.size(); ++k) {
      if (!std::isspace(static_cast<unsigned char>(text[k]))) return false;
    }
    return true;
  };
  auto starts = [&](std::string_view word) {
    if (text.size() - i < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(text[i + k])) != word[k]) return false;
    }
    return true;
  };
  struct Special {
    std::string_view word;
    Kind kind;
  };
  static constexpr Special kSpecials[] = {
      {"nan", Kind::kNaN},         {"infinity", Kind::kPosInf}, {"+infinity", Kind::kPosInf},
      {"-infinity", Kind::kNegInf}, {"inf", Kind::kPosInf},     {"+inf", Kind::kPosInf},
      {"-inf", Kind::kNegInf}};
  for (const Special& s : kSpecials) {
    if (starts(s.word)) {
      if (!rest_is_space(i + s.word.size())) return bad();
      Numeric n;
      n.kind_ = s.kind;
      return n;
    }
  }
  Numeric n;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    n.negative_ = text[i] == '-';
    ++i;
  }
  std::string digits;
  bool have_digit = false;
  bool have_point = false;
  int64_t frac_digits = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      have_digit = true;
      digits.push_back(c);
      if (have_point) ++frac_digits;
    } else if (c == '.' && !have_point) {
      have_point = true;
    } else {
      break;
    }
  }
  if (!have_digit) return bad();
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      neg = text[i] == '-';
      ++i;
    }
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (exponent < 1000000000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return bad();
    if (exponent >= 1073741823) return Overflow();  // INT_MAX / 2, as PG
    if (neg) exponent = -exponent;
  }
  if (!rest_is_space(i)) return bad();
  digits = StripLeadingZeros(std::move(digits));
  int64_t scale = frac_digits - exponent;  // value = digits * 10^-scale
  if (scale >= 0) {
    if (scale > kDscaleMax) return Overflow();
    n.dscale_ = static_cast<int32_t>(scale);
    n.digits_ = std::move(digits);
  } else {
    int64_t int_digits = static_cast<int64_t>(digits.size()) - scale;
    if (!digits.empty() && int_digits > kMaxIntegerDigits) return Overflow();
    n.dscale_ = 0;
    n.digits_ = AppendZeros(digits, static_cast<int32_t>(-scale));
  }
  n.Normalize();
  NORDLYS_RETURN_IF_ERROR(n.CheckLimits());
  return n;
}

std::string Numeric::ToString() const {
  switch (kind_) {
    case Kind::kNaN: return "NaN";
    case Kind::kPosInf: return "Infinity";
    case Kind::kNegInf: return "-Infinity";
    case Kind::kFinite: break;
  }
  std::string full = digits_;
  if (full.size() < static_cast<size_t>(dscale_) + 1) {
    full.insert(0, static_cast<size_t>(dscale_) + 1 - full.size(), '0');
  }
  std::string out = negative_ ? "-" : "";
  out += full.substr(0, full.size() - dscale_);
  if (dscale_ > 0) {
    out.push_back('.');
    out += full.substr(full.size() - dscale_);
  }
  return out;
}

std::string Numeric::DigitsAtScale(int32_t scale) const { return AppendZeros(digits_, scale - dscale_); }

Result<Numeric> Numeric::Add(const Numeric& a, const Numeric& b) {
  if (a.is_nan() || b.is_nan()) return NaN();
  if (a.is_inf()) {
    if (b.is_inf() && a.kind_ != b.kind_) return NaN();
    return a;
  }
  if (b.is_inf()) return b;
  int32_t scale = std::max(a.dscale_, b.dscale_);
  std::string da = a.DigitsAtScale(scale);
  std::string db = b.DigitsAtScale(scale);
  Numeric r;
  r.dscale_ = scale;
  if (a.negative_ == b.negative_) {
    r.digits_ = AddMag(da, db);
    r.negative_ = a.negative_;
  } else if (CompareMag(da, db) >= 0) {
    r.digits_ = SubMag(da, db);
    r.negative_ = a.negative_;
  } else {
    r.digits_ = SubMag(db, da);
    r.negative_ = b.negative_;
  }
  r.Normalize();
  NORDLYS_RETURN_IF_ERROR(r.CheckLimits());
  return r;
}

Result<Numeric> Numeric::Sub(const Numeric& a, const Numeric& b) { return Add(a, b.Negate()); }

Result<Numeric> Numeric::Mul(const Numeric& a, const Numeric& b) {
  if (a.is_nan() || b.is_nan()) return NaN();
  if (a.is_inf() || b.is_inf()) {
    if (a.is_zero() || b.is_zero()) return NaN();
    return Infinity(a.negative() != b.negative());
  }
  Numeric r;
  r.digits_ = MulMag(a.digits_, b.digits_);
  r.dscale_ = a.dscale_ + b.dscale_;
  r.negative_ = a.negative_ != b.negative_;
  r.Normalize();
  if (r.dscale_ > kDscaleMax) r = r.Round(kDscaleMax);
  NORDLYS_RETURN_IF_ERROR(r.CheckLimits());
  return r;
}

void Numeric::Base10000Head(int32_t* weight, int32_t* first_digit) const {
  *weight = 0;
  *first_digit = 0;
  if (digits_.empty()) return;
  int32_t e = LeadingExponent();
  int32_t w = e >= 0 ? e / 4 : -((-e + 3) / 4);  // floor(e / 4)
  // The base-10000 digit holding decimal positions 4w+3 .. 4w.
  int32_t top = 4 * w + 3;
  int32_t value = 0;
  for (int32_t pos = top; pos >= 4 * w; --pos) {
    // decimal position pos (10^pos) is digits_ index size-1-(pos+dscale)
    int64_t idx = static_cast<int64_t>(digits_.size()) - 1 - (pos + dscale_);
    int d = (idx >= 0 && idx < static_cast<int64_t>(digits_.size())) ? digits_[idx] - '0' : 0;
    value = value * 10 + d;
  }
  *weight = w;
  *first_digit = value;
}

Result<Numeric> Numeric::Div(const Numeric& a, const Numeric& b) {
  if (a.is_nan() || b.is_nan()) return NaN();
  if (a.is_inf()) {
    if (b.is_inf()) return NaN();
    if (b.is_zero()) return DivisionByZero();
    return Infinity(a.negative() != b.negative());
  }
  if (b.is_inf()) return Numeric();
  if (b.is_zero()) return DivisionByZero();
  // select_div_scale
  int32_t w1, f1, w2, f2;
  a.Base10000Head(&w1, &f1);
  b.Base10000Head(&w2, &f2);
  int32_t qweight = w1 - w2;
  if (f1 <= f2) --qweight;
  int32_t rscale = kMinSigDigits - qweight * 4;
  rscale = std::max({rscale, a.dscale_, b.dscale_, 0});
  rscale = std::min(rscale, kMaxDisplayScale);
  // q = a/b truncated to rscale + 1 digits, then rounded half away from zero.
  int32_t shift = rscale + 1 + b.dscale_ - a.dscale_;  // >= 1 since rscale >= a.dscale_
  std::string num = AppendZeros(a.digits_, shift);
  Numeric r;
  r.digits_ = DropDigits(DivMag(num, b.digits_, nullptr), 1, true);
  r.dscale_ = rscale;
  r.negative_ = a.negative_ != b.negative_;
  r.Normalize();
  NORDLYS_RETURN_IF_ERROR(r.CheckLimits());
  return r;
}

Result<Numeric> Numeric::Mod(const Numeric& a, const Numeric& b) {
  if (a.is_nan() || b.is_nan()) return NaN();
  if (a.is_inf()) {
    if (b.is_zero()) return DivisionByZero();
    return NaN();
  }
  if (b.is_inf()) return a;
  if (b.is_zero()) return DivisionByZero();
  int32_t scale = std::max(a.dscale_, b.dscale_);
  std::string rem;
  (void)DivMag(a.DigitsAtScale(scale), b.DigitsAtScale(scale), &rem);
  Numeric r;
  r.digits_ = rem;
  r.dscale_ = scale;
  r.negative_ = a.negative_;
  r.Normalize();
  return r;
}

Numeric Numeric::Negate() const {
  Numeric r = *this;
  if (kind_ == Kind::kPosInf) r.kind_ = Kind::kNegInf;
  else if (kind_ == Kind::kNegInf) r.kind_ = Kind::kPosInf;
  else if (kind_ == Kind::kFinite && !digits_.empty()) r.negative_ = !negative_;
  return r;
}

Numeric Numeric::Abs() const { return negative() ? Negate() : *this; }

int Numeric::Compare(const Numeric& a, const Numeric& b) {
  auto rank = [](const Numeric& n) {
    switch (n.kind_) {
      case Kind::kNegInf: return 0;
      case Kind::kFinite: return 1;
      case Kind::kPosInf: return 2;
      case Kind::kNaN: return 3;
    }
    return 3;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra != 1) return 0;
  int sa = a.digits_.empty() ? 0 : (a.negative_ ? -1 : 1);
  int sb = b.digits_.empty() ? 0 : (b.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int mag;
  int32_t ea = a.LeadingExponent(), eb = b.LeadingExponent();
  if (ea != eb) {
    mag = ea < eb ? -1 : 1;
  } else {
    size_t n = std::max(a.digits_.size(), b.digits_.size());
    mag = 0;
    for (size_t i = 0; i < n && mag == 0; ++i) {
      char ca = i < a.digits_.size() ? a.digits_[i] : '0';
      char cb = i < b.digits_.size() ? b.digits_[i] : '0';
      if (ca != cb) mag = ca < cb ? -1 : 1;
    }
  }
  return sa > 0 ? mag : -mag;
}

uint64_t Numeric::Hash() const {
  if (kind_ != Kind::kFinite) return 0x9e3779b97f4a7c15ULL * (static_cast<uint64_t>(kind_) + 1);
  if (digits_.empty()) return 0x51ed27;
  size_t end = digits_.find_last_not_of('0');
  std::string_view sig(digits_.data(), end + 1);
  uint64_t h = std::hash<std::string_view>{}(sig);
  h ^= static_cast<uint64_t>(static_cast<uint32_t>(LeadingExponent())) * 0x9e3779b97f4a7c15ULL;
  return negative_ ? ~h : h;
}

Numeric Numeric::Round(int32_t scale) const {
  if (kind_ != Kind::kFinite) return *this;
  Numeric r = *this;
  if (scale >= dscale_) {
    r.digits_ = AppendZeros(digits_, scale - dscale_);
    r.dscale_ = scale;
    return r;
  }
  r.digits_ = DropDigits(digits_, dscale_ - scale, true);
  if (scale < 0) {
    r.digits_ = AppendZeros(r.digits_, -scale);
    r.dscale_ = 0;
  } else {
    r.dscale_ = scale;
  }
  r.Normalize();
  return r;
}

Numeric Numeric::Trunc(int32_t scale) const {
  if (kind_ != Kind::kFinite) return *this;
  Numeric r = *this;
  if (scale >= dscale_) return Round(scale);
  r.digits_ = DropDigits(digits_, dscale_ - scale, false);
  if (scale < 0) {
    r.digits_ = AppendZeros(r.digits_, -scale);
    r.dscale_ = 0;
  } else {
    r.dscale_ = scale;
  }
  r.Normalize();
  return r;
}

Result<Numeric> Numeric::ApplyTypmod(int32_t typmod) const {
  if (typmod < 4 || is_nan()) return *this;
  auto overflow = [] {
    return Status::Sql(StatusCode::kOutOfRange, "22003", "numeric field overflow");
  };
  if (is_inf()) return overflow();
  int32_t precision = ((typmod - 4) >> 16) & 0xffff;
  int32_t scale = ((((typmod - 4) & 0x7ff) ^ 1024) - 1024);
  Numeric r = Round(scale);
  if (!r.digits_.empty() && r.LeadingExponent() + 1 > precision - scale) return overflow();
  return r;
}

Result<int64_t> Numeric::ToInt64(int64_t min, int64_t max, std::string_view type_name) const {
  if (is_nan()) {
    return Status::Sql(StatusCode::kNotSupported, "0A000", "cannot convert NaN to " + std::string(type_name));
  }
  if (is_inf()) {
    return Status::Sql(StatusCode::kNotSupported, "0A000",
                       "cannot convert infinity to " + std::string(type_name));
  }
  auto out_of_range = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22003", std::string(type_name) + " out of range");
  };
  Numeric r = Round(0);
  if (r.digits_.size() > 19) return out_of_range();
  unsigned __int128 mag = 0;
  for (char c : r.digits_) mag = mag * 10 + static_cast<unsigned>(c - '0');
  __int128 v = r.negative_ ? -static_cast<__int128>(mag) : static_cast<__int128>(mag);
  if (v < min || v > max) return out_of_range();
  return static_cast<int64_t>(v);
}

Result<double> Numeric::ToFloat8() const {
  if (is_nan()) return std::numeric_limits<double>::quiet_NaN();
  if (is_inf()) return negative() ? -HUGE_VAL : HUGE_VAL;
  return ParseFloat8(ToString());
}

Result<float> Numeric::ToFloat4() const {
  if (is_nan()) return std::numeric_limits<float>::quiet_NaN();
  if (is_inf()) return negative() ? -HUGE_VALF : HUGE_VALF;
  return ParseFloat4(ToString());
}

std::string Numeric::Send() const {
  auto put16 = [](std::string* out, uint16_t v) {
    out->push_back(static_cast<char>(v >> 8));
    out->push_back(static_cast<char>(v));
  };
  std::string out;
  if (kind_ != Kind::kFinite) {
    uint16_t sign = kind_ == Kind::kNaN ? 0xC000 : (kind_ == Kind::kPosInf ? 0xD000 : 0xF000);
    put16(&out, 0);
    put16(&out, 0);
    put16(&out, sign);
    // PG 15's numeric_send reads the special value's header bits as the dscale: 0x20 for
    // +/-Infinity, 0 for NaN. Reproduce it byte for byte.
    put16(&out, kind_ == Kind::kNaN ? 0 : 0x20);
    return out;
  }
  std::string full = digits_;
  if (full.size() < static_cast<size_t>(dscale_) + 1) full.insert(0, dscale_ + 1 - full.size(), '0');
  std::string ip = full.substr(0, full.size() - dscale_);
  std::string fp = full.substr(full.size() - dscale_);
  ip.insert(0, (4 - ip.size() % 4) % 4, '0');
  fp.append((4 - fp.size() % 4) % 4, '0');
  std::vector<int16_t> groups;
  std::string all = ip + fp;
  for (size_t k = 0; k < all.size(); k += 4) groups.push_back(static_cast<int16_t>(std::stoi(all.substr(k, 4))));
  int32_t weight = static_cast<int32_t>(ip.size() / 4) - 1;
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  if (first == last) weight = 0;
  put16(&out, static_cast<uint16_t>(last - first));
  put16(&out, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  put16(&out, negative_ ? 0x4000 : 0x0000);
  put16(&out, static_cast<uint16_t>(dscale_));
  for (size_t k = first; k < last; ++k) put16(&out, static_cast<uint16_t>(groups[k]));
  return out;
}

Result<Numeric> Numeric::Recv(std::string_view bytes) {
  auto bad = [](const char* what) {
    return Status::Sql(StatusCode::kInvalidArgument, "22P03",
                       std::string("invalid ") + what + " in external \"numeric\" value");
  };
  auto get16 = [&](size_t off) {
    return static_cast<uint16_t>((static_cast<uint8_t>(bytes[off]) << 8) | static_cast<uint8_t>(bytes[off + 1]));
  };
  if (bytes.size() < 8) return Status::Sql(StatusCode::kInvalidArgument, "08P01", "insufficient data left in message");
  int16_t ndigits = static_cast<int16_t>(get16(0));
  int16_t weight = static_cast<int16_t>(get16(2));
  uint16_t sign = get16(4);
  uint16_t dscale = get16(6);
  if (ndigits < 0 || ndigits > 1000 + 16383) return bad("length");
  if (bytes.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
    return Status::Sql(StatusCode::kInvalidArgument, "08P01", "insufficient data left in message");
  }
  if (sign == 0xC000) return NaN();
  if (sign == 0xD000) return Infinity(false);
  if (sign == 0xF000) return Infinity(true);
  if (sign != 0 && sign != 0x4000) return bad("sign");
  if (dscale > kDscaleMax) return bad("scale");
  std::string d;
  for (int k = 0; k < ndigits; ++k) {
    uint16_t g = get16(8 + 2 * k);
    if (g >= 10000) return bad("digit");
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%04u", g);
    d += buf;
  }
  // value = d * 10^exp10; unscaled at dscale = d * 10^(exp10 + dscale), truncated.
  int64_t shift = 4 * (static_cast<int64_t>(weight) - ndigits + 1) + dscale;
  Numeric n;
  n.negative_ = sign == 0x4000;
  n.dscale_ = dscale;
  d = StripLeadingZeros(std::move(d));
  if (shift >= 0) {
    n.digits_ = AppendZeros(d, static_cast<int32_t>(shift));
  } else {
    n.digits_ = DropDigits(d, static_cast<int32_t>(-shift), false);
  }
  n.Normalize();
  NORDLYS_RETURN_IF_ERROR(n.CheckLimits());
  return n;
}

}  // namespace nordlys::engine::types
