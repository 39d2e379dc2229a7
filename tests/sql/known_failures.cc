// The known-failures list of the differential SQL test; see known_failures.h.
#include "known_failures.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace nordlys::sqltest {
namespace {

constexpr const char* kDefaultHeader =
    "# Statements of tests/sql/corpus where Nordlys differs from PostgreSQL 15 today.\n"
    "# One `file.sql:N reason` a line; N is the statement's number in its file (1-based).\n"
    "# The list may only shrink: sql_diff_test fails on an unlisted difference and on a listed\n"
    "# statement that now matches. Regenerate with NORDLYS_SQLDIFF_UPDATE=1 (see README.md).\n";

// Holds an exclusive flock on a file for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Status KnownFailures::Parse(const std::string& text, KnownFailures* out) {
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool in_header = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') {
      if (in_header && !line.empty()) out->header_ += line + "\n";
      continue;
    }
    in_header = false;
    size_t colon = line.find(':');
    size_t space = line.find_first_of(" \t", colon == std::string::npos ? 0 : colon);
    std::string number =
        colon == std::string::npos ? "" : line.substr(colon + 1, space - colon - 1);
    bool valid = !number.empty() && number.size() < 9;
    for (char c : number) valid = valid && std::isdigit(static_cast<unsigned char>(c));
    if (!valid) {
      return Status::InvalidArgument("known_failures.txt line " + std::to_string(line_no) +
                                     ": expected `file.sql:N reason`, got: " + line);
    }
    std::string reason;
    if (space != std::string::npos) {
      size_t r = line.find_first_not_of(" \t", space);
      if (r != std::string::npos) reason = line.substr(r);
    }
    if (reason.empty()) {
      return Status::InvalidArgument("known_failures.txt line " + std::to_string(line_no) +
                                     ": every entry needs a reason: " + line);
    }
    out->files_[line.substr(0, colon)][std::stoi(number)] = reason;
  }
  return Status::OK();
}

Result<KnownFailures> KnownFailures::Load(const std::string& path) {
  KnownFailures k;
  NORDLYS_RETURN_IF_ERROR(Parse(ReadAll(path), &k));
  return k;
}

KnownFailures::Entries KnownFailures::For(const std::string& file) const {
  auto it = files_.find(file);
  return it == files_.end() ? Entries() : it->second;
}

std::string KnownFailures::Render() const {
  std::string out = header_.empty() ? kDefaultHeader : header_;
  for (const auto& [file, entries] : files_) {
    out += "\n";
    for (const auto& [n, reason] : entries) {
      out += file + ":" + std::to_string(n) + " " + reason + "\n";
    }
  }
  return out;
}

Status KnownFailures::Update(const std::string& path, const std::string& file,
                             const Entries& differing) {
  FileLock lock(path);
  if (!lock.ok()) return Status::IoError("cannot open " + path);
  KnownFailures k;
  NORDLYS_RETURN_IF_ERROR(Parse(ReadAll(path), &k));
  Entries old = k.For(file);
  Entries next;
  for (const auto& [n, reason] : differing) {
    auto it = old.find(n);
    next[n] = it != old.end() ? it->second : reason;
  }
  if (next.empty()) {
    k.files_.erase(file);
  } else {
    k.files_[file] = next;
  }
  // Written in place: the lock is on this inode, so a rename would let another writer in.
  std::ofstream out(path, std::ios::trunc);
  out << k.Render();
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::OK();
}

}  // namespace nordlys::sqltest
