// See expr.h.
#include "engine/sql/binder/expr.h"

#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

ExprPtr MakeConst(types::Value v, types::Type t) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kConst;
  e->value = std::move(v);
  e->type = t;
  return e;
}

ExprPtr MakeColumn(int index, types::Type t, std::string name) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kColumn;
  e->index = index;
  e->type = t;
  e->name = std::move(name);
  return e;
}

bool IsRowIndependent(const Expr& e) {
  if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kAggRef || e.kind == ExprKind::kWindowRef) return false;
  if (e.kind == ExprKind::kSubquery) return !e.subquery->correlated && e.args.empty();
  if (e.kind == ExprKind::kFunc && (e.func == Func::kRandom || e.func == Func::kNextval ||
                                    e.func == Func::kSetval || e.func == Func::kClockTimestamp ||
                                    e.func == Func::kGenRandomUuid)) {
    return false;
  }
  for (const auto& a : e.args) {
    if (a && !IsRowIndependent(*a)) return false;
  }
  return true;
}

bool ContainsAgg(const Expr& e) {
  if (e.kind == ExprKind::kAggRef) return true;
  for (const auto& a : e.args) {
    if (a && ContainsAgg(*a)) return true;
  }
  return false;
}

ExprPtr ShiftColumns(const ExprPtr& e, int delta) {
  if (!e) return e;
  if (delta == 0) return e;
  auto c = std::make_shared<Expr>(*e);
  if (c->kind == ExprKind::kColumn) c->index += delta;
  for (auto& a : c->args) a = ShiftColumns(a, delta);
  return c;
}

void CollectColumns(const Expr& e, std::vector<int>* out) {
  if (e.kind == ExprKind::kColumn) out->push_back(e.index);
  for (const auto& a : e.args) {
    if (a) CollectColumns(*a, out);
  }
}

void SplitConjuncts(const ExprPtr& e, std::vector<ExprPtr>* out) {
  if (!e) return;
  if (e->kind == ExprKind::kAnd) {
    for (const auto& a : e->args) SplitConjuncts(a, out);
  } else {
    out->push_back(e);
  }
}

ExprPtr MakeAnd(std::vector<ExprPtr> parts) {
  if (parts.empty()) return nullptr;
  if (parts.size() == 1) return parts[0];
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAnd;
  e->type = types::Type(types::TypeId::kBool);
  e->args = std::move(parts);
  return e;
}

namespace {
std::string Quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += '\'';
    o += c;
  }
  return o + "'";
}

std::string ArgList(const Expr& e, size_t from = 0) {
  std::string o;
  for (size_t i = from; i < e.args.size(); ++i) {
    if (i > from) o += ", ";
    o += e.args[i] ? e.args[i]->ToString() : "NULL";
  }
  return o;
}

