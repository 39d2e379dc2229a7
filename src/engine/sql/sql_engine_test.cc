// The SQL engine through SqlEngine on an in-memory volume, without the protocol: binder errors
// with SQLSTATEs and positions, expression evaluation, transactional DDL, visibility between
// transactions, unique violations, parameter type inference, and pgbench's statements.
#include "engine/sql/sql_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/parser.h"
#include "engine/sql/errors.h"
#include "volume/mem_volume.h"

namespace nordlys::engine::sql {
namespace {

using types::Type;
using types::TypeId;
using types::Value;

// Collects rows as text and notices.
class FakeOutput : public StatementOutput {
 public:
  Status Columns(const std::vector<ResultColumn>& columns) override {
    columns_ = columns;
    return Status::OK();
  }
  Status Row(const sql::Row& row) override {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "|";
      line += row[i].is_null() ? "NULL" : types::OutputValue(row[i], columns_[i].type, {});
    }
    rows_.push_back(line);
    return Status::OK();
  }
  void Notice(const std::string& severity, const std::string& sqlstate, const std::string& message) override {
    notices_.push_back(sqlstate + " " + message);
  }
  Result<CopyInSource*> BeginCopyIn(size_t) override { return Status::NotSupported("no copy in this test"); }
  Status BeginCopyOut(size_t) override { return Status::NotSupported("no copy"); }
  Status CopyData(std::string_view) override { return Status::OK(); }
  Status EndCopyOut() override { return Status::OK(); }

  std::vector<ResultColumn> columns_;
  std::vector<std::string> rows_;
  std::vector<std::string> notices_;
};

// A minimal session: one transaction at a time, autocommit unless begun explicitly.
class Conn {
 public:
  Conn(SqlEngine* engine) : engine_(engine) {}
  ~Conn() {
    if (txn_) (void)End(false);
  }
  void Begin() {
    txn_ = engine_->db()->Begin(storage::Isolation::kReadCommitted);
    explicit_ = true;
  }
  Status Commit() { return End(true); }
  void Rollback() { (void)End(false); }

  // Runs one statement; returns "tag" and fills rows; on error returns "ERROR sqlstate message".
  std::string Exec(const std::string& sql, std::vector<Value> params = {}, std::vector<Type> types = {}) {
    out_ = FakeOutput();
    auto tree = Parse(sql);
    if (!tree.ok()) return "ERROR " + tree.status().sqlstate() + " " + MessageOf(tree.status());
    bool autocommit = !txn_;
    if (!txn_) txn_ = engine_->db()->Begin(storage::Isolation::kReadCommitted);
    engine_->db()->BeginStatement(txn_.get());
    ExecContext ctx;
    ctx.db = engine_->db();
    ctx.txn = txn_.get();
    ctx.catalog = engine_->catalog();
    ctx.cat_state = &cat_;
    ctx.session = &info_;
    ctx.params = params;
    ctx.currvals = &currvals_;
    auto snap = engine_->catalog()->Snapshot(txn_.get(), &cat_);
    EXPECT_TRUE(snap.ok());
    ctx.snap = *snap;
    if (!params.empty() && types.empty()) {
      auto info = engine_->Describe((*tree)["stmts"][0], sql, std::vector<Type>(params.size(), Type()), &ctx);
      if (!info.ok()) return "ERROR " + info.status().sqlstate() + " " + MessageOf(info.status());
      types = info->param_types;
    }
    auto tag = engine_->Execute((*tree)["stmts"][0], sql, types, &ctx, &out_);
    if (!tag.ok()) {
      last_error_ = tag.status();
      (void)End(false);
      return "ERROR " + tag.status().sqlstate() + " " + MessageOf(tag.status());
    }
    if (autocommit && !explicit_) {
      Status s = End(true);
      if (!s.ok()) return "ERROR " + s.sqlstate();
    }
    return *tag;
  }
  // Rows of a query joined by newlines.
  std::string Query(const std::string& sql) {
    std::string tag = Exec(sql);
    if (tag.rfind("ERROR", 0) == 0) return tag;
    std::string s;
    for (const auto& r : out_.rows_) s += r + "\n";
    return s;
  }
  FakeOutput& out() { return out_; }
  Status last_error() const { return last_error_; }

