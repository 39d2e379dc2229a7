// A session's cache of parse trees, keyed by the statement's text with its numeric literals
// masked out. Drivers and pgbench send the same statement over and over with different numbers
// in it ("... WHERE aid = 4711"); parsing it again through libpg_query and its JSON costs about
// half of a point query's instructions. On a hit the cached tree gets the new literals and the
// shifted locations written into it, so it is exactly the tree Parse() would have returned.
//
// What is cached: a single statement whose every numeric literal is an A_Const of the tree (in
// value position, optionally behind one unary minus that PostgreSQL folds into it). Anything the
// scanner below is not sure of (comments, dollar quotes, backslashes in strings, numbers run
// into identifiers, integer nodes outside A_Const) is parsed afresh every time.
//
// Thread safety: none; one per session.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace nordlys::engine {

class ParseCache {
 public:
  explicit ParseCache(size_t capacity = 128) : capacity_(capacity) {}

  // The parse tree of `sql` as engine::Parse returns it. The tree belongs to the cache and is
  // valid until the next call.
  Result<const nlohmann::json*> Parse(const std::string& sql);

  size_t hits() const { return hits_; }
  size_t size() const { return entries_.size(); }

  // A numeric literal token of a statement's text: byte offset and length.
  struct Token {
    size_t begin = 0;
    size_t len = 0;
  };
  // The numeric literals of `sql` in order, and the text with each replaced by '\x01'; false
  // when the scanner cannot be sure of the text's tokens (see above).
  static bool Scan(const std::string& sql, std::vector<Token>* tokens, std::string* key);

 private:
  struct Slot {
    nlohmann::json* a_const = nullptr;  // the A_Const node's body
    bool negated = false;               // a folded unary minus precedes the token
    bool integer = false;               // "ival" (fits int4) rather than "fval"
  };
  struct Location {
    nlohmann::json* field = nullptr;
    int64_t original = 0;
  };
  struct Entry {
    std::unique_ptr<nlohmann::json> tree;
    std::vector<Token> tokens;  // in the text the tree was parsed from
    std::vector<Slot> slots;    // one per token
    std::vector<Location> locations;  // every "location" and "stmt_len"
  };

  // Builds the entry for a freshly parsed tree; false when the tree is not cacheable.
  static bool Index(const std::string& sql, const std::vector<Token>& tokens, Entry* e);
  // Writes `sql`'s literals and locations into the entry's tree; false when a literal changed
  // class (an integer grown past int4, say).
  static bool Patch(const std::string& sql, const std::vector<Token>& tokens, Entry* e);

  size_t capacity_;
  size_t hits_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  nlohmann::json scratch_;  // the last uncached tree
};

}  // namespace nordlys::engine