const char* FuncName(Func f) {
  switch (f) {
    case Func::kNow: return "now";
    case Func::kStatementTimestamp: return "statement_timestamp";
    case Func::kClockTimestamp: return "clock_timestamp";
    case Func::kCurrentDate: return "CURRENT_DATE";
    case Func::kVersion: return "version";
    case Func::kCurrentDatabase: return "current_database";
    case Func::kCurrentUser: return "CURRENT_USER";
    case Func::kCurrentSchema: return "current_schema";
    case Func::kBackendPid: return "pg_backend_pid";
    case Func::kNextval: return "nextval";
    case Func::kCurrval: return "currval";
    case Func::kSetval: return "setval";
    case Func::kLength: return "length";
    case Func::kLower: return "lower";
    case Func::kUpper: return "upper";
    case Func::kAbs: return "abs";
    case Func::kConcatOp: return "||";
    case Func::kConcat: return "concat";
    case Func::kSubstr: return "substr";
    case Func::kRound: return "round";
    case Func::kTrunc: return "trunc";
    case Func::kBtrim: return "btrim";
    case Func::kLtrim: return "ltrim";
    case Func::kRtrim: return "rtrim";
    case Func::kReplace: return "replace";
    case Func::kPosition: return "strpos";
    case Func::kLeft: return "left";
    case Func::kRight: return "right";
    case Func::kRegexMatch: return "~";
    case Func::kRegexNotMatch: return "!~";
    case Func::kRegexIMatch: return "~*";
    case Func::kRegexNotIMatch: return "!~*";
    case Func::kPgGetUserById: return "pg_get_userbyid";
    case Func::kPgEncodingToChar: return "pg_encoding_to_char";
    case Func::kColDescription: return "col_description";
    case Func::kPgTableIsVisible: return "pg_table_is_visible";
    case Func::kObjDescription: return "obj_description";
    case Func::kFormatType: return "format_type";
    case Func::kRandom: return "random";
    case Func::kMod: return "mod";
    case Func::kFloor: return "floor";
    case Func::kCeil: return "ceil";
    case Func::kSqrt: return "sqrt";
    case Func::kPower: return "power";
    case Func::kSign: return "sign";
    case Func::kRepeat: return "repeat";
    case Func::kStrpos: return "strpos";
    case Func::kMd5: return "md5";
    case Func::kGenRandomUuid: return "gen_random_uuid";
    case Func::kInitcap: return "initcap";
    case Func::kReverse: return "reverse";
    case Func::kStartsWith: return "starts_with";
    case Func::kTranslate: return "translate";
    case Func::kToHex: return "to_hex";
    case Func::kConcatWs: return "concat_ws";
    case Func::kLpad: return "lpad";
    case Func::kRpad: return "rpad";
    case Func::kSplitPart: return "split_part";
    case Func::kChr: return "chr";
    case Func::kAscii: return "ascii";
    case Func::kOctetLength: return "octet_length";
    case Func::kCharLength: return "char_length";
    case Func::kSettingCurrent: return "current_setting";
    case Func::kTxidCurrent: return "txid_current";
    case Func::kArrayCat: return "array_cat";
    case Func::kArrayAppend: return "array_append";
    case Func::kArrayPrepend: return "array_prepend";
    case Func::kArrayToString: return "array_to_string";
    case Func::kArrayLength: return "array_length";
    case Func::kArrayUpper: return "array_upper";
    case Func::kArrayLower: return "array_lower";
    case Func::kCardinality: return "cardinality";
    case Func::kStringToArray: return "string_to_array";
    case Func::kArrayPosition: return "array_position";
    case Func::kArrayRemove: return "array_remove";
    case Func::kPgGetExpr: return "pg_get_expr";
    case Func::kPgTypeIsVisible: return "pg_type_is_visible";
    case Func::kQuoteIdent: return "quote_ident";
    case Func::kPgGetConstraintdef: return "pg_get_constraintdef";
    case Func::kPgGetIndexdef: return "pg_get_indexdef";
    case Func::kPgGetViewdef: return "pg_get_viewdef";
    case Func::kPgRelationIsPublishable: return "pg_relation_is_publishable";
    case Func::kPgGetStatisticsobjdefColumns: return "pg_get_statisticsobjdef_columns";
    case Func::kPgGetTriggerdef: return "pg_get_triggerdef";
    case Func::kDatePart: return "date_part";
    case Func::kAge: return "age";
    case Func::kTimezone: return "timezone";
    case Func::kToDate: return "to_date";
    case Func::kToTimestamp: return "to_timestamp";
    case Func::kToTimestampFloat: return "to_timestamp";
    case Func::kMakeDate: return "make_date";
    case Func::kMakeTime: return "make_time";
    case Func::kMakeTimestamp: return "make_timestamp";
    case Func::kMakeTimestampTz: return "make_timestamptz";
    case Func::kMakeInterval: return "make_interval";
    case Func::kJustifyDays: return "justify_days";
    case Func::kJustifyHours: return "justify_hours";
    case Func::kJustifyInterval: return "justify_interval";
    case Func::kIsfinite: return "isfinite";
    case Func::kExp: return "exp";
    case Func::kLn: return "ln";
    case Func::kLog: return "log";
    case Func::kLog10: return "log10";
    case Func::kDiv: return "div";
    case Func::kScale: return "scale";
    case Func::kCbrt: return "cbrt";
    case Func::kDegrees: return "degrees";
    case Func::kRadians: return "radians";
    case Func::kSin: return "sin";
    case Func::kCos: return "cos";
    case Func::kTan: return "tan";
    case Func::kCot: return "cot";
    case Func::kAsin: return "asin";
    case Func::kAcos: return "acos";
    case Func::kAtan: return "atan";
    case Func::kAtan2: return "atan2";
    case Func::kPi: return "pi";
    case Func::kBitLength: return "bit_length";
    case Func::kSha224: return "sha224";
    case Func::kSha256: return "sha256";
    case Func::kSha384: return "sha384";
    case Func::kSha512: return "sha512";
    case Func::kEncode: return "encode";
    case Func::kDecode: return "decode";
    case Func::kRegexpReplace: return "regexp_replace";
    case Func::kRegexpMatch: return "regexp_match";
    case Func::kSimilarToEscape: return "similar_to_escape";
    case Func::kOverlay: return "overlay";
    case Func::kFormat: return "format";
    case Func::kQuoteLiteral: return "quote_literal";
    case Func::kQuoteNullable: return "quote_nullable";
    case Func::kExtract: return "extract";
    case Func::kDateTrunc: return "date_trunc";
    case Func::kToChar: return "to_char";
    case Func::kPgTypeof: return "pg_typeof";
    case Func::kBitAnd: return "&";
    case Func::kBitOr: return "|";
    case Func::kBitXor: return "#";
    case Func::kBitNot: return "~";
    case Func::kShiftLeft: return "<<";
    case Func::kShiftRight: return ">>";
    case Func::kArraySubscript: return "subscript";
    default: return "function";
  }
}
}  // namespace

