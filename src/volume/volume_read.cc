// Page reads and the GC horizon. A read goes to one member of the page's PG whose last
// acknowledged SCL covers the read point (any other member might answer OutOfRange or, worse,
// not yet hold a record the reader expects), the fastest first by latency EWMA; a second member
// is asked when the first is silent for hedge_after_micros (tail latency: one slow disk must not
// stall a query), and further members on errors. First verified answer wins.
#include <algorithm>

#include "common/log.h"
#include "volume/volume_core.h"

namespace nordlys::volume {
namespace {
constexpr std::string_view kLog = "volume";
}  // namespace

// One page read in flight. Guarded by the core's mu_.
struct VolumeCore::ReadOp {
  PageId page;
  Lsn read_point;
  std::vector<NodeId> order;  // members whose SCL covers read_point, best first
  size_t next = 0;            // next member of `order` to ask
  int outstanding = 0;
  bool hedged = false;
  bool done = false;
  Status last_error = Status::Unavailable("no member answered");
  std::function<void(Result<page::Page>)> fn;
};

void VolumeCore::ReadPage(PageId page, Lsn read_point,
                          std::function<void(Result<page::Page>)> fn) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    PgId pg = geometry_.PgOf(page);
    if (phase_ != Phase::kOpen && phase_ != Phase::kFenced) {
      out.calls.push_back([fn = std::move(fn)] { fn(Status::Unavailable("volume not recovered")); });
    } else if (pg.value() >= pgs_.size()) {
      // Past the last PG: never written (the volume grows before any write lands there).
      out.calls.push_back([fn = std::move(fn)] { fn(page::Page{}); });
    } else {
      auto op = std::make_shared<ReadOp>();
      op->page = page;
      op->read_point = read_point;
      op->fn = std::move(fn);
      const PgTrack& t = pgs_[pg.value()];
      for (size_t i = 0; i < t.members.size(); ++i) {
        if (t.scl[i] >= read_point) op->order.push_back(t.members[i]);
      }
      std::sort(op->order.begin(), op->order.end(), [&](NodeId a, NodeId b) {
        double la = nodes_[a].latency_ewma_micros, lb = nodes_[b].latency_ewma_micros;
        return la != lb ? la < lb : a < b;
      });
      if (op->order.size() > kReadAttemptsMax) op->order.resize(kReadAttemptsMax);
      if (op->order.empty()) {
        out.calls.push_back([op, pg] {
          op->fn(Status::Unavailable("no member of PG " + std::to_string(pg.value()) +
                                     " is known to cover the read point"));
        });
      } else {
        ReadNextLocked(op, &out);
        out.timers.emplace_back(options_.hedge_after_micros, BindTimer([op](VolumeCore* self) {
          Outbox o;
          {
            std::lock_guard lock(self->mu_);
            if (!op->done && !op->hedged && op->next < op->order.size()) {
              op->hedged = true;
              self->ReadNextLocked(op, &o);
            }
          }
          self->Run(&o);
        }));
      }
    }
  }
  Run(&out);
}

void VolumeCore::ReadNextLocked(const std::shared_ptr<ReadOp>& op, Outbox* out) {
  NORDLYS_ASSERT(op->next < op->order.size());
  NodeId node = op->order[op->next++];
  ++op->outstanding;
  proto::GetPageRequest req;
  req.epoch = epoch_;
  req.pg = geometry_.PgOf(op->page);
  req.page = op->page;
  req.read_lsn = op->read_point;
  uint64_t now = scheduler_->NowMicros();
  out->sends.push_back({node, proto::kGetPage, proto::EncodeToString(req),
                        Bind([op, node, now](VolumeCore* self, Result<std::string> r) {
                          self->OnReadAnswer(op, node, now, std::move(r));
                        })});
}

void VolumeCore::OnReadAnswer(const std::shared_ptr<ReadOp>& op, NodeId node,
                              uint64_t sent_micros, Result<std::string> r) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    --op->outstanding;
    ObserveLatencyLocked(node, sent_micros, r.ok());
    if (op->done) return;
    Status s = r.status();
    page::Page p;
    if (s.ok()) {
      proto::GetPageResponse resp;
      s = proto::Decode(r.value(), &resp);
      if (s.ok() && resp.image.size() != page::kPageSize) {
        s = Status::Corruption("page image of " + std::to_string(resp.image.size()) + " bytes");
      }
      if (s.ok()) {
        std::copy(resp.image.begin(), resp.image.end(), p.bytes.begin());
        s = p.Verify(op->page);
      }
      if (s.ok() && (p.lsn() > op->read_point || p.lsn() != resp.page_lsn)) {
        s = Status::Corruption("page LSN " + std::to_string(p.lsn().value()) +
                               " above the read point or the answer's page_lsn");
      }
    }
    if (s.ok()) {
      op->done = true;
      out.calls.push_back([op, p] { op->fn(p); });
    } else {
      if (s.IsCorruption()) {
        log::Warn(kLog, "bad page from storage", {{"node", node}, {"error", s.ToString()}});
      }
      if (s.IsFenced() && phase_ == Phase::kOpen) BecomeFencedLocked(s, &out);
      op->last_error = s;
      if (op->next < op->order.size()) {
        ReadNextLocked(op, &out);
      } else if (op->outstanding == 0) {
        op->done = true;
        out.calls.push_back([op, s] {
          op->fn(s.IsFenced() ? s
                              : Status::Unavailable("every member failed; last: " + s.ToString()));
        });
      }
    }
  }
  Run(&out);
}

void VolumeCore::SetHorizon(Lsn lsn) {
  Outbox out;
  {
    std::lock_guard lock(mu_);
    if (phase_ != Phase::kOpen) return;
    // Not held back during a membership change: a joining member's peers ship it page images
    // for whatever their GC reclaimed (proto "Image shipping").
    horizon_ = std::max(horizon_, lsn);
    SendHorizonLocked(lsn, &out);
  }
  Run(&out);
}

void VolumeCore::SendHorizonLocked(Lsn lsn, Outbox* out) {
  proto::SetHorizonRequest req;
  req.epoch = epoch_;
  req.horizon = lsn;
  std::string payload = proto::EncodeToString(req);
  for (const auto& [id, node] : nodes_) {
    if (node.pgs.empty()) continue;
    // Best effort: the next call repeats it, and a node that missed it only keeps more.
    out->sends.push_back({id, proto::kSetHorizon, payload, [](Result<std::string>) {}});
  }
}

}  // namespace nordlys::volume
