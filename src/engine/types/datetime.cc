// Text input and output of date, time, timestamp, timestamptz and interval, after PostgreSQL
// 15's ParseDateTime/DecodeDateTime/DecodeInterval and EncodeDateTime/EncodeInterval, for
// DateStyle ISO, MDY and IntervalStyle postgres. Supported input: ISO 8601 dates and times
// ("2024-01-02 03:04:05.5+01", "2024-01-02T03:04:05Z"), MDY slashes ("1/2/2024"), month
// names ("Jan 2 2024", "2-Jan-2024"), YYYYMMDD, AD/BC, AM/PM, infinity, epoch, allballs.
// Relative words (now, today, ...) need the transaction clock: 0A000 for now.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "engine/types/datetime.h"

namespace nordlys::engine::types {
namespace {

constexpr int64_t kMinTimestamp = -211813488000000000LL;   // 4714-11-24 00:00:00 BC
constexpr int64_t kEndTimestamp = 9223371331200000000LL;   // 294277-01-01 00:00:00
constexpr int32_t kMinDate = -2451545;                     // 4714-11-24 BC
constexpr int32_t kEndDate = 2147483494 - 2451545;         // 5874898-01-01

struct Token {
  enum Kind { kNumber, kDate, kTime, kTz, kWord } kind;
  std::string text;
};

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// Splits lowercased input into fields. Returns false on a character no field can start with.
bool Lex(const std::string& s, std::vector<Token>* out) {
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
    } else if (IsDigit(c)) {
      size_t j = i;
      while (j < n && IsDigit(s[j])) ++j;
      if (j < n && s[j] == ':') {
        size_t k = j;
        while (k < n && (IsDigit(s[k]) || s[k] == ':' || s[k] == '.')) ++k;
        out->push_back({Token::kTime, s.substr(i, k - i)});
        i = k;
      } else if (j < n && (s[j] == '-' || s[j] == '/' || s[j] == '.')) {
        size_t k = j;
        while (k < n && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '-' || s[k] == '/' || s[k] == '.')) {
          if (s[k] == 't' && k + 1 < n && IsDigit(s[k + 1])) break;
          ++k;
        }
        std::string f = s.substr(i, k - i);
        bool number = s[j] == '.' && std::count(f.begin(), f.end(), '.') == 1 &&
                      std::all_of(f.begin(), f.end(), [](char ch) { return IsDigit(ch) || ch == '.'; });
        out->push_back({number ? Token::kNumber : Token::kDate, f});
        i = k;
      } else {
        out->push_back({Token::kNumber, s.substr(i, j - i)});
        i = j;
      }
    } else if (c == '+' || c == '-') {
      size_t k = i + 1;
      if (k < n && IsDigit(s[k])) {
        while (k < n && (IsDigit(s[k]) || s[k] == ':' || s[k] == '.')) ++k;
        out->push_back({Token::kTz, s.substr(i, k - i)});
      } else if (k < n && IsAlpha(s[k])) {
        while (k < n && IsAlpha(s[k])) ++k;
        out->push_back({Token::kWord, s.substr(i, k - i)});
      } else {
        return false;
      }
      i = k;
    } else if (IsAlpha(c)) {
      size_t k = i;
      while (k < n && IsAlpha(s[k])) ++k;
      if (k + 1 < n && (s[k] == '-' || s[k] == '.') && std::isalnum(static_cast<unsigned char>(s[k + 1]))) {
        // "jan-02-2024": a month name starting a date field.
        while (k < n && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '-' || s[k] == '/' || s[k] == '.')) ++k;
        out->push_back({Token::kDate, s.substr(i, k - i)});
        i = k;
        continue;
      }
      while (k < n && (IsAlpha(s[k]) || s[k] == '/' || s[k] == '_')) ++k;
      std::string w = s.substr(i, k - i);
      if (!(w == "t" && k < n && IsDigit(s[k]))) out->push_back({Token::kWord, w});
      i = k;
    } else {
      return false;
    }
  }
  return true;
}

