// The SQL session end to end: a PgServer over an in-memory volume with SqlBackend, driven by
// libpq — pgbench's statements in the simple and extended protocols, transaction blocks,
// errors with SQLSTATEs, COPY, and, when the binary is installed, pgbench itself.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "engine/storage/database.h"
#include "instance/session.h"
#include "pgwire/server.h"
#include "volume/mem_volume.h"

namespace nordlys::instance {
namespace {

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status rs;
    vol_.Recover([&](Status s) { rs = s; });
    ASSERT_TRUE(rs.ok());
    auto db = engine::storage::Database::Open(&vol_, {.buffer_pool_pages = 4096});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto backend = SqlBackend::Open(db_.get());
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(*backend);
    pgwire::ServerOptions o;
    o.hba = pgwire::HbaConfig::AllowAll(pgwire::AuthMethod::kTrust);
    auto server = pgwire::PgServer::Start(o, backend_.get());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  void TearDown() override {
    for (auto* c : conns_) PQfinish(c);
    if (server_) server_->Stop();
  }
  std::string ConnInfo() const {
    return "host=127.0.0.1 port=" + std::to_string(server_->port()) + " user=postgres dbname=postgres";
  }
  // Runs body(connection, client) on `clients` threads, each with its own connection; returns
  // how many statements failed (each failure is reported where it happened).
  int ParallelClients(int clients, const std::function<void(PGconn*, int, std::atomic<int>*)>& body) {
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        PGconn* cc = PQconnectdb(ConnInfo().c_str());
        body(cc, t, &failures);
        PQfinish(cc);
      });
    }
    for (auto& th : threads) th.join();
    return failures.load();
  }
  // Runs one statement that must succeed; counts and reports a failure.
  static void MustRun(PGconn* c, const std::string& sql, std::atomic<int>* failures) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
      ++*failures;
    }
    PQclear(r);
  }
  PGconn* Connect() {
    PGconn* c = PQconnectdb(ConnInfo().c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    conns_.push_back(c);
    return c;
  }
  // Runs SQL; returns "ERROR <sqlstate>" or the rows as "a|b\n" lines (or the command tag).
  static std::string Run(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    std::string out = Render(r);
    PQclear(r);
    return out;
  }
  static std::string Render(PGresult* r) {
    auto st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR) {
      const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      return std::string("ERROR ") + (s ? s : "?") + " " + PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    }
    if (st == PGRES_COMMAND_OK) return PQcmdStatus(r);
    std::string out;
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j > 0) out += "|";
        out += PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j);
      }
      out += "\n";
    }
    return out;
  }
  static std::string Prepared(PGconn* c, const std::string& name, const std::vector<std::string>& params) {
    std::vector<const char*> p;
    for (const auto& s : params) p.push_back(s.c_str());
    PGresult* r = PQexecPrepared(c, name.c_str(), static_cast<int>(p.size()), p.data(), nullptr, nullptr, 0);
    std::string out = Render(r);
    PQclear(r);
    return out;
  }
  static std::string Params(PGconn* c, const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> p;
    for (const auto& s : params) p.push_back(s.c_str());
    PGresult* r = PQexecParams(c, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr, nullptr, 0);
    std::string out = Render(r);
    PQclear(r);
    return out;
  }
  void CopyIn(PGconn* c, const std::string& sql, const std::string& data, const std::string& expect_tag) {
    PGresult* r = PQexec(c, sql.c_str());
    ASSERT_EQ(PQresultStatus(r), PGRES_COPY_IN) << PQerrorMessage(c);
    PQclear(r);
    ASSERT_EQ(PQputCopyData(c, data.data(), static_cast<int>(data.size())), 1);
    ASSERT_EQ(PQputCopyEnd(c, nullptr), 1);
    r = PQgetResult(c);
    EXPECT_EQ(Render(r), expect_tag);
    PQclear(r);
    while ((r = PQgetResult(c)) != nullptr) PQclear(r);
  }

  volume::MemVolume vol_;
  std::unique_ptr<engine::storage::Database> db_;
  std::unique_ptr<SqlBackend> backend_;
  std::unique_ptr<pgwire::PgServer> server_;
  std::vector<PGconn*> conns_;
};

