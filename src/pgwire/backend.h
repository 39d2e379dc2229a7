// The seam between the PostgreSQL protocol server (pgwire) and the SQL engine. pgwire owns the
// socket, framing, authentication, message order and error recovery; the engine implements
// Backend and Session below and never sees a protocol message.
//
// Threading model: pgwire calls one Session from one worker thread at a time (calls for one
// connection never overlap), except Session::Cancel, which may come from any thread at any
// time. Session calls may block (page reads, commit waits): they run on pgwire's worker pool,
// never on an I/O thread. Results stream out through QuerySink as they are produced, so an
// executor never has to materialize a result set.
//
// Errors: every failure is a nordlys::Status; its sqlstate() is sent as the SQLSTATE. Detail,
// hint and position ride inside the Status message (WithErrorFields / ErrorFieldsOf below), and
// the engine parser's " @pos=N" suffix (engine::SyntaxErrorOf) is understood too.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace nordlys::pgwire {

// A PostgreSQL type OID (pg_type.oid). A few that tests and the server itself use:
using Oid = uint32_t;
inline constexpr Oid kOidUnspecified = 0;
inline constexpr Oid kOidBool = 16;
inline constexpr Oid kOidBytea = 17;
inline constexpr Oid kOidInt8 = 20;
inline constexpr Oid kOidInt2 = 21;
inline constexpr Oid kOidInt4 = 23;
inline constexpr Oid kOidText = 25;
inline constexpr Oid kOidFloat8 = 701;
inline constexpr Oid kOidVarchar = 1043;

// Wire format of one value: 0 text, 1 binary (PostgreSQL's format codes).
enum class Format : int16_t { kText = 0, kBinary = 1 };

// One column of a RowDescription.
struct FieldDescription {
  std::string name;
  Oid table_oid = 0;        // 0: not a table column
  int16_t column_number = 0;
  Oid type_oid = kOidText;
  int16_t type_size = -1;   // pg_type.typlen; negative: variable width
  int32_t type_modifier = -1;
  Format format = Format::kText;  // in Describe of a statement, always text (not yet known)
};
using RowDescription = std::vector<FieldDescription>;

// One value of a row or a parameter: nullopt is SQL NULL; otherwise bytes in the agreed format.
using WireValue = std::optional<std::string_view>;

// What the client sent in its startup packet, plus where it came from.
struct StartupInfo {
  std::string user;
  std::string database;
  std::string application_name;
  std::map<std::string, std::string> parameters;  // every startup parameter as sent
  std::string peer_address;                       // "127.0.0.1"
  int32_t process_id = 0;                         // as sent in BackendKeyData
};

// ReadyForQuery's transaction status byte.
enum class TransactionStatus : char {
  kIdle = 'I',         // not in a transaction block
  kInBlock = 'T',      // inside BEGIN ... COMMIT
  kFailed = 'E',       // inside a failed block: only ROLLBACK works
};

struct Notice {
  std::string severity = "NOTICE";  // NOTICE, WARNING, INFO, LOG, DEBUG
  std::string sqlstate = "00000";
  std::string message;
  std::string detail;
  std::string hint;
};

// Extra ErrorResponse fields carried inside a Status message after a 0x1E separator.
struct ErrorFields {
  std::string message;
  std::string detail;
  std::string hint;
  int position = 0;  // 1-based character position in the query; 0 = none
};
// Builds a SQL error with detail/hint/position: Status::Sql(code, sqlstate, encoded message).
Status SqlError(StatusCode code, std::string sqlstate, const ErrorFields& fields);
// Splits a Status message back into its fields (also understands the parser's " @pos=N").
ErrorFields ErrorFieldsOf(const Status& s);

enum class CopyFormat : int8_t { kText = 0, kBinary = 1 };

// Reads the client's COPY FROM STDIN stream. Returned by QuerySink::BeginCopyIn; valid until
// the Session call that asked for it returns.
class CopyInReader {
 public:
  virtual ~CopyInReader() = default;
  // Blocks for the next CopyData payload (any split of the stream, as the client sent it).
  // Returns true with *chunk set, false at CopyDone, or an error: 57014 when the client sent
  // CopyFail (its message included), 08P01 on a protocol violation, 08006 when it hung up.
  virtual Result<bool> Next(std::string* chunk) = 0;
};

// Where a Session sends results. Implemented by pgwire; only valid during the Session call it
// was passed to, and only from that call's thread. A non-OK Status from a Send* means the
// client is gone or not reading: stop and return that Status.
class QuerySink {
 public:
  virtual ~QuerySink() = default;
  // Simple query only: the columns of the statement about to send rows. (In the extended
  // protocol the client learns the columns from Describe; Execute sends rows only.)
  virtual Status SendRowDescription(const RowDescription& fields) = 0;
  // One row, each value in its column's format.
  virtual Status SendRow(std::span<const WireValue> values) = 0;
  // Simple query only: a statement finished ("SELECT 3", "INSERT 0 1", "BEGIN").
  // (Execute returns its tag in ExecuteResult instead.)
  virtual Status SendCommandComplete(std::string_view tag) = 0;
  // Simple query only: the query string held no statement at all.
  virtual Status SendEmptyQuery() = 0;
  virtual void SendNotice(const Notice& notice) = 0;
  // A run-time parameter the client tracks changed (SET application_name, SET TimeZone ...).
  virtual void SendParameterStatus(std::string_view name, std::string_view value) = 0;
  // COPY ... FROM STDIN: sends CopyInResponse and returns the reader of the client's data.
  // column_formats has one entry per column (all equal to `format` for text COPY).
  virtual Result<CopyInReader*> BeginCopyIn(CopyFormat format,
                                            const std::vector<Format>& column_formats) = 0;
  // COPY ... TO STDOUT: CopyOutResponse, then any number of SendCopyData, then EndCopyOut
  // (CopyDone); the command tag follows as usual ("COPY 3").
  virtual Status BeginCopyOut(CopyFormat format, const std::vector<Format>& column_formats) = 0;
  virtual Status SendCopyData(std::string_view bytes) = 0;
  virtual Status EndCopyOut() = 0;
};

