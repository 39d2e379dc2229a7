// See catalog.h.
#include "engine/sql/catalog/catalog.h"

#include <algorithm>
#include <chrono>

#include "common/coding.h"
#include "engine/sql/errors.h"
#include "engine/storage/heap.h"

namespace nordlys::engine::sql {
namespace {

constexpr char kRowVersion = 1;
constexpr char kKindTable = 'T';
constexpr char kKindSequence = 'S';
constexpr char kKindSchema = 'N';
constexpr char kKindRole = 'R';
constexpr char kKindView = 'V';

// The bootstrap superuser before any ALTER ROLE gave it a row of its own.
std::shared_ptr<const RoleDef> BootstrapRole() {
  auto r = std::make_shared<RoleDef>();
  r->oid = kBootstrapSuperuserOid;
  r->name = "postgres";
  r->superuser = r->createrole = r->createdb = r->login = r->replication = r->bypassrls = true;
  return r;
}
constexpr int64_t kSeqLogAhead = 32;

std::string CatalogRow(char kind, const nlohmann::json& j) {
  std::string row;
  row.push_back(kRowVersion);
  row.push_back(kind);
  row += j.dump();
  return row;
}

nlohmann::json TypeJson(const types::Type& t) { return {static_cast<uint32_t>(t.id), t.typmod}; }
types::Type TypeOf(const nlohmann::json& j) {
  return types::Type(static_cast<types::TypeId>(j.at(0).get<uint32_t>()), j.at(1).get<int32_t>());
}

}  // namespace

int TableDef::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

const IndexDef* TableDef::PrimaryKey() const {
  for (const auto& ix : indexes) {
    if (ix.primary) return &ix;
  }
  return nullptr;
}

nlohmann::json ToJson(const TableDef& t) {
  nlohmann::json j;
  j["oid"] = t.oid;
  j["name"] = t.name;
  j["ns"] = t.namespace_oid;
  j["heap"] = t.heap.value();
  auto& cols = j["columns"] = nlohmann::json::array();
  for (const auto& c : t.columns) {
    nlohmann::json cj{{"name", c.name}, {"type", TypeJson(c.type)}, {"not_null", c.not_null}};
    if (!c.default_expr.is_null()) cj["default"] = c.default_expr;
    if (c.identity_sequence != 0) cj["seq"] = c.identity_sequence;
    if (c.identity != 0) cj["identity"] = std::string(1, c.identity);
    if (c.dropped) cj["dropped"] = true;
    cols.push_back(std::move(cj));
  }
  auto& ixs = j["indexes"] = nlohmann::json::array();
  for (const auto& ix : t.indexes) {
    ixs.push_back({{"oid", ix.oid}, {"name", ix.name}, {"columns", ix.columns},
                   {"desc", ix.descending}, {"nulls_first", ix.nulls_first},
                   {"unique", ix.unique}, {"primary", ix.primary}, {"rel", ix.rel.value()},
                   {"unique_constraint", ix.unique_constraint}});
  }
  auto& checks = j["checks"] = nlohmann::json::array();
  for (const auto& c : t.checks) checks.push_back({{"name", c.name}, {"expr", c.expr}});
  if (!t.foreign_keys.empty()) {
    auto& fks = j["fkeys"] = nlohmann::json::array();
    for (const auto& fk : t.foreign_keys) {
      fks.push_back({{"oid", fk.oid}, {"name", fk.name}, {"columns", fk.columns}, {"ref", fk.ref_table},
                     {"ref_columns", fk.ref_columns}, {"index", fk.ref_index}, {"upd", std::string(1, fk.update_action)},
                     {"del", std::string(1, fk.delete_action)}, {"match", std::string(1, fk.match_type)}});
      if (!fk.validated) fks.back()["valid"] = false;
      if (!fk.delete_set_columns.empty()) fks.back()["del_cols"] = fk.delete_set_columns;
    }
  }
  if (t.stats.analyzed) {
    auto& st = j["stats"] = {{"tuples", t.stats.reltuples}, {"pages", t.stats.relpages}};
    auto& sc = st["columns"] = nlohmann::json::array();
    for (const auto& c : t.stats.columns) sc.push_back({c.null_frac, c.n_distinct});
  }
  return j;
}

Result<TableDef> TableFromJson(const nlohmann::json& j) {
  try {
    TableDef t;
    t.oid = j.at("oid").get<uint32_t>();
    t.name = j.at("name").get<std::string>();
    t.namespace_oid = j.at("ns").get<uint32_t>();
    t.heap = storage::RelId(j.at("heap").get<uint64_t>());
    for (const auto& cj : j.at("columns")) {
      ColumnDef c;
      c.name = cj.at("name").get<std::string>();
      c.type = TypeOf(cj.at("type"));
      c.not_null = cj.at("not_null").get<bool>();
      if (cj.contains("default")) c.default_expr = cj.at("default");
      if (cj.contains("seq")) c.identity_sequence = cj.at("seq").get<uint32_t>();
      if (cj.contains("identity")) c.identity = cj.at("identity").get<std::string>().at(0);
      if (cj.contains("dropped")) c.dropped = cj.at("dropped").get<bool>();
      t.columns.push_back(std::move(c));
    }
    for (const auto& ij : j.at("indexes")) {
      IndexDef ix;
      ix.oid = ij.at("oid").get<uint32_t>();
      ix.name = ij.at("name").get<std::string>();
      ix.columns = ij.at("columns").get<std::vector<int>>();
      ix.descending = ij.at("desc").get<std::vector<bool>>();
      ix.nulls_first = ij.at("nulls_first").get<std::vector<bool>>();
      ix.unique = ij.at("unique").get<bool>();
      ix.primary = ij.at("primary").get<bool>();
      ix.unique_constraint = ij.value("unique_constraint", false);
      ix.rel = storage::RelId(ij.at("rel").get<uint64_t>());
      t.indexes.push_back(std::move(ix));
    }
    for (const auto& cj : j.at("checks")) {
      t.checks.push_back({cj.at("name").get<std::string>(), cj.at("expr")});
    }
    if (j.contains("fkeys")) {
      for (const auto& fj : j.at("fkeys")) {
        ForeignKeyDef fk;
        fk.oid = fj.at("oid").get<uint32_t>();
        fk.name = fj.at("name").get<std::string>();
        fk.columns = fj.at("columns").get<std::vector<int>>();
        fk.ref_table = fj.at("ref").get<uint32_t>();
        fk.ref_columns = fj.at("ref_columns").get<std::vector<int>>();
        fk.ref_index = fj.at("index").get<uint32_t>();
        fk.update_action = fj.at("upd").get<std::string>().at(0);
        fk.delete_action = fj.at("del").get<std::string>().at(0);
        fk.match_type = fj.at("match").get<std::string>().at(0);
        fk.validated = fj.value("valid", true);
        if (fj.contains("del_cols")) fk.delete_set_columns = fj.at("del_cols").get<std::vector<int>>();
        if (fk.columns.empty() || fk.columns.size() != fk.ref_columns.size()) {
          return Status::Corruption("foreign key with mismatched column lists");
        }
        t.foreign_keys.push_back(std::move(fk));
      }
    }
    if (j.contains("stats")) {
      const auto& st = j.at("stats");
      t.stats.analyzed = true;
      t.stats.reltuples = st.at("tuples").get<double>();
      t.stats.relpages = st.at("pages").get<uint64_t>();
      for (const auto& c : st.at("columns")) {
        t.stats.columns.push_back({c.at(0).get<double>(), c.at(1).get<double>()});
      }
    }
    return t;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("catalog table row: ") + e.what());
  }
}

