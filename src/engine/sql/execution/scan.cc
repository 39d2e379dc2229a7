// Table access operators: sequential and index scans, and constant rows.
#include <algorithm>

#include "engine/sql/errors.h"
#include "engine/sql/execution/catalog_functions.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/planner/operator.h"
#include "page/btree_page.h"

namespace nordlys::engine::sql {

using types::Value;

SeqScan::SeqScan(std::shared_ptr<const TableDef> table, ExprPtr filter, std::string alias)
    : alias_(std::move(alias)) {
  table_ = std::move(table);
  filter_ = std::move(filter);
}

Status SeqScan::Open(ExecContext* ctx) {
  scan_ = ctx->db->heap(table_->heap).Scan(ctx->txn);
  return Status::OK();
}

Result<bool> SeqScan::Next(ExecContext* ctx, Row* row) {
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan_->Next(&tid_, &data_));
    if (!more) return false;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data_, table_->columns, row));
    if (filter_) {
      NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*filter_, *row, ctx));
      if (!ok) continue;
    }
    if (emit_tid_) row->push_back(TidValue(tid_));
    return true;
  }
}

Status SystemScan::Open(ExecContext* ctx) {
  const std::string database = ctx->session ? ctx->session->database : "postgres";
  if (relation_->printed_rows != nullptr) {
    ExprPrinter print = [ctx](const nlohmann::json& tree, uint32_t relid, bool strip) {
      return PrintStoredExpr(tree.dump(), relid, strip, ctx);
    };
    NORDLYS_ASSIGN_OR_RETURN(rows_, relation_->printed_rows(*ctx->snap, database, print));
  } else {
    rows_ = relation_->rows(*ctx->snap, database);
  }
  for (const auto& r : rows_) NORDLYS_ASSERT(r.size() == relation_->columns.size());
  pos_ = 0;
  return Status::OK();
}

Result<bool> SystemScan::Next(ExecContext* ctx, Row* row) {
  while (pos_ < rows_.size()) {
    *row = rows_[pos_++];
    if (filter_) {
      NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*filter_, *row, ctx));
      if (!ok) continue;
    }
    return true;
  }
  return false;
}

std::string SystemScan::Label() const {
  return "Seq Scan on " + relation_->name + (alias_.empty() || alias_ == relation_->name ? "" : " " + alias_);
}

void SystemScan::Details(std::vector<std::string>* out) const {
  if (filter_) out->push_back("Filter: " + filter_->ToString());
}

std::string SeqScan::Label() const {
  return "Seq Scan on " + table_->name + (alias_.empty() || alias_ == table_->name ? "" : " " + alias_);
}

void SeqScan::Details(std::vector<std::string>* out) const {
  if (filter_) out->push_back("Filter: " + filter_->ToString());
}

IndexScan::IndexScan(std::shared_ptr<const TableDef> table, const IndexDef* index, IndexBounds bounds,
                     ExprPtr filter, std::string alias)
    : index_(index), bounds_(std::move(bounds)), alias_(std::move(alias)) {
  table_ = std::move(table);
  filter_ = std::move(filter);
  for (size_t i = 0; i < index_->columns.size(); ++i) {
    key_cols_.push_back({table_->columns[index_->columns[i]].type, index_->descending[i], index_->nulls_first[i]});
  }
}

Status IndexScan::Open(ExecContext* ctx) {
  static const Row kNoRow;
  return Rescan(ctx, kNoRow);
}

