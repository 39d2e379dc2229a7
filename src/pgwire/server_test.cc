// End-to-end tests of the protocol server through the real client library (libpq), the real
// psql binary, and raw sockets for what libpq will not send (garbage, row limits, bad versions).
// The Backend here is a tiny deterministic test double, not SQL:
//   SELECT <int>          one int4 row          GENERATE <n>   n rows of int4 1..n
//   FAIL <sqlstate>       error with detail, hint and position 3
//   SLEEP                 runs until cancelled  BEGIN / COMMIT / ROLLBACK  transaction status
//   COPY IN / COPY OUT    COPY FROM STDIN (stores lines) / TO STDOUT (sends them back)
//   ECHO $1 $2 ...        (extended) one row echoing the parameters, converted between formats
#include "pgwire/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "pgwire/auth.h"
#include "pgwire/message.h"

namespace nordlys::pgwire {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

FieldDescription IntField(std::string name) {
  FieldDescription f;
  f.name = std::move(name);
  f.type_oid = kOidInt4;
  f.type_size = 4;
  return f;
}

std::string Int4Binary(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  return {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
          static_cast<char>(u)};
}

int32_t Int4FromBinary(std::string_view b) {
  uint32_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int32_t>(v);
}

struct SharedState {
  std::mutex mu;
  std::vector<std::string> copied;  // lines received by COPY IN
};

class TestSession : public Session {
 public:
  explicit TestSession(SharedState* st) : st_(st) {}

  Status SimpleQuery(std::string_view sql, QuerySink* sink) override {
    statements_.erase("");
    portals_.erase("");
    if (Trim(sql).empty()) return sink->SendEmptyQuery();
    size_t start = 0;
    while (start <= sql.size()) {
      size_t semi = sql.find(';', start);
      std::string stmt = Trim(sql.substr(start, semi == std::string_view::npos ? std::string_view::npos
                                                                              : semi - start));
      start = semi == std::string_view::npos ? sql.size() + 1 : semi + 1;
      if (stmt.empty()) continue;
      Status s = RunOne(stmt, sink, /*simple=*/true, 0, nullptr);
      if (!s.ok()) {
        if (txn_ == TransactionStatus::kInBlock) txn_ = TransactionStatus::kFailed;
        return s;
      }
    }
    return Status::OK();
  }

  Result<StatementDescription> Prepare(const std::string& name, std::string_view sql,
                                       const std::vector<Oid>& types) override {
    if (!name.empty() && statements_.contains(name)) {
      return Status::Sql(StatusCode::kAlreadyExists, "42P05",
                         "prepared statement \"" + name + "\" already exists");
    }
    Stmt st;
    st.sql = Trim(sql);
    size_t nparams = 0;
    for (char c : st.sql) nparams += c == '$';
    st.desc.param_types = types;
    st.desc.param_types.resize(nparams, kOidText);
    for (auto& t : st.desc.param_types) {
      if (t == kOidUnspecified) t = kOidText;
    }
    if (st.sql.starts_with("ECHO")) {
      st.desc.returns_rows = true;
      for (size_t i = 0; i < nparams; ++i) {
        FieldDescription f;
        f.name = "p" + std::to_string(i + 1);
        f.type_oid = st.desc.param_types[i];
        st.desc.fields.push_back(f);
      }
    } else if (st.sql.starts_with("SELECT") || st.sql.starts_with("GENERATE")) {
      st.desc.returns_rows = true;
      st.desc.fields.push_back(IntField(st.sql.starts_with("SELECT") ? "?column?" : "n"));
    } else if (!st.sql.starts_with("FAIL") && !st.sql.starts_with("COPY") && !st.sql.empty() &&
               st.sql != "SLEEP" && st.sql != "BEGIN" && st.sql != "COMMIT") {
      return SqlError(StatusCode::kInvalidArgument, "42601",
                      {"syntax error at or near \"" + st.sql + "\"", "", "", 1});
    }
    statements_[name] = st;
    return st.desc;
  }