nlohmann::json ToJson(const SequenceDef& s) {
  return {{"oid", s.oid},         {"name", s.name},       {"ns", s.namespace_oid},
          {"type", TypeJson(s.type)}, {"start", s.start}, {"inc", s.increment},
          {"min", s.min_value},   {"max", s.max_value},   {"cycle", s.cycle},
          {"heap", s.heap.value()}, {"owner", s.owner_table}};
}

Result<SequenceDef> SequenceFromJson(const nlohmann::json& j) {
  try {
    SequenceDef s;
    s.oid = j.at("oid").get<uint32_t>();
    s.name = j.at("name").get<std::string>();
    s.namespace_oid = j.at("ns").get<uint32_t>();
    s.type = TypeOf(j.at("type"));
    s.start = j.at("start").get<int64_t>();
    s.increment = j.at("inc").get<int64_t>();
    s.min_value = j.at("min").get<int64_t>();
    s.max_value = j.at("max").get<int64_t>();
    s.cycle = j.at("cycle").get<bool>();
    s.heap = storage::RelId(j.at("heap").get<uint64_t>());
    s.owner_table = j.at("owner").get<uint32_t>();
    return s;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("catalog sequence row: ") + e.what());
  }
}

nlohmann::json ToJson(const RoleDef& r) {
  nlohmann::json j = {{"oid", r.oid},           {"name", r.name},         {"super", r.superuser},
                      {"inherit", r.inherit},   {"createrole", r.createrole}, {"createdb", r.createdb},
                      {"login", r.login},       {"replication", r.replication}, {"bypassrls", r.bypassrls},
                      {"password", r.password}};
  if (r.valid_until) j["valid_until"] = *r.valid_until;
  return j;
}