int MonthFromName(const std::string& w) {
  static const char* kFull[] = {"january", "february", "march",     "april",   "may",      "june",
                                "july",    "august",   "september", "october", "november", "december"};
  for (int m = 0; m < 12; ++m) {
    std::string full = kFull[m];
    if (w == full || w == full.substr(0, 3) || (m == 8 && w == "sept")) return m + 1;
  }
  return 0;
}

bool IsDayName(const std::string& w) {
  static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  for (const char* d : kDays) {
    std::string full = d;
    if (w == full || w == full.substr(0, 3) || (w.size() >= 3 && full.rfind(w, 0) == 0 && w.size() <= 4)) return true;
  }
  return false;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

enum class DtErr { kNone, kBadFormat, kFieldOverflow, kTzOverflow, kUnsupported, kZone };

struct Fields {
  int64_t year = 0;
  int mon = 0, day = 0;
  bool have_year = false, have_mon = false, have_day = false;
  bool year2 = false;
  int hour = 0, min = 0, sec = 0;
  int64_t fsec = 0;
  bool have_time = false;
  bool have_tz = false;
  int32_t tz_east = 0;
  bool bc = false;
  int ampm = 0;  // 0 none, 1 am, 2 pm
  std::string special;
  std::string unsupported;
  std::shared_ptr<const ZoneRules> zone;  // a zone name in the text ("Europe/Helsinki")
};

bool ParseInt(const std::string& s, int64_t* v) {
  if (s.empty() || s.size() > 12) return false;
  *v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    *v = *v * 10 + (c - '0');
  }
  return true;
}

DtErr SetYear(Fields* f, const std::string& s) {
  int64_t v;
  if (!ParseInt(s, &v)) return DtErr::kFieldOverflow;
  if (f->have_year) return DtErr::kBadFormat;
  f->year = v;
  f->have_year = true;
  f->year2 = s.size() <= 2;
  return DtErr::kNone;
}
DtErr SetMon(Fields* f, const std::string& s) {
  int64_t v;
  if (f->have_mon) return DtErr::kBadFormat;
  int named = MonthFromName(s);
  if (named) {
    v = named;
  } else if (!ParseInt(s, &v)) {
    return DtErr::kBadFormat;
  }
  f->mon = static_cast<int>(std::min<int64_t>(v, 1000));
  f->have_mon = true;
  return DtErr::kNone;
}
DtErr SetDay(Fields* f, const std::string& s) {
  int64_t v;
  if (f->have_day) return DtErr::kBadFormat;
  if (!ParseInt(s, &v)) return DtErr::kBadFormat;
  f->day = static_cast<int>(std::min<int64_t>(v, 1000));
  f->have_day = true;
  return DtErr::kNone;
}

