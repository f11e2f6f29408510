// rest_bucket_map: which bucket carries which rate-limit key, and the merge
// rule for keys that Discord reveals to share a bucket (PROTOCOL.md §2.5,
// §2.9; LESSONS.md: shared buckets queued separately exceed the limit).
//
//   key -> bucket id     "PATCH /channels/1/messages/:id" -> "abcd1234:channels/1"
//   bucket id -> bucket  "abcd1234:channels/1"            -> rest_bucket_state
//
// A key starts in a provisional bucket of its own ("~" + key). When a reply
// carries X-RateLimit-Bucket: H, the key belongs to bucket "H:<major>" (the
// hash does not include the major parameter, so two channels with the same
// hash are still two buckets). If another key is already there, the two
// merge: queued requests are interleaved by ticket (arrival order), so
// neither key's requests are reordered. If a key's hash changes later (seen
// for message deletes, discord-api-docs#1295), only its queued requests move.
//
// Tickets number every request in arrival order. poll() looks only at
// buckets that changed or whose wait ended (2.8 us per request over 500
// routes, bench_rest_buckets). Interaction callbacks (one request per key)
// are dropped as soon as they are answered; other idle buckets live until
// evict_idle(). Nothing reads a clock.
#pragma once

#include "actors/rest_bucket_state.hpp"
#include "actors/rest_route.hpp"

#include <chrono>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace spectacles::actors {

class rest_bucket_map {
public:
  using time_point = rest_bucket_state::time_point;

  struct started {
    uint64_t ticket = 0;
    std::string key;
    std::string bucket;
    bool global_exempt = false;
  };

  struct poll_result {
    /// Requests to send now, oldest first.
    std::vector<started> start;
    /// When to poll again for a bucket that waits on time (nullopt: none
    /// does). It may be early, never late: polling early is harmless.
    std::optional<time_point> wake_at;
    /// Requests that were ready but did not fit in the global budget.
    size_t held_by_global = 0;
  };

  /// What a reply did to the map.
  struct reply_effect {
    /// The key's bucket after the reply.
    std::string bucket;
    /// The key moved into a bucket that already had other keys.
    bool merged = false;
    /// The key left a provisional bucket or its hash changed.
    bool moved = false;
    /// Queue order (tickets) of the bucket after the move, oldest first.
    std::vector<uint64_t> queue;
  };

  rest_bucket_map() = default;
  explicit rest_bucket_map(rest_bucket_state::options opts) : opts_(opts) {}

  /// Queues a request of `route`; returns its ticket.
  uint64_t enqueue(const rest_route& route);

  /// Queues a retry (after a 429 or a backoff) under its first ticket, so
  /// it goes before everything that arrived after it: a retried request does
  /// not lose its place in its bucket's order.
  void requeue(uint64_t ticket, const rest_route& route);

  /// Starts what may start: at most `global_budget` requests that count
  /// towards the global limit (exempt ones do not), oldest ticket first
  /// across all buckets.
  poll_result poll(time_point now, size_t global_budget = SIZE_MAX);

  /// A reply arrived (any status). `retry_after` is the 429 body's value.
  reply_effect on_response(uint64_t ticket, int http_status, const rate_limit_headers& headers,
                           std::optional<double> retry_after, time_point now);

  /// Frees a queued or in-flight request (timeout, caller gone).
  bool cancel(uint64_t ticket);

  /// Drops buckets with nothing queued or in flight that were not used for
  /// `idle_for` (discord.js: 24 h), with their key mappings. Returns how many.
  size_t evict_idle(time_point now, std::chrono::milliseconds idle_for);

  /// The bucket id of a key (empty if unknown).
  std::string bucket_of(const std::string& key) const;
  const rest_bucket_state* bucket(const std::string& id) const;
  size_t bucket_count() const {
    return buckets_.size();
  }
  /// Keys mapped to a bucket id.
  std::vector<std::string> keys_of(const std::string& id) const;

private:
  struct slot {
    rest_bucket_state state;
    std::set<std::string> keys;
    /// Listed in dirty_: poll() must look at it.
    bool dirty = false;
    /// The wake-up time already in timers_ for it.
    time_point timer{};
  };
  struct key_info {
    std::string bucket;
    std::string major;
    /// Interaction callbacks: one request per key, so the key and its
    /// bucket are dropped as soon as they are idle instead of living 24 h.
    bool one_shot = false;
  };
  struct ticket_info {
    std::string key;
    std::string major;
  };

  /// The key's mapping, recreated (provisional) if it was evicted while a
  /// request of it was in flight.
  key_info& ensure_key(const std::string& key, const std::string& major);
  /// Lists a bucket for the next poll().
  void mark(const std::string& id);
  /// Drops a one-shot key and its bucket once nothing is queued or in flight.
  void drop_if_spent(const std::string& key);

  /// Moves `key` into bucket `target`; returns the effect.
  reply_effect move_key(const std::string& key, const std::string& target);

  rest_bucket_state::options opts_;
  uint64_t next_ticket_ = 1;
  std::unordered_map<std::string, key_info> keys_;
  std::unordered_map<std::string, slot> buckets_;
  /// Every live ticket (queued or in flight) -> the bucket holding it.
  std::unordered_map<uint64_t, std::string> where_;
  /// Buckets to look at in the next poll(), and when waiting ones wake.
  std::vector<std::string> dirty_;
  using timer = std::pair<time_point, std::string>;
  std::priority_queue<timer, std::vector<timer>, std::greater<>> timers_;
  /// Every live ticket -> its key and major parameter.
  std::unordered_map<uint64_t, ticket_info> key_of_ticket_;
};

} // namespace spectacles::actors
