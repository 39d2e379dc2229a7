// The SQL writer on the real storage service: a whole LocalCluster (6 storage processes and
// `nordlys instance --role writer`), driven through libpq. Kill -9 the writer mid-stream and
// restart it: every acknowledged transaction is there and no unacknowledged one is half-visible.
// Lose an AZ under load: SQL keeps working.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "cluster/local_cluster.h"
#include "common/subprocess.h"
#include "harness.h"
#include "net/rpc.h"
#include "proto/storage_protocol.h"

namespace nordlys::testing {
namespace {

class WriterTest : public ::testing::Test {
 protected:
  // Extra writer flags for a fixture (see WriterAuthTest).
  virtual std::vector<std::string> WriterArgs() { return {}; }
  void SetUp() override {
    cluster::LocalClusterOptions o;
    o.data_dir = h_.dir() + "/cluster";
    o.base_port = 0;
    o.nordlys_bin = Harness::Binary();
    o.writer_args = WriterArgs();
    auto c = cluster::LocalCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString() << "\n" << Logs();
    cluster_ = std::move(*c);
  }
  std::string Logs() {
    std::string out;
    for (const char* m : {"writer", "storage-a1"}) {
      out += std::string("--- ") + m + " log tail:\n" +
             TailOfFile(h_.dir() + "/cluster/" + m + ".log", 30);
    }
    return out;
  }
  PGconn* Connect() {
    PGconn* c = PQconnectdb(cluster_->ConnectionString().c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c) << Logs();
    return c;
  }
  // Runs one statement; returns its error message ("" on success).
  static std::string Exec(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    std::string err;
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      err = PQresultErrorMessage(r);
      if (err.empty()) err = PQerrorMessage(c);
    }
    PQclear(r);
    return err;
  }
  static std::vector<std::vector<std::string>> Query(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    std::vector<std::vector<std::string>> rows;
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r);
    for (int i = 0; i < PQntuples(r); ++i) {
      rows.emplace_back();
      for (int j = 0; j < PQnfields(r); ++j) rows.back().push_back(PQgetvalue(r, i, j));
    }
    PQclear(r);
    return rows;
  }

  Harness h_;
  std::unique_ptr<cluster::LocalCluster> cluster_;
};

// Each transaction inserts a pair of rows; commits run until the writer is killed.
struct PairWriter {
  std::atomic<bool> stop{false};
  std::set<int> acked;      // pairs whose COMMIT returned OK
  int attempted = 0;        // pairs whose BEGIN was sent
  std::string error;        // what ended the stream
  void Run(PGconn* c) {
    for (int i = 0; !stop.load(); ++i) {
      attempted = i + 1;
      std::string sql = "BEGIN; INSERT INTO pairs VALUES (" + std::to_string(2 * i) + ", " +
                        std::to_string(i) + ", 'first'); INSERT INTO pairs VALUES (" +
                        std::to_string(2 * i + 1) + ", " + std::to_string(i) +
                        ", 'second'); COMMIT";
      PGresult* r = PQexec(c, sql.c_str());
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      if (!ok) error = PQerrorMessage(c);
      PQclear(r);
      if (!ok) return;
      acked.insert(i);
    }
  }
};

