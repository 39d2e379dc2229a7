// RpcStorageChannel and EventLoopScheduler; see rpc_channel.h.
#include "volume/rpc_channel.h"

#include <chrono>

#include "common/log.h"

namespace nordlys::volume {

RpcStorageChannel::RpcStorageChannel(net::EventLoop* loop, const Geometry& geometry)
    : loop_(loop) {
  for (const NodeInfo& n : geometry.nodes()) {
    std::string host;
    uint16_t port = 0;
    Status s = net::ParseHostPort(n.address, &host, &port);
    if (!s.ok()) {
      log::Warn("volume", "storage node address unusable",
                {{"node", n.id}, {"address", n.address}, {"error", s.ToString()}});
      continue;
    }
    clients_[n.id] = std::make_unique<net::RpcClient>(loop, host, port);
  }
}

net::RpcClient* RpcStorageChannel::ClientOr(NodeId node, Callback* cb) {
  {
    std::lock_guard lock(mu_);
    auto it = clients_.find(node);
    if (it != clients_.end()) return it->second.get();
  }
  // Posted, not called: the contract is that cb never runs inside Call().
  loop_->Post([cb = std::move(*cb), node] {
    cb(Status::Unavailable("no address for storage node " + std::to_string(node.value())));
  });
  return nullptr;
}

void RpcStorageChannel::Call(NodeId node, uint16_t type, std::string payload,
                             uint64_t timeout_ms, Callback cb) {
  // RpcClient::Call posts to its strand, so cb never runs inline either.
  if (net::RpcClient* client = ClientOr(node, &cb)) {
    client->Call(type, std::move(payload), timeout_ms, std::move(cb));
  }
}

void RpcStorageChannel::CallShared(NodeId node, uint16_t type,
                                   std::shared_ptr<const std::string> payload,
                                   uint64_t timeout_ms, Callback cb) {
  if (net::RpcClient* client = ClientOr(node, &cb)) {
    client->Call(type, std::move(payload), timeout_ms, std::move(cb));
  }
}

void RpcStorageChannel::Learn(NodeId node, const std::string& address) {
  std::lock_guard lock(mu_);
  if (clients_.count(node)) return;
  std::string host;
  uint16_t port = 0;
  Status s = net::ParseHostPort(address, &host, &port);
  if (!s.ok()) {
    log::Warn("volume", "learned storage node address unusable",
              {{"node", node}, {"address", address}, {"error", s.ToString()}});
    return;
  }
  clients_[node] = std::make_unique<net::RpcClient>(loop_, host, port);
}

void EventLoopScheduler::RunAfter(uint64_t delay_micros, std::function<void()> fn) {
  loop_->RunAfterMicros(delay_micros, std::move(fn));
}

uint64_t EventLoopScheduler::NowMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace nordlys::volume
