// Date/time, math and text functions (see more_functions.h). The field arithmetic lives in
// types/datetime_funcs, templates in types/formatting, numeric digits in types/numeric_math;
// this file picks the variant by argument type and applies PG's NULL handling.
#include "engine/sql/execution/more_functions.h"

#include <openssl/evp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "engine/parser.h"
#include "engine/sql/errors.h"
#include "engine/types/datetime_funcs.h"
#include "engine/types/formatting.h"
#include "engine/types/numeric_math.h"
#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

using types::Numeric;
using types::Type;
using types::TypeId;
using types::Value;

namespace {

const types::SessionSettings& Settings(ExecContext* ctx) {
  static const types::SessionSettings kDefault;
  return ctx && ctx->session ? ctx->session->settings : kDefault;
}
const types::TimeZone& SessionZone(ExecContext* ctx) { return Settings(ctx).time_zone; }

Status Sql(const char* code, std::string msg, StatusCode sc = StatusCode::kInvalidArgument) {
  return Status::Sql(sc, code, std::move(msg));
}

Value FromNumeric(const std::optional<Numeric>& n, bool as_float) {
  if (!n) return Value();
  if (!as_float) return Value::MakeNumeric(*n);
  auto d = n->ToFloat8();
  return Value::Float8(d.ok() ? *d : std::numeric_limits<double>::quiet_NaN());
}

// ---- text helpers ---------------------------------------------------------------------------

std::string QuoteLiteral(const std::string& s) {
  bool backslash = s.find('\\') != std::string::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

std::string QuoteIdent(const std::string& s) { return QuoteIdentifier(s); }

std::string Digest(const EVP_MD* md, const std::string& data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(buf), len);
}

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Result<std::string> Encode(const std::string& data, std::string format) {
  for (char& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (format == "hex") return Hex(data);
  if (format == "base64") {
    // PG breaks the output into lines of 76 characters.
    std::string out;
    size_t line = 0;
    for (size_t i = 0; i < data.size(); i += 3) {
      uint32_t v = static_cast<unsigned char>(data[i]) << 16;
      if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
      if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
      if (line >= 76) {
        out += '\n';
        line = 0;
      }
      out += kBase64[(v >> 18) & 63];
      out += kBase64[(v >> 12) & 63];
      out += i + 1 < data.size() ? kBase64[(v >> 6) & 63] : '=';
      out += i + 2 < data.size() ? kBase64[v & 63] : '=';
      line += 4;
    }
    return out;
  }
  if (format == "escape") {
    std::string out;
    for (unsigned char c : data) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == 0 || c >= 0x80) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\%03o", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out;
  }
  return Sql("22023", "unrecognized encoding: \"" + format + "\"");
}

Result<std::string> Decode(const std::string& text, std::string format) {
  for (char& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (format == "hex") {
    std::string out;
    int hi = -1;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
      int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (v < 0) return Sql("22023", "invalid hexadecimal digit: \"" + std::string(1, c) + "\"");
      if (hi < 0) {
        hi = v;
      } else {
        out += static_cast<char>(hi * 16 + v);
        hi = -1;
      }
    }
    if (hi >= 0) return Sql("22023", "invalid hexadecimal data: odd number of digits");
    return out;
  }
  if (format == "base64") {
    std::string out;
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    for (char c : text) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
      if (c == '=') {
        ++pad;
        continue;
      }
      const char* p = std::strchr(kBase64, c);
      if (p == nullptr || c == '\0') {
        return Sql("22023", "invalid symbol \"" + std::string(1, c) + "\" found while decoding base64 sequence");
      }
      if (pad > 0) return Sql("22023", "invalid base64 end sequence");
      acc = (acc << 6) | static_cast<uint32_t>(p - kBase64);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>((acc >> bits) & 0xff);
      }
    }
    if (bits >= 6 || (pad > 0 && bits == 0) || pad > 2) return Sql("22023", "invalid base64 end sequence");
    return out;
  }
  if (format == "escape") {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\\') {
        out += text[i];
      } else if (i + 1 < text.size() && text[i + 1] == '\\') {
        out += '\\';
        ++i;
      } else if (i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' &&
                 text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
        out += static_cast<char>(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0'));
        i += 3;
      } else {
        return Sql("22P02", "invalid input syntax for type bytea");
      }
    }
    return out;
  }
  return Sql("22023", "unrecognized encoding: \"" + format + "\"");
}

