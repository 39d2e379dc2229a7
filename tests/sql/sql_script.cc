// Script splitting for the differential test; see sql_script.h.
#include "sql_script.h"

#include <cctype>

namespace nordlys::sqltest {
namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

// If text[pos] opens a dollar quote ($$ or $tag$), returns the delimiter; else "".
std::string DollarTag(const std::string& text, size_t pos) {
  if (text[pos] != '$') return "";
  if (pos > 0 && IsIdentChar(text[pos - 1])) return "";  // part of an identifier like a$b
  size_t i = pos + 1;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) return "";  // $1
  while (i < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
    ++i;
  }
  if (i < text.size() && text[i] == '$') return text.substr(pos, i - pos + 1);
  return "";
}

// A lexer over SQL text that knows where quotes and comments are. Next() returns the kind of
// the token starting at pos and advances past it.
enum class Tok { kCode, kSpace, kLineComment, kBlockComment, kQuoted, kSemicolon, kEnd, kError };

struct Lexer {
  const std::string& text;
  size_t pos = 0;
  int line = 1;

  void Advance(size_t to) {
    for (; pos < to && pos < text.size(); ++pos) {
      if (text[pos] == '\n') ++line;
    }
  }

  Tok Next() {
    if (pos >= text.size()) return Tok::kEnd;
    char c = text[pos];
    char n = pos + 1 < text.size() ? text[pos + 1] : '\0';
    if (std::isspace(static_cast<unsigned char>(c))) {
      Advance(pos + 1);
      return Tok::kSpace;
    }
    if (c == '-' && n == '-') {
      size_t e = text.find('\n', pos);
      Advance(e == std::string::npos ? text.size() : e);
      return Tok::kLineComment;
    }
    if (c == '/' && n == '*') {
      int depth = 0;
      size_t i = pos;
      while (i + 1 < text.size()) {
        if (text[i] == '/' && text[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (text[i] == '*' && text[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
      if (depth != 0) return Tok::kError;
      Advance(i);
      return Tok::kBlockComment;
    }
    if (c == '\'' || c == '"') {
      bool backslash = c == '\'' && pos > 0 && (text[pos - 1] == 'E' || text[pos - 1] == 'e') &&
                       (pos < 2 || !IsIdentChar(text[pos - 2]));
      size_t i = pos + 1;
      while (true) {
        if (i >= text.size()) return Tok::kError;
        if (backslash && text[i] == '\\') {
          i += 2;
          continue;
        }
        if (text[i] == c) {
          if (i + 1 < text.size() && text[i + 1] == c) {
            i += 2;
            continue;
          }
          break;
        }
        ++i;
      }
      Advance(i + 1);
      return Tok::kQuoted;
    }
    if (c == '$') {
      std::string tag = DollarTag(text, pos);
      if (!tag.empty()) {
        size_t e = text.find(tag, pos + tag.size());
        if (e == std::string::npos) return Tok::kError;
        Advance(e + tag.size());
        return Tok::kQuoted;
      }
    }
    if (c == ';') {
      Advance(pos + 1);
      return Tok::kSemicolon;
    }
    Advance(pos + 1);
    return Tok::kCode;
  }
};

std::string Trim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Code outside quotes and comments, each of those replaced by one space.
std::string CodeOnly(const std::string& sql) {
  Lexer lx{sql};
  std::string out;
  while (true) {
    size_t start = lx.pos;
    Tok t = lx.Next();
    if (t == Tok::kEnd || t == Tok::kError) break;
    if (t == Tok::kCode || t == Tok::kSemicolon) {
      out += sql.substr(start, lx.pos - start);
    } else {
      out += ' ';
    }
  }
  return out;
}

// Reads `-- error XXXXX` from a line comment; false if it is not an annotation.
Result<bool> ParseAnnotation(const std::string& comment, std::string* sqlstate) {
  std::string body = Trim(comment.substr(2));
  if (body.rfind("error", 0) != 0) return false;
  if (body.size() > 5 && !std::isspace(static_cast<unsigned char>(body[5]))) return false;
  std::string code = Trim(body.substr(5)).substr(0, 5);
  bool valid = code.size() == 5;
  for (char c : code) {
    valid = valid && (std::isdigit(static_cast<unsigned char>(c)) || std::isupper(c));
  }
  if (!valid) {
    return Status::InvalidArgument("`-- error` needs a five-character SQLSTATE: " + comment);
  }
  *sqlstate = code;
  return true;
}

}  // namespace

bool HasTopLevelOrderBy(const std::string& sql) {
  std::string code = Upper(CodeOnly(sql));
  int depth = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth != 0 || code.compare(i, 5, "ORDER") != 0) continue;
    if (i > 0 && IsIdentChar(code[i - 1])) continue;
    size_t j = i + 5;
    if (j >= code.size() || !std::isspace(static_cast<unsigned char>(code[j]))) continue;
    while (j < code.size() && std::isspace(static_cast<unsigned char>(code[j]))) ++j;
    if (code.compare(j, 2, "BY") == 0 && (j + 2 == code.size() || !IsIdentChar(code[j + 2]))) {
      return true;
    }
  }
  return false;
}

Result<std::vector<Statement>> ParseScript(const std::string& text) {
  std::vector<Statement> out;
  Lexer lx{text};
  Statement cur;
  bool in_statement = false;
  size_t start = 0;
  int last_end_line = 0;  // line on which the previous statement's ';' was
  std::string pending_sqlstate;
  Protocol protocol = Protocol::kSimple;
  while (true) {
    size_t tok_start = lx.pos;
    int tok_line = lx.line;
    Tok t = lx.Next();
    if (t == Tok::kError) {
      return Status::InvalidArgument("unterminated quote or comment starting on line " +
                                     std::to_string(tok_line));
    }
    if (t == Tok::kEnd) break;
    if (t == Tok::kSpace) continue;
    if (t == Tok::kLineComment && !in_statement) {
      std::string comment = Trim(text.substr(tok_start, lx.pos - tok_start));
      if (comment.rfind("-- sqldiff:", 0) == 0) {
        std::string directive = Trim(comment.substr(11));
        if (!out.empty() || in_statement) {
          return Status::InvalidArgument("`-- sqldiff:` must come before the first statement");
        }
        if (directive == "protocol=extended") {
          protocol = Protocol::kExtended;
        } else if (directive == "protocol=prepared") {
          protocol = Protocol::kPrepared;
        } else if (directive != "protocol=simple") {
          return Status::InvalidArgument("unknown directive: " + comment);
        }
        continue;
      }
      std::string sqlstate;
      NORDLYS_ASSIGN_OR_RETURN(
          bool is_annotation,
          ParseAnnotation(text.substr(tok_start, lx.pos - tok_start), &sqlstate));
      if (!is_annotation) continue;
      if (tok_line == last_end_line && !out.empty()) {
        if (!out.back().expected_sqlstate.empty()) {
          return Status::InvalidArgument("two `-- error` annotations on line " +
                                         std::to_string(tok_line));
        }
        out.back().expected_sqlstate = sqlstate;
      } else {
        pending_sqlstate = sqlstate;
      }
      continue;
    }
    if (t == Tok::kBlockComment && !in_statement) continue;
    if (!in_statement) {
      if (t == Tok::kSemicolon) continue;  // an empty statement
      in_statement = true;
      start = tok_start;
      cur = Statement();
      cur.line = tok_line;
      cur.protocol = protocol;
      cur.expected_sqlstate = pending_sqlstate;
      pending_sqlstate.clear();
    }
    if (t != Tok::kSemicolon) continue;
    cur.sql = Trim(text.substr(start, tok_start - start));
    cur.number = static_cast<int>(out.size()) + 1;
    cur.ordered = HasTopLevelOrderBy(cur.sql);
    last_end_line = lx.line;
    in_statement = false;
    std::string code = Upper(CodeOnly(cur.sql));
    std::string squeezed;
    for (char c : code) {
      if (!std::isspace(static_cast<unsigned char>(c))) squeezed += c;
    }
    if (squeezed.rfind("COPY", 0) == 0 && squeezed.find("FROMSTDIN") != std::string::npos) {
      // The data starts on the line after the ';' and ends at a line "\.".
      cur.copy_in = true;
      size_t eol = text.find('\n', lx.pos);
      // The rest of the ';' line may hold the statement's annotation.
      std::string rest = Trim(text.substr(lx.pos, (eol == std::string::npos ? text.size() : eol) -
                                                      lx.pos));
      if (rest.rfind("--", 0) == 0) {
        std::string sqlstate;
        NORDLYS_ASSIGN_OR_RETURN(bool is_annotation, ParseAnnotation(rest, &sqlstate));
        if (is_annotation && !cur.expected_sqlstate.empty()) {
          return Status::InvalidArgument("two `-- error` annotations for line " +
                                         std::to_string(cur.line));
        }
        if (is_annotation) cur.expected_sqlstate = sqlstate;
      } else if (!rest.empty()) {
        return Status::InvalidArgument("text after COPY ... FROM STDIN; on line " +
                                       std::to_string(lx.line));
      }
      size_t p = eol == std::string::npos ? text.size() : eol + 1;
      bool terminated = false;
      while (p < text.size()) {
        size_t e = text.find('\n', p);
        std::string data_line = text.substr(p, (e == std::string::npos ? text.size() : e) - p);
        p = e == std::string::npos ? text.size() : e + 1;
        if (data_line == "\\.") {
          terminated = true;
          break;
        }
        cur.copy_data += data_line + "\n";
      }
      if (!terminated) {
        return Status::InvalidArgument("COPY data from line " + std::to_string(cur.line) +
                                       " has no terminating \\. line");
      }
      lx.Advance(p);
      last_end_line = 0;
    }
    out.push_back(std::move(cur));
  }
  if (in_statement) {
    return Status::InvalidArgument("statement on line " + std::to_string(cur.line) +
                                   " has no terminating ';'");
  }
  if (!pending_sqlstate.empty()) {
    return Status::InvalidArgument("`-- error` annotation at the end of the file");
  }
  return out;
}

}  // namespace nordlys::sqltest
