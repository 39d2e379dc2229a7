// Differential SQL test: every script in tests/sql/corpus runs, statement by statement, on a
// private PostgreSQL 15 (the reference) and on a target — Nordlys (a LocalCluster with its
// writer, the default) or, with NORDLYS_SQLDIFF_TARGET=pg, a second PostgreSQL 15, which proves
// the harness and the corpus's determinism. One test per script, each in a fresh database on
// both servers; see sql_diff.h for what is compared and README.md for how to run and replay.
//
// Against Nordlys, statements listed in known_failures.txt may differ; any other difference
// fails the test, and so does a listed statement that now matches (the list only shrinks).
// Against PostgreSQL every statement must match. In both modes the reference must behave as
// the corpus says: a statement fails on PostgreSQL exactly when it carries `-- error SQLSTATE`.
//
// Environment: NORDLYS_SQLDIFF_TARGET (nordlys | pg), NORDLYS_SQLDIFF_UPDATE=1 (rewrite the
// list), NORDLYS_SQLDIFF_VERBOSE=1 (print every statement), NORDLYS_SQLDIFF_TIMEOUT_MS
// (per statement on the target, default 10000).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cluster/local_cluster.h"
#include "known_failures.h"
#include "pg_oracle.h"
#include "sql_diff.h"
#include "sql_script.h"

namespace nordlys::sqltest {
namespace {

constexpr uint64_t kReferenceTimeoutMs = 60000;
constexpr size_t kRowsShownMax = 10;
constexpr size_t kSqlShownMax = 600;
constexpr int kUnansweredMax = 3;  // then the rest of the script is not sent to the target

std::string GetEnv(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string CorpusDir() { return std::string(NORDLYS_SQL_DIR) + "/corpus"; }
std::string KnownFailuresPath() { return std::string(NORDLYS_SQL_DIR) + "/known_failures.txt"; }

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(CorpusDir(), ec)) {
    if (e.path().extension() == ".sql") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The servers, started once for all scripts.
struct Servers {
  bool target_is_pg = false;
  std::string target_name;
  std::string target_conninfo;
  std::unique_ptr<testing::PgOracle> reference;
  std::unique_ptr<testing::PgOracle> other_pg;
  std::unique_ptr<cluster::LocalCluster> cluster;
  std::string cluster_dir;
  std::string setup_error;
  std::map<std::string, std::pair<int, int>> matched;  // file -> (matching, total)
  bool any_failure = false;
};
Servers* g_servers = nullptr;

testing::PgOracleOptions OracleOptions() {
  testing::PgOracleOptions o;
  o.durable = false;  // nothing here measures or depends on durability
  o.settings = {"TimeZone=UTC", "max_connections=20"};
  return o;
}

class ServersEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_servers = new Servers();
    Servers& s = *g_servers;
    s.target_is_pg = GetEnv("NORDLYS_SQLDIFF_TARGET", "nordlys") == "pg";
    auto ref = testing::PgOracle::Start(OracleOptions());
    if (!ref.ok()) {
      s.setup_error = "reference PostgreSQL 15: " + ref.status().ToString();
      return;
    }
    s.reference = std::move(*ref);
    if (s.target_is_pg) {
      auto other = testing::PgOracle::Start(OracleOptions());
      if (!other.ok()) {
        s.setup_error = "second PostgreSQL 15: " + other.status().ToString();
        return;
      }
      s.other_pg = std::move(*other);
      s.target_name = "pg15-b";
      s.target_conninfo = s.other_pg->ConnectionString();
      return;
    }
    std::string tmpl = "/tmp/nordlys-sqldiff-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      s.setup_error = "mkdtemp failed";
      return;
    }
    s.cluster_dir = tmpl;
    cluster::LocalClusterOptions o;
    o.data_dir = s.cluster_dir;
    o.base_port = 0;
    o.nordlys_bin = NORDLYS_BIN;
    auto c = cluster::LocalCluster::Start(o);
    if (!c.ok()) {
      s.setup_error = "Nordlys LocalCluster: " + c.status().ToString() + "\nwriter log:\n" +
                      TailOfFile(s.cluster_dir + "/writer.log", 30);
      return;
    }
    s.cluster = std::move(*c);
    s.target_name = "nordlys";
    s.target_conninfo = s.cluster->ConnectionString();
  }

