// The simulated workload, fault schedule and invariant checks; see scenario.h.
#include "scenario.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <memory>

#include "page/page.h"
#include "redo/apply.h"
#include "sim.h"
#include "volume/volume_client.h"

namespace nordlys::sim {
namespace {

constexpr uint64_t kPages = 40;          // 5 PGs of 8 pages
constexpr uint32_t kSlots = 32;          // 16-byte slots per page body
constexpr int kCommitters = 8;           // MTRs in flight per writer
constexpr uint64_t kHealUs = 3'000'000;  // after healing: time for gossip and stragglers
constexpr uint64_t kAvailabilityUs = 5'000'000;
constexpr int kConvergeAttempts = 20;  // x 0.5 s of virtual time for repair to converge
constexpr uint64_t kGcLagLsns = 40;    // GC mode: horizon this far behind the writer's VDL

struct Write {
  PageId page;
  uint16_t offset;
  std::string bytes;
};

struct MtrModel {
  Epoch epoch;
  Lsn first;
  Lsn cpl;
  std::vector<Write> writes;
  bool acked = false;
};

class Scenario;

// One writer instance: its channel, its client, whether it still issues work.
struct Writer {
  int id = 0;
  std::unique_ptr<SimWorld::Channel> channel;
  std::unique_ptr<volume::VolumeClient> client;
  bool issuing = false;
  bool recovered = false;
  Status recover_status = Status::Unavailable("recovering");
  bool recover_done = false;
};

class Scenario {
 public:
  explicit Scenario(const ScenarioOptions& o) : o_(o), world_(o.seed * 7919 + 17) {
    Random& r = world_.rng();
    SimFaults& f = world_.faults();
    f.drop = std::vector<double>{0, 0, 0.01, 0.05}[r.Uniform(4)];
    f.duplicate = r.OneIn(3) ? 0.02 : 0;
    f.delay_max_us = r.OneIn(2) ? 300 : 3000;
    f.disk_sync_us = 50 + r.Uniform(400);
    Trace(fmt::format("faults drop={} dup={} delay_max_us={} sync_us={}", f.drop, f.duplicate,
                      f.delay_max_us, f.disk_sync_us));
    // Decided by the seed alone (no draw), so the other seeds keep their fault schedules.
    replace_mode_ = !o.past_tolerance && o.seed % 3 == 0;
    joiner_dies_ = replace_mode_ && o.seed % 9 == 0;
    gc_mode_ = o.seed % 2 == 0;
    // Replace mode writes the first 3 PGs only until the replacement is done, so that the
    // volume grows afterwards: the new PGs must be placed on the replacement, not the dead node.
    if (replace_mode_) pages_in_use_ = 3 * world_.geometry().pages_per_pg();
  }

  ScenarioResult Run();

 private:
  // Every node's SCL per PG and epoch, into the trace.
  void TraceNodes() {
    for (auto& n : world_.nodes()) {
      std::string scls;
      Epoch e;
      for (uint64_t pg = 0; pg * world_.geometry().pages_per_pg() < kPages; ++pg) {
        auto st = n->up() ? n->store()->PgState({Epoch(0), PgId(pg), Lsn::Max()})
                          : Result<proto::PgStateResponse>(Status::Unavailable("down"));
        scls += st.ok() ? fmt::format(" {}", st->scl) : " -";
        if (st.ok()) e = st->node_epoch;
      }
      Trace(fmt::format("  node {} epoch {} SCL per PG:{}", n->id(), e, scls));
    }
  }
  void Trace(const std::string& s) {
    result_.trace += fmt::format("[{:>9}us] {}\n", world_.NowMicros(), s);
  }
  void Fail(const std::string& s) {
    if (result_.failure.empty()) result_.failure = s;
  }

