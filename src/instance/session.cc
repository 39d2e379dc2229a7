// See session.h.
#include "instance/session.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/parser.h"
#include "engine/parse_cache.h"
#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"
#include "engine/types/datetime.h"
#include "engine/types/scalar_io.h"
#include "engine/types/type_io.h"
#include "engine/sql/catalog/system_views.h"
#include "instance/session_settings.h"
#include "pgwire/auth.h"
#include "instance/statement_timer.h"

namespace nordlys::instance {
namespace {

using engine::sql::ExecContext;
using engine::sql::ResultColumn;
using engine::sql::SqlError;
using engine::sql::StatementInfo;
using engine::sql::Unsupported;
using engine::types::Type;
using engine::types::TypeId;
using engine::types::Value;
using Json = nlohmann::json;
namespace storage = engine::storage;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

pgwire::RowDescription Describe(const std::vector<ResultColumn>& cols, const std::vector<pgwire::Format>& formats) {
  pgwire::RowDescription rd;
  for (size_t i = 0; i < cols.size(); ++i) {
    pgwire::FieldDescription f;
    f.name = cols[i].name;
    f.table_oid = cols[i].table_oid;
    f.column_number = cols[i].attnum;
    f.type_oid = cols[i].type.oid();
    f.type_size = engine::types::TypeLength(cols[i].type.id);
    f.type_modifier = cols[i].type.typmod;
    f.format = i < formats.size() ? formats[i] : pgwire::Format::kText;
    rd.push_back(std::move(f));
  }
  return rd;
}

// Per-column output formats from Bind's result format codes (PG's rules).
Result<std::vector<pgwire::Format>> ResultFormats(const std::vector<pgwire::Format>& req, size_t ncols) {
  if (req.empty()) return std::vector<pgwire::Format>(ncols, pgwire::Format::kText);
  if (req.size() == 1) return std::vector<pgwire::Format>(ncols, req[0]);
  if (req.size() != ncols) {
    return SqlError("08P01", "bind message has " + std::to_string(req.size()) + " result formats but query has " +
                                 std::to_string(ncols) + " columns");
  }
  return req;
}

class CopyInAdapter final : public engine::sql::CopyInSource {
 public:
  explicit CopyInAdapter(pgwire::CopyInReader* r) : r_(r) {}
  Result<bool> Next(std::string* chunk) override { return r_->Next(chunk); }

 private:
  pgwire::CopyInReader* r_;
};

// Statement output over a QuerySink: values converted to the wire formats; in the simple
// protocol the RowDescription is sent too. With max_rows, rows beyond the limit are kept for
// the portal's next Execute.
class SinkOutput final : public engine::sql::StatementOutput {
 public:
  SinkOutput(pgwire::QuerySink* sink, bool simple, std::vector<pgwire::Format> formats,
             const engine::sql::SessionInfo* info)
      : sink_(sink), simple_(simple), formats_(std::move(formats)), info_(info) {}

  Status Columns(const std::vector<ResultColumn>& columns) override {
    types_.clear();
    for (const auto& c : columns) types_.push_back(c.type);
    if (formats_.size() < columns.size()) formats_.resize(columns.size(), pgwire::Format::kText);
    if (simple_) return sink_->SendRowDescription(Describe(columns, formats_));
    return Status::OK();
  }
  Status Row(const engine::sql::Row& row) override {
    if (buffer_ != nullptr) {
      buffer_->push_back(row);
      return Status::OK();
    }
    return SendRow(row);
  }
  Status SendRow(const engine::sql::Row& row) {
    texts_.resize(row.size());
    values_.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].is_null()) {
        values_[i] = std::nullopt;
        continue;
      }
      const Type& t = i < types_.size() ? types_[i] : Type(TypeId::kText);
      texts_[i] = formats_[i] == pgwire::Format::kBinary ? engine::types::SendValue(row[i], t)
                                                          : engine::types::OutputValue(row[i], t, info_->settings);
      values_[i] = texts_[i];
    }
    return sink_->SendRow(values_);
  }
  void Notice(const std::string& severity, const std::string& sqlstate, const std::string& message) override {
    pgwire::Notice n;
    n.severity = severity;
    n.sqlstate = sqlstate;
    n.message = message;
    sink_->SendNotice(n);
  }
  Result<engine::sql::CopyInSource*> BeginCopyIn(size_t columns) override {
    NORDLYS_ASSIGN_OR_RETURN(pgwire::CopyInReader * r,
                             sink_->BeginCopyIn(pgwire::CopyFormat::kText,
                                                std::vector<pgwire::Format>(columns, pgwire::Format::kText)));
    copy_in_ = std::make_unique<CopyInAdapter>(r);
    return copy_in_.get();
  }
  Status BeginCopyOut(size_t columns) override {
    return sink_->BeginCopyOut(pgwire::CopyFormat::kText, std::vector<pgwire::Format>(columns, pgwire::Format::kText));
  }
  Status CopyData(std::string_view bytes) override { return sink_->SendCopyData(bytes); }
  Status EndCopyOut() override { return sink_->EndCopyOut(); }

  void set_buffer(std::vector<engine::sql::Row>* b) { buffer_ = b; }
  void set_types(std::vector<Type> t) { types_ = std::move(t); }

 private:
  pgwire::QuerySink* sink_;
  bool simple_;
  std::vector<pgwire::Format> formats_;
  const engine::sql::SessionInfo* info_;
  std::vector<Type> types_;
  std::vector<std::string> texts_;
  std::vector<pgwire::WireValue> values_;
  std::unique_ptr<CopyInAdapter> copy_in_;
  std::vector<engine::sql::Row>* buffer_ = nullptr;
};

