// The writer half of the volume client: LSN allocation, write rounds, 4/6 ack tracking,
// VCL/VDL, commit waiters, retries, fencing and volume growth. See volume_core.h for how the
// parts fit and volume_client.h for the contract.
#include <algorithm>
#include <chrono>
#include <thread>

#include "common/log.h"
#include "volume/volume_core.h"

namespace nordlys::volume {
namespace {

constexpr std::string_view kLog = "volume";

bool IsHistoryBehind(const Status& s) {
  return s.IsUnavailable() && s.message().starts_with(proto::kEpochHistoryBehind);
}

// The public face: owns the core through a shared_ptr so in-flight callbacks (which hold weak
// references) never touch a destroyed object.
class VolumeClientImpl final : public VolumeClient {
 public:
  explicit VolumeClientImpl(std::shared_ptr<VolumeCore> core) : core_(std::move(core)) {}
  // A callback running on another thread (an answer, a timer) holds the core while it runs and
  // may still call the channel and the scheduler. The caller may destroy those right after this
  // client, so wait until no callback holds the core; later ones find it gone. From inside one
  // of its own callbacks the wait could never end, and there the caller is still inside the core.
  ~VolumeClientImpl() override {
    core_->Shutdown();
    const VolumeCore* raw = core_.get();
    std::weak_ptr<VolumeCore> alive = core_;
    core_.reset();
    if (VolumeCore::RunningOnThisThread(raw)) return;
    // Callbacks are short; a wait of seconds means one of them blocks on something the caller
    // holds (a lock around this destructor): say so instead of hanging silently.
    const auto start = std::chrono::steady_clock::now();
    bool warned = false;
    while (!alive.expired()) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      if (!warned && std::chrono::steady_clock::now() - start > std::chrono::seconds(5)) {
        log::Warn(kLog, "volume client destruction waits for a callback still running on a loop thread");
        warned = true;
      }
    }
  }

  void Recover(std::function<void(Status)> done) override { core_->Recover(std::move(done)); }
  Result<Lsn> AppendMtr(std::vector<PendingRecord> records) override {
    return core_->AppendMtr(std::move(records));
  }
  void WhenLsnSpace(std::function<void(Status)> fn) override {
    core_->WhenLsnSpace(std::move(fn));
  }
  void WhenDurable(Lsn lsn, std::function<void(Status)> fn) override {
    core_->WhenDurable(lsn, std::move(fn));
  }
  void ReadPage(PageId page, Lsn read_point,
                std::function<void(Result<page::Page>)> fn) override {
    core_->ReadPage(page, read_point, std::move(fn));
  }
  void SetHorizon(Lsn lsn) override { core_->SetHorizon(lsn); }
  void ReplaceMember(NodeId old_node, NodeInfo new_node,
                     std::function<void(Status)> done) override {
    core_->ReplaceMember(old_node, std::move(new_node), std::move(done));
  }
  std::vector<NodeId> Members(PgId pg) const override { return core_->Members(pg); }
  bool ChangingMembership() const override { return core_->ChangingMembership(); }
  Lsn vdl() const override { return core_->vdl(); }
  Lsn vcl() const override { return core_->vcl(); }
  Epoch epoch() const override { return core_->epoch(); }
  bool fenced() const override { return core_->fenced(); }

 private:
  std::shared_ptr<VolumeCore> core_;
};

}  // namespace

std::unique_ptr<VolumeClient> VolumeClient::Create(Geometry geometry, StorageChannel* channel,
                                                   Scheduler* scheduler, VolumeOptions options) {
  return std::make_unique<VolumeClientImpl>(
      std::make_shared<VolumeCore>(std::move(geometry), channel, scheduler, options));
}

void VolumeCore::Run(Outbox* out) {
  for (auto& s : out->sends) {
    if (s.shared) {
      channel_->CallShared(s.node, s.type, std::move(s.shared), options_.request_timeout_ms,
                           std::move(s.cb));
    } else {
      channel_->Call(s.node, s.type, std::move(s.payload), options_.request_timeout_ms,
                     std::move(s.cb));
    }
  }
  for (auto& [delay, fn] : out->timers) scheduler_->RunAfter(delay, std::move(fn));
  for (auto& c : out->calls) c();
}

