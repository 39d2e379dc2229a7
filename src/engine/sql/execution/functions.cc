// Evaluation of the built-in scalar functions (binder/bind_function.cc types them).
#include <algorithm>
#include <map>
#include <regex>
#include <cmath>
#include <random>

#include "engine/parser.h"
#include "engine/sql/catalog/system_views.h"
#include "engine/sql/errors.h"
#include "engine/sql/execution/array_functions.h"
#include "engine/sql/execution/catalog_functions.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/execution/more_functions.h"
#include "engine/types/operators.h"
#include "engine/types/scalar_io.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

// The largest value PostgreSQL can build (MaxAllocSize), header included.
constexpr int64_t kValueBytesMax = 0x3fffffff;


size_t CharLen(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return std::min(n, s.size() - i);
}

std::vector<std::string_view> Chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = CharLen(s, i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& c, size_t from, size_t to) {
  std::string o;
  for (size_t i = from; i < to && i < c.size(); ++i) o += c[i];
  return o;
}

std::string Trim(std::string_view s, std::string_view set, bool left, bool right) {
  auto chars = Chars(s);
  auto set_chars = Chars(set);
  auto in_set = [&](std::string_view c) {
    for (auto x : set_chars) {
      if (x == c) return true;
    }
    return false;
  };
  size_t b = 0, e = chars.size();
  if (left) {
    while (b < e && in_set(chars[b])) ++b;
  }
  if (right) {
    while (e > b && in_set(chars[e - 1])) --e;
  }
  return Join(chars, b, e);
}

std::string TextOf(const Value& v, const Type& t, ExecContext* ctx) {
  if (v.kind() == Value::Kind::kString) return v.as_string();
  types::SessionSettings s = ctx->session ? ctx->session->settings : types::SessionSettings{};
  return types::OutputValue(v, t, s);
}

Result<const SequenceDef*> SequenceArg(const Expr& e, const Value& name, ExecContext* ctx,
                                       std::shared_ptr<const SequenceDef>* keep) {
  if (e.sequence) return e.sequence.get();
  std::string n = name.as_string();
  const SequenceDef* s = ctx->snap->FindSequence(0, n);
  if (s == nullptr) return SqlError("42P01", "relation \"" + n + "\" does not exist");
  *keep = ctx->snap->sequences.at(s->oid);
  return s;
}

}  // namespace

// The regular expression of ~ and friends, compiled once per pattern per thread (a bounded
// cache). std::regex's ECMAScript grammar covers what PostgreSQL's AREs are mostly used for
// (anchors, classes, \d \w \s, alternation, repetition); 2201B for a pattern it rejects.
Result<const std::regex*> CompiledRegex(const std::string& pattern, bool icase) {
  constexpr size_t kCacheEntriesMax = 64;
  thread_local std::map<std::pair<std::string, bool>, std::regex> cache;
  auto key = std::make_pair(pattern, icase);
  auto it = cache.find(key);
  if (it != cache.end()) return &it->second;
  if (cache.size() >= kCacheEntriesMax) cache.clear();
  try {
    auto flags = std::regex::ECMAScript | (icase ? std::regex::icase : std::regex::flag_type{});
    return &cache.emplace(key, std::regex(pattern, flags)).first->second;
  } catch (const std::regex_error& err) {
    // PG's wording (regerror) for the errors both engines detect.
    const char* what = err.what();
    switch (err.code()) {
      case std::regex_constants::error_paren: what = "parentheses () not balanced"; break;
      case std::regex_constants::error_brack: what = "brackets [] not balanced"; break;
      case std::regex_constants::error_brace: what = "braces {} not balanced"; break;
      case std::regex_constants::error_badbrace: what = "invalid repetition count(s)"; break;
      case std::regex_constants::error_badrepeat: what = "quantifier operand invalid"; break;
      case std::regex_constants::error_range: what = "invalid character range"; break;
      case std::regex_constants::error_escape: what = "invalid escape \\ sequence"; break;
      case std::regex_constants::error_ctype: what = "invalid character class"; break;
      case std::regex_constants::error_collate: what = "invalid collating element"; break;
      case std::regex_constants::error_backref: what = "invalid backreference number"; break;
      default: break;
    }
    return SqlError("2201B", std::string("invalid regular expression: ") + what);
  }
}

