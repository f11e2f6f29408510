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
