// Expression binding: column references, constants, operators, casts, CASE/COALESCE/NULLIF,
// LIKE, IN, IS [NOT] NULL, subqueries and parameters. Functions are in bind_function.cc.
#include <cctype>

#include "engine/sql/binder/binder.h"
#include "engine/parser.h"
#include "engine/sql/errors.h"
#include "engine/types/cast.h"
#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

std::string StrVal(const Json& n) {
  if (n.contains("String")) return n["String"].value("sval", std::string());
  return {};
}

std::vector<std::string> NameList(const Json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& n : list) out.push_back(StrVal(n));
  return out;
}

std::pair<std::string, const Json*> NodeOf(const Json& node) {
  if (node.is_object() && node.size() == 1) {
    auto it = node.begin();
    return {it.key(), &it.value()};
  }
  return {"", &node};
}

bool OperatorFromName(const std::string& name, types::BinaryOp* op) {
  using types::BinaryOp;
  static const std::pair<const char*, BinaryOp> kOps[] = {
      {"+", BinaryOp::kAdd}, {"-", BinaryOp::kSub}, {"*", BinaryOp::kMul}, {"/", BinaryOp::kDiv},
      {"%", BinaryOp::kMod}, {"=", BinaryOp::kEq},  {"<>", BinaryOp::kNe}, {"!=", BinaryOp::kNe},
      {"<", BinaryOp::kLt},  {"<=", BinaryOp::kLe}, {">", BinaryOp::kGt},  {">=", BinaryOp::kGe}};
  for (const auto& [n, o] : kOps) {
    if (name == n) {
      *op = o;
      return true;
    }
  }
  return false;
}

Result<Type> BindTypeName(const Json& tn) {
  std::vector<std::string> names = NameList(tn.value("names", Json::array()));
  const bool is_array = tn.contains("arrayBounds");
  if (is_array && tn["arrayBounds"].size() > 1) return Unsupported("multidimensional arrays");
  std::vector<int32_t> mods;
  if (tn.contains("typmods")) {
    for (const auto& m : tn["typmods"]) {
      auto [k, body] = NodeOf(m);
      if (k == "A_Const" && body->contains("ival")) {
        mods.push_back((*body)["ival"].value("ival", 0));
      } else {
        return SqlError("42601", "type modifiers must be simple constants");
      }
    }
  }
  // INTERVAL with field restrictions ("interval day to second") carries a range typmod first.
  if (!names.empty() && names.back() == "interval" && !mods.empty()) {
    if (mods.size() == 2) {
      mods = {mods[1]};
    } else {
      return Unsupported("interval field restrictions");
    }
  }
  NORDLYS_ASSIGN_OR_RETURN(Type t, types::LookupType(names, mods));
  if (!is_array) return t;
  if (types::IsArrayType(t.id)) return Unsupported("multidimensional arrays");
  TypeId array = types::ArrayTypeOf(t.id);
  if (array == TypeId::kUnknown) return Unsupported("arrays of type " + types::FormatType(t));
  return Type(array, t.typmod);
}

Binder::Binder(std::shared_ptr<const CatalogSnapshot> snap, const SessionInfo* session,
               std::string_view sql, std::vector<Type>* param_types)
    : snap_(std::move(snap)), session_(session), sql_(sql), param_types_(param_types) {}

int Binder::Position(const Json& node) const {
  if (!node.is_object()) return 0;
  auto [k, body] = NodeOf(node);
  const Json* b = body->is_object() ? body : &node;
  if (b->contains("location")) return CharPosition(sql_, (*b)["location"].get<int>());
  return 0;
}

Result<ExprPtr> Binder::BindCondition(const Json& node, ExprContext& ctx, const char* clause) {
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(node, ctx));
  if (e->type.id == TypeId::kUnknown) {
    return Coerce(e, Type(TypeId::kBool), types::CastContext::kImplicit, "", Position(node));
  }
  if (e->type.id != TypeId::kBool) {
    return SqlError("42804", std::string("argument of ") + clause + " must be type boolean, not type " +
                                 types::FormatType(e->type),
                    {.position = Position(node)});
  }
  return e;
}

ExprPtr Binder::ResolveUnknown(ExprPtr e) {
  if (e->type.id != TypeId::kUnknown) return e;
  if (e->kind == ExprKind::kParam) {
    (*param_types_)[e->index] = Type(TypeId::kText);
    auto c = std::make_shared<Expr>(*e);
    c->type = Type(TypeId::kText);
    return c;
  }
  auto c = std::make_shared<Expr>(*e);
  c->type = Type(TypeId::kText);
  return c;
}

Result<ExprPtr> Binder::CastLiteral(const ExprPtr& e, Type target, bool is_explicit, int location) {
  if (e->value.is_null()) return MakeConst(Value(), target);
  types::SessionSettings settings = session_ ? session_->settings : types::SessionSettings{};
  auto v = types::InputValue(e->value.as_string(), Type(target.id), settings);
  if (!v.ok()) return WithPosition(v.status(), location > 0 ? location : e->location);
  if (target.typmod >= 0) {
    auto c = types::CoerceToTypmod(*v, target, is_explicit);
    if (!c.ok()) return WithPosition(c.status(), location);
    return MakeConst(std::move(*c), target);
  }
  return MakeConst(std::move(*v), target);
}