  Status Bind(const std::string& portal, const std::string& statement,
              const BindRequest& req) override {
    if (!portal.empty() && portals_.contains(portal)) {
      return Status::Sql(StatusCode::kAlreadyExists, "42P03", "cursor \"" + portal + "\" already exists");
    }
    auto it = statements_.find(statement);
    if (it == statements_.end()) {
      return Status::Sql(StatusCode::kNotFound, "26000",
                         "prepared statement \"" + statement + "\" does not exist");
    }
    if (req.params.size() != it->second.desc.param_types.size()) {
      return Status::Sql(StatusCode::kInvalidArgument, "08P01", "bind message supplies " +
                             std::to_string(req.params.size()) + " parameters, but prepared statement requires " +
                             std::to_string(it->second.desc.param_types.size()));
    }
    Portal p;
    p.stmt = it->second;
    p.req = req;
    for (size_t i = 0; i < p.stmt.desc.fields.size(); ++i) {
      Format f = req.result_formats.empty() ? Format::kText
                 : req.result_formats.size() == 1 ? req.result_formats[0]
                                                  : req.result_formats[i];
      p.stmt.desc.fields[i].format = f;
    }
    portals_[portal] = std::move(p);
    return Status::OK();
  }

  Result<StatementDescription> DescribeStatement(const std::string& name) override {
    auto it = statements_.find(name);
    if (it == statements_.end()) {
      return Status::Sql(StatusCode::kNotFound, "26000", "prepared statement \"" + name + "\" does not exist");
    }
    return it->second.desc;
  }

  Result<PortalDescription> DescribePortal(const std::string& name) override {
    auto it = portals_.find(name);
    if (it == portals_.end()) {
      return Status::Sql(StatusCode::kNotFound, "34000", "portal \"" + name + "\" does not exist");
    }
    return PortalDescription{it->second.stmt.desc.returns_rows, it->second.stmt.desc.fields};
  }

  Result<ExecuteResult> Execute(const std::string& portal, uint64_t max_rows,
                                QuerySink* sink) override {
    auto it = portals_.find(portal);
    if (it == portals_.end()) {
      return Status::Sql(StatusCode::kNotFound, "34000", "portal \"" + portal + "\" does not exist");
    }
    Portal& p = it->second;
    ExecuteResult r;
    if (p.stmt.sql.starts_with("ECHO")) {
      std::vector<std::string> vals;
      std::vector<WireValue> row;
      for (size_t i = 0; i < p.req.params.size(); ++i) {
        if (!p.req.params[i]) {
          vals.emplace_back();
          continue;
        }
        std::string v = *p.req.params[i];
        bool is_int = p.stmt.desc.param_types[i] == kOidInt4;
        Format in = p.req.param_formats[i], out = p.stmt.desc.fields[i].format;
        if (is_int && in == Format::kBinary && out == Format::kText) {
          if (v.size() != 4) {
            return Status::Sql(StatusCode::kInvalidArgument, "22P03",
                               "incorrect binary data format in bind parameter " + std::to_string(i + 1));
          }
          v = std::to_string(Int4FromBinary(v));
        } else if (is_int && in == Format::kText && out == Format::kBinary) {
          v = Int4Binary(std::atoi(v.c_str()));
        }
        vals.push_back(v);
      }
      for (size_t i = 0; i < vals.size(); ++i) {
        row.push_back(p.req.params[i] ? WireValue(vals[i]) : std::nullopt);
      }
      NORDLYS_RETURN_IF_ERROR(sink->SendRow(row));
      r.command_tag = "SELECT 1";
      return r;
    }
    if (p.stmt.sql.starts_with("GENERATE")) {
      int n = std::atoi(p.stmt.sql.c_str() + 8);
      uint64_t sent = 0;
      while (p.cursor < n) {
        if (max_rows != 0 && sent == max_rows) {
          r.suspended = true;
          return r;
        }
        ++p.cursor;
        std::string v = p.stmt.desc.fields[0].format == Format::kBinary ? Int4Binary(p.cursor)
                                                                        : std::to_string(p.cursor);
        WireValue vals[] = {v};
        NORDLYS_RETURN_IF_ERROR(sink->SendRow(vals));
        ++sent;
      }
      r.command_tag = "SELECT " + std::to_string(n);
      return r;
    }
    if (p.stmt.sql.empty()) {
      r.empty_query = true;
      return r;
    }
    NORDLYS_RETURN_IF_ERROR(RunOne(p.stmt.sql, sink, /*simple=*/false, max_rows, &r));
    return r;
  }

