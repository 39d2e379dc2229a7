// LocalCluster; see local_cluster.h.
#include "cluster/local_cluster.h"

#include <signal.h>

#include <filesystem>

#include "common/env.h"
#include "common/log.h"

namespace nordlys::cluster {

Result<std::unique_ptr<LocalCluster>> LocalCluster::Start(const LocalClusterOptions& options) {
  auto c = std::unique_ptr<LocalCluster>(new LocalCluster());
  c->options_ = options;
  if (c->options_.nordlys_bin.empty()) c->options_.nordlys_bin = SelfExecutable();
  Env* env = Env::Default();
  c->root_ = std::filesystem::absolute(options.data_dir).string();
  NORDLYS_RETURN_IF_ERROR(env->CreateDirs(c->root_));
  auto port_of = [&](int offset) {
    return options.base_port == 0 ? 0 : static_cast<uint16_t>(options.base_port + offset);
  };
  int i = 0;
  for (char az : {'a', 'b', 'c'}) {
    for (int k = 1; k <= 2; ++k, ++i) {
      Member m;
      m.name = std::string("storage-") + az + std::to_string(k);
      m.az = std::string("az-") + az;
      m.data_dir = c->root_ + "/" + m.name;
      m.argv = {c->options_.nordlys_bin, "storage", "--data-dir", m.data_dir, "--az", m.az,
                "--node-id", std::to_string(i + 1),
                "--listen", options.host + ":" + std::to_string(port_of(1 + i))};
      for (const auto& a : options.storage_args) m.argv.push_back(a);
      c->members_.push_back(std::move(m));
    }
  }
  for (Member& m : c->members_) {
    if (Status s = c->StartMember(&m); !s.ok()) {
      c->Stop();
      return s.WithContext(m.name);
    }
  }
  for (Member& m : c->members_) {
    if (Status s = c->WaitReady(&m); !s.ok()) {
      c->Stop();
      return s.WithContext(m.name);
    }
  }
  if (options.with_writer) {
    std::string storage;
    for (const Member& m : c->members_) {
      storage += (storage.empty() ? "" : ",") + m.az + "=" + m.address;
    }
    Member w;
    w.name = "writer";
    w.az = "az-a";
    w.data_dir = c->root_ + "/writer";
    w.argv = {c->options_.nordlys_bin, "instance", "--role", "writer", "--storage", storage,
              "--listen", options.host + ":" + std::to_string(port_of(0))};
    for (const auto& a : options.writer_args) w.argv.push_back(a);
    c->members_.push_back(std::move(w));
    Member& wm = c->members_.back();
    Status s = c->StartMember(&wm);
    if (s.ok()) s = c->WaitReady(&wm);
    if (!s.ok()) {
      c->Stop();
      return s.WithContext("writer");
    }
  }
  return c;
}

Status LocalCluster::StartMember(Member* m) {
  Env* env = Env::Default();
  m->ready_file = root_ + "/" + m->name + ".ready";
  (void)env->DeleteFile(m->ready_file);  // a stale file from an earlier run must not count
  std::vector<std::string> argv = m->argv;
  argv.push_back("--ready-file");
  argv.push_back(m->ready_file);
  m->proc = std::make_unique<Subprocess>();
  return m->proc->Start(argv, root_ + "/" + m->name + ".log");
}

Status LocalCluster::WaitReady(Member* m) {
  NORDLYS_ASSIGN_OR_RETURN(m->address,
                           WaitForReadyFile(m->proc.get(), m->ready_file,
                                            options_.ready_timeout_ms));
  // A restart must come back on the same address: the others know it by that.
  for (size_t k = 0; k + 1 < m->argv.size(); ++k) {
    if (m->argv[k] == "--listen") m->argv[k + 1] = m->address;
  }
  return Status::OK();
}

LocalCluster::Member* LocalCluster::FindMember(const std::string& name) {
  for (Member& m : members_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string LocalCluster::ConnectionString() const {
  for (const Member& m : members_) {
    if (m.name == "writer") return "postgresql://postgres@" + m.address + "/postgres";
  }
  return "";
}

Status LocalCluster::KillMember(const std::string& name, int signal) {
  Member* m = FindMember(name);
  if (m == nullptr || !m->proc) return Status::NotFound("no member " + name);
  NORDLYS_RETURN_IF_ERROR(m->proc->Signal(signal));
  if (signal == SIGKILL || signal == SIGTERM || signal == SIGINT) {
    NORDLYS_RETURN_IF_ERROR(m->proc->Wait(10000).status());
  }
  return Status::OK();
}

Status LocalCluster::RestartMember(const std::string& name) {
  Member* m = FindMember(name);
  if (m == nullptr) return Status::NotFound("no member " + name);
  if (m->proc && m->proc->running()) {
    return Status::InvalidArgument(name + " is still running; kill it first");
  }
  NORDLYS_RETURN_IF_ERROR(StartMember(m));
  return WaitReady(m);
}

LocalCluster::~LocalCluster() { Stop(); }

std::string LocalCluster::Describe() const {
  std::string out = "Nordlys local cluster (data in " +
                    std::filesystem::absolute(options_.data_dir).string() + ")\n";
  for (const Member& m : members_) {
    out += "  " + m.name + "  " + m.az + "  " + m.address + "  log: " + m.proc->log_path() + "\n";
  }
  if (!ConnectionString().empty()) {
    out += "Connect with:  psql " + ConnectionString() + "\n";
  }
  out +=
      "Not built yet: reader instances, endpoints and the control plane (later issues).\n";
  return out;
}

std::vector<std::string> LocalCluster::Exited() {
  std::vector<std::string> out;
  for (Member& m : members_) {
    if (!m.proc->running()) out.push_back(m.name);
  }
  return out;
}

void LocalCluster::Stop() {
  // The writer first: it would otherwise keep retrying storage nodes that are going away.
  if (Member* w = FindMember("writer"); w != nullptr && w->proc) w->proc->Stop(10000);
  for (Member& m : members_) {
    if (m.proc) m.proc->Signal(SIGTERM).ok();
  }
  for (Member& m : members_) {
    if (m.proc) m.proc->Stop(5000);
  }
}

}  // namespace nordlys::cluster
