// Interval text I/O (PostgreSQL 15's DecodeInterval for the postgres style, EncodeInterval with
// IntervalStyle = postgres) and interval arithmetic (interval_pl/mi/um/mul/div, interval_cmp).
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <vector>

#include "engine/types/datetime.h"

namespace nordlys::engine::types {
namespace {

constexpr int64_t kUsecsPerMinute = 60 * kUsecsPerSec;
constexpr int64_t kUsecsPerHour = 60 * kUsecsPerMinute;

Status IntervalOutOfRange() {
  return Status::Sql(StatusCode::kOutOfRange, "22008", "interval out of range");
}

enum Unit { kNone, kMicro, kMilli, kSecond, kMinute, kHour, kDay, kWeek, kMonth, kYear, kDecade, kCentury, kMillennium };

Unit UnitFromWord(std::string w) {
  if (w.size() > 10) w.resize(10);  // PG truncates tokens to TOKMAXLEN before lookup
  struct U {
    const char* name;
    Unit unit;
  };
  static const U kUnits[] = {
      {"microsecon", kMicro}, {"us", kMicro}, {"usec", kMicro}, {"usecs", kMicro}, {"usecond", kMicro},
      {"useconds", kMicro}, {"millisecon", kMilli}, {"ms", kMilli}, {"msec", kMilli}, {"msecs", kMilli},
      {"msecond", kMilli}, {"mseconds", kMilli}, {"s", kSecond}, {"sec", kSecond}, {"secs", kSecond},
      {"second", kSecond}, {"seconds", kSecond}, {"m", kMinute}, {"min", kMinute}, {"mins", kMinute},
      {"minute", kMinute}, {"minutes", kMinute}, {"h", kHour}, {"hr", kHour}, {"hrs", kHour},
      {"hour", kHour}, {"hours", kHour}, {"d", kDay}, {"day", kDay}, {"days", kDay}, {"w", kWeek},
      {"week", kWeek}, {"weeks", kWeek}, {"mon", kMonth}, {"mons", kMonth}, {"month", kMonth},
      {"months", kMonth}, {"y", kYear}, {"yr", kYear}, {"yrs", kYear}, {"year", kYear}, {"years", kYear},
      {"dec", kDecade}, {"decs", kDecade}, {"decade", kDecade}, {"decades", kDecade}, {"c", kCentury},
      {"cent", kCentury}, {"century", kCentury}, {"centuries", kCentury}, {"mil", kMillennium},
      {"mils", kMillennium}, {"millennium", kMillennium}, {"millennia", kMillennium}};
  for (const U& u : kUnits) {
    if (w == u.name) return u.unit;
  }
  return kNone;
}

struct Acc {
  __int128 usec = 0;
  __int128 days = 0;
  __int128 months = 0;
};

void FractMicros(double frac, int64_t scale, Acc* a) {
  if (frac == 0) return;
  frac *= static_cast<double>(scale);
  int64_t usec = static_cast<int64_t>(frac);
  frac -= static_cast<double>(usec);
  usec += static_cast<int64_t>(std::rint(frac));
  a->usec += usec;
}

void FractDays(double frac, int scale, Acc* a) {
  if (frac == 0) return;
  frac *= scale;
  int extra = static_cast<int>(frac);
  a->days += extra;
  frac -= extra;
  FractMicros(frac, kUsecsPerDay, a);
}

void Apply(Unit u, int64_t val, double fval, Acc* a) {
  switch (u) {
    case kMicro: a->usec += val; FractMicros(fval, 1, a); break;
    case kMilli: a->usec += static_cast<__int128>(val) * 1000; FractMicros(fval, 1000, a); break;
    case kNone:
    case kSecond: a->usec += static_cast<__int128>(val) * kUsecsPerSec; FractMicros(fval, kUsecsPerSec, a); break;
    case kMinute: a->usec += static_cast<__int128>(val) * kUsecsPerMinute; FractMicros(fval, kUsecsPerMinute, a); break;
    case kHour: a->usec += static_cast<__int128>(val) * kUsecsPerHour; FractMicros(fval, kUsecsPerHour, a); break;
    case kDay: a->days += val; FractMicros(fval, kUsecsPerDay, a); break;
    case kWeek: a->days += static_cast<__int128>(val) * 7; FractDays(fval, 7, a); break;
    case kMonth: a->months += val; FractDays(fval, 30, a); break;
    case kYear: a->months += static_cast<__int128>(val) * 12; a->months += static_cast<int>(std::rint(fval * 12)); break;
    case kDecade: a->months += static_cast<__int128>(val) * 120; a->months += static_cast<int>(std::rint(fval * 120)); break;
    case kCentury: a->months += static_cast<__int128>(val) * 1200; a->months += static_cast<int>(std::rint(fval * 1200)); break;
    case kMillennium: a->months += static_cast<__int128>(val) * 12000; a->months += static_cast<int>(std::rint(fval * 12000)); break;
  }
}

int UnitBit(Unit u) { return 1 << static_cast<int>(u); }

enum class IvErr { kNone, kBad, kField, kRange };

// Splits "[-]digits[.digits]" into integer and signed fraction.
bool SplitNumber(const std::string& s, int64_t* val, double* fval) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  size_t st = i;
  __int128 v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    v = v * 10 + (s[i++] - '0');
    if (v > INT64_MAX) return false;
  }
  double f = 0;
  if (i < s.size() && s[i] == '.') {
    size_t fs = i;
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    f = std::strtod(("0" + s.substr(fs, i - fs)).c_str(), nullptr);
  }
  if (i == st || i != s.size()) return false;
  *val = static_cast<int64_t>(neg ? -v : v);
  *fval = neg ? -f : f;
  return true;
}

