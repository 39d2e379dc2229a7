// PgOracle; see pg_oracle.h.
//
// The server is forked and exec'd here rather than through pg_ctl or runuser: pg_ctl daemonizes
// and runuser forks once more, and either way the postmaster would not be our child, so neither
// PR_SET_PDEATHSIG nor waitpid would reach it and a killed test would leave a server behind.
#include "pg_oracle.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/subprocess.h"

namespace nordlys::testing {
namespace {

constexpr int kPortAttemptsMax = 5;  // a free port may be taken between probe and bind
constexpr uint64_t kPollIntervalMs = 20;

struct RunUser {
  bool drop = false;  // setuid to uid/gid in the child
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<RunUser> PostgresUser() {
  RunUser u;
  if (geteuid() != 0) return u;
  passwd* pw = getpwnam("nobody");
  if (pw == nullptr) return Status::NotFound("running as root and there is no user nobody");
  u.drop = true;
  u.uid = pw->pw_uid;
  u.gid = pw->pw_gid;
  return u;
}

uint64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Starts argv[0] with stdout/stderr appended to log_path, stdin from /dev/null, dying with us.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log_path,
                    const RunUser& user) {
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("cannot open " + log_path);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(null_fd);
    return Status::IoError("fork failed");
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (user.drop) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) {
        ::_exit(126);
      }
    }
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  return pid;
}

// Waits up to timeout_ms for pid to exit; returns its exit code (128+signal), or Timeout.
Result<int> WaitExit(pid_t pid, uint64_t timeout_ms) {
  uint64_t deadline = NowMs() + timeout_ms;
  while (true) {
    int st = 0;
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (r < 0) return Status::IoError("waitpid failed");
    if (NowMs() >= deadline) return Status::Timeout("process " + std::to_string(pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
}

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace

Result<int> RunAsPostgresUser(const std::vector<std::string>& argv, const std::string& log_path,
                              uint64_t timeout_ms) {
  NORDLYS_ASSIGN_OR_RETURN(RunUser user, PostgresUser());
  NORDLYS_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, log_path, user));
  Result<int> rc = WaitExit(pid, timeout_ms);
  if (!rc.ok()) {
    ::kill(pid, SIGKILL);
    (void)WaitExit(pid, 5000);
  }
  return rc;
}

bool PgOracle::Available(const std::string& bin_dir, std::string* why) {
  for (const char* tool : {"initdb", "postgres"}) {
    if (!std::filesystem::exists(bin_dir + "/" + tool)) {
      *why = "PostgreSQL 15 binary " + bin_dir + "/" + tool + " not found";
      return false;
    }
  }
  return true;
}

Result<std::unique_ptr<PgOracle>> PgOracle::Start(const PgOracleOptions& options) {
  std::string why;
  if (!Available(options.bin_dir, &why)) return Status::NotFound(why);
  auto pg = std::unique_ptr<PgOracle>(new PgOracle());
  pg->options_ = options;
  std::string tmpl = options.parent_dir + "/nordlys-pg-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return Status::IoError("mkdtemp " + tmpl);
  pg->dir_ = tmpl;
  NORDLYS_ASSIGN_OR_RETURN(RunUser user, PostgresUser());
  if (user.drop && ::chown(pg->dir_.c_str(), user.uid, user.gid) != 0) {
    return Status::IoError("cannot hand " + pg->dir_ + " to user nobody");
  }
  std::string initdb_log = pg->dir_ + "/initdb.log";
  NORDLYS_ASSIGN_OR_RETURN(
      int rc, RunAsPostgresUser({options.bin_dir + "/initdb", "-D", pg->dir_ + "/data", "-U",
                                 "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                                 "--no-instructions"},
                                initdb_log, options.start_timeout_ms));
  if (rc != 0) {
    return Status::IoError("initdb exited " + std::to_string(rc) + ":\n" +
                           TailOfFile(initdb_log, 20));
  }
  Status s;
  for (int attempt = 0; attempt < kPortAttemptsMax; ++attempt) {
    s = pg->Launch();
    if (s.ok()) return pg;
  }
  return s;
}

Status PgOracle::Launch() {
  port_ = FreeLoopbackPort();
  if (port_ == 0) return Status::IoError("no free loopback port");
  std::vector<std::string> argv = {options_.bin_dir + "/postgres", "-D", dir_ + "/data",
                                   "-p", std::to_string(port_), "-k", dir_,
                                   "-c", "listen_addresses=127.0.0.1"};
  std::vector<std::string> settings;
  if (!options_.durable) {
    settings = {"fsync=off", "synchronous_commit=off", "full_page_writes=off"};
  }
  settings.insert(settings.end(), options_.settings.begin(), options_.settings.end());
  for (const std::string& kv : settings) {
    argv.push_back("-c");
    argv.push_back(kv);
  }
  NORDLYS_ASSIGN_OR_RETURN(RunUser user, PostgresUser());
  NORDLYS_ASSIGN_OR_RETURN(pid_, Spawn(argv, log_path(), user));
  std::string ping = "host=127.0.0.1 port=" + std::to_string(port_) +
                     " user=postgres dbname=postgres connect_timeout=2";
  uint64_t deadline = NowMs() + options_.start_timeout_ms;
  while (NowMs() < deadline) {
    if (!running()) {
      return Status::Unavailable("postgres exited during startup:\n" + TailOfFile(log_path(), 20));
    }
    if (PQping(ping.c_str()) == PQPING_OK) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
  return Status::Timeout("postgres not ready:\n" + TailOfFile(log_path(), 20));
}

bool PgOracle::running() {
  if (pid_ <= 0) return false;
  int st = 0;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string PgOracle::ConnectionString(const std::string& dbname) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + dbname;
}

void PgOracle::Stop(uint64_t grace_ms) {
  if (pid_ > 0) {
    ::kill(pid_, SIGINT);  // fast shutdown: roll back sessions, checkpoint, exit
    if (!WaitExit(pid_, grace_ms).ok()) {
      ::kill(pid_, SIGKILL);
      (void)WaitExit(pid_, 5000);
    }
    pid_ = -1;
  }
}

PgOracle::~PgOracle() {
  Stop();
  if (!options_.keep_dir && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

}  // namespace nordlys::testing
