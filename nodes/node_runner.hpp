// Runs one spectacles node: checks the security rules, publishes the node's
// membership agent on cluster.listen (TLS through caf::openssl, or plain TCP
// on loopback when allowed), joins the seeds, starts the configured roles and
// serves until SIGINT/SIGTERM.
#pragma once

namespace spectacles::config {
class node_config;
}

namespace spectacles::nodes {

int run_node(config::node_config& cfg);

} // namespace spectacles::nodes
