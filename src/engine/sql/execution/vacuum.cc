// VACUUM (reclaims dead row versions and their index entries) and ANALYZE (the statistics the
// planner estimates with: TableStats in the table's catalog row).
//
// ANALYZE reads the rows visible to the statement: every row up to kSampleRowsMax, a uniform
// reservoir sample of that size beyond (PostgreSQL samples 300 x default_statistics_target =
// 30,000 rows too). From the sample it derives each column's NULL fraction and its number of
// distinct values with the Haas-Stokes estimator PostgreSQL uses. The statistics are written
// as a catalog change (under the DDL lock, after the scan), so they commit or roll back with
// the transaction that ran ANALYZE.
#include <random>
#include <unordered_map>

#include "engine/sql/errors.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/execution/statements.h"
#include "engine/storage/btree.h"
#include "engine/storage/heap.h"

namespace nordlys::engine::sql {

namespace {

constexpr size_t kSampleRowsMax = 30000;

// Distinct values of one column in the sample -> the column's statistics.
ColumnStats ColumnStatsOf(const std::vector<Row>& sample, size_t column, types::TypeId type, double total_rows) {
  ColumnStats st;
  std::unordered_map<uint64_t, uint32_t> counts;  // value hash -> occurrences
  size_t nulls = 0;
  for (const Row& r : sample) {
    if (r[column].is_null()) {
      ++nulls;
      continue;
    }
    ++counts[GroupHash(r[column], type)];
  }
  const double n = static_cast<double>(sample.size() - nulls);  // non-NULL rows sampled
  st.null_frac = sample.empty() ? 0 : static_cast<double>(nulls) / static_cast<double>(sample.size());
  if (n == 0) return st;
  double d = static_cast<double>(counts.size());
  double f1 = 0;  // values seen exactly once
  for (const auto& [h, c] : counts) f1 += c == 1 ? 1 : 0;
  double distinct;
  if (static_cast<double>(sample.size()) >= total_rows) {
    distinct = d;  // the sample is the whole table
  } else if (f1 == d) {
    st.n_distinct = -(1 - st.null_frac);  // every sampled value unique: assume a unique column
    return st;
  } else {
    // Haas & Stokes (1998), Duj1: n*d / (n - f1 + f1*n/N), N the non-NULL rows of the table.
    const double big_n = total_rows * (1 - st.null_frac);
    distinct = n * d / ((n - f1) + f1 * n / big_n);
    distinct = std::clamp(distinct, d, big_n);
  }
  // Many distinct values are likely to grow with the table: store them as a fraction.
  st.n_distinct = total_rows > 0 && distinct > 0.1 * total_rows ? -(distinct / total_rows) : distinct;
  return st;
}

Result<TableStats> Analyze(ExecContext* ctx, const TableDef& t) {
  storage::Heap heap = ctx->db->heap(t.heap);
  auto scan = heap.Scan(ctx->txn);
  std::mt19937_64 rng(t.oid);  // a fixed seed: the same table contents give the same statistics
  std::vector<Row> sample;
  uint64_t seen = 0;
  storage::Tid tid;
  std::string data;
  Row row;
  for (;;) {
    NORDLYS_RETURN_IF_ERROR(ctx->CheckCancel());
    NORDLYS_ASSIGN_OR_RETURN(bool more, scan->Next(&tid, &data));
    if (!more) break;
    NORDLYS_RETURN_IF_ERROR(DecodeRow(data, t.columns, &row));
    if (sample.size() < kSampleRowsMax) {
      sample.push_back(row);
    } else {
      uint64_t j = rng() % (seen + 1);  // Algorithm R: row `seen` replaces with p = max/(seen+1)
      if (j < kSampleRowsMax) sample[j] = row;
    }
    ++seen;
  }
  TableStats stats;
  stats.analyzed = true;
  stats.reltuples = static_cast<double>(seen);
  NORDLYS_ASSIGN_OR_RETURN(stats.relpages, ctx->db->RelationPageCount(t.heap));
  for (size_t c = 0; c < t.columns.size(); ++c) {
    stats.columns.push_back(t.columns[c].dropped ? ColumnStats{}
                                                 : ColumnStatsOf(sample, c, t.columns[c].type.id, stats.reltuples));
  }
  return stats;
}

Status Vacuum(ExecContext* ctx, const TableDef& t) {
  storage::Database* db = ctx->db;
  storage::Xid horizon = db->OldestXmin();
  storage::Heap heap = db->heap(t.heap);
  // Index entries first, with the same horizon, so none is left pointing at a freed slot.
  for (const auto& ix : t.indexes) {
    NORDLYS_RETURN_IF_ERROR(
        db->index(ix.rel).RemoveIf([&](storage::Tid tid) { return heap.DeadToAll(tid, horizon); }).status());
  }
  return heap.Vacuum(horizon).status();
}

}  // namespace

Result<std::string> ExecVacuum(const Json& s, StmtEnv& env) {
  const bool is_vacuum = s.value("is_vacuumcmd", false);  // false: ANALYZE
  bool analyze = !is_vacuum;
  if (s.contains("options")) {
    for (const auto& o : s["options"]) {
      const std::string name = o["DefElem"].value("defname", "");
      if (name == "analyze") {
        analyze = true;
      } else if (name == "full") {
        return Unsupported("VACUUM FULL", o["DefElem"].value("location", -1) + 1);
      } else if (name != "verbose" && name != "freeze" && name != "skip_locked" && name != "index_cleanup" &&
                 name != "truncate" && name != "process_toast" && name != "disable_page_skipping" &&
                 name != "parallel") {
        return SqlError("42601", std::string("unrecognized ") + (is_vacuum ? "VACUUM" : "ANALYZE") + " option \"" +
                                     name + "\"");
      }
    }
  }
  if (env.describe) return std::string();
  Binder binder = env.MakeBinder();
  std::vector<std::shared_ptr<const TableDef>> tables;
  if (s.contains("rels")) {
    for (const auto& r : s["rels"]) {
      NORDLYS_ASSIGN_OR_RETURN(auto t, binder.LookupTable(r["VacuumRelation"]["relation"]));
      if (r["VacuumRelation"].contains("va_cols")) {
        for (const auto& c : r["VacuumRelation"]["va_cols"]) {
          std::string col = c["String"].value("sval", "");
          if (t->ColumnIndex(col) < 0) {
            return SqlError("42703", "column \"" + col + "\" of relation \"" + t->name + "\" does not exist");
          }
        }
      }
      tables.push_back(t);
    }
  } else {
    for (const auto& [oid, t] : env.ctx->snap->tables) tables.push_back(t);
  }
  if (is_vacuum) {
    for (const auto& t : tables) NORDLYS_RETURN_IF_ERROR(Vacuum(env.ctx, *t));
  }
  if (!analyze) return std::string("VACUUM");
  std::vector<std::pair<uint32_t, TableStats>> computed;
  for (const auto& t : tables) {
    NORDLYS_ASSIGN_OR_RETURN(TableStats st, Analyze(env.ctx, *t));
    computed.emplace_back(t->oid, std::move(st));
  }
  // Write them under the DDL lock, onto the definitions as they are now (a concurrent DDL
  // may have changed a table since the scan; a table dropped meanwhile is skipped).
  NORDLYS_RETURN_IF_ERROR(RunCatalogChange(env, [&]() -> Result<std::string> {
    for (auto& [oid, st] : computed) {
      const TableDef* now = env.ctx->snap->TableByOid(oid);
      if (now == nullptr) continue;
      TableDef t = *now;
      st.columns.resize(std::min(st.columns.size(), t.columns.size()));
      t.stats = std::move(st);
      NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->UpdateTable(env.ctx->txn, env.ctx->cat_state, t));
    }
    return std::string();
  }).status());
  return std::string(is_vacuum ? "VACUUM" : "ANALYZE");
}

}  // namespace nordlys::engine::sql