std::string Expr::ToString() const {
  using K = ExprKind;
  switch (kind) {
    case K::kConst: {
      if (value.is_null()) return "NULL";
      // ruleutils prints boolean constants as true/false (pg_get_expr of DEFAULT true).
      if (type.id == types::TypeId::kBool) return value.as_bool() ? "true" : "false";
      std::string text = types::OutputValue(value, type, types::SessionSettings{});
      if (type.id == types::TypeId::kInt4 || type.id == types::TypeId::kNumeric ||
          type.id == types::TypeId::kBool || type.id == types::TypeId::kInt8) {
        return text;
      }
      // format_type with typmod -1 given: bpchar, which unlike "character" has no length.
      if (type.id == types::TypeId::kBpchar && type.typmod < 0) return Quote(text) + "::bpchar";
      return Quote(text) + "::" + types::FormatType(type);
    }
    case K::kColumn: return name.empty() ? "$col" + std::to_string(index) : name;
    case K::kOuterColumn: return name;
    case K::kParam: return "$" + std::to_string(index + 1);
    case K::kBinary:
      return "(" + args[0]->ToString() + " " + std::string(types::OpName(op)) + " " +
             args[1]->ToString() + ")";
    case K::kNegate: return "(- " + args[0]->ToString() + ")";
    case K::kNot: return "(NOT " + args[0]->ToString() + ")";
    case K::kAnd:
    case K::kOr: {
      std::string o = "(";
      for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) o += kind == K::kAnd ? " AND " : " OR ";
        o += args[i]->ToString();
      }
      return o + ")";
    }
    case K::kIsNull: return "(" + args[0]->ToString() + (negated ? " IS NOT NULL)" : " IS NULL)");
    case K::kBoolTest: {
      static const char* kTests[] = {" IS TRUE", " IS NOT TRUE", " IS FALSE", " IS NOT FALSE",
                                     " IS UNKNOWN", " IS NOT UNKNOWN"};
      return "(" + args[0]->ToString() + kTests[index] + ")";
    }
    case K::kCast: return "(" + args[0]->ToString() + ")::" + types::FormatType(type);
    case K::kArray: return "ARRAY[" + ArgList(*this) + "]";
    case K::kArrayAny:
      return "(" + args[0]->ToString() + " " + std::string(types::OpName(op)) + (flag ? " ALL (" : " ANY (") +
             args[1]->ToString() + "))";
    case K::kFunc:
      if (func == Func::kArraySubscript) return args[0]->ToString() + "[" + args[1]->ToString() + "]";
      if ((func == Func::kNextval || func == Func::kCurrval || func == Func::kSetval) && !args.empty() &&
          args[0]->kind == K::kConst && args[0]->value.kind() == types::Value::Kind::kString) {
        std::string rest = args.size() > 1 ? ", " + ArgList(*this, 1) : "";
        return std::string(FuncName(func)) + "(" + Quote(args[0]->value.as_string()) + "::regclass" + rest + ")";
      }
      if (func == Func::kConcatOp) return "(" + args[0]->ToString() + " || " + args[1]->ToString() + ")";
      if (func == Func::kRegexMatch || func == Func::kRegexNotMatch || func == Func::kRegexIMatch ||
          func == Func::kRegexNotIMatch) {
        return "(" + args[0]->ToString() + " " + FuncName(func) + " " + args[1]->ToString() + ")";
      }
      return std::string(FuncName(func)) + "(" + ArgList(*this) + ")";
    case K::kAggRef: return "agg" + std::to_string(index);
    case K::kWindowRef: return "window" + std::to_string(index);
    case K::kCase: {
      std::string o = "CASE";
      size_t i = 0;
      if (flag) o += " " + args[i++]->ToString();
      for (; i + 1 < args.size(); i += 2) {
        o += " WHEN " + args[i]->ToString() + " THEN " + args[i + 1]->ToString();
      }
      if (i < args.size()) o += " ELSE " + args[i]->ToString();
      return o + " END";
    }
    case K::kCoalesce: return "COALESCE(" + ArgList(*this) + ")";
    case K::kNullIf: return "NULLIF(" + ArgList(*this) + ")";
    case K::kMinMax: return std::string(flag ? "GREATEST(" : "LEAST(") + ArgList(*this) + ")";
    case K::kLike:
      return "(" + args[0]->ToString() + (negated ? " !~~" : " ~~") + (flag ? "* " : " ") +
             args[1]->ToString() + ")";
    case K::kInList:
      return "(" + args[0]->ToString() + (negated ? " NOT IN (" : " IN (") + ArgList(*this, 1) + "))";
    case K::kSubquery: {
      switch (subquery->kind) {
        case SubqueryInfo::Kind::kExists: return "(EXISTS (SubPlan))";
        case SubqueryInfo::Kind::kScalar: return "(SubPlan)";
        case SubqueryInfo::Kind::kArray: return "ARRAY(SubPlan)";
        case SubqueryInfo::Kind::kAny:
          return "(" + args[0]->ToString() + " " + std::string(types::OpName(subquery->op)) +
                 " ANY (SubPlan))";
        case SubqueryInfo::Kind::kAll:
          return "(" + args[0]->ToString() + " " + std::string(types::OpName(subquery->op)) +
                 " ALL (SubPlan))";
      }
      return "(SubPlan)";
    }
    case K::kDistinctFrom:
      return "(" + args[0]->ToString() + (negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") +
             args[1]->ToString() + ")";
  }
  return "?";
}

}  // namespace nordlys::engine::sql