Result<RoleDef> RoleFromJson(const nlohmann::json& j) {
  try {
    RoleDef r;
    r.oid = j.at("oid").get<uint32_t>();
    r.name = j.at("name").get<std::string>();
    r.superuser = j.at("super").get<bool>();
    r.inherit = j.at("inherit").get<bool>();
    r.createrole = j.at("createrole").get<bool>();
    r.createdb = j.at("createdb").get<bool>();
    r.login = j.at("login").get<bool>();
    r.replication = j.at("replication").get<bool>();
    r.bypassrls = j.at("bypassrls").get<bool>();
    r.password = j.at("password").get<std::string>();
    if (j.contains("valid_until")) r.valid_until = j.at("valid_until").get<int64_t>();
    return r;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("catalog role row: ") + e.what());
  }
}

bool ViewDef::DependsOn(uint32_t relation) const {
  return std::find(relations.begin(), relations.end(), relation) != relations.end();
}

bool ViewDef::DependsOnColumn(uint32_t table, int column) const {
  return std::find(table_columns.begin(), table_columns.end(), std::make_pair(table, column)) != table_columns.end();
}

nlohmann::json ToJson(const ViewDef& v) {
  nlohmann::json j = {{"oid", v.oid}, {"name", v.name}, {"ns", v.namespace_oid}, {"query", v.query}};
  auto& cols = j["columns"] = nlohmann::json::array();
  for (const auto& c : v.columns) cols.push_back({{"name", c.name}, {"type", TypeJson(c.type)}});
  j["rels"] = v.relations;
  auto& tc = j["cols"] = nlohmann::json::array();
  for (const auto& [t, c] : v.table_columns) tc.push_back({t, c});
  return j;
}

Result<ViewDef> ViewFromJson(const nlohmann::json& j) {
  try {
    ViewDef v;
    v.oid = j.at("oid").get<uint32_t>();
    v.name = j.at("name").get<std::string>();
    v.namespace_oid = j.at("ns").get<uint32_t>();
    v.query = j.at("query");
    for (const auto& cj : j.at("columns")) {
      ColumnDef c;
      c.name = cj.at("name").get<std::string>();
      c.type = TypeOf(cj.at("type"));
      v.columns.push_back(std::move(c));
    }
    v.relations = j.at("rels").get<std::vector<uint32_t>>();
    for (const auto& c : j.at("cols")) v.table_columns.emplace_back(c.at(0).get<uint32_t>(), c.at(1).get<int>());
    return v;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("catalog view row: ") + e.what());
  }
}

// --- CatalogSnapshot ---

uint32_t CatalogSnapshot::SchemaOid(std::string_view name) const {
  for (const auto& [oid, s] : schemas) {
    if (s.name == name) return oid;
  }
  return 0;
}

std::string CatalogSnapshot::SchemaName(uint32_t oid) const {
  auto it = schemas.find(oid);
  return it == schemas.end() ? std::string() : it->second.name;
}