  Status CloseStatement(const std::string& name) override {
    statements_.erase(name);
    return Status::OK();
  }
  Status ClosePortal(const std::string& name) override {
    portals_.erase(name);
    return Status::OK();
  }
  Status Sync(bool failed) override {
    portals_.erase("");
    if (failed && txn_ == TransactionStatus::kInBlock) txn_ = TransactionStatus::kFailed;
    return Status::OK();
  }
  void Cancel() override { cancel_ = true; }
  TransactionStatus transaction_status() const override { return txn_; }

 private:
  struct Stmt {
    std::string sql;
    StatementDescription desc;
  };
  struct Portal {
    Stmt stmt;
    BindRequest req;
    int cursor = 0;
  };

  // One statement. In the simple protocol it also sends the description and tag.
  Status RunOne(const std::string& stmt, QuerySink* sink, bool simple, uint64_t, ExecuteResult* r) {
    auto tag = [&](std::string t) -> Status {
      if (r != nullptr) r->command_tag = t;
      return sink->SendCommandComplete(t);
    };
    if (stmt.starts_with("SELECT ")) {
      std::string v = std::to_string(std::atoi(stmt.c_str() + 7));
      NORDLYS_RETURN_IF_ERROR(sink->SendRowDescription({IntField("?column?")}));
      WireValue vals[] = {v};
      NORDLYS_RETURN_IF_ERROR(sink->SendRow(vals));
      return tag("SELECT 1");
    }
    if (stmt.starts_with("GENERATE ")) {
      int n = std::atoi(stmt.c_str() + 9);
      NORDLYS_RETURN_IF_ERROR(sink->SendRowDescription({IntField("n")}));
      for (int i = 1; i <= n; ++i) {
        std::string v = std::to_string(i);
        WireValue vals[] = {v};
        NORDLYS_RETURN_IF_ERROR(sink->SendRow(vals));
      }
      return tag("SELECT " + std::to_string(n));
    }
    if (stmt.starts_with("FAIL")) {
      std::string code = Trim(stmt.substr(4));
      if (code.size() != 5) code = "XX000";
      return SqlError(StatusCode::kInvalidArgument, code,
                      {"failed on request", "the detail", "the hint", 3});
    }
    if (stmt == "SLEEP") {
      cancel_ = false;
      for (int i = 0; i < 1000 && !cancel_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (cancel_.exchange(false)) {
        return Status::Sql(StatusCode::kAborted, "57014", "canceling statement due to user request");
      }
      return tag("SLEEP");
    }
    if (stmt == "BEGIN") {
      txn_ = TransactionStatus::kInBlock;
      return tag("BEGIN");
    }
    if (stmt == "COMMIT" || stmt == "ROLLBACK") {
      bool failed = txn_ == TransactionStatus::kFailed;
      txn_ = TransactionStatus::kIdle;
      return tag(failed ? "ROLLBACK" : stmt);
    }
    if (stmt == "NOTICE") {
      sink->SendNotice(Notice{"WARNING", "01000", "careful", "", ""});
      return tag("DO");
    }
    if (stmt == "COPY IN") {
      NORDLYS_ASSIGN_OR_RETURN(CopyInReader * in, sink->BeginCopyIn(CopyFormat::kText, {Format::kText}));
      std::string data, chunk;
      while (true) {
        NORDLYS_ASSIGN_OR_RETURN(bool more, in->Next(&chunk));
        if (!more) break;
        data += chunk;
      }
      std::vector<std::string> lines;
      size_t pos = 0;
      while (pos < data.size()) {
        size_t nl = data.find('\n', pos);
        if (nl == std::string::npos) nl = data.size();
        lines.push_back(data.substr(pos, nl - pos));
        pos = nl + 1;
      }
      size_t n = lines.size();
      {
        std::lock_guard<std::mutex> lock(st_->mu);
        st_->copied = std::move(lines);
      }
      return tag("COPY " + std::to_string(n));
    }
    if (stmt == "COPY OUT") {
      std::vector<std::string> lines;
      {
        std::lock_guard<std::mutex> lock(st_->mu);
        lines = st_->copied;
      }
      NORDLYS_RETURN_IF_ERROR(sink->BeginCopyOut(CopyFormat::kText, {Format::kText}));
      for (const auto& l : lines) NORDLYS_RETURN_IF_ERROR(sink->SendCopyData(l + "\n"));
      NORDLYS_RETURN_IF_ERROR(sink->EndCopyOut());
      return tag("COPY " + std::to_string(lines.size()));
    }
    if (stmt.starts_with("SET application_name")) {
      sink->SendParameterStatus("application_name", Trim(stmt.substr(21)));
      return tag("SET");
    }
    if (txn_ == TransactionStatus::kFailed) {
      return Status::Sql(StatusCode::kInvalidArgument, "25P02",
                         "current transaction is aborted, commands ignored until end of transaction block");
    }
    return SqlError(StatusCode::kInvalidArgument, "42601",
                    {"syntax error at or near \"" + stmt + "\"", "", "", 1});
  }

  SharedState* st_;
  std::map<std::string, Stmt> statements_;
  std::map<std::string, Portal> portals_;
  TransactionStatus txn_ = TransactionStatus::kIdle;
  std::atomic<bool> cancel_{false};
};

class TestBackend : public Backend {
 public:
  Result<std::string> PasswordVerifier(const std::string& user) override {
    if (user == "alice") return std::string("secret");
    if (user == "bob") return Md5Verifier("bob", "secret");
    if (user == "carol") {
      return EncodeScramVerifier(MakeScramVerifier("secret", "0123456789abcdef", 4096));
    }
    return Status::NotFound("no such role");
  }
  Result<std::unique_ptr<Session>> Connect(const StartupInfo& startup) override {
    if (startup.database == "nodb") {
      return Status::Sql(StatusCode::kNotFound, "3D000", "database \"nodb\" does not exist");
    }
    return std::unique_ptr<Session>(std::make_unique<TestSession>(&state));
  }
  SharedState state;
};

constexpr char kHba[] =
    "host all alice 127.0.0.1/32 password\n"
    "host all bob   127.0.0.1/32 md5\n"
    "host all carol 127.0.0.1/32 scram-sha-256\n"
    "host all trusty 127.0.0.1/32 trust\n"
    "host all all   all reject\n";

class PgServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions o = {}) {
    o.hba = HbaConfig::Parse(kHba).value();
    auto s = PgServer::Start(o, &backend_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }
  void SetUp() override { StartServer(); }

