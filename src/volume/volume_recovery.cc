// Writer recovery (VolumeClient::Recover), exactly as proto/storage_protocol.h prescribes:
//   0. epoch: PgState(epoch 0 = read only) to PG 0's members; from the first 3 answers the new
//      epoch E = 1 + the highest epoch (history or promise) seen. Every PG has a write quorum
//      at the newest epoch any writer recovered with, so a read quorum of PG 0 sees it.
//   1. probe: PgState(at_or_below = max) to the 6 members of PGs 0, 1, 2, ... (a window of
//      kProbeWindowPgs at a time); the first 3 answers of each PG count. C_pg = max SCL among
//      them, VCL = min over PGs. Probing stops at the first PG whose 3 answers show no coverage
//      and no records at all (SCL 0 and max_lsn 0): the volume has PGs 0..K-1.
//   2. VDL: PgState(at_or_below = VCL) to each PG's members; the first answer whose SCL >= VCL
//      gives the PG's highest CPL <= VCL; VDL = the max over PGs.
//   3. chains: PgState(at_or_below = VDL); the first answer whose SCL >= VDL gives the PG's last
//      record <= VDL, where the new writer's prev_lsn_in_pg chain starts.
//   4. InstallEpoch(history + (E, VDL)) on all 6 members of every PG; 4 acks per PG.
//   5. ConfigurePg to every member; the first round covers (VDL, VCL + LAL] empty; `done` runs
//      once that round is on a write quorum of every PG (then VDL = its end, and LSNs can be
//      allocated).
//
// Why the probe rule is safe (and its limits): a PG that ever held an acknowledged record has
// a write quorum with SCL > 0, so a read quorum of it cannot look empty; a PG added by growth
// gets records only after its bootstrap coverage is on a write quorum (volume_core.h), so an
// empty-looking PG has no records, and neither does any PG after it (allocation is frozen while
// any PG is growing). Limits: a PG past the first empty-looking one may hold non-durable
// coverage from an older writer; it is annulled when a node learns the new history (every
// request with the new epoch triggers kEpochHistoryBehind -> InstallEpoch). A volume cannot
// shrink, and PGs are only ever added in order.
//
// Fencing before reading: every PgState of phases 1-3 carries E, and a node persists E as a
// promise — fencing every older request — before it answers. So each answer was taken after
// the node's last acknowledgement to an older writer: any commit an older writer got
// acknowledged is on 4 nodes that acked before their promise, one of them is among the 3
// answers of its PG, and C_pg covers it. (Reading first and fencing later would let the old
// writer get acknowledgements in between for writes the new epoch then annuls; the simulator
// found exactly that.) A node promised a higher epoch answers Fenced: another writer is
// recovering, and this one stops.
//
// Nodes that missed a recovery report a shorter epoch history; their SCL may include coverage
// the newest history annuls, so it is capped at the lowest VDL of the entries they miss.
#include <algorithm>

#include "common/log.h"
#include "volume/volume_core.h"