  void TearDown() override {
    Servers& s = *g_servers;
    int match = 0;
    int total = 0;
    for (const auto& [file, mt] : s.matched) {
      std::printf("[sqldiff] %s: %d/%d statements match PostgreSQL 15\n", file.c_str(), mt.first,
                  mt.second);
      match += mt.first;
      total += mt.second;
    }
    std::printf("[sqldiff] total (%s): %d/%d statements match PostgreSQL 15\n",
                s.target_name.c_str(), match, total);
    std::fflush(stdout);
    if (s.cluster) s.cluster->Stop();
    s.cluster.reset();
    if (!s.cluster_dir.empty()) {
      if (s.any_failure) {
        std::printf("[sqldiff] Nordlys cluster directory kept: %s\n", s.cluster_dir.c_str());
      } else {
        std::filesystem::remove_all(s.cluster_dir);
      }
    }
    delete g_servers;
    g_servers = nullptr;
  }
};

// One statement's result on both sides.
struct Diff {
  const Statement* st;
  Outcome want;
  Outcome got;
  std::string what;  // "" when they match
};

std::string Shorten(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max) + " ...";
}

std::string Report(const std::string& file, const Diff& d, const std::string& target_name) {
  std::ostringstream out;
  out << file << ":" << d.st->number << " (line " << d.st->line << "): " << d.what << "\n"
      << "    " << Shorten(d.st->sql, kSqlShownMax) << "\n"
      << RenderSideBySide("pg15", d.want, target_name, d.got, d.st->ordered, kRowsShownMax);
  return out.str();
}

class SqlDiff : public ::testing::TestWithParam<std::string> {
 protected:
  // A fresh database named `db` on a server; "" and *db = "postgres" when the server cannot
  // create databases (then the script's own cleanup is all that isolates it).
  static std::string FreshDatabase(const std::string& conninfo, std::string* db) {
    auto admin = Session::Connect(conninfo, "");
    if (!admin.ok()) return admin.status().ToString();
    std::string err = (*admin)->Run("DROP DATABASE IF EXISTS " + *db, kReferenceTimeoutMs);
    if (err.empty()) err = (*admin)->Run("CREATE DATABASE " + *db, kReferenceTimeoutMs);
    if (!err.empty()) *db = "postgres";
    return err;
  }
  static void DropDatabase(const std::string& conninfo, const std::string& db) {
    if (db == "postgres") return;
    auto admin = Session::Connect(conninfo, "");
    if (admin.ok()) (void)(*admin)->Run("DROP DATABASE IF EXISTS " + db, kReferenceTimeoutMs);
  }
  // After a timeout or a lost connection: the writer restarted if it died, and a new session.
  static std::unique_ptr<Session> Reconnect(const std::string& db) {
    Servers& s = *g_servers;
    if (s.cluster) {
      auto exited = s.cluster->Exited();
      if (std::find(exited.begin(), exited.end(), "writer") != exited.end()) {
        std::printf("[sqldiff] the Nordlys writer exited; restarting it\n");
        Status st = s.cluster->RestartMember("writer");
        if (!st.ok()) std::printf("[sqldiff] restart failed: %s\n", st.ToString().c_str());
      }
    }
    auto c = Session::Connect(s.target_conninfo, db);
    return c.ok() ? std::move(*c) : nullptr;
  }
};

