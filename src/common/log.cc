// Logging backend: spdlog with a pattern that prints time and level; this file formats the
// component, message and fields.
#include "common/log.h"

#include <memory>
#include <mutex>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace nordlys::log {
namespace {

std::mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger;  // GUARDED_BY(g_mu) for replacement

std::shared_ptr<spdlog::logger> Logger() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_logger) {
    g_logger = spdlog::stderr_logger_mt("nordlys");
    g_logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    g_logger->set_level(spdlog::level::info);
    g_logger->flush_on(spdlog::level::info);
  }
  return g_logger;
}

spdlog::level::level_enum ToSpd(Level l) {
  switch (l) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void AppendValue(std::string* out, const std::string& v) {
  bool quote = v.empty() || v.find_first_of(" \t\"=") != std::string::npos;
  if (!quote) {
    *out += v;
    return;
  }
  *out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') *out += '\\';
    if (c == '\n') {
      *out += "\\n";
      continue;
    }
    *out += c;
  }
  *out += '"';
}

}  // namespace

void SetLevel(Level level) { Logger()->set_level(ToSpd(level)); }

bool ParseLevel(std::string_view name, Level* out) {
  if (name == "debug") *out = Level::kDebug;
  else if (name == "info") *out = Level::kInfo;
  else if (name == "warn") *out = Level::kWarn;
  else if (name == "error") *out = Level::kError;
  else return false;
  return true;
}

bool SetFile(const std::string& path) {
  std::shared_ptr<spdlog::logger> next;
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
    next = std::make_shared<spdlog::logger>("nordlys", sink);
  } catch (const spdlog::spdlog_ex&) {
    return false;
  }
  auto level = Logger()->level();
  next->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  next->set_level(level);
  next->flush_on(spdlog::level::info);
  std::lock_guard<std::mutex> lock(g_mu);
  g_logger = next;
  return true;
}

std::string FormatLine(Level level, std::string_view component, std::string_view msg,
                       std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(64 + msg.size());
  line += component;
  line += ' ';
  line += msg;
  for (const Field& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    AppendValue(&line, f.value);
  }
  return line;
}

void Write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields) {
  auto logger = Logger();
  if (!logger->should_log(ToSpd(level))) return;
  logger->log(ToSpd(level), "{}", FormatLine(level, component, msg, fields));
}

}  // namespace nordlys::log
