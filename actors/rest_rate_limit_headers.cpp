#include "actors/rest_rate_limit_headers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace spectacles::actors {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
           };
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

std::optional<int64_t> parse_count(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

std::optional<double> parse_seconds(std::string_view text) {
  double value = 0;
  auto [ptr, ec]
    = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

} // namespace

std::string_view to_string(rate_limit_scope scope) {
  switch (scope) {
    case rate_limit_scope::none: return "none";
    case rate_limit_scope::user: return "user";
    case rate_limit_scope::global: return "global";
    case rate_limit_scope::shared: return "shared";
  }
  return "none";
}

void rate_limit_headers::add(std::string_view name, std::string_view raw) {
  auto value = trim(raw);
  if (same_name(name, "X-RateLimit-Limit")) {
    limit = parse_count(value);
  } else if (same_name(name, "X-RateLimit-Remaining")) {
    remaining = parse_count(value);
  } else if (same_name(name, "X-RateLimit-Reset")) {
    reset = parse_seconds(value);
  } else if (same_name(name, "X-RateLimit-Reset-After")) {
    reset_after = parse_seconds(value);
  } else if (same_name(name, "X-RateLimit-Bucket")) {
    bucket.assign(value.substr(0, 64));
  } else if (same_name(name, "X-RateLimit-Global")) {
    global = same_name(value, "true") || value == "1";
  } else if (same_name(name, "X-RateLimit-Scope")) {
    if (same_name(value, "user"))
      scope = rate_limit_scope::user;
    else if (same_name(value, "global"))
      scope = rate_limit_scope::global;
    else if (same_name(value, "shared"))
      scope = rate_limit_scope::shared;
  } else if (same_name(name, "Retry-After")) {
    retry_after = parse_seconds(value);
  }
}

} // namespace spectacles::actors
