// Run-time settings of a session (SET/SHOW/RESET): which parameters exist, their defaults, the
// values they accept, and which ones the client tracks through ParameterStatus.
//
// Thread safety: one session's state; not shared.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "engine/sql/session_info.h"

namespace nordlys::instance {

class Settings {
 public:
  Settings();
  // SET name = value: validates and stores; *report gets the ParameterStatus value when the
  // client tracks this parameter. Errors: 42704 unrecognized configuration parameter "x";
  // 22023 invalid value; 0A000 for values we cannot honour.
  Status Set(const std::string& name, const std::string& value, engine::sql::SessionInfo* info,
             std::optional<std::pair<std::string, std::string>>* report);
  Status Reset(const std::string& name, engine::sql::SessionInfo* info,
               std::optional<std::pair<std::string, std::string>>* report);
  Result<std::string> Show(const std::string& name, const engine::sql::SessionInfo& info) const;
  // PostgreSQL's spelling of a setting's name ("timezone" -> "TimeZone"), SHOW's column name;
  // `name` itself for settings not in the table.
  static std::string CanonicalName(const std::string& name);
  // The canonical (PG) spelling of a parameter name for SHOW's column, e.g. "DateStyle".
  static std::string DisplayName(const std::string& lower);
  void InitInfo(engine::sql::SessionInfo* info) const;
};

// The session's statement_timeout in milliseconds (0: none).
int64_t StatementTimeoutMs(const engine::sql::SessionInfo& info);

}  // namespace nordlys::instance
