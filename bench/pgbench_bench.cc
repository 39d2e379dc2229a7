// pgbench benchmark: the same pgbench workloads against PostgreSQL 15 (durable defaults: fsync,
// synchronous_commit and full_page_writes on) and against Nordlys (a LocalCluster — 6 storage
// processes and the writer, as `nordlys up` starts it), on this machine in this run, and a table
// of tps, average latency and the Nordlys/PostgreSQL ratio per workload.
//
// Workloads: scale 10 (`pgbench -i -s 10`), then `-c 8 -j 2 -T 30` TPC-B and select-only (-S),
// each with -n so both systems do the same work (pgbench -i has just vacuumed). The systems run
// one after the other, never together, so neither steals the other's cores.
//
// Environment: NORDLYS_BENCH_SECONDS (default 30) shortens each run; NORDLYS_BENCH_DIR (default
// /tmp) holds the data directories and pgbench logs, removed at the end unless a side failed.
//
// Figures only, no assertions (STYLE.md §9). Exit code 1 when a side could not be measured.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cluster/local_cluster.h"
#include "common/subprocess.h"
#include "pg_oracle.h"
#include "pgbench_runner.h"

namespace nordlys::bench {
namespace {

using testing::PgbenchResult;

constexpr int kScale = 10;
constexpr int kClients = 8;
constexpr int kThreads = 2;
constexpr int kDefaultSeconds = 30;
constexpr uint64_t kInitTimeoutMs = 900000;
constexpr uint64_t kRunSlackMs = 120000;

struct Workload {
  std::string name;
  std::vector<std::string> args;
};

const std::vector<Workload>& Workloads() {
  static const std::vector<Workload> w = {{"TPC-B (default)", {}}, {"select-only (-S)", {"-S"}}};
  return w;
}

struct Measured {
  bool ok = false;
  double tps = 0;
  double latency_ms = 0;
  std::string why;  // when !ok
};

int Seconds() {
  const char* v = std::getenv("NORDLYS_BENCH_SECONDS");
  return v && std::atoi(v) > 0 ? std::atoi(v) : kDefaultSeconds;
}

// Initializes scale 10 and runs every workload against conninfo; results by workload name.
std::map<std::string, Measured> MeasureSystem(const std::string& label,
                                              const std::string& conninfo,
                                              const std::string& log_dir) {
  std::map<std::string, Measured> out;
  std::printf("== %s: pgbench -i -s %d\n", label.c_str(), kScale);
  std::fflush(stdout);
  PgbenchResult init = testing::RunPgbench({"-i", "-q", "-s", std::to_string(kScale)}, conninfo,
                                           log_dir + "/" + label + "-init.log", kInitTimeoutMs);
  if (init.exit_code != 0) {
    std::printf("%s: pgbench -i failed (exit %d):\n%s\n", label.c_str(), init.exit_code,
                TailOfFile(log_dir + "/" + label + "-init.log", 15).c_str());
    for (const Workload& w : Workloads()) out[w.name].why = "pgbench -i failed";
    return out;
  }
  int seconds = Seconds();
  for (const Workload& w : Workloads()) {
    std::vector<std::string> args = {"-n", "-c", std::to_string(kClients), "-j",
                                     std::to_string(kThreads), "-T", std::to_string(seconds)};
    args.insert(args.end(), w.args.begin(), w.args.end());
    std::printf("== %s: %s, -c %d -j %d -T %d\n", label.c_str(), w.name.c_str(), kClients,
                kThreads, seconds);
    std::fflush(stdout);
    std::string log = log_dir + "/" + label + "-" + std::to_string(out.size()) + ".log";
    PgbenchResult r = testing::RunPgbench(args, conninfo, log, seconds * 1000ull + kRunSlackMs);
    std::printf("%s", r.InterestingLines().c_str());
    Measured& m = out[w.name];
    if (r.exit_code == 0 && r.tps > 0 && r.latency_ms > 0) {
      m.ok = true;
      m.tps = r.tps;
      m.latency_ms = r.latency_ms;
    } else {
      m.why = "pgbench exit " + std::to_string(r.exit_code);
      std::printf("%s\n", TailOfFile(log, 10).c_str());
    }
  }
  return out;
}

std::string Cell(const Measured& m, bool tps) {
  if (!m.ok) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof(buf), tps ? "%.0f" : "%.2f", tps ? m.tps : m.latency_ms);
  return buf;
}

int Main() {
  std::string parent = std::getenv("NORDLYS_BENCH_DIR") ? std::getenv("NORDLYS_BENCH_DIR") : "/tmp";
  std::string dir = parent + "/nordlys-pgbench-bench-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::printf("pgbench benchmark: scale %d, %d clients, %d threads, %d s per workload, "
              "%u cores; logs in %s\n",
              kScale, kClients, kThreads, Seconds(), std::thread::hardware_concurrency(),
              dir.c_str());

  std::map<std::string, Measured> pg;
  {
    testing::PgOracleOptions o;
    o.parent_dir = dir;  // durable defaults: nothing turned off
    auto server = testing::PgOracle::Start(o);
    if (!server.ok()) {
      std::printf("PostgreSQL 15 did not start: %s\n", server.status().ToString().c_str());
      for (const Workload& w : Workloads()) pg[w.name].why = "no server";
    } else {
      pg = MeasureSystem("postgresql", (*server)->ConnectionString(), dir);
    }
  }  // stopped before Nordlys starts

  std::map<std::string, Measured> nordlys;
  {
    cluster::LocalClusterOptions o;
    o.data_dir = dir + "/nordlys";
    o.base_port = 0;
    o.nordlys_bin = NORDLYS_BIN;
    auto c = cluster::LocalCluster::Start(o);
    if (!c.ok()) {
      std::printf("Nordlys did not start: %s\n%s\n", c.status().ToString().c_str(),
                  TailOfFile(o.data_dir + "/writer.log", 15).c_str());
      for (const Workload& w : Workloads()) nordlys[w.name].why = "no cluster";
    } else {
      nordlys = MeasureSystem("nordlys", (*c)->ConnectionString(), dir);
      (*c)->Stop();
    }
  }

  std::printf("\n%-18s | %14s | %12s | %14s | %12s | %13s\n", "workload", "PostgreSQL tps",
              "PG lat ms", "Nordlys tps", "Nordlys lat", "Nordlys/PG tps");
  std::printf("%s\n", std::string(18 + 14 + 12 + 14 + 12 + 13 + 15, '-').c_str());
  bool all = true;
  for (const Workload& w : Workloads()) {
    const Measured& p = pg[w.name];
    const Measured& n = nordlys[w.name];
    char ratio[32] = "n/a";
    if (p.ok && n.ok) std::snprintf(ratio, sizeof(ratio), "%.2f", n.tps / p.tps);
    all = all && p.ok && n.ok;
    std::printf("%-18s | %14s | %12s | %14s | %12s | %13s\n", w.name.c_str(),
                Cell(p, true).c_str(), Cell(p, false).c_str(), Cell(n, true).c_str(),
                Cell(n, false).c_str(), ratio);
  }
  std::printf("(latency = pgbench's \"latency average\"; PostgreSQL with durable defaults; "
              "both on this machine, one after the other)\n");
  if (all) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  } else {
    std::printf("a side could not be measured; logs kept in %s\n", dir.c_str());
  }
  return all ? 0 : 1;
}

}  // namespace
}  // namespace nordlys::bench

int main() { return nordlys::bench::Main(); }