 private:
  Status End(bool commit) {
    Status s;
    if (txn_) {
      if (commit) {
        s = engine_->db()->Commit(txn_.get());
      } else {
        engine_->db()->Abort(txn_.get());
      }
      engine_->catalog()->EndTransaction(&cat_, commit && s.ok());
      txn_.reset();
    }
    explicit_ = false;
    return s;
  }

  SqlEngine* engine_;
  std::unique_ptr<storage::Transaction> txn_;
  TxnCatalogState cat_;
  SessionInfo info_;
  std::map<uint32_t, int64_t> currvals_;
  bool explicit_ = false;
  FakeOutput out_;
  Status last_error_;
};

class SqlEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    engine_.reset();
    db_.reset();
    Status rs;
    vol_.Recover([&](Status s) { rs = s; });
    ASSERT_TRUE(rs.ok());
    auto db = storage::Database::Open(&vol_, {.buffer_pool_pages = 1024});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto e = SqlEngine::Open(db_.get());
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
  }
  volume::MemVolume vol_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlEngine> engine_;
};

TEST_F(SqlEngineTest, BinderErrorsCarrySqlstateAndPosition) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table t (a int, b text)"), "CREATE TABLE");
  EXPECT_EQ(c.Exec("select nosuch from t"), "ERROR 42703 column \"nosuch\" does not exist");
  EXPECT_EQ(c.Exec("select * from nosuch"), "ERROR 42P01 relation \"nosuch\" does not exist");
  EXPECT_EQ(c.Exec("select a + b from t"), "ERROR 42883 operator does not exist: integer + text");
  EXPECT_EQ(c.Exec("select 'x'::int"), "ERROR 22P02 invalid input syntax for type integer: \"x\"");
  EXPECT_EQ(c.Exec("select a from t where a"), "ERROR 42804 argument of WHERE must be type boolean, not type integer");
  EXPECT_EQ(c.Exec("select count(*) from t where sum(a) > 1"), "ERROR 42803 aggregate functions are not allowed in WHERE");
  EXPECT_EQ(c.Exec("insert into t (a, a) values (1, 2)"), "ERROR 42701 column \"a\" specified more than once");
  EXPECT_EQ(c.Exec("insert into t values (1, 'x', 3)"), "ERROR 42601 INSERT has more expressions than target columns");
  EXPECT_EQ(c.Exec("create table t (x int)"), "ERROR 42P07 relation \"t\" already exists");
  EXPECT_EQ(c.Exec("select * from t, t"), "ERROR 42712 table name \"t\" specified more than once");
  EXPECT_EQ(c.Exec("select 1 from t x where t.a = 1"), "ERROR 42P01 invalid reference to FROM-clause entry for table \"t\"");
  EXPECT_EQ(c.Exec("select 1 from t x where u.a = 1"), "ERROR 42P01 missing FROM-clause entry for table \"u\"");
  EXPECT_EQ(c.Exec("create table w (a int) partition by range (a)"), "ERROR 0A000 partitioned tables is not supported");
  // Positions are 1-based characters.
  c.Exec("select nosuch from t");
  auto s = c.last_error();
  EXPECT_NE(s.message().find("\x1eP8"), std::string::npos) << s.message();
}