Result<Value> EvalFunction(const Expr& e, const Row& row, ExecContext* ctx) {
  std::vector<Value> a;
  a.reserve(e.args.size());
  for (const auto& arg : e.args) {
    NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*arg, row, ctx));
    a.push_back(std::move(v));
  }
  if (IsCatalogFunction(e.func)) return EvalCatalogFunction(e, a, ctx);
  if (IsArrayFunction(e.func)) {
    static const types::SessionSettings kDefault;
    return EvalArrayFunction(e, a, ctx->session ? ctx->session->settings : kDefault);
  }
  if (IsMoreFunction(e)) return EvalMoreFunction(e, a, ctx);
  // Functions that see NULL arguments themselves.
  switch (e.func) {
    case Func::kConcat: {
      std::string out;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_null()) out += TextOf(a[i], e.args[i]->type, ctx);
      }
      return Value::String(out);
    }
    case Func::kConcatWs: {
      // As concat, with a separator between the arguments that are not NULL.
      if (a[0].is_null()) return Value();
      std::string out;
      bool first = true;
      for (size_t i = 1; i < a.size(); ++i) {
        if (a[i].is_null()) continue;
        if (!first) out += a[0].as_string();
        out += TextOf(a[i], e.args[i]->type, ctx);
        first = false;
      }
      return Value::String(out);
    }
    case Func::kObjDescription:
    case Func::kColDescription:
      return Value();  // no object has a comment (COMMENT ON is not built)
    case Func::kNow: return Value::TimestampTz(ctx->txn_timestamp);
    case Func::kStatementTimestamp: return Value::TimestampTz(ctx->stmt_timestamp);
    case Func::kClockTimestamp: return Value::TimestampTz(NowTimestamp());
    case Func::kCurrentDate: {
      int64_t local = ctx->txn_timestamp;
      if (ctx->session) local += int64_t{ctx->session->settings.time_zone.OffsetAt(local)} * types::kUsecsPerSec;
      return Value::Date(static_cast<int32_t>(local >= 0 ? local / types::kUsecsPerDay
                                                         : (local - types::kUsecsPerDay + 1) / types::kUsecsPerDay));
    }
    case Func::kVersion:
      return Value::String("PostgreSQL 15.0 (Nordlys 0.1.0) on x86_64-pc-linux-gnu, 64-bit");
    case Func::kCurrentDatabase: return Value::String(ctx->session ? ctx->session->database : "postgres");
    case Func::kCurrentUser: return Value::String(ctx->session ? ctx->session->user : "postgres");
    case Func::kCurrentSchema: return Value::String("public");
    case Func::kBackendPid: return Value::Int4(ctx->session ? ctx->session->backend_pid : 0);
    case Func::kTxidCurrent: {
      NORDLYS_RETURN_IF_ERROR(ctx->db->EnsureXid(ctx->txn).status());
      return Value::Int8(static_cast<int64_t>(ctx->txn->top_xid().value()));  // not a subxid
    }
    case Func::kRandom: {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      return Value::Float8(std::uniform_real_distribution<double>(0.0, 1.0)(rng));
    }
    case Func::kGenRandomUuid: {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      types::UuidBytes u;
      for (auto& b : u) b = static_cast<uint8_t>(rng());
      u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);
      u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);
      return Value::Uuid(u);
    }
    case Func::kFormatType:
      // Not strict in its typmod: format_type(t, NULL) is the type without a modifier.
      if (a[0].is_null()) return Value();
      if (a[1].is_null()) a[1] = Value::Int4(-1);
      break;
    default:
      break;
  }
  for (const auto& v : a) {
    if (v.is_null()) return Value();  // strict functions
  }
  switch (e.func) {
    case Func::kRegexMatch:
    case Func::kRegexNotMatch:
    case Func::kRegexIMatch:
    case Func::kRegexNotIMatch: {
      const bool icase = e.func == Func::kRegexIMatch || e.func == Func::kRegexNotIMatch;
      NORDLYS_ASSIGN_OR_RETURN(const std::regex* re, CompiledRegex(a[1].as_string(), icase));
      const bool m = std::regex_search(a[0].as_string(), *re);
      return Value::Bool(e.func == Func::kRegexMatch || e.func == Func::kRegexIMatch ? m : !m);
    }
    case Func::kPgGetUserById: return Value::String(RoleName(*ctx->snap, static_cast<uint32_t>(a[0].as_int())));
    case Func::kQuoteIdent: return Value::String(QuoteIdentifier(a[0].as_string()));
    case Func::kPgTypeIsVisible:
      // Every type lives in pg_catalog, which is always on the search path.
      // (NULL for an oid that is no type, as PG answers for a missing object).
      return types::IsKnownTypeOid(static_cast<uint32_t>(a[0].as_int())) ? Value::Bool(true) : Value();
    case Func::kPgTableIsVisible:
      return Value::Bool(ctx->snap != nullptr && RelationVisible(*ctx->snap, static_cast<uint32_t>(a[0].as_int())));
    case Func::kPgEncodingToChar: {
      int64_t enc = a[0].as_int();
      return Value::String(enc == 6 ? "UTF8" : enc == 0 ? "SQL_ASCII" : "");
    }
    case Func::kFormatType: {
      uint32_t oid = static_cast<uint32_t>(a[0].as_int());
      if (!types::IsKnownTypeOid(oid)) return Value::String("???");
      return Value::String(types::FormatType(Type(static_cast<TypeId>(oid), static_cast<int32_t>(a[1].as_int()))));
    }
    case Func::kSettingCurrent: {
      std::string name = a[0].as_string();
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (ctx->session) {
        auto it = ctx->session->gucs.find(name);
        if (it != ctx->session->gucs.end()) return Value::String(it->second);
      }
      if (a.size() == 2 && a[1].as_bool()) return Value();
      return SqlError("42704", "unrecognized configuration parameter \"" + a[0].as_string() + "\"");
    }
    case Func::kNextval: {
      if (ctx->session != nullptr && ctx->session->read_only_transaction) {
        return SqlError("25006", "cannot execute nextval() in a read-only transaction");
      }
      std::shared_ptr<const SequenceDef> keep;
      NORDLYS_ASSIGN_OR_RETURN(const SequenceDef* s, SequenceArg(e, a[0], ctx, &keep));
      NORDLYS_ASSIGN_OR_RETURN(int64_t v, ctx->catalog->NextVal(*s));
      if (ctx->currvals) (*ctx->currvals)[s->oid] = v;
      return Value::Int8(v);
    }
    case Func::kCurrval: {
      std::shared_ptr<const SequenceDef> keep;
      NORDLYS_ASSIGN_OR_RETURN(const SequenceDef* s, SequenceArg(e, a[0], ctx, &keep));
      if (ctx->currvals) {
        auto it = ctx->currvals->find(s->oid);
        if (it != ctx->currvals->end()) return Value::Int8(it->second);
      }
      return SqlError("55000", "currval of sequence \"" + s->name + "\" is not yet defined in this session");
    }
    case Func::kSetval: {
      if (ctx->session != nullptr && ctx->session->read_only_transaction) {
        return SqlError("25006", "cannot execute setval() in a read-only transaction");
      }
      std::shared_ptr<const SequenceDef> keep;
      NORDLYS_ASSIGN_OR_RETURN(const SequenceDef* s, SequenceArg(e, a[0], ctx, &keep));
      bool called = a.size() == 3 ? a[2].as_bool() : true;
      NORDLYS_RETURN_IF_ERROR(ctx->catalog->SetVal(*s, a[1].as_int(), called));
      if (called && ctx->currvals) (*ctx->currvals)[s->oid] = a[1].as_int();
      return Value::Int8(a[1].as_int());
    }
    case Func::kLength:
    case Func::kCharLength: {
      std::string_view s = a[0].as_string();
      if (e.args[0]->type.id == TypeId::kBpchar) {
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      }
      return Value::Int4(static_cast<int32_t>(types::Utf8Length(s)));
    }
    case Func::kOctetLength: return Value::Int4(static_cast<int32_t>(a[0].as_string().size()));
    case Func::kLower:
    case Func::kUpper: {
      std::string s = a[0].as_string();
      for (auto& c : s) {
        c = static_cast<char>(e.func == Func::kLower ? std::tolower(static_cast<unsigned char>(c))
                                                     : std::toupper(static_cast<unsigned char>(c)));
      }
      return Value::String(s);
    }
    case Func::kInitcap: {
      std::string s = a[0].as_string();
      bool start = true;
      for (auto& c : s) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) {
          c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
          start = false;
        } else {
          start = true;
        }
      }
      return Value::String(s);
    }
    case Func::kReverse: {
      auto c = Chars(a[0].as_string());
      std::string o;
      for (size_t i = c.size(); i > 0; --i) o += c[i - 1];
      return Value::String(o);
    }
    case Func::kConcatOp: {
      return Value::String(TextOf(a[0], e.args[0]->type, ctx) + TextOf(a[1], e.args[1]->type, ctx));
    }
    case Func::kSubstr: {
      auto c = Chars(a[0].as_string());
      int64_t start = a[1].as_int();
      int64_t end = static_cast<int64_t>(c.size()) + 1;
      if (a.size() == 3) {
        int64_t len = a[2].as_int();
        if (len < 0) return SqlError("22011", "negative substring length not allowed");
        end = start + len;
      }
      int64_t b = std::max<int64_t>(start, 1);
      if (end <= b) return Value::String("");
      return Value::String(Join(c, b - 1, std::min<int64_t>(end - 1, c.size())));
    }
    case Func::kBtrim:
    case Func::kLtrim:
    case Func::kRtrim: {
      std::string set = a.size() == 2 ? a[1].as_string() : " ";
      return Value::String(Trim(a[0].as_string(), set, e.func != Func::kRtrim, e.func != Func::kLtrim));
    }
    case Func::kReplace: {
      std::string s = a[0].as_string();
      const std::string& from = a[1].as_string();
      const std::string& to = a[2].as_string();
      if (from.empty()) return Value::String(s);
      std::string o;
      size_t i = 0;
      for (;;) {
        size_t j = s.find(from, i);
        if (j == std::string::npos) break;
        o += s.substr(i, j - i) + to;
        i = j + from.size();
      }
      return Value::String(o + s.substr(i));
    }
    case Func::kStartsWith: return Value::Bool(a[0].as_string().starts_with(a[1].as_string()));
    case Func::kTranslate: {
      // Each character of `from` becomes the one at the same place in `to`, or goes when `to`
      // is shorter; the first occurrence in `from` wins.
      auto from = Chars(a[1].as_string());
      auto to = Chars(a[2].as_string());
      std::string out;
      for (std::string_view c : Chars(a[0].as_string())) {
        auto it = std::find(from.begin(), from.end(), c);
        if (it == from.end()) {
          out += c;
        } else if (static_cast<size_t>(it - from.begin()) < to.size()) {
          out += to[static_cast<size_t>(it - from.begin())];
        }
      }
      return Value::String(out);
    }
    case Func::kToHex: {
      // Of the two's-complement bits, as PostgreSQL: to_hex(-1) is ffffffff for an int4.
      uint64_t v = e.args[0]->type.id == TypeId::kInt8 ? static_cast<uint64_t>(a[0].as_int())
                                                       : static_cast<uint32_t>(a[0].as_int());
      static const char kDigits[] = "0123456789abcdef";
      std::string out;
      do {
        out.insert(out.begin(), kDigits[v & 15]);
        v >>= 4;
      } while (v != 0);
      return Value::String(out);
    }
    case Func::kStrpos:
    case Func::kPosition: {
      const std::string& s = a[0].as_string();
      size_t j = s.find(a[1].as_string());
      if (j == std::string::npos) return Value::Int4(0);
      return Value::Int4(static_cast<int32_t>(types::Utf8Length(std::string_view(s).substr(0, j)) + 1));
    }
    case Func::kLeft:
    case Func::kRight: {
      auto c = Chars(a[0].as_string());
      int64_t n = a[1].as_int();
      int64_t len = static_cast<int64_t>(c.size());
      int64_t take = n >= 0 ? std::min(n, len) : std::max<int64_t>(0, len + n);
      return Value::String(e.func == Func::kLeft ? Join(c, 0, take) : Join(c, len - take, len));
    }
    case Func::kRepeat: {
      const std::string& unit = a[0].as_string();
      const int64_t count = std::max<int64_t>(a[1].as_int(), 0);
      // PostgreSQL's limit: a value is at most 1 GB (MaxAllocSize) with its 4-byte header.
      if (static_cast<__int128>(count) * unit.size() + 4 > kValueBytesMax) {
        return SqlError("54000", "requested length too large");
      }
      std::string o;
      o.reserve(static_cast<size_t>(count) * unit.size());
      for (int64_t i = 0; i < count; ++i) o += unit;
      return Value::String(o);
    }
    case Func::kLpad:
    case Func::kRpad: {
      auto c = Chars(a[0].as_string());
      int64_t len = a[1].as_int();
      std::string fill = a.size() == 3 ? a[2].as_string() : " ";
      if (len <= 0) return Value::String("");
      // As PostgreSQL: room for len characters of the database encoding (UTF-8: 4 bytes each)
      // must fit a value, unless there is nothing to pad with.
      if (!fill.empty() && static_cast<__int128>(len) * 4 + 4 > kValueBytesMax) {
        return SqlError("54000", "requested length too large");
      }
      if (static_cast<int64_t>(c.size()) >= len) return Value::String(Join(c, 0, len));
      auto f = Chars(fill);
      if (f.empty()) return Value::String(Join(c, 0, c.size()));
      std::string pad;
      for (int64_t i = 0; i < len - static_cast<int64_t>(c.size()); ++i) pad += f[i % f.size()];
      std::string body = Join(c, 0, c.size());
      return Value::String(e.func == Func::kLpad ? pad + body : body + pad);
    }
    case Func::kSplitPart: {
      const std::string& s = a[0].as_string();
      const std::string& d = a[1].as_string();
      int64_t n = a[2].as_int();
      if (n == 0) return SqlError("22023", "field position must not be zero");
      std::vector<std::string> parts;
      if (d.empty()) {
        parts.push_back(s);
      } else {
        size_t i = 0;
        for (;;) {
          size_t j = s.find(d, i);
          if (j == std::string::npos) {
            parts.push_back(s.substr(i));
            break;
          }
          parts.push_back(s.substr(i, j - i));
          i = j + d.size();
        }
      }
      int64_t idx = n > 0 ? n - 1 : static_cast<int64_t>(parts.size()) + n;
      if (idx < 0 || idx >= static_cast<int64_t>(parts.size())) return Value::String("");
      return Value::String(parts[idx]);
    }
    case Func::kChr: {
      int64_t cp = a[0].as_int();
      if (cp == 0) return SqlError("54000", "null character not permitted");
      if (cp < 0 || cp > 0x10FFFF) return SqlError("54000", "requested character too large for encoding: " + std::to_string(cp));
      std::string o;
      if (cp < 0x80) {
        o += static_cast<char>(cp);
      } else if (cp < 0x800) {
        o += static_cast<char>(0xC0 | (cp >> 6));
        o += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        o += static_cast<char>(0xE0 | (cp >> 12));
        o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        o += static_cast<char>(0xF0 | (cp >> 18));
        o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (cp & 0x3F));
      }
      return Value::String(o);
    }
    case Func::kAscii: {
      const std::string& s = a[0].as_string();
      if (s.empty()) return Value::Int4(0);
      auto c = static_cast<unsigned char>(s[0]);
      if (c < 0x80) return Value::Int4(c);
      int32_t cp = 0;
      size_t n = CharLen(s, 0);
      cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
      for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
      return Value::Int4(cp);
    }
    case Func::kAbs: {
      const Value& v = a[0];
      switch (e.type.id) {
        case TypeId::kNumeric: return Value::MakeNumeric(v.as_numeric().Abs());
        case TypeId::kFloat4: return Value::Float4(static_cast<float>(std::fabs(v.as_float())));
        case TypeId::kFloat8: return Value::Float8(std::fabs(v.as_float()));
        default: {
          if (v.as_int() >= 0) return v;
          return types::Negate(v, e.type.id);
        }
      }
    }
    case Func::kRound:
    case Func::kTrunc:
      if (e.type.id == TypeId::kNumeric) {
        int32_t scale = a.size() == 2 ? static_cast<int32_t>(a[1].as_int()) : 0;
        const auto& n = a[0].as_numeric();
        return Value::MakeNumeric(e.func == Func::kRound ? n.Round(scale) : n.Trunc(scale));
      }
      return Value::Float8(e.func == Func::kRound ? std::nearbyint(a[0].as_float()) : std::trunc(a[0].as_float()));
    case Func::kFloor:
    case Func::kCeil:
    case Func::kSign:
      if (e.type.id == TypeId::kNumeric) {
        const auto& n = a[0].as_numeric();
        if (e.func == Func::kSign) {
          if (n.is_nan()) return a[0];
          return Value::MakeNumeric(types::Numeric::FromInt64(n.is_zero() ? 0 : n.negative() ? -1 : 1));
        }
        types::Numeric t = n.Trunc(0);
        if (!n.is_finite() || types::Numeric::Compare(t, n) == 0) return Value::MakeNumeric(t);
        bool down = e.func == Func::kFloor;
        if (n.negative() == down) {
          auto r = types::Numeric::Add(t, types::Numeric::FromInt64(down ? -1 : 1));
          if (!r.ok()) return r.status();
          return Value::MakeNumeric(*r);
        }
        return Value::MakeNumeric(t);
      } else {
        double d = a[0].as_float();
        if (e.func == Func::kSign) return Value::Float8(d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
        return Value::Float8(e.func == Func::kFloor ? std::floor(d) : std::ceil(d));
      }
    case Func::kBitAnd: case Func::kBitOr: case Func::kBitXor: case Func::kBitNot:
    case Func::kShiftLeft: case Func::kShiftRight: {
      int64_t x = a[0].as_int();
      int64_t y = a.size() > 1 ? a[1].as_int() : 0;
      int64_t r = 0;
      int bits = e.type.id == TypeId::kInt8 ? 64 : e.type.id == TypeId::kInt4 ? 32 : 16;
      switch (e.func) {
        case Func::kBitAnd: r = x & y; break;
        case Func::kBitOr: r = x | y; break;
        case Func::kBitXor: r = x ^ y; break;
        case Func::kBitNot: r = ~x; break;
        case Func::kShiftLeft: r = (y >= bits || y <= -bits) ? 0 : y >= 0 ? static_cast<int64_t>(static_cast<uint64_t>(x) << y) : x >> -y; break;
        default: r = (y >= bits) ? (x < 0 ? -1 : 0) : y >= 0 ? x >> y : static_cast<int64_t>(static_cast<uint64_t>(x) << -y); break;
      }
      if (bits == 32) return Value::Int4(static_cast<int32_t>(r));
      if (bits == 16) return Value::Int2(static_cast<int16_t>(r));
      return Value::Int8(r);
    }
    case Func::kSqrt: {
      double d = a[0].as_float();
      if (d < 0) return SqlError("2201F", "cannot take square root of a negative number");
      return Value::Float8(std::sqrt(d));
    }
    case Func::kPower: {
      double x = a[0].as_float(), y = a[1].as_float();
      if (x == 0 && y < 0) return SqlError("2201F", "zero raised to a negative power is undefined");
      if (x < 0 && std::floor(y) != y) {
        return SqlError("2201F", "a negative number raised to a non-integer power yields a complex result");
      }
      double r = std::pow(x, y);
      if (std::isinf(r)) return SqlError("22003", "value out of range: overflow");
      return Value::Float8(r);
    }
    default:
      return Unsupported("function " + e.ToString());
  }
}

}  // namespace nordlys::engine::sql
