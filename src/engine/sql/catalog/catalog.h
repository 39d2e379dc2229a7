// The SQL catalog: schemas, tables with their columns, constraints and indexes, and sequences.
//
// Persistence: every object is one row of the database's catalog heap
// (storage::Database::catalog_heap()), written through the Heap API with ordinary MVCC, so DDL
// is transactional: a CREATE TABLE in a rolled-back transaction disappears with it. Row format
// (docs: README.md in this folder's parent): byte 0 = format version (1), byte 1 = kind
// ('T' table, 'S' sequence, 'N' schema, 'R' role, 'V' view), then the object as JSON. The bootstrap
// superuser "postgres" (oid 10) has no row until ALTER ROLE first changes it. Indexes and constraints live
// inside their table's row. DROP deletes the row; the relation's pages stay unreferenced
// (reclaiming them is not built, see storage::Database::CreateHeap).
//
// Caching: CatalogSnapshot is an immutable, shared view of the committed catalog, rebuilt by
// scanning the catalog heap after a DDL transaction commits (a version counter guards the race
// between a rebuild and a commit). A transaction that has run DDL reads its own private
// snapshot, rescanned with its own transaction after each of its DDL statements.
//
// Concurrency: one global DDL lock (TxnCatalogState::ddl_lock), taken by a transaction's first
// DDL statement and held until it ends, serializes catalog writers; readers never block.
//
// Thread safety: Catalog is thread-safe. CatalogSnapshot is immutable. TxnCatalogState belongs
// to one session.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/storage/database.h"
#include "engine/storage/txn.h"
#include "engine/types/type.h"

namespace nordlys::engine::sql {

constexpr uint32_t kPgCatalogNamespace = 11;
constexpr uint32_t kPublicNamespace = 2200;
constexpr uint32_t kFirstUserOid = 16384;
constexpr uint32_t kBootstrapSuperuserOid = 10;  // the role "postgres", always there

struct ColumnDef {
  std::string name;
  types::Type type;
  bool not_null = false;
  nlohmann::json default_expr;  // libpg_query expression tree; null = no default
  uint32_t identity_sequence = 0;  // serial and identity columns: the owned sequence's oid
  char identity = 0;               // GENERATED ALWAYS ('a') / BY DEFAULT ('d') AS IDENTITY, else 0
  // ALTER TABLE DROP COLUMN keeps the column's place in the row format (old rows still hold a
  // value there, new rows NULL), as PostgreSQL's attisdropped does; its name is then empty, so
  // nothing can name it, and scopes hide it.
  bool dropped = false;
};

struct IndexDef {
  uint32_t oid = 0;
  std::string name;
  std::vector<int> columns;  // positions in TableDef::columns
  std::vector<bool> descending;
  std::vector<bool> nulls_first;
  bool unique = false;
  bool primary = false;
  bool unique_constraint = false;  // made by a UNIQUE constraint (pg_constraint 'u'), not CREATE INDEX
  storage::RelId rel;
};

struct CheckDef {
  std::string name;
  nlohmann::json expr;  // libpg_query expression tree
};

// A FOREIGN KEY constraint, kept in the referencing table's row. The referenced table finds
// the constraints that point at it through CatalogSnapshot::referenced_by.
// Invariants: columns.size() == ref_columns.size() >= 1; the referenced columns are exactly the
// columns of a PRIMARY KEY or UNIQUE constraint of ref_table (in some order) when created.
struct ForeignKeyDef {
  uint32_t oid = 0;  // pg_constraint's oid
  std::string name;
  std::vector<int> columns;      // positions in the referencing table
  uint32_t ref_table = 0;        // referenced table's oid
  std::vector<int> ref_columns;  // positions in the referenced table, paired with `columns`
  uint32_t ref_index = 0;        // the referenced table's unique index the key was matched to
  // PostgreSQL's pg_constraint codes: 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL,
  // 'd' SET DEFAULT.
  char update_action = 'a';
  char delete_action = 'a';
  char match_type = 's';  // 's' SIMPLE, 'f' FULL
  // ON DELETE SET NULL / SET DEFAULT (columns): the referencing columns it sets (a subset of
  // `columns`); empty: all of them.
  std::vector<int> delete_set_columns;
  // false after ALTER TABLE ... ADD ... NOT VALID until VALIDATE CONSTRAINT: existing rows are
  // unchecked (new and changed rows are checked all the same).
  bool validated = true;
};

// What ANALYZE learned about a table (PostgreSQL's pg_class.reltuples/relpages and the
// pg_statistic columns the planner reads). Kept in the table's catalog row, so it is
// transactional and survives restarts like the rest of the definition.
struct ColumnStats {
  double null_frac = 0;   // fraction of rows where the column is NULL
  // Distinct non-NULL values: > 0 an absolute count; < 0 minus a fraction of the row count
  // (-1: unique), so it scales as the table grows (PostgreSQL's stadistinct convention).
  double n_distinct = 0;
};

struct TableStats {
  bool analyzed = false;
  double reltuples = 0;    // live rows when analyzed
  uint64_t relpages = 0;   // heap pages when analyzed
  std::vector<ColumnStats> columns;  // by TableDef::columns position; may be shorter (ADD COLUMN)
};

struct TableDef {
  uint32_t oid = 0;
  std::string name;
  uint32_t namespace_oid = kPublicNamespace;
  std::vector<ColumnDef> columns;
  storage::RelId heap;
  std::vector<IndexDef> indexes;
  std::vector<CheckDef> checks;
  std::vector<ForeignKeyDef> foreign_keys;  // this table's FOREIGN KEY constraints
  TableStats stats;