namespace nordlys::volume {
namespace {

constexpr std::string_view kLog = "volume";
using Answer = std::pair<NodeId, proto::PgStateResponse>;

// Highest coverage of a node with history `h` that survives `best`: everything above the
// lowest V of the entries `h` lacks (or disagrees on) is annulled.
Lsn HistoryCap(const proto::EpochHistory& h, const proto::EpochHistory& best) {
  size_t common = 0;
  while (common < h.entries.size() && common < best.entries.size() &&
         h.entries[common] == best.entries[common]) {
    ++common;
  }
  Lsn cap = Lsn::Max();
  for (size_t i = common; i < best.entries.size(); ++i) cap = std::min(cap, best.entries[i].vdl);
  return cap;
}

// Prefers the history with the newest epoch, then the longer one.
bool BetterHistory(const proto::EpochHistory& a, const proto::EpochHistory& b) {
  if (a.current() != b.current()) return a.current() > b.current();
  return a.entries.size() > b.entries.size();
}

}  // namespace

struct VolumeCore::Recovery {
  std::function<void(Status)> done;
  uint64_t gen = 0;
  uint64_t start_micros = 0;
  int phase = 0;  // answers of an earlier phase are ignored
  // Phase 0.
  int epoch_answers = 0;
  int epoch_failures = 0;
  // Phase 1.
  struct Probe {
    std::vector<Answer> answers;  // the first kReadQuorum
    int failures = 0;
  };
  uint64_t window_begin = 0;
  std::vector<Probe> window;
  size_t window_open = 0;
  std::vector<std::vector<Answer>> found;  // per PG < k
  Epoch max_epoch;
  proto::EpochHistory best;
  Lsn vcl;
  Lsn vdl;
  // Phases 2 and 3: one answer per PG from a member whose SCL reaches the target.
  struct Query {
    bool got = false;
    int answered = 0;
    Lsn value;
    Lsn fallback;  // best effort when no member reaches the target
  };
  std::vector<Query> queries;
  size_t queries_open = 0;
  std::vector<Lsn> chain;
  // Phase 4.
  struct Install {
    int acks = 0;
    int failures = 0;
    std::array<Lsn, kCopies> scl{};
  };
  std::vector<Install> installs;
  size_t installs_open = 0;
  Epoch new_epoch;
  proto::EpochHistory new_history;
};

// Constructor and destructor live here, where Recovery is a complete type.
VolumeCore::VolumeCore(Geometry geometry, StorageChannel* channel, Scheduler* scheduler,
                       VolumeOptions options)
    : geometry_(std::move(geometry)), channel_(channel), scheduler_(scheduler), options_(options) {
  NORDLYS_ASSERT(options_.lsn_allocation_limit > 0);
  for (const NodeInfo& n : geometry_.nodes()) nodes_[n.id];
}

VolumeCore::~VolumeCore() = default;

void VolumeCore::Recover(std::function<void(Status)> done) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (phase_ == Phase::kFenced) {
      out.calls.push_back([done = std::move(done), s = fence_status_] { done(s); });
    } else if (phase_ != Phase::kIdle) {
      out.calls.push_back([done = std::move(done)] {
        done(Status::Aborted("recovery already running or done"));
      });
    } else {
      phase_ = Phase::kRecovering;
      rec_ = std::make_unique<Recovery>();
      rec_->done = std::move(done);
      rec_->gen = ++rec_generation_;
      rec_->start_micros = scheduler_->NowMicros();
      log::Info(kLog, "recovery started", {{"nodes", geometry_.nodes().size()}});
      EpochProbeLocked(&out);
    }
  }
  Run(&out);
}

void VolumeCore::FailRecoveryLocked(Status s, Outbox* out) {
  if (!rec_) return;
  log::Warn(kLog, "recovery failed", {{"error", s.ToString()}});
  out->calls.push_back([done = std::move(rec_->done), s] { done(s); });
  rec_.reset();
  ++rec_generation_;  // late answers of this attempt are ignored
  if (phase_ == Phase::kRecovering) phase_ = s.IsFenced() ? Phase::kFenced : Phase::kIdle;
  if (s.IsFenced()) fence_status_ = s;
}

void VolumeCore::RecoveryCallLocked(Outbox* out, NodeId node, uint16_t type,
                                    std::string payload,
                                    std::function<void(VolumeCore*, Result<std::string>)> fn,
                                    int attempt) {
  std::string copy = payload;
  out->sends.push_back(
      {node, type, std::move(copy),
       Bind([node, type, payload = std::move(payload), fn = std::move(fn), attempt](
                VolumeCore* self, Result<std::string> a) mutable {
         bool transient = !a.ok() && (a.status().IsUnavailable() ||
                                      a.status().code() == StatusCode::kTimeout);
         if (transient && attempt < kRecoveryAttemptsMax) {
           Outbox o;
           {
             std::lock_guard lock(self->mu_);
             if (!self->rec_) return;  // recovery over: nobody waits for this answer
             self->RecoveryCallLocked(&o, node, type, std::move(payload), std::move(fn),
                                      attempt + 1);
           }
           self->Run(&o);
           return;
         }
         fn(self, std::move(a));
       })});
}