  std::string ConnInfo(const std::string& user, const std::string& password = "",
                       const std::string& db = "app") {
    return "host=127.0.0.1 port=" + std::to_string(server_->port()) + " user=" + user +
           " dbname=" + db + " connect_timeout=5" +
           (password.empty() ? "" : " password=" + password);
  }
  PGconn* Connect(const std::string& user = "trusty", const std::string& password = "") {
    PGconn* c = PQconnectdb(ConnInfo(user, password).c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }

  TestBackend backend_;
  std::unique_ptr<PgServer> server_;
};

std::string Value(PGresult* r, int row = 0, int col = 0) {
  return PQgetisnull(r, row, col) ? "<null>" : std::string(PQgetvalue(r, row, col));
}

std::string Field(PGresult* r, int code) {
  const char* v = PQresultErrorField(r, code);
  return v == nullptr ? "" : v;
}

// ---- raw protocol client for what libpq will not do
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawClient() { close(fd_); }
  void Send(std::string_view b) {
    while (!b.empty()) {
      ssize_t w = write(fd_, b.data(), b.size());
      if (w <= 0) return;
      b.remove_prefix(static_cast<size_t>(w));
    }
  }
  void Startup(const std::string& user, int32_t version = 196608) {
    std::string body;
    MessageWriter w('x');  // type byte is stripped below: startup has none
    w.Int32(version).CString("user").CString(user).CString("database").CString("app").Byte('\0');
    std::string m = w.Finish().substr(1);
    Send(m);
  }
  // Reads one message; type 0 when the connection closed.
  std::pair<char, std::string> Read() {
    std::string h = ReadN(5);
    if (h.size() < 5) return {0, ""};
    uint32_t len = 0;
    for (int i = 1; i < 5; ++i) len = (len << 8) | static_cast<uint8_t>(h[i]);
    return {h[0], ReadN(len - 4)};
  }
  // Reads until a message of `type` (returned) or close.
  std::pair<char, std::string> ReadUntil(char type, std::string* seen = nullptr) {
    while (true) {
      auto m = Read();
      if (seen != nullptr) seen->push_back(m.first);
      if (m.first == type || m.first == 0) return m;
    }
  }
  static std::string ErrorCode(const std::string& body) {
    for (size_t i = 0; i < body.size();) {
      char f = body[i];
      if (f == 0) break;
      size_t end = body.find('\0', i + 1);
      if (f == 'C') return body.substr(i + 1, end - i - 1);
      i = end + 1;
    }
    return "";
  }
  bool ClosedByPeer() {
    char b;
    return read(fd_, &b, 1) == 0;
  }