DtErr DecodeDateField(Fields* f, const std::string& text) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : text) {
    if (c == '-' || c == '/' || c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(cur);
  if (parts.size() != 3) return DtErr::kBadFormat;
  for (const auto& p : parts) {
    if (p.empty()) return DtErr::kBadFormat;
  }
  int named = -1;
  for (int k = 0; k < 3; ++k) {
    if (IsAlpha(parts[k][0])) {
      if (named >= 0 || !MonthFromName(parts[k])) return DtErr::kBadFormat;
      named = k;
    }
  }
  DtErr e;
  if (named == 1) {  // 02-jan-2024 or 2024-jan-02
    if (parts[0].size() > 2) {
      if ((e = SetYear(f, parts[0])) != DtErr::kNone) return e;
      if ((e = SetDay(f, parts[2])) != DtErr::kNone) return e;
    } else {
      if ((e = SetDay(f, parts[0])) != DtErr::kNone) return e;
      if ((e = SetYear(f, parts[2])) != DtErr::kNone) return e;
    }
    return SetMon(f, parts[1]);
  }
  if (named == 0) {  // jan-02-2024
    if ((e = SetMon(f, parts[0])) != DtErr::kNone) return e;
    if ((e = SetDay(f, parts[1])) != DtErr::kNone) return e;
    return SetYear(f, parts[2]);
  }
  if (named == 2) return DtErr::kBadFormat;
  if (parts[0].size() > 2) {  // ISO year first
    if ((e = SetYear(f, parts[0])) != DtErr::kNone) return e;
    if ((e = SetMon(f, parts[1])) != DtErr::kNone) return e;
    return SetDay(f, parts[2]);
  }
  // DateStyle MDY
  if ((e = SetMon(f, parts[0])) != DtErr::kNone) return e;
  if ((e = SetDay(f, parts[1])) != DtErr::kNone) return e;
  return SetYear(f, parts[2]);
}

// "h:m[:s[.f]]"
DtErr DecodeTimeField(Fields* f, const std::string& text) {
  if (f->have_time) return DtErr::kBadFormat;
  std::vector<std::string> parts;
  std::string cur;
  for (char c : text) {
    if (c == ':') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(cur);
  if (parts.size() < 2 || parts.size() > 3) return DtErr::kBadFormat;
  int64_t h, m, s = 0;
  if (!ParseInt(parts[0], &h) || !ParseInt(parts[1], &m)) return DtErr::kBadFormat;
  int64_t fsec = 0;
  if (parts.size() == 3) {
    std::string sp = parts[2];
    size_t dot = sp.find('.');
    std::string whole = dot == std::string::npos ? sp : sp.substr(0, dot);
    if (!ParseInt(whole, &s)) return DtErr::kBadFormat;
    if (dot != std::string::npos) {
      std::string frac = "0" + sp.substr(dot);
      if (frac.find('.', 2) != std::string::npos) return DtErr::kBadFormat;
      for (size_t k = 2; k < frac.size(); ++k) {
        if (!IsDigit(frac[k])) return DtErr::kBadFormat;
      }
      fsec = static_cast<int64_t>(std::rint(std::strtod(frac.c_str(), nullptr) * 1000000));
    }
  }
  if (h > 1000 || m > 1000 || s > 1000) return DtErr::kFieldOverflow;
  f->hour = static_cast<int>(h);
  f->min = static_cast<int>(m);
  f->sec = static_cast<int>(s);
  f->fsec = fsec;
  f->have_time = true;
  if (m > 59 || s > 60 || h > 24 || fsec > kUsecsPerSec ||
      (h == 24 && (m > 0 || s > 0 || fsec > 0))) {
    return DtErr::kFieldOverflow;
  }
  return DtErr::kNone;
}

DtErr DecodeTz(Fields* f, const std::string& text) {
  if (f->have_tz) return DtErr::kBadFormat;
  int sign = text[0] == '-' ? -1 : 1;
  std::string body = text.substr(1);
  int64_t h = 0, m = 0, s = 0;
  size_t colon = body.find(':');
  if (colon != std::string::npos) {
    std::string rest = body.substr(colon + 1);
    if (!ParseInt(body.substr(0, colon), &h)) return DtErr::kBadFormat;
    size_t c2 = rest.find(':');
    if (c2 != std::string::npos) {
      if (!ParseInt(rest.substr(0, c2), &m) || !ParseInt(rest.substr(c2 + 1), &s)) return DtErr::kBadFormat;
    } else if (!ParseInt(rest, &m)) {
      return DtErr::kBadFormat;
    }
  } else {
    int64_t v;
    if (!ParseInt(body, &v)) return DtErr::kBadFormat;
    if (body.size() <= 2) h = v;
    else if (body.size() <= 4) { h = v / 100; m = v % 100; }
    else if (body.size() <= 6) { h = v / 10000; m = (v / 100) % 100; s = v % 100; }
    else return DtErr::kBadFormat;
  }
  if (h > 15 || m > 59 || s > 59) return DtErr::kTzOverflow;
  f->have_tz = true;
  f->tz_east = static_cast<int32_t>(sign * (h * 3600 + m * 60 + s));
  return DtErr::kNone;
}

DtErr DecodeFields(const std::string& input, Fields* f) {
  std::string s = input;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<Token> toks;
  if (!Lex(s, &toks) || toks.empty()) return DtErr::kBadFormat;
  if (toks.size() == 1 && toks[0].kind == Token::kWord) {
    const std::string& w = toks[0].text;
    if (w == "infinity" || w == "+infinity" || w == "-infinity" || w == "epoch") {
      f->special = w == "+infinity" ? "infinity" : w;
      return DtErr::kNone;
    }
  }
  bool saw_day_name = false;
  for (size_t k = 0; k < toks.size(); ++k) {
    const Token& t = toks[k];
    DtErr e = DtErr::kNone;
    switch (t.kind) {
      case Token::kDate:
        if (f->have_year || f->have_mon || f->have_day) return DtErr::kBadFormat;
        // PG rejects "Tue 2024-01-02" (a weekday before an ISO date) as bad format.
        if (saw_day_name && t.text.find('-') != std::string::npos) return DtErr::kBadFormat;
        e = DecodeDateField(f, t.text);
        break;
      case Token::kTime:
        e = DecodeTimeField(f, t.text);
        break;
      case Token::kTz:
        e = DecodeTz(f, t.text);
        break;
      case Token::kNumber: {
        if (t.text.find('.') != std::string::npos) return DtErr::kBadFormat;
        if (!f->have_year && !f->have_mon && !f->have_day && t.text.size() == 8) {
          if ((e = SetYear(f, t.text.substr(0, 4))) != DtErr::kNone) return e;
          if ((e = SetMon(f, t.text.substr(4, 2))) != DtErr::kNone) return e;
          e = SetDay(f, t.text.substr(6, 2));
        } else if (!f->have_year && !f->have_mon && !f->have_day && t.text.size() == 6) {  // YYMMDD
          if ((e = SetYear(f, t.text.substr(0, 2))) != DtErr::kNone) return e;
          if ((e = SetMon(f, t.text.substr(2, 2))) != DtErr::kNone) return e;
          e = SetDay(f, t.text.substr(4, 2));
        } else if (f->have_mon && !f->have_day && t.text.size() <= 2) {
          e = SetDay(f, t.text);
        } else if (!f->have_year && (f->have_day || t.text.size() > 2)) {
          e = SetYear(f, t.text);
        } else if (!f->have_day && !f->have_mon && t.text.size() <= 2) {
          e = SetDay(f, t.text);
        } else {
          return DtErr::kBadFormat;
        }
        break;
      }
      case Token::kWord: {
        const std::string& w = t.text;
        if (w == "bc") f->bc = true;
        else if (w == "ad") {
        } else if (w == "am") f->ampm = 1;
        else if (w == "pm") f->ampm = 2;
        else if (w == "t") {
        } else if (w == "z" || w == "zulu" || w == "utc" || w == "gmt" || w == "ut") {
          if (f->have_tz) return DtErr::kBadFormat;
          f->have_tz = true;
          f->tz_east = 0;
        } else if (w == "allballs") {
          f->have_time = true;
        } else if (w == "now" || w == "today" || w == "tomorrow" || w == "yesterday") {
          f->unsupported = w;
          return DtErr::kUnsupported;
        } else if (MonthFromName(w)) {
          e = SetMon(f, w);
        } else if (IsDayName(w)) {
          saw_day_name = true;
        } else if (auto zone = LoadZone(w); zone.ok()) {
          if (f->have_tz || f->zone) return DtErr::kBadFormat;
          f->zone = std::move(zone).value();
        } else if (w.find('/') != std::string::npos) {
          f->unsupported = w;
          return DtErr::kZone;
        } else {
          return DtErr::kBadFormat;
        }
        break;
      }
    }
    if (e != DtErr::kNone) return e;
  }
  return DtErr::kNone;
}

// ValidateDate plus AM/PM; converts BC and two-digit years.
DtErr ValidateFields(Fields* f, bool need_date) {
  if (f->ampm) {
    if (f->hour > 12) return DtErr::kFieldOverflow;
    if (f->ampm == 1 && f->hour == 12) f->hour = 0;
    else if (f->ampm == 2 && f->hour != 12) f->hour += 12;
  }
  if (!need_date) return DtErr::kNone;
  if (!(f->have_year && f->have_mon && f->have_day)) return DtErr::kBadFormat;
  if (f->bc) {
    if (f->year <= 0) return DtErr::kFieldOverflow;
    f->year = -(f->year - 1);
  } else if (f->year2) {
    if (f->year < 70) f->year += 2000;
    else if (f->year < 100) f->year += 1900;
  } else if (f->year <= 0) {
    return DtErr::kFieldOverflow;
  }
  if (f->mon < 1 || f->mon > 12) return DtErr::kFieldOverflow;
  if (f->day < 1 || f->day > 31) return DtErr::kFieldOverflow;
  if (f->day > DaysInMonth(f->year, f->mon)) return DtErr::kFieldOverflow;
  return DtErr::kNone;
}

bool ValidJulian(int64_t y, int m, int d) {
  return (y > -4713 || (y == -4713 && (m > 11 || (m == 11 && d >= 24)))) && y < 5874898;
}

Status DtError(DtErr e, std::string_view type, std::string_view text, const Fields& f) {
  switch (e) {
    case DtErr::kFieldOverflow:
      return Status::Sql(StatusCode::kOutOfRange, "22008",
                         "date/time field value out of range: \"" + std::string(text) + "\"");
    case DtErr::kTzOverflow:
      return Status::Sql(StatusCode::kOutOfRange, "22009",
                         "time zone displacement out of range: \"" + std::string(text) + "\"");
    case DtErr::kUnsupported:
      return Status::Sql(StatusCode::kNotSupported, "0A000",
                         "date/time input \"" + f.unsupported + "\" is not supported yet");
    case DtErr::kZone:
      return Status::Sql(StatusCode::kInvalidArgument, "22023", "time zone \"" + f.unsupported + "\" not recognized");
    default:
      return Status::Sql(StatusCode::kInvalidArgument, "22007",
                         "invalid input syntax for type " + std::string(type) + ": \"" + std::string(text) + "\"");
  }
}

int64_t TimeOf(const Fields& f) {
  return ((static_cast<int64_t>(f.hour) * 60 + f.min) * 60 + f.sec) * kUsecsPerSec + f.fsec;
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return s;
}

// "HH:MM:SS[.ffffff]" with trailing fraction zeros trimmed.
std::string FormatClock(int64_t hour, int64_t min, int64_t sec, int64_t fsec) {
  std::string out = Pad(hour, 2) + ":" + Pad(min, 2) + ":" + Pad(sec, 2);
  if (fsec != 0) {
    std::string frac = Pad(fsec, 6);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out;
}

std::string FormatYmd(int64_t y, int m, int d) {
  return Pad(y > 0 ? y : -(y - 1), 4) + "-" + Pad(m, 2) + "-" + Pad(d, 2);
}

std::string FormatOffset(int32_t east) {
  int32_t a = std::abs(east);
  std::string out = east < 0 ? "-" : "+";
  out += Pad(a / 3600, 2);
  if (a % 3600 != 0) {
    out += ":" + Pad((a / 60) % 60, 2);
    if (a % 60 != 0) out += ":" + Pad(a % 60, 2);
  }
  return out;
}

Result<int64_t> ParseTimestampCommon(std::string_view text, const TimeZone* tz, int32_t typmod) {
  std::string_view type = tz ? "timestamp with time zone" : "timestamp";
  Fields f;
  DtErr e = DecodeFields(std::string(text), &f);
  if (e != DtErr::kNone) return DtError(e, type, text, f);
  if (f.special == "infinity") return kTimestampPosInfinity;
  if (f.special == "-infinity") return kTimestampNegInfinity;
  if (f.special == "epoch") return -946684800LL * kUsecsPerSec;
  if ((e = ValidateFields(&f, true)) != DtErr::kNone) return DtError(e, type, text, f);
  auto out_of_range = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "timestamp out of range: \"" + std::string(text) + "\"");
  };
  if (!ValidJulian(f.year, f.mon, f.day)) return out_of_range();
  __int128 ts = static_cast<__int128>(DaysFromCivil(f.year, f.mon, f.day)) * kUsecsPerDay + TimeOf(f);
  if (tz) {
    int32_t off = f.have_tz ? f.tz_east
                  : f.zone      ? TimeZone::Named(f.zone).OffsetForLocal(static_cast<int64_t>(ts))
                                : tz->OffsetForLocal(static_cast<int64_t>(ts));
    ts -= static_cast<__int128>(off) * kUsecsPerSec;
  }
  if (ts < kMinTimestamp || ts >= kEndTimestamp) return out_of_range();
  return RoundTimestamp(static_cast<int64_t>(ts), typmod);
}

}  // namespace

