// The deterministic simulator of the storage protocol (FoundationDB's idea): a writer
// (VolumeClient), six storage nodes (SegmentStore on MemEnv) and the network between them run
// in ONE thread on virtual time, driven by one seeded PRNG. Same seed, same run, on any machine:
// a failing seed printed by the test replays exactly with NORDLYS_SIM_SEED.
//
// Faults (SimFaults): message drop, delay, reorder (random delay), duplication; node crash
// (kill -9: unsynced writes lost, optionally torn) and restart; disk bit flips; an AZ cut off;
// the writer killed and replaced by a new one that recovers the volume.
//
// Thread safety: none; everything runs on the caller's thread inside SimWorld::RunUntil.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mem_env.h"
#include "proto/storage_protocol.h"
#include "storage/gossip_peers.h"
#include "storage/segment_store.h"
#include "volume/geometry.h"
#include "volume/storage_channel.h"

namespace nordlys::sim {

struct SimFaults {
  double drop = 0;       // probability a message (request or answer) is lost
  double duplicate = 0;  // probability a request is delivered twice
  uint64_t delay_min_us = 50;
  uint64_t delay_max_us = 500;  // uniform in [min, max]: also reorders
  uint64_t disk_sync_us = 100;  // fdatasync latency
};

class SimWorld;

// One simulated storage node: a MemEnv disk that survives crashes, and a SegmentStore that
// does not.
class SimNode {
 public:
  SimNode(SimWorld* world, NodeId id, std::string az, uint64_t seed);

  NodeId id() const { return id_; }
  const std::string& az() const { return az_; }
  std::string address() const { return "sim-" + std::to_string(id_.value()); }
  bool up() const { return store_ != nullptr; }
  MemEnv* disk() { return &disk_; }
  storage::SegmentStore* store() { return store_.get(); }

  // kill -9: the process is gone, unsynced bytes are lost (torn: a random prefix survives).
  void Crash(bool torn);
  // Starts the process again on the same disk. Returns the store's Open status.
  Status Restart();
  // Wipes the disk: a replaced machine with an empty directory.
  void Wipe();

  // Handles one request; `respond` is called once (possibly later, after a group-commit sync).
  void Handle(uint16_t type, const std::string& payload,
              std::function<void(Result<std::string>)> respond);

  // Background work: gossip with peers, coalesce, scrub, GC. Called periodically by the world.
  void Tick();

 private:
  void ScheduleSync();

  SimWorld* world_;
  NodeId id_;
  std::string az_;
  MemEnv disk_;
  std::unique_ptr<storage::SegmentStore> store_;
  uint64_t incarnation_ = 0;  // bumps on crash: callbacks of a dead incarnation are dropped
  bool sync_scheduled_ = false;
  struct Waiting {
    Epoch epoch;
    std::vector<PgId> pgs;
    std::function<void(Result<std::string>)> respond;
  };
  std::vector<Waiting> waiting_sync_;
  std::set<PgId> gossip_in_flight_;
  storage::GossipPeerPicker gossip_peers_;  // the storage process's own policy
};

// The world: virtual clock, event queue, network, nodes.
class SimWorld : public volume::Scheduler {
 public:
  explicit SimWorld(uint64_t seed, SimFaults faults = {});
  ~SimWorld() override;

  // --- Scheduler ---
  void RunAfter(uint64_t delay_micros, std::function<void()> fn) override;
  uint64_t NowMicros() override { return now_us_; }

  // Runs events until virtual time `until_us` or until `stop()` returns true (checked after each
  // event). Returns true if stop() became true. Bounded by max_events.
  bool RunUntil(uint64_t until_us, const std::function<bool()>& stop = nullptr);

  Random& rng() { return rng_; }
  SimFaults& faults() { return faults_; }
  std::vector<std::unique_ptr<SimNode>>& nodes() { return nodes_; }
  SimNode* node(NodeId id);
  // A new storage node (a replacement machine) in `az`, started, empty, and not in the
  // geometry: it becomes a PG member only through a membership change.
  SimNode* AddNode(const std::string& az);
  SimNode* NodeByAddress(const std::string& address);
  const volume::Geometry& geometry() const { return *geometry_; }

  // Network partitions: an AZ cut off from everyone (writer and other AZs).
  void CutAz(const std::string& az) { cut_azs_.insert(az); }
  void HealAll() { cut_azs_.clear(); }
  bool Reachable(const std::string& from_az, const std::string& to_az) const;

  // Sends a message across the simulated network with the world's faults. `from_az` is "" for
  // the writer. `cb` is called exactly once: answer, error, or Timeout after timeout_us.
  void Send(const std::string& from_az, NodeId to, uint16_t type, std::string payload,
            uint64_t timeout_us, std::function<void(Result<std::string>)> cb);

  // A StorageChannel for one writer. Each writer gets its own; a dead writer's channel is
  // disabled so nothing it sent afterwards is delivered.
  class Channel : public volume::StorageChannel {
   public:
    explicit Channel(SimWorld* w) : world_(w) {}
    void Call(NodeId node, uint16_t type, std::string payload, uint64_t timeout_ms,
              Callback cb) override;
    void Disable() { enabled_ = false; }

   private:
    SimWorld* world_;
    bool enabled_ = true;
  };

  uint64_t events_run() const { return events_run_; }
  static constexpr uint64_t kMaxEvents = 20'000'000;

 private:
  struct Event {
    uint64_t at_us;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return at_us != o.at_us ? at_us > o.at_us : seq > o.seq; }
  };

  uint64_t Delay();

  Random rng_;
  SimFaults faults_;
  uint64_t now_us_ = 0;
  uint64_t seq_ = 0;
  uint64_t events_run_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::unique_ptr<volume::Geometry> geometry_;
  std::set<std::string> cut_azs_;
};

}  // namespace nordlys::sim