// ---- phase 0: choose the epoch -----------------------------------------------------------------

void VolumeCore::EpochProbeLocked(Outbox* out) {
  Recovery& r = *rec_;
  r.phase = 0;
  proto::PgStateRequest req;
  req.epoch = Epoch(0);  // read only: no promise
  req.pg = PgId(0);
  req.at_or_below = Lsn::Max();
  std::string payload = proto::EncodeToString(req);
  for (NodeId m : geometry_.Members(PgId(0))) {
    RecoveryCallLocked(out, m, proto::kPgState, payload,
                       [gen = r.gen](VolumeCore* self, Result<std::string> a) {
                         self->OnEpochProbeAnswer(gen, std::move(a));
                       });
  }
}

void VolumeCore::OnEpochProbeAnswer(uint64_t gen, Result<std::string> a) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (!rec_ || rec_->gen != gen || rec_->phase != 0) return;
    Recovery& r = *rec_;
    proto::PgStateResponse resp;
    Status s = a.ok() ? proto::Decode(a.value(), &resp) : a.status();
    if (!s.ok()) {
      if (++r.epoch_failures > kCopies - kReadQuorum) {
        FailRecoveryLocked(Status::Unavailable("PG 0: fewer than 3 members reachable to learn "
                                               "the volume's epoch: " + s.ToString()),
                           &out);
      }
    } else {
      r.max_epoch = std::max({r.max_epoch, resp.node_epoch, resp.history.current()});
      if (++r.epoch_answers == kReadQuorum) {
        r.new_epoch = Epoch(r.max_epoch.value() + 1);
        r.max_epoch = Epoch(0);  // phase 1 collects it again, after the promises
        r.phase = 1;
        ProbeWindowLocked(&out);
      }
    }
  }
  Run(&out);
}

// ---- phase 1: probe ------------------------------------------------------------------------

void VolumeCore::ProbeWindowLocked(Outbox* out) {
  Recovery& r = *rec_;
  r.window_begin = r.found.size();
  uint64_t n = std::min<uint64_t>(kProbeWindowPgs, kPgsMax - r.window_begin);
  r.window.assign(n, {});
  r.window_open = n;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t pg = r.window_begin + i;
    proto::PgStateRequest req;
    req.epoch = r.new_epoch;  // a promise: see the file comment
    req.pg = PgId(pg);
    req.at_or_below = Lsn::Max();
    std::string payload = proto::EncodeToString(req);
    for (NodeId m : geometry_.Members(PgId(pg))) {
      RecoveryCallLocked(out, m, proto::kPgState, payload,
                         [gen = r.gen, pg, m](VolumeCore* self, Result<std::string> a) {
                           self->OnProbeAnswer(gen, pg, m, std::move(a));
                         });
    }
  }
}

void VolumeCore::OnProbeAnswer(uint64_t gen, uint64_t pg, NodeId node, Result<std::string> a) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (!rec_ || rec_->gen != gen || rec_->phase != 1 || pg < rec_->window_begin) return;
    Recovery& r = *rec_;
    Recovery::Probe& p = r.window[pg - r.window_begin];
    if (p.answers.size() >= kReadQuorum || p.failures > kCopies - kReadQuorum) return;
    proto::PgStateResponse resp;
    Status s = a.ok() ? proto::Decode(a.value(), &resp) : a.status();
    if (s.IsFenced()) {
      FailRecoveryLocked(s.WithContext("another writer is recovering with a newer epoch"), &out);
    } else if (!s.ok()) {
      if (++p.failures > kCopies - kReadQuorum) {
        FailRecoveryLocked(Status::Unavailable("PG " + std::to_string(pg) +
                                               ": fewer than 3 members reachable: " +
                                               s.ToString()),
                           &out);
      }
    } else {
      r.max_epoch = std::max(r.max_epoch, resp.node_epoch);
      if (BetterHistory(resp.history, r.best)) r.best = resp.history;
      p.answers.emplace_back(node, std::move(resp));
      if (p.answers.size() == kReadQuorum && --r.window_open == 0) {
        // The window is complete: keep PGs up to the first empty-looking one.
        bool stop = false;
        for (Recovery::Probe& w : r.window) {
          bool empty = std::all_of(w.answers.begin(), w.answers.end(), [](const Answer& x) {
            return x.second.scl == kInvalidLsn && x.second.max_lsn == kInvalidLsn;
          });
          if (empty) {
            stop = true;
            break;
          }
          r.found.push_back(std::move(w.answers));
        }
        if (stop || r.found.size() >= kPgsMax) {
          AfterProbingLocked(&out);
        } else {
          ProbeWindowLocked(&out);
        }
      }
    }
  }
  Run(&out);
}

