// See parse_cache.h.
#include "engine/parse_cache.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "engine/parser.h"

namespace nordlys::engine {

using Json = nlohmann::json;

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentCont(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

// The class PostgreSQL's scanner gives a numeric literal: an integer that fits int4 becomes an
// Integer node, everything else (decimals, exponents, larger integers) a Float node.
bool IsInt4Literal(std::string_view t, int64_t* v) {
  uint64_t x = 0;
  for (char c : t) {
    if (!IsDigit(c)) return false;
    x = x * 10 + static_cast<uint64_t>(c - '0');
    if (x > static_cast<uint64_t>(INT32_MAX)) return false;
  }
  *v = static_cast<int64_t>(x);
  return !t.empty();
}

}  // namespace

bool ParseCache::Scan(const std::string& sql, std::vector<Token>* tokens, std::string* key) {
  tokens->clear();
  key->clear();
  key->reserve(sql.size());
  const size_t n = sql.size();
  auto at = [&](size_t k) { return k < n ? sql[k] : '\0'; };
  size_t i = 0;
  while (i < n) {
    char c = sql[i];
    if (static_cast<unsigned char>(c) < 0x09) return false;  // the mask byte, or garbage
    if (c == '\'' || c == '"') {
      // A string or a quoted identifier; the quote doubled inside it. Backslashes may be
      // escapes (E'...'), which this scanner does not follow.
      size_t j = i + 1;
      for (;;) {
        if (j >= n) return false;
        if (sql[j] == '\\' && c == '\'') return false;
        if (sql[j] == c) {
          if (at(j + 1) == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      key->append(sql, i, j + 1 - i);
      i = j + 1;
    } else if ((c == '-' && at(i + 1) == '-') || (c == '/' && at(i + 1) == '*')) {
      return false;  // comments
    } else if (c == '$') {
      if (!IsDigit(at(i + 1))) return false;  // a dollar quote
      size_t j = i + 1;
      while (IsDigit(at(j))) ++j;
      if (IsIdentCont(at(j))) return false;
      key->append(sql, i, j - i);
      i = j;
    } else if (IsIdentStart(c)) {
      size_t j = i + 1;
      while (IsIdentCont(at(j))) ++j;
      key->append(sql, i, j - i);
      i = j;
    } else if (IsDigit(c) || (c == '.' && IsDigit(at(i + 1)))) {
      size_t j = i;
      while (IsDigit(at(j))) ++j;
      if (at(j) == '.') {
        if (at(j + 1) == '.') return false;
        ++j;
        while (IsDigit(at(j))) ++j;
      }
      if (at(j) == 'e' || at(j) == 'E') {
        size_t k = j + 1;
        if (at(k) == '+' || at(k) == '-') ++k;
        if (!IsDigit(at(k))) return false;
        j = k;
        while (IsDigit(at(j))) ++j;
      }
      if (IsIdentCont(at(j)) || at(j) == '.') return false;  // trailing junk
      tokens->push_back({i, j - i});
      key->push_back('\x01');
      i = j;
    } else {
      key->push_back(c);
      ++i;
    }
  }
  return true;
}

namespace {

struct Walk {
  std::vector<std::pair<int64_t, Json*>> consts;  // (location, A_Const body)
  std::vector<Json*> locations;
  bool ok = true;

  void Visit(Json& node) {
    if (!ok) return;
    if (node.is_array()) {
      for (auto& v : node) Visit(v);
      return;
    }
    if (!node.is_object()) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& k = it.key();
      Json& v = it.value();
      if (k == "location" || k == "stmt_len") {
        if (!v.is_number_integer()) {
          ok = false;
          return;
        }
        locations.push_back(&v);
      } else if (k == "A_Const") {
        if (v.contains("ival") || v.contains("fval")) {
          if (!v.contains("location")) {
            ok = false;
            return;
          }
          consts.push_back({v["location"].get<int64_t>(), &v});
        }
        if (v.contains("location")) locations.push_back(&v["location"]);
      } else if (k == "Integer" || k == "Float") {
        ok = false;  // a number the grammar did not make an A_Const of (options, float(p), ...)
        return;
      } else {
        Visit(v);
      }
    }
  }
};

}  // namespace

bool ParseCache::Index(const std::string& sql, const std::vector<Token>& tokens, Entry* e) {
  const Json& stmts = (*e->tree)["stmts"];
  if (!stmts.is_array() || stmts.size() != 1) return false;
  Walk w;
  w.Visit(*e->tree);
  if (!w.ok || w.consts.size() != tokens.size()) return false;
  std::sort(w.consts.begin(), w.consts.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  e->slots.clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    int64_t loc = w.consts[i].first;
    Slot s;
    s.a_const = w.consts[i].second;
    if (loc == static_cast<int64_t>(tokens[i].begin)) {
      s.negated = false;
    } else if (loc >= 0 && static_cast<size_t>(loc) < tokens[i].begin && sql[loc] == '-') {
      // "-5" / "- 5": PostgreSQL folds the minus into the constant, located at the sign.
      for (size_t k = loc + 1; k < tokens[i].begin; ++k) {
        if (std::isspace(static_cast<unsigned char>(sql[k])) == 0) return false;
      }
      s.negated = true;
    } else {
      return false;
    }
    s.integer = s.a_const->contains("ival");
    int64_t v;
    if (s.integer != IsInt4Literal(std::string_view(sql).substr(tokens[i].begin, tokens[i].len), &v)) return false;
    e->slots.push_back(s);
  }
  e->locations.clear();
  for (Json* l : w.locations) e->locations.push_back({l, l->get<int64_t>()});
  e->tokens = tokens;
  return true;
}

bool ParseCache::Patch(const std::string& sql, const std::vector<Token>& tokens, Entry* e) {
  if (tokens.size() != e->tokens.size()) return false;
  std::string_view text(sql);
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = text.substr(tokens[i].begin, tokens[i].len);
    const Slot& s = e->slots[i];
    int64_t v = 0;
    if (IsInt4Literal(t, &v) != s.integer) return false;
    if (s.integer) {
      if (s.negated) v = -v;
      // As libpg_query 15-4.0 prints it: no value for zero or a negative number.
      (*s.a_const)["ival"] = v > 0 ? Json{{"ival", v}} : Json::object();
    } else {
      (*s.a_const)["fval"] = Json{{"fval", (s.negated ? "-" : "") + std::string(t)}};
    }
  }
  for (const Location& l : e->locations) {
    int64_t shifted = l.original;
    for (size_t i = 0; i < tokens.size() && static_cast<int64_t>(e->tokens[i].begin) < l.original; ++i) {
      shifted += static_cast<int64_t>(tokens[i].len) - static_cast<int64_t>(e->tokens[i].len);
    }
    *l.field = shifted;
  }
  return true;
}

Result<const Json*> ParseCache::Parse(const std::string& sql) {
  std::vector<Token> tokens;
  std::string key;
  const bool scanned = Scan(sql, &tokens, &key);
  if (scanned) {
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (Patch(sql, tokens, &it->second)) {
        ++hits_;
        return it->second.tree.get();
      }
      entries_.erase(it);  // a literal changed class: parse afresh below
    }
  }
  NORDLYS_ASSIGN_OR_RETURN(Json tree, engine::Parse(sql));
  if (scanned) {
    Entry e;
    e.tree = std::make_unique<Json>(std::move(tree));
    if (Index(sql, tokens, &e)) {
      if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
      Entry& stored = entries_[key] = std::move(e);
      return stored.tree.get();
    }
    tree = std::move(*e.tree);
  }
  scratch_ = std::move(tree);
  return &scratch_;
}

}  // namespace nordlys::engine