struct Prepared {
  std::string sql;
  Json stmt;  // one element of "stmts"; null for an empty query
  StatementInfo info;
};

struct Portal {
  std::shared_ptr<const Prepared> prepared;
  std::vector<Value> params;
  std::vector<pgwire::Format> formats;
  bool started = false;
  std::vector<engine::sql::Row> rows;  // buffered results of a row-limited Execute
  size_t pos = 0;
  std::string tag;
};

// The startup packet's "options": words split at unescaped whitespace (a backslash escapes the
// next character); "-c name=value", "-cname=value" and "--name=value" set name (dashes in it
// read as underscores, as PostgreSQL does). Other switches are errors, as in PostgreSQL.
Status ParseStartupOptions(std::string_view options, std::vector<std::pair<std::string, std::string>>* out) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < options.size(); ++i) {
    char c = options[i];
    if (c == '\\' && i + 1 < options.size()) {
      cur += options[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  auto setting = [&](const std::string& word, const std::string& shown) -> Status {
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      return engine::sql::SqlError("42601", shown + " requires a value");
    }
    std::string name = word.substr(0, eq);
    std::replace(name.begin(), name.end(), '-', '_');
    out->emplace_back(std::move(name), word.substr(eq + 1));
    return Status::OK();
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "-c") {
      if (i + 1 == words.size()) return engine::sql::SqlError("42601", "-c requires a value");
      ++i;
      NORDLYS_RETURN_IF_ERROR(setting(words[i], "-c " + words[i]));
    } else if (w.size() > 2 && w.compare(0, 2, "-c") == 0) {
      NORDLYS_RETURN_IF_ERROR(setting(w.substr(2), w));
    } else if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
      NORDLYS_RETURN_IF_ERROR(setting(w.substr(2), w));
    } else {
      engine::sql::ErrorExtra extra;
      extra.hint = "Try \"postgres --help\" for more information.";
      return engine::sql::SqlError("42601", "invalid command-line argument for server process: " + w, extra);
    }
  }
  return Status::OK();
}

class SqlSession final : public pgwire::Session {
 public:
  SqlSession(engine::sql::SqlEngine* engine, const pgwire::StartupInfo& startup, int32_t pid, bool superuser = true)
      : engine_(engine), db_(engine->db()), superuser_(superuser) {
    info_.user = startup.user;
    info_.database = startup.database.empty() ? startup.user : startup.database;
    info_.backend_pid = startup.process_id != 0 ? startup.process_id : pid;
    settings_.InitInfo(&info_);
  }

  // The settings in a client's "options" parameter ("-c name=value", "--name=value"), then
  // those it sent in its startup packet. A bad value fails the connection, as in PostgreSQL (a
  // session silently left in UTC when the client asked for 'Europe/Oslo' would be a wrong
  // answer); a parameter Nordlys does not know is ignored (PostgreSQL knows many more).
  Status ApplyStartup(const pgwire::StartupInfo& startup) {
    // As PostgreSQL: the options first, so that a parameter of the packet itself wins.
    std::vector<std::pair<std::string, std::string>> settings;
    for (const auto& [k, v] : startup.parameters) {
      if (Lower(k) == "options") NORDLYS_RETURN_IF_ERROR(ParseStartupOptions(v, &settings));
    }
    for (const auto& [k, v] : startup.parameters) {
      std::string lk = Lower(k);
      if (lk == "user" || lk == "database" || lk == "replication" || lk == "options") continue;
      settings.emplace_back(k, v);
    }
    for (const auto& [k, v] : settings) {
      std::optional<std::pair<std::string, std::string>> report;
      Status s = settings_.Set(k, v, &info_, &report);
      if (!s.ok() && s.sqlstate() != "42704") return s;
    }
    return Status::OK();
  }

  std::optional<std::string> Setting(const std::string& name) const override {
    // Only what a client can set at startup; the rest (is_superuser, read-only on a reader, the
    // encodings) pgwire knows better than the settings table's defaults.
    if (name != "TimeZone" && name != "DateStyle" && name != "IntervalStyle" && name != "application_name") {
      return std::nullopt;
    }
    auto v = settings_.Show(name, info_);
    if (!v.ok()) return std::nullopt;
    return *v;
  }

  ~SqlSession() override {
    if (txn_) (void)EndTxn(false);
  }

  // --- simple query ---
  Status SimpleQuery(std::string_view sql_view, pgwire::QuerySink* sink) override {
    statements_.erase("");
    portals_.erase("");
    cancel_ = 0;
    std::string sql(sql_view);
    auto tree = parse_cache_.Parse(sql);
    if (!tree.ok()) {
      MarkFailed();
      return tree.status();
    }
    const Json& stmts = (**tree)["stmts"];
    if (stmts.empty()) return sink->SendEmptyQuery();
    bool multi = stmts.size() > 1;
    for (const auto& stmt : stmts) {
      if (!stmt.contains("stmt")) continue;
      SinkOutput out(sink, /*simple=*/true, {}, &info_);
      auto tag = RunStatement(stmt, sql, {}, {}, &out, sink, multi);
      if (!tag.ok()) {
        FailStatement();
        return tag.status();
      }
      NORDLYS_RETURN_IF_ERROR(sink->SendCommandComplete(*tag));
    }
    if (!in_block_ && txn_) return EndTxn(true);
    return Status::OK();
  }

