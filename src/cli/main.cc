// `nordlys`: the one binary. Subcommands: storage, instance, control, up, version, help.
// Exit codes: 0 success, 1 runtime failure, 2 usage error (unknown command, bad flag).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cluster/local_cluster.h"
#include "common/env.h"
#include "common/log.h"
#include "net/rpc.h"
#include "instance/process.h"
#include "storage/storage_node.h"

namespace nordlys::cli {
namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

constexpr char kVersion[] = "nordlys 0.1.0 (PostgreSQL 15 compatible; storage protocol v1)";

struct Common {
  std::string log_level = "info";
  std::string log_file;
};

void AddCommon(CLI::App* cmd, Common* c) {
  cmd->add_option("--log-level", c->log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cmd->add_option("--log-file", c->log_file, "append logs to this file instead of stderr");
  // Every flag may also come from a TOML/INI file; flags on the command line win.
  cmd->set_config("--config", "", "read flags from this TOML file");
}

int ApplyCommon(const Common& c) {
  log::Level level;
  if (log::ParseLevel(c.log_level, &level)) log::SetLevel(level);
  if (!c.log_file.empty() && !log::SetFile(c.log_file)) {
    std::fprintf(stderr, "nordlys: cannot open log file %s\n", c.log_file.c_str());
    return kExitUsage;
  }
  return 0;
}

// Blocks SIGINT/SIGTERM in this thread (and every thread it starts later) so that WaitForStop
// can take them with sigwait; call before starting any thread.
void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForStop() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

Status WriteReadyFile(const std::string& path, const std::string& address) {
  if (path.empty()) return Status::OK();
  return Env::Default()->WriteFileAtomic(path, address + "\n");
}

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "nordlys %s: %s\n", what.c_str(), s.ToString().c_str());
  log::Error(what, "exiting", {{"error", s.ToString()}});
  return kExitRuntime;
}

// ---- nordlys storage ----------------------------------------------------------------------

struct StorageArgs {
  Common common;
  storage::StorageNodeOptions node;
  uint64_t node_id = 0;
  std::string ready_file;
};

