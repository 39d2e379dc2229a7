// Volume geometry: which protection group (PG) holds a page, and which 6 storage nodes hold each
// PG's segments — 2 in each of 3 availability zones, so losing a whole AZ leaves 4 copies (still
// a write quorum) and losing an AZ plus one more node leaves 3 (still a read quorum).
//
// Thread safety: immutable after construction; share freely.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace nordlys::volume {

inline constexpr int kCopies = 6;
inline constexpr int kWriteQuorum = 4;
inline constexpr int kReadQuorum = 3;
inline constexpr int kAzCount = 3;
static_assert(kWriteQuorum + kReadQuorum > kCopies, "a read quorum must see every write");
static_assert(2 * kWriteQuorum > kCopies, "two write quorums must overlap");

struct NodeInfo {
  NodeId id;
  std::string az;       // availability zone name
  std::string address;  // host:port
};

class Geometry {
 public:
  // Validates: at least 2 nodes in each of exactly 3 AZs, unique ids, pages_per_pg > 0.
  static Result<Geometry> Make(std::vector<NodeInfo> nodes, uint64_t pages_per_pg);

  PgId PgOf(PageId page) const { return PgId(page.value() / pages_per_pg_); }
  uint64_t pages_per_pg() const { return pages_per_pg_; }
  // The 6 members of a PG: two per AZ, spread across each AZ's nodes by PG number.
  std::array<NodeId, kCopies> Members(PgId pg) const;
  const NodeInfo* Node(NodeId id) const;
  const std::vector<NodeInfo>& nodes() const { return nodes_; }

 private:
  Geometry() = default;
  std::vector<NodeInfo> nodes_;                  // sorted by id
  std::vector<std::vector<size_t>> az_nodes_;    // per AZ (sorted by name): indexes into nodes_
  uint64_t pages_per_pg_ = 0;
};

}  // namespace nordlys::volume
