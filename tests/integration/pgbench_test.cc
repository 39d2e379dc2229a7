// pgbench end to end: PostgreSQL 15's own pgbench drives a whole LocalCluster (6 storage
// processes and the writer) — `pgbench -i -s 10`, then TPC-B, -M extended, -M prepared, -S and
// -N with 8 clients on 2 threads — and the books must balance afterwards: every TPC-B
// transaction adds the same delta to one account, one teller, one branch and one history row,
// so sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta) unless a transaction was lost
// or half applied. Then the writer is killed with SIGKILL in the middle of a TPC-B run and
// restarted: the books still balance, and every transaction pgbench saw committed is there.
//
// Durations: TPC-B runs 30 s (it is the workload that stresses concurrency and group commit);
// the other four run 15 s each, enough to cover their code paths (protocol modes, read-only,
// no teller/branch updates) many thousands of times; the kill run lasts until the kill, ~8 s,
// and a 5 s run follows the restart. With -i at scale 10 the test takes about 2.5 minutes
// beside the ~7 of the rest of CI; all five at 30 s would add 1.5 minutes for little coverage.
// NORDLYS_PGBENCH_SECONDS=N runs every workload N seconds instead (e.g. 5 on a laptop).
//
// Every run uses -n (no vacuum): pgbench would otherwise truncate pgbench_history before each
// run, and the invariant is checked across all runs. pgbench's tps lines are printed.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "cluster/local_cluster.h"
#include "common/subprocess.h"
#include "harness.h"
#include "pgbench_runner.h"