Result<ExprPtr> Binder::Coerce(ExprPtr e, Type target, types::CastContext cctx,
                               const std::string& column, int location) {
  if (target.id == TypeId::kUnknown) return e;
  if (e->type.id == TypeId::kUnknown) {
    if (e->kind == ExprKind::kConst) {
      return CastLiteral(e, target, cctx == types::CastContext::kExplicit, location);
    }
    if (e->kind == ExprKind::kParam) {
      (*param_types_)[e->index] = Type(target.id);
      auto p = std::make_shared<Expr>(*e);
      p->type = Type(target.id);
      e = p;
    } else {
      e = ResolveUnknown(e);
    }
  }
  if (e->type.id == target.id) {
    if (target.typmod < 0 || e->type.typmod == target.typmod) return e;
  } else {
    auto c = types::FindCast(e->type.id, target.id);
    if (!c || static_cast<int>(*c) > static_cast<int>(cctx)) {
      if (cctx == types::CastContext::kExplicit) {
        return SqlError("42846", "cannot cast type " + types::FormatType(e->type) + " to " +
                                     types::FormatType(target),
                        {.position = location});
      }
      if (!column.empty()) {
        return SqlError("42804",
                        "column \"" + column + "\" is of type " + types::FormatType(target) +
                            " but expression is of type " + types::FormatType(e->type),
                        {.hint = "You will need to rewrite or cast the expression.",
                         .position = location});
      }
      return SqlError("42804", "cannot cast type " + types::FormatType(e->type) + " to " +
                                   types::FormatType(target),
                      {.position = location});
    }
  }
  // Fold casts of constants now (PG's planner does too), so errors surface at bind time.
  if (e->kind == ExprKind::kConst) {
    types::SessionSettings settings = session_ ? session_->settings : types::SessionSettings{};
    if (e->value.is_null()) return MakeConst(Value(), target);
    auto v = types::CastValue(e->value, e->type, target, cctx == types::CastContext::kExplicit, settings);
    if (!v.ok()) return WithPosition(v.status(), location);
    return MakeConst(std::move(*v), target);
  }
  auto c = std::make_shared<Expr>();
  c->kind = ExprKind::kCast;
  c->type = target;
  c->flag = cctx == types::CastContext::kExplicit;
  c->args = {e};
  c->location = location;
  return ExprPtr(c);
}

Result<ExprPtr> Binder::BindExpr(const Json& node, ExprContext& ctx) {
  auto [kind, body] = NodeOf(node);
  const Json& b = *body;
  if (kind == "ColumnRef") return BindColumnRef(b, ctx);
  if (kind == "A_Const") return BindAConst(b);
  if (kind == "ParamRef") return BindParam(b);
  if (kind == "A_Expr") return BindAExpr(b, ctx);
  if (kind == "BoolExpr") return BindBoolExpr(b, ctx);
  if (kind == "FuncCall") return BindFuncCall(b, ctx);
  if (kind == "TypeCast") return BindTypeCast(b, ctx);
  if (kind == "CaseExpr") return BindCase(b, ctx);
  if (kind == "SubLink") return BindSubLink(b, ctx);
  if (kind == "SQLValueFunction") return BindSqlValueFunction(b);
  if (kind == "NullTest") {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr arg, BindExpr(b["arg"], ctx));
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kIsNull;
    e->type = Type(TypeId::kBool);
    e->negated = b.value("nulltesttype", "") == "IS_NOT_NULL";
    e->args = {ResolveUnknown(arg)};
    return ExprPtr(e);
  }
  if (kind == "BooleanTest") {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr arg, BindCondition(b["arg"], ctx, "IS TRUE"));
    static const char* kTests[] = {"IS_TRUE", "IS_NOT_TRUE", "IS_FALSE", "IS_NOT_FALSE",
                                   "IS_UNKNOWN", "IS_NOT_UNKNOWN"};
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kBoolTest;
    e->type = Type(TypeId::kBool);
    std::string t = b.value("booltesttype", "");
    for (int i = 0; i < 6; ++i) {
      if (t == kTests[i]) e->index = i;
    }
    e->args = {arg};
    return ExprPtr(e);
  }
  if (kind == "CoalesceExpr" || kind == "MinMaxExpr") {
    std::vector<ExprPtr> args;
    for (const auto& a : b["args"]) {
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(a, ctx));
      args.push_back(x);
    }
    const char* construct = kind == "CoalesceExpr" ? "COALESCE"
                            : b.value("op", "") == "IS_GREATEST" ? "GREATEST" : "LEAST";
    NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType(args, construct, Position(node)));
    for (auto& a : args) {
      NORDLYS_ASSIGN_OR_RETURN(a, Coerce(a, t, types::CastContext::kImplicit, "", a->location));
    }
    auto e = std::make_shared<Expr>();
    e->kind = kind == "CoalesceExpr" ? ExprKind::kCoalesce : ExprKind::kMinMax;
    e->flag = b.value("op", "") == "IS_GREATEST";
    e->type = t;
    e->args = std::move(args);
    return ExprPtr(e);
  }
  if (kind == "A_ArrayExpr") return BindArrayExpr(b, ctx, nullptr);
  if (kind == "A_Indirection") return BindIndirection(b, ctx);
  if (kind == "CollateClause") {
    // Text compares bytewise (the C collation) everywhere; naming that collation changes nothing.
    auto names = NameList((*body)["collname"]);
    std::string coll = names.empty() ? "" : names.back();
    if (coll != "default" && coll != "C" && coll != "POSIX") return Unsupported("COLLATE \"" + coll + "\"", Position(node));
    return BindExpr((*body)["arg"], ctx);
  }
  if (kind == "RowExpr") return Unsupported("row constructors", Position(node));
  if (kind == "GroupingFunc") return Unsupported("GROUPING", Position(node));
  return Unsupported("expression " + kind, Position(node));
}

