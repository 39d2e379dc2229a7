// Statement execution and comparison for the differential SQL test; see sql_diff.h.
#include "sql_diff.h"

#include <poll.h>

#include <algorithm>
#include <chrono>

namespace nordlys::sqltest {
namespace {

constexpr uint64_t kCancelGraceMs = 5000;  // after a cancel, how long the answer may take
constexpr size_t kCellWidthMax = 60;       // side-by-side columns are cut here

uint64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string KindName(Outcome::Kind k) {
  switch (k) {
    case Outcome::Kind::kCommand: return "command";
    case Outcome::Kind::kRows: return "rows";
    case Outcome::Kind::kError: return "error";
    case Outcome::Kind::kTimeout: return "timeout";
    case Outcome::Kind::kConnectionLost: return "connection lost";
  }
  return "?";
}

std::string RowText(const Row& r) {
  std::string out;
  for (size_t i = 0; i < r.size(); ++i) {
    if (i > 0) out += " | ";
    out += r[i] ? *r[i] : "<NULL>";
  }
  return out;
}

std::vector<Row> Sorted(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string Fit(std::string s, size_t width) {
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s + std::string(width - s.size(), ' ');
}

std::vector<std::string> Lines(const std::string& name, const Outcome& o, bool ordered,
                               size_t max_rows) {
  std::vector<std::string> out = {name + ": " + o.Summary()};
  if (o.kind != Outcome::Kind::kRows) return out;
  std::vector<Row> rows = ordered ? o.rows : Sorted(o.rows);
  for (size_t i = 0; i < rows.size() && i < max_rows; ++i) out.push_back("  " + RowText(rows[i]));
  if (rows.size() > max_rows) {
    out.push_back("  ... " + std::to_string(rows.size() - max_rows) + " more rows");
  }
  return out;
}

// Fills the outcome from a finished result. after_copy_out: the rows came as COPY data, and
// this is the "COPY n" that ends them.
void Absorb(PGresult* r, bool after_copy_out, Outcome* o) {
  switch (PQresultStatus(r)) {
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE: {
      o->kind = Outcome::Kind::kRows;
      o->tag = PQcmdStatus(r);
      o->column_names.clear();
      o->column_types.clear();
      o->rows.clear();
      for (int j = 0; j < PQnfields(r); ++j) {
        o->column_names.push_back(PQfname(r, j));
        o->column_types.push_back(PQftype(r, j));
      }
      for (int i = 0; i < PQntuples(r); ++i) {
        Row row;
        for (int j = 0; j < PQnfields(r); ++j) {
          if (PQgetisnull(r, i, j)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(r, i, j), PQgetlength(r, i, j)));
          }
        }
        o->rows.push_back(std::move(row));
      }
      return;
    }
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
      if (!after_copy_out) {
        o->kind = Outcome::Kind::kCommand;
        o->rows.clear();
      }
      o->tag = PQcmdStatus(r);
      return;
    default: {
      o->kind = Outcome::Kind::kError;
      const char* st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const char* msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      o->sqlstate = st ? st : "";
      o->message = msg ? msg : PQresultErrorMessage(r);
      o->tag.clear();
      o->rows.clear();
      o->column_names.clear();
      o->column_types.clear();
      return;
    }
  }
}

}  // namespace

std::string Outcome::Summary() const {
  switch (kind) {
    case Kind::kCommand: return "command " + tag;
    case Kind::kRows: {
      std::string cols;
      for (size_t i = 0; i < column_names.size(); ++i) {
        if (i > 0) cols += ", ";
        cols += column_names[i] + " " + std::to_string(column_types[i]);
      }
      return "rows " + tag + " (" + cols + ")";
    }
    case Kind::kError: return "error " + sqlstate + " " + message;
    case Kind::kTimeout:
    case Kind::kConnectionLost: return KindName(kind) + ": " + message;
  }
  return "?";
}

