// Storage-service benchmark: a local cluster of 6 storage-node processes (2 per AZ) on
// loopback and a writer in this process, through the real RPC path. Prints:
//   - durable commits/s and commit latency p50/p90/p99/p99.9 at 1, 8, 32, 128 committers;
//   - redo ingest MB/s at the quorum with 4 KiB records: 64 committers that each wait for their
//     record to be durable, then one writer streaming as a bulk load does; records/s per node;
//   - GetPage/s for pages served from an image and pages rebuilt by applying redo;
//   - repair MB/s: a wiped node rebuilt from its peers;
//   - beside them, pg_test_fsync's single-write fdatasync rate on the same disk;
//   - the disk alone: six writers appending 4 KiB and fdatasync'ing, as the nodes do, with the
//     CPUs idle and then busy (on a VM the host may hold I/O back while the guest's CPUs run).
// Figures only: nothing is asserted.
// Usage: storage_bench [--seconds N] [--dir D] [--committers N,N,...]
//                      [--phases commits,ingest,reads,repair,fsync,disk] [--storage-arg FLAG]...
// (--storage-arg is passed to every node; --phases picks what runs, all by default)
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cluster/local_cluster.h"
#include "common/env.h"
#include "common/subprocess.h"
#include "net/rpc.h"
#include "proto/storage_protocol.h"
#include "redo/record.h"
#include "volume/rpc_channel.h"
#include "volume/volume_client.h"

namespace nordlys::bench {
namespace {

// A file's size without the zeros a storage node writes ahead of its log (they are not data a
// repair copies).
uint64_t BytesBeforeZeroTail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t end = std::filesystem::file_size(path);
  std::string block;
  while (end > 0) {
    const uint64_t n = std::min<uint64_t>(end, 64 << 10);
    block.resize(n);
    in.seekg(static_cast<std::streamoff>(end - n));
    in.read(block.data(), static_cast<std::streamsize>(n));
    const size_t last = block.find_last_not_of('\0');
    if (last != std::string::npos) return end - n + last + 1;
    end -= n;
  }
  return 0;
}


using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct LoadResult {
  uint64_t commits = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::vector<double> latencies_us;
};

// `committers` closed loops: append one MTR of `record_bytes`, wait until durable, repeat.
LoadResult RunCommitLoad(volume::VolumeClient* c, int committers, size_t record_bytes,
                         double seconds) {
  LoadResult r;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> running{true};
  std::atomic<int> live{committers};
  std::string payload(record_bytes, 'r');
  auto start = Clock::now();
  std::function<void(uint64_t)> issue = [&](uint64_t page) {
    if (!running) {
      if (--live == 0) cv.notify_all();
      return;
    }
    auto t0 = Clock::now();
    auto cpl = c->AppendMtr({{PageId(page), redo::RecordType::kWriteBytes,
                              redo::WriteBytesPayload(64, payload)}});
    if (!cpl.ok()) {
      if (cpl.status().code() == StatusCode::kResourceExhausted) {
        c->WhenLsnSpace([&, page](Status) { issue(page); });
      } else if (--live == 0) {
        cv.notify_all();
      }
      return;
    }
    c->WhenDurable(*cpl, [&, page, t0](Status s) {
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        r.commits++;
        r.bytes += payload.size();
        r.latencies_us.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
      issue(page);
    });
  };
  for (int i = 0; i < committers; ++i) issue(static_cast<uint64_t>(i) % 4096);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  running = false;
  r.seconds = Seconds(Clock::now() - start);
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, std::chrono::seconds(10), [&] { return live.load() == 0; });
  return r;
}

// One producer streams 4 KiB MTRs as a bulk load does: it waits only when the writer pushes
// back (LAL or its cap on redo not yet durable), then waits for the last one to be durable.
// MB/s counts bytes durable at the quorum over the time from the first append to that point.
LoadResult RunStreamLoad(volume::VolumeClient* c, size_t record_bytes, double seconds) {
  LoadResult r;
  std::string payload(record_bytes, 's');
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(seconds));
  Lsn last = kInvalidLsn;
  uint64_t page = 0;
  while (Clock::now() < end) {
    auto cpl = c->AppendMtr({{PageId(page), redo::RecordType::kWriteBytes,
                              redo::WriteBytesPayload(64, payload)}});
    if (!cpl.ok()) {
      Status s = cpl.status();
      if (s.code() == StatusCode::kResourceExhausted) {
        std::promise<Status> space;
        c->WhenLsnSpace([&space](Status st) { space.set_value(st); });
        s = space.get_future().get();
        if (s.ok()) continue;
      }
      std::fprintf(stderr, "streaming ingest stopped: %s\n", s.ToString().c_str());
      break;
    }
    last = *cpl;
    r.commits++;
    r.bytes += payload.size();
    page = (page + 1) % 4096;
  }
  if (last != kInvalidLsn) {
    std::promise<Status> durable;
    c->WhenDurable(last, [&durable](Status s) { durable.set_value(s); });
    Status s = durable.get_future().get();
    if (!s.ok()) {
      std::fprintf(stderr, "streaming ingest never became durable: %s\n", s.ToString().c_str());
      r.bytes = 0;
    }
  }
  r.seconds = Seconds(Clock::now() - start);
  return r;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// "1,8,32" -> {1, 8, 32}; exits on anything that is not a positive count.
