// Template formatting and parsing for to_char/to_date/to_timestamp (see formatting.h).
#include "engine/types/formatting.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "engine/types/datetime_funcs.h"

namespace nordlys::engine::types {
namespace {

constexpr int64_t kUsecsPerMinute = 60 * kUsecsPerSec;
constexpr int64_t kUsecsPerHour = 60 * kUsecsPerMinute;

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
const char* const kRomanMonths[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"};

Status Unsupported(const std::string& what) {
  return Status::Sql(StatusCode::kNotSupported, "0A000", what + " is not supported yet");
}

// Date/time template keywords, longest first within each leading letter so that the first
// match is PG's.
const char* const kKeywords[] = {
    "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D", "FF1", "FF2",
    "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD", "ID", "IW", "IYYY", "IYY", "IY", "I", "J",
    "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF", "P.M.", "PM", "Q", "RM", "SSSSS", "SSSS", "SS",
    "TZH", "TZM", "TZ", "US", "WW", "W", "Y,YYY", "YYYY", "YYY", "YY", "Y", "a.d.", "a.m.", "ad", "am",
    "b.c.", "bc", "cc", "day", "ddd", "dd", "dy", "d", "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "fx", "hh24",
    "hh12", "hh", "iddd", "id", "iw", "iyyy", "iyy", "iy", "i", "j", "mi", "mm", "month", "mon", "ms", "of",
    "p.m.", "pm", "q", "rm", "sssss", "ssss", "ss", "tz", "us", "ww", "w", "y,yyy", "yyyy", "yyy", "yy", "y",
};

struct Node {
  bool keyword = false;
  std::string text;  // keyword (as matched) or literal text
  bool fm = false, tm = false, th = false, th_upper = false;
};

std::vector<Node> ParseDateTemplate(std::string_view f) {
  std::vector<Node> out;
  size_t i = 0;
  while (i < f.size()) {
    bool fm = false, tm = false;
    for (;;) {
      if (f.substr(i, 2) == "FM" || f.substr(i, 2) == "fm") {
        fm = true;
        i += 2;
      } else if (f.substr(i, 2) == "TM" || f.substr(i, 2) == "tm") {
        tm = true;
        i += 2;
      } else {
        break;
      }
    }
    const char* match = nullptr;
    for (const char* k : kKeywords) {
      std::string_view kw(k);
      if (f.substr(i, kw.size()) == kw) {
        match = k;
        break;
      }
    }
    if (match != nullptr) {
      Node n;
      n.keyword = true;
      n.text = match;
      n.fm = fm;
      n.tm = tm;
      i += n.text.size();
      if (f.substr(i, 2) == "TH" || f.substr(i, 2) == "th") {
        n.th = true;
        n.th_upper = f[i] == 'T';
        i += 2;
      }
      out.push_back(n);
      continue;
    }
    if (fm || tm) {
      // A prefix before no keyword: PG drops it.
      continue;
    }
    Node lit;
    if (f[i] == '"') {
      ++i;
      while (i < f.size() && f[i] != '"') {
        if (f[i] == '\\' && i + 1 < f.size()) ++i;
        lit.text += f[i++];
      }
      if (i < f.size()) ++i;
    } else if (f[i] == '\\' && i + 1 < f.size() && f[i + 1] == '"') {
      lit.text = "\"";
      i += 2;
    } else {
      lit.text = std::string(1, f[i++]);
    }
    out.push_back(lit);
  }
  return out;
}

std::string Pad(int64_t v, int width) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%0*lld", width, static_cast<long long>(v));  // NOLINT(runtime/int)
  return buf;
}

std::string Ordinal(int64_t v, bool upper) {
  int64_t a = v < 0 ? -v : v;
  const char* s = "th";
  if (a % 100 < 11 || a % 100 > 13) {
    if (a % 10 == 1) s = "st";
    else if (a % 10 == 2) s = "nd";
    else if (a % 10 == 3) s = "rd";
  }
  std::string out = s;
  if (upper) {
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Cased(const std::string& name, const std::string& kw, bool pad, int width) {
  std::string out = name;
  if (std::isupper(static_cast<unsigned char>(kw[0])) && std::isupper(static_cast<unsigned char>(kw[1]))) {
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else if (std::islower(static_cast<unsigned char>(kw[0]))) {
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (pad && static_cast<int>(out.size()) < width) out.append(width - out.size(), ' ');
  return out;
}

std::string LowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The values a template can show. For intervals, hour may exceed 23 and fields can be
// negative; calendar-only patterns are refused.
struct Shown {
  bool interval = false;
  int64_t year = 0;  // astronomical for time stamps, plain for intervals
  int month = 1, day = 1;
  int64_t hour = 0;
  int minute = 0, second = 0;
  int64_t usec = 0;
  int64_t days = 0;  // days since 2000-01-01 (time stamps)
  bool has_tz = false;
  int32_t tz_east = 0;
  std::string tz_abbrev;
};

Result<std::string> FormatDate(const Shown& v, std::string_view fmt) {
  std::string out;
  for (const Node& n : ParseDateTemplate(fmt)) {
    if (!n.keyword) {
      out += n.text;
      continue;
    }
    const std::string& k = n.text;
    const std::string uk = [&] {
      std::string u = k;
      for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return u;
    }();
    auto num = [&](int64_t val, int width) {
      // A negative interval field keeps its digits: "-01" takes one more column.
      out += Pad(val, n.fm ? 0 : val < 0 && width > 0 ? width + 1 : width);
      if (n.th) out += Ordinal(val, n.th_upper);
    };
    const int64_t disp_year = v.interval ? v.year : (v.year <= 0 ? -(v.year - 1) : v.year);
    auto calendar_only = [&]() -> Status {
      if (v.interval) {
        return Status::Sql(StatusCode::kInvalidArgument, "22007",
                           "invalid format specification for an interval value");
      }
      return Status::OK();
    };
    if (uk == "HH" || uk == "HH12") {
      int64_t h = v.hour % 12 == 0 ? 12 : v.hour % 12;
      num(h, 2);
    } else if (uk == "HH24") {
      num(v.hour, 2);
    } else if (uk == "MI") {
      num(v.minute, 2);
    } else if (uk == "SS") {
      num(v.second, 2);
    } else if (uk == "MS") {
      num(v.usec / 1000, 3);
    } else if (uk == "US") {
      num(v.usec, 6);
    } else if (uk.size() == 3 && uk[0] == 'F' && uk[1] == 'F') {
      int digits = uk[2] - '0';
      int64_t div = 1;
      for (int d = digits; d < 6; ++d) div *= 10;
      num(v.usec / div, digits);
    } else if (uk == "SSSS" || uk == "SSSSS") {
      num((v.hour * 60 + v.minute) * 60 + v.second, 0);
    } else if (uk == "AM" || uk == "PM" || uk == "A.M." || uk == "P.M.") {
      bool pm = v.hour % 24 >= 12;
      bool dots = uk.size() == 4;
      std::string s = pm ? (dots ? "P.M." : "PM") : (dots ? "A.M." : "AM");
      out += std::islower(static_cast<unsigned char>(k[0])) ? LowerAscii(s) : s;
    } else if (uk == "AD" || uk == "BC" || uk == "A.D." || uk == "B.C.") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      bool bc = v.year <= 0;
      bool dots = uk.size() == 4;
      std::string s = bc ? (dots ? "B.C." : "BC") : (dots ? "A.D." : "AD");
      out += std::islower(static_cast<unsigned char>(k[0])) ? LowerAscii(s) : s;
    } else if (uk == "Y,YYY") {
      out += std::to_string(disp_year / 1000) + "," + Pad(disp_year % 1000, 3);
      if (n.th) out += Ordinal(disp_year, n.th_upper);
    } else if (uk == "YYYY") {
      num(disp_year, 4);
    } else if (uk == "YYY" || uk == "YY" || uk == "Y") {
      int w = static_cast<int>(uk.size());
      int64_t mod = w == 3 ? 1000 : w == 2 ? 100 : 10;
      num(disp_year % mod, w);
    } else if (uk == "IYYY" || uk == "IYY" || uk == "IY" || uk == "I") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      int64_t iy;
      int w;
      IsoWeek(v.days, &iy, &w);
      int64_t d = iy <= 0 ? -(iy - 1) : iy;
      int width = static_cast<int>(uk.size());
      if (width == 4) {
        num(d, 4);
      } else {
        int64_t mod = width == 3 ? 1000 : width == 2 ? 100 : 10;
        num(d % mod, width);
      }
    } else if (uk == "MONTH" || uk == "MON") {
      if (v.interval && v.month == 0) continue;
      if (v.month < 1 || v.month > 12) return calendar_only();
      std::string name = kMonths[v.month - 1];
      if (uk == "MON") name = name.substr(0, 3);
      out += Cased(name, k, uk == "MONTH" && !n.fm && !n.tm, 9);
    } else if (uk == "MM") {
      num(v.month, 2);
    } else if (uk == "DAY" || uk == "DY") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      std::string name = kDays[IsoDayOfWeek(v.days) % 7];
      if (uk == "DY") name = name.substr(0, 3);
      out += Cased(name, k, uk == "DAY" && !n.fm && !n.tm, 9);
    } else if (uk == "DDD") {
      if (v.interval) {
        num(v.day, 3);
      } else {
        num(v.days - DaysFromCivil(v.year, 1, 1) + 1, 3);
      }
    } else if (uk == "IDDD") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      int64_t iy;
      int w;
      IsoWeek(v.days, &iy, &w);
      num(static_cast<int64_t>(w - 1) * 7 + IsoDayOfWeek(v.days), 3);
    } else if (uk == "DD") {
      num(v.day, 2);
    } else if (uk == "D") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      num(IsoDayOfWeek(v.days) % 7 + 1, 0);
    } else if (uk == "ID") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      num(IsoDayOfWeek(v.days), 0);
    } else if (uk == "W") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      num((v.day - 1) / 7 + 1, 0);
    } else if (uk == "WW") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      num((v.days - DaysFromCivil(v.year, 1, 1)) / 7 + 1, 2);
    } else if (uk == "IW") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      int64_t iy;
      int w;
      IsoWeek(v.days, &iy, &w);
      num(w, 2);
    } else if (uk == "Q") {
      if (v.interval) continue;
      num((v.month - 1) / 3 + 1, 0);
    } else if (uk == "CC") {
      int64_t cc = v.interval ? v.year / 100 : (v.year > 0 ? (v.year + 99) / 100 : v.year / 100 - 1);
      num(cc, 2);
    } else if (uk == "J") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      num(v.days + 2451545, 0);
    } else if (uk == "RM") {
      if (v.interval && v.month == 0) continue;
      if (v.month < 1 || v.month > 12) return calendar_only();
      std::string r = kRomanMonths[v.month - 1];
      if (k == "rm") r = LowerAscii(r);
      if (!n.fm && r.size() < 4) r.append(4 - r.size(), ' ');
      out += r;
    } else if (uk == "TZ") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      if (v.has_tz) out += k == "tz" ? LowerAscii(v.tz_abbrev) : v.tz_abbrev;
    } else if (uk == "TZH") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      out += (v.tz_east >= 0 ? "+" : "-") + Pad(std::abs(v.tz_east) / 3600, 2);
    } else if (uk == "TZM") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      out += Pad((std::abs(v.tz_east) / 60) % 60, 2);
    } else if (uk == "OF") {
      NORDLYS_RETURN_IF_ERROR(calendar_only());
      out += (v.tz_east >= 0 ? "+" : "-") + Pad(std::abs(v.tz_east) / 3600, n.fm ? 0 : 2);
      if (std::abs(v.tz_east) % 3600 != 0) out += ":" + Pad((std::abs(v.tz_east) / 60) % 60, 2);
    } else if (uk == "FX") {
      // no effect on output
    } else {
      return Unsupported("to_char pattern \"" + k + "\"");
    }
  }
  return out;
}