  int ColumnIndex(std::string_view column) const;  // -1 when absent
  const IndexDef* PrimaryKey() const;
};

struct SequenceDef {
  uint32_t oid = 0;
  std::string name;
  uint32_t namespace_oid = kPublicNamespace;
  types::Type type{types::TypeId::kInt8};
  int64_t start = 1;
  int64_t increment = 1;
  int64_t min_value = 1;
  int64_t max_value = INT64_MAX;
  bool cycle = false;
  storage::RelId heap;       // one row: the last value logged (see Catalog::NextVal)
  uint32_t owner_table = 0;  // serial columns: dropped with the table
};

// A role (CREATE ROLE / USER). Roles are cluster-wide, as in PostgreSQL; there is one database.
struct RoleDef {
  uint32_t oid = 0;
  std::string name;
  bool superuser = false;
  bool inherit = true;
  bool createrole = false;
  bool createdb = false;
  bool login = false;
  bool replication = false;
  bool bypassrls = false;
  std::string password;                 // verifier (md5... / SCRAM-SHA-256$...); empty: none
  std::optional<int64_t> valid_until;  // PG timestamptz (us); password invalid after it
};

// A view (CREATE VIEW): its query is kept as a parse tree and bound again, as a subquery,
// wherever the view is read. The tree is stored with `*` already expanded into the columns it
// named when the view was created, so a column added to a table later does not appear in the
// view (PostgreSQL binds the view once, at creation). What the query reads directly is
// recorded, so that DROP TABLE / DROP COLUMN / DROP VIEW of it fail with 2BP01 unless CASCADE.
struct ViewDef {
  uint32_t oid = 0;
  std::string name;
  uint32_t namespace_oid = kPublicNamespace;
  nlohmann::json query;               // the SELECT's parse tree (NormalizeStoredExpr form)
  std::vector<ColumnDef> columns;     // output columns: name and type only
  std::vector<uint32_t> relations;    // tables and views the query reads directly
  std::vector<std::pair<uint32_t, int>> table_columns;  // (table oid, column position) it reads

  bool DependsOn(uint32_t relation) const;
  bool DependsOnColumn(uint32_t table, int column) const;
};

struct SchemaDef {
  uint32_t oid = 0;
  std::string name;
};

// Serialization of catalog objects (the JSON inside a catalog row).
nlohmann::json ToJson(const TableDef& t);
Result<TableDef> TableFromJson(const nlohmann::json& j);
nlohmann::json ToJson(const SequenceDef& s);
Result<SequenceDef> SequenceFromJson(const nlohmann::json& j);
nlohmann::json ToJson(const RoleDef& r);
nlohmann::json ToJson(const ViewDef& v);
Result<ViewDef> ViewFromJson(const nlohmann::json& j);
Result<RoleDef> RoleFromJson(const nlohmann::json& j);

// An immutable view of the catalog.
class CatalogSnapshot {
 public:
  struct Entry {
    storage::Tid tid;  // the object's catalog row version
  };
  std::map<uint32_t, std::shared_ptr<const TableDef>> tables;        // by oid
  std::map<uint32_t, std::shared_ptr<const SequenceDef>> sequences;  // by oid
  std::map<uint32_t, SchemaDef> schemas;                             // by oid
  std::map<uint32_t, std::shared_ptr<const ViewDef>> views;          // by oid
  std::map<uint32_t, std::shared_ptr<const RoleDef>> roles;          // by oid; always has "postgres"
  std::map<uint32_t, storage::Tid> row_of;                           // oid -> catalog row
  // Referenced table oid -> (referencing table oid, index in its foreign_keys), in oid order.
  std::map<uint32_t, std::vector<std::pair<uint32_t, size_t>>> referenced_by;
  uint32_t max_oid = kFirstUserOid - 1;