int32_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe - 719468 - 10957);
}

void CivilFromDays(int64_t z, int64_t* year, int* month, int* day) {
  z += 719468 + 10957;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = y + (*month <= 2);
}

Result<TimeZone> TimeZone::Parse(std::string_view setting) {
  std::string s(setting);
  std::string lower = s;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto invalid = [&] {
    return Status::Sql(StatusCode::kInvalidArgument, "22023",
                       "invalid value for parameter \"TimeZone\": \"" + s + "\"");
  };
  // A bare number of hours: ISO sign (east positive). PG names it as the POSIX zone it becomes.
  char* end = nullptr;
  double hours = std::strtod(s.c_str(), &end);
  if (!s.empty() && end != s.c_str() && *end == '\0') {
    if (std::isnan(hours) || std::fabs(hours) > 15 * 60) return invalid();
    int32_t secs = static_cast<int32_t>(std::lround(hours * 3600));
    if (std::abs(secs) > 14 * 3600 + 59 * 60) return invalid();
    return FixedOffset(secs, "<" + FormatOffset(secs) + ">" + FormatOffset(-secs), FormatOffset(secs));
  }
  // A zone of the tzdata database (UTC and GMT are zones there too), then a POSIX offset.
  auto zone = LoadZone(s);
  if (zone.ok()) return Named(std::move(zone).value());
  if (!zone.status().IsNotFound()) {
    // Leap seconds, or a damaged zone file: the setting is refused with the reason.
    return Status::Sql(StatusCode::kInvalidArgument, "22023", zone.status().message());
  }
  if (lower == "utc" || lower == "gmt" || lower == "etc/utc" || lower == "etc/gmt" || lower == "zulu" ||
      lower == "universal" || lower == "z") {
    return FixedOffset(0, s, "UTC");  // no tzdata installed
  }
  // A POSIX zone: "[NAME]+h[:mm[:ss]]" with POSIX sign (west positive), NAME 3+ letters or
  // <...>, optionally with daylight time ("FOO5BAR", "CET-1CEST,M3.5.0,M10.5.0/3").
  if (auto rule = ParsePosixTz(s, /*unnamed_ok=*/true); rule.ok()) {
    if (!rule->has_dst) return FixedOffset(rule->std_east, s, rule->std_abbrev);
    return Named(ZoneRules::FromPosix(*rule, s));
  }
  return invalid();
}