// ---- numbers ------------------------------------------------------------------------------

struct NumToken {
  enum Kind { kDigit9, kDigit0, kDecimal, kGroup, kS, kMI, kPL, kSG, kPR, kL, kLiteral } kind;
  std::string text;
};

}  // namespace

Result<std::string> ToCharTimestamp(int64_t ts, const TimeZone* tz, std::string_view fmt) {
  if (ts == kTimestampPosInfinity || ts == kTimestampNegInfinity) return std::string();  // PG: NULL-like empty
  Shown v;
  int32_t east = tz ? tz->OffsetAt(ts) : 0;
  DateTimeFields f = SplitTimestamp(ts + static_cast<int64_t>(east) * kUsecsPerSec);
  v.year = f.year;
  v.month = f.month;
  v.day = f.day;
  v.hour = f.hour;
  v.minute = f.minute;
  v.second = f.second;
  v.usec = f.usec;
  v.days = f.days;
  if (tz) {
    v.has_tz = true;
    v.tz_east = east;
    v.tz_abbrev = tz->AbbrevAt(ts);  // "CEST", "+0545", "UTC", "" for "+05:30", as PG shows
  }
  return FormatDate(v, fmt);
}

Result<std::string> ToCharInterval(const Interval& iv, std::string_view fmt) {
  Shown v;
  v.interval = true;
  v.year = iv.months / 12;
  v.month = iv.months % 12;
  v.day = iv.days;
  int64_t t = iv.time_us;
  v.hour = t / kUsecsPerHour;
  t -= v.hour * kUsecsPerHour;
  v.minute = static_cast<int>(t / kUsecsPerMinute);
  t -= v.minute * kUsecsPerMinute;
  v.second = static_cast<int>(t / kUsecsPerSec);
  v.usec = t - v.second * kUsecsPerSec;
  return FormatDate(v, fmt);
}

