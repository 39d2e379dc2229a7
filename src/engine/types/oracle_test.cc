// Differential test: the same inputs, casts and operators evaluated by PostgreSQL 15 (a private
// server started here) and by Nordlys's type system; the output text, the result type OID,
// the binary wire form, and for errors the SQLSTATE and primary message must all match.
//
// The server runs as `nobody` when the test runs as root (postgres refuses root). The test is
// skipped, saying so, only when the PostgreSQL 15 binaries are absent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "engine/types/cast.h"
#include "engine/types/operators.h"
#include "engine/types/type.h"
#include "engine/types/type_io.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {
namespace {

const char* kPgBin = "/usr/lib/postgresql/15/bin";

struct Outcome {
  bool ok = false;
  std::string text;      // output text, or "<NULL>"
  uint32_t type_oid = 0;  // result column type (successes only)
  std::string binary;     // binary form (successes of typed inputs only)
  std::string sqlstate;
  std::string message;
  std::string Describe() const {
    if (ok) return "ok [" + text + "] type " + std::to_string(type_oid);
    return "error " + sqlstate + " [" + message + "]";
  }
};

int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else out.push_back(c);
  }
  return out + "'";
}

class Oracle {
 public:
  bool Start(std::string* why) {
    if (!std::filesystem::exists(std::string(kPgBin) + "/initdb")) {
      *why = "PostgreSQL 15 binaries not found in " + std::string(kPgBin);
      return false;
    }
    char tmpl[] = "/tmp/nordlys-oracle-XXXXXX";
    if (!mkdtemp(tmpl)) {
      *why = "mkdtemp failed";
      return false;
    }
    dir_ = tmpl;
    std::string as_user;
    if (geteuid() == 0) {
      passwd* pw = getpwnam("nobody");
      if (!pw || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        *why = "cannot hand the data directory to user nobody";
        return false;
      }
      as_user = "runuser -u nobody -- ";
    }
    port_ = FreePort();
    std::string data = dir_ + "/data";
    if (Run(as_user + kPgBin + "/initdb -D " + data +
            " -U postgres --auth=trust -E UTF8 --locale=C >" + dir_ + "/initdb.log 2>&1") != 0) {
      *why = "initdb failed; see " + dir_ + "/initdb.log";
      return false;
    }
    pg_ctl_ = as_user + kPgBin + "/pg_ctl -D " + data;
    if (Run(pg_ctl_ + " -w -t 60 -l " + dir_ + "/server.log -o \"-p " + std::to_string(port_) + " -k " + dir_ +
            " -c listen_addresses='' -c fsync=off\" start >/dev/null 2>&1") != 0) {
      *why = "postgres did not start; see " + dir_ + "/server.log";
      return false;
    }
    started_ = true;
    std::string conninfo = "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      *why = std::string("connect failed: ") + PQerrorMessage(conn_);
      return false;
    }
    Exec("SET datestyle = 'ISO, MDY'; SET intervalstyle = 'postgres'; SET extra_float_digits = 1; "
         "SET client_min_messages = error; SET timezone = 'UTC'");
    return true;
  }

  void Stop() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    if (started_) (void)Run(pg_ctl_ + " -m immediate stop >/dev/null 2>&1");
    started_ = false;
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void Exec(const std::string& sql) { PQclear(PQexec(conn_, sql.c_str())); }

  Outcome Query(const std::string& sql, bool want_binary) {
    Outcome o;
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      o.ok = true;
      o.text = PQgetisnull(r, 0, 0) ? "<NULL>" : PQgetvalue(r, 0, 0);
      o.type_oid = PQftype(r, 0);
    } else {
      const char* st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const char* msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      o.sqlstate = st ? st : "?????";
      o.message = msg ? msg : PQresultErrorMessage(r);
    }
    PQclear(r);
    if (o.ok && want_binary && o.text != "<NULL>") {
      PGresult* b = PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1);
      if (PQresultStatus(b) == PGRES_TUPLES_OK) o.binary.assign(PQgetvalue(b, 0, 0), PQgetlength(b, 0, 0));
      PQclear(b);
    }
    return o;
  }

 private:
  std::string dir_;
  std::string pg_ctl_;
  int port_ = 0;
  bool started_ = false;
  PGconn* conn_ = nullptr;
};

Outcome FromStatus(const Status& s) {
  Outcome o;
  o.sqlstate = s.sqlstate();
  o.message = s.message();
  return o;
}

Outcome FromValue(const Value& v, const Type& t, const SessionSettings& ss) {
  Outcome o;
  o.ok = true;
  o.text = v.is_null() ? "<NULL>" : OutputValue(v, t, ss);
  o.type_oid = t.oid();
  if (!v.is_null()) o.binary = SendValue(v, t);
  return o;
}

// A typed literal: 'text'::type, as PG coerces an untyped constant (explicit cast).
Result<Value> Literal(const std::string& text, const Type& t, const SessionSettings& ss) {
  return CastValue(Value::String(text), Type(TypeId::kUnknown), t, true, ss);
}

Outcome OursLiteral(const std::string& tname, const std::string& lit, const SessionSettings& ss) {
  Result<Type> t = LookupTypeByName(tname);
  if (!t.ok()) return FromStatus(t.status());
  Result<Value> v = Literal(lit, *t, ss);
  if (!v.ok()) return FromStatus(v.status());
  return FromValue(*v, *t, ss);
}