// Regex flags of regexp_replace/regexp_match: g (all), i (case-insensitive), c (sensitive).
Result<std::pair<bool, bool>> RegexFlags(const std::string& flags, bool allow_g, const char* fn) {
  bool global = false, icase = false;
  for (char f : flags) {
    switch (f) {
      case 'g':
        if (!allow_g) {
          return Status::Sql(StatusCode::kInvalidArgument, "22023",
                             std::string(fn) + "() does not support the \"global\" option");
        }
        global = true;
        break;
      case 'i': icase = true; break;
      case 'c': icase = false; break;
      case 'b': case 'e': case 'm': case 'n': case 'p': case 'q': case 's': case 't': case 'w': case 'x':
        return Status::Sql(StatusCode::kNotSupported, "0A000",
                           std::string("regular expression option \"") + f + "\" is not supported yet");
      default:
        return Status::Sql(StatusCode::kInvalidArgument, "22023",
                           std::string("invalid regular expression option: \"") + f + "\"");
    }
  }
  return std::make_pair(global, icase);
}

// PG's replacement text: \1..\9 a group, \& the match, \\ a backslash.
void AppendReplacement(std::string* out, const std::string& repl, const std::smatch& m) {
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c == '\\' && i + 1 < repl.size()) {
      char d = repl[i + 1];
      if (d >= '1' && d <= '9') {
        size_t g = static_cast<size_t>(d - '0');
        if (g < m.size() && m[g].matched) *out += m[g].str();
        ++i;
        continue;
      }
      if (d == '&') {
        *out += m[0].str();
        ++i;
        continue;
      }
      if (d == '\\') {
        *out += '\\';
        ++i;
        continue;
      }
    }
    *out += c;
  }
}

Result<std::string> SimilarToRegex(const std::string& pat, const std::string* esc) {
  std::string e = "\\";
  if (esc != nullptr) {
    if (types::Utf8Length(*esc) > 1) {
      return Status::Sql(StatusCode::kInvalidArgument, "22025", "invalid escape string");
    }
    e = *esc;
  }
  std::string r = "^(?:";
  bool after_escape = false, in_class = false;
  for (size_t i = 0; i < pat.size(); ++i) {
    char c = pat[i];
    if (after_escape) {
      if (c == '"' && !in_class) return Unsupported("escape-double-quote separators in SIMILAR TO");
      r += '\\';
      r += c;
      after_escape = false;
    } else if (!e.empty() && pat.compare(i, e.size(), e) == 0) {
      after_escape = true;
      i += e.size() - 1;
    } else if (in_class) {
      if (c == '\\') r += '\\';
      r += c;
      if (c == ']') in_class = false;
    } else if (c == '[') {
      r += c;
      in_class = true;
    } else if (c == '%') {
      r += ".*";
    } else if (c == '_') {
      r += '.';
    } else if (c == '(') {
      r += "(?:";
    } else if (c == '\\' || c == '.' || c == '^' || c == '$') {
      r += '\\';
      r += c;
    } else {
      r += c;
    }
  }
  return r + ")$";
}