TEST_P(SqlDiff, MatchesPostgres) {
  ASSERT_NE(g_servers, nullptr);
  Servers& s = *g_servers;
  ASSERT_TRUE(s.setup_error.empty()) << s.setup_error;
  const std::string file = GetParam();
  std::ifstream in(CorpusDir() + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  auto script = ParseScript(text.str());
  ASSERT_TRUE(script.ok()) << file << ": " << script.status().ToString();
  ASSERT_FALSE(script->empty()) << file << " has no statements";

  std::string stem = std::filesystem::path(file).stem().string();
  std::string ref_db = "sqldiff_" + stem;
  std::string target_db = ref_db;
  std::string err = FreshDatabase(s.reference->ConnectionString(), &ref_db);
  ASSERT_TRUE(err.empty()) << "reference: " << err;
  err = FreshDatabase(s.target_conninfo, &target_db);
  if (!err.empty()) {
    std::printf("[sqldiff] %s: %s cannot create a database (%s); running in \"postgres\"\n",
                file.c_str(), s.target_name.c_str(), err.c_str());
  }
  auto ref = Session::Connect(s.reference->ConnectionString(), ref_db);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  std::unique_ptr<Session> target;
  if (auto t = Session::Connect(s.target_conninfo, target_db); t.ok()) target = std::move(*t);

  uint64_t timeout_ms = std::stoull(GetEnv("NORDLYS_SQLDIFF_TIMEOUT_MS", "10000"));
  bool verbose = GetEnv("NORDLYS_SQLDIFF_VERBOSE") == "1";
  std::vector<Diff> diffs;
  int unanswered = 0;  // consecutive timeouts and lost connections on the target
  for (const Statement& st : *script) {
    Diff d{&st, (*ref)->Execute(st, kReferenceTimeoutMs), Outcome(), ""};
    // The corpus must do on PostgreSQL what it says it does.
    bool ref_failed = d.want.kind == Outcome::Kind::kError;
    if (st.expected_sqlstate.empty() && ref_failed) {
      ADD_FAILURE() << "corpus error: " << file << ":" << st.number << " (line " << st.line
                    << ") fails on PostgreSQL 15 without `-- error`: " << d.want.Summary()
                    << "\n    " << Shorten(st.sql, kSqlShownMax);
    } else if (!st.expected_sqlstate.empty() &&
               (!ref_failed || d.want.sqlstate != st.expected_sqlstate)) {
      ADD_FAILURE() << "corpus error: " << file << ":" << st.number << " (line " << st.line
                    << ") expects error " << st.expected_sqlstate << ", PostgreSQL 15 gave "
                    << d.want.Summary() << "\n    " << Shorten(st.sql, kSqlShownMax);
    }
    if (target == nullptr && unanswered < kUnansweredMax) target = Reconnect(target_db);
    if (unanswered >= kUnansweredMax) {
      // A target that hangs or crashes on every statement would make the run last hours.
      d.got.kind = Outcome::Kind::kConnectionLost;
      d.got.message = "not run: " + std::to_string(kUnansweredMax) +
                      " statements in a row went unanswered";
    } else if (target == nullptr) {
      d.got.kind = Outcome::Kind::kConnectionLost;
      d.got.message = "cannot connect to " + s.target_conninfo;
      ++unanswered;
    } else {
      d.got = target->Execute(st, timeout_ms);
      if (d.got.kind == Outcome::Kind::kTimeout ||
          d.got.kind == Outcome::Kind::kConnectionLost || !target->alive()) {
        ++unanswered;
        target = Reconnect(target_db);  // the session's state is lost; later statements say so
      } else {
        unanswered = 0;
      }
    }
    d.what = Compare(d.want, d.got, st.ordered);
    if (verbose) {
      std::printf("%s:%d %s\n%s", file.c_str(), st.number, d.what.empty() ? "ok" : d.what.c_str(),
                  RenderSideBySide("pg15", d.want, s.target_name, d.got, st.ordered, 3).c_str());
    }
    diffs.push_back(std::move(d));
  }
  ref->reset();
  target.reset();
  DropDatabase(s.reference->ConnectionString(), ref_db);
  DropDatabase(s.target_conninfo, target_db);

  KnownFailures::Entries listed;
  if (!s.target_is_pg) {
    auto known = KnownFailures::Load(KnownFailuresPath());
    ASSERT_TRUE(known.ok()) << known.status().ToString();
    listed = known->For(file);
  }
  bool update = !s.target_is_pg && GetEnv("NORDLYS_SQLDIFF_UPDATE") == "1";
  int matching = 0;
  KnownFailures::Entries differing;
  for (const Diff& d : diffs) {
    int n = d.st->number;
    bool is_listed = listed.count(n) > 0;
    if (d.what.empty()) {
      ++matching;
      if (is_listed && !update) {
        ADD_FAILURE() << file << ":" << n << " now matches PostgreSQL 15: remove it from "
                      << "tests/sql/known_failures.txt (listed as: " << listed[n] << ")\n    "
                      << Shorten(d.st->sql, kSqlShownMax);
      }
      continue;
    }
    differing[n] = "TODO: " + Shorten(d.what, 160);
    if (!is_listed && !update) {
      ADD_FAILURE() << (s.target_is_pg ? "difference between two PostgreSQL 15 servers (the "
                                         "corpus is not deterministic): "
                                       : "regression (not in known_failures.txt): ")
                    << Report(file, d, s.target_name);
    }
  }
  for (const auto& [n, reason] : listed) {
    if (n > static_cast<int>(diffs.size())) {
      ADD_FAILURE() << file << ":" << n << " is listed in known_failures.txt but the file has "
                    << diffs.size() << " statements";
    }
  }
  if (update) {
    Status st = KnownFailures::Update(KnownFailuresPath(), file, differing);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  s.matched[file] = {matching, static_cast<int>(diffs.size())};
  std::printf("[sqldiff] %s: %d/%zu statements match PostgreSQL 15\n", file.c_str(), matching,
              diffs.size());
  if (HasFailure()) s.any_failure = true;
}

INSTANTIATE_TEST_SUITE_P(Corpus, SqlDiff, ::testing::ValuesIn(CorpusFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::filesystem::path(info.param).stem().string();
                         });

}  // namespace
}  // namespace nordlys::sqltest

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new nordlys::sqltest::ServersEnvironment());
  return RUN_ALL_TESTS();
}