TEST_F(WriterTest, AcknowledgedCommitsSurviveKill9AndNothingIsHalfVisible) {
  PGconn* c = Connect();
  ASSERT_EQ(Exec(c, "CREATE TABLE pairs (id int PRIMARY KEY, pair int NOT NULL, v text)"), "");
  PairWriter w;
  std::thread t([&] { w.Run(c); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(cluster_->KillMember("writer", SIGKILL).ok());
  t.join();
  PQfinish(c);
  ASSERT_GT(w.acked.size(), 10u) << "too few commits before the kill: " << w.error << Logs();

  ASSERT_TRUE(cluster_->RestartMember("writer").ok()) << Logs();
  c = Connect();
  auto rows = Query(c, "SELECT id, pair FROM pairs");
  std::map<int, int> per_pair;
  for (const auto& r : rows) {
    int id = std::stoi(r[0]), pair = std::stoi(r[1]);
    EXPECT_EQ(id / 2, pair);
    ++per_pair[pair];
  }
  for (int p : w.acked) EXPECT_EQ(per_pair[p], 2) << "acknowledged pair " << p << " lost";
  for (const auto& [p, n] : per_pair) {
    EXPECT_EQ(n, 2) << "pair " << p << " is half visible";
    EXPECT_LT(p, w.attempted) << "pair " << p << " was never sent";
  }
  // The restarted writer takes new work, and the primary key still holds.
  ASSERT_EQ(Exec(c, "INSERT INTO pairs VALUES (-2, -1, 'after restart')"), "");
  std::string dup = Exec(c, "INSERT INTO pairs VALUES (-2, -1, 'again')");
  EXPECT_NE(dup.find("duplicate key"), std::string::npos) << dup;
  PQfinish(c);
}

TEST_F(WriterTest, SqlKeepsWorkingWhenAnAzIsLost) {
  PGconn* c = Connect();
  ASSERT_EQ(Exec(c, "CREATE TABLE kv (k int PRIMARY KEY, v int)"), "");
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(Exec(c, "INSERT INTO kv VALUES (" + std::to_string(i) + ", 0)"), "");
  }
  ASSERT_TRUE(cluster_->KillMember("storage-a1", SIGKILL).ok());
  ASSERT_TRUE(cluster_->KillMember("storage-a2", SIGKILL).ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(Exec(c, "UPDATE kv SET v = v + 1 WHERE k = " + std::to_string(i)), "") << i;
  }
  auto rows = Query(c, "SELECT count(*), sum(v) FROM kv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "100");
  EXPECT_EQ(rows[0][1], "100");
  PQfinish(c);
}

// psql's own describe commands, as a user types them: each sends its catalog queries
// (pg_class, pg_namespace, pg_index, regex operators, pg_table_is_visible, ...).
TEST_F(WriterTest, PsqlListsRelationsSchemasAndIndexes) {
  PGconn* c = Connect();
  ASSERT_EQ(Exec(c, "CREATE TABLE items (id int PRIMARY KEY, name text DEFAULT 'none' CHECK (name <> ''), tags text[])"),
            "");
  ASSERT_EQ(Exec(c, "CREATE INDEX items_name ON items (name)"), "");
  ASSERT_EQ(Exec(c, "CREATE SEQUENCE item_ids"), "");
  PQfinish(c);
  const char* psql = access("/usr/lib/postgresql/15/bin/psql", X_OK) == 0 ? "/usr/lib/postgresql/15/bin/psql" : "psql";
  auto run = [&](const std::string& command, const char* flags = "-A -t") {
    std::string cmd = std::string(psql) + " -X " + flags + " -c '" + command + "' '" + cluster_->ConnectionString() + "' 2>&1";
    std::string out;
    FILE* f = popen(cmd.c_str(), "r");
    EXPECT_NE(f, nullptr);
    if (f == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
    return out;
  };
  EXPECT_EQ(run("\\dt"), "public|items|table|postgres\n");
  EXPECT_EQ(run("\\d"), "public|item_ids|sequence|postgres\npublic|items|table|postgres\n");
  EXPECT_EQ(run("\\di"), "public|items_name|index|postgres|items\npublic|items_pkey|index|postgres|items\n");
  EXPECT_EQ(run("\\ds"), "public|item_ids|sequence|postgres\n");
  EXPECT_EQ(run("\\dn"), "public|postgres\n");
  EXPECT_EQ(run("\\dt nosuch*"), "Did not find any relation named \"nosuch*\".\n");
  // One table and one index (pg_attrdef, pg_constraint, pg_get_expr, pg_get_indexdef, arrays,
  // regclass, ARRAY(subquery), op ANY (array)): PostgreSQL 15 prints the same for this schema.
  EXPECT_EQ(run("\\d items"), "id|integer||not null|\nname|text|||'none'::text\ntags|text[]|||\n");
  EXPECT_EQ(run("\\d items_name"), "name|text|yes|name\n");
  // Roles and databases (pg_auth_members, pg_database.datacl).
  EXPECT_EQ(run("\\du"), "postgres|Superuser, Create role, Create DB, Replication, Bypass RLS|{}\n");
  EXPECT_EQ(run("\\l"), "postgres|postgres|UTF8|C|C||libc|\n");
  // A sequence (pg_sequence; pg_depend and quote_ident for "Owned by", none here).
  EXPECT_EQ(run("\\d item_ids"), "bigint|1|1|9223372036854775807|1|no|1\n");
  // Privileges (NULL ACLs: GRANT is not built) and extensions (none).
  EXPECT_EQ(run("\\dp items"), "public|items|table|||\n");
  EXPECT_EQ(run("\\dx"), "");
  // System relations list their columns too.
  EXPECT_NE(run("\\dS pg_sequence").find("seqincrement|bigint|||"), std::string::npos);
  // Without -t, the footers that list indexes and check constraints.
  std::string full = run("\\d items", "-A");
  EXPECT_NE(full.find("Indexes:\n    \"items_pkey\" PRIMARY KEY, btree (id)\n    \"items_name\" btree (name)\n"),
            std::string::npos)
      << full;
  EXPECT_NE(full.find("Check constraints:\n    \"items_name_check\" CHECK (name <> ''::text)\n"), std::string::npos)
      << full;
  // Foreign keys: "Foreign-key constraints:" on the referencing table, "Referenced by:" on the
  // referenced one (relhastriggers, pg_trigger, pg_partition_ancestors), as PostgreSQL 15's psql.
  c = Connect();
  ASSERT_EQ(Exec(c, "CREATE TABLE lines (id int PRIMARY KEY, item int REFERENCES items ON DELETE CASCADE)"), "");
  PQfinish(c);
  std::string referencing = run("\\d lines", "-A");
  EXPECT_NE(referencing.find("Foreign-key constraints:\n    \"lines_item_fkey\" FOREIGN KEY (item) REFERENCES "
                             "items(id) ON DELETE CASCADE\n"),
            std::string::npos)
      << referencing;
  std::string referenced = run("\\d items", "-A");
  EXPECT_NE(referenced.find("Referenced by:\n    TABLE \"lines\" CONSTRAINT \"lines_item_fkey\" FOREIGN KEY (item) "
                            "REFERENCES items(id) ON DELETE CASCADE\n"),
            std::string::npos)
      << referenced;
}

// Roles in the catalog with SCRAM-SHA-256 passwords, chosen per user by a pg_hba-style file:
// the bootstrap superuser is trusted (as a fresh PostgreSQL install trusts local connections),
// everyone else must give the password stored by CREATE/ALTER ROLE, and that survives kill -9.
class WriterAuthTest : public WriterTest {
 protected:
  std::vector<std::string> WriterArgs() override {
    std::string path = h_.dir() + "/hba.conf";
    std::FILE* f = std::fopen(path.c_str(), "w");
    EXPECT_NE(f, nullptr);
    if (f != nullptr) {
      std::fputs("host all postgres all trust\nhost all all all scram-sha-256\n", f);
      std::fclose(f);
    }
    return {"--hba-file", path};
  }
  std::string As(const std::string& user, const std::string& password) {
    std::string conn = cluster_->ConnectionString();
    conn.replace(conn.find("postgres@"), 9, user + ":" + password + "@");
    return conn;
  }
  // "" when the connection works, else libpq's error.
  static std::string TryConnect(const std::string& conn) {
    PGconn* c = PQconnectdb(conn.c_str());
    std::string err = PQstatus(c) == CONNECTION_OK ? "" : PQerrorMessage(c);
    if (err.empty()) {
      PGresult* r = PQexec(c, "SELECT current_user");
      err = PQresultStatus(r) == PGRES_TUPLES_OK ? "" : PQresultErrorMessage(r);
      if (err.empty() && std::string(PQgetvalue(r, 0, 0)) == "postgres") err = "connected as postgres";
      PQclear(r);
    }
    PQfinish(c);
    return err;
  }
};

TEST_F(WriterAuthTest, CreateAndAlterRolePasswordsAuthenticateWithScram) {
  PGconn* c = Connect();
  ASSERT_EQ(Exec(c, "CREATE ROLE app LOGIN PASSWORD 'first pw'"), "");
  ASSERT_EQ(Exec(c, "CREATE ROLE nopw LOGIN"), "");
  ASSERT_EQ(Exec(c, "CREATE ROLE nologin PASSWORD 'x'"), "");
  auto rows = Query(c, "SELECT rolname, rolcanlogin, rolpassword FROM pg_roles WHERE rolname <> 'postgres' ORDER BY 1");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0] + rows[0][1] + rows[0][2], "appt********");
  EXPECT_EQ(rows[1][0] + rows[1][1], "nologinf");
  EXPECT_EQ(TryConnect(As("app", "first%20pw")), "");
  EXPECT_NE(TryConnect(As("app", "wrong")).find("password authentication failed"), std::string::npos);
  EXPECT_NE(TryConnect(As("nopw", "x")).find("password authentication failed"), std::string::npos);
  EXPECT_NE(TryConnect(As("nologin", "x")).find("not permitted to log in"), std::string::npos);
  EXPECT_NE(TryConnect(As("ghost", "x")).find("password authentication failed"), std::string::npos);
  ASSERT_EQ(Exec(c, "ALTER ROLE app PASSWORD 'second'"), "");
  EXPECT_NE(TryConnect(As("app", "first%20pw")).find("password authentication failed"), std::string::npos);
  EXPECT_EQ(TryConnect(As("app", "second")), "");
  // A rolled-back ALTER changes nothing.
  ASSERT_EQ(Exec(c, "BEGIN; ALTER ROLE app PASSWORD 'third'; ROLLBACK"), "");
  EXPECT_EQ(TryConnect(As("app", "second")), "");
  PQfinish(c);

  ASSERT_TRUE(cluster_->KillMember("writer", SIGKILL).ok());
  ASSERT_TRUE(cluster_->RestartMember("writer").ok()) << Logs();
  EXPECT_EQ(TryConnect(As("app", "second")), "") << Logs();
  c = Connect();
  ASSERT_EQ(Exec(c, "DROP ROLE app"), "");
  EXPECT_NE(TryConnect(As("app", "second")).find("password authentication failed"), std::string::npos);
  PQfinish(c);
}

// The writer sets the GC horizon (--retention-seconds 0: just behind the oldest read in
// flight) and storage really reclaims old page versions, while SQL keeps reading right; then a
// storage node is wiped and rebuilt from its peers' shipped page images: with its AZ-mate and a
// third node down, a new writer recovers through it and reads every row right.
class WriterGcTest : public WriterTest {
 protected:
  std::vector<std::string> WriterArgs() override { return {"--retention-seconds", "0"}; }
  Result<proto::NodeStatsResponse> Stats(const std::string& address) {
    std::string host;
    uint16_t port = 0;
    NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(address, &host, &port));
    net::RpcClient rpc(&loop_, host, port);
    NORDLYS_ASSIGN_OR_RETURN(std::string raw, rpc.CallSync(proto::kNodeStats, "", 3000));
    proto::NodeStatsResponse resp;
    NORDLYS_RETURN_IF_ERROR(proto::Decode(raw, &resp));
    return resp;
  }
  net::EventLoop loop_{1};
};

