// Integration-test harness; see harness.h.
#include "harness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/env.h"

namespace nordlys::testing {

Harness::Harness() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  dir_ = (std::filesystem::temp_directory_path() / "nordlys-it" /
          (name + "-" + std::to_string(::getpid())))
             .string();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

Harness::~Harness() {
  for (auto& [name, p] : procs_) p->process->Kill();
  if (::testing::Test::HasFailure()) {
    for (auto& [name, p] : procs_) {
      std::fprintf(stderr, "---- log of %s (%s) ----\n%s\n", name.c_str(),
                   p->process->log_path().c_str(),
                   TailOfFile(p->process->log_path(), 40).c_str());
    }
    std::fprintf(stderr, "test directory kept: %s\n", dir_.c_str());
  } else {
    std::filesystem::remove_all(dir_);
  }
}

std::string Harness::Binary() { return NORDLYS_BIN; }

Status Harness::Launch(Proc* p, const std::string& listen, uint64_t ready_timeout_ms) {
  (void)Env::Default()->DeleteFile(p->ready_file);
  std::vector<std::string> argv = {Binary()};
  argv.insert(argv.end(), p->args.begin(), p->args.end());
  argv.insert(argv.end(), {"--listen", listen, "--ready-file", p->ready_file});
  p->process = std::make_unique<Subprocess>();
  NORDLYS_RETURN_IF_ERROR(p->process->Start(argv, dir_ + "/" + p->name + ".log"));
  NORDLYS_ASSIGN_OR_RETURN(p->address,
                           WaitForReadyFile(p->process.get(), p->ready_file, ready_timeout_ms));
  return Status::OK();
}

Result<Harness::Proc*> Harness::Start(const std::string& name, std::vector<std::string> args,
                                      uint64_t ready_timeout_ms) {
  if (procs_.count(name)) return Status::AlreadyExists("process " + name + " already started");
  auto p = std::make_unique<Proc>();
  p->name = name;
  p->args = std::move(args);
  p->ready_file = dir_ + "/" + name + ".ready";
  Proc* raw = p.get();
  procs_[name] = std::move(p);
  NORDLYS_RETURN_IF_ERROR(Launch(raw, "127.0.0.1:0", ready_timeout_ms).WithContext(name));
  return raw;
}

Result<Harness::Proc*> Harness::StartStorage(const std::string& name, const std::string& az) {
  return Start(name, {"storage", "--data-dir", dir_ + "/" + name, "--az", az});
}

Status Harness::Restart(Proc* p, uint64_t ready_timeout_ms) {
  p->process->Kill();
  // Same port as before so peers' addresses stay valid.
  return Launch(p, p->address, ready_timeout_ms).WithContext(p->name);
}

void Harness::Kill9(Proc* p) { p->process->Kill(); }

Harness::Proc* Harness::Get(const std::string& name) {
  auto it = procs_.find(name);
  return it == procs_.end() ? nullptr : it->second.get();
}

int Harness::Run(const std::vector<std::string>& args, std::string* output, uint64_t timeout_ms) {
  std::string log = (std::filesystem::temp_directory_path() /
                     ("nordlys-run-" + std::to_string(::getpid()) + ".log"))
                        .string();
  std::filesystem::remove(log);
  std::vector<std::string> argv = {Binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  Subprocess p;
  if (!p.Start(argv, log).ok()) return -1;
  auto rc = p.Wait(timeout_ms);
  if (!rc.ok()) p.Kill();
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  *output = ss.str();
  std::filesystem::remove(log);
  return rc.ok() ? *rc : -1;
}

}  // namespace nordlys::testing
