// PgOracle: a private PostgreSQL 15 server for tests and benchmarks — the oracle that SQL
// behaviour is checked against and the yardstick that speed is measured against.
//
// Start() runs initdb into a fresh directory (C locale, UTF8, trust auth for user "postgres"),
// then runs `postgres` in the foreground as a child of this process, listening on 127.0.0.1 at a
// free port and on a unix socket inside that directory. PostgreSQL refuses to run as root, so
// when this process is root, initdb and postgres run as user `nobody` (the directory is handed
// to it). The server keeps PostgreSQL's durable defaults (fsync, synchronous_commit, full page
// writes) unless `durable` is false — the benchmark compares against those defaults; the
// differential test may turn them off to go faster.
//
// Lifetime: the postmaster carries PR_SET_PDEATHSIG(SIGKILL), so a test killed by a timeout
// takes its server along; Stop() shuts it down fast, and the destructor also removes the
// directory unless keep_dir is set.
//
// Thread safety: start and stop from one long-lived thread (PDEATHSIG fires when the thread
// that forked the server exits). Connection strings may be used from any thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace nordlys::testing {

struct PgOracleOptions {
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  // Parent of the server's directory; a fresh nordlys-pg-XXXXXX is made inside it.
  std::string parent_dir = "/tmp";
  // false: fsync=off, synchronous_commit=off, full_page_writes=off (tests that do not measure
  // or depend on durability).
  bool durable = true;
  // Extra server settings, as name=value (passed as -c name=value).
  std::vector<std::string> settings;
  // Leave the directory (data, logs) behind after Stop(), for a post-mortem.
  bool keep_dir = false;
  uint64_t start_timeout_ms = 60000;
};

class PgOracle {
 public:
  // Whether the PostgreSQL 15 binaries are installed; *why says what is missing.
  static bool Available(const std::string& bin_dir, std::string* why);

  static Result<std::unique_ptr<PgOracle>> Start(const PgOracleOptions& options);
  ~PgOracle();
  PgOracle(const PgOracle&) = delete;
  PgOracle& operator=(const PgOracle&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/DBNAME — the same form LocalCluster gives for Nordlys.
  std::string ConnectionString(const std::string& dbname = "postgres") const;
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& bin_dir() const { return options_.bin_dir; }
  std::string log_path() const { return dir_ + "/postgres.log"; }
  pid_t pid() const { return pid_; }
  bool running();

  // Fast shutdown (SIGINT), SIGKILL after grace_ms. Idempotent.
  void Stop(uint64_t grace_ms = 30000);

 private:
  PgOracle() = default;
  Status Launch();

  PgOracleOptions options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Runs `argv` to completion as the user PostgreSQL binaries must run as (nobody when we are
// root), output appended to log_path; returns the exit code (128+signal if killed). Used for
// initdb here and available to tests that run other PostgreSQL tools on a PgOracle's files.
Result<int> RunAsPostgresUser(const std::vector<std::string>& argv, const std::string& log_path,
                              uint64_t timeout_ms);

}  // namespace nordlys::testing