// ---- accessors -----------------------------------------------------------------------------

Lsn VolumeCore::vdl() const {
  std::lock_guard lock(mu_);
  return vdl_;
}
Lsn VolumeCore::vcl() const {
  std::lock_guard lock(mu_);
  return vcl_;
}
Epoch VolumeCore::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}
bool VolumeCore::fenced() const {
  std::lock_guard lock(mu_);
  return phase_ == Phase::kFenced;
}

int VolumeCore::MemberIndex(const PgTrack& pg, NodeId node) const {
  for (size_t i = 0; i < pg.members.size(); ++i) {
    if (pg.members[i] == node) return static_cast<int>(i);
  }
  return -1;
}

bool VolumeCore::AnyGrowingLocked() const {
  for (const PgTrack& p : pgs_) {
    if (p.growing) return true;
  }
  return false;
}

// Highest LSN that may be allocated now: VDL + LAL, or nothing new while a PG is growing
// (see volume_core.h for why growth freezes allocation).
Lsn VolumeCore::AllocationLimitLocked() const {
  if (AnyGrowingLocked()) return Lsn(next_lsn_.value() - 1);
  return Lsn(vdl_.value() + options_.lsn_allocation_limit);
}

// Room for the largest mini-transaction refused (in LSNs and in bytes): a waiter woken sooner
// would only be refused again, and a blocked committer would spin.
bool VolumeCore::HasSpaceLocked() const {
  if (AnyGrowingLocked()) return false;
  const uint64_t lsns = std::max<uint64_t>(refused_lsns_, 1);
  if (Lsn(next_lsn_.value() + lsns - 1) > AllocationLimitLocked()) return false;
  const uint64_t held = buffer_bytes_ + rounds_bytes_;
  return held == 0 || held + refused_bytes_ <= options_.redo_in_flight_bytes_max;
}

void VolumeCore::Shutdown() {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    phase_ = Phase::kShutdown;
    Status s = Status::Aborted("volume client destroyed");
    for (auto& [lsn, fn] : durable_waiters_) out.calls.push_back([fn = std::move(fn), s] { fn(s); });
    for (auto& fn : space_waiters_) out.calls.push_back([fn = std::move(fn), s] { fn(s); });
    durable_waiters_.clear();
    space_waiters_.clear();
    if (rec_) FailRecoveryLocked(s, &out);
    FailChangesLocked(s, &out);
    out.sends.clear();
    out.timers.clear();
  }
  Run(&out);
}

// ---- appends -------------------------------------------------------------------------------

