// VolumeCore: the implementation behind VolumeClient (volume_client.h). Internal to src/volume:
// nothing outside this folder includes it. Split over three files to keep each readable:
//   volume_client.cc   — LSN allocation, write rounds, acks, VCL/VDL, waiters, retries, fencing,
//                        volume growth;
//   volume_recovery.cc — Recover(): PG discovery, VCL/VDL, chain starts, InstallEpoch;
//   volume_read.cc     — ReadPage() with SCL-aware member choice and hedging, SetHorizon();
//   volume_membership.cc — ReplaceMember(): the two-step membership change, per-PG quorum
//                        sets, and following memberships during recovery.
//
// How the pieces fit (see proto/storage_protocol.h for the protocol itself):
//   AppendMtr -> buffer_ --(Flush: at flush_interval, at flush_bytes, or when a WhenDurable
//   waits on buffered records and no round is short of its quorum)--> rounds_ (one
//   WriteBatch per node) --acks--> pgs_[pg].scl[member] --Recompute--> vcl_, vdl_ --> waiters.
//
// Volume growth ("writing a page past the last PG adds PGs"): a new PG goes where current
// membership says (PlacementLocked: the geometry's placement with replaced members swapped for
// their replacements), not on a node a membership change took out. It has no coverage below
// the point where it joins the rounds, so the writer sends its members a bootstrap WriteBatch
// {pgs = [p], covers (0, R], no records}, R = the highest LSN allocated so far (no record of p
// can be <= R). Until 4 members acknowledged SCL >= R, p is "growing": it is left out of VCL and
// no LSN at all is allocated (AppendMtr -> ResourceExhausted, WhenLsnSpace fires when growth
// ends). Why freeze allocation: then VCL <= R while p is growing, so a read quorum of p either
// holds a member with SCL >= R >= every acknowledged commit, or shows no coverage and no records
// at all — which is exactly the rule recovery uses to stop probing (volume_recovery.cc).
//
// Thread safety: all state is guarded by mu_. Channel calls, scheduler calls and user callbacks
// are collected in an Outbox while mu_ is held and run after it is released, so a callback may
// call back into the client. Asynchronous callbacks hold a weak_ptr to the core: answers that
// arrive after the client was destroyed are dropped.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proto/storage_protocol.h"
#include "volume/volume_client.h"

namespace nordlys::volume {

// Named bounds (TigerBeetle rule: every queue, loop and retry has one).
inline constexpr uint64_t kPgsMax = 1u << 16;              // PGs per volume (also the probe bound)
inline constexpr uint64_t kProbeWindowPgs = 8;             // PGs probed at once in recovery
inline constexpr size_t kInflightWritesPerNodeMax = 1024;  // rounds in flight to one node
inline constexpr uint64_t kResendBytesMax = 4u << 20;      // one resend batch
inline constexpr size_t kReadAttemptsMax = kCopies;        // members tried for one read
inline constexpr double kLatencyEwmaWeight = 0.2;          // weight of the newest sample
// Per recovery request before a member counts as down. Lost messages are normal within
// tolerance (the simulator lost a recovery to 3 attempts at 5% loss); recovery moves on as soon
// as each PG has its quorum, so more attempts only delay the verdict on truly dead members.
inline constexpr int kRecoveryAttemptsMax = 8;
// Every this many retry ticks, every node gets a status poll even if it looks up to date: a
// node that restarted empty (wiped, replaced) answers "epoch history behind" and is installed
// and configured, so it can repair from its peers even while the writer is idle.
inline constexpr uint64_t kStatusPollEveryTicks = 10;
// Members one PG can have at once: old set ∪ new set ∪ the new set of a retry being installed.
inline constexpr size_t kPgMembersMax = kCopies + 2;

class VolumeCore : public std::enable_shared_from_this<VolumeCore> {
 public:
  VolumeCore(Geometry geometry, StorageChannel* channel, Scheduler* scheduler,
             VolumeOptions options);
  ~VolumeCore();  // defined where Recovery is complete (volume_recovery.cc)