std::vector<int> ParseCounts(const std::string& list) {
  std::vector<int> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || n <= 0 || n > 4096) {
      std::fprintf(stderr, "--committers: '%s' is not a count from 1 to 4096\n", item.c_str());
      std::exit(2);
    }
    out.push_back(static_cast<int>(n));
  }
  if (out.empty()) {
    std::fprintf(stderr, "--committers: no counts given\n");
    std::exit(2);
  }
  return out;
}

struct DiskProbe {
  double syncs_per_second = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0;
  // Share of the run at which a sync issued would have seen no sync finish for over 5 ms:
  // the sum over gaps between consecutive completions (of any writer) of the part beyond 5 ms.
  // A commit needs four nodes' syncs, so at least this share of commits waits over 5 ms.
  double stalled_share = 0;
};

// `writers` threads each append 4 KiB to a file of their own (zeros written ahead, as the
// nodes' logs have) and fdatasync after every append, while `spinners` threads burn CPU.
DiskProbe ProbeDisk(const std::string& dir, int writers, unsigned spinners, double seconds) {
  std::filesystem::create_directories(dir);
  constexpr size_t kBlock = 4096;
  constexpr size_t kFileBytes = 64u << 20;
  std::atomic<bool> running{true};
  std::vector<std::thread> spin;
  for (unsigned i = 0; i < spinners; ++i) {
    spin.emplace_back([&] {
      volatile uint64_t x = 0;
      while (running.load(std::memory_order_relaxed)) x = x + 1;
    });
  }
  std::vector<std::vector<double>> lat(writers);
  std::vector<std::vector<double>> done_at(writers);  // ms since start
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::string path = dir + "/w" + std::to_string(w);
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) return;
      std::string zeros(1 << 20, '\0');
      for (size_t off = 0; off < kFileBytes; off += zeros.size()) {
        if (::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(off)) < 0) break;
      }
      (void)::fsync(fd);
      std::string block(kBlock, 'd');
      size_t off = 0;
      auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
      while (Clock::now() < end) {
        auto t0 = Clock::now();
        if (::pwrite(fd, block.data(), kBlock, static_cast<off_t>(off)) < 0) break;
        if (::fdatasync(fd) != 0) break;
        const auto t1 = Clock::now();
        lat[w].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        done_at[w].push_back(std::chrono::duration<double, std::milli>(t1 - start).count());
        off = (off + kBlock) % kFileBytes;
      }
      ::close(fd);
      ::unlink(path.c_str());
    });
  }
  for (auto& t : threads) t.join();
  running = false;
  for (auto& t : spin) t.join();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  DiskProbe p;
  p.syncs_per_second = static_cast<double>(all.size()) / seconds;
  p.p50_ms = Percentile(all, 0.5);
  p.p99_ms = Percentile(all, 0.99);
  p.p999_ms = Percentile(all, 0.999);
  std::vector<double> done;
  for (auto& v : done_at) done.insert(done.end(), v.begin(), v.end());
  std::sort(done.begin(), done.end());
  double stalled_ms = 0;
  for (size_t i = 1; i < done.size(); ++i) stalled_ms += std::max(0.0, done[i] - done[i - 1] - 5.0);
  p.stalled_share = stalled_ms / (seconds * 1000);
  return p;
}

double PgTestFsyncRate(const std::string& dir) {
  std::string out = dir + "/pg_test_fsync.out";
  Subprocess p;
  if (!p.Start({"/usr/lib/postgresql/15/bin/pg_test_fsync", "-s", "2", "-f",
                dir + "/pg_test_fsync.tmp"},
               out)
           .ok()) {
    return 0;
  }
  (void)p.Wait(120000);
  std::string text = TailOfFile(out, 200);
  // First section: "Compare file sync methods using one 8kB write" ... "fdatasync  N ops/sec"
  std::smatch m;
  std::regex re(R"(fdatasync\s+([0-9.]+) ops/sec)");
  if (std::regex_search(text, m, re)) return std::stod(m[1]);
  return 0;
}

