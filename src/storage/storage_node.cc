// StorageNode process: RPC dispatch, group commit and background gossip/maintenance around the
// SegmentStore; see storage_node.h.
#include "storage/storage_node.h"

#include "storage/request_dispatch.h"

#include <chrono>
#include <optional>

#include "common/cpu_load.h"
#include "common/log.h"
#include "proto/storage_protocol.h"

namespace nordlys::storage {
namespace {
constexpr char kIdentityFile[] = "/NODE";
constexpr char kIdentityVersion[] = "nordlys-storage-node v1";
constexpr size_t kCommitQueueMax = 4096;          // WriteBatches waiting for one fdatasync
constexpr size_t kGossipWantsPerTick = 16;        // PGs repaired per background tick
// Fetches per PG per tick while each one makes progress: a node far behind (wiped, or down
// for long) streams from its peer instead of taking one 1 MiB answer per tick.
constexpr int kGossipFetchesPerWantMax = 64;
constexpr uint64_t kGossipTimeoutMs = 2000;
// Busy: the machine had no idle CPU left (>= kBusyCpuShare) or requests flood in. A busy node
// only coalesces pages whose reads have grown expensive (kBusyCoalesceFactor x
// records_per_image records since their image); the rest wait for idle CPU.
constexpr uint64_t kBusyRequestsPerTick = 2000;
constexpr double kBusyCpuShare = 0.9;
constexpr uint32_t kBusyCoalesceFactor = 4;
constexpr uint32_t kCoalescePagesPerTick = 16;
constexpr uint64_t kScrubBytesPerTick = 1 << 20;  // 20 MiB/s of sequential verification
// A busy node verifies a quarter as much (reads and checksums took ~3% of a node's CPU under
// pgbench); a full rotation over the log takes four times longer.
constexpr uint64_t kBusyScrubBytesPerTick = kScrubBytesPerTick / 4;
constexpr uint64_t kGcEveryTicks = 100;           // ~5 s at the default interval
}  // namespace

Result<std::unique_ptr<StorageNode>> StorageNode::Open(Env* env,
                                                       const StorageNodeOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("--data-dir is required");
  if (options.az.empty()) return Status::InvalidArgument("--az is required");
  NORDLYS_RETURN_IF_ERROR(env->CreateDirs(options.data_dir));
  std::string identity = std::string(kIdentityVersion) + "\naz=" + options.az + "\n";
  std::string path = options.data_dir + kIdentityFile;
  if (env->FileExists(path)) {
    std::string existing;
    NORDLYS_RETURN_IF_ERROR(env->ReadFileToString(path, &existing));
    if (existing != identity) {
      return Status::InvalidArgument("data directory " + options.data_dir +
                                     " belongs to another node (" + path + " says: " +
                                     existing.substr(0, 80) + ")");
    }
  } else {
    NORDLYS_RETURN_IF_ERROR(env->WriteFileAtomic(path, identity));
  }
  std::unique_ptr<StorageNode> node(new StorageNode(env, options));
  SegmentStoreOptions so;
  so.dir = options.data_dir + "/segments";
  so.self = options.node_id;
  so.records_per_image = options.records_per_image;
  so.log_zero_ahead_bytes = options.log_zero_ahead_bytes;
  NORDLYS_ASSIGN_OR_RETURN(node->store_, SegmentStore::Open(env, so));
  return node;
}

StorageNode::~StorageNode() { Stop(); }

Status StorageNode::Start() {
  net::RpcServer::Options o;
  NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(options_.listen, &o.host, &o.port, true));
  o.io_threads = options_.io_threads;
  o.after_burst = [this] { CommitQueued(); };
  host_ = o.host;
  peer_loop_ = std::make_unique<net::EventLoop>(1);
  background_thread_ = std::thread([this] { BackgroundLoop(); });
  auto server = net::RpcServer::Start(o, [this](uint16_t t, std::string p, auto r) {
    Handle(t, std::move(p), std::move(r));
  });
  if (!server.ok()) {
    Stop();
    return server.status();
  }
  server_ = std::move(server).value();
  log::Info("storage", "listening",
            {{"address", address()}, {"az", options_.az}, {"data_dir", options_.data_dir},
             {"node_id", options_.node_id}});
  return Status::OK();
}

std::string StorageNode::address() const {
  return host_ + ":" + std::to_string(server_ ? server_->port() : 0);
}

void StorageNode::Stop() {
  if (server_) server_->Stop();  // no new requests; in-flight handlers have returned
  std::vector<Waiter> unsynced;
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    stopping_ = true;
    unsynced.swap(commit_queue_);
  }
  for (Waiter& w : unsynced) w.respond(Status::Unavailable("storage node is stopping"));
  stop_cv_.notify_all();
  if (background_thread_.joinable()) background_thread_.join();
  peers_.clear();
  if (peer_loop_) peer_loop_->Stop();
}

void StorageNode::Handle(uint16_t type, std::string payload, net::RpcServer::Responder respond) {
  foreground_requests_.fetch_add(1, std::memory_order_relaxed);
  if (type == proto::kWriteBatch) {
    proto::WriteBatchRequest req;
    if (Status s = proto::Decode(payload, &req); !s.ok()) return respond(s);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (Status s = store_->AppendBatch(req); !s.ok()) return respond(s);
    }
    std::unique_lock<std::mutex> lock(commit_mu_);
    if (stopping_) {
      lock.unlock();
      return respond(Status::Unavailable("storage node is stopping"));
    }
    if (commit_queue_.size() >= kCommitQueueMax) {
      lock.unlock();
      return respond(Status::ResourceExhausted("group commit queue full"));
    }
    commit_queue_.push_back(Waiter{req.epoch, std::move(req.pgs), std::move(respond)});
    return;  // answered by CommitQueued once this burst of requests is in
  }
  Result<std::string> out = [&]() -> Result<std::string> {
    std::lock_guard<std::mutex> lock(mu_);
    return HandleStoreRequest(store_.get(), type, payload);
  }();
  respond(std::move(out));
}

