// WriterInstance: the process behind `nordlys instance --role writer` — a volume client on the
// shared storage nodes, the database on it (engine/storage), the SQL backend (session.h) and
// the PostgreSQL protocol server, started in that order and stopped in reverse.
//
// Startup recovers the volume first (fencing any older writer: see volume_client.h), retrying
// while fewer than a quorum of storage nodes answer, so a cluster can start its storage nodes
// and its writer in any order.
//
// Thread safety: Start/Stop from one thread; the running instance serves clients on its own
// threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "pgwire/hba.h"
#include "volume/geometry.h"

namespace nordlys::instance {

struct WriterOptions {
  std::string listen = "127.0.0.1:5432";  // port 0: the OS picks (see port())
  std::vector<volume::NodeInfo> storage_nodes;
  uint64_t pages_per_pg = 16384;          // 128 MiB protection groups
  pgwire::AuthMethod auth = pgwire::AuthMethod::kTrust;
  std::optional<pgwire::HbaConfig> hba;   // rules per user/database/address; overrides `auth`
  size_t buffer_pool_pages = 131072;      // 1 GiB
  int worker_threads = 64;                // sessions running a statement at once
  size_t max_connections = 200;
  uint64_t recover_timeout_ms = 60000;    // give up if no quorum answers by then
  // Page versions storage keeps: the GC horizon (engine/storage/gc_horizon.h) trails the oldest
  // read point in flight by this long. The backup/PITR window later.
  uint64_t retention_seconds = 3600;
};

// Parses "--storage" lists: "az-a=127.0.0.1:57101,az-a=127.0.0.1:57102,..." (node ids are the
// 1-based positions, as `nordlys storage --node-id` is given them).
Result<std::vector<volume::NodeInfo>> ParseStorageNodes(const std::string& spec);

class WriterInstance {
 public:
  static Result<std::unique_ptr<WriterInstance>> Start(const WriterOptions& options);
  ~WriterInstance();
  uint16_t port() const;
  // True once a newer writer has fenced this one; the process should exit.
  bool fenced() const;
  void Stop();

  struct Impl;

 private:
  explicit WriterInstance(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nordlys::instance
