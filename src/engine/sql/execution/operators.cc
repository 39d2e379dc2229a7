// Relational operators: filter, projection, joins, DISTINCT, sort, limit, set operations, and
// EXPLAIN's rendering of an operator tree.
#include <algorithm>

#include "engine/sql/errors.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/planner/operator.h"

namespace nordlys::engine::sql {

using types::Type;
using types::Value;

namespace {

uint64_t HashRow(const Row& r, const std::vector<Type>& types) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < r.size(); ++i) h = (h ^ GroupHash(r[i], types[i].id)) * 1099511628211ULL;
  return h;
}

bool RowsEqual(const Row& a, const Row& b, const std::vector<Type>& types) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!GroupEqual(a[i], b[i], types[i].id)) return false;
  }
  return true;
}

// *row = outer followed by inner; whether `cond` (if any) holds on it.
Result<bool> JoinRowQualifies(const Row& outer, const Row& inner, const ExprPtr& cond, ExecContext* ctx, Row* row) {
  *row = outer;
  row->insert(row->end(), inner.begin(), inner.end());
  if (!cond) return true;
  return EvalCondition(*cond, *row, ctx);
}

// A left join's unmatched outer row: NULLs for the inner side's `width` columns.
void NullExtended(const Row& outer, int width, Row* row) {
  *row = outer;
  row->resize(outer.size() + static_cast<size_t>(width));
}

void Explain(const Operator& op, int depth, std::vector<std::string>* out) {
  // A Filter directly on a scan prints as the scan's "Filter:" line, as PG's plans show it.
  const Operator* node = &op;
  std::vector<std::string> details;
  if (auto* f = dynamic_cast<const Filter*>(&op)) {
    if (dynamic_cast<const ScanOperator*>(f->child().get()) != nullptr ||
        dynamic_cast<const Project*>(f->child().get()) != nullptr) {
      node = f->child().get();
      node->Details(&details);
      details.push_back("Filter: " + f->pred()->ToString());
    }
  }
  if (auto* p = dynamic_cast<const Project*>(node)) {  // projections are not plan nodes in PG
    for (const auto* c : p->Children()) Explain(*c, depth, out);
    return;
  }
  if (node == &op) node->Details(&details);
  std::string indent(depth == 0 ? 0 : depth * 6 - 4, ' ');
  out->push_back((depth == 0 ? "" : indent + "->  ") + node->Label());
  std::string dindent(depth == 0 ? 2 : depth * 6 + 2, ' ');
  for (const auto& d : details) out->push_back(dindent + d);
  for (const auto* c : node->Children()) Explain(*c, depth + 1, out);
}

}  // namespace

std::vector<std::string> ExplainLines(const Operator& root) {
  std::vector<std::string> out;
  Explain(root, 0, &out);
  return out;
}

Result<bool> Filter::Next(ExecContext* ctx, Row* row) {
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, row));
    if (!more) return false;
    NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*pred_, *row, ctx));
    if (ok) return true;
  }
}

void Filter::Details(std::vector<std::string>* out) const { out->push_back("Filter: " + pred_->ToString()); }

Result<bool> Project::Next(ExecContext* ctx, Row* row) {
  NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, &in_));
  if (!more) return false;
  row->resize(exprs_.size());
  for (size_t i = 0; i < exprs_.size(); ++i) {
    NORDLYS_ASSIGN_OR_RETURN((*row)[i], Eval(*exprs_[i], in_, ctx));
  }
  return true;
}

// --- nested loop ---

Status NestedLoopJoin::Open(ExecContext* ctx) {
  NORDLYS_RETURN_IF_ERROR(left_->Open(ctx));
  NORDLYS_RETURN_IF_ERROR(right_->Open(ctx));
  inner_.clear();
  Row r;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, right_->Next(ctx, &r));
    if (!more) break;
    inner_.push_back(r);
  }
  inner_matched_.assign(inner_.size(), false);
  unmatched_pos_ = 0;
  left_done_ = false;
  have_outer_ = false;
  return Status::OK();
}

