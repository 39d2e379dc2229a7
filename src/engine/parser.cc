// libpg_query wrapper; see parser.h.
#include "engine/parser.h"

#include <pg_query.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

// PostgreSQL's keyword table inside libpg_query (src/common/kwlookup.c, parser/kwlist.h).
extern "C" {
struct ScanKeywordList;
extern const ScanKeywordList ScanKeywords;
extern const uint8_t ScanKeywordCategories[];
int ScanKeywordLookup(const char* str, const ScanKeywordList* keywords);
}

namespace nordlys::engine {
namespace {
constexpr char kPosTag[] = " @pos=";
}

Result<nlohmann::json> Parse(const std::string& sql) {
  PgQueryParseResult r = pg_query_parse(sql.c_str());
  if (r.error != nullptr) {
    // The message keeps the position in a suffix so that the wire layer can send it as the
    // ErrorResponse 'P' field; SyntaxErrorOf() splits it off again.
    std::string text = r.error->message;
    const int cursor = r.error->cursorpos;
    pg_query_free_parse_result(r);
    // The grammar's checks of window frames ("frame start cannot be UNBOUNDED FOLLOWING", ...)
    // are PostgreSQL's 42P20 windowing errors, not syntax errors; their position travels as
    // the SQL errors' 'P' field (sql/errors.h).
    if (text.rfind("frame start", 0) == 0 || text.rfind("frame end", 0) == 0) {
      return Status::Sql(StatusCode::kInvalidArgument, "42P20", text + "\x1eP" + std::to_string(cursor));
    }
    // So are its "... not yet implemented" (MATCH PARTIAL, ...): PostgreSQL's 0A000.
    const std::string_view kNotYet = " not yet implemented";
    if (text.size() > kNotYet.size() && text.compare(text.size() - kNotYet.size(), kNotYet.size(), kNotYet) == 0) {
      return Status::Sql(StatusCode::kInvalidArgument, "0A000", text + "\x1eP" + std::to_string(cursor));
    }
    std::string msg = text + kPosTag + std::to_string(cursor);
    return Status::Sql(StatusCode::kInvalidArgument, "42601", msg);
  }
  nlohmann::json tree = nlohmann::json::parse(r.parse_tree, nullptr, /*allow_exceptions=*/false);
  pg_query_free_parse_result(r);
  if (tree.is_discarded()) return Status::Internal("libpg_query returned malformed JSON");
  return tree;
}

SyntaxError SyntaxErrorOf(const Status& s) {
  SyntaxError e{s.message(), 0};
  auto at = e.message.rfind(kPosTag);
  if (at != std::string::npos) {
    e.position = std::atoi(e.message.c_str() + at + sizeof(kPosTag) - 1);
    e.message.resize(at);
  }
  return e;
}

int64_t IntegerAt(std::string_view sql, int location, bool keyword) {
  if (location < 0 || static_cast<size_t>(location) >= sql.size()) return 0;
  size_t i = static_cast<size_t>(location);
  auto is_space = [&](size_t k) { return isspace(static_cast<unsigned char>(sql[k])) != 0; };
  if (keyword) {
    while (i < sql.size() && (isalpha(static_cast<unsigned char>(sql[i])) || sql[i] == '_' || is_space(i) ||
                              sql[i] == '=')) {
      ++i;
    }
  }
  bool negative = false;
  while (i < sql.size() && (sql[i] == '-' || sql[i] == '(' || sql[i] == '+' || is_space(i))) {
    if (sql[i] == '-') negative = !negative;
    ++i;
  }
  uint64_t v = 0;
  while (i < sql.size() && isdigit(static_cast<unsigned char>(sql[i]))) {
    v = v * 10 + static_cast<uint64_t>(sql[i] - '0');
    ++i;
  }
  return negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

std::string QuoteIdentifier(std::string_view name) {
  constexpr uint8_t kUnreservedKeyword = 0;  // UNRESERVED_KEYWORD in PG's keywords.h
  bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) safe = safe && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (safe) {
    std::string z(name);
    int kw = ScanKeywordLookup(z.c_str(), &ScanKeywords);
    if (kw >= 0 && ScanKeywordCategories[kw] != kUnreservedKeyword) safe = false;
  }
  if (safe) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace nordlys::engine
