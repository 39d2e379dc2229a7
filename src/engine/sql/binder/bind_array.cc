// Arrays in expressions: ARRAY[...] constructors, subscripts, op ANY/ALL (array), || on arrays
// and the array functions, with PG 15's typing rules for one-dimensional arrays. Slices and
// nested (multidimensional) arrays fail with 0A000.
#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;

namespace {

Status NoArrayType(const Type& elem, int pos) {
  return Unsupported("arrays of type " + types::FormatType(elem), pos);
}

ExprPtr MakeFunc(Func f, Type t, std::vector<ExprPtr> args, int pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFunc;
  e->func = f;
  e->type = t;
  e->args = std::move(args);
  e->location = pos;
  return e;
}

}  // namespace

Result<ExprPtr> Binder::BindArrayExpr(const Json& b, ExprContext& ctx, const Type* target) {
  int pos = CharPosition(sql_, b.value("location", -1));
  std::vector<ExprPtr> elems;
  if (b.contains("elements")) {
    for (const auto& n : b["elements"]) {
      if (NodeOf(n).first == "A_ArrayExpr") return Unsupported("multidimensional arrays", Position(n));
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr x, BindExpr(n, ctx));
      elems.push_back(x);
    }
  }
  Type elem;
  if (target != nullptr && types::IsArrayType(target->id)) {
    elem = Type(types::ArrayElementType(target->id), target->typmod);
  } else {
    if (elems.empty()) {
      return SqlError("42P18", "cannot determine type of empty array",
                      {.hint = "Explicitly cast to the desired type, for example ARRAY[]::integer[].", .position = pos});
    }
    NORDLYS_ASSIGN_OR_RETURN(elem, CommonType(elems, "ARRAY", pos));
    if (types::IsArrayType(elem.id)) return Unsupported("multidimensional arrays", pos);
  }
  TypeId array = types::ArrayTypeOf(elem.id);
  if (array == TypeId::kUnknown) return NoArrayType(elem, pos);
  for (auto& x : elems) {
    auto ct = target != nullptr ? types::CastContext::kExplicit : types::CastContext::kImplicit;
    NORDLYS_ASSIGN_OR_RETURN(x, Coerce(x, elem, ct, "", x->location > 0 ? x->location : pos));
  }
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kArray;
  e->type = Type(array, elem.typmod);
  e->args = std::move(elems);
  e->location = pos;
  bool all_const = true;
  for (const auto& x : e->args) all_const = all_const && x->kind == ExprKind::kConst;
  if (all_const) {
    std::vector<types::Value> vals;
    for (const auto& x : e->args) vals.push_back(x->value);
    return MakeConst(types::Value::Array(std::move(vals)), e->type);
  }
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindIndirection(const Json& b, ExprContext& ctx) {
  int pos = Position(b["arg"]);
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr arr, BindExpr(b["arg"], ctx));
  const Json& ind = b["indirection"];
  if (ind.size() != 1) return Unsupported("subscripts of multidimensional arrays", pos);
  auto [k, body] = NodeOf(ind[0]);
  if (k != "A_Indices") return Unsupported(k == "A_Star" ? "row expansion (.*)" : "field selection", pos);
  if (body->value("is_slice", false)) return Unsupported("array slices", pos);
  if (!types::IsArrayType(arr->type.id)) {
    return SqlError("42804",
                    "cannot subscript type " + types::FormatType(arr->type) + " because it does not support subscripting",
                    {.position = pos});
  }
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr idx, BindExpr((*body)["uidx"], ctx));
  NORDLYS_ASSIGN_OR_RETURN(idx, Coerce(idx, Type(TypeId::kInt4), types::CastContext::kImplicit, "", Position((*body)["uidx"])));
  return MakeFunc(Func::kArraySubscript, Type(types::ArrayElementType(arr->type.id), arr->type.typmod), {arr, idx},
                  pos);
}

Result<ExprPtr> Binder::BindArrayAnyAll(const Json& b, ExprContext& ctx, bool all) {
  int pos = CharPosition(sql_, b.value("location", -1));
  std::string opname = NameList(b["name"]).back();
  types::BinaryOp op;
  if (!OperatorFromName(opname, &op) || static_cast<int>(op) < static_cast<int>(types::BinaryOp::kEq)) {
    return Unsupported("operator " + opname + " with ANY/ALL", pos);
  }
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr l, BindExpr(b["lexpr"], ctx));
  NORDLYS_ASSIGN_OR_RETURN(ExprPtr r, BindExpr(b["rexpr"], ctx));
  if (r->type.id == TypeId::kUnknown) {
    Type lt = l->type.id == TypeId::kUnknown ? Type(TypeId::kText) : l->type;
    TypeId at = types::ArrayTypeOf(lt.id);
    if (at == TypeId::kUnknown) return NoArrayType(lt, pos);
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(at), types::CastContext::kImplicit, "", pos));
  }
  if (!types::IsArrayType(r->type.id)) {
    return SqlError("42809", "op ANY/ALL (array) requires array on right side", {.position = pos});
  }
  TypeId elem = types::ArrayElementType(r->type.id);
  if (l->type.id == TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(elem), types::CastContext::kImplicit, "", pos));
  }
  auto sig = types::ResolveBinaryOperator(op, l->type.id, elem);
  if (!sig.ok()) return WithPosition(sig.status(), pos);
  NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(sig->left), types::CastContext::kImplicit, "", pos));
  if (sig->right != elem) {
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(types::ArrayTypeOf(sig->right)), types::CastContext::kImplicit, "", pos));
  }
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kArrayAny;
  e->type = Type(TypeId::kBool);
  e->op = op;
  e->sig = *sig;
  e->flag = all;
  e->args = {l, r};
  e->location = pos;
  return ExprPtr(e);
}

