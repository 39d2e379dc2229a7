// WindowAgg: window functions over a materialized input. Per window (WindowSpec) the rows are
// sorted by the PARTITION BY keys (ascending, NULLs last: any fixed order groups them) and then
// the ORDER BY keys; rows with equal ORDER BY keys within a partition are peers. Each call's
// value is appended to its row at input_width + call number.
//
// Frames follow PostgreSQL: RANGE/GROUPS CURRENT ROW reaches the edge of the current row's peer
// group, ROWS counts rows, GROUPS counts peer groups; without ORDER BY every row of a partition
// is a peer of every other; RANGE offsets compare the single ORDER BY key with current ± offset
// (PostgreSQL's in_range). EXCLUDE leaves rows out of aggregates and first/last/nth_value.
//
// Invariant: in every frame mode both frame edges are non-decreasing positions as the current
// row advances through a partition. So aggregates whose frame starts at UNBOUNDED PRECEDING
// accumulate incrementally, and invertible ones (count, integer sum/avg) slide over moving
// frames; the others re-aggregate per row (skipped when a row's frame equals the previous one).
#include <algorithm>
#include <cmath>

#include "engine/sql/errors.h"
#include "engine/sql/execution/aggregate.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/planner/operator.h"
#include "engine/types/datetime.h"
#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

using types::TypeId;
using types::Value;

namespace {

// One partition's positions in the sorted order, [begin, end), with its peer groups.
struct Partition {
  size_t begin = 0, end = 0;
  std::vector<size_t> group_of;     // per position - begin: peer group number
  std::vector<size_t> group_start;  // per group: first position
  std::vector<size_t> group_end;    // per group: one past its last position
};

// A frame offset's value: not NULL, not negative (RANGE: PostgreSQL's in_range message).
// `key`: the ORDER BY key's type (RANGE); time keys ignore an interval's days and months, as
// PostgreSQL's in_range for time does.
Result<Value> FrameOffset(const ExprPtr& e, ExecContext* ctx, bool start, bool range, TypeId key) {
  NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e, Row{}, ctx));
  const char* which = start ? "starting" : "ending";
  if (v.is_null()) return SqlError("22004", std::string("frame ") + which + " offset must not be null");
  bool negative = false;
  bool nan = false;
  switch (e->type.id) {
    case TypeId::kNumeric:
      negative = v.as_numeric().negative();
      nan = v.as_numeric().is_nan();
      break;
    case TypeId::kFloat8:
      negative = v.as_float() < 0;
      nan = std::isnan(v.as_float());
      break;
    case TypeId::kInterval:
      negative = key == TypeId::kTime ? v.as_interval().time_us < 0
                                      : types::CompareIntervals(v.as_interval(), types::Interval{}) < 0;
      break;
    default:
      if (!range && v.as_int() < 0) {
        return SqlError("22013", std::string("frame ") + which + " offset must not be negative");
      }
      negative = v.as_int() < 0;
  }
  if (negative || nan) return SqlError("22013", "invalid preceding or following size in window function");
  return v;
}

// Aggregates whose input can be taken back out of the state exactly (a moving frame then costs
// one add and one removal per row): count, and sum/avg of integers. PostgreSQL has no inverse
// for float sums (rounding) and restarts numeric ones whose display scale would change, so
// those re-aggregate.
bool Invertible(const AggCall& call) {
  if (call.func == AggFunc::kCountStar || call.func == AggFunc::kCount) return true;
  if (call.func != AggFunc::kSum && call.func != AggFunc::kAvg) return false;
  TypeId t = call.arg_type.id;
  return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8;
}

// Takes one input back out of the state. REQUIRES: Invertible(call), and `v` was accumulated.
void Retract(const AggCall& call, AggState* st, const Value& v) {
  if (call.func == AggFunc::kCountStar) {
    --st->count;
    return;
  }
  if (v.is_null()) return;
  --st->count;
  if (call.func == AggFunc::kSum || call.func == AggFunc::kAvg) st->isum -= v.as_int();
  if (st->count == 0) st->any = false;
}

}  // namespace