Result<Lsn> VolumeCore::AppendMtr(std::vector<PendingRecord> records) {
  Outbox out;
  Result<Lsn> result = Status::Internal("unset");
  {
    std::lock_guard lock(mu_);
    if (phase_ == Phase::kFenced) return fence_status_;
    if (phase_ != Phase::kOpen) return Status::Unavailable("volume not recovered");
    if (records.empty()) return Status::InvalidArgument("empty mini-transaction");
    if (records.size() > options_.lsn_allocation_limit) {
      // It could never be allocated, and would hold back every other append while it waited.
      return Status::InvalidArgument("mini-transaction of " + std::to_string(records.size()) +
                                     " records exceeds the LSN allocation limit");
    }
    PgId max_pg(0);
    for (const PendingRecord& r : records) {
      if (r.payload.size() > redo::kMaxPayload) {
        return Status::InvalidArgument("redo payload larger than " +
                                       std::to_string(redo::kMaxPayload));
      }
      max_pg = std::max(max_pg, geometry_.PgOf(r.page));
    }
    if (max_pg.value() >= kPgsMax) {
      return Status::ResourceExhausted("page beyond the volume's maximum size");
    }
    if (max_pg.value() >= pgs_.size()) {
      StartGrowthLocked(max_pg, &out);
      result = Status::ResourceExhausted("volume growing: new protection groups");
    } else if (AnyGrowingLocked()) {
      result = Status::ResourceExhausted("volume growing: new protection groups");
    } else {
      Lsn last(next_lsn_.value() + records.size() - 1);
      uint64_t bytes = 0;
      for (const PendingRecord& r : records) bytes += redo::kRecordHeaderSize + r.payload.size();
      const uint64_t held = buffer_bytes_ + rounds_bytes_;
      const uint64_t max = options_.redo_in_flight_bytes_max;
      // A larger mini-transaction refused earlier goes first: smaller ones wait until it fits,
      // so that it is not starved by appends that each fit the space it is waiting for.
      const bool lsns_wait =
          last > AllocationLimitLocked() ||
          (refused_lsns_ > records.size() &&
           Lsn(next_lsn_.value() + refused_lsns_ - 1) > AllocationLimitLocked());
      const bool bytes_wait = (held > 0 && held + bytes > max) ||
                              (refused_bytes_ > bytes && held + refused_bytes_ > max);
      if (lsns_wait) {
        refused_lsns_ = std::max<uint64_t>(refused_lsns_, records.size());
        result = Status::ResourceExhausted("LSN allocation limit (VDL + LAL) reached");
      } else if (bytes_wait) {
        refused_bytes_ = std::max(refused_bytes_, bytes);
        result = Status::ResourceExhausted("redo not yet durable at the quorum exceeds " +
                                           std::to_string(options_.redo_in_flight_bytes_max) +
                                           " bytes");
      } else {
        Lsn prev_assigned = last_round_end_;
        for (size_t i = 0; i < records.size(); ++i) {
          redo::Record rec;
          rec.lsn = next_lsn_;
          NORDLYS_ASSERT(rec.lsn > prev_assigned);
          PgTrack& pg = pgs_[geometry_.PgOf(records[i].page).value()];
          rec.prev_lsn_in_pg = pg.chain;
          pg.chain = rec.lsn;
          rec.page = records[i].page;
          rec.type = records[i].type;
          rec.flags = (i + 1 == records.size()) ? redo::kFlagCpl : 0;
          rec.payload = std::move(records[i].payload);
          prev_assigned = rec.lsn;
          buffer_.push_back(std::move(rec));
          next_lsn_ = Next(next_lsn_);
        }
        buffer_bytes_ += bytes;
        if (bytes >= refused_bytes_) refused_bytes_ = 0;  // the one waited for (or as large)
        if (records.size() >= refused_lsns_) refused_lsns_ = 0;
        NORDLYS_ASSERT(cpls_.empty() || cpls_.back() < last);
        cpls_.push_back(last);
        result = last;
        if (buffer_bytes_ >= options_.flush_bytes) {
          FlushLocked(&out);
        } else {
          ScheduleFlushLocked(&out);
        }
      }
    }
  }
  Run(&out);
  return result;
}

void VolumeCore::WhenLsnSpace(std::function<void(Status)> fn) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (phase_ == Phase::kFenced) {
      out.calls.push_back([fn = std::move(fn), s = fence_status_] { fn(s); });
    } else if (phase_ == Phase::kOpen && HasSpaceLocked()) {
      out.calls.push_back([fn = std::move(fn)] { fn(Status::OK()); });
    } else {
      space_waiters_.push_back(std::move(fn));
    }
  }
  Run(&out);
}

void VolumeCore::WhenDurable(Lsn lsn, std::function<void(Status)> fn) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (phase_ == Phase::kFenced) {
      out.calls.push_back([fn = std::move(fn), s = fence_status_] { fn(s); });
    } else if (phase_ == Phase::kOpen && lsn <= vdl_) {
      out.calls.push_back([fn = std::move(fn)] { fn(Status::OK()); });
    } else {
      durable_waiters_.emplace(lsn, std::move(fn));
      if (lsn > last_round_end_) FlushForWaiterLocked(&out);
    }
  }
  Run(&out);
}

// ---- rounds --------------------------------------------------------------------------------

void VolumeCore::ScheduleFlushLocked(Outbox* out) {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  out->timers.emplace_back(options_.flush_interval_micros, BindTimer([](VolumeCore* self) {
    Outbox o;
    {
      std::lock_guard lock(self->mu_);
      self->flush_scheduled_ = false;
      if (self->phase_ == Phase::kOpen) self->FlushLocked(&o);
    }
    self->Run(&o);
  }));
}

