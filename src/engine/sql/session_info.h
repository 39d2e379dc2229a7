// What the engine needs to know about the session running a statement: who and where the
// client is, and the settings that change how values are read and printed.
//
// Thread safety: owned by one session; read by that session's statements.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/types/type_io.h"

namespace nordlys::engine::sql {

struct SessionInfo {
  std::string user = "postgres";
  std::string database = "postgres";
  int32_t backend_pid = 0;
  types::SessionSettings settings;             // TimeZone
  std::map<std::string, std::string> gucs;     // lower-case name -> value (SHOW, current_setting)
  bool read_only_transaction = false;          // the running transaction is READ ONLY (25006 on writes)
};

}  // namespace nordlys::engine::sql
