// Property tests of the key encoding: for many random and edge values of every indexable type,
// in every direction and NULL placement, memcmp order of the encodings must equal the order
// CompareValues (operators.h) gives, with NULLs placed and descending columns reversed as SQL
// says; multi-column keys must order lexicographically and leading columns encode to a prefix.
#include "engine/types/key_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "engine/types/numeric.h"
#include "engine/types/operators.h"
#include "page/btree_page.h"

namespace nordlys::engine::types {
namespace {

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

Numeric N(const std::string& s) {
  Result<Numeric> n = Numeric::Parse(s);
  EXPECT_TRUE(n.ok()) << s << ": " << n.status().ToString();
  return n.ok() ? *n : Numeric();
}

std::string Enc(const Value& v, const KeyColumn& col) {
  std::string out;
  Status s = AppendKey(v, col, &out);
  EXPECT_TRUE(s.ok()) << v.DebugString() << ": " << s.ToString();
  return out;
}

// SQL order of one column: NULL placement, then the value order, reversed when descending.
int ExpectedOrder(const Value& a, const Value& b, const KeyColumn& col) {
  if (a.is_null() || b.is_null()) {
    if (a.is_null() && b.is_null()) return 0;
    const int null_side = col.nulls_first ? -1 : 1;
    return a.is_null() ? null_side : -null_side;
  }
  const int c = Sign(CompareValues(a, b, col.type.id));
  return col.descending ? -c : c;
}

double RandomDouble(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: {  // any bit pattern: NaNs with payloads and sign, denormals, infinities
      uint64_t bits = rng();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    case 1:
      return static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000);
    case 2:
      return std::ldexp(static_cast<double>(rng() % 1000) - 500, static_cast<int>(rng() % 40) - 20);
    default: {
      static const double kEdges[] = {0.0,
                                      -0.0,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::quiet_NaN(),
                                      -std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::denorm_min(),
                                      -std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      std::numeric_limits<double>::min(),
                                      1.0,
                                      -1.0};
      return kEdges[rng() % std::size(kEdges)];
    }
  }
}

std::string RandomNumericText(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0: {
      static const char* kSpecial[] = {"NaN",       "Infinity", "-Infinity", "0",      "-0",
                                       "0.000",     "1",        "1.0",       "1.00",   "-1",
                                       "-1.000",    "10000",    "9999.9999", "0.0001", "-0.0001",
                                       "100000000", "1e100",    "-1e-100"};
      return kSpecial[rng() % std::size(kSpecial)];
    }
    default: {
      std::string s;
      if (rng() % 2) s += '-';
      const int int_digits = static_cast<int>(rng() % 25);
      const int frac_digits = static_cast<int>(rng() % 25);
      // Few distinct digits so that equal prefixes, trailing zeros and carries are common.
      for (int i = 0; i < int_digits; ++i) s += "0019"[rng() % 4];
      if (int_digits == 0) s += '0';
      if (frac_digits > 0) {
        s += '.';
        for (int i = 0; i < frac_digits; ++i) s += "0019"[rng() % 4];
      }
      if (rng() % 5 == 0) s += "e" + std::to_string(static_cast<int>(rng() % 200) - 100);
      return s;
    }
  }
}

// Bytes from `alphabet`, or any byte when it is empty.
std::string RandomBytes(std::mt19937_64& rng, bool allow_nul, std::string_view alphabet = {}) {
  std::string s;
  const size_t len = rng() % 8;
  for (size_t i = 0; i < len; ++i) {
    char c;
    if (!alphabet.empty()) {
      c = alphabet[rng() % alphabet.size()];
    } else {
      c = static_cast<char>(rng() % 256);
      if (c == '\0' && !allow_nul) c = 'a';
    }
    s += c;
  }
  return s;
}

