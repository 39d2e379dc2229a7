// Simulator world, network and nodes; see sim.h.
#include "sim.h"

#include "common/log.h"
#include "storage/request_dispatch.h"

namespace nordlys::sim {

// ---- SimWorld ------------------------------------------------------------------------------

SimWorld::SimWorld(uint64_t seed, SimFaults faults) : rng_(seed), faults_(faults) {
  std::vector<volume::NodeInfo> infos;
  uint64_t id = 1;
  for (std::string az : {"az-a", "az-b", "az-c"}) {
    for (int i = 0; i < 2; ++i, ++id) {
      nodes_.push_back(std::make_unique<SimNode>(this, NodeId(id), az, seed * 131 + id));
      infos.push_back({NodeId(id), az, nodes_.back()->address()});
    }
  }
  auto g = volume::Geometry::Make(infos, /*pages_per_pg=*/8);
  NORDLYS_ASSERT(g.ok());
  geometry_ = std::make_unique<volume::Geometry>(std::move(g).value());
  for (auto& n : nodes_) NORDLYS_ASSERT(n->Restart().ok());
}

SimWorld::~SimWorld() = default;

void SimWorld::RunAfter(uint64_t delay_micros, std::function<void()> fn) {
  events_.push(Event{now_us_ + delay_micros, seq_++, std::move(fn)});
}

bool SimWorld::RunUntil(uint64_t until_us, const std::function<bool()>& stop) {
  while (!events_.empty() && events_.top().at_us <= until_us) {
    NORDLYS_ASSERT(events_run_ < kMaxEvents);  // a livelock in the protocol or the test
    Event e = events_.top();
    events_.pop();
    NORDLYS_ASSERT(e.at_us >= now_us_);
    now_us_ = e.at_us;
    ++events_run_;
    e.fn();
    if (stop && stop()) return true;
  }
  now_us_ = std::max(now_us_, until_us);
  return stop && stop();
}

SimNode* SimWorld::AddNode(const std::string& az) {
  NodeId id(nodes_.size() + 1);
  nodes_.push_back(std::make_unique<SimNode>(this, id, az, rng_.Next()));
  NORDLYS_ASSERT(nodes_.back()->Restart().ok());
  return nodes_.back().get();
}

SimNode* SimWorld::node(NodeId id) {
  for (auto& n : nodes_) {
    if (n->id() == id) return n.get();
  }
  return nullptr;
}

SimNode* SimWorld::NodeByAddress(const std::string& address) {
  for (auto& n : nodes_) {
    if (n->address() == address) return n.get();
  }
  return nullptr;
}

bool SimWorld::Reachable(const std::string& from_az, const std::string& to_az) const {
  return !cut_azs_.count(from_az) && !cut_azs_.count(to_az);
}

uint64_t SimWorld::Delay() {
  return faults_.delay_min_us + rng_.Uniform(faults_.delay_max_us - faults_.delay_min_us + 1);
}

void SimWorld::Send(const std::string& from_az, NodeId to, uint16_t type, std::string payload,
                    uint64_t timeout_us, std::function<void(Result<std::string>)> cb) {
  auto done = std::make_shared<bool>(false);
  auto finish = [done, cb = std::move(cb)](Result<std::string> r) {
    if (*done) return;
    *done = true;
    cb(std::move(r));
  };
  RunAfter(timeout_us, [finish] { finish(Status::Timeout("simulated request timed out")); });
  SimNode* target = node(to);
  NORDLYS_ASSERT(target != nullptr);
  int copies = rng_.Chance(faults_.duplicate) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    if (!Reachable(from_az, target->az()) || rng_.Chance(faults_.drop)) continue;
    RunAfter(Delay(), [this, from_az, target, type, payload, finish, c] {
      if (!target->up()) {
        // Connection refused comes back quickly, unless the network eats it too.
        if (Reachable(from_az, target->az())) {
          RunAfter(Delay(), [finish] { finish(Status::Unavailable("connection refused")); });
        }
        return;
      }
      target->Handle(type, payload, [this, from_az, target, finish, c](Result<std::string> r) {
        if (c > 0) return;  // the duplicate's answer is a second answer: dropped by `done` anyway
        if (!Reachable(target->az(), from_az) || rng_.Chance(faults_.drop)) return;
        RunAfter(Delay(), [finish, r = std::move(r)]() mutable { finish(std::move(r)); });
      });
    });
  }
}

void SimWorld::Channel::Call(NodeId node, uint16_t type, std::string payload, uint64_t timeout_ms,
                             Callback cb) {
  if (!enabled_) {
    // A dead writer: its messages go nowhere, but the contract says cb runs once, later.
    world_->RunAfter(timeout_ms * 1000, [cb] { cb(Status::Unavailable("writer is dead")); });
    return;
  }
  world_->Send("", node, type, std::move(payload), timeout_ms * 1000, std::move(cb));
}

// ---- SimNode -------------------------------------------------------------------------------

