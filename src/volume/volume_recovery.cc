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
// Memberships: a PG's members are not fixed (volume_membership.cc). Every read quorum above is
// taken over the PG's membership as the answers reveal it: start from the placement growth
// would have given the PG (PlacementFor over the memberships of the PGs found before it: the
// geometry's placement with replaced members swapped for their replacements),
// and whenever an answer shows a higher membership version, adopt it and also ask its members;
// a PG's read is complete when every set of the adopted membership has 3 answers (phase 0 does
// the same for PG 0). Each membership was installed on a write quorum of every set of its
// predecessor before anyone relied on it, so a complete read cannot stop at an outdated one.
// Phases 2-4 then use each PG's adopted membership, and phase 4 needs 4 of 6 of each of its sets.
//
// Nodes that missed a recovery report a shorter epoch history; their SCL may include coverage
// the newest history annuls, so it is capped at the lowest VDL of the entries they miss.
#include <algorithm>

#include "common/log.h"
#include "volume/volume_core.h"

namespace nordlys::volume {
namespace {

constexpr std::string_view kLog = "volume";

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

// A read quorum of one PG that follows the membership (file comment).
struct VolumeCore::ConfigRead {
  proto::Membership config;  // the highest seen; sets always filled
  std::map<NodeId, proto::PgStateResponse> answers;
  std::set<NodeId> asked;
  std::set<NodeId> failed;
  bool complete = false;

