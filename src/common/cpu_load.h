// How busy the machine's CPUs are: the share of CPU time since the previous sample that was not
// idle, from /proc/stat. Background work (a storage node's coalescing and scrubbing) uses it to
// give way to foreground work when the machine has no idle CPU left.
//
// Thread safety: a CpuLoadSampler is used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nordlys {

struct CpuTimes {
  uint64_t busy = 0;   // user + nice + system + irq + softirq + steal, in clock ticks
  uint64_t total = 0;  // busy + idle + iowait
};

// Parses the aggregate "cpu ..." line of /proc/stat; nullopt when it is not there or malformed.
std::optional<CpuTimes> ParseProcStat(std::string_view stat);

class CpuLoadSampler {
 public:
  // Busy share in [0, 1] since the previous call; nullopt on the first call, when nothing has
  // elapsed, or where /proc/stat cannot be read (then callers should assume an idle machine).
  std::optional<double> Sample();

 private:
  std::optional<CpuTimes> last_;
};

}  // namespace nordlys