Result<bool> NestedLoopJoin::Next(ExecContext* ctx, Row* row) {
  for (;;) {
    if (left_done_) {
      while (unmatched_pos_ < inner_.size()) {
        size_t i = unmatched_pos_++;
        if (inner_matched_[i]) continue;
        row->assign(left_width_, types::Value());
        row->insert(row->end(), inner_[i].begin(), inner_[i].end());
        return true;
      }
      return false;
    }
    if (!have_outer_) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, left_->Next(ctx, &outer_));
      if (!more) {
        if (!right_join_) return false;
        left_done_ = true;
        continue;
      }
      have_outer_ = true;
      matched_ = false;
      pos_ = 0;
    }
    while (pos_ < inner_.size()) {
      NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
      size_t i = pos_++;
      NORDLYS_ASSIGN_OR_RETURN(bool ok, JoinRowQualifies(outer_, inner_[i], cond_, ctx, row));
      if (!ok) continue;
      matched_ = true;
      inner_matched_[i] = true;
      return true;
    }
    have_outer_ = false;
    if (left_join_ && !matched_) {
      NullExtended(outer_, right_width_, row);
      return true;
    }
  }
}

void NestedLoopJoin::Details(std::vector<std::string>* out) const {
  if (cond_) out->push_back("Join Filter: " + cond_->ToString());
}

// --- index nested loop ---

Status IndexNestedLoopJoin::Open(ExecContext* ctx) {
  have_outer_ = false;
  return left_->Open(ctx);
}

Result<bool> IndexNestedLoopJoin::Next(ExecContext* ctx, Row* row) {
  for (;;) {
    if (!have_outer_) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, left_->Next(ctx, &outer_));
      if (!more) return false;
      NORDLYS_RETURN_IF_ERROR(right_->Rescan(ctx, outer_));
      have_outer_ = true;
      matched_ = false;
    }
    for (;;) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, right_->Next(ctx, &inner_));
      if (!more) break;
      NORDLYS_ASSIGN_OR_RETURN(bool ok, JoinRowQualifies(outer_, inner_, cond_, ctx, row));
      if (!ok) continue;
      matched_ = true;
      return true;
    }
    have_outer_ = false;
    if (left_join_ && !matched_) {
      NullExtended(outer_, right_width_, row);
      return true;
    }
  }
}

void IndexNestedLoopJoin::Details(std::vector<std::string>* out) const {
  if (display_cond_) out->push_back("Join Filter: " + display_cond_->ToString());
}

// --- hash join ---

HashJoin::HashJoin(OperatorPtr left, OperatorPtr right, int right_width, bool left_join,
                   std::vector<ExprPtr> left_keys, std::vector<ExprPtr> right_keys, ExprPtr residual)
    : left_(std::move(left)), right_(std::move(right)), right_width_(right_width), left_join_(left_join),
      left_keys_(std::move(left_keys)), right_keys_(std::move(right_keys)), residual_(std::move(residual)) {}

Status HashJoin::Open(ExecContext* ctx) {
  NORDLYS_RETURN_IF_ERROR(left_->Open(ctx));
  NORDLYS_RETURN_IF_ERROR(right_->Open(ctx));
  table_.clear();
  std::vector<Type> types;
  for (const auto& k : right_keys_) types.push_back(k->type);
  Row r;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, right_->Next(ctx, &r));
    if (!more) break;
    Row keys(right_keys_.size());
    bool has_null = false;
    for (size_t i = 0; i < right_keys_.size(); ++i) {
      NORDLYS_ASSIGN_OR_RETURN(keys[i], Eval(*right_keys_[i], r, ctx));
      has_null |= keys[i].is_null();
    }
    if (has_null) continue;  // never equal to anything
    uint64_t h = HashRow(keys, types);
    table_.emplace(h, std::make_pair(std::move(keys), r));
  }
  have_outer_ = false;
  return Status::OK();
}