Result<Type> ParseTypeSpec(const std::string& spec) {
  // "varchar(3)", "numeric(5,2)", "timestamp(3)"
  size_t p = spec.find('(');
  if (p == std::string::npos) return LookupTypeByName(spec);
  std::vector<int32_t> mods;
  std::string inner = spec.substr(p + 1, spec.size() - p - 2);
  size_t start = 0;
  while (start <= inner.size()) {
    size_t comma = inner.find(',', start);
    mods.push_back(std::atoi(inner.substr(start, comma - start).c_str()));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string base = spec.substr(0, p);
  if (base == "interval") mods.insert(mods.begin(), 0x7fff);
  return LookupTypeByName(base, mods);
}

struct Stats {
  int total = 0;
  int passed = 0;
  std::vector<std::string> failures;
};

void Check(Stats* st, const std::string& sql, const Outcome& pg, const Outcome& ours, bool compare_binary) {
  ++st->total;
  bool same = pg.ok == ours.ok;
  if (same && pg.ok) {
    same = pg.text == ours.text && pg.type_oid == ours.type_oid;
    if (same && compare_binary && !pg.binary.empty()) same = pg.binary == ours.binary;
  } else if (same) {
    same = pg.sqlstate == ours.sqlstate && pg.message == ours.message;
  }
  if (same) {
    ++st->passed;
  } else {
    std::string b;
    if (pg.ok && ours.ok && pg.text == ours.text && pg.binary != ours.binary) b = " (binary differs)";
    st->failures.push_back(sql + "\n    pg:   " + pg.Describe() + "\n    ours: " + ours.Describe() + b);
  }
}

class OracleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    oracle_ = new Oracle();
    if (!oracle_->Start(&skip_reason_)) {
      oracle_->Stop();
      delete oracle_;
      oracle_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    if (oracle_) oracle_->Stop();
    delete oracle_;
    oracle_ = nullptr;
  }
  void SetUp() override {
    if (!oracle_) {
      if (skip_reason_.find("not found") != std::string::npos) GTEST_SKIP() << skip_reason_;
      FAIL() << "could not start the PostgreSQL oracle: " << skip_reason_;
    }
  }
  static void Report(const char* what, const Stats& st) {
    std::printf("[oracle] %s: %d/%d cases match PostgreSQL 15\n", what, st.passed, st.total);
    for (const auto& f : st.failures) std::printf("  MISMATCH %s\n", f.c_str());
  }

  static Oracle* oracle_;
  static std::string skip_reason_;
};

Oracle* OracleTest::oracle_ = nullptr;
std::string OracleTest::skip_reason_;

struct LiteralCase {
  const char* type;
  std::vector<const char*> inputs;
};

