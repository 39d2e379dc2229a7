// CpuLoadSampler and the /proc/stat parser; see cpu_load.h.
#include "common/cpu_load.h"

#include <charconv>
#include <fstream>
#include <string>

namespace nordlys {

std::optional<CpuTimes> ParseProcStat(std::string_view stat) {
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is
  // already counted in user, so the first eight fields are the whole.
  if (stat.substr(0, 4) != "cpu ") return std::nullopt;
  std::string_view rest = stat.substr(4);
  uint64_t f[8] = {};
  int n = 0;
  while (n < 8) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty() || rest.front() == '\n') break;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), f[n]);
    if (ec != std::errc()) return std::nullopt;
    rest.remove_prefix(static_cast<size_t>(p - rest.data()));
    ++n;
  }
  if (n < 4) return std::nullopt;  // user nice system idle at least (old kernels stop there)
  CpuTimes t;
  t.busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
  t.total = t.busy + f[3] + f[4];
  return t;
}

std::optional<double> CpuLoadSampler::Sample() {
  std::ifstream in("/proc/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  std::optional<CpuTimes> now = ParseProcStat(line);
  if (!now) return std::nullopt;
  std::optional<CpuTimes> prev = last_;
  last_ = now;
  if (!prev || now->total <= prev->total || now->busy < prev->busy) return std::nullopt;
  return static_cast<double>(now->busy - prev->busy) /
         static_cast<double>(now->total - prev->total);
}

}  // namespace nordlys
