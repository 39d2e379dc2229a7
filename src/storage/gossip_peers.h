// Which peer a node asks next when it gossips to fill a hole in a PG. One policy, used by the
// storage process and by the simulator, so the simulator tests the policy that runs.
//
// Round-robin per PG, advancing after a failure AND after an answer that made no progress: a
// peer that lags as far as we do answers successfully with nothing, and two lagging nodes that
// kept asking each other would never repair (the integration test found exactly that).
//
// Thread safety: none; the owner serializes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/types.h"
#include "proto/storage_protocol.h"

namespace nordlys::storage {

class GossipPeerPicker {
 public:
  // The peer to ask for `pg` among `peers` (non-empty), skipping `self_address`. nullptr if no
  // peer other than ourselves is listed.
  const proto::PgMember* Pick(PgId pg, const std::vector<proto::PgMember>& peers,
                              const std::string& self_address) {
    size_t n = peers.size();
    size_t& rot = rotation_[pg];
    for (size_t i = 0; i < n; ++i) {
      const proto::PgMember& p = peers[(rot + i) % n];
      if (p.address != self_address) {
        rot = (rot + i) % n;
        return &p;
      }
    }
    return nullptr;
  }
  // Outcome of the last ask for `pg`: stay with a peer only while it keeps making progress.
  void Report(PgId pg, bool made_progress) {
    if (!made_progress) ++rotation_[pg];
  }

 private:
  std::map<PgId, size_t> rotation_;  // bounded by the PGs the node hosts
};

}  // namespace nordlys::storage