TimeZone TimeZone::FixedOffset(int32_t seconds_east, std::string name, std::string abbrev) {
  TimeZone tz;
  tz.seconds_east_ = seconds_east;
  tz.name_ = std::move(name);
  tz.abbrev_ = std::move(abbrev);
  return tz;
}

TimeZone TimeZone::Named(std::shared_ptr<const ZoneRules> rules) {
  TimeZone tz;
  tz.name_ = rules->name();
  tz.rules_ = std::move(rules);
  return tz;
}

namespace {
int64_t FloorSeconds(int64_t us) { return us / kUsecsPerSec - (us % kUsecsPerSec < 0 ? 1 : 0); }
}  // namespace

int32_t TimeZone::OffsetAt(int64_t utc_us) const {
  if (!rules_) return seconds_east_;
  // The database counts seconds from 1970; timestamps count microseconds from 2000.
  return rules_->OffsetAt(FloorSeconds(utc_us) + kUnixSecondsTo2000);
}

int32_t TimeZone::OffsetForLocal(int64_t local_us) const {
  if (!rules_) return seconds_east_;
  const int64_t local = FloorSeconds(local_us) + kUnixSecondsTo2000;
  // Offsets a day either side: if they differ, a transition lies between (zones change at most
  // once in two days). An interpretation is valid if the zone has that offset at that instant.
  const int32_t before = rules_->OffsetAt(local - 86400);
  const int32_t after = rules_->OffsetAt(local + 86400);
  if (before == after) return rules_->OffsetAt(local - before);
  const bool before_valid = rules_->OffsetAt(local - before) == before;
  const bool after_valid = rules_->OffsetAt(local - after) == after;
  if (after_valid) return after;  // only valid one, or passed twice: the later instant
  if (before_valid) return before;
  return before;  // skipped by the clocks: the offset before the change
}

