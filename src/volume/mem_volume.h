// MemVolume: a VolumeClient that keeps the volume in this process's memory — pages materialized
// with the same redo::Apply as storage, durability immediate (VDL = the last CPL on return from
// AppendMtr) and no network. For the engine's unit tests, so they run without storage nodes;
// the product always uses the real client (volume_client.h).
//
// Options let a test hold durability back (`auto_durable = false`, then MakeDurable()) to
// exercise commit waits and LAL back-pressure, and fence the volume to exercise Fenced paths.
//
// Thread safety: every method may be called from any thread; WhenDurable/WhenLsnSpace callbacks
// run on the thread that makes the LSN durable (AppendMtr's or MakeDurable's), with no lock held.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "volume/volume_client.h"

namespace nordlys::volume {

class MemVolume final : public VolumeClient {
 public:
  struct Options {
    bool auto_durable = true;
    uint64_t lsn_allocation_limit = 1'000'000;
  };
  MemVolume() : MemVolume(Options{}) {}
  explicit MemVolume(Options options) : options_(options) {}

  void Recover(std::function<void(Status)> done) override;
  Result<Lsn> AppendMtr(std::vector<PendingRecord> records) override;
  void WhenLsnSpace(std::function<void(Status)> fn) override;
  void WhenDurable(Lsn lsn, std::function<void(Status)> fn) override;
  void ReadPage(PageId page, Lsn read_point,
                std::function<void(Result<page::Page>)> fn) override;
  void SetHorizon(Lsn lsn) override;
  Lsn vdl() const override;
  Lsn vcl() const override;
  Epoch epoch() const override;
  bool fenced() const override;

  // Test controls.
  void MakeDurable();  // VDL = the last CPL appended
  void Fence();        // every later call fails with Fenced; waiters get Fenced
  // Simulates a writer crash and restart: records above VDL are dropped (as a new writer's
  // recovery would annul them) and the volume must be Recover()ed again.
  void CrashAndRecover();
  uint64_t records_appended() const;

 private:
  void FireLocked(std::vector<std::function<void(Status)>>* out);

  const Options options_;
  mutable std::mutex mu_;
  bool recovered_ = false;                               // GUARDED_BY(mu_)
  bool fenced_ = false;                                  // GUARDED_BY(mu_)
  uint64_t epoch_ = 0;                                   // GUARDED_BY(mu_)
  Lsn next_lsn_{1};                                      // GUARDED_BY(mu_)
  Lsn last_cpl_;                                         // GUARDED_BY(mu_)
  Lsn vdl_;                                              // GUARDED_BY(mu_)
  std::vector<redo::Record> log_;                        // GUARDED_BY(mu_); every record
  std::unordered_map<PageId, page::Page> durable_pages_;  // GUARDED_BY(mu_); at vdl_
  size_t applied_ = 0;  // GUARDED_BY(mu_); log_ prefix applied to durable_pages_
  std::multimap<Lsn, std::function<void(Status)>> durable_waiters_;  // GUARDED_BY(mu_)
  std::vector<std::function<void(Status)>> space_waiters_;           // GUARDED_BY(mu_)
  uint64_t appended_ = 0;                                            // GUARDED_BY(mu_)
};

}  // namespace nordlys::volume