Result<bool> HashJoin::Next(ExecContext* ctx, Row* row) {
  std::vector<Type> types;
  for (const auto& k : left_keys_) types.push_back(k->type);
  for (;;) {
    if (!have_outer_) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, left_->Next(ctx, &outer_));
      if (!more) return false;
      have_outer_ = true;
      matched_ = false;
      outer_keys_.assign(left_keys_.size(), Value());
      outer_null_key_ = false;
      for (size_t i = 0; i < left_keys_.size(); ++i) {
        NORDLYS_ASSIGN_OR_RETURN(outer_keys_[i], Eval(*left_keys_[i], outer_, ctx));
        outer_null_key_ |= outer_keys_[i].is_null();
      }
      if (outer_null_key_) {
        range_ = {table_.end(), table_.end()};
      } else {
        range_ = table_.equal_range(HashRow(outer_keys_, types));
      }
    }
    while (range_.first != range_.second) {
      auto it = range_.first++;
      if (!RowsEqual(it->second.first, outer_keys_, types)) continue;
      NORDLYS_ASSIGN_OR_RETURN(bool ok, JoinRowQualifies(outer_, it->second.second, residual_, ctx, row));
      if (!ok) continue;
      matched_ = true;
      return true;
    }
    have_outer_ = false;
    if (left_join_ && !matched_) {
      NullExtended(outer_, right_width_, row);
      return true;
    }
  }
}

void HashJoin::Details(std::vector<std::string>* out) const {
  std::string c;
  for (size_t i = 0; i < left_keys_.size(); ++i) {
    c += (i ? " AND " : "") + std::string("(") + left_keys_[i]->ToString() + " = " + right_keys_[i]->ToString() + ")";
  }
  out->push_back("Hash Cond: " + c);
  if (residual_) out->push_back("Join Filter: " + residual_->ToString());
}

// --- distinct, sort, limit ---

Status Distinct::Open(ExecContext* ctx) {
  seen_.clear();
  return child_->Open(ctx);
}

Result<bool> Distinct::Next(ExecContext* ctx, Row* row) {
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, row));
    if (!more) return false;
    uint64_t h = HashRow(*row, types_);
    auto range = seen_.equal_range(h);
    bool dup = false;
    for (auto it = range.first; it != range.second && !dup; ++it) dup = RowsEqual(it->second, *row, types_);
    if (dup) continue;
    seen_.emplace(h, *row);
    return true;
  }
}

Status Sort::Open(ExecContext* ctx) {
  NORDLYS_RETURN_IF_ERROR(child_->Open(ctx));
  rows_.clear();
  pos_ = 0;
  Row r;
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, &r));
    if (!more) break;
    rows_.push_back(r);
  }
  std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) {
    for (const auto& k : keys_) {
      int i = k.expr->index;
      int c = CompareForSort(a[i], b[i], types_[i].id, k.nulls_first);
      if (c != 0) return k.descending ? (a[i].is_null() || b[i].is_null() ? c < 0 : c > 0) : c < 0;
    }
    return false;
  });
  return Status::OK();
}

Result<bool> Sort::Next(ExecContext* ctx, Row* row) {
  if (pos_ >= rows_.size()) return false;
  *row = std::move(rows_[pos_++]);
  return true;
}

void Sort::Details(std::vector<std::string>* out) const {
  std::string k;
  for (size_t i = 0; i < keys_.size(); ++i) {
    k += (i ? ", " : "") + key_names_[i] + (keys_[i].descending ? " DESC" : "") +
         (keys_[i].nulls_first != keys_[i].descending ? (keys_[i].nulls_first ? " NULLS FIRST" : " NULLS LAST") : "");
  }
  out->push_back("Sort Key: " + k);
}

