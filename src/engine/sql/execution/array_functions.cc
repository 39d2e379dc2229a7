// The array functions and operators of bind_array.cc, over evaluated arguments. NULL handling
// follows PG 15 function by function (array_append(NULL, x) is {x}, array_position finds a NULL
// element, array_length of an empty array is NULL, ...).
#include "engine/sql/execution/array_functions.h"

#include "engine/sql/errors.h"
#include "engine/types/operators.h"

namespace nordlys::engine::sql {

using types::Type;
using types::TypeId;
using types::Value;

bool IsArrayFunction(Func f) {
  switch (f) {
    case Func::kArraySubscript: case Func::kArrayCat: case Func::kArrayAppend: case Func::kArrayPrepend:
    case Func::kArrayToString: case Func::kArrayLength: case Func::kArrayUpper: case Func::kArrayLower:
    case Func::kCardinality: case Func::kStringToArray: case Func::kArrayPosition: case Func::kArrayRemove:
      return true;
    default:
      return false;
  }
}

Result<Value> EvalArrayFunction(const Expr& e, const std::vector<Value>& a, const types::SessionSettings& settings) {
  auto elems = [](const Value& v) -> const std::vector<Value>& { return v.as_array(); };
  switch (e.func) {
    case Func::kArraySubscript: {
      if (a[0].is_null() || a[1].is_null()) return Value();
      int64_t i = a[1].as_int();
      const auto& x = elems(a[0]);
      if (i < 1 || i > static_cast<int64_t>(x.size())) return Value();
      return x[static_cast<size_t>(i - 1)];
    }
    case Func::kArrayCat: {
      if (a[0].is_null()) return a[1];
      if (a[1].is_null()) return a[0];
      std::vector<Value> out = elems(a[0]);
      out.insert(out.end(), elems(a[1]).begin(), elems(a[1]).end());
      return Value::Array(std::move(out));
    }
    case Func::kArrayAppend: {
      std::vector<Value> out;
      if (!a[0].is_null()) out = elems(a[0]);
      out.push_back(a[1]);
      return Value::Array(std::move(out));
    }
    case Func::kArrayPrepend: {
      std::vector<Value> out{a[0]};
      if (!a[1].is_null()) out.insert(out.end(), elems(a[1]).begin(), elems(a[1]).end());
      return Value::Array(std::move(out));
    }
    case Func::kArrayToString: {
      if (a[0].is_null() || a[1].is_null()) return Value();
      const Type elem(types::ArrayElementType(e.args[0]->type.id), e.args[0]->type.typmod);
      const bool null_text = a.size() == 3 && !a[2].is_null();
      std::string out;
      bool first = true;
      for (const auto& v : elems(a[0])) {
        if (v.is_null() && !null_text) continue;
        if (!first) out += a[1].as_string();
        first = false;
        out += v.is_null() ? a[2].as_string() : types::OutputValue(v, elem, settings);
      }
      return Value::String(std::move(out));
    }
    case Func::kArrayLength:
    case Func::kArrayUpper:
    case Func::kArrayLower: {
      if (a[0].is_null() || a[1].is_null()) return Value();
      const auto& x = elems(a[0]);
      if (x.empty() || a[1].as_int() != 1) return Value();
      return Value::Int4(e.func == Func::kArrayLower ? 1 : static_cast<int32_t>(x.size()));
    }
    case Func::kCardinality:
      if (a[0].is_null()) return Value();
      return Value::Int4(static_cast<int32_t>(elems(a[0]).size()));
    case Func::kArrayPosition:
    case Func::kArrayRemove: {
      if (a[0].is_null()) return Value();
      const TypeId elem = types::ArrayElementType(e.args[0]->type.id);
      auto same = [&](const Value& v) {
        if (v.is_null() || a[1].is_null()) return v.is_null() && a[1].is_null();
        return types::CompareValues(v, a[1], elem) == 0;
      };
      const auto& x = elems(a[0]);
      if (e.func == Func::kArrayPosition) {
        for (size_t i = 0; i < x.size(); ++i) {
          if (same(x[i])) return Value::Int4(static_cast<int32_t>(i + 1));
        }
        return Value();
      }
      std::vector<Value> out;
      for (const auto& v : x) {
        if (!same(v)) out.push_back(v);
      }
      return Value::Array(std::move(out));
    }
    case Func::kStringToArray: {
      if (a[0].is_null()) return Value();
      const std::string& s = a[0].as_string();
      std::vector<Value> out;
      auto add = [&](std::string piece) {
        if (a.size() == 3 && !a[2].is_null() && piece == a[2].as_string()) {
          out.emplace_back();
        } else {
          out.push_back(Value::String(std::move(piece)));
        }
      };
      if (s.empty()) return Value::Array({});
      if (a[1].is_null()) {
        // One element per character (UTF-8 aware).
        for (size_t i = 0; i < s.size();) {
          auto c = static_cast<unsigned char>(s[i]);
          size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
          add(s.substr(i, n));
          i += n;
        }
      } else if (a[1].as_string().empty()) {
        add(s);
      } else {
        const std::string& sep = a[1].as_string();
        size_t start = 0;
        while (true) {
          size_t at = s.find(sep, start);
          if (at == std::string::npos) {
            add(s.substr(start));
            break;
          }
          add(s.substr(start, at - start));
          start = at + sep.size();
        }
      }
      return Value::Array(std::move(out));
    }
    default:
      return Status::Internal("not an array function");
  }
}

}  // namespace nordlys::engine::sql