Result<std::unique_ptr<Session>> Session::Connect(const std::string& conninfo,
                                                  const std::string& dbname) {
  const char* keys[] = {"dbname", dbname.empty() ? nullptr : "dbname", nullptr};
  const char* values[] = {conninfo.c_str(), dbname.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string err = PQerrorMessage(c);
    PQfinish(c);
    return Status::Unavailable("connect to " + conninfo + " db " + dbname + ": " + err);
  }
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // notices are not compared
  return std::unique_ptr<Session>(new Session(c));
}

Session::~Session() { PQfinish(conn_); }

bool Session::alive() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Session::WaitReadable(uint64_t deadline_ms) {
  while (PQisBusy(conn_)) {
    uint64_t now = NowMs();
    if (now >= deadline_ms) return false;
    pollfd p{PQsocket(conn_), POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<uint64_t>(deadline_ms - now, 1000)));
    if (n < 0) return false;
    if (n > 0 && PQconsumeInput(conn_) == 0) return true;  // PQgetResult reports the loss
  }
  return true;
}

Outcome Session::Execute(const Statement& st, uint64_t timeout_ms) {
  uint64_t deadline = NowMs() + timeout_ms;
  if (st.protocol == Protocol::kPrepared) {
    // Parse (and Describe, which libpq sends with it) first, then Bind/Execute: a failure at
    // Parse is the statement's outcome.
    Outcome prepared;
    if (!alive() || PQsendPrepare(conn_, "", st.sql.c_str(), 0, nullptr) == 0) {
      prepared.kind = Outcome::Kind::kConnectionLost;
      prepared.message = PQerrorMessage(conn_);
      return prepared;
    }
    prepared = Collect(st, deadline, timeout_ms);
    if (prepared.kind != Outcome::Kind::kCommand) return prepared;
    if (PQsendQueryPrepared(conn_, "", 0, nullptr, nullptr, nullptr, 0) == 0) {
      prepared.kind = Outcome::Kind::kConnectionLost;
      prepared.message = PQerrorMessage(conn_);
      return prepared;
    }
    return Collect(st, deadline, timeout_ms);
  }
  int sent = st.protocol == Protocol::kExtended
                 ? PQsendQueryParams(conn_, st.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                                     0)
                 : PQsendQuery(conn_, st.sql.c_str());
  if (!alive() || sent == 0) {
    Outcome o;
    o.kind = Outcome::Kind::kConnectionLost;
    o.message = PQerrorMessage(conn_);
    return o;
  }
  return Collect(st, deadline, timeout_ms);
}

Outcome Session::Collect(const Statement& st, uint64_t deadline, uint64_t timeout_ms) {
  Outcome o;
  bool timed_out = false;
  bool copied_out = false;
  while (true) {
    if (!WaitReadable(deadline)) {
      if (timed_out || !alive()) break;
      timed_out = true;
      if (PGcancel* cancel = PQgetCancel(conn_)) {
        char err[256];
        (void)PQcancel(cancel, err, sizeof(err));
        PQfreeCancel(cancel);
      }
      deadline = NowMs() + kCancelGraceMs;
      continue;
    }
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) break;
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COPY_IN) {
      PQclear(r);
      bool sent = st.copy_data.empty() ||
                  PQputCopyData(conn_, st.copy_data.data(),
                                static_cast<int>(st.copy_data.size())) == 1;
      // A statement that is not COPY FROM STDIN in the corpus must not leave the server waiting.
      (void)PQputCopyEnd(conn_, sent && st.copy_in ? nullptr : "no COPY data in the script");
      continue;
    }
    if (s == PGRES_COPY_OUT) {
      PQclear(r);
      copied_out = true;
      o.kind = Outcome::Kind::kRows;
      o.column_names = {"<copy>"};
      o.column_types = {0};
      while (true) {
        char* buf = nullptr;
        int n = PQgetCopyData(conn_, &buf, /*async=*/1);
        if (n > 0) {
          std::string line(buf, n);
          if (!line.empty() && line.back() == '\n') line.pop_back();
          o.rows.push_back({line});
          PQfreemem(buf);
          continue;
        }
        if (n == 0) {
          if (NowMs() >= deadline) break;
          pollfd p{PQsocket(conn_), POLLIN, 0};
          (void)::poll(&p, 1, 100);
          if (PQconsumeInput(conn_) == 0) break;
          continue;
        }
        break;  // -1: done, -2: error; PQgetResult says which
      }
      continue;
    }
    Absorb(r, copied_out, &o);
    PQclear(r);
  }
  if (timed_out) {
    o.kind = Outcome::Kind::kTimeout;
    o.message = "no answer within " + std::to_string(timeout_ms) + " ms (cancelled)";
  } else if (!alive()) {
    o.kind = Outcome::Kind::kConnectionLost;
    o.message = PQerrorMessage(conn_);
  }
  return o;
}