Status WindowAgg::Open(ExecContext* ctx) {
  NORDLYS_RETURN_IF_ERROR(child_->Open(ctx));
  rows_.clear();
  out_order_.clear();
  pos_ = 0;
  Row r;
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, &r));
    if (!more) break;
    r.resize(static_cast<size_t>(input_width_) + calls_.size());
    rows_.push_back(r);
  }
  out_order_.resize(rows_.size());
  for (size_t i = 0; i < rows_.size(); ++i) out_order_[i] = i;
  for (size_t s = 0; s < specs_.size(); ++s) {
    std::vector<size_t> order;
    NORDLYS_RETURN_IF_ERROR(ComputeSpec(ctx, s, &order));
    out_order_ = std::move(order);
  }
  return Status::OK();
}

Result<bool> WindowAgg::Next(ExecContext* ctx, Row* row) {
  if (pos_ >= out_order_.size()) return false;
  *row = std::move(rows_[out_order_[pos_++]]);
  return true;
}

Status WindowAgg::ComputeSpec(ExecContext* ctx, size_t spec_index, std::vector<size_t>* order_out) {
  const WindowSpec& w = specs_[spec_index];
  const size_t n = rows_.size();
  std::vector<Row> pkeys(n), okeys(n);
  for (size_t i = 0; i < n; ++i) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    for (const auto& p : w.partition_by) {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*p, rows_[i], ctx));
      pkeys[i].push_back(std::move(v));
    }
    for (const auto& k : w.order_by) {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*k.expr, rows_[i], ctx));
      okeys[i].push_back(std::move(v));
    }
  }
  std::vector<size_t>& order = *order_out;
  order.resize(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t k = 0; k < w.partition_by.size(); ++k) {
      int c = CompareForSort(pkeys[a][k], pkeys[b][k], w.partition_by[k]->type.id, false);
      if (c != 0) return c < 0;
    }
    for (size_t k = 0; k < w.order_by.size(); ++k) {
      const SortKey& key = w.order_by[k];
      const Value& x = okeys[a][k];
      const Value& y = okeys[b][k];
      int c = CompareForSort(x, y, key.expr->type.id, key.nulls_first);
      if (c != 0) return key.descending ? (x.is_null() || y.is_null() ? c < 0 : c > 0) : c < 0;
    }
    return false;
  });
  auto same_keys = [&](const std::vector<Row>& keys, const std::vector<ExprPtr>* exprs, const std::vector<SortKey>* sk,
                       size_t a, size_t b) {
    size_t m = exprs != nullptr ? exprs->size() : sk->size();
    for (size_t k = 0; k < m; ++k) {
      TypeId t = exprs != nullptr ? (*exprs)[k]->type.id : (*sk)[k].expr->type.id;
      if (!GroupEqual(keys[a][k], keys[b][k], t)) return false;
    }
    return true;
  };
  // Partitions and their peer groups.
  std::vector<Partition> parts;
  for (size_t p = 0; p < n;) {
    Partition part;
    part.begin = p;
    size_t e = p + 1;
    while (e < n && same_keys(pkeys, &w.partition_by, nullptr, order[p], order[e])) ++e;
    part.end = e;
    for (size_t i = p; i < e; ++i) {
      if (i == p || !same_keys(okeys, nullptr, &w.order_by, order[i - 1], order[i])) {
        if (i != p) part.group_end.push_back(i);
        part.group_start.push_back(i);
      }
      part.group_of.push_back(part.group_start.size() - 1);
    }
    part.group_end.push_back(e);
    parts.push_back(std::move(part));
    p = e;
  }
  // Frame offsets (ROWS/GROUPS), checked only when there are rows, as PostgreSQL does.
  const int f = w.frame_options;
  int64_t start_off = 0, end_off = 0;
  Value start_val, end_val;
  const TypeId range_key = w.order_by.empty() ? TypeId::kUnknown : w.order_by[0].expr->type.id;
  if (n > 0 && w.start_offset) {
    NORDLYS_ASSIGN_OR_RETURN(start_val, FrameOffset(w.start_offset, ctx, true, (f & kFrameRange) != 0, range_key));
    if ((f & kFrameRange) == 0) start_off = start_val.as_int();
  }
  if (n > 0 && w.end_offset) {
    NORDLYS_ASSIGN_OR_RETURN(end_val, FrameOffset(w.end_offset, ctx, false, (f & kFrameRange) != 0, range_key));
    if ((f & kFrameRange) == 0) end_off = end_val.as_int();
  }
  const bool rows_mode = (f & kFrameRows) != 0;
  const bool range_mode = (f & kFrameRange) != 0;
  // RANGE offset: the partition's first position at (is_start) or past (!is_start) the key
  // value current ± offset, in the sort's direction (NULLs sit where the sort puts them); a
  // current row with a NULL key reaches its peers' edge.
  auto range_edge = [&](const Partition& part, size_t p, const Value& off, bool preceding,
                        bool is_start) -> Result<int64_t> {
    const size_t g = part.group_of[p - part.begin];
    const Value& cur = okeys[order[p]][0];
    if (cur.is_null()) return static_cast<int64_t>(is_start ? part.group_start[g] : part.group_end[g]);
    const SortKey& key = w.order_by[0];
    const TypeId t = key.expr->type.id;
    const bool add = preceding == key.descending;  // ascending PRECEDING: current - offset
    __int128 ib = 0;
    double fb = 0;
    types::Numeric nb;
    types::Interval vb;
    // Dates compare as timestamps (PostgreSQL's in_range for date adds the interval to one).
    auto as_timestamp = [&](const Value& v) -> int64_t {
      return t == TypeId::kDate ? v.as_int() * int64_t{86400000000} : v.as_int();
    };
    if (t == TypeId::kInterval) {
      if (add) {
        NORDLYS_ASSIGN_OR_RETURN(vb, types::IntervalAdd(cur.as_interval(), off.as_interval()));
      } else {
        NORDLYS_ASSIGN_OR_RETURN(vb, types::IntervalSub(cur.as_interval(), off.as_interval()));
      }
    } else if (t == TypeId::kTime) {
      // No wraparound past midnight (PostgreSQL's in_range_time_interval).
      const __int128 step = off.as_interval().time_us;
      ib = add ? cur.as_int() + step : cur.as_int() - step;
    } else if (t == TypeId::kDate || t == TypeId::kTimestamp || t == TypeId::kTimestampTz) {
      types::Interval step = off.as_interval();
      if (!add) {
        NORDLYS_ASSIGN_OR_RETURN(step, types::IntervalNegate(step));
      }
      int64_t ts = 0;
      if (t == TypeId::kTimestampTz) {
        static const types::SessionSettings kDefault;
        const auto& settings = ctx->session != nullptr ? ctx->session->settings : kDefault;
        NORDLYS_ASSIGN_OR_RETURN(ts, types::TimestampTzAddInterval(cur.as_int(), step, settings.time_zone));
      } else {
        NORDLYS_ASSIGN_OR_RETURN(ts, types::TimestampAddInterval(as_timestamp(cur), step));
      }
      ib = ts;
    } else if (t == TypeId::kNumeric) {
      if (add) {
        NORDLYS_ASSIGN_OR_RETURN(nb, types::Numeric::Add(cur.as_numeric(), off.as_numeric()));
      } else {
        NORDLYS_ASSIGN_OR_RETURN(nb, types::Numeric::Sub(cur.as_numeric(), off.as_numeric()));
      }
    } else if (t == TypeId::kFloat4 || t == TypeId::kFloat8) {
      fb = add ? cur.as_float() + off.as_float() : cur.as_float() - off.as_float();
    } else {
      ib = add ? static_cast<__int128>(cur.as_int()) + off.as_int() : static_cast<__int128>(cur.as_int()) - off.as_int();
    }
    // Sign of (key at q - bound) in the sort's direction.
    auto position_cmp = [&](size_t q) {
      const Value& k = okeys[order[q]][0];
      if (k.is_null()) return key.nulls_first ? -1 : 1;
      int raw;
      if (t == TypeId::kInterval) {
        raw = types::CompareIntervals(k.as_interval(), vb);
      } else if (t == TypeId::kDate) {
        __int128 x = as_timestamp(k);
        raw = x < ib ? -1 : x > ib ? 1 : 0;
      } else if (t == TypeId::kNumeric) {
        raw = types::Numeric::Compare(k.as_numeric(), nb);
      } else if (t == TypeId::kFloat4 || t == TypeId::kFloat8) {
        double x = k.as_float();
        raw = std::isnan(x) ? (std::isnan(fb) ? 0 : 1) : std::isnan(fb) ? -1 : x < fb ? -1 : x > fb ? 1 : 0;
      } else {
        __int128 x = k.as_int();
        raw = x < ib ? -1 : x > ib ? 1 : 0;
      }
      return key.descending ? -raw : raw;
    };
    size_t lo = part.begin, hi = part.end;  // first q with cmp >= 0 (start) or > 0 (end)
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      int c = position_cmp(mid);
      if (is_start ? c < 0 : c <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return static_cast<int64_t>(lo);
  };
  // The frame of position p as [start, end) positions.
  auto frame = [&](const Partition& part, size_t p) -> Result<std::pair<size_t, size_t>> {
    const int64_t ps = static_cast<int64_t>(part.begin), pe = static_cast<int64_t>(part.end);
    const int64_t ip = static_cast<int64_t>(p);
    const size_t g = part.group_of[p - part.begin];
    const int64_t ngroups = static_cast<int64_t>(part.group_start.size());
    int64_t s, e;
    if ((f & kFrameStartUnboundedPreceding) != 0) {
      s = ps;
    } else if ((f & kFrameStartCurrentRow) != 0) {
      s = rows_mode ? ip : static_cast<int64_t>(part.group_start[g]);
    } else if (range_mode) {
      NORDLYS_ASSIGN_OR_RETURN(s, range_edge(part, p, start_val, (f & kFrameStartOffsetPreceding) != 0, true));
    } else if ((f & kFrameStartOffsetPreceding) != 0) {
      if (rows_mode) {
        s = std::max(ps, ip - start_off);
      } else {
        int64_t gg = static_cast<int64_t>(g) - start_off;
        s = gg < 0 ? ps : static_cast<int64_t>(part.group_start[static_cast<size_t>(gg)]);
      }
    } else {  // offset FOLLOWING
      if (rows_mode) {
        s = std::min(pe, ip + start_off);
      } else {
        int64_t gg = static_cast<int64_t>(g) + start_off;
        s = gg >= ngroups ? pe : static_cast<int64_t>(part.group_start[static_cast<size_t>(gg)]);
      }
    }
    if ((f & kFrameEndUnboundedFollowing) != 0) {
      e = pe;
    } else if ((f & kFrameEndCurrentRow) != 0) {
      e = rows_mode ? ip + 1 : static_cast<int64_t>(part.group_end[g]);
    } else if (range_mode) {
      NORDLYS_ASSIGN_OR_RETURN(e, range_edge(part, p, end_val, (f & kFrameEndOffsetPreceding) != 0, false));
    } else if ((f & kFrameEndOffsetPreceding) != 0) {
      if (rows_mode) {
        e = std::max(ps, ip - end_off + 1);
      } else {
        int64_t gg = static_cast<int64_t>(g) - end_off;
        e = gg < 0 ? ps : static_cast<int64_t>(part.group_end[static_cast<size_t>(gg)]);
      }
    } else {  // offset FOLLOWING
      if (rows_mode) {
        e = end_off >= pe - ip ? pe : ip + end_off + 1;
      } else {
        int64_t gg = static_cast<int64_t>(g) + end_off;
        e = gg >= ngroups ? pe : static_cast<int64_t>(part.group_end[static_cast<size_t>(gg)]);
      }
    }
    if (e < s) e = s;
    return std::make_pair(static_cast<size_t>(s), static_cast<size_t>(e));
  };

  // EXCLUDE CURRENT ROW / GROUP / TIES: is position q left out of position p's frame?
  const bool excluding = (f & (kFrameExcludeCurrentRow | kFrameExcludeGroup | kFrameExcludeTies)) != 0;
  auto excluded = [&](const Partition& part, size_t p, size_t q) {
    if ((f & kFrameExcludeCurrentRow) != 0) return q == p;
    const size_t g = part.group_of[p - part.begin];
    const bool peer = q >= part.group_start[g] && q < part.group_end[g];
    if ((f & kFrameExcludeGroup) != 0) return peer;
    if ((f & kFrameExcludeTies) != 0) return peer && q != p;
    return false;
  };

  for (size_t c = 0; c < calls_.size(); ++c) {
    const WindowCall& call = calls_[c];
    if (call.spec != static_cast<int>(spec_index)) continue;
    const size_t col = static_cast<size_t>(input_width_) + c;
    auto out = [&](size_t p) -> Value& { return rows_[order[p]][col]; };
    auto arg_at = [&](size_t arg, size_t p) { return Eval(*call.args[arg], rows_[order[p]], ctx); };
    // Aggregates: their inputs per position, evaluated once.
    std::vector<Value> agg_in, agg_delim;
    std::vector<bool> agg_pass;
    if (call.func == WinFunc::kAggregate) {
      agg_in.resize(n);
      agg_delim.resize(n);
      agg_pass.assign(n, true);
      for (size_t p = 0; p < n; ++p) {
        const Row& row = rows_[order[p]];
        if (call.agg.filter) {
          NORDLYS_ASSIGN_OR_RETURN(bool pass, EvalCondition(*call.agg.filter, row, ctx));
          agg_pass[p] = pass;
        }
        if (!call.agg.args.empty()) {
          NORDLYS_ASSIGN_OR_RETURN(agg_in[p], Eval(*call.agg.args[0], row, ctx));
        }
        if (call.agg.args.size() > 1) {
          NORDLYS_ASSIGN_OR_RETURN(agg_delim[p], Eval(*call.agg.args[1], row, ctx));
        }
      }
    }
    auto add = [&](AggState* st, size_t p) -> Status {
      if (!agg_pass[p]) return Status::OK();
      return Accumulate(call.agg, st, agg_in[p], agg_delim[p]);
    };
    for (const Partition& part : parts) {
      const size_t ps = part.begin, pe = part.end;
      const size_t count = pe - ps;
      // ntile's state (PostgreSQL's window_ntile).
      int64_t ntile = 0, ntile_rows = 0, ntile_boundary = 0, ntile_remainder = 0;
      // Aggregates: the running state, or the previous frame's value.
      AggState running;
      size_t added_end = ps;
      size_t added_start = SIZE_MAX;  // moving frames of invertible aggregates: state covers [added_start, added_end)
      std::pair<size_t, size_t> prev_frame{SIZE_MAX, SIZE_MAX};
      Value prev_value;
      for (size_t p = ps; p < pe; ++p) {
        NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
        const size_t g = part.group_of[p - ps];
        const int64_t rank = static_cast<int64_t>(part.group_start[g] - ps) + 1;
        switch (call.func) {
          case WinFunc::kRowNumber:
            out(p) = Value::Int8(static_cast<int64_t>(p - ps) + 1);
            break;
          case WinFunc::kRank:
            out(p) = Value::Int8(rank);
            break;
          case WinFunc::kDenseRank:
            out(p) = Value::Int8(static_cast<int64_t>(g) + 1);
            break;
          case WinFunc::kPercentRank:
            out(p) = Value::Float8(count > 1 ? static_cast<double>(rank - 1) / static_cast<double>(count - 1) : 0.0);
            break;
          case WinFunc::kCumeDist:
            out(p) = Value::Float8(static_cast<double>(part.group_end[g] - ps) / static_cast<double>(count));
            break;
          case WinFunc::kNtile: {
            if (ntile == 0) {
              NORDLYS_ASSIGN_OR_RETURN(Value b, arg_at(0, p));
              if (b.is_null()) {
                out(p) = Value();
                break;
              }
              int64_t buckets = b.as_int();
              if (buckets <= 0) return SqlError("22014", "argument of ntile must be greater than zero");
              ntile = 1;
              ntile_rows = 0;
              ntile_boundary = static_cast<int64_t>(count) / buckets;
              if (ntile_boundary <= 0) {
                ntile_boundary = 1;
              } else {
                ntile_remainder = static_cast<int64_t>(count) % buckets;
                if (ntile_remainder != 0) ++ntile_boundary;
              }
            }
            ++ntile_rows;
            if (ntile_boundary < ntile_rows) {
              if (ntile_remainder != 0 && ntile == ntile_remainder) {
                ntile_remainder = 0;
                --ntile_boundary;
              }
              ++ntile;
              ntile_rows = 1;
            }
            out(p) = Value::Int4(static_cast<int32_t>(ntile));
            break;
          }
          case WinFunc::kLag:
          case WinFunc::kLead: {
            int64_t off = 1;
            if (call.args.size() >= 2) {
              NORDLYS_ASSIGN_OR_RETURN(Value o, arg_at(1, p));
              if (o.is_null()) {
                out(p) = Value();
                break;
              }
              off = o.as_int();
            }
            int64_t target = static_cast<int64_t>(p) + (call.func == WinFunc::kLag ? -off : off);
            if (target >= static_cast<int64_t>(ps) && target < static_cast<int64_t>(pe)) {
              NORDLYS_ASSIGN_OR_RETURN(out(p), arg_at(0, static_cast<size_t>(target)));
            } else if (call.args.size() == 3) {
              NORDLYS_ASSIGN_OR_RETURN(out(p), arg_at(2, p));
            } else {
              out(p) = Value();
            }
            break;
          }
          case WinFunc::kFirstValue:
          case WinFunc::kLastValue:
          case WinFunc::kNthValue: {
            NORDLYS_ASSIGN_OR_RETURN(auto fr, frame(part, p));
            const size_t s = fr.first, e = fr.second;
            size_t at = SIZE_MAX;
            if (call.func == WinFunc::kNthValue) {
              NORDLYS_ASSIGN_OR_RETURN(Value nv, arg_at(1, p));
              if (nv.is_null()) {
                out(p) = Value();
                break;
              }
              if (nv.as_int() <= 0) return SqlError("22016", "argument of nth_value must be greater than zero");
              uint64_t k = static_cast<uint64_t>(nv.as_int()) - 1;
              if (!excluding) {
                if (k < e - s) at = s + k;
              } else {
                for (size_t q = s; q < e && at == SIZE_MAX; ++q) {
                  if (excluded(part, p, q)) continue;
                  if (k == 0) at = q;
                  --k;
                }
              }
            } else if (call.func == WinFunc::kFirstValue) {
              for (size_t q = s; q < e && at == SIZE_MAX; ++q) {
                if (!excluding || !excluded(part, p, q)) at = q;
              }
            } else {
              for (size_t q = e; q > s && at == SIZE_MAX; --q) {
                if (!excluding || !excluded(part, p, q - 1)) at = q - 1;
              }
            }
            if (at == SIZE_MAX) {
              out(p) = Value();
            } else {
              NORDLYS_ASSIGN_OR_RETURN(out(p), arg_at(0, at));
            }
            break;
          }
          case WinFunc::kAggregate: {
            NORDLYS_ASSIGN_OR_RETURN(auto fr, frame(part, p));
            if (excluding) {
              AggState st;
              for (size_t i = fr.first; i < fr.second; ++i) {
                if (!excluded(part, p, i)) NORDLYS_RETURN_IF_ERROR(add(&st, i));
              }
              NORDLYS_ASSIGN_OR_RETURN(out(p), Finish(call.agg, st));
              break;
            }
            if ((f & kFrameStartUnboundedPreceding) != 0) {
              while (added_end < fr.second) NORDLYS_RETURN_IF_ERROR(add(&running, added_end++));
              NORDLYS_ASSIGN_OR_RETURN(out(p), Finish(call.agg, running));
              break;
            }
            if (Invertible(call.agg)) {
              // Both frame edges only move forward (every frame mode): slide the state.
              if (fr.first >= added_end || added_start == SIZE_MAX) {
                running = AggState();
                added_start = added_end = fr.first;
              }
              while (added_end < fr.second) NORDLYS_RETURN_IF_ERROR(add(&running, added_end++));
              for (; added_start < fr.first; ++added_start) {
                if (agg_pass[added_start]) Retract(call.agg, &running, agg_in[added_start]);
              }
              NORDLYS_ASSIGN_OR_RETURN(out(p), Finish(call.agg, running));
              break;
            }
            if (fr != prev_frame) {
              AggState st;
              for (size_t i = fr.first; i < fr.second; ++i) NORDLYS_RETURN_IF_ERROR(add(&st, i));
              NORDLYS_ASSIGN_OR_RETURN(prev_value, Finish(call.agg, st));
              prev_frame = fr;
            }
            out(p) = prev_value;
            break;
          }
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace nordlys::engine::sql