// format(): %[n$][-][width|*|*n$](s|I|L), %%.
Result<Value> Format(const Expr& e, const std::vector<Value>& a, ExecContext* ctx) {
  if (a[0].is_null()) return Value();
  const std::string& f = a[0].as_string();
  const size_t nargs = a.size() - 1;
  size_t next = 1;  // the next implicit argument
  std::string out;
  auto bad = [](std::string msg) { return Status::Sql(StatusCode::kInvalidArgument, "22023", std::move(msg)); };
  auto arg_text = [&](size_t i) { return types::OutputValue(a[i], e.args[i]->type, Settings(ctx)); };
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    if (++i >= f.size()) return bad("unterminated format() type specifier");
    if (f[i] == '%') {
      out += '%';
      continue;
    }
    // Reads digits; returns -1 when none.
    auto read_num = [&](size_t* pos) -> int64_t {
      size_t st = *pos;
      int64_t v = 0;
      while (*pos < f.size() && std::isdigit(static_cast<unsigned char>(f[*pos]))) {
        v = std::min<int64_t>(v * 10 + (f[*pos] - '0'), INT32_MAX);
        ++*pos;
      }
      return *pos == st ? -1 : v;
    };
    int64_t argpos = -1;
    size_t save = i;
    int64_t num = read_num(&i);
    if (num >= 0 && i < f.size() && f[i] == '$') {
      if (num == 0) return bad("format specifies argument 0, but arguments are numbered from 1");
      argpos = num;
      ++i;
    } else {
      i = save;
    }
    bool left = false;
    while (i < f.size() && f[i] == '-') {
      left = true;
      ++i;
    }
    int64_t width = -1;
    if (i < f.size() && f[i] == '*') {
      ++i;
      size_t s2 = i;
      int64_t wpos = read_num(&i);
      size_t widx;
      if (wpos >= 0 && i < f.size() && f[i] == '$') {
        if (wpos == 0) return bad("format specifies argument 0, but arguments are numbered from 1");
        widx = static_cast<size_t>(wpos);
        ++i;
      } else {
        i = s2;
        widx = next++;
      }
      if (widx > nargs) return bad("too few arguments for format()");
      next = widx + 1;
      if (!a[widx].is_null()) {
        if (e.args[widx]->type.id != TypeId::kInt4 && e.args[widx]->type.id != TypeId::kInt2 &&
            e.args[widx]->type.id != TypeId::kInt8) {
          return Unsupported("a format() width argument that is not an integer");
        }
        width = a[widx].as_int();
        if (width < 0) {
          left = true;
          width = -width;
        }
      }
    } else {
      width = read_num(&i);
    }
    if (i >= f.size()) return bad("unterminated format() type specifier");
    char type = f[i];
    if (type != 's' && type != 'I' && type != 'L') {
      return Status::Sql(StatusCode::kInvalidArgument, "22023",
                         std::string("unrecognized format() type specifier \"") + type + "\"");
    }
    size_t idx = argpos >= 0 ? static_cast<size_t>(argpos) : next;
    if (idx > nargs) return bad("too few arguments for format()");
    next = idx + 1;
    std::string piece;
    if (a[idx].is_null()) {
      if (type == 'I') {
        return Status::Sql(StatusCode::kInvalidArgument, "22004", "null values cannot be formatted as an SQL identifier");
      }
      piece = type == 'L' ? "NULL" : "";
    } else {
      std::string t = arg_text(idx);
      piece = type == 's' ? t : type == 'I' ? QuoteIdent(t) : QuoteLiteral(t);
    }
    if (width > 0) {
      int64_t len = static_cast<int64_t>(types::Utf8Length(piece));
      if (len < width) {
        std::string pad(static_cast<size_t>(width - len), ' ');
        piece = left ? piece + pad : pad + piece;
      }
    }
    out += piece;
  }
  return Value::String(out);
}

Result<Value> Overlay(const std::vector<Value>& a) {
  const std::string& s = a[0].as_string();
  const std::string& r = a[1].as_string();
  int64_t from = a[2].as_int();
  int64_t len = a.size() == 4 ? a[3].as_int() : static_cast<int64_t>(types::Utf8Length(r));
  int64_t end = from + len;
  if (end > INT32_MAX || end < INT32_MIN) return Sql("22003", "integer out of range", StatusCode::kOutOfRange);
  if (from - 1 < 0) return Sql("22011", "negative substring length not allowed", StatusCode::kOutOfRange);
  int64_t chars = static_cast<int64_t>(types::Utf8Length(s));
  size_t head = types::Utf8Prefix(s, static_cast<size_t>(std::min(from - 1, chars)));
  std::string out = s.substr(0, head) + r;
  int64_t tail_start = std::max<int64_t>(end, 1) - 1;  // 0-based chars
  if (tail_start < chars) out += s.substr(types::Utf8Prefix(s, static_cast<size_t>(tail_start)));
  return Value::String(out);
}

