// See eval.h. Scalar functions are evaluated in functions.cc (EvalFunction).
#include "engine/sql/execution/eval.h"

#include <chrono>

#include "engine/sql/errors.h"
#include "engine/sql/planner/operator.h"
#include "engine/types/cast.h"
#include "engine/types/operators.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

Result<Value> EvalFunction(const Expr& e, const Row& row, ExecContext* ctx);

int64_t NowTimestamp() {
  using namespace std::chrono;
  int64_t unix_us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return unix_us - 946684800LL * 1000000LL;  // 1970-01-01 -> 2000-01-01
}

namespace {

const types::SessionSettings& Settings(ExecContext* ctx) {
  static const types::SessionSettings kDefault;
  return ctx->session ? ctx->session->settings : kDefault;
}

// LIKE on UTF-8 text with '\' as escape; '_' matches one character.
bool LikeMatch(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  auto char_len = [](std::string_view str, size_t i) -> size_t {
    auto c = static_cast<unsigned char>(str[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return std::min(n, str.size() - i);
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '_') {
        si += char_len(s, si);
        ++pi;
        continue;
      }
      size_t pj = pi;
      if (p[pj] == '\\' && pj + 1 < p.size()) ++pj;
      size_t n = char_len(p, pj);
      if (s.substr(si, n) == p.substr(pj, n)) {
        si += n;
        pi = pj + n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_s += char_len(s, star_s);
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

std::string AsciiLower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<Value> EvalSubquery(const Expr& e, const Row& row, ExecContext* ctx) {
  SubqueryInfo& info = *e.subquery;
  Value left;
  if (!e.args.empty()) {
    NORDLYS_ASSIGN_OR_RETURN(left, Eval(*e.args[0], row, ctx));
  }
  // Rows of the subquery (all of them, or just enough for EXISTS / scalar checks).
  std::vector<Value> values;
  bool saw_null = false;
  if (info.cached) {
    values = info.cache;
    saw_null = info.cache_saw_null;
  } else {
    ctx->outer.push_back(&row);
    Status s = info.plan->Open(ctx);
    Row r;
    size_t limit = info.kind == SubqueryInfo::Kind::kExists ? 1 : SIZE_MAX;
    while (s.ok() && values.size() < limit) {
      auto more = info.plan->Next(ctx, &r);
      if (!more.ok()) {
        s = more.status();
        break;
      }
      if (!*more) break;
      if (info.kind == SubqueryInfo::Kind::kScalar && !values.empty()) {
        s = SqlError("21000", "more than one row returned by a subquery used as an expression");
        break;
      }
      Value v = r.empty() ? Value::Bool(true) : r[0];
      if (v.is_null()) saw_null = true;
      values.push_back(std::move(v));
    }
    ctx->outer.pop_back();
    NORDLYS_RETURN_IF_ERROR(s);
    if (!info.correlated) {
      info.cached = true;
      info.cache = values;
      info.cache_saw_null = saw_null;
    }
  }
  switch (info.kind) {
    case SubqueryInfo::Kind::kExists:
      return Value::Bool(!values.empty());
    case SubqueryInfo::Kind::kScalar:
      return values.empty() ? Value() : values[0];
    case SubqueryInfo::Kind::kArray:
      return Value::Array(std::move(values));
    case SubqueryInfo::Kind::kAny:
    case SubqueryInfo::Kind::kAll: {
      bool any = info.kind == SubqueryInfo::Kind::kAny;
      if (values.empty()) return Value::Bool(!any);
      if (left.is_null()) return Value();
      bool unknown = false;
      for (const auto& v : values) {
        if (v.is_null()) {
          unknown = true;
          continue;
        }
        Value rv = v;
        if (info.right_type.id != info.sig.right) {
          NORDLYS_ASSIGN_OR_RETURN(rv, types::CastValue(v, info.right_type, Type(info.sig.right), false, Settings(ctx)));
        }
        NORDLYS_ASSIGN_OR_RETURN(Value b, types::EvalBinary(info.op, left, rv, info.sig, Settings(ctx)));
        if (any && b.as_bool()) return Value::Bool(true);
        if (!any && !b.as_bool()) return Value::Bool(false);
      }
      if (unknown) return Value();
      return Value::Bool(!any);
    }
  }
  return Value();
}

}  // namespace

Result<bool> EvalCondition(const Expr& e, const Row& row, ExecContext* ctx) {
  NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(e, row, ctx));
  return !v.is_null() && v.as_bool();
}

Result<Value> Eval(const Expr& e, const Row& row, ExecContext* ctx) {
  using K = ExprKind;
  switch (e.kind) {
    case K::kConst:
      return e.value;
    case K::kColumn:
      return row[e.index];
    case K::kOuterColumn: {
      size_t n = ctx->outer.size();
      if (e.depth < 1 || static_cast<size_t>(e.depth) > n) return Status::Internal("bad outer reference");
      return (*ctx->outer[n - e.depth])[e.index];
    }
    case K::kParam:
      if (e.index < 0 || static_cast<size_t>(e.index) >= ctx->params.size()) {
        return SqlError("42P02", "there is no parameter $" + std::to_string(e.index + 1));
      }
      return ctx->params[e.index];
    case K::kBinary: {
      NORDLYS_ASSIGN_OR_RETURN(Value l, Eval(*e.args[0], row, ctx));
      if (l.is_null()) return Value();
      NORDLYS_ASSIGN_OR_RETURN(Value r, Eval(*e.args[1], row, ctx));
      if (r.is_null()) return Value();
      return types::EvalBinary(e.op, l, r, e.sig, Settings(ctx));
    }
    case K::kNegate: {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], row, ctx));
      if (v.is_null()) return v;
      return types::Negate(v, e.type.id);
    }
    case K::kNot: {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], row, ctx));
      if (v.is_null()) return v;
      return Value::Bool(!v.as_bool());
    }
    case K::kAnd:
    case K::kOr: {
      bool is_and = e.kind == K::kAnd;
      bool unknown = false;
      for (const auto& a : e.args) {
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*a, row, ctx));
        if (v.is_null()) {
          unknown = true;
        } else if (v.as_bool() != is_and) {
          return Value::Bool(!is_and);
        }
      }
      return unknown ? Value() : Value::Bool(is_and);
    }
    case K::kIsNull: {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], row, ctx));
      return Value::Bool(v.is_null() != e.negated);
    }
    case K::kBoolTest: {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], row, ctx));
      bool r = false;
      switch (e.index) {
        case 0: r = !v.is_null() && v.as_bool(); break;
        case 1: r = v.is_null() || !v.as_bool(); break;
        case 2: r = !v.is_null() && !v.as_bool(); break;
        case 3: r = v.is_null() || v.as_bool(); break;
        case 4: r = v.is_null(); break;
        default: r = !v.is_null(); break;
      }
      return Value::Bool(r);
    }
    case K::kCast: {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], row, ctx));
      if (v.is_null()) return v;
      const Type& from = e.args[0]->type;
      if (from.id == e.type.id) return types::CoerceToTypmod(v, e.type, e.flag);
      if (from.id == TypeId::kUnknown) {
        return types::InputValue(v.as_string(), e.type, Settings(ctx));
      }
      return types::CastValue(v, from, e.type, e.flag, Settings(ctx));
    }
    case K::kFunc:
      return EvalFunction(e, row, ctx);
    case K::kAggRef:
      return Status::Internal("aggregate reference outside an aggregation");
    case K::kWindowRef:
      return Status::Internal("window function reference outside a WindowAgg");
    case K::kCase: {
      size_t i = 0;
      for (; i + 1 < e.args.size(); i += 2) {
        NORDLYS_ASSIGN_OR_RETURN(bool c, EvalCondition(*e.args[i], row, ctx));
        if (c) return Eval(*e.args[i + 1], row, ctx);
      }
      if (i < e.args.size()) return Eval(*e.args[i], row, ctx);
      return Value();
    }
    case K::kCoalesce:
      for (const auto& a : e.args) {
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*a, row, ctx));
        if (!v.is_null()) return v;
      }
      return Value();
    case K::kMinMax: {
      Value best;
      for (const auto& a : e.args) {
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*a, row, ctx));
        if (v.is_null()) continue;
        if (best.is_null()) {
          best = v;
          continue;
        }
        int c = types::CompareValues(v, best, e.type.id);
        if (e.flag ? c > 0 : c < 0) best = v;
      }
      return best;
    }
    case K::kNullIf: {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], row, ctx));
      NORDLYS_ASSIGN_OR_RETURN(Value eq, Eval(*e.args[1], row, ctx));
      if (!eq.is_null() && eq.as_bool()) return Value();
      return v;
    }
    case K::kLike: {
      NORDLYS_ASSIGN_OR_RETURN(Value s, Eval(*e.args[0], row, ctx));
      if (s.is_null()) return s;
      NORDLYS_ASSIGN_OR_RETURN(Value p, Eval(*e.args[1], row, ctx));
      if (p.is_null()) return p;
      bool m = e.flag ? LikeMatch(AsciiLower(s.as_string()), AsciiLower(p.as_string()))
                      : LikeMatch(s.as_string(), p.as_string());
      return Value::Bool(m != e.negated);
    }
    case K::kInList: {
      NORDLYS_ASSIGN_OR_RETURN(Value x, Eval(*e.args[0], row, ctx));
      if (x.is_null()) return x;
      bool unknown = false;
      for (size_t i = 1; i < e.args.size(); ++i) {
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i], row, ctx));
        if (v.is_null()) {
          unknown = true;
          continue;
        }
        NORDLYS_ASSIGN_OR_RETURN(Value b, types::EvalBinary(types::BinaryOp::kEq, x, v, e.sig, Settings(ctx)));
        if (b.as_bool()) return Value::Bool(!e.negated);
      }
      if (unknown) return Value();
      return Value::Bool(e.negated);
    }
    case K::kSubquery:
      return EvalSubquery(e, row, ctx);
    case K::kDistinctFrom: {
      NORDLYS_ASSIGN_OR_RETURN(Value l, Eval(*e.args[0], row, ctx));
      NORDLYS_ASSIGN_OR_RETURN(Value r, Eval(*e.args[1], row, ctx));
      bool same;
      if (l.is_null() || r.is_null()) {
        same = l.is_null() && r.is_null();
      } else {
        NORDLYS_ASSIGN_OR_RETURN(Value b, types::EvalBinary(types::BinaryOp::kEq, l, r, e.sig, Settings(ctx)));
        same = b.as_bool();
      }
      return Value::Bool(e.negated ? same : !same);
    }
    case K::kArray: {
      std::vector<Value> elems;
      elems.reserve(e.args.size());
      for (const auto& a : e.args) {
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*a, row, ctx));
        elems.push_back(std::move(v));
      }
      return Value::Array(std::move(elems));
    }
    case K::kArrayAny: {
      // PG's ScalarArrayOpExpr: true/false as soon as one element decides, NULL when an
      // element (or the left side) was NULL and none decided.
      NORDLYS_ASSIGN_OR_RETURN(Value x, Eval(*e.args[0], row, ctx));
      NORDLYS_ASSIGN_OR_RETURN(Value arr, Eval(*e.args[1], row, ctx));
      if (arr.is_null()) return Value();
      const bool all = e.flag;
      if (arr.as_array().empty()) return Value::Bool(all);
      if (x.is_null()) return Value();
      bool unknown = false;
      for (const auto& v : arr.as_array()) {
        if (v.is_null()) {
          unknown = true;
          continue;
        }
        NORDLYS_ASSIGN_OR_RETURN(Value b, types::EvalBinary(e.op, x, v, e.sig, Settings(ctx)));
        if (b.as_bool() != all) return Value::Bool(!all);
      }
      if (unknown) return Value();
      return Value::Bool(all);
    }
  }
  return Status::Internal("unknown expression kind");
}

int CompareForSort(const Value& a, const Value& b, TypeId type, bool nulls_first) {
  if (a.is_null() || b.is_null()) {
    if (a.is_null() && b.is_null()) return 0;
    return a.is_null() ? (nulls_first ? -1 : 1) : (nulls_first ? 1 : -1);
  }
  return types::CompareValues(a, b, type);
}

bool GroupEqual(const Value& a, const Value& b, TypeId type) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  return types::CompareValues(a, b, type) == 0;
}

uint64_t GroupHash(const Value& v, TypeId type) {
  return v.is_null() ? 0x9e3779b97f4a7c15ULL : types::HashValue(v, type);
}

Result<Value> CastForAssignment(const Value& v, const Type& from, const Type& to,
                                const types::SessionSettings& settings) {
  if (v.is_null()) return v;
  if (from.id == to.id) return types::CoerceToTypmod(v, to, false);
  if (from.id == TypeId::kUnknown) return types::InputValue(v.as_string(), to, settings);
  return types::CastValue(v, from, to, false, settings);
}

}  // namespace nordlys::engine::sql
