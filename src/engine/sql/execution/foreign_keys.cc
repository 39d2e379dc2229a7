// FOREIGN KEY checks and actions (see foreign_keys.h).
#include "engine/sql/execution/foreign_keys.h"

#include <set>

#include "engine/sql/errors.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/execution/statements.h"
#include "engine/storage/btree.h"
#include "engine/storage/heap.h"
#include "engine/types/cast.h"
#include "engine/types/key_encoding.h"
#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

// Bounds on the retry loops below: each retry follows a concurrent change that committed.
constexpr int kRetriesMax = 1'000'000;
// A statement's cascades: each event is one referenced row gone or one referencing row written.
constexpr size_t kEventsMax = size_t{1} << 32;

bool IsIntegerType(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
bool IsFloatType(TypeId t) { return t == TypeId::kFloat4 || t == TypeId::kFloat8; }
bool IsDatetimeType(TypeId t) {
  return t == TypeId::kDate || t == TypeId::kTimestamp || t == TypeId::kTimestampTz;
}

types::SessionSettings SettingsOf(ExecContext* ctx) {
  return ctx->session ? ctx->session->settings : types::SessionSettings{};
}

// `v` (of type `from`) as a value of type `to` that compares equal to it; nullopt when no value
// of `to` does (an int8 beyond int4's range, a timestamp that is not midnight as a date).
std::optional<Value> SameValueAs(ExecContext* ctx, const Value& v, const Type& from, const Type& to) {
  if (v.is_null() || from.id == to.id) return v;
  types::SessionSettings settings = SettingsOf(ctx);
  auto there = CastForAssignment(v, from, to, settings);
  if (!there.ok()) return std::nullopt;
  auto back = CastForAssignment(*there, to, from, settings);
  if (!back.ok() || !GroupEqual(*back, v, from.id)) return std::nullopt;
  return *there;
}

// "(a, b)=(1, null)": the key as PostgreSQL's RI messages print it.
std::string KeyText(ExecContext* ctx, const TableDef& t, const std::vector<int>& cols, const Row& row) {
  std::string names, values;
  types::SessionSettings settings = SettingsOf(ctx);
  for (size_t i = 0; i < cols.size(); ++i) {
    const ColumnDef& c = t.columns[cols[i]];
    names += (i ? ", " : "") + c.name;
    const Value& v = row[cols[i]];
    values += (i ? ", " : "") + (v.is_null() ? std::string("null") : types::OutputValue(v, c.type, settings));
  }
  return "(" + names + ")=(" + values + ")";
}

struct LiveRow {
  storage::Tid tid;  // its newest committed (or own) version
  Row row;
};

// An index of `t` whose leading columns are exactly `cols` (in any order), or nullptr.
const IndexDef* IndexOn(const TableDef& t, const std::vector<int>& cols) {
  const IndexDef* best = nullptr;
  for (const auto& ix : t.indexes) {
    if (ix.columns.size() < cols.size()) continue;
    std::multiset<int> a(ix.columns.begin(), ix.columns.begin() + static_cast<std::ptrdiff_t>(cols.size()));
    std::multiset<int> b(cols.begin(), cols.end());
    if (a != b) continue;
    if (best == nullptr || ix.columns.size() < best->columns.size()) best = &ix;
  }
  return best;
}

// The live rows of `t` whose `cols` equal `key` (values of those columns' types, no NULLs), as
// PostgreSQL's RI queries see them: the newest committed or own version of each row, waiting
// for transactions that are inserting or deleting one. Uses an index on the columns when there
// is one; otherwise scans the heap twice, with the statement's snapshot (this transaction's
// changes) and with a fresh one (what committed since), and lets liveness decide.
Result<std::vector<LiveRow>> FindLiveRows(ExecContext* ctx, const TableDef& t, const std::vector<int>& cols,
                                          const Row& key, bool first_only) {
  std::vector<LiveRow> out;
  std::set<storage::Tid> seen;
  storage::Heap heap = ctx->db->heap(t.heap);
  std::string data;
  Row row;
  // Adds the row whose chain holds `cand` when it is live and matches; true: stop looking.
  auto consider = [&](storage::Tid cand) -> Result<bool> {
    for (int attempt = 0;; ++attempt) {
      NORDLYS_ASSERT(attempt < kRetriesMax);
      storage::Xid wait_for;
      NORDLYS_ASSIGN_OR_RETURN(storage::Heap::Liveness l, heap.LivenessOf(ctx->txn, cand, &wait_for));
      if (l == storage::Heap::Liveness::kDead) return false;
      if (l == storage::Heap::Liveness::kLive) break;
      NORDLYS_RETURN_IF_ERROR(ctx->db->WaitForXid(ctx->txn, wait_for));
    }
    storage::Tid latest;
    NORDLYS_ASSIGN_OR_RETURN(bool alive, heap.FetchLatest(ctx->txn, cand, &latest, &data));
    if (!alive || !seen.insert(latest).second) return false;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data, t.columns, &row));
    for (size_t i = 0; i < cols.size(); ++i) {
      const Value& v = row[cols[i]];
      if (v.is_null() || !GroupEqual(v, key[i], t.columns[cols[i]].type.id)) return false;
    }
    out.push_back({latest, row});
    return first_only;
  };
  if (const IndexDef* ix = IndexOn(t, cols)) {
    std::string prefix;
    for (size_t i = 0; i < cols.size(); ++i) {
      int c = ix->columns[i];
      size_t k = static_cast<size_t>(std::find(cols.begin(), cols.end(), c) - cols.begin());
      NORDLYS_RETURN_IF_ERROR(
          types::AppendKey(key[k], {t.columns[c].type, ix->descending[i], ix->nulls_first[i]}, &prefix));
    }
    // Collect first: waiting inside the scan would hold the index's lock.
    std::vector<storage::Tid> cands;
    {
      auto scan = ctx->db->index(ix->rel).Scan(prefix, storage::PrefixSuccessor(prefix));
      std::string k;
      storage::Tid tid;
      for (;;) {
        NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
        NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&k, &tid));
        if (!more) break;
        if (k.compare(0, prefix.size(), prefix) == 0) cands.push_back(tid);
      }
    }
    for (const auto& c : cands) {
      NORDLYS_ASSIGN_OR_RETURN(bool stop, consider(c));
      if (stop) break;
    }
    return out;
  }
  std::unique_ptr<storage::Transaction> fresh = ctx->db->Begin(storage::Isolation::kReadCommitted);
  ctx->db->BeginStatement(fresh.get());
  storage::Transaction* txns[] = {ctx->txn, fresh.get()};
  Status failure;
  for (storage::Transaction* txn : txns) {
    std::vector<storage::Tid> cands;
    {
      auto scan = heap.Scan(txn);
      storage::Tid tid;
      std::string d;
      Row r;
      for (;;) {
        failure = ctx->CheckCancel();
        if (!failure.ok()) break;
        auto more = scan->Next(&tid, &d);
        if (!more.ok()) {
          failure = more.status();
          break;
        }
        if (!*more) break;
        failure = DecodeRow(d, t.columns, &r);
        if (!failure.ok()) break;
        bool match = true;
        for (size_t i = 0; i < cols.size() && match; ++i) {
          match = !r[cols[i]].is_null() && GroupEqual(r[cols[i]], key[i], t.columns[cols[i]].type.id);
        }
        if (match) cands.push_back(tid);
      }
    }
    if (!failure.ok()) break;
    bool stop = false;
    for (const auto& c : cands) {
      auto s = consider(c);
      if (!s.ok()) {
        failure = s.status();
        break;
      }
      if ((stop = *s)) break;
    }
    if (!failure.ok() || stop) break;
  }
  ctx->db->Abort(fresh.get());
  NORDLYS_RETURN_IF_ERROR(failure);
  return out;
}