 private:
  std::string ReadN(size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
      ssize_t r = read(fd_, buf, std::min(sizeof(buf), n - out.size()));
      if (r <= 0) break;
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }
  int fd_;
};

TEST_F(PgServerTest, PgAuthEachMethodAndWrongPassword) {
  for (const char* user : {"alice", "bob", "carol"}) {
    PGconn* c = PQconnectdb(ConnInfo(user, "secret").c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << user << ": " << PQerrorMessage(c);
    EXPECT_STREQ(PQparameterStatus(c, "server_version"), "15.0");
    EXPECT_STREQ(PQparameterStatus(c, "session_authorization"), user);
    EXPECT_STREQ(PQparameterStatus(c, "integer_datetimes"), "on");
    EXPECT_GT(PQbackendPID(c), 0);
    PQfinish(c);
    c = PQconnectdb(ConnInfo(user, "wrong").c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_BAD) << user;
    EXPECT_NE(std::string(PQerrorMessage(c)).find("password authentication failed for user"),
              std::string::npos)
        << PQerrorMessage(c);
    PQfinish(c);
  }
  PGconn* c = PQconnectdb(ConnInfo("mallory", "x").c_str());
  EXPECT_NE(std::string(PQerrorMessage(c)).find("pg_hba.conf rejects connection"), std::string::npos);
  PQfinish(c);
  c = PQconnectdb(ConnInfo("trusty", "", "nodb").c_str());
  EXPECT_NE(std::string(PQerrorMessage(c)).find("database \"nodb\" does not exist"), std::string::npos);
  PQfinish(c);
}

TEST_F(PgServerTest, PgWrongPasswordIs28P01) {
  RawClient raw(server_->port());
  raw.Startup("alice");
  auto m = raw.Read();
  ASSERT_EQ(m.first, 'R');  // AuthenticationCleartextPassword
  raw.Send(MessageWriter('p').CString("nope").Finish());
  m = raw.Read();
  ASSERT_EQ(m.first, 'E');
  EXPECT_EQ(RawClient::ErrorCode(m.second), "28P01");
  EXPECT_TRUE(raw.ClosedByPeer());
}

TEST_F(PgServerTest, PgSimpleQueryTwoStatementsAndErrorFields) {
  PGconn* c = Connect();
  ASSERT_EQ(PQsendQuery(c, "SELECT 1; SELECT 2"), 1);
  PGresult* r = PQgetResult(c);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  EXPECT_EQ(Value(r), "1");
  EXPECT_EQ(PQftype(r, 0), kOidInt4);
  PQclear(r);
  r = PQgetResult(c);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  EXPECT_EQ(Value(r), "2");
  PQclear(r);
  EXPECT_EQ(PQgetResult(c), nullptr);

  r = PQexec(c, "FAIL 22012");
  ASSERT_EQ(PQresultStatus(r), PGRES_FATAL_ERROR);
  EXPECT_EQ(Field(r, PG_DIAG_SQLSTATE), "22012");
  EXPECT_EQ(Field(r, PG_DIAG_SEVERITY_NONLOCALIZED), "ERROR");
  EXPECT_EQ(Field(r, PG_DIAG_MESSAGE_PRIMARY), "failed on request");
  EXPECT_EQ(Field(r, PG_DIAG_MESSAGE_DETAIL), "the detail");
  EXPECT_EQ(Field(r, PG_DIAG_MESSAGE_HINT), "the hint");
  EXPECT_EQ(Field(r, PG_DIAG_STATEMENT_POSITION), "3");
  PQclear(r);

  r = PQexec(c, "BEGIN");
  PQclear(r);
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INTRANS);
  PQclear(PQexec(c, "FAIL 22012"));
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INERROR);
  PQclear(PQexec(c, "ROLLBACK"));
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_IDLE);

  r = PQexec(c, "");
  EXPECT_EQ(PQresultStatus(r), PGRES_EMPTY_QUERY);
  PQclear(r);
  r = PQexec(c, "SET application_name = x");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK);
  EXPECT_STREQ(PQparameterStatus(c, "application_name"), "= x");
  PQclear(r);
  // The session is still usable after all of that.
  r = PQexec(c, "SELECT 42");
  EXPECT_EQ(Value(r), "42");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, PgExtendedQueryTextAndBinaryParams) {
  PGconn* c = Connect();
  Oid types[] = {kOidInt4, kOidText, kOidText};
  std::string bin = Int4Binary(-7);
  const char* values[] = {bin.data(), "hi", nullptr};
  int lengths[] = {4, 2, 0};
  int formats[] = {1, 0, 0};
  PGresult* r = PQexecParams(c, "ECHO $1 $2 $3", 3, types, values, lengths, formats, 0);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_EQ(Value(r, 0, 0), "-7");
  EXPECT_EQ(Value(r, 0, 1), "hi");
  EXPECT_EQ(Value(r, 0, 2), "<null>");
  EXPECT_EQ(PQftype(r, 0), kOidInt4);
  PQclear(r);
  // Binary results, named statement, described first.
  r = PQprepare(c, "st", "ECHO $1", 1, types);
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  r = PQdescribePrepared(c, "st");
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK);
  EXPECT_EQ(PQnparams(r), 1);
  EXPECT_EQ(PQparamtype(r, 0), kOidInt4);
  EXPECT_EQ(PQnfields(r), 1);
  PQclear(r);
  const char* text_values[] = {"1234"};
  r = PQexecPrepared(c, "st", 1, text_values, nullptr, nullptr, 1);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  ASSERT_EQ(PQgetlength(r, 0, 0), 4);
  EXPECT_EQ(Int4FromBinary(std::string_view(PQgetvalue(r, 0, 0), 4)), 1234);
  PQclear(r);
  r = PQprepare(c, "st", "ECHO $1", 1, types);  // duplicate name
  EXPECT_EQ(Field(r, PG_DIAG_SQLSTATE), "42P05");
  PQclear(r);
  // Single-row mode streams the rows one result at a time.
  ASSERT_EQ(PQsendQueryParams(c, "GENERATE 5", 0, nullptr, nullptr, nullptr, nullptr, 0), 1);
  ASSERT_EQ(PQsetSingleRowMode(c), 1);
  int singles = 0;
  while (PGresult* x = PQgetResult(c)) {
    if (PQresultStatus(x) == PGRES_SINGLE_TUPLE) EXPECT_EQ(Value(x), std::to_string(++singles));
    PQclear(x);
  }
  EXPECT_EQ(singles, 5);
  PQfinish(c);
}

