// See sql_engine.h.
#include "engine/sql/sql_engine.h"

#include "engine/sql/errors.h"
#include "engine/sql/execution/statements.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;

Result<std::unique_ptr<SqlEngine>> SqlEngine::Open(storage::Database* db) {
  std::unique_ptr<SqlEngine> e(new SqlEngine(db));
  NORDLYS_ASSIGN_OR_RETURN(e->catalog_, Catalog::Open(db));
  return e;
}

bool SqlEngine::NeedsNoTransactionBlock(const nlohmann::json& stmt) {
  auto [kind, body] = NodeOf(stmt.contains("stmt") ? stmt["stmt"] : stmt);
  return kind == "VacuumStmt" && body->value("is_vacuumcmd", false);  // ANALYZE alone may
}

namespace {

// The command a READ ONLY transaction refuses, as PostgreSQL names it in 25006, or nullptr.
const char* WriteCommandName(const std::string& kind, const Json& s) {
  if (kind == "InsertStmt") return "INSERT";
  if (kind == "UpdateStmt") return "UPDATE";
  if (kind == "DeleteStmt") return "DELETE";
  if (kind == "CopyStmt") return s.value("is_from", false) ? "COPY FROM" : nullptr;
  if (kind == "CreateStmt") return "CREATE TABLE";
  if (kind == "IndexStmt") return "CREATE INDEX";
  if (kind == "CreateSeqStmt") return "CREATE SEQUENCE";
  if (kind == "CreateSchemaStmt") return "CREATE SCHEMA";
  if (kind == "ViewStmt") return "CREATE VIEW";
  if (kind == "AlterTableStmt" || kind == "RenameStmt") return "ALTER TABLE";
  if (kind == "TruncateStmt") return "TRUNCATE TABLE";
  if (kind == "CreateRoleStmt") return "CREATE ROLE";
  if (kind == "AlterRoleStmt") return "ALTER ROLE";
  if (kind == "DropRoleStmt") return "DROP ROLE";
  if (kind == "DropStmt") {
    std::string t = s.value("removeType", "");
    return t == "OBJECT_INDEX" ? "DROP INDEX" : t == "OBJECT_SEQUENCE" ? "DROP SEQUENCE" : t == "OBJECT_VIEW" ? "DROP VIEW"
           : t == "OBJECT_SCHEMA" ? "DROP SCHEMA" : "DROP TABLE";
  }
  return nullptr;
}

Result<std::string> Dispatch(const Json& stmt, StmtEnv& env) {
  auto [kind, body] = NodeOf(stmt.contains("stmt") ? stmt["stmt"] : stmt);
  const Json& s = *body;
  if (!env.describe && env.ctx->session != nullptr && env.ctx->session->read_only_transaction) {
    if (const char* what = WriteCommandName(kind, s)) {
      return SqlError("25006", std::string("cannot execute ") + what + " in a read-only transaction");
    }
  }
  if (kind == "SelectStmt") return ExecSelect(stmt.contains("stmt") ? stmt["stmt"] : stmt, env);
  if (kind == "InsertStmt") return ExecInsert(s, env);
  if (kind == "UpdateStmt") return ExecUpdate(s, env);
  if (kind == "DeleteStmt") return ExecDelete(s, env);
  if (kind == "CopyStmt") return ExecCopy(s, env);
  if (kind == "ExplainStmt") return ExecExplain(s, env);
  if (kind == "CreateRoleStmt" || kind == "AlterRoleStmt" || kind == "DropRoleStmt" ||
      (kind == "RenameStmt" && s.value("renameType", "") == "OBJECT_ROLE")) {
    return ExecRoleDdl(kind, s, env);
  }
  if (kind == "ViewStmt" || (kind == "DropStmt" && s.value("removeType", "") == "OBJECT_VIEW")) {
    return ExecViewDdl(kind, s, env);
  }
  if (kind == "CreateTableAsStmt" && s.value("objtype", "") == "OBJECT_MATVIEW") return Unsupported("materialized views");
  if (kind == "CreateStmt" || kind == "DropStmt" || kind == "IndexStmt" || kind == "AlterTableStmt" ||
      kind == "RenameStmt" || kind == "TruncateStmt" || kind == "CreateSeqStmt" ||
      kind == "CreateSchemaStmt" || kind == "VacuumStmt") {
    return ExecDdl(kind, s, env);
  }
  static const std::pair<const char*, const char*> kNames[] = {
      {"RefreshMatViewStmt", "REFRESH MATERIALIZED VIEW"}, {"CreateFunctionStmt", "CREATE FUNCTION"},
      {"CreateTrigStmt", "CREATE TRIGGER"},  {"CreatedbStmt", "CREATE DATABASE"},
      {"DropdbStmt", "DROP DATABASE"},       {"AlterRoleSetStmt", "ALTER ROLE ... SET"},
      {"GrantStmt", "GRANT/REVOKE"},         {"GrantRoleStmt", "GRANT/REVOKE of roles"},         {"DeclareCursorStmt", "DECLARE CURSOR"},
      {"LockStmt", "LOCK"},                  {"CommentStmt", "COMMENT"},
      {"CreateTableAsStmt", "CREATE TABLE AS"}, {"MergeStmt", "MERGE"},
      {"CreateExtensionStmt", "CREATE EXTENSION"}, {"DoStmt", "DO"},
      {"ListenStmt", "LISTEN"},              {"NotifyStmt", "NOTIFY"},
      {"CallStmt", "CALL"},                  {"CreateEnumStmt", "CREATE TYPE"},
      {"CompositeTypeStmt", "CREATE TYPE"},  {"CreateDomainStmt", "CREATE DOMAIN"},
      {"AlterSeqStmt", "ALTER SEQUENCE"},    {"ClusterStmt", "CLUSTER"},
      {"ReindexStmt", "REINDEX"},            {"CheckPointStmt", "CHECKPOINT"},
  };
  for (const auto& [k, name] : kNames) {
    if (kind == k) return Unsupported(name);
  }
  return Unsupported("statement " + kind);
}

}  // namespace

Result<StatementInfo> SqlEngine::Describe(const nlohmann::json& stmt, std::string_view sql,
                                          std::vector<Type> param_types, ExecContext* ctx) {
  StatementInfo info;
  StmtEnv env;
  env.engine = this;
  env.ctx = ctx;
  env.sql = sql;
  env.param_types = &param_types;
  env.describe = true;
  env.info = &info;
  Result<std::string> r = Status::Internal("unset");
  try {
    r = Dispatch(stmt, env);
  } catch (const std::exception& e) {
    // A parse-tree shape this code did not expect: an internal error, never a crash.
    return SqlError("XX000", std::string("unexpected parse tree: ") + e.what());
  }
  if (!r.ok()) return r.status();
  for (auto& t : param_types) {
    if (t.id == TypeId::kUnknown) t = Type(TypeId::kText);
  }
  info.param_types = param_types;
  return info;
}

Result<std::string> SqlEngine::Execute(const nlohmann::json& stmt, std::string_view sql,
                                       const std::vector<Type>& param_types, ExecContext* ctx,
                                       StatementOutput* out) {
  std::vector<Type> types = param_types;
  StmtEnv env;
  env.engine = this;
  env.ctx = ctx;
  env.out = out;
  env.sql = sql;
  env.param_types = &types;
  try {
    return Dispatch(stmt, env);
  } catch (const std::exception& e) {
    return SqlError("XX000", std::string("unexpected parse tree: ") + e.what());
  }
}

}  // namespace nordlys::engine::sql
