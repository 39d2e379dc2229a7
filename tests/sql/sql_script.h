// SQL script files of the differential test (tests/sql/corpus/*.sql): splitting a file into
// statements the way psql would, and the annotations the corpus carries.
//
// Format:
//   - Statements end with ';' outside quotes ('...', E'...', "...", $tag$...$tag$) and comments
//     (-- to end of line, nested /* */).
//   - `COPY ... FROM STDIN;` is followed by its data lines, ended by a line holding only `\.`
//     (as in psql and pg_dump output).
//   - A statement that must fail on PostgreSQL 15 says so with a comment `-- error SQLSTATE`,
//     either on the lines just before it or on the same line after its ';'. The runner checks
//     the annotation against PostgreSQL itself, so the corpus cannot silently go wrong.
//   - `-- sqldiff: protocol=extended` (or `protocol=prepared`) before the first statement sends
//     every statement of the file by the extended query protocol: Parse/Bind/Describe/Execute
//     of an unnamed statement, or a Parse and Describe first and then Bind/Execute, the way
//     pgbench -M extended and -M prepared do. The default is the simple query protocol.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace nordlys::sqltest {

enum class Protocol { kSimple, kExtended, kPrepared };

struct Statement {
  int number = 0;  // 1-based position in its file; what known_failures.txt refers to
  int line = 0;    // 1-based line of its first character
  std::string sql;  // the text sent, without the ';'
  std::string expected_sqlstate;  // from `-- error XXXXX`; "" = must succeed on PostgreSQL
  bool copy_in = false;           // COPY ... FROM STDIN: copy_data is sent with PQputCopyData
  std::string copy_data;          // the data lines, each ending in '\n'
  bool ordered = false;           // a top-level ORDER BY: rows are compared in order
  Protocol protocol = Protocol::kSimple;
};

// Splits a script. Fails (InvalidArgument, with the line) on an unterminated quote, comment or
// COPY block, or on a malformed `-- error` annotation.
Result<std::vector<Statement>> ParseScript(const std::string& text);

// Whether `sql` has ORDER BY outside parentheses, quotes and comments.
bool HasTopLevelOrderBy(const std::string& sql);

}  // namespace nordlys::sqltest