const std::vector<LiteralCase>& LiteralCases() {
  static const std::vector<const char*> kInts = {
      "0", "1", "-1", "32767", "32768", "-32768", "-32769", "2147483647", "2147483648", "-2147483648",
      "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
      "-9223372036854775809", " 42 ", "+7", "abc", "", "1.5", "12a", "- 1", "00012", "99999999999999999999999"};
  static const std::vector<LiteralCase> kCases = {
      {"int2", kInts},
      {"int4", kInts},
      {"int8", kInts},
      {"oid", {"0", "4294967295", "4294967296", "-1", "-2147483648", "-2147483649", "abc", " 7 ", ""}},
      {"float8", {"0", "-0", "0.1", "1e20", "1e15", "1e14", "123456789012345678", "0.0001", "0.00001", "1.5",
                  "NaN", "nan", "Infinity", "-Infinity", "inf", "-inf", "1e308", "1e309", "-1e309", "1e-320",
                  "1e-400", "abc", "", "  3.25  ", "2.5e-5", "3.141592653589793", "100", "1.7976931348623157e308",
                  "4.9e-324", "0.1e1", "123.456e10", "1e+5", "0.30000000000000004", "2e-7", "123456789012345",
                  "1234567890123456", "-1.5e-10", "1e", "5e-324"}},
      {"float4", {"0", "-0", "1e6", "123456", "1234567", "1.5", "0.1", "3.4e38", "3.5e38", "1e-45", "1e-46",
                  "NaN", "-Infinity", "16777217", "0.3", "1.17549435e-38", "abc", "100000", "0.0001", "1e-5",
                  "3.14159265"}},
      {"numeric", {"0", "-0", "1.50", "1e3", "1.5e-3", ".5", "5.", "-0.000", "NaN", "nan", "inf", "-Infinity",
                   "infinity", "123456789012345678901234567890.123456789", "abc", "", "1e", ".", "+.5", "-5e-2",
                   " 12.5 ", "1e-20", "0.000000000000000000001", "99999999999999999999", "1 2", "1e131072",
                   "1e-16384", "12e+2", "-000123.4500"}},
      {"numeric(5,2)", {"123.456", "999.994", "999.995", "-999.995", "1000", "0.001", "0.005", "-0.005", "NaN",
                        "Infinity", "12.3"}},
      {"numeric(10,0)", {"12345.5", "-0.5", "0.4", "-12345.49", "9999999999.4", "9999999999.5"}},
      {"numeric(3,-2)", {"12345", "12355", "99949", "99950", "-150"}},
      {"numeric(2,3)", {"0.012", "0.0999", "0.1", "-0.0995"}},
      {"bool", {"t", "true", "TRUE", "yes", "y", "on", "of", "off", "o", "1", "0", "2", "  true  ", "tr", "truex",
                "", "f", "no", "n", "FALSE", "Yes", "nO"}},
      {"text", {"abc", "", "  spaced  ", "quote'd", "ünïcødé"}},
      {"varchar(3)", {"abc", "abcd", "ab", "ab  ", "abcd  ", "äöüß", ""}},
      {"char(3)", {"abc", "abcd", "a", "", "ab ", "äöüß"}},
      {"bpchar", {"abc  ", "x"}},
      {"name", {"short", "a_very_long_identifier_that_is_more_than_sixty_three_bytes_long_for_sure_yes"}},
      {"bytea", {"\\x0aff", "\\xABCDEF", "\\x 0a ff", "\\x0g", "\\x0", "abc", "a\\\\b", "\\001\\002", "\\9",
                 "\\x", "", "\\xzz"}},
      {"uuid", {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
                "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
                "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ""}},
      {"date", {"2024-01-02", "2024-02-29", "2023-02-29", "2024-13-01", "0001-01-01", "0000-01-01",
                "0001-01-01 BC", "4714-11-24 BC", "4714-11-23 BC", "5874897-12-31", "5874898-01-01", "infinity",
                "-infinity", "epoch", "1/2/2024", "01/02/24", "Jan 2 2024", "2 Jan 2024", "2-Jan-2024",
                "20240102", "2024-01-02 12:34:56", "garbage", "", "2024-1-2", "99-01-02", "2024/01/02",
                "Feb 30 2024", "January 8, 99 BC", "1999-01-08", "2024-04-31", "2000-02-29", "1900-02-29",
                "2024-01-02T10:00:00", "12/31/1999", "13/01/2024", "2024-01-32", "Tuesday 2024-01-02"}},
      {"time", {"00:00", "12:34:56", "12:34:56.789", "23:59:59.9999999", "24:00:00", "24:00:01", "25:00",
                "12:60", "1:2:3", "12:34 pm", "12:00 am", "12:00 pm", "allballs", "2024-01-01 12:00", "abc",
                "12:34:56.1234565", "13:00 pm", "23:59:60", "00:00:00.000001", ""}},
      {"time(2)", {"12:34:56.789", "12:34:56.785", "23:59:59.999"}},
      {"timestamp", {"2024-01-02 03:04:05", "2024-01-02T03:04:05", "2024-01-02 03:04:05.123456",
                     "2024-01-02 03:04:05.1234567", "2024-01-02 03:04:05+05", "2024-01-02 24:00:00", "infinity",
                     "-infinity", "epoch", "0001-01-01 00:00:00 BC", "294276-12-31 23:59:59",
                     "294277-01-01 00:00:00", "4714-11-24 00:00:00 BC", "4714-11-23 23:59:59 BC",
                     "2024-01-02 03:04:05Z", "bad", "2024-01-02 25:00:00", "2024-01-02 03:04:05 PM",
                     "Jan 2 2024 03:04", "2024-01-02 03:04:05 UTC", "2024-01-02", "12:00", "1999-12-31 23:59:59.5",
                     "2024-02-30 00:00"}},
      {"timestamp(0)", {"2024-01-02 03:04:05.5", "2024-01-02 03:04:05.49", "1999-12-31 23:59:59.5"}},
      {"timestamp(3)", {"2024-01-02 03:04:05.12345", "2024-01-02 03:04:05.0005"}},
      {"timestamptz", {"2024-01-02 03:04:05", "2024-01-02 03:04:05+05:30", "2024-01-02 03:04:05-08",
                       "2024-01-02 03:04:05+0530", "2024-01-02 03:04:05+16", "2024-07-01 12:00:00-07:30:15",
                       "2024-01-02 03:04:05.123+02", "infinity", "-infinity", "0001-01-01 00:00:00+00 BC",
                       "2024-01-02T03:04:05Z", "2024-01-02 03:04:05 GMT", "2024-01-02 03:04:05+05:60"}},
      {"interval", {"1 year 2 mons 3 days 04:05:06", "1 day", "-1 day", "1 day -02:00", "@ 1 hour ago",
                    "1.5 days", "1.5 months", "1.5 years", "10", "1:02", "1:02:03.5", "100:00:00",
                    "-1 year -2 mons", "1 week", "2 decades", "1 century", "1 millennium", "1 ms", "1 us",
                    "1.5 seconds", "P1Y2M3DT4H5M6S", "PT1.5S", "1-2", "", "abc", "1 day 1 day", "0",
                    "1 mon -1 day +1 hour", "3 days 02:00", "-00:00:01", "1 minute 30 seconds", "5 hours 70 minutes",
                    "1:60", "2147483647 days", "2147483648 days", "1 year ago", "0.5 weeks", "1.25 hours",
                    "-1.5 days", "1 day 2 hours 3 minutes 4.5 seconds", "2 years -1 mons", "45 seconds",
                    "1 mon 2 days ago", "100 milliseconds", "3 microseconds", "1 days", "1 hrs", "2 mins",
                    "1.999999999 seconds", "-0.5 mons", "P1W", "P0.5D"}},
      {"interval(0)", {"1.5 seconds", "2.5 seconds", "-1.5 seconds"}},
      {"date", {"2024.01.02", "02.01.2024", "Jan-02-2024", "2024-Jan-02", "jan 2, 2024", "December 31 1999",
                "1999 Dec 31", "31 December 1999 AD", "2024-02-29 BC", "5 BC", "1-1-1", "0099-01-01",
                "10000-01-01", "2024-01-02 +05", "  2024-01-02  ", "2024-01-02 Z", "240102"}},
      {"timestamp", {"2024-01-02 03:04", "2024-01-02 3:4:5", "2024-01-02 03:04:05.", "2024-01-02 03:04:05 am",
                     "2024-01-02 12:04:05 am", "2024-01-02 03:04:05.999999499", "2024-01-02  03:04:05",
                     "1/2/2024 03:04:05", "January 2, 2024 3:04 PM", "2024-01-02 23:59:60"}},
      {"interval", {"+1 day", "1 day +1 hour", "- 1 day", "1 hour 30", "1 year 1 year", "1.5", "-1.5",
                    "1 2:03:04", "1 day ago 2 hours", "12:34:56.789", "-12:34:56.789", "2 weeks 3 days",
                    "1.1 years", "0.1 centuries", "1e3 seconds", "P1Y", "P-1Y2M", "PT36H", "P2DT3H4M",
                    "3 mons 2 weeks", "-2147483648 days", "2147483647 months", "1 month 2 months"}},
      {"numeric", {"1.0e-3", "-1E+2", "0e10", "0.000e-5", "9.9999999999999999999999999999999999999999e39",
                   "123456789012345678901234567890123456789012345678901234567890"}},
      {"float8", {"1.5E+300", "-1.5e-300", "  -inf  ", "+Infinity", "infinityx", "1_000", "0x10", ".5", "5."}},
  };
  return kCases;
}

TEST_F(OracleTest, TypedLiterals) {
  SessionSettings ss;
  Stats st;
  for (const LiteralCase& c : LiteralCases()) {
    for (const char* in : c.inputs) {
      std::string sql = "SELECT " + Quote(in) + "::" + c.type;
      Outcome pg = oracle_->Query(sql, true);
      Result<Type> t = ParseTypeSpec(c.type);
      Outcome ours;
      if (!t.ok()) {
        ours = FromStatus(t.status());
      } else {
        Result<Value> v = Literal(in, *t, ss);
        ours = v.ok() ? FromValue(*v, *t, ss) : FromStatus(v.status());
        // The binary form must also read back.
        if (v.ok() && pg.ok && !pg.binary.empty()) {
          Result<Value> back = RecvValue(pg.binary, *t);
          std::string back_text = back.ok() ? OutputValue(*back, *t, ss) : back.status().ToString();
          if (back_text != pg.text) ours.text += " (recv gave " + back_text + ")";
        }
      }
      Check(&st, sql, pg, ours, true);
    }
  }
  Report("typed literals", st);
  EXPECT_EQ(st.passed, st.total);
}

struct CastCase {
  const char* from;
  const char* value;
  const char* to;
};

TEST_F(OracleTest, Casts) {
  std::vector<CastCase> cases = {
      {"int4", "70000", "int2"}, {"int4", "-5", "int2"}, {"int8", "3000000000", "int4"}, {"int2", "-7", "int8"},
      {"int4", "42", "float4"}, {"int8", "9007199254740993", "float8"}, {"int8", "16777217", "float4"},
      {"int4", "42", "numeric"}, {"int8", "-9223372036854775808", "numeric"},
      {"int4", "5", "bool"}, {"int4", "0", "bool"}, {"bool", "true", "int4"}, {"bool", "false", "int4"},
      {"bool", "true", "text"}, {"bool", "false", "varchar"}, {"bool", "true", "char(2)"},
      {"int4", "42", "text"}, {"float8", "0.1", "text"}, {"numeric", "1.50", "text"}, {"date", "2024-01-02", "text"},
      {"text", "42", "int4"}, {"text", " 42 ", "int4"}, {"text", "abc", "int4"}, {"varchar", "2024-01-02", "date"},
      {"text", "1.5", "numeric"}, {"text", "yes", "bool"}, {"char(4)", "12", "int4"},
      {"date", "2024-01-02", "timestamp"}, {"date", "2024-01-02", "timestamptz"}, {"date", "infinity", "timestamp"},
      {"date", "5874897-12-31", "timestamp"},
      {"timestamp", "2024-01-02 03:04:05", "date"}, {"timestamp", "2024-01-02 03:04:05", "time"},
      {"timestamp", "2024-01-02 03:04:05", "timestamptz"}, {"timestamp", "-infinity", "date"},
      {"timestamp", "infinity", "time"}, {"timestamp", "1999-12-31 23:59:59.999", "date"},
      {"timestamp", "0001-01-01 12:00:00 BC", "date"},
      {"timestamptz", "2024-01-02 03:04:05+00", "timestamp"}, {"timestamptz", "2024-01-02 23:04:05-05", "date"},
      {"timestamptz", "2024-01-02 03:04:05+00", "time"}, {"time", "12:34:56", "interval"},
      {"interval", "1 day 02:03:04", "time"}, {"interval", "-1 hour", "time"}, {"interval", "25:00:00", "time"},
      {"date", "2024-01-02", "int4"}, {"int4", "1", "date"}, {"bool", "true", "float8"}, {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "int4"},
      {"interval", "1 day", "date"}, {"time", "12:00", "date"}, {"bytea", "\\x00", "int4"}, {"float8", "1", "bool"},
      {"text", "abcd", "varchar(3)"}, {"text", "abcd", "char(3)"}, {"text", "ab", "char(3)"},
      {"char(3)", "ab", "text"}, {"char(5)", "ab", "varchar"}, {"varchar(5)", "ab  ", "char(3)"},
      {"text", "äöüß", "varchar(2)"}, {"numeric", "123.456", "numeric(5,2)"}, {"numeric", "999.999", "numeric(5,2)"},
      {"numeric", "-0.005", "numeric(3,2)"}, {"numeric", "1234.5", "numeric(6,-2)"},
      {"timestamp", "2024-01-02 03:04:05.123456", "timestamp(0)"},
      {"timestamp", "2024-01-02 03:04:05.123456", "timestamp(3)"}, {"time", "12:34:56.789", "time(1)"},
      {"int4", "-1", "oid"}, {"oid", "4294967295", "int4"}, {"oid", "4294967295", "int8"}, {"int8", "-1", "oid"},
      {"int8", "4294967296", "oid"}, {"int2", "-1", "oid"},
      {"text", "a_very_long_identifier_that_is_more_than_sixty_three_bytes_long_for_sure_yes", "name"},
      {"name", "abc", "text"}, {"name", "abcdef", "varchar(3)"}, {"int4", "12345", "varchar(3)"},
      {"float4", "1.1", "float8"}, {"float8", "1e300", "float4"}, {"float8", "1e-300", "float4"},
      {"float8", "0.1", "float4"}, {"float8", "NaN", "float4"}, {"float4", "2.5", "int4"},
      {"float4", "3.5", "int2"}, {"float4", "1e10", "int4"}, {"float8", "1e19", "int8"},
      {"float8", "9223372036854775807", "int8"}, {"float8", "-9223372036854775808", "int8"},
      {"float4", "0.1", "numeric"}, {"float4", "3.4e38", "numeric"}, {"float4", "NaN", "numeric"},
      {"float4", "-Infinity", "numeric"},
      {"numeric", "1.23456789012345678", "float8"}, {"numeric", "1.23456789012345678", "float4"},
      {"numeric", "1e400", "float8"}, {"numeric", "1e-400", "float8"}, {"numeric", "1e39", "float4"},
      {"numeric", "NaN", "float8"}, {"numeric", "-Infinity", "float4"}, {"numeric", "0.1", "float8"},
      {"text", "  t  ", "bool"}, {"varchar", "1e400", "float8"}, {"text", "12:00", "time"},
      {"text", "1 day", "interval"}, {"text", "\\xff", "bytea"}, {"bytea", "\\xff", "text"},
      {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "text"}, {"interval", "1 day", "text"},
      {"timestamptz", "2024-01-02 03:04:05+00", "varchar(10)"}, {"float4", "0.1", "text"},
      {"int8", "9223372036854775807", "float4"}, {"numeric", "32767.5", "int2"}, {"char(3)", "a", "char(5)"},
      {"char(5)", "abc", "name"}, {"time", "24:00:00", "interval"}, {"interval", "24:00:00", "time"},
  };
  for (const char* f : {"2.5", "3.5", "-2.5", "-0.5", "0.5", "1e10", "NaN", "Infinity", "2147483647.5",
                        "-2147483648.5", "32767.5", "-32768.5", "32767.49", "123.456"}) {
    for (const char* to : {"int2", "int4", "int8"}) {
      cases.push_back({"float8", f, to});
      cases.push_back({"numeric", f, to});
    }
  }
  for (const char* f : {"0.1", "1e20", "NaN", "Infinity", "3.141592653589793", "1e-20", "123456789.123456789",
                        "-0", "1e15", "0.000001234"}) {
    cases.push_back({"float8", f, "numeric"});
  }
  SessionSettings ss;
  Stats st;
  for (const CastCase& c : cases) {
    std::string sql = std::string("SELECT (") + Quote(c.value) + "::" + c.from + ")::" + c.to;
    Outcome pg = oracle_->Query(sql, true);
    Outcome ours;
    Result<Type> ft = ParseTypeSpec(c.from);
    Result<Type> tt = ParseTypeSpec(c.to);
    if (!ft.ok() || !tt.ok()) {
      ours = FromStatus(!ft.ok() ? ft.status() : tt.status());
    } else {
      Result<Value> v = Literal(c.value, *ft, ss);
      if (!v.ok()) {
        ours = FromStatus(v.status());
      } else {
        Result<Value> out = CastValue(*v, *ft, *tt, true, ss);
        ours = out.ok() ? FromValue(*out, *tt, ss) : FromStatus(out.status());
      }
    }
    Check(&st, sql, pg, ours, true);
  }
  Report("casts", st);
  EXPECT_EQ(st.passed, st.total);
}

struct OpCase {
  const char* lt;
  const char* lv;
  const char* op;
  const char* rt;
  const char* rv;
};

BinaryOp OpFromString(const std::string& s) {
  if (s == "+") return BinaryOp::kAdd;
  if (s == "-") return BinaryOp::kSub;
  if (s == "*") return BinaryOp::kMul;
  if (s == "/") return BinaryOp::kDiv;
  if (s == "%") return BinaryOp::kMod;
  if (s == "=") return BinaryOp::kEq;
  if (s == "<>") return BinaryOp::kNe;
  if (s == "<") return BinaryOp::kLt;
  if (s == "<=") return BinaryOp::kLe;
  if (s == ">") return BinaryOp::kGt;
  return BinaryOp::kGe;
}

std::vector<OpCase> OperatorCases() {
  std::vector<OpCase> c = {
      {"int2", "32767", "+", "int2", "1"}, {"int4", "2147483647", "+", "int4", "1"},
      {"int8", "9223372036854775807", "+", "int8", "1"}, {"int4", "-2147483648", "/", "int4", "-1"},
      {"int2", "-32768", "/", "int2", "-1"}, {"int8", "-9223372036854775808", "%", "int8", "-1"},
      {"int4", "7", "/", "int4", "2"}, {"int4", "-7", "/", "int4", "2"}, {"int4", "7", "%", "int4", "-3"},
      {"int4", "-7", "%", "int4", "3"}, {"int4", "1", "/", "int4", "0"}, {"int4", "1", "%", "int4", "0"},
      {"int2", "3", "*", "int4", "4"}, {"int2", "3", "+", "int8", "4"}, {"int4", "65536", "*", "int4", "65536"},
      {"int8", "4294967296", "*", "int8", "4294967296"}, {"int2", "200", "*", "int2", "200"},
      {"int2", "1", "%", "int8", "1"}, {"int4", "-2147483648", "-", "int4", "1"}, {"int8", "5", "-", "int2", "7"},
      {"int4", "1", "+", "numeric", "2.5"}, {"int4", "1", "+", "float4", "2.5"}, {"int8", "1", "+", "float4", "2.5"},
      {"float4", "1.5", "*", "float4", "2"}, {"numeric", "1.5", "+", "float8", "1"}, {"float8", "1.5", "%", "int4", "1"},
      {"float8", "1e308", "*", "float8", "10"}, {"float8", "1e-308", "*", "float8", "1e-308"},
      {"float8", "1", "/", "float8", "0"}, {"float8", "0", "/", "float8", "0"}, {"float8", "NaN", "/", "float8", "0"},
      {"float8", "0.1", "+", "float8", "0.2"}, {"float4", "0.1", "+", "float4", "0.2"},
      {"float4", "3e38", "*", "float4", "10"}, {"float8", "Infinity", "+", "float8", "1"},
      {"float8", "Infinity", "-", "float8", "Infinity"}, {"float8", "1", "/", "float8", "3"},
      {"float8", "NaN", "=", "float8", "NaN"}, {"float8", "NaN", ">", "float8", "1e308"},
      {"float8", "Infinity", "<", "float8", "NaN"}, {"float8", "-0", "=", "float8", "0"},
      {"float4", "0.1", "=", "float8", "0.1"}, {"float4", "NaN", "=", "float4", "NaN"},
      {"int4", "1", "=", "float8", "1.0"}, {"int4", "2", "<", "numeric", "2.5"}, {"int2", "5", ">=", "int8", "5"},
      {"numeric", "1", "/", "numeric", "3"}, {"numeric", "10", "/", "numeric", "3"}, {"numeric", "2", "/", "numeric", "3.0"},
      {"numeric", "1.0", "/", "numeric", "7"}, {"numeric", "12345678901234567890", "/", "numeric", "7"},
      {"numeric", "0.001", "/", "numeric", "3"}, {"numeric", "2", "/", "numeric", "0.0000001"},
      {"numeric", "1", "/", "numeric", "0"}, {"numeric", "1.5", "%", "numeric", "0.7"}, {"numeric", "-7", "%", "numeric", "3"},
      {"numeric", "7", "%", "numeric", "-3"}, {"numeric", "0", "%", "numeric", "0"}, {"numeric", "1.23", "*", "numeric", "4.567"},
      {"numeric", "0.1", "+", "numeric", "0.22"}, {"numeric", "1e20", "+", "numeric", "1e-20"},
      {"numeric", "NaN", "+", "numeric", "1"}, {"numeric", "Infinity", "-", "numeric", "Infinity"},
      {"numeric", "Infinity", "*", "numeric", "0"}, {"numeric", "Infinity", "/", "numeric", "-2"},
      {"numeric", "5", "/", "numeric", "Infinity"}, {"numeric", "Infinity", "%", "numeric", "2"},
      {"numeric", "5", "%", "numeric", "-Infinity"}, {"numeric", "99999999999999999999999.9", "/", "numeric", "0.00000001"},
      {"numeric", "1.000000000000000000000", "/", "numeric", "3"}, {"numeric", "123456789.123456789", "*", "numeric", "987654321.987654321"},
      {"numeric", "1.0", "=", "numeric", "1.00"}, {"numeric", "NaN", "=", "numeric", "NaN"},
      {"numeric", "NaN", ">", "numeric", "Infinity"}, {"numeric", "-Infinity", "<", "numeric", "-1e100"},
      {"numeric", "9999", "/", "numeric", "10000"}, {"numeric", "10000", "/", "numeric", "9999"},
      {"numeric", "1", "/", "numeric", "100000000"}, {"numeric", "123456", "/", "numeric", "0.001"},
      {"numeric", "-1", "/", "numeric", "3"}, {"numeric", "2", "/", "numeric", "3"},
      {"numeric", "0.5", "-", "numeric", "0.5000"}, {"numeric", "-0.0", "*", "numeric", "5"},
      {"numeric", "1e-10", "/", "numeric", "3"}, {"numeric", "22", "/", "numeric", "7.00"},
      {"date", "2024-01-02", "+", "int4", "1"}, {"date", "2024-01-02", "-", "int4", "1"}, {"int4", "30", "+", "date", "2024-01-02"},
      {"date", "2024-03-01", "-", "date", "2024-01-01"}, {"date", "2024-01-02", "+", "int8", "1"},
      {"date", "infinity", "+", "int4", "1"}, {"date", "infinity", "-", "date", "2024-01-01"},
      {"date", "5874897-12-31", "+", "int4", "1"}, {"date", "2024-01-31", "+", "interval", "1 month"},
      {"date", "2024-01-02", "+", "time", "03:04:05"}, {"date", "2024-01-02", "-", "interval", "1 hour"},
      {"date", "2024-01-02", "<", "timestamp", "2024-01-02 00:00:01"}, {"date", "2024-01-02", "=", "timestamp", "2024-01-02"},
      {"timestamp", "2024-01-31 10:00", "+", "interval", "1 month"}, {"timestamp", "2024-03-31", "-", "interval", "1 month"},
      {"timestamp", "2024-01-02 03:04:05", "+", "interval", "1 year 2 mons 3 days 04:05:06"},
      {"timestamp", "2024-03-01 12:00", "-", "timestamp", "2024-01-01 00:00"},
      {"timestamp", "2024-01-01 00:00", "-", "timestamp", "2024-03-01 12:00:00.5"},
      {"timestamptz", "2024-01-02 03:04:05+00", "+", "interval", "1 day 1 hour"},
      {"timestamptz", "2024-01-02 03:04:05+00", "-", "timestamptz", "2023-12-25 00:00:00+02"},
      {"timestamp", "infinity", "+", "interval", "1 day"}, {"timestamp", "infinity", "-", "timestamp", "2024-01-01"},
      {"timestamp", "294276-12-31 23:59:59", "+", "interval", "1 day"},
      {"timestamp", "2024-02-29", "+", "interval", "1 year"}, {"timestamp", "2024-01-01", "+", "interval", "-13 mons"},
      {"timestamp", "2024-01-02 03:04:05", "<", "timestamptz", "2024-01-02 03:04:05+01"},
      {"interval", "1 day", "+", "interval", "02:00"}, {"interval", "1 mon", "-", "interval", "1 day 01:00"},
      {"interval", "1 day 02:00", "*", "float8", "1.5"}, {"interval", "1 mon", "*", "float8", "0.5"},
      {"interval", "1 mon", "/", "float8", "7"}, {"interval", "1 day", "/", "float8", "0"},
      {"interval", "1 year", "*", "int4", "3"}, {"interval", "1 hour", "*", "numeric", "2.5"},
      {"float8", "2", "*", "interval", "1 day 12:00"}, {"interval", "3 days 04:05:06.5", "/", "int4", "3"},
      {"interval", "1 mon 1 day", "*", "float8", "0.3"}, {"interval", "-1 mon", "*", "float8", "1.7"},
      {"interval", "1 day", "=", "interval", "24 hours"}, {"interval", "1 mon", "=", "interval", "30 days"},
      {"interval", "1 mon", ">", "interval", "29 days 23:59:59"}, {"interval", "-1 day", "<", "interval", "00:00:01"},
      {"time", "23:00", "+", "interval", "2 hours"}, {"time", "01:00", "-", "interval", "2 hours"},
      {"time", "12:00", "-", "time", "13:30"}, {"interval", "1 hour", "+", "time", "10:00"},
      {"time", "12:00", "<", "time", "12:00:00.000001"},
      {"text", "abc", "<", "text", "abd"}, {"text", "a", "<", "text", "B"}, {"text", "abc", "=", "varchar", "abc"},
      {"char(5)", "abc", "=", "char(3)", "abc"}, {"char(5)", "abc", "=", "text", "abc"}, {"text", "", "<", "text", "a"},
      {"text", "ä", ">", "text", "z"}, {"name", "abc", "=", "text", "abc"},
      {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "<", "uuid", "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {"bytea", "\\x00ff", "<", "bytea", "\\x01"}, {"bytea", "\\x00", ">", "bytea", "\\x"},
      {"bool", "true", ">", "bool", "false"}, {"bool", "true", "+", "bool", "false"},
      {"date", "2024-01-02", "*", "int4", "2"}, {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "+", "int4", "1"},
      {"oid", "4294967295", ">", "oid", "1"}, {"oid", "5", "=", "int4", "5"},
  };
  for (const char* a : {"0", "-1", "7", "123.45", "-0.001", "99999999999999999999", "1e-30"}) {
    for (const char* b : {"3", "-7", "0.3", "1e10", "-0.000007"}) {
      for (const char* op : {"+", "-", "*", "/", "%"}) c.push_back({"numeric", a, op, "numeric", b});
    }
  }
  return c;
}

Outcome OursOp(const OpCase& c, const SessionSettings& ss) {
  Result<Type> lt = ParseTypeSpec(c.lt);
  Result<Type> rt = ParseTypeSpec(c.rt);
  if (!lt.ok()) return FromStatus(lt.status());
  if (!rt.ok()) return FromStatus(rt.status());
  Result<Value> l = Literal(c.lv, *lt, ss);
  if (!l.ok()) return FromStatus(l.status());
  Result<Value> r = Literal(c.rv, *rt, ss);
  if (!r.ok()) return FromStatus(r.status());
  Type result;
  Result<Value> v = ApplyBinary(OpFromString(c.op), *l, *lt, *r, *rt, ss, &result);
  if (!v.ok()) return FromStatus(v.status());
  return FromValue(*v, result, ss);
}

TEST_F(OracleTest, Operators) {
  SessionSettings ss;
  Stats st;
  for (const OpCase& c : OperatorCases()) {
    std::string sql = std::string("SELECT ") + Quote(c.lv) + "::" + c.lt + " " + c.op + " " + Quote(c.rv) + "::" + c.rt;
    Check(&st, sql, oracle_->Query(sql, true), OursOp(c, ss), true);
  }
  Report("operators", st);
  EXPECT_EQ(st.passed, st.total);
}

TEST_F(OracleTest, AssignmentCasts) {
  // INSERT applies assignment casts: varchar(n)/char(n) fail instead of truncating.
  struct A {
    const char* column;
    const char* from;
    const char* value;
  };
  std::vector<A> cases = {
      {"varchar(3)", "text", "abcd"}, {"varchar(3)", "text", "abc  "}, {"varchar(3)", "text", "ab"},
      {"char(3)", "text", "abcd"}, {"char(3)", "text", "ab"}, {"char(3)", "text", "abc   "},
      {"numeric(5,2)", "numeric", "1234.5"}, {"numeric(5,2)", "int4", "999"}, {"int2", "int4", "40000"},
      {"int4", "float8", "2.5"}, {"int4", "numeric", "-2.5"}, {"varchar(2)", "int4", "123"},
      {"char(4)", "bool", "true"}, {"date", "timestamp", "2024-01-02 23:59"}, {"text", "int4", "5"},
      {"int4", "date", "2024-01-01"},
  };
  SessionSettings ss;
  Stats st;
  int n = 0;
  for (const A& a : cases) {
    std::string table = "assign_" + std::to_string(n++);
    oracle_->Exec("CREATE TEMP TABLE " + table + " (c " + a.column + ")");
    std::string sql = "INSERT INTO " + table + " VALUES (" + Quote(a.value) + "::" + a.from + ") RETURNING c";
    Outcome pg = oracle_->Query(sql, false);
    if (!pg.ok && pg.sqlstate == "42804") {
      // PG reports a missing assignment cast as a datatype mismatch at INSERT; we report the cast.
      pg.message = "column \"c\" is of type";
    }
    Outcome ours;
    Result<Type> ft = ParseTypeSpec(a.from);
    Result<Type> tt = ParseTypeSpec(a.column);
    Result<Value> v = Literal(a.value, *ft, ss);
    auto ctx = FindCast(ft->id, tt->id);
    if (!ctx || *ctx == CastContext::kExplicit) {
      ours.sqlstate = "42804";
      ours.message = "column \"c\" is of type";
    } else {
      Result<Value> out = CastValue(*v, *ft, *tt, false, ss);
      ours = out.ok() ? FromValue(*out, *tt, ss) : FromStatus(out.status());
    }
    Check(&st, sql, pg, ours, false);
  }
  Report("assignment casts", st);
  EXPECT_EQ(st.passed, st.total);
}

TEST_F(OracleTest, TimeZones) {
  Stats st;
  for (const char* zone : {"UTC", "+05:30", "5.5", "UTC+3", "-08:00", "-3", "GMT"}) {
    Result<TimeZone> tz = TimeZone::Parse(zone);
    ASSERT_TRUE(tz.ok()) << zone << ": " << tz.status().ToString();
    SessionSettings ss;
    ss.time_zone = *tz;
    oracle_->Exec(std::string("SET timezone = ") + Quote(zone));
    for (const char* in : {"2024-01-02 03:04:05", "2024-01-02 03:04:05+00", "2024-06-30 23:30:00-02",
                           "2024-01-01 00:00:00", "0001-01-01 00:00:00 BC", "infinity"}) {
      std::string sql = "SELECT " + Quote(in) + "::timestamptz";
      Check(&st, std::string("[") + zone + "] " + sql, oracle_->Query(sql, true), OursLiteral("timestamptz", in, ss), true);
    }
    for (const CastCase& c : std::vector<CastCase>{{"date", "2024-01-02", "timestamptz"},
                                                   {"timestamptz", "2024-01-02 03:04:05+00", "date"},
                                                   {"timestamptz", "2024-01-02 03:04:05+00", "timestamp"},
                                                   {"timestamptz", "2024-01-02 03:04:05+00", "time"},
                                                   {"timestamp", "2024-01-02 03:04:05", "timestamptz"},
                                                   {"timestamptz", "2024-01-02 03:04:05+00", "text"}}) {
      std::string sql = std::string("SELECT (") + Quote(c.value) + "::" + c.from + ")::" + c.to;
      Outcome ours;
      Result<Type> ft = ParseTypeSpec(c.from);
      Result<Type> tt = ParseTypeSpec(c.to);
      Result<Value> v = Literal(c.value, *ft, ss);
      Result<Value> out = v.ok() ? CastValue(*v, *ft, *tt, true, ss) : Result<Value>(v.status());
      ours = out.ok() ? FromValue(*out, *tt, ss) : FromStatus(out.status());
      Check(&st, std::string("[") + zone + "] " + sql, oracle_->Query(sql, true), ours, true);
    }
    OpCase add{"timestamptz", "2024-01-31 22:00:00+00", "+", "interval", "1 mon 1 day"};
    std::string sql = "SELECT '2024-01-31 22:00:00+00'::timestamptz + '1 mon 1 day'::interval";
    Check(&st, std::string("[") + zone + "] " + sql, oracle_->Query(sql, true), OursOp(add, ss), true);
  }
  oracle_->Exec("SET timezone = 'UTC'");
  Report("time zones", st);
  EXPECT_EQ(st.passed, st.total);
}

TEST_F(OracleTest, TypeNames) {
  Stats st;
  for (const char* spec : {"int4", "pg_catalog.int4", "varchar(0)", "varchar(10485761)", "numeric(0)", "numeric(5,1001)",
                           "numeric(1001)", "numeric(1,2,3)", "int4(3)", "char(0)", "foo", "pg_catalog.foo",
                           "numeric(10,2)", "varchar(7)", "char(5)", "timestamp(3)", "timestamptz(2)", "time(4)",
                           "interval(3)", "decimal(3)", "bigint", "double precision", "float(10)", "float(30)"}) {
    std::string sql = std::string("SELECT format_type(NULL::") + spec + " IS NULL AND true, NULL)";
    // Ask PG for the canonical name via a typed NULL.
    sql = std::string("SELECT pg_typeof(NULL::") + spec + ")::text || coalesce(' ' || format_type(atttypid, atttypmod), '') "
          "FROM (SELECT NULL::oid AS atttypid, NULL::int AS atttypmod) s";
    Outcome pg = oracle_->Query(std::string("CREATE TEMP TABLE tn (c ") + spec + ")", false);
    Outcome pgname;
    if (pg.ok || pg.sqlstate == "?????" || pg.sqlstate.empty()) {
      pgname = oracle_->Query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                              "WHERE attrelid = 'tn'::regclass AND attname = 'c'", false);
      oracle_->Exec("DROP TABLE tn");
    } else {
      pgname = pg;
    }
    Outcome ours;
    Result<Type> t = ParseTypeSpec(spec);
    if (t.ok()) {
      ours.ok = true;
      ours.text = FormatType(*t);
      ours.type_oid = pgname.type_oid;
    } else {
      ours = FromStatus(t.status());
    }
    Check(&st, std::string("type ") + spec, pgname, ours, false);
  }
  Report("type names", st);
  EXPECT_EQ(st.passed, st.total);
}

}  // namespace
}  // namespace nordlys::engine::types
