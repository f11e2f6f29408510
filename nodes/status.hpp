// `spectacles-node status --node host:port [--watch]`: one table of the
// cluster as the given node sees it — nodes (roles, uptime, address),
// producers, router groups and workers (in flight, delivered, acked,
// redelivered, lag), shards (last seq, commit point), buffers and shed
// counters. --watch refreshes every 2 s and adds rates.
#pragma once

#include <string>

namespace spectacles::config {
class node_config;
}

namespace spectacles::nodes {

int run_status(config::node_config& cfg, const std::string& address, bool watch);

} // namespace spectacles::nodes
