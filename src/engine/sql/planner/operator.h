// Physical operators: a pull-based tree the planner builds per statement execution. Open()
// (re)starts an operator — a nested-loop inner side or a correlated subquery is re-opened —
// and Next() yields rows until false. Operators own their state, so a tree runs once at a time.
//
// Thread safety: one statement execution on one thread.
#pragma once

#include <memory>
#include <unordered_map>
#include <string>
#include <vector>

#include "engine/sql/binder/binder.h"
#include "engine/sql/catalog/catalog.h"
#include "engine/sql/execution/exec_context.h"
#include "engine/storage/btree.h"
#include "engine/storage/heap.h"
#include "engine/types/key_encoding.h"

namespace nordlys::engine::sql {

class Operator {
 public:
  virtual ~Operator() = default;
  virtual Status Open(ExecContext* ctx) = 0;
  virtual Result<bool> Next(ExecContext* ctx, Row* row) = 0;
  // EXPLAIN: "Seq Scan on t", detail lines ("Filter: (a = 1)"), children.
  virtual std::string Label() const = 0;
  virtual void Details(std::vector<std::string>* out) const {}
  virtual std::vector<const Operator*> Children() const { return {}; }
};

using OperatorPtr = std::shared_ptr<Operator>;

// EXPLAIN text, one line per entry, in PostgreSQL's indentation style.
std::vector<std::string> ExplainLines(const Operator& root);

// A scan of one table; remembers the Tid of the row it returned last (for UPDATE/DELETE).
class ScanOperator : public Operator {
 public:
  storage::Tid current_tid() const { return tid_; }
  const TableDef& table() const { return *table_; }
  // The predicate the scan applies (all of the WHERE conjuncts on this table).
  const ExprPtr& filter() const { return filter_; }
  // UPDATE/DELETE targets: each row gets the version's Tid appended (TidValue) after the filter.
  void set_emit_tid(bool on) { emit_tid_ = on; }

 protected:
  std::shared_ptr<const TableDef> table_;
  ExprPtr filter_;
  storage::Tid tid_;
  bool emit_tid_ = false;
};

class SeqScan final : public ScanOperator {
 public:
  SeqScan(std::shared_ptr<const TableDef> table, ExprPtr filter, std::string alias);
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override;
  void Details(std::vector<std::string>* out) const override;

 private:
  std::string alias_;
  std::unique_ptr<storage::HeapScan> scan_;
  std::string data_;
};

// A pg_catalog relation (system_views.h): its rows from the statement's catalog snapshot.
class SystemScan final : public Operator {
 public:
  SystemScan(const SystemRelation* relation, ExprPtr filter, std::string alias)
      : relation_(relation), filter_(std::move(filter)), alias_(std::move(alias)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override;
  void Details(std::vector<std::string>* out) const override;

 private:
  const SystemRelation* relation_;
  ExprPtr filter_;
  std::string alias_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
};

// Equality on the leading index columns, then optionally a range on the next one, or a list
// of values for it (IN (...) / = ANY(array)): one probe per distinct value, in key order.
struct IndexBounds {
  std::vector<ExprPtr> eq;  // row-independent, one per leading column
  ExprPtr lower, upper;     // on column eq.size(), or null
  bool lower_inclusive = true, upper_inclusive = true;
  std::vector<ExprPtr> in_values;  // column eq.size() IN (these), or
  ExprPtr in_array;                // column eq.size() = ANY (this array)
  ExprPtr in_display;              // the condition, for EXPLAIN
  bool has_list() const { return !in_values.empty() || in_array != nullptr; }
};

// Reads the index range given by `bounds`, fetches each entry's version visible to the
// statement and applies the filter. Entries are read lazily, batch by batch, so ORDER BY ...
// LIMIT stops early; an UPDATE/DELETE/FOR UPDATE source (emit_tid) collects them all at Open,
// so that versions the statement itself adds to the index are not met again.
class IndexScan final : public ScanOperator {
 public:
  IndexScan(std::shared_ptr<const TableDef> table, const IndexDef* index, IndexBounds bounds,
            ExprPtr filter, std::string alias);
  Status Open(ExecContext* ctx) override;
  // Opens the scan with bounds evaluated over `outer` (a parameterized inner side of an index
  // nested loop join: bounds may read the outer row's columns).
  Status Rescan(ExecContext* ctx, const Row& outer);
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override;
  void Details(std::vector<std::string>* out) const override;
  // How many index entries pointed at versions this scan could not see (old versions).
  uint64_t invisible_entries() const { return invisible_; }
  const IndexDef& index() const { return *index_; }
  void set_display_filter(ExprPtr f) { display_filter_ = std::move(f); }
  // Walk the range in descending key order (ORDER BY opposite to the index's own order).
  void set_backward(bool on) { backward_ = on; }

