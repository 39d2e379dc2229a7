// Structured logging: one line per event, logfmt style, so both people and grep can read it:
//   2026-11-22T03:04:05.123Z INFO storage segment recovered pg=3 scl=1024 frames=17
// Backed by spdlog (thread-safe sinks). Components name themselves ("storage", "volume", ...).
//
// Thread safety: all functions may be called from any thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace nordlys::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// A key=value field. Values are formatted with fmt and quoted when they contain spaces.
struct Field {
  template <typename T>
  Field(std::string_view k, const T& v) : key(k), value(fmt::format("{}", v)) {}
  std::string_view key;
  std::string value;
};

void SetLevel(Level level);
// "debug", "info", "warn", "error"; false if the name is unknown.
bool ParseLevel(std::string_view name, Level* out);
// Sends output to `path` (appending) instead of stderr. Returns false if it cannot be opened.
bool SetFile(const std::string& path);

void Write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields = {});

inline void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, c, m, f);
}
inline void Warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, c, m, f);
}

// Formats the logfmt line without writing it (exposed for tests).
std::string FormatLine(Level level, std::string_view component, std::string_view msg,
                       std::initializer_list<Field> fields);

}  // namespace nordlys::log
