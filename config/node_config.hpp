// The options of a spectacles node, as one CAF actor_system_config.
//
// Sources, later wins: built-in defaults < INI file (--config-file=F or the
// node's --config F) < command line (--section.key=value). Every option is
// listed, with its default, in config/all-in-one.ini and by --long-help.
#pragma once

#include <string>
#include <vector>

#include "caf/actor_system_config.hpp"

namespace spectacles::config {

class node_config : public caf::actor_system_config {
public:
  node_config();

  // [node]
  std::string node_name;
  std::vector<std::string> roles;
  std::string log_level = "info";

  // [cluster]
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> seeds;
  bool insecure_loopback = false;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;

  // [metrics]
  std::string metrics_listen;

  // [rest] (the bot token comes from DISCORD_TOKEN or rest.token-file, never from here)
  std::string rest_url = "https://discord.com/api/v10"; // env DISCORD_REST_URL wins
  size_t rest_global_limit = 50;
  std::string rest_token_file;
  std::string rest_proxy_listen; // the rest-proxy role's HTTP listener, host:port

  // [router]
  size_t router_max_queued = 10'000;
  size_t router_max_queued_bytes = size_t{ 64 } << 20;
  uint32_t router_max_attempts = 5;
  std::vector<std::string> router_groups;

  // [worker]
  std::string worker_handler = "record";
  std::string worker_group = "default";
  std::vector<std::string> worker_events;
  uint32_t worker_window = 64;
  uint32_t worker_count = 1;
  std::string worker_record_file = "events.jsonl";
  int64_t worker_delay_ms = 0;
  int64_t worker_drain_ms = 5000;

  // [producer] (synthetic events, for tests and demos without a gateway)
  uint32_t producer_shards = 4;
  uint32_t producer_guilds_per_shard = 8;
  uint64_t producer_total = 0;
  uint64_t producer_rate = 1000;
  size_t producer_payload_size = 0;

  // [gateway] (the gateway and coordinator roles)
  uint32_t gateway_shards = 0; // 0 = Discord's recommendation
  std::string gateway_compression = "zstd-stream";
  uint64_t gateway_intents = 37377; // GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT
  int gateway_large_threshold = 50;
  std::string gateway_placement = "balanced";
  uint32_t gateway_reserve_identifies = 10;
  int64_t gateway_identify_window_ms = 5000;
  int64_t gateway_identify_margin_ms = 250;
  int64_t gateway_session_staleness_ms = 1000;
  int64_t gateway_hibernate_after_ms = 10'000;
  int64_t gateway_settle_ms = 2000;
  std::string gateway_tls_ca;

  /// The bot token: DISCORD_TOKEN, else the first line of rest.token-file;
  /// "" when neither is set. Never logged.
  std::string token() const;

  /// DISCORD_REST_URL, else rest.url.
  std::string effective_rest_url() const;

  /// True when cluster links use TLS (any of cluster.tls.* set).
  bool uses_tls() const {
    return !tls_ca.empty() || !tls_cert.empty() || !tls_key.empty();
  }

  /// Checks the cluster security rules after parsing and hands the TLS files
  /// to caf::openssl. Returns an operator-readable error, or "" when fine:
  /// - TLS needs all three of cluster.tls.ca, .cert and .key (mutual verification);
  /// - plain TCP only when cluster.insecure-loopback=true and every address
  ///   (listen and seeds) is on the loopback interface.
  std::string finalize();
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

} // namespace spectacles::config
