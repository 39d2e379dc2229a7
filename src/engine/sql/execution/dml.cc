// INSERT, UPDATE and DELETE, and TableWriter: constraint checks and index maintenance.
#include "engine/sql/errors.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/execution/foreign_keys.h"
#include "engine/sql/execution/statements.h"
#include "engine/sql/planner/planner.h"
#include "engine/types/key_encoding.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

std::string RowForMessage(const Row& row, const std::vector<ColumnDef>& columns, ExecContext* ctx) {
  std::string s = "(";
  types::SessionSettings settings = ctx->session ? ctx->session->settings : types::SessionSettings{};
  bool first = true;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].dropped) continue;
    if (!first) s += ", ";
    first = false;
    s += row[i].is_null() ? "null" : types::OutputValue(row[i], columns[i].type, settings);
  }
  return s + ")";
}

TableWriter::TableWriter(std::shared_ptr<const TableDef> table, ExecContext* ctx, std::string_view sql)
    : table_(std::move(table)), ctx_(ctx), sql_(sql) {}

Status TableWriter::Prepare(std::vector<Type>* param_types) {
  std::vector<Type> no_params;
  Binder binder(ctx_->snap, ctx_->session, "", &no_params);
  defaults_.assign(table_->columns.size(), nullptr);
  for (size_t i = 0; i < table_->columns.size(); ++i) {
    const ColumnDef& c = table_->columns[i];
    if (c.default_expr.is_null()) continue;
    Scope scope;
    Binder::ExprContext ectx{&scope, nullptr, "DEFAULT expressions"};
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindExpr(c.default_expr, ectx));
    NORDLYS_ASSIGN_OR_RETURN(defaults_[i], binder.Coerce(e, c.type, types::CastContext::kAssignment, c.name, 0));
  }
  checks_.clear();
  if (!table_->checks.empty()) {
    Scope scope;
    scope.items.push_back(Binder::TableScope(*table_, "", 0));
    for (const auto& chk : table_->checks) {
      Binder::ExprContext ectx{&scope, nullptr, "check constraints"};
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindCondition(chk.expr, ectx, "CHECK"));
      checks_.push_back({chk.name, e});
    }
  }
  return Status::OK();
}

Result<Value> TableWriter::DefaultOf(size_t column) {
  if (!defaults_[column]) return Value();
  Row none;
  return Eval(*defaults_[column], none, ctx_);
}

Status TableWriter::CheckRow(const Row& row) {
  for (size_t i = 0; i < table_->columns.size(); ++i) {
    if (table_->columns[i].not_null && row[i].is_null()) {
      return SqlError("23502", "null value in column \"" + table_->columns[i].name + "\" of relation \"" +
                                   table_->name + "\" violates not-null constraint",
                      {.detail = "Failing row contains " + RowForMessage(row, table_->columns, ctx_) + "."});
    }
  }
  for (const auto& [name, e] : checks_) {
    NORDLYS_ASSIGN_OR_RETURN(Value v, Eval(*e, row, ctx_));
    if (!v.is_null() && !v.as_bool()) {
      return SqlError("23514", "new row for relation \"" + table_->name + "\" violates check constraint \"" + name + "\"",
                      {.detail = "Failing row contains " + RowForMessage(row, table_->columns, ctx_) + "."});
    }
  }
  return Status::OK();
}

Status TableWriter::UniqueViolation(const IndexDef& ix, const Row& row) {
  std::string cols, vals;
  types::SessionSettings settings = ctx_->session ? ctx_->session->settings : types::SessionSettings{};
  for (size_t i = 0; i < ix.columns.size(); ++i) {
    if (i > 0) {
      cols += ", ";
      vals += ", ";
    }
    const ColumnDef& c = table_->columns[ix.columns[i]];
    cols += c.name;
    const Value& v = row[ix.columns[i]];
    vals += v.is_null() ? "null" : types::OutputValue(v, c.type, settings);
  }
  return SqlError("23505", "duplicate key value violates unique constraint \"" + ix.name + "\"",
                  {.detail = "Key (" + cols + ")=(" + vals + ") already exists."});
}

Status TableWriter::InsertIndexEntries(const Row& row, storage::Tid tid, const Row* old_row, bool* arbiter_conflict) {
  for (const auto& ix : table_->indexes) {
    std::string key;
    bool has_null = false;
    bool changed = old_row == nullptr;
    for (size_t i = 0; i < ix.columns.size(); ++i) {
      int c = ix.columns[i];
      has_null |= row[c].is_null();
      if (old_row && !GroupEqual((*old_row)[c], row[c], table_->columns[c].type.id)) changed = true;
      NORDLYS_RETURN_IF_ERROR(types::AppendKey(row[c], {table_->columns[c].type, ix.descending[i], ix.nulls_first[i]}, &key));
    }
    storage::BtreeIndex index = ctx_->db->index(ix.rel);
    // A unique key the update did not change cannot collide (the old version held it), and
    // NULLs never collide.
    if (ix.unique && changed && !has_null) {
      Status s = index.InsertUnique(ctx_->txn, ctx_->db->heap(table_->heap), key, tid);
      if (s.code() == StatusCode::kAlreadyExists) {
        if (arbiter_conflict != nullptr &&
            std::find(arbiters_.begin(), arbiters_.end(), &ix) != arbiters_.end()) {
          *arbiter_conflict = true;
          return Status::OK();
        }
        return UniqueViolation(ix, row);
      }
      NORDLYS_RETURN_IF_ERROR(s);
    } else {
      NORDLYS_RETURN_IF_ERROR(index.Insert(ctx_->txn, key, tid));
    }
  }
  return Status::OK();
}

