// The binder: libpg_query JSON trees -> bound, typed trees (expr.h, BoundSelect below), with
// PostgreSQL's name resolution, type inference for untyped literals and $n parameters, and its
// 42xxx errors (with character positions).
//
// Parameters: `param_types` holds one Type per $n; kUnknown ones are inferred from context as
// PostgreSQL does (the other operand of an operator, the target column of an INSERT/UPDATE, a
// cast) and written back, so Prepare can report them. Still unknown at the end: text.
//
// Thread safety: a Binder is used by one thread for one statement.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sql/binder/expr.h"
#include "engine/sql/catalog/catalog.h"
#include "engine/sql/catalog/system_views.h"
#include "engine/sql/session_info.h"
#include "engine/types/cast.h"

namespace nordlys::engine::sql {

using Json = nlohmann::json;

struct SortKey {
  ExprPtr expr;
  bool descending = false;
  bool nulls_first = false;
};

struct BoundSelect;

// The working table of a recursive CTE (WITH RECURSIVE): the RecursiveUnion operator puts the
// rows of the previous iteration here, and the WorkTableScan of its recursive term reads them.
// Shared by the two operators of one reference to the CTE; one statement execution at a time.
struct WorkTable {
  std::vector<Row> rows;
};

// One FROM item (a table, a subquery) or a join of two.
struct BoundFrom {
  enum class Kind : uint8_t { kTable, kSubquery, kJoin, kFunction, kSystem, kWorkTable };
  enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross };
  Kind kind = Kind::kTable;
  std::shared_ptr<const TableDef> table;  // kTable
  const SystemRelation* system = nullptr; // kSystem: a pg_catalog relation
  std::shared_ptr<WorkTable> work;        // kWorkTable: a recursive CTE's reference to itself
  std::string alias;
  std::unique_ptr<BoundSelect> subquery;  // kSubquery
  JoinType join_type = JoinType::kInner;  // kJoin
  std::unique_ptr<BoundFrom> left, right;
  ExprPtr cond;                           // kJoin: over the FROM row (absolute positions)
  std::vector<ExprPtr> func_args;         // kFunction: generate_series(start, stop[, step])
  types::Type func_type;
  int offset = 0;                         // first column in the FROM row
  int width = 0;
  // kTable, UPDATE/DELETE target: the scan appends the row version's Tid (TidValue) after the
  // table's columns; width counts it. No scope item names it.
  bool with_tid = false;
  bool lock_exclusive = false;  // with_tid for FOR UPDATE (true) or FOR SHARE (false)
};

// A row version's Tid as the int8 a with_tid scan emits, and back.
types::Value TidValue(const storage::Tid& tid);
storage::Tid TidOfValue(const types::Value& v);

struct AggCall {
  AggFunc func = AggFunc::kCount;
  std::vector<ExprPtr> args;  // over the FROM row
  bool distinct = false;
  ExprPtr filter;             // FILTER (WHERE ...), over the FROM row
  std::vector<SortKey> order; // agg(x ORDER BY ...): inputs are fed in this order, over the FROM row
  types::Type type;           // result type
  types::Type arg_type;
};

// PostgreSQL's frameOptions bits (nodes/parsenodes.h), as libpg_query reports them.
enum FrameOption : int {
  kFrameNonDefault = 0x1,
  kFrameRange = 0x2,
  kFrameRows = 0x4,
  kFrameGroups = 0x8,
  kFrameBetween = 0x10,
  kFrameStartUnboundedPreceding = 0x20,
  kFrameEndUnboundedPreceding = 0x40,
  kFrameStartUnboundedFollowing = 0x80,
  kFrameEndUnboundedFollowing = 0x100,
  kFrameStartCurrentRow = 0x200,
  kFrameEndCurrentRow = 0x400,
  kFrameStartOffsetPreceding = 0x800,
  kFrameEndOffsetPreceding = 0x1000,
  kFrameStartOffsetFollowing = 0x2000,
  kFrameEndOffsetFollowing = 0x4000,
  kFrameExcludeCurrentRow = 0x8000,
  kFrameExcludeGroup = 0x10000,
  kFrameExcludeTies = 0x20000,
  kFrameDefaults = kFrameRange | kFrameStartUnboundedPreceding | kFrameEndCurrentRow,
};

