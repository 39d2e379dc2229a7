// The volume client's real seams: StorageChannel over Nordlys RPC (one net::RpcClient per
// storage node, addresses from the Geometry) and a Scheduler on a net::EventLoop's timers.
// The simulator (tests/sim) provides its own virtual-time versions of both.
//
// Thread safety: both classes may be used from any thread. Callbacks run on the EventLoop's
// threads, never inside Call()/RunAfter().
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "net/rpc.h"
#include "volume/geometry.h"
#include "volume/storage_channel.h"

namespace nordlys::volume {

class RpcStorageChannel final : public StorageChannel {
 public:
  // `loop` must outlive the channel. Nodes whose address does not parse answer Unavailable.
  RpcStorageChannel(net::EventLoop* loop, const Geometry& geometry);
  void Call(NodeId node, uint16_t type, std::string payload, uint64_t timeout_ms,
            Callback cb) override;
  void CallShared(NodeId node, uint16_t type, std::shared_ptr<const std::string> payload,
                  uint64_t timeout_ms, Callback cb) override;
  void Learn(NodeId node, const std::string& address) override;

 private:
  // The node's client, or nullptr after posting Unavailable to cb (cb is then moved from).
  net::RpcClient* ClientOr(NodeId node, Callback* cb);

  net::EventLoop* const loop_;
  std::mutex mu_;
  // Grows only (Learn); a client is never destroyed while the channel lives, so a pointer taken
  // under mu_ stays valid after it is released.
  std::map<NodeId, std::unique_ptr<net::RpcClient>> clients_;  // GUARDED_BY(mu_)
};

class EventLoopScheduler final : public Scheduler {
 public:
  explicit EventLoopScheduler(net::EventLoop* loop) : loop_(loop) {}
  void RunAfter(uint64_t delay_micros, std::function<void()> fn) override;
  uint64_t NowMicros() override;  // steady clock

 private:
  net::EventLoop* const loop_;
};

}  // namespace nordlys::volume