Status IndexScan::Rescan(ExecContext* ctx, const Row& outer) {
  tids_.clear();
  entries_.reset();
  ranges_.clear();
  next_range_ = 0;
  pos_ = 0;
  empty_ = false;
  std::string prefix;
  for (size_t i = 0; i < bounds_.eq.size(); ++i) {
    NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*bounds_.eq[i], outer, ctx));
    // "= NULL" matches nothing; a value the column type cannot hold matches nothing either.
    if (v.is_null() || !types::AppendKey(v, key_cols_[i], &prefix).ok()) {
      empty_ = true;
      return Status::OK();
    }
  }
  size_t col = bounds_.eq.size();
  if (bounds_.has_list()) {
    std::vector<Value> values;
    if (bounds_.in_array) {
      NORDLYS_ASSIGN_OR_RETURN(Value arr, Eval(*bounds_.in_array, outer, ctx));
      if (!arr.is_null()) values = arr.as_array();
    } else {
      for (const auto& e : bounds_.in_values) {
        NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e, outer, ctx));
        values.push_back(std::move(v));
      }
    }
    std::vector<std::string> keys;
    for (const Value& v : values) {
      std::string k = prefix;
      if (!v.is_null() && types::AppendKey(v, key_cols_[col], &k).ok()) keys.push_back(std::move(k));
    }
    std::sort(keys.begin(), keys.end(),
              [](const std::string& a, const std::string& b) { return page::CompareKeys(a, b) < 0; });
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());  // IN (1, 1) returns the row once
    for (auto& k : keys) {
      std::string upper = storage::PrefixSuccessor(k);
      ranges_.emplace_back(std::move(k), std::move(upper));
    }
  } else {
    std::string lower = prefix;
    std::string upper = storage::PrefixSuccessor(prefix);
    bool desc = col < key_cols_.size() && key_cols_[col].descending;
    // For a descending column the byte order is reversed: a SQL lower bound is a byte upper bound.
    ExprPtr lo = desc ? bounds_.upper : bounds_.lower;
    ExprPtr hi = desc ? bounds_.lower : bounds_.upper;
    bool lo_incl = desc ? bounds_.upper_inclusive : bounds_.lower_inclusive;
    bool hi_incl = desc ? bounds_.lower_inclusive : bounds_.upper_inclusive;
    if (lo) {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*lo, outer, ctx));
      if (v.is_null()) {
        empty_ = true;
        return Status::OK();
      }
      std::string k = prefix;
      if (types::AppendKey(v, key_cols_[col], &k).ok()) lower = lo_incl ? k : storage::PrefixSuccessor(k);
    }
    if (hi) {
      NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*hi, outer, ctx));
      if (v.is_null()) {
        empty_ = true;
        return Status::OK();
      }
      std::string k = prefix;
      if (types::AppendKey(v, key_cols_[col], &k).ok()) upper = hi_incl ? storage::PrefixSuccessor(k) : k;
    }
    ranges_.emplace_back(std::move(lower), std::move(upper));
  }
  if (backward_) std::reverse(ranges_.begin(), ranges_.end());
  OpenNextRange(ctx);
  if (!emit_tid_) return Status::OK();
  storage::Tid tid;
  while (entries_) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, entries_->Next(&key_, &tid));
    if (more) {
      tids_.push_back(tid);
    } else {
      OpenNextRange(ctx);
    }
  }
  return Status::OK();
}

void IndexScan::OpenNextRange(ExecContext* ctx) {
  entries_.reset();
  if (next_range_ >= ranges_.size()) return;
  auto& [lower, upper] = ranges_[next_range_++];
  storage::BtreeIndex index = ctx->db->index(index_->rel);
  entries_ = backward_ ? index.ScanBackward(lower, upper) : index.Scan(lower, upper);
}

Result<bool> IndexScan::NextTid(ExecContext* ctx, storage::Tid* tid) {
  if (!emit_tid_) {
    while (entries_) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, entries_->Next(&key_, tid));
      if (more) return true;
      OpenNextRange(ctx);
    }
    return false;
  }
  if (pos_ >= tids_.size()) return false;
  *tid = tids_[pos_++];
  return true;
}

Result<bool> IndexScan::Next(ExecContext* ctx, Row* row) {
  if (empty_) return false;
  storage::Heap heap = ctx->db->heap(table_->heap);
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, NextTid(ctx, &tid_));
    if (!more) return false;
    NORDLYS_ASSIGN_OR_RETURN(bool visible, heap.Fetch(ctx->txn, tid_, &data_, &tid_));
    if (!visible) {
      ++invisible_;
      continue;
    }
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data_, table_->columns, row));
    if (filter_) {
      NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*filter_, *row, ctx));
      if (!ok) continue;
    }
    if (emit_tid_) row->push_back(TidValue(tid_));
    return true;
  }
}

std::string IndexScan::Label() const {
  return std::string(backward_ ? "Index Scan Backward using " : "Index Scan using ") + index_->name + " on " +
         table_->name +
         (alias_.empty() || alias_ == table_->name ? "" : " " + alias_);
}

void IndexScan::Details(std::vector<std::string>* out) const {
  std::vector<std::string> conds;
  for (size_t i = 0; i < bounds_.eq.size(); ++i) {
    conds.push_back("(" + table_->columns[index_->columns[i]].name + " = " + bounds_.eq[i]->ToString() + ")");
  }
  size_t col = bounds_.eq.size();
  if (bounds_.lower) {
    conds.push_back("(" + table_->columns[index_->columns[col]].name + (bounds_.lower_inclusive ? " >= " : " > ") +
                    bounds_.lower->ToString() + ")");
  }
  if (bounds_.upper) {
    conds.push_back("(" + table_->columns[index_->columns[col]].name + (bounds_.upper_inclusive ? " <= " : " < ") +
                    bounds_.upper->ToString() + ")");
  }
  if (bounds_.in_display) conds.push_back(bounds_.in_display->ToString());
  std::string c;
  for (size_t i = 0; i < conds.size(); ++i) c += (i ? " AND " : "") + conds[i];
  if (conds.size() > 1) c = "(" + c + ")";
  if (!c.empty()) out->push_back("Index Cond: " + c);
  if (display_filter_) out->push_back("Filter: " + display_filter_->ToString());
}