  Writer* StartWriter();
  void Issue(Writer* w);
  bool WaitRecovered(Writer* w, uint64_t budget_us);
  void FaultPhase();
  void Heal();
  void CheckFinal(Writer* w);
  // "" when every segment of every PG reached `vdl` and they hold identical records.
  std::string SegmentsDiffer(Writer* w, Lsn vdl);
  int DownCount();
  // Membership change (replace mode): kill a node for good and replace it by a new one.
  void StartReplacement();
  // Asks the current writer for whatever step the replacement still needs (a new writer may
  // have found the change not begun, or half done); called every fault-phase iteration.
  void DriveReplacement();
  // True when the writer's every PG is stable and holds no node that is gone for good.
  bool ReplacementDone(Writer* w);
  // GC mode: the current writer moves the horizon up to kGcLagLsns behind its VDL (what an
  // instance with a tiny retention window does), so storage reclaims versions all along and
  // every repair, wipe and replacement after that needs shipped page images.
  void AdvanceHorizon();

  ScenarioOptions o_;
  SimWorld world_;
  ScenarioResult result_;
  std::vector<std::unique_ptr<Writer>> writers_;
  std::map<uint64_t, MtrModel> mtrs_;           // by CPL
  std::set<std::string> cut_;
  bool stop_issuing_ = false;
  bool replace_mode_ = false;
  bool joiner_dies_ = false;   // the first replacement node dies too; retried with another
  bool gc_mode_ = false;       // the writer sets a GC horizon close behind its VDL throughout
  uint64_t pages_in_use_ = kPages;  // the workload writes pages [0, pages_in_use_)
  Lsn horizon_;                // the highest horizon any writer was asked to set
  SimNode* dead_ = nullptr;    // F: the node replaced
  SimNode* joiner_ = nullptr;  // G, or H once G died
  std::set<NodeId> gone_;      // killed for good: the fault schedule never restarts them
  bool dead_came_back_ = false;
  uint64_t replace_asks_ = 0;  // bound on ReplaceMember calls (one per fault-phase iteration)
};

Writer* Scenario::StartWriter() {
  auto w = std::make_unique<Writer>();
  w->id = static_cast<int>(writers_.size()) + 1;
  w->channel = std::make_unique<SimWorld::Channel>(&world_);
  volume::VolumeOptions vo;
  vo.lsn_allocation_limit = 2000;
  vo.request_timeout_ms = 50;
  vo.retry_interval_micros = 10'000;
  vo.hedge_after_micros = 2'000;
  w->client = volume::VolumeClient::Create(world_.geometry(), w->channel.get(), &world_, vo);
  Writer* raw = w.get();
  writers_.push_back(std::move(w));
  Trace(fmt::format("writer {} starts recovery", raw->id));
  TraceNodes();
  raw->client->Recover([this, raw](Status s) {
    raw->recover_done = true;
    raw->recover_status = s;
    if (!s.ok()) {
      Trace(fmt::format("writer {} recovery failed: {}", raw->id, s.ToString()));
      return;
    }
    raw->recovered = true;
    ++result_.recoveries;
    Trace(fmt::format("writer {} recovered epoch={} vdl={}", raw->id, raw->client->epoch(),
                      raw->client->vdl()));
    raw->issuing = true;
    for (int i = 0; i < kCommitters; ++i) Issue(raw);
  });
  return raw;
}

void Scenario::Issue(Writer* w) {
  if (!w->issuing || stop_issuing_) return;
  Random& r = world_.rng();
  int n = 1 + static_cast<int>(r.Uniform(3));
  std::vector<volume::PendingRecord> recs;
  std::vector<Write> writes;
  for (int i = 0; i < n; ++i) {
    Write wr;
    wr.page = PageId(r.Uniform(pages_in_use_));
    wr.offset = static_cast<uint16_t>(page::kPageHeaderSize + 16 * r.Uniform(kSlots));
    wr.bytes = fmt::format("{:016x}", r.Next()).substr(0, 16);
    recs.push_back({wr.page, redo::RecordType::kWriteBytes,
                    redo::WriteBytesPayload(wr.offset, wr.bytes)});
    writes.push_back(std::move(wr));
  }
  Epoch epoch = w->client->epoch();
  auto cpl = w->client->AppendMtr(std::move(recs));
  if (!cpl.ok()) {
    if (cpl.status().code() == StatusCode::kResourceExhausted) {
      w->client->WhenLsnSpace([this, w](Status s) {
        if (s.ok()) Issue(w);
      });
    } else {
      w->issuing = false;  // fenced or broken: this writer stops
    }
    return;
  }
  ++result_.mtrs_issued;
  MtrModel m;
  m.epoch = epoch;
  m.cpl = *cpl;
  m.first = Lsn(cpl->value() - static_cast<uint64_t>(n) + 1);
  m.writes = std::move(writes);
  uint64_t key = cpl->value();
  if (mtrs_.count(key)) return Fail(fmt::format("LSN {} assigned twice", key));
  mtrs_.emplace(key, std::move(m));
  w->client->WhenDurable(*cpl, [this, w, key](Status s) {
    if (!s.ok()) {
      w->issuing = false;
      return;
    }
    auto it = mtrs_.find(key);
    NORDLYS_ASSERT(it != mtrs_.end());
    it->second.acked = true;
    ++result_.mtrs_acked;
    // Acknowledged means durable: VDL of this writer must already cover it.
    if (w->client->vdl() < Lsn(key)) Fail(fmt::format("ack for {} above VDL", key));
    Issue(w);
  });
}

bool Scenario::WaitRecovered(Writer* w, uint64_t budget_us) {
  world_.RunUntil(world_.NowMicros() + budget_us, [w] { return w->recover_done; });
  return w->recovered;
}

void Scenario::StartReplacement() {
  Random& r = world_.rng();
  std::vector<SimNode*> candidates;
  for (auto& n : world_.nodes()) {
    if (n->up() && !cut_.count(n->az())) candidates.push_back(n.get());
  }
  if (candidates.empty() || DownCount() >= 2) return;
  dead_ = candidates[r.Uniform(candidates.size())];
  bool torn = r.OneIn(2);
  Trace(fmt::format("node {} dies for good (torn={})", dead_->id(), torn));
  dead_->Crash(torn);
  gone_.insert(dead_->id());
  joiner_ = world_.AddNode(dead_->az());
  Trace(fmt::format("new node {} in {} to replace node {}", joiner_->id(), joiner_->az(),
                    dead_->id()));
  DriveReplacement();
  if (joiner_dies_) {
    // The replacement dies mid-change, while it still streams records from its peers: it is
    // replaced in turn (ABCDEF∧ABCDEG -> ABCDEF∧ABCDEH) by the next DriveReplacement().
    world_.RunAfter(1'000 + r.Uniform(4'000), [this] {
      if (!joiner_->up()) return;
      Trace(fmt::format("new node {} dies for good mid-change", joiner_->id()));
      joiner_->Crash(false);
      gone_.insert(joiner_->id());
      joiner_ = world_.AddNode(dead_->az());
      Trace(fmt::format("new node {} replaces it", joiner_->id()));
    });
  }
}

bool Scenario::ReplacementDone(Writer* w) {
  if (!w->recovered || w->client->fenced() || w->client->ChangingMembership()) return false;
  for (uint64_t pg = 0; pg * world_.geometry().pages_per_pg() < kPages; ++pg) {
    std::vector<NodeId> members = w->client->Members(PgId(pg));
    if (members.empty()) continue;  // not grown yet
    if (members.size() != volume::kCopies) return false;
    for (NodeId m : members) {
      if (gone_.count(m)) return false;
    }
  }
  return true;
}

void Scenario::DriveReplacement() {
  if (dead_ == nullptr) return;
  Writer* w = writers_.back().get();
  if (!w->recovered || w->client->fenced() || ReplacementDone(w)) return;
  if (replace_asks_ >= 10'000) return;
  // Which gone node the writer still has, and whether a change is already under way.
  std::set<NodeId> held;
  for (uint64_t pg = 0; pg * world_.geometry().pages_per_pg() < kPages; ++pg) {
    for (NodeId m : w->client->Members(PgId(pg))) {
      if (gone_.count(m)) held.insert(m);
    }
  }
  NodeId old;
  if (w->client->ChangingMembership()) {
    // A joiner that died mid-change is replaced by the current joiner (a retry); otherwise the
    // writer finishes the change on its own.
    for (NodeId g : held) {
      if (g != dead_->id()) old = g;
    }
    if (old == NodeId(0)) return;
  } else if (held.count(dead_->id())) {
    old = dead_->id();
  } else if (!held.empty()) {
    old = *held.begin();
  } else {
    return;
  }
  ++replace_asks_;
  volume::NodeInfo info{joiner_->id(), joiner_->az(), joiner_->address()};
  int wid = w->id;
  w->client->ReplaceMember(old, info, [this, wid, old, info](Status s) {
    Trace(fmt::format("writer {}: ReplaceMember({} -> {}): {}", wid, old, info.id,
                      s.ToString()));
    if (s.ok()) ++result_.replacements;
  });
}

void Scenario::AdvanceHorizon() {
  if (!gc_mode_) return;
  Writer* w = writers_.back().get();
  if (!w->recovered || w->client->fenced()) return;
  Lsn vdl = w->client->vdl();
  if (vdl.value() <= kGcLagLsns) return;
  Lsn h(vdl.value() - kGcLagLsns);
  if (h <= horizon_) return;
  horizon_ = h;
  w->client->SetHorizon(h);
}

int Scenario::DownCount() {
  int down = 0;
  for (auto& n : world_.nodes()) {
    if (!n->up() || cut_.count(n->az())) ++down;
  }
  return down;
}

void Scenario::FaultPhase() {
  Random& r = world_.rng();
  uint64_t end = world_.NowMicros() + o_.fault_phase_us;
  bool past_done = false;
  while (world_.NowMicros() < end && result_.failure.empty()) {
    world_.RunUntil(world_.NowMicros() + 20'000 + r.Uniform(80'000));
    AdvanceHorizon();
    if (replace_mode_) {
      if (dead_ == nullptr && world_.NowMicros() + o_.fault_phase_us > end + 150'000) {
        StartReplacement();
      }
      DriveReplacement();
    }
    int choice = static_cast<int>(r.Uniform(10));
    auto& nodes = world_.nodes();
    SimNode* n = nodes[r.Uniform(nodes.size())].get();
    if (choice <= 2) {  // crash a node, staying within tolerance (<= 2 unavailable)
      if (n->up() && DownCount() < 2) {
        bool torn = r.OneIn(2);
        Trace(fmt::format("crash node {} torn={}", n->id(), torn));
        n->Crash(torn);
      }
    } else if (choice <= 4) {  // restart a down node (maybe wiped)
      if (!n->up() && n == dead_ && !dead_came_back_ && r.OneIn(4)) {
        // The replaced node comes back for a while: harmless, and it dies again before the end.
        dead_came_back_ = true;
        Status s = n->Restart();
        Trace(fmt::format("replaced node {} comes back: {}", n->id(), s.ToString()));
      } else if (!n->up() && !gone_.count(n->id())) {
        if (r.OneIn(6)) {
          Trace(fmt::format("wipe node {}", n->id()));
          n->Wipe();
        }
        Status s = n->Restart();
        Trace(fmt::format("restart node {}: {}", n->id(), s.ToString()));
        if (!s.ok()) Fail(fmt::format("node {} failed to restart: {}", n->id(), s.ToString()));
      }
    } else if (choice == 5) {  // flip a bit in a stored file
      if (n->up()) {
        // Only the checksummed segment log: the small epoch and PG-config files are replaced
        // atomically and a corrupt one is a "replace this node" event, beyond what the
        // protocol claims to survive in place.
        auto all = n->disk()->ListDir("/node");
        std::vector<std::string> files;
        if (all.ok()) {
          for (const auto& f : *all) {
            if (f.rfind("log-", 0) == 0) files.push_back(f);
          }
        }
        if (!files.empty()) {
          std::string path = "/node/" + files[r.Uniform(files.size())];
          auto size = n->disk()->FileSize(path);
          if (size.ok() && *size > 0) {
            uint64_t off = r.Uniform(*size);
            Trace(fmt::format("flip bit in {} of node {} at {}", path, n->id(), off));
            n->disk()->FlipBit(path, off, static_cast<int>(r.Uniform(8)));
          }
        }
      }
    } else if (choice == 6) {  // cut an AZ off (only when nothing else is down)
      if (cut_.empty() && DownCount() == 0) {
        std::string az = n->az();
        cut_.insert(az);
        world_.CutAz(az);
        Trace("cut " + az);
      }
    } else if (choice == 7) {
      if (!cut_.empty()) {
        Trace("heal network");
        cut_.clear();
        world_.HealAll();
      }
    } else if (choice == 8 && r.OneIn(3)) {  // the writer dies; a new one recovers
      Writer* old = writers_.back().get();
      bool zombie = r.OneIn(2);
      Trace(fmt::format("writer {} {}", old->id, zombie ? "becomes a zombie" : "dies"));
      if (!zombie) {
        old->issuing = false;
        old->channel->Disable();
      }
      Writer* w = StartWriter();
      if (!WaitRecovered(w, 3'000'000) && DownCount() <= 2) {
        TraceNodes();
        Fail(fmt::format("writer {} could not recover within tolerance: {}", w->id,
                         w->recover_status.ToString()));
      }
    } else if (choice == 9 && o_.past_tolerance && !past_done) {
      // Past tolerance: 4 of 6 down. A new writer cannot recover (no read quorum in some PG):
      // it must say Unavailable, never succeed.
      past_done = true;
      for (auto& node : nodes) {
        if (DownCount() >= 4) break;
        if (node->up()) {
          Trace(fmt::format("past tolerance: crash node {}", node->id()));
          node->Crash(false);
        }
      }
      Writer* old = writers_.back().get();
      old->issuing = false;
      old->channel->Disable();
      Writer* w = StartWriter();
      world_.RunUntil(world_.NowMicros() + 2'000'000, [w] { return w->recover_done; });
      if (w->recovered) Fail("recovery succeeded with 4 of 6 nodes down");
      Trace("restarting every node");
      for (auto& node : nodes) {
        if (!node->up()) {
          Status s = node->Restart();
          if (!s.ok()) Fail(fmt::format("node {} restart: {}", node->id(), s.ToString()));
        }
      }
      if (!w->recover_done) {
        world_.RunUntil(world_.NowMicros() + 3'000'000, [w] { return w->recover_done; });
      }
      if (!w->recovered) {
        Writer* w2 = StartWriter();
        if (!WaitRecovered(w2, 3'000'000)) Fail("no recovery after healing past-tolerance faults");
      }
    }
  }
}

void Scenario::Heal() {
  Trace("heal everything");
  cut_.clear();
  world_.HealAll();
  world_.faults().drop = 0;
  world_.faults().duplicate = 0;
  for (auto& n : world_.nodes()) {
    if (gone_.count(n->id())) {
      if (n->up()) {
        Trace(fmt::format("node {} dies for good again", n->id()));
        n->Crash(false);
      }
      continue;
    }
    if (!n->up()) {
      Status s = n->Restart();
      if (!s.ok()) Fail(fmt::format("node {} restart: {}", n->id(), s.ToString()));
    }
  }
  world_.RunUntil(world_.NowMicros() + kHealUs);
}

void Scenario::CheckFinal(Writer* w) {
  Lsn vdl = w->client->vdl();
  // The epoch history as storage holds it is what annuls records: take the longest any node
  // has (every node that took the final writer's epoch has all of it).
  proto::EpochHistory history;
  for (auto& n : world_.nodes()) {
    if (!n->up()) continue;
    auto st = n->store()->PgState({Epoch(0), PgId(0), Lsn::Max()});
    if (st.ok() && st->history.entries.size() > history.entries.size()) history = st->history;
  }
  if (history.current() != w->client->epoch()) {
    return Fail(fmt::format("no storage node holds the final writer's epoch {} (longest "
                            "history ends at epoch {})",
                            w->client->epoch(), history.current()));
  }
  for (const auto& e : history.entries) {
    result_.trace += fmt::format("history: epoch {} cut at VDL {}\n", e.epoch, e.vdl);
  }
  // 1 and 2: acknowledged => survives; surviving set builds the expected pages.
  std::map<uint64_t, page::Page> expected;
  for (auto& [cpl, m] : mtrs_) {
    bool annulled = history.Annulled(m.epoch, m.cpl);
    bool survives = !annulled && m.cpl <= vdl;
    if (m.acked && !survives) {
      return Fail(fmt::format("acknowledged MTR (epoch {}, LSN {}..{}) lost: final VDL {}{}",
                              m.epoch, m.first, m.cpl, vdl, annulled ? ", annulled" : ""));
    }
    if (!survives) continue;
    uint64_t lsn = m.first.value();
    for (const Write& wr : m.writes) {
      redo::Record rec{Lsn(lsn++), Lsn(0), wr.page, redo::RecordType::kWriteBytes, 0,
                       redo::WriteBytesPayload(wr.offset, wr.bytes)};
      Status s = redo::Apply(rec, &expected[wr.page.value()]);
      NORDLYS_ASSERT(s.ok());
    }
  }
  for (uint64_t p = 0; p < kPages && result_.failure.empty(); ++p) {
    bool done = false;
    Result<page::Page> got = Status::Unavailable("no answer");
    w->client->ReadPage(PageId(p), vdl, [&](Result<page::Page> r) {
      got = std::move(r);
      done = true;
    });
    world_.RunUntil(world_.NowMicros() + 2'000'000, [&] { return done; });
    if (!got.ok()) {
      return Fail(fmt::format("read of page {} at VDL {} failed: {}", p, vdl,
                              got.status().ToString()));
    }
    page::Page want = expected.count(p) ? expected[p] : page::Page();
    want.Seal();
    page::Page have = *got;
    have.Seal();
    if (want.bytes != have.bytes) {
      size_t at = 0;  // first difference outside the checksum field
      while (at < page::kPageSize && (want.bytes[at] == have.bytes[at] || (at >= 16 && at < 20))) {
        ++at;
      }
      // Which MTRs wrote the differing slot: the usual first question when replaying.
      std::string writers;
      uint16_t slot_off = static_cast<uint16_t>(at - (at - page::kPageHeaderSize) % 16);
      for (auto& [cpl, m] : mtrs_) {
        for (const Write& wr : m.writes) {
          if (wr.page == PageId(p) && wr.offset == slot_off) {
            writers += fmt::format(" [epoch {} lsn {}..{} acked={} bytes={}]", m.epoch, m.first,
                                   m.cpl, m.acked, wr.bytes);
          }
        }
      }
      // And what each replica of the page's PG says, read directly.
      PgId pgid = world_.geometry().PgOf(PageId(p));
      for (NodeId id : world_.geometry().Members(pgid)) {
        SimNode* n = world_.node(id);
        if (!n->up()) continue;
        auto st = n->store()->PgState({Epoch(0), pgid, Lsn::Max()});
        auto gp = n->store()->GetPage({w->client->epoch(), pgid, PageId(p), vdl});
        std::string state =
            !gp.ok() ? gp.status().ToString()
                     : (std::memcmp(gp->image.data() + slot_off, want.bytes.data() + slot_off,
                                    16) == 0 ? "right" : "WRONG");
        auto fr = n->store()->FetchRecords({w->client->epoch(), pgid, Lsn(0), vdl, 1u << 30});
        std::string held;
        if (fr.ok()) {
          for (const auto& sr : fr->records) {
            if (sr.record.page == PageId(p) && sr.record.lsn.value() + 3000 > want.lsn().value()) {
              held += fmt::format(" {}", sr.record.lsn);
            }
          }
        }
        writers += fmt::format("\n  node {}: scl={} page@vdl={} recent records of the page:{}",
                               id, st.ok() ? st->scl.value() : 0, state, held);
      }
      return Fail(fmt::format("page {} at VDL {} differs from the model at byte {} "
                              "(page_lsn {} vs model {}); got '{}' want '{}'; writers of that "
                              "slot:{}",
                              p, vdl, at, have.lsn(), want.lsn(),
                              std::string(have.bytes.data() + slot_off, 16),
                              std::string(want.bytes.data() + slot_off, 16), writers));
    }
  }
  // 4: after healing every segment catches up (repair is live) and the segments of a PG hold
  // identical records. Reading every record may surface bit flips scrub has not reached yet:
  // the node answers Corruption, drops the record and re-fetches it, so retry a bounded number
  // of times before calling it a failure.
  std::string last_problem;
  for (int attempt = 0; attempt < kConvergeAttempts; ++attempt) {
    world_.RunUntil(world_.NowMicros() + (attempt == 0 ? kHealUs : 500'000));
    last_problem = SegmentsDiffer(w, vdl);
    if (last_problem.empty()) return;
  }
  TraceNodes();
  Fail(last_problem);
}

std::string Scenario::SegmentsDiffer(Writer* w, Lsn vdl) {
  const uint64_t ppg = world_.geometry().pages_per_pg();
  for (uint64_t pg = 0; pg * ppg < kPages; ++pg) {
    std::string reference;
    NodeId reference_node;
    std::vector<NodeId> members = w->client->Members(PgId(pg));
    if (members.size() != volume::kCopies) {
      return fmt::format("PG {} has {} members after healing (a membership change did not "
                         "finish)", pg, members.size());
    }
    // Below the highest horizon of the PG's members, GC (or shipped images) left each node its
    // own mix of images and records: there the segments must agree on every page as of that
    // horizon; above it, on every record.
    Lsn horizon;
    for (NodeId id : members) {
      SimNode* n = world_.node(id);
      if (!n->up()) return fmt::format("node {}, a member of PG {}, is down", id, pg);
      auto st = n->store()->PgState({Epoch(0), PgId(pg), Lsn::Max()});
      if (!st.ok() || st->scl < vdl) {
        return fmt::format("node {} PG {} did not catch up after healing: SCL {} < VDL {}", id,
                           pg, st.ok() ? st->scl.value() : 0, vdl);
      }
      horizon = std::max(horizon, st->horizon);
    }
    if (horizon > vdl) return fmt::format("PG {}: horizon {} above VDL {}", pg, horizon, vdl);
    if (gc_mode_ && horizon_ != kInvalidLsn && horizon == kInvalidLsn) {
      return fmt::format("PG {}: no member has a GC horizon although the writer set {}", pg,
                         horizon_);
    }
    for (NodeId id : members) {
      SimNode* n = world_.node(id);
      proto::FetchRecordsRequest req{w->client->epoch(), PgId(pg), horizon, vdl, 1u << 30};
      auto resp = n->store()->FetchRecords(req);
      if (!resp.ok()) return fmt::format("node {} PG {}: {}", id, pg, resp.status().ToString());
      if (resp->images_at != kInvalidLsn) {
        return fmt::format("node {} PG {}: GC floor above its horizon {}", id, pg, horizon);
      }
      std::string digest;
      for (const auto& sr : resp->records) redo::EncodeRecord(sr.record, &digest);
      for (uint64_t p = pg * ppg; p < (pg + 1) * ppg && horizon != kInvalidLsn; ++p) {
        auto gp = n->store()->GetPage({w->client->epoch(), PgId(pg), PageId(p), horizon});
        if (!gp.ok()) {
          return fmt::format("node {} page {} at the horizon {}: {}", id, p, horizon,
                             gp.status().ToString());
        }
        digest += gp->image;
      }
      if (reference_node == NodeId(0)) {
        reference = digest;
        reference_node = id;
      } else if (digest != reference) {
        return fmt::format("PG {}: nodes {} and {} hold different records below VDL {} (or "
                           "pages at the horizon {})", pg, reference_node, id, vdl, horizon);
      }
    }
  }
  return "";
}

ScenarioResult Scenario::Run() {
  Writer* w = StartWriter();
  if (!WaitRecovered(w, 2'000'000)) {
    Fail("initial recovery failed: " + w->recover_status.ToString());
    return result_;
  }
  FaultPhase();
  Heal();
  // No replacement was started (the fault schedule never allowed one): write every page now.
  if (dead_ == nullptr) pages_in_use_ = kPages;
  // 3: availability after healing — a fresh writer recovers and gets new commits acknowledged.
  for (auto& old : writers_) {
    old->issuing = false;
    old->channel->Disable();
  }
  world_.RunUntil(world_.NowMicros() + 200'000);
  Writer* last = StartWriter();
  if (!WaitRecovered(last, kAvailabilityUs)) {
    Fail("after healing, a new writer could not recover: " + last->recover_status.ToString());
    return result_;
  }
  SimNode* extra_down = nullptr;
  if (dead_ != nullptr) {
    // The replacement must finish (the control plane would keep asking, as DriveReplacement
    // does); then the old node is not needed: it stays dead, and one more node of another AZ
    // dies too, and writes must still be acknowledged.
    for (int i = 0; i < 100 && !ReplacementDone(last); ++i) {
      DriveReplacement();
      world_.RunUntil(world_.NowMicros() + 50'000, [&] { return ReplacementDone(last); });
    }
    if (!ReplacementDone(last)) {
      TraceNodes();
      Fail("the membership change did not finish after healing");
      return result_;
    }
    Trace("membership change complete; the workload now writes every page (the volume grows)");
    pages_in_use_ = kPages;
    for (NodeId id : last->client->Members(PgId(0))) {
      SimNode* n = world_.node(id);
      if (n->az() != dead_->az() && n->up()) extra_down = n;
    }
    NORDLYS_ASSERT(extra_down != nullptr);
    Trace(fmt::format("node {} crashes too (old node {} stays dead)", extra_down->id(),
                      dead_->id()));
    extra_down->Crash(false);
  }
  uint64_t acked_before = result_.mtrs_acked;
  world_.RunUntil(world_.NowMicros() + kAvailabilityUs,
                  [&] { return result_.mtrs_acked >= acked_before + 20; });
  if (result_.mtrs_acked < acked_before + 20) {
    Fail(fmt::format("after healing, only {} new commits acknowledged in {} us",
                     result_.mtrs_acked - acked_before, kAvailabilityUs));
  }
  if (extra_down != nullptr) {
    Status s = extra_down->Restart();
    if (!s.ok()) Fail(fmt::format("node {} restart: {}", extra_down->id(), s.ToString()));
    // PGs the volume grew after the replacement went by current membership: none may hold a
    // node that is gone for good (DriveReplacement is not called any more, so nothing repaired
    // a wrong placement since).
    for (uint64_t pg = 0; pg * world_.geometry().pages_per_pg() < kPages; ++pg) {
      for (NodeId m : last->client->Members(PgId(pg))) {
        if (gone_.count(m)) {
          Fail(fmt::format("PG {} was placed on node {}, which was replaced", pg, m));
        }
      }
    }
    // And a new writer finds every PG where growth put it (recovery probes the same placement).
    last->issuing = false;
    last->channel->Disable();
    Writer* again = StartWriter();
    if (!WaitRecovered(again, kAvailabilityUs)) {
      Fail("after growth by current membership, a new writer could not recover: " +
           again->recover_status.ToString());
      return result_;
    }
    for (uint64_t pg = 0; pg * world_.geometry().pages_per_pg() < kPages; ++pg) {
      auto before = last->client->Members(PgId(pg));
      auto after = again->client->Members(PgId(pg));
      // (A PG still growing under the old writer may be unknown to the new one: it has no
      // records, and the new writer grows it again when it is written.)
      if (!before.empty() && !after.empty() && before != after) {
        Fail(fmt::format("PG {}: the new writer recovered other members than the old one had",
                         pg));
      }
    }
    last = again;
    world_.RunUntil(world_.NowMicros() + 300'000);
  }
  stop_issuing_ = true;
  last->issuing = false;
  // Let in-flight commits settle so the check sees a quiet volume.
  world_.RunUntil(world_.NowMicros() + 500'000);
  if (gc_mode_ && result_.failure.empty()) {
    // Repair after GC: the horizon moves up to VDL, every node collects, and then a member is
    // wiped. Its peers hold no records below their GC floor any more, so CheckFinal's
    // convergence (SCL >= VDL, identical segments) needs the page images they ship.
    Lsn vdl = last->client->vdl();
    horizon_ = std::max(horizon_, vdl);
    last->client->SetHorizon(vdl);
    world_.RunUntil(world_.NowMicros() + 200'000);
    std::vector<NodeId> members = last->client->Members(PgId(0));
    SimNode* victim = world_.node(members[world_.rng().Uniform(members.size())]);
    Trace(fmt::format("GC horizon {} set; wipe node {} and restart it empty", vdl,
                      victim->id()));
    victim->Wipe();
    Status s = victim->Restart();
    if (!s.ok()) Fail(fmt::format("node {} restart: {}", victim->id(), s.ToString()));
  }
  if (result_.failure.empty()) CheckFinal(last);
  for (auto& n : world_.nodes()) {
    if (n->up()) result_.images_shipped += n->store()->Stats().images_received;
  }
  result_.events = world_.events_run();
  return result_;
}

}  // namespace

ScenarioResult RunScenario(const ScenarioOptions& options) {
  Scenario s(options);
  return s.Run();
}

}  // namespace nordlys::sim
