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
    .add(seeds, "seeds", "host:port of nodes to join through")
    .add(insecure_loopback, "insecure-loopback",
         "allow plain TCP between nodes when every address is loopback");
  opt_group{ custom_options_, "cluster.tls" }
    .add(tls_ca, "ca", "PEM file of the cluster CA; peers must present a certificate it signed")
    .add(tls_cert, "cert", "PEM certificate of this node, signed by the cluster CA")
    .add(tls_key, "key", "PEM private key of this node");
  opt_group{ custom_options_, "metrics" }.add(metrics_listen, "listen",
                                              "host:port for Prometheus text (empty = off)");
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

namespace {

std::string host_of(const std::string& address) {
  auto colon = address.rfind(':');
  auto host = colon == std::string::npos ? address : address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host;
}

} // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string node_config::finalize() {
  if (uses_tls()) {
    if (tls_ca.empty() || tls_cert.empty() || tls_key.empty())
      return "cluster.tls needs all of ca, cert and key (mutual TLS between nodes); "
             "`spectacles-node make-certs DIR` creates a set";
    openssl_cafile = tls_ca;
    openssl_certificate = tls_cert;
    openssl_key = tls_key;
    return {};
  }
  std::vector<std::string> addresses = seeds;
  addresses.push_back(listen);
  for (auto& address : addresses) {
    if (!is_loopback_host(host_of(address)))
      return "cluster address " + address
             + " is not loopback: links between machines must use TLS "
               "(set cluster.tls.ca, .cert and .key)";
  }
  if (!insecure_loopback)
    return "no cluster TLS configured: set cluster.tls.ca, .cert and .key, or "
           "cluster.insecure-loopback=true for a single-machine cluster on 127.0.0.1";
  return {};
}

} // namespace spectacles::config