  void Recover(std::function<void(Status)> done);
  Result<Lsn> AppendMtr(std::vector<PendingRecord> records);
  void WhenLsnSpace(std::function<void(Status)> fn);
  void WhenDurable(Lsn lsn, std::function<void(Status)> fn);
  void ReadPage(PageId page, Lsn read_point, std::function<void(Result<page::Page>)> fn);
  void SetHorizon(Lsn lsn);
  void ReplaceMember(NodeId old_node, NodeInfo new_node, std::function<void(Status)> done);
  std::vector<NodeId> Members(PgId pg) const;
  bool ChangingMembership() const;
  Lsn vdl() const;
  Lsn vcl() const;
  Epoch epoch() const;
  bool fenced() const;
  // The facade is going away: fail waiters with Aborted, stop timers.
  void Shutdown();
  // True while the calling thread runs one of `core`'s channel or timer callbacks: the facade's
  // destructor must not wait for the core to be released from inside one of them.
  static bool RunningOnThisThread(const VolumeCore* core) { return tls_running_ == core; }

 private:
  enum class Phase { kIdle, kRecovering, kOpen, kFenced, kShutdown };

  // Side effects gathered under mu_ and run after it is released.
  struct Outbox {
    struct Send {
      NodeId node;
      uint16_t type;
      std::string payload;
      StorageChannel::Callback cb;
      std::shared_ptr<const std::string> shared = nullptr;  // when set: the payload, shared
    };
    std::vector<Send> sends;
    std::vector<std::pair<uint64_t, std::function<void()>>> timers;  // delay_micros, fn
    std::vector<std::function<void()>> calls;
  };
  void Run(Outbox* out);

  // One ReplaceMember call: the PGs whose change it still waits for.
  struct MemberChange {
    NodeId old_node;
    NodeInfo new_node;
    std::set<PgId> remaining;
    std::function<void(Status)> done;
  };
  // Per-PG durability tracking.
  // Invariants: scl[i] only grows (max of acks) while members[i] stays a member; chain is the
  // LSN of the PG's last allocated record (0: none since recovery found none); a growing PG has
  // no records at all and no membership change; members == union of the sets of `config` and
  // `pending` (at most kPgMembersMax); every set has kCopies members.
  struct PgTrack {
    proto::Membership config;                // installed on a write quorum (sets always filled)
    std::optional<proto::Membership> pending;  // being installed: counted with config until then
    std::set<NodeId> pending_acks;           // nodes that acknowledged pending's version
    std::shared_ptr<MemberChange> change;    // the ReplaceMember call `pending` serves, if any
    Lsn transition_vcl;  // VCL when config became transitional: the joiner must reach it
    std::vector<NodeId> members;
    std::vector<Lsn> scl;  // parallel to members
    Lsn chain;
    bool growing = false;
    Lsn bootstrap_to;            // growing: coverage (0, bootstrap_to] sent empty
    uint16_t bootstrap_inflight = 0;  // bit i: bootstrap to members[i] in flight
  };
  struct NodeTrack {
    std::vector<PgId> pgs;  // every PG the node hosts, ascending
    double latency_ewma_micros = 0;  // 0: never measured
    size_t inflight_writes = 0;
    // Highest end of a batch the node answered OK: an SCL still below it means a lost batch.
    Lsn answered_to;
    bool resend_inflight = false;
    bool install_inflight = false;
    // PGs whose ConfigurePg this node has not acknowledged yet: a lost one would leave the
    // segment without peers to repair from, so the retry tick sends it again.
    std::set<PgId> unconfigured;
    std::set<PgId> configure_inflight;
    std::map<PgId, proto::MembershipVersion> configured_version;  // highest acknowledged
  };
  // One flush round: every record with LSN in (after, to].
  // Invariants: rounds_ are contiguous (rounds_[i+1].after == rounds_[i].to) and ascending;
  // a round is freed once VCL >= its end (its records are on a write quorum of their PG).
  struct Round {
    Lsn after;
    Lsn to;
    std::vector<redo::Record> records;  // ascending LSN
    uint64_t bytes = 0;
  };