Result<ExprPtr> Binder::BindParam(const Json& b) {
  int n = b.value("number", 0);
  int pos = CharPosition(sql_, b.value("location", -1));
  if (n < 1 || n > 65535) {
    return SqlError("42P02", "there is no parameter $" + std::to_string(n), {.position = pos});
  }
  if (static_cast<size_t>(n) > param_types_->size()) param_types_->resize(n, Type(TypeId::kUnknown));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kParam;
  e->index = n - 1;
  e->type = (*param_types_)[n - 1];
  e->location = pos;
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindAConst(const Json& b) {
  int pos = CharPosition(sql_, b.value("location", -1));
  ExprPtr e;
  if (b.value("isnull", false)) {
    e = MakeConst(Value(), Type(TypeId::kUnknown));
  } else if (b.contains("ival")) {
    // libpg_query's JSON leaves out zero and negative integers: read the literal from the text.
    int64_t v = b["ival"].contains("ival") ? b["ival"]["ival"].get<int64_t>()
                                           : IntegerAt(sql_, b.value("location", -1));
    e = MakeConst(Value::Int4(static_cast<int32_t>(v)), Type(TypeId::kInt4));
  } else if (b.contains("fval")) {
    std::string text = b["fval"].value("fval", "0");
    bool integral = text.find_first_of(".eE") == std::string::npos;
    if (integral) {
      auto i = types::ParseInteger(text, 64);
      if (i.ok()) {
        // As PG's make_const: an integer that fits int4 is int4 (e.g. -2147483648).
        e = *i >= INT32_MIN && *i <= INT32_MAX ? MakeConst(Value::Int4(static_cast<int32_t>(*i)), Type(TypeId::kInt4))
                                               : MakeConst(Value::Int8(*i), Type(TypeId::kInt8));
      }
    }
    if (!e) {
      auto n = types::Numeric::Parse(text);
      if (!n.ok()) return WithPosition(n.status(), pos);
      e = MakeConst(Value::MakeNumeric(std::move(*n)), Type(TypeId::kNumeric));
    }
  } else if (b.contains("sval")) {
    e = MakeConst(Value::String(b["sval"].value("sval", "")), Type(TypeId::kUnknown));
  } else if (b.contains("boolval")) {
    e = MakeConst(Value::Bool(b["boolval"].value("boolval", false)), Type(TypeId::kBool));
  } else if (b.contains("bsval")) {
    return Unsupported("bit string literals", pos);
  } else {
    e = MakeConst(Value::Int4(0), Type(TypeId::kInt4));  // ival 0 omitted entirely
  }
  e->location = pos;
  return e;
}

Result<ExprPtr> Binder::BindColumnRef(const Json& b, ExprContext& ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  std::vector<std::string> parts;
  for (const auto& f : b["fields"]) {
    if (f.contains("A_Star")) return SqlError("42601", "\"*\" is not allowed here", {.position = pos});
    parts.push_back(StrVal(f));
  }
  std::string qualifier, column;
  if (parts.size() == 1) {
    column = parts[0];
  } else if (parts.size() == 2) {
    qualifier = parts[0];
    column = parts[1];
  } else if (parts.size() == 3) {
    qualifier = parts[1];
    column = parts[2];
  } else {
    return Unsupported("column references with more than three parts", pos);
  }
  int depth = 0;
  bool qualifier_found = false;
  for (Scope* s = ctx.scope; s != nullptr; s = s->parent, ++depth) {
    const ScopeItem* found = nullptr;
    int found_col = -1;
    for (const auto& item : s->items) {
      if (!qualifier.empty() && item.alias != qualifier) continue;
      if (!qualifier.empty()) qualifier_found = true;
      for (size_t c = 0; c < item.columns.size(); ++c) {
        if (item.columns[c] != column || (qualifier.empty() && item.Hidden(c))) continue;
        if (found != nullptr) {
          return SqlError("42702", "column reference \"" + column + "\" is ambiguous", {.position = pos});
        }
        found = &item;
        found_col = static_cast<int>(c);
      }
    }
    if (found != nullptr) {
      RecordColumn(found->table_oid, found_col);
      auto e = std::make_shared<Expr>();
      e->kind = depth == 0 ? ExprKind::kColumn : ExprKind::kOuterColumn;
      e->index = found->offset + found_col;
      e->depth = depth;
      e->type = found->types[found_col];
      e->name = (found->alias.empty() ? "" : found->alias + ".") + column;
      e->location = pos;
      if (depth > 0) {
        for (Scope* t = ctx.scope; t != s; t = t->parent) t->correlated = true;
      }
      return ExprPtr(e);
    }
    if (qualifier_found) break;
  }
  if (!qualifier.empty() && !qualifier_found) {
    for (Scope* s = ctx.scope; s != nullptr; s = s->parent) {
      for (const auto& item : s->items) {
        if (item.table_name == qualifier && item.alias != qualifier) {
          return SqlError("42P01", "invalid reference to FROM-clause entry for table \"" + qualifier + "\"",
                          {.hint = "Perhaps you meant to reference the table alias \"" + item.alias + "\".",
                           .position = pos});
        }
      }
    }
    return SqlError("42P01", "missing FROM-clause entry for table \"" + qualifier + "\"", {.position = pos});
  }
  for (Scope* s = ctx.scope; s != nullptr; s = s->parent) {
    for (const auto& item : s->items) {
      if (item.unsupported == nullptr || (!qualifier.empty() && item.alias != qualifier)) continue;
      for (const auto& u : *item.unsupported) {
        if (u == column) return Unsupported("column " + item.table_name + "." + column, pos);
      }
    }
  }
  if (!qualifier.empty()) {
    return SqlError("42703", "column " + qualifier + "." + column + " does not exist", {.position = pos});
  }
  return SqlError("42703", "column \"" + column + "\" does not exist", {.position = pos});
}

Result<Type> Binder::CommonType(const std::vector<ExprPtr>& exprs, const char* construct, int location) {
  Type result(TypeId::kUnknown);
  for (const auto& e : exprs) {
    if (e->type.id == TypeId::kUnknown) continue;
    if (result.id == TypeId::kUnknown) {
      result = Type(e->type.id, e->type.typmod);
      continue;
    }
    if (e->type.id == result.id) {
      if (e->type.typmod != result.typmod) result.typmod = -1;
      continue;
    }
    if (types::CategoryOf(e->type.id) != types::CategoryOf(result.id)) {
      return SqlError("42804", std::string(construct) + " types " + types::FormatType(result) + " and " +
                                   types::FormatType(e->type) + " cannot be matched",
                      {.position = e->location > 0 ? e->location : location});
    }
    // Same category: prefer the preferred type, else the one the other casts to implicitly.
    auto to_new = types::FindCast(result.id, e->type.id);
    auto to_old = types::FindCast(e->type.id, result.id);
    bool can_new = to_new && *to_new == types::CastContext::kImplicit;
    bool can_old = to_old && *to_old == types::CastContext::kImplicit;
    if (types::IsPreferredType(result.id) && can_old) continue;
    if (can_new && (!can_old || types::IsPreferredType(e->type.id))) {
      result = Type(e->type.id);
    } else if (!can_old) {
      return SqlError("42804", std::string(construct) + " types " + types::FormatType(result) + " and " +
                                   types::FormatType(e->type) + " cannot be matched",
                      {.position = e->location > 0 ? e->location : location});
    } else {
      result.typmod = -1;
    }
  }
  if (result.id == TypeId::kUnknown) result = Type(TypeId::kText);
  return result;
}

Result<ExprPtr> Binder::BindOperator(types::BinaryOp op, ExprPtr l, ExprPtr r, int location) {
  // An untyped side takes the other side's type (PG: unknown literals and parameters).
  if (l->type.id == TypeId::kUnknown && r->type.id != TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(r->type.id), types::CastContext::kImplicit, "", l->location));
  } else if (r->type.id == TypeId::kUnknown && l->type.id != TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(l->type.id), types::CastContext::kImplicit, "", r->location));
  } else if (l->type.id == TypeId::kUnknown && r->type.id == TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(TypeId::kText), types::CastContext::kImplicit, "", l->location));
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(TypeId::kText), types::CastContext::kImplicit, "", r->location));
  }
  auto sig = types::ResolveBinaryOperator(op, l->type.id, r->type.id);
  if (!sig.ok()) {
    return SqlError(sig.status().sqlstate(), MessageOf(sig.status()),
                    {.hint = "No operator matches the given name and argument types. You might "
                             "need to add explicit type casts.",
                     .position = location});
  }
  if (l->type.id != sig->left) {
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(sig->left), types::CastContext::kImplicit, "", l->location));
  }
  if (r->type.id != sig->right) {
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(sig->right), types::CastContext::kImplicit, "", r->location));
  }
  types::SessionSettings settings = session_ ? session_->settings : types::SessionSettings{};
  if (l->kind == ExprKind::kConst && r->kind == ExprKind::kConst) {
    if (l->value.is_null() || r->value.is_null()) return MakeConst(Value(), Type(sig->result));
    auto v = types::EvalBinary(op, l->value, r->value, *sig, settings);
    if (v.ok()) return MakeConst(std::move(*v), Type(sig->result));
    // Leave runtime errors (division by zero) to execution, as PG reports them then.
  }
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBinary;
  e->op = op;
  e->sig = *sig;
  e->type = Type(sig->result);
  e->args = {l, r};
  e->location = location;
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindLike(ExprPtr l, ExprPtr r, bool negated, bool ilike, int location) {
  if (l->type.id == TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(TypeId::kText), types::CastContext::kImplicit, "", l->location));
  }
  if (types::CategoryOf(l->type.id) != types::TypeCategory::kString) {
    return SqlError("42883", std::string("operator does not exist: ") + types::FormatType(l->type) +
                                 (negated ? " !~~ " : " ~~ ") + "unknown",
                    {.hint = "No operator matches the given name and argument types. You might need "
                             "to add explicit type casts.",
                     .position = location});
  }
  NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(TypeId::kText), types::CastContext::kImplicit, "", r->location));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLike;
  e->type = Type(TypeId::kBool);
  e->negated = negated;
  e->flag = ilike;
  e->args = {l, r};
  e->location = location;
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindNamedOperator(const std::string& opname, ExprPtr l, ExprPtr r, int location) {
  types::BinaryOp op;
  if (OperatorFromName(opname, &op)) return BindOperator(op, l, r, location);
  if (opname == "||") {
    if (types::IsArrayType(l->type.id) || types::IsArrayType(r->type.id)) return BindArrayConcat(l, r, location);
    // textcat / anytextcat: a non-string side is converted with its output function.
    if (l->type.id == TypeId::kUnknown) l = ResolveUnknown(l);
    if (r->type.id == TypeId::kUnknown) r = ResolveUnknown(r);
    bool ls = types::CategoryOf(l->type.id) == types::TypeCategory::kString;
    bool rs = types::CategoryOf(r->type.id) == types::TypeCategory::kString;
    if (!ls && !rs) {
      return SqlError("42883", "operator does not exist: " + types::FormatType(l->type) + " || " +
                                   types::FormatType(r->type),
                      {.hint = "No operator matches the given name and argument types. You might "
                               "need to add explicit type casts.",
                       .position = location});
    }
    // char(n) reaches textcat through its cast to text, which drops the trailing blanks.
    for (ExprPtr* side : {&l, &r}) {
      if ((*side)->type.id != TypeId::kBpchar) continue;
      NORDLYS_ASSIGN_OR_RETURN(*side, Coerce(*side, Type(TypeId::kText), types::CastContext::kImplicit, "", location));
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kFunc;
    e->func = Func::kConcatOp;
    e->type = Type(TypeId::kText);
    e->args = {l, r};
    e->location = location;
    return ExprPtr(e);
  }
  if (opname == "~" || opname == "!~" || opname == "~*" || opname == "!~*") {
    // textregexeq and friends: both sides text (name and char(n) reach it through their casts).
    for (ExprPtr* side : {&l, &r}) {
      TypeId t = (*side)->type.id;
      if (t != TypeId::kUnknown && types::CategoryOf(t) != types::TypeCategory::kString) {
        return SqlError("42883", "operator does not exist: " + types::FormatType(l->type) + " " + opname + " " +
                                     types::FormatType(r->type),
                        {.hint = "No operator matches the given name and argument types. You might need to add "
                                 "explicit type casts.",
                         .position = location});
      }
      NORDLYS_ASSIGN_OR_RETURN(*side, Coerce(*side, Type(TypeId::kText), types::CastContext::kImplicit, "", location));
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kFunc;
    e->func = opname == "~" ? Func::kRegexMatch : opname == "!~" ? Func::kRegexNotMatch
              : opname == "~*" ? Func::kRegexIMatch : Func::kRegexNotIMatch;
    e->type = Type(TypeId::kBool);
    e->args = {l, r};
    e->location = location;
    return ExprPtr(e);
  }
  if (opname == "^") {
    // numeric ^ numeric when a side is numeric and neither is a float; else float8 ^ float8.
    bool any_numeric = false, any_float = false;
    for (const ExprPtr& x : {l, r}) {
      any_numeric |= x->type.id == TypeId::kNumeric;
      any_float |= x->type.id == TypeId::kFloat4 || x->type.id == TypeId::kFloat8;
    }
    const TypeId pow_type = any_numeric && !any_float ? TypeId::kNumeric : TypeId::kFloat8;
    for (auto* side : {&l, &r}) {
      ExprPtr& x = *side;
      if (types::CategoryOf(x->type.id) != types::TypeCategory::kNumeric && x->type.id != TypeId::kUnknown) {
        return SqlError("42883", "operator does not exist: " + types::FormatType(l->type) + " ^ " + types::FormatType(r->type),
                        {.hint = "No operator matches the given name and argument types. You might need to add explicit type casts.",
                         .position = location});
      }
      NORDLYS_ASSIGN_OR_RETURN(x, Coerce(x, Type(pow_type), types::CastContext::kImplicit, "", location));
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kFunc;
    e->func = Func::kPower;
    e->type = Type(pow_type);
    e->args = {l, r};
    e->location = location;
    return ExprPtr(e);
  }
  if (opname == "&" || opname == "|" || opname == "#" || opname == "<<" || opname == ">>") {
    if (l->type.id == TypeId::kUnknown) {
      NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(TypeId::kInt4), types::CastContext::kImplicit, "", location));
    }
    if (r->type.id == TypeId::kUnknown) {
      NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(TypeId::kInt4), types::CastContext::kImplicit, "", location));
    }
    auto is_int = [](TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; };
    if (!is_int(l->type.id) || !is_int(r->type.id)) {
      return SqlError("42883", "operator does not exist: " + types::FormatType(l->type) + " " + opname + " " + types::FormatType(r->type),
                      {.hint = "No operator matches the given name and argument types. You might need to add explicit type casts.",
                       .position = location});
    }
    TypeId t = l->type.id;
    if (opname[0] != '<' && opname[0] != '>') {
      t = l->type.id == TypeId::kInt8 || r->type.id == TypeId::kInt8 ? TypeId::kInt8
          : l->type.id == TypeId::kInt4 || r->type.id == TypeId::kInt4 ? TypeId::kInt4 : TypeId::kInt2;
      NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(t), types::CastContext::kImplicit, "", location));
      NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(t), types::CastContext::kImplicit, "", location));
    } else {
      NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(TypeId::kInt4), types::CastContext::kImplicit, "", location));
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kFunc;
    e->func = opname == "&" ? Func::kBitAnd : opname == "|" ? Func::kBitOr : opname == "#" ? Func::kBitXor
              : opname == "<<" ? Func::kShiftLeft : Func::kShiftRight;
    e->type = Type(t);
    e->args = {l, r};
    e->location = location;
    return ExprPtr(e);
  }
  if (opname == "~~" || opname == "!~~" || opname == "~~*" || opname == "!~~*") {
    return BindLike(l, r, opname[0] == '!', opname.back() == '*', location);
  }
  return SqlError("42883", "operator does not exist: " + types::FormatType(l->type) + " " + opname +
                               " " + types::FormatType(r->type),
                  {.hint = "No operator matches the given name and argument types. You might need "
                           "to add explicit type casts.",
                   .position = location});
}

