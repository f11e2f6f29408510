#include "net/log.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

namespace spectacles::log {

namespace {

struct registry {
  std::mutex mtx;
  std::vector<std::string> secrets;
  sink_fn sink;
};

registry& reg() {
  static registry instance;
  return instance;
}

std::atomic<level> global_level{ level::info };

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// A Discord bot token is three base64url segments joined by dots: the user id
// (23-26 chars), a timestamp (6+) and an HMAC (27+). Anything of that shape is
// treated as a token even if nobody registered it.
bool token_shaped(std::string_view word) {
  auto first = word.find('.');
  if (first == std::string_view::npos)
    return false;
  auto second = word.find('.', first + 1);
  if (second == std::string_view::npos || word.find('.', second + 1) != std::string_view::npos)
    return false;
  auto a = first;
  auto b = second - first - 1;
  auto c = word.size() - second - 1;
  return a >= 23 && a <= 30 && b >= 6 && b <= 10 && c >= 27;
}

std::string redact_token_shapes(std::string text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!is_token_char(text[i]) && text[i] != '.') {
      out += text[i++];
      continue;
    }
    auto j = i;
    while (j < text.size() && (is_token_char(text[j]) || text[j] == '.'))
      ++j;
    auto word = std::string_view{ text }.substr(i, j - i);
    if (token_shaped(word))
      out += "[redacted]";
    else
      out += word;
    i = j;
  }
  return out;
}

std::string timestamp_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

} // namespace

std::optional<level> parse_level(std::string_view name) {
  static constexpr std::pair<std::string_view, level> names[] = {
    { "trace", level::trace }, { "debug", level::debug }, { "info", level::info },
    { "warn", level::warn },   { "error", level::error }, { "off", level::off },
  };
  for (auto& [key, lvl] : names)
    if (key == name)
      return lvl;
  return std::nullopt;
}

std::string_view to_string(level lvl) {
  switch (lvl) {
    case level::trace: return "TRACE";
    case level::debug: return "DEBUG";
    case level::info: return "INFO";
    case level::warn: return "WARN";
    case level::error: return "ERROR";
    case level::off: break;
  }
  return "OFF";
}

void set_level(level lvl) {
  global_level = lvl;
}

level current_level() {
  return global_level.load(std::memory_order_relaxed);
}

void add_secret(std::string secret) {
  // Very short strings would redact ordinary words; a real token is ~70 chars.
  if (secret.size() < 8)
    return;
  std::lock_guard guard{ reg().mtx };
  if (std::find(reg().secrets.begin(), reg().secrets.end(), secret) == reg().secrets.end())
    reg().secrets.push_back(std::move(secret));
}

std::string redact(std::string_view text) {
  std::string result{ text };
  {
    std::lock_guard guard{ reg().mtx };
    for (auto& secret : reg().secrets) {
      for (auto pos = result.find(secret); pos != std::string::npos; pos = result.find(secret, pos))
        result.replace(pos, secret.size(), "[redacted]");
    }
  }
  return redact_token_shapes(std::move(result));
}

void set_sink(sink_fn sink) {
  std::lock_guard guard{ reg().mtx };
  reg().sink = std::move(sink);
}

void reset_sink() {
  set_sink(nullptr);
}

void write(level lvl, std::string_view component, std::string_view message) {
  if (!enabled(lvl) || lvl == level::off)
    return;
  std::string line = timestamp_now();
  line += ' ';
  auto lvl_name = to_string(lvl);
  line += lvl_name;
  line.append(6 - std::min<size_t>(lvl_name.size(), 5), ' ');
  line += component;
  if (component.size() < 10)
    line.append(10 - component.size(), ' ');
  line += ' ';
  line += redact(message);
  std::lock_guard guard{ reg().mtx };
  if (reg().sink) {
    reg().sink(line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

} // namespace spectacles::log
