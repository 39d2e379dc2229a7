// What an executing statement carries: the transaction, the catalog view, the session, the
// parameter values, and the stack of enclosing rows for correlated subqueries.
//
// Thread safety: one statement execution on one thread; `cancel` may be set by any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <vector>

#include "engine/sql/catalog/catalog.h"
#include "engine/sql/catalog/row_codec.h"
#include "engine/sql/session_info.h"
#include "engine/storage/database.h"
#include "engine/types/value.h"

namespace nordlys::engine::sql {

struct ExecContext {
  storage::Database* db = nullptr;
  storage::Transaction* txn = nullptr;
  Catalog* catalog = nullptr;
  TxnCatalogState* cat_state = nullptr;
  std::shared_ptr<const CatalogSnapshot> snap;
  const SessionInfo* session = nullptr;
  std::vector<types::Value> params;
  std::vector<const Row*> outer;       // enclosing queries' current rows, innermost last
  int64_t txn_timestamp = 0;           // now(): the transaction's start (PG timestamp, us)
  int64_t stmt_timestamp = 0;
  storage::CancelFlag* cancel = nullptr;
  std::map<uint32_t, int64_t>* currvals = nullptr;  // session: last nextval per sequence
  uint64_t rows_since_check = 0;

  // 57014 when the statement was cancelled. Cheap; call per row.
  Status CheckCancel() {
    if ((++rows_since_check & 255) == 0 && storage::IsCanceled(cancel)) return storage::CanceledStatus(cancel->load());
    return Status::OK();
  }
};

// The current time as a PostgreSQL timestamp (microseconds since 2000-01-01 UTC).
int64_t NowTimestamp();

}  // namespace nordlys::engine::sql
