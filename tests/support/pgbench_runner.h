// Running PostgreSQL 15's pgbench and reading what it reports: shared by the pgbench
// integration test (tests/integration/pgbench_test.cc) and the benchmark (bench/pgbench_bench.cc).
//
// Thread safety: a PgbenchRun is used by one thread (see Subprocess on PDEATHSIG).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/subprocess.h"

namespace nordlys::testing {

inline constexpr const char* kPgbenchPath = "/usr/lib/postgresql/15/bin/pgbench";

// What one pgbench invocation reported; -1 for a figure it did not print.
struct PgbenchResult {
  int exit_code = -1;
  std::string output;      // stdout and stderr
  long processed = -1;     // "number of transactions actually processed"
  long failed = -1;        // "number of failed transactions" (pgbench 15)
  double tps = -1;         // "tps = ... (without initial connection time)"
  double latency_ms = -1;  // "latency average = ... ms"

  // The lines a reader wants: progress, tps, latency, counts, aborted clients, errors.
  std::string InterestingLines() const;
};

PgbenchResult ParsePgbenchOutput(int exit_code, std::string output);

// One pgbench process; its output goes to log_path.
class PgbenchRun {
 public:
  // Runs `pgbench <args> <conninfo>`.
  static Result<std::unique_ptr<PgbenchRun>> Start(const std::vector<std::string>& args,
                                                   const std::string& conninfo,
                                                   const std::string& log_path);
  // Waits up to timeout_ms (then kills it; exit_code stays -1) and parses the output.
  PgbenchResult Finish(uint64_t timeout_ms);

 private:
  PgbenchRun() = default;
  Subprocess process_;
  std::string log_path_;
};

// Start + Finish.
PgbenchResult RunPgbench(const std::vector<std::string>& args, const std::string& conninfo,
                         const std::string& log_path, uint64_t timeout_ms);

}  // namespace nordlys::testing
