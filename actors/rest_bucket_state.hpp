// rest_bucket_state: the arithmetic of one Discord rate-limit bucket
// (PROTOCOL.md §2.5, §2.9): a FIFO queue of requests, how many are in flight,
// and what the last response said about the window.
//
//   X-RateLimit-Limit: 5, X-RateLimit-Remaining: 0, X-RateLimit-Reset-After: 1.0
//     -> nothing more may start until now + 1.0 s + offset (50 ms);
//        then up to 5 start again, oldest first.
//
// Decisions:
// * The reset time comes from Reset-After (relative, measured when the
//   response arrives, so it is late by the one-way latency: safe) plus an
//   offset, 50 ms by default like discord.js (§2.9), which covers scheduling
//   jitter. The absolute Reset header only identifies the window, so that an
//   old response cannot raise the count again.
// * Until the first response, one request at a time: the limit is unknown.
// * max_in_flight (default 1) keeps requests of a bucket in order on the wire,
//   as the "ordering per bucket" asks. Above 1, the count after a
//   response is remaining - (requests still in flight), never more.
// * A response without rate-limit headers means the route has no route
//   limit: the bucket stops counting (but still keeps its order).
// * cancel() frees the slot of a request that timed out or was abandoned,
//   so one lost reply never strands the bucket (discordeno#5274). The request
//   may have reached Discord, so its use of the window is not given back.
//
// No clock is read here: every call takes `now` (steady clock).
#pragma once

#include "actors/rest_rate_limit_headers.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::actors {

class rest_bucket_state {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  struct options {
    /// Added to every reset time (discord.js uses 50 ms too).
    std::chrono::milliseconds reset_offset{ 50 };
    /// Requests of this bucket on the wire at once; 1 keeps them in order.
    size_t max_in_flight = 1;
  };

  /// A queued request: `ticket` numbers requests in arrival order across
  /// all buckets, so that merged queues can be interleaved without reordering.
  struct entry {
    uint64_t ticket = 0;
    std::string key;
    bool global_exempt = false;
  };

  enum class gate_state {
    idle,          // nothing queued
    ready,         // the front may start now
    wait_until,    // window exhausted or paused by a 429: wait until `until`
    wait_response, // the in-flight slots are taken: wait for a reply or cancel
  };

  struct gate {
    gate_state state = gate_state::idle;
    time_point until{};
  };

  rest_bucket_state() = default;
  explicit rest_bucket_state(options opts) : opts_(opts) {}

  void enqueue(entry e);

  /// Whether the front may start; applies a reset that is due.
  gate check(time_point now);

  /// Starts the front request if check() says ready: counts it against the
  /// window and marks it in flight.
  std::optional<entry> start_next(time_point now);

  /// A reply arrived for `ticket`: its slot is free; the headers update the
  /// window. `retry_after` (seconds, from the 429 body or Retry-After) pauses
  /// the bucket on a non-global 429.
  void on_response(uint64_t ticket, int http_status, const rate_limit_headers& headers,
                   std::optional<double> retry_after, time_point now);

  /// Frees a queued or in-flight request (timeout, caller gone). Returns
  /// whether the ticket was here.
  bool cancel(uint64_t ticket);

  /// Nothing may start before `until` (a 429 of this bucket).
  void pause_until(time_point until);

  /// Removes and returns the queued requests of `key`, in order (the key
  /// moves to another bucket). In-flight requests stay: their replies free
  /// their slots here.
  std::vector<entry> take_key(const std::string& key);

  /// Adds requests moved from another bucket, interleaved by ticket, so
  /// that both queues keep their order. Returns the merged queue's tickets.
  std::vector<uint64_t> absorb(std::vector<entry> moved);

  /// Takes over a whole bucket (queue, in-flight slots, window) that turned
  /// out to be this one: the stricter of both windows wins.
  std::vector<uint64_t> absorb(rest_bucket_state&& other);

  /// The next request to start (nullptr when the queue is empty).
  const entry* front() const {
    return queue_.empty() ? nullptr : &queue_.front();
  }
  std::vector<uint64_t> queued_tickets() const;
  const std::vector<uint64_t>& in_flight() const {
    return in_flight_;
  }
  size_t queued() const {
    return queue_.size();
  }
  std::optional<int64_t> limit() const {
    return limit_;
  }
  int64_t remaining() const {
    return remaining_;
  }
  time_point reset_at() const {
    return reset_at_;
  }
  time_point last_used() const {
    return last_used_;
  }
  /// A reply came: the bucket is past its first request.
  bool learned() const {
    return learned_;
  }
  bool idle() const {
    return queue_.empty() && in_flight_.empty();
  }

private:
  bool release(uint64_t ticket);
  void apply_limit(const rate_limit_headers& headers, time_point now);

  options opts_;
  std::deque<entry> queue_;
  std::vector<uint64_t> in_flight_;
  /// Set by the first response; until then one request at a time.
  bool learned_ = false;
  /// Known route limit (nullopt: not known, or the route has none).
  std::optional<int64_t> limit_;
  int64_t remaining_ = 1;
  time_point reset_at_{};
  time_point paused_until_{};
  time_point last_used_{};
  /// X-RateLimit-Reset of the window that remaining_ belongs to.
  std::optional<double> window_reset_;
  /// The window was refilled locally: the next response starts a new one.
  bool refilled_ = false;
};

} // namespace spectacles::actors