void VolumeCore::AfterProbingLocked(Outbox* out) {
  Recovery& r = *rec_;
  r.vcl = r.found.empty() ? kInvalidLsn : Lsn::Max();
  for (const auto& answers : r.found) {
    Lsn c_pg;
    for (const Answer& a : answers) {
      c_pg = std::max(c_pg, std::min(a.second.scl, HistoryCap(a.second.history, r.best)));
    }
    r.vcl = std::min(r.vcl, c_pg);
  }
  if (r.vcl == kInvalidLsn) {
    r.vdl = kInvalidLsn;
    r.chain.assign(r.found.size(), kInvalidLsn);
    AfterQueryLocked(3, out);
    return;
  }
  QueryLocked(2, out);
}

// ---- phases 2 and 3: VDL and chain starts ---------------------------------------------------

void VolumeCore::QueryLocked(int phase, Outbox* out) {
  Recovery& r = *rec_;
  Lsn target = (phase == 2) ? r.vcl : r.vdl;
  r.phase = phase;
  r.queries.assign(r.found.size(), {});
  r.queries_open = r.found.size();
  for (uint64_t pg = 0; pg < r.found.size(); ++pg) {
    proto::PgStateRequest req;
    req.epoch = r.new_epoch;  // a promise: see the file comment
    req.pg = PgId(pg);
    req.at_or_below = target;
    std::string payload = proto::EncodeToString(req);
    for (NodeId m : geometry_.Members(PgId(pg))) {
      RecoveryCallLocked(out, m, proto::kPgState, payload,
                         [gen = r.gen, phase, pg, m](VolumeCore* self, Result<std::string> a) {
                           self->OnQueryAnswer(gen, phase, pg, m, std::move(a));
                         });
    }
  }
}

void VolumeCore::OnQueryAnswer(uint64_t gen, int phase, uint64_t pg, NodeId node,
                               Result<std::string> a) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (!rec_ || rec_->gen != gen || rec_->phase != phase) return;
    Recovery& r = *rec_;
    Lsn target = (phase == 2) ? r.vcl : r.vdl;
    if (r.queries.size() <= pg || r.queries_open == 0) return;
    Recovery::Query& q = r.queries[pg];
    if (q.got) return;
    ++q.answered;
    proto::PgStateResponse resp;
    if (a.ok() && proto::Decode(a.value(), &resp).ok()) {
      Lsn v = (phase == 2) ? resp.max_cpl_at_or_below : resp.last_lsn_at_or_below;
      Lsn cap = HistoryCap(resp.history, r.best);
      if (std::min(resp.scl, cap) >= target) {
        q.got = true;
        q.value = v;
      } else if (v <= cap) {
        q.fallback = std::max(q.fallback, v);
      }
    } else if (a.ok() || !a.status().IsFenced()) {
      // counted as answered; nothing usable
    } else {
      FailRecoveryLocked(a.status(), &out);
    }
    if (rec_ && (q.got || q.answered == kCopies)) {
      if (!q.got) {
        // No member reaches the target any more (the one that did failed since phase 1): use
        // the best seen. A lower VDL only truncates more; a lower chain start makes the first
        // back-link of the PG point below its true last record, which storage may flag.
        log::Warn(kLog, "recovery: no member of the PG reaches the target",
                  {{"pg", pg}, {"target", target}, {"phase", phase}});
        q.value = q.fallback;
      }
      if (--r.queries_open == 0) AfterQueryLocked(phase, &out);
    }
  }
  Run(&out);
}