Status LockRows::Open(ExecContext* ctx) {
  if (ctx->session != nullptr && ctx->session->read_only_transaction) {
    return SqlError("25006", std::string("cannot execute SELECT ") +
                                 (locks_.front().exclusive ? "FOR UPDATE" : "FOR SHARE") +
                                 " in a read-only transaction");
  }
  return child_->Open(ctx);
}

Row LockRows::FromRow(const Row& row) const {
  return Row(row.begin() + static_cast<std::ptrdiff_t>(from_start_),
             row.begin() + static_cast<std::ptrdiff_t>(from_start_) + from_width_);
}

Result<bool> LockRows::LockOne(ExecContext* ctx, const BoundSelect::RowLock& lock, Row* row, bool* changed) {
  storage::Heap heap = ctx->db->heap(lock.table->heap);
  const size_t base = from_start_ + static_cast<size_t>(lock.offset);
  const size_t tid_at = base + lock.table->columns.size();
  storage::Tid tid = TidOfValue((*row)[tid_at]);
  const auto mode = lock.exclusive ? storage::RowLockMode::kForUpdate : storage::RowLockMode::kForShare;
  for (int hops = 0;; ++hops) {
    NORDLYS_ASSERT(hops < 10'000'000);
    NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r, heap.Lock(ctx->txn, tid, mode));
    if (r.outcome == storage::TmOutcome::kOk || r.outcome == storage::TmOutcome::kSelfModified) return true;
    if (r.outcome == storage::TmOutcome::kDeleted) return false;
    // Updated by a committed transaction: continue on its newest version.
    storage::Tid latest;
    NORDLYS_ASSIGN_OR_RETURN(bool alive, heap.FetchLatest(ctx->txn, tid, &latest, &data_));
    if (!alive) return false;
    Row fresh;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data_, lock.table->columns, &fresh));
    std::copy(fresh.begin(), fresh.end(), row->begin() + static_cast<std::ptrdiff_t>(base));
    (*row)[tid_at] = TidValue(latest);
    tid = latest;
    *changed = true;
    if (where_) {
      NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*where_, FromRow(*row), ctx));
      if (!ok) return false;
    }
  }
}

Result<bool> LockRows::Next(ExecContext* ctx, Row* row) {
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, row));
    if (!more) return false;
    bool changed = false, keep = true;
    for (const auto& lock : locks_) {
      NORDLYS_ASSIGN_OR_RETURN(keep, LockOne(ctx, lock, row, &changed));
      if (!keep) break;
    }
    if (!keep) continue;
    if (changed) {
      Row from = FromRow(*row);
      for (size_t i = 0; i < targets_.size(); ++i) {
        NORDLYS_ASSIGN_OR_RETURN((*row)[i], Eval(*targets_[i], from, ctx));
      }
    }
    return true;
  }
}

Status Limit::Open(ExecContext* ctx) {
  NORDLYS_RETURN_IF_ERROR(child_->Open(ctx));
  Row none;
  remaining_ = -1;
  if (limit_) {
    NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*limit_, none, ctx));
    if (!v.is_null()) {
      if (v.as_int() < 0) return SqlError("2201W", "LIMIT must not be negative");
      remaining_ = v.as_int();
    }
  }
  if (offset_) {
    NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*offset_, none, ctx));
    if (!v.is_null()) {
      if (v.as_int() < 0) return SqlError("2201X", "OFFSET must not be negative");
      Row r;
      for (int64_t i = 0; i < v.as_int(); ++i) {
        NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, &r));
        if (!more) break;
      }
    }
  }
  return Status::OK();
}

Result<bool> Limit::Next(ExecContext* ctx, Row* row) {
  if (remaining_ == 0) return false;
  NORDLYS_ASSIGN_OR_RETURN(bool more, child_->Next(ctx, row));
  if (!more) return false;
  if (remaining_ > 0) --remaining_;
  return true;
}

// --- set operations ---

