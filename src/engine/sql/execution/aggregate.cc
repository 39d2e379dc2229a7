// Hash aggregation: GROUP BY groups with count/sum/avg/min/max/bool_and/bool_or/string_agg/
// array_agg, DISTINCT aggregates, and the single group of an aggregate without GROUP BY.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/sql/errors.h"
#include "engine/sql/execution/aggregate.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/planner/operator.h"
#include "engine/types/numeric_math.h"
#include "engine/types/operators.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

Status AccumulateVariance(TypeId t, AggState* st, const Value& v) {
  if (t == TypeId::kFloat4 || t == TypeId::kFloat8) {
    // float8_accum, operation for operation.
    const double x = v.as_float();
    const double n_old = st->fn;
    const double sx_old = st->fsx;
    st->fn += 1.0;
    st->fsx += x;
    if (n_old > 0.0) {
      const double tmp = x * st->fn - st->fsx;
      st->fsxx += tmp * tmp / (st->fn * n_old);
      if (std::isinf(st->fsx) || std::isinf(st->fsxx)) {
        if (!std::isinf(sx_old) && !std::isinf(x)) {
          return SqlError("22003", "value out of range: overflow");
        }
        st->fsxx = std::numeric_limits<double>::quiet_NaN();
      }
    } else if (std::isnan(x) || std::isinf(x)) {
      st->fsxx = std::numeric_limits<double>::quiet_NaN();
    }
    return Status::OK();
  }
  types::Numeric x;
  if (t == TypeId::kNumeric) {
    x = v.as_numeric();
  } else {
    x = types::Numeric::FromInt64(v.as_int());
  }
  if (!x.is_finite()) {
    st->nonfinite = true;
    return Status::OK();
  }
  NORDLYS_ASSIGN_OR_RETURN(st->nsum, types::Numeric::Add(st->nsum, x));
  NORDLYS_ASSIGN_OR_RETURN(auto sq, types::Numeric::Mul(x, x));
  NORDLYS_ASSIGN_OR_RETURN(st->nsum2, types::Numeric::Add(st->nsum2, sq));
  return Status::OK();
}

// numeric_stddev_internal and float8_var_samp/_pop/stddev_samp/_pop.
Result<Value> FinishVariance(const AggCall& call, const AggState& st) {
  const bool pop = call.func == AggFunc::kVarPop || call.func == AggFunc::kStddevPop;
  const bool dev = call.func == AggFunc::kStddevSamp || call.func == AggFunc::kStddevPop;
  if (call.type.id == TypeId::kFloat8) {
    if (pop ? st.fn == 0.0 : st.fn <= 1.0) return Value();
    const double var = st.fsxx / (pop ? st.fn : st.fn - 1.0);
    return Value::Float8(dev ? std::sqrt(var) : var);
  }
  // NaN and infinities count as rows here (too few rows is NULL even if one is NaN).
  const int64_t n = st.count;
  if (n <= (pop ? 0 : 1)) return Value();
  if (st.nonfinite) return Value::MakeNumeric(types::Numeric::NaN());
  // N * sum(x*x) - sum(x)^2, exact; then over N*(N-1) (or N*N) at division's scale.
  NORDLYS_ASSIGN_OR_RETURN(auto sumsq, types::Numeric::Mul(st.nsum, st.nsum));
  NORDLYS_ASSIGN_OR_RETURN(auto nx2, types::Numeric::Mul(types::Numeric::FromInt64(n), st.nsum2));
  NORDLYS_ASSIGN_OR_RETURN(auto num, types::Numeric::Sub(nx2, sumsq));
  if (num.negative() || num.is_zero()) return Value::MakeNumeric(types::Numeric::FromInt64(0));
  NORDLYS_ASSIGN_OR_RETURN(
      auto den, types::Numeric::Mul(types::Numeric::FromInt64(n), types::Numeric::FromInt64(pop ? n : n - 1)));
  NORDLYS_ASSIGN_OR_RETURN(auto var, types::Numeric::Div(num, den));
  if (!dev) return Value::MakeNumeric(var);
  NORDLYS_ASSIGN_OR_RETURN(auto sd, types::NumericSqrtAtScale(var, var.dscale()));
  return Value::MakeNumeric(sd);
}

}  // namespace

