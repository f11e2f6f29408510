// A two-process CAF cluster on loopback: this process publishes its
// node_info_service, starts a second spectacles-node process that connects
// to it, asks who it is and measures request/response round trips, then both
// shut down. It is what `spectacles-node` runs with no arguments until the
// embedded demo (sim + gateway + router + workers) replaces it.
#pragma once

#include <string>

namespace spectacles::config {
class node_config;
}

namespace spectacles::nodes {

/// The publishing side. `self_exe` is the path used to start the peer.
int run_pair_demo(config::node_config& cfg, const std::string& self_exe);

/// The connecting side, started by run_pair_demo as `spectacles-node pair-peer`.
int run_pair_peer(config::node_config& cfg, const std::string& host, uint16_t port);

} // namespace spectacles::nodes
