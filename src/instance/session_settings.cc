// See session_settings.h.
#include "instance/session_settings.h"

#include <algorithm>

#include "engine/sql/errors.h"
#include "engine/types/datetime.h"
#include "engine/types/scalar_io.h"

namespace nordlys::instance {
namespace {


using engine::sql::SqlError;

struct Param {
  const char* name;      // PG's spelling
  const char* def;       // default
  bool reported;         // sent as ParameterStatus
  bool read_only;
};

const Param kParams[] = {
    {"application_name", "", true, false},
    {"client_encoding", "UTF8", true, false},
    {"DateStyle", "ISO, MDY", true, false},
    {"TimeZone", "UTC", true, false},
    {"IntervalStyle", "postgres", true, false},
    {"search_path", "\"$user\", public", false, false},
    {"statement_timeout", "0", false, false},
    {"lock_timeout", "0", false, false},
    {"idle_in_transaction_session_timeout", "0", false, false},
    {"transaction_isolation", "read committed", false, false},
    {"default_transaction_isolation", "read committed", false, false},
    {"transaction_read_only", "off", false, false},
    {"default_transaction_read_only", "off", false, false},
    {"extra_float_digits", "1", false, false},
    {"standard_conforming_strings", "on", true, false},
    {"client_min_messages", "notice", false, false},
    {"synchronous_commit", "on", false, false},
    {"work_mem", "4MB", false, false},
    {"maintenance_work_mem", "64MB", false, false},
    {"bytea_output", "hex", false, false},
    {"escape_string_warning", "on", false, false},
    {"row_security", "on", false, false},
    {"jit", "off", false, false},
    {"enable_seqscan", "on", false, false},
    {"max_parallel_workers_per_gather", "2", false, false},
    {"server_version", "15.0", true, true},
    {"server_version_num", "150000", false, true},
    {"server_encoding", "UTF8", true, true},
    {"integer_datetimes", "on", true, true},
    {"is_superuser", "on", true, true},
    {"lc_collate", "C", false, true},
    {"lc_ctype", "C", false, true},
    {"max_identifier_length", "63", false, true},
    {"block_size", "8192", false, true},
    {"max_connections", "100", false, true},
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A time parameter as PostgreSQL reads it: an integer with an optional unit (us, ms, s, min, h,
// d; none means ms), rounded to milliseconds. 22023 otherwise, or when it is out of range.
Result<int64_t> ParseMilliseconds(const std::string& name, const std::string& value) {
  std::string v = Lower(value);
  while (!v.empty() && isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t i = 0;
  while (i < v.size() && isspace(static_cast<unsigned char>(v[i]))) ++i;
  size_t digits = i;
  if (digits < v.size() && (v[digits] == '-' || v[digits] == '+')) ++digits;
  size_t end = digits;
  while (end < v.size() && isdigit(static_cast<unsigned char>(v[end]))) ++end;
  auto invalid = [&] {
    return SqlError("22023", "invalid value for parameter \"" + name + "\": \"" + value + "\"",
                    {.hint = "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."});
  };
  if (end == digits || end - i > 12) return invalid();
  int64_t n = std::stoll(v.substr(i, end - i));
  std::string unit = v.substr(end);
  while (!unit.empty() && isspace(static_cast<unsigned char>(unit.front()))) unit.erase(unit.begin());
  int64_t ms;
  if (unit.empty() || unit == "ms") ms = n;
  else if (unit == "us") ms = (n + 999) / 1000;
  else if (unit == "s") ms = n * 1000;
  else if (unit == "min") ms = n * 60'000;
  else if (unit == "h") ms = n * 3'600'000;
  else if (unit == "d") ms = n * 86'400'000;
  else return invalid();
  if (ms < 0 || ms > INT32_MAX) {
    return SqlError("22023", std::to_string(ms) + " ms is outside the valid range for parameter \"" + name +
                                 "\" (0 .. 2147483647)");
  }
  return ms;
}

// How SHOW prints a time parameter: in the largest unit that divides it ("1s", "1500ms", "0").
std::string FormatMilliseconds(int64_t ms) {
  if (ms == 0) return "0";
  for (auto [unit, size] : {std::pair<const char*, int64_t>{"d", 86'400'000}, {"h", 3'600'000}, {"min", 60'000},
                            {"s", 1000}}) {
    if (ms % size == 0) return std::to_string(ms / size) + unit;
  }
  return std::to_string(ms) + "ms";
}

const Param* Find(const std::string& lower) {
  for (const auto& p : kParams) {
    if (Lower(p.name) == lower) return &p;
  }
  return nullptr;
}

Status Unrecognized(const std::string& name) {
  return SqlError("42704", "unrecognized configuration parameter \"" + name + "\"");
}

Status Invalid(const std::string& name, const std::string& value) {
  return SqlError("22023", "invalid value for parameter \"" + name + "\": \"" + value + "\"");
}

// Validates a value and returns its canonical form.
Result<std::string> Canonical(const Param& p, const std::string& value, engine::sql::SessionInfo* info) {
  std::string lname = Lower(p.name);
  std::string lv = Lower(value);
  if (p.read_only) {
    return SqlError("55P02", "parameter \"" + lname + "\" cannot be changed now");
  }
  if (lname == "client_encoding") {
    if (lv == "utf8" || lv == "utf-8" || lv == "unicode") return std::string("UTF8");
    // What libpq sends for client_encoding=auto in the C locale; bytes pass unconverted, as
    // they do for UTF8 here (pgwire accepts it at startup too).
    if (lv == "sql_ascii") return std::string("SQL_ASCII");
    return engine::sql::Unsupported("client_encoding \"" + value + "\" (only UTF8)");
  }
  if (lname == "datestyle") {
    // Only ISO output with MDY input order is implemented.
    std::string v = lv;
    v.erase(std::remove(v.begin(), v.end(), ' '), v.end());
    if (v == "iso" || v == "iso,mdy" || v == "mdy,iso" || v == "mdy" || v == "us" || v == "iso,us") {
      return std::string("ISO, MDY");
    }
    return engine::sql::Unsupported("DateStyle \"" + value + "\" (only ISO, MDY)");
  }
  if (lname == "timezone") {
    auto tz = engine::types::TimeZone::Parse(value);
    if (!tz.ok()) return tz.status();
    if (info != nullptr) info->settings.time_zone = *tz;
    return tz->name();
  }
  if (lname == "intervalstyle") {
    if (lv == "postgres") return std::string("postgres");
    return engine::sql::Unsupported("IntervalStyle \"" + value + "\" (only postgres)");
  }
  if (lname == "standard_conforming_strings") {
    auto b = engine::types::ParseBool(lv);
    if (!b.ok()) return SqlError("22023", "parameter \"" + lname + "\" requires a Boolean value");
    if (!*b) return engine::sql::Unsupported("standard_conforming_strings = off");
    return std::string("on");
  }
  if (lname == "bytea_output") {
    if (lv == "hex") return lv;
    return engine::sql::Unsupported("bytea_output \"" + value + "\" (only hex)");
  }
  if (lname == "transaction_isolation" || lname == "default_transaction_isolation") {
    if (lv == "read committed" || lv == "read uncommitted") return std::string("read committed");
    if (lv == "repeatable read") return lv;
    if (lv == "serializable") return engine::sql::Unsupported("SERIALIZABLE isolation");
    return Invalid(lname, value);
  }
  if (lname == "transaction_read_only" || lname == "default_transaction_read_only") {
    auto b = engine::types::ParseBool(lv);
    if (!b.ok()) return SqlError("22023", "parameter \"" + lname + "\" requires a Boolean value");
    return std::string(*b ? "on" : "off");
  }
  if (lname == "statement_timeout" || lname == "lock_timeout" || lname == "idle_in_transaction_session_timeout") {
    NORDLYS_ASSIGN_OR_RETURN(int64_t ms, ParseMilliseconds(lname, value));
    if (ms != 0 && lname != "statement_timeout") return engine::sql::Unsupported(lname);
    return FormatMilliseconds(ms);
  }
  if (lname == "extra_float_digits") {
    std::string digits = lv;
    while (!digits.empty() && isalpha(static_cast<unsigned char>(digits.back()))) digits.pop_back();
    auto n = engine::types::ParseInteger(digits, 32);
    if (!n.ok()) {
      return SqlError("22023", "invalid value for parameter \"" + lname + "\": \"" + value + "\"");
    }
    if (lname == "extra_float_digits" && (*n < -15 || *n > 3)) {
      return SqlError("22023", std::to_string(*n) + " is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)");
    }
    if (lname == "extra_float_digits" && *n != 1) {
      // float output is the shortest exact form (extra_float_digits >= 1); other settings round.
      if (*n < 1) return engine::sql::Unsupported("extra_float_digits < 1");
    }
    return value;
  }
  if (lname == "search_path") {
    std::string v = lv;
    v.erase(std::remove(v.begin(), v.end(), ' '), v.end());
    if (v == "public" || v == "\"$user\",public" || v == "$user,public" || v == "pg_catalog,public" ||
        v == "public,pg_catalog") {
      return value;
    }
    return engine::sql::Unsupported("search_path other than public");
  }
  return value;
}

}  // namespace

Settings::Settings() = default;

void Settings::InitInfo(engine::sql::SessionInfo* info) const {
  for (const auto& p : kParams) {
    if (!info->gucs.count(Lower(p.name))) info->gucs[Lower(p.name)] = p.def;
  }
}

std::string Settings::DisplayName(const std::string& lower) {
  const Param* p = Find(lower);
  return p ? p->name : lower;
}

Status Settings::Set(const std::string& name, const std::string& value, engine::sql::SessionInfo* info,
                     std::optional<std::pair<std::string, std::string>>* report) {
  std::string lname = Lower(name);
  const Param* p = Find(lname);
  if (p == nullptr) {
    if (lname.find('.') != std::string::npos) {  // custom placeholder variables (a.b), as PG
      info->gucs[lname] = value;
      return Status::OK();
    }
    return Unrecognized(name);
  }
  NORDLYS_ASSIGN_OR_RETURN(std::string v, Canonical(*p, value, info));
  info->gucs[lname] = v;
  if (p->reported) *report = std::make_pair(std::string(p->name), v);
  return Status::OK();
}

Status Settings::Reset(const std::string& name, engine::sql::SessionInfo* info,
                       std::optional<std::pair<std::string, std::string>>* report) {
  std::string lname = Lower(name);
  const Param* p = Find(lname);
  if (p == nullptr) return Unrecognized(name);
  if (p->read_only) return SqlError("55P02", "parameter \"" + lname + "\" cannot be changed now");
  info->gucs[lname] = p->def;
  if (lname == "timezone") info->settings.time_zone = engine::types::TimeZone();
  if (p->reported) *report = std::make_pair(std::string(p->name), std::string(p->def));
  return Status::OK();
}

Result<std::string> Settings::Show(const std::string& name, const engine::sql::SessionInfo& info) const {
  std::string lname = Lower(name);
  auto it = info.gucs.find(lname);
  if (it == info.gucs.end()) return Unrecognized(name);
  return it->second;
}

std::string Settings::CanonicalName(const std::string& name) {
  const std::string lname = Lower(name);
  for (const Param& p : kParams) {
    if (Lower(p.name) == lname) return p.name;
  }
  return name;
}

int64_t StatementTimeoutMs(const engine::sql::SessionInfo& info) {
  auto it = info.gucs.find("statement_timeout");
  if (it == info.gucs.end()) return 0;
  auto ms = ParseMilliseconds("statement_timeout", it->second);
  return ms.ok() ? *ms : 0;
}

}  // namespace nordlys::instance