namespace nordlys::testing {
namespace {

constexpr int kScale = 10;
constexpr int kClients = 8;
constexpr int kThreads = 2;
constexpr int kTpcbSeconds = 30;
constexpr int kVariantSeconds = 15;
constexpr int kKillAfterMs = 8000;
constexpr uint64_t kInitTimeoutMs = 600000;
constexpr uint64_t kRunSlackMs = 120000;  // beyond -T: connection, last transactions, summary

int Seconds(int fallback) {
  const char* v = std::getenv("NORDLYS_PGBENCH_SECONDS");
  return v && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

void PrintSummary(const std::string& label, const PgbenchResult& r) {
  std::printf("[pgbench] ---- %s (exit %d)\n", label.c_str(), r.exit_code);
  std::istringstream in(r.InterestingLines());
  std::string line;
  while (std::getline(in, line)) std::printf("[pgbench] %s\n", line.c_str());
  std::fflush(stdout);
}

class PgbenchTest : public ::testing::Test {
 protected:
  // One cluster for the suite: `pgbench -i -s 10` is the slow part, and the invariant is
  // checked across every run. The tests run in order in one process (one ctest entry).
  static void SetUpTestSuite() {
    dir_ = new std::string((std::filesystem::temp_directory_path() / "nordlys-it" /
                            ("pgbench-" + std::to_string(::getpid())))
                               .string());
    std::filesystem::remove_all(*dir_);
    std::filesystem::create_directories(*dir_);
    cluster::LocalClusterOptions o;
    o.data_dir = *dir_ + "/cluster";
    o.base_port = 0;
    o.nordlys_bin = Harness::Binary();
    auto c = cluster::LocalCluster::Start(o);
    if (!c.ok()) {
      setup_error_ = new std::string(c.status().ToString());
      return;
    }
    cluster_ = c->release();
  }

  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    if (failed_) {
      std::fprintf(stderr, "test directory kept: %s\n", dir_->c_str());
    } else {
      std::filesystem::remove_all(*dir_);
    }
    delete dir_;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_ << "\n" << Logs();
    if (!initialized_) {
      PgbenchResult init = Pgbench({"-i", "-s", std::to_string(kScale)}, kInitTimeoutMs);
      std::printf("[pgbench] pgbench -i -s %d (exit %d):\n%s\n", kScale, init.exit_code,
                  init.output.c_str());
      ASSERT_EQ(init.exit_code, 0) << init.output << Logs();
      initialized_ = true;
    }
  }

  void TearDown() override {
    if (HasFailure()) failed_ = true;
  }

  static std::string Logs() {
    std::string out;
    for (const char* m : {"writer", "storage-a1"}) {
      out += std::string("\n--- ") + m + " log tail:\n" +
             TailOfFile(*dir_ + "/cluster/" + m + ".log", 30);
    }
    return out;
  }

  static std::string NextLog() {
    static int runs = 0;
    return *dir_ + "/pgbench-" + std::to_string(++runs) + ".log";
  }

  static PgbenchResult Pgbench(const std::vector<std::string>& args, uint64_t timeout_ms) {
    return RunPgbench(args, cluster_->ConnectionString(), NextLog(), timeout_ms);
  }

  // A timed run with the standard clients and threads; asserts it ran cleanly.
  static void Run(const std::string& label, std::vector<std::string> extra, int seconds) {
    std::vector<std::string> args = {"-n", "-c", std::to_string(kClients), "-j",
                                     std::to_string(kThreads), "-T", std::to_string(seconds),
                                     "-P", "10"};
    args.insert(args.end(), extra.begin(), extra.end());
    PgbenchResult r = Pgbench(args, seconds * 1000ull + kRunSlackMs);
    PrintSummary(label, r);
    EXPECT_EQ(r.exit_code, 0) << label << ":\n" << r.output << Logs();
    EXPECT_GT(r.processed, 0) << label << ": no transactions processed\n" << r.output;
    EXPECT_EQ(r.failed, 0) << label << ": failed transactions\n" << r.output;
    EXPECT_GT(r.tps, 0) << label << ": no tps line\n" << r.output;
  }

  struct Books {
    std::string accounts, tellers, branches, history_delta;
    long history_rows = -1;
    std::string error;
  };

  static Books ReadBooks() {
    Books b;
    PGconn* c = PQconnectdb(cluster_->ConnectionString().c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      b.error = PQerrorMessage(c);
      PQfinish(c);
      return b;
    }
    PGresult* r = PQexec(c,
                         "SELECT (SELECT sum(abalance) FROM pgbench_accounts), "
                         "(SELECT sum(tbalance) FROM pgbench_tellers), "
                         "(SELECT sum(bbalance) FROM pgbench_branches), "
                         "(SELECT coalesce(sum(delta), 0) FROM pgbench_history), "
                         "(SELECT count(*) FROM pgbench_history)");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 5) {
      b.accounts = PQgetvalue(r, 0, 0);
      b.tellers = PQgetvalue(r, 0, 1);
      b.branches = PQgetvalue(r, 0, 2);
      b.history_delta = PQgetvalue(r, 0, 3);
      b.history_rows = std::stol(PQgetvalue(r, 0, 4));
    } else {
      b.error = PQresultErrorMessage(r);
    }
    PQclear(r);
    PQfinish(c);
    return b;
  }

  // After TPC-B-only runs: all four sums are equal.
  static void ExpectBalanced(const std::string& when) {
    Books b = ReadBooks();
    ASSERT_EQ(b.error, "") << when << Logs();
    std::printf("[pgbench] %s: sum(abalance)=%s sum(tbalance)=%s sum(bbalance)=%s "
                "sum(delta)=%s history rows=%ld\n",
                when.c_str(), b.accounts.c_str(), b.tellers.c_str(), b.branches.c_str(),
                b.history_delta.c_str(), b.history_rows);
    EXPECT_EQ(b.accounts, b.history_delta) << when;
    EXPECT_EQ(b.tellers, b.history_delta) << when;
    EXPECT_EQ(b.branches, b.history_delta) << when;
  }

