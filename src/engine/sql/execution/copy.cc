// COPY FROM STDIN and COPY TO STDOUT in PostgreSQL's text and CSV formats (HEADER, DELIMITER,
// NULL, QUOTE, ESCAPE). Server-side files and programs are not supported (0A000).
#include "engine/sql/errors.h"
#include "engine/sql/execution/eval.h"
#include "engine/sql/execution/foreign_keys.h"
#include "engine/sql/execution/statements.h"
#include "engine/sql/planner/planner.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

namespace {

struct CopyOptions {
  bool csv = false;
  bool header = false;
  char delim = '\t';
  std::string null_str = "\\N";
  char quote = '"';
  char escape = '"';
};

Result<bool> BoolOpt(const Json& de) {
  if (!de.contains("arg")) return true;
  const Json& a = de["arg"];
  if (a.contains("Boolean")) return a["Boolean"].value("boolval", false);
  if (a.contains("Integer")) return a["Integer"].value("ival", 0) != 0;
  std::string v = a.contains("String") ? a["String"].value("sval", "") : "";
  auto b = types::ParseBool(v);
  if (!b.ok()) return SqlError("22023", de.value("defname", "") + " requires a Boolean value");
  return *b;
}

Result<CopyOptions> ParseOptions(const Json& s) {
  CopyOptions o;
  bool null_set = false, delim_set = false, escape_set = false;
  if (!s.contains("options")) return o;
  for (const auto& oj : s["options"]) {
    const Json& de = oj["DefElem"];
    std::string name = de.value("defname", "");
    std::string sval = de.contains("arg") && de["arg"].contains("String") ? de["arg"]["String"].value("sval", "") : "";
    if (name == "format") {
      if (sval == "csv") {
        o.csv = true;
      } else if (sval == "binary") {
        return Unsupported("COPY BINARY");
      } else if (sval != "text") {
        return SqlError("22023", "COPY format \"" + sval + "\" not recognized");
      }
    } else if (name == "header") {
      NORDLYS_ASSIGN_OR_RETURN(o.header, BoolOpt(de));
    } else if (name == "delimiter") {
      if (sval.size() != 1) return SqlError("0A000", "COPY delimiter must be a single one-byte character");
      o.delim = sval[0];
      delim_set = true;
    } else if (name == "null") {
      o.null_str = sval;
      null_set = true;
    } else if (name == "quote") {
      if (sval.size() != 1) return SqlError("0A000", "COPY quote must be a single one-byte character");
      o.quote = sval[0];
    } else if (name == "escape") {
      if (sval.size() != 1) return SqlError("0A000", "COPY escape must be a single one-byte character");
      o.escape = sval[0];
      escape_set = true;
    } else if (name == "freeze" || name == "encoding") {
      // FREEZE only saves later hint-bit work in PG; there is nothing to skip here.
    } else {
      return Unsupported("COPY option " + name);
    }
  }
  if (o.csv) {
    if (!delim_set) o.delim = ',';
    if (!null_set) o.null_str = "";
    if (!escape_set) o.escape = o.quote;
  } else if (o.header) {
    // PG 15 accepts HEADER for text format too.
  }
  return o;
}

// Text format: splits one line into raw fields and de-escapes them. nullopt = NULL.
Status SplitTextLine(std::string_view line, const CopyOptions& o, std::vector<std::optional<std::string>>* out) {
  out->clear();
  size_t i = 0;
  for (;;) {
    std::string raw_field;
    std::string value;
    size_t start = i;
    while (i < line.size() && line[i] != o.delim) {
      char c = line[i];
      if (c == '\\' && i + 1 < line.size()) {
        char n = line[i + 1];
        i += 2;
        switch (n) {
          case 'b': value += '\b'; break;
          case 'f': value += '\f'; break;
          case 'n': value += '\n'; break;
          case 'r': value += '\r'; break;
          case 't': value += '\t'; break;
          case 'v': value += '\v'; break;
          case 'x': {
            int v = 0, k = 0;
            while (k < 2 && i < line.size() && isxdigit(static_cast<unsigned char>(line[i]))) {
              v = v * 16 + (isdigit(static_cast<unsigned char>(line[i])) ? line[i] - '0' : (tolower(line[i]) - 'a' + 10));
              ++i;
              ++k;
            }
            if (k == 0) {
              value += 'x';
            } else {
              value += static_cast<char>(v);
            }
            break;
          }
          default:
            if (n >= '0' && n <= '7') {
              int v = n - '0', k = 1;
              while (k < 3 && i < line.size() && line[i] >= '0' && line[i] <= '7') {
                v = v * 8 + (line[i] - '0');
                ++i;
                ++k;
              }
              value += static_cast<char>(v);
            } else {
              value += n;
            }
        }
      } else {
        value += c;
        ++i;
      }
    }
    raw_field = std::string(line.substr(start, i - start));
    if (raw_field == o.null_str) {
      out->push_back(std::nullopt);
    } else {
      out->push_back(std::move(value));
    }
    if (i >= line.size()) break;
    ++i;  // delimiter
  }
  return Status::OK();
}

// CSV: one record from `buf` starting at *pos. false when the record is incomplete (needs
// more input) unless at_end.
Result<bool> NextCsvRecord(const std::string& buf, size_t* pos, bool at_end, const CopyOptions& o,
                           std::vector<std::optional<std::string>>* out) {
  out->clear();
  size_t i = *pos;
  std::string field;
  bool quoted_field = false;
  bool in_quotes = false;
  bool any = false;
  for (;;) {
    if (i >= buf.size()) {
      if (!at_end) return false;
      if (in_quotes) return SqlError("22P04", "unterminated CSV quoted field");
      if (!any && field.empty() && out->empty()) {
        *pos = i;
        return false;
      }
      break;
    }
    char c = buf[i];
    any = true;
    if (in_quotes) {
      if (c == o.escape && o.escape != o.quote && i + 1 < buf.size() && buf[i + 1] == o.quote) {
        field += o.quote;
        i += 2;
        continue;
      }
      if (c == o.quote) {
        if (o.escape == o.quote && i + 1 < buf.size() && buf[i + 1] == o.quote) {
          field += o.quote;
          i += 2;
          continue;
        }
        if (o.escape == o.quote && i + 1 >= buf.size() && !at_end) return false;
        in_quotes = false;
        ++i;
        continue;
      }
      field += c;
      ++i;
      continue;
    }
    if (c == o.quote) {
      in_quotes = true;
      quoted_field = true;
      ++i;
      continue;
    }
    if (c == o.delim || c == '\n' || c == '\r') {
      if (!quoted_field && field == o.null_str) {
        out->push_back(std::nullopt);
      } else {
        out->push_back(field);
      }
      field.clear();
      quoted_field = false;
      ++i;
      if (c == '\r' && i < buf.size() && buf[i] == '\n') ++i;
      if (c != o.delim) {
        *pos = i;
        return true;
      }
      continue;
    }
    field += c;
    ++i;
  }
  if (!quoted_field && field == o.null_str) {
    out->push_back(std::nullopt);
  } else {
    out->push_back(field);
  }
  *pos = i;
  return true;
}

std::string EscapeText(std::string_view v, char delim) {
  std::string o;
  for (char c : v) {
    switch (c) {
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += delim == '\t' ? "\\t" : "\t"; break;
      case '\b': o += "\\b"; break;
      case '\f': o += "\\f"; break;
      case '\v': o += "\\v"; break;
      default:
        if (c == delim) o += '\\';
        o += c;
    }
  }
  return o;
}

std::string QuoteCsv(std::string_view v, const CopyOptions& o, bool force) {
  bool need = force || v.empty() || v == o.null_str;
  for (char c : v) {
    if (c == o.delim || c == o.quote || c == '\n' || c == '\r') need = true;
  }
  if (!need) return std::string(v);
  std::string s(1, o.quote);
  for (char c : v) {
    if (c == o.quote || c == o.escape) s += o.escape;
    s += c;
  }
  return s + o.quote;
}

Result<std::string> CopyFrom(const Json& s, StmtEnv& env, std::shared_ptr<const TableDef> table,
                             const std::vector<int>& cols, const CopyOptions& o) {
  TableWriter writer(table, env.ctx, env.sql);
  NORDLYS_RETURN_IF_ERROR(writer.Prepare(env.param_types));
  ForeignKeyQueue foreign_keys(env.ctx);
  writer.set_foreign_keys(&foreign_keys);
  NORDLYS_ASSIGN_OR_RETURN(CopyInSource * in, env.out->BeginCopyIn(cols.size()));
  std::string buf;
  size_t pos = 0;
  bool at_end = false;
  bool header_pending = o.header;
  uint64_t n = 0, line_no = 0;
  std::vector<std::optional<std::string>> fields;
  const types::SessionSettings& settings = env.ctx->session->settings;
  Row row(table->columns.size());
  std::vector<bool> given(table->columns.size(), false);
  for (int c : cols) given[c] = true;
  bool done = false;
  Status failure;
  while (!done) {
    if (!at_end) {
      std::string chunk;
      auto more = in->Next(&chunk);
      if (!more.ok()) return more.status();
      if (!*more) {
        at_end = true;
      } else {
        if (pos > 0 && pos >= buf.size() / 2) {
          buf.erase(0, pos);
          pos = 0;
        }
        buf += chunk;
      }
    }
    for (;;) {
      if (!failure.ok()) {
        pos = buf.size();  // keep reading to the end of the stream, then report
        break;
      }
      bool have;
      if (o.csv) {
        // "\." alone on a line ends CSV data too.
        NORDLYS_ASSIGN_OR_RETURN(have, NextCsvRecord(buf, &pos, at_end, o, &fields));
        if (have && fields.size() == 1 && fields[0] && *fields[0] == "\\.") {
          done = true;
          break;
        }
      } else {
        size_t nl = buf.find('\n', pos);
        if (nl == std::string::npos) {
          if (!at_end || pos >= buf.size()) break;
          nl = buf.size();
        }
        std::string_view line(buf.data() + pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = std::min(nl + 1, buf.size());
        if (line == "\\.") {
          done = true;
          break;
        }
        NORDLYS_RETURN_IF_ERROR(SplitTextLine(line, o, &fields));
        have = true;
      }
      if (!have) break;
      ++line_no;
      if (header_pending) {
        header_pending = false;
        continue;
      }
      if (fields.size() < cols.size()) {
        failure = SqlError("22P04", "missing data for column \"" + table->columns[cols[fields.size()]].name + "\"",
                           {.detail = "", .hint = ""});
        continue;
      }
      if (fields.size() > cols.size()) {
        failure = SqlError("22P04", "extra data after last expected column");
        continue;
      }
      for (size_t i = 0; i < cols.size(); ++i) {
        const ColumnDef& col = table->columns[cols[i]];
        if (!fields[i]) {
          row[cols[i]] = Value();
          continue;
        }
        auto v = types::InputValue(*fields[i], col.type, settings);
        if (!v.ok()) {
          failure = v.status();
          break;
        }
        row[cols[i]] = std::move(*v);
      }
      if (!failure.ok()) continue;
      for (size_t c = 0; c < row.size(); ++c) {
        if (given[c]) continue;
        auto v = writer.DefaultOf(c);
        if (!v.ok()) {
          failure = v.status();
          break;
        }
        row[c] = std::move(*v);
      }
      if (failure.ok()) failure = writer.CheckRow(row);
      if (failure.ok()) failure = writer.Insert(row).status();
      if (failure.ok()) {
        ++n;
        failure = env.ctx->CheckCancel();
      }
    }
    if (at_end && (pos >= buf.size() || !failure.ok())) done = true;
  }
  // Drain whatever the client still sends after "\." or an error.
  while (!at_end) {
    std::string chunk;
    auto more = in->Next(&chunk);
    if (!more.ok()) return more.status();
    at_end = !*more;
  }
  NORDLYS_RETURN_IF_ERROR(failure);
  NORDLYS_RETURN_IF_ERROR(foreign_keys.Finish());
  return "COPY " + std::to_string(n);
}

}  // namespace

Result<std::string> ExecCopy(const Json& s, StmtEnv& env) {
  if (s.contains("filename") || s.value("is_program", false)) {
    return Unsupported("COPY to or from a file or program");
  }
  NORDLYS_ASSIGN_OR_RETURN(CopyOptions o, ParseOptions(s));
  if (env.describe) return std::string();
  Binder binder = env.MakeBinder();
  bool is_from = s.value("is_from", false);
  OperatorPtr plan;
  std::vector<ResultColumn> out_cols;
  std::shared_ptr<const TableDef> table;
  std::vector<int> cols;
  if (s.contains("query")) {
    if (is_from) return SqlError("42601", "COPY FROM does not support a query");
    NORDLYS_ASSIGN_OR_RETURN(auto q, binder.BindQuery(s["query"], nullptr));
    Planner planner(env.ctx->db);
    NORDLYS_RETURN_IF_ERROR(planner.PlanSubqueries(&binder));
    NORDLYS_ASSIGN_OR_RETURN(plan, planner.PlanQuery(*q));
    out_cols = ColumnsOf(*q);
  } else {
    NORDLYS_ASSIGN_OR_RETURN(table, binder.LookupTable(s["relation"]));
    if (s.contains("attlist")) {
      for (const auto& a : s["attlist"]) {
        std::string name = StrVal(a);
        int idx = table->ColumnIndex(name);
        if (idx < 0) {
          return SqlError("42703", "column \"" + name + "\" of relation \"" + table->name + "\" does not exist");
        }
        for (int c : cols) {
          if (c == idx) return SqlError("42701", "column \"" + name + "\" specified more than once");
        }
        cols.push_back(idx);
      }
    } else {
      for (size_t i = 0; i < table->columns.size(); ++i) {
        if (!table->columns[i].dropped) cols.push_back(static_cast<int>(i));
      }
    }
    if (is_from) return CopyFrom(s, env, table, cols, o);
    Planner planner(env.ctx->db);
    auto scan = planner.PlanTableScan(table, "", {});
    std::vector<ExprPtr> exprs;
    for (int c : cols) {
      exprs.push_back(MakeColumn(c, table->columns[c].type, table->columns[c].name));
      out_cols.push_back({table->columns[c].name, table->columns[c].type});
    }
    plan = std::make_shared<Project>(scan, exprs);
  }
  // COPY ... TO STDOUT
  NORDLYS_RETURN_IF_ERROR(env.out->BeginCopyOut(out_cols.size()));
  const types::SessionSettings& settings = env.ctx->session->settings;
  if (o.header) {
    std::string line;
    for (size_t i = 0; i < out_cols.size(); ++i) {
      if (i > 0) line += o.delim;
      line += o.csv ? QuoteCsv(out_cols[i].name, o, false) : EscapeText(out_cols[i].name, o.delim);
    }
    NORDLYS_RETURN_IF_ERROR(env.out->CopyData(line + "\n"));
  }
  NORDLYS_RETURN_IF_ERROR(plan->Open(env.ctx));
  uint64_t n = 0;
  Row row;
  std::string line;
  for (;;) {
    NORDLYS_ASSIGN_OR_RETURN(bool more, plan->Next(env.ctx, &row));
    if (!more) break;
    line.clear();
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += o.delim;
      if (row[i].is_null()) {
        line += o.null_str;
        continue;
      }
      std::string v = types::OutputValue(row[i], out_cols[i].type, settings);
      line += o.csv ? QuoteCsv(v, o, false) : EscapeText(v, o.delim);
    }
    line += '\n';
    NORDLYS_RETURN_IF_ERROR(env.out->CopyData(line));
    ++n;
  }
  NORDLYS_RETURN_IF_ERROR(env.out->EndCopyOut());
  return "COPY " + std::to_string(n);
}

}  // namespace nordlys::engine::sql