Result<ExprPtr> Binder::BindIn(const Json& b, ExprContext& ctx, bool negated) {
  int pos = CharPosition(sql_, b.value("location", -1));
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr l, BindExpr(b["lexpr"], ctx));
  std::vector<ExprPtr> all = {l};
  const Json& list = b["rexpr"].contains("List") ? b["rexpr"]["List"]["items"] : b["rexpr"];
  for (const auto& item : list) {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(item, ctx));
    all.push_back(x);
  }
  NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType(all, "IN", pos));
  for (auto& x : all) {
    NORDLYS_ASSIGN_OR_RETURN(x, Coerce(x, Type(t.id), types::CastContext::kImplicit, "", x->location));
  }
  // Each element compares with "="; check the operator exists.
  auto sig = types::ResolveBinaryOperator(types::BinaryOp::kEq, t.id, t.id);
  if (!sig.ok()) return WithPosition(sig.status(), pos);
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kInList;
  e->type = Type(TypeId::kBool);
  e->negated = negated;
  e->sig = *sig;
  e->args = std::move(all);
  e->location = pos;
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindAExpr(const Json& b, ExprContext& ctx) {
  std::string kind = b.value("kind", "");
  int pos = CharPosition(sql_, b.value("location", -1));
  std::string opname = b.contains("name") ? NameList(b["name"]).back() : "";
  if (kind == "AEXPR_IN") return BindIn(b, ctx, opname == "<>");
  if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") return BindArrayAnyAll(b, ctx, kind == "AEXPR_OP_ALL");
  if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(b["lexpr"], ctx));
    const Json& bounds = b["rexpr"].contains("List") ? b["rexpr"]["List"]["items"] : b["rexpr"];
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr lo, BindExpr(bounds[0], ctx));
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr hi, BindExpr(bounds[1], ctx));
    bool neg = kind == "AEXPR_NOT_BETWEEN";
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr a, BindOperator(neg ? types::BinaryOp::kLt : types::BinaryOp::kGe, x, lo, pos));
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr c, BindOperator(neg ? types::BinaryOp::kGt : types::BinaryOp::kLe, x, hi, pos));
    auto e = std::make_shared<Expr>();
    e->kind = neg ? ExprKind::kOr : ExprKind::kAnd;
    e->type = Type(TypeId::kBool);
    e->args = {a, c};
    return ExprPtr(e);
  }
  if (kind == "AEXPR_BETWEEN_SYM" || kind == "AEXPR_NOT_BETWEEN_SYM") {
    // x BETWEEN SYMMETRIC a AND b = (x >= a AND x <= b) OR (x >= b AND x <= a)
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(b["lexpr"], ctx));
    const Json& bounds = b["rexpr"].contains("List") ? b["rexpr"]["List"]["items"] : b["rexpr"];
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr lo, BindExpr(bounds[0], ctx));
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr hi, BindExpr(bounds[1], ctx));
    std::vector<ExprPtr> ors;
    for (int k = 0; k < 2; ++k) {
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr a, BindOperator(types::BinaryOp::kGe, x, k ? hi : lo, pos));
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr c, BindOperator(types::BinaryOp::kLe, x, k ? lo : hi, pos));
      ors.push_back(MakeAnd({a, c}));
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kOr;
    e->type = Type(TypeId::kBool);
    e->args = ors;
    if (kind == "AEXPR_BETWEEN_SYM") return ExprPtr(e);
    auto n = std::make_shared<Expr>();
    n->kind = ExprKind::kNot;
    n->type = Type(TypeId::kBool);
    n->args = {e};
    return ExprPtr(n);
  }
  ExprPtr l, r;
  if (b.contains("lexpr")) {
    NORDLYS_ASSIGN_OR_RETURN(l, BindExpr(b["lexpr"], ctx));
  }
  if (b.contains("rexpr")) {
    NORDLYS_ASSIGN_OR_RETURN(r, BindExpr(b["rexpr"], ctx));
  }
  if (kind == "AEXPR_OP") {
    if (!l) {  // prefix operator
      if (opname == "+") return r;
      if (opname == "~") {
        if (r->type.id == TypeId::kUnknown) {
      NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(TypeId::kInt4), types::CastContext::kImplicit, "", pos));
    }
        if (r->type.id != TypeId::kInt2 && r->type.id != TypeId::kInt4 && r->type.id != TypeId::kInt8) {
          return SqlError("42883", "operator does not exist: ~ " + types::FormatType(r->type), {.position = pos});
        }
        auto e = std::make_shared<Expr>();
        e->kind = ExprKind::kFunc;
        e->func = Func::kBitNot;
        e->type = r->type;
        e->args = {r};
        return ExprPtr(e);
      }
      if (opname == "-") {
        if (r->type.id == TypeId::kUnknown) {
          NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(TypeId::kNumeric), types::CastContext::kImplicit, "", r->location));
        }
        if (r->kind == ExprKind::kConst && !r->value.is_null()) {
          auto v = types::Negate(r->value, r->type.id);
          if (v.ok()) return MakeConst(std::move(*v), r->type);
        }
        auto e = std::make_shared<Expr>();
        e->kind = ExprKind::kNegate;
        e->type = r->type;
        e->args = {r};
        e->location = pos;
        return ExprPtr(e);
      }
      return Unsupported("prefix operator " + opname, pos);
    }
    if (!r) return Unsupported("postfix operators", pos);
    return BindNamedOperator(opname, l, r, pos);
  }
  if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
    return BindLike(l, r, opname[0] == '!', kind == "AEXPR_ILIKE", pos);
  }
  if (kind == "AEXPR_NULLIF") {
    NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType({l, r}, "NULLIF", pos));
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr cmp, BindOperator(types::BinaryOp::kEq, l, r, pos));
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, t, types::CastContext::kImplicit, "", pos));
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kNullIf;
    e->type = l->type;
    e->args = {l, cmp};
    return ExprPtr(e);
  }
  if (kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr cmp, BindOperator(types::BinaryOp::kEq, l, r, pos));
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kDistinctFrom;
    e->type = Type(TypeId::kBool);
    e->negated = kind == "AEXPR_NOT_DISTINCT";
    e->args = {cmp};
    if (cmp->kind == ExprKind::kBinary) {
      e->args = cmp->args;
      e->sig = cmp->sig;
    } else {
      // Both constant: folded. Rebuild from constants for IS DISTINCT semantics.
      e->args = {l, r};
      NORDLYS_ASSIGN_OR_RETURN(auto s, types::ResolveBinaryOperator(types::BinaryOp::kEq,
                                                                     ResolveUnknown(l)->type.id,
                                                                     ResolveUnknown(r)->type.id));
      e->sig = s;
      NORDLYS_ASSIGN_OR_RETURN(e->args[0], Coerce(ResolveUnknown(l), Type(s.left), types::CastContext::kImplicit, "", pos));
      NORDLYS_ASSIGN_OR_RETURN(e->args[1], Coerce(ResolveUnknown(r), Type(s.right), types::CastContext::kImplicit, "", pos));
    }
    return ExprPtr(e);
  }
  // x SIMILAR TO p arrives as x ~ similar_to_escape(p) (or !~ for NOT SIMILAR TO).
  if (kind == "AEXPR_SIMILAR") return BindNamedOperator(opname, l, r, pos);
  return Unsupported("operator kind " + kind, pos);
}

