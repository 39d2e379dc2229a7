// LocalCluster: what `nordlys up` starts — a whole cluster as child processes on loopback, each
// with its own data directory and log file under one root directory.
//
// Today that is 6 storage nodes, 2 in each of 3 AZs. The writer, reader, endpoints and control
// plane join as they are built; Describe() says which parts are missing.
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
  // Storage nodes listen on base_port+1..base_port+6; 0 lets the OS choose every port.
  uint16_t base_port = 57100;
  uint64_t ready_timeout_ms = 10000;
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
  // Human-readable summary: addresses, logs, and what is not built yet.
  std::string Describe() const;
  // Names of members whose process has exited.
  std::vector<std::string> Exited();
  void Stop();

 private:
  LocalClusterOptions options_;
  std::vector<Member> members_;
};

}  // namespace nordlys::cluster
