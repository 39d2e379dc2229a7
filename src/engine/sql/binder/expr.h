// Bound (typed, name-resolved) expressions. The binder builds them from libpg_query trees; the
// executor evaluates them (execution/eval.h) over an input row. Immutable once planned, except
// a subquery's operator tree, which runs inside the one statement execution that planned it.
//
// Column references are positions in the input row of the operator that evaluates the
// expression; kOuterColumn reaches `depth` levels out to an enclosing query's current row.
//
// Thread safety: used by one statement execution at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/sql/catalog/catalog.h"
#include "engine/types/operators.h"
#include "engine/types/type.h"
#include "engine/types/value.h"

namespace nordlys::engine::sql {

class Operator;

enum class ExprKind : uint8_t {
  kConst, kColumn, kOuterColumn, kParam, kBinary, kNegate, kNot, kAnd, kOr, kIsNull,
  kBoolTest, kCast, kFunc, kAggRef, kCase, kCoalesce, kNullIf, kLike, kInList, kSubquery,
  kDistinctFrom, kMinMax,
  kArray,     // ARRAY[args...]: a one-dimensional array of type `type`
  kArrayAny,  // args[0] op ANY (args[1]) over an array (flag: ALL); sig as kBinary
  kWindowRef, // a window function's value: index is its number in BoundSelect::windows; the
              // binder turns it into a column of the WindowAgg operator's output
};

// Built-in scalar functions.
enum class Func : uint8_t {
  kNow, kStatementTimestamp, kClockTimestamp, kCurrentDate, kVersion, kCurrentDatabase,
  kCurrentUser, kCurrentSchema, kBackendPid, kNextval, kCurrval, kSetval, kLength, kLower,
  kUpper, kAbs, kConcatOp, kConcat, kSubstr, kRound, kTrunc, kBtrim, kLtrim, kRtrim, kReplace,
  kPosition, kLeft, kRight, kRandom, kMod, kFloor, kCeil, kSqrt, kPower, kSign, kRepeat,
  kStrpos, kMd5, kToChar, kExtract, kDateTrunc, kGenRandomUuid, kPgTypeof, kInitcap,
  kReverse, kLpad, kRpad, kSplitPart, kChr, kAscii, kOctetLength, kCharLength, kFormatType,
  kSettingCurrent, kObjDescription, kTxidCurrent, kPgTableIsVisible, kArrayPosition, kBitAnd, kBitOr, kBitXor, kBitNot, kShiftLeft,
  kShiftRight, kRegexMatch, kRegexNotMatch, kRegexIMatch, kRegexNotIMatch, kPgGetUserById,
  kPgEncodingToChar, kColDescription, kStartsWith, kTranslate, kToHex, kConcatWs,
  kArraySubscript, kArrayCat, kArrayAppend, kArrayPrepend, kArrayToString, kArrayLength,
  kArrayUpper, kArrayLower, kCardinality, kStringToArray, kArrayRemove,
  kPgGetExpr, kPgGetConstraintdef, kPgGetIndexdef, kPgGetViewdef, kPgRelationIsPublishable, kPgGetStatisticsobjdefColumns, kPgGetTriggerdef,
  kPgTypeIsVisible, kQuoteIdent,
  // execution/more_functions.cc
  kDatePart, kAge, kTimezone, kToDate, kToTimestamp, kToTimestampFloat, kMakeDate, kMakeTime,
  kMakeTimestamp, kMakeTimestampTz, kMakeInterval, kJustifyDays, kJustifyHours, kJustifyInterval,
  kIsfinite, kExp, kLn, kLog, kLog10, kDiv, kScale, kCbrt, kDegrees, kRadians, kSin, kCos, kTan,
  kCot, kAsin, kAcos, kAtan, kAtan2, kPi, kBitLength, kSha224, kSha256, kSha384, kSha512, kEncode,
  kDecode, kRegexpReplace, kRegexpMatch, kSimilarToEscape, kOverlay, kFormat, kQuoteLiteral,
  kQuoteNullable,
};

// Aggregates.
enum class AggFunc : uint8_t {
  kCountStar, kCount, kSum, kAvg, kMin, kMax, kBoolAnd, kBoolOr, kStringAgg, kArrayAgg,
  kVarSamp, kVarPop, kStddevSamp, kStddevPop,  // variance = var_samp, stddev = stddev_samp
};

// Window functions; kAggregate: an aggregate over the window frame.
enum class WinFunc : uint8_t {
  kRowNumber, kRank, kDenseRank, kPercentRank, kCumeDist, kNtile, kLag, kLead, kFirstValue,
  kLastValue, kNthValue, kAggregate,
};

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct SubqueryInfo {
  enum class Kind : uint8_t { kScalar, kExists, kAny, kAll, kArray };  // kArray: ARRAY(SELECT ...)
  Kind kind = Kind::kScalar;
  std::shared_ptr<Operator> plan;  // produces the subquery's rows
  bool correlated = false;         // uses an enclosing row: re-run per row
  types::BinaryOp op = types::BinaryOp::kEq;  // kAny/kAll: left op each row's column 0
  types::OperatorSig sig{};
  types::Type left_type, right_type;
  // Cached result of an uncorrelated subquery within one execution.
  bool cached = false;
  std::vector<types::Value> cache;
  bool cache_saw_null = false;
};

struct Expr {
  ExprKind kind = ExprKind::kConst;
  types::Type type;
  types::Value value;              // kConst
  int index = -1;                  // kColumn/kOuterColumn: row position; kParam: $n - 1;
                                   // kAggRef: aggregate number; kBoolTest: which test;
                                   // kWindowRef: window function number
  int depth = 0;                   // kOuterColumn: levels out (1 = enclosing query)
  types::BinaryOp op = types::BinaryOp::kEq;  // kBinary
  types::OperatorSig sig{};        // kBinary
  Func func = Func::kNow;          // kFunc
  std::vector<ExprPtr> args;       // operands (kCase: [operand] when then ... [else])
  bool negated = false;            // NOT LIKE, NOT IN, IS NOT NULL, IS NOT DISTINCT FROM
  bool flag = false;               // kLike: ILIKE; kCase: has operand; kMinMax: GREATEST;
                                   // kCast: explicit
  std::shared_ptr<SubqueryInfo> subquery;
  std::shared_ptr<const SequenceDef> sequence;  // nextval/currval/setval on a known sequence
  std::string name;                // kColumn: "t.col" for messages and EXPLAIN
  int location = -1;               // 1-based character position, for errors

  // A canonical text form: equal for structurally equal expressions (GROUP BY matching), and
  // what EXPLAIN prints.
  std::string ToString() const;
};

ExprPtr MakeConst(types::Value v, types::Type t);
ExprPtr MakeColumn(int index, types::Type t, std::string name);
// True when the expression reads no column of its own level (constants, parameters, outer
// references and functions of them); such an expression can key an index scan.
bool IsRowIndependent(const Expr& e);
// True when it contains an aggregate reference.
bool ContainsAgg(const Expr& e);
// Copies the tree with every kColumn index shifted by `delta` (kept when >= 0 result).
ExprPtr ShiftColumns(const ExprPtr& e, int delta);
// Collects the kColumn indexes the expression reads.
void CollectColumns(const Expr& e, std::vector<int>* out);
// Splits a conjunction into its AND-ed parts.
void SplitConjuncts(const ExprPtr& e, std::vector<ExprPtr>* out);
ExprPtr MakeAnd(std::vector<ExprPtr> parts);

}  // namespace nordlys::engine::sql
