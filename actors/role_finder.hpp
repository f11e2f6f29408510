// role_finder: finds the actors that serve a role (e.g. "router") anywhere in
// the cluster and keeps local clients told.
//
//   => to each client: (put_atom, actor)       an actor of the role appeared
//   => to each client: (caf::delete_atom, actor)  it is gone (its node died)
//   (put_atom, actor client)                   adds a client; it hears of every
//                                              actor found so far
//
// It subscribes to membership, asks every member that lists the role for its
// actor (get_atom, role) with a timeout, and monitors what it finds.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/stateful_actor.hpp"

namespace spectacles::actors {

struct role_finder_state {
  std::string role;
  caf::actor membership;
  std::vector<caf::actor> clients;
  std::vector<caf::actor> found;
  static inline const char* name = "role_finder";
};

caf::behavior role_finder(caf::stateful_actor<role_finder_state>* self, caf::actor membership,
                          std::string role, std::vector<caf::actor> clients);

} // namespace spectacles::actors