// Someone waits for buffered records. They go now unless an earlier round is still short of
// its quorum; then they go the moment it completes (or at the interval flush, if sooner), so
// the next round carries every commit that arrived meanwhile: group commit, with at most one
// round in flight for commits' sake.
void VolumeCore::FlushForWaiterLocked(Outbox* out) {
  if (rounds_.empty()) {
    FlushLocked(out);
  } else {
    flush_on_quorum_ = true;
  }
}

void VolumeCore::FlushLocked(Outbox* out) {
  flush_on_quorum_ = false;
  Lsn end(next_lsn_.value() - 1);
  if (end <= last_round_end_) return;  // nothing allocated since the last round
  Round round;
  round.after = last_round_end_;
  round.to = end;
  round.records = std::move(buffer_);
  round.bytes = buffer_bytes_;
  buffer_.clear();
  buffer_bytes_ = 0;
  NORDLYS_ASSERT(rounds_.empty() || rounds_.back().to == round.after);
  last_round_end_ = end;
  // Nodes that hold the same PGs get the same bytes: each distinct PG set is encoded once,
  // straight from the round's records (a round of large records is otherwise copied per node).
  std::vector<std::pair<const std::vector<PgId>*, std::shared_ptr<const std::string>>> encoded;
  for (auto& [id, node] : nodes_) {
    if (node.pgs.empty()) continue;
    // At the cap the node misses this round: once it answers a later one its SCL shows the
    // hole, and the retry tick resends.
    if (node.inflight_writes >= kInflightWritesPerNodeMax) continue;
    auto same = std::find_if(encoded.begin(), encoded.end(),
                             [&](const auto& e) { return *e.first == node.pgs; });
    if (same == encoded.end()) {
      proto::WriteBatchRequest head;
      head.epoch = epoch_;
      head.pages_per_pg = geometry_.pages_per_pg();
      head.covers_after = round.after;
      head.covers_to = round.to;
      head.pgs = node.pgs;
      std::vector<const redo::Record*> records;
      records.reserve(round.records.size());
      for (const redo::Record& r : round.records) {
        if (std::binary_search(node.pgs.begin(), node.pgs.end(), geometry_.PgOf(r.page))) {
          records.push_back(&r);
        }
      }
      encoded.emplace_back(&node.pgs, std::make_shared<const std::string>(
                                          proto::EncodeWriteBatch(head, records)));
      same = encoded.end() - 1;
    }
    SendEncodedBatchLocked(id, same->second, round.to, /*resend=*/false, out);
  }
  rounds_bytes_ += round.bytes;
  rounds_.push_back(std::move(round));
}

void VolumeCore::SendBatchLocked(NodeId node, proto::WriteBatchRequest req, bool resend,
                                 Outbox* out) {
  // A status poll (an empty interval) says nothing about holes: only a batch that claims
  // (after, to] does, when the node's SCL stays below `to` after it.
  const Lsn covers_to = req.covers_after < req.covers_to ? req.covers_to : kInvalidLsn;
  SendEncodedBatchLocked(node, std::make_shared<const std::string>(proto::EncodeToString(req)),
                         covers_to, resend, out);
}

void VolumeCore::SendEncodedBatchLocked(NodeId node, std::shared_ptr<const std::string> payload,
                                        Lsn covers_to, bool resend, Outbox* out) {
  NodeTrack& n = nodes_[node];
  if (resend) {
    n.resend_inflight = true;
  } else {
    ++n.inflight_writes;
  }
  uint64_t now = scheduler_->NowMicros();
  out->sends.push_back({node, proto::kWriteBatch, std::string(),
                        Bind([node, resend, now, covers_to](VolumeCore* self,
                                                            Result<std::string> r) {
                          self->OnWriteAnswer(node, resend, now, covers_to, std::move(r));
                        }),
                        std::move(payload)});
}