// Is there a live row of `ref` holding `key` in `ref_cols`? Locks it FOR SHARE when there is.
Result<bool> LockReferencedRow(ExecContext* ctx, const TableDef& ref, const std::vector<int>& ref_cols,
                               const Row& key) {
  storage::Heap heap = ctx->db->heap(ref.heap);
  for (int attempt = 0;; ++attempt) {
    NORDLYS_ASSERT(attempt < kRetriesMax);
    NORDLYS_ASSIGN_OR_RETURN(std::vector<LiveRow> rows, FindLiveRows(ctx, ref, ref_cols, key, true));
    if (rows.empty()) return false;
    NORDLYS_ASSIGN_OR_RETURN(storage::TmResult r, heap.Lock(ctx->txn, rows[0].tid, storage::RowLockMode::kForShare));
    if (r.outcome == storage::TmOutcome::kOk || r.outcome == storage::TmOutcome::kSelfModified) return true;
    // Updated or deleted by a transaction that committed meanwhile: look again.
  }
}

}  // namespace

bool ForeignKeyTypesCompatible(const Type& referencing, const Type& referenced) {
  TypeId a = referencing.id, b = referenced.id;
  if (a == b) return true;
  if (IsIntegerType(a) && IsIntegerType(b)) return true;
  if (IsFloatType(a) && IsFloatType(b)) return true;
  if (IsDatetimeType(a) && IsDatetimeType(b)) return true;
  auto c = types::FindCast(a, b);
  return c && *c == types::CastContext::kImplicit;
}

