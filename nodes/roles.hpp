// Starts the roles a node's configuration asks for and wires them through
// membership: a router registers itself; producers and workers find routers
// anywhere in the cluster (actors/role_finder.hpp) and follow them as nodes
// come and go.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/actor_system.hpp"

#include "actors/worker.hpp"
#include "net/result.hpp"

namespace spectacles::config {
class node_config;
}

namespace spectacles::net {
class io_pool;
}

namespace spectacles::nodes {

/// One kind of worker a node runs: its options, how many, and a factory for
/// its handlers (called for every worker started, again whenever the workers
/// restart against a new router).
struct worker_def {
  actors::worker_options options;
  uint32_t count = 1;
  std::function<net::result<actors::event_handlers>(const std::string& worker_name)> handlers;
};

/// The roles this build can run; anything else in node.roles is refused.
const std::vector<std::string>& known_roles();

/// Checks node.roles; returns an operator-readable problem or "".
std::string check_roles(const config::node_config& cfg);

/// What start_roles() spawned.
struct started_roles {
  std::vector<caf::actor> actors; // every role actor, stopped by stop_roles()
  caf::actor workers;             // the worker pool, if the node runs workers
};

/// Spawns the configured roles. `agent` is the node's membership actor.
/// `workers` are run besides what node.roles asks for (a bot binary's own handlers).
/// `io` runs the sockets of the gateway and coordinator roles (required for
/// them); it must outlive the actor system.
started_roles start_roles(caf::actor_system& sys, const config::node_config& cfg,
                          const caf::actor& agent, const std::string& node_name,
                          std::vector<worker_def> workers = {}, net::io_pool* io = nullptr);

/// Stops the roles: first the workers drain (each handles and acks the
/// deliveries it holds and leaves its group, for up to `drain`), so a
/// stopped worker node causes no duplicate handling; then every role actor
/// gets an exit.
void stop_roles(caf::actor_system& sys, const started_roles& roles,
                std::chrono::milliseconds drain);

/// True when node.roles asks for a role that needs an I/O pool.
bool needs_io(const config::node_config& cfg);

} // namespace spectacles::nodes
