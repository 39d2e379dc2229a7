// Env::Default(): POSIX files (open/pwrite/fdatasync), CLOCK_MONOTONIC, and getrandom().
#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/env.h"

namespace nordlys {
namespace {

Status PosixError(const std::string& context, int err) {
  std::string msg = context + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == ENOSPC || err == EDQUOT) return Status::ResourceExhausted(msg);
  return Status::IoError(msg);
}

// Appends are positional writes at the logical end, so that they can land on zeros written
// ahead of it (ZeroAhead) without the file growing. mu_ only orders an Append against a ZeroAhead
// running on another thread; the owner's own calls are never concurrent with each other.
// ZeroAhead writes and syncs through a descriptor of its own: the kernel reports a writeback
// error once per open file, so a failure its fdatasync saw is still reported to Sync().
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size), zeroed_end_(size) {}
  ~PosixWritableFile() override {
    (void)Close();
  }

  Status Append(std::string_view data) override {
    uint64_t offset = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Zeros being written at or before our end would land after (and over) our bytes.
      cv_.wait(lock, [&] { return zeroing_from_ >= size_ + data.size(); });
      offset = size_;
      size_ += data.size();  // reserved: a ZeroAhead from now on starts past it
    }
    return WriteAt(fd_, offset, data, "append ");
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync " + path_, errno);
    return Status::OK();
  }

  Status Close() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !zeroing_; });
    int rc = 0;
    if (zero_fd_ >= 0) ::close(zero_fd_);
    zero_fd_ = -1;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return PosixError("close " + path_, errno);
    return Status::OK();
  }

  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return size_;
  }

  Status ZeroAhead(uint64_t bytes) override {
    uint64_t from = 0, to = 0;
    int zfd = -1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (zeroing_ || fd_ < 0 || zeroed_end_ >= size_ + bytes / 2) return Status::OK();
      // A gap before the append point: appends go on while the zeros are written, and wait
      // only if they reach them (they then grow the file for that quarter, as without zeros).
      from = std::max(zeroed_end_, size_ + bytes / 4);
      to = size_ + bytes;
      if (from >= to) return Status::OK();
      if (zero_fd_ < 0) {
        zero_fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
        if (zero_fd_ < 0) return PosixError("open " + path_ + " to write zeros", errno);
      }
      zfd = zero_fd_;
      zeroing_ = true;
      zeroing_from_ = from;
    }
    static const std::string kZeros(1u << 20, '\0');
    Status s;
    for (uint64_t off = from; off < to && s.ok(); off += kZeros.size()) {
      s = WriteAt(zfd, off, std::string_view(kZeros).substr(0, std::min<uint64_t>(kZeros.size(), to - off)),
                  "write zeros to ");
    }
    {
      // Appends may land on zeros written but not yet synced: whichever fdatasync comes first
      // makes both the zeros' blocks and the appended bytes durable.
      std::lock_guard<std::mutex> lock(mu_);
      zeroing_from_ = kNone;
    }
    cv_.notify_all();
    if (s.ok() && ::fdatasync(zfd) != 0) s = PosixError("fdatasync " + path_ + " after writing zeros", errno);
    {
      std::lock_guard<std::mutex> lock(mu_);
      zeroing_ = false;
      if (s.ok()) zeroed_end_ = std::max(zeroed_end_, to);
    }
    cv_.notify_all();
    return s;
  }

 private:
  static constexpr uint64_t kNone = UINT64_MAX;

  Status WriteAt(int fd, uint64_t offset, std::string_view data, const char* what) {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::pwrite(fd, p, left, static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError(what + path_, errno);
      }
      p += n;
      offset += static_cast<uint64_t>(n);
      left -= static_cast<size_t>(n);
    }
    return Status::OK();
  }

  std::string path_;
  int fd_;
  int zero_fd_ = -1;  // ZeroAhead's own descriptor, opened on first use
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t size_;                  // GUARDED_BY(mu_): the logical end, appends reserved included
  uint64_t zeroed_end_;            // GUARDED_BY(mu_): durable bytes (content or zeros) end here
  bool zeroing_ = false;           // GUARDED_BY(mu_): a ZeroAhead runs
  uint64_t zeroing_from_ = kNone;  // GUARDED_BY(mu_): it is writing zeros from here on
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("read " + path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

Status SyncDirOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open dir " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return PosixError("fsync dir " + dir, err);
  return Status::OK();
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open " + path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return PosixError("stat " + path, err);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open " + path, errno);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }

  Status ReadFileToString(const std::string& path, std::string* out) override {
    NORDLYS_ASSIGN_OR_RETURN(auto file, NewRandomAccessFile(path));
    NORDLYS_ASSIGN_OR_RETURN(uint64_t size, FileSize(path));
    return file->Read(0, size, out);
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open " + tmp, errno);
    PosixWritableFile f(tmp, fd, 0);
    NORDLYS_RETURN_IF_ERROR(f.Append(data));
    if (::fsync(fd) != 0) return PosixError("fsync " + tmp, errno);
    NORDLYS_RETURN_IF_ERROR(f.Close());
    if (::rename(tmp.c_str(), path.c_str()) != 0) return PosixError("rename " + tmp, errno);
    return SyncDirOf(path);
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat " + path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IoError("mkdir " + path + ": " + ec.message());
    return Status::OK();
  }

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("unlink " + path, errno);
    return Status::OK();
  }

  Status DeleteDirRecursive(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return Status::IoError("rm -r " + path + ": " + ec.message());
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return PosixError("rename " + from, errno);
    return SyncDirOf(to);
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return PosixError("opendir " + path, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open " + path, errno);
    int rc = ::ftruncate(fd, static_cast<off_t>(size));
    int err = errno;
    if (rc == 0) rc = ::fsync(fd), err = errno;
    ::close(fd);
    if (rc != 0) return PosixError("truncate " + path, err);
    return Status::OK();
  }

  uint64_t NowMicros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

  uint64_t WallMicros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }

  void SleepForMicros(uint64_t micros) override {
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }

  uint64_t RandomU64() override {
    uint64_t v = 0;
    while (::getrandom(&v, sizeof(v), 0) != static_cast<ssize_t>(sizeof(v))) {
    }
    return v;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: used until exit by any thread
  return env;
}

namespace {
uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Random::Random(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix(&seed);
}

uint64_t Random::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Random::Uniform(uint64_t n) {
  NORDLYS_ASSERT(n > 0);
  return Next() % n;
}

bool Random::Chance(double p) {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p;
}

}  // namespace nordlys
