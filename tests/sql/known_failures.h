// tests/sql/known_failures.txt: the statements of the corpus where Nordlys is known to differ
// from PostgreSQL 15, one `file.sql:N reason` a line ('#' starts a comment line). The list may
// only shrink: the test fails on a difference that is not listed and on a listed statement that
// now matches. With NORDLYS_SQLDIFF_UPDATE=1 the test rewrites one file's entries instead,
// keeping the reasons of the entries that remain.
//
// Thread safety: Update() takes an exclusive flock on the list, so parallel test processes may
// each rewrite their own file's entries.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace nordlys::sqltest {

class KnownFailures {
 public:
  // statement number -> reason
  using Entries = std::map<int, std::string>;

  // Reads the list; a missing file is an empty list.
  static Result<KnownFailures> Load(const std::string& path);

  // The entries of one corpus file ("select_basic.sql").
  Entries For(const std::string& file) const;

  // Replaces `file`'s entries in the list at `path` (re-read under the lock) with `differing`:
  // an entry that stays keeps its reason; a new one gets the reason given in `differing`.
  static Status Update(const std::string& path, const std::string& file,
                       const Entries& differing);

 private:
  static Status Parse(const std::string& text, KnownFailures* out);
  std::string Render() const;

  std::string header_;  // leading comment lines, kept as they are
  std::map<std::string, Entries> files_;
};

}  // namespace nordlys::sqltest
