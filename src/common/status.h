// Status and Result<T>: how every fallible call in Nordlys reports failure. No exceptions cross
// a Nordlys interface (LevelDB's rule); a Status carries a code, a message and, for errors that
// reach a SQL client, the SQLSTATE to send.
//
// Thread safety: values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/assert.h"

namespace nordlys {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad flag, malformed request)
  kNotFound,
  kAlreadyExists,
  kIoError,           // the disk or the OS said no
  kCorruption,        // bytes failed a checksum or a format check
  kUnavailable,       // not enough peers / service down; retrying later may work
  kFenced,            // a newer epoch exists; this caller must stop
  kTimeout,
  kNotSupported,      // honest "not built yet"; SQLSTATE 0A000 on the wire
  kOutOfRange,        // e.g. a read below the retention horizon or above SCL
  kAborted,           // the operation was cancelled or lost a race
  kResourceExhausted, // a bound was hit: queue full, disk full, connection limit
  kInternal,          // a bug; never caused by user input
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Fenced(std::string m) { return {StatusCode::kFenced, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  // A SQL error: the SQLSTATE travels with the status up to the wire.
  static Status Sql(StatusCode code, std::string sqlstate, std::string m) {
    Status s(code, std::move(m));
    s.sqlstate_ = std::move(sqlstate);
    return s;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Five-character SQLSTATE; derived from the code when none was set explicitly.
  std::string sqlstate() const;
  // "Corruption: frame checksum mismatch at offset 4096"
  std::string ToString() const;

  bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }
  bool IsFenced() const { return code_ == StatusCode::kFenced; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }

  // Prefixes context: s.WithContext("segment 3") -> "IoError: segment 3: disk full".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string sqlstate_;
};

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {        // NOLINT: implicit by design
    NORDLYS_ASSERT(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    NORDLYS_ASSERT(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    NORDLYS_ASSERT(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    NORDLYS_ASSERT(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace nordlys

#define NORDLYS_CONCAT_INNER(a, b) a##b
#define NORDLYS_CONCAT(a, b) NORDLYS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define NORDLYS_RETURN_IF_ERROR(expr)             \
  do {                                            \
    ::nordlys::Status _nordlys_s = (expr);        \
    if (!_nordlys_s.ok()) return _nordlys_s;      \
  } while (0)

// NORDLYS_ASSIGN_OR_RETURN(auto x, MakeX()); declares x or returns the error.
#define NORDLYS_ASSIGN_OR_RETURN(lhs, expr) \
  NORDLYS_ASSIGN_OR_RETURN_IMPL(NORDLYS_CONCAT(_nordlys_r, __LINE__), lhs, expr)
#define NORDLYS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
