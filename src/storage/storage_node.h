// StorageNode: the `nordlys storage` process — holds segments of protection groups and serves
// the storage protocol (proto/storage_protocol.h) over RPC on top of a SegmentStore:
//   - every request is decoded (a bad payload is answered with an error, never trusted) and run
//     on the store under one mutex;
//   - WriteBatch is answered only after a Sync() covered it: the I/O thread appends every batch
//     one read from a connection brought, then (RpcServer's after_burst) does one fdatasync for
//     every batch waiting and answers each with the SCLs of its PGs. Batches that arrive during
//     the fdatasync wait in the socket and form the next group;
//   - a background thread, every ~50 ms, asks the store what it is missing (GossipWants), fetches
//     it from peers over RPC (own EventLoop) and appends+syncs it; it also runs Coalesce, Scrub
//     and CollectGarbage in small bounded steps. While the machine has no idle CPU (or requests
//     flood in) it coalesces only pages whose redo chains have grown long (4x
//     records_per_image): images are for reads, and foreground work comes first.
//
// Thread safety: Open/Start/Stop from one thread; Handle and CommitQueued run on RPC threads;
// the background thread is owned here and joined by Stop().
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "common/types.h"
#include "net/rpc.h"
#include "storage/gossip_peers.h"
#include "storage/segment_store.h"

namespace nordlys::storage {

struct StorageNodeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:0";
  std::string az;
  // One thread serves every connection and runs the group commit: no hand-off per batch. More
  // threads let reads proceed during an fdatasync, at the price of wake-ups between them.
  int io_threads = 1;
  NodeId node_id;  // 0: unknown; gossip then skips this node's own address instead
  uint32_t records_per_image = 128;  // see SegmentStoreOptions
  uint64_t background_interval_ms = 50;
  // Zeros kept written ahead of the log's end (SegmentStoreOptions::log_zero_ahead_bytes).
  uint64_t log_zero_ahead_bytes = SegmentStoreOptions{}.log_zero_ahead_bytes;
};

class StorageNode {
 public:
  // Creates or reopens the node's data directory (segments under DATA_DIR/segments) and
  // recovers the segment store. A directory made for another AZ is refused.
  static Result<std::unique_ptr<StorageNode>> Open(Env* env, const StorageNodeOptions& options);
  ~StorageNode();

  Status Start();
  // The address actually bound (port filled in when 0 was asked for).
  std::string address() const;
  // Stops serving, answers or fails every waiting WriteBatch, joins the threads. Idempotent.
  void Stop();

 private:
  StorageNode(Env* env, StorageNodeOptions options) : env_(env), options_(std::move(options)) {}
  void Handle(uint16_t type, std::string payload, net::RpcServer::Responder respond);
  void CommitQueued();
  void BackgroundLoop();
  void GossipOnce();
  net::RpcClient* ClientFor(const std::string& address);

  struct Waiter {
    Epoch epoch;  // the batch's; a promise made to a newer writer before the sync fences it
    std::vector<PgId> pgs;
    net::RpcServer::Responder respond;
  };

  Env* env_;
  StorageNodeOptions options_;
  std::string host_;
  std::unique_ptr<net::RpcServer> server_;

  std::mutex mu_;                         // serializes every call into store_
  std::unique_ptr<SegmentStore> store_;   // GUARDED_BY(mu_)

  std::mutex commit_mu_;
  std::condition_variable stop_cv_;  // wakes the background thread on Stop()
  // Appended, waiting for the next CommitQueued. GUARDED_BY(commit_mu_); <= kCommitQueueMax.
  std::vector<Waiter> commit_queue_;
  bool stopping_ = false;  // GUARDED_BY(commit_mu_)
  std::thread background_thread_;
  std::atomic<uint64_t> foreground_requests_{0};

  // Gossip clients, used only by the background thread.
  std::unique_ptr<net::EventLoop> peer_loop_;
  std::map<std::string, std::unique_ptr<net::RpcClient>> peers_;
  GossipPeerPicker gossip_peers_;  // used by the background thread only
};

}  // namespace nordlys::storage