Result<ExprPtr> Binder::BindBoolExpr(const Json& b, ExprContext& ctx) {
  std::string op = b.value("boolop", "");
  std::vector<ExprPtr> args;
  const char* clause = op == "AND_EXPR" ? "AND" : op == "OR_EXPR" ? "OR" : "NOT";
  for (const auto& a : b["args"]) {
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindCondition(a, ctx, clause));
    args.push_back(x);
  }
  auto e = std::make_shared<Expr>();
  e->type = Type(TypeId::kBool);
  e->kind = op == "AND_EXPR" ? ExprKind::kAnd : op == "OR_EXPR" ? ExprKind::kOr : ExprKind::kNot;
  e->args = std::move(args);
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindTypeCast(const Json& b, ExprContext& ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  NORDLYS_ASSIGN_OR_RETURN(Type t, BindTypeName(b["typeName"]));
  if (NodeOf(b["arg"]).first == "A_ArrayExpr" && types::IsArrayType(t.id)) {
    return BindArrayExpr(*NodeOf(b["arg"]).second, ctx, &t);
  }
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr arg, BindExpr(b["arg"], ctx));
  if (arg->kind == ExprKind::kConst && arg->type.id == TypeId::kUnknown) {
    return CastLiteral(arg, t, /*is_explicit=*/true, arg->location > 0 ? arg->location : pos);
  }
  return Coerce(arg, t, types::CastContext::kExplicit, "", pos);
}