  static std::string* dir_;
  static std::string* setup_error_;
  static cluster::LocalCluster* cluster_;
  static bool initialized_;
  static bool failed_;
};

std::string* PgbenchTest::dir_ = nullptr;
std::string* PgbenchTest::setup_error_ = nullptr;
cluster::LocalCluster* PgbenchTest::cluster_ = nullptr;
bool PgbenchTest::initialized_ = false;
bool PgbenchTest::failed_ = false;

TEST_F(PgbenchTest, WorkloadsRunWithoutFailuresAndTheBooksBalance) {
  ExpectBalanced("after pgbench -i");
  Run("TPC-B, simple protocol", {}, Seconds(kTpcbSeconds));
  ExpectBalanced("after TPC-B");
  Run("TPC-B, -M extended", {"-M", "extended"}, Seconds(kVariantSeconds));
  Run("TPC-B, -M prepared", {"-M", "prepared"}, Seconds(kVariantSeconds));
  ExpectBalanced("after -M extended and -M prepared");
  Run("select only (-S)", {"-S"}, Seconds(kVariantSeconds));
  ExpectBalanced("after -S");
}

TEST_F(PgbenchTest, KillNineTheWriterMidRunAndNothingIsLostOrHalfApplied) {
  Books start = ReadBooks();
  ASSERT_EQ(start.error, "") << Logs();
  ExpectBalanced("before the kill run");

  auto p = PgbenchRun::Start({"-n", "-c", std::to_string(kClients), "-j",
                              std::to_string(kThreads), "-T", std::to_string(Seconds(kTpcbSeconds)),
                              "-P", "2"},
                             cluster_->ConnectionString(), NextLog());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::this_thread::sleep_for(std::chrono::milliseconds(kKillAfterMs));
  ASSERT_TRUE(cluster_->KillMember("writer", SIGKILL).ok());
  PgbenchResult r = (*p)->Finish(kRunSlackMs);
  PrintSummary("TPC-B, writer killed with SIGKILL after " + std::to_string(kKillAfterMs) + " ms",
               r);
  // The clients lose their connections: pgbench reports the run aborted (exit 2), and still
  // counts the transactions whose COMMIT it saw acknowledged.
  EXPECT_NE(r.output.find("aborted"), std::string::npos) << r.output;
  ASSERT_GT(r.processed, 0) << "no transaction committed before the kill\n" << r.output << Logs();

  Status s = cluster_->RestartMember("writer");
  ASSERT_TRUE(s.ok()) << s.ToString() << Logs();
  Books b = ReadBooks();
  ASSERT_EQ(b.error, "") << Logs();
  ExpectBalanced("after kill -9 and restart");
  long committed = b.history_rows - start.history_rows;
  std::printf("[pgbench] acknowledged by the writer before the kill: %ld; found after restart: "
              "%ld\n",
              r.processed, committed);
  EXPECT_GE(committed, r.processed) << "acknowledged transactions were lost";
  // At most one in-flight COMMIT per client may have become durable without its reply.
  EXPECT_LE(committed, r.processed + kClients) << "more transactions than pgbench ran";

  // The restarted writer takes the same workload again.
  Run("TPC-B after restart", {}, 5);
  ExpectBalanced("after the run on the restarted writer");
}

// Last, because it leaves the books unbalanced by design: -N updates only accounts and history,
// so tellers and branches keep their sums.
TEST_F(PgbenchTest, SimpleUpdateTouchesOnlyAccountsAndHistory) {
  Books before = ReadBooks();
  ASSERT_EQ(before.error, "") << Logs();
  Run("simple update (-N)", {"-N"}, Seconds(kVariantSeconds));
  Books after = ReadBooks();
  ASSERT_EQ(after.error, "") << Logs();
  EXPECT_EQ(after.accounts, after.history_delta) << "after -N";
  EXPECT_EQ(after.tellers, before.tellers) << "after -N";
  EXPECT_EQ(after.branches, before.branches) << "after -N";
  EXPECT_GT(after.history_rows, before.history_rows) << "after -N";
}

}  // namespace
}  // namespace nordlys::testing
