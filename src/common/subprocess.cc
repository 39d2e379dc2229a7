// fork/exec with PDEATHSIG; see subprocess.h.
#include "common/subprocess.h"

#include "common/env.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace nordlys {

Subprocess::~Subprocess() { Kill(); }

Status Subprocess::Start(const std::vector<std::string>& argv, const std::string& log_path) {
  NORDLYS_ASSERT(pid_ < 0);
  NORDLYS_ASSERT(!argv.empty());
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("open " + log_path + ": " + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log_fd);
    return Status::IoError(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // parent already gone
    ::setpgid(0, 0);  // own process group: a Ctrl-C at the terminal goes to the parent only
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(args[0], args.data());
    const char msg[] = "nordlys: exec failed\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  exit_code_ = -1;
  log_path_ = log_path;
  return Status::OK();
}

bool Subprocess::running() {
  if (pid_ < 0) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) exit_code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  pid_ = -1;
  return false;
}

Status Subprocess::Signal(int sig) {
  if (pid_ < 0) return Status::NotFound("process not running");
  if (::kill(pid_, sig) != 0) return Status::IoError(std::string("kill: ") + std::strerror(errno));
  return Status::OK();
}

Result<int> Subprocess::Wait(uint64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Timeout("process " + std::to_string(pid_) + " still running");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

void Subprocess::Kill() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = 128 + SIGKILL;
  pid_ = -1;
}

int Subprocess::Stop(uint64_t grace_ms) {
  if (pid_ < 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  auto r = Wait(grace_ms);
  if (r.ok()) return *r;
  Kill();
  return exit_code_;
}

std::string SelfExecutable() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "nordlys";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace nordlys

namespace nordlys {

std::string TailOfFile(const std::string& path, size_t max_lines) {
  std::string data;
  if (!Env::Default()->ReadFileToString(path, &data).ok() || max_lines == 0) return "";
  // Walk back over max_lines line starts; a final newline ends the last line, not a new one.
  size_t end = data.size();
  if (end > 0 && data[end - 1] == '\n') --end;
  size_t start = end;
  for (size_t lines = 0; lines < max_lines && start > 0; ++lines) {
    size_t nl = data.rfind('\n', start - 1);
    start = (nl == std::string::npos) ? 0 : nl;
    if (nl == std::string::npos) break;
  }
  if (start > 0 || (start == 0 && !data.empty() && data[0] == '\n')) ++start;
  return data.substr(start);
}

Result<std::string> WaitForReadyFile(Subprocess* p, const std::string& path,
                                     uint64_t timeout_ms) {
  Env* env = Env::Default();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    std::string data;
    if (env->ReadFileToString(path, &data).ok() && !data.empty()) {
      return data.substr(0, data.find('\n'));
    }
    if (!p->running()) {
      return Status::Unavailable("process exited before it was ready; its log " +
                                 p->log_path() + " ends with:\n" + TailOfFile(p->log_path(), 20));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Timeout("not ready after " + std::to_string(timeout_ms) + " ms; log " +
                             p->log_path() + " ends with:\n" + TailOfFile(p->log_path(), 20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace nordlys