  // ---- writer (volume_client.cc); REQUIRES: mu_ held for every *Locked function ----
  void FlushLocked(Outbox* out);
  void FlushForWaiterLocked(Outbox* out);
  void SendBatchLocked(NodeId node, proto::WriteBatchRequest req, bool resend, Outbox* out);
  // The same with the request already encoded (payload is a WriteBatchRequest).
  // `covers_to`: the end of the batch's interval (kInvalidLsn: not a round of the node's PGs).
  void SendEncodedBatchLocked(NodeId node, std::shared_ptr<const std::string> payload,
                              Lsn covers_to, bool resend, Outbox* out);
  void OnWriteAnswer(NodeId node, bool resend, uint64_t sent_micros, Lsn covers_to,
                     Result<std::string> r);
  void ApplySclsLocked(NodeId node, const std::vector<proto::PgScl>& scls);
  void RecomputeLocked(Outbox* out);
  void BecomeFencedLocked(const Status& why, Outbox* out);
  void SendInstallLocked(NodeId node, Outbox* out);
  void OnInstallAnswer(NodeId node, Result<std::string> r);
  void StartGrowthLocked(PgId up_to, Outbox* out);
  // `config`: the PG's membership as recovery found it; default: PlacementLocked(pg).
  void AddPgLocked(PgId pg, bool growing, Outbox* out,
                   std::optional<proto::Membership> config = std::nullopt);
  void SendBootstrapLocked(PgId pg, int member, Outbox* out);
  void SendConfigureLocked(PgId pg, NodeId node, Outbox* out);
  void ScheduleFlushLocked(Outbox* out);
  void RetryTick();
  void ResendToLocked(NodeId node, bool records, Outbox* out);
  void ObserveLatencyLocked(NodeId node, uint64_t sent_micros, bool ok);
  int MemberIndex(const PgTrack& pg, NodeId node) const;

  // ---- membership (volume_membership.cc) ----
  proto::Membership DefaultMembership(PgId pg) const;
  // Where a PG the volume does not have yet goes: the geometry's placement with every member
  // that a membership change replaced (as `existing`, the memberships of PGs that exist, show
  // it: position i of a set holds the node that took the place of the geometry's member i) put
  // back where its replacement is. A placement that differs from the geometry's gets version
  // (epoch_, 1) so that storage persists it and a recovering writer adopts it; an unchanged one
  // stays version (0, 0). Growth and recovery's probe use the same rule.
  proto::Membership PlacementFor(PgId pg,
                                 const std::vector<const proto::Membership*>& existing) const;
  proto::Membership PlacementLocked(PgId pg) const;
  // The sets whose write quorums a record of the PG needs: config's, and pending's while it is
  // being installed.
  std::vector<std::vector<NodeId>> CountingSetsLocked(const PgTrack& pg) const;
  // min over counting sets of the 4th-highest acknowledged SCL in the set.
  Lsn QuorumSclLocked(const PgTrack& pg) const;
  Lsn SetQuorumSclLocked(const PgTrack& pg, const std::vector<NodeId>& set) const;
  // Recomputes pg.members from config and pending; moves the PG in and out of nodes' lists.
  void RebuildMembersLocked(PgId id, Outbox* out);
  void LearnMembersLocked(const proto::Membership& m, Outbox* out);
  Status StartChangeLocked(PgId id, proto::Membership next, std::shared_ptr<MemberChange> change,
                           Outbox* out);
  void OnConfigureAck(PgId id, NodeId node, proto::MembershipVersion v, Outbox* out);
  void FinishChangeStepLocked(PgId id, Outbox* out);
  // Step 2 once the joiner caught up; called from the retry tick.
  void AdvanceChangesLocked(Outbox* out);
  void FailChangesLocked(const Status& s, Outbox* out);
  bool ChangingMembershipLocked() const;
  void SendHorizonLocked(Lsn lsn, Outbox* out);
  bool AnyGrowingLocked() const;
  Lsn AllocationLimitLocked() const;
  // Whether an append refused for space could go now: WhenLsnSpace's condition.
  bool HasSpaceLocked() const;

  // ---- recovery (volume_recovery.cc) ----
  struct Recovery;
  struct ConfigRead;
  // Sends PgState to the members of `read`'s membership it has not asked yet.
  void ConfigReadSendLocked(ConfigRead* read, PgId pg, Epoch epoch, Lsn at_or_below,
                            std::function<void(VolumeCore*, NodeId, Result<std::string>)> fn,
                            Outbox* out);
  void EpochProbeLocked(Outbox* out);
  void OnEpochProbeAnswer(uint64_t gen, NodeId node, Result<std::string> r);
  void ProbeWindowLocked(Outbox* out);
  void OnProbeAnswer(uint64_t gen, uint64_t pg, NodeId node, Result<std::string> r);
  void AfterProbingLocked(Outbox* out);
  void QueryLocked(int phase, Outbox* out);
  void OnQueryAnswer(uint64_t gen, int phase, uint64_t pg, NodeId node, Result<std::string> r);
  void AfterQueryLocked(int phase, Outbox* out);
  void InstallLocked(Outbox* out);
  void OnRecoveryInstallAnswer(uint64_t gen, uint64_t pg, NodeId node, Result<std::string> r);
  void FinishRecoveryLocked(Outbox* out);
  // Sends a recovery request, repeating it on Timeout/Unavailable up to kRecoveryAttemptsMax
  // times (a dropped message must not fail a recovery that a quorum could serve).
  void RecoveryCallLocked(Outbox* out, NodeId node, uint16_t type, std::string payload,
                          std::function<void(VolumeCore*, Result<std::string>)> fn,
                          int attempt = 1);
  void FailRecoveryLocked(Status s, Outbox* out);