Result<std::optional<storage::Tid>> TableWriter::FindConflict(const Row& row) {
  storage::Heap heap = ctx_->db->heap(table_->heap);
  for (const IndexDef* ix : arbiters_) {
    std::string key;
    bool has_null = false;
    for (size_t i = 0; i < ix->columns.size(); ++i) {
      int c = ix->columns[i];
      has_null |= row[c].is_null();
      NORDLYS_RETURN_IF_ERROR(types::AppendKey(row[c], {table_->columns[c].type, ix->descending[i], ix->nulls_first[i]}, &key));
    }
    if (has_null) continue;  // NULLs never conflict
    for (int attempt = 0;; ++attempt) {
      NORDLYS_ASSERT(attempt < 1'000'000);
      auto scan = ctx_->db->index(ix->rel).Scan(key, storage::PrefixSuccessor(key));
      std::string k;
      storage::Tid tid;
      bool wait = false;
      storage::Xid wait_for;
      for (;;) {
        NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&k, &tid));
        if (!more) break;
        if (k != key) continue;
        NORDLYS_ASSIGN_OR_RETURN(storage::Heap::Liveness l, heap.LivenessOf(ctx_->txn, tid, &wait_for));
        if (l == storage::Heap::Liveness::kLive) return std::optional<storage::Tid>(tid);
        if (l == storage::Heap::Liveness::kInProgress) {
          wait = true;
          break;
        }
      }
      if (!wait) break;
      // Another transaction is inserting or deleting this key: its outcome decides.
      scan.reset();
      NORDLYS_RETURN_IF_ERROR(ctx_->db->WaitForXid(ctx_->txn, wait_for));
    }
  }
  return std::optional<storage::Tid>();
}

Result<storage::Tid> TableWriter::Insert(const Row& row) {
  EncodeRowInto(row, table_->columns, &buf_);
  NORDLYS_ASSIGN_OR_RETURN(storage::Tid tid, ctx_->db->heap(table_->heap).Insert(ctx_->txn, buf_));
  NORDLYS_RETURN_IF_ERROR(InsertIndexEntries(row, tid, nullptr, nullptr));
  if (foreign_keys_ != nullptr) foreign_keys_->RowInserted(*table_, row);
  return tid;
}

Result<std::optional<storage::Tid>> TableWriter::InsertUnlessConflict(const Row& row) {
  EncodeRowInto(row, table_->columns, &buf_);
  storage::Heap heap = ctx_->db->heap(table_->heap);
  NORDLYS_ASSIGN_OR_RETURN(storage::Tid tid, heap.Insert(ctx_->txn, buf_));
  bool conflict = false;
  NORDLYS_RETURN_IF_ERROR(InsertIndexEntries(row, tid, nullptr, &conflict));
  if (!conflict) {
    if (foreign_keys_ != nullptr) foreign_keys_->RowInserted(*table_, row);
    return std::optional<storage::Tid>(tid);
  }
  // Take the row out again: the index entries made so far lead to a version deleted by its own
  // inserter, which no snapshot sees.
  NORDLYS_RETURN_IF_ERROR(heap.Delete(ctx_->txn, tid).status());
  return std::optional<storage::Tid>();
}

Result<storage::TmResult> TableWriter::Update(storage::Tid tid, const Row& old_row, const Row& new_row) {
  bool hot_allowed = true;
  for (const auto& ix : table_->indexes) {
    for (int c : ix.columns) {
      if (!GroupEqual(old_row[c], new_row[c], table_->columns[c].type.id)) hot_allowed = false;
    }
  }
  EncodeRowInto(new_row, table_->columns, &buf_);
  storage::Tid new_tid;
  bool hot = false;
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r,
                           ctx_->db->heap(table_->heap).Update(ctx_->txn, tid, buf_, &new_tid, hot_allowed, &hot));
  if (r.outcome == storage::TmOutcome::kOk && !hot) {
    NORDLYS_RETURN_IF_ERROR(InsertIndexEntries(new_row, new_tid, &old_row, nullptr));
  }
  if (r.outcome == storage::TmOutcome::kOk && foreign_keys_ != nullptr) {
    foreign_keys_->RowUpdated(*table_, old_row, new_row);
  }
  return r;
}

