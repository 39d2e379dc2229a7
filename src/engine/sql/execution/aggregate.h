// The aggregate functions' running state, shared by HashAggregate (aggregate.cc) and WindowAgg
// (window.cc): Accumulate adds one input, Finish reads the result without changing the state,
// so a window can finish after every row it adds.
//
// Thread safety: one statement execution on one thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "engine/sql/binder/binder.h"
#include "engine/types/value.h"

namespace nordlys::engine::sql {

struct AggState {
  std::vector<types::Value> elems;  // array_agg
  int64_t count = 0;
  __int128 isum = 0;
  double fsum = 0;
  types::Numeric nsum;
  // variance/stddev: numeric inputs keep exact sums of x (nsum) and x*x, and whether a NaN or an
  // infinity came (the result is then NaN); float inputs keep PostgreSQL's Youngs-Cramer
  // N, Sx, Sxx (float8_accum), so results match its bits.
  types::Numeric nsum2;
  bool nonfinite = false;
  double fn = 0, fsx = 0, fsxx = 0;
  types::Interval ivsum;
  types::Value best;  // min/max
  bool bool_acc = false;
  std::string text;
  bool any = false;  // saw a non-NULL input
  // agg(x ORDER BY ...): the inputs as {x, delimiter, sort keys...}, fed to Accumulate in order
  // by FeedOrdered once the group is complete.
  std::vector<std::vector<types::Value>> ordered;
  std::vector<types::Value> distinct_seen;  // DISTINCT: sorted-free list (small groups)
  std::unordered_multimap<uint64_t, size_t> distinct_index;
};

// Adds one input `v` (and string_agg's delimiter) to the state.
Status Accumulate(const AggCall& call, AggState* st, const types::Value& v, const types::Value& delim);
// agg(x ORDER BY ...): sorts the buffered inputs and accumulates them in that order.
Status FeedOrdered(const AggCall& call, AggState* st);
// The aggregate's value over what was accumulated so far.
Result<types::Value> Finish(const AggCall& call, const AggState& st);

}  // namespace nordlys::engine::sql