void InitPgbench(PGconn* c, int branches) {
  auto run = [&](const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(c);
    PQclear(r);
  };
  run("drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers");
  run("create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))");
  run("create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)");
  run("create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)");
  run("create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)");
  run("begin");
  run("truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers");
  for (int b = 1; b <= branches; ++b) run("insert into pgbench_branches(bid,bbalance) values(" + std::to_string(b) + ",0)");
  for (int t = 1; t <= branches * 10; ++t) {
    run("insert into pgbench_tellers(tid,bid,tbalance) values (" + std::to_string(t) + "," +
        std::to_string((t - 1) / 10 + 1) + ",0)");
  }
  PGresult* r = PQexec(c, "copy pgbench_accounts from stdin with (freeze on)");
  ASSERT_EQ(PQresultStatus(r), PGRES_COPY_IN) << PQerrorMessage(c);
  PQclear(r);
  std::string data;
  for (int a = 1; a <= branches * 1000; ++a) {
    data += std::to_string(a) + "\t" + std::to_string((a - 1) / 1000 + 1) + "\t0\t\n";
  }
  ASSERT_EQ(PQputCopyData(c, data.data(), static_cast<int>(data.size())), 1);
  ASSERT_EQ(PQputCopyEnd(c, nullptr), 1);
  r = PQgetResult(c);
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  EXPECT_STREQ(PQcmdStatus(r), ("COPY " + std::to_string(branches * 1000)).c_str());
  PQclear(r);
  while ((r = PQgetResult(c)) != nullptr) PQclear(r);
  run("commit");
  for (const char* t : {"pgbench_branches", "pgbench_tellers", "pgbench_accounts", "pgbench_history"}) {
    run(std::string("vacuum analyze ") + t);
  }
  run("alter table pgbench_branches add primary key (bid)");
  run("alter table pgbench_tellers add primary key (tid)");
  run("alter table pgbench_accounts add primary key (aid)");
}

// Settings in the startup packet and in its "options" apply to the session; a bad value fails
// the connection (FATAL, as PostgreSQL) instead of leaving the session silently in UTC.
TEST_F(SessionTest, StartupParametersAndOptionsSetTheSessionOrFailTheConnection) {
  auto connect = [&](const std::string& extra) {
    PGconn* c = PQconnectdb((ConnInfo() + " " + extra).c_str());
    conns_.push_back(c);
    return c;
  };
  PGconn* oslo = connect("options='-c TimeZone=Europe/Oslo --statement-timeout=5s'");
  ASSERT_EQ(PQstatus(oslo), CONNECTION_OK) << PQerrorMessage(oslo);
  EXPECT_EQ(Run(oslo, "SHOW timezone"), "Europe/Oslo\n");
  EXPECT_EQ(Run(oslo, "SHOW statement_timeout"), "5s\n");
  EXPECT_EQ(Run(oslo, "SELECT '2024-07-01 00:00+00'::timestamptz"), "2024-07-01 02:00:00+02\n");
  EXPECT_STREQ(PQparameterStatus(oslo, "TimeZone"), "Europe/Oslo");
  PGconn* escaped = connect("options='-c application_name=two\\\\ words -cDateStyle=ISO'");
  ASSERT_EQ(PQstatus(escaped), CONNECTION_OK) << PQerrorMessage(escaped);
  EXPECT_EQ(Run(escaped, "SHOW application_name"), "two words\n");
  // The packet's own parameters win over options (PostgreSQL applies options first).
  PGconn* both = connect("options='-c application_name=from_options' application_name=from_packet "
                         "client_encoding=SQL_ASCII");
  ASSERT_EQ(PQstatus(both), CONNECTION_OK) << PQerrorMessage(both);
  EXPECT_EQ(Run(both, "SHOW application_name"), "from_packet\n");
  EXPECT_EQ(Run(both, "SHOW client_encoding"), "SQL_ASCII\n");  // libpq's 'auto' in the C locale
  // An unknown parameter is ignored (PostgreSQL has many Nordlys does not).
  PGconn* unknown = connect("options='-c some_unknown_setting=1'");
  EXPECT_EQ(PQstatus(unknown), CONNECTION_OK) << PQerrorMessage(unknown);
  for (const char* bad : {"options='-c TimeZone=Nowhere/Land'", "options='-X'", "options='-c TimeZone'"}) {
    PGconn* c = connect(bad);
    EXPECT_EQ(PQstatus(c), CONNECTION_BAD) << bad;
  }
  PGconn* bad_tz = connect("options='-c TimeZone=Nowhere/Land'");
  EXPECT_NE(std::string(PQerrorMessage(bad_tz)).find("invalid value for parameter \"TimeZone\""), std::string::npos)
      << PQerrorMessage(bad_tz);
}