// One window: PARTITION BY, ORDER BY and the frame. Expressions are over the window's input
// row (the FROM row, or [groups, aggs] in an aggregated query).
struct WindowSpec {
  std::vector<ExprPtr> partition_by;
  std::vector<SortKey> order_by;
  int frame_options = kFrameDefaults;
  ExprPtr start_offset, end_offset;  // row-independent; ROWS/GROUPS: int8; RANGE: int8 for integer
                                     // keys, numeric for numeric, float8 for float keys, interval
                                     // for date, timestamp[tz] and interval keys
  std::string fingerprint;           // equal windows share one spec (one sort)
};

// One window function call.
struct WindowCall {
  WinFunc func = WinFunc::kRowNumber;
  std::vector<ExprPtr> args;  // over the window's input row
  AggCall agg;                // kAggregate: the aggregate (args, filter, types)
  int spec = 0;               // index into BoundSelect::window_specs
  types::Type type;           // result type
};

struct ColumnOrigin {
  uint32_t table_oid = 0;
  int16_t attnum = 0;
};

// A query: SELECT, VALUES, or a set operation of two queries.
struct BoundSelect {
  // kRecursiveUnion: WITH RECURSIVE's `larg UNION [ALL] rarg`, where rarg reads `work` (the
  // rows rarg's previous round added) until a round adds none.
  enum class SetOp : uint8_t { kNone, kUnion, kIntersect, kExcept, kRecursiveUnion };
  SetOp set_op = SetOp::kNone;
  bool set_all = false;
  std::unique_ptr<BoundSelect> larg, rarg;
  std::shared_ptr<WorkTable> work;  // kRecursiveUnion

  std::vector<std::vector<ExprPtr>> values;  // VALUES lists (no FROM)

  std::unique_ptr<BoundFrom> from;  // null: one empty row
  int from_width = 0;
  ExprPtr where;                    // over the FROM row
  bool aggregated = false;          // GROUP BY or aggregates: targets are over [groups, aggs]
  std::vector<ExprPtr> group_by;    // over the FROM row
  std::vector<AggCall> aggs;
  ExprPtr having;                   // over [groups, aggs]
  // Window functions: computed by a WindowAgg operator above aggregation/HAVING, which appends
  // one column per call to its input row (window_input_width wide); targets read them there.
  std::vector<WindowSpec> window_specs;
  std::vector<WindowCall> windows;
  int window_input_width = 0;
  std::vector<ExprPtr> targets;     // output columns, then hidden sort columns
  size_t visible = 0;               // how many of targets are output
  std::vector<std::string> names;
  std::vector<ColumnOrigin> origins;
  bool distinct = false;
  std::vector<SortKey> order_by;    // over the target row (always kColumn into targets)
  ExprPtr limit, offset;            // row-independent
  // SELECT ... FOR UPDATE / FOR SHARE: the tables whose rows are locked (each is a with_tid
  // FROM item: its Tid follows its columns in the FROM row), and where the whole FROM row
  // travels along in targets (hidden, from lock_from_start on) so that LockRows can re-check
  // WHERE and recompute the visible targets on a newer version of a locked row.
  struct RowLock {
    std::shared_ptr<const TableDef> table;
    int offset = 0;  // in the FROM row; the Tid is at offset + columns
    bool exclusive = true;
  };
  std::vector<RowLock> row_locks;
  size_t lock_from_start = 0;
  bool correlated = false;          // reads a column of an enclosing query

  std::vector<types::Type> OutputTypes() const;
  // The first SELECT's visible names (VALUES: column1, ...); a recursive union's own names.
  std::vector<std::string> OutputNames() const;
};

// A name visible in expressions: one FROM item's columns.
struct ScopeItem {
  std::string alias;
  std::vector<std::string> columns;
  std::vector<types::Type> types;
  int offset = 0;
  uint32_t table_oid = 0;
  std::string table_name;      // the table's own name (for "invalid reference to FROM-clause entry")
  std::vector<bool> hidden;    // merged away by JOIN USING: reachable only qualified
  const std::vector<std::string>* unsupported = nullptr;  // system relations: PG columns not provided
  bool Hidden(size_t c) const { return c < hidden.size() && hidden[c]; }
};

struct Scope {
  std::vector<ScopeItem> items;
  Scope* parent = nullptr;
  bool correlated = false;  // set when a nested query referenced this scope
  // JOIN ... USING / NATURAL: how many there are, and the merged columns (item, column) that
  // SELECT * puts first, as PostgreSQL does.
  int using_joins = 0;
  std::vector<std::pair<size_t, size_t>> merged;
};