IvErr DecodeTimeToken(const std::string& s, Acc* a) {
  bool neg = !s.empty() && s[0] == '-';
  std::string body = (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
  std::vector<std::string> parts;
  std::string cur;
  for (char c : body) {
    if (c == ':') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(cur);
  if (parts.size() < 2 || parts.size() > 3) return IvErr::kBad;
  int64_t h = 0, m = 0, sec = 0;
  double frac = 0;
  double fdummy;
  std::string secpart;
  if (parts.size() == 2 && parts[1].find('.') != std::string::npos) {  // "mm:ss.fff"
    if (!SplitNumber(parts[0], &m, &fdummy) || fdummy != 0) return IvErr::kBad;
    secpart = parts[1];
  } else {
    if (!SplitNumber(parts[0], &h, &fdummy) || fdummy != 0) return IvErr::kBad;
    if (!SplitNumber(parts[1], &m, &fdummy) || fdummy != 0) return IvErr::kBad;
    if (parts.size() == 3) secpart = parts[2];
  }
  if (!secpart.empty() && (!SplitNumber(secpart, &sec, &frac) || secpart[0] == '-' || secpart[0] == '+')) {
    return IvErr::kBad;
  }
  if (m > 59 || sec > 59 || h < 0) return IvErr::kField;
  __int128 us = (static_cast<__int128>(h) * 3600 + m * 60 + sec) * kUsecsPerSec +
                static_cast<int64_t>(std::rint(frac * kUsecsPerSec));
  a->usec += neg ? -us : us;
  return IvErr::kNone;
}

IvErr DecodeIso8601(const std::string& s, Acc* a) {  // "p1y2m3dt4h5m6s"
  size_t i = 1;
  bool in_time = false;
  if (i >= s.size()) return IvErr::kBad;
  while (i < s.size()) {
    if (s[i] == 't') {
      if (in_time) return IvErr::kBad;
      in_time = true;
      ++i;
      continue;
    }
    size_t st = i;
    if (s[i] == '-' || s[i] == '+') ++i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == st || i >= s.size()) return IvErr::kBad;
    int64_t val;
    double fval;
    if (!SplitNumber(s.substr(st, i - st), &val, &fval)) return IvErr::kBad;
    char u = s[i++];
    Unit unit;
    if (!in_time) {
      unit = u == 'y' ? kYear : u == 'm' ? kMonth : u == 'w' ? kWeek : u == 'd' ? kDay : kNone;
    } else {
      unit = u == 'h' ? kHour : u == 'm' ? kMinute : u == 's' ? kSecond : kNone;
    }
    if (unit == kNone) return IvErr::kBad;
    if (unit == kDay) {
      a->days += val;
      FractMicros(fval, kUsecsPerDay, a);
    } else {
      Apply(unit, val, fval, a);
    }
  }
  return IvErr::kNone;
}

IvErr DecodeIntervalText(const std::string& input, Acc* a) {
  std::string s = input;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return IvErr::kBad;
  size_t e = s.find_last_not_of(" \t\n\r\f\v");
  s = s.substr(b, e - b + 1);
  if (s[0] == 'p') return DecodeIso8601(s, a);
  struct Tok {
    enum Kind { kNum, kTime, kYm, kWord } kind;
    std::string text;
  };
  std::vector<Tok> toks;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '@') {
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-') {
      if (c == '+' || c == '-') {  // "- 1 day": the sign belongs to the next number
        size_t k = i + 1;
        while (k < s.size() && s[k] == ' ') ++k;
        if (k > i + 1 && k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
          s.erase(i + 1, k - i - 1);
        }
      }
      size_t k = i + 1;
      while (k < s.size() && (std::isdigit(static_cast<unsigned char>(s[k])) || s[k] == '.' || s[k] == ':')) ++k;
      std::string t = s.substr(i, k - i);
      if (t.find(':') != std::string::npos) {
        toks.push_back({Tok::kTime, t});
      } else if (k < s.size() && s[k] == '-' && k + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[k + 1]))) {
        size_t m = k + 1;
        while (m < s.size() && std::isdigit(static_cast<unsigned char>(s[m]))) ++m;
        toks.push_back({Tok::kYm, s.substr(i, m - i)});
        k = m;
      } else {
        toks.push_back({Tok::kNum, t});
      }
      i = k;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t k = i;
      while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
      toks.push_back({Tok::kWord, s.substr(i, k - i)});
      i = k;
    } else {
      return IvErr::kBad;
    }
  }
  if (toks.empty()) return IvErr::kBad;
  bool ago = false;
  Unit unit = kNone;
  int fmask = 0;
  constexpr int kTimeMask = 1 << 20;
  for (size_t k = toks.size(); k-- > 0;) {
    const Tok& t = toks[k];
    switch (t.kind) {
      case Tok::kWord:
        if (t.text == "ago") {
          if (ago) return IvErr::kBad;
          ago = true;
        } else {
          unit = UnitFromWord(t.text);
          if (unit == kNone) return IvErr::kBad;
          if (k == 0) return IvErr::kBad;  // a unit with no number
        }
        break;
      case Tok::kTime: {
        if (fmask & (kTimeMask | UnitBit(kHour) | UnitBit(kMinute) | UnitBit(kSecond))) return IvErr::kBad;
        fmask |= kTimeMask;
        IvErr err = DecodeTimeToken(t.text, a);
        if (err != IvErr::kNone) return err;
        unit = kDay;
        break;
      }
      case Tok::kYm: {
        size_t dash = t.text.find('-', 1);
        int64_t y, m;
        double f1, f2;
        if (!SplitNumber(t.text.substr(0, dash), &y, &f1) || !SplitNumber(t.text.substr(dash + 1), &m, &f2)) {
          return IvErr::kBad;
        }
        if (m > 11) return IvErr::kField;
        if (fmask & UnitBit(kYear)) return IvErr::kBad;
        fmask |= UnitBit(kYear) | UnitBit(kMonth);
        __int128 months = static_cast<__int128>(y < 0 ? -y : y) * 12 + m;
        a->months += (t.text[0] == '-') ? -months : months;
        unit = kNone;
        break;
      }
      case Tok::kNum: {
        int64_t val;
        double fval;
        if (!SplitNumber(t.text, &val, &fval)) return IvErr::kBad;
        Unit u = unit == kNone ? kSecond : unit;
        if (fmask & UnitBit(u)) return IvErr::kBad;
        if (u == kSecond && (fmask & kTimeMask)) return IvErr::kBad;
        fmask |= UnitBit(u);
        Apply(u, val, fval, a);
        break;
      }
    }
  }
  if (ago) {
    a->usec = -a->usec;
    a->days = -a->days;
    a->months = -a->months;
  }
  return IvErr::kNone;
}

