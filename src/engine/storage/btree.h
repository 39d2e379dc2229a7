// B-tree index access (Lehman & Yao pages, page/btree_page.h). Keys are byte strings in an
// order-preserving encoding of the indexed columns (engine/types/key_encoding.h); this layer
// compares with memcmp. Every entry's stored key is the user key followed by the heap Tid
// (Tid::AppendTo), so stored keys are unique and duplicates of a user key sort by Tid; the
// entry's value is the Tid too.
//
// Structure: page 0 of the index relation is the root and stays the root: when it splits, its
// halves move to two new pages and the root is reloaded one level up, in the same Mtr. Every
// split is one Mtr (BtreeLoad right half, BtreeTruncate left half, BtreeInsert into the parent).
//
// Concurrency: one reader-writer lock per index (readers shared, writers exclusive) plus page
// latches; a split never blocks readers of other indexes. Finer locking is future work.
//
// Thread safety: a BtreeIndex is a cheap handle; its methods are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/storage/database.h"
#include "engine/storage/heap.h"
#include "engine/storage/txn.h"

namespace nordlys::engine::storage {

class IndexScan {
 public:
  virtual ~IndexScan() = default;
  // The next entry in key order: its user key (without the Tid suffix) and Tid. false at end.
  virtual Result<bool> Next(std::string* user_key, Tid* tid) = 0;
};

class BtreeIndex {
 public:
  BtreeIndex(Database* db, RelId rel) : db_(db), rel_(rel) {}
  RelId id() const { return rel_; }

  // Formats page 0 as an empty leaf root. Called by Database::CreateIndex.
  Status InitRoot(Transaction* txn);
  // Adds (user_key, tid). REQUIRES: user_key.size() + Tid::kEncodedSize <= page::kBtreeMaxKey
  // (54000 "index row size exceeds maximum" otherwise).
  Status Insert(Transaction* txn, std::string_view user_key, Tid tid);
  // Unique insert: first checks every entry with the same user key against `heap`: a live one
  // (other than `tid`) gives AlreadyExists (the caller words 23505); one whose liveness depends
  // on a running transaction is waited for (Database::WaitForXid) and rechecked. Check and
  // insert happen under the index's exclusive lock, so two inserters of one key cannot both pass.
  Status InsertUnique(Transaction* txn, Heap heap, std::string_view user_key, Tid tid);
  // Entries with lower <= user_key < upper in key order (empty upper: no bound). For inclusive
  // upper or exclusive lower bounds, pass PrefixSuccessor(key).
  std::unique_ptr<IndexScan> Scan(std::string lower, std::string upper);
  // The same entries in descending key order (ORDER BY ... DESC on an ascending index).
  std::unique_ptr<IndexScan> ScanBackward(std::string lower, std::string upper);
  // Removes the entries whose Tid `dead` says yes to (VACUUM, and lazy cleanup of entries whose
  // versions are dead to all). Returns how many were removed.
  Result<uint64_t> RemoveIf(const std::function<Result<bool>(Tid)>& dead);
  // Builds the index from entries sorted by (user_key, tid) on an empty index (CREATE INDEX,
  // ADD PRIMARY KEY): fills leaves and inner levels bottom-up.
  Status BulkLoad(Transaction* txn, std::vector<std::pair<std::string, Tid>> sorted);

 private:
  Database* db_;
  RelId rel_;
};

// The smallest byte string greater than every string that starts with `prefix` (empty when
// none exists, i.e. prefix is all 0xff: then there is no upper bound).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace nordlys::engine::storage
