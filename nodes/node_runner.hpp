// Runs one spectacles node: checks the security rules, publishes the node's
// membership agent on cluster.listen (TLS through caf::openssl, or plain TCP
// on loopback when allowed), joins the seeds, starts the configured roles and
// serves until SIGINT/SIGTERM.
#pragma once

namespace spectacles::config {
class node_config;
}

#include <vector>

#include "nodes/roles.hpp"

namespace spectacles::nodes {

/// `workers`: handlers of a bot binary, run besides the configured roles.
int run_node(config::node_config& cfg, std::vector<worker_def> workers = {});

} // namespace spectacles::nodes
