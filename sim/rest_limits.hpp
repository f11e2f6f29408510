// rest_limits: Discord's REST rate-limit model (PROTOCOL.md §2.5–§2.9), as plain
// logic with an injected `now`.
//
// Every request is classified into a route ("POST /channels/:id/messages") and a
// major parameter (channel, guild, webhook id + token). A route maps to a bucket
// hash; routes configured with the same hash share one limit, and each major
// value gets its own copy of that bucket. On top sits a per-token global limit
// (50/s by default) that interaction callbacks and follow-ups skip. A 429 looks
// like Discord's:
//
//   HTTP/1.1 429  X-RateLimit-Scope: user  Retry-After: 1
//   {"message": "You are being rate limited.", "retry_after": 0.742, "global": false}
//
// The invalid-request counter keeps 401/403/429 (not shared-scope 429s) of the
// last 10 minutes (PROTOCOL.md §2.8).
#pragma once

#include "sim/clock.hpp"

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace spectacles::sim {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct route_key {
  std::string method;
  std::string route; ///< path with ids replaced: "/channels/:id/messages/:id"
  std::string major; ///< "channel:123", "guild:9", "webhook:7/tok" or empty
  /// Interaction callback or follow-up: exempt from the global limit (§2.7).
  bool interaction = false;
  /// DELETE of a message older than 14 days: its own bucket (§2.9).
  bool old_message = false;

  std::string name() const {
    return method + " " + route;
  }

  /// The name its rate limit is configured under.
  std::string limit_name() const {
    return old_message ? name() + " (old)" : name();
  }
};

/// Splits a request path (after "/api/v10", no query) into route and major
/// parameter the way Discord keys its buckets. Follow-up webhooks are those
/// whose id is `application_id`.
route_key classify_route(std::string_view method, std::string_view path,
                         std::string_view application_id = {});

struct bucket_limit {
  std::string hash; ///< X-RateLimit-Bucket; routes with the same hash share a limit
  unsigned limit = 5;
  milliseconds window{ 5000 };
};

struct rest_limits_options {
  bool enabled = true; ///< false lifts every limit (benchmarks)
  unsigned global_per_second = 50;
  bucket_limit default_limit{ {}, 5, milliseconds{ 5000 } };
  /// "METHOD /route" -> limit; an empty hash is derived from the route name.
  std::map<std::string, bucket_limit> routes;
};

/// Discord-like defaults: message create 5/5 s per channel, reaction routes
/// sharing one 1/0.25 s bucket, member routes sharing one bucket, etc.
rest_limits_options default_rest_limits();

struct limit_decision {
  bool allowed = true;
  std::string bucket; ///< bucket hash
  std::string scope;  ///< on 429: "user", "global" or "shared"
  double retry_after = 0;
  header_list headers; ///< X-RateLimit-* (+ Retry-After, Scope, Global on 429)
  std::string body;    ///< the 429 JSON body when !allowed
};

/// The JSON body and headers of a 429 (used by faults too).
std::string rate_limited_body(double retry_after, bool global);

class rest_limits {
public:
  explicit rest_limits(rest_limits_options options = default_rest_limits());

  /// Counts the request against the global and the route bucket.
  limit_decision check(std::string_view token, const route_key& key, time_point now);

  /// Feeds the invalid-request counter with a response status (§2.8).
  void record_status(unsigned status, std::string_view scope, time_point now);

  /// 401/403/429 (without shared 429s) in the 10 minutes before `now`.
  size_t invalid_requests(time_point now);
  /// Highest count seen in any 10-minute window so far.
  size_t peak_invalid_requests() const {
    return peak_invalid_;
  }

  /// The bucket hash a route uses (configured or derived).
  std::string bucket_hash(const route_key& key) const;

  const rest_limits_options& options() const {
    return options_;
  }
  void set_global_per_second(unsigned n) {
    options_.global_per_second = n;
  }

private:
  struct bucket_state {
    unsigned limit = 0;
    unsigned remaining = 0;
    time_point reset_at;
  };

  const bucket_limit& limit_for(const route_key& key) const;

  rest_limits_options options_;
  std::unordered_map<std::string, bucket_state> buckets_;          // hash + ":" + major
  std::unordered_map<std::string, std::deque<time_point>> global_; // token -> last second
  std::deque<time_point> invalid_;
  size_t peak_invalid_ = 0;
};

} // namespace spectacles::sim