void AddStorage(CLI::App& app, StorageArgs* a) {
  CLI::App* cmd = app.add_subcommand("storage", "run a storage node (holds volume segments)");
  cmd->add_option("--data-dir", a->node.data_dir, "where this node keeps its segments")
      ->required();
  cmd->add_option("--listen", a->node.listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--az", a->node.az, "availability zone of this node (e.g. az-a)")->required();
  cmd->add_option("--io-threads", a->node.io_threads, "RPC threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--node-id", a->node_id,
                  "this node's id in the cluster (gossip leaves it out of its peers)")
      ->capture_default_str();
  cmd->add_option("--log-zero-ahead-bytes", a->node.log_zero_ahead_bytes,
                  "zeros kept written ahead of the log's end, so a group commit's fdatasync "
                  "writes no file metadata (0: off)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--records-per-image", a->node.records_per_image,
                  "coalesce a page into a new image after this many records above its last "
                  "one (a record counts once more per 128 bytes of redo)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--ready-file", a->ready_file,
                  "write the bound HOST:PORT here once serving (for scripts and tests)");
  AddCommon(cmd, &a->common);
}

int RunStorage(const StorageArgs& a) {
  if (int rc = ApplyCommon(a.common)) return rc;
  std::string host;
  uint16_t port = 0;
  if (Status s = net::ParseHostPort(a.node.listen, &host, &port, true); !s.ok()) {
    std::fprintf(stderr, "nordlys storage: --listen: %s\n", s.message().c_str());
    return kExitUsage;
  }
  BlockStopSignals();
  storage::StorageNodeOptions node_options = a.node;
  node_options.node_id = NodeId(a.node_id);
  auto node = storage::StorageNode::Open(Env::Default(), node_options);
  if (!node.ok()) return Fail("storage", node.status());
  if (Status s = (*node)->Start(); !s.ok()) return Fail("storage", s);
  if (Status s = WriteReadyFile(a.ready_file, (*node)->address()); !s.ok()) {
    return Fail("storage", s);
  }
  int sig = WaitForStop();
  log::Info("storage", "stopping", {{"signal", strsignal(sig)}});
  (*node)->Stop();
  return 0;
}

// ---- nordlys instance ---------------------------------------------------------------------

struct InstanceArgs {
  Common common;
  std::string role = "writer";
  std::string storage;
  std::string auth = "trust";
  std::string hba_file;
  size_t buffer_pool_mb = 1024;
  instance::WriterOptions writer;
  std::string ready_file;
};

void AddInstance(CLI::App& app, InstanceArgs* a) {
  CLI::App* cmd = app.add_subcommand("instance", "run a compute instance (SQL writer or reader)");
  cmd->add_option("--role", a->role, "writer (reader instances are not built yet)")
      ->capture_default_str();
  cmd->add_option("--storage", a->storage,
                  "the volume's storage nodes: AZ=HOST:PORT,... (6, 2 per AZ, node ids 1..6 "
                  "in this order)")
      ->required();
  cmd->add_option("--listen", a->writer.listen,
                  "HOST:PORT for PostgreSQL clients (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--pages-per-pg", a->writer.pages_per_pg,
                  "8 KiB pages per protection group (must match the volume's)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--auth", a->auth, "client authentication: trust, password, md5 or scram")
      ->check(CLI::IsMember({"trust", "password", "md5", "scram"}))
      ->capture_default_str();
  cmd->add_option("--hba-file", a->hba_file,
                  "pg_hba.conf-style rules choosing the method per database/user/address "
                  "(instead of --auth); e.g. 'host all postgres 127.0.0.1/32 trust' then "
                  "'host all all all scram-sha-256'");
  cmd->add_option("--buffer-pool-mb", a->buffer_pool_mb, "page cache size in MiB")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--max-connections", a->writer.max_connections, "client connections at most")
      ->check(CLI::Range(size_t{1}, size_t{10000}))
      ->capture_default_str();
  cmd->add_option("--retention-seconds", a->writer.retention_seconds,
                  "keep page versions this long behind the oldest read in flight; storage "
                  "garbage-collects older ones (0: only what reads in flight need)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{10} * 365 * 86400))
      ->capture_default_str();
  cmd->add_option("--ready-file", a->ready_file,
                  "write the bound HOST:PORT here once serving (for scripts and tests)");
  AddCommon(cmd, &a->common);
}

int RunInstance(InstanceArgs a) {
  if (int rc = ApplyCommon(a.common)) return rc;
  if (a.role != "writer") {
    std::fprintf(stderr, "nordlys instance: --role %s: only writer instances exist so far "
                 "(reader instances are a later issue)\n", a.role.c_str());
    return kExitUsage;
  }
  auto nodes = instance::ParseStorageNodes(a.storage);
  if (!nodes.ok()) {
    std::fprintf(stderr, "nordlys instance: --storage: %s\n", nodes.status().message().c_str());
    return kExitUsage;
  }
  std::string host;
  uint16_t port = 0;
  if (Status s = net::ParseHostPort(a.writer.listen, &host, &port, true); !s.ok()) {
    std::fprintf(stderr, "nordlys instance: --listen: %s\n", s.message().c_str());
    return kExitUsage;
  }
  a.writer.storage_nodes = std::move(*nodes);
  a.writer.buffer_pool_pages = a.buffer_pool_mb * 128;
  a.writer.auth = a.auth == "trust"      ? pgwire::AuthMethod::kTrust
                  : a.auth == "password" ? pgwire::AuthMethod::kPassword
                  : a.auth == "md5"      ? pgwire::AuthMethod::kMd5
                                         : pgwire::AuthMethod::kScramSha256;
  if (!a.hba_file.empty()) {
    std::ifstream in(a.hba_file);
    if (!in) {
      std::fprintf(stderr, "nordlys instance: --hba-file %s: cannot read it\n", a.hba_file.c_str());
      return kExitUsage;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto hba = pgwire::HbaConfig::Parse(text.str());
    if (!hba.ok()) {
      std::fprintf(stderr, "nordlys instance: --hba-file %s: %s\n", a.hba_file.c_str(), hba.status().message().c_str());
      return kExitUsage;
    }
    a.writer.hba = std::move(*hba);
  }
  BlockStopSignals();
  auto w = instance::WriterInstance::Start(a.writer);
  if (!w.ok()) return Fail("instance", w.status());
  if (Status s = WriteReadyFile(a.ready_file, host + ":" + std::to_string((*w)->port()));
      !s.ok()) {
    return Fail("instance", s);
  }
  // Serve until stopped, or until a newer writer fences this one.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  while (true) {
    timespec ts{0, 200'000'000};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) {
      log::Info("instance", "stopping", {{"signal", strsignal(sig)}});
      break;
    }
    if ((*w)->fenced()) {
      log::Error("instance", "a newer writer fenced this one; exiting");
      (*w)->Stop();
      return kExitRuntime;
    }
  }
  (*w)->Stop();
  return 0;
}

// ---- nordlys up ---------------------------------------------------------------------------

struct UpArgs {
  Common common;
  cluster::LocalClusterOptions opts;
};

void AddUp(CLI::App& app, UpArgs* a) {
  CLI::App* cmd = app.add_subcommand("up", "start a whole local cluster on loopback");
  cmd->add_option("--data-dir", a->opts.data_dir, "root directory for every member's data")
      ->capture_default_str();
  cmd->add_option("--base-port", a->opts.base_port,
                  "storage nodes listen on BASE+1..BASE+6 (0: any free ports)")
      ->capture_default_str();
  AddCommon(cmd, &a->common);
}

int RunUp(const UpArgs& a) {
  if (int rc = ApplyCommon(a.common)) return rc;
  BlockStopSignals();
  auto c = cluster::LocalCluster::Start(a.opts);
  if (!c.ok()) return Fail("up", c.status());
  std::printf("%s", (*c)->Describe().c_str());
  std::printf("Press Ctrl-C (or send SIGTERM to pid %d) to stop every process.\n", ::getpid());
  std::fflush(stdout);
  // Wait for a stop signal, checking once a second that every member is still alive.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  while (true) {
    timespec ts{1, 0};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) break;
    for (const auto& name : (*c)->Exited()) {
      std::fprintf(stderr, "nordlys up: %s exited unexpectedly; see its log\n", name.c_str());
      (*c)->Stop();
      return kExitRuntime;
    }
  }
  std::printf("stopping...\n");
  (*c)->Stop();
  return 0;
}