namespace {

// `what`: the statement as "INSERT into" / "UPDATE of" / "DELETE from", for views.
Result<std::shared_ptr<const TableDef>> TargetTable(Binder& binder, const Json& rel, const char* what) {
  if (rel.contains("inh") && !rel["inh"].get<bool>()) {
    // ONLY t: no inheritance here, so it means t.
  }
  if (!rel.contains("catalogname")) {
    std::string schema = rel.value("schemaname", "");
    uint32_t ns = schema.empty() ? 0 : binder.catalog().SchemaOid(schema);
    if ((schema.empty() || ns != 0) && binder.catalog().FindView(ns, rel.value("relname", "")) != nullptr) {
      // PostgreSQL's automatically updatable views are not built.
      return Unsupported(std::string(what) + " a view", binder.Position(rel));
    }
  }
  return binder.LookupTable(rel, /*missing_schema_is_42p01=*/true);
}

// RETURNING list over the statement's row: the target table's columns first (at 0), then, for
// UPDATE ... FROM and DELETE ... USING, the Tid and the other FROM items, as `scope` says.
Status BindReturning(Binder& binder, const Json& s, Scope* scope, std::vector<ExprPtr>* exprs,
                     std::vector<ResultColumn>* cols) {
  if (!s.contains("returningList")) return Status::OK();
  Binder::ExprContext ctx{scope, nullptr, "RETURNING"};
  for (const auto& t : s["returningList"]) {
    const Json& rt = t["ResTarget"];
    const Json& val = rt["val"];
    auto [k, b] = NodeOf(val);
    if (k == "ColumnRef" && (*b)["fields"].back().contains("A_Star")) {
      const Json& fields = (*b)["fields"];
      std::string qual = fields.size() == 2 ? StrVal(fields[0]) : "";
      bool any = false;
      for (const auto& item : scope->items) {
        if (!qual.empty() && item.alias != qual) continue;
        any = true;
        for (size_t i = 0; i < item.columns.size(); ++i) {
          if ((qual.empty() && item.Hidden(i)) || item.columns[i].empty()) continue;
          exprs->push_back(MakeColumn(item.offset + static_cast<int>(i), item.types[i], item.columns[i]));
          cols->push_back({item.columns[i], item.types[i], item.table_oid,
                           static_cast<int16_t>(item.table_oid ? i + 1 : 0)});
        }
      }
      if (!any) {
        return SqlError("42P01", "missing FROM-clause entry for table \"" + qual + "\"",
                        {.position = binder.Position(val)});
      }
      continue;
    }
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindExpr(val, ctx));
    e = binder.ResolveUnknown(e);
    std::string name = rt.contains("name") ? rt["name"].get<std::string>() : "?column?";
    if (!rt.contains("name")) {
      if (k == "ColumnRef") name = StrVal((*b)["fields"].back());
      if (k == "FuncCall") name = NameList((*b)["funcname"]).back();
    }
    ResultColumn rc{name, e->type};
    if (e->kind == ExprKind::kColumn) {
      for (const auto& item : scope->items) {
        int c = e->index - item.offset;
        if (item.table_oid != 0 && c >= 0 && c < static_cast<int>(item.columns.size())) {
          rc.table_oid = item.table_oid;
          rc.attnum = static_cast<int16_t>(c + 1);
        }
      }
    }
    exprs->push_back(e);
    cols->push_back(rc);
  }
  return Status::OK();
}

Status EmitReturning(const std::vector<ExprPtr>& exprs, const Row& row, ExecContext* ctx, StatementOutput* out) {
  if (exprs.empty()) return Status::OK();
  Row r(exprs.size());
  for (size_t i = 0; i < exprs.size(); ++i) {
    NORDLYS_ASSIGN_OR_RETURN(r[i], Eval(*exprs[i], row, ctx));
  }
  return out->Row(r);
}

}  // namespace

namespace {

// The rows UPDATE and DELETE act on: the target's row versions that pass WHERE (joined with the
// FROM/USING items), and, under READ COMMITTED, the re-check on a newer version when a
// concurrent transaction changed the one the statement saw.
class DmlSource {
 public:
  DmlSource(std::shared_ptr<const TableDef> table, ExecContext* ctx)
      : table_(std::move(table)), ctx_(ctx), width_(table_->columns.size()) {}

  Status Bind(Binder& binder, const std::string& alias, const Json* from_list, const Json& s) {
    NORDLYS_ASSIGN_OR_RETURN(from_, binder.BindDmlSource(table_, alias, from_list, &scope_));
    if (s.contains("whereClause")) {
      Binder::ExprContext ctx{&scope_, nullptr, "WHERE"};
      NORDLYS_ASSIGN_OR_RETURN(ExprPtr w, binder.BindCondition(s["whereClause"], ctx, "WHERE"));
      SplitConjuncts(w, &conj_);
    }
    return Status::OK();
  }
  Scope* scope() { return &scope_; }
  size_t width() const { return width_; }

  Status Open(Planner& planner) {
    NORDLYS_ASSIGN_OR_RETURN(plan_, planner.PlanDmlSource(*from_, conj_));
    return plan_->Open(ctx_);
  }
  // The next joined row: [target columns][Tid][other items' columns].
  Result<bool> Next(Row* row, storage::Tid* tid) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, plan_->Next(ctx_, row));
    if (more) *tid = TidOfValue((*row)[width_]);
    return more;
  }
  // READ COMMITTED after kUpdated: moves *row's target part to the newest version of the row
  // and says whether it still passes WHERE (with the same FROM row). false: skip the row.
  Result<bool> Recheck(Row* row, storage::Tid* tid) {
    storage::Tid latest;
    NORDLYS_ASSIGN_OR_RETURN(bool alive, ctx_->db->heap(table_->heap).FetchLatest(ctx_->txn, *tid, &latest, &data_));
    if (!alive) return false;
    Row target;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data_, table_->columns, &target));
    std::copy(target.begin(), target.end(), row->begin());
    (*row)[width_] = TidValue(latest);
    for (const auto& c : conj_) {
      NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*c, *row, ctx_));
      if (!ok) return false;
    }
    *tid = latest;
    return true;
  }

 private:
  std::shared_ptr<const TableDef> table_;
  ExecContext* ctx_;
  size_t width_;
  Scope scope_;
  std::unique_ptr<BoundFrom> from_;
  std::vector<ExprPtr> conj_;
  OperatorPtr plan_;
  std::string data_;
};

