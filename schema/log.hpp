// Structured logging: one event per line, logfmt (`ts=… level=info event=page_applied
// connector=demo stream=invoices rows=1000`), to stderr, which systemd sends to the journal.
//
// Every layer logs through this so a line always has the same shape. Values are quoted when
// they need it. Secrets must never be passed as fields: the config layer keeps them in
// `Secret` values that have no text form here. Thread-safe: a line is written with one call.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace arsync {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
  LogField(std::string_view k, Int v) : key(k), value(std::to_string(v)) {}
};

// Lines below `level` are dropped. Default kInfo; ARSYNC_LOG_LEVEL=debug|info|warn|error.
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace arsync
