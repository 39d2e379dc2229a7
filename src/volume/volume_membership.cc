// Membership changes (VolumeClient::ReplaceMember) and the per-PG quorum sets they imply. The
// protocol rules are in proto/storage_protocol.h ("Membership changes"); this file is the
// writer's side of them:
//   - a PG's durability is the minimum, over its counting sets, of the 4th-highest SCL among
//     the set's members: one set normally, old and new during a change, plus the sets of the
//     membership being installed (so nothing counts as durable under a membership that is not
//     yet on a write quorum, nor under one that is no longer);
//   - a step installs membership version v+1 with ConfigurePg on every member of every set;
//     it is done when 4 of 6 of each counting set acknowledged v+1;
//   - step 2 (old ∧ new -> new) starts from the retry tick once the joiner's SCL reached the VCL
//     at which the transitional membership began, and the new set alone holds VCL on a quorum.
// Invariants: at most one step in flight per PG (pending); versions only grow; a PG's change
// callback runs once, when its membership is stable again (or fails with the writer).
#include <algorithm>

#include "common/log.h"
#include "volume/volume_core.h"

namespace nordlys::volume {
namespace {

constexpr std::string_view kLog = "volume";

std::vector<NodeId> Ids(const std::vector<proto::PgMember>& set) {
  std::vector<NodeId> out;
  for (const auto& m : set) out.push_back(m.node);
  return out;
}

bool Holds(const std::vector<proto::PgMember>& set, NodeId id) {
  return std::any_of(set.begin(), set.end(), [id](const auto& m) { return m.node == id; });
}

// The one member of `a` that `b` lacks (a transitional membership's joiner or leaver).
NodeId OnlyIn(const std::vector<proto::PgMember>& a, const std::vector<proto::PgMember>& b) {
  for (const auto& m : a) {
    if (!Holds(b, m.node)) return m.node;
  }
  return NodeId(0);
}

std::vector<proto::PgMember> Swap(std::vector<proto::PgMember> set, NodeId out,
                                  proto::PgMember in) {
  for (auto& m : set) {
    if (m.node == out) m = in;
  }
  return set;
}

std::string Describe(const proto::Membership& m) {
  auto list = [](const std::vector<proto::PgMember>& set) {
    std::string s;
    for (const auto& x : set) s += (s.empty() ? "" : ",") + std::to_string(x.node.value());
    return s;
  };
  std::string s = "v" + std::to_string(m.version.epoch.value()) + "." +
                  std::to_string(m.version.seq) + " {" + list(m.old_set) + "}";
  if (m.transitional()) s += "∧{" + list(m.new_set) + "}";
  return s;
}

}  // namespace

proto::Membership VolumeCore::DefaultMembership(PgId pg) const {
  proto::Membership m;
  for (NodeId id : geometry_.Members(pg)) {
    const NodeInfo* info = geometry_.Node(id);
    m.old_set.push_back({id, info ? info->address : std::string()});
  }
  return m;
}

proto::Membership VolumeCore::PlacementFor(
    PgId pg, const std::vector<const proto::Membership*>& existing) const {
  // Replacements seen in the existing PGs: geometry member -> the node in its place, from the
  // highest membership version that shows one (a later change outranks an earlier one).
  // Bound: kPgsMax memberships x kCopies positions.
  std::map<NodeId, std::pair<proto::MembershipVersion, proto::PgMember>> moved;
  for (size_t p = 0; p < existing.size(); ++p) {
    const proto::Membership* m = existing[p];
    if (m == nullptr || !m->known()) continue;
    // Where the PG is heading: the new set while a member is being replaced (the leaver is
    // presumed dead; a new PG should not start on it).
    const auto& set = m->transitional() ? m->new_set : m->old_set;
    auto def = geometry_.Members(PgId(p));
    for (size_t i = 0; i < set.size() && i < def.size(); ++i) {
      if (set[i].node == def[i]) continue;
      auto it = moved.find(def[i]);
      if (it == moved.end() || it->second.first < m->version) {
        moved[def[i]] = {m->version, set[i]};
      }
    }
  }
  proto::Membership out = DefaultMembership(pg);
  if (moved.empty()) return out;
  bool changed = false;
  for (auto& member : out.old_set) {
    proto::PgMember next = member;
    // Follow X -> Y -> Z (Y itself a geometry node later replaced); bound: kPgMembersMax hops.
    for (size_t hop = 0; hop < kPgMembersMax; ++hop) {
      auto it = moved.find(next.node);
      if (it == moved.end() || it->second.second.node == member.node) break;
      next = it->second.second;
    }
    if (next.node == member.node) continue;
    bool taken = std::any_of(out.old_set.begin(), out.old_set.end(),
                             [&](const proto::PgMember& x) { return x.node == next.node; });
    if (taken) {
      // The replacement already holds another position of this PG: keep the geometry's
      // member there (a membership change can replace it later if it is really gone).
      log::Warn(kLog, "new PG keeps a replaced member: its replacement is already a member",
                {{"pg", pg}, {"node", member.node}, {"replacement", next.node}});
      continue;
    }
    member = next;
    changed = true;
  }
  if (changed) out.version = {epoch_, 1};
  return out;
}

proto::Membership VolumeCore::PlacementLocked(PgId pg) const {
  std::vector<const proto::Membership*> existing;
  for (const PgTrack& t : pgs_) existing.push_back(&t.config);
  return PlacementFor(pg, existing);
}

std::vector<std::vector<NodeId>> VolumeCore::CountingSetsLocked(const PgTrack& pg) const {
  std::vector<std::vector<NodeId>> sets;
  auto add = [&sets](std::vector<NodeId> s) {
    std::sort(s.begin(), s.end());
    if (std::find(sets.begin(), sets.end(), s) == sets.end()) sets.push_back(std::move(s));
  };
  for (const proto::Membership* m : {&pg.config, pg.pending ? &*pg.pending : nullptr}) {
    if (m == nullptr) continue;
    add(Ids(m->old_set));
    if (m->transitional()) add(Ids(m->new_set));
  }
  return sets;
}

Lsn VolumeCore::SetQuorumSclLocked(const PgTrack& pg, const std::vector<NodeId>& set) const {
  NORDLYS_ASSERT(set.size() == kCopies);
  std::array<Lsn, kCopies> scls{};
  for (size_t i = 0; i < set.size(); ++i) {
    int m = MemberIndex(pg, set[i]);
    scls[i] = m < 0 ? kInvalidLsn : pg.scl[m];
  }
  std::sort(scls.begin(), scls.end(), std::greater<Lsn>());
  static_assert(kWriteQuorum >= 1 && kWriteQuorum <= kCopies);
  return scls[kWriteQuorum - 1];
}

Lsn VolumeCore::QuorumSclLocked(const PgTrack& pg) const {
  Lsn q = Lsn::Max();
  for (const auto& set : CountingSetsLocked(pg)) q = std::min(q, SetQuorumSclLocked(pg, set));
  return q;
}

void VolumeCore::LearnMembersLocked(const proto::Membership& m, Outbox* out) {
  (void)out;
  for (const proto::PgMember& p : m.Union()) {
    auto [it, fresh] = addresses_.emplace(p.node, p.address);
    if (!fresh) continue;
    nodes_[p.node];
    // Called under mu_ (Learn never calls back): the sends of this same outbox need it.
    channel_->Learn(p.node, p.address);
    log::Info(kLog, "storage node learned from a PG membership",
              {{"node", p.node}, {"address", p.address}});
  }
}

void VolumeCore::RebuildMembersLocked(PgId id, Outbox* out) {
  PgTrack& t = pgs_[id.value()];
  std::vector<NodeId> next = Ids(t.config.Union());
  if (t.pending) {
    for (NodeId n : Ids(t.pending->Union())) {
      if (std::find(next.begin(), next.end(), n) == next.end()) next.push_back(n);
    }
  }
  NORDLYS_ASSERT(next.size() <= kPgMembersMax);
  std::vector<Lsn> scl;
  for (NodeId n : next) {
    int i = MemberIndex(t, n);
    scl.push_back(i < 0 ? kInvalidLsn : t.scl[i]);
  }
  for (NodeId n : t.members) {
    if (std::find(next.begin(), next.end(), n) != next.end()) continue;
    NodeTrack& nt = nodes_[n];  // left the PG: no more batches, polls or configuration
    nt.pgs.erase(std::remove(nt.pgs.begin(), nt.pgs.end(), id), nt.pgs.end());
    nt.unconfigured.erase(id);
  }
  for (NodeId n : next) {
    auto& list = nodes_[n].pgs;
    auto at = std::lower_bound(list.begin(), list.end(), id);
    if (at == list.end() || *at != id) list.insert(at, id);
  }
  t.members = std::move(next);
  t.scl = std::move(scl);
  // Everyone learns the new peer list (gossip) and the membership (recovery reads it).
  for (NodeId n : t.members) SendConfigureLocked(id, n, out);
}

Status VolumeCore::StartChangeLocked(PgId id, proto::Membership next,
                                     std::shared_ptr<MemberChange> change, Outbox* out) {
  PgTrack& t = pgs_[id.value()];
  NORDLYS_ASSERT(!t.pending.has_value());
  NORDLYS_ASSERT(!t.growing);
  NORDLYS_ASSERT(t.config.version < next.version);
  NORDLYS_RETURN_IF_ERROR(next.Validate());
  LearnMembersLocked(next, out);
  log::Info(kLog, "membership step started",
            {{"pg", id}, {"from", Describe(t.config)}, {"to", Describe(next)}, {"vcl", vcl_}});
  // Records above this VCL are counted on both sets from now on; the ones at or below it are on
  // a write quorum of the old set, and the joiner must hold them before it replaces anyone.
  if (next.transitional()) t.transition_vcl = vcl_;
  t.pending = std::move(next);
  t.pending_acks.clear();
  t.change = std::move(change);
  RebuildMembersLocked(id, out);
  return Status::OK();
}

void VolumeCore::OnConfigureAck(PgId id, NodeId node, proto::MembershipVersion v, Outbox* out) {
  if (id.value() >= pgs_.size()) return;
  PgTrack& t = pgs_[id.value()];
  NodeTrack& n = nodes_[node];
  const proto::Membership& target = t.pending ? *t.pending : t.config;
  if (MemberIndex(t, node) < 0) {
    n.unconfigured.erase(id);  // no longer a member: nothing more to tell it
    return;
  }
  if (v >= target.version) {
    n.unconfigured.erase(id);
  } else {
    SendConfigureLocked(id, node, out);  // a newer membership was made since this one was sent
  }
  if (!t.pending || v < t.pending->version) return;
  t.pending_acks.insert(node);
  for (const auto& set : CountingSetsLocked(t)) {
    int acks = 0;
    for (NodeId m : set) acks += t.pending_acks.count(m) ? 1 : 0;
    if (acks < kWriteQuorum) return;
  }
  FinishChangeStepLocked(id, out);
}

void VolumeCore::FinishChangeStepLocked(PgId id, Outbox* out) {
  PgTrack& t = pgs_[id.value()];
  NORDLYS_ASSERT(t.pending.has_value());
  t.config = std::move(*t.pending);
  t.pending.reset();
  t.pending_acks.clear();
  RebuildMembersLocked(id, out);
  log::Info(kLog, "membership step installed",
            {{"pg", id}, {"membership", Describe(t.config)}, {"vcl", vcl_}});
  // Fewer counting sets may let VCL move.
  RecomputeLocked(out);
  if (!t.config.transitional() && t.change) {
    std::shared_ptr<MemberChange> c = std::move(t.change);
    t.change.reset();
    c->remaining.erase(id);
    if (c->remaining.empty()) {
      log::Info(kLog, "member replaced",
                {{"old", c->old_node}, {"new", c->new_node.id}});
      out->calls.push_back([done = std::move(c->done)] { done(Status::OK()); });
    }
  }
}

void VolumeCore::AdvanceChangesLocked(Outbox* out) {
  for (size_t p = 0; p < pgs_.size(); ++p) {
    PgTrack& t = pgs_[p];
    if (t.pending || !t.config.transitional()) continue;
    NodeId joiner = OnlyIn(t.config.new_set, t.config.old_set);
    int j = MemberIndex(t, joiner);
    NORDLYS_ASSERT(j >= 0);
    if (t.scl[j] < t.transition_vcl) continue;  // still catching up from its peers
    if (SetQuorumSclLocked(t, Ids(t.config.new_set)) < vcl_) continue;
    proto::Membership next;
    next.version = {epoch_, t.config.version.epoch == epoch_ ? t.config.version.seq + 1 : 1};
    next.old_set = t.config.new_set;
    Status s = StartChangeLocked(PgId(p), std::move(next), t.change, out);
    NORDLYS_ASSERT(s.ok());  // derived from a valid transitional membership
  }
}

void VolumeCore::FailChangesLocked(const Status& s, Outbox* out) {
  std::set<std::shared_ptr<MemberChange>> failed;
  for (PgTrack& t : pgs_) {
    if (t.change) failed.insert(std::move(t.change));
    t.change.reset();
  }
  for (const auto& c : failed) {
    if (c->done) out->calls.push_back([done = std::move(c->done), s] { done(s); });
  }
}

bool VolumeCore::ChangingMembershipLocked() const {
  return std::any_of(pgs_.begin(), pgs_.end(), [](const PgTrack& t) {
    return t.pending.has_value() || t.config.transitional();
  });
}

void VolumeCore::ReplaceMember(NodeId old_node, NodeInfo new_node,
                               std::function<void(Status)> done) {
  Outbox out;
  Status refused;
  {
    std::lock_guard lock(mu_);
    auto plan = [&]() -> Result<std::vector<std::pair<PgId, proto::Membership>>> {
      if (phase_ == Phase::kFenced) return fence_status_;
      if (phase_ != Phase::kOpen) return Status::Unavailable("volume not recovered");
      if (new_node.id == NodeId(0) || new_node.address.empty() || new_node.id == old_node) {
        return Status::InvalidArgument("ReplaceMember: the new node needs an id, other than the "
                                       "old one, and an address");
      }
      if (AnyGrowingLocked()) return Status::Unavailable("volume growing; retry");
      proto::PgMember joiner{new_node.id, new_node.address};
      std::vector<std::pair<PgId, proto::Membership>> steps;
      for (size_t p = 0; p < pgs_.size(); ++p) {
        const PgTrack& t = pgs_[p];
        const proto::Membership& c = t.config;
        const auto& target = c.transitional() ? c.new_set : c.old_set;
        if (!Holds(target, old_node)) continue;
        std::string where = "PG " + std::to_string(p) + " (" + Describe(c) + ")";
        if (t.pending) {
          return Status::Unavailable(where + ": a membership step is being installed; retry");
        }
        proto::Membership next;
        next.version = {epoch_, c.version.epoch == epoch_ ? c.version.seq + 1 : 1};
        next.old_set = c.old_set;
        if (!c.transitional()) {
          if (Holds(c.old_set, new_node.id)) {
            return Status::InvalidArgument(where + ": node " +
                                           std::to_string(new_node.id.value()) +
                                           " is already a member");
          }
          next.new_set = Swap(c.old_set, old_node, joiner);
        } else {
          NodeId in = OnlyIn(c.new_set, c.old_set);
          NodeId out_node = OnlyIn(c.old_set, c.new_set);
          if (old_node != in) {
            return Status::Unavailable(where + ": already replacing node " +
                                       std::to_string(out_node.value()) + " by " +
                                       std::to_string(in.value()) + "; finish or undo that first");
          }
          if (new_node.id == out_node) {
            // Undo: back to the old set (the joiner died or is not wanted).
          } else if (Holds(c.old_set, new_node.id)) {
            return Status::InvalidArgument(where + ": node " +
                                           std::to_string(new_node.id.value()) +
                                           " is already a member");
          } else {
            next.new_set = Swap(c.old_set, out_node, joiner);  // retry with another node
          }
        }
        steps.emplace_back(PgId(p), std::move(next));
      }
      if (steps.empty()) {
        return Status::NotFound("no PG has node " + std::to_string(old_node.value()) +
                                " as a member");
      }
      return steps;
    }();
    if (!plan.ok()) {
      refused = plan.status();
    } else {
      auto change = std::make_shared<MemberChange>();
      change->old_node = old_node;
      change->new_node = new_node;
      change->done = std::move(done);
      for (auto& [pg, next] : *plan) {
        PgTrack& t = pgs_[pg.value()];
        if (t.change) {  // an earlier call's change of this PG is superseded
          std::shared_ptr<MemberChange> prev = std::move(t.change);
          t.change.reset();
          prev->remaining.erase(pg);
          if (prev->remaining.empty() && prev->done) {
            out.calls.push_back([d = std::move(prev->done)] {
              d(Status::Aborted("superseded by a later ReplaceMember"));
            });
          }
        }
        change->remaining.insert(pg);
        Status s = StartChangeLocked(pg, std::move(next), change, &out);
        NORDLYS_ASSERT(s.ok());  // built from valid memberships above
      }
      log::Info(kLog, "member replacement started",
                {{"old", old_node}, {"new", new_node.id}, {"pgs", change->remaining.size()}});
    }
  }
  Run(&out);
  if (!refused.ok()) done(refused);
}

std::vector<NodeId> VolumeCore::Members(PgId pg) const {
  std::lock_guard lock(mu_);
  if (pg.value() >= pgs_.size()) return {};
  return pgs_[pg.value()].members;
}

bool VolumeCore::ChangingMembership() const {
  std::lock_guard lock(mu_);
  return ChangingMembershipLocked();
}

}  // namespace nordlys::volume