// SET col = expr, ... (UPDATE, ON CONFLICT DO UPDATE) over `scope`; a nullptr expression means
// DEFAULT. Each expression is coerced to its column's type.
Status BindSetList(Binder& binder, const TableDef& table, const Json& target_list, Scope* scope, const char* what,
                   std::vector<std::pair<int, ExprPtr>>* out) {
  std::vector<std::pair<int, ExprPtr>>& sets = *out;
  Binder::ExprContext ctx{scope, nullptr, what};
  for (const auto& t : target_list) {
    const Json& rt = t["ResTarget"];
    std::string name = rt.value("name", "");
    int pos = binder.Position(t);
    if (rt.contains("indirection")) return Unsupported("UPDATE of subfields or array elements", pos);
    const Json* val = &rt["val"];
    if (NodeOf(*val).first == "MultiAssignRef") {
      // SET (a, b) = (x, y): this target is element colno of the row.
      const Json& m = (*val)["MultiAssignRef"];
      auto [sk, sb] = NodeOf(m["source"]);
      if (sk == "SubLink") return Unsupported("multiple-column UPDATE from a sub-SELECT", pos);
      if (sk != "RowExpr") {
        return SqlError("0A000", "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
                        {.position = binder.Position(m["source"])});
      }
      const Json& args = (*sb)["args"];
      size_t colno = m.value("colno", 1);
      if (args.size() != m.value("ncolumns", size_t{0})) {
        return SqlError("42601", "number of columns does not match number of values", {.position = pos});
      }
      val = &args[colno - 1];
    }
    int idx = table.ColumnIndex(name);
    if (idx < 0) {
      return SqlError("42703", "column \"" + name + "\" of relation \"" + table.name + "\" does not exist",
                      {.position = pos});
    }
    for (const auto& [c, e] : sets) {
      if (c == idx) return SqlError("42601", "multiple assignments to same column \"" + name + "\"", {.position = pos});
    }
    if (table.columns[idx].identity == 'a' && NodeOf(*val).first != "SetToDefault") {
      return SqlError("428C9", "column \"" + name + "\" can only be updated to DEFAULT",
                      {.detail = "Column \"" + name + "\" is an identity column defined as GENERATED ALWAYS.",
                       .position = pos});
    }
    if (NodeOf(*val).first == "SetToDefault") {
      sets.push_back({idx, nullptr});
      continue;
    }
    NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindExpr(*val, ctx));
    const ColumnDef& col = table.columns[idx];
    NORDLYS_ASSIGN_OR_RETURN(e, binder.Coerce(e, col.type, types::CastContext::kAssignment, col.name,
                                              binder.Position(*val)));
    sets.push_back({idx, e});
  }
  return Status::OK();
}

// INSERT ... ON CONFLICT: the arbiter indexes and, for DO UPDATE, its SET list and WHERE over
// [existing row][EXCLUDED row].
struct OnConflict {
  bool active = false;
  bool update = false;
  std::vector<const IndexDef*> arbiters;
  std::vector<std::pair<int, ExprPtr>> sets;
  ExprPtr where;
};

