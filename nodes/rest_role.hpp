// The "rest" role of a node: a rest_router (with its bucket actors) that every
// REST call of the cluster goes through, registered with membership as role
// "rest" so workers anywhere find it. Optionally the REST proxy for other
// languages next to it.
//
// The bot token comes from the environment (DISCORD_TOKEN) or from the file
// named by rest.token-file; it is never logged. The API base is rest.url
// (default https://discord.com/api/v10), which the environment variable
// DISCORD_REST_URL overrides (the embedded demo points it at the simulator).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/actor_system.hpp"

#include "net/result.hpp"

namespace spectacles::config {
class node_config;
}

namespace spectacles::actors {
class rest_proxy;
}

namespace spectacles::nodes {

/// Spawns the rest_router and registers it with `membership_agent` as role
/// "rest". Returns the actors to stop on shutdown.
std::vector<caf::actor> start_rest_role(caf::actor_system& sys, const config::node_config& cfg,
                                        const caf::actor& membership_agent);

/// The role `rest-proxy`: serves /api/v10/... on `listen` ("host:port") and
/// forwards through `rest_router` (local or remote). Keep the result alive.
net::result<std::shared_ptr<actors::rest_proxy>>
start_rest_proxy(caf::actor_system& sys, const caf::actor& rest_router, const std::string& listen);

} // namespace spectacles::nodes