TEST_F(WriterGcTest, StorageReclaimsBelowTheWritersHorizonAndRebuildsAWipedNode) {
  PGconn* c = Connect();
  ASSERT_EQ(Exec(c, "CREATE TABLE kv (k int PRIMARY KEY, v int)"), "");
  ASSERT_EQ(Exec(c, "INSERT INTO kv SELECT g, 0 FROM generate_series(0, 49) g"), "");
  // Many versions of few pages: storage coalesces them into images, and GC drops what is below.
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(Exec(c, "UPDATE kv SET v = v + 1 WHERE k = " + std::to_string(i % 50)), "") << i;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uint64_t collected = 0;
  while (collected == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (auto& m : cluster_->members()) {
      if (m.name.rfind("storage-", 0) != 0) continue;
      auto st = Stats(m.address);
      if (st.ok()) collected += st->versions_collected;
    }
  }
  EXPECT_GT(collected, 0u) << "no storage node reclaimed anything below the writer's horizon\n"
                           << Logs();
  auto rows = Query(c, "SELECT count(*), sum(v) FROM kv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "300");
  PQfinish(c);

  // Wipe storage-c2 and restart it empty: it is rebuilt from its peers, below their GC floor
  // from shipped page images.
  cluster::LocalCluster::Member* wiped = cluster_->FindMember("storage-c2");
  ASSERT_NE(wiped, nullptr);
  ASSERT_TRUE(cluster_->KillMember("storage-c2", SIGKILL).ok());
  std::filesystem::remove_all(wiped->data_dir);
  ASSERT_TRUE(cluster_->RestartMember("storage-c2").ok()) << Logs();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uint64_t images = 0;
  while (images == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto st = Stats(wiped->address);
    if (st.ok()) images = st->images_received;
  }
  EXPECT_GT(images, 0u) << "the wiped node got no page images from its peers\n" << Logs();
  // Let it catch up, then lose the other node of its AZ and one more: the rebuilt node must be
  // one of the 4 that carry on, and it serves the right data.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_TRUE(cluster_->KillMember("storage-c1", SIGKILL).ok());
  ASSERT_TRUE(cluster_->KillMember("storage-a1", SIGKILL).ok());
  ASSERT_TRUE(cluster_->KillMember("writer", SIGKILL).ok());
  ASSERT_TRUE(cluster_->RestartMember("writer").ok()) << Logs();
  c = Connect();
  rows = Query(c, "SELECT count(*), sum(v) FROM kv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "50");
  EXPECT_EQ(rows[0][1], "300");
  ASSERT_EQ(Exec(c, "UPDATE kv SET v = v + 1 WHERE k = 7"), "");
  PQfinish(c);
}

}  // namespace
}  // namespace nordlys::testing