int Main(int argc, char** argv) {
  double seconds = 3;
  std::string dir = std::filesystem::temp_directory_path() / "nordlys-storage-bench";
  std::vector<std::string> storage_args;
  std::vector<int> committer_counts = {1, 8, 32, 128};
  std::set<std::string> phases = {"commits", "ingest", "reads", "repair", "fsync", "disk"};
  const std::set<std::string> all_phases = phases;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc) flag = "";  // a flag without its value
    if (flag == "--phases") {
      phases.clear();
      std::stringstream in(argv[i + 1]);
      std::string phase;
      while (std::getline(in, phase, ',')) {
        if (all_phases.count(phase) == 0) {
          std::fprintf(stderr, "--phases: unknown phase '%s'\n", phase.c_str());
          return 2;
        }
        phases.insert(phase);
      }
    } else if (flag == "--seconds")
      seconds = std::stod(argv[i + 1]);
    else if (flag == "--committers")
      committer_counts = ParseCounts(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--storage-arg")
      storage_args.push_back(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: storage_bench [--seconds N] [--dir D] [--committers N,N,...] "
                   "[--phases commits,ingest,reads,repair,fsync,disk] [--storage-arg FLAG]...\n");
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  cluster::LocalClusterOptions o;
  o.data_dir = dir + "/cluster";
  o.base_port = 0;
  o.nordlys_bin = NORDLYS_BIN;
  o.with_writer = false;  // this process is the writer
  o.storage_args = storage_args;
  auto cluster = cluster::LocalCluster::Start(o);
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start the cluster: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  std::vector<volume::NodeInfo> infos;
  uint64_t id = 1;
  for (auto& m : (*cluster)->members()) infos.push_back({NodeId(id++), m.az, m.address});
  auto geometry = volume::Geometry::Make(infos, 131072);  // 1 GiB protection groups
  NORDLYS_ASSERT(geometry.ok());
  net::EventLoop loop(2);
  volume::RpcStorageChannel channel(&loop, *geometry);
  volume::EventLoopScheduler scheduler(&loop);
  auto client = volume::VolumeClient::Create(*geometry, &channel, &scheduler, {});
  std::promise<Status> rec;
  client->Recover([&](Status s) { rec.set_value(s); });
  Status rs = rec.get_future().get();
  if (!rs.ok()) {
    std::fprintf(stderr, "recovery failed: %s\n", rs.ToString().c_str());
    return 1;
  }

  std::printf("Nordlys storage benchmark: 6 storage nodes (3 AZs x 2) + writer on loopback\n");
  if (phases.count("commits")) {
    std::printf("%-34s %12s %10s %10s %10s %10s\n", "durable commits (64 B redo)", "commits/s",
                "p50 ms", "p90 ms", "p99 ms", "p99.9 ms");
  }
  for (int committers : phases.count("commits") ? committer_counts : std::vector<int>{}) {
    LoadResult r = RunCommitLoad(client.get(), committers, 64, seconds);
    std::printf("  %3d committers %18s %12.0f %10.2f %10.2f %10.2f %10.2f\n", committers, "",
                static_cast<double>(r.commits) / r.seconds, Percentile(r.latencies_us, 0.5) / 1000,
                Percentile(r.latencies_us, 0.9) / 1000, Percentile(r.latencies_us, 0.99) / 1000,
                Percentile(r.latencies_us, 0.999) / 1000);
  }
  if (phases.count("ingest")) {
    LoadResult big = RunCommitLoad(client.get(), 64, 4096, seconds);
    std::printf("redo ingest at quorum (4 KiB records, 64 committers): %.1f MB/s\n",
                static_cast<double>(big.bytes) / big.seconds / 1e6);
    LoadResult stream = RunStreamLoad(client.get(), 4096, seconds);
    std::printf("redo ingest at quorum (4 KiB records, one streaming writer): %.1f MB/s\n",
                static_cast<double>(stream.bytes) / stream.seconds / 1e6);
  }

  // Reads: pages just written (redo applied on demand), then again after coalescing had a
  // chance to write images.
  Lsn vdl = client->vdl();
  if (phases.count("reads")) {
    for (const char* what : {"GetPage (redo applied)", "GetPage (after coalescing)"}) {
      std::atomic<uint64_t> done{0};
      std::atomic<bool> running{true};
      std::atomic<int> live{32};
      std::mutex mu;
      std::condition_variable cv;
      std::function<void(uint64_t)> read = [&](uint64_t page) {
        if (!running) {
          if (--live == 0) cv.notify_all();
          return;
        }
        client->ReadPage(PageId(page), vdl, [&, page](Result<page::Page> r) {
          if (r.ok()) done++;
          read((page + 32) % 128);
        });
      };
      auto t0 = Clock::now();
      for (uint64_t i = 0; i < 32; ++i) read(i);
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      running = false;
      double secs = Seconds(Clock::now() - t0);
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::seconds(10), [&] { return live.load() == 0; });
      std::printf("%-34s %12.0f pages/s\n", what, static_cast<double>(done.load()) / secs);
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  if (phases.count("repair")) {
    // Repair: wipe one node and time its rebuild from peers (until it serves the VDL).
    auto& victim = (*cluster)->members().back();
    if (!(*cluster)->KillMember(victim.name, SIGKILL).ok()) return 1;
    std::filesystem::remove_all(victim.data_dir);
    uint64_t bytes_before = 0;
    for (auto& e :
         std::filesystem::recursive_directory_iterator((*cluster)->members().front().data_dir)) {
      if (e.is_regular_file()) bytes_before += BytesBeforeZeroTail(e.path().string());
    }
    auto t0 = Clock::now();
    // Same flags and address as before: the writer's geometry names it.
    Status restarted = (*cluster)->RestartMember(victim.name);
    if (!restarted.ok()) {
      std::fprintf(stderr, "cannot restart %s: %s\n", victim.name.c_str(),
                   restarted.ToString().c_str());
      return 1;
    }
    Result<std::string> addr = victim.address;
    std::string host;
    uint16_t port = 0;
    bool rebuilt = false;
    if (addr.ok() && net::ParseHostPort(*addr, &host, &port).ok()) {
      net::RpcClient rpc(&loop, host, port);
      while (Seconds(Clock::now() - t0) < 120) {
        proto::PgStateRequest req{Epoch(0), PgId(0), Lsn::Max()};  // read only
        auto raw = rpc.CallSync(proto::kPgState, proto::EncodeToString(req), 2000);
        proto::PgStateResponse st;
        if (raw.ok() && proto::Decode(*raw, &st).ok() && st.scl >= vdl) {
          rebuilt = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    double repair_s = Seconds(Clock::now() - t0);
    if (rebuilt) {
      std::printf("repair of a wiped node: %.1f MB in %.2f s = %.1f MB/s\n", bytes_before / 1e6,
                  repair_s, bytes_before / 1e6 / repair_s);
    } else {
      std::printf("repair of a wiped node: not finished after %.0f s\n", repair_s);
    }
  }

  const bool loaded = phases.count("commits") || phases.count("ingest") || phases.count("reads") ||
                      phases.count("repair");
  for (auto& m : (*cluster)->members()) {
    if (!loaded) break;  // nothing to report
    std::string h;
    uint16_t p = 0;
    if (!net::ParseHostPort(m.address, &h, &p).ok()) continue;
    net::RpcClient rpc(&loop, h, p);
    auto raw = rpc.CallSync(proto::kNodeStats, "", 2000);
    proto::NodeStatsResponse s;
    if (raw.ok() && proto::Decode(*raw, &s).ok()) {
      std::printf("  %s: %llu records ingested, %.1f MB, %llu pages served, %llu repaired\n",
                  m.name.c_str(), static_cast<unsigned long long>(s.records_ingested),
                  s.bytes_ingested / 1e6, static_cast<unsigned long long>(s.pages_served),
                  static_cast<unsigned long long>(s.records_repaired));
    }
  }
  if (phases.count("fsync")) {
    double fsync_rate = PgTestFsyncRate(dir);
    std::printf("pg_test_fsync single 8 kB write, fdatasync on the same disk: %.0f ops/s\n",
                fsync_rate);
  }
  (*cluster)->Stop();
  if (phases.count("disk")) {
    // Where a commit's tail comes from: six writers appending and fdatasync'ing on this disk,
    // as the six nodes do, first with the CPUs otherwise idle, then with threads keeping them
    // busy (as the nodes and the writer do under load). Nothing of Nordlys runs meanwhile.
    unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned spinners : {0u, cpus / 2, cpus}) {
      DiskProbe p = ProbeDisk(dir + "/disk-probe", 6, spinners, seconds);
      std::printf(
          "disk alone: 6 writers x 4 KiB + fdatasync, %u of %u CPUs busy: %8.0f syncs/s "
          "p50 %.2f ms p99 %.2f ms p99.9 %.2f ms, stalled over 5 ms %.1f%% of the time\n",
          spinners, cpus, p.syncs_per_second, p.p50_ms, p.p99_ms, p.p999_ms,
          100 * p.stalled_share);
    }
  }
  return 0;
}

}  // namespace
}  // namespace nordlys::bench

int main(int argc, char** argv) { return nordlys::bench::Main(argc, argv); }