TEST_F(PgServerTest, PgPortalRowLimitSuspends) {
  RawClient raw(server_->port());
  raw.Startup("trusty");
  ASSERT_EQ(raw.ReadUntil('Z').first, 'Z');
  std::string batch = MessageWriter('P').CString("").CString("GENERATE 5").Int16(0).Finish();
  batch += MessageWriter('B').CString("cur").CString("").Int16(0).Int16(0).Int16(0).Finish();
  batch += MessageWriter('E').CString("cur").Int32(2).Finish();
  batch += MessageWriter('E').CString("cur").Int32(2).Finish();
  batch += MessageWriter('E').CString("cur").Int32(2).Finish();
  batch += MessageWriter('S').Finish();
  raw.Send(batch);
  std::string seen;
  auto z = raw.ReadUntil('Z', &seen);
  EXPECT_EQ(seen, "12DDsDDsDCZ");
  EXPECT_EQ(z.second, "I");
}

TEST_F(PgServerTest, PgPipelineErrorSkipsToSync) {
  PGconn* c = Connect();
  ASSERT_EQ(PQenterPipelineMode(c), 1);
  ASSERT_EQ(PQsendQueryParams(c, "SELECT 1", 0, nullptr, nullptr, nullptr, nullptr, 0), 1);
  ASSERT_EQ(PQsendQueryParams(c, "FAIL 22012", 0, nullptr, nullptr, nullptr, nullptr, 0), 1);
  ASSERT_EQ(PQsendQueryParams(c, "SELECT 3", 0, nullptr, nullptr, nullptr, nullptr, 0), 1);
  ASSERT_EQ(PQpipelineSync(c), 1);
  ASSERT_EQ(PQsendQueryParams(c, "SELECT 4", 0, nullptr, nullptr, nullptr, nullptr, 0), 1);
  ASSERT_EQ(PQpipelineSync(c), 1);
  std::vector<std::string> got;
  for (int i = 0; i < 6; ++i) {
    PGresult* r = PQgetResult(c);
    if (r == nullptr) continue;  // end of one query's results
    std::string s = PQresStatus(PQresultStatus(r));
    if (PQresultStatus(r) == PGRES_TUPLES_OK) s += ":" + Value(r);
    if (PQresultStatus(r) == PGRES_FATAL_ERROR) s += ":" + Field(r, PG_DIAG_SQLSTATE);
    got.push_back(s);
    PQclear(r);
    if (got.size() == 6) break;
    --i;
    if (got.size() > 10) break;
  }
  std::vector<std::string> want = {"PGRES_TUPLES_OK:1", "PGRES_FATAL_ERROR:22012",
                                   "PGRES_PIPELINE_ABORTED", "PGRES_PIPELINE_SYNC",
                                   "PGRES_TUPLES_OK:4", "PGRES_PIPELINE_SYNC"};
  EXPECT_EQ(got, want);
  PQfinish(c);
}

