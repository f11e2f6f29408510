#include "config/node_config.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "caf/config_option_adder.hpp"

#include "actors/register_types.hpp"
#include "net/log.hpp"

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
  opt_group{ custom_options_, "router" }
    .add(router_max_queued, "max-queued",
         "events buffered per group with no free worker before the oldest are shed")
    .add(router_max_queued_bytes, "max-queued-bytes", "bytes buffered per group, likewise")
    .add(router_max_attempts, "max-attempts",
         "deliveries of one event before it is dead-lettered (poison events)")
    .add(router_groups, "groups",
         "groups that buffer every event from the start, before their first worker joins");
  opt_group{ custom_options_, "worker" }
    .add(worker_handler, "handler", "built-in handler of this node's workers: record or ping")
    .add(worker_group, "group", "group name; the workers of a group share its events")
    .add(worker_events, "events", "event names to receive (empty = all)")
    .add(worker_window, "window", "deliveries in flight per worker")
    .add(worker_count, "count", "workers on this node")
    .add(worker_record_file, "record-file", "worker.handler=record appends JSON lines here")
    .add(worker_delay_ms, "delay-ms", "make every handler call this much slower (tests, demos)")
    .add(worker_drain_ms, "drain-ms",
         "on shutdown, how long workers may take to handle and ack what they hold (0 = no drain)");
  opt_group{ custom_options_, "gateway" }
    .add(gateway_shards, "shards", "total shards (0 = Discord's recommendation from /gateway/bot)")
    .add(gateway_compression, "compression", "zstd-stream, zlib-stream or none")
    .add(gateway_intents, "intents", "gateway intents bit set")
    .add(gateway_large_threshold, "large-threshold", "members before a guild counts as large")
    .add(gateway_placement, "placement", "balanced (round robin) or consecutive (ranges)")
    .add(gateway_reserve_identifies, "reserve-identifies",
         "daily session starts never spent (1000 spent resets the token)")
    .add(gateway_identify_window_ms, "identify-window-ms",
         "identify rate-limit window; Discord's is 5000 (tests match a simulator's)")
    .add(gateway_identify_margin_ms, "identify-margin-ms",
         "extra spacing per identify bucket for the permit to reach its shard")
    .add(gateway_session_staleness_ms, "session-staleness-ms",
         "how old the session store's copy of a shard's seq may get")
    .add(gateway_hibernate_after_ms, "hibernate-after-ms",
         "an idle zlib-stream shard (a message after this much silence) frees its inflater "
         "until the next message (0 = never)")
    .add(gateway_settle_ms, "settle-ms", "wait this long for gateway nodes before placing shards")
    .add(gateway_tls_ca, "tls-ca", "trust only this CA file for wss:// and https:// (tests)");
  opt_group{ custom_options_, "producer" }
    .add(producer_shards, "shards", "synthetic producer: shards to number events for")
    .add(producer_guilds_per_shard, "guilds-per-shard", "synthetic producer: guilds per shard")
    .add(producer_total, "total", "synthetic producer: events to send (0 = until stopped)")
    .add(producer_rate, "rate", "synthetic producer: events per second")
    .add(producer_payload_size, "payload-size", "synthetic producer: pad payloads to N bytes");
  opt_group{ custom_options_, "metrics" }.add(metrics_listen, "listen",
                                              "host:port for Prometheus text (empty = off)");
  opt_group{ custom_options_, "rest" }
    .add(rest_url, "url", "Discord REST API base (env DISCORD_REST_URL overrides)")
    .add(rest_global_limit, "global-limit", "REST requests per second per bot token, cluster-wide")
    .add(rest_token_file, "token-file", "file holding the bot token when DISCORD_TOKEN is unset")
    .add(rest_proxy_listen, "proxy-listen",
         "host:port where the rest-proxy role serves Discord's REST API (/api/v10/...)");
  // Failure detection is off by default in CAF 0.17 (CAF-0.17.md §4): a frozen
  // peer would never be noticed. 250 ms heartbeats with a 1.5 s timeout detect
  // a frozen node within 2 s; a killed one is noticed at once by its socket.
  set("middleman.heartbeat-interval", caf::timespan{ std::chrono::milliseconds(250) });
  set("middleman.connection-timeout", caf::timespan{ std::chrono::milliseconds(1500) });
  // The sharing scheduler halves remote round-trip latency and idles at 0% CPU
  // on small machines (CAF-0.17.md §6).
  set("scheduler.policy", caf::atom("sharing"));
  // CAF starts max(cores, 4) workers. On a small machine the extra ones only
  // add wake-ups and migrations: one worker per core halved the latency a REST
  // call adds (bench_rest, 2 cores: ~140 -> ~70 us at one call in flight).
  set("scheduler.max-threads", size_t{ std::max(1u, std::thread::hardware_concurrency()) });
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

namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) {
    return !std::isspace(c);
  };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

} // namespace

std::string node_config::token() const {
  if (const char* env = std::getenv("DISCORD_TOKEN"); env != nullptr && *env != '\0')
    return trim(env);
  if (rest_token_file.empty())
    return {};
  std::ifstream in{ rest_token_file };
  std::string line;
  if (!in || !std::getline(in, line)) {
    log::error("config", "cannot read the token file ", rest_token_file);
    return {};
  }
  return trim(line);
}

std::string node_config::effective_rest_url() const {
  if (const char* env = std::getenv("DISCORD_REST_URL"); env != nullptr && *env != '\0')
    return env;
  return rest_url;
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