  // --- extended protocol ---
  Result<pgwire::StatementDescription> Prepare(const std::string& name, std::string_view sql_view,
                                               const std::vector<pgwire::Oid>& param_types) override {
    if (!name.empty() && statements_.count(name)) {
      return SqlError("42P05", "prepared statement \"" + name + "\" already exists");
    }
    auto p = std::make_shared<Prepared>();
    p->sql = std::string(sql_view);
    auto tree = parse_cache_.Parse(p->sql);
    if (!tree.ok()) return tree.status();
    const Json& stmts = (**tree)["stmts"];
    if (stmts.size() > 1) return SqlError("42601", "cannot insert multiple commands into a prepared statement");
    std::vector<Type> types;
    for (auto oid : param_types) {
      if (oid == 0) {
        types.push_back(Type(TypeId::kUnknown));
      } else if (!engine::types::IsKnownTypeOid(oid)) {
        return Unsupported("parameter type with OID " + std::to_string(oid));
      } else {
        types.push_back(Type(static_cast<TypeId>(oid)));
      }
    }
    if (!stmts.empty()) {
      p->stmt = stmts[0];
      if (failed_ && !IsTransactionExit(p->stmt)) return AbortedError();
      NORDLYS_ASSIGN_OR_RETURN(p->info, DescribeStmt(p->stmt, p->sql, types));
    }
    statements_[name] = p;
    return ToWire(p->info);
  }

  Status Bind(const std::string& portal, const std::string& statement, const pgwire::BindRequest& req) override {
    if (!portal.empty() && portals_.count(portal)) {
      return SqlError("42P03", "cursor \"" + portal + "\" already exists");
    }
    auto it = statements_.find(statement);
    if (it == statements_.end()) {
      return SqlError("26000", "prepared statement \"" + statement + "\" does not exist");
    }
    const auto& p = it->second;
    if (failed_ && !p->stmt.is_null() && !IsTransactionExit(p->stmt)) return AbortedError();
    size_t want = p->info.param_types.size();
    if (req.params.size() != want) {
      return SqlError("08P01", "bind message supplies " + std::to_string(req.params.size()) +
                                   " parameters, but prepared statement \"" + statement + "\" requires " +
                                   std::to_string(want));
    }
    Portal po;
    po.prepared = p;
    for (size_t i = 0; i < want; ++i) {
      const auto& raw = req.params[i];
      if (!raw) {
        po.params.push_back(Value());
        continue;
      }
      const Type& t = p->info.param_types[i];
      Result<Value> v = req.param_formats[i] == pgwire::Format::kBinary
                            ? engine::types::RecvValue(*raw, t)
                            : engine::types::InputValue(*raw, t, info_.settings);
      if (!v.ok()) return v.status();
      po.params.push_back(std::move(*v));
    }
    NORDLYS_ASSIGN_OR_RETURN(po.formats, ResultFormats(req.result_formats, p->info.columns.size()));
    portals_[portal] = std::move(po);
    return Status::OK();
  }

  Result<pgwire::StatementDescription> DescribeStatement(const std::string& name) override {
    auto it = statements_.find(name);
    if (it == statements_.end()) return SqlError("26000", "prepared statement \"" + name + "\" does not exist");
    return ToWire(it->second->info);
  }

  Result<pgwire::PortalDescription> DescribePortal(const std::string& name) override {
    auto it = portals_.find(name);
    if (it == portals_.end()) return SqlError("34000", "portal \"" + name + "\" does not exist");
    pgwire::PortalDescription d;
    d.returns_rows = it->second.prepared->info.returns_rows;
    d.fields = Describe(it->second.prepared->info.columns, it->second.formats);
    return d;
  }

  Result<pgwire::ExecuteResult> Execute(const std::string& name, uint64_t max_rows, pgwire::QuerySink* sink) override {
    auto it = portals_.find(name);
    if (it == portals_.end()) return SqlError("34000", "portal \"" + name + "\" does not exist");
    Portal& po = it->second;
    pgwire::ExecuteResult result;
    if (po.prepared->stmt.is_null()) {
      result.empty_query = true;
      return result;
    }
    cancel_ = 0;
    SinkOutput out(sink, /*simple=*/false, po.formats, &info_);
    std::vector<Type> col_types;
    for (const auto& c : po.prepared->info.columns) col_types.push_back(c.type);
    out.set_types(col_types);
    if (!po.started) {
      po.started = true;
      if (max_rows > 0) out.set_buffer(&po.rows);
      auto tag = RunStatement(po.prepared->stmt, po.prepared->sql, po.prepared->info.param_types, po.params, &out,
                              sink, false);
      if (!tag.ok()) {
        FailStatement();
        return tag.status();
      }
      po.tag = *tag;
      out.set_buffer(nullptr);
      if (max_rows == 0) {
        result.command_tag = po.tag;
        return result;
      }
    }
    // Serve buffered rows.
    uint64_t sent = 0;
    while (po.pos < po.rows.size() && (max_rows == 0 || sent < max_rows)) {
      NORDLYS_RETURN_IF_ERROR(out.SendRow(po.rows[po.pos++]));
      ++sent;
    }
    if (po.pos < po.rows.size()) {
      result.suspended = true;
      return result;
    }
    result.command_tag = po.tag;
    return result;
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
    if (in_block_) return Status::OK();
    if (txn_) return EndTxn(!failed);
    return Status::OK();
  }

