// StatementTimer: statement_timeout for every session of the process. A session arms it with a
// deadline and its cancel flag before a statement runs and disarms it after; one thread sets the
// flag of every statement still running at its deadline to kStatementTimeout, so the statement
// stops at its next cancel check (rows, lock waits, the DDL lock) with 57014.
//
// Thread safety: Arm and Disarm from any thread. The timer thread starts on first use and lives
// as long as the process.
#pragma once

#include <chrono>
#include <cstdint>

#include "engine/storage/txn.h"

namespace nordlys::instance {

class StatementTimer {
 public:
  static StatementTimer& Get();
  // Returns the id Disarm takes. `flag` must stay valid until Disarm returns.
  uint64_t Arm(std::chrono::steady_clock::time_point deadline, engine::storage::CancelFlag* flag);
  // After Disarm, the timer no longer touches the flag; a timeout it already set stays set.
  void Disarm(uint64_t id);

 private:
  StatementTimer();
  struct Impl;
  Impl* impl_;  // never freed: the thread runs until the process exits
};

// Arms the timer for one statement when `timeout_ms` > 0, disarms it when it goes out of scope
// and clears a timeout it caused, so the next statement starts with a clear flag.
class ScopedStatementTimeout {
 public:
  ScopedStatementTimeout(int64_t timeout_ms, engine::storage::CancelFlag* flag);
  ~ScopedStatementTimeout();
  ScopedStatementTimeout(const ScopedStatementTimeout&) = delete;
  ScopedStatementTimeout& operator=(const ScopedStatementTimeout&) = delete;

 private:
  engine::storage::CancelFlag* flag_;
  uint64_t id_ = 0;
};

}  // namespace nordlys::instance