const TableDef* CatalogSnapshot::FindTable(uint32_t schema_oid, std::string_view name) const {
  for (const auto& [oid, t] : tables) {
    if (t->name == name && (schema_oid == 0 ? t->namespace_oid == kPublicNamespace
                                            : t->namespace_oid == schema_oid)) {
      return t.get();
    }
  }
  return nullptr;
}

const SequenceDef* CatalogSnapshot::FindSequence(uint32_t schema_oid, std::string_view name) const {
  for (const auto& [oid, s] : sequences) {
    if (s->name == name && (schema_oid == 0 ? s->namespace_oid == kPublicNamespace
                                            : s->namespace_oid == schema_oid)) {
      return s.get();
    }
  }
  return nullptr;
}

const ViewDef* CatalogSnapshot::FindView(uint32_t schema_oid, std::string_view name) const {
  for (const auto& [oid, v] : views) {
    if (v->name == name && v->namespace_oid == (schema_oid == 0 ? kPublicNamespace : schema_oid)) return v.get();
  }
  return nullptr;
}

const ViewDef* CatalogSnapshot::ViewByOid(uint32_t oid) const {
  auto it = views.find(oid);
  return it == views.end() ? nullptr : it->second.get();
}

const TableDef* CatalogSnapshot::FindIndex(uint32_t schema_oid, std::string_view name,
                                           const IndexDef** index) const {
  for (const auto& [oid, t] : tables) {
    if (t->namespace_oid != (schema_oid == 0 ? kPublicNamespace : schema_oid)) continue;
    for (const auto& ix : t->indexes) {
      if (ix.name == name) {
        *index = &ix;
        return t.get();
      }
    }
  }
  return nullptr;
}

bool CatalogSnapshot::RelationNameTaken(uint32_t schema_oid, std::string_view name) const {
  const IndexDef* ix;
  return FindTable(schema_oid, name) != nullptr || FindSequence(schema_oid, name) != nullptr ||
         FindIndex(schema_oid, name, &ix) != nullptr || FindView(schema_oid, name) != nullptr;
}

const RoleDef* CatalogSnapshot::FindRole(std::string_view name) const {
  for (const auto& [oid, r] : roles) {
    if (r->name == name) return r.get();
  }
  return nullptr;
}

const RoleDef* CatalogSnapshot::RoleByOid(uint32_t oid) const {
  auto it = roles.find(oid);
  return it == roles.end() ? nullptr : it->second.get();
}

const TableDef* CatalogSnapshot::TableByOid(uint32_t oid) const {
  auto it = tables.find(oid);
  return it == tables.end() ? nullptr : it->second.get();
}

// --- Catalog ---

Result<std::unique_ptr<Catalog>> Catalog::Open(storage::Database* db) {
  std::unique_ptr<Catalog> c(new Catalog(db));
  if (db->bootstrapped()) NORDLYS_RETURN_IF_ERROR(c->Bootstrap());
  auto txn = db->Begin(storage::Isolation::kReadCommitted);
  db->BeginStatement(txn.get());
  auto snap = c->Load(txn.get());
  db->Abort(txn.get());
  if (!snap.ok()) return snap.status();
  c->committed_ = *snap;
  c->next_oid_ = (*snap)->max_oid + 1;
  return c;
}

Status Catalog::Bootstrap() {
  auto txn = db_->Begin(storage::Isolation::kReadCommitted);
  db_->BeginStatement(txn.get());
  storage::Heap heap = db_->heap(db_->catalog_heap());
  for (const auto& [oid, name] : {std::pair<uint32_t, const char*>{kPgCatalogNamespace, "pg_catalog"},
                                  {kPublicNamespace, "public"}}) {
    auto r = heap.Insert(txn.get(), CatalogRow(kKindSchema, {{"oid", oid}, {"name", name}}));
    if (!r.ok()) {
      db_->Abort(txn.get());
      return r.status();
    }
  }
  return db_->Commit(txn.get());
}

