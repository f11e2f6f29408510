// rest_invalid_guard: keeps a bot token away from Discord's invalid-request
// limit (PROTOCOL.md §2.8): 10,000 responses with status 401, 403 or 429 in
// 10 minutes get the IP banned by Cloudflare. 429s with
// X-RateLimit-Scope: shared do not count.
//
//   record(401)             -> the token is invalid: every later call fails
//                              at once (LESSONS.md: libraries that keep going
//                              after a 401 send 20+ more)
//   9,000 counted in 10 min -> calls are refused until old ones age out
//
// The count is kept in one-second slots (at most 600 of them), and a slot
// ages out one second late: the guard may refuse slightly early, never late.
#pragma once

#include "actors/rest_rate_limit_headers.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

namespace spectacles::actors {

class rest_invalid_guard {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  struct options {
    /// Refuse calls once this many invalid requests were seen in the window
    /// (Discord bans at 10,000).
    uint32_t refuse_at = 9000;
    std::chrono::seconds window{ 600 };
  };

  enum class verdict_kind {
    allowed,
    token_invalid,    // a 401: the token is dead until replaced
    too_many_invalid, // near the Cloudflare limit: wait until retry_at
  };

  struct verdict {
    verdict_kind kind = verdict_kind::allowed;
    /// When a refused call may try again (too_many_invalid only).
    time_point retry_at{};
    /// What is wrong and what to do, for the caller's error.
    std::string message;

    explicit operator bool() const {
      return kind == verdict_kind::allowed;
    }
  };

  rest_invalid_guard() = default;
  explicit rest_invalid_guard(options opts) : opts_(opts) {}

  /// May a call go out now?
  verdict check(time_point now);

  /// Counts a response. `authenticated`: the request carried the bot token;
  /// a 401 on a request without it (a webhook with its own token) says
  /// nothing about the bot token.
  void record(int http_status, rate_limit_scope scope, time_point now, bool authenticated = true);

  /// Invalid requests in the window ending at `now`.
  uint32_t count(time_point now);

  bool token_invalid() const {
    return token_invalid_;
  }

  /// Another REST node saw the 401: the token is dead here too.
  void mark_token_invalid() {
    token_invalid_ = true;
  }

  /// The operator replaced the token: calls may go again.
  void reset_token() {
    token_invalid_ = false;
  }

private:
  void expire(time_point now);

  struct slot {
    int64_t second = 0;
    uint32_t count = 0;
  };

  options opts_;
  std::deque<slot> slots_;
  uint32_t total_ = 0;
  bool token_invalid_ = false;
};

} // namespace spectacles::actors
