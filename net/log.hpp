// A small leveled logger shared by every room (CAF's own logger is compiled
// out in Debian's build). One line per record:
//
//   2026-11-27T19:43:53.123Z INFO  shard     shard 3 ready (session 8f2c…)
//
// Secrets never reach the sink: every registered secret (the bot token) and
// anything shaped like a Discord bot token is replaced by "[redacted]".
#pragma once

#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace spectacles::log {

enum class level { trace, debug, info, warn, error, off };

/// Parses "trace", "debug", "info", "warn", "error" or "off".
std::optional<level> parse_level(std::string_view name);
std::string_view to_string(level lvl);

void set_level(level lvl);
level current_level();

inline bool enabled(level lvl) {
  return lvl >= current_level();
}

/// Registers a secret (e.g. the bot token) that must never appear in the log.
void add_secret(std::string secret);

/// Replaces registered secrets and token-shaped words in `text`.
std::string redact(std::string_view text);

/// Redirects records (default: stderr). Tests capture the log this way.
using sink_fn = std::function<void(std::string_view line)>;
void set_sink(sink_fn sink);
void reset_sink();

/// Formats, redacts and writes one record.
void write(level lvl, std::string_view component, std::string_view message);

template <class... Ts>
void print(level lvl, std::string_view component, const Ts&... xs) {
  if (!enabled(lvl))
    return;
  std::ostringstream out;
  (out << ... << xs);
  write(lvl, component, out.str());
}

template <class... Ts>
void trace(std::string_view component, const Ts&... xs) {
  print(level::trace, component, xs...);
}

template <class... Ts>
void debug(std::string_view component, const Ts&... xs) {
  print(level::debug, component, xs...);
}

template <class... Ts>
void info(std::string_view component, const Ts&... xs) {
  print(level::info, component, xs...);
}

template <class... Ts>
void warn(std::string_view component, const Ts&... xs) {
  print(level::warn, component, xs...);
}

template <class... Ts>
void error(std::string_view component, const Ts&... xs) {
  print(level::error, component, xs...);
}

} // namespace spectacles::log
