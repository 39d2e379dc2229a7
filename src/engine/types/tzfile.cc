// TZif parsing, POSIX TZ rules and the zone cache; see tzfile.h.
#include "engine/types/tzfile.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "engine/types/datetime.h"

namespace nordlys::engine::types {
namespace {

constexpr int64_t kUnixDaysTo2000 = 10957;  // DaysFromCivil counts from 2000-01-01

int64_t UnixDay(int64_t year, int month, int day) {
  return DaysFromCivil(year, month, day) + kUnixDaysTo2000;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ---- POSIX TZ strings ----------------------------------------------------------------------

class TzReader {
 public:
  explicit TzReader(std::string_view s) : s_(s) {}
  bool Done() const { return i_ == s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  // <...> or three or more letters.
  bool Name(std::string* out) {
    if (Eat('<')) {
      size_t end = s_.find('>', i_);
      if (end == std::string_view::npos || end == i_) return false;
      *out = std::string(s_.substr(i_, end - i_));
      i_ = end + 1;
      return true;
    }
    size_t st = i_;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    *out = std::string(s_.substr(st, i_ - st));
    return out->size() >= 3;
  }
  bool Number(int max, int* out) {
    size_t st = i_;
    int v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])) && i_ - st < 4) {
      v = v * 10 + (s_[i_++] - '0');
    }
    *out = v;
    return i_ > st && v <= max;
  }
  // [+-]hh[:mm[:ss]] in seconds, sign as written.
  bool Clock(int max_hours, int32_t* out) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    int h = 0, m = 0, sec = 0;
    if (!Number(max_hours, &h)) return false;
    if (Eat(':')) {
      if (!Number(59, &m)) return false;
      if (Eat(':') && !Number(59, &sec)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool RuleDate(PosixTzRule::Date* d) {
    if (Eat('J')) {
      d->kind = PosixTzRule::Date::kJulianNoLeap;
      if (!Number(365, &d->day) || d->day < 1) return false;
    } else if (Eat('M')) {
      d->kind = PosixTzRule::Date::kMonthWeekDay;
      if (!Number(12, &d->month) || d->month < 1 || !Eat('.')) return false;
      if (!Number(5, &d->week) || d->week < 1 || !Eat('.')) return false;
      if (!Number(6, &d->day)) return false;
    } else {
      d->kind = PosixTzRule::Date::kZeroBasedDay;
      if (!Number(365, &d->day)) return false;
    }
    d->time = 7200;
    if (Eat('/')) return Clock(167, &d->time);
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Unix day of the rule date in `year`.
int64_t RuleDay(const PosixTzRule::Date& d, int64_t year) {
  switch (d.kind) {
    case PosixTzRule::Date::kJulianNoLeap:
      return UnixDay(year, 1, 1) + d.day - 1 + (IsLeap(year) && d.day >= 60 ? 1 : 0);
    case PosixTzRule::Date::kZeroBasedDay:
      return UnixDay(year, 1, 1) + d.day;
    case PosixTzRule::Date::kMonthWeekDay: {
      int64_t first = UnixDay(year, d.month, 1);
      int first_dow = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
      int mday = 1 + (d.day - first_dow + 7) % 7 + (d.week - 1) * 7;
      while (mday > DaysInMonth(year, d.month)) mday -= 7;
      return first + mday - 1;
    }
  }
  return 0;
}

}  // namespace

Result<PosixTzRule> ParsePosixTz(std::string_view text, bool unnamed_ok) {
  auto bad = [&] {
    return Status::InvalidArgument("malformed POSIX TZ rule \"" + std::string(text) + "\"");
  };
  PosixTzRule r;
  TzReader in(text);
  int32_t west = 0;
  const bool unnamed = unnamed_ok && !text.empty() &&
                       (text[0] == '+' || text[0] == '-' || std::isdigit(static_cast<unsigned char>(text[0])));
  if ((!unnamed && !in.Name(&r.std_abbrev)) || !in.Clock(24, &west)) return bad();
  r.std_east = -west;
  if (in.Done()) return r;
  r.has_dst = true;
  if (!in.Name(&r.dst_abbrev)) return bad();
  r.dst_east = r.std_east + 3600;
  if (!in.Done() && !in.Peek(',')) {
    if (!in.Clock(24, &west)) return bad();
    r.dst_east = -west;
  }
  if (in.Done()) {
    // No dates: the rules tzcode assumes (United States, since 2007).
    r.start = {PosixTzRule::Date::kMonthWeekDay, 0, 3, 2, 7200};
    r.end = {PosixTzRule::Date::kMonthWeekDay, 0, 11, 1, 7200};
    return r;
  }
  if (!in.Eat(',') || !in.RuleDate(&r.start) || !in.Eat(',') || !in.RuleDate(&r.end) || !in.Done()) {
    return bad();
  }
  return r;
}

int32_t PosixTzRule::OffsetAt(int64_t utc_sec, const std::string** abbrev) const {
  bool dst = false;
  if (has_dst) {
    int64_t year;
    int month, day;
    CivilFromDays(FloorDiv(utc_sec + std_east, 86400) - kUnixDaysTo2000, &year, &month, &day);
    const int64_t begin = RuleDay(start, year) * 86400 + start.time - std_east;
    const int64_t finish = RuleDay(end, year) * 86400 + end.time - dst_east;
    dst = begin < finish ? (utc_sec >= begin && utc_sec < finish)
                         : !(utc_sec >= finish && utc_sec < begin);  // southern hemisphere
  }
  if (abbrev) *abbrev = dst ? &dst_abbrev : &std_abbrev;
  return dst ? dst_east : std_east;
}

// ---- TZif ----------------------------------------------------------------------------------

namespace {

class BigEndian {
 public:
  explicit BigEndian(std::string_view d) : d_(d) {}
  bool Skip(size_t n) {
    if (d_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool U8(uint8_t* v) {
    if (pos_ >= d_.size()) return false;
    *v = static_cast<uint8_t>(d_[pos_++]);
    return true;
  }
  bool I32(int32_t* v) {
    uint64_t u;
    if (!Bytes(4, &u)) return false;
    *v = static_cast<int32_t>(static_cast<uint32_t>(u));
    return true;
  }
  bool I64(int64_t* v) {
    uint64_t u;
    if (!Bytes(8, &u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  std::string_view Rest() const { return d_.substr(pos_); }
  std::string_view Take(size_t n) {
    std::string_view s = d_.substr(pos_, std::min(n, d_.size() - pos_));
    pos_ += s.size();
    return s;
  }

 private:
  bool Bytes(size_t n, uint64_t* out) {
    if (d_.size() - pos_ < n) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(d_[pos_ + i]);
    pos_ += n;
    *out = v;
    return true;
  }
  std::string_view d_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  int32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

bool ReadHeader(BigEndian* in, TzifHeader* h) {
  std::string_view magic = in->Take(4);
  if (magic != "TZif") return false;
  uint8_t v;
  if (!in->U8(&v) || !in->Skip(15)) return false;
  h->version = static_cast<char>(v);
  for (int32_t* f : {&h->isutcnt, &h->isstdcnt, &h->leapcnt, &h->timecnt, &h->typecnt, &h->charcnt}) {
    if (!in->I32(f) || *f < 0 || *f > (1 << 20)) return false;
  }
  return h->typecnt >= 1;
}

}  // namespace

Result<std::shared_ptr<const ZoneRules>> ZoneRules::Parse(std::string_view data, std::string name) {
  auto corrupt = [&](const char* what) {
    return Status::Corruption("time zone file for \"" + name + "\": " + what);
  };
  BigEndian in(data);
  TzifHeader h;
  if (!ReadHeader(&in, &h)) return corrupt("not a TZif file");
  if (h.version < '2') return corrupt("TZif version 1 (no 64-bit data) is not supported");
  // Skip the 32-bit block.
  const size_t v1 = static_cast<size_t>(h.timecnt) * 5 + static_cast<size_t>(h.typecnt) * 6 +
                    static_cast<size_t>(h.charcnt) + static_cast<size_t>(h.leapcnt) * 8 +
                    static_cast<size_t>(h.isstdcnt) + static_cast<size_t>(h.isutcnt);
  if (!in.Skip(v1) || !ReadHeader(&in, &h)) return corrupt("truncated");
  // PostgreSQL refuses zones with leap seconds ("right/UTC"): its clock has none.
  if (h.leapcnt > 0) return Status::InvalidArgument("time zone \"" + name + "\" appears to use leap seconds");
  const size_t v2 = static_cast<size_t>(h.timecnt) * 9 + static_cast<size_t>(h.typecnt) * 6 +
                    static_cast<size_t>(h.charcnt) + static_cast<size_t>(h.isstdcnt) +
                    static_cast<size_t>(h.isutcnt);
  if (in.Rest().size() < v2) return corrupt("truncated");
  auto z = std::make_shared<ZoneRules>();
  z->name_ = std::move(name);
  z->transitions_.resize(static_cast<size_t>(h.timecnt));
  for (int64_t& t : z->transitions_) {
    if (!in.I64(&t)) return corrupt("truncated transitions");
  }
  if (!std::is_sorted(z->transitions_.begin(), z->transitions_.end())) return corrupt("unsorted transitions");
  z->transition_types_.resize(static_cast<size_t>(h.timecnt));
  for (uint8_t& t : z->transition_types_) {
    if (!in.U8(&t) || t >= h.typecnt) return corrupt("bad transition type");
  }
  std::vector<uint8_t> abbrev_index(static_cast<size_t>(h.typecnt));
  z->types_.resize(static_cast<size_t>(h.typecnt));
  for (size_t i = 0; i < z->types_.size(); ++i) {
    uint8_t dst;
    if (!in.I32(&z->types_[i].east) || !in.U8(&dst) || !in.U8(&abbrev_index[i])) {
      return corrupt("truncated types");
    }
    z->types_[i].dst = dst != 0;
    if (z->types_[i].east < -25 * 3600 || z->types_[i].east > 26 * 3600) return corrupt("offset out of range");
  }
  std::string_view chars = in.Take(static_cast<size_t>(h.charcnt));
  if (chars.size() != static_cast<size_t>(h.charcnt)) return corrupt("truncated abbreviations");
  for (size_t i = 0; i < z->types_.size(); ++i) {
    if (abbrev_index[i] >= chars.size()) return corrupt("bad abbreviation index");
    std::string_view a = chars.substr(abbrev_index[i]);
    z->types_[i].abbrev = std::string(a.substr(0, a.find('\0')));
  }
  if (!in.Skip(static_cast<size_t>(h.leapcnt) * 12 + static_cast<size_t>(h.isstdcnt) +
               static_cast<size_t>(h.isutcnt))) {
    return corrupt("truncated");
  }
  // Footer: "\n" TZ "\n"; an empty TZ means no rule past the last transition.
  std::string_view footer = in.Rest();
  if (footer.size() >= 2 && footer[0] == '\n') {
    size_t end = footer.find('\n', 1);
    std::string_view tz = footer.substr(1, end == std::string_view::npos ? footer.npos : end - 1);
    if (!tz.empty()) {
      auto rule = ParsePosixTz(tz);
      if (!rule.ok()) return corrupt("malformed footer rule");
      z->footer_ = *rule;
      z->has_footer_ = true;
    }
  }
  return std::shared_ptr<const ZoneRules>(std::move(z));
}

std::shared_ptr<const ZoneRules> ZoneRules::FromPosix(PosixTzRule rule, std::string name) {
  auto z = std::make_shared<ZoneRules>();
  z->name_ = std::move(name);
  z->types_.push_back(Type{rule.std_east, false, rule.std_abbrev});
  z->footer_ = std::move(rule);
  z->has_footer_ = true;
  return z;
}

int32_t ZoneRules::OffsetAt(int64_t utc_sec, const std::string** abbrev) const {
  const Type* t = &types_[0];  // before the first transition: the first type (RFC 8536)
  if (!transitions_.empty() && utc_sec >= transitions_.front()) {
    if (utc_sec >= transitions_.back() && has_footer_) return footer_.OffsetAt(utc_sec, abbrev);
    size_t i = static_cast<size_t>(
        std::upper_bound(transitions_.begin(), transitions_.end(), utc_sec) - transitions_.begin());
    t = &types_[transition_types_[i - 1]];
  } else if (transitions_.empty() && has_footer_) {
    return footer_.OffsetAt(utc_sec, abbrev);
  }
  if (abbrev) *abbrev = &t->abbrev;
  return t->east;
}

// ---- lookup --------------------------------------------------------------------------------

namespace {

std::string ZoneInfoDir() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The entry of `dir` equal to `part` ignoring case (an exact match first).
bool FindEntry(const std::string& dir, const std::string& part, std::string* found) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return false;
  std::string want = LowerAscii(part);
  bool ok = false;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == part) {
      *found = n;
      ok = true;
      break;
    }
    if (!ok && LowerAscii(n) == want) {
      *found = n;
      ok = true;
    }
  }
  ::closedir(d);
  return ok;
}

}  // namespace

Result<std::shared_ptr<const ZoneRules>> LoadZone(std::string_view name) {
  auto not_found = [&] { return Status::NotFound("time zone \"" + std::string(name) + "\" not found"); };
  // Names are paths below the zoneinfo directory: nothing that could leave it.
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/') return not_found();
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+')) {
      return not_found();
    }
  }
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const ZoneRules>> cache;  // by lower-case name
  // Names that are not zones: every unknown word in a timestamp literal asks, and each miss
  // would read the zoneinfo directory again. Bounded; a zone installed later is found once the
  // set is cleared at its bound.
  static std::set<std::string> missing;
  const std::string key = LowerAscii(name);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    if (missing.count(key)) return not_found();
  }
  auto remember_missing = [&] {
    std::lock_guard<std::mutex> lock(mu);
    if (missing.size() >= 4096) missing.clear();
    missing.insert(key);
    return not_found();
  };
  const std::string root = ZoneInfoDir();
  std::string dir = root, canonical;
  std::stringstream parts{std::string(name)};
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == "." || part == "..") return not_found();
    std::string found;
    if (!FindEntry(dir, part, &found)) return remember_missing();
    dir += "/" + found;
    canonical += (canonical.empty() ? "" : "/") + found;
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
    return remember_missing();  // a directory ("Europe"), or nothing a zone file could be
  }
  std::ifstream f(dir, std::ios::binary);
  if (!f) return not_found();
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() < 4 || data.compare(0, 4, "TZif") != 0) return remember_missing();  // not a zone file
  NORDLYS_ASSIGN_OR_RETURN(std::shared_ptr<const ZoneRules> z, ZoneRules::Parse(data, canonical));
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() < 1024) cache.emplace(key, z);
  return z;
}

}  // namespace nordlys::engine::types