void VolumeCore::AfterQueryLocked(int phase, Outbox* out) {
  Recovery& r = *rec_;
  if (phase == 2) {
    r.vdl = kInvalidLsn;
    for (const auto& q : r.queries) r.vdl = std::max(r.vdl, q.value);
    NORDLYS_ASSERT(r.vdl <= r.vcl);
    Lsn last_v = r.best.entries.empty() ? kInvalidLsn : r.best.entries.back().vdl;
    if (r.vdl < last_v) {
      // The previous recovery declared records up to last_v complete; histories must be
      // ascending. Keep them (they live on the members that answered that recovery).
      log::Warn(kLog, "recovered VDL below the previous epoch's VDL; keeping the previous",
                {{"found", r.vdl}, {"previous", last_v}});
      r.vdl = last_v;
    }
    r.chain.assign(r.found.size(), kInvalidLsn);
    if (r.vdl == kInvalidLsn) {
      AfterQueryLocked(3, out);
    } else {
      QueryLocked(3, out);
    }
    return;
  }
  if (r.phase == 3) {
    for (size_t pg = 0; pg < r.queries.size(); ++pg) r.chain[pg] = r.queries[pg].value;
  }
  r.queries.clear();
  r.queries_open = 0;
  InstallLocked(out);
}

// ---- phase 4: install the new epoch ---------------------------------------------------------

void VolumeCore::InstallLocked(Outbox* out) {
  Recovery& r = *rec_;
  r.phase = 4;
  // Every answer came after its node promised r.new_epoch (a node promised higher answers
  // Fenced). A history already at r.new_epoch means another writer chose the same epoch and
  // got there first: this one must not install a second, different history for it.
  if (r.max_epoch > r.new_epoch || r.best.current() >= r.new_epoch) {
    FailRecoveryLocked(Status::Fenced("another writer is recovering or recovered with epoch " +
                                      std::to_string(std::max(r.max_epoch,
                                                              r.best.current()).value()) +
                                      " (this one chose " +
                                      std::to_string(r.new_epoch.value()) + ")"),
                       out);
    return;
  }
  r.new_history = r.best;
  r.new_history.entries.push_back({r.new_epoch, r.vdl});
  NORDLYS_ASSERT(r.new_history.Validate().ok());
  // At least PG 0, so that two writers of a fresh volume still meet on some node.
  uint64_t n = std::max<uint64_t>(r.found.size(), 1);
  r.installs.assign(n, {});
  r.installs_open = n;
  for (uint64_t pg = 0; pg < n; ++pg) {
    proto::InstallEpochRequest req;
    req.history = r.new_history;
    req.pg = PgId(pg);
    std::string payload = proto::EncodeToString(req);
    for (NodeId m : geometry_.Members(PgId(pg))) {
      RecoveryCallLocked(out, m, proto::kInstallEpoch, payload,
                         [gen = r.gen, pg, m](VolumeCore* self, Result<std::string> a) {
                           self->OnRecoveryInstallAnswer(gen, pg, m, std::move(a));
                         });
    }
  }
}

