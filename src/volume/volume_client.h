// VolumeClient: the compute side of the volume — LSN allocation, per-node write rounds, 4/6
// quorum tracking (VCL, VDL), LAL back-pressure, commit waiters, page reads with hedging, and
// crash recovery with epoch fencing. See proto/storage_protocol.h for the protocol and
// docs/glossary.md for the LSN names.
//
// Writer flow: AppendMtr() assigns LSNs to a mini-transaction's records (the last one is the
// CPL) and buffers them; a flush round (every flush_interval_micros, sooner when the buffer
// is large or a WhenDurable waits on buffered records) sends each storage node one WriteBatch covering (last round's end, this round's end]
// for every PG it hosts. Acks carry per-PG SCLs; VCL = min over PGs of the 4th-highest SCL;
// VDL = highest CPL <= VCL. WhenDurable() callbacks fire, in groups, as VDL passes them. Rounds
// that a node missed are resent from the buffer while their records are not yet durable;
// older gaps are filled by storage-side gossip.
//
// Thread safety: every public method may be called from any thread; callbacks run on the
// channel's or scheduler's threads with no VolumeClient lock held, and may call back in.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "page/page.h"
#include "redo/record.h"
#include "volume/geometry.h"
#include "volume/storage_channel.h"

namespace nordlys::volume {

struct VolumeOptions {
  // LAL: never allocate an LSN more than this far above VDL.
  uint64_t lsn_allocation_limit = 1'000'000;
  // The same bound in bytes: redo buffered or sent but not yet on a write quorum. LSNs count
  // records, so LAL alone lets a bulk load of large records hold gigabytes here while the
  // nodes fall behind. One mini-transaction may exceed it when nothing else is held.
  uint64_t redo_in_flight_bytes_max = 64u << 20;
  // Records nobody waits for yet go out at this interval; a WhenDurable on buffered records
  // sends them at once (or as soon as the round in flight has its quorum: group commit).
  uint64_t flush_interval_micros = 1000;
  uint64_t flush_bytes = 256 << 10;    // flush early once this much is buffered
  uint64_t request_timeout_ms = 1000;  // per storage request
  uint64_t hedge_after_micros = 5000;  // a read not answered by then also goes to another node
  uint64_t retry_interval_micros = 20'000;  // status polls / resends to lagging nodes
  // PGs a volume has at least. Recovery finds the PGs that exist (it probes 0, 1, 2, ... up to
  // the first one that a read quorum shows empty); writing a page past the last PG adds PGs.
  uint64_t initial_pgs = 1;
};

// A record before LSN assignment.
struct PendingRecord {
  PageId page;
  redo::RecordType type;
  std::string payload;
};

class VolumeClient {
 public:
  // Does not contact storage; call Recover() before anything else.
  static std::unique_ptr<VolumeClient> Create(Geometry geometry, StorageChannel* channel,
                                              Scheduler* scheduler, VolumeOptions options);
  virtual ~VolumeClient() = default;

  // Writer startup: reads a read quorum of every PG, computes VDL, installs epoch+1 with
  // (epoch, VDL) on a write quorum of every PG, and only then accepts writes. `done` gets OK,
  // Unavailable (not enough nodes reachable; retry later) or Fenced (another writer won).
  virtual void Recover(std::function<void(Status)> done) = 0;

  // Assigns LSNs to one mini-transaction and buffers it for the next round. Returns the CPL
  // (the last record's LSN). ResourceExhausted when LAL or redo_in_flight_bytes_max would be
  // exceeded (wait for WhenLsnSpace), Fenced once a newer writer exists, Unavailable before
  // Recover() finished.
  virtual Result<Lsn> AppendMtr(std::vector<PendingRecord> records) = 0;
  // Runs `fn` once there is room again for the largest mini-transaction refused (VDL advanced
  // for LAL; redo became durable for the byte bound), or with the fencing error.
  virtual void WhenLsnSpace(std::function<void(Status)> fn) = 0;
  // Runs `fn` once VDL >= lsn (OK), or with Fenced if this writer was deposed first.
  virtual void WhenDurable(Lsn lsn, std::function<void(Status)> fn) = 0;

  // The page as of `read_point` (<= VDL): from one segment whose SCL covers it, preferring the
  // fastest recent responder; hedged to a second after hedge_after_micros; other members tried
  // on failure. Unavailable when no member can serve it.
  virtual void ReadPage(PageId page, Lsn read_point,
                        std::function<void(Result<page::Page>)> fn) = 0;

  // GC horizon to storage: versions below `lsn` will never be read again, so storage may
  // reclaim them. Sent to every node at once, also during a membership change: a rebuilding
  // segment gets page images from its peers for whatever they reclaimed (image shipping,
  // proto/storage_protocol.h). Never moves back.
  virtual void SetHorizon(Lsn lsn) = 0;

  // Membership change (repair): replaces `old_node` by `new_node` in every PG whose membership
  // holds it, in two epoch'd steps per PG (proto/storage_protocol.h, "Membership changes"):
  // ABCDEF -> ABCDEF∧ABCDEG (writes then need 4/6 of both sets), the new member catches up by
  // gossip from its peers (records, and page images as of their GC floor where they reclaimed
  // records), then -> ABCDEG once its SCL reached the VCL at the first step. Reads
  // and writes continue throughout. `done` gets OK when every PG finished, or:
  //   NotFound            no PG has old_node as a member;
  //   InvalidArgument     new_node already in such a PG, or a bad NodeInfo;
  //   Unavailable         before Recover(), while the volume is growing, or while a PG is
  //                       already changing in another way (retry when it finished);
  //   Aborted             a later ReplaceMember superseded this one;
  //   Fenced              this writer was deposed.
  // While a PG is in ABCDEF∧ABCDEG and G dies: ReplaceMember(G, F) reverts the PG to ABCDEF,
  // ReplaceMember(G, H) retries with H (ABCDEF∧ABCDEH). If the writer dies mid-change, the next
  // one learns the membership from storage at recovery and finishes the second step itself.
  virtual void ReplaceMember(NodeId old_node, NodeInfo new_node, std::function<void(Status)> done) {
    done(Status::NotSupported("membership changes are not supported by this volume"));
  }
  // Every node that holds or must hold `pg` under its current membership (6, or 7 while a member
  // is being replaced). Empty for a PG the volume does not have.
  virtual std::vector<NodeId> Members(PgId pg) const { return {}; }
  // True while some PG is between the two steps of a membership change.
  virtual bool ChangingMembership() const { return false; }

  virtual Lsn vdl() const = 0;
  virtual Lsn vcl() const = 0;
  virtual Epoch epoch() const = 0;
  virtual bool fenced() const = 0;
};

}  // namespace nordlys::volume