TEST_F(PgServerTest, PgCancelStopsRunningQuery) {
  PGconn* c = Connect();
  PGcancel* cancel = PQgetCancel(c);
  std::thread t([cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    char err[256];
    EXPECT_EQ(PQcancel(cancel, err, sizeof(err)), 1) << err;
  });
  auto start = std::chrono::steady_clock::now();
  PGresult* r = PQexec(c, "SLEEP");
  t.join();
  EXPECT_EQ(Field(r, PG_DIAG_SQLSTATE), "57014");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  PQclear(r);
  PQfreeCancel(cancel);
  r = PQexec(c, "SELECT 5");
  EXPECT_EQ(Value(r), "5");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, PgCopyInAndOut) {
  PGconn* c = Connect();
  PGresult* r = PQexec(c, "COPY IN");
  ASSERT_EQ(PQresultStatus(r), PGRES_COPY_IN) << PQerrorMessage(c);
  PQclear(r);
  ASSERT_EQ(PQputCopyData(c, "a\nb", 3), 1);
  ASSERT_EQ(PQputCopyData(c, "b\nccc\n", 6), 1);
  ASSERT_EQ(PQputCopyEnd(c, nullptr), 1);
  r = PQgetResult(c);
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  EXPECT_STREQ(PQcmdTuples(r), "3");
  PQclear(r);
  EXPECT_EQ(PQgetResult(c), nullptr);

  r = PQexec(c, "COPY OUT");
  ASSERT_EQ(PQresultStatus(r), PGRES_COPY_OUT);
  PQclear(r);
  std::string out;
  char* buf = nullptr;
  int n;
  while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    PQfreemem(buf);
  }
  EXPECT_EQ(out, "a\nbb\nccc\n");
  r = PQgetResult(c);
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  EXPECT_EQ(PQgetResult(c), nullptr);

  r = PQexec(c, "COPY IN");
  PQclear(r);
  ASSERT_EQ(PQputCopyEnd(c, "client says no"), 1);
  r = PQgetResult(c);
  EXPECT_EQ(Field(r, PG_DIAG_SQLSTATE), "57014");
  EXPECT_NE(Field(r, PG_DIAG_MESSAGE_PRIMARY).find("client says no"), std::string::npos);
  PQclear(r);
  EXPECT_EQ(PQgetResult(c), nullptr);
  r = PQexec(c, "SELECT 6");
  EXPECT_EQ(Value(r), "6");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, PgGarbageClosesOnlyThatConnection) {
  PGconn* good = Connect();
  {
    RawClient raw(server_->port());
    raw.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // a length of 0x47455420: far too long
    auto m = raw.Read();
    EXPECT_EQ(m.first, 'E');
    EXPECT_EQ(RawClient::ErrorCode(m.second), "08P01");
    EXPECT_TRUE(raw.ClosedByPeer());
  }
  {
    RawClient raw(server_->port());
    raw.Startup("trusty");
    raw.ReadUntil('Z');
    raw.Send(std::string("\x07\x00\x00\x00\x05z", 6));  // unknown message type
    auto m = raw.Read();
    EXPECT_EQ(RawClient::ErrorCode(m.second), "08P01");
    EXPECT_TRUE(raw.ClosedByPeer());
  }
  {
    RawClient raw(server_->port());
    raw.Startup("trusty");
    raw.ReadUntil('Z');
    raw.Send(std::string("Q\x7f\x00\x00\x00", 5));  // 2 GiB message: above the cap
    auto m = raw.Read();
    EXPECT_EQ(RawClient::ErrorCode(m.second), "08P01");
    EXPECT_TRUE(raw.ClosedByPeer());
  }
  {
    RawClient raw(server_->port());
    raw.Startup("trusty");
    raw.ReadUntil('Z');
    raw.Send(MessageWriter('B').CString("p").Finish());  // truncated Bind
    auto m = raw.Read();
    EXPECT_EQ(RawClient::ErrorCode(m.second), "08P01");
    EXPECT_TRUE(raw.ClosedByPeer());
  }
  {
    RawClient raw(server_->port());
    raw.Startup("trusty", /*version=*/2 << 16);
    auto m = raw.Read();
    EXPECT_EQ(RawClient::ErrorCode(m.second), "0A000");
  }
  // Random bytes after startup, many times: never a crash.
  for (int i = 0; i < 20; ++i) {
    RawClient raw(server_->port());
    raw.Startup("trusty");
    raw.ReadUntil('Z');
    std::string junk;
    uint32_t x = 12345u + static_cast<uint32_t>(i) * 7919u;
    for (int j = 0; j < 64; ++j) {
      x = x * 1103515245u + 12345u;
      junk.push_back(static_cast<char>(x >> 16));
    }
    raw.Send(junk);
  }
  PGresult* r = PQexec(good, "SELECT 9");
  EXPECT_EQ(Value(r), "9");
  PQclear(r);
  PQfinish(good);
  PGconn* again = Connect();
  PQfinish(again);
}

