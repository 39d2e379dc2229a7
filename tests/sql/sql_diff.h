// Running one statement through libpq and comparing what two servers answered: the pieces of the
// differential SQL test (sql_diff_test.cc) that do not depend on which servers those are.
//
// What is compared: the kind of outcome (command, rows, error), the command tag, column names,
// column type OIDs, the rows as text (in order when the statement has a top-level ORDER BY,
// as sorted multisets otherwise), and for errors the SQLSTATE and the primary message.
//
// Thread safety: a Session is used by one thread; Compare/Render are pure.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sql_script.h"

namespace nordlys::sqltest {

using Row = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL

struct Outcome {
  enum class Kind { kCommand, kRows, kError, kTimeout, kConnectionLost };
  Kind kind = Kind::kCommand;
  std::string tag;  // PQcmdStatus: "INSERT 0 3", "SELECT 2", "COPY 4"
  std::vector<std::string> column_names;
  std::vector<uint32_t> column_types;
  std::vector<Row> rows;  // for COPY TO STDOUT: one single-column row per data line
  std::string sqlstate;
  std::string message;  // primary message of an error; what went wrong for the other kinds

  // One line: "rows SELECT 3 (a int4, b text)", "error 22012 division by zero", ...
  std::string Summary() const;
};

// A connection to one server.
class Session {
 public:
  // conninfo is a URI or key=value string; dbname, when not empty, overrides its database.
  static Result<std::unique_ptr<Session>> Connect(const std::string& conninfo,
                                                  const std::string& dbname);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends one statement by its protocol (and its COPY data), waits at most timeout_ms (then
  // cancels), and collects the outcome of its last result.
  Outcome Execute(const Statement& st, uint64_t timeout_ms);
  // Runs a statement whose outcome does not matter (setup and cleanup); its error or "".
  std::string Run(const std::string& sql, uint64_t timeout_ms);
  bool alive() const;

 private:
  explicit Session(PGconn* conn) : conn_(conn) {}
  // Reads the results of what was sent (feeding COPY data) until none is left.
  Outcome Collect(const Statement& st, uint64_t deadline_ms, uint64_t timeout_ms);
  // Waits until a result can be read without blocking; false on timeout or a lost connection.
  bool WaitReadable(uint64_t deadline_ms);
  PGconn* conn_;
};

// "" when `got` matches `want`; else one line naming the first difference.
std::string Compare(const Outcome& want, const Outcome& got, bool ordered);

// Both outcomes side by side, the first max_rows rows of each (sorted when !ordered), for a
// developer to act on.
std::string RenderSideBySide(const std::string& left_name, const Outcome& left,
                             const std::string& right_name, const Outcome& right, bool ordered,
                             size_t max_rows);

}  // namespace nordlys::sqltest
