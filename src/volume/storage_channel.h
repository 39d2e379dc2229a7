// The volume client's two seams, so the same code runs against real storage nodes over RPC and
// inside the deterministic simulator:
//   StorageChannel — send a storage-protocol request to a node and get the answer later;
//   Scheduler      — run a function later (flush rounds, retries, hedged reads).
// Real implementations: rpc_channel.h (net::RpcClient per node, net::EventLoop timers).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/types.h"

namespace nordlys::volume {

class StorageChannel {
 public:
  using Callback = std::function<void(Result<std::string> payload)>;
  virtual ~StorageChannel() = default;
  // Sends `payload` of message `type` (proto::k*) to `node`. `cb` runs exactly once, later
  // (never inside Call), with the answer, the node's error status, Unavailable or Timeout.
  virtual void Call(NodeId node, uint16_t type, std::string payload, uint64_t timeout_ms,
                    Callback cb) = 0;
  // The same with a payload that several calls share (a round's batch to the nodes that hold
  // the same PGs). A channel that can send it without a copy per node overrides this.
  virtual void CallShared(NodeId node, uint16_t type, std::shared_ptr<const std::string> payload,
                          uint64_t timeout_ms, Callback cb) {
    Call(node, type, *payload, timeout_ms, std::move(cb));
  }
  // A node not in the geometry became a PG member (a membership change, or one learned at
  // recovery): from now on Call(node, ...) must reach `address`. Idempotent. A channel that
  // can reach any node by id without addresses (the simulator's) may ignore it.
  virtual void Learn(NodeId node, const std::string& address) {}
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void RunAfter(uint64_t delay_micros, std::function<void()> fn) = 0;
  virtual uint64_t NowMicros() = 0;
};

}  // namespace nordlys::volume