class Binder {
 public:
  Binder(std::shared_ptr<const CatalogSnapshot> snap, const SessionInfo* session,
         std::string_view sql, std::vector<types::Type>* param_types);

  // SELECT / VALUES / set operations. `outer` is the enclosing query's scope (subqueries).
  Result<std::unique_ptr<BoundSelect>> BindQuery(const Json& select_stmt, Scope* outer);

  // The query whose window functions are being bound: where calls and windows go, and its
  // WINDOW clause (named windows).
  struct WindowTarget {
    BoundSelect* query = nullptr;
    const Json* window_clause = nullptr;
  };
  // Expression binding context.
  struct ExprContext {
    Scope* scope = nullptr;
    std::vector<AggCall>* aggs = nullptr;  // null: aggregates not allowed here
    const char* clause = "WHERE";          // for "aggregate functions are not allowed in X"
    WindowTarget* windows = nullptr;       // null: window functions not allowed here
    // Why not (when windows is null): "aggregate", "window" (nesting), "window definitions",
    // or null: not allowed in `clause`.
    const char* no_window = nullptr;
  };
  Result<ExprPtr> BindExpr(const Json& node, ExprContext& ctx);
  // Bind a boolean condition (42804 "argument of WHERE must be type boolean, not type x").
  Result<ExprPtr> BindCondition(const Json& node, ExprContext& ctx, const char* clause);

  // Coercion to a target type in a context (assignment for INSERT/UPDATE). Errors as PG:
  // 42804 column "a" is of type integer but expression is of type text (assignment).
  Result<ExprPtr> Coerce(ExprPtr e, types::Type target, types::CastContext ctx,
                         const std::string& column_for_error, int location);
  // Untyped literals / parameters -> their default (text).
  ExprPtr ResolveUnknown(ExprPtr e);

  // Table lookup by a RangeVar (42P01 relation "x" does not exist).
  // missing_schema_is_42p01: a query's table reference (FROM, INSERT/UPDATE/DELETE target)
  // names a missing schema as PostgreSQL's parser does, 'relation "s.t" does not exist'; DDL
  // says 3F000 'schema "s" does not exist'.
  Result<std::shared_ptr<const TableDef>> LookupTable(const Json& range_var, bool missing_schema_is_42p01 = false);
  Result<std::shared_ptr<const SequenceDef>> LookupSequenceByName(const std::string& name, int location);

  // Scope item of a table (all its columns), at `offset`.
  static ScopeItem TableScope(const TableDef& t, const std::string& alias, int offset);
  // UPDATE ... FROM / DELETE ... USING: the target table (with_tid, so its row is
  // [columns][tid]) cross-joined with the items of `from_list` (may be null), added to `scope`
  // in that order. WHERE and SET bind over the same scope.
  Result<std::unique_ptr<BoundFrom>> BindDmlSource(std::shared_ptr<const TableDef> table, const std::string& alias,
                                                   const Json* from_list, Scope* scope);

  int Position(const Json& node) const;  // from "location"
  const CatalogSnapshot& catalog() const { return *snap_; }
  std::shared_ptr<const CatalogSnapshot> snapshot() const { return snap_; }
  std::string_view sql() const { return sql_; }
  const SessionInfo* session() const { return session_; }
  std::vector<types::Type>* param_types() { return param_types_; }

  // Subqueries bound so far, to be planned (planner.h PlanSubqueries) before execution.
  struct PendingSubquery {
    std::shared_ptr<SubqueryInfo> info;
    std::unique_ptr<BoundSelect> query;
  };
  std::vector<PendingSubquery> pending_subqueries_;

  // CREATE VIEW: what the view's query reads directly and where its `*` expanded to, recorded
  // while it is bound (see ViewDef). Views it reads are recorded, not what they read.
  struct ViewRecording {
    std::set<uint32_t> relations;
    std::set<std::pair<uint32_t, int>> table_columns;
    struct Star {
      const Json* target_list;      // the SelectStmt's targetList in the tree being bound
      size_t index;                 // the `*` target's position in it
      std::vector<Json> targets;    // ResTargets naming each column it expanded to
    };
    std::vector<Star> stars;
    // Each table or view reference (the RangeVar's body) and what it resolved to: the stored
    // tree names it by oid too ("nordlys_oid"), so that renaming it later keeps the view.
    std::vector<std::pair<const Json*, uint32_t>> relation_refs;
  };
  void set_recording(ViewRecording* r) { recording_ = r; }
  // Rewrites the tree that was bound with `r` set (a mutable tree of the caller's): each `*`
  // expanded, each table and view reference marked with its oid.
  static void ExpandStars(const ViewRecording& r);

