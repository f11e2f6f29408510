// Starts the roles a node's configuration asks for and wires them through
// membership: a router registers itself; producers and workers find routers
// anywhere in the cluster (actors/role_finder.hpp) and follow them as nodes
// come and go.
#pragma once

#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/actor_system.hpp"

namespace spectacles::config {
class node_config;
}

namespace spectacles::nodes {

/// The roles this build can run; anything else in node.roles is refused.
const std::vector<std::string>& known_roles();

/// Checks node.roles; returns an operator-readable problem or "".
std::string check_roles(const config::node_config& cfg);

/// Spawns the configured roles. `agent` is the node's membership actor.
/// Returns the actors to stop on shutdown.
std::vector<caf::actor> start_roles(caf::actor_system& sys, const config::node_config& cfg,
                                    const caf::actor& agent, const std::string& node_name);

} // namespace spectacles::nodes