TEST_F(SqlEngineTest, ExpressionsEvaluateAsPostgres) {
  Conn c(engine_.get());
  EXPECT_EQ(c.Query("select 1 + 2 * 3, 7 / 2, 7 % 3, -7 / 2, 2 ^ 10"), "7|3|1|-3|1024\n");
  EXPECT_EQ(c.Query("select 1.5 + 1, 10 / 4.0, 'a' || 1 || null"), "2.5|2.5000000000000000|NULL\n");
  EXPECT_EQ(c.Query("select null = null, null is null, 1 in (2, null), 1 in (1, null), not (null and false)"),
            "NULL|t|NULL|t|t\n");
  EXPECT_EQ(c.Query("select case when 1 > 2 then 'a' when 2 > 1 then 'b' end, coalesce(null, 3), nullif(1, 1)"),
            "b|3|NULL\n");
  EXPECT_EQ(c.Query("select 'abc' like 'a%', 'abc' like '_c', 'ABC' ilike 'a%', 'a_c' like 'a\\_c'"), "t|f|t|t\n");
  EXPECT_EQ(c.Query("select length('héllo'), upper('abc'), substr('hello', 2, 3), position('l' in 'hello')"),
            "5|ABC|ell|3\n");
  EXPECT_EQ(c.Query("select 2147483647 + 1"), "ERROR 22003 integer out of range");
  EXPECT_EQ(c.Query("select 1 / 0"), "ERROR 22012 division by zero");
  EXPECT_EQ(c.Query("select x from generate_series(1, 5, 2) as g(x)"), "1\n3\n5\n");
  EXPECT_EQ(c.Query("with a(x) as (select 1 union all select 2) select sum(x) from a"), "3\n");
}

TEST_F(SqlEngineTest, WindowFunctionsRunAboveAggregation) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table t (g int, v int)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into t values (1, 10), (1, 20), (2, 5), (3, 1), (3, 2), (3, 3)"), "INSERT 0 6");
  // The window sees the groups: one row per g, ranked by the group's count.
  EXPECT_EQ(c.Query("select g, count(*), sum(count(*)) over (), rank() over (order by count(*) desc) "
                    "from t group by g order by g"),
            "1|2|6|2\n2|1|6|3\n3|3|6|1\n");
  std::string plan = c.Query("explain select g, row_number() over (partition by g) from t group by g");
  EXPECT_LT(plan.find("WindowAgg"), plan.find("HashAggregate")) << plan;
  // A running sum over many rows accumulates incrementally (rows, not rows squared).
  EXPECT_EQ(c.Query("select max(s) from (select sum(x) over (order by x) as s from generate_series(1, 200000) x) q"),
            "20000100000\n");
  // A moving frame slides: one add and one removal per row, not rows x frame.
  EXPECT_EQ(c.Query("select max(s) from (select sum(x) over (order by x rows between 1000 preceding and current row) "
                    "as s from generate_series(1, 200000) x) q"),
            "199699500\n");
  EXPECT_EQ(c.Exec("select g from t where rank() over () = 1"),
            "ERROR 42P20 window functions are not allowed in WHERE");
  EXPECT_EQ(c.Exec("select lag(v) from t"), "ERROR 42809 window function lag requires an OVER clause");
}

TEST_F(SqlEngineTest, DdlIsTransactional) {
  Conn c(engine_.get());
  c.Begin();
  ASSERT_EQ(c.Exec("create table gone (a int)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into gone values (1)"), "INSERT 0 1");
  EXPECT_EQ(c.Query("select a from gone"), "1\n");
  c.Rollback();
  EXPECT_EQ(c.Exec("select * from gone"), "ERROR 42P01 relation \"gone\" does not exist");
  ASSERT_EQ(c.Exec("create table kept (a int primary key)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into kept values (1), (2)"), "INSERT 0 2");
  c.Begin();
  ASSERT_EQ(c.Exec("truncate kept"), "TRUNCATE TABLE");
  EXPECT_EQ(c.Query("select count(*) from kept"), "0\n");
  c.Rollback();
  EXPECT_EQ(c.Query("select count(*) from kept"), "2\n");
  c.Begin();
  ASSERT_EQ(c.Exec("drop table kept"), "DROP TABLE");
  c.Rollback();
  EXPECT_EQ(c.Query("select a from kept where a = 2"), "2\n");
  // The catalog survives a restart.
  vol_.CrashAndRecover();
  Open();
  Conn c2(engine_.get());
  EXPECT_EQ(c2.Query("select a from kept order by a"), "1\n2\n");
}