 private:
  ViewRecording* recording_ = nullptr;
  int view_depth_ = 0;                    // > 0 while binding a view's stored query
  std::vector<uint32_t> views_expanding_; // views being bound, outermost first (42P17)
  int sublink_depth_ = 0;                 // subqueries in expressions (recursive references)
  int nullable_depth_ = 0;                // inside the nullable side of an outer join
  std::vector<const Json*> ctes_expanding_;  // CTE queries being bound (mutual recursion)
  void RecordColumn(uint32_t table_oid, int column);
  Result<std::unique_ptr<BoundFrom>> BindViewItem(const ViewDef& v, const Json& range_var, Scope* scope, int* offset);
  // The FOR UPDATE/SHARE clause of the SELECT whose FROM is being bound: which tables (empty:
  // all) in which mode. Only that query's own FROM items are affected.
  struct LockRequest {
    const Scope* scope = nullptr;
    std::vector<std::string> names;
    std::vector<bool> exclusive;  // per name
    bool all = false;
    bool all_exclusive = false;
    std::vector<bool> used;       // per name: matched a FROM item
  };
  LockRequest* locking_ = nullptr;
  Result<std::unique_ptr<BoundSelect>> BindSimpleSelect(const Json& s, Scope* outer);
  Result<std::unique_ptr<BoundSelect>> BindValues(const Json& s, Scope* outer);
  Result<std::unique_ptr<BoundSelect>> BindSetOp(const Json& s, Scope* outer);
  Status BindSortLimit(const Json& s, BoundSelect* q, Scope* scope, WindowTarget* windows = nullptr);
  Result<std::unique_ptr<BoundFrom>> BindFromItem(const Json& node, Scope* scope, int* offset);
  // `what` names the item in 42P10 ("table", "WITH query").
  Result<std::unique_ptr<BoundFrom>> BindSubqueryItem(const Json& query, const std::string& alias,
                                                      const Json* colnames, Scope* scope, int* offset,
                                                      const char* what = "table");
  Result<std::unique_ptr<BoundFrom>> BindFunctionItem(const Json& node, Scope* scope, int* offset);
  // WITH: the common table expressions in scope, innermost WITH last.
  struct Cte {
    std::string name;
    const Json* query;
    const Json* colnames;
    const Json* node = nullptr;  // the CommonTableExpr
    // Its WITH said RECURSIVE: the query sees every CTE of its list (ctes_ up to list_end),
    // itself included.
    bool recursive = false;
    size_t list_end = 0;
    // Entries pushed while a recursive CTE's own query is bound: `nonrecursive_term` makes a
    // reference an error (42P19); `work` makes it the working table, allowed once, at
    // subquery-expression depth `work_depth`, outside outer joins' nullable sides.
    bool nonrecursive_term = false;
    std::shared_ptr<WorkTable> work;
    std::vector<std::string> work_columns;
    std::vector<types::Type> work_types;
    int work_depth = 0;
    int work_nullable_depth = 0;
    std::shared_ptr<int> work_refs;
  };
  std::vector<Cte> ctes_;
  Result<std::unique_ptr<BoundFrom>> BindCteReference(size_t index, const Json& range_var, Scope* scope, int* offset);
  Result<std::unique_ptr<BoundFrom>> BindRecursiveCte(const Cte& cte, const std::string& alias, const Json* ref_colnames,
                                                      Scope* scope, int* offset);
  Result<std::unique_ptr<BoundFrom>> BindWorkTableRef(const Cte& cte, const Json& range_var, Scope* scope, int* offset);
  Status FinishAggregation(BoundSelect* q);

