// Child processes: start one with its output sent to a log file, signal it, reap it. Used by
// `nordlys up` to run a local cluster and by the integration-test harness.
//
// Children die with their parent: each is started with PR_SET_PDEATHSIG(SIGKILL), so neither an
// interrupted test nor a killed `nordlys up` leaves stray processes behind.
//
// Thread safety: a Subprocess is used by one thread at a time. PDEATHSIG fires when the thread
// that called Start() exits, so start children from a long-lived thread (main).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace nordlys {

class Subprocess {
 public:
  Subprocess() = default;
  ~Subprocess();  // SIGKILLs and reaps a child that is still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // argv[0] is the program path. stdout and stderr go to log_path (appended).
  Status Start(const std::vector<std::string>& argv, const std::string& log_path);
  bool running();
  pid_t pid() const { return pid_; }
  Status Signal(int sig);
  // Waits up to timeout_ms for exit; returns the exit code (128+signal if killed), or Timeout.
  Result<int> Wait(uint64_t timeout_ms);
  // SIGKILL and reap. Idempotent.
  void Kill();
  // SIGTERM, wait up to grace_ms, then SIGKILL.
  int Stop(uint64_t grace_ms);
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

// Path of the running executable (/proc/self/exe).
std::string SelfExecutable();

}  // namespace nordlys

namespace nordlys {

// Waits until `path` exists and is non-empty (a process writes it atomically once it is ready to
// serve) and returns its first line. Fails early, with the tail of the process's log, if the
// process exits first; Timeout after timeout_ms.
Result<std::string> WaitForReadyFile(Subprocess* p, const std::string& path, uint64_t timeout_ms);

// The last `max_lines` lines of a text file ("" if unreadable).
std::string TailOfFile(const std::string& path, size_t max_lines);

}  // namespace nordlys