TEST_F(SqlEngineTest, ViewsAreCatalogRowsWithDependencies) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table t (a int, b text)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into t values (1, 'x'), (2, 'y'), (3, 'z')"), "INSERT 0 3");
  ASSERT_EQ(c.Exec("create view v as select * from t where a > 1"), "CREATE VIEW");
  ASSERT_EQ(c.Exec("create view w (n) as select count(*) from v"), "CREATE VIEW");
  EXPECT_EQ(c.Query("select n from w"), "2\n");
  // `*` was expanded when v was created: a new column of t does not appear in v.
  ASSERT_EQ(c.Exec("alter table t add column c int"), "ALTER TABLE");
  EXPECT_EQ(c.Query("select relnatts from pg_class where relname = 'v'"), "2\n");
  EXPECT_EQ(c.Exec("drop table t"),
            "ERROR 2BP01 cannot drop table t because other objects depend on it");
  EXPECT_EQ(c.Exec("alter table t drop column b"),
            "ERROR 2BP01 cannot drop column b of table t because other objects depend on it");
  EXPECT_EQ(c.Exec("insert into v values (4, 'w')"), "ERROR 0A000 INSERT into a view is not supported");
  c.Begin();
  ASSERT_EQ(c.Exec("drop view v cascade"), "DROP VIEW");
  EXPECT_EQ(c.Exec("select * from w"), "ERROR 42P01 relation \"w\" does not exist");
  c.Rollback();
  // Views survive a restart with the rest of the catalog.
  vol_.CrashAndRecover();
  Open();
  Conn c2(engine_.get());
  EXPECT_EQ(c2.Query("select n from w"), "2\n");
  EXPECT_EQ(c2.Query("select relkind from pg_class where relname = 'w'"), "v\n");
  ASSERT_EQ(c2.Exec("drop table t cascade"), "DROP TABLE");
  EXPECT_EQ(c2.Query("select count(*) from pg_class where relkind = 'v' and relnamespace = 2200"), "0\n");
}

TEST_F(SqlEngineTest, RecursiveCtesStreamAndCheckTheirForm) {
  Conn c(engine_.get());
  EXPECT_EQ(c.Query("with recursive r(n) as (select 1 union all select n + 1 from r where n < 100) "
                    "select sum(n) from r"),
            "5050\n");
  // Endless, but LIMIT stops pulling rows.
  EXPECT_EQ(c.Query("with recursive r(n) as (select 1 union all select n * 2 from r) select max(n) from "
                    "(select n from r limit 11) s"),
            "1024\n");
  // UNION drops rows seen before, so a cycle ends.
  EXPECT_EQ(c.Query("with recursive r(n) as (select 1 union select n % 3 + 1 from r) select count(*) from r"),
            "3\n");
  EXPECT_EQ(c.Exec("with recursive r(n) as (select 1 union all select (select n from r)) select * from r"),
            "ERROR 42P19 recursive reference to query \"r\" must not appear within a subquery");
  EXPECT_EQ(c.Exec("with recursive r(n) as (select 1 union all select n::bigint from r) select * from r"),
            "ERROR 42804 recursive query \"r\" column 1 has type integer in non-recursive term but type bigint overall");
}

TEST_F(SqlEngineTest, VisibilityBetweenTransactions) {
  Conn a(engine_.get()), b(engine_.get());
  ASSERT_EQ(a.Exec("create table v (k int primary key, x int)"), "CREATE TABLE");
  a.Begin();
  ASSERT_EQ(a.Exec("insert into v values (1, 10)"), "INSERT 0 1");
  EXPECT_EQ(a.Query("select x from v"), "10\n");  // own row
  EXPECT_EQ(b.Query("select count(*) from v"), "0\n");  // not committed
  ASSERT_TRUE(a.Commit().ok());
  EXPECT_EQ(b.Query("select x from v where k = 1"), "10\n");
  a.Begin();
  ASSERT_EQ(a.Exec("update v set x = x + 1 where k = 1"), "UPDATE 1");
  EXPECT_EQ(b.Query("select x from v where k = 1"), "10\n");
  ASSERT_TRUE(a.Commit().ok());
  EXPECT_EQ(b.Query("select x from v where k = 1"), "11\n");
}