Result<Value> FloatMath(Func f, const std::vector<Value>& a) {
  double x = f == Func::kPi ? 0 : a[0].as_float();
  auto out_of_range = [] { return Sql("22003", "input is out of range", StatusCode::kOutOfRange); };
  auto checked = [](double r, bool inf_ok, bool zero_ok) -> Result<Value> {
    if (std::isinf(r) && !inf_ok) return Sql("22003", "value out of range: overflow", StatusCode::kOutOfRange);
    if (r == 0.0 && !zero_ok) return Sql("22003", "value out of range: underflow", StatusCode::kOutOfRange);
    return Value::Float8(r);
  };
  switch (f) {
    case Func::kPi: return Value::Float8(M_PI);
    case Func::kExp: {
      double r = std::exp(x);
      return checked(r, std::isinf(x), x == -HUGE_VAL || std::isnan(x));
    }
    case Func::kLn:
    case Func::kLog10:
      if (x == 0.0) return Sql("2201E", "cannot take logarithm of zero");
      if (x < 0) return Sql("2201E", "cannot take logarithm of a negative number");
      return checked(f == Func::kLn ? std::log(x) : std::log10(x), std::isinf(x), x == 1.0);
    case Func::kCbrt: return Value::Float8(std::cbrt(x));
    case Func::kDegrees: return checked(x * (180.0 / M_PI), std::isinf(x), x == 0.0);
    case Func::kRadians: return checked(x * (M_PI / 180.0), std::isinf(x), x == 0.0);
    case Func::kSin:
    case Func::kCos:
    case Func::kTan:
    case Func::kCot: {
      if (std::isnan(x)) return Value::Float8(x);
      if (std::isinf(x)) return out_of_range();
      double r = f == Func::kSin ? std::sin(x) : f == Func::kCos ? std::cos(x) : std::tan(x);
      if (f == Func::kCot) r = 1.0 / r;
      return Value::Float8(r);
    }
    case Func::kAsin:
    case Func::kAcos:
      if (std::isnan(x)) return Value::Float8(x);
      if (x < -1 || x > 1) return out_of_range();
      return Value::Float8(f == Func::kAsin ? std::asin(x) : std::acos(x));
    case Func::kAtan:
      return Value::Float8(std::atan(x));
    case Func::kAtan2:
      return Value::Float8(std::atan2(x, a[1].as_float()));
    default:
      return Unsupported("function " + std::to_string(static_cast<int>(f)));
  }
}

int64_t CurrentDateLocalMidnight(ExecContext* ctx) {
  int64_t local = ctx->txn_timestamp + int64_t{SessionZone(ctx).OffsetAt(ctx->txn_timestamp)} * types::kUsecsPerSec;
  int64_t days = local >= 0 ? local / types::kUsecsPerDay : (local - types::kUsecsPerDay + 1) / types::kUsecsPerDay;
  return days * types::kUsecsPerDay;
}

