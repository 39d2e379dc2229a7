// Integration-test harness: starts real `nordlys` processes on free loopback ports, waits until
// each is ready, and always cleans up.
//
// - Ports: every process is started with --listen 127.0.0.1:0 and reports the port it bound in
//   its --ready-file, so there is no race for "free" ports between parallel tests.
// - Readiness: Start() returns once the ready file appears, or fails with the process's log.
// - Cleanup: the destructor SIGKILLs and reaps every process; children also carry
//   PR_SET_PDEATHSIG, so a test binary killed by ctest's timeout or Ctrl-C takes them along.
// - Logs: on a failed test the destructor prints the tail of every process's log, and keeps the
//   test directory (printed) for a post-mortem; on success the directory is removed.
//
// Thread safety: use from the test's main thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/subprocess.h"

namespace nordlys::testing {

class Harness {
 public:
  struct Proc {
    std::string name;
    std::vector<std::string> args;  // after the binary, without --listen/--ready-file
    std::string ready_file;
    std::string address;  // host:port once ready
    std::unique_ptr<Subprocess> process;
  };

  Harness();
  ~Harness();

  // Path of the nordlys binary under test.
  static std::string Binary();
  // Per-test scratch directory.
  const std::string& dir() const { return dir_; }

  // Starts `nordlys <args> --listen 127.0.0.1:0 --ready-file F` and waits until it is ready.
  Result<Proc*> Start(const std::string& name, std::vector<std::string> args,
                      uint64_t ready_timeout_ms = 15000);
  // Convenience: a storage node with its own data dir under dir().
  Result<Proc*> StartStorage(const std::string& name, const std::string& az);
  // Restarts a stopped or killed process with the same arguments and port.
  Status Restart(Proc* p, uint64_t ready_timeout_ms = 15000);
  void Kill9(Proc* p);
  Proc* Get(const std::string& name);

  // Runs `nordlys <args>` to completion; returns exit code, fills *output with stdout+stderr.
  static int Run(const std::vector<std::string>& args, std::string* output,
                 uint64_t timeout_ms = 30000);

 private:
  Status Launch(Proc* p, const std::string& listen, uint64_t ready_timeout_ms);

  std::string dir_;
  std::map<std::string, std::unique_ptr<Proc>> procs_;
};

}  // namespace nordlys::testing
