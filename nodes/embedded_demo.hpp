// The embedded demo: `spectacles-node` with no token and no config. One
// process runs the Discord simulator, a coordinator, a gateway with 4 shards,
// the REST role, an event router, a recording worker and a ping worker that
// answers "!ping" with "pong" through REST, and prints a live status line
// (shards ready, events/s, deliveries, acks, pongs, 429s). `--duration S` stops it after
// S seconds with a summary; the exit code says whether the sim saw the
// library break a rule.
#pragma once

namespace spectacles::config {
class node_config;
}

namespace spectacles::nodes {

/// duration_s <= 0: until SIGINT/SIGTERM.
int run_embedded_demo(config::node_config& cfg, double duration_s);

} // namespace spectacles::nodes