void VolumeCore::OnWriteAnswer(NodeId node, bool resend, uint64_t sent_micros, Lsn covers_to,
                               Result<std::string> r) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    NodeTrack& n = nodes_[node];
    if (resend) {
      n.resend_inflight = false;
    } else if (n.inflight_writes > 0) {
      --n.inflight_writes;
    }
    if (phase_ != Phase::kOpen) return;
    ObserveLatencyLocked(node, sent_micros, r.ok());
    if (!r.ok()) {
      const Status& s = r.status();
      if (s.IsFenced()) {
        BecomeFencedLocked(s, &out);
      } else if (IsHistoryBehind(s)) {
        SendInstallLocked(node, &out);
      }
      // Timeouts and Unavailable: the retry tick resends what the node lacks once nothing
      // else is in flight to it, or once a later answer shows the hole.
    } else {
      proto::WriteBatchResponse resp;
      Status st = proto::Decode(r.value(), &resp);
      if (!st.ok()) {
        log::Warn(kLog, "bad WriteBatch answer", {{"node", node}, {"error", st.ToString()}});
      } else {
        n.answered_to = std::max(n.answered_to, covers_to);
        ApplySclsLocked(node, resp.scls);
        RecomputeLocked(&out);
      }
    }
  }
  Run(&out);
}

void VolumeCore::ApplySclsLocked(NodeId node, const std::vector<proto::PgScl>& scls) {
  for (const proto::PgScl& s : scls) {
    if (s.pg.value() >= pgs_.size()) continue;
    PgTrack& pg = pgs_[s.pg.value()];
    int i = MemberIndex(pg, node);
    if (i < 0) continue;
    // An SCL above what this writer sent can only be stale coverage from an older epoch that
    // the node has not annulled yet; never count it.
    Lsn scl = std::min(s.scl, last_round_end_);
    pg.scl[i] = std::max(pg.scl[i], scl);
  }
}

// Recomputes growth completion, VCL and VDL from the SCLs, frees durable rounds and collects
// the waiters to run.
void VolumeCore::RecomputeLocked(Outbox* out) {
  bool growth_ended = false;
  Lsn candidate = last_round_end_;  // with no PG included there is nothing to wait for
  for (size_t p = 0; p < pgs_.size(); ++p) {
    PgTrack& pg = pgs_[p];
    // The 4th highest in every set that counts: held by a write quorum of each (during a
    // membership change, of the old and of the new set).
    Lsn quorum_scl = QuorumSclLocked(pg);
    if (pg.growing) {
      if (quorum_scl < pg.bootstrap_to) continue;
      pg.growing = false;
      growth_ended = true;
      log::Info(kLog, "protection group added", {{"pg", p}, {"from_lsn", pg.bootstrap_to}});
    }
    candidate = std::min(candidate, quorum_scl);
  }
  // candidate may lag vcl_ just after recovery (vcl_ starts at the recovered VDL, which the
  // recovery argument already proved complete) or after a PG joined; VCL never goes back.
  Lsn old_vdl = vdl_;
  if (candidate > vcl_) vcl_ = candidate;
  while (!cpls_.empty() && cpls_.front() <= vcl_) {
    NORDLYS_ASSERT(cpls_.front() > vdl_);  // VDL is monotonic
    vdl_ = cpls_.front();
    cpls_.pop_front();
  }
  NORDLYS_ASSERT(vdl_ <= vcl_);
  bool freed = false;
  while (!rounds_.empty() && rounds_.front().to <= vcl_) {
    rounds_bytes_ -= rounds_.front().bytes;
    rounds_.pop_front();
    freed = true;
  }
  if (flush_on_quorum_ && rounds_.empty()) FlushLocked(out);

  if (vdl_ > old_vdl) {
    auto end = durable_waiters_.upper_bound(vdl_);
    std::vector<std::function<void(Status)>> ready;
    for (auto it = durable_waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    durable_waiters_.erase(durable_waiters_.begin(), end);
    if (!ready.empty()) {
      // One call for the whole group: commits are acknowledged in groups.
      out->calls.push_back([ready = std::move(ready)]() mutable {
        for (auto& fn : ready) fn(Status::OK());
      });
    }
  }
  if ((vdl_ > old_vdl || freed || growth_ended) && !space_waiters_.empty() && HasSpaceLocked()) {
    // The woken retry: a refused mini-transaction whose caller gave up must not hold the
    // others back for good, and one that still waits is refused again and noted again.
    refused_lsns_ = 0;
    refused_bytes_ = 0;
    out->calls.push_back([ready = std::move(space_waiters_)]() mutable {
      for (auto& fn : ready) fn(Status::OK());
    });
    space_waiters_.clear();
  }
}

void VolumeCore::BecomeFencedLocked(const Status& why, Outbox* out) {
  if (phase_ == Phase::kFenced) return;
  phase_ = Phase::kFenced;
  fence_status_ = Status::Fenced("a newer writer owns the volume: " + why.message());
  log::Warn(kLog, "writer fenced", {{"epoch", epoch_}, {"vdl", vdl_}, {"why", why.ToString()}});
  Status s = fence_status_;
  std::vector<std::function<void(Status)>> fail;
  for (auto& [lsn, fn] : durable_waiters_) fail.push_back(std::move(fn));
  for (auto& fn : space_waiters_) fail.push_back(std::move(fn));
  durable_waiters_.clear();
  space_waiters_.clear();
  out->calls.push_back([fail = std::move(fail), s]() mutable {
    for (auto& fn : fail) fn(s);
  });
  FailChangesLocked(s, out);
  // Nothing buffered can become durable any more: storage rejects this epoch.
  buffer_.clear();
  buffer_bytes_ = 0;
  rounds_.clear();
  rounds_bytes_ = 0;
  cpls_.clear();
}

// ---- epoch history catch-up ----------------------------------------------------------------

void VolumeCore::SendInstallLocked(NodeId node, Outbox* out) {
  NodeTrack& n = nodes_[node];
  if (n.install_inflight || n.pgs.empty()) return;
  n.install_inflight = true;
  proto::InstallEpochRequest req;
  req.history = history_;
  req.pg = n.pgs.front();
  out->sends.push_back({node, proto::kInstallEpoch, proto::EncodeToString(req),
                        Bind([node](VolumeCore* self, Result<std::string> r) {
                          self->OnInstallAnswer(node, std::move(r));
                        })});
}

void VolumeCore::OnInstallAnswer(NodeId node, Result<std::string> r) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    nodes_[node].install_inflight = false;
    if (phase_ != Phase::kOpen) return;
    if (!r.ok()) {
      if (r.status().IsFenced()) BecomeFencedLocked(r.status(), &out);
    } else {
      proto::PgStateResponse resp;
      if (proto::Decode(r.value(), &resp).ok()) {
        if (resp.node_epoch > epoch_ || !history_.IsPrefixOf(resp.history)) {
          BecomeFencedLocked(Status::Fenced("node " + std::to_string(node.value()) +
                                            " is at epoch " +
                                            std::to_string(resp.node_epoch.value())),
                             &out);
        } else {
          log::Info(kLog, "epoch history installed on lagging node",
                    {{"node", node}, {"epoch", epoch_}});
          ResendToLocked(node, /*records=*/true, &out);  // the rounds it refused
          for (PgId p : nodes_[node].pgs) SendConfigureLocked(p, node, &out);
        }
      }
    }
  }
  Run(&out);
}