Status GenerateSeries::Open(ExecContext* ctx) {
  Row none;
  done_ = false;
  std::vector<Value> v;
  for (const auto& a : args_) {
    NORDLYS_ASSIGN_OR_RETURN(Value x, Eval(*a, none, ctx));
    if (x.is_null()) {
      done_ = true;
      return Status::OK();
    }
    v.push_back(x);
  }
  if (types::IsArrayType(type_.id)) {
    array_ = v[0];
    cur_ = 0;
    return Status::OK();
  }
  if (type_.id == types::TypeId::kNumeric) {
    const char* what[] = {"start value", "stop value", "step size"};
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i].as_numeric().is_nan()) return SqlError("22023", std::string(what[i]) + " cannot be NaN");
      if (v[i].as_numeric().is_inf()) return SqlError("22023", std::string(what[i]) + " cannot be infinity");
    }
    next_ = v[0];
    stop_value_ = v[1];
    step_value_ = v.size() == 3 ? v[2] : types::Value::MakeNumeric(types::Numeric::FromInt64(1));
    const types::Numeric& step = step_value_.as_numeric();
    if (step.is_zero()) return SqlError("22023", "step size cannot equal zero");
    up_ = !step.negative();
    return Status::OK();
  }
  if (type_.id == types::TypeId::kTimestamp || type_.id == types::TypeId::kTimestampTz) {
    const types::Interval& step = v[2].as_interval();
    // The step's direction as PostgreSQL compares intervals: a month is 30 days.
    const __int128 span = (static_cast<__int128>(step.months) * 30 + step.days) * types::kUsecsPerDay + step.time_us;
    if (span == 0) return SqlError("22023", "step size cannot equal zero");
    up_ = span > 0;
    next_ = v[0];
    stop_value_ = v[1];
    step_value_ = v[2];
    return Status::OK();
  }
  cur_ = v[0].as_int();
  stop_ = v[1].as_int();
  step_ = v.size() == 3 ? v[2].as_int() : 1;
  if (step_ == 0) return SqlError("22023", "step size cannot equal zero");
  return Status::OK();
}

Result<bool> GenerateSeries::Next(ExecContext* ctx, Row* row) {
  if (types::IsArrayType(type_.id)) {
    if (done_ || cur_ >= static_cast<__int128>(array_.as_array().size())) return false;
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    row->assign(1, array_.as_array()[static_cast<size_t>(cur_++)]);
    return true;
  }
  if (type_.id == types::TypeId::kNumeric) {
    if (done_) return false;
    const int c = types::Numeric::Compare(next_.as_numeric(), stop_value_.as_numeric());
    if (up_ ? c > 0 : c < 0) return false;
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    row->assign(1, next_);
    NORDLYS_ASSIGN_OR_RETURN(types::Numeric n, types::Numeric::Add(next_.as_numeric(), step_value_.as_numeric()));
    next_ = types::Value::MakeNumeric(std::move(n));
    return true;
  }
  if (type_.id == types::TypeId::kTimestamp || type_.id == types::TypeId::kTimestampTz) {
    if (done_) return false;
    const int64_t cur = next_.as_int(), stop = stop_value_.as_int();
    if (up_ ? cur > stop : cur < stop) return false;
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    row->assign(1, next_);
    const types::Interval& step = step_value_.as_interval();
    if (type_.id == types::TypeId::kTimestamp) {
      auto n = types::TimestampAddInterval(cur, step);
      if (!n.ok()) return n.status();
      next_ = types::Value::Timestamp(*n);
    } else {
      const types::TimeZone utc;
      auto n = types::TimestampTzAddInterval(cur, step, ctx->session ? ctx->session->settings.time_zone : utc);
      if (!n.ok()) return n.status();
      next_ = types::Value::TimestampTz(*n);
    }
    if (next_.as_int() == types::kTimestampPosInfinity || next_.as_int() == types::kTimestampNegInfinity) done_ = true;
    return true;
  }
  if (done_ || (step_ > 0 ? cur_ > stop_ : cur_ < stop_)) return false;
  NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
  row->assign(1, type_.id == types::TypeId::kInt8 ? Value::Int8(static_cast<int64_t>(cur_))
                                                  : Value::Int4(static_cast<int32_t>(cur_)));
  cur_ += step_;
  return true;
}

Result<bool> ValuesScan::Next(ExecContext* ctx, Row* row) {
  if (pos_ >= rows_.size()) return false;
  const auto& exprs = rows_[pos_++];
  row->resize(exprs.size());
  Row none;
  const Row& input = ctx->outer.empty() ? none : *ctx->outer.back();
  for (size_t i = 0; i < exprs.size(); ++i) {
    // VALUES rows see only outer references; evaluate against an empty row.
    NORDLYS_ASSIGN_OR_RETURN((*row)[i], Eval(*exprs[i], none, ctx));
  }
  (void)input;
  return true;
}

}  // namespace nordlys::engine::sql