TEST_F(SessionTest, PgbenchInitAndSimpleProtocolTransaction) {
  PGconn* c = Connect();
  InitPgbench(c, 2);
  EXPECT_EQ(Run(c, "select count(*) from pgbench_branches"), "2\n");
  EXPECT_EQ(Run(c, "select count(*) from pgbench_accounts"), "2000\n");
  EXPECT_EQ(Run(c, "BEGIN;"), "BEGIN");
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INTRANS);
  EXPECT_EQ(Run(c, "UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 1234;"), "UPDATE 1");
  EXPECT_EQ(Run(c, "SELECT abalance FROM pgbench_accounts WHERE aid = 1234;"), "-4321\n");
  EXPECT_EQ(Run(c, "UPDATE pgbench_tellers SET tbalance = tbalance + -4321 WHERE tid = 7;"), "UPDATE 1");
  EXPECT_EQ(Run(c, "UPDATE pgbench_branches SET bbalance = bbalance + -4321 WHERE bid = 1;"), "UPDATE 1");
  EXPECT_EQ(Run(c, "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 1234, -4321, CURRENT_TIMESTAMP);"),
            "INSERT 0 1");
  EXPECT_EQ(Run(c, "END;"), "COMMIT");
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_IDLE);
  EXPECT_EQ(Run(c, "select sum(abalance) from pgbench_accounts"), "-4321\n");
  EXPECT_EQ(Run(c, "select sum(tbalance) from pgbench_tellers"), "-4321\n");
  EXPECT_EQ(Run(c, "select sum(bbalance) from pgbench_branches"), "-4321\n");
  EXPECT_EQ(Run(c, "select count(*) from pgbench_history"), "1\n");
  // Point lookups use the primary key.
  std::string plan = Run(c, "explain select abalance from pgbench_accounts where aid = 5");
  EXPECT_NE(plan.find("Index Scan using pgbench_accounts_pkey"), std::string::npos) << plan;
  // A duplicate key fails with 23505.
  EXPECT_EQ(Run(c, "insert into pgbench_branches(bid,bbalance) values(1,0)"),
            "ERROR 23505 duplicate key value violates unique constraint \"pgbench_branches_pkey\"");
  // pgbench's partition probe may fail; it must not succeed with no rows.
  std::string part = Run(c,
      "select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c "
      "join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral "
      "(select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) "
      "left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join "
      "pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' "
      "and o.n is not null group by 1, 2 order by 1 asc limit 1");
  EXPECT_EQ(part.rfind("ERROR 0A000", 0), 0u) << part;
}

TEST_F(SessionTest, PgbenchExtendedAndPreparedProtocol) {
  PGconn* c = Connect();
  InitPgbench(c, 1);
  // -M extended: unnamed statements with untyped parameters.
  EXPECT_EQ(Params(c, "BEGIN;", {}), "BEGIN");
  EXPECT_EQ(Params(c, "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;", {"-17", "42"}), "UPDATE 1");
  EXPECT_EQ(Params(c, "SELECT abalance FROM pgbench_accounts WHERE aid = $1;", {"42"}), "-17\n");
  EXPECT_EQ(Params(c, "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
                   {"3", "1", "42", "-17"}),
            "INSERT 0 1");
  EXPECT_EQ(Params(c, "END;", {}), "COMMIT");
  // -M prepared: named statements, parameter types inferred as int4.
  PGresult* r = PQprepare(c, "P0_1", "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;", 2, nullptr);
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  r = PQdescribePrepared(c, "P0_1");
  ASSERT_EQ(PQnparams(r), 2);
  EXPECT_EQ(PQparamtype(r, 0), 23u);
  EXPECT_EQ(PQparamtype(r, 1), 23u);
  PQclear(r);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Prepared(c, "P0_1", {"10", "3"}), "UPDATE 1");
  r = PQprepare(c, "P0_2", "SELECT abalance FROM pgbench_accounts WHERE aid = $1;", 1, nullptr);
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  r = PQdescribePrepared(c, "P0_2");
  EXPECT_EQ(PQnfields(r), 1);
  EXPECT_STREQ(PQfname(r, 0), "abalance");
  EXPECT_EQ(PQftype(r, 0), 23u);
  PQclear(r);
  EXPECT_EQ(Prepared(c, "P0_2", {"42"}), "-17\n");
  EXPECT_EQ(Run(c, "select tbalance from pgbench_tellers where tid = 3"), "50\n");
  EXPECT_EQ(Params(c, "select sum(abalance) from pgbench_accounts", {}), "-17\n");
}