Status BindOnConflict(Binder& binder, const TableDef& table, const std::string& alias, const Json& oc,
                      OnConflict* out) {
  out->active = true;
  out->update = oc.value("action", "") == "ONCONFLICT_UPDATE";
  int pos = binder.Position(oc);
  if (oc.contains("infer")) {
    const Json& infer = oc["infer"];
    if (infer.contains("whereClause")) return Unsupported("ON CONFLICT with an index predicate", pos);
    if (infer.contains("conname")) {
      std::string name = infer["conname"].get<std::string>();
      for (const auto& ix : table.indexes) {
        if (ix.name == name && ix.unique) out->arbiters.push_back(&ix);
      }
      if (out->arbiters.empty()) {
        return SqlError("42704", "constraint \"" + name + "\" for table \"" + table.name + "\" does not exist");
      }
    } else {
      std::vector<int> cols;
      for (const auto& e : infer["indexElems"]) {
        const Json& ie = e["IndexElem"];
        if (!ie.contains("name")) return Unsupported("ON CONFLICT on an expression", pos);
        std::string name = ie["name"].get<std::string>();
        int c = table.ColumnIndex(name);
        if (c < 0) {
          return SqlError("42703", "column \"" + name + "\" does not exist", {.position = binder.Position(e)});
        }
        cols.push_back(c);
      }
      std::sort(cols.begin(), cols.end());
      cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
      for (const auto& ix : table.indexes) {
        std::vector<int> ic = ix.columns;
        std::sort(ic.begin(), ic.end());
        if (ix.unique && ic == cols) out->arbiters.push_back(&ix);
      }
      if (out->arbiters.empty()) {
        return SqlError("42P10", "there is no unique or exclusion constraint matching the ON CONFLICT specification");
      }
    }
  } else {
    if (out->update) {
      return SqlError("42601", "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                      {.hint = "For example, ON CONFLICT (column_name).", .position = pos});
    }
    for (const auto& ix : table.indexes) {
      if (ix.unique) out->arbiters.push_back(&ix);
    }
  }
  if (!out->update) return Status::OK();
  Scope scope;
  scope.items.push_back(Binder::TableScope(table, alias, 0));
  ScopeItem excluded = Binder::TableScope(table, "excluded", static_cast<int>(table.columns.size()));
  excluded.table_oid = 0;
  scope.items.push_back(excluded);
  NORDLYS_RETURN_IF_ERROR(BindSetList(binder, table, oc["targetList"], &scope, "UPDATE", &out->sets));
  if (oc.contains("whereClause")) {
    Binder::ExprContext ctx{&scope, nullptr, "WHERE"};
    NORDLYS_ASSIGN_OR_RETURN(out->where, binder.BindCondition(oc["whereClause"], ctx, "WHERE"));
  }
  return Status::OK();
}

// DO UPDATE of the live row whose chain starts at `root`, with `proposed` as EXCLUDED. Locks
// the newest version first (READ COMMITTED: whatever committed last, visible or not, as
// PostgreSQL does). false: that row went away or changed under us; look for the conflict again.
Result<bool> ConflictUpdate(TableWriter& writer, storage::Heap& heap, const OnConflict& oc, storage::Tid root,
                            const Row& proposed, ExecContext* ctx, const std::vector<ExprPtr>& returning,
                            StatementOutput* out, uint64_t* n) {
  auto second_time = [] {
    return SqlError("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time",
                    {.hint = "Ensure that no rows proposed for insertion within the same command have duplicate "
                             "constrained values."});
  };
  storage::Tid latest;
  std::string data;
  NORDLYS_ASSIGN_OR_RETURN(bool alive, heap.FetchLatest(ctx->txn, root, &latest, &data));
  if (!alive) return false;
  NORDLYS_ASSIGN_OR_RETURN(bool mine_now, heap.InsertedByCurrentCommand(ctx->txn, latest));
  if (mine_now) return second_time();
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult lock, heap.Lock(ctx->txn, latest, storage::RowLockMode::kForUpdate));
  if (lock.outcome == storage::TmOutcome::kSelfModified) return second_time();
  if (lock.outcome != storage::TmOutcome::kOk) return false;
  const TableDef& table = writer.table();
  Row existing;
  NORDLYS_RETURN_IF_ERROR(DecodeRow(data, table.columns, &existing));
  Row both = existing;
  both.insert(both.end(), proposed.begin(), proposed.end());
  if (oc.where) {
    NORDLYS_ASSIGN_OR_RETURN(bool ok, EvalCondition(*oc.where, both, ctx));
    if (!ok) return true;  // the row stays locked, unchanged, as in PostgreSQL
  }
  Row new_row = existing;
  for (const auto& [c, e] : oc.sets) {
    if (e) {
      NORDLYS_ASSIGN_OR_RETURN(new_row[c], Eval(*e, both, ctx));
    } else {
      NORDLYS_ASSIGN_OR_RETURN(new_row[c], writer.DefaultOf(c));
    }
  }
  NORDLYS_RETURN_IF_ERROR(writer.CheckRow(new_row));
  NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r, writer.Update(latest, existing, new_row));
  if (r.outcome == storage::TmOutcome::kSelfModified) return second_time();
  if (r.outcome != storage::TmOutcome::kOk) return false;
  ++*n;
  NORDLYS_RETURN_IF_ERROR(EmitReturning(returning, new_row, ctx, out));
  return true;
}

std::string AliasOf(const Json& rel) {
  return rel.contains("alias") ? rel["alias"].value("aliasname", "") : "";
}

}  // namespace