// ---- growth --------------------------------------------------------------------------------

void VolumeCore::StartGrowthLocked(PgId up_to, Outbox* out) {
  NORDLYS_ASSERT(up_to.value() < kPgsMax);
  while (pgs_.size() <= up_to.value()) AddPgLocked(PgId(pgs_.size()), /*growing=*/true, out);
}

void VolumeCore::AddPgLocked(PgId pg, bool growing, Outbox* out,
                             std::optional<proto::Membership> config) {
  NORDLYS_ASSERT(pg.value() == pgs_.size());
  // Close the current round first: the bootstrap claims "no record of pg <= R", and acks are
  // only counted up to the last round sent, so R must be a round end.
  FlushLocked(out);
  PgTrack t;
  t.config = config ? std::move(*config) : PlacementLocked(pg);
  if (t.config.version != proto::MembershipVersion{}) LearnMembersLocked(t.config, out);
  NORDLYS_ASSERT(!growing || !t.config.transitional());
  t.bootstrap_to = Lsn(next_lsn_.value() - 1);
  t.growing = growing && t.bootstrap_to > kInvalidLsn;
  pgs_.push_back(std::move(t));
  RebuildMembersLocked(pg, out);  // also sends ConfigurePg to every member
  if (pgs_.back().growing) {
    for (int i = 0; i < kCopies; ++i) SendBootstrapLocked(pg, i, out);
  }
}