Result<std::shared_ptr<const CatalogSnapshot>> Catalog::Load(storage::Transaction* txn) {
  auto snap = std::make_shared<CatalogSnapshot>();
  auto scan = db_->heap(db_->catalog_heap()).Scan(txn);
  storage::Tid tid;
  std::string data;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
    if (!more) break;
    if (data.size() < 2 || data[0] != kRowVersion) {
      return Status::Corruption("catalog row with unknown format version");
    }
    nlohmann::json j = nlohmann::json::parse(data.begin() + 2, data.end(), nullptr, false);
    if (j.is_discarded()) return Status::Corruption("catalog row is not JSON");
    uint32_t oid = 0;
    switch (data[1]) {
      case kKindTable: {
        NORDLYS_ASSIGN_OR_RETURN(TableDef t, TableFromJson(j));
        oid = t.oid;
        for (const auto& ix : t.indexes) snap->max_oid = std::max(snap->max_oid, ix.oid);
        for (size_t i = 0; i < t.foreign_keys.size(); ++i) {
          snap->max_oid = std::max(snap->max_oid, t.foreign_keys[i].oid);
          snap->referenced_by[t.foreign_keys[i].ref_table].push_back({t.oid, i});
        }
        snap->tables[oid] = std::make_shared<const TableDef>(std::move(t));
        break;
      }
      case kKindSequence: {
        NORDLYS_ASSIGN_OR_RETURN(SequenceDef s, SequenceFromJson(j));
        oid = s.oid;
        snap->sequences[oid] = std::make_shared<const SequenceDef>(std::move(s));
        break;
      }
      case kKindSchema: {
        SchemaDef s{j.value("oid", 0u), j.value("name", std::string())};
        oid = s.oid;
        snap->schemas[oid] = s;
        break;
      }
      case kKindRole: {
        NORDLYS_ASSIGN_OR_RETURN(RoleDef r, RoleFromJson(j));
        oid = r.oid;
        snap->roles[oid] = std::make_shared<const RoleDef>(std::move(r));
        break;
      }
      case kKindView: {
        NORDLYS_ASSIGN_OR_RETURN(ViewDef v, ViewFromJson(j));
        oid = v.oid;
        snap->views[oid] = std::make_shared<const ViewDef>(std::move(v));
        break;
      }
      default:
        return Status::Corruption("catalog row of unknown kind");
    }
    snap->row_of[oid] = tid;
    snap->max_oid = std::max(snap->max_oid, oid);
  }
  if (snap->roles.count(kBootstrapSuperuserOid) == 0) snap->roles[kBootstrapSuperuserOid] = BootstrapRole();
  for (auto& [oid, refs] : snap->referenced_by) std::sort(refs.begin(), refs.end());
  return std::shared_ptr<const CatalogSnapshot>(std::move(snap));
}

Result<std::shared_ptr<const CatalogSnapshot>> Catalog::Snapshot(storage::Transaction* txn,
                                                                 TxnCatalogState* state) {
  if (state != nullptr && state->own) return state->own;
  uint64_t version;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (committed_) return committed_;
    version = version_;
  }
  auto t = db_->Begin(storage::Isolation::kReadCommitted);
  db_->BeginStatement(t.get());
  auto snap = Load(t.get());
  db_->Abort(t.get());
  if (!snap.ok()) return snap.status();
  std::lock_guard<std::mutex> l(mu_);
  if (version_ == version) committed_ = *snap;
  return *snap;
}

Status Catalog::BeginDdl(storage::Transaction* txn, TxnCatalogState* state) {
  if (state->ddl_lock.owns_lock()) return Status::OK();
  std::unique_lock<std::timed_mutex> lock(ddl_mu_, std::defer_lock);
  while (!lock.try_lock_for(std::chrono::milliseconds(50))) {
    if (storage::IsCanceled(txn->cancel)) return storage::CanceledStatus(txn->cancel->load());
  }
  state->ddl_lock = std::move(lock);
  // Read the catalog as this transaction sees it now that no other DDL can run.
  db_->CommandCounterIncrement(txn);
  NORDLYS_ASSIGN_OR_RETURN(state->own, Load(txn));
  return Status::OK();
}

uint32_t Catalog::NewOid() { return next_oid_.fetch_add(1); }

Result<storage::Tid> Catalog::RowOf(TxnCatalogState* state, uint32_t oid) {
  NORDLYS_ASSERT(state->own != nullptr);
  auto it = state->own->row_of.find(oid);
  if (it == state->own->row_of.end()) return Status::Internal("catalog object without a row");
  return it->second;
}

