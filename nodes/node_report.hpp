// What one node says about itself and its roles: the data behind
// `spectacles-node status` and the Prometheus endpoint. Collected by asking
// the node's membership agent (members, role actors) and each role actor
// (stats), every request with a timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/actor_system.hpp"

#include "actors/gateway_wire.hpp"
#include "actors/router_wire.hpp"
#include "actors/type_ids.hpp"

namespace spectacles::nodes {

struct node_report {
  actors::member self;
  size_t cluster_size = 0; // members this node knows, itself included
  std::vector<actors::member> members;
  std::optional<actors::router_stats> router;
  std::optional<uint64_t> produced;
  std::optional<std::vector<actors::shard_report>> gateway; // shards this node runs
  std::vector<std::string> errors;                          // what could not be asked, and why
};

/// Asks `agent` (a membership actor, local or remote). Blocks the calling
/// thread up to about 2 × `timeout`: call it from main or a dedicated thread.
node_report collect_report(caf::actor_system& sys, const caf::actor& agent,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2));

/// Prometheus text exposition of one node's report.
std::string render_prometheus(const node_report& report);

} // namespace spectacles::nodes