TEST_F(SessionTest, ConcurrentPgbenchClientsKeepBalancesConsistent) {
  PGconn* c = Connect();
  InitPgbench(c, 1);
  constexpr int kClients = 4, kTxns = 40;
  int failures = ParallelClients(kClients, [&](PGconn* cc, int t, std::atomic<int>* failed) {
    for (int i = 0; i < kTxns; ++i) {
      int aid = 1 + (t * 97 + i * 31) % 1000, tid = 1 + (t + i) % 10, delta = (i % 2 ? 1 : -1) * (t + 1);
      const std::string d = std::to_string(delta);
      for (const std::string& sql :
           {std::string("BEGIN;"),
            "UPDATE pgbench_accounts SET abalance = abalance + " + d + " WHERE aid = " + std::to_string(aid) + ";",
            "SELECT abalance FROM pgbench_accounts WHERE aid = " + std::to_string(aid) + ";",
            "UPDATE pgbench_tellers SET tbalance = tbalance + " + d + " WHERE tid = " + std::to_string(tid) + ";",
            "UPDATE pgbench_branches SET bbalance = bbalance + " + d + " WHERE bid = 1;",
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (" + std::to_string(tid) + ", 1, " +
                std::to_string(aid) + ", " + d + ", CURRENT_TIMESTAMP);",
            std::string("END;")}) {
        MustRun(cc, sql, failed);
      }
    }
  });
  EXPECT_EQ(failures, 0);
  std::string sum_h = Run(c, "select sum(delta) from pgbench_history");
  EXPECT_EQ(Run(c, "select sum(abalance) from pgbench_accounts"), sum_h);
  EXPECT_EQ(Run(c, "select sum(tbalance) from pgbench_tellers"), sum_h);
  EXPECT_EQ(Run(c, "select sum(bbalance) from pgbench_branches"), sum_h);
  EXPECT_EQ(Run(c, "select count(*) from pgbench_history"), std::to_string(kClients * kTxns) + "\n");
}

// Concurrent upserts of the same few keys: every one lands exactly once, whether it inserted the
// row or found it (inserted, maybe not yet committed, by another session) and updated it.
TEST_F(SessionTest, ConcurrentUpsertsCountEveryAttemptOnce) {
  PGconn* c = Connect();
  EXPECT_EQ(Run(c, "CREATE TABLE hits (k int PRIMARY KEY, n int NOT NULL)"), "CREATE TABLE");
  constexpr int kClients = 4, kRounds = 60, kKeys = 3;
  int failures = ParallelClients(kClients, [&](PGconn* cc, int t, std::atomic<int>* failed) {
    for (int i = 0; i < kRounds; ++i) {
      // Every other round in an explicit block, so some conflicts meet uncommitted rows.
      std::string sql = "INSERT INTO hits VALUES (" + std::to_string((t + i) % kKeys) +
                        ", 1) ON CONFLICT (k) DO UPDATE SET n = hits.n + excluded.n";
      if (i % 2 == 1) sql = "BEGIN; " + sql + "; COMMIT";
      MustRun(cc, sql, failed);
    }
  });
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(Run(c, "SELECT count(*), sum(n) FROM hits"),
            std::to_string(kKeys) + "|" + std::to_string(kClients * kRounds) + "\n");
}

// FOR UPDATE holds the row against other writers until the block ends, and a FOR UPDATE that
// waited for a concurrent update returns the row as that update left it (READ COMMITTED).
TEST_F(SessionTest, SelectForUpdateLocksRowsAndSeesTheNewestVersion) {
  PGconn* a = Connect();
  PGconn* b = Connect();
  EXPECT_EQ(Run(a, "CREATE TABLE acct (id int PRIMARY KEY, bal int, tag text)"), "CREATE TABLE");
  EXPECT_EQ(Run(a, "INSERT INTO acct VALUES (1, 100, 'x'), (2, 200, 'y')"), "INSERT 0 2");
  EXPECT_EQ(Run(a, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(a, "SELECT bal FROM acct WHERE id = 1 FOR UPDATE"), "100\n");
  EXPECT_EQ(Run(b, "SET statement_timeout = '200ms'"), "SET");
  EXPECT_EQ(Run(b, "UPDATE acct SET bal = 0 WHERE id = 1"), "ERROR 57014 canceling statement due to statement timeout");
  EXPECT_EQ(Run(b, "UPDATE acct SET bal = 201 WHERE id = 2"), "UPDATE 1");  // other rows are free
  EXPECT_EQ(Run(b, "SELECT bal FROM acct WHERE id = 1"), "100\n");          // readers never wait
  EXPECT_EQ(Run(a, "COMMIT"), "COMMIT");
  EXPECT_EQ(Run(b, "UPDATE acct SET bal = bal + 1 WHERE id = 1"), "UPDATE 1");
  EXPECT_EQ(Run(b, "SET statement_timeout = 0"), "SET");

  // b updates and holds; a's FOR UPDATE waits, then sees b's committed values.
  EXPECT_EQ(Run(b, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(b, "UPDATE acct SET bal = 500, tag = 'moved' WHERE id = 1"), "UPDATE 1");
  std::string seen;
  std::thread t([&] { seen = Run(a, "SELECT id, bal, tag FROM acct WHERE bal >= 100 ORDER BY id FOR UPDATE"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Run(b, "COMMIT"), "COMMIT");
  t.join();
  EXPECT_EQ(seen, "1|500|moved\n2|201|y\n");
  // A row that no longer qualifies after the concurrent update is left out.
  EXPECT_EQ(Run(b, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(b, "UPDATE acct SET bal = 5 WHERE id = 2"), "UPDATE 1");
  std::thread t2([&] { seen = Run(a, "SELECT id FROM acct WHERE bal > 100 ORDER BY id FOR SHARE"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Run(b, "COMMIT"), "COMMIT");
  t2.join();
  EXPECT_EQ(seen, "1\n");
}

// Savepoints across sessions: a subtransaction's changes stay invisible until the top
// transaction commits, ROLLBACK TO releases what the subtransaction held at once, and waiting on
// a subtransaction counts as waiting on its transaction for deadlock detection.
TEST_F(SessionTest, SavepointsAcrossSessions) {
  PGconn* a = Connect();
  PGconn* b = Connect();
  EXPECT_EQ(Run(a, "CREATE TABLE sv (k int PRIMARY KEY, v int)"), "CREATE TABLE");
  EXPECT_EQ(Run(a, "INSERT INTO sv VALUES (10, 0), (20, 0)"), "INSERT 0 2");
  EXPECT_EQ(Run(a, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(a, "INSERT INTO sv VALUES (1, 1)"), "INSERT 0 1");
  EXPECT_EQ(Run(a, "SAVEPOINT s"), "SAVEPOINT");
  EXPECT_EQ(Run(a, "INSERT INTO sv VALUES (2, 2)"), "INSERT 0 1");
  EXPECT_EQ(Run(a, "UPDATE sv SET v = 5 WHERE k = 10"), "UPDATE 1");
  EXPECT_EQ(Run(b, "SELECT k, v FROM sv ORDER BY k"), "10|0\n20|0\n");
  EXPECT_EQ(Run(b, "SET statement_timeout = '200ms'"), "SET");
  EXPECT_EQ(Run(b, "INSERT INTO sv VALUES (2, 99)"), "ERROR 57014 canceling statement due to statement timeout");
  EXPECT_EQ(Run(a, "ROLLBACK TO s"), "ROLLBACK");
  EXPECT_EQ(Run(b, "INSERT INTO sv VALUES (2, 99)"), "INSERT 0 1");  // the key is free again
  EXPECT_EQ(Run(b, "UPDATE sv SET v = 7 WHERE k = 10"), "UPDATE 1");  // and so is the row lock
  EXPECT_EQ(Run(a, "COMMIT"), "COMMIT");
  EXPECT_EQ(Run(b, "SELECT k, v FROM sv ORDER BY k"), "1|1\n2|99\n10|7\n20|0\n");
  EXPECT_EQ(Run(b, "SET statement_timeout = 0"), "SET");

  // a holds 10 (top level) and 20 (in a savepoint); b holds 1 and waits for 20; a then asks for
  // 1: a cycle through a's subtransaction, which must be found.
  EXPECT_EQ(Run(a, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(a, "UPDATE sv SET v = v + 1 WHERE k = 10"), "UPDATE 1");
  EXPECT_EQ(Run(a, "SAVEPOINT t"), "SAVEPOINT");
  EXPECT_EQ(Run(a, "UPDATE sv SET v = v + 1 WHERE k = 20"), "UPDATE 1");
  EXPECT_EQ(Run(b, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(b, "UPDATE sv SET v = v + 1 WHERE k = 1"), "UPDATE 1");
  std::string b_result;
  std::thread t([&] { b_result = Run(b, "UPDATE sv SET v = v + 1 WHERE k = 20"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string a_result = Run(a, "UPDATE sv SET v = v + 1 WHERE k = 1");
  if (a_result.rfind("ERROR 40P01", 0) == 0) {
    EXPECT_EQ(Run(a, "ROLLBACK"), "ROLLBACK");
    t.join();
    EXPECT_EQ(b_result, "UPDATE 1");
  } else {
    t.join();
    EXPECT_EQ(b_result.substr(0, 11), "ERROR 40P01") << b_result;
    EXPECT_EQ(a_result, "UPDATE 1");
    EXPECT_EQ(Run(a, "ROLLBACK"), "ROLLBACK");
  }
  EXPECT_EQ(Run(b, "ROLLBACK"), "ROLLBACK");
  EXPECT_EQ(Run(a, "SELECT k, v FROM sv ORDER BY k"), "1|1\n2|99\n10|7\n20|0\n");
}

TEST_F(SessionTest, TransactionBlocksAndFailedState) {
  PGconn* c = Connect();
  EXPECT_EQ(Run(c, "create table t (a int primary key, b text)"), "CREATE TABLE");
  EXPECT_EQ(Run(c, "begin"), "BEGIN");
  EXPECT_EQ(Run(c, "insert into t values (1, 'x')"), "INSERT 0 1");
  EXPECT_EQ(Run(c, "select 1/0"), "ERROR 22012 division by zero");
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INERROR);
  EXPECT_EQ(Run(c, "select 1"),
            "ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block");
  EXPECT_EQ(Run(c, "commit"), "ROLLBACK");
  EXPECT_EQ(Run(c, "select count(*) from t"), "0\n");
  // DDL is transactional.
  EXPECT_EQ(Run(c, "begin; create table u (x int); insert into u values (1); rollback"), "ROLLBACK");
  EXPECT_EQ(Run(c, "select * from u"), "ERROR 42P01 relation \"u\" does not exist");
  // A multi-statement query is one implicit transaction.
  EXPECT_EQ(Run(c, "insert into t values (2, 'y'); insert into t values (2, 'z')"),
            "ERROR 23505 duplicate key value violates unique constraint \"t_pkey\"");
  EXPECT_EQ(Run(c, "select count(*) from t"), "0\n");
  // Another session sees only committed rows.
  PGconn* other = Connect();
  EXPECT_EQ(Run(c, "begin; insert into t values (3, 'w')"), "INSERT 0 1");
  EXPECT_EQ(Run(other, "select count(*) from t"), "0\n");
  EXPECT_EQ(Run(c, "select count(*) from t"), "1\n");
  EXPECT_EQ(Run(c, "commit"), "COMMIT");
  EXPECT_EQ(Run(other, "select b from t where a = 3"), "w\n");
}

TEST_F(SessionTest, GeneralSql) {
  PGconn* c = Connect();
  EXPECT_EQ(Run(c, "create table emp (id serial primary key, name varchar(20) not null, dept int, "
                   "salary numeric(10,2) default 100, check (salary >= 0))"),
            "CREATE TABLE");
  EXPECT_EQ(Run(c, "insert into emp (name, dept, salary) values ('ann', 1, 300.5), ('bob', 1, 200), "
                   "('cy', 2, default), ('di', null, 50) returning id"),
            "1\n2\n3\n4\n");
  EXPECT_EQ(Run(c, "insert into emp (name, salary) values ('neg', -1)"),
            "ERROR 23514 new row for relation \"emp\" violates check constraint \"emp_salary_check\"");
  EXPECT_EQ(Run(c, "insert into emp (name) values (null)"),
            "ERROR 23502 null value in column \"name\" of relation \"emp\" violates not-null constraint");
  EXPECT_EQ(Run(c, "select dept, count(*), sum(salary), avg(salary), min(name), max(name) from emp "
                   "group by dept order by dept nulls first"),
            "NULL|1|50.00|50.0000000000000000|di|di\n1|2|500.50|250.2500000000000000|ann|bob\n2|1|100.00|100.0000000000000000|cy|cy\n");
  EXPECT_EQ(Run(c, "select name from emp where name like '_o%' or dept is null order by 1"), "bob\ndi\n");
  EXPECT_EQ(Run(c, "select name, case when salary > 150 then 'high' else 'low' end from emp order by salary desc limit 2 offset 1"),
            "bob|high\ncy|low\n");
  EXPECT_EQ(Run(c, "select distinct dept from emp where dept is not null order by dept"), "1\n2\n");
  EXPECT_EQ(Run(c, "select coalesce(dept, 0), nullif(dept, 1) from emp order by id"), "1|NULL\n1|NULL\n2|2\n0|NULL\n");
  EXPECT_EQ(Run(c, "create table dept (id int primary key, title text)"), "CREATE TABLE");
  EXPECT_EQ(Run(c, "insert into dept values (1, 'eng'), (3, 'ops')"), "INSERT 0 2");
  EXPECT_EQ(Run(c, "select e.name, d.title from emp e join dept d on e.dept = d.id order by 1"), "ann|eng\nbob|eng\n");
  EXPECT_EQ(Run(c, "select e.name, d.title from emp e left join dept d on d.id = e.dept order by e.id"),
            "ann|eng\nbob|eng\ncy|NULL\ndi|NULL\n");
  EXPECT_EQ(Run(c, "select name from emp where dept in (select id from dept) order by 1"), "ann\nbob\n");
  EXPECT_EQ(Run(c, "select title from dept d where not exists (select 1 from emp where dept = d.id)"), "ops\n");
  EXPECT_EQ(Run(c, "select (select max(salary) from emp), 1 + 2 * 3, 'a' || 'b'"), "300.50|7|ab\n");
  EXPECT_EQ(Run(c, "select dept, count(*) from emp group by dept having count(*) > 1"), "1|2\n");
  EXPECT_EQ(Run(c, "update emp set salary = salary * 2 where dept = 1 returning name, salary"),
            "ann|601.00\nbob|400.00\n");
  EXPECT_EQ(Run(c, "delete from emp where dept is null returning name"), "di\n");
  EXPECT_EQ(Run(c, "select count(*) from emp"), "3\n");
  EXPECT_EQ(Run(c, "create unique index emp_name on emp (name)"), "CREATE INDEX");
  EXPECT_EQ(Run(c, "insert into emp (name) values ('ann')"),
            "ERROR 23505 duplicate key value violates unique constraint \"emp_name\"");
  EXPECT_EQ(Run(c, "drop index emp_name"), "DROP INDEX");
  EXPECT_EQ(Run(c, "select nosuch from emp"), "ERROR 42703 column \"nosuch\" does not exist");
  EXPECT_EQ(Run(c, "select * from nosuch"), "ERROR 42P01 relation \"nosuch\" does not exist");
  EXPECT_EQ(Run(c, "select name from emp group by dept"),
            "ERROR 42803 column \"emp.name\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(Run(c, "selec 1"), "ERROR 42601 syntax error at or near \"selec\"");
  EXPECT_EQ(Run(c, "select current_database(), current_user, pg_backend_pid() > 0"), "postgres|postgres|t\n");
  EXPECT_EQ(Run(c, "set application_name = 'x'; show application_name"), "x\n");
  EXPECT_EQ(Run(c, "show DateStyle"), "ISO, MDY\n");
  EXPECT_EQ(Run(c, "select version() like 'PostgreSQL 15%'"), "t\n");
  EXPECT_EQ(Run(c, "truncate emp"), "TRUNCATE TABLE");
  EXPECT_EQ(Run(c, "select count(*) from emp"), "0\n");
  EXPECT_EQ(Run(c, "drop table emp, dept"), "DROP TABLE");
}

TEST_F(SessionTest, StatementTimeoutStopsLongStatementsAndLockWaits) {
  PGconn* a = Connect();
  PGconn* b = Connect();
  EXPECT_EQ(Run(a, "SET statement_timeout = '150ms'"), "SET");
  EXPECT_EQ(Run(a, "SHOW statement_timeout"), "150ms\n");
  EXPECT_EQ(Run(a, "SELECT count(*) FROM generate_series(1, 1000000000) g"),
            "ERROR 57014 canceling statement due to statement timeout");
  EXPECT_EQ(Run(a, "SELECT 1"), "1\n");  // the next statement starts with a clear flag
  // A lock wait is a statement too.
  EXPECT_EQ(Run(b, "CREATE TABLE locked (k int PRIMARY KEY, v int)"), "CREATE TABLE");
  EXPECT_EQ(Run(b, "INSERT INTO locked VALUES (1, 0)"), "INSERT 0 1");
  EXPECT_EQ(Run(b, "BEGIN"), "BEGIN");
  EXPECT_EQ(Run(b, "UPDATE locked SET v = 1 WHERE k = 1"), "UPDATE 1");
  EXPECT_EQ(Run(a, "UPDATE locked SET v = 2 WHERE k = 1"), "ERROR 57014 canceling statement due to statement timeout");
  EXPECT_EQ(Run(b, "COMMIT"), "COMMIT");
  EXPECT_EQ(Run(a, "SET statement_timeout = 0"), "SET");
  EXPECT_EQ(Run(a, "UPDATE locked SET v = v + 10 WHERE k = 1"), "UPDATE 1");
  EXPECT_EQ(Run(a, "SELECT v FROM locked"), "11\n");
  // Units and bad values as PostgreSQL reads them; timeouts not enforced yet say so.
  EXPECT_EQ(Run(a, "SET statement_timeout = 60000"), "SET");
  EXPECT_EQ(Run(a, "SHOW statement_timeout"), "1min\n");
  EXPECT_EQ(Run(a, "SET statement_timeout = '3 s'"), "SET");
  EXPECT_EQ(Run(a, "SHOW statement_timeout"), "3s\n");
  EXPECT_EQ(Run(a, "SET statement_timeout = 'soon'"),
            "ERROR 22023 invalid value for parameter \"statement_timeout\": \"soon\"");
  EXPECT_EQ(Run(a, "SET statement_timeout = -1"),
            "ERROR 22023 -1 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)");
  EXPECT_EQ(Run(a, "SET lock_timeout = '1s'"), "ERROR 0A000 lock_timeout is not supported");
  EXPECT_EQ(Run(a, "SET lock_timeout = 0"), "SET");
}

TEST_F(SessionTest, CopyTextAndCsv) {
  PGconn* c = Connect();
  EXPECT_EQ(Run(c, "create table k (a int, b text, c date)"), "CREATE TABLE");
  CopyIn(c, "copy k from stdin", "1\thello\t2024-01-02\n2\t\\N\t\\N\n3\ttab\\there\t2024-02-03\n\\.\n", "COPY 3");
  CopyIn(c, "copy k (a, b) from stdin with (format csv, header true)", "a,b\n4,\"x,y\"\n5,\n", "COPY 2");
  EXPECT_EQ(Run(c, "select a, b, c from k order by a"),
            "1|hello|2024-01-02\n2|NULL|NULL\n3|tab\there|2024-02-03\n4|x,y|NULL\n5|NULL|NULL\n");
  PGresult* r = PQexec(c, "copy k to stdout with (format csv, header)");
  ASSERT_EQ(PQresultStatus(r), PGRES_COPY_OUT);
  PQclear(r);
  std::string out;
  char* buf;
  int n;
  while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
    out.append(buf, n);
    PQfreemem(buf);
  }
  r = PQgetResult(c);
  EXPECT_STREQ(PQcmdStatus(r), "COPY 5");
  PQclear(r);
  EXPECT_EQ(out.substr(0, 20), "a,b,c\n1,hello,2024-0");
  CopyIn(c, "copy k (a) from stdin", "x\n", "ERROR 22P02 invalid input syntax for type integer: \"x\"");
}

TEST_F(SessionTest, PgbenchBinary) {
  const char* pgbench = "/usr/lib/postgresql/15/bin/pgbench";
  if (access(pgbench, X_OK) != 0) GTEST_SKIP() << "pgbench not installed";
  std::string base = std::string(pgbench) + " -h 127.0.0.1 -p " + std::to_string(server_->port()) + " -U postgres ";
  ASSERT_EQ(std::system((base + "-i -s 1 -q postgres > /tmp/nordlys_pgbench_init.log 2>&1").c_str()), 0);
  bool first = true;
  for (const char* mode : {"simple", "extended", "prepared"}) {
    // The first run vacuums and truncates pgbench_history; later ones (-n) keep it, so the
    // history still explains every balance at the end.
    std::string cmd = base + (first ? "" : "-n ") + "-c 4 -j 2 -t 25 -M " + mode + " postgres > /tmp/nordlys_pgbench_" +
                      mode + ".log 2>&1";
    first = false;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << mode;
  }
  EXPECT_EQ(std::system((base + "-n -c 2 -t 25 -S postgres > /dev/null 2>&1").c_str()), 0);
  EXPECT_EQ(std::system((base + "-n -c 2 -t 25 -N postgres > /dev/null 2>&1").c_str()), 0);
  PGconn* c = Connect();
  std::string sum_h = Run(c, "select sum(delta) from pgbench_history");
  EXPECT_EQ(Run(c, "select sum(abalance) from pgbench_accounts"), sum_h);
}

}  // namespace
}  // namespace nordlys::instance