Status CheckForeignKeyRow(ExecContext* ctx, const TableDef& table, const ForeignKeyDef& fk, const TableDef& ref,
                          const Row& row) {
  bool any_null = false, all_null = true;
  for (int c : fk.columns) {
    if (row[c].is_null()) {
      any_null = true;
    } else {
      all_null = false;
    }
  }
  const std::string message =
      "insert or update on table \"" + table.name + "\" violates foreign key constraint \"" + fk.name + "\"";
  if (all_null) return Status::OK();
  if (any_null) {
    if (fk.match_type != 'f') return Status::OK();  // MATCH SIMPLE: a NULL means no check
    return SqlError("23503", message, {.detail = "MATCH FULL does not allow mixing of null and nonnull key values."});
  }
  Row key;
  bool representable = true;
  for (size_t i = 0; i < fk.columns.size(); ++i) {
    auto v = SameValueAs(ctx, row[fk.columns[i]], table.columns[fk.columns[i]].type,
                         ref.columns[fk.ref_columns[i]].type);
    if (!v) {
      representable = false;
      break;
    }
    key.push_back(*v);
  }
  if (representable) {
    NORDLYS_ASSIGN_OR_RETURN(bool found, LockReferencedRow(ctx, ref, fk.ref_columns, key));
    if (found) return Status::OK();
  }
  return SqlError("23503", message,
                  {.detail = "Key " + KeyText(ctx, table, fk.columns, row) + " is not present in table \"" +
                             ref.name + "\"."});
}

void ForeignKeyQueue::RowInserted(const TableDef& table, const Row& row) {
  for (size_t i = 0; i < table.foreign_keys.size(); ++i) {
    events_.push_back({false, table.oid, i, row, std::nullopt, false});
  }
}

void ForeignKeyQueue::RowUpdated(const TableDef& table, const Row& old_row, const Row& new_row) {
  auto changed = [&](const std::vector<int>& cols) {
    for (int c : cols) {
      if (!GroupEqual(old_row[c], new_row[c], table.columns[c].type.id)) return true;
    }
    return false;
  };
  for (size_t i = 0; i < table.foreign_keys.size(); ++i) {
    if (changed(table.foreign_keys[i].columns)) events_.push_back({false, table.oid, i, new_row, std::nullopt, false});
  }
  auto it = ctx_->snap->referenced_by.find(table.oid);
  if (it == ctx_->snap->referenced_by.end()) return;
  for (const auto& [child, i] : it->second) {
    const TableDef* ct = ctx_->snap->TableByOid(child);
    if (ct == nullptr || !changed(ct->foreign_keys[i].ref_columns)) continue;
    events_.push_back({true, child, i, old_row, new_row, false});
  }
}

void ForeignKeyQueue::RowDeleted(const TableDef& table, const Row& old_row) {
  auto it = ctx_->snap->referenced_by.find(table.oid);
  if (it == ctx_->snap->referenced_by.end()) return;
  for (const auto& [child, i] : it->second) events_.push_back({true, child, i, old_row, std::nullopt, true});
}

Status ForeignKeyQueue::Finish() {
  if (events_.empty()) return Status::OK();
  // The checks see what this statement wrote, as PostgreSQL's AFTER triggers do.
  ctx_->db->CommandCounterIncrement(ctx_->txn);
  for (size_t n = 0; !events_.empty(); ++n) {
    NORDLYS_ASSERT(n < kEventsMax);
    NORDLYS_RETURN_IF_ERROR(ctx_->CheckCancel());
    Event e = std::move(events_.front());
    events_.pop_front();
    NORDLYS_RETURN_IF_ERROR(e.parent_gone ? ParentGone(e) : CheckReferencing(e));
  }
  return Status::OK();
}

Status ForeignKeyQueue::CheckReferencing(const Event& e) {
  const TableDef* t = ctx_->snap->TableByOid(e.table);
  NORDLYS_ASSERT(t != nullptr);
  const ForeignKeyDef& fk = t->foreign_keys[e.fk];
  const TableDef* ref = ctx_->snap->TableByOid(fk.ref_table);
  if (ref == nullptr) return Status::Internal("foreign key references a missing table");
  return CheckForeignKeyRow(ctx_, *t, fk, *ref, e.row);
}

