// The date/time, math and text functions added after the first set (bind_function.cc): their
// PostgreSQL 15 signatures, the implicit casts PG's function resolution applies to reach them
// (date reaches the timestamptz versions, timestamptz being the preferred date/time type;
// integers reach float8 where both float8 and numeric versions exist), and their result types.
#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

bool IsInteger(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
bool IsString(TypeId t) { return types::CategoryOf(t) == types::TypeCategory::kString; }
bool IsFloat(TypeId t) { return t == TypeId::kFloat4 || t == TypeId::kFloat8; }
bool IsNumberish(TypeId t) { return IsInteger(t) || IsFloat(t) || t == TypeId::kNumeric; }

Status NotUnique(const std::string& name, const std::vector<ExprPtr>& args, int pos) {
  std::string sig = name + "(";  // name: as the call spelled it (pg_catalog.extract for EXTRACT)
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) sig += ", ";
    sig += args[i]->type.id == TypeId::kUnknown ? "unknown" : types::FormatType(Type(args[i]->type.id));
  }
  return SqlError("42725", "function " + sig + ") is not unique",
                  {.hint = "Could not choose a best candidate function. You might need to add explicit type casts.",
                   .position = pos});
}

}  // namespace

std::optional<Result<ExprPtr>> Binder::BindScalarFunction(const std::string& name, std::vector<ExprPtr>& args,
                                                          int pos, bool qualified) {
  // Messages name the function as written: SQL-syntax forms (EXTRACT, AT TIME ZONE, OVERLAY,
  // SIMILAR TO) arrive as pg_catalog.name.
  const std::string shown = qualified ? "pg_catalog." + name : name;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFunc;
  e->location = pos;
  const size_t n = args.size();
  const std::vector<ExprPtr> orig = args;  // messages show the types as called
  auto fail = [&]() -> std::optional<Result<ExprPtr>> { return Result<ExprPtr>(NoSuchFunction(shown, orig, pos)); };
  auto err = [&](Status s) -> std::optional<Result<ExprPtr>> { return Result<ExprPtr>(std::move(s)); };
  // Implicit coercion of argument i; false (with *st set) when PG has no implicit cast.
  Status st;
  auto to = [&](size_t i, TypeId t) -> bool {
    TypeId have = args[i]->type.id;
    if (have == t) return true;
    if (have != TypeId::kUnknown) {
      auto c = types::FindCast(have, t);
      if (!c || *c != types::CastContext::kImplicit) {
        st = NoSuchFunction(shown, orig, pos);
        return false;
      }
    }
    auto r = Coerce(args[i], Type(t), types::CastContext::kImplicit, "", pos);
    if (!r.ok()) {
      st = r.status();
      return false;
    }
    args[i] = *r;
    return true;
  };
  auto text_arg = [&](size_t i) -> bool {
    TypeId t = args[i]->type.id;
    if (t != TypeId::kUnknown && !IsString(t)) {
      st = NoSuchFunction(shown, orig, pos);
      return false;
    }
    return to(i, TypeId::kText);
  };
  auto done = [&](Func f, TypeId result) -> std::optional<Result<ExprPtr>> {
    e->func = f;
    e->type = Type(result);
    e->args = std::move(args);
    return Result<ExprPtr>(ExprPtr(e));
  };
  // The date/time argument of extract/date_part/date_trunc/to_char/age: its type after PG's
  // resolution (date -> timestamptz where no date version exists).
  auto datetime_arg = [&](size_t i, bool date_ok, bool time_ok, bool interval_ok, TypeId* out) -> bool {
    TypeId t = args[i]->type.id;
    if (t == TypeId::kUnknown) {
      st = NotUnique(shown, orig, pos);
      return false;
    }
    if (t == TypeId::kTimestamp || t == TypeId::kTimestampTz || (t == TypeId::kDate && date_ok) ||
        (t == TypeId::kTime && time_ok) || (t == TypeId::kInterval && interval_ok)) {
      *out = t;
      return true;
    }
    if (t == TypeId::kDate) {
      *out = TypeId::kTimestampTz;
      return to(i, *out);
    }
    st = NoSuchFunction(shown, orig, pos);
    return false;
  };

  // ---- date/time --------------------------------------------------------------------------
  if ((name == "extract" || name == "date_part") && n == 2) {
    TypeId t;
    if (!text_arg(0)) return err(st);
    bool is_extract = name == "extract";
    if (!datetime_arg(1, true, true, true, &t)) return err(st);
    if (!is_extract && t == TypeId::kDate) {
      // date_part(text, date) is SQL: date_part($1, $2::timestamp).
      if (!to(1, TypeId::kTimestamp)) return err(st);
    }
    return done(is_extract ? Func::kExtract : Func::kDatePart, is_extract ? TypeId::kNumeric : TypeId::kFloat8);
  }
  if (name == "date_trunc" && (n == 2 || n == 3)) {
    if (!text_arg(0)) return err(st);
    TypeId t;
    if (!datetime_arg(1, false, false, n == 2, &t)) return err(st);
    if (n == 3) {
      if (t == TypeId::kTimestamp) {
        if (!to(1, TypeId::kTimestampTz)) return err(st);
        t = TypeId::kTimestampTz;
      }
      if (!text_arg(2)) return err(st);
    }
    return done(Func::kDateTrunc, t);
  }
  if (name == "age" && (n == 1 || n == 2)) {
    TypeId t = TypeId::kUnknown;
    for (const auto& a : args) {
      TypeId at = a->type.id;
      if (at == TypeId::kUnknown) continue;
      if (at != TypeId::kTimestamp && at != TypeId::kTimestampTz && at != TypeId::kDate) return fail();
      TypeId want = at == TypeId::kTimestamp ? TypeId::kTimestamp : TypeId::kTimestampTz;
      t = t == TypeId::kUnknown || t == want ? want : TypeId::kTimestampTz;
    }
    if (t == TypeId::kUnknown) return err(NotUnique(shown, orig, pos));
    for (size_t i = 0; i < n; ++i) {
      if (!to(i, t)) return err(st);
    }
    return done(Func::kAge, TypeId::kInterval);
  }
  if (name == "timezone" && n == 2) {
    TypeId zone = args[0]->type.id;
    if (zone == TypeId::kInterval) {
      // interval zone
    } else if (!text_arg(0)) {
      return err(st);
    }
    TypeId t = args[1]->type.id;
    if (t == TypeId::kUnknown) return err(NotUnique(shown, orig, pos));
    if (t == TypeId::kTime) return err(Unsupported("AT TIME ZONE on time (time with time zone)", pos));
    if (t == TypeId::kDate) {
      if (!to(1, TypeId::kTimestampTz)) return err(st);
      t = TypeId::kTimestampTz;
    }
    if (t != TypeId::kTimestamp && t != TypeId::kTimestampTz) return fail();
    return done(Func::kTimezone, t == TypeId::kTimestamp ? TypeId::kTimestampTz : TypeId::kTimestamp);
  }
  if (name == "to_char" && n == 2) {
    TypeId t = args[0]->type.id;
    if (t == TypeId::kUnknown) return err(NotUnique(shown, orig, pos));
    if (t == TypeId::kDate) {
      if (!to(0, TypeId::kTimestampTz)) return err(st);
    } else if (t == TypeId::kInt2) {
      if (!to(0, TypeId::kInt4)) return err(st);
    } else if (t != TypeId::kTimestamp && t != TypeId::kTimestampTz && t != TypeId::kInterval && !IsNumberish(t)) {
      return fail();
    }
    if (!text_arg(1)) return err(st);
    return done(Func::kToChar, TypeId::kText);
  }
  if (name == "to_date" && n == 2) {
    if (!text_arg(0) || !text_arg(1)) return err(st);
    return done(Func::kToDate, TypeId::kDate);
  }
  if (name == "to_timestamp" && n == 2) {
    if (!text_arg(0) || !text_arg(1)) return err(st);
    return done(Func::kToTimestamp, TypeId::kTimestampTz);
  }
  if (name == "to_timestamp" && n == 1) {
    TypeId t = args[0]->type.id;
    if (t != TypeId::kUnknown && !IsNumberish(t)) return fail();
    if (!to(0, TypeId::kFloat8)) return err(st);
    return done(Func::kToTimestampFloat, TypeId::kTimestampTz);
  }
  auto int_args = [&](size_t from, size_t to_excl) -> bool {
    for (size_t i = from; i < to_excl; ++i) {
      if (!to(i, TypeId::kInt4)) return false;
    }
    return true;
  };
  if (name == "make_date" && n == 3) {
    if (!int_args(0, 3)) return err(st);
    return done(Func::kMakeDate, TypeId::kDate);
  }
  if (name == "make_time" && n == 3) {
    if (!int_args(0, 2) || !to(2, TypeId::kFloat8)) return err(st);
    return done(Func::kMakeTime, TypeId::kTime);
  }
  if ((name == "make_timestamp" && n == 6) || (name == "make_timestamptz" && (n == 6 || n == 7))) {
    if (!int_args(0, 5) || !to(5, TypeId::kFloat8)) return err(st);
    if (n == 7 && !text_arg(6)) return err(st);
    return done(name == "make_timestamp" ? Func::kMakeTimestamp : Func::kMakeTimestampTz,
                name == "make_timestamp" ? TypeId::kTimestamp : TypeId::kTimestampTz);
  }
  if (name == "make_interval" && n == 7) {
    if (!int_args(0, 6) || !to(6, TypeId::kFloat8)) return err(st);
    return done(Func::kMakeInterval, TypeId::kInterval);
  }
  if ((name == "justify_days" || name == "justify_hours" || name == "justify_interval") && n == 1) {
    if (!to(0, TypeId::kInterval)) return err(st);
    return done(name == "justify_days" ? Func::kJustifyDays
                : name == "justify_hours" ? Func::kJustifyHours : Func::kJustifyInterval,
                TypeId::kInterval);
  }
  if (name == "isfinite" && n == 1) {
    TypeId t = args[0]->type.id;
    if (t == TypeId::kUnknown) return err(NotUnique(shown, orig, pos));
    if (t != TypeId::kDate && t != TypeId::kTimestamp && t != TypeId::kTimestampTz && t != TypeId::kInterval) {
      return fail();
    }
    return done(Func::kIsfinite, TypeId::kBool);
  }

  // ---- math -------------------------------------------------------------------------------
  // Functions with float8 and numeric versions: numeric arguments pick numeric, the rest float8.
  auto float_or_numeric = [&](Func f) -> std::optional<Result<ExprPtr>> {
    bool any_numeric = false, any_float = false;
    for (const auto& a : args) {
      TypeId t = a->type.id;
      if (t != TypeId::kUnknown && !IsNumberish(t)) return fail();
      any_numeric |= t == TypeId::kNumeric;
      any_float |= IsFloat(t);
    }
    TypeId t = any_numeric && !any_float ? TypeId::kNumeric : TypeId::kFloat8;
    for (size_t i = 0; i < n; ++i) {
      if (!to(i, t)) return err(st);
    }
    return done(f, t);
  };
  if ((name == "sqrt" || name == "exp" || name == "ln" || name == "log10") && n == 1) {
    return float_or_numeric(name == "sqrt" ? Func::kSqrt : name == "exp" ? Func::kExp
                            : name == "ln" ? Func::kLn : Func::kLog10);
  }
  if (name == "log" && n == 1) return float_or_numeric(Func::kLog10);
  if ((name == "power" || name == "pow") && n == 2) return float_or_numeric(Func::kPower);
  if (name == "log" && n == 2) {
    for (size_t i = 0; i < n; ++i) {
      if (args[i]->type.id != TypeId::kUnknown && !IsNumberish(args[i]->type.id)) return fail();
      if (!to(i, TypeId::kNumeric)) return err(st);
    }
    return done(Func::kLog, TypeId::kNumeric);
  }
  if (name == "div" && n == 2) {
    for (size_t i = 0; i < n; ++i) {
      if (args[i]->type.id != TypeId::kUnknown && !IsNumberish(args[i]->type.id)) return fail();
      if (!to(i, TypeId::kNumeric)) return err(st);
    }
    return done(Func::kDiv, TypeId::kNumeric);
  }
  if (name == "scale" && n == 1) {
    if (args[0]->type.id != TypeId::kUnknown && !IsNumberish(args[0]->type.id)) return fail();
    if (!to(0, TypeId::kNumeric)) return err(st);
    return done(Func::kScale, TypeId::kInt4);
  }
  struct FloatFn {
    const char* name;
    Func f;
    size_t nargs;
  };
  static const FloatFn kFloatFns[] = {
      {"cbrt", Func::kCbrt, 1}, {"degrees", Func::kDegrees, 1}, {"radians", Func::kRadians, 1},
      {"sin", Func::kSin, 1}, {"cos", Func::kCos, 1}, {"tan", Func::kTan, 1}, {"cot", Func::kCot, 1},
      {"asin", Func::kAsin, 1}, {"acos", Func::kAcos, 1}, {"atan", Func::kAtan, 1}, {"atan2", Func::kAtan2, 2},
      {"pi", Func::kPi, 0},
  };
  for (const FloatFn& ff : kFloatFns) {
    if (name != ff.name || n != ff.nargs) continue;
    for (size_t i = 0; i < n; ++i) {
      if (args[i]->type.id != TypeId::kUnknown && !IsNumberish(args[i]->type.id)) return fail();
      if (!to(i, TypeId::kFloat8)) return err(st);
    }
    return done(ff.f, TypeId::kFloat8);
  }

  // ---- text and bytea ---------------------------------------------------------------------
  if ((name == "length" || name == "octet_length" || name == "bit_length") && n == 1 &&
      args[0]->type.id == TypeId::kBytea) {
    return done(name == "bit_length" ? Func::kBitLength : Func::kOctetLength, TypeId::kInt4);
  }
  if (name == "bit_length" && n == 1) {
    if (!text_arg(0)) return err(st);
    return done(Func::kBitLength, TypeId::kInt4);
  }
  if (name == "md5" && n == 1) {
    if (args[0]->type.id != TypeId::kBytea && !text_arg(0)) return err(st);
    return done(Func::kMd5, TypeId::kText);
  }
  if ((name == "sha224" || name == "sha256" || name == "sha384" || name == "sha512") && n == 1) {
    if (!to(0, TypeId::kBytea)) return err(st);
    return done(name == "sha224" ? Func::kSha224 : name == "sha256" ? Func::kSha256
                : name == "sha384" ? Func::kSha384 : Func::kSha512,
                TypeId::kBytea);
  }
  if (name == "encode" && n == 2) {
    if (!to(0, TypeId::kBytea) || !text_arg(1)) return err(st);
    return done(Func::kEncode, TypeId::kText);
  }
  if (name == "decode" && n == 2) {
    if (!text_arg(0) || !text_arg(1)) return err(st);
    return done(Func::kDecode, TypeId::kBytea);
  }
  if (name == "regexp_replace" && (n == 3 || n == 4)) {
    for (size_t i = 0; i < 3; ++i) {
      if (!text_arg(i)) return err(st);
    }
    if (n == 4) {
      if (IsInteger(args[3]->type.id)) return err(Unsupported("regexp_replace with a start position", pos));
      if (!text_arg(3)) return err(st);
    }
    return done(Func::kRegexpReplace, TypeId::kText);
  }
  if (name == "regexp_replace" && n > 4) return err(Unsupported("regexp_replace with a start position", pos));
  if (name == "regexp_match" && (n == 2 || n == 3)) {
    for (size_t i = 0; i < n; ++i) {
      if (!text_arg(i)) return err(st);
    }
    return done(Func::kRegexpMatch, TypeId::kTextArray);
  }
  if (name == "regexp_matches" || name == "regexp_split_to_table") {
    return err(Unsupported(name + " (set-returning functions in expressions)", pos));
  }
  if (name == "similar_to_escape" && (n == 1 || n == 2)) {
    for (size_t i = 0; i < n; ++i) {
      if (!text_arg(i)) return err(st);
    }
    return done(Func::kSimilarToEscape, TypeId::kText);
  }
  if (name == "overlay" && (n == 3 || n == 4)) {
    if (args[0]->type.id == TypeId::kBytea) return err(Unsupported("overlay on bytea", pos));
    if (!text_arg(0) || !text_arg(1) || !int_args(2, n)) return err(st);
    return done(Func::kOverlay, TypeId::kText);
  }
  if (name == "format" && n >= 1) {
    if (!text_arg(0)) return err(st);
    for (size_t i = 1; i < n; ++i) args[i] = ResolveUnknown(args[i]);
    return done(Func::kFormat, TypeId::kText);
  }
  if ((name == "quote_literal" || name == "quote_nullable") && n == 1) {
    // quote_literal(anyelement) is quote_literal($1::text): any type, via its output.
    args[0] = ResolveUnknown(args[0]);
    return done(name == "quote_literal" ? Func::kQuoteLiteral : Func::kQuoteNullable, TypeId::kText);
  }
  if (name == "pg_typeof" && n == 1) {
    auto c = MakeConst(Value::Oid(args[0]->type.oid()), Type(TypeId::kRegtype));
    return Result<ExprPtr>(c);
  }
  return std::nullopt;
}

}  // namespace nordlys::engine::sql
