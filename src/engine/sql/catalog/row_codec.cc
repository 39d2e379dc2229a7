// See row_codec.h.
#include "engine/sql/catalog/row_codec.h"

#include <cstring>

#include "engine/types/type_io.h"

namespace nordlys::engine::sql {
namespace {
using types::Value;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    auto b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}

void PutRaw(std::string* out, const void* p, size_t n) { out->append(static_cast<const char*>(p), n); }
bool GetRaw(std::string_view* in, void* p, size_t n) {
  if (in->size() < n) return false;
  std::memcpy(p, in->data(), n);
  in->remove_prefix(n);
  return true;
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

Status Bad() { return Status::Corruption("malformed row"); }

}  // namespace

void EncodeRowInto(const Row& row, const std::vector<ColumnDef>& columns, std::string* out) {
  out->clear();
  out->push_back(1);
  size_t n = columns.size();
  PutVarint(out, n);
  size_t bitmap_at = out->size();
  out->append((n + 7) / 8, '\0');
  for (size_t i = 0; i < n; ++i) {
    const Value& v = row[i];
    if (v.is_null()) {
      (*out)[bitmap_at + i / 8] = static_cast<char>((*out)[bitmap_at + i / 8] | (1 << (i % 8)));
      continue;
    }
    switch (v.kind()) {
      case Value::Kind::kBool:
        out->push_back(v.as_bool() ? 1 : 0);
        break;
      case Value::Kind::kInt2: case Value::Kind::kInt4: case Value::Kind::kInt8:
      case Value::Kind::kOid: case Value::Kind::kDate: case Value::Kind::kTime:
      case Value::Kind::kTimestamp: case Value::Kind::kTimestampTz:
        PutVarint(out, ZigZag(v.as_int()));
        break;
      case Value::Kind::kFloat4: case Value::Kind::kFloat8: {
        double d = v.as_float();
        PutRaw(out, &d, 8);
        break;
      }
      case Value::Kind::kNumeric: {
        std::string b = v.as_numeric().Send();
        PutVarint(out, b.size());
        out->append(b);
        break;
      }
      case Value::Kind::kString: case Value::Kind::kBytea: {
        const std::string& s = v.as_string();
        PutVarint(out, s.size());
        out->append(s);
        break;
      }
      case Value::Kind::kInterval: {
        const auto& iv = v.as_interval();
        PutRaw(out, &iv.time_us, 8);
        PutRaw(out, &iv.days, 4);
        PutRaw(out, &iv.months, 4);
        break;
      }
      case Value::Kind::kUuid:
        PutRaw(out, v.as_uuid().data(), 16);
        break;
      case Value::Kind::kArray: {
        std::string b = types::SendValue(v, columns[i].type);  // the binary wire form
        PutVarint(out, b.size());
        out->append(b);
        break;
      }
      case Value::Kind::kNull:
        break;
    }
  }
}

std::string EncodeRow(const Row& row, const std::vector<ColumnDef>& columns) {
  std::string out;
  EncodeRowInto(row, columns, &out);
  return out;
}

Status DecodeRow(std::string_view in, const std::vector<ColumnDef>& columns, Row* row) {
  row->assign(columns.size(), Value());
  if (in.empty() || in[0] != 1) return Bad();
  in.remove_prefix(1);
  uint64_t n;
  if (!GetVarint(&in, &n)) return Bad();
  size_t bitmap_len = (n + 7) / 8;
  if (in.size() < bitmap_len) return Bad();
  std::string_view bitmap = in.substr(0, bitmap_len);
  in.remove_prefix(bitmap_len);
  if (n > columns.size()) return Bad();
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<uint8_t>(bitmap[i / 8]) & (1 << (i % 8))) continue;
    types::TypeId t = columns[i].type.id;
    Value& v = (*row)[i];
    switch (types::KindOf(t)) {
      case Value::Kind::kBool:
        if (in.empty()) return Bad();
        v = Value::Bool(in[0] != 0);
        in.remove_prefix(1);
        break;
      case Value::Kind::kInt2: case Value::Kind::kInt4: case Value::Kind::kInt8:
      case Value::Kind::kOid: case Value::Kind::kDate: case Value::Kind::kTime:
      case Value::Kind::kTimestamp: case Value::Kind::kTimestampTz: {
        uint64_t u;
        if (!GetVarint(&in, &u)) return Bad();
        int64_t x = UnZigZag(u);
        switch (types::KindOf(t)) {
          case Value::Kind::kInt2: v = Value::Int2(static_cast<int16_t>(x)); break;
          case Value::Kind::kInt4: v = Value::Int4(static_cast<int32_t>(x)); break;
          case Value::Kind::kInt8: v = Value::Int8(x); break;
          case Value::Kind::kOid: v = Value::Oid(static_cast<uint32_t>(x)); break;
          case Value::Kind::kDate: v = Value::Date(static_cast<int32_t>(x)); break;
          case Value::Kind::kTime: v = Value::Time(x); break;
          case Value::Kind::kTimestamp: v = Value::Timestamp(x); break;
          default: v = Value::TimestampTz(x); break;
        }
        break;
      }
      case Value::Kind::kFloat4: case Value::Kind::kFloat8: {
        double d;
        if (!GetRaw(&in, &d, 8)) return Bad();
        v = types::KindOf(t) == Value::Kind::kFloat4 ? Value::Float4(static_cast<float>(d))
                                                     : Value::Float8(d);
        break;
      }
      case Value::Kind::kNumeric: {
        uint64_t len;
        if (!GetVarint(&in, &len) || in.size() < len) return Bad();
        auto num = types::Numeric::Recv(in.substr(0, len));
        if (!num.ok()) return Bad();
        in.remove_prefix(len);
        v = Value::MakeNumeric(std::move(*num));
        break;
      }
      case Value::Kind::kString: case Value::Kind::kBytea: {
        uint64_t len;
        if (!GetVarint(&in, &len) || in.size() < len) return Bad();
        std::string s(in.substr(0, len));
        in.remove_prefix(len);
        v = types::KindOf(t) == Value::Kind::kBytea ? Value::Bytea(std::move(s))
                                                    : Value::String(std::move(s));
        break;
      }
      case Value::Kind::kInterval: {
        types::Interval iv;
        if (!GetRaw(&in, &iv.time_us, 8) || !GetRaw(&in, &iv.days, 4) ||
            !GetRaw(&in, &iv.months, 4)) {
          return Bad();
        }
        v = Value::MakeInterval(iv);
        break;
      }
      case Value::Kind::kUuid: {
        types::UuidBytes u;
        if (!GetRaw(&in, u.data(), 16)) return Bad();
        v = Value::Uuid(u);
        break;
      }
      case Value::Kind::kArray: {
        uint64_t len;
        if (!GetVarint(&in, &len) || in.size() < len) return Bad();
        auto a = types::RecvValue(in.substr(0, len), columns[i].type);
        if (!a.ok()) return Bad();
        in.remove_prefix(len);
        v = std::move(*a);
        break;
      }
      case Value::Kind::kNull:
        return Bad();
    }
  }
  return Status::OK();
}

}  // namespace nordlys::engine::sql