std::string Pad2(int64_t v) { return v < 10 ? "0" + std::to_string(v) : std::to_string(v); }

}  // namespace

Result<Interval> ParseInterval(std::string_view text, int32_t typmod) {
  Acc a;
  IvErr e = DecodeIntervalText(std::string(text), &a);
  if (e == IvErr::kBad) {
    return Status::Sql(StatusCode::kInvalidArgument, "22007",
                       "invalid input syntax for type interval: \"" + std::string(text) + "\"");
  }
  if (e == IvErr::kField) {
    return Status::Sql(StatusCode::kOutOfRange, "22015",
                       "interval field value out of range: \"" + std::string(text) + "\"");
  }
  if (a.usec > INT64_MAX || a.usec < INT64_MIN || a.days > INT32_MAX || a.days < INT32_MIN ||
      a.months > INT32_MAX || a.months < INT32_MIN) {
    return Status::Sql(StatusCode::kOutOfRange, "22015",
                       "interval field value out of range: \"" + std::string(text) + "\"");
  }
  Interval iv{static_cast<int64_t>(a.usec), static_cast<int32_t>(a.days), static_cast<int32_t>(a.months)};
  return RoundInterval(iv, typmod);
}

std::string FormatInterval(const Interval& iv) {
  int32_t year = iv.months / 12;
  int32_t mon = iv.months % 12;
  int32_t mday = iv.days;
  int64_t t = iv.time_us;
  int64_t hour = t / kUsecsPerHour;
  t -= hour * kUsecsPerHour;
  int64_t min = t / kUsecsPerMinute;
  t -= min * kUsecsPerMinute;
  int64_t sec = t / kUsecsPerSec;
  int64_t fsec = t - sec * kUsecsPerSec;
  std::string out;
  bool is_zero = true, is_before = false;
  auto add = [&](int64_t value, const char* units) {
    if (value == 0) return;
    if (!is_zero) out += " ";
    if (is_before && value > 0) out += "+";
    out += std::to_string(value) + " " + units + (value != 1 ? "s" : "");
    is_before = value < 0;
    is_zero = false;
  };
  add(year, "year");
  add(mon, "mon");
  add(mday, "day");
  if (is_zero || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
    bool minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
    if (!is_zero) out += " ";
    out += minus ? "-" : (is_before ? "+" : "");
    out += Pad2(std::llabs(hour)) + ":" + Pad2(std::llabs(min)) + ":" + Pad2(std::llabs(sec));
    if (fsec != 0) {
      std::string frac = std::to_string(std::llabs(fsec));
      frac.insert(0, 6 - frac.size(), '0');
      while (frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
  }
  return out;
}

Result<Interval> RoundInterval(const Interval& iv, int32_t typmod) {
  if (typmod < 0) return iv;
  int32_t precision = typmod & 0xffff;
  if (precision == 0xffff || precision >= 6) return iv;
  Interval r = iv;
  r.time_us = RoundTime(iv.time_us, precision);
  return r;
}

Result<Interval> IntervalAdd(const Interval& a, const Interval& b) {
  Interval r;
  if (__builtin_add_overflow(a.months, b.months, &r.months) || __builtin_add_overflow(a.days, b.days, &r.days) ||
      __builtin_add_overflow(a.time_us, b.time_us, &r.time_us)) {
    return IntervalOutOfRange();
  }
  return r;
}

Result<Interval> IntervalNegate(const Interval& a) {
  if (a.months == INT32_MIN || a.days == INT32_MIN || a.time_us == INT64_MIN) return IntervalOutOfRange();
  return Interval{-a.time_us, -a.days, -a.months};
}

Result<Interval> IntervalSub(const Interval& a, const Interval& b) {
  Interval r;
  if (__builtin_sub_overflow(a.months, b.months, &r.months) || __builtin_sub_overflow(a.days, b.days, &r.days) ||
      __builtin_sub_overflow(a.time_us, b.time_us, &r.time_us)) {
    return IntervalOutOfRange();
  }
  return r;
}

namespace {
double TsRound(double j) { return std::rint(j * 1000000.0) / 1000000.0; }

// interval_mul / interval_div share this: whole months and days, fractions cascaded down.
Result<Interval> Scale(const Interval& a, double month_result, double day_result,
                       const std::function<double(double)>& apply) {
  if (std::isnan(month_result) || month_result > INT32_MAX || month_result < INT32_MIN) return IntervalOutOfRange();
  if (std::isnan(day_result) || day_result > INT32_MAX || day_result < INT32_MIN) return IntervalOutOfRange();
  Interval r;
  r.months = static_cast<int32_t>(month_result);
  r.days = static_cast<int32_t>(day_result);
  double month_remainder_days = TsRound((month_result - r.months) * 30);
  double sec_remainder =
      TsRound((day_result - r.days + month_remainder_days - static_cast<int>(month_remainder_days)) * 86400);
  if (std::fabs(sec_remainder) >= 86400) {
    r.days += static_cast<int>(sec_remainder / 86400);
    sec_remainder -= static_cast<int>(sec_remainder / 86400) * 86400;
  }
  r.days += static_cast<int32_t>(month_remainder_days);
  double t = std::rint(apply(static_cast<double>(a.time_us)) + sec_remainder * kUsecsPerSec);
  if (std::isnan(t) || t < -9223372036854775808.0 || t >= 9223372036854775808.0) return IntervalOutOfRange();
  r.time_us = static_cast<int64_t>(t);
  return r;
}
}  // namespace

Result<Interval> IntervalMul(const Interval& a, double factor) {
  return Scale(a, a.months * factor, a.days * factor, [factor](double t) { return t * factor; });
}

Result<Interval> IntervalDiv(const Interval& a, double factor) {
  if (factor == 0.0) return Status::Sql(StatusCode::kInvalidArgument, "22012", "division by zero");
  return Scale(a, a.months / factor, a.days / factor, [factor](double t) { return t / factor; });
}

namespace {
__int128 Span(const Interval& iv) {
  return static_cast<__int128>(iv.months) * 30 * kUsecsPerDay + static_cast<__int128>(iv.days) * kUsecsPerDay +
         iv.time_us;
}
}  // namespace

int CompareIntervals(const Interval& a, const Interval& b) {
  __int128 x = Span(a), y = Span(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

uint64_t HashInterval(const Interval& iv) {
  __int128 s = Span(iv);
  uint64_t lo = static_cast<uint64_t>(s), hi = static_cast<uint64_t>(s >> 64);
  return std::hash<uint64_t>{}(lo ^ (hi * 0x9e3779b97f4a7c15ULL));
}

}  // namespace nordlys::engine::types