Value RandomValue(TypeId t, std::mt19937_64& rng) {
  switch (t) {
    case TypeId::kBool:
      return Value::Bool(rng() % 2);
    case TypeId::kInt2: {
      static const int16_t kEdges[] = {INT16_MIN, INT16_MIN + 1, -1, 0, 1, INT16_MAX};
      return Value::Int2(rng() % 3 ? static_cast<int16_t>(rng()) : kEdges[rng() % 6]);
    }
    case TypeId::kInt4: {
      static const int32_t kEdges[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, 256, -256};
      return Value::Int4(rng() % 3 ? static_cast<int32_t>(rng() >> (rng() % 32))
                                   : kEdges[rng() % 8]);
    }
    case TypeId::kInt8: {
      static const int64_t kEdges[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX};
      return Value::Int8(rng() % 3 ? static_cast<int64_t>(rng() >> (rng() % 64))
                                   : kEdges[rng() % 6]);
    }
    case TypeId::kOid:
      return Value::Oid(rng() % 3 ? static_cast<uint32_t>(rng()) : (rng() % 2 ? 0u : 0xffffffffu));
    case TypeId::kFloat4:
      return Value::Float4(static_cast<float>(RandomDouble(rng)));
    case TypeId::kFloat8:
      return Value::Float8(RandomDouble(rng));
    case TypeId::kNumeric:
      return Value::MakeNumeric(N(RandomNumericText(rng)));
    case TypeId::kText:
    case TypeId::kVarchar:
      return Value::String(RandomBytes(rng, false, rng() % 2 ? "ab\x01\xff" : ""));
    case TypeId::kBpchar:
      return Value::String(RandomBytes(rng, false, "a \t\x01"));
    case TypeId::kBytea:
      return Value::Bytea(
          RandomBytes(rng, true, rng() % 2 ? std::string_view("\x00\x01\xff", 3) : ""));
    case TypeId::kDate: {
      static const int32_t kEdges[] = {kDateNegInfinity, kDatePosInfinity, 0, -1, 1};
      return Value::Date(rng() % 3 ? static_cast<int32_t>(rng() % 2000000) - 1000000
                                   : kEdges[rng() % 5]);
    }
    case TypeId::kTime:
      return Value::Time(static_cast<int64_t>(rng() % (kUsecsPerDay + 1)));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      static const int64_t kEdges[] = {kTimestampNegInfinity, kTimestampPosInfinity, 0, -1, 1};
      const int64_t v =
          rng() % 3 ? static_cast<int64_t>(rng() >> 8) * (rng() % 2 ? 1 : -1) : kEdges[rng() % 5];
      return t == TypeId::kTimestamp ? Value::Timestamp(v) : Value::TimestampTz(v);
    }
    case TypeId::kInterval: {
      Interval iv;
      if (rng() % 2) {  // small fields: equal spans from different fields ('1 mon' = '30 days')
        iv.months = static_cast<int32_t>(rng() % 5) - 2;
        iv.days = static_cast<int32_t>(rng() % 3) * 30 - 30;
        iv.time_us = (static_cast<int64_t>(rng() % 3) - 1) * kUsecsPerDay;
      } else {
        iv.months = static_cast<int32_t>(rng());
        iv.days = static_cast<int32_t>(rng());
        iv.time_us = static_cast<int64_t>(rng());
      }
      return Value::MakeInterval(iv);
    }
    case TypeId::kUuid: {
      UuidBytes u;
      for (auto& b : u) b = static_cast<uint8_t>(rng() % 4 == 0 ? 0xff : rng() % 3);
      return Value::Uuid(u);
    }
    default:
      return Value::Null();
  }
}

const TypeId kTypes[] = {
    TypeId::kBool,        TypeId::kInt2,     TypeId::kInt4,    TypeId::kInt8, TypeId::kOid,
    TypeId::kFloat4,      TypeId::kFloat8,   TypeId::kNumeric, TypeId::kText, TypeId::kVarchar,
    TypeId::kBpchar,      TypeId::kBytea,    TypeId::kDate,    TypeId::kTime, TypeId::kTimestamp,
    TypeId::kTimestampTz, TypeId::kInterval, TypeId::kUuid};

