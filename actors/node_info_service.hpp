// node_info_service: answers who this node is.
//
//   (get_atom)  -> node_info   name, roles, address, pid and uptime (from the
//                              actor clock, so tests can advance it)
//
// Every node publishes one; membership and `spectacles-node status` read it.
#pragma once

#include "caf/replies_to.hpp"
#include "caf/typed_actor.hpp"
#include "caf/typed_event_based_actor.hpp"

#include "actors/type_ids.hpp"

namespace spectacles::actors {

using node_info_actor = caf::typed_actor<caf::replies_to<get_atom>::with<node_info>>;

struct node_info_state {
  node_info info;
  caf::actor_clock::time_point started;
  static inline const char* name = "node_info_service";
};

node_info_actor::behavior_type
node_info_service(node_info_actor::stateful_pointer<node_info_state> self, node_info info);

} // namespace spectacles::actors