Result<ExprPtr> Binder::BindCase(const Json& b, ExprContext& ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  ExprPtr operand;
  if (b.contains("arg")) {
    NORDLYS_ASSIGN_OR_RETURN(operand, BindExpr(b["arg"], ctx));
  }
  std::vector<ExprPtr> conds, results;
  for (const auto& w : b["args"]) {
    const Json& cw = w["CaseWhen"];
    if (operand) {
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr v, BindExpr(cw["expr"], ctx));
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr c, BindOperator(types::BinaryOp::kEq, operand, v, Position(cw["expr"])));
      conds.push_back(c);
    } else {
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr c, BindCondition(cw["expr"], ctx, "CASE/WHEN"));
      conds.push_back(c);
    }
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr r, BindExpr(cw["result"], ctx));
    results.push_back(r);
  }
  ExprPtr else_expr;
  if (b.contains("defresult")) {
    NORDLYS_ASSIGN_OR_RETURN(else_expr, BindExpr(b["defresult"], ctx));
    results.push_back(else_expr);
  }
  NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType(results, "CASE", pos));
  for (auto& r : results) {
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, t, types::CastContext::kImplicit, "", r->location));
  }
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  e->type = t;
  e->flag = false;  // the operand form was rewritten into comparisons
  for (size_t i = 0; i < conds.size(); ++i) {
    e->args.push_back(conds[i]);
    e->args.push_back(results[i]);
  }
  if (else_expr) e->args.push_back(results.back());
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindSqlValueFunction(const Json& b) {
  std::string op = b.value("op", "");
  int typmod = b.value("typmod", -1);
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFunc;
  e->location = CharPosition(sql_, b.value("location", -1));
  if (op == "SVFOP_CURRENT_TIMESTAMP" || op == "SVFOP_CURRENT_TIMESTAMP_N") {
    e->func = Func::kNow;
    e->type = Type(TypeId::kTimestampTz);
  } else if (op == "SVFOP_LOCALTIMESTAMP" || op == "SVFOP_LOCALTIMESTAMP_N") {
    e->func = Func::kNow;
    e->type = Type(TypeId::kTimestampTz);
    auto c = std::make_shared<Expr>();
    c->kind = ExprKind::kCast;
    c->type = Type(TypeId::kTimestamp, typmod);
    c->args = {e};
    return ExprPtr(c);
  } else if (op == "SVFOP_CURRENT_DATE") {
    e->func = Func::kCurrentDate;
    e->type = Type(TypeId::kDate);
  } else if (op == "SVFOP_CURRENT_USER" || op == "SVFOP_USER" || op == "SVFOP_SESSION_USER" ||
             op == "SVFOP_CURRENT_ROLE") {
    e->func = Func::kCurrentUser;
    e->type = Type(TypeId::kName);
  } else if (op == "SVFOP_CURRENT_CATALOG") {
    e->func = Func::kCurrentDatabase;
    e->type = Type(TypeId::kName);
  } else if (op == "SVFOP_CURRENT_SCHEMA") {
    e->func = Func::kCurrentSchema;
    e->type = Type(TypeId::kName);
  } else {
    return Unsupported(op, e->location);
  }
  if (typmod >= 0 && e->type.id == TypeId::kTimestampTz) {
    auto c = std::make_shared<Expr>();
    c->kind = ExprKind::kCast;
    c->type = Type(TypeId::kTimestampTz, typmod);
    c->args = {e};
    return ExprPtr(c);
  }
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindSubLink(const Json& b, ExprContext& ctx) {
  int pos = CharPosition(sql_, b.value("location", -1));
  std::string type = b.value("subLinkType", "");
  ++sublink_depth_;
  auto select = BindQuery(b["subselect"], ctx.scope);
  --sublink_depth_;
  if (!select.ok()) return select.status();
  auto info = std::make_shared<SubqueryInfo>();
  info->correlated = (*select)->correlated;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kSubquery;
  e->location = pos;
  e->subquery = info;
  auto& q = *select;
  if (type == "EXISTS_SUBLINK") {
    info->kind = SubqueryInfo::Kind::kExists;
    e->type = Type(TypeId::kBool);
  } else if (type == "ARRAY_SUBLINK") {
    if (q->visible != 1) return SqlError("42601", "subquery must return only one column", {.position = pos});
    info->kind = SubqueryInfo::Kind::kArray;
    Type et = q->OutputTypes()[0];
    if (et.id == TypeId::kUnknown) et = Type(TypeId::kText);
    TypeId at = types::ArrayTypeOf(et.id);
    if (at == TypeId::kUnknown) return Unsupported("arrays of type " + types::FormatType(et), pos);
    e->type = Type(at, et.typmod);
  } else if (type == "EXPR_SUBLINK") {
    if (q->visible != 1) return SqlError("42601", "subquery must return only one column", {.position = pos});
    info->kind = SubqueryInfo::Kind::kScalar;
    e->type = q->OutputTypes()[0];
    if (e->type.id == TypeId::kUnknown) e->type = Type(TypeId::kText);
  } else if (type == "ANY_SUBLINK" || type == "ALL_SUBLINK") {
    if (q->visible != 1) return SqlError("42601", "subquery has too many columns", {.position = pos});
    info->kind = type == "ANY_SUBLINK" ? SubqueryInfo::Kind::kAny : SubqueryInfo::Kind::kAll;
    std::string opname = b.contains("operName") ? NameList(b["operName"]).back() : "=";
    if (!OperatorFromName(opname, &info->op) || static_cast<int>(info->op) < static_cast<int>(types::BinaryOp::kEq)) {
      return Unsupported("operator " + opname + " with a subquery", pos);
    }
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr l, BindExpr(b["testexpr"], ctx));
    Type rt = q->OutputTypes()[0];
    if (rt.id == TypeId::kUnknown) rt = Type(TypeId::kText);
    if (l->type.id == TypeId::kUnknown) {
      NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, rt, types::CastContext::kImplicit, "", pos));
    }
    auto sig = types::ResolveBinaryOperator(info->op, l->type.id, rt.id);
    if (!sig.ok()) return WithPosition(sig.status(), pos);
    info->sig = *sig;
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(sig->left), types::CastContext::kImplicit, "", pos));
    info->left_type = Type(sig->left);
    info->right_type = rt;
    e->args = {l};
    e->type = Type(TypeId::kBool);
  } else {
    return Unsupported("subquery kind " + type, pos);
  }
  e->name = "";
  // The plan is built by the planner (planner.h) from the bound query; keep it on the side.
  pending_subqueries_.push_back({info, std::move(q)});
  return ExprPtr(e);
}

}  // namespace nordlys::engine::sql

namespace nordlys::engine::sql {

Json NormalizeStoredExpr(const Json& node, std::string_view sql) {
  if (node.is_array()) {
    Json out = Json::array();
    for (const auto& n : node) out.push_back(NormalizeStoredExpr(n, sql));
    return out;
  }
  if (!node.is_object()) return node;
  Json out = Json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() == "location") continue;
    if (it.key() == "A_Const" && it.value().contains("ival") && !it.value()["ival"].contains("ival")) {
      Json c = it.value();
      int64_t v = IntegerAt(sql, c.value("location", -1));
      c.erase("location");
      c["ival"] = Json{{"ival", v}};
      out["A_Const"] = c;
      continue;
    }
    out[it.key()] = NormalizeStoredExpr(it.value(), sql);
  }
  return out;
}

}  // namespace nordlys::engine::sql
