// rest_rate_limit_headers: the rate-limit facts of one Discord REST response
// (PROTOCOL.md §2.5, §2.6), read from its headers.
//
//   X-RateLimit-Limit: 5
//   X-RateLimit-Remaining: 0
//   X-RateLimit-Reset: 1470173023.123
//   X-RateLimit-Reset-After: 1.0
//   X-RateLimit-Bucket: abcd1234
//   X-RateLimit-Scope: user        (429 only)
//   X-RateLimit-Global: true       (429 only, global limit)
//   Retry-After: 1                 (429 only, seconds)
//
// Feed every header with add(); unknown names are ignored and a malformed
// value leaves its field empty, so a strange response never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::actors {

enum class rate_limit_scope { none, user, global, shared };

std::string_view to_string(rate_limit_scope scope);

struct rate_limit_headers {
  std::optional<int64_t> limit;
  std::optional<int64_t> remaining;
  /// Epoch seconds (may have decimals); identifies the window.
  std::optional<double> reset;
  /// Seconds until the window resets, measured when the response was made.
  std::optional<double> reset_after;
  /// Opaque bucket hash; empty when absent.
  std::string bucket;
  bool global = false;
  rate_limit_scope scope = rate_limit_scope::none;
  /// Retry-After in seconds (the body's retry_after is more precise).
  std::optional<double> retry_after;

  /// Takes one response header; names are case-insensitive.
  void add(std::string_view name, std::string_view value);

  /// All of a response's headers (any range of objects with name and value).
  template <class Headers>
  static rate_limit_headers from(const Headers& headers) {
    rate_limit_headers h;
    for (const auto& x : headers)
      h.add(x.name, x.value);
    return h;
  }

  /// Whether the response carried a route limit to follow.
  bool has_limit() const {
    return limit.has_value() && remaining.has_value() && (reset_after || reset);
  }
};

} // namespace spectacles::actors