std::string TimeZone::AbbrevAt(int64_t utc_us) const {
  if (!rules_) return abbrev_;
  const std::string* abbrev = nullptr;
  rules_->OffsetAt(FloorSeconds(utc_us) + kUnixSecondsTo2000, &abbrev);
  return abbrev ? *abbrev : std::string();
}

Result<int32_t> ParseDate(std::string_view text) {
  Fields f;
  DtErr e = DecodeFields(std::string(text), &f);
  if (e != DtErr::kNone) return DtError(e, "date", text, f);
  if (f.special == "infinity") return kDatePosInfinity;
  if (f.special == "-infinity") return kDateNegInfinity;
  if (f.special == "epoch") return -10957;
  if ((e = ValidateFields(&f, true)) != DtErr::kNone) return DtError(e, "date", text, f);
  auto out_of_range = [&] {
    return Status::Sql(StatusCode::kOutOfRange, "22008", "date out of range: \"" + std::string(text) + "\"");
  };
  if (!ValidJulian(f.year, f.mon, f.day)) return out_of_range();
  int32_t d = DaysFromCivil(f.year, f.mon, f.day);
  if (d < kMinDate || d >= kEndDate) return out_of_range();
  return d;
}

std::string FormatDate(int32_t date) {
  if (date == kDatePosInfinity) return "infinity";
  if (date == kDateNegInfinity) return "-infinity";
  int64_t y;
  int m, d;
  CivilFromDays(date, &y, &m, &d);
  return FormatYmd(y, m, d) + (y <= 0 ? " BC" : "");
}