  void Cancel() override { cancel_ = static_cast<uint8_t>(storage::CancelReason::kUserRequest); }

  pgwire::TransactionStatus transaction_status() const override {
    if (failed_) return pgwire::TransactionStatus::kFailed;
    if (in_block_) return pgwire::TransactionStatus::kInBlock;
    return pgwire::TransactionStatus::kIdle;
  }
  bool is_superuser() const override { return superuser_; }

 private:
  static Status AbortedError() {
    return SqlError("25P02", "current transaction is aborted, commands ignored until end of transaction block");
  }

  static std::pair<std::string, const Json*> Kind(const Json& stmt) {
    return engine::sql::NodeOf(stmt["stmt"]);
  }

  static bool IsTransactionExit(const Json& stmt) {
    auto [kind, body] = Kind(stmt);
    if (kind != "TransactionStmt") return false;
    std::string k = body->value("kind", "");
    return k == "TRANS_STMT_COMMIT" || k == "TRANS_STMT_ROLLBACK" || k == "TRANS_STMT_ROLLBACK_TO" ||
           k == "TRANS_STMT_PREPARE" || k == "TRANS_STMT_COMMIT_PREPARED" || k == "TRANS_STMT_ROLLBACK_PREPARED";
  }

  static pgwire::StatementDescription ToWire(const StatementInfo& info) {
    pgwire::StatementDescription d;
    for (const auto& t : info.param_types) d.param_types.push_back(t.oid());
    d.returns_rows = info.returns_rows;
    d.fields = Describe(info.columns, {});
    return d;
  }

  // Error in a statement: a block becomes failed; an implicit transaction rolls back.
  void FailStatement() {
    if (in_block_) {
      MarkFailed();
    } else if (txn_) {
      (void)EndTxn(false);
    }
  }
  void MarkFailed() {
    if (!in_block_) return;
    failed_ = true;
    // With a savepoint, ROLLBACK TO may still bring the block back: keep the transaction (its
    // failed statement's changes carry a subxid that ROLLBACK TO aborts).
    if (txn_ && txn_->savepoint_count() > 0) return;
    if (txn_) {
      // Release row locks now, as PG's AbortTransaction does; ROLLBACK only ends the block.
      db_->Abort(txn_.get());
      engine_->catalog()->EndTransaction(&cat_state_, false);
      txn_.reset();
    }
  }

  void EnsureTxn() {
    if (txn_) return;
    txn_ = db_->Begin(next_isolation_);
    txn_->cancel = &cancel_;
    txn_timestamp_ = engine::sql::NowTimestamp();
    info_.gucs["transaction_read_only"] =
        next_read_only_ ? (*next_read_only_ ? "on" : "off") : info_.gucs["default_transaction_read_only"];
    next_read_only_.reset();
  }

  // SET TRANSACTION READ ONLY / READ WRITE, or SET transaction_read_only: for the running
  // transaction; outside one it has no effect beyond the SET itself, as in PostgreSQL.
  Status SetTransactionReadOnly(bool on) {
    if (!txn_) return Status::OK();  // outside a transaction it lasts only for the SET itself
    if (!on && info_.gucs["transaction_read_only"] == "on" && txn_->command_id() > 0) {
      return SqlError("25001", "transaction read-write mode must be set before any query");
    }
    info_.gucs["transaction_read_only"] = on ? "on" : "off";
    return Status::OK();
  }

  Status EndTxn(bool commit) {
    Status s;
    if (txn_) {
      if (commit) {
        s = db_->Commit(txn_.get());
      } else {
        db_->Abort(txn_.get());
      }
      engine_->catalog()->EndTransaction(&cat_state_, commit && s.ok());
      txn_.reset();
    }
    // Settings: a rolled-back block forgets its SETs; a committed one keeps them but not its
    // SET LOCALs.
    if (in_block_ && (!commit || !s.ok() || failed_) && block_start_info_) {
      info_ = *block_start_info_;
    } else if (session_level_info_) {
      info_ = *session_level_info_;
    }
    block_start_info_.reset();
    session_level_info_.reset();
    savepoints_.clear();
    in_block_ = false;
    failed_ = false;
    next_isolation_ = DefaultIsolation();
    info_.gucs["transaction_read_only"] = info_.gucs["default_transaction_read_only"];
    return s;
  }

  storage::Isolation DefaultIsolation() const {
    auto it = info_.gucs.find("default_transaction_isolation");
    return it != info_.gucs.end() && it->second == "repeatable read" ? storage::Isolation::kRepeatableRead
                                                                     : storage::Isolation::kReadCommitted;
  }