 private:
  Result<bool> NextTid(ExecContext* ctx, storage::Tid* tid);

  const IndexDef* index_;
  ExprPtr display_filter_;
  IndexBounds bounds_;
  std::string alias_;
  std::vector<types::KeyColumn> key_cols_;
  // Opens ranges_[next_range_] (or the next one in backward order).
  void OpenNextRange(ExecContext* ctx);

  std::unique_ptr<storage::IndexScan> entries_;  // lazy mode: the open index range
  std::vector<std::pair<std::string, std::string>> ranges_;  // [lower, upper) key ranges, in order
  size_t next_range_ = 0;
  std::vector<storage::Tid> tids_;  // emit_tid mode: collected at Open
  size_t pos_ = 0;
  bool empty_ = false;
  bool backward_ = false;
  uint64_t invisible_ = 0;
  std::string data_;
  std::string key_;
};

// Rows from constant expression lists (VALUES, or SELECT without FROM: one empty row).
class ValuesScan final : public Operator {
 public:
  explicit ValuesScan(std::vector<std::vector<ExprPtr>> rows) : rows_(std::move(rows)) {}
  Status Open(ExecContext* ctx) override { pos_ = 0; return Status::OK(); }
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return rows_.size() == 1 && rows_[0].empty() ? "Result" : "Values Scan"; }

 private:
  std::vector<std::vector<ExprPtr>> rows_;
  size_t pos_ = 0;
};

// generate_series(start, stop[, step]) over integers, or unnest(array) when `type` is an
// array type (one row per element).
class GenerateSeries final : public Operator {
 public:
  GenerateSeries(std::vector<ExprPtr> args, types::Type type) : args_(std::move(args)), type_(type) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override {
    return types::IsArrayType(type_.id) ? "Function Scan on unnest" : "Function Scan on generate_series";
  }

 private:
  std::vector<ExprPtr> args_;
  types::Type type_;
  __int128 cur_ = 0, stop_ = 0, step_ = 1;
  bool done_ = true;
  types::Value array_;  // unnest: the array, walked by cur_
  // numeric and timestamp series: the next value, the stop and the step as values; up_ says
  // which way the step goes.
  types::Value next_, stop_value_, step_value_;
  bool up_ = true;
};

class Filter final : public Operator {
 public:
  Filter(OperatorPtr child, ExprPtr pred) : child_(std::move(child)), pred_(std::move(pred)) {}
  Status Open(ExecContext* ctx) override { return child_->Open(ctx); }
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "Filter"; }
  void Details(std::vector<std::string>* out) const override;
  std::vector<const Operator*> Children() const override { return {child_.get()}; }
  // EXPLAIN folds a filter into its child's detail lines when it sits on a scan.
  const OperatorPtr& child() const { return child_; }
  const ExprPtr& pred() const { return pred_; }

 private:
  OperatorPtr child_;
  ExprPtr pred_;
};

class Project final : public Operator {
 public:
  Project(OperatorPtr child, std::vector<ExprPtr> exprs) : child_(std::move(child)), exprs_(std::move(exprs)) {}
  Status Open(ExecContext* ctx) override { return child_->Open(ctx); }
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "Project"; }
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  std::vector<ExprPtr> exprs_;
  Row in_;
};

