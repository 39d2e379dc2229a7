// FOREIGN KEY enforcement: the work PostgreSQL's RI triggers do (ri_triggers.c), without
// triggers. A statement that writes rows tells ForeignKeyQueue what it wrote; at the end of the
// statement (where PostgreSQL fires its AFTER ROW triggers) Finish() checks new referencing
// rows against their referenced tables and applies the ON DELETE / ON UPDATE action of every
// constraint whose referenced key went away.
//
// Visibility, as PostgreSQL's RI queries: the checks read the newest committed version of each
// row (and this transaction's own changes), not the statement's snapshot, waiting for
// transactions still writing a row they need. A referencing row's check locks the referenced
// row (FOR SHARE, which this engine takes exclusively: a stand-in for PostgreSQL's FOR KEY
// SHARE), so a concurrent DELETE of it waits for the referencing transaction and then sees its
// row. Under REPEATABLE READ a referenced row changed by a transaction that committed after the
// snapshot fails with 40001, as the heap's locking does.
//
// Thread safety: one statement's, on its thread.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "engine/sql/catalog/catalog.h"
#include "engine/sql/execution/exec_context.h"

namespace nordlys::engine::sql {

class ForeignKeyQueue {
 public:
  explicit ForeignKeyQueue(ExecContext* ctx) : ctx_(ctx) {}

  // After a row of `table` was written. Cheap when the table takes part in no foreign key.
  void RowInserted(const TableDef& table, const Row& row);
  void RowUpdated(const TableDef& table, const Row& old_row, const Row& new_row);
  void RowDeleted(const TableDef& table, const Row& old_row);
  // Runs the queued checks and actions (and those the actions queue in turn). 23503 on a
  // violation.
  Status Finish();

 private:
  struct Event {
    bool parent_gone;           // false: check a referencing row; true: a referenced key went
    uint32_t table;             // the referencing table
    size_t fk;                  // index in its foreign_keys
    Row row;                    // the referencing row, or the referenced row's old version
    std::optional<Row> new_row; // referenced key updated: the new version
    bool deleted = false;
  };
  Status CheckReferencing(const Event& e);
  Status ParentGone(const Event& e);

  ExecContext* ctx_;
  std::deque<Event> events_;
};

// The referencing-row check of `fk` for `row` (a row of `table`): OK when MATCH says no check is
// needed or a referenced row exists (then locked); else 23503 with PostgreSQL's message. Used by
// Finish and by ALTER TABLE ADD FOREIGN KEY's validation of existing rows.
Status CheckForeignKeyRow(ExecContext* ctx, const TableDef& table, const ForeignKeyDef& fk, const TableDef& ref,
                          const Row& row);

// PostgreSQL's rule for which column types a foreign key may pair: equal types, types of one
// comparison family (integers, floats, date/timestamp/timestamptz, text/varchar/char), or a
// referencing type implicitly castable to the referenced one.
bool ForeignKeyTypesCompatible(const types::Type& referencing, const types::Type& referenced);

}  // namespace nordlys::engine::sql