namespace {

// The digits of the value rounded to `post` decimals, as "[-]int[.frac]"; `*avail_post` is
// how many decimals the text has (fewer than `post` for floats past their precision).
using RoundFn = std::function<Result<std::string>(int post, int* avail_post)>;

Result<std::string> ToCharNumberImpl(std::string_view f, const RoundFn& round_to) {
  std::vector<NumToken> toks;
  bool fm = false;
  for (size_t i = 0; i < f.size();) {
    auto at = [&](std::string_view s) {
      if (f.size() - i < s.size()) return false;
      for (size_t k = 0; k < s.size(); ++k) {
        if (std::toupper(static_cast<unsigned char>(f[i + k])) != s[k]) return false;
      }
      return true;
    };
    char c = f[i];
    if (at("FM")) {
      fm = true;
      i += 2;
    } else if (c == '9') {
      toks.push_back({NumToken::kDigit9, ""});
      ++i;
    } else if (c == '0') {
      toks.push_back({NumToken::kDigit0, ""});
      ++i;
    } else if (c == '.' || c == 'D' || c == 'd') {
      toks.push_back({NumToken::kDecimal, ""});
      ++i;
    } else if (c == ',' || c == 'G' || c == 'g') {
      toks.push_back({NumToken::kGroup, ""});
      ++i;
    } else if (at("MI")) {
      toks.push_back({NumToken::kMI, ""});
      i += 2;
    } else if (at("PL")) {
      toks.push_back({NumToken::kPL, ""});
      i += 2;
    } else if (at("SG")) {
      toks.push_back({NumToken::kSG, ""});
      i += 2;
    } else if (at("PR")) {
      toks.push_back({NumToken::kPR, ""});
      i += 2;
    } else if (c == 'S' || c == 's') {
      toks.push_back({NumToken::kS, ""});
      ++i;
    } else if (c == 'L' || c == 'l') {
      toks.push_back({NumToken::kL, ""});
      ++i;
    } else if (at("EEEE") || at("RN") || at("TH") || c == 'V' || c == 'v' || c == 'B' || c == 'b') {
      return Unsupported("to_char number pattern \"" + std::string(f.substr(i, c == 'V' || c == 'v' || c == 'B' || c == 'b' ? 1 : at("EEEE") ? 4 : 2)) + "\"");
    } else if (c == '"') {
      std::string lit;
      ++i;
      while (i < f.size() && f[i] != '"') {
        if (f[i] == '\\' && i + 1 < f.size()) ++i;
        lit += f[i++];
      }
      if (i < f.size()) ++i;
      toks.push_back({NumToken::kLiteral, lit});
    } else {
      toks.push_back({NumToken::kLiteral, std::string(1, c)});
      ++i;
    }
  }
  // Digit positions before and after the decimal point; where '0' starts and ends.
  int pre = 0, post = 0, zero_start = 0, zero_end = 0;
  bool seen_decimal = false, sign_anchor = false, sign_leading_s = false, has_pr = false;
  for (const auto& t : toks) {
    if (t.kind == NumToken::kDecimal) {
      if (seen_decimal) {
        return Status::Sql(StatusCode::kInvalidArgument, "42601", "multiple decimal points");
      }
      seen_decimal = true;
    } else if (t.kind == NumToken::kDigit9 || t.kind == NumToken::kDigit0) {
      if (seen_decimal) {
        ++post;
        if (t.kind == NumToken::kDigit0) zero_end = post;
      } else {
        ++pre;
        if (t.kind == NumToken::kDigit0 && zero_start == 0) zero_start = pre;
      }
    } else if (t.kind == NumToken::kS) {
      sign_anchor = true;
      if (pre == 0 && !seen_decimal) sign_leading_s = true;
    } else if (t.kind == NumToken::kMI || t.kind == NumToken::kSG) {
      sign_anchor = true;
    } else if (t.kind == NumToken::kPR) {
      has_pr = true;
      sign_anchor = true;
    }
  }
  // The digits: rounded to the template's decimals (floats: to their significant digits).
  int avail_post = post;
  NORDLYS_ASSIGN_OR_RETURN(std::string text, round_to(post, &avail_post));
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.erase(0, 1);
  size_t dot = text.find('.');
  std::string int_digits = dot == std::string::npos ? text : text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (negative && int_digits.find_first_not_of('0') == std::string::npos &&
      frac.find_first_not_of('0') == std::string::npos) {
    negative = false;
  }
  if (int_digits == "0" && post > 0) int_digits.clear();
  bool overflow = static_cast<int>(int_digits.size()) > pre;
  // FM drops trailing fraction zeros beyond the last '0' of the template.
  int last_post = avail_post;
  if (fm) {
    int last_nonzero = 0;
    for (int k = 0; k < static_cast<int>(frac.size()); ++k) {
      if (frac[k] != '0') last_nonzero = k + 1;
    }
    last_post = std::min(avail_post, std::max(last_nonzero, zero_end));
  }
  std::string out;
  bool started = false, sign_done = false;
  int pre_pos = 0, post_pos = 0;
  auto emit_sign = [&] {
    if (sign_done) return;
    sign_done = true;
    if (has_pr) {
      if (negative) out += '<';
      else if (!fm) out += ' ';
      return;
    }
    if (sign_leading_s) {
      out += negative ? '-' : '+';
      return;
    }
    if (sign_anchor) return;
    if (negative) out += '-';
    else if (!fm) out += ' ';
  };
  for (const auto& t : toks) {
    switch (t.kind) {
      case NumToken::kDigit9:
      case NumToken::kDigit0:
        if (post_pos == 0 && !(seen_decimal && pre_pos == pre)) {
          ++pre_pos;
          if (overflow) {
            emit_sign();
            out += '#';
            started = true;
            break;
          }
          int first = pre - static_cast<int>(int_digits.size()) + 1;
          if (pre_pos >= first) {
            emit_sign();
            out += int_digits[pre_pos - first];
            started = true;
          } else if (zero_start != 0 && pre_pos >= zero_start) {
            emit_sign();
            out += '0';
            started = true;
          } else if (!fm) {
            out += ' ';
          }
        } else {
          ++post_pos;
          if (overflow) {
            out += '#';
          } else if (post_pos <= last_post && post_pos <= static_cast<int>(frac.size())) {
            out += frac[post_pos - 1];
          }
        }
        break;
      case NumToken::kDecimal:
        emit_sign();
        out += '.';
        started = true;
        if (pre_pos < pre) pre_pos = pre;
        break;
      case NumToken::kGroup:
        if (started) out += ',';
        else if (!fm) out += ' ';
        break;
      case NumToken::kS:
        if (!sign_leading_s) out += negative ? '-' : '+';
        break;
      case NumToken::kMI:
        if (negative) out += '-';
        else if (!fm) out += ' ';
        break;
      case NumToken::kSG: out += negative ? '-' : '+'; break;
      case NumToken::kPL:
        if (!negative) out += '+';
        else if (!fm) out += ' ';
        break;
      case NumToken::kPR:
        if (negative) out += '>';
        else if (!fm) out += ' ';
        break;
      case NumToken::kL: out += ' '; break;
      case NumToken::kLiteral: out += t.text; break;
    }
  }
  if (!sign_done) emit_sign();
  return out;
}

}  // namespace