TEST_F(PgServerTest, PgTooManyClients) {
  server_.reset();
  ServerOptions o;
  o.max_connections = 1;
  StartServer(o);
  PGconn* first = Connect();
  PGconn* second = PQconnectdb(ConnInfo("trusty").c_str());
  EXPECT_EQ(PQstatus(second), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(second)).find("sorry, too many clients already"),
            std::string::npos)
      << PQerrorMessage(second);
  PQfinish(second);
  PQfinish(first);
}

// One worker, and it would linger ten minutes on a quiet connection: each other connection's
// arrival must make it give way at once, or these queries would not finish within a minute.
TEST_F(PgServerTest, PgLingeringWorkerGivesWayToOtherConnections) {
  server_.reset();
  ServerOptions o;
  o.worker_threads = 1;
  o.linger_ms = 600000;
  StartServer(o);
  auto run = std::async(std::launch::async, [this] {
    PGconn* a = Connect();
    PGconn* b = Connect();
    std::vector<std::string> got;
    for (int i = 0; i < 3; ++i) {
      for (PGconn* c : {a, b}) {
        PGresult* r = PQexec(c, "SELECT 5");
        got.push_back(Value(r));
        PQclear(r);
      }
    }
    PQfinish(a);
    PQfinish(b);
    return got;
  });
  ASSERT_EQ(run.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(run.get(), std::vector<std::string>(6, "5"));
  PGconn* idle = Connect();  // Stop must not wait for a lingering worker either
  auto stop = std::async(std::launch::async, [this] { server_->Stop(); });
  EXPECT_EQ(stop.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  PQfinish(idle);
}

TEST_F(PgServerTest, PgPsqlBinary) {
  const char* psql = "/usr/lib/postgresql/15/bin/psql";
  if (access(psql, X_OK) != 0) GTEST_SKIP() << "no psql";
  std::string cmd = std::string(psql) + " -X -At \"" + ConnInfo("carol", "secret") +
                    "\" -c 'SELECT 7' -c 'GENERATE 3' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  EXPECT_EQ(pclose(p), 0) << out;
  EXPECT_EQ(out, "7\n1\n2\n3\n");
}

}  // namespace
}  // namespace nordlys::pgwire
