// rest_global_limit: the global REST budget of one bot token (PROTOCOL.md
// §2.7): 50 requests per second by default, whatever route they use, across
// the whole cluster (LESSONS.md: a budget per process ends in 429 storms and
// a Cloudflare ban). The REST node that owns a token's budget
// (rest_ownership) keeps one of these and grants permits to the others.
//
//   limit 50/s:  t=0.000 .. 0.400  50 sends   -> available() == 0
//                                              next_free() == t0 + 1 s + 50 ms
//   429 with X-RateLimit-Global: true, retry_after 2.5
//                -> nothing counted here may start for 2.5 s (+ offset)
//
// A sliding window: at most `per_second` sends in any `window + offset`
// span. It is stricter than any fixed one-second window Discord may use, and
// the offset (50 ms, like the buckets) absorbs network jitter between our
// send and Discord's count. Interaction callbacks and follow-ups are exempt
// (§2.7) and never consume a permit, not even during a global pause.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

namespace spectacles::actors {

class rest_global_limit {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  struct options {
    /// Requests per window; Discord's default is 50/s (larger bots may ask
    /// for more, so it is configurable).
    size_t per_second = 50;
    std::chrono::milliseconds window{ 1000 };
    std::chrono::milliseconds offset{ 50 };
  };

  rest_global_limit() = default;
  /// A budget of 0 is taken as 1: a limiter that never lets anything
  /// through would hang every caller.
  explicit rest_global_limit(options opts) : opts_(opts) {
    opts_.per_second = std::max<size_t>(opts_.per_second, 1);
  }

  /// Permits free now (0 while paused by a global 429).
  size_t available(time_point now);

  /// Takes a permit for one request; exempt requests always pass. Returns
  /// false (and takes nothing) when the budget is spent.
  bool try_acquire(time_point now, bool exempt = false);

  /// Takes up to `wanted` permits at once (a lease for another REST node);
  /// returns how many were granted.
  size_t grant(time_point now, size_t wanted);

  /// When the next permit frees (now if one is free).
  time_point next_free(time_point now);

  /// A 429 of global scope: everything waits `retry_after` seconds (§2.6).
  void on_global_429(time_point now, double retry_after);

  /// Changes the budget (a REST node's share when several split it); sends
  /// already counted stay counted.
  void set_per_second(size_t n) {
    opts_.per_second = std::max<size_t>(n, 1);
  }

  bool paused(time_point now) const {
    return paused_until_ > now;
  }
  const options& settings() const {
    return opts_;
  }

private:
  void expire(time_point now);

  options opts_;
  /// Send times inside the current span, oldest first.
  std::deque<time_point> sends_;
  time_point paused_until_{};
};

} // namespace spectacles::actors
