// In-memory Env with crash and corruption injection; see mem_env.h.
#include "common/mem_env.h"

#include <algorithm>

namespace nordlys {

struct MemEnv::FileState {
  std::string data;     // what is in the file now, zeros written ahead included
  uint64_t synced = 0;  // data[0, synced) survives Crash()
  uint64_t zeroed = 0;  // [synced, zeroed) was durable zeros: Crash() puts them back
};

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path, std::shared_ptr<MemEnv::FileState> f)
      : env_(env), path_(std::move(path)), f_(std::move(f)), size_(f_->data.size()) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    const uint64_t grow = size_ + data.size() > f_->data.size()
                              ? size_ + data.size() - f_->data.size()
                              : 0;
    NORDLYS_RETURN_IF_ERROR(env_->CheckWriteLocked(grow).WithContext("append " + path_));
    if (f_->data.size() < size_ + data.size()) f_->data.resize(size_ + data.size());
    f_->data.replace(size_, data.size(), data);
    size_ += data.size();
    return Status::OK();
  }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    NORDLYS_RETURN_IF_ERROR(env_->CheckWriteLocked(0).WithContext("fdatasync " + path_));
    f_->synced = std::max(f_->synced, size_);
    return Status::OK();
  }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return size_;
  }
  Status ZeroAhead(uint64_t bytes) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    const uint64_t have = std::max<uint64_t>(f_->zeroed, f_->data.size());
    if (have >= size_ + bytes / 2) return Status::OK();
    const uint64_t to = size_ + bytes;
    NORDLYS_RETURN_IF_ERROR(
        env_->CheckWriteLocked(to - f_->data.size()).WithContext("write zeros to " + path_));
    f_->data.resize(to);  // past size_ the file holds only zeros
    f_->zeroed = to;
    return Status::OK();
  }

 private:
  MemEnv* env_;
  std::string path_;
  std::shared_ptr<MemEnv::FileState> f_;
  uint64_t size_;  // GUARDED_BY(env_->mu_): the logical end
};

namespace {

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::mutex* mu, std::shared_ptr<MemEnv::FileState> f)
      : mu_(mu), f_(std::move(f)) {}
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    std::lock_guard<std::mutex> lock(*mu_);
    if (offset >= f_->data.size()) {
      out->clear();
      return Status::OK();
    }
    *out = f_->data.substr(offset, n);
    return Status::OK();
  }

 private:
  std::mutex* mu_;
  std::shared_ptr<MemEnv::FileState> f_;
};

std::string Parent(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? std::string() : path.substr(0, pos);
}

}  // namespace

MemEnv::MemEnv(uint64_t seed) : rng_(seed) {}
MemEnv::~MemEnv() = default;

Status MemEnv::CheckWriteLocked(size_t bytes) {
  if (fail_writes_ > 0) {
    --fail_writes_;
    return Status::IoError("injected write failure");
  }
  if (space_limit_ != 0) {
    uint64_t used = 0;
    for (auto& [_, f] : files_) used += f->data.size();
    if (used + bytes > space_limit_) return Status::ResourceExhausted("No space left on device");
  }
  return Status::OK();
}

Result<std::unique_ptr<WritableFile>> MemEnv::NewAppendableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string parent = Parent(path);
  if (!parent.empty() && !dirs_.count(parent)) {
    return Status::NotFound("open " + path + ": No such file or directory");
  }
  auto& f = files_[path];
  if (!f) f = std::make_shared<FileState>();
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, path, f));
}

Result<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("open " + path + ": No such file or directory");
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(&mu_, it->second));
}

Status MemEnv::ReadFileToString(const std::string& path, std::string* out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("open " + path + ": No such file or directory");
  *out = it->second->data;
  return Status::OK();
}

Status MemEnv::WriteFileAtomic(const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string parent = Parent(path);
  if (!parent.empty() && !dirs_.count(parent)) {
    return Status::NotFound("open " + path + ": No such file or directory");
  }
  NORDLYS_RETURN_IF_ERROR(CheckWriteLocked(data.size()).WithContext("write " + path));
  auto f = std::make_shared<FileState>();
  f->data.assign(data);
  f->synced = f->data.size();
  files_[path] = f;
  return Status::OK();
}

bool MemEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) > 0 || dirs_.count(path) > 0;
}

Result<uint64_t> MemEnv::FileSize(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("stat " + path + ": No such file or directory");
  return static_cast<uint64_t>(it->second->data.size());
}

Status MemEnv::CreateDirs(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = path;
  while (!p.empty()) {
    dirs_.insert(p);
    p = Parent(p);
  }
  return Status::OK();
}

Status MemEnv::DeleteFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return Status::NotFound("unlink " + path + ": No such file");
  return Status::OK();
}

Status MemEnv::DeleteDirRecursive(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string prefix = path + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    it = it->first.compare(0, prefix.size(), prefix) == 0 ? files_.erase(it) : std::next(it);
  }
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    it = (*it == path || it->compare(0, prefix.size(), prefix) == 0) ? dirs_.erase(it)
                                                                     : std::next(it);
  }
  return Status::OK();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound("rename " + from + ": No such file");
  files_[to] = it->second;
  files_.erase(from);
  return Status::OK();
}

Result<std::vector<std::string>> MemEnv::ListDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(path)) return Status::NotFound("opendir " + path + ": No such directory");
  std::set<std::string> names;
  std::string prefix = path + "/";
  auto add = [&](const std::string& p) {
    if (p.compare(0, prefix.size(), prefix) != 0) return;
    std::string rest = p.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  };
  for (auto& [p, _] : files_) add(p);
  for (auto& d : dirs_) add(d);
  return std::vector<std::string>(names.begin(), names.end());
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("truncate " + path + ": No such file");
  if (size < it->second->data.size()) it->second->data.resize(size);
  it->second->synced = it->second->data.size();  // truncate + fsync syncs the whole file
  it->second->zeroed = std::min(it->second->zeroed, it->second->synced);
  return Status::OK();
}

uint64_t MemEnv::NowMicros() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_micros_;
}

uint64_t MemEnv::WallMicros() {
  std::lock_guard<std::mutex> lock(mu_);
  return 1'780'000'000'000'000ULL + now_micros_;
}

void MemEnv::SleepForMicros(uint64_t micros) { AdvanceMicros(micros); }

uint64_t MemEnv::RandomU64() {
  std::lock_guard<std::mutex> lock(mu_);
  return rng_.Next();
}

void MemEnv::Crash(bool torn_tail) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [_, f] : files_) {
    uint64_t keep = f->synced;
    if (torn_tail && f->data.size() > f->synced) {
      keep += rng_.Uniform(f->data.size() - f->synced + 1);
    }
    // Unsynced bytes vanish; where they overwrote durable zeros, the zeros are back.
    const uint64_t end = std::max(keep, f->zeroed);
    f->data.resize(std::min<uint64_t>(keep, f->data.size()));
    f->data.resize(end);
    f->synced = keep;
  }
}

bool MemEnv::FlipBit(const std::string& path, uint64_t offset, int bit) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end() || offset >= it->second->data.size()) return false;
  it->second->data[offset] = static_cast<char>(it->second->data[offset] ^ (1 << (bit & 7)));
  return true;
}

void MemEnv::SetSpaceLimitBytes(uint64_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  space_limit_ = limit;
}

void MemEnv::FailNextWrites(int count) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_writes_ = count;
}

void MemEnv::AdvanceMicros(uint64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  now_micros_ += micros;
}

uint64_t MemEnv::TotalBytes() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t used = 0;
  for (auto& [_, f] : files_) used += f->data.size();
  return used;
}

}  // namespace nordlys