  Result<StatementInfo> DescribeStmt(const Json& stmt, const std::string& sql, const std::vector<Type>& types) {
    auto [kind, body] = Kind(stmt);
    StatementInfo info;
    if (kind == "VariableShowStmt") {
      std::string name = body->value("name", "");
      info.returns_rows = true;
      info.columns = {{Settings::DisplayName(Lower(name)) == Lower(name) ? Lower(name) : Lower(name), Type(TypeId::kText)}};
      return info;
    }
    if (kind == "TransactionStmt" || kind == "VariableSetStmt" || kind == "DiscardStmt" || kind == "DeallocateStmt") {
      return info;
    }
    ExecContext ctx;
    ctx.db = db_;
    ctx.txn = txn_.get();
    ctx.catalog = engine_->catalog();
    ctx.cat_state = &cat_state_;
    ctx.session = &info_;
    NORDLYS_ASSIGN_OR_RETURN(ctx.snap, engine_->catalog()->Snapshot(txn_.get(), &cat_state_));
    namer_.Reset(ctx.snap);  // reg* values read and print against what this statement sees
    info_.settings.oid_namer = &namer_;
    return engine_->Describe(stmt, sql, types, &ctx);
  }

  // Runs one statement (transaction control, settings, or an engine statement).
  Result<std::string> RunStatement(const Json& stmt, const std::string& sql, const std::vector<Type>& param_types,
                                   const std::vector<Value>& params, SinkOutput* out, pgwire::QuerySink* sink,
                                   bool multi) {
    auto [kind, body] = Kind(stmt);
    if (failed_ && !IsTransactionExit(stmt)) return AbortedError();
    if (kind == "TransactionStmt") return RunTransactionStmt(*body, out);
    if (kind == "VariableSetStmt") return RunSet(*body, sql, sink);
    if (kind == "VariableShowStmt") {
      std::string name = body->value("name", "");
      if (Lower(name) == "all") return Unsupported("SHOW ALL");
      std::string lname = Lower(name);
      if (lname == "transaction isolation level") lname = "transaction_isolation";
      NORDLYS_ASSIGN_OR_RETURN(std::string v, settings_.Show(lname, info_));
      if (lname == "transaction_read_only" && !txn_) v = info_.gucs["default_transaction_read_only"];
      if (lname == "transaction_isolation" && txn_) {
        v = txn_->isolation() == storage::Isolation::kRepeatableRead ? "repeatable read" : "read committed";
      }
      NORDLYS_RETURN_IF_ERROR(out->Columns({{Settings::CanonicalName(lname), Type(TypeId::kText)}}));
      NORDLYS_RETURN_IF_ERROR(out->Row({Value::String(v)}));
      return std::string("SHOW");
    }
    if (kind == "DiscardStmt") {
      if (in_block_) return SqlError("25001", "DISCARD ALL cannot run inside a transaction block");
      std::string target = body->value("target", "");
      if (target == "DISCARD_ALL") {
        statements_.clear();
        portals_.clear();
        currvals_.clear();
        engine::sql::SessionInfo fresh;
        fresh.user = info_.user;
        fresh.database = info_.database;
        fresh.backend_pid = info_.backend_pid;
        settings_.InitInfo(&fresh);
        info_ = fresh;
        return std::string("DISCARD ALL");
      }
      if (target == "DISCARD_SEQUENCES") {
        currvals_.clear();
        return std::string("DISCARD SEQUENCES");
      }
      return std::string(target == "DISCARD_PLANS" ? "DISCARD PLANS" : "DISCARD TEMP");
    }
    if (kind == "DeallocateStmt") {
      if (body->contains("name")) {
        std::string n = (*body)["name"].get<std::string>();
        if (!statements_.count(n)) return SqlError("26000", "prepared statement \"" + n + "\" does not exist");
        statements_.erase(n);
      } else {
        statements_.clear();
      }
      return std::string("DEALLOCATE") + (body->contains("name") ? "" : " ALL");
    }
    if (kind == "PrepareStmt" || kind == "ExecuteStmt") return Unsupported("SQL-level PREPARE/EXECUTE");
    if (engine::sql::SqlEngine::NeedsNoTransactionBlock(stmt) && (in_block_ || multi)) {
      return SqlError("25001", "VACUUM cannot run inside a transaction block");
    }
    EnsureTxn();
    db_->BeginStatement(txn_.get());
    ExecContext ctx;
    ctx.db = db_;
    ctx.txn = txn_.get();
    ctx.catalog = engine_->catalog();
    ctx.cat_state = &cat_state_;
    ctx.session = &info_;
    ctx.params = params;
    ctx.txn_timestamp = txn_timestamp_;
    ctx.stmt_timestamp = engine::sql::NowTimestamp();
    ctx.cancel = &cancel_;
    ctx.currvals = &currvals_;
    NORDLYS_ASSIGN_OR_RETURN(ctx.snap, engine_->catalog()->Snapshot(txn_.get(), &cat_state_));
    namer_.Reset(ctx.snap);  // reg* values read and print against what this statement sees
    info_.settings.oid_namer = &namer_;
    std::vector<Type> types = param_types;
    if (types.empty() && !params.empty()) types.assign(params.size(), Type(TypeId::kText));
    info_.read_only_transaction = info_.gucs["transaction_read_only"] == "on";
    ScopedStatementTimeout timeout(StatementTimeoutMs(info_), &cancel_);
    return engine_->Execute(stmt, sql, types, &ctx, out);
  }

