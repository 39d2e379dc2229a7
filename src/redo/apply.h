// redo::Apply: the one function that turns a page plus a redo record into the next page. The
// writer, the storage nodes and the readers all call it, so they cannot disagree on what a
// record means. Pure: no I/O, no locks.
#pragma once

#include "page/page.h"
#include "redo/record.h"

namespace nordlys::redo {

// Applies r to *p if p->lsn() < r.lsn (idempotent: a record seen twice is a no-op) and sets the
// page LSN to r.lsn. Returns Corruption if the payload does not fit the page or the record is
// for another page; *p is unchanged on error.
Status Apply(const Record& r, page::Page* p);

}  // namespace nordlys::redo
