// Status names and the default SQLSTATE for each code.
#include "common/status.h"

namespace nordlys {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kIoError: return "IoError";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kFenced: return "Fenced";
    case StatusCode::kTimeout: return "Timeout";
    case StatusCode::kNotSupported: return "NotSupported";
    case StatusCode::kOutOfRange: return "OutOfRange";
    case StatusCode::kAborted: return "Aborted";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::sqlstate() const {
  if (!sqlstate_.empty()) return sqlstate_;
  switch (code_) {
    case StatusCode::kOk: return "00000";
    case StatusCode::kInvalidArgument: return "22023";   // invalid_parameter_value
    case StatusCode::kNotFound: return "42704";          // undefined_object
    case StatusCode::kAlreadyExists: return "42710";     // duplicate_object
    case StatusCode::kIoError: return "58030";           // io_error
    case StatusCode::kCorruption: return "XX001";        // data_corrupted
    case StatusCode::kUnavailable: return "57P03";       // cannot_connect_now
    case StatusCode::kFenced: return "57P01";            // admin_shutdown
    case StatusCode::kTimeout: return "57014";           // query_canceled
    case StatusCode::kNotSupported: return "0A000";      // feature_not_supported
    case StatusCode::kOutOfRange: return "22003";        // numeric_value_out_of_range
    case StatusCode::kAborted: return "57014";           // query_canceled
    case StatusCode::kResourceExhausted: return "53000"; // insufficient_resources
    case StatusCode::kInternal: return "XX000";          // internal_error
  }
  return "XX000";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.message_ = std::string(context) + ": " + message_;
  return s;
}

}  // namespace nordlys