Result<Value> EvalDateTime(const Expr& e, std::vector<Value>& a, ExecContext* ctx) {
  const types::TimeZone& zone = SessionZone(ctx);
  switch (e.func) {
    case Func::kExtract:
    case Func::kDatePart: {
      const std::string& unit = a[0].as_string();
      bool as_float = e.func == Func::kDatePart;
      switch (e.args[1]->type.id) {
        case TypeId::kDate: {
          NORDLYS_ASSIGN_OR_RETURN(auto r, types::ExtractFromDate(unit, static_cast<int32_t>(a[1].as_int())));
          return FromNumeric(r, as_float);
        }
        case TypeId::kTimestamp: {
          NORDLYS_ASSIGN_OR_RETURN(auto r, types::ExtractFromTimestamp(unit, a[1].as_int(), nullptr));
          return FromNumeric(r, as_float);
        }
        case TypeId::kTimestampTz: {
          NORDLYS_ASSIGN_OR_RETURN(auto r, types::ExtractFromTimestamp(unit, a[1].as_int(), &zone));
          return FromNumeric(r, as_float);
        }
        case TypeId::kTime: {
          NORDLYS_ASSIGN_OR_RETURN(auto r, types::ExtractFromTime(unit, a[1].as_int()));
          return FromNumeric(r, as_float);
        }
        default: {
          NORDLYS_ASSIGN_OR_RETURN(auto r, types::ExtractFromInterval(unit, a[1].as_interval()));
          return FromNumeric(r, as_float);
        }
      }
    }
    case Func::kDateTrunc: {
      const std::string& unit = a[0].as_string();
      TypeId t = e.args[1]->type.id;
      if (t == TypeId::kInterval) {
        NORDLYS_ASSIGN_OR_RETURN(types::Interval iv, types::TruncInterval(unit, a[1].as_interval()));
        return Value::MakeInterval(iv);
      }
      if (t == TypeId::kTimestamp) {
        NORDLYS_ASSIGN_OR_RETURN(int64_t r, types::TruncTimestamp(unit, a[1].as_int(), nullptr));
        return Value::Timestamp(r);
      }
      types::TimeZone tz = zone;
      if (a.size() == 3) {
        NORDLYS_ASSIGN_OR_RETURN(tz, types::ZoneForAtTimeZone(a[2].as_string()));
      }
      NORDLYS_ASSIGN_OR_RETURN(int64_t r, types::TruncTimestamp(unit, a[1].as_int(), &tz));
      return Value::TimestampTz(r);
    }
    case Func::kAge: {
      bool tz = e.args[0]->type.id == TypeId::kTimestampTz;
      int64_t x, y;
      if (a.size() == 1) {
        int64_t midnight = CurrentDateLocalMidnight(ctx);
        x = tz ? midnight - int64_t{zone.OffsetForLocal(midnight)} * types::kUsecsPerSec : midnight;
        y = a[0].as_int();
      } else {
        x = a[0].as_int();
        y = a[1].as_int();
      }
      NORDLYS_ASSIGN_OR_RETURN(types::Interval iv, types::TimestampAge(x, y, tz ? &zone : nullptr));
      return Value::MakeInterval(iv);
    }
    case Func::kTimezone: {
      types::TimeZone tz;
      if (e.args[0]->type.id == TypeId::kInterval) {
        NORDLYS_ASSIGN_OR_RETURN(tz, types::ZoneFromInterval(a[0].as_interval()));
      } else {
        NORDLYS_ASSIGN_OR_RETURN(tz, types::ZoneForAtTimeZone(a[0].as_string()));
      }
      int64_t ts = a[1].as_int();
      if (ts == types::kTimestampPosInfinity || ts == types::kTimestampNegInfinity) {
        return e.type.id == TypeId::kTimestamp ? Value::Timestamp(ts) : Value::TimestampTz(ts);
      }
      if (e.type.id == TypeId::kTimestamp) {
        // timestamptz -> the wall-clock time in the zone.
        NORDLYS_ASSIGN_OR_RETURN(int64_t r, types::TimestampTzToTimestamp(ts, tz));
        return Value::Timestamp(r);
      }
      NORDLYS_ASSIGN_OR_RETURN(int64_t r, types::TimestampToTimestampTz(ts, tz));
      return Value::TimestampTz(r);
    }
    case Func::kToChar: {
      const std::string& fmt = a[1].as_string();
      if (fmt.empty()) return Value();  // PG: an empty template gives NULL
      std::string out;
      switch (e.args[0]->type.id) {
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz: {
          int64_t ts = a[0].as_int();
          if (ts == types::kTimestampPosInfinity || ts == types::kTimestampNegInfinity) return Value();
          NORDLYS_ASSIGN_OR_RETURN(out, types::ToCharTimestamp(ts, e.args[0]->type.id == TypeId::kTimestampTz ? &zone : nullptr, fmt));
          break;
        }
        case TypeId::kInterval: {
          NORDLYS_ASSIGN_OR_RETURN(out, types::ToCharInterval(a[0].as_interval(), fmt));
          break;
        }
        case TypeId::kNumeric: {
          NORDLYS_ASSIGN_OR_RETURN(out, types::ToCharNumber(a[0].as_numeric(), fmt));
          break;
        }
        case TypeId::kFloat4:
        case TypeId::kFloat8: {
          bool f4 = e.args[0]->type.id == TypeId::kFloat4;
          double d = a[0].as_float();
          if (std::isnan(d) || std::isinf(d)) return Unsupported("to_char of NaN or infinity");
          NORDLYS_ASSIGN_OR_RETURN(out, types::ToCharFloat(d, fmt, f4 ? 6 : 15));
          break;
        }
        default: {
          NORDLYS_ASSIGN_OR_RETURN(out, types::ToCharNumber(Numeric::FromInt64(a[0].as_int()), fmt));
          break;
        }
      }
      return Value::String(out);
    }
    case Func::kToDate: {
      NORDLYS_ASSIGN_OR_RETURN(int32_t d, types::ToDateFromText(a[0].as_string(), a[1].as_string()));
      return Value::Date(d);
    }
    case Func::kToTimestamp: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, types::ToTimestampFromText(a[0].as_string(), a[1].as_string(), zone));
      return Value::TimestampTz(ts);
    }
    case Func::kToTimestampFloat: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, types::TimestampFromUnixSeconds(a[0].as_float()));
      return Value::TimestampTz(ts);
    }
    case Func::kMakeDate: {
      NORDLYS_ASSIGN_OR_RETURN(int32_t d, types::MakeDate(a[0].as_int(), a[1].as_int(), a[2].as_int()));
      return Value::Date(d);
    }
    case Func::kMakeTime: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t t, types::MakeTime(a[0].as_int(), a[1].as_int(), a[2].as_float()));
      return Value::Time(t);
    }
    case Func::kMakeTimestamp:
    case Func::kMakeTimestampTz: {
      NORDLYS_ASSIGN_OR_RETURN(int64_t local, types::MakeTimestamp(a[0].as_int(), a[1].as_int(), a[2].as_int(),
                                                                    a[3].as_int(), a[4].as_int(), a[5].as_float()));
      if (e.func == Func::kMakeTimestamp) return Value::Timestamp(local);
      types::TimeZone tz = zone;
      if (a.size() == 7) {
        NORDLYS_ASSIGN_OR_RETURN(tz, types::ZoneForMakeTimestamptz(a[6].as_string()));
      }
      NORDLYS_ASSIGN_OR_RETURN(int64_t ts, types::TimestampToTimestampTz(local, tz));
      return Value::TimestampTz(ts);
    }
    case Func::kMakeInterval: {
      NORDLYS_ASSIGN_OR_RETURN(types::Interval iv,
                               types::MakeInterval(a[0].as_int(), a[1].as_int(), a[2].as_int(), a[3].as_int(),
                                                   a[4].as_int(), a[5].as_int(), a[6].as_float()));
      return Value::MakeInterval(iv);
    }
    case Func::kJustifyDays:
    case Func::kJustifyHours:
    case Func::kJustifyInterval: {
      const types::Interval& iv = a[0].as_interval();
      NORDLYS_ASSIGN_OR_RETURN(types::Interval r, e.func == Func::kJustifyDays ? types::JustifyDays(iv)
                                                  : e.func == Func::kJustifyHours ? types::JustifyHours(iv)
                                                                                  : types::JustifyInterval(iv));
      return Value::MakeInterval(r);
    }
    case Func::kIsfinite: {
      switch (e.args[0]->type.id) {
        case TypeId::kDate: {
          int64_t d = a[0].as_int();
          return Value::Bool(d != types::kDatePosInfinity && d != types::kDateNegInfinity);
        }
        case TypeId::kInterval: return Value::Bool(true);
        default: {
          int64_t t = a[0].as_int();
          return Value::Bool(t != types::kTimestampPosInfinity && t != types::kTimestampNegInfinity);
        }
      }
    }
    default:
      return Unsupported("function " + e.ToString());
  }
}

}  // namespace