class NestedLoopJoin final : public Operator {
 public:
  // left_join: unmatched left rows come out NULL-extended; right_join: unmatched right rows
  // come out after all left rows (both: FULL JOIN).
  NestedLoopJoin(OperatorPtr left, OperatorPtr right, int left_width, int right_width, bool left_join,
                 bool right_join, ExprPtr cond)
      : left_(std::move(left)), right_(std::move(right)), left_width_(left_width), right_width_(right_width),
        left_join_(left_join), right_join_(right_join), cond_(std::move(cond)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override {
    return left_join_ && right_join_ ? "Nested Loop Full Join"
           : left_join_              ? "Nested Loop Left Join"
           : right_join_             ? "Nested Loop Right Join" : "Nested Loop";
  }
  void Details(std::vector<std::string>* out) const override;
  std::vector<const Operator*> Children() const override { return {left_.get(), right_.get()}; }

 private:
  OperatorPtr left_, right_;
  int left_width_;
  int right_width_;
  bool left_join_;
  bool right_join_;
  ExprPtr cond_;
  std::vector<Row> inner_;
  std::vector<bool> inner_matched_;
  size_t unmatched_pos_ = 0;
  bool left_done_ = false;
  Row outer_;
  bool have_outer_ = false;
  bool matched_ = false;
  size_t pos_ = 0;
};

// Index nested loop join: for each left row, the right table's index is probed with bounds
// computed from that row (an IndexScan opened by Rescan). `cond` is checked on the joined row
// (it includes the conditions the probe used: old versions are in the index too).
class IndexNestedLoopJoin final : public Operator {
 public:
  IndexNestedLoopJoin(OperatorPtr left, std::shared_ptr<IndexScan> right, int right_width, bool left_join,
                      ExprPtr cond, ExprPtr display_cond)
      : left_(std::move(left)), right_(std::move(right)), right_width_(right_width), left_join_(left_join),
        cond_(std::move(cond)), display_cond_(std::move(display_cond)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return left_join_ ? "Nested Loop Left Join" : "Nested Loop"; }
  void Details(std::vector<std::string>* out) const override;
  std::vector<const Operator*> Children() const override { return {left_.get(), right_.get()}; }

 private:
  OperatorPtr left_;
  std::shared_ptr<IndexScan> right_;
  int right_width_;
  bool left_join_;
  ExprPtr cond_, display_cond_;
  Row outer_, inner_;
  bool have_outer_ = false;
  bool matched_ = false;
};

class HashJoin final : public Operator {
 public:
  HashJoin(OperatorPtr left, OperatorPtr right, int right_width, bool left_join,
           std::vector<ExprPtr> left_keys, std::vector<ExprPtr> right_keys, ExprPtr residual);
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return left_join_ ? "Hash Left Join" : "Hash Join"; }
  void Details(std::vector<std::string>* out) const override;
  std::vector<const Operator*> Children() const override { return {left_.get(), right_.get()}; }

 private:
  OperatorPtr left_, right_;
  int right_width_;
  bool left_join_;
  std::vector<ExprPtr> left_keys_, right_keys_;
  ExprPtr residual_;
  std::unordered_multimap<uint64_t, std::pair<Row, Row>> table_;  // hash -> (keys, row)
  Row outer_;
  Row outer_keys_;
  bool have_outer_ = false;
  bool matched_ = false;
  bool outer_null_key_ = false;
  std::pair<decltype(table_)::iterator, decltype(table_)::iterator> range_;
};

class HashAggregate final : public Operator {
 public:
  HashAggregate(OperatorPtr child, std::vector<ExprPtr> groups, std::vector<AggCall> aggs)
      : child_(std::move(child)), groups_(std::move(groups)), aggs_(std::move(aggs)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return groups_.empty() ? "Aggregate" : "HashAggregate"; }
  void Details(std::vector<std::string>* out) const override;
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  std::vector<ExprPtr> groups_;
  std::vector<AggCall> aggs_;
  std::vector<Row> out_;
  size_t pos_ = 0;
};

// Window functions (execution/window.cc): materializes its input, sorts it once per window
// (PARTITION BY keys, then ORDER BY keys) and appends each call's value to its row, in the
// order of BoundSelect::windows. Rows come out in the last window's order.
class WindowAgg final : public Operator {
 public:
  WindowAgg(OperatorPtr child, std::vector<WindowSpec> specs, std::vector<WindowCall> calls, int input_width)
      : child_(std::move(child)), specs_(std::move(specs)), calls_(std::move(calls)), input_width_(input_width) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "WindowAgg"; }
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  // Computes the calls of window `spec` over rows_ (sorted into `order`) into rows_.
  Status ComputeSpec(ExecContext* ctx, size_t spec, std::vector<size_t>* order);

  OperatorPtr child_;
  std::vector<WindowSpec> specs_;
  std::vector<WindowCall> calls_;
  int input_width_;
  std::vector<Row> rows_;
  std::vector<size_t> out_order_;
  size_t pos_ = 0;
};

class Distinct final : public Operator {
 public:
  Distinct(OperatorPtr child, std::vector<types::Type> types) : child_(std::move(child)), types_(std::move(types)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "HashAggregate"; }
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  std::vector<types::Type> types_;
  std::unordered_multimap<uint64_t, Row> seen_;
};

