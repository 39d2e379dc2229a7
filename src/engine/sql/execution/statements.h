// Internal: one function per statement kind, called by SqlEngine (sql_engine.cc). With
// env.describe set they only bind and fill env.info (for Prepare/Describe).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/sql/binder/binder.h"
#include "engine/sql/planner/operator.h"
#include "engine/sql/sql_engine.h"
#include "engine/storage/heap.h"

namespace nordlys::engine::sql {

struct StmtEnv {
  SqlEngine* engine = nullptr;
  ExecContext* ctx = nullptr;
  StatementOutput* out = nullptr;
  std::string_view sql;
  std::vector<types::Type>* param_types = nullptr;
  bool describe = false;
  StatementInfo* info = nullptr;

  Binder MakeBinder() const { return Binder(ctx->snap, ctx->session, sql, param_types); }
};

Result<std::string> ExecSelect(const Json& s, StmtEnv& env);
// Runs a catalog change under the DDL lock: takes it, lets `change` work on the
// transaction's own catalog snapshot, then refreshes that snapshot for the next statement.
// Describe-only executions change nothing.
Result<std::string> RunCatalogChange(StmtEnv& env, const std::function<Result<std::string>()>& change);
// CREATE/ALTER/DROP ROLE and ALTER ROLE ... RENAME (roles.cc).
Result<std::string> ExecRoleDdl(const std::string& kind, const Json& s, StmtEnv& env);
Result<std::string> ExecExplain(const Json& s, StmtEnv& env);
Result<std::string> ExecInsert(const Json& s, StmtEnv& env);
Result<std::string> ExecUpdate(const Json& s, StmtEnv& env);
Result<std::string> ExecDelete(const Json& s, StmtEnv& env);
Result<std::string> ExecCopy(const Json& s, StmtEnv& env);
// DDL (ddl.cc): CREATE/DROP TABLE/INDEX/SEQUENCE/SCHEMA, ALTER TABLE, TRUNCATE, VACUUM, ANALYZE.
Result<std::string> ExecDdl(const std::string& kind, const Json& s, StmtEnv& env);
// CREATE [OR REPLACE] VIEW and DROP VIEW (views.cc).
Result<std::string> ExecViewDdl(const std::string& kind, const Json& s, StmtEnv& env);
// ALTER VIEW/TABLE ... RENAME [COLUMN] of a view (views.cc), inside RunCatalogChange.
Result<std::string> RenameView(StmtEnv& env, const Json& s, const ViewDef& view);
// "table t", "view s.v": an object as PostgreSQL's dependency messages name it.
std::string RelationDescription(const CatalogSnapshot& snap, uint32_t oid);
// The views that must go when `relations` (tables or views), or column `column` of table
// `column_table`, are dropped: those reading them, then the views reading those, and so on.
// `detail` is PostgreSQL's "view v depends on table t" line.
struct ViewDependent {
  uint32_t oid;
  std::string detail;
};
std::vector<ViewDependent> DependentViews(const CatalogSnapshot& snap, const std::vector<uint32_t>& relations,
                                          uint32_t column_table = 0, int column = -1);
// Without CASCADE: 2BP01 "cannot drop <object> because other objects depend on it" when `deps`
// is not empty. With it: a NOTICE, and the views are deleted.
Status DropDependentViews(StmtEnv& env, const std::string& object, const std::vector<ViewDependent>& deps,
                          bool cascade);
// VACUUM [ANALYZE] and ANALYZE (vacuum.cc).
Result<std::string> ExecVacuum(const Json& s, StmtEnv& env);

// Runs a planned query to its output (used by SELECT and EXPLAIN ANALYZE-less paths).
Result<uint64_t> RunToOutput(Operator* plan, ExecContext* ctx, StatementOutput* out);
// Result columns of a bound query.
std::vector<ResultColumn> ColumnsOf(const BoundSelect& q);

// Index maintenance and constraint checks shared by INSERT, UPDATE and COPY.
class ForeignKeyQueue;

class TableWriter {
 public:
  TableWriter(std::shared_ptr<const TableDef> table, ExecContext* ctx, std::string_view sql);
  // Binds defaults and CHECK constraints.
  Status Prepare(std::vector<types::Type>* param_types);
  // The default of column i for a new row (NULL when it has none).
  Result<types::Value> DefaultOf(size_t column);
  bool HasDefault(size_t column) const { return defaults_[column] != nullptr; }
  // NOT NULL and CHECK constraints on a complete row.
  Status CheckRow(const Row& row);
  // Inserts the row and its index entries (23505 on a duplicate key).
  Result<storage::Tid> Insert(const Row& row);
  // INSERT ... ON CONFLICT's arbiter indexes, for FindConflict and InsertUnlessConflict.
  void set_arbiters(std::vector<const IndexDef*> arbiters) { arbiters_ = std::move(arbiters); }
  // As Insert, but a duplicate key in an arbiter index (a concurrent transaction got there
  // between FindConflict and now) takes the row out again and returns nullopt.
  Result<std::optional<storage::Tid>> InsertUnlessConflict(const Row& row);
  // The Tid of a live row that holds `row`'s key in an arbiter index, waiting for in-progress
  // inserters and deleters; nullopt when there is none.
  Result<std::optional<storage::Tid>> FindConflict(const Row& row);
  // Replaces the version at tid (which the statement saw as `old_row`) with new_row, adding
  // index entries unless the update stays in the HOT chain. Outcome as Heap::Update.
  Result<storage::TmResult> Update(storage::Tid tid, const Row& old_row, const Row& new_row);
  const TableDef& table() const { return *table_; }
  // Where the rows written are reported for FOREIGN KEY checks and actions (foreign_keys.h);
  // the statement runs the queue's Finish() when its rows are written.
  void set_foreign_keys(ForeignKeyQueue* q) { foreign_keys_ = q; }

 private:
  // *arbiter_conflict (when given) is set, and the rest skipped, on a duplicate in an arbiter.
  Status InsertIndexEntries(const Row& row, storage::Tid tid, const Row* old_row, bool* arbiter_conflict);
  Status UniqueViolation(const IndexDef& ix, const Row& row);

  std::shared_ptr<const TableDef> table_;
  ExecContext* ctx_;
  std::string_view sql_;
  std::vector<ExprPtr> defaults_;
  std::vector<std::pair<std::string, ExprPtr>> checks_;
  std::string buf_;
  std::vector<const IndexDef*> arbiters_;
  ForeignKeyQueue* foreign_keys_ = nullptr;
};

// "(1, foo, null)": PG's "Failing row contains" form of a row.
std::string RowForMessage(const Row& row, const std::vector<ColumnDef>& columns, ExecContext* ctx);

}  // namespace nordlys::engine::sql
