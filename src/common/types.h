// Strong types for the identifiers that cross interfaces. A Lsn is not a PageId is not an Epoch:
// mixing them is a compile error, not a corrupted volume. The glossary (docs/glossary.md) names
// every LSN the system tracks (SCL, VCL, VDL, CPL, LAL, PGMRPL).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace nordlys {

template <typename Tag>
class StrongU64 {
 public:
  constexpr StrongU64() = default;
  constexpr explicit StrongU64(uint64_t v) : v_(v) {}
  constexpr uint64_t value() const { return v_; }
  constexpr auto operator<=>(const StrongU64&) const = default;

  static constexpr StrongU64 Max() { return StrongU64(std::numeric_limits<uint64_t>::max()); }

 private:
  uint64_t v_ = 0;
};

struct LsnTag {};
struct PageIdTag {};
struct EpochTag {};
struct NodeIdTag {};
struct SegmentIdTag {};
struct PgIdTag {};

// Log sequence number: a position in the volume's single redo log. 0 means "none"; the first
// record has LSN 1.
using Lsn = StrongU64<LsnTag>;
// Page number within a volume (8 KiB pages).
using PageId = StrongU64<PageIdTag>;
// Volume epoch: raised by each new writer and each membership change; storage rejects older.
using Epoch = StrongU64<EpochTag>;
// A storage node's identity in the cluster.
using NodeId = StrongU64<NodeIdTag>;
// A segment: one protection group's replica on one node.
using SegmentId = StrongU64<SegmentIdTag>;
// Protection group number: pages [pg * pages_per_pg, (pg + 1) * pages_per_pg).
using PgId = StrongU64<PgIdTag>;

inline constexpr Lsn kInvalidLsn{0};

inline constexpr Lsn Next(Lsn l) { return Lsn(l.value() + 1); }

}  // namespace nordlys

template <typename Tag>
struct std::hash<nordlys::StrongU64<Tag>> {
  size_t operator()(const nordlys::StrongU64<Tag>& v) const noexcept {
    return std::hash<uint64_t>()(v.value());
  }
};

template <typename Tag>
struct fmt::formatter<nordlys::StrongU64<Tag>> : fmt::formatter<uint64_t> {
  template <typename Ctx>
  auto format(const nordlys::StrongU64<Tag>& v, Ctx& ctx) const {
    return fmt::formatter<uint64_t>::format(v.value(), ctx);
  }
};