class Sort final : public Operator {
 public:
  // key_names: how EXPLAIN names each key ("t.a"), one per key.
  Sort(OperatorPtr child, std::vector<SortKey> keys, std::vector<types::Type> types, std::vector<std::string> key_names)
      : child_(std::move(child)), keys_(std::move(keys)), types_(std::move(types)), key_names_(std::move(key_names)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "Sort"; }
  void Details(std::vector<std::string>* out) const override;
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  std::vector<SortKey> keys_;
  std::vector<types::Type> types_;
  std::vector<std::string> key_names_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
};

class Limit final : public Operator {
 public:
  Limit(OperatorPtr child, ExprPtr limit, ExprPtr offset)
      : child_(std::move(child)), limit_(std::move(limit)), offset_(std::move(offset)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "Limit"; }
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  ExprPtr limit_, offset_;
  int64_t remaining_ = -1;  // -1: no limit
};

// SELECT ... FOR UPDATE / FOR SHARE, above Sort and Limit so that only returned rows are locked.
// Its input rows carry the whole FROM row from q.lock_from_start on (BoundSelect::row_locks).
// A row a concurrent transaction changed is followed to its newest version (READ COMMITTED),
// WHERE is checked again there and the visible targets recomputed; a deleted row, or one that
// no longer qualifies, is skipped. REPEATABLE READ fails with 40001 instead (Heap::Lock).
class LockRows final : public Operator {
 public:
  LockRows(OperatorPtr child, std::vector<BoundSelect::RowLock> locks, size_t from_start, int from_width,
           std::vector<ExprPtr> visible_targets, ExprPtr where)
      : child_(std::move(child)), locks_(std::move(locks)), from_start_(from_start), from_width_(from_width),
        targets_(std::move(visible_targets)), where_(std::move(where)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "LockRows"; }
  std::vector<const Operator*> Children() const override { return {child_.get()}; }

 private:
  // Locks one table's row in *row; false: skip the row.
  Result<bool> LockOne(ExecContext* ctx, const BoundSelect::RowLock& lock, Row* row, bool* changed);
  Row FromRow(const Row& row) const;

  OperatorPtr child_;
  std::vector<BoundSelect::RowLock> locks_;
  size_t from_start_;
  int from_width_;
  std::vector<ExprPtr> targets_;
  ExprPtr where_;
  std::string data_;
};

// WITH RECURSIVE: the non-recursive term's rows, then rounds of the recursive term, each
// reading (through its WorkTableScan) the rows the previous round added, until a round adds
// none. Rows stream out as they are produced, so a LIMIT above stops an endless recursion.
// UNION (not ALL) drops rows seen before, in every round.
class RecursiveUnion final : public Operator {
 public:
  RecursiveUnion(OperatorPtr left, OperatorPtr right, std::shared_ptr<WorkTable> work, bool all,
                 std::vector<types::Type> types)
      : left_(std::move(left)), right_(std::move(right)), work_(std::move(work)), all_(all), types_(std::move(types)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "Recursive Union"; }
  std::vector<const Operator*> Children() const override { return {left_.get(), right_.get()}; }

 private:
  // False when the row was seen before (UNION); records it otherwise.
  bool Admit(const Row& row);

  OperatorPtr left_, right_;
  std::shared_ptr<WorkTable> work_;
  bool all_;
  std::vector<types::Type> types_;
  bool in_left_ = true;
  bool done_ = false;
  std::vector<Row> next_;                        // this round's rows: the next working table
  std::unordered_multimap<uint64_t, Row> seen_;  // UNION: every row produced so far
};

// The working table of a recursive CTE (see RecursiveUnion).
class WorkTableScan final : public Operator {
 public:
  explicit WorkTableScan(std::shared_ptr<WorkTable> work) : work_(std::move(work)) {}
  Status Open(ExecContext* ctx) override { pos_ = 0; return Status::OK(); }
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override { return "WorkTable Scan"; }

 private:
  std::shared_ptr<WorkTable> work_;
  size_t pos_ = 0;
};

class SetOperation final : public Operator {
 public:
  SetOperation(OperatorPtr left, OperatorPtr right, BoundSelect::SetOp op, bool all,
               std::vector<types::Type> types)
      : left_(std::move(left)), right_(std::move(right)), op_(op), all_(all), types_(std::move(types)) {}
  Status Open(ExecContext* ctx) override;
  Result<bool> Next(ExecContext* ctx, Row* row) override;
  std::string Label() const override;
  std::vector<const Operator*> Children() const override { return {left_.get(), right_.get()}; }

 private:
  OperatorPtr left_, right_;
  BoundSelect::SetOp op_;
  bool all_;
  std::vector<types::Type> types_;
  std::vector<Row> out_;
  size_t pos_ = 0;
};

}  // namespace nordlys::engine::sql
