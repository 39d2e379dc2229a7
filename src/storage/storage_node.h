// StorageNode: the `nordlys storage` process — holds segments of protection groups and serves
// them over RPC. This first version owns the node's identity on disk and the RPC endpoint; the
// segment log, quorum protocol and page materialization arrive with the storage service
// (issue #3) and plug into Handle().
//
// Thread safety: Start/Stop from one thread; Handle runs on RPC threads.
#pragma once

#include <memory>
#include <string>

#include "common/env.h"
#include "common/status.h"
#include "common/types.h"
#include "net/rpc.h"

namespace nordlys::storage {

struct StorageNodeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:0";
  std::string az;
  int io_threads = 2;
};

class StorageNode {
 public:
  // Creates or reopens the node's data directory. A directory made for another AZ is refused.
  static Result<std::unique_ptr<StorageNode>> Open(Env* env, const StorageNodeOptions& options);
  ~StorageNode();

  Status Start();
  // The address actually bound (port filled in when 0 was asked for).
  std::string address() const;
  void Stop();

 private:
  StorageNode(Env* env, StorageNodeOptions options) : env_(env), options_(std::move(options)) {}
  void Handle(uint16_t type, std::string payload, net::RpcServer::Responder respond);

  Env* env_;
  StorageNodeOptions options_;
  std::string host_;
  std::unique_ptr<net::RpcServer> server_;
};

}  // namespace nordlys::storage