Result<std::string> ToCharNumber(const Numeric& value, std::string_view fmt) {
  if (!value.is_finite()) return Unsupported("to_char of NaN or infinity");
  return ToCharNumberImpl(fmt, [&](int post, int* avail) -> Result<std::string> {
    *avail = post;
    return value.Round(post).ToString();
  });
}

Result<std::string> ToCharFloat(double value, std::string_view fmt, int float_digits) {
  if (std::isnan(value) || std::isinf(value)) return Unsupported("to_char of NaN or infinity");
  // float8_to_char: the integer digits as printf shows them, then as many decimals as fit in
  // the type's precision, rounded by printf (to even on exact ties).
  return ToCharNumberImpl(fmt, [&](int post, int* avail) -> Result<std::string> {
    char buf[400];
    std::snprintf(buf, sizeof(buf), "%.0f", std::fabs(value));
    int pre_len = static_cast<int>(std::strlen(buf));
    *avail = pre_len >= float_digits ? 0 : std::min(post, float_digits - pre_len);
    std::vector<char> big(static_cast<size_t>(pre_len) + *avail + 8);
    std::snprintf(big.data(), big.size(), "%.*f", *avail, value);
    return std::string(big.data());
  });
}

namespace {

struct Parsed {
  int64_t year = 0;
  bool have_year = false;
  int year_digits = 4;
  int month = 0, day = 0;
  int doy = 0;
  int hour = 0, minute = 0, second = 0;
  int64_t usec = 0;
  bool have_hour12 = false;
  int ampm = 0;  // 1 am, 2 pm
  bool bc = false;
  bool have_tz = false;
  int tzh = 0, tzm = 0;
  bool tz_negative = false;
};

bool IsDigitKeyword(const Node& n) {
  std::string u = n.text;
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const char* kDigitish[] = {"YYYY", "YYY", "YY", "Y", "MM", "DD", "DDD", "HH", "HH12", "HH24", "MI",
                                    "SS", "MS", "US", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "TZH", "TZM"};
  for (const char* d : kDigitish) {
    if (u == d) return true;
  }
  return false;
}

Result<Parsed> ParseWithTemplate(std::string_view in, std::string_view fmt) {
  std::vector<Node> nodes = ParseDateTemplate(fmt);
  Parsed p;
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < in.size() && std::isspace(static_cast<unsigned char>(in[i]))) ++i;
  };
  for (size_t ni = 0; ni < nodes.size(); ++ni) {
    const Node& n = nodes[ni];
    if (!n.keyword) {
      // A separator in the template matches one separator of the input, or nothing; a space
      // matches any run of spaces.
      for (char c : n.text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
          skip_spaces();
        } else if (i < in.size() && !std::isalnum(static_cast<unsigned char>(in[i]))) {
          ++i;
        } else if (i < in.size() && in[i] == c) {
          ++i;
        }
      }
      continue;
    }
    if (i >= in.size()) break;
    skip_spaces();
    std::string u = n.text;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool next_is_separator = ni + 1 >= nodes.size() || !nodes[ni + 1].keyword || !IsDigitKeyword(nodes[ni + 1]);
    auto read_int = [&](int max_len, int64_t* out, int* len_read) -> Status {
      size_t st = i;
      bool neg = false;
      if (i < in.size() && (in[i] == '-' || in[i] == '+')) {
        neg = in[i] == '-';
        ++i;
      }
      size_t ds = i;
      size_t limit = n.fm || next_is_separator ? in.size() : std::min(in.size(), ds + max_len);
      while (i < limit && std::isdigit(static_cast<unsigned char>(in[i]))) ++i;
      if (i == ds) {
        std::string rest(in.substr(st, std::min<size_t>(in.size() - st, std::max<size_t>(max_len, 1))));
        return Status::Sql(StatusCode::kInvalidArgument, "22007",
                           "invalid value \"" + rest + "\" for \"" + n.text + "\"");
      }
      if (i - ds > 18) return Status::Sql(StatusCode::kOutOfRange, "22008", "value for \"" + n.text + "\" in source string is out of range");
      *out = std::stoll(std::string(in.substr(ds, i - ds)));
      if (neg) *out = -*out;
      if (len_read) *len_read = static_cast<int>(i - ds);
      return Status::OK();
    };
    int64_t v = 0;
    int len = 0;
    if (u == "YYYY" || u == "YYY" || u == "YY" || u == "Y") {
      NORDLYS_RETURN_IF_ERROR(read_int(static_cast<int>(u.size()), &v, &len));
      if (u != "YYYY" && len < 4) {
        // adjust_partial_year_to_2020
        if (u == "YY" || u == "Y") {
          if (u == "Y" && v < 10) v += 2020;
          else if (v < 70) v += 2000;
          else if (v < 100) v += 1900;
        } else {
          if (v < 70) v += 2000;
          else if (v < 100) v += 1900;
          else if (v < 520) v += 2000;
          else if (v < 1000) v += 1000;
        }
      }
      p.year = v;
      p.have_year = true;
    } else if (u == "Y,YYY") {
      int64_t th;
      NORDLYS_RETURN_IF_ERROR(read_int(9, &th, nullptr));
      if (i < in.size() && in[i] == ',') ++i;
      NORDLYS_RETURN_IF_ERROR(read_int(3, &v, nullptr));
      p.year = th * 1000 + v;
      p.have_year = true;
    } else if (u == "MM") {
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.month = static_cast<int>(v);
    } else if (u == "DD") {
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.day = static_cast<int>(v);
    } else if (u == "DDD") {
      NORDLYS_RETURN_IF_ERROR(read_int(3, &v, nullptr));
      p.doy = static_cast<int>(v);
    } else if (u == "HH" || u == "HH12" || u == "HH24") {
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.hour = static_cast<int>(v);
      p.have_hour12 = u != "HH24";
    } else if (u == "MI") {
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.minute = static_cast<int>(v);
    } else if (u == "SS") {
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.second = static_cast<int>(v);
    } else if (u == "MS" || u == "US" || (u.size() == 3 && u[0] == 'F' && u[1] == 'F')) {
      int width = u == "MS" ? 3 : u == "US" ? 6 : u[2] - '0';
      NORDLYS_RETURN_IF_ERROR(read_int(width, &v, &len));
      // "25" is .25 and "025" is .025: scale by the digits read.
      int64_t scale = 1;
      for (int d = len; d < 6; ++d) scale *= 10;
      if (len > 6) return Unsupported("more than 6 fractional digits in to_timestamp");
      p.usec = (u == "MS" ? v * (len == 1 ? 100 : len == 2 ? 10 : 1) * 1000 : v * scale);
    } else if (u == "AM" || u == "PM" || u == "A.M." || u == "P.M.") {
      std::string word = LowerAscii(std::string(in.substr(i, u.size())));
      if (word == "am" || word == "a.m.") p.ampm = 1;
      else if (word == "pm" || word == "p.m.") p.ampm = 2;
      else {
        return Status::Sql(StatusCode::kInvalidArgument, "22007",
                           "invalid value \"" + std::string(in.substr(i, u.size())) + "\" for \"" + n.text + "\"");
      }
      i += u.size();
    } else if (u == "AD" || u == "BC" || u == "A.D." || u == "B.C.") {
      std::string word = LowerAscii(std::string(in.substr(i, u.size())));
      if (word == "bc" || word == "b.c.") p.bc = true;
      else if (word != "ad" && word != "a.d.") {
        return Status::Sql(StatusCode::kInvalidArgument, "22007",
                           "invalid value \"" + std::string(in.substr(i, u.size())) + "\" for \"" + n.text + "\"");
      }
      i += u.size();
    } else if (u == "MONTH" || u == "MON") {
      std::string rest = LowerAscii(std::string(in.substr(i)));
      int found = 0;
      size_t used = 0;
      for (int m = 0; m < 12 && !found; ++m) {
        std::string full = LowerAscii(kMonths[m]);
        if (u == "MONTH" && rest.compare(0, full.size(), full) == 0) {
          found = m + 1;
          used = full.size();
        } else if (rest.compare(0, 3, full.substr(0, 3)) == 0 && (u == "MON" || rest.size() >= 3)) {
          if (u == "MON") {
            found = m + 1;
            used = 3;
          }
        }
      }
      if (!found) {
        return Status::Sql(StatusCode::kInvalidArgument, "22007",
                           "invalid value \"" + std::string(in.substr(i, u == "MON" ? 3 : 9)) + "\" for \"" + n.text + "\"");
      }
      p.month = found;
      i += used;
    } else if (u == "DAY" || u == "DY") {
      std::string rest = LowerAscii(std::string(in.substr(i)));
      size_t used = 0;
      for (const char* d : kDays) {
        std::string full = LowerAscii(d);
        if (u == "DAY" && rest.compare(0, full.size(), full) == 0) used = full.size();
        else if (u == "DY" && rest.compare(0, 3, full.substr(0, 3)) == 0) used = 3;
        if (used) break;
      }
      if (!used) {
        return Status::Sql(StatusCode::kInvalidArgument, "22007",
                           "invalid value \"" + std::string(in.substr(i, 3)) + "\" for \"" + n.text + "\"");
      }
      i += used;
    } else if (u == "TZH") {
      bool neg = i < in.size() && in[i] == '-';
      if (i < in.size() && (in[i] == '-' || in[i] == '+')) ++i;
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.have_tz = true;
      p.tzh = static_cast<int>(v);
      p.tz_negative = neg;
    } else if (u == "TZM") {
      NORDLYS_RETURN_IF_ERROR(read_int(2, &v, nullptr));
      p.have_tz = true;
      p.tzm = static_cast<int>(v);
    } else if (u == "FX") {
      return Unsupported("FX in to_timestamp/to_date templates");
    } else {
      return Unsupported("template pattern \"" + n.text + "\" in to_timestamp/to_date");
    }
  }
  return p;
}