// What Prepare and Describe(statement) report.
struct StatementDescription {
  std::vector<Oid> param_types;  // resolved; one per $n
  bool returns_rows = false;     // false: NoData
  RowDescription fields;         // formats are all text: not known before Bind
};

// What Describe(portal) reports: the columns with the formats chosen at Bind.
struct PortalDescription {
  bool returns_rows = false;
  RowDescription fields;
};

// Bind's inputs, already expanded by pgwire: one format per parameter and, when the client
// gave any result formats, one per result column or a single one for all (PostgreSQL's rules:
// empty = all text, one = all that, else one per column; checking the count is the engine's).
struct BindRequest {
  std::vector<Format> param_formats;       // size == params.size()
  std::vector<std::optional<std::string>> params;
  std::vector<Format> result_formats;      // as the client sent them (0, 1 or N entries)
};

struct ExecuteResult {
  bool suspended = false;    // the row limit was reached; the portal can be executed again
  bool empty_query = false;  // the statement was empty: EmptyQueryResponse
  std::string command_tag;   // when neither: "SELECT 5", "INSERT 0 1"
};

// One client session. See the threading model at the top of this file.
//
// Naming rules (the engine keeps the objects; pgwire does not second-guess them):
//   - "" is the unnamed statement / portal. Prepare("") and Bind("") replace the old one.
//   - Prepare with a name in use: 42P05; Bind to a portal name in use: 42P03; unknown
//     statement: 26000; unknown portal: 34000.
//   - Closing a name that does not exist is not an error.
//   - A simple query drops the unnamed statement and portal.
class Session {
 public:
  virtual ~Session() = default;

  // Runs every statement of `sql` in order, streaming each one's results to `sink`. Stops at
  // the first error and returns it (the engine rolls back / marks its transaction failed as
  // PostgreSQL does). An empty string calls sink->SendEmptyQuery().
  virtual Status SimpleQuery(std::string_view sql, QuerySink* sink) = 0;

  virtual Result<StatementDescription> Prepare(const std::string& name, std::string_view sql,
                                               const std::vector<Oid>& param_types) = 0;
  virtual Status Bind(const std::string& portal, const std::string& statement,
                      const BindRequest& request) = 0;
  virtual Result<StatementDescription> DescribeStatement(const std::string& name) = 0;
  virtual Result<PortalDescription> DescribePortal(const std::string& name) = 0;
  // Runs a bound portal, sending up to max_rows rows (0: all) through sink->SendRow (and COPY
  // hooks if the statement is a COPY). Sets suspended when rows remain.
  virtual Result<ExecuteResult> Execute(const std::string& portal, uint64_t max_rows,
                                        QuerySink* sink) = 0;
  virtual Status CloseStatement(const std::string& name) = 0;
  virtual Status ClosePortal(const std::string& name) = 0;
  // The client sent Sync: end the implicit transaction of an extended-query batch (commit it,
  // or roll it back if a message failed; `failed` says which). An error is sent to the client.
  virtual Status Sync(bool failed) = 0;

  // Asks the running statement to stop with 57014 "canceling statement due to user request".
  // Thread-safe; may be called from any thread, also while no statement runs (pgwire only
  // calls it while one does, but a race with the statement's end is possible).
  virtual void Cancel() = 0;

  virtual TransactionStatus transaction_status() const = 0;
  // Reported as is_superuser / session_authorization at startup.
  virtual bool is_superuser() const { return false; }
  // The session's value of a reported setting ("TimeZone") after its startup parameters were
  // applied, for the ParameterStatus messages after authentication; nullopt: the server's default.
  virtual std::optional<std::string> Setting(const std::string& name) const { return std::nullopt; }
};

// The engine as a whole. Thread-safe: called concurrently for different connections.
class Backend {
 public:
  virtual ~Backend() = default;

  // The stored password verifier of a role, for authentication: a plain password, "md5" + 32
  // hex digits (md5(password || user)), or "SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:
  // <ServerKey b64>" (PostgreSQL's pg_authid.rolpassword forms). NotFound: no such role, or no
  // password (pgwire then fails password auth without telling the client which).
  virtual Result<std::string> PasswordVerifier(const std::string& user) = 0;

  // A new session for an authenticated client. Errors are sent as FATAL (e.g. 3D000 "database
  // \"x\" does not exist") and the connection is closed.
  virtual Result<std::unique_ptr<Session>> Connect(const StartupInfo& startup) = 0;
};

}  // namespace nordlys::pgwire