Status Catalog::InsertTable(storage::Transaction* txn, TxnCatalogState* state, const TableDef& t) {
  return db_->heap(db_->catalog_heap()).Insert(txn, CatalogRow(kKindTable, ToJson(t))).status();
}

Status Catalog::InsertSequence(storage::Transaction* txn, TxnCatalogState* state,
                               const SequenceDef& s) {
  return db_->heap(db_->catalog_heap()).Insert(txn, CatalogRow(kKindSequence, ToJson(s))).status();
}

Status Catalog::InsertSchema(storage::Transaction* txn, TxnCatalogState* state, const SchemaDef& s) {
  return db_->heap(db_->catalog_heap())
      .Insert(txn, CatalogRow(kKindSchema, {{"oid", s.oid}, {"name", s.name}}))
      .status();
}

Status Catalog::PutRole(storage::Transaction* txn, TxnCatalogState* state, const RoleDef& r) {
  NORDLYS_ASSERT(state->own != nullptr);
  storage::Heap heap = db_->heap(db_->catalog_heap());
  auto it = state->own->row_of.find(r.oid);
  if (it == state->own->row_of.end()) return heap.Insert(txn, CatalogRow(kKindRole, ToJson(r))).status();
  storage::Tid new_tid;
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult res, heap.Update(txn, it->second, CatalogRow(kKindRole, ToJson(r)), &new_tid));
  if (res.outcome != storage::TmOutcome::kOk) return Status::Internal("catalog row changed concurrently");
  return Status::OK();
}

Status Catalog::PutView(storage::Transaction* txn, TxnCatalogState* state, const ViewDef& v) {
  NORDLYS_ASSERT(state->own != nullptr);
  storage::Heap heap = db_->heap(db_->catalog_heap());
  auto it = state->own->row_of.find(v.oid);
  if (it == state->own->row_of.end()) return heap.Insert(txn, CatalogRow(kKindView, ToJson(v))).status();
  storage::Tid new_tid;
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult res, heap.Update(txn, it->second, CatalogRow(kKindView, ToJson(v)), &new_tid));
  if (res.outcome != storage::TmOutcome::kOk) return Status::Internal("catalog row changed concurrently");
  return Status::OK();
}

Status Catalog::UpdateTable(storage::Transaction* txn, TxnCatalogState* state, const TableDef& t) {
  NORDLYS_ASSIGN_OR_RETURN(storage::Tid tid, RowOf(state, t.oid));
  storage::Tid new_tid;
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r,
                           db_->heap(db_->catalog_heap())
                               .Update(txn, tid, CatalogRow(kKindTable, ToJson(t)), &new_tid));
  // The DDL lock means no one else changes catalog rows; our own earlier change of the same
  // row in this statement is the only way to see anything else.
  if (r.outcome != storage::TmOutcome::kOk) return Status::Internal("catalog row changed concurrently");
  return Status::OK();
}

Status Catalog::DeleteObject(storage::Transaction* txn, TxnCatalogState* state, uint32_t oid) {
  NORDLYS_ASSIGN_OR_RETURN(storage::Tid tid, RowOf(state, oid));
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r, db_->heap(db_->catalog_heap()).Delete(txn, tid));
  if (r.outcome != storage::TmOutcome::kOk) return Status::Internal("catalog row changed concurrently");
  return Status::OK();
}

Status Catalog::Refresh(storage::Transaction* txn, TxnCatalogState* state) {
  db_->CommandCounterIncrement(txn);
  NORDLYS_ASSIGN_OR_RETURN(state->own, Load(txn));
  return Status::OK();
}

void Catalog::EndTransaction(TxnCatalogState* state, bool committed) {
  if (state->own != nullptr && committed) {
    std::lock_guard<std::mutex> l(mu_);
    committed_.reset();
    ++version_;
  }
  state->own.reset();
  if (state->ddl_lock.owns_lock()) state->ddl_lock.unlock();
  state->ddl_lock = {};
}

// --- sequences ---