TEST_F(SqlEngineTest, UniqueViolation) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table u (a int primary key, b text unique)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into u values (1, 'x')"), "INSERT 0 1");
  EXPECT_EQ(c.Exec("insert into u values (1, 'y')"), "ERROR 23505 duplicate key value violates unique constraint \"u_pkey\"");
  EXPECT_NE(c.last_error().message().find("Key (a)=(1) already exists."), std::string::npos);
  EXPECT_EQ(c.Exec("insert into u values (2, 'x')"), "ERROR 23505 duplicate key value violates unique constraint \"u_b_key\"");
  EXPECT_EQ(c.Exec("insert into u values (2, null), (3, null)"), "INSERT 0 2");  // NULLs never collide
  EXPECT_EQ(c.Exec("update u set a = 1 where a = 2"), "ERROR 23505 duplicate key value violates unique constraint \"u_pkey\"");
  ASSERT_EQ(c.Exec("create table d (a int)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into d values (1), (1)"), "INSERT 0 2");
  EXPECT_EQ(c.Exec("alter table d add primary key (a)"), "ERROR 23505 could not create unique index \"d_pkey\"");
  EXPECT_NE(c.last_error().message().find("Key (a)=(1) is duplicated."), std::string::npos);
}

// FOREIGN KEY checks against concurrent transactions: the referencing row's check locks the
// referenced row, so a DELETE of it waits for the inserting transaction and then sees its row
// (the newest committed version, not its snapshot); an INSERT waits for an uncommitted DELETE
// of the row it references and then finds it gone.
TEST_F(SqlEngineTest, ForeignKeyChecksWaitForConcurrentTransactions) {
  Conn a(engine_.get()), b(engine_.get());
  ASSERT_EQ(a.Exec("create table fp (id int primary key)"), "CREATE TABLE");
  ASSERT_EQ(a.Exec("create table fc (id int, pid int references fp)"), "CREATE TABLE");
  ASSERT_EQ(a.Exec("insert into fp values (1), (2), (3), (4)"), "INSERT 0 4");
  // Without an index on fc.pid the DELETE's look-up scans fc; it must still see a's row.
  auto run_in_thread = [](Conn& c, const std::string& sql, std::string* result, std::atomic<bool>* done) {
    return std::thread([&c, sql, result, done] {
      *result = c.Exec(sql);
      done->store(true);
    });
  };
  for (bool commit : {true, false}) {
    SCOPED_TRACE(commit ? "child insert commits" : "child insert rolls back");
    const std::string id = commit ? "1" : "2";
    a.Begin();
    ASSERT_EQ(a.Exec("insert into fc values (" + id + ", " + id + ")"), "INSERT 0 1");
    std::string result;
    std::atomic<bool> done{false};
    std::thread t = run_in_thread(b, "delete from fp where id = " + id, &result, &done);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(done.load());  // waiting for a's lock on the referenced row
    if (commit) {
      ASSERT_TRUE(a.Commit().ok());
    } else {
      a.Rollback();
    }
    t.join();
    EXPECT_EQ(result, commit ? "ERROR 23503 update or delete on table \"fp\" violates foreign key constraint "
                               "\"fc_pid_fkey\" on table \"fc\""
                             : "DELETE 1");
  }
  for (bool commit : {true, false}) {
    SCOPED_TRACE(commit ? "parent delete commits" : "parent delete rolls back");
    const std::string id = commit ? "3" : "4";
    b.Begin();
    ASSERT_EQ(b.Exec("delete from fp where id = " + id), "DELETE 1");
    std::string result;
    std::atomic<bool> done{false};
    std::thread t = run_in_thread(a, "insert into fc values (10, " + id + ")", &result, &done);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(done.load());  // waiting to learn whether the referenced row is gone
    if (commit) {
      ASSERT_TRUE(b.Commit().ok());
    } else {
      b.Rollback();
    }
    t.join();
    EXPECT_EQ(result, commit ? "ERROR 23503 insert or update on table \"fc\" violates foreign key constraint "
                               "\"fc_pid_fkey\""
                             : "INSERT 0 1");
  }
  EXPECT_EQ(a.Query("select id, pid from fc order by id"), "1|1\n10|4\n");
  EXPECT_EQ(a.Query("select id from fp order by id"), "1\n4\n");
}

