#include "config/node_config.hpp"

#include <chrono>

#include "caf/config_option_adder.hpp"

#include "actors/register_types.hpp"

namespace spectacles::config {

node_config::node_config() {
  actors::register_types(*this);
  opt_group{ custom_options_, "node" }
      .add(node_name, "name", "name of this node in status and logs (default: host:pid)")
      .add(roles, "roles", "roles of this node: coordinator, gateway, rest, router, worker")
      .add(log_level, "log-level", "trace, debug, info, warn, error or off");
  opt_group{ custom_options_, "cluster" }
      .add(listen, "listen", "host:port of this node's cluster listener (port 0 = any)")
      .add(seeds, "seeds", "host:port of nodes to join through");
  // Failure detection is off by default in CAF 0.17 (CAF-0.17.md §4): a frozen
  // peer would never be noticed. 250 ms heartbeats with a 1.5 s timeout detect
  // a frozen node within 2 s; a killed one is noticed at once by its socket.
  set("middleman.heartbeat-interval", caf::timespan{ std::chrono::milliseconds(250) });
  set("middleman.connection-timeout", caf::timespan{ std::chrono::milliseconds(1500) });
  // The sharing scheduler halves remote round-trip latency and idles at 0% CPU
  // on small machines (CAF-0.17.md §6).
  set("scheduler.policy", caf::atom("sharing"));
  set("middleman.workers", size_t{ 0 });
}

} // namespace spectacles::config
