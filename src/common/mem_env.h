// MemEnv: an Env whose files live in memory, on virtual time, with seeded randomness — and with
// the faults a real disk has, injected on request (LevelDB's memenv + fault_injection_test idea):
//   - Crash(): every file loses what was appended after its last Sync() (optionally keeping a
//     random torn prefix of the unsynced tail);
//   - FlipBit(): silent corruption of stored bytes;
//   - SetSpaceLimitBytes(): appends past the limit fail with ResourceExhausted ("disk full");
//   - FailNextWrites(): the next N appends/syncs fail with IoError.
// Used by unit tests and by the deterministic simulator (one MemEnv per simulated node).
//
// Thread safety: all methods are internally synchronized.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/env.h"

namespace nordlys {

class MemEnv final : public Env {
 public:
  explicit MemEnv(uint64_t seed = 1);
  ~MemEnv() override;

  // --- Env ---
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Status ReadFileToString(const std::string& path, std::string* out) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  bool FileExists(const std::string& path) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteDirRecursive(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  uint64_t NowMicros() override;
  uint64_t WallMicros() override;
  void SleepForMicros(uint64_t micros) override;
  uint64_t RandomU64() override;

  // --- faults and virtual time ---
  // Power loss: unsynced bytes vanish. With torn_tail, a random prefix of each file's unsynced
  // tail survives (a torn write), possibly cutting a record in half.
  void Crash(bool torn_tail = false);
  // Flips one bit of a stored byte. Returns false if the file or offset does not exist.
  bool FlipBit(const std::string& path, uint64_t offset, int bit);
  // 0 = unlimited.
  void SetSpaceLimitBytes(uint64_t limit);
  void FailNextWrites(int count);
  void AdvanceMicros(uint64_t micros);
  uint64_t TotalBytes();

  struct FileState;

 private:
  Status CheckWriteLocked(size_t bytes);  // REQUIRES: mu_ held

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // GUARDED_BY(mu_)
  std::set<std::string> dirs_;                               // GUARDED_BY(mu_)
  uint64_t space_limit_ = 0;                                 // GUARDED_BY(mu_)
  int fail_writes_ = 0;                                      // GUARDED_BY(mu_)
  uint64_t now_micros_ = 1'000'000;                          // GUARDED_BY(mu_)
  Random rng_;                                               // GUARDED_BY(mu_)

  friend class MemWritableFile;
};

}  // namespace nordlys