TEST(KeyEncodingTest, MemcmpOrderEqualsSqlOrderForEveryTypeAndDirection) {
  std::mt19937_64 rng(20261122);
  for (TypeId t : kTypes) {
    std::vector<Value> values;
    for (int i = 0; i < 150; ++i) values.push_back(RandomValue(t, rng));
    values.push_back(Value::Null());
    values.push_back(Value::Null());
    for (int dir = 0; dir < 4; ++dir) {
      KeyColumn col{Type(t), (dir & 1) != 0, (dir & 2) != 0};
      std::vector<std::string> enc;
      for (const Value& v : values) enc.push_back(Enc(v, col));
      int failures = 0;
      for (size_t i = 0; i < values.size() && failures < 5; ++i) {
        for (size_t j = 0; j < values.size() && failures < 5; ++j) {
          const int want = ExpectedOrder(values[i], values[j], col);
          const int got = Sign(page::CompareKeys(enc[i], enc[j]));
          if (want != got) {
            ++failures;
            ADD_FAILURE() << TypeInternalName(t) << " desc=" << col.descending
                          << " nulls_first=" << col.nulls_first << ": " << values[i].DebugString()
                          << " vs " << values[j].DebugString() << " want " << want << " got "
                          << got;
          }
        }
      }
    }
  }
}

TEST(KeyEncodingTest, EqualValuesEncodeAlike) {
  const KeyColumn num{Type(TypeId::kNumeric)};
  EXPECT_EQ(Enc(Value::MakeNumeric(N("1.0")), num), Enc(Value::MakeNumeric(N("1.00")), num));
  EXPECT_EQ(Enc(Value::MakeNumeric(N("-0.0")), num), Enc(Value::MakeNumeric(N("0")), num));
  EXPECT_EQ(Enc(Value::MakeNumeric(N("12000")), num), Enc(Value::MakeNumeric(N("1.2e4")), num));
  EXPECT_NE(Enc(Value::MakeNumeric(N("1.0001")), num), Enc(Value::MakeNumeric(N("1")), num));
  const KeyColumn bp{Type::Bpchar(5)};
  EXPECT_EQ(Enc(Value::String("ab"), bp), Enc(Value::String("ab   "), bp));
  EXPECT_EQ(Enc(Value::String(""), bp), Enc(Value::String("   "), bp));
  const KeyColumn text{Type(TypeId::kText)};
  EXPECT_NE(Enc(Value::String("ab"), text), Enc(Value::String("ab "), text));  // text keeps spaces
  const KeyColumn f8{Type(TypeId::kFloat8)};
  EXPECT_EQ(Enc(Value::Float8(-0.0), f8), Enc(Value::Float8(0.0), f8));
  EXPECT_EQ(Enc(Value::Float8(std::nan("1")), f8), Enc(Value::Float8(-std::nan("2")), f8));
  EXPECT_LT(Enc(Value::Float8(std::numeric_limits<double>::infinity()), f8),
            Enc(Value::Float8(std::nan("")), f8));
  const KeyColumn iv{Type(TypeId::kInterval)};
  EXPECT_EQ(Enc(Value::MakeInterval({0, 0, 1}), iv), Enc(Value::MakeInterval({0, 30, 0}), iv));
  EXPECT_EQ(Enc(Value::MakeInterval({0, 1, 0}), iv),
            Enc(Value::MakeInterval({kUsecsPerDay, 0, 0}), iv));
}

TEST(KeyEncodingTest, NumericOrderAcrossScalesAndMagnitudes) {
  // Sorted ascending by value; neighbours must encode strictly increasing.
  const char* kSorted[] = {
      "-Infinity",  "-1e100", "-10000.5",   "-10000",    "-9999.9999", "-1.5",     "-1.05",
      "-1",         "-0.5",   "-0.0001",    "-1e-100",   "0",          "1e-100",   "0.0001",
      "0.00012",    "0.5",    "1",          "1.0000001", "1.05",       "1.5",      "9999",
      "9999.00001", "10000",  "10000.0001", "100000000", "1e100",      "Infinity", "NaN"};
  const KeyColumn num{Type(TypeId::kNumeric)};
  for (size_t i = 0; i + 1 < std::size(kSorted); ++i) {
    EXPECT_LT(Enc(Value::MakeNumeric(N(kSorted[i])), num),
              Enc(Value::MakeNumeric(N(kSorted[i + 1])), num))
        << kSorted[i] << " < " << kSorted[i + 1];
  }
}