void StorageNode::CommitQueued() {
  // Runs on the I/O thread that read the burst: one fdatasync covers every WriteBatch queued so
  // far, and the answers leave on the same thread (no hand-off, no extra wake-up). Requests that
  // arrive meanwhile wait in the socket and form the next group.
  std::vector<Waiter> group;
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    group.swap(commit_queue_);
  }
  if (group.empty()) return;
  std::vector<Result<std::string>> answers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status s = store_->Sync();
    for (const Waiter& w : group) {
      if (s.ok() && w.epoch < store_->epoch()) {
        // A recovering writer was promised a newer epoch after this batch was appended: it
        // read our SCL without this batch, so acknowledging it now could let the old writer
        // count a write the new one will annul.
        answers.emplace_back(Status::Fenced("WriteBatch: epoch " +
                                            std::to_string(w.epoch.value()) +
                                            " was fenced before the batch was durable"));
      } else if (s.ok()) {
        answers.emplace_back(proto::EncodeToString(store_->Scls(w.pgs)));
      } else {
        answers.emplace_back(s);
      }
    }
    if (!s.ok()) log::Error("storage", "group commit failed", {{"error", s.ToString()}});
  }
  for (size_t i = 0; i < group.size(); ++i) group[i].respond(std::move(answers[i]));
}

net::RpcClient* StorageNode::ClientFor(const std::string& address) {
  auto it = peers_.find(address);
  if (it != peers_.end()) return it->second.get();
  std::string host;
  uint16_t port = 0;
  if (!net::ParseHostPort(address, &host, &port).ok()) return nullptr;
  auto c = std::make_unique<net::RpcClient>(peer_loop_.get(), host, port);
  net::RpcClient* raw = c.get();
  peers_.emplace(address, std::move(c));
  return raw;
}

void StorageNode::GossipOnce() {
  std::vector<SegmentStore::GossipWant> wants;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wants = store_->GossipWants();
  }
  std::string self = address();
  size_t n = std::min(wants.size(), kGossipWantsPerTick);
  for (size_t i = 0; i < n; ++i) {
    auto& w = wants[i];
    const proto::PgMember* peer = gossip_peers_.Pick(w.request.pg, w.peers, self);
    if (peer == nullptr) continue;
    net::RpcClient* client = ClientFor(peer->address);
    if (client == nullptr) {
      gossip_peers_.Report(w.request.pg, false);
      continue;
    }
    proto::FetchRecordsRequest req = w.request;
    for (int fetch = 0; fetch < kGossipFetchesPerWantMax; ++fetch) {
      auto raw = client->CallSync(proto::kFetchRecords, proto::EncodeToString(req),
                                  kGossipTimeoutMs);
      proto::FetchRecordsResponse resp;
      Status s = raw.ok() ? proto::Decode(*raw, &resp) : raw.status();
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        s = store_->AppendFetched(req, resp);
        if (s.ok()) s = store_->Sync();
      }
      if (!s.ok()) {
        gossip_peers_.Report(req.pg, false);
        log::Debug("storage", "gossip fetch failed",
                   {{"pg", req.pg}, {"peer", peer->address}, {"error", s.ToString()}});
        break;
      }
      // Continue where this answer ended (the next chunk of shipped images, or records).
      bool progress = ContinueFetch(resp, &req);
      gossip_peers_.Report(req.pg, progress);
      if (!progress || (req.after >= req.up_to && req.images_at == kInvalidLsn)) break;
    }
  }
}

void StorageNode::BackgroundLoop() {
  uint64_t tick = 0;
  uint64_t zero_failures = 0;
  CpuLoadSampler cpu_load;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(commit_mu_);
      stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.background_interval_ms),
                          [&] { return stopping_; });
      if (stopping_) return;
    }
    ++tick;
    // Outside mu_: the zeros and their fdatasync must not hold up the I/O thread. On a full
    // disk this fails every tick: warn when it starts failing and then once a minute.
    if (Status s = store_->ZeroLogAhead(); !s.ok()) {
      if (zero_failures++ % 1200 == 0) {
        log::Warn("storage", "writing zeros ahead of the log failed; appends grow the file instead",
                  {{"error", s.ToString()}, {"failures", zero_failures}});
      }
    } else {
      zero_failures = 0;
    }
    GossipOnce();
    const uint64_t requests = foreground_requests_.exchange(0, std::memory_order_relaxed);
    const std::optional<double> cpu = cpu_load.Sample();
    const bool busy = requests > kBusyRequestsPerTick || (cpu && *cpu >= kBusyCpuShare);
    const uint32_t min_records = busy ? kBusyCoalesceFactor * options_.records_per_image : 0;
    std::lock_guard<std::mutex> lock(mu_);
    if (Status s = store_->Coalesce(kCoalescePagesPerTick, min_records); !s.ok()) {
      log::Warn("storage", "coalesce failed", {{"error", s.ToString()}});
    }
    auto bad = store_->Scrub(busy ? kBusyScrubBytesPerTick : kScrubBytesPerTick);
    if (!bad.ok()) {
      log::Warn("storage", "scrub failed", {{"error", bad.status().ToString()}});
    } else if (*bad > 0) {
      log::Warn("storage", "scrub found corrupt items", {{"count", *bad}});
    }
    if (tick % kGcEveryTicks == 0) {
      if (Status s = store_->CollectGarbage(); !s.ok()) {
        log::Warn("storage", "garbage collection failed", {{"error", s.ToString()}});
      }
    }
  }
}

}  // namespace nordlys::storage
