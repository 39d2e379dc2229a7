// See errors.h.
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {
namespace {
constexpr char kFieldSep = '\x1e';

StatusCode CodeFor(std::string_view sqlstate) {
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "0A") return StatusCode::kNotSupported;
  if (cls == "23" || sqlstate == "42P07" || sqlstate == "42710" || sqlstate == "42P05" ||
      sqlstate == "42P03" || sqlstate == "42701") {
    return StatusCode::kAlreadyExists;
  }
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "42704" || sqlstate == "42883" ||
      sqlstate == "3F000" || sqlstate == "26000" || sqlstate == "34000") {
    return StatusCode::kNotFound;
  }
  if (cls == "40" || sqlstate == "57014" || cls == "25") return StatusCode::kAborted;
  if (cls == "53" || cls == "54") return StatusCode::kResourceExhausted;
  if (cls == "XX") return StatusCode::kInternal;
  return StatusCode::kInvalidArgument;
}
}  // namespace

Status SqlError(std::string_view sqlstate, std::string message, const ErrorExtra& extra) {
  std::string m = std::move(message);
  if (!extra.detail.empty()) m += std::string(1, kFieldSep) + "D" + extra.detail;
  if (!extra.hint.empty()) m += std::string(1, kFieldSep) + "H" + extra.hint;
  if (extra.position > 0) m += std::string(1, kFieldSep) + "P" + std::to_string(extra.position);
  return Status::Sql(CodeFor(sqlstate), std::string(sqlstate), std::move(m));
}

Status Unsupported(std::string_view feature, int position) {
  return SqlError("0A000", std::string(feature) + " is not supported", {.position = position});
}

int CharPosition(std::string_view sql, int byte_location) {
  if (byte_location < 0) return 0;
  int chars = 0;
  for (int i = 0; i < byte_location && i < static_cast<int>(sql.size()); ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) ++chars;
  }
  return chars + 1;
}

Status WithPosition(const Status& s, int position) {
  if (s.ok() || position <= 0) return s;
  if (s.message().find(std::string(1, kFieldSep) + "P") != std::string::npos) return s;
  return Status::Sql(s.code(), s.sqlstate(),
                     s.message() + std::string(1, kFieldSep) + "P" + std::to_string(position));
}

std::string MessageOf(const Status& s) {
  const std::string& m = s.message();
  return m.substr(0, m.find(kFieldSep));
}

}  // namespace nordlys::engine::sql