// Tells `node` the PG's members (for gossip) and the geometry. Best effort: a node that is
// behind on the epoch history gets InstallEpoch, after which every PG it hosts is configured
// again (OnInstallAnswer).
void VolumeCore::SendConfigureLocked(PgId pg, NodeId node, Outbox* out) {
  const PgTrack& track = pgs_[pg.value()];
  proto::ConfigurePgRequest cfg;
  cfg.epoch = epoch_;
  cfg.pg = pg;
  cfg.pages_per_pg = geometry_.pages_per_pg();
  for (NodeId m : track.members) cfg.members.push_back({m, addresses_[m]});
  // The membership being installed, else the installed one; the geometry's default placement
  // (version (0, 0)) is never sent: storage knows "no membership" as exactly that.
  const proto::Membership& target = track.pending ? *track.pending : track.config;
  if (target.version != proto::MembershipVersion{}) cfg.membership = target;
  proto::MembershipVersion version = target.version;
  NodeTrack& n = nodes_[node];
  n.unconfigured.insert(pg);
  if (!n.configure_inflight.insert(pg).second) return;  // one at a time per (node, PG)
  out->sends.push_back({node, proto::kConfigurePg, proto::EncodeToString(cfg),
                        Bind([node, pg, version](VolumeCore* self, Result<std::string> r) {
                          Outbox o;
                          {
                            std::lock_guard lock(self->mu_);
                            NodeTrack& t = self->nodes_[node];
                            t.configure_inflight.erase(pg);
                            if (r.ok()) {
                              auto& acked = t.configured_version[pg];
                              acked = std::max(acked, version);
                              if (self->phase_ == Phase::kOpen) {
                                self->OnConfigureAck(pg, node, version, &o);
                              } else {
                                t.unconfigured.erase(pg);
                              }
                            } else if (r.status().IsFenced() && self->phase_ == Phase::kOpen) {
                              self->BecomeFencedLocked(r.status(), &o);
                            } else if (IsHistoryBehind(r.status()) &&
                                       self->phase_ == Phase::kOpen) {
                              // After the install every PG of the node is configured again.
                              self->SendInstallLocked(node, &o);
                            }
                            // Other errors: the retry tick sends it again.
                          }
                          self->Run(&o);
                        })});
}

void VolumeCore::SendBootstrapLocked(PgId pg, int member, Outbox* out) {
  PgTrack& t = pgs_[pg.value()];
  NORDLYS_ASSERT(member >= 0 && static_cast<size_t>(member) < t.members.size());
  if (t.bootstrap_inflight & (1u << member)) return;
  t.bootstrap_inflight |= (1u << member);
  proto::WriteBatchRequest req;
  req.epoch = epoch_;
  req.pages_per_pg = geometry_.pages_per_pg();
  req.covers_after = kInvalidLsn;
  req.covers_to = t.bootstrap_to;
  req.pgs = {pg};
  NodeId node = t.members[member];
  out->sends.push_back({node, proto::kWriteBatch, proto::EncodeToString(req),
                        Bind([pg, member, node](VolumeCore* self, Result<std::string> r) {
                          {
                            std::lock_guard lock(self->mu_);
                            self->pgs_[pg.value()].bootstrap_inflight &= ~(1u << member);
                          }
                          // One PG's empty coverage: says nothing of the node's rounds.
                          self->OnWriteAnswer(node, /*resend=*/true, 0, kInvalidLsn,
                                              std::move(r));
                        })});
  nodes_[node].resend_inflight = true;
}

// ---- retries -------------------------------------------------------------------------------

