// gateway_host: the gateway role of a node. It runs the shards the
// coordinator assigns to this node (an equivalent of CAF's remote_spawn that
// keeps the shard's options local: the token never travels between nodes),
// tells them where the router and the coordinator are, and stops them for a
// move.
//
//   (shard_assignment)                 -> ok_atom     start (or keep) shard a.shard of a.total;
//                                                     the sender becomes the coordinator
//   (caf::close_atom, uint32 shard, bool keep_session)
//                                      -> session_snapshot   stop it; with keep_session the
//                                                     session stays resumable and is returned
//   (get_atom, shards_atom)            -> std::vector<shard_report>
//   (put_atom, coord_atom, actor)      a new coordinator took over (told to every shard)
//   from role_finder("router"): (put_atom, actor), (caf::delete_atom, actor)
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/shard.hpp"

namespace spectacles::actors {

struct gateway_host_options {
  /// Every shard's options; shard id, count and URL come from the assignment.
  shard_actor_options shard;
  caf::timespan request_timeout = std::chrono::seconds(5);
};

struct gateway_host_state {
  gateway_host_options options;
  std::map<uint32_t, caf::actor> shards;
  caf::actor router;               // the one the shards use
  std::vector<caf::actor> routers; // every router found, in order
  caf::actor coordinator;
  static inline const char* name = "gateway_host";
};

caf::behavior gateway_host(caf::stateful_actor<gateway_host_state>* self,
                           gateway_host_options options);

} // namespace spectacles::actors