  Result<ExprPtr> BindColumnRef(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindAConst(const Json& node);
  Result<ExprPtr> BindAExpr(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindBoolExpr(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindFuncCall(const Json& node, ExprContext& ctx);
  // `arg_ctx`: how the arguments bind (an aggregate used as a window function may contain
  // plain aggregates); default: no aggregates, no window functions.
  Result<ExprPtr> BindAggregate(const Json& node, const std::string& name, ExprContext& ctx,
                                ExprContext* arg_ctx = nullptr);
  // bind_window.cc: a call with OVER, and the WindowAgg columns the targets then read.
  Result<ExprPtr> BindWindowFunction(const Json& node, const std::string& name, ExprContext& ctx);
  Result<int> BindWindowSpec(const Json& over, ExprContext& ctx, int pos);
  Status FinishWindows(BoundSelect* q);
  Result<ExprPtr> BindTypeCast(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindCase(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindSubLink(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindSqlValueFunction(const Json& node);
  Result<ExprPtr> BindParam(const Json& node);
  Result<ExprPtr> BindOperator(types::BinaryOp op, ExprPtr l, ExprPtr r, int location);
  Result<ExprPtr> BindNamedOperator(const std::string& opname, ExprPtr l, ExprPtr r, int location);
  Result<ExprPtr> BindLike(ExprPtr l, ExprPtr r, bool negated, bool ilike, int location);
  Result<ExprPtr> BindIn(const Json& node, ExprContext& ctx, bool negated);
  // Arrays (bind_array.cc). `target`: the array type of an enclosing cast (ARRAY[]::int[]).
  Result<ExprPtr> BindArrayExpr(const Json& node, ExprContext& ctx, const types::Type* target);
  Result<ExprPtr> BindIndirection(const Json& node, ExprContext& ctx);
  Result<ExprPtr> BindArrayAnyAll(const Json& node, ExprContext& ctx, bool all);
  Result<ExprPtr> BindArrayConcat(ExprPtr l, ExprPtr r, int location);
  // nullopt when `name` is not an array function.
  std::optional<Result<ExprPtr>> BindArrayFunction(const std::string& name, std::vector<ExprPtr>& args, int location);
  // The date/time, math and text functions of bind_scalar_function.cc; nullopt when `name`
  // with this many arguments is not one of them.
  std::optional<Result<ExprPtr>> BindScalarFunction(const std::string& name, std::vector<ExprPtr>& args,
                                                    int location, bool qualified);
  // Common type of several expressions (CASE, COALESCE, IN lists, UNION): PG's
  // select_common_type. 42804 "CASE types integer and text cannot be matched".
  Result<types::Type> CommonType(const std::vector<ExprPtr>& exprs, const char* construct,
                                 int location);
  Result<ExprPtr> CastLiteral(const ExprPtr& e, types::Type target, bool is_explicit, int location);

  std::shared_ptr<const CatalogSnapshot> snap_;
  const SessionInfo* session_;
  std::string_view sql_;
  std::vector<types::Type>* param_types_;
};

// Helpers over libpg_query JSON.
std::string StrVal(const Json& string_node);          // {"String":{"sval":..}} -> sval
std::vector<std::string> NameList(const Json& list);  // list of String nodes
// The node type and body of a {"Type": {...}} wrapper.
std::pair<std::string, const Json*> NodeOf(const Json& node);
// TypeName node -> Type (42704 type "x" does not exist).
Result<types::Type> BindTypeName(const Json& type_name);
// A structural key of a bound expression (equal for equal expressions).
std::string ExprFingerprint(const Expr& e);
// True for the names of the functions that exist only as window functions (rank, lag, ...).
bool IsWindowOnlyFunction(const std::string& name);
// True for the names of the aggregates we implement (count, sum, ..., stddev_pop).
bool IsAggregateName(const std::string& name);
// A SortBy node's direction: DESC, NULLS FIRST/LAST (NULLS FIRST is DESC's default); the
// caller binds key->expr. USING is 0A000.
Status SortDirection(const Json& sort_by, SortKey* key, int pos = 0);
// Is this operator a comparison, and which?
bool OperatorFromName(const std::string& name, types::BinaryOp* op);
// 42883 "function f(integer, unknown) does not exist" with PG's hint.
Status NoSuchFunction(const std::string& name, const std::vector<ExprPtr>& args, int pos);

}  // namespace nordlys::engine::sql

namespace nordlys::engine::sql {
// An expression tree as the catalog stores it (DEFAULT, CHECK): integer constants that
// libpg_query's JSON leaves out are filled in from `sql`, and locations are dropped (they
// point into the CREATE statement, not the statement that later uses the expression).
Json NormalizeStoredExpr(const Json& node, std::string_view sql);
}  // namespace nordlys::engine::sql