bool IsMoreFunction(const Expr& e) {
  if ((e.func == Func::kSqrt || e.func == Func::kPower) && e.type.id == TypeId::kNumeric) return true;
  switch (e.func) {
    case Func::kExtract: case Func::kDateTrunc: case Func::kToChar: case Func::kMd5:
    case Func::kDatePart: case Func::kAge: case Func::kTimezone: case Func::kToDate: case Func::kToTimestamp:
    case Func::kToTimestampFloat: case Func::kMakeDate: case Func::kMakeTime: case Func::kMakeTimestamp:
    case Func::kMakeTimestampTz: case Func::kMakeInterval: case Func::kJustifyDays: case Func::kJustifyHours:
    case Func::kJustifyInterval: case Func::kIsfinite: case Func::kExp: case Func::kLn: case Func::kLog:
    case Func::kLog10: case Func::kDiv: case Func::kScale: case Func::kCbrt: case Func::kDegrees:
    case Func::kRadians: case Func::kSin: case Func::kCos: case Func::kTan: case Func::kCot: case Func::kAsin:
    case Func::kAcos: case Func::kAtan: case Func::kAtan2: case Func::kPi: case Func::kBitLength:
    case Func::kSha224: case Func::kSha256: case Func::kSha384: case Func::kSha512: case Func::kEncode:
    case Func::kDecode: case Func::kRegexpReplace: case Func::kRegexpMatch: case Func::kSimilarToEscape:
    case Func::kOverlay: case Func::kFormat: case Func::kQuoteLiteral: case Func::kQuoteNullable:
      return true;
    default:
      return false;
  }
}

