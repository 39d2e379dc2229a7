// pgbench runner; see pgbench_runner.h.
#include "pgbench_runner.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace nordlys::testing {
namespace {

long MatchLong(const std::string& text, const char* pattern) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(pattern))) return std::stol(m[1]);
  return -1;
}

double MatchDouble(const std::string& text, const char* pattern) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(pattern))) return std::stod(m[1]);
  return -1;
}

}  // namespace

PgbenchResult ParsePgbenchOutput(int exit_code, std::string output) {
  PgbenchResult r;
  r.exit_code = exit_code;
  r.output = std::move(output);
  r.processed = MatchLong(r.output, R"(number of transactions actually processed: (\d+))");
  r.failed = MatchLong(r.output, R"(number of failed transactions: (\d+))");
  r.tps = MatchDouble(r.output, R"(tps = ([0-9.]+) \(without initial connection time\))");
  r.latency_ms = MatchDouble(r.output, R"(latency average = ([0-9.]+) ms)");
  return r;
}

std::string PgbenchResult::InterestingLines() const {
  std::istringstream in(output);
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    for (const char* key : {"progress:", "tps", "latency", "number of", "aborted", "error",
                            "ERROR", "FATAL"}) {
      if (line.find(key) != std::string::npos) {
        out += line + "\n";
        break;
      }
    }
  }
  return out;
}

Result<std::unique_ptr<PgbenchRun>> PgbenchRun::Start(const std::vector<std::string>& args,
                                                      const std::string& conninfo,
                                                      const std::string& log_path) {
  auto run = std::unique_ptr<PgbenchRun>(new PgbenchRun());
  run->log_path_ = log_path;
  std::error_code ec;
  std::filesystem::remove(log_path, ec);
  std::vector<std::string> argv = {kPgbenchPath};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(conninfo);
  NORDLYS_RETURN_IF_ERROR(run->process_.Start(argv, log_path));
  return run;
}

PgbenchResult PgbenchRun::Finish(uint64_t timeout_ms) {
  int code = -1;
  Result<int> rc = process_.Wait(timeout_ms);
  if (rc.ok()) {
    code = *rc;
  } else {
    process_.Kill();
  }
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string output = ss.str();
  if (!rc.ok()) output += "\n(pgbench killed: no exit within " + std::to_string(timeout_ms) + " ms)\n";
  return ParsePgbenchOutput(code, std::move(output));
}

PgbenchResult RunPgbench(const std::vector<std::string>& args, const std::string& conninfo,
                         const std::string& log_path, uint64_t timeout_ms) {
  auto run = PgbenchRun::Start(args, conninfo, log_path);
  if (!run.ok()) return ParsePgbenchOutput(-1, "pgbench did not start: " + run.status().ToString());
  return (*run)->Finish(timeout_ms);
}

}  // namespace nordlys::testing
