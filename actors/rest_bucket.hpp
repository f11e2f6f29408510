// rest_bucket: one actor per rate-limit bucket of the REST role (PROTOCOL.md
// §2.5-§2.9). It starts as the bucket of one rate-limit key; keys that
// Discord's X-RateLimit-Bucket reveals to share a limit are moved into one
// bucket actor by the rest_router. The arithmetic is rest_bucket_state's
// (FIFO by ticket, preemptive wait while remaining is 0, 429 pauses), the
// retry rules are rest_retry's; this actor owns timers, HTTP and messages.
//
// Protocol (dynamically typed; "->" is the reply, "=>" a message it sends):
//
//   from the router
//     (rest_job)                          queue it; => (rest_outcome) to the router after
//                                         every attempt, `final` on the last one
//     (rest_take_atom, string key)        -> vector<rest_job>  the key's queued jobs leave
//     (rest_absorb_atom, vector<rest_job>, vector<rest_header> observed)
//                                         jobs moved in (merged by ticket); `observed` are
//                                         the rate-limit headers of the reply that caused
//                                         the move (the stricter count wins)
//     (rest_learned_atom, string key, string hash)
//                                         answer to an outcome with a new bucket hash;
//                                         nothing starts in between (a merge must not race
//                                         a send); an empty hash: the key moved away
//     (rest_cancel_atom, uint64 ticket)   the caller gave up (deadline): drop or ignore it
//     (rest_retire_atom)                  no key maps here any more: quit once idle
//   to the router
//     (rest_permit_atom, string token, bool authenticated, uint64 ticket, bool probe,
//      rest_window)                       -> bool | error
//                                         one permit of the token's global budget per
//                                         non-exempt request, asked when it is next to go;
//                                         false: the probe fence held it, look at the
//                                         window again and ask anew
//   from the I/O thread (net::http_client completion, posted as a message)
//     (rest_http_atom, uint64 ticket, rest_response)
//     (rest_http_atom, uint64 ticket, uint8 net_errc, string what)
//
// HTTP runs on the http_client's io_pool, never on a CAF scheduler thread.
#pragma once

#include <chrono>
#include <memory>

#include "actors/rest_bucket_state.hpp"
#include "actors/rest_retry.hpp"

namespace caf {
class actor;
class local_actor;
} // namespace caf

namespace spectacles::net {
class http_client;
} // namespace spectacles::net

namespace spectacles::actors {

struct rest_bucket_options {
  rest_bucket_state::options bucket;
  rest_retry::options retry;
  /// Longest wait for a global permit or a router answer.
  std::chrono::milliseconds router_timeout{ 30000 };
};

/// Spawns a bucket actor linked to `router` (it dies with it).
caf::actor spawn_rest_bucket(caf::local_actor* router, std::shared_ptr<net::http_client> http,
                             rest_bucket_options options);

} // namespace spectacles::actors