Result<Value> EvalMoreFunction(const Expr& e, std::vector<Value>& a, ExecContext* ctx) {
  // Not strict.
  if (e.func == Func::kFormat) return Format(e, a, ctx);
  if (e.func == Func::kQuoteNullable) {
    if (a[0].is_null()) return Value::String("NULL");
    return Value::String(QuoteLiteral(types::OutputValue(a[0], e.args[0]->type, Settings(ctx))));
  }
  for (const auto& v : a) {
    if (v.is_null()) return Value();
  }
  const bool numeric = e.type.id == TypeId::kNumeric;
  switch (e.func) {
    case Func::kSqrt: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric r, types::NumericSqrt(a[0].as_numeric()));
      return Value::MakeNumeric(r);
    }
    case Func::kPower: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric r, types::NumericPower(a[0].as_numeric(), a[1].as_numeric()));
      return Value::MakeNumeric(r);
    }
    case Func::kExp:
    case Func::kLn:
    case Func::kLog10:
      if (numeric) {
        const Numeric& x = a[0].as_numeric();
        Result<Numeric> r = e.func == Func::kExp ? types::NumericExp(x)
                            : e.func == Func::kLn ? types::NumericLn(x)
                                                  : types::NumericLog(Numeric::FromInt64(10), x);
        if (!r.ok()) return r.status();
        return Value::MakeNumeric(*r);
      }
      return FloatMath(e.func, a);
    case Func::kLog: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric r, types::NumericLog(a[0].as_numeric(), a[1].as_numeric()));
      return Value::MakeNumeric(r);
    }
    case Func::kDiv: {
      NORDLYS_ASSIGN_OR_RETURN(Numeric r, types::NumericDivTrunc(a[0].as_numeric(), a[1].as_numeric()));
      return Value::MakeNumeric(r);
    }
    case Func::kScale: {
      const Numeric& x = a[0].as_numeric();
      if (!x.is_finite()) return Value();
      return Value::Int4(x.dscale());
    }
    case Func::kCbrt: case Func::kDegrees: case Func::kRadians: case Func::kSin: case Func::kCos:
    case Func::kTan: case Func::kCot: case Func::kAsin: case Func::kAcos: case Func::kAtan:
    case Func::kAtan2: case Func::kPi:
      return FloatMath(e.func, a);
    case Func::kBitLength: return Value::Int4(static_cast<int32_t>(a[0].as_string().size() * 8));
    case Func::kMd5: return Value::String(Hex(Digest(EVP_md5(), a[0].as_string())));
    case Func::kSha224: return Value::Bytea(Digest(EVP_sha224(), a[0].as_string()));
    case Func::kSha256: return Value::Bytea(Digest(EVP_sha256(), a[0].as_string()));
    case Func::kSha384: return Value::Bytea(Digest(EVP_sha384(), a[0].as_string()));
    case Func::kSha512: return Value::Bytea(Digest(EVP_sha512(), a[0].as_string()));
    case Func::kEncode: {
      NORDLYS_ASSIGN_OR_RETURN(std::string s, Encode(a[0].as_string(), a[1].as_string()));
      return Value::String(s);
    }
    case Func::kDecode: {
      NORDLYS_ASSIGN_OR_RETURN(std::string s, Decode(a[0].as_string(), a[1].as_string()));
      return Value::Bytea(s);
    }
    case Func::kRegexpReplace: {
      NORDLYS_ASSIGN_OR_RETURN(auto flags, RegexFlags(a.size() == 4 ? a[3].as_string() : "", true, "regexp_replace"));
      NORDLYS_ASSIGN_OR_RETURN(const std::regex* re, CompiledRegex(a[1].as_string(), flags.second));
      const std::string& s = a[0].as_string();
      const std::string& repl = a[2].as_string();
      std::string out;
      auto begin = s.cbegin();
      std::smatch m;
      auto mflags = std::regex_constants::match_default;
      while (std::regex_search(begin, s.cend(), m, *re, mflags)) {
        out.append(begin, m[0].first);
        AppendReplacement(&out, repl, m);
        auto next = m[0].second;
        if (m[0].length() == 0) {
          if (next == s.cend()) {
            begin = next;
            break;
          }
          out += *next;
          ++next;
        }
        begin = next;
        mflags = std::regex_constants::match_prev_avail;
        if (!flags.first) break;
      }
      out.append(begin, s.cend());
      return Value::String(out);
    }
    case Func::kRegexpMatch: {
      NORDLYS_ASSIGN_OR_RETURN(auto flags, RegexFlags(a.size() == 3 ? a[2].as_string() : "", false, "regexp_match"));
      NORDLYS_ASSIGN_OR_RETURN(const std::regex* re, CompiledRegex(a[1].as_string(), flags.second));
      std::smatch m;
      const std::string& s = a[0].as_string();
      if (!std::regex_search(s, m, *re)) return Value();
      std::vector<Value> groups;
      if (m.size() == 1) {
        groups.push_back(Value::String(m[0].str()));
      } else {
        for (size_t g = 1; g < m.size(); ++g) groups.push_back(m[g].matched ? Value::String(m[g].str()) : Value());
      }
      return Value::Array(std::move(groups));
    }
    case Func::kSimilarToEscape: {
      std::string esc = a.size() == 2 ? a[1].as_string() : "";
      NORDLYS_ASSIGN_OR_RETURN(std::string r, SimilarToRegex(a[0].as_string(), a.size() == 2 ? &esc : nullptr));
      return Value::String(r);
    }
    case Func::kOverlay: return Overlay(a);
    case Func::kQuoteLiteral:
      return Value::String(QuoteLiteral(types::OutputValue(a[0], e.args[0]->type, Settings(ctx))));
    default:
      return EvalDateTime(e, a, ctx);
  }
}

}  // namespace nordlys::engine::sql