// Array columns have no key encoding yet: every way of indexing one is refused when the index
// is defined, not later at the first insert.
TEST_F(SqlEngineTest, ArrayColumnsCannotBeIndexedYet) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table ea (id int, a int[])"), "CREATE TABLE");
  EXPECT_EQ(c.Exec("create index on ea (a)"), "ERROR 0A000 an index on type integer[] is not supported");
  EXPECT_EQ(c.Exec("create table eb (a text[] primary key)"), "ERROR 0A000 an index on type text[] is not supported");
  EXPECT_EQ(c.Exec("alter table ea add unique (id, a)"), "ERROR 0A000 an index on type integer[] is not supported");
  EXPECT_EQ(c.Exec("insert into ea values (1, '{1,2}')"), "INSERT 0 1");
  EXPECT_EQ(c.Exec("create index on ea (id)"), "CREATE INDEX");
}

TEST_F(SqlEngineTest, PgbenchStatementsWithInferredParameters) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)"),
            "CREATE TABLE");
  ASSERT_EQ(c.Exec("create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22))"),
            "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into pgbench_accounts select a, 1, 0, '' from generate_series(1, 1000) a"), "INSERT 0 1000");
  ASSERT_EQ(c.Exec("alter table pgbench_accounts add primary key (aid)"), "ALTER TABLE");
  ASSERT_EQ(c.Exec("vacuum analyze pgbench_accounts"), "VACUUM");
  // $1 and $2 are inferred as int4 from abalance and aid.
  auto tree = Parse("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;");
  ASSERT_TRUE(tree.ok());
  std::vector<Value> params = {Value::Int4(-5), Value::Int4(77)};
  EXPECT_EQ(c.Exec("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;", params), "UPDATE 1");
  EXPECT_EQ(c.Query("SELECT abalance FROM pgbench_accounts WHERE aid = 77"), "-5\n");
  EXPECT_EQ(c.Exec("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
                   {Value::Int4(1), Value::Int4(1), Value::Int4(77), Value::Int4(-5)}),
            "INSERT 0 1");
  EXPECT_EQ(c.Query("select sum(abalance), (select sum(delta) from pgbench_history) from pgbench_accounts"), "-5|-5\n");
  EXPECT_EQ(c.Query("explain SELECT abalance FROM pgbench_accounts WHERE aid = 3"),
            "Index Scan using pgbench_accounts_pkey on pgbench_accounts\n  Index Cond: (aid = 3)\n");
}