  // ---- reads (volume_read.cc) ----
  struct ReadOp;
  void ReadNextLocked(const std::shared_ptr<ReadOp>& op, Outbox* out);
  void OnReadAnswer(const std::shared_ptr<ReadOp>& op, NodeId node, uint64_t sent_micros,
                    Result<std::string> r);

  // Marks the calling thread as running a callback of `core` (see RunningOnThisThread).
  class RunningScope {
   public:
    explicit RunningScope(const VolumeCore* core) : prev_(tls_running_) { tls_running_ = core; }
    ~RunningScope() { tls_running_ = prev_; }
    RunningScope(const RunningScope&) = delete;
    RunningScope& operator=(const RunningScope&) = delete;

   private:
    const VolumeCore* prev_;
  };
  inline static thread_local const VolumeCore* tls_running_ = nullptr;

  // Wraps a member function as a channel callback holding only a weak reference to *this.
  template <typename F>
  StorageChannel::Callback Bind(F f) {
    return [w = weak_from_this(), f = std::move(f)](Result<std::string> r) mutable {
      if (auto self = w.lock()) {
        RunningScope scope(self.get());
        f(self.get(), std::move(r));
      }
    };
  }
  template <typename F>
  std::function<void()> BindTimer(F f) {
    return [w = weak_from_this(), f = std::move(f)]() mutable {
      if (auto self = w.lock()) {
        RunningScope scope(self.get());
        f(self.get());
      }
    };
  }

  const Geometry geometry_;
  StorageChannel* const channel_;
  Scheduler* const scheduler_;
  const VolumeOptions options_;

  mutable std::mutex mu_;
  // Invariants (all under mu_):
  //   vdl_ <= vcl_ <= last_round_end_ <= next_lsn_ - 1 once open; vcl_ and vdl_ never decrease;
  //   every LSN allocated is <= vdl_ + LAL at the time of allocation;
  //   cpls_ holds the allocated CPLs above vdl_, ascending;
  //   buffer_ holds the records in (last_round_end_, next_lsn_ - 1], ascending;
  //   buffer_bytes_ + rounds_bytes_ <= redo_in_flight_bytes_max, or one MTR exceeds it alone.
  Phase phase_ = Phase::kIdle;
  Epoch epoch_;
  proto::EpochHistory history_;
  std::vector<PgTrack> pgs_;  // index = PgId
  std::map<NodeId, NodeTrack> nodes_;
  std::map<NodeId, std::string> addresses_;  // the geometry's nodes and every member learned
  Lsn horizon_;  // highest horizon any node reported or SetHorizon asked for
  Lsn next_lsn_;
  Lsn last_round_end_;
  Lsn vcl_;
  Lsn vdl_;
  Lsn retry_target_;  // last_round_end_ at the previous retry tick
  std::deque<Lsn> cpls_;
  std::vector<redo::Record> buffer_;
  uint64_t buffer_bytes_ = 0;
  std::deque<Round> rounds_;
  uint64_t rounds_bytes_ = 0;   // sum of rounds_[i].bytes
  uint64_t refused_bytes_ = 0;  // largest MTR refused for bytes, until it (or one as large)
                                // goes or the space waiters are woken
  uint64_t refused_lsns_ = 0;   // the same for records refused by LAL
  bool flush_scheduled_ = false;
  bool flush_on_quorum_ = false;  // a waiter needs buffer_ sent once rounds_ empties
  bool retry_scheduled_ = false;
  uint64_t retry_ticks_ = 0;  // counts retry ticks, for the idle status polls
  std::multimap<Lsn, std::function<void(Status)>> durable_waiters_;
  std::vector<std::function<void(Status)>> space_waiters_;
  Status fence_status_;
  std::unique_ptr<Recovery> rec_;
  uint64_t rec_generation_ = 0;
};

}  // namespace nordlys::volume