// ---- not built yet --------------------------------------------------------------------------

int NotBuilt(const char* what, const char* issue) {
  std::fprintf(stderr, "nordlys %s: not available yet: %s\n", what, issue);
  return kExitRuntime;
}

// ---- main ---------------------------------------------------------------------------------

const std::vector<std::string> kCommands = {"storage", "instance", "control", "up", "version",
                                            "help"};

int Main(int argc, char** argv) {
  CLI::App app{"Nordlys: a PostgreSQL-compatible database with a shared, replicated, "
               "log-structured storage volume",
               "nordlys"};
  app.require_subcommand(0, 1);
  app.footer("Run 'nordlys COMMAND --help' for the flags of one command.");

  StorageArgs storage_args;
  AddStorage(app, &storage_args);
  InstanceArgs instance_args;
  AddInstance(app, &instance_args);
  app.add_subcommand("control", "run the control plane")->allow_extras();
  UpArgs up_args;
  AddUp(app, &up_args);
  app.add_subcommand("version", "print the version");
  app.add_subcommand("help", "list the commands");

  // A clear word for a mistyped command, before CLI11 reads it as a stray argument.
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(kCommands.begin(), kCommands.end(), argv[1]) == kCommands.end()) {
    std::fprintf(stderr, "nordlys: unknown command '%s'\nRun 'nordlys help' for the list.\n",
                 argv[1]);
    return kExitUsage;
  }
  // `nordlys help [COMMAND]`: answered before parsing, since CLI11 would print the help of the
  // `help` subcommand itself once it is selected.
  if (argc > 1 && std::string(argv[1]) == "help") {
    if (argc > 2) {
      if (std::find(kCommands.begin(), kCommands.end(), argv[2]) == kCommands.end()) {
        std::fprintf(stderr, "nordlys help: unknown command '%s'\n", argv[2]);
        return kExitUsage;
      }
      std::printf("%s", app.get_subcommand(argv[2])->help().c_str());
    } else {
      std::printf("%s", app.help().c_str());
    }
    return 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (app.got_subcommand("storage")) return RunStorage(storage_args);
  if (app.got_subcommand("up")) return RunUp(up_args);
  if (app.got_subcommand("instance")) return RunInstance(std::move(instance_args));
  if (app.got_subcommand("control")) {
    return NotBuilt("control", "the control plane is not built yet");
  }
  if (app.got_subcommand("version")) {
    std::printf("%s\n", kVersion);
    return 0;
  }
  std::printf("%s", app.help().c_str());  // no command given
  return 0;
}

}  // namespace
}  // namespace nordlys::cli

int main(int argc, char** argv) { return nordlys::cli::Main(argc, argv); }