Status Accumulate(const AggCall& call, AggState* st, const Value& v, const Value& delim) {
  if (call.func == AggFunc::kCountStar) {
    ++st->count;
    return Status::OK();
  }
  if (v.is_null() && call.func != AggFunc::kArrayAgg) return Status::OK();  // array_agg keeps NULLs
  if (call.distinct) {
    uint64_t h = GroupHash(v, call.arg_type.id);
    auto range = st->distinct_index.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      if (GroupEqual(st->distinct_seen[it->second], v, call.arg_type.id)) return Status::OK();
    }
    st->distinct_index.emplace(h, st->distinct_seen.size());
    st->distinct_seen.push_back(v);
  }
  bool first = !st->any;
  st->any = true;
  ++st->count;
  TypeId t = call.arg_type.id;
  switch (call.func) {
    case AggFunc::kCount:
      break;
    case AggFunc::kSum:
    case AggFunc::kAvg:
      if (t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8) {
        st->isum += v.as_int();
      } else if (t == TypeId::kFloat4 || t == TypeId::kFloat8) {
        st->fsum += v.as_float();
      } else if (t == TypeId::kNumeric) {
        NORDLYS_ASSIGN_OR_RETURN(st->nsum, types::Numeric::Add(st->nsum, v.as_numeric()));
      } else if (t == TypeId::kInterval) {
        auto r = types::IntervalAdd(st->ivsum, v.as_interval());
        if (!r.ok()) return r.status();
        st->ivsum = *r;
      }
      break;
    case AggFunc::kMin:
    case AggFunc::kMax: {
      if (first) {
        st->best = v;
      } else {
        int c = types::CompareValues(v, st->best, call.type.id);
        if (call.func == AggFunc::kMin ? c < 0 : c > 0) st->best = v;
      }
      break;
    }
    case AggFunc::kBoolAnd:
      st->bool_acc = first ? v.as_bool() : (st->bool_acc && v.as_bool());
      break;
    case AggFunc::kBoolOr:
      st->bool_acc = first ? v.as_bool() : (st->bool_acc || v.as_bool());
      break;
    case AggFunc::kArrayAgg:
      st->elems.push_back(v);
      break;
    case AggFunc::kVarSamp:
    case AggFunc::kVarPop:
    case AggFunc::kStddevSamp:
    case AggFunc::kStddevPop:
      return AccumulateVariance(t, st, v);
    case AggFunc::kStringAgg:
      if (!first && !delim.is_null()) st->text += delim.as_string();
      st->text += v.as_string();
      break;
    default:
      break;
  }
  return Status::OK();
}

Status FeedOrdered(const AggCall& call, AggState* st) {
  std::vector<std::vector<Value>> in = std::move(st->ordered);
  st->ordered.clear();
  std::stable_sort(in.begin(), in.end(), [&](const std::vector<Value>& a, const std::vector<Value>& b) {
    for (size_t k = 0; k < call.order.size(); ++k) {
      const SortKey& key = call.order[k];
      const Value& x = a[2 + k];
      const Value& y = b[2 + k];
      int c = CompareForSort(x, y, key.expr->type.id, key.nulls_first);
      // NULLs are placed by nulls_first alone; DESC reverses the rest.
      if (c != 0) return key.descending && !x.is_null() && !y.is_null() ? c > 0 : c < 0;
    }
    return false;
  });
  for (const auto& r : in) NORDLYS_RETURN_IF_ERROR(Accumulate(call, st, r[0], r[1]));
  return Status::OK();
}

Result<Value> Finish(const AggCall& call, const AggState& st) {
  TypeId t = call.arg_type.id;
  switch (call.func) {
    case AggFunc::kCountStar:
    case AggFunc::kCount:
      return Value::Int8(st.count);
    case AggFunc::kSum:
      if (!st.any) return Value();
      if (call.type.id == TypeId::kInt8) {
        if (st.isum > INT64_MAX || st.isum < INT64_MIN) return SqlError("22003", "bigint out of range");
        return Value::Int8(static_cast<int64_t>(st.isum));
      }
      if (call.type.id == TypeId::kNumeric) {
        if (t == TypeId::kNumeric) return Value::MakeNumeric(st.nsum);
        NORDLYS_ASSIGN_OR_RETURN(auto n, types::Numeric::Parse(Int128ToString(st.isum)));
        return Value::MakeNumeric(n);
      }
      if (call.type.id == TypeId::kFloat4) return Value::Float4(static_cast<float>(st.fsum));
      if (call.type.id == TypeId::kFloat8) return Value::Float8(st.fsum);
      return Value::MakeInterval(st.ivsum);
    case AggFunc::kAvg: {
      if (!st.any) return Value();
      if (call.type.id == TypeId::kFloat8) return Value::Float8(st.fsum / static_cast<double>(st.count));
      if (call.type.id == TypeId::kInterval) {
        auto r = types::IntervalDiv(st.ivsum, static_cast<double>(st.count));
        if (!r.ok()) return r.status();
        return Value::MakeInterval(*r);
      }
      types::Numeric sum = st.nsum;
      if (t != TypeId::kNumeric) {
        NORDLYS_ASSIGN_OR_RETURN(sum, types::Numeric::Parse(Int128ToString(st.isum)));
      }
      NORDLYS_ASSIGN_OR_RETURN(auto q, types::Numeric::Div(sum, types::Numeric::FromInt64(st.count)));
      return Value::MakeNumeric(q);
    }
    case AggFunc::kMin:
    case AggFunc::kMax:
      return st.any ? st.best : Value();
    case AggFunc::kBoolAnd:
    case AggFunc::kBoolOr:
      return st.any ? Value::Bool(st.bool_acc) : Value();
    case AggFunc::kStringAgg:
      return st.any ? Value::String(st.text) : Value();
    case AggFunc::kVarSamp:
    case AggFunc::kVarPop:
    case AggFunc::kStddevSamp:
    case AggFunc::kStddevPop:
      return FinishVariance(call, st);
    case AggFunc::kArrayAgg: {
      if (!st.any) return Value();
      if (!call.distinct || !call.order.empty()) return Value::Array(st.elems);
      // DISTINCT aggregates see their input sorted (PG sorts it to find the duplicates).
      std::vector<Value> sorted = st.elems;
      std::stable_sort(sorted.begin(), sorted.end(), [&](const Value& a, const Value& b) {
        return CompareForSort(a, b, t, /*nulls_first=*/false) < 0;
      });
      return Value::Array(std::move(sorted));
    }
  }
  return Value();
}