std::string Session::Run(const std::string& sql, uint64_t timeout_ms) {
  Statement st;
  st.sql = sql;
  Outcome o = Execute(st, timeout_ms);
  if (o.kind == Outcome::Kind::kCommand || o.kind == Outcome::Kind::kRows) return "";
  return o.Summary();
}

std::string Compare(const Outcome& want, const Outcome& got, bool ordered) {
  if (want.kind != got.kind) {
    return "outcome: " + KindName(want.kind) + " vs " + KindName(got.kind) + " (" +
           got.Summary() + ")";
  }
  switch (want.kind) {
    case Outcome::Kind::kError:
      if (want.sqlstate != got.sqlstate) return "SQLSTATE " + want.sqlstate + " vs " + got.sqlstate;
      if (want.message != got.message) return "message [" + want.message + "] vs [" + got.message + "]";
      return "";
    case Outcome::Kind::kTimeout:
    case Outcome::Kind::kConnectionLost:
      return KindName(want.kind) + " on the reference";
    case Outcome::Kind::kCommand:
      if (want.tag != got.tag) return "command tag [" + want.tag + "] vs [" + got.tag + "]";
      return "";
    case Outcome::Kind::kRows:
      break;
  }
  if (want.tag != got.tag) return "command tag [" + want.tag + "] vs [" + got.tag + "]";
  if (want.column_names != got.column_names) {
    std::string w, g;
    for (const auto& n : want.column_names) w += (w.empty() ? "" : ", ") + n;
    for (const auto& n : got.column_names) g += (g.empty() ? "" : ", ") + n;
    return "column names (" + w + ") vs (" + g + ")";
  }
  for (size_t j = 0; j < want.column_types.size(); ++j) {
    if (want.column_types[j] != got.column_types[j]) {
      return "type OID of column " + want.column_names[j] + ": " +
             std::to_string(want.column_types[j]) + " vs " + std::to_string(got.column_types[j]);
    }
  }
  if (want.rows.size() != got.rows.size()) {
    return "row count " + std::to_string(want.rows.size()) + " vs " +
           std::to_string(got.rows.size());
  }
  std::vector<Row> w = ordered ? want.rows : Sorted(want.rows);
  std::vector<Row> g = ordered ? got.rows : Sorted(got.rows);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] != g[i]) {
      return std::string(ordered ? "row " : "sorted row ") + std::to_string(i + 1) + ": [" +
             RowText(w[i]) + "] vs [" + RowText(g[i]) + "]";
    }
  }
  return "";
}

std::string RenderSideBySide(const std::string& left_name, const Outcome& left,
                             const std::string& right_name, const Outcome& right, bool ordered,
                             size_t max_rows) {
  std::vector<std::string> l = Lines(left_name, left, ordered, max_rows);
  std::vector<std::string> r = Lines(right_name, right, ordered, max_rows);
  std::string out;
  for (size_t i = 0; i < std::max(l.size(), r.size()); ++i) {
    out += "    " + Fit(i < l.size() ? l[i] : "", kCellWidthMax) + " || " +
           (i < r.size() ? r[i] : "") + "\n";
  }
  return out;
}

}  // namespace nordlys::sqltest