// Validates and combines the fields: the local timestamp.
Result<int64_t> Combine(const Parsed& p0, std::string_view text, bool want_time) {
  Parsed p = p0;
  auto field_error = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       "date/time field value out of range: \"" + std::string(text) + "\"");
  };
  if (p.have_hour12) {
    if (p.hour < 1 || p.hour > 12) {
      return Status::Sql(StatusCode::kInvalidArgument, "22007",
                         "hour \"" + std::to_string(p.hour) + "\" is invalid for the 12-hour clock");
    }
    if (p.ampm == 2 && p.hour < 12) p.hour += 12;
    else if (p.ampm == 1 && p.hour == 12) p.hour = 0;
  } else if (p.ampm) {
    if (p.ampm == 2 && p.hour < 12) p.hour += 12;
    else if (p.ampm == 1 && p.hour == 12) p.hour = 0;
  }
  int64_t year = p.have_year ? p.year : 1;
  if (p.bc) {
    if (year <= 0) return field_error();
    year = -(year - 1);
  } else if (p.have_year && year <= 0) {
    // PG treats year 0 and negative years as BC (year 0 = 1 BC).
    year = year + 1;
  }
  int month = p.month, day = p.day;
  if (p.doy != 0 && month == 0 && day == 0) {
    int64_t d0 = DaysFromCivil(year, 1, 1) + p.doy - 1;
    int64_t y2;
    CivilFromDays(d0, &y2, &month, &day);
    if (y2 != year) return field_error();
  }
  if (month == 0) month = 1;
  if (day == 0) day = 1;
  if (month < 1 || month > 12 || day < 1 || day > 31) return field_error();
  static const int kDim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > (month == 2 && leap ? 29 : kDim[month - 1])) return field_error();
  if (want_time) {
    if (p.hour < 0 || p.hour > 24 || p.minute < 0 || p.minute > 59 || p.second < 0 || p.second > 60 ||
        (p.hour == 24 && (p.minute > 0 || p.second > 0 || p.usec > 0))) {
      return field_error();
    }
  }
  if (!(year > -4713 || (year == -4713 && month >= 11 && (month > 11 || day >= 24))) || year >= 5874898) {
    return Status::Sql(StatusCode::kOutOfRange, "22008",
                       std::string(want_time ? "timestamp" : "date") + " out of range: \"" + std::string(text) + "\"");
  }
  __int128 local = static_cast<__int128>(DaysFromCivil(year, month, day)) * kUsecsPerDay;
  if (want_time) local += ((static_cast<int64_t>(p.hour) * 60 + p.minute) * 60 + p.second) * kUsecsPerSec + p.usec;
  return static_cast<int64_t>(local);
}

}  // namespace

Result<int64_t> ToTimestampFromText(std::string_view text, std::string_view fmt, const TimeZone& session) {
  NORDLYS_ASSIGN_OR_RETURN(Parsed p, ParseWithTemplate(text, fmt));
  NORDLYS_ASSIGN_OR_RETURN(int64_t local, Combine(p, text, true));
  int64_t east = p.have_tz ? (p.tz_negative ? -1 : 1) * (static_cast<int64_t>(p.tzh) * 3600 + p.tzm * 60)
                           : session.OffsetForLocal(local);
  int64_t ts = local - east * kUsecsPerSec;
  if (ts < -211813488000000000LL || ts >= 9223371331200000000LL) {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range");
  }
  return ts;
}

Result<int32_t> ToDateFromText(std::string_view text, std::string_view fmt) {
  NORDLYS_ASSIGN_OR_RETURN(Parsed p, ParseWithTemplate(text, fmt));
  NORDLYS_ASSIGN_OR_RETURN(int64_t local, Combine(p, text, false));
  return static_cast<int32_t>(local / kUsecsPerDay);
}

}  // namespace nordlys::engine::types
