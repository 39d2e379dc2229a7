// A simulated run: a workload of mini-transactions from a writer, a fault schedule drawn from
// the seed, then healing and the invariant checks. Returns "" when every invariant held, or a
// description of the first violation.
//
// Invariants checked:
//  1. Every acknowledged commit survives: a fresh writer's recovery keeps it, and every page
//     read at the recovered VDL equals the model built from exactly the surviving MTRs (all
//     MTRs not annulled by a later recovery with CPL <= VDL, applied in LSN order) — so nothing
//     above a recovered VDL is ever visible, and no MTR is half visible.
//  2. A fenced writer gets no acknowledgement for anything that does not survive.
//  3. After healing, writes are acknowledged again within a bounded virtual time (faults within
//     tolerance never cost availability); past tolerance, recovery says Unavailable.
//  4. Caught-up segments of a PG hold identical records.
//  6. GC (every second seed): the writer keeps a GC horizon close behind its VDL, so nodes
//     reclaim versions throughout, and repairs, wipes and replacements need page images shipped
//     by peers; at the end the horizon moves up to VDL and a member is wiped: it must be rebuilt
//     (invariant 4 then compares pages at the highest horizon and the records above it).
//  5. Membership changes (every third seed within tolerance): a node dies for good during the
//     writes and is replaced by a new node through the two-step change, under the same faults
//     (a second crash, wipes, drops, a dying writer; sometimes the replacement itself dies and
//     is replaced again, and sometimes the dead node comes back for a while). The change must
//     complete; afterwards the new member holds the same records as the PG's other members, and
//     the volume stays writable with the old node gone for good and one more node down.
#pragma once

#include <cstdint>
#include <string>

namespace nordlys::sim {

struct ScenarioOptions {
  uint64_t seed = 1;
  bool past_tolerance = false;  // also take 4 nodes down at once for a while
  uint64_t fault_phase_us = 1'500'000;
  bool verbose = false;
};

struct ScenarioResult {
  std::string failure;  // empty: all invariants held
  uint64_t mtrs_acked = 0;
  uint64_t mtrs_issued = 0;
  uint64_t recoveries = 0;
  uint64_t events = 0;
  uint64_t replacements = 0;  // membership changes completed
  uint64_t images_shipped = 0;  // page images the live nodes received from peers (GC mode)
  std::string trace;  // the fault schedule, for a human replaying the seed
};

ScenarioResult RunScenario(const ScenarioOptions& options);

}  // namespace nordlys::sim
