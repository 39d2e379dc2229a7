// Mini-transaction: the only way a page changes. The caller latches the pages exclusively (via
// BufferPool), then Add()s one redo record per change; each record is applied to the cached
// page at once with redo::Apply (so the caller can read its own change), and Commit() hands the
// whole group to VolumeClient::AppendMtr, which assigns consecutive LSNs (the last one is the
// CPL), and stamps each touched page with the LSN of its last record. Storage and readers apply
// the same records in the same order and so hold the same bytes.
//
// Keep the guards alive until Commit() returns: the latch held across AppendMtr is what makes
// the LSN order of records on one page equal their apply order here.
//
// Thread safety: one Mtr belongs to one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "engine/storage/buffer_pool.h"
#include "redo/record.h"
#include "volume/volume_client.h"

namespace nordlys::engine::storage {

class Mtr {
 public:
  Mtr(volume::VolumeClient* volume, BufferPool* pool) : volume_(volume), pool_(pool) {}
  ~Mtr();  // an Mtr with records that was never committed discards its pages (see Commit)
  Mtr(const Mtr&) = delete;
  Mtr& operator=(const Mtr&) = delete;

  // Applies the record to *guard's page now and keeps it for Commit. REQUIRES: guard latched
  // exclusively, kept alive and not moved until Commit returns (the Mtr keeps its address).
  // Corruption if the record does not fit the page (a programming error upstream; the page is
  // unchanged).
  Status Add(PageGuard* guard, redo::RecordType type, std::string payload);
  bool empty() const { return records_.empty(); }
  // Hands a guard to the Mtr, which keeps it (pin and latch) until the Mtr is destroyed. For
  // pages the caller does not otherwise hold, e.g. a relation directory during allocation.
  PageGuard* Keep(PageGuard guard);
  // A page this Mtr already keeps (exclusively latched), or nullptr: so one Mtr can touch the
  // same directory or meta page twice without deadlocking on its own latch.
  PageGuard* Kept(PageId id);

  // Logs the records (waiting for LAL space if needed) and stamps the pages. Returns the CPL.
  // On failure (Fenced: a newer writer exists) every touched page is discarded from the pool,
  // so no unlogged change stays visible.
  Result<Lsn> Commit();

 private:
  volume::VolumeClient* const volume_;
  BufferPool* const pool_;
  std::vector<volume::PendingRecord> records_;
  std::vector<PageGuard*> guards_;  // one per record, in order
  std::vector<std::unique_ptr<PageGuard>> kept_;
  bool committed_ = false;
};

}  // namespace nordlys::engine::storage