Result<std::string> ExecInsert(const Json& s, StmtEnv& env) {
  Binder binder = env.MakeBinder();
  if (s.contains("withClause")) return Unsupported("WITH");
  NORDLYS_ASSIGN_OR_RETURN(auto table, TargetTable(binder, s["relation"], "INSERT into"));
  std::string alias = AliasOf(s["relation"]);
  // Target columns.
  std::vector<int> target;
  if (s.contains("cols")) {
    for (const auto& c : s["cols"]) {
      const Json& rt = c["ResTarget"];
      std::string name = rt.value("name", "");
      int pos = binder.Position(c);
      if (rt.contains("indirection")) return Unsupported("INSERT into subfields or array elements", pos);
      int idx = table->ColumnIndex(name);
      if (idx < 0) {
        return SqlError("42703", "column \"" + name + "\" of relation \"" + table->name + "\" does not exist",
                        {.position = pos});
      }
      for (int t : target) {
        if (t == idx) return SqlError("42701", "column \"" + name + "\" specified more than once", {.position = pos});
      }
      target.push_back(idx);
    }
  } else {
    // Without a column list the values fill the leading columns; the rest get defaults.
    size_t n = 0;
    for (const auto& c : table->columns) n += c.dropped ? 0 : 1;
    if (s.contains("selectStmt")) {
      const Json& sel = s["selectStmt"]["SelectStmt"];
      if (sel.contains("valuesLists") && !sel["valuesLists"].empty()) {
        size_t width = sel["valuesLists"][0]["List"]["items"].size();
        if (width < n) n = width;
      } else if (sel.contains("targetList") && !sel.contains("valuesLists") && sel.value("op", "SETOP_NONE") == "SETOP_NONE") {
        bool star = false;
        for (const auto& t : sel["targetList"]) {
          const Json& v = t["ResTarget"]["val"];
          if (v.contains("ColumnRef") && v["ColumnRef"]["fields"].back().contains("A_Star")) star = true;
        }
        if (!star && sel["targetList"].size() < n) n = sel["targetList"].size();
      }
    }
    for (size_t i = 0; i < table->columns.size() && target.size() < n; ++i) {
      if (!table->columns[i].dropped) target.push_back(static_cast<int>(i));
    }
  }
  // Source: VALUES rows (bound per target column, DEFAULT allowed), a query, or DEFAULT VALUES.
  std::vector<std::vector<ExprPtr>> rows;  // nullptr entry = DEFAULT
  std::unique_ptr<BoundSelect> query;
  if (s.contains("selectStmt")) {
    const Json& sel = s["selectStmt"]["SelectStmt"];
    bool plain_values = sel.contains("valuesLists") && !sel.contains("sortClause") &&
                        !sel.contains("limitCount") && !sel.contains("limitOffset");
    if (plain_values) {
      Scope scope;
      Binder::ExprContext ctx{&scope, nullptr, "VALUES"};
      for (const auto& list : sel["valuesLists"]) {
        const Json& items = list["List"]["items"];
        if (items.size() > target.size()) {
          return SqlError("42601", "INSERT has more expressions than target columns",
                          {.position = binder.Position(items[target.size()])});
        }
        if (items.size() < target.size()) {
          int pos = s.contains("cols") ? binder.Position(s["cols"][items.size()]) : binder.Position(items.back());
          return SqlError("42601", "INSERT has more target columns than expressions", {.position = pos});
        }
        std::vector<ExprPtr> row;
        for (size_t i = 0; i < items.size(); ++i) {
          if (NodeOf(items[i]).first == "SetToDefault") {
            row.push_back(nullptr);
            continue;
          }
          const ColumnDef& col = table->columns[target[i]];
          NORDLYS_ASSIGN_OR_RETURN(ExprPtr e, binder.BindExpr(items[i], ctx));
          NORDLYS_ASSIGN_OR_RETURN(e, binder.Coerce(e, col.type, types::CastContext::kAssignment, col.name,
                                                    binder.Position(items[i])));
          row.push_back(e);
        }
        rows.push_back(std::move(row));
      }
    } else {
      NORDLYS_ASSIGN_OR_RETURN(query, binder.BindQuery(s["selectStmt"], nullptr));
      auto types = query->OutputTypes();
      if (types.size() > target.size()) {
        return SqlError("42601", "INSERT has more expressions than target columns");
      }
      if (types.size() < target.size()) {
        return SqlError("42601", "INSERT has more target columns than expressions");
      }
      for (size_t i = 0; i < types.size(); ++i) {
        const ColumnDef& col = table->columns[target[i]];
        Type t = types[i].id == TypeId::kUnknown ? Type(TypeId::kText) : types[i];
        auto c = types::FindCast(t.id, col.type.id);
        if (t.id != col.type.id && (!c || *c == types::CastContext::kExplicit)) {
          return SqlError("42804", "column \"" + col.name + "\" is of type " + types::FormatType(col.type) +
                                       " but expression is of type " + types::FormatType(t),
                          {.hint = "You will need to rewrite or cast the expression."});
        }
      }
    }
  } else {
    rows.push_back({});  // DEFAULT VALUES
    target.clear();
  }
  // Identity columns: GENERATED ALWAYS takes no value unless OVERRIDING SYSTEM VALUE; OVERRIDING
  // USER VALUE ignores the given ones.
  const std::string overriding = s.value("override", "");
  std::vector<bool> use_default(target.size(), false);
  for (size_t i = 0; i < target.size(); ++i) {
    const ColumnDef& col = table->columns[target[i]];
    if (col.identity == 0) continue;
    if (overriding == "OVERRIDING_USER_VALUE") {
      use_default[i] = true;
      for (auto& row : rows) {
        if (i < row.size()) row[i] = nullptr;
      }
      continue;
    }
    if (col.identity != 'a' || overriding == "OVERRIDING_SYSTEM_VALUE") continue;
    bool given = query != nullptr;
    for (const auto& row : rows) given |= i < row.size() && row[i] != nullptr;
    if (given) {
      return SqlError("428C9", "cannot insert a non-DEFAULT value into column \"" + col.name + "\"",
                      {.detail = "Column \"" + col.name + "\" is an identity column defined as GENERATED ALWAYS.",
                       .hint = "Use OVERRIDING SYSTEM VALUE to override."});
    }
  }
  OnConflict on_conflict;
  if (s.contains("onConflictClause")) {
    NORDLYS_RETURN_IF_ERROR(BindOnConflict(binder, *table, alias, s["onConflictClause"], &on_conflict));
  }
  std::vector<ExprPtr> returning;
  std::vector<ResultColumn> rcols;
  Scope returning_scope;
  returning_scope.items.push_back(Binder::TableScope(*table, alias, 0));
  NORDLYS_RETURN_IF_ERROR(BindReturning(binder, s, &returning_scope, &returning, &rcols));
  if (env.describe) {
    env.info->returns_rows = !returning.empty();
    env.info->columns = rcols;
    return std::string();
  }
  TableWriter writer(table, env.ctx, env.sql);
  NORDLYS_RETURN_IF_ERROR(writer.Prepare(env.param_types));
  writer.set_arbiters(on_conflict.arbiters);
  ForeignKeyQueue foreign_keys(env.ctx);
  writer.set_foreign_keys(&foreign_keys);
  Planner planner(env.ctx->db);
  NORDLYS_RETURN_IF_ERROR(planner.PlanSubqueries(&binder));
  if (!returning.empty()) NORDLYS_RETURN_IF_ERROR(env.out->Columns(rcols));
  uint64_t n = 0;
  Row none;
  storage::Heap heap = env.ctx->db->heap(table->heap);
  auto insert_row = [&](Row full, const std::vector<bool>& given) -> Status {
    for (size_t c = 0; c < full.size(); ++c) {
      if (!given[c]) {
        NORDLYS_ASSIGN_OR_RETURN(full[c], writer.DefaultOf(c));
      }
    }
    NORDLYS_RETURN_IF_ERROR(writer.CheckRow(full));
    if (!on_conflict.active) {
      NORDLYS_RETURN_IF_ERROR(writer.Insert(full).status());
      ++n;
      return EmitReturning(returning, full, env.ctx, env.out);
    }
    // ON CONFLICT: look for a row holding the key first; insert when there is none. An insert
    // that still meets a duplicate (a concurrent transaction committed it in between) takes its
    // own row out again and goes back to the look-up.
    for (int attempt = 0;; ++attempt) {
      NORDLYS_ASSERT(attempt < 1'000'000);
      NORDLYS_ASSIGN_OR_RETURN(std::optional<storage::Tid> existing, writer.FindConflict(full));
      if (!existing) {
        NORDLYS_ASSIGN_OR_RETURN(std::optional<storage::Tid> tid, writer.InsertUnlessConflict(full));
        if (!tid) continue;
        ++n;
        return EmitReturning(returning, full, env.ctx, env.out);
      }
      if (!on_conflict.update) return Status::OK();  // DO NOTHING
      NORDLYS_ASSIGN_OR_RETURN(bool done, ConflictUpdate(writer, heap, on_conflict, *existing, full, env.ctx,
                                                         returning, env.out, &n));
      if (done) return Status::OK();
    }
  };
  size_t ncols = table->columns.size();
  if (query) {
    NORDLYS_ASSIGN_OR_RETURN(OperatorPtr plan, planner.PlanQuery(*query));
    auto types = query->OutputTypes();
    // Read the whole source first: the statement must not see its own inserts.
    NORDLYS_RETURN_IF_ERROR(plan->Open(env.ctx));
    std::vector<Row> source;
    Row r;
    for (;;) {
      NORDLYS_ASSIGN_OR_RETURN(bool more, plan->Next(env.ctx, &r));
      if (!more) break;
      source.push_back(r);
    }
    types::SessionSettings settings = env.ctx->session->settings;
    for (const auto& src : source) {
      Row full(ncols);
      std::vector<bool> given(ncols, false);
      for (size_t i = 0; i < target.size(); ++i) {
        if (use_default[i]) continue;
        const ColumnDef& col = table->columns[target[i]];
        NORDLYS_ASSIGN_OR_RETURN(full[target[i]], CastForAssignment(src[i], types[i], col.type, settings));
        given[target[i]] = true;
      }
      NORDLYS_RETURN_IF_ERROR(insert_row(std::move(full), given));
    }
  } else {
    for (const auto& exprs : rows) {
      Row full(ncols);
      std::vector<bool> given(ncols, false);
      for (size_t i = 0; i < exprs.size(); ++i) {
        if (!exprs[i]) continue;
        NORDLYS_ASSIGN_OR_RETURN(full[target[i]], Eval(*exprs[i], none, env.ctx));
        given[target[i]] = true;
      }
      NORDLYS_RETURN_IF_ERROR(insert_row(std::move(full), given));
    }
  }
  NORDLYS_RETURN_IF_ERROR(foreign_keys.Finish());
  return "INSERT 0 " + std::to_string(n);
}