void VolumeCore::RetryTick() {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (phase_ != Phase::kOpen) {
      retry_scheduled_ = false;
      return;
    }
    bool poll_all = (++retry_ticks_ % kStatusPollEveryTicks) == 0;
    // A node lags if it has not reached the end of the rounds sent a whole interval ago. It
    // gets those records again only if it is stuck: nothing is on its way to it although it
    // has not answered the last round (what was sent failed or timed out), or it answered a
    // batch ending above its SCL, so that something below that end is missing (a lost batch,
    // or a round skipped at the in-flight cap) and the writer still holds it. A node that is merely slow has them coming; sending them
    // twice would load it further exactly when it is behind. A hole below the rounds held
    // (a node joining a PG, or back from a crash) is the peers' gossip to fill; resending
    // rounds it already has would not close it.
    for (auto& [id, node] : nodes_) {
      if (node.pgs.empty() || node.resend_inflight) continue;
      bool lags = false;
      Lsn lowest = Lsn::Max();  // over the PGs that take rounds (not one still bootstrapping)
      for (PgId p : node.pgs) {
        PgTrack& pg = pgs_[p.value()];
        int i = MemberIndex(pg, id);
        if (pg.growing && pg.scl[i] < pg.bootstrap_to) {
          SendBootstrapLocked(p, i, &out);
        } else {
          lowest = std::min(lowest, pg.scl[i]);
        }
        if (pg.scl[i] < retry_target_) lags = true;
      }
      const bool nothing_coming =
          node.inflight_writes == 0 && node.answered_to < last_round_end_;
      const bool hole_held = !rounds_.empty() && lowest >= rounds_.front().after;
      const bool stuck = lags && (nothing_coming || (node.answered_to > lowest && hole_held));
      if ((stuck || poll_all) && !node.resend_inflight) ResendToLocked(id, stuck, &out);
      // Bounded by the PGs the node hosts; one request in flight per (node, PG).
      std::vector<PgId> pending(node.unconfigured.begin(), node.unconfigured.end());
      for (PgId p : pending) {
        if (!node.configure_inflight.count(p)) SendConfigureLocked(p, id, &out);
      }
    }
    AdvanceChangesLocked(&out);
    retry_target_ = last_round_end_;
    out.timers.emplace_back(options_.retry_interval_micros,
                            BindTimer([](VolumeCore* self) { self->RetryTick(); }));
  }
  Run(&out);
}

// With `records`: resends to `node` every buffered record above its lowest SCL as one batch
// (bounded by kResendBytesMax), or a status poll when the records it lacks are durable and freed
// (peers' gossip fills those; the poll learns the node's new SCL). Without: a status poll.
void VolumeCore::ResendToLocked(NodeId node, bool records, Outbox* out) {
  NodeTrack& n = nodes_[node];
  if (n.pgs.empty()) return;
  Lsn lowest = Lsn::Max();
  for (PgId p : n.pgs) {
    const PgTrack& pg = pgs_[p.value()];
    lowest = std::min(lowest, pg.scl[MemberIndex(pg, node)]);
  }
  proto::WriteBatchRequest req;
  req.epoch = epoch_;
  req.pages_per_pg = geometry_.pages_per_pg();
  req.pgs = n.pgs;
  if (!records || rounds_.empty() || rounds_.back().to <= lowest) {
    req.covers_after = last_round_end_;
    req.covers_to = last_round_end_;
  } else {
    req.covers_after = std::max(lowest, rounds_.front().after);
    req.covers_to = req.covers_after;
    uint64_t bytes = 0;
    for (const Round& round : rounds_) {
      if (round.to <= req.covers_after) continue;
      if (bytes > 0 && bytes + round.bytes > kResendBytesMax) break;
      bytes += round.bytes;
      for (const redo::Record& r : round.records) {
        if (r.lsn > req.covers_after &&
            std::binary_search(n.pgs.begin(), n.pgs.end(), geometry_.PgOf(r.page))) {
          req.records.push_back(r);
        }
      }
      req.covers_to = round.to;
    }
  }
  SendBatchLocked(node, std::move(req), /*resend=*/true, out);
}

void VolumeCore::ObserveLatencyLocked(NodeId node, uint64_t sent_micros, bool ok) {
  if (sent_micros == 0) return;
  uint64_t now = scheduler_->NowMicros();
  double sample = static_cast<double>(now - std::min(now, sent_micros));
  // A failure counts as a full timeout, so a dead node sinks to the end of the read order.
  if (!ok) sample = std::max(sample, static_cast<double>(options_.request_timeout_ms) * 1000);
  double& e = nodes_[node].latency_ewma_micros;
  e = (e == 0) ? sample : (1 - kLatencyEwmaWeight) * e + kLatencyEwmaWeight * sample;
  if (e == 0) e = 1;  // keep "measured" distinct from "never measured"
}

}  // namespace nordlys::volume
