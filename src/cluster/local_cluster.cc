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
  std::string root = std::filesystem::absolute(options.data_dir).string();
  NORDLYS_RETURN_IF_ERROR(env->CreateDirs(root));
  int i = 0;
  for (char az : {'a', 'b', 'c'}) {
    for (int k = 1; k <= 2; ++k, ++i) {
      Member m;
      m.name = std::string("storage-") + az + std::to_string(k);
      m.az = std::string("az-") + az;
      m.data_dir = root + "/" + m.name;
      m.ready_file = root + "/" + m.name + ".ready";
      uint16_t port = options.base_port == 0 ? 0 : static_cast<uint16_t>(options.base_port + 1 + i);
      m.argv = {c->options_.nordlys_bin, "storage", "--data-dir", m.data_dir, "--az", m.az,
                "--listen", options.host + ":" + std::to_string(port), "--ready-file",
                m.ready_file};
      c->members_.push_back(std::move(m));
    }
  }
  for (Member& m : c->members_) {
    (void)env->DeleteFile(m.ready_file);  // a stale file from an earlier run must not count
    m.proc = std::make_unique<Subprocess>();
    NORDLYS_RETURN_IF_ERROR(m.proc->Start(m.argv, root + "/" + m.name + ".log"));
  }
  for (Member& m : c->members_) {
    auto addr = WaitForReadyFile(m.proc.get(), m.ready_file, options.ready_timeout_ms);
    if (!addr.ok()) {
      Status s = addr.status().WithContext(m.name);
      c->Stop();
      return s;
    }
    m.address = *addr;
  }
  return c;
}

LocalCluster::~LocalCluster() { Stop(); }

std::string LocalCluster::Describe() const {
  std::string out = "Nordlys local cluster (data in " +
                    std::filesystem::absolute(options_.data_dir).string() + ")\n";
  for (const Member& m : members_) {
    out += "  " + m.name + "  " + m.az + "  " + m.address + "  log: " + m.proc->log_path() + "\n";
  }
  out +=
      "Not built yet: the SQL writer and reader instances (issue #4), endpoints and the control\n"
      "plane. There is no postgresql:// connection string until the writer exists; the storage\n"
      "nodes above serve the storage protocol only.\n";
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
  for (Member& m : members_) {
    if (m.proc) m.proc->Signal(SIGTERM).ok();
  }
  for (Member& m : members_) {
    if (m.proc) m.proc->Stop(5000);
  }
}

}  // namespace nordlys::cluster