Result<int64_t> ParseTime(std::string_view text, int32_t typmod) {
  Fields f;
  DtErr e = DecodeFields(std::string(text), &f);
  if (e == DtErr::kNone && !f.special.empty()) e = DtErr::kBadFormat;
  if (e == DtErr::kNone && !f.have_time) e = DtErr::kBadFormat;
  if (e == DtErr::kNone) e = ValidateFields(&f, false);
  if (e != DtErr::kNone) return DtError(e, "time", text, f);
  return RoundTime(TimeOf(f), typmod);
}

std::string FormatTime(int64_t t) {
  int64_t hour = t / (3600 * kUsecsPerSec);
  t -= hour * 3600 * kUsecsPerSec;
  int64_t min = t / (60 * kUsecsPerSec);
  t -= min * 60 * kUsecsPerSec;
  return FormatClock(hour, min, t / kUsecsPerSec, t % kUsecsPerSec);
}

Result<int64_t> ParseTimestamp(std::string_view text, int32_t typmod) {
  return ParseTimestampCommon(text, nullptr, typmod);
}

Result<int64_t> ParseTimestampTz(std::string_view text, const TimeZone& tz, int32_t typmod) {
  return ParseTimestampCommon(text, &tz, typmod);
}

namespace {
std::string FormatTimestampWithOffset(int64_t ts, const int32_t* offset) {
  if (ts == kTimestampPosInfinity) return "infinity";
  if (ts == kTimestampNegInfinity) return "-infinity";
  int64_t local = ts + (offset ? static_cast<int64_t>(*offset) * kUsecsPerSec : 0);
  int64_t days = local / kUsecsPerDay;
  int64_t time = local % kUsecsPerDay;
  if (time < 0) {
    time += kUsecsPerDay;
    --days;
  }
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  std::string out = FormatYmd(y, m, d) + " " + FormatTime(time);
  if (offset) out += FormatOffset(*offset);
  if (y <= 0) out += " BC";
  return out;
}
}  // namespace

std::string FormatTimestamp(int64_t ts) { return FormatTimestampWithOffset(ts, nullptr); }

std::string FormatTimestampTz(int64_t ts, const TimeZone& tz) {
  int32_t off = tz.OffsetAt(ts);
  return FormatTimestampWithOffset(ts, &off);
}

}  // namespace nordlys::engine::types