Result<ExprPtr> Binder::BindArrayConcat(ExprPtr l, ExprPtr r, int pos) {
  // array || array, array || element, element || array (array_cat, array_append, array_prepend);
  // an untyped side is an array literal of the other side's type.
  bool la = types::IsArrayType(l->type.id), ra = types::IsArrayType(r->type.id);
  if (la && r->type.id == TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, l->type, types::CastContext::kImplicit, "", pos));
    ra = true;
  } else if (ra && l->type.id == TypeId::kUnknown) {
    NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, r->type, types::CastContext::kImplicit, "", pos));
    la = true;
  }
  if (la && ra) {
    if (l->type.id != r->type.id) {
      NORDLYS_ASSIGN_OR_RETURN(Type t, CommonType({l, r}, "ARRAY", pos));
      NORDLYS_ASSIGN_OR_RETURN(l, Coerce(l, Type(t.id), types::CastContext::kImplicit, "", pos));
      NORDLYS_ASSIGN_OR_RETURN(r, Coerce(r, Type(t.id), types::CastContext::kImplicit, "", pos));
    }
    return MakeFunc(Func::kArrayCat, Type(l->type.id), {l, r}, pos);
  }
  ExprPtr& arr = la ? l : r;
  ExprPtr& el = la ? r : l;
  NORDLYS_ASSIGN_OR_RETURN(el, Coerce(el, Type(types::ArrayElementType(arr->type.id)), types::CastContext::kImplicit,
                                      "", pos));
  return MakeFunc(la ? Func::kArrayAppend : Func::kArrayPrepend, Type(arr->type.id), {l, r}, pos);
}

std::optional<Result<ExprPtr>> Binder::BindArrayFunction(const std::string& name, std::vector<ExprPtr>& args,
                                                          int pos) {
  auto is_array = [&](size_t i) { return i < args.size() && types::IsArrayType(args[i]->type.id); };
  auto to_type = [&](size_t i, Type t) -> Status {
    NORDLYS_ASSIGN_OR_RETURN(args[i], Coerce(args[i], t, types::CastContext::kImplicit, "", pos));
    return Status::OK();
  };
  auto elem_of = [&](size_t i) { return Type(types::ArrayElementType(args[i]->type.id)); };
  Func f;
  Type result;
  if (name == "array_to_string" && (args.size() == 2 || args.size() == 3) && is_array(0)) {
    for (size_t i = 1; i < args.size(); ++i) {
      if (auto s = to_type(i, Type(TypeId::kText)); !s.ok()) return s;
    }
    f = Func::kArrayToString;
    result = Type(TypeId::kText);
  } else if ((name == "array_length" || name == "array_upper" || name == "array_lower") && args.size() == 2 &&
             is_array(0)) {
    if (auto s = to_type(1, Type(TypeId::kInt4)); !s.ok()) return s;
    f = name == "array_length" ? Func::kArrayLength : name == "array_upper" ? Func::kArrayUpper : Func::kArrayLower;
    result = Type(TypeId::kInt4);
  } else if (name == "cardinality" && args.size() == 1 && is_array(0)) {
    f = Func::kCardinality;
    result = Type(TypeId::kInt4);
  } else if ((name == "array_append" || name == "array_position" || name == "array_remove") && args.size() == 2 &&
             is_array(0)) {
    if (auto s = to_type(1, elem_of(0)); !s.ok()) return s;
    f = name == "array_append" ? Func::kArrayAppend : name == "array_remove" ? Func::kArrayRemove
                                                                              : Func::kArrayPosition;
    result = f == Func::kArrayPosition ? Type(TypeId::kInt4) : Type(args[0]->type.id);
  } else if (name == "array_prepend" && args.size() == 2 && is_array(1)) {
    if (auto s = to_type(0, elem_of(1)); !s.ok()) return s;
    f = Func::kArrayPrepend;
    result = Type(args[1]->type.id);
  } else if (name == "array_cat" && args.size() == 2 && (is_array(0) || is_array(1))) {
    return BindArrayConcat(args[0], args[1], pos);
  } else if (name == "string_to_array" && (args.size() == 2 || args.size() == 3)) {
    for (size_t i = 0; i < args.size(); ++i) {
      TypeId t = args[i]->type.id;
      if (t != TypeId::kUnknown && types::CategoryOf(t) != types::TypeCategory::kString) {
        return std::optional<Result<ExprPtr>>(NoSuchFunction(name, args, pos));
      }
      if (auto s = to_type(i, Type(TypeId::kText)); !s.ok()) return s;
    }
    f = Func::kStringToArray;
    result = Type(TypeId::kTextArray);
  } else if (name == "array_to_string" || name == "array_length" || name == "array_upper" ||
             name == "array_lower" || name == "cardinality" || name == "array_append" || name == "array_prepend" ||
             name == "array_position" || name == "array_remove" || name == "array_cat") {
    return std::optional<Result<ExprPtr>>(NoSuchFunction(name, args, pos));
  } else if (name == "unnest" || name == "array_dims" || name == "array_ndims" || name == "array_fill" ||
             name == "array_replace" || name == "array_positions" || name == "generate_subscripts") {
    return std::optional<Result<ExprPtr>>(Unsupported("function " + name, pos));
  } else {
    return std::nullopt;
  }
  return std::optional<Result<ExprPtr>>(MakeFunc(f, result, args, pos));
}

}  // namespace nordlys::engine::sql
