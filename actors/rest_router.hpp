// rest_router: the entry of the "rest" role. Every REST call of the cluster
// comes here as a rest_request; the router computes its rate-limit key
// (rest_route), hands it to the bucket actor of that key (rest_bucket,
// spawned on first use), and answers the caller when the bucket reports the
// final outcome. Per bot token it holds the global budget (rest_global_limit,
// default 50/s, interaction callbacks exempt) and the invalid-request guard
// (rest_invalid_guard: after a 401 every call fails at once; near 10,000
// invalid requests per 10 minutes calls are refused).
//
// Keys that Discord's X-RateLimit-Bucket reveals to share one limit are merged
// into one bucket actor ("<hash>:<major>", as rest_bucket_map names them):
// the router takes the key's queued jobs from the old bucket, holds new jobs
// of the key meanwhile, and hands both to the new bucket in one message, so
// no request of the key overtakes another (tickets keep arrival order).
//
// Until the first authenticated reply, one authenticated request at a time
// goes out per token: a dead token costs one 401, not one per bucket.
//
// Protocol (dynamically typed; "->" is the reply):
//   (rest_request)                 -> rest_response | error{rest_errc}
//   (get_atom, rest_stats_atom)    -> rest_stats
//   from bucket actors: (rest_permit_atom, token, authenticated) -> ok_atom | error,
//                       (rest_outcome)   (see rest_bucket.hpp)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/rest_bucket.hpp"
#include "actors/rest_invalid_guard.hpp"

namespace caf {
class actor;
class actor_system;
} // namespace caf

namespace spectacles::actors {

struct rest_router_options {
  /// API base, no trailing slash: "https://discord.com/api/v10" (the sim's rest_url()).
  std::string base_url = "https://discord.com/api/v10";
  /// The bot token (without "Bot "); empty: only requests bringing their own
  /// Authorization header are authenticated. Never logged.
  std::string token;
  /// Global requests per second per token (PROTOCOL.md §2.7).
  size_t global_per_second = 50;
  /// The bot's application id when known (recognises interaction follow-ups).
  uint64_t application_id = 0;
  /// Required: the HTTP client (its io_pool must outlive the router).
  std::shared_ptr<net::http_client> http;
  rest_bucket_options bucket;
  rest_invalid_guard::options guard;
  /// A call without its own timeout_ms gets this one (discord.js: 15 s).
  std::chrono::milliseconds default_timeout{ 15000 };
  /// How often expired calls are looked for while calls are pending.
  std::chrono::milliseconds sweep_interval{ 50 };
};

/// Spawns a rest_router.
caf::actor spawn_rest_router(caf::actor_system& sys, rest_router_options options);

} // namespace spectacles::actors