Result<std::string> ExecUpdate(const Json& s, StmtEnv& env) {
  Binder binder = env.MakeBinder();
  if (s.contains("withClause")) return Unsupported("WITH");
  NORDLYS_ASSIGN_OR_RETURN(auto table, TargetTable(binder, s["relation"], "UPDATE of"));
  DmlSource source(table, env.ctx);
  NORDLYS_RETURN_IF_ERROR(source.Bind(binder, AliasOf(s["relation"]),
                                      s.contains("fromClause") ? &s["fromClause"] : nullptr, s));
  std::vector<std::pair<int, ExprPtr>> sets;  // nullptr expr = DEFAULT
  NORDLYS_RETURN_IF_ERROR(BindSetList(binder, *table, s["targetList"], source.scope(), "UPDATE", &sets));
  std::vector<ExprPtr> returning;
  std::vector<ResultColumn> rcols;
  NORDLYS_RETURN_IF_ERROR(BindReturning(binder, s, source.scope(), &returning, &rcols));
  if (env.describe) {
    env.info->returns_rows = !returning.empty();
    env.info->columns = rcols;
    return std::string();
  }
  TableWriter writer(table, env.ctx, env.sql);
  NORDLYS_RETURN_IF_ERROR(writer.Prepare(env.param_types));
  ForeignKeyQueue foreign_keys(env.ctx);
  writer.set_foreign_keys(&foreign_keys);
  Planner planner(env.ctx->db);
  NORDLYS_RETURN_IF_ERROR(planner.PlanSubqueries(&binder));
  if (!returning.empty()) NORDLYS_RETURN_IF_ERROR(env.out->Columns(rcols));
  NORDLYS_RETURN_IF_ERROR(source.Open(planner));
  const size_t width = source.width();
  uint64_t n = 0;
  Row row, old_row, new_row;
  storage::Tid tid;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, source.Next(&row, &tid));
    if (!more) break;
    for (;;) {
      old_row.assign(row.begin(), row.begin() + width);
      new_row = old_row;
      for (const auto& [c, e] : sets) {
        if (e) {
          NORDLYS_ASSIGN_OR_RETURN(new_row[c], Eval(*e, row, env.ctx));
        } else {
          NORDLYS_ASSIGN_OR_RETURN(new_row[c], writer.DefaultOf(c));
        }
      }
      NORDLYS_RETURN_IF_ERROR(writer.CheckRow(new_row));
      NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r, writer.Update(tid, old_row, new_row));
      if (r.outcome == storage::TmOutcome::kOk) {
        ++n;
        if (!returning.empty()) {
          std::copy(new_row.begin(), new_row.end(), row.begin());
          NORDLYS_RETURN_IF_ERROR(EmitReturning(returning, row, env.ctx, env.out));
        }
        break;
      }
      // Deleted, or already changed by this statement (another FROM row matched it).
      if (r.outcome != storage::TmOutcome::kUpdated) break;
      NORDLYS_ASSIGN_OR_RETURN(bool again, source.Recheck(&row, &tid));
      if (!again) break;
    }
  }
  NORDLYS_RETURN_IF_ERROR(foreign_keys.Finish());
  return "UPDATE " + std::to_string(n);
}

