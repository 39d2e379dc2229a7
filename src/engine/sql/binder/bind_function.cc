// Function calls: the built-in scalar functions and the aggregates, with PostgreSQL's argument
// type rules for the cases we support, and 42883 "function f(x) does not exist" otherwise.
#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

bool IsInteger(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
bool IsNumericCat(TypeId t) { return types::CategoryOf(t) == types::TypeCategory::kNumeric; }
bool IsString(TypeId t) { return types::CategoryOf(t) == types::TypeCategory::kString; }


}  // namespace

Status NoSuchFunction(const std::string& name, const std::vector<ExprPtr>& args, int pos) {
  std::string sig = name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) sig += ", ";
    sig += args[i]->type.id == TypeId::kUnknown ? "unknown" : types::FormatType(Type(args[i]->type.id));
  }
  sig += ")";
  return SqlError("42883", "function " + sig + " does not exist",
                  {.hint = "No function matches the given name and argument types. You might need "
                           "to add explicit type casts.",
                   .position = pos});
}

Result<ExprPtr> Binder::BindAggregate(const Json& b, const std::string& name, ExprContext& ctx,
                                      ExprContext* arg_ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  if (ctx.aggs == nullptr) {
    if (std::string(ctx.clause) == "aggregate") {
      return SqlError("42803", "aggregate function calls cannot be nested", {.position = pos});
    }
    return SqlError("42803", std::string("aggregate functions are not allowed in ") + ctx.clause,
                    {.position = pos});
  }
  AggCall call;
  call.distinct = b.value("agg_distinct", false);
  ExprContext inner = arg_ctx != nullptr ? *arg_ctx : ExprContext{ctx.scope, nullptr, "aggregate"};
  std::vector<ExprPtr> args;
  if (b.contains("args")) {
    for (const auto& a : b["args"]) {
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(a, inner));
      args.push_back(x);
    }
  }
  bool star = b.value("agg_star", false);
  if (name == "count") {
    if (star) {
      call.func = AggFunc::kCountStar;
    } else {
      if (args.size() != 1) return NoSuchFunction(name, args, pos);
      call.func = AggFunc::kCount;
      args[0] = ResolveUnknown(args[0]);
    }
    call.type = Type(TypeId::kInt8);
  } else {
    if (star) {
      return SqlError("42809", name + "(*) specified, but " + name + " is not an aggregate function",
                      {.position = pos});
    }
    size_t want = name == "string_agg" ? 2 : 1;
    if (args.size() != want) return NoSuchFunction(name, args, pos);
    for (auto& a : args) a = ResolveUnknown(a);
    TypeId t = args[0]->type.id;
    if (name == "sum" || name == "avg") {
      call.func = name == "sum" ? AggFunc::kSum : AggFunc::kAvg;
      if (t == TypeId::kInt2 || t == TypeId::kInt4) {
        call.type = Type(name == "sum" ? TypeId::kInt8 : TypeId::kNumeric);
      } else if (t == TypeId::kInt8 || t == TypeId::kNumeric) {
        call.type = Type(TypeId::kNumeric);
      } else if (t == TypeId::kFloat4) {
        call.type = Type(name == "sum" ? TypeId::kFloat4 : TypeId::kFloat8);
      } else if (t == TypeId::kFloat8) {
        call.type = Type(TypeId::kFloat8);
      } else if (t == TypeId::kInterval) {
        call.type = Type(TypeId::kInterval);
      } else {
        return NoSuchFunction(name, args, pos);
      }
    } else if (name == "min" || name == "max") {
      call.func = name == "min" ? AggFunc::kMin : AggFunc::kMax;
      if (t == TypeId::kBool || t == TypeId::kBytea) return NoSuchFunction(name, args, pos);
      call.type = Type(t == TypeId::kVarchar || t == TypeId::kName ? TypeId::kText : t);
      if (t == TypeId::kBpchar) call.type = Type(TypeId::kBpchar);
      if (call.type.id != t) {
        NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], call.type, types::CastContext::kImplicit, "", pos));
      }
    } else if (name == "bool_and" || name == "bool_or" || name == "every") {
      if (t != TypeId::kBool) return NoSuchFunction(name, args, pos);
      call.func = name == "bool_or" ? AggFunc::kBoolOr : AggFunc::kBoolAnd;
      call.type = Type(TypeId::kBool);
    } else if (name == "array_agg") {
      TypeId at = types::ArrayTypeOf(t);
      if (at == TypeId::kUnknown) {
        if (types::IsArrayType(t)) return Unsupported("array_agg of arrays (multidimensional arrays)", pos);
        return NoSuchFunction(name, args, pos);
      }
      call.func = AggFunc::kArrayAgg;
      call.type = Type(at, args[0]->type.typmod);
    } else if (name == "variance" || name == "var_samp" || name == "var_pop" || name == "stddev" ||
               name == "stddev_samp" || name == "stddev_pop") {
      // PostgreSQL: integers and numeric give numeric (exact sums), float4/float8 give float8.
      if (t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8 || t == TypeId::kNumeric) {
        call.type = Type(TypeId::kNumeric);
      } else if (t == TypeId::kFloat4 || t == TypeId::kFloat8) {
        call.type = Type(TypeId::kFloat8);
      } else {
        return NoSuchFunction(name, args, pos);
      }
      const bool pop = name == "var_pop" || name == "stddev_pop";
      const bool dev = name.rfind("stddev", 0) == 0;
      call.func = dev ? (pop ? AggFunc::kStddevPop : AggFunc::kStddevSamp)
                      : (pop ? AggFunc::kVarPop : AggFunc::kVarSamp);
    } else if (name == "string_agg") {
      if (!IsString(t) || !IsString(args[1]->type.id)) return NoSuchFunction(name, args, pos);
      call.func = AggFunc::kStringAgg;
      call.type = Type(TypeId::kText);
    }
  }
  if (b.value("agg_within_group", false)) {
    // None of ours is an ordered-set aggregate. PostgreSQL looks the function up with the
    // WITHIN GROUP keys as further arguments (libpg_query puts them in agg_order): a plain
    // aggregate of that arity is 42809, no function at all is 42883.
    std::vector<ExprPtr> all = args;
    if (b.contains("agg_order")) {
      for (const auto& item : b["agg_order"]) {
        NORDLYS_ASSIGN_OR_RETURN(ExprPtr k, BindExpr(item["SortBy"]["node"], inner));
        all.push_back(ResolveUnknown(k));
      }
    }
    if (all.size() != (name == "string_agg" ? 2u : 1u)) return NoSuchFunction(name, all, pos);
    return SqlError("42809",
                    name + " is not an ordered-set aggregate, so it cannot have WITHIN GROUP",
                    {.position = pos});
  }
  if (b.contains("agg_order")) {
    for (const auto& item : b["agg_order"]) {
      const Json& sb = item["SortBy"];
      SortKey key;
      NORDLYS_RETURN_IF_ERROR(SortDirection(sb, &key, pos));
      NORDLYS_ASSIGN_OR_RETURN(key.expr, BindExpr(sb["node"], inner));
      key.expr = ResolveUnknown(key.expr);
      if (call.distinct) {
        // PostgreSQL sorts a DISTINCT aggregate's input to find duplicates: the order must be
        // by the arguments themselves.
        bool in_args = false;
        for (const auto& a : args) in_args = in_args || ExprFingerprint(*a) == ExprFingerprint(*key.expr);
        if (!in_args) {
          return SqlError("42P10",
                          "in an aggregate with DISTINCT, ORDER BY expressions must appear in "
                          "argument list",
                          {.position = CharPosition(sql_, sb["node"].value("location", -1))});
        }
      }
      call.order.push_back(std::move(key));
    }
  }
  if (b.contains("agg_filter")) {
    ExprContext fctx{ctx.scope, nullptr, "FILTER"};
    NORDLYS_ASSIGN_OR_RETURN(call.filter, BindCondition(b["agg_filter"], fctx, "FILTER"));
  }
  if (!args.empty()) call.arg_type = args[0]->type;
  call.args = std::move(args);
  ctx.aggs->push_back(std::move(call));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAggRef;
  e->index = static_cast<int>(ctx.aggs->size() - 1);
  e->type = ctx.aggs->back().type;
  e->location = pos;
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindFuncCall(const Json& b, ExprContext& ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  std::vector<std::string> names = NameList(b["funcname"]);
  std::string name = names.back();
  if (names.size() > 1 && names[0] != "pg_catalog") {
    return SqlError("3F000", "schema \"" + names[0] + "\" does not exist", {.position = pos});
  }
  if (b.contains("over")) return BindWindowFunction(b, name, ctx);
  if (name == "generate_series") {
    // A set-returning function: only FROM evaluates them (PostgreSQL's ProjectSet is not built).
    return Unsupported("set-returning function generate_series outside FROM (write FROM generate_series(...))",
                       pos);
  }
  if (IsWindowOnlyFunction(name)) {
    return SqlError("42809", "window function " + name + " requires an OVER clause", {.position = pos});
  }
  if (IsAggregateName(name)) return BindAggregate(b, name, ctx);
  if (b.value("agg_star", false)) {
    return SqlError("42809", name + "(*) specified, but " + name + " is not an aggregate function",
                    {.position = pos});
  }
  std::vector<ExprPtr> args;
  if (b.contains("args")) {
    // make_interval(years, months, weeks, days, hours, mins, secs), each defaulting to 0 and
    // nameable (make_interval(days => 10)); named arguments of other functions are refused.
    static const char* kMakeIntervalParams[] = {"years", "months", "weeks", "days", "hours", "mins", "secs"};
    std::vector<ExprPtr> named(7);
    bool any_named = false;
    for (const auto& a : b["args"]) {
      auto [k, body] = NodeOf(a);
      if (k == "NamedArgExpr") {
        std::string pname = body->value("name", "");
        if (name != "make_interval") return Unsupported("named arguments", pos);
        int slot = -1;
        for (int i = 0; i < 7; ++i) {
          if (pname == kMakeIntervalParams[i]) slot = i;
        }
        if (slot < 0 || slot < static_cast<int>(args.size()) || named[slot]) {
          return SqlError("42883", "function make_interval(" + pname + " => unknown) does not exist",
                          {.hint = "No function matches the given name and argument types. You might need to add "
                                   "explicit type casts.",
                           .position = pos});
        }
        NORDLYS_ASSIGN_OR_RETURN(named[slot], BindExpr((*body)["arg"], ctx));
        any_named = true;
        continue;
      }
      if (any_named) return SqlError("42601", "positional argument cannot follow named argument", {.position = pos});
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(a, ctx));
      args.push_back(x);
    }
    if (name == "make_interval" && args.size() <= 7) {
      for (size_t i = args.size(); i < 7; ++i) {
        args.push_back(named[i] ? named[i]
                                : i == 6 ? MakeConst(Value::Float8(0), Type(TypeId::kFloat8))
                                         : MakeConst(Value::Int4(0), Type(TypeId::kInt4)));
      }
    }
  } else if (name == "make_interval") {
    for (int i = 0; i < 7; ++i) {
      args.push_back(i == 6 ? MakeConst(Value::Float8(0), Type(TypeId::kFloat8)) : MakeConst(Value::Int4(0), Type(TypeId::kInt4)));
    }
  }
  // No table is partitioned, so PostgreSQL's answer is always the empty set. Set-returning
  // functions in expressions are not built; psql's \d uses this one only as
  // `confrelid IN (SELECT pg_partition_ancestors(t) UNION ALL VALUES (t))`, where yielding the
  // argument instead gives the same answer. (In FROM it is the empty set: bind_select.cc.)
  if (name == "pg_partition_ancestors" && args.size() == 1) {
    return Coerce(args[0], Type(TypeId::kRegclass), types::CastContext::kImplicit, "", pos);
  }
  if (auto arr = BindArrayFunction(name, args, pos)) return std::move(*arr);
  if (auto more = BindScalarFunction(name, args, pos, names.size() > 1)) return std::move(*more);
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFunc;
  e->location = pos;
  auto set = [&](Func f, TypeId t) {
    e->func = f;
    e->type = Type(t);
  };
  auto want = [&](size_t lo, size_t hi) { return args.size() >= lo && args.size() <= hi; };
  auto coerce_all = [&](TypeId t) -> Status {
    for (auto& a : args) {
      if (a->type.id == t) continue;
      auto c = types::FindCast(a->type.id == TypeId::kUnknown ? TypeId::kText : a->type.id, t);
      if (a->type.id != TypeId::kUnknown && (!c || *c != types::CastContext::kImplicit)) {
        return NoSuchFunction(name, args, pos);
      }
      NORDLYS_ASSIGN_OR_RETURN(a, Coerce(a, Type(t), types::CastContext::kImplicit, "", pos));
    }
    return Status::OK();
  };
  auto text_args = [&](size_t n_text) -> Status {
    for (size_t i = 0; i < args.size(); ++i) {
      TypeId want_t = i < n_text ? TypeId::kText : TypeId::kInt4;
      TypeId have = args[i]->type.id;
      if (want_t == TypeId::kText && have != TypeId::kUnknown && !IsString(have)) {
        return NoSuchFunction(name, args, pos);
      }
      if (want_t == TypeId::kInt4 && have != TypeId::kUnknown && !IsInteger(have)) {
        return NoSuchFunction(name, args, pos);
      }
      if (have == TypeId::kUnknown || (want_t == TypeId::kInt4 && have != TypeId::kInt4)) {
        NORDLYS_ASSIGN_OR_RETURN(args[i], Coerce(args[i], Type(want_t), types::CastContext::kImplicit, "", pos));
      }
    }
    return Status::OK();
  };

  if ((name == "now" || name == "transaction_timestamp") && want(0, 0)) {
    set(Func::kNow, TypeId::kTimestampTz);
  } else if (name == "statement_timestamp" && want(0, 0)) {
    set(Func::kStatementTimestamp, TypeId::kTimestampTz);
  } else if (name == "clock_timestamp" && want(0, 0)) {
    set(Func::kClockTimestamp, TypeId::kTimestampTz);
  } else if (name == "version" && want(0, 0)) {
    set(Func::kVersion, TypeId::kText);
  } else if (name == "current_database" && want(0, 0)) {
    set(Func::kCurrentDatabase, TypeId::kName);
  } else if ((name == "current_user" || name == "session_user") && want(0, 0)) {
    set(Func::kCurrentUser, TypeId::kName);
  } else if (name == "current_schema" && want(0, 0)) {
    set(Func::kCurrentSchema, TypeId::kName);
  } else if (name == "pg_backend_pid" && want(0, 0)) {
    set(Func::kBackendPid, TypeId::kInt4);
  } else if (name == "txid_current" && want(0, 0)) {
    set(Func::kTxidCurrent, TypeId::kInt8);
  } else if (name == "pg_get_userbyid" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kOid));
    set(Func::kPgGetUserById, TypeId::kName);
  } else if (name == "pg_get_viewdef" && want(1, 2)) {
    // pg_get_viewdef(oid [, pretty]) or, for a string, the deprecated pg_get_viewdef(name text).
    Type t(args[0]->type.id == TypeId::kUnknown || args[0]->type.id == TypeId::kText ? TypeId::kText : TypeId::kOid);
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], t, types::CastContext::kImplicit, "", pos));
    if (args.size() == 2) {
      NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kBool), types::CastContext::kImplicit, "", pos));
    }
    set(Func::kPgGetViewdef, TypeId::kText);
  } else if (name == "pg_get_expr" && want(2, 3)) {
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kText), types::CastContext::kImplicit, "", pos));
    NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kOid), types::CastContext::kImplicit, "", pos));
    if (args.size() == 3) {
      NORDLYS_ASSIGN_OR_RETURN(args[2], Coerce(args[2], Type(TypeId::kBool), types::CastContext::kImplicit, "", pos));
    }
    set(Func::kPgGetExpr, TypeId::kText);
  } else if ((name == "pg_get_constraintdef" && want(1, 2)) || (name == "pg_get_indexdef" && (want(1, 1) || want(3, 3)))) {
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kOid), types::CastContext::kImplicit, "", pos));
    for (size_t i = 1; i < args.size(); ++i) {
      Type t(i == 1 && args.size() == 3 ? TypeId::kInt4 : TypeId::kBool);
      NORDLYS_ASSIGN_OR_RETURN(args[i], Coerce(args[i], t, types::CastContext::kImplicit, "", pos));
    }
    set(name == "pg_get_indexdef" ? Func::kPgGetIndexdef : Func::kPgGetConstraintdef, TypeId::kText);
  } else if (name == "pg_get_triggerdef" && want(1, 2)) {
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kOid), types::CastContext::kImplicit, "", pos));
    if (args.size() == 2) {
      NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kBool), types::CastContext::kImplicit, "", pos));
    }
    set(Func::kPgGetTriggerdef, TypeId::kText);
  } else if ((name == "pg_relation_is_publishable" || name == "pg_get_statisticsobjdef_columns") && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kOid));
    set(name == "pg_relation_is_publishable" ? Func::kPgRelationIsPublishable : Func::kPgGetStatisticsobjdefColumns,
        name == "pg_relation_is_publishable" ? TypeId::kBool : TypeId::kText);
  } else if (name == "quote_ident" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(Func::kQuoteIdent, TypeId::kText);
  } else if (name == "pg_type_is_visible" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kOid));
    set(Func::kPgTypeIsVisible, TypeId::kBool);
  } else if (name == "pg_table_is_visible" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kOid));
    set(Func::kPgTableIsVisible, TypeId::kBool);
  } else if (name == "pg_encoding_to_char" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kInt4));
    set(Func::kPgEncodingToChar, TypeId::kName);
  } else if (name == "format_type" && want(2, 2)) {
    if (args[0]->type.id != TypeId::kOid && args[0]->type.id != TypeId::kUnknown && !IsInteger(args[0]->type.id)) {
      return NoSuchFunction(name, args, pos);
    }
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kOid), types::CastContext::kImplicit, "", pos));
    NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kInt4), types::CastContext::kImplicit, "", pos));
    set(Func::kFormatType, TypeId::kText);
  } else if (name == "obj_description" && want(1, 2)) {
    // COMMENT ON is not built, so no object has a description: NULL is the true answer.
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kOid), types::CastContext::kImplicit, "", pos));
    if (args.size() == 2) {
      if (args[1]->type.id != TypeId::kUnknown && !IsString(args[1]->type.id)) return NoSuchFunction(name, args, pos);
      NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kName), types::CastContext::kImplicit, "", pos));
    }
    set(Func::kObjDescription, TypeId::kText);
  } else if (name == "col_description" && want(2, 2)) {
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kOid), types::CastContext::kImplicit, "", pos));
    NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kInt4), types::CastContext::kImplicit, "", pos));
    set(Func::kColDescription, TypeId::kText);
  } else if (name == "random" && want(0, 0)) {
    set(Func::kRandom, TypeId::kFloat8);
  } else if (name == "gen_random_uuid" && want(0, 0)) {
    set(Func::kGenRandomUuid, TypeId::kUuid);
  } else if (name == "current_setting" && want(1, 2)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(Func::kSettingCurrent, TypeId::kText);
  } else if ((name == "nextval" || name == "currval") && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(name == "nextval" ? Func::kNextval : Func::kCurrval, TypeId::kInt8);
    if (args[0]->kind == ExprKind::kConst && !args[0]->value.is_null()) {
      NORDLYS_ASSIGN_OR_RETURN(e->sequence, LookupSequenceByName(args[0]->value.as_string(), pos));
    }
  } else if (name == "setval" && want(2, 3)) {
    if (args[0]->type.id == TypeId::kUnknown) {
      NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kText), types::CastContext::kImplicit, "", pos));
    }
    NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kInt8), types::CastContext::kImplicit, "", pos));
    if (args.size() == 3) {
      NORDLYS_ASSIGN_OR_RETURN(args[2], Coerce(args[2], Type(TypeId::kBool), types::CastContext::kImplicit, "", pos));
    }
    set(Func::kSetval, TypeId::kInt8);
    if (args[0]->kind == ExprKind::kConst && !args[0]->value.is_null()) {
      NORDLYS_ASSIGN_OR_RETURN(e->sequence, LookupSequenceByName(args[0]->value.as_string(), pos));
    }
  } else if ((name == "length" || name == "char_length" || name == "character_length") && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(Func::kLength, TypeId::kInt4);
  } else if (name == "octet_length" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(Func::kOctetLength, TypeId::kInt4);
  } else if ((name == "lower" || name == "upper" || name == "initcap" || name == "reverse") && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(name == "lower" ? Func::kLower : name == "upper" ? Func::kUpper
        : name == "initcap" ? Func::kInitcap : Func::kReverse,
        TypeId::kText);
  } else if ((name == "btrim" || name == "ltrim" || name == "rtrim") && want(1, 2)) {
    NORDLYS_RETURN_IF_ERROR(text_args(2));
    set(name == "btrim" ? Func::kBtrim : name == "ltrim" ? Func::kLtrim : Func::kRtrim, TypeId::kText);
  } else if (name == "replace" && want(3, 3)) {
    NORDLYS_RETURN_IF_ERROR(text_args(3));
    set(Func::kReplace, TypeId::kText);
  } else if ((name == "strpos" || name == "position") && want(2, 2)) {
    NORDLYS_RETURN_IF_ERROR(text_args(2));
    set(Func::kStrpos, TypeId::kInt4);
  } else if ((name == "left" || name == "right" || name == "repeat") && want(2, 2)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(name == "left" ? Func::kLeft : name == "right" ? Func::kRight : Func::kRepeat, TypeId::kText);
  } else if ((name == "lpad" || name == "rpad") && want(2, 3)) {
    if (args.size() == 3) std::swap(args[1], args[2]);
    Status s = text_args(args.size() == 3 ? 2 : 1);
    if (args.size() == 3) std::swap(args[1], args[2]);
    NORDLYS_RETURN_IF_ERROR(s);
    set(name == "lpad" ? Func::kLpad : Func::kRpad, TypeId::kText);
  } else if (name == "split_part" && want(3, 3)) {
    NORDLYS_RETURN_IF_ERROR(text_args(2));
    set(Func::kSplitPart, TypeId::kText);
  } else if ((name == "substr" || name == "substring") && want(2, 3)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(Func::kSubstr, TypeId::kText);
  } else if (name == "chr" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(0));
    set(Func::kChr, TypeId::kText);
  } else if (name == "ascii" && want(1, 1)) {
    NORDLYS_RETURN_IF_ERROR(text_args(1));
    set(Func::kAscii, TypeId::kInt4);
  } else if (name == "starts_with" && want(2, 2)) {
    NORDLYS_RETURN_IF_ERROR(text_args(2));
    set(Func::kStartsWith, TypeId::kBool);
  } else if (name == "translate" && want(3, 3)) {
    NORDLYS_RETURN_IF_ERROR(text_args(3));
    set(Func::kTranslate, TypeId::kText);
  } else if (name == "to_hex" && want(1, 1)) {
    TypeId t = args[0]->type.id;
    if (t == TypeId::kUnknown || t == TypeId::kInt2) t = TypeId::kInt4;
    if (t != TypeId::kInt4 && t != TypeId::kInt8) return NoSuchFunction(name, args, pos);
    NORDLYS_RETURN_IF_ERROR(coerce_all(t));
    set(Func::kToHex, TypeId::kText);
  } else if (name == "concat_ws" && want(1, 1000)) {
    // Only the separator is text; the rest print in their output form, as with concat.
    if (args[0]->type.id != TypeId::kUnknown && !IsString(args[0]->type.id)) {
      return NoSuchFunction(name, args, pos);
    }
    for (auto& a : args) a = ResolveUnknown(a);
    NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kText), types::CastContext::kImplicit, "", pos));
    set(Func::kConcatWs, TypeId::kText);
  } else if (name == "concat") {
    for (auto& a : args) a = ResolveUnknown(a);
    set(Func::kConcat, TypeId::kText);
  } else if (name == "abs" && want(1, 1)) {
    if (args[0]->type.id == TypeId::kUnknown) NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kFloat8));
    if (!IsNumericCat(args[0]->type.id) || args[0]->type.id == TypeId::kOid) return NoSuchFunction(name, args, pos);
    set(Func::kAbs, args[0]->type.id);
  } else if ((name == "round" || name == "trunc") && want(1, 2)) {
    TypeId t = args[0]->type.id;
    if (args.size() == 2 || t == TypeId::kNumeric || IsInteger(t) || t == TypeId::kUnknown) {
      if (args.size() == 1 && (t == TypeId::kFloat8 || t == TypeId::kFloat4)) {
        set(name == "round" ? Func::kRound : Func::kTrunc, TypeId::kFloat8);
      } else {
        if (!IsNumericCat(t) && t != TypeId::kUnknown) return NoSuchFunction(name, args, pos);
        if (args.size() == 2 && (t == TypeId::kFloat8 || t == TypeId::kFloat4)) {
          return NoSuchFunction(name, args, pos);
        }
        NORDLYS_ASSIGN_OR_RETURN(args[0], Coerce(args[0], Type(TypeId::kNumeric), types::CastContext::kImplicit, "", pos));
        if (args.size() == 2) {
          if (!IsInteger(args[1]->type.id) && args[1]->type.id != TypeId::kUnknown) return NoSuchFunction(name, args, pos);
          NORDLYS_ASSIGN_OR_RETURN(args[1], Coerce(args[1], Type(TypeId::kInt4), types::CastContext::kImplicit, "", pos));
        }
        set(name == "round" ? Func::kRound : Func::kTrunc, TypeId::kNumeric);
      }
    } else if (t == TypeId::kFloat8 || t == TypeId::kFloat4) {
      NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kFloat8));
      set(name == "round" ? Func::kRound : Func::kTrunc, TypeId::kFloat8);
    } else {
      return NoSuchFunction(name, args, pos);
    }
  } else if ((name == "floor" || name == "ceil" || name == "ceiling" || name == "sign") && want(1, 1)) {
    TypeId t = args[0]->type.id;
    if (t == TypeId::kNumeric || IsInteger(t)) {
      // Integers go to float8 (PG's preferred numeric type) ... except that floor(int) picks
      // floor(numeric)? PG: int4 -> float8 and numeric both implicit; float8 is preferred.
      if (IsInteger(t)) {
        NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kFloat8));
        t = TypeId::kFloat8;
      }
    } else if (t == TypeId::kFloat4 || t == TypeId::kUnknown) {
      NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kFloat8));
      t = TypeId::kFloat8;
    } else if (t != TypeId::kFloat8) {
      return NoSuchFunction(name, args, pos);
    }
    set(name == "floor" ? Func::kFloor : name == "sign" ? Func::kSign : Func::kCeil, t);
  } else if ((name == "sqrt" || name == "power" || name == "pow") && want(name == "sqrt" ? 1 : 2, name == "sqrt" ? 1 : 2)) {
    for (auto& a : args) {
      if (a->type.id == TypeId::kNumeric) return Unsupported(name + "(numeric)", pos);
      if (!IsNumericCat(a->type.id) && a->type.id != TypeId::kUnknown) return NoSuchFunction(name, args, pos);
    }
    NORDLYS_RETURN_IF_ERROR(coerce_all(TypeId::kFloat8));
    set(name == "sqrt" ? Func::kSqrt : Func::kPower, TypeId::kFloat8);
  } else if (name == "mod" && want(2, 2)) {
    for (auto& a : args) {
      if (!IsNumericCat(a->type.id) && a->type.id != TypeId::kUnknown) return NoSuchFunction(name, args, pos);
    }
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr r, BindOperator(types::BinaryOp::kMod, args[0], args[1], pos));
    return r;
  } else {
    return NoSuchFunction(name, args, pos);
  }
  e->args = std::move(args);
  return ExprPtr(e);
}

Result<std::shared_ptr<const SequenceDef>> Binder::LookupSequenceByName(const std::string& text, int pos) {
  // regclass input: [schema.]name, unquoted parts fold to lower case.
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        cur += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  parts.push_back(cur);
  uint32_t ns = 0;
  if (parts.size() == 2) {
    ns = snap_->SchemaOid(parts[0]);
    if (ns == 0) return SqlError("3F000", "schema \"" + parts[0] + "\" does not exist", {.position = pos});
  }
  const SequenceDef* s = snap_->FindSequence(ns, parts.back());
  if (s == nullptr) {
    return SqlError("42P01", "relation \"" + text + "\" does not exist", {.position = pos});
  }
  return snap_->sequences.at(s->oid);
}

}  // namespace nordlys::engine::sql