  Result<std::string> RunTransactionStmt(const Json& b, SinkOutput* out) {
    std::string k = b.value("kind", "");
    if (k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START") {
      if (in_block_) {
        out->Notice("WARNING", "25001", "there is already a transaction in progress");
        return std::string(k == "TRANS_STMT_BEGIN" ? "BEGIN" : "START TRANSACTION");
      }
      storage::Isolation iso = DefaultIsolation();
      if (b.contains("options")) {
        for (const auto& o : b["options"]) {
          const Json& de = o["DefElem"];
          std::string name = de.value("defname", "");
          std::string v;
          if (de.contains("arg") && de["arg"].contains("A_Const")) {
            const Json& c = de["arg"]["A_Const"];
            if (c.contains("sval")) v = c["sval"].value("sval", "");
            if (c.contains("ival")) v = std::to_string(c["ival"].value("ival", 0));
          }
          if (name == "transaction_isolation") {
            if (v == "serializable") return Unsupported("SERIALIZABLE isolation");
            iso = v == "repeatable read" ? storage::Isolation::kRepeatableRead : storage::Isolation::kReadCommitted;
          } else if (name == "transaction_read_only") {
            next_read_only_ = v == "1";
          } else if (name == "transaction_deferrable") {
          }
        }
      }
      if (txn_ && txn_->isolation() != iso && txn_->read_only()) {
        // An implicit transaction from earlier statements of this query: restart it with the
        // requested isolation if it has done nothing.
        (void)EndTxn(true);
      }
      next_isolation_ = iso;
      in_block_ = true;
      block_start_info_ = info_;
      EnsureTxn();
      return std::string(k == "TRANS_STMT_BEGIN" ? "BEGIN" : "START TRANSACTION");
    }
    if (k == "TRANS_STMT_COMMIT") {
      if (!in_block_) {
        out->Notice("WARNING", "25P01", "there is no transaction in progress");
        if (txn_) NORDLYS_RETURN_IF_ERROR(EndTxn(true));
        return std::string("COMMIT");
      }
      bool was_failed = failed_;
      NORDLYS_RETURN_IF_ERROR(EndTxn(!was_failed));
      return std::string(was_failed ? "ROLLBACK" : "COMMIT");
    }
    if (k == "TRANS_STMT_ROLLBACK") {
      if (!in_block_) out->Notice("WARNING", "25P01", "there is no transaction in progress");
      (void)EndTxn(false);
      return std::string("ROLLBACK");
    }
    if (k == "TRANS_STMT_SAVEPOINT" || k == "TRANS_STMT_RELEASE" || k == "TRANS_STMT_ROLLBACK_TO") {
      return RunSavepointStmt(k, b.value("savepoint_name", ""));
    }
    return Unsupported("two-phase commit");
  }

  // SAVEPOINT, RELEASE and ROLLBACK TO: subtransactions (Database::Savepoint). Settings and the
  // transaction's view of the catalog go back with ROLLBACK TO as well.
  Result<std::string> RunSavepointStmt(const std::string& k, const std::string& name) {
    const char* what = k == "TRANS_STMT_SAVEPOINT" ? "SAVEPOINT" : k == "TRANS_STMT_RELEASE" ? "RELEASE SAVEPOINT"
                                                                                           : "ROLLBACK TO SAVEPOINT";
    if (!in_block_) return SqlError("25P01", std::string(what) + " can only be used in transaction blocks");
    if (k == "TRANS_STMT_SAVEPOINT") {
      EnsureTxn();
      db_->Savepoint(txn_.get(), name);
      savepoints_.push_back({name, info_, session_level_info_, cat_state_.own});
      return std::string("SAVEPOINT");
    }
    if (!txn_) {
      // The block failed before any savepoint existed: there is nothing to go back to.
      return SqlError("3B001", "savepoint \"" + name + "\" does not exist");
    }
    size_t i = savepoints_.size();
    while (i > 0 && savepoints_[i - 1].name != name) --i;
    if (k == "TRANS_STMT_RELEASE") {
      NORDLYS_RETURN_IF_ERROR(db_->ReleaseSavepoint(txn_.get(), name));
      savepoints_.resize(i - 1);
      return std::string("RELEASE");
    }
    NORDLYS_RETURN_IF_ERROR(db_->RollbackToSavepoint(txn_.get(), name));
    info_ = savepoints_[i - 1].info;
    session_level_info_ = savepoints_[i - 1].session_level;
    cat_state_.own = savepoints_[i - 1].catalog;
    savepoints_.resize(i);
    failed_ = false;
    return std::string("ROLLBACK");
  }