void VolumeCore::OnRecoveryInstallAnswer(uint64_t gen, uint64_t pg, NodeId node,
                                         Result<std::string> a) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (!rec_ || rec_->gen != gen || rec_->phase != 4 || rec_->installs.size() <= pg) return;
    Recovery& r = *rec_;
    Recovery::Install& in = r.installs[pg];
    if (in.acks >= kWriteQuorum) return;
    proto::PgStateResponse resp;
    Status s = a.ok() ? proto::Decode(a.value(), &resp) : a.status();
    if (s.ok() && (resp.node_epoch > r.new_epoch || !r.new_history.IsPrefixOf(resp.history))) {
      s = Status::Fenced("node " + std::to_string(node.value()) + " is at epoch " +
                         std::to_string(resp.node_epoch.value()));
    }
    if (s.IsFenced()) {
      FailRecoveryLocked(s, &out);
    } else if (!s.ok()) {
      if (++in.failures > kCopies - kWriteQuorum) {
        FailRecoveryLocked(Status::Unavailable("PG " + std::to_string(pg) +
                                               ": no write quorum for the new epoch: " +
                                               s.ToString()),
                           &out);
      }
    } else {
      auto members = geometry_.Members(PgId(pg));
      for (int i = 0; i < kCopies; ++i) {
        if (members[i] == node) in.scl[i] = std::min(resp.scl, r.vdl);
      }
      if (++in.acks == kWriteQuorum && --r.installs_open == 0) FinishRecoveryLocked(&out);
    }
  }
  Run(&out);
}

void VolumeCore::FinishRecoveryLocked(Outbox* out) {
  Recovery& r = *rec_;
  uint64_t k = r.found.size();
  uint64_t n = std::max<uint64_t>({k, options_.initial_pgs, 1});
  epoch_ = r.new_epoch;
  history_ = r.new_history;
  vcl_ = r.vdl;  // records in (VDL, VCL] were annulled by the new epoch
  vdl_ = r.vdl;
  last_round_end_ = r.vdl;
  retry_target_ = r.vdl;
  next_lsn_ = Next(r.vdl);
  pgs_.clear();
  for (auto& [id, node] : nodes_) node.pgs.clear();
  for (uint64_t pg = 0; pg < k; ++pg) {
    AddPgLocked(PgId(pg), /*growing=*/false, out);
    pgs_[pg].chain = r.chain[pg];
    pgs_[pg].scl = r.installs[pg].scl;
  }
  // PGs the probe did not find have no coverage below the first round; when that round starts
  // at 0 it covers them, otherwise they are grown (bootstrapped) like any new PG.
  if (r.vdl == kInvalidLsn) {
    for (uint64_t pg = k; pg < n; ++pg) AddPgLocked(PgId(pg), /*growing=*/false, out);
  }
  // No LSN reuse: the old writer allocated nothing above its VDL + LAL. Its VDL was a CPL
  // <= our VCL, or the end of its own first round (see below), which was durable on a write
  // quorum of every PG and so is <= our VCL too. Hence VCL + LAL + 1 (the protocol's minimum is
  // VDL + LAL + 1; VCL >= VDL).
  next_lsn_ = Lsn(std::max(r.vcl, r.vdl).value() + options_.lsn_allocation_limit + 1);
  phase_ = Phase::kOpen;
  FlushLocked(out);  // the first round: (VDL, next_lsn - 1], empty
  // The first round's end is a consistency point: no record lies in (VDL, end]. Without it VDL
  // could not move until a new CPL is written, and none can be allocated above VDL + LAL.
  NORDLYS_ASSERT(cpls_.empty());
  cpls_.push_back(last_round_end_);
  if (r.vdl != kInvalidLsn) {
    for (uint64_t pg = k; pg < n; ++pg) AddPgLocked(PgId(pg), /*growing=*/true, out);
  }
  if (!retry_scheduled_) {
    retry_scheduled_ = true;
    out->timers.emplace_back(options_.retry_interval_micros,
                             BindTimer([](VolumeCore* self) { self->RetryTick(); }));
  }
  log::Info(kLog, "recovery done",
            {{"pgs_found", k}, {"pgs", pgs_.size()}, {"vcl", r.vcl}, {"vdl", r.vdl},
             {"epoch", epoch_}, {"next_lsn", next_lsn_},
             {"micros", scheduler_->NowMicros() - r.start_micros}});
  // Writes are accepted once the first round is on a write quorum of every PG: until then VDL
  // is the recovered one and VDL + LAL is below the first new LSN.
  durable_waiters_.emplace(last_round_end_, std::move(r.done));
  rec_.reset();
  RecomputeLocked(out);
}

}  // namespace nordlys::volume
