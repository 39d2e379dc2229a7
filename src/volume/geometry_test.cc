#include "volume/geometry.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace nordlys::volume {
namespace {

std::vector<NodeInfo> Nodes(int per_az) {
  std::vector<NodeInfo> v;
  uint64_t id = 1;
  for (std::string az : {"az-a", "az-b", "az-c"}) {
    for (int i = 0; i < per_az; ++i) v.push_back({NodeId(id++), az, "127.0.0.1:1"});
  }
  return v;
}

TEST(GeometryTest, SixDistinctMembersTwoPerAz) {
  for (int per_az : {2, 3, 5}) {
    auto g = Geometry::Make(Nodes(per_az), 16);
    ASSERT_TRUE(g.ok());
    for (uint64_t pg = 0; pg < 50; ++pg) {
      auto m = g->Members(PgId(pg));
      std::set<NodeId> distinct(m.begin(), m.end());
      EXPECT_EQ(distinct.size(), 6u);
      std::map<std::string, int> per;
      for (NodeId id : m) per[g->Node(id)->az]++;
      for (auto& [az, n] : per) EXPECT_EQ(n, 2) << az;
    }
  }
}

TEST(GeometryTest, PagesMapToGroups) {
  auto g = Geometry::Make(Nodes(2), 16);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->PgOf(PageId(15)), PgId(0));
  EXPECT_EQ(g->PgOf(PageId(16)), PgId(1));
}

TEST(GeometryTest, RejectsBadLayouts) {
  auto nodes = Nodes(2);
  nodes.pop_back();
  EXPECT_FALSE(Geometry::Make(nodes, 16).ok());  // one AZ with a single node
  nodes = Nodes(2);
  nodes[1].id = nodes[0].id;
  EXPECT_FALSE(Geometry::Make(nodes, 16).ok());
  EXPECT_FALSE(Geometry::Make(Nodes(2), 0).ok());
  nodes = Nodes(2);
  nodes[0].az = "az-d";
  EXPECT_FALSE(Geometry::Make(nodes, 16).ok());  // four AZs
}

}  // namespace
}  // namespace nordlys::volume
