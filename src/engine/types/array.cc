// See array.h. Parsing follows PG 15's array_in for one dimension: whitespace around elements
// is ignored, double quotes and backslashes escape, an unquoted NULL is a null element.
#include "engine/types/array.h"

#include "engine/types/operators.h"

namespace nordlys::engine::types {
namespace {

bool IsArraySpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

Status Malformed(std::string_view text, std::string detail) {
  // "\x1eD" starts the ErrorResponse detail field (the encoding of engine/sql/errors.h).
  return Status::Sql(StatusCode::kInvalidArgument, "22P02",
                     "malformed array literal: \"" + std::string(text) + "\"\x1e" "D" + detail);
}

Status MultiDim() {
  return Status::Sql(StatusCode::kNotSupported, "0A000", "multidimensional arrays are not supported yet");
}

Status BadBinary() { return Status::Sql(StatusCode::kInvalidArgument, "22P03", "incorrect binary data format"); }

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l') {
    return true;
  }
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || IsArraySpace(c)) return true;
  }
  return false;
}

void PutBE32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

bool GetBE32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  *v = r;
  return true;
}

}  // namespace

Result<Value> ArrayIn(std::string_view text, const Type& type, const SessionSettings& settings) {
  const Type elem(ArrayElementType(type.id), type.typmod);
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && IsArraySpace(text[i])) ++i;
  };
  skip_space();
  if (i < text.size() && text[i] == '[') return MultiDim();
  if (i >= text.size() || text[i] != '{') {
    return Malformed(text, "Array value must start with \"{\" or dimension information.");
  }
  ++i;
  std::vector<Value> elems;
  skip_space();
  if (i < text.size() && text[i] == '}') {
    ++i;
  } else {
    while (true) {
      skip_space();
      if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
      if (text[i] == '{') return MultiDim();
      if (text[i] == ',' || text[i] == '}') {
        return Malformed(text, std::string("Unexpected \"") + text[i] + "\" character.");
      }
      std::string item;
      bool quoted_or_escaped = false;
      size_t keep = 0;  // length of `item` that trailing-space trimming must not cut
      if (text[i] == '"') {
        quoted_or_escaped = true;
        ++i;
        while (true) {
          if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
          char c = text[i++];
          if (c == '"') break;
          if (c == '\\') {
            if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
            c = text[i++];
          }
          item.push_back(c);
        }
        keep = item.size();
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '}') {
          char c = text[i++];
          if (c == '"' || c == '{') return Malformed(text, std::string("Unexpected \"") + c + "\" character.");
          if (c == '\\') {
            if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
            quoted_or_escaped = true;
            item.push_back(text[i++]);
            keep = item.size();
            continue;
          }
          item.push_back(c);
        }
        while (item.size() > keep && IsArraySpace(item.back())) item.pop_back();
      }
      skip_space();
      if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
      if (text[i] != ',' && text[i] != '}') {
        return Malformed(text, std::string("Unexpected array element."));
      }
      bool is_null = !quoted_or_escaped && item.size() == 4 && (item[0] | 0x20) == 'n' &&
                     (item[1] | 0x20) == 'u' && (item[2] | 0x20) == 'l' && (item[3] | 0x20) == 'l';
      if (is_null) {
        elems.emplace_back();
      } else {
        NORDLYS_ASSIGN_OR_RETURN(Value v, InputValue(item, elem, settings));
        elems.push_back(std::move(v));
      }
      if (text[i++] == '}') break;
    }
  }
  skip_space();
  if (i != text.size()) return Malformed(text, "Junk after closing right brace.");
  return Value::Array(std::move(elems));
}

std::string ArrayOut(const Value& v, const Type& type, const SessionSettings& settings) {
  const Type elem(ArrayElementType(type.id), type.typmod);
  std::string out = "{";
  bool first = true;
  for (const Value& e : v.as_array()) {
    if (!first) out.push_back(',');
    first = false;
    if (e.is_null()) {
      out += "NULL";
      continue;
    }
    std::string s = OutputValue(e, elem, settings);
    if (!NeedsQuotes(s)) {
      out += s;
      continue;
    }
    out.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string ArraySend(const Value& v, const Type& type) {
  const Type elem(ArrayElementType(type.id), type.typmod);
  const auto& elems = v.as_array();
  bool has_null = false;
  for (const auto& e : elems) has_null |= e.is_null();
  std::string out;
  PutBE32(&out, elems.empty() ? 0 : 1);
  PutBE32(&out, has_null ? 1 : 0);
  PutBE32(&out, static_cast<uint32_t>(elem.id));
  if (!elems.empty()) {
    PutBE32(&out, static_cast<uint32_t>(elems.size()));
    PutBE32(&out, 1);
  }
  for (const auto& e : elems) {
    if (e.is_null()) {
      PutBE32(&out, 0xffffffffu);
      continue;
    }
    std::string b = SendValue(e, elem);
    PutBE32(&out, static_cast<uint32_t>(b.size()));
    out += b;
  }
  return out;
}

Result<Value> ArrayRecv(std::string_view in, const Type& type) {
  const Type elem(ArrayElementType(type.id), type.typmod);
  uint32_t ndim, flags, elem_oid;
  if (!GetBE32(&in, &ndim) || !GetBE32(&in, &flags) || !GetBE32(&in, &elem_oid)) return BadBinary();
  if (flags > 1) return BadBinary();
  if (elem_oid != static_cast<uint32_t>(elem.id)) {
    return Status::Sql(StatusCode::kInvalidArgument, "42804", "binary data has array element type " +
                                                                  std::to_string(elem_oid) + " instead of expected " +
                                                                  std::to_string(static_cast<uint32_t>(elem.id)));
  }
  if (ndim > 1) return MultiDim();
  uint32_t n = 0;
  if (ndim == 1) {
    uint32_t lbound;
    if (!GetBE32(&in, &n) || !GetBE32(&in, &lbound)) return BadBinary();
    if (lbound != 1) return MultiDim();
    if (n > in.size() / 4) return BadBinary();
  }
  std::vector<Value> elems;
  elems.reserve(n);
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t len;
    if (!GetBE32(&in, &len)) return BadBinary();
    if (len == 0xffffffffu) {
      elems.emplace_back();
      continue;
    }
    if (len > in.size()) return BadBinary();
    NORDLYS_ASSIGN_OR_RETURN(Value e, RecvValue(in.substr(0, len), elem));
    in.remove_prefix(len);
    elems.push_back(std::move(e));
  }
  if (!in.empty()) return BadBinary();
  return Value::Array(std::move(elems));
}

int CompareArrays(const Value& a, const Value& b, TypeId type) {
  const TypeId elem = ArrayElementType(type);
  const auto& x = a.as_array();
  const auto& y = b.as_array();
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (x[i].is_null() || y[i].is_null()) {
      if (x[i].is_null() && y[i].is_null()) continue;
      return x[i].is_null() ? 1 : -1;
    }
    int c = CompareValues(x[i], y[i], elem);
    if (c != 0) return c;
  }
  return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
}

uint64_t HashArray(const Value& v, TypeId type) {
  const TypeId elem = ArrayElementType(type);
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (const auto& e : v.as_array()) {
    uint64_t x = e.is_null() ? 0x51ed2701ULL : HashValue(e, elem);
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

}  // namespace nordlys::engine::types
