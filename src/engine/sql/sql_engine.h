// The SQL engine's entry point for the session layer (src/instance/session.cc): describe and
// execute one parsed statement inside a transaction the session manages. Transaction control
// (BEGIN/COMMIT/ROLLBACK), SET/SHOW and prepared statements are the session's business; every
// other statement comes here.
//
// Thread safety: SqlEngine is shared by all sessions and thread-safe. A call runs on the
// session's thread with that session's ExecContext.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/sql/catalog/catalog.h"
#include "engine/sql/execution/exec_context.h"
#include "engine/storage/database.h"
#include "engine/types/type.h"

namespace nordlys::engine::sql {

struct ResultColumn {
  std::string name;
  types::Type type;
  uint32_t table_oid = 0;
  int16_t attnum = 0;
};

// Reads the client's COPY FROM STDIN data.
class CopyInSource {
 public:
  virtual ~CopyInSource() = default;
  // The next chunk of the stream; false at its end.
  virtual Result<bool> Next(std::string* chunk) = 0;
};

// Where a statement's results go; implemented by the session over pgwire's QuerySink.
class StatementOutput {
 public:
  virtual ~StatementOutput() = default;
  // Before the first row of a statement that returns rows.
  virtual Status Columns(const std::vector<ResultColumn>& columns) = 0;
  virtual Status Row(const sql::Row& row) = 0;
  virtual void Notice(const std::string& severity, const std::string& sqlstate,
                      const std::string& message) = 0;
  virtual Result<CopyInSource*> BeginCopyIn(size_t columns) = 0;
  virtual Status BeginCopyOut(size_t columns) = 0;
  virtual Status CopyData(std::string_view bytes) = 0;
  virtual Status EndCopyOut() = 0;
};

struct StatementInfo {
  std::vector<types::Type> param_types;  // resolved (unknown -> text)
  bool returns_rows = false;
  std::vector<ResultColumn> columns;
};

class SqlEngine {
 public:
  static Result<std::unique_ptr<SqlEngine>> Open(storage::Database* db);

  storage::Database* db() const { return db_; }
  Catalog* catalog() const { return catalog_.get(); }

  // Binds `stmt` (one element of the parse tree's "stmts": {"stmt": {...}}) to learn its
  // parameter types and result columns. `param_types` may be partly given (0/kUnknown =
  // infer). ctx needs db, txn (for the catalog view) and session.
  Result<StatementInfo> Describe(const nlohmann::json& stmt, std::string_view sql,
                                 std::vector<types::Type> param_types, ExecContext* ctx);

  // Runs the statement; returns the command tag ("SELECT 1", "INSERT 0 1"). ctx->params holds
  // the parameter values, converted to `param_types`.
  Result<std::string> Execute(const nlohmann::json& stmt, std::string_view sql,
                              const std::vector<types::Type>& param_types, ExecContext* ctx,
                              StatementOutput* out);

  // Statements that must not run inside a transaction block (VACUUM).
  static bool NeedsNoTransactionBlock(const nlohmann::json& stmt);

 private:
  explicit SqlEngine(storage::Database* db) : db_(db) {}
  storage::Database* const db_;
  std::unique_ptr<Catalog> catalog_;
};

}  // namespace nordlys::engine::sql