  static std::vector<std::vector<NodeId>> Sets(const proto::Membership& m) {
    std::vector<std::vector<NodeId>> out;
    for (const auto* set : {&m.old_set, &m.new_set}) {
      if (set->empty()) continue;
      out.emplace_back();
      for (const auto& x : *set) out.back().push_back(x.node);
    }
    return out;
  }
  // True if `m` is newer than what this read follows (then the caller asks its members too).
  bool Adopt(const proto::Membership& m) {
    if (!m.known() || m.version <= config.version) return false;
    config = m;
    return true;
  }
  bool Complete() const {
    for (const auto& set : Sets(config)) {
      int n = 0;
      for (NodeId id : set) n += answers.count(id) ? 1 : 0;
      if (n < kReadQuorum) return false;
    }
    return true;
  }
  bool Hopeless() const {
    for (const auto& set : Sets(config)) {
      int n = 0;
      for (NodeId id : set) n += failed.count(id) ? 1 : 0;
      if (n > kCopies - kReadQuorum) return true;
    }
    return false;
  }
  bool LooksEmpty() const {
    if (config.version != proto::MembershipVersion{}) return false;
    return std::all_of(answers.begin(), answers.end(), [](const auto& x) {
      return x.second.scl == kInvalidLsn && x.second.max_lsn == kInvalidLsn;
    });
  }
};

struct VolumeCore::Recovery {
  std::function<void(Status)> done;
  uint64_t gen = 0;
  uint64_t start_micros = 0;
  int phase = 0;  // answers of an earlier phase are ignored
  // Phase 0.
  ConfigRead epoch_read;
  // Phase 1.
  uint64_t window_begin = 0;
  std::vector<ConfigRead> window;
  size_t window_open = 0;
  std::vector<ConfigRead> found;  // per PG < k
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
    std::map<NodeId, Lsn> acked;  // node -> its SCL (capped at VDL)
    std::set<NodeId> failed;
    bool complete = false;
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
  for (const NodeInfo& n : geometry_.nodes()) {
    nodes_[n.id];
    addresses_[n.id] = n.address;
  }
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

void VolumeCore::ConfigReadSendLocked(
    ConfigRead* read, PgId pg, Epoch epoch, Lsn at_or_below,
    std::function<void(VolumeCore*, NodeId, Result<std::string>)> fn, Outbox* out) {
  LearnMembersLocked(read->config, out);
  proto::PgStateRequest req;
  req.epoch = epoch;
  req.pg = pg;
  req.at_or_below = at_or_below;
  std::string payload = proto::EncodeToString(req);
  for (const proto::PgMember& m : read->config.Union()) {
    if (!read->asked.insert(m.node).second) continue;
    RecoveryCallLocked(out, m.node, proto::kPgState, payload,
                       [fn, node = m.node](VolumeCore* self, Result<std::string> a) {
                         fn(self, node, std::move(a));
                       });
  }
}

void VolumeCore::EpochProbeLocked(Outbox* out) {
  Recovery& r = *rec_;
  r.phase = 0;
  r.epoch_read = ConfigRead{};
  r.epoch_read.config = DefaultMembership(PgId(0));
  // Epoch 0: read only, no promise.
  ConfigReadSendLocked(&r.epoch_read, PgId(0), Epoch(0), Lsn::Max(),
                       [gen = r.gen](VolumeCore* self, NodeId node, Result<std::string> a) {
                         self->OnEpochProbeAnswer(gen, node, std::move(a));
                       },
                       out);
}

void VolumeCore::OnEpochProbeAnswer(uint64_t gen, NodeId node, Result<std::string> a) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (!rec_ || rec_->gen != gen || rec_->phase != 0) return;
    Recovery& r = *rec_;
    ConfigRead& read = r.epoch_read;
    if (read.complete) return;
    proto::PgStateResponse resp;
    Status s = a.ok() ? proto::Decode(a.value(), &resp) : a.status();
    if (!s.ok()) {
      read.failed.insert(node);
      if (read.Hopeless()) {
        FailRecoveryLocked(Status::Unavailable("PG 0: fewer than 3 members of a set reachable "
                                               "to learn the volume's epoch: " + s.ToString()),
                           &out);
      }
    } else {
      r.max_epoch = std::max({r.max_epoch, resp.node_epoch, resp.history.current()});
      horizon_ = std::max(horizon_, resp.horizon);
      bool newer = read.Adopt(resp.membership);
      read.answers[node] = std::move(resp);
      if (newer) {
        ConfigReadSendLocked(&read, PgId(0), Epoch(0), Lsn::Max(),
                             [gen](VolumeCore* self, NodeId n, Result<std::string> x) {
                               self->OnEpochProbeAnswer(gen, n, std::move(x));
                             },
                             &out);
      }
      if (read.Complete()) {
        read.complete = true;
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
    // Where the writer that grew the volume placed this PG (if it exists): the placement rule
    // of growth over the memberships found so far (PlacementFor; the file comment).
    std::vector<const proto::Membership*> found;
    for (const ConfigRead& f : r.found) found.push_back(&f.config);
    r.window[i].config = PlacementFor(PgId(pg), found);
    r.window[i].config.version = {};  // a guess: any version an answer shows outranks it
    // Every PgState carries the new epoch: a promise, see the file comment.
    ConfigReadSendLocked(&r.window[i], PgId(pg), r.new_epoch, Lsn::Max(),
                         [gen = r.gen, pg](VolumeCore* self, NodeId m, Result<std::string> a) {
                           self->OnProbeAnswer(gen, pg, m, std::move(a));
                         },
                         out);
  }
}

void VolumeCore::OnProbeAnswer(uint64_t gen, uint64_t pg, NodeId node, Result<std::string> a) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (!rec_ || rec_->gen != gen || rec_->phase != 1 || pg < rec_->window_begin) return;
    Recovery& r = *rec_;
    ConfigRead& p = r.window[pg - r.window_begin];
    if (p.complete) return;
    proto::PgStateResponse resp;
    Status s = a.ok() ? proto::Decode(a.value(), &resp) : a.status();
    if (s.IsFenced()) {
      FailRecoveryLocked(s.WithContext("another writer is recovering with a newer epoch"), &out);
    } else if (!s.ok()) {
      p.failed.insert(node);
      if (p.Hopeless()) {
        FailRecoveryLocked(Status::Unavailable("PG " + std::to_string(pg) +
                                               ": fewer than 3 members of a set reachable: " +
                                               s.ToString()),
                           &out);
      }
    } else {
      r.max_epoch = std::max(r.max_epoch, resp.node_epoch);
      horizon_ = std::max(horizon_, resp.horizon);
      if (BetterHistory(resp.history, r.best)) r.best = resp.history;
      bool newer = p.Adopt(resp.membership);
      p.answers[node] = std::move(resp);
      if (newer) {
        log::Info(kLog, "recovery: PG membership learned",
                  {{"pg", pg}, {"version_epoch", p.config.version.epoch},
                   {"version_seq", p.config.version.seq}});
        ConfigReadSendLocked(&p, PgId(pg), r.new_epoch, Lsn::Max(),
                             [gen, pg](VolumeCore* self, NodeId m, Result<std::string> x) {
                               self->OnProbeAnswer(gen, pg, m, std::move(x));
                             },
                             &out);
      }
      if (p.Complete()) p.complete = true;
      if (p.complete && --r.window_open == 0) {
        // The window is complete: keep PGs up to the first empty-looking one.
        bool stop = false;
        for (ConfigRead& w : r.window) {
          if (w.LooksEmpty()) {
            stop = true;
            break;
          }
          r.found.push_back(std::move(w));
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
  for (const ConfigRead& read : r.found) {
    Lsn c_pg;
    for (const auto& a : read.answers) {
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
    for (const proto::PgMember& mem : r.found[pg].config.Union()) {
      NodeId m = mem.node;
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
    if (rec_ && (q.got || q.answered == static_cast<int>(r.found[pg].config.Union().size()))) {
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
    proto::Membership config = pg < r.found.size() ? r.found[pg].config
                                                    : DefaultMembership(PgId(pg));
    for (const proto::PgMember& mem : config.Union()) {
      NodeId m = mem.node;
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
    if (in.complete) return;
    proto::Membership config = pg < r.found.size() ? r.found[pg].config
                                                    : DefaultMembership(PgId(pg));
    auto sets = ConfigRead::Sets(config);
    proto::PgStateResponse resp;
    Status s = a.ok() ? proto::Decode(a.value(), &resp) : a.status();
    if (s.ok() && (resp.node_epoch > r.new_epoch || !r.new_history.IsPrefixOf(resp.history))) {
      s = Status::Fenced("node " + std::to_string(node.value()) + " is at epoch " +
                         std::to_string(resp.node_epoch.value()));
    }
    if (s.IsFenced()) {
      FailRecoveryLocked(s, &out);
    } else if (!s.ok()) {
      in.failed.insert(node);
      bool hopeless = std::any_of(sets.begin(), sets.end(), [&](const auto& set) {
        return std::count_if(set.begin(), set.end(), [&](NodeId n) {
                 return in.failed.count(n) > 0;
               }) > kCopies - kWriteQuorum;
      });
      if (hopeless) {
        FailRecoveryLocked(Status::Unavailable("PG " + std::to_string(pg) +
                                               ": no write quorum for the new epoch: " +
                                               s.ToString()),
                           &out);
      }
    } else {
      in.acked[node] = std::min(resp.scl, r.vdl);
      bool quorum = std::all_of(sets.begin(), sets.end(), [&](const auto& set) {
        return std::count_if(set.begin(), set.end(), [&](NodeId n) {
                 return in.acked.count(n) > 0;
               }) >= kWriteQuorum;
      });
      if (quorum) {
        in.complete = true;
        if (--r.installs_open == 0) FinishRecoveryLocked(&out);
      }
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
    AddPgLocked(PgId(pg), /*growing=*/false, out, r.found[pg].config);
    PgTrack& t = pgs_[pg];
    t.chain = r.chain[pg];
    for (const auto& [node, scl] : r.installs[pg].acked) {
      int i = MemberIndex(t, node);
      if (i >= 0) t.scl[i] = scl;
    }
    // A change the previous writer left between its steps: this writer finishes it (step 2
    // from the retry tick) once the joiner holds everything up to the recovered VDL.
    if (t.config.transitional()) t.transition_vcl = r.vdl;
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