Status ForeignKeyQueue::ParentGone(const Event& e) {
  auto child_it = ctx_->snap->tables.find(e.table);
  NORDLYS_ASSERT(child_it != ctx_->snap->tables.end());
  const std::shared_ptr<const TableDef>& child = child_it->second;
  const ForeignKeyDef& fk = child->foreign_keys[e.fk];
  const TableDef* parent = ctx_->snap->TableByOid(fk.ref_table);
  NORDLYS_ASSERT(parent != nullptr);
  Row key;
  for (int c : fk.ref_columns) {
    if (e.row[c].is_null()) return Status::OK();  // a NULL key is never referenced
    key.push_back(e.row[c]);
  }
  const char action = e.deleted ? fk.delete_action : fk.update_action;
  if (action == 'a') {
    // NO ACTION: fine when another row holds the key now.
    NORDLYS_ASSIGN_OR_RETURN(std::vector<LiveRow> again, FindLiveRows(ctx_, *parent, fk.ref_columns, key, true));
    if (!again.empty()) return Status::OK();
  }
  Row child_key;
  for (size_t i = 0; i < fk.columns.size(); ++i) {
    auto v = SameValueAs(ctx_, key[i], parent->columns[fk.ref_columns[i]].type, child->columns[fk.columns[i]].type);
    if (!v) return Status::OK();  // no value of the referencing type equals it
    child_key.push_back(*v);
  }
  const bool restrict = action == 'a' || action == 'r';
  NORDLYS_ASSIGN_OR_RETURN(std::vector<LiveRow> refs, FindLiveRows(ctx_, *child, fk.columns, child_key, restrict));
  if (refs.empty()) return Status::OK();
  // SET DEFAULT may write back the very key that went away (it is the default): the row then
  // still references it, which PostgreSQL reports as NO ACTION would.
  bool default_is_key = action == 'd' && (!e.deleted || fk.delete_set_columns.empty());
  for (size_t i = 0; i < fk.columns.size() && default_is_key; ++i) {
    const ColumnDef& col = child->columns[fk.columns[i]];
    if (col.default_expr.is_null()) {
      default_is_key = false;
      break;
    }
  }
  if (default_is_key) {
    TableWriter probe(child, ctx_, "");
    std::vector<Type> no_params;
    NORDLYS_RETURN_IF_ERROR(probe.Prepare(&no_params));
    for (size_t i = 0; i < fk.columns.size() && default_is_key; ++i) {
      NORDLYS_ASSIGN_OR_RETURN(Value v, probe.DefaultOf(fk.columns[i]));
      default_is_key = !v.is_null() && GroupEqual(v, child_key[i], child->columns[fk.columns[i]].type.id);
    }
  }
  if (restrict || default_is_key) {
    return SqlError("23503", "update or delete on table \"" + parent->name + "\" violates foreign key constraint \"" +
                                 fk.name + "\" on table \"" + child->name + "\"",
                    {.detail = "Key " + KeyText(ctx_, *parent, fk.ref_columns, e.row) +
                               " is still referenced from table \"" + child->name + "\"."});
  }
  storage::Heap heap = ctx_->db->heap(child->heap);
  if (action == 'c' && e.deleted) {
    for (auto& r : refs) {
      NORDLYS_ASSIGN_OR_RETURN(storage::TmResult res, heap.Delete(ctx_->txn, r.tid));
      if (res.outcome == storage::TmOutcome::kOk) {
        RowDeleted(*child, r.row);
      } else if (res.outcome != storage::TmOutcome::kSelfModified) {
        // Changed by a transaction that committed after FindLiveRows waited: PostgreSQL's RI
        // query would fail the same way under its crosscheck.
        return SqlError("40001", "could not serialize access due to concurrent update");
      }
    }
    return Status::OK();
  }
  TableWriter writer(child, ctx_, "");
  std::vector<Type> no_params;
  NORDLYS_RETURN_IF_ERROR(writer.Prepare(&no_params));
  writer.set_foreign_keys(this);
  types::SessionSettings settings = SettingsOf(ctx_);
  for (auto& r : refs) {
    Row updated = r.row;
    for (size_t i = 0; i < fk.columns.size(); ++i) {
      int c = fk.columns[i];
      // ON DELETE SET NULL / SET DEFAULT (columns) leaves the other key columns as they are.
      if (e.deleted && !fk.delete_set_columns.empty() &&
          std::find(fk.delete_set_columns.begin(), fk.delete_set_columns.end(), c) == fk.delete_set_columns.end()) {
        continue;
      }
      if (action == 'n') {
        updated[c] = Value();
      } else if (action == 'd') {
        NORDLYS_ASSIGN_OR_RETURN(updated[c], writer.DefaultOf(c));
      } else {  // ON UPDATE CASCADE
        NORDLYS_ASSIGN_OR_RETURN(updated[c], CastForAssignment((*e.new_row)[fk.ref_columns[i]],
                                                               parent->columns[fk.ref_columns[i]].type,
                                                               child->columns[c].type, settings));
      }
    }
    NORDLYS_RETURN_IF_ERROR(writer.CheckRow(updated));
    NORDLYS_ASSIGN_OR_RETURN(storage::TmResult res, writer.Update(r.tid, r.row, updated));
    if (res.outcome != storage::TmOutcome::kOk && res.outcome != storage::TmOutcome::kSelfModified) {
      return SqlError("40001", "could not serialize access due to concurrent update");
    }

  }
  return Status::OK();
}

}  // namespace nordlys::engine::sql
