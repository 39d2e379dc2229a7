// Env: the one seam between Nordlys and the operating system for files, clocks and randomness
// (LevelDB's pattern). Storage code takes an Env* and never calls the OS itself, so the same code
// runs on a real disk (Env::Default()), on an in-memory disk that can lose unsynced writes and
// flip bits (MemEnv), or inside the deterministic simulator on virtual time. Sockets have the
// same kind of seam one layer up: net::Transport.
//
// Thread safety: Env implementations are safe for concurrent use. A WritableFile or
// RandomAccessFile is used by one thread at a time unless its owner synchronizes (except
// WritableFile::ZeroAhead, which may run beside Append and Sync).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace nordlys {

// A file opened for appending. Data is durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes at Size() (over zeros ZeroAhead left there, else growing the file). After a failed
  // Append the file's contents past the last Sync() are unknown; stop using it.
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: everything appended so far survives a crash once this returns OK.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended (the logical end; zeros written ahead of it by ZeroAhead are not counted).
  virtual uint64_t Size() const = 0;
  // Once fewer than bytes/2 durable zero bytes follow Size(), writes zeros up to Size() + bytes
  // and syncs them, so that appends land in allocated blocks of a file whose size does not change:
  // their fdatasync then writes no metadata (as PostgreSQL pre-zeroes WAL segments). Safe to call
  // from another thread while the owner calls Append and Sync: an Append that would reach zeros
  // still being written waits for them. Readers of the file see the zeros after the last frame.
  virtual Status ZeroAhead(uint64_t bytes) = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into *out (fewer at end of file).
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real operating system. Never destroyed.
  static Env* Default();

  // --- files ---
  // Opens `path` for appending, creating it if missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual Status ReadFileToString(const std::string& path, std::string* out) = 0;
  // Replaces `path` with `data` so that after a crash the file holds either the old or the new
  // contents, never a mix (write temp, fsync, rename, fsync directory).
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // mkdir -p
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;
  // rm -r; OK if missing.
  virtual Status DeleteDirRecursive(const std::string& path) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Names (not paths) of the entries in a directory, sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Cuts a file to `size` bytes, durably.
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;

  // --- clocks ---
  // Monotonic microseconds; only differences mean anything.
  virtual uint64_t NowMicros() = 0;
  // Wall-clock microseconds since the Unix epoch.
  virtual uint64_t WallMicros() = 0;
  virtual void SleepForMicros(uint64_t micros) = 0;

  // --- randomness ---
  virtual uint64_t RandomU64() = 0;
};

// Deterministic PRNG (xoshiro256**) for simulation and tests; the same seed gives the same
// sequence on every machine.
class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, n); n > 0.
  uint64_t Uniform(uint64_t n);
  // True with probability num/den.
  bool OneIn(uint64_t den) { return Uniform(den) == 0; }
  bool Chance(double p);

 private:
  uint64_t s_[4];
};

}  // namespace nordlys