std::string SetOperation::Label() const {
  switch (op_) {
    case BoundSelect::SetOp::kUnion: return all_ ? "Append" : "HashAggregate";
    case BoundSelect::SetOp::kIntersect: return all_ ? "HashSetOp Intersect All" : "HashSetOp Intersect";
    default: return all_ ? "HashSetOp Except All" : "HashSetOp Except";
  }
}

Status SetOperation::Open(ExecContext* ctx) {
  out_.clear();
  pos_ = 0;
  std::vector<Row> left, right;
  for (auto [op, rows] : {std::pair{left_.get(), &left}, std::pair{right_.get(), &right}}) {
    NORDLYS_RETURN_IF_ERROR(op->Open(ctx));
    Row r;
    for (;;) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, op->Next(ctx, &r));
      if (!more) break;
      rows->push_back(r);
    }
  }
  // Distinct rows with their counts on each side.
  struct Entry {
    Row row;
    int64_t left = 0, right = 0;
  };
  std::vector<Entry> entries;
  std::unordered_multimap<uint64_t, size_t> index;
  auto add = [&](const Row& r, bool is_left) {
    uint64_t h = HashRow(r, types_);
    auto range = index.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      if (RowsEqual(entries[it->second].row, r, types_)) {
        (is_left ? entries[it->second].left : entries[it->second].right)++;
        return;
      }
    }
    index.emplace(h, entries.size());
    entries.push_back({r, is_left ? 1 : 0, is_left ? 0 : 1});
  };
  if (op_ == BoundSelect::SetOp::kUnion && all_) {
    out_ = std::move(left);
    out_.insert(out_.end(), right.begin(), right.end());
    return Status::OK();
  }
  for (const auto& r : left) add(r, true);
  for (const auto& r : right) add(r, false);
  for (const auto& e : entries) {
    int64_t n = 0;
    switch (op_) {
      case BoundSelect::SetOp::kUnion: n = 1; break;
      case BoundSelect::SetOp::kIntersect: n = all_ ? std::min(e.left, e.right) : (e.left > 0 && e.right > 0); break;
      default: n = all_ ? std::max<int64_t>(0, e.left - e.right) : (e.left > 0 && e.right == 0); break;
    }
    for (int64_t i = 0; i < n; ++i) out_.push_back(e.row);
  }
  return Status::OK();
}

Result<bool> SetOperation::Next(ExecContext* ctx, Row* row) {
  if (pos_ >= out_.size()) return false;
  *row = out_[pos_++];
  return true;
}

Status RecursiveUnion::Open(ExecContext* ctx) {
  in_left_ = true;
  done_ = false;
  next_.clear();
  seen_.clear();
  work_->rows.clear();
  return left_->Open(ctx);
}

bool RecursiveUnion::Admit(const Row& row) {
  if (all_) return true;
  uint64_t h = HashRow(row, types_);
  auto range = seen_.equal_range(h);
  for (auto it = range.first; it != range.second; ++it) {
    if (RowsEqual(it->second, row, types_)) return false;
  }
  seen_.emplace(h, row);
  return true;
}

Result<bool> RecursiveUnion::Next(ExecContext* ctx, Row* row) {
  while (!done_) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    OperatorPtr& input = in_left_ ? left_ : right_;
    NORDLYS_ASSIGN_OR_RETURN(bool more, input->Next(ctx, row));
    if (more) {
      if (!Admit(*row)) continue;
      next_.push_back(*row);
      return true;
    }
    // The term ran out: its rows become the working table of the next round.
    if (next_.empty()) {
      done_ = true;
      break;
    }
    in_left_ = false;
    work_->rows = std::move(next_);
    next_.clear();
    NORDLYS_RETURN_IF_ERROR(right_->Open(ctx));
  }
  work_->rows.clear();
  return false;
}

Result<bool> WorkTableScan::Next(ExecContext* ctx, Row* row) {
  if (pos_ >= work_->rows.size()) return false;
  *row = work_->rows[pos_++];
  return true;
}

}  // namespace nordlys::engine::sql
