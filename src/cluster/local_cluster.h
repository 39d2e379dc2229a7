// LocalCluster: what `nordlys up` starts — a whole cluster as child processes on loopback, each
// with its own data directory and log file under one root directory.
//
// Today that is 6 storage nodes, 2 in each of 3 AZs, and the SQL writer instance on top of them
// (`nordlys instance --role writer`). Readers, endpoints and the control plane join as they are
// built; Describe() says which parts are missing.
//
// Thread safety: one thread (the one that called Start; see Subprocess on PDEATHSIG).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/subprocess.h"

namespace nordlys::cluster {

struct LocalClusterOptions {
  std::string data_dir = "nordlys-data";
  std::string nordlys_bin;  // default: this executable
  std::string host = "127.0.0.1";
  // The writer listens on base_port, storage nodes on base_port+1..base_port+6; 0 lets the OS
  // choose every port.
  uint16_t base_port = 57100;
  uint64_t ready_timeout_ms = 30000;
  bool with_writer = true;
  // Extra flags for the writer (e.g. {"--auth", "md5"}) and for every storage node.
  std::vector<std::string> writer_args;
  std::vector<std::string> storage_args;
};

class LocalCluster {
 public:
  struct Member {
    std::string name;  // storage-a1, ...
    std::string az;
    std::string address;
    std::string data_dir;
    std::string ready_file;
    std::vector<std::string> argv;
    std::unique_ptr<Subprocess> proc;
  };

  // Starts every member and waits until each is ready; on failure stops what it started.
  static Result<std::unique_ptr<LocalCluster>> Start(const LocalClusterOptions& options);
  ~LocalCluster();

  std::vector<Member>& members() { return members_; }
  Member* FindMember(const std::string& name);
  // postgresql://postgres@HOST:PORT/postgres for the writer ("" without a writer).
  std::string ConnectionString() const;
  // Sends `signal` to a member (SIGKILL for a crash test) and, for a fatal one, reaps it.
  Status KillMember(const std::string& name, int signal);
  // Starts a stopped member again with the same flags and address, and waits until it is ready.
  Status RestartMember(const std::string& name);
  // Human-readable summary: addresses, logs, and what is not built yet.
  std::string Describe() const;
  // Names of members whose process has exited.
  std::vector<std::string> Exited();
  void Stop();

 private:
  Status StartMember(Member* m);
  Status WaitReady(Member* m);
  LocalClusterOptions options_;
  std::string root_;
  std::vector<Member> members_;
};

}  // namespace nordlys::cluster
