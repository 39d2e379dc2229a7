// Geometry validation and PG placement; see geometry.h.
#include "volume/geometry.h"

#include <algorithm>
#include <map>
#include <set>

namespace nordlys::volume {

Result<Geometry> Geometry::Make(std::vector<NodeInfo> nodes, uint64_t pages_per_pg) {
  if (pages_per_pg == 0) return Status::InvalidArgument("pages per protection group must be > 0");
  std::sort(nodes.begin(), nodes.end(), [](auto& a, auto& b) { return a.id < b.id; });
  std::map<std::string, std::vector<size_t>> by_az;
  std::set<NodeId> ids;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!ids.insert(nodes[i].id).second) {
      return Status::InvalidArgument("node id " + std::to_string(nodes[i].id.value()) +
                                     " appears twice");
    }
    by_az[nodes[i].az].push_back(i);
  }
  if (by_az.size() != kAzCount) {
    return Status::InvalidArgument("a volume needs storage nodes in exactly 3 availability "
                                   "zones, got " + std::to_string(by_az.size()));
  }
  Geometry g;
  for (auto& [az, idx] : by_az) {
    if (idx.size() < 2) {
      return Status::InvalidArgument("availability zone '" + az + "' has " +
                                     std::to_string(idx.size()) + " storage node(s); needs 2");
    }
    g.az_nodes_.push_back(idx);
  }
  g.nodes_ = std::move(nodes);
  g.pages_per_pg_ = pages_per_pg;
  return g;
}

std::array<NodeId, kCopies> Geometry::Members(PgId pg) const {
  std::array<NodeId, kCopies> out;
  int k = 0;
  for (const auto& idx : az_nodes_) {
    size_t n = idx.size();
    size_t first = pg.value() % n;
    size_t second = (first + 1 + (pg.value() / n) % (n - 1)) % n;  // distinct from first
    out[k++] = nodes_[idx[first]].id;
    out[k++] = nodes_[idx[second]].id;
  }
  return out;
}

const NodeInfo* Geometry::Node(NodeId id) const {
  for (const auto& n : nodes_) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

}  // namespace nordlys::volume