Status Catalog::LoadSeqLocked(const SequenceDef& seq, SeqState* st) {
  auto txn = db_->Begin(storage::Isolation::kReadCommitted);
  db_->BeginStatement(txn.get());
  auto scan = db_->heap(seq.heap).Scan(txn.get());
  storage::Tid tid;
  std::string data;
  auto more = scan->Next(&tid, &data);
  db_->Abort(txn.get());
  if (!more.ok()) return more.status();
  st->loaded = true;
  if (*more && data.size() == 9) {
    st->logged = static_cast<int64_t>(DecodeFixed64(data.data()));
    st->logged_called = data[8] != 0;
    st->last = st->logged;
    st->called = st->logged_called;
  } else {
    st->last = seq.start;
    st->called = false;
    st->logged = seq.start;
    st->logged_called = false;
  }
  return Status::OK();
}

Status Catalog::LogSeqLocked(const SequenceDef& seq, int64_t value, bool called) {
  std::string row(9, '\0');
  EncodeFixed64(row.data(), static_cast<uint64_t>(value));
  row[8] = called ? 1 : 0;
  auto txn = db_->Begin(storage::Isolation::kReadCommitted);
  db_->BeginStatement(txn.get());
  storage::Heap heap = db_->heap(seq.heap);
  auto scan = heap.Scan(txn.get());
  storage::Tid tid;
  std::string data;
  auto more = scan->Next(&tid, &data);
  scan.reset();
  Status s = more.status();
  if (s.ok()) {
    if (*more) {
      storage::Tid new_tid;
      auto r = heap.Update(txn.get(), tid, row, &new_tid);
      s = r.ok() ? Status::OK() : r.status();
    } else {
      s = heap.Insert(txn.get(), row).status();
    }
  }
  if (!s.ok()) {
    db_->Abort(txn.get());
    return s;
  }
  return db_->Commit(txn.get());
}

Result<int64_t> Catalog::NextVal(const SequenceDef& seq) {
  std::lock_guard<std::mutex> l(seq_mu_);
  SeqState& st = seqs_[seq.oid];
  if (!st.loaded) NORDLYS_RETURN_IF_ERROR(LoadSeqLocked(seq, &st));
  int64_t next;
  if (!st.called) {
    next = st.last;
  } else {
    bool overflow = __builtin_add_overflow(st.last, seq.increment, &next);
    if (overflow || next > seq.max_value || next < seq.min_value) {
      if (!seq.cycle) {
        bool up = seq.increment > 0;
        return SqlError("2200H", std::string("nextval: reached ") + (up ? "maximum" : "minimum") +
                                     " value of sequence \"" + seq.name + "\" (" +
                                     std::to_string(up ? seq.max_value : seq.min_value) + ")");
      }
      next = seq.increment > 0 ? seq.min_value : seq.max_value;
    }
  }
  bool need_log = !st.logged_called || (seq.increment > 0 ? next > st.logged : next < st.logged);
  if (need_log) {
    int64_t ahead;
    if (__builtin_mul_overflow(seq.increment, kSeqLogAhead, &ahead) ||
        __builtin_add_overflow(next, ahead, &ahead) || ahead > seq.max_value ||
        ahead < seq.min_value) {
      ahead = next;
    }
    NORDLYS_RETURN_IF_ERROR(LogSeqLocked(seq, ahead, true));
    st.logged = ahead;
    st.logged_called = true;
  }
  st.last = next;
  st.called = true;
  return next;
}

Status Catalog::SetVal(const SequenceDef& seq, int64_t value, bool is_called) {
  if (value < seq.min_value || value > seq.max_value) {
    return SqlError("22003", "setval: value " + std::to_string(value) +
                                 " is out of bounds for sequence \"" + seq.name + "\" (" +
                                 std::to_string(seq.min_value) + ".." +
                                 std::to_string(seq.max_value) + ")");
  }
  std::lock_guard<std::mutex> l(seq_mu_);
  SeqState& st = seqs_[seq.oid];
  NORDLYS_RETURN_IF_ERROR(LogSeqLocked(seq, value, is_called));
  st.loaded = true;
  st.last = value;
  st.called = is_called;
  st.logged = value;
  st.logged_called = is_called;
  return Status::OK();
}

}  // namespace nordlys::engine::sql