  Result<std::string> RunSet(const Json& b, const std::string& sql, pgwire::QuerySink* sink) {
    std::string kind = b.value("kind", "");
    std::string name = b.value("name", "");
    const bool local = b.value("is_local", false);
    if (local && kind != "VAR_SET_MULTI") {
      if (!in_block_) {
        // PostgreSQL: a warning, and the setting is not changed.
        pgwire::Notice n;
        n.severity = "WARNING";
        n.sqlstate = "25P01";
        n.message = "SET LOCAL can only be used in transaction blocks";
        sink->SendNotice(n);
        return std::string(kind == "VAR_RESET" ? "RESET" : "SET");
      }
      if (!session_level_info_) session_level_info_ = info_;  // what COMMIT goes back to
    }
    std::optional<std::pair<std::string, std::string>> report;
    if (kind == "VAR_SET_MULTI") {
      // SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ...
      for (const auto& o : b.value("args", Json::array())) {
        const Json& de = o["DefElem"];
        std::string opt = de.value("defname", "");
        std::string v;
        if (de.contains("arg") && de["arg"].contains("A_Const") && de["arg"]["A_Const"].contains("sval")) {
          v = de["arg"]["A_Const"]["sval"].value("sval", "");
        }
        if (opt == "transaction_isolation") {
          if (v == "serializable") return Unsupported("SERIALIZABLE isolation");
          auto iso = v == "repeatable read" ? storage::Isolation::kRepeatableRead : storage::Isolation::kReadCommitted;
          if (name == "TRANSACTION") {
            if (txn_ && txn_->snapshot().xmax.value() != 0 && txn_->isolation() != iso && txn_->command_id() > 0) {
              return SqlError("25001", "SET TRANSACTION ISOLATION LEVEL must be called before any query");
            }
            if (txn_ && txn_->savepoint_count() > 0) {
              return SqlError("25001", "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction");
            }
            if (txn_ && txn_->isolation() != iso) {
              // Nothing ran in this transaction yet: start it again with the new level, keeping
              // the block's settings state (what ROLLBACK and COMMIT return to).
              bool block = in_block_;
              auto block_start = std::move(block_start_info_);
              auto session_level = std::move(session_level_info_);
              engine::sql::SessionInfo current = info_;
              (void)EndTxn(true);
              info_ = current;
              block_start_info_ = std::move(block_start);
              session_level_info_ = std::move(session_level);
              in_block_ = block;
              next_isolation_ = iso;
              next_read_only_ = current.gucs["transaction_read_only"] == "on";
              if (block) EnsureTxn();
            }
            next_isolation_ = iso;
          } else {
            info_.gucs["default_transaction_isolation"] = v == "repeatable read" ? "repeatable read" : "read committed";
          }
        } else if (opt == "transaction_read_only") {
          bool on = de.contains("arg") && de["arg"].contains("A_Const") && de["arg"]["A_Const"].contains("ival") &&
                    de["arg"]["A_Const"]["ival"].value("ival", 0) != 0;
          if (name == "TRANSACTION") {
            NORDLYS_RETURN_IF_ERROR(SetTransactionReadOnly(on));
          } else {
            info_.gucs["default_transaction_read_only"] = on ? "on" : "off";
          }
        }
      }
      return std::string("SET");
    }
    if (kind == "VAR_RESET_ALL") {
      engine::sql::SessionInfo fresh;
      fresh.user = info_.user;
      fresh.database = info_.database;
      fresh.backend_pid = info_.backend_pid;
      settings_.InitInfo(&fresh);
      info_ = fresh;
      return std::string("RESET");
    }
    if (kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT") {
      NORDLYS_RETURN_IF_ERROR(settings_.Reset(name, &info_, &report));
      if (!local && session_level_info_) {
        std::optional<std::pair<std::string, std::string>> ignored;
        NORDLYS_RETURN_IF_ERROR(settings_.Reset(name, &*session_level_info_, &ignored));
      }
    } else if (kind == "VAR_SET_VALUE") {
      std::string value;
      const Json& args = b["args"];
      for (size_t i = 0; i < args.size(); ++i) {
        auto [k, c] = engine::sql::NodeOf(args[i]);
        std::string part;
        if (k == "A_Const") {
          if (c->contains("sval")) part = (*c)["sval"].value("sval", "");
          else if (c->contains("ival")) {
            part = std::to_string((*c)["ival"].contains("ival") ? (*c)["ival"]["ival"].get<int64_t>()
                                                                : engine::IntegerAt(sql, c->value("location", -1)));
          }
          else if (c->contains("fval")) part = (*c)["fval"].value("fval", "");
          else if (c->contains("boolval")) part = (*c)["boolval"].value("boolval", false) ? "on" : "off";
          else part = "0";
        } else if (k == "TypeCast") {
          // SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE: the SQL standard's fixed offset.
          std::vector<std::string> type;
          if (c->contains("typeName") && (*c)["typeName"].contains("names")) {
            type = engine::sql::NameList((*c)["typeName"]["names"]);
          }
          if (Lower(name) != "timezone" || type.empty() || type.back() != "interval" || !c->contains("arg")) {
            return Unsupported("SET with a typed value");
          }
          auto [ak, a] = engine::sql::NodeOf((*c)["arg"]);
          if (ak != "A_Const" || !a->contains("sval")) return Unsupported("SET with a typed value");
          NORDLYS_ASSIGN_OR_RETURN(engine::types::Interval iv,
                                   engine::types::ParseInterval((*a)["sval"].value("sval", "")));
          const std::string shown = "INTERVAL '" + engine::types::FormatInterval(iv) + "'";
          if (iv.months != 0 || iv.days != 0) {
            engine::sql::ErrorExtra extra;
            extra.detail = iv.months != 0 ? "Cannot specify months in time zone interval."
                                          : "Cannot specify days in time zone interval.";
            return SqlError("22023", "invalid value for parameter \"TimeZone\": \"" + shown + "\"", extra);
          }
          // As a number of hours, which the setting reads with ISO sign (east positive).
          char hours[64];
          std::snprintf(hours, sizeof(hours), "%.12f", static_cast<double>(iv.time_us) / 3600e6);
          part = hours;
        }
        if (i > 0) value += ", ";
        value += part;
      }
      if (Lower(name) == "transaction_isolation" && txn_) {
        return Unsupported("SET transaction_isolation inside a transaction");
      }
      if (Lower(name) == "transaction_read_only") {
        auto on = engine::types::ParseBool(Lower(value));
        if (!on.ok()) return SqlError("22023", "parameter \"transaction_read_only\" requires a Boolean value");
        NORDLYS_RETURN_IF_ERROR(SetTransactionReadOnly(*on));
        return std::string("SET");
      }
      NORDLYS_RETURN_IF_ERROR(settings_.Set(name, value, &info_, &report));
      if (!local && session_level_info_) {
        std::optional<std::pair<std::string, std::string>> ignored;
        NORDLYS_RETURN_IF_ERROR(settings_.Set(name, value, &*session_level_info_, &ignored));
      }
      if (Lower(name) == "default_transaction_isolation" && !in_block_) next_isolation_ = DefaultIsolation();
    } else {
      return Unsupported("SET " + kind);
    }
    if (report) sink->SendParameterStatus(report->first, report->second);
    return std::string(kind == "VAR_RESET" ? "RESET" : "SET");
  }

