// rest_retry: what to do after one attempt of a REST call (PROTOCOL.md §2.6,
// §2.11): done, retry at a given time, or fail with a reason.
//
//   429, retry_after 0.75, scope user   -> retry at now + 0.75 s (+ 50 ms)
//   429 with X-RateLimit-Global         -> same, and pause the global budget
//   502 on GET, second time             -> retry after 500 ms (backoff)
//   502 on POST                         -> fail: Discord may have created it
//   any retry later than the deadline   -> fail now, not after the deadline
//
// Why POST and PATCH are not retried after a 5xx or a broken connection:
// the request may have been carried out before the error (a 502 from the
// edge, a reply lost with the connection). GET, HEAD, PUT and DELETE give the
// same end state when repeated (RFC 9110 §9.2.2); a second POST creates a
// second message and a second PATCH may apply on top of someone else's edit
// or count twice towards an edit limit (30046). A 429 is always retried:
// Discord did not carry out a rate-limited request. A connection error that
// happened before anything was sent (refused, DNS, TLS) is safe for every
// method.
#pragma once

#include "actors/rest_rate_limit_headers.hpp"
#include "actors/rest_route.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace spectacles::actors {

class rest_retry {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  struct options {
    /// 429s retried per call (discord.js: 3 retries).
    int max_rate_limit_retries = 3;
    /// 5xx / connection errors retried per call (idempotent methods only).
    int max_error_retries = 3;
    /// Backoff: base * 2^(n-1), capped, minus up to `jitter` of it.
    std::chrono::milliseconds backoff_base{ 250 };
    std::chrono::milliseconds backoff_cap{ 8000 };
    double jitter = 0.25;
    /// Added to every retry_after, like the buckets' reset offset.
    std::chrono::milliseconds retry_offset{ 50 };
  };

  enum class action { done, retry, fail };

  enum class failure {
    none,
    client_error, // 4xx other than 429: retrying cannot help
    rate_limited, // 429s beyond the retry bound
    server_error, // 5xx beyond the bound, or on a non-idempotent method
    connection,   // transport error beyond the bound / non-idempotent
    deadline,     // the next attempt would start after the deadline
  };

  struct decision {
    action what = action::done;
    /// When to retry (action::retry).
    time_point at{};
    failure why = failure::none;
    /// A global 429: the caller pauses the token's global budget until `at`.
    bool pause_global = false;
    /// A 429 of scope user: our own count was wrong (for metrics).
    bool unexpected_429 = false;
    /// Readable reason for a failure or a retry.
    std::string reason;
  };

  /// `deadline`: the call fails rather than start an attempt after it.
  /// `seed`: the jitter's random source (fixed in tests).
  rest_retry(rest_method method, time_point deadline);
  rest_retry(rest_method method, time_point deadline, options opts, uint64_t seed = 0);

  /// After a reply. `body_retry_after` is the 429 body's retry_after.
  decision on_response(int http_status, const rate_limit_headers& headers,
                       std::optional<double> body_retry_after, time_point now);

  /// After a transport failure. `may_have_reached_server`: false when it
  /// failed before the request was written (connect, DNS, TLS handshake).
  decision on_transport_error(std::string_view what, bool may_have_reached_server, time_point now);

  /// Whether the deadline has passed (the caller checks before each try).
  bool expired(time_point now) const {
    return now >= deadline_;
  }

  int attempts() const {
    return attempts_;
  }

private:
  decision retry_at(time_point at, std::string reason);
  decision fail(failure why, std::string reason);
  decision backoff(failure kind, std::string what, time_point now, bool repeatable);

  rest_method method_;
  time_point deadline_;
  options opts_;
  std::minstd_rand rng_;
  int attempts_ = 0;
  int rate_limited_ = 0;
  int errors_ = 0;
};

std::string_view to_string(rest_retry::failure why);

} // namespace spectacles::actors
