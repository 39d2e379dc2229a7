// SQL errors as the engine raises them: a Status with the SQLSTATE and, after 0x1E separators,
// the ErrorResponse fields detail (D), hint (H) and position (P) — the encoding that
// pgwire::ErrorFieldsOf (pgwire/backend.h) splits again. The engine may not include pgwire, so
// the encoding is repeated here; both follow that header's contract.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::engine::sql {

struct ErrorExtra {
  std::string detail;
  std::string hint;
  int position = 0;  // 1-based character position in the query text; 0 = none
};

// A SQL error with the StatusCode derived from the SQLSTATE class.
Status SqlError(std::string_view sqlstate, std::string message, const ErrorExtra& extra = {});
// 0A000 "<feature> is not supported".
Status Unsupported(std::string_view feature, int position = 0);
// 1-based character position of a 0-based byte offset into `sql` (PG counts characters).
int CharPosition(std::string_view sql, int byte_location);
// Adds a position to an error that has none (e.g. an input-function error of a literal).
Status WithPosition(const Status& s, int position);
// The message part of a Status (without the 0x1E-separated fields).
std::string MessageOf(const Status& s);

}  // namespace nordlys::engine::sql
