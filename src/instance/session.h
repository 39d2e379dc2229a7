// The SQL session behind the PostgreSQL protocol: SqlBackend implements pgwire::Backend over
// the SQL engine (engine/sql/sql_engine.h), and each connection gets a session that keeps
// PostgreSQL's transaction-block state machine (implicit transactions per simple query or per
// extended-protocol batch up to Sync, BEGIN/COMMIT/ROLLBACK blocks, the failed state where only
// ROLLBACK works), SET/SHOW/RESET, prepared statements and portals.
//
// Authentication: PasswordVerifier answers NotFound (no roles yet), so only trust rules admit
// clients. Connect accepts any user and database name; current_user and current_database()
// report what the client asked for.
//
// Thread safety: SqlBackend is thread-safe. A session is called by pgwire from one thread at a
// time, except Cancel (any thread).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"
#include "engine/sql/sql_engine.h"
#include "engine/storage/database.h"
#include "pgwire/backend.h"

namespace nordlys::instance {

class SqlBackend : public pgwire::Backend {
 public:
  // Loads the catalog (creating its first rows on a freshly bootstrapped database).
  static Result<std::unique_ptr<SqlBackend>> Open(engine::storage::Database* db);

  Result<std::string> PasswordVerifier(const std::string& user) override;
  Result<std::unique_ptr<pgwire::Session>> Connect(const pgwire::StartupInfo& startup) override;

  engine::sql::SqlEngine* engine() const { return engine_.get(); }

 private:
  explicit SqlBackend(std::unique_ptr<engine::sql::SqlEngine> engine) : engine_(std::move(engine)) {}
  std::unique_ptr<engine::sql::SqlEngine> engine_;
  std::atomic<int32_t> next_pid_{1000};
};

}  // namespace nordlys::instance
