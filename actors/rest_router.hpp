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
// into one bucket actor named "<hash>:<major>" (the hash alone spans majors):
// the router takes the key's queued jobs from the old bucket, holds new jobs
// of the key meanwhile, and hands both to the new bucket in one message, so
// no request of the key overtakes another (tickets keep arrival order).
//
// Until the first authenticated reply, one authenticated request at a time
// goes out per token: a dead token costs one 401, not one per bucket.
//
// Several REST nodes (spawned with the node's membership agent): the router
// finds the other routers of role "rest" (role_finder) and spreads the work
// by rendezvous hashing (rest_ownership) of the request's *major parameter*
// ("channels/1", "guilds/2", "global", ...): every key of one major, hence
// every key that can share a Discord bucket, has one owner, where its bucket
// actor lives. A request owned by another router is sent on to it once
// (rest_fwd_atom; the owner never forwards again, so views that differ for a
// moment cannot make a loop). The forwarding router keeps the caller's
// promise and monitors the owner: when the owner dies, its forwarded calls
// fail at once with router_down (CAF 0.17 would leave the caller waiting for
// its deadline), and new calls go to the next owner. A delegate would save
// the reply hop but the caller, who monitors only its own router, could not
// tell that the owner died.
//
// The global budget is split evenly: each of N live routers grants
// global_per_second / N per second (rounded down). A smaller share applies
// at once; a larger one (a node died) only after one window + offset, so the
// dead node's last sends have left Discord's window first. Keys that change
// owner start fresh at the new owner (their first reply teaches the limit);
// jobs queued at the old owner finish there.
//
// Protocol (dynamically typed; "->" is the reply):
//   (rest_request)                 -> rest_response | error{rest_errc}
//   (rest_fwd_atom, rest_request)  -> the same, from another router: served here
//   (put_atom, actor) / (delete_atom, actor)  from its role_finder: REST routers
//   (get_atom, rest_stats_atom)    -> rest_stats
//   from bucket actors: (rest_permit_atom, token, authenticated, ticket, probe, rest_window)
//                       -> bool | error, (rest_outcome)   (see rest_bucket.hpp)
//
// The first request of a new key may land in a bucket it shares with keys
// already known; rest_probe_fence keeps such a probe and the known buckets
// of its major parameter from spending one slot twice.
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

/// Spawns a rest_router that works alone (owns every bucket and the whole
/// global budget).
caf::actor spawn_rest_router(caf::actor_system& sys, rest_router_options options);

/// Spawns a rest_router that shares buckets and the global budget with the
/// other REST routers it finds through `membership` (the node's agent).
caf::actor spawn_rest_router(caf::actor_system& sys, rest_router_options options,
                             const caf::actor& membership);

} // namespace spectacles::actors
