// Order-preserving, self-delimiting byte encoding of SQL values for B-tree keys
// (storage/btree.h compares keys with memcmp only). For values a, b of one column type,
//   memcmp(Encode(a), Encode(b)) has the sign of CompareValues(a, b, type)   (operators.h)
// with NULL after every value (NULLS LAST) unless nulls_first, and the whole order reversed
// for a descending column except where its NULLs go (nulls_first/last is about the final
// order, as in SQL). Each column's encoding is prefix-free, so a multi-column key is the
// concatenation of its columns' encodings, and the key of the leading k columns is a prefix of
// the full key: a scan for "first columns = x" is a prefix scan.
//
// Per column: one marker byte (never inverted) then, for a non-NULL value, the body (inverted
// bitwise when descending):
//   marker   NULL first 0x00 | value 0x01 | NULL last 0x02
//   bool     1 byte 0/1
//   int2/4/8 2/4/8 bytes big-endian, sign bit flipped; oid: 4 bytes big-endian
//   float4/8 IEEE bits big-endian (4/8 bytes): positive -> sign bit flipped, negative -> all
//            bits flipped; -0 is encoded as +0 and every NaN as the canonical quiet NaN, which
//            sorts above +Infinity (PG: NaN = NaN > Infinity)
//   numeric  tag: -Inf 0x10, negative 0x20, zero 0x30, positive 0x40, +Inf 0x50, NaN 0x60;
//            finite non-zero then: u16 (base-10000 weight + 0x8000), the base-10000 digits
//            without leading or trailing zero digits, each as u16 (digit + 1), and u16 0; for a
//            negative number those bytes after the tag are inverted. Scale is not encoded, so
//            1.0 and 1.00 encode alike (PG compares numerically)
//   text, varchar, name, bytea: the bytes with 0x00 escaped as 00 FF, then 00 01
//   bpchar   the same after removing trailing spaces (PG's bpchar comparison ignores them)
//   date     int32 as int4; time, timestamp, timestamptz: int64 as int8 (infinities are the
//            extreme integers, so they sort at the ends as in PG)
//   interval int128 span (months * 30 days + days * 24 h, in microseconds, + time) as 16 bytes
//            big-endian with the sign bit flipped: PG's interval_cmp order (so '1 mon' encodes
//            as '30 days', which PG also calls equal)
//   uuid     the 16 bytes
// The format is persistent (index pages hold it): changing it needs a new index version.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <span>
#include <string>

#include "common/status.h"
#include "engine/types/type.h"
#include "engine/types/value.h"

namespace nordlys::engine::types {

struct KeyColumn {
  Type type;
  bool descending = false;
  bool nulls_first = false;
};

// Whether values of the type have a key encoding (arrays do not yet). CREATE INDEX checks it.
bool IsIndexable(TypeId id);

// Appends one column's encoding of v to *out. InvalidArgument when v's kind does not store
// col.type (integer kinds are accepted for any integer column if the value fits); 0A000 when
// !IsIndexable(col.type.id). On error *out is unchanged.
Status AppendKey(const Value& v, const KeyColumn& col, std::string* out);

// The key of a row prefix: values[i] encoded per cols[i]. REQUIRES values.size() <= cols.size()
// (InvalidArgument otherwise); fewer values than columns give the prefix key.
Result<std::string> EncodeKey(std::span<const Value> values, std::span<const KeyColumn> cols);

}  // namespace nordlys::engine::types