Result<std::string> ExecDelete(const Json& s, StmtEnv& env) {
  Binder binder = env.MakeBinder();
  if (s.contains("withClause")) return Unsupported("WITH");
  NORDLYS_ASSIGN_OR_RETURN(auto table, TargetTable(binder, s["relation"], "DELETE from"));
  DmlSource source(table, env.ctx);
  NORDLYS_RETURN_IF_ERROR(source.Bind(binder, AliasOf(s["relation"]),
                                      s.contains("usingClause") ? &s["usingClause"] : nullptr, s));
  std::vector<ExprPtr> returning;
  std::vector<ResultColumn> rcols;
  NORDLYS_RETURN_IF_ERROR(BindReturning(binder, s, source.scope(), &returning, &rcols));
  if (env.describe) {
    env.info->returns_rows = !returning.empty();
    env.info->columns = rcols;
    return std::string();
  }
  Planner planner(env.ctx->db);
  NORDLYS_RETURN_IF_ERROR(planner.PlanSubqueries(&binder));
  if (!returning.empty()) NORDLYS_RETURN_IF_ERROR(env.out->Columns(rcols));
  NORDLYS_RETURN_IF_ERROR(source.Open(planner));
  storage::Heap heap = env.ctx->db->heap(table->heap);
  ForeignKeyQueue foreign_keys(env.ctx);
  const bool referenced = env.ctx->snap->referenced_by.count(table->oid) > 0;
  uint64_t n = 0;
  Row row;
  storage::Tid tid;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, source.Next(&row, &tid));
    if (!more) break;
    for (;;) {
      NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r, heap.Delete(env.ctx->txn, tid));
      if (r.outcome == storage::TmOutcome::kOk) {
        ++n;
        if (referenced) {
          foreign_keys.RowDeleted(*table, Row(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(source.width())));
        }
        NORDLYS_RETURN_IF_ERROR(EmitReturning(returning, row, env.ctx, env.out));
        break;
      }
      if (r.outcome != storage::TmOutcome::kUpdated) break;
      NORDLYS_ASSIGN_OR_RETURN(bool again, source.Recheck(&row, &tid));
      if (!again) break;
    }
  }
  NORDLYS_RETURN_IF_ERROR(foreign_keys.Finish());
  return "DELETE " + std::to_string(n);
}

}  // namespace nordlys::engine::sql