Status HashAggregate::Open(ExecContext* ctx) {
  NORDLYS_RETURN_IF_ERROR(child_->Open(ctx));
  out_.clear();
  pos_ = 0;
  struct Group {
    Row keys;
    std::vector<AggState> states;
  };
  std::vector<Group> groups;
  std::unordered_multimap<uint64_t, size_t> index;
  std::vector<TypeId> key_types;
  for (const auto& g : groups_) key_types.push_back(g->type.id);
  if (groups_.empty()) groups.push_back({{}, std::vector<AggState>(aggs_.size())});
  Row in, keys(groups_.size());
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, &in));
    if (!more) break;
    size_t gi = 0;
    if (!groups_.empty()) {
      uint64_t h = 1469598103934665603ULL;
      for (size_t i = 0; i < groups_.size(); ++i) {
        NORDLYS_ASSIGN_OR_RETURN(keys[i], Eval(*groups_[i], in, ctx));
        h = (h ^ GroupHash(keys[i], key_types[i])) * 1099511628211ULL;
      }
      auto range = index.equal_range(h);
      bool found = false;
      for (auto it = range.first; it != range.second && !found; ++it) {
        bool eq = true;
        for (size_t i = 0; i < keys.size() && eq; ++i) eq = GroupEqual(groups[it->second].keys[i], keys[i], key_types[i]);
        if (eq) {
          gi = it->second;
          found = true;
        }
      }
      if (!found) {
        gi = groups.size();
        index.emplace(h, gi);
        groups.push_back({keys, std::vector<AggState>(aggs_.size())});
      }
    }
    for (size_t a = 0; a < aggs_.size(); ++a) {
      const AggCall& call = aggs_[a];
      if (call.filter) {
        NORDLYS_ASSIGN_OR_RETURN(bool pass, EvalCondition(*call.filter, in, ctx));
        if (!pass) continue;
      }
      Value v, delim;
      if (!call.args.empty()) {
        NORDLYS_ASSIGN_OR_RETURN(v, Eval(*call.args[0], in, ctx));
      }
      if (call.args.size() > 1) {
        NORDLYS_ASSIGN_OR_RETURN(delim, Eval(*call.args[1], in, ctx));
      }
      if (!call.order.empty()) {
        std::vector<Value> buffered{std::move(v), std::move(delim)};
        for (const SortKey& key : call.order) {
          NORDLYS_ASSIGN_OR_RETURN(Value k, Eval(*key.expr, in, ctx));
          buffered.push_back(std::move(k));
        }
        groups[gi].states[a].ordered.push_back(std::move(buffered));
        continue;
      }
      NORDLYS_RETURN_IF_ERROR(Accumulate(call, &groups[gi].states[a], v, delim));
    }
  }
  for (auto& g : groups) {
    Row r = g.keys;
    for (size_t a = 0; a < aggs_.size(); ++a) {
      if (!aggs_[a].order.empty()) NORDLYS_RETURN_IF_ERROR(FeedOrdered(aggs_[a], &g.states[a]));
      NORDLYS_ASSIGN_OR_RETURN(Value v, Finish(aggs_[a], g.states[a]));
      r.push_back(std::move(v));
    }
    out_.push_back(std::move(r));
  }
  return Status::OK();
}

Result<bool> HashAggregate::Next(ExecContext* ctx, Row* row) {
  if (pos_ >= out_.size()) return false;
  *row = std::move(out_[pos_++]);
  return true;
}

void HashAggregate::Details(std::vector<std::string>* out) const {
  if (groups_.empty()) return;
  std::string k;
  for (size_t i = 0; i < groups_.size(); ++i) k += (i ? ", " : "") + groups_[i]->ToString();
  out->push_back("Group Key: " + k);
}

}  // namespace nordlys::engine::sql