  // Schema oid by name, or 0.
  uint32_t SchemaOid(std::string_view name) const;
  std::string SchemaName(uint32_t oid) const;
  // Lookup in one schema (schema_oid != 0) or along search_path.
  const TableDef* FindTable(uint32_t schema_oid, std::string_view name) const;
  const SequenceDef* FindSequence(uint32_t schema_oid, std::string_view name) const;
  const ViewDef* FindView(uint32_t schema_oid, std::string_view name) const;
  const ViewDef* ViewByOid(uint32_t oid) const;
  // Any relation-like object (table, index, sequence, view) with that name in the schema: for 42P07.
  bool RelationNameTaken(uint32_t schema_oid, std::string_view name) const;
  // The table owning an index of that name, or nullptr.
  const TableDef* FindIndex(uint32_t schema_oid, std::string_view name, const IndexDef** index) const;
  const TableDef* TableByOid(uint32_t oid) const;
  const RoleDef* FindRole(std::string_view name) const;
  const RoleDef* RoleByOid(uint32_t oid) const;
};

// Per-transaction catalog state, owned by the session's transaction.
struct TxnCatalogState {
  std::unique_lock<std::timed_mutex> ddl_lock;  // held from the first DDL until the end
  std::shared_ptr<const CatalogSnapshot> own;   // set once this transaction changed the catalog
};

class Catalog {
 public:
  // Loads the committed catalog; on a freshly bootstrapped database creates the initial rows
  // (schemas public and pg_catalog).
  static Result<std::unique_ptr<Catalog>> Open(storage::Database* db);

  storage::Database* db() const { return db_; }

  // The catalog as `txn` should see it.
  Result<std::shared_ptr<const CatalogSnapshot>> Snapshot(storage::Transaction* txn,
                                                          TxnCatalogState* state);

  // --- DDL (REQUIRES: BeginDdl succeeded for this transaction) ---
  // Takes the DDL lock (waits, honouring txn->cancel: 57014).
  Status BeginDdl(storage::Transaction* txn, TxnCatalogState* state);
  uint32_t NewOid();
  Status InsertTable(storage::Transaction* txn, TxnCatalogState* state, const TableDef& t);
  Status UpdateTable(storage::Transaction* txn, TxnCatalogState* state, const TableDef& t);
  Status InsertSequence(storage::Transaction* txn, TxnCatalogState* state, const SequenceDef& s);
  Status InsertSchema(storage::Transaction* txn, TxnCatalogState* state, const SchemaDef& s);
  // Writes a view's row: inserts it, or replaces the row of the view with that oid.
  Status PutView(storage::Transaction* txn, TxnCatalogState* state, const ViewDef& v);
  // Writes a role's row (inserting it for the bootstrap role, which starts without one).
  Status PutRole(storage::Transaction* txn, TxnCatalogState* state, const RoleDef& r);

  // How CREATE/ALTER ROLE ... PASSWORD stores a password: the instance supplies the SCRAM
  // encoder (it lives with the wire protocol's authentication code). Thread-safe to call;
  // set once before serving.
  using PasswordEncoder = std::function<std::string(const std::string& role, const std::string& password)>;
  void SetPasswordEncoder(PasswordEncoder e) { password_encoder_ = std::move(e); }
  const PasswordEncoder& password_encoder() const { return password_encoder_; }
  Status DeleteObject(storage::Transaction* txn, TxnCatalogState* state, uint32_t oid);
  // Makes the transaction's catalog changes visible to its next statement.
  Status Refresh(storage::Transaction* txn, TxnCatalogState* state);
  // The transaction ended: publish its changes if it committed, release the DDL lock.
  void EndTransaction(TxnCatalogState* state, bool committed);

  // --- sequences (non-transactional, as in PostgreSQL) ---
  // nextval: 2200E/22023 errors as PG ("nextval: reached maximum value of sequence \"s\" (n)").
  Result<int64_t> NextVal(const SequenceDef& seq);
  Status SetVal(const SequenceDef& seq, int64_t value, bool is_called);

 private:
  explicit Catalog(storage::Database* db) : db_(db) {}
  Result<std::shared_ptr<const CatalogSnapshot>> Load(storage::Transaction* txn);
  Status Bootstrap();
  Result<storage::Tid> RowOf(TxnCatalogState* state, uint32_t oid);

  storage::Database* const db_;
  std::timed_mutex ddl_mu_;
  std::mutex mu_;
  std::shared_ptr<const CatalogSnapshot> committed_;  // GUARDED_BY(mu_); null: rebuild
  uint64_t version_ = 0;                              // GUARDED_BY(mu_)
  std::atomic<uint32_t> next_oid_{kFirstUserOid};
  PasswordEncoder password_encoder_;

  // Sequence state: values are handed out from memory; the row is advanced kSeqLogAhead past
  // the last value handed out, in its own committed transaction, so a restart skips at most
  // that many (PostgreSQL's SEQ_LOG_VALS).
  struct SeqState {
    bool loaded = false;
    int64_t last = 0;       // last value returned (valid when called)
    bool called = false;
    int64_t logged = 0;     // the row says values up to here may have been handed out
    bool logged_called = false;
  };
  std::mutex seq_mu_;
  std::map<uint32_t, SeqState> seqs_;  // GUARDED_BY(seq_mu_)
  Status LoadSeqLocked(const SequenceDef& seq, SeqState* st);
  Status LogSeqLocked(const SequenceDef& seq, int64_t value, bool called);
};

}  // namespace nordlys::engine::sql