SimNode::SimNode(SimWorld* world, NodeId id, std::string az, uint64_t seed)
    : world_(world), id_(id), az_(std::move(az)), disk_(seed) {}

void SimNode::Crash(bool torn) {
  store_.reset();
  ++incarnation_;
  waiting_sync_.clear();
  sync_scheduled_ = false;
  gossip_in_flight_.clear();
  disk_.Crash(torn);
}

Status SimNode::Restart() {
  store_.reset();
  ++incarnation_;
  waiting_sync_.clear();
  sync_scheduled_ = false;
  gossip_in_flight_.clear();
  storage::SegmentStoreOptions o;
  o.dir = "/node";
  o.records_per_image = 8;
  o.log_file_bytes_max = 256 << 10;  // small files so GC and rolling are exercised
  o.log_zero_ahead_bytes = 64 << 10;  // appends land on zeros and grow files, both
  o.self = id_;
  NORDLYS_RETURN_IF_ERROR(disk_.CreateDirs(o.dir));
  NORDLYS_ASSIGN_OR_RETURN(store_, storage::SegmentStore::Open(&disk_, o));
  uint64_t inc = incarnation_;
  // Background work every 20 ms of virtual time while this incarnation lives.
  auto self = this;
  std::shared_ptr<std::function<void()>> loop = std::make_shared<std::function<void()>>();
  *loop = [self, inc, loop] {
    if (self->incarnation_ != inc || !self->up()) return;
    self->Tick();
    self->world_->RunAfter(20'000, *loop);
  };
  world_->RunAfter(20'000 + world_->rng().Uniform(5000), *loop);
  return Status::OK();
}

void SimNode::Wipe() {
  Crash(false);
  (void)disk_.DeleteDirRecursive("/node");
}

void SimNode::ScheduleSync() {
  if (sync_scheduled_) return;
  sync_scheduled_ = true;
  uint64_t inc = incarnation_;
  world_->RunAfter(world_->faults().disk_sync_us, [this, inc] {
    if (incarnation_ != inc || !up()) return;
    sync_scheduled_ = false;
    auto waiting = std::move(waiting_sync_);
    waiting_sync_.clear();
    Status s = store_->Sync();
    for (auto& w : waiting) {
      if (!s.ok()) {
        w.respond(s);
      } else if (w.epoch < store_->epoch()) {
        // Promised to a newer writer before this sync: never acknowledge (as StorageNode).
        w.respond(Status::Fenced("WriteBatch: epoch fenced before the batch was durable"));
      } else {
        w.respond(proto::EncodeToString(store_->Scls(w.pgs)));
      }
    }
  });
}

void SimNode::Handle(uint16_t type, const std::string& payload,
                     std::function<void(Result<std::string>)> respond) {
  NORDLYS_ASSERT(up());
  if (type != proto::kWriteBatch) {
    // Everything else is answered at once, by the storage process's own dispatch.
    return respond(storage::HandleStoreRequest(store_.get(), type, payload));
  }
  proto::WriteBatchRequest req;
  Status s = proto::Decode(payload, &req);
  if (s.ok()) s = store_->AppendBatch(req);
  if (!s.ok()) return respond(s);
  waiting_sync_.push_back({req.epoch, req.pgs, std::move(respond)});
  ScheduleSync();
}

void SimNode::Tick() {
  for (auto& want : store_->GossipWants()) {
    PgId pg = want.request.pg;
    if (gossip_in_flight_.count(pg)) continue;
    const proto::PgMember* peer = gossip_peers_.Pick(pg, want.peers, address());
    if (peer == nullptr) continue;
    SimNode* target = world_->NodeByAddress(peer->address);
    if (target == nullptr) {
      gossip_peers_.Report(pg, false);
      continue;
    }
    gossip_in_flight_.insert(pg);
    uint64_t inc = incarnation_;
    proto::FetchRecordsRequest req = want.request;
    world_->Send(az_, target->id(), proto::kFetchRecords, proto::EncodeToString(req), 100'000,
                 [this, inc, req, pg](Result<std::string> r) {
                   if (incarnation_ != inc || !up()) return;
                   gossip_in_flight_.erase(pg);
                   proto::FetchRecordsResponse resp;
                   Status s = r.ok() ? proto::Decode(*r, &resp) : r.status();
                   if (s.ok()) s = store_->AppendFetched(req, resp);
                   if (s.ok()) s = store_->Sync();
                   proto::FetchRecordsRequest next = req;
                   gossip_peers_.Report(pg, s.ok() && storage::ContinueFetch(resp, &next));
                   if (!s.ok() && !s.IsUnavailable() && s.code() != StatusCode::kTimeout) {
                     log::Warn("sim", "gossip answer refused",
                               {{"node", id_}, {"pg", pg}, {"after", req.after},
                                {"up_to", req.up_to}, {"error", s.ToString()}});
                   }
                 });
  }
  (void)store_->ZeroLogAhead();
  (void)store_->Coalesce(4, 0);
  (void)store_->Scrub(64 << 10);
  (void)store_->CollectGarbage();
}

}  // namespace nordlys::sim