TEST(KeyEncodingTest, NullPlacementFollowsTheFinalOrder) {
  const Value one = Value::Int4(1), null;
  // ASC NULLS LAST (default), DESC NULLS FIRST (PG's DESC default), and the other two.
  EXPECT_LT(Enc(one, {Type(TypeId::kInt4), false, false}),
            Enc(null, {Type(TypeId::kInt4), false, false}));
  EXPECT_GT(Enc(one, {Type(TypeId::kInt4), true, true}),
            Enc(null, {Type(TypeId::kInt4), true, true}));
  EXPECT_GT(Enc(one, {Type(TypeId::kInt4), false, true}),
            Enc(null, {Type(TypeId::kInt4), false, true}));
  EXPECT_LT(Enc(one, {Type(TypeId::kInt4), true, false}),
            Enc(null, {Type(TypeId::kInt4), true, false}));
}

TEST(KeyEncodingTest, MultiColumnKeysOrderLexicographicallyAndPrefixesArePrefixes) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    std::vector<KeyColumn> cols;
    const size_t ncols = 1 + rng() % 3;
    for (size_t c = 0; c < ncols; ++c) {
      cols.push_back({Type(kTypes[rng() % std::size(kTypes)]), rng() % 2 == 0, rng() % 2 == 0});
    }
    std::vector<std::vector<Value>> rows;
    for (int r = 0; r < 40; ++r) {
      std::vector<Value> row;
      for (const KeyColumn& col : cols) {
        // A small pool per column makes equal leading columns common.
        row.push_back(rng() % 6 == 0 ? Value::Null() : RandomValue(col.type.id, rng));
      }
      rows.push_back(row);
    }
    // Reuse some earlier leading values so ties on column 0 are frequent.
    for (size_t r = 1; r < rows.size(); r += 2) rows[r][0] = rows[r - 1][0];
    std::vector<std::string> keys;
    for (const auto& row : rows) {
      Result<std::string> k = EncodeKey(row, cols);
      ASSERT_TRUE(k.ok()) << k.status().ToString();
      for (size_t n = 0; n <= row.size(); ++n) {
        Result<std::string> prefix = EncodeKey(std::span<const Value>(row.data(), n), cols);
        ASSERT_TRUE(prefix.ok());
        EXPECT_EQ(k->substr(0, prefix->size()), *prefix);
      }
      keys.push_back(*k);
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t j = 0; j < rows.size(); ++j) {
        int want = 0;
        for (size_t c = 0; c < cols.size() && want == 0; ++c) {
          want = ExpectedOrder(rows[i][c], rows[j][c], cols[c]);
        }
        ASSERT_EQ(Sign(page::CompareKeys(keys[i], keys[j])), want) << "round " << round;
      }
    }
  }
}

TEST(KeyEncodingTest, RejectsValuesOfAnotherKind) {
  std::string out = "x";
  EXPECT_FALSE(AppendKey(Value::String("1"), {Type(TypeId::kInt4)}, &out).ok());
  EXPECT_FALSE(AppendKey(Value::Int8(70000), {Type(TypeId::kInt2)}, &out).ok());
  EXPECT_FALSE(AppendKey(Value::Int4(1), {Type(TypeId::kNumeric)}, &out).ok());
  EXPECT_EQ(out, "x");  // unchanged on error
  EXPECT_TRUE(AppendKey(Value::Int2(5), {Type(TypeId::kInt8)}, &out).ok());
  EXPECT_EQ(out.substr(1), Enc(Value::Int8(5), {Type(TypeId::kInt8)}));
  const Value vals[] = {Value::Int4(1), Value::Int4(2)};
  const KeyColumn cols[] = {{Type(TypeId::kInt4)}};
  EXPECT_FALSE(EncodeKey(vals, cols).ok());
}

}  // namespace
}  // namespace nordlys::engine::types