  engine::sql::SqlEngine* engine_;
  storage::Database* db_;
  engine::ParseCache parse_cache_;  // simple-query and Parse texts seen by this session
  engine::sql::SessionInfo info_;
  Settings settings_;
  engine::sql::CatalogOidNamer namer_;
  bool superuser_;
  std::unique_ptr<storage::Transaction> txn_;
  engine::sql::TxnCatalogState cat_state_;
  int64_t txn_timestamp_ = 0;
  bool in_block_ = false;
  bool failed_ = false;
  storage::Isolation next_isolation_ = storage::Isolation::kReadCommitted;
  storage::CancelFlag cancel_{0};
  // Settings as they were at BEGIN (ROLLBACK returns to them), and, once a SET LOCAL ran in the
  // block, the session-level settings COMMIT returns to.
  std::optional<engine::sql::SessionInfo> block_start_info_;
  std::optional<engine::sql::SessionInfo> session_level_info_;
  // Open savepoints, innermost last: what ROLLBACK TO restores besides the data.
  struct SavepointState {
    std::string name;
    engine::sql::SessionInfo info;
    std::optional<engine::sql::SessionInfo> session_level;
    std::shared_ptr<const engine::sql::CatalogSnapshot> catalog;
  };
  std::vector<SavepointState> savepoints_;
  // BEGIN READ ONLY / READ WRITE: the mode of the transaction BEGIN starts.
  std::optional<bool> next_read_only_;
  std::map<uint32_t, int64_t> currvals_;
  std::map<std::string, std::shared_ptr<const Prepared>> statements_;
  std::map<std::string, Portal> portals_;
};

}  // namespace

Result<std::unique_ptr<SqlBackend>> SqlBackend::Open(engine::storage::Database* db) {
  NORDLYS_ASSIGN_OR_RETURN(auto engine, engine::sql::SqlEngine::Open(db));
  // CREATE/ALTER ROLE ... PASSWORD stores SCRAM-SHA-256 verifiers, as PG 15 does by default.
  engine->catalog()->SetPasswordEncoder([](const std::string&, const std::string& password) {
    auto salt = pgwire::RandomBytes(16);
    NORDLYS_ASSERT(salt.ok());
    return pgwire::EncodeScramVerifier(pgwire::MakeScramVerifier(password, *salt, pgwire::kScramDefaultIterations));
  });
  return std::unique_ptr<SqlBackend>(new SqlBackend(std::move(engine)));
}

Result<std::string> SqlBackend::PasswordVerifier(const std::string& user) {
  NORDLYS_ASSIGN_OR_RETURN(auto snap, engine_->catalog()->Snapshot(nullptr, nullptr));
  const engine::sql::RoleDef* r = snap->FindRole(user);
  if (r == nullptr || r->password.empty()) return Status::NotFound("no password for role");
  if (r->valid_until && *r->valid_until < engine::sql::NowTimestamp()) {
    return Status::NotFound("password expired");  // PG: the password is no longer valid
  }
  return r->password;
}

Result<std::unique_ptr<pgwire::Session>> SqlBackend::Connect(const pgwire::StartupInfo& startup) {
  NORDLYS_ASSIGN_OR_RETURN(auto snap, engine_->catalog()->Snapshot(nullptr, nullptr));
  const engine::sql::RoleDef* r = snap->FindRole(startup.user);
  if (r == nullptr) return engine::sql::SqlError("28000", "role \"" + startup.user + "\" does not exist");
  if (!r->login) return engine::sql::SqlError("28000", "role \"" + startup.user + "\" is not permitted to log in");
  auto session = std::make_unique<SqlSession>(engine_.get(), startup, next_pid_.fetch_add(1), r->superuser);
  NORDLYS_RETURN_IF_ERROR(session->ApplyStartup(startup));
  return std::unique_ptr<pgwire::Session>(std::move(session));
}

}  // namespace nordlys::instance