// ANALYZE's statistics are in the catalog (pg_class shows them; they survive a restart and
// roll back with their transaction), and the planner's choices follow the estimates: an index
// nested loop when the outer side is small, a hash join when it is not, the Sort dropped when
// an index delivers ORDER BY ... LIMIT.
TEST_F(SqlEngineTest, AnalyzeStatisticsAndTheChoicesTheyDrive) {
  Conn c(engine_.get());
  ASSERT_EQ(c.Exec("create table big (id int primary key, grp int, v text)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("create table small (grp int primary key, name text)"), "CREATE TABLE");
  ASSERT_EQ(c.Exec("insert into big select g, g % 50, case when g % 10 = 0 then null else 'x' end "
                   "from generate_series(1, 3000) g"),
            "INSERT 0 3000");
  ASSERT_EQ(c.Exec("insert into small select g, 'n' || g from generate_series(0, 49) g"), "INSERT 0 50");
  EXPECT_EQ(c.Query("select reltuples from pg_class where relname = 'big'"), "-1\n");
  c.Begin();
  ASSERT_EQ(c.Exec("analyze big"), "ANALYZE");
  c.Rollback();
  EXPECT_EQ(c.Query("select reltuples from pg_class where relname = 'big'"), "-1\n");
  ASSERT_EQ(c.Exec("analyze"), "ANALYZE");
  EXPECT_EQ(c.Query("select reltuples from pg_class where relname in ('big', 'small') order by relname"),
            "3000\n50\n");
  {
    auto snap = engine_->catalog()->Snapshot(nullptr, nullptr);
    ASSERT_TRUE(snap.ok());
    const TableDef* big = (*snap)->FindTable(kPublicNamespace, "big");
    ASSERT_NE(big, nullptr);
    ASSERT_TRUE(big->stats.analyzed);
    ASSERT_EQ(big->stats.columns.size(), 3u);
    EXPECT_EQ(big->stats.columns[0].n_distinct, -1);  // unique
    EXPECT_EQ(big->stats.columns[1].n_distinct, 50);  // the whole table was sampled: exact
    EXPECT_NEAR(big->stats.columns[2].null_frac, 0.1, 1e-9);
  }
  // One outer row: probe small's primary key per row.
  EXPECT_EQ(c.Query("explain select name from big join small on big.grp = small.grp where big.id = 7"),
            "Nested Loop\n"
            "  ->  Index Scan using big_pkey on big\n"
            "        Index Cond: (id = 7)\n"
            "  ->  Index Scan using small_pkey on small\n"
            "        Index Cond: (grp = big.grp)\n");
  EXPECT_EQ(c.Query("select name from big join small on big.grp = small.grp where big.id = 7"), "n7\n");
  // Every row of big: one pass over small into a hash table beats 3000 probes.
  EXPECT_EQ(c.Query("explain select count(*) from big join small on big.grp = small.grp"),
            "Aggregate\n"
            "  ->  Hash Join\n"
            "        Hash Cond: (big.grp = small.grp)\n"
            "        ->  Seq Scan on big\n"
            "        ->  Seq Scan on small\n");
  EXPECT_EQ(c.Query("select count(*) from big join small on big.grp = small.grp"), "3000\n");
  // A left join probing an index keeps outer rows without a match.
  EXPECT_EQ(c.Query("select big.id, small.name from big left join small on small.grp = big.grp + 45 "
                    "where big.id between 3 and 6 order by big.id"),
            "3|n48\n4|n49\n5|NULL\n6|NULL\n");
  EXPECT_EQ(c.Query("explain select * from big order by id limit 2"),
            "Limit\n  ->  Index Scan using big_pkey on big\n");
  EXPECT_EQ(c.Query("select id from big order by id limit 2 offset 1"), "2\n3\n");
  EXPECT_EQ(c.Query("explain select * from big order by id desc limit 2"),
            "Limit\n  ->  Index Scan Backward using big_pkey on big\n");
  EXPECT_EQ(c.Query("select id from big order by id desc limit 2"), "3000\n2999\n");
  EXPECT_EQ(c.Query("explain select * from big order by v limit 2"),
            "Limit\n  ->  Sort\n        Sort Key: big.v\n        ->  Seq Scan on big\n");
  ASSERT_EQ(c.Exec("create index big_grp_id on big (grp, id desc)"), "CREATE INDEX");
  EXPECT_EQ(c.Query("explain select id from big where grp = 4 order by id desc limit 3"),
            "Limit\n  ->  Index Scan using big_grp_id on big\n        Index Cond: (grp = 4)\n");
  EXPECT_EQ(c.Query("select id from big where grp = 4 order by id desc limit 3"), "2954\n2904\n2854\n");
  // Written big first, planned small first: one row of small, then big's index on grp.
  EXPECT_EQ(c.Query("explain select count(*) from big, small where big.grp = small.grp and small.name = 'n3'"),
            "Aggregate\n"
            "  ->  Nested Loop\n"
            "        ->  Seq Scan on small\n"
            "              Filter: (small.name = 'n3'::text)\n"
            "        ->  Index Scan using big_grp_id on big\n"
            "              Index Cond: (grp = small.grp)\n");
  EXPECT_EQ(c.Query("select count(*), min(big.id), max(small.name) from big, small where big.grp = small.grp and small.name = 'n3'"),
            "60|3|n3\n");
  // The statistics are part of the table's catalog row: a restart keeps them.
  Open();
  Conn c2(engine_.get());
  EXPECT_EQ(c2.Query("select relname, reltuples from pg_class where relname = 'small'"), "small|50\n");
}

}  // namespace
}  // namespace nordlys::engine::sql
