// A certificate authority and leaf certificates for tests, the simulator and
// the cluster's mutual TLS (`spectacles-node make-certs DIR`), made with the
// OpenSSL C API (EC P-256 keys, X509v3 extensions).
//
//   DIR/ca.pem, DIR/ca.key            make_ca(DIR)
//   DIR/node1.pem, DIR/node1.key      make_leaf(DIR, "node1", {"DNS:localhost", "IP:127.0.0.1"})
//
// Leaves carry extendedKeyUsage serverAuth + clientAuth, so one file pair
// serves a node both as a TLS server and as a TLS client. Keys are written
// with mode 0600.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace spectacles::net {

struct cert_paths {
  std::string cert; // PEM certificate
  std::string key;  // PEM private key (0600)
};

/// Writes a self-signed CA (dir/ca.pem, dir/ca.key), creating `dir` if needed.
result<cert_paths> make_ca(const std::string& dir, std::string_view common_name = "spectacles CA",
                           int days = 3650);

/// Writes dir/<name>.pem and dir/<name>.key signed by dir/ca.pem + dir/ca.key.
/// `sans` are "DNS:<name>" or "IP:<address>" entries; the first DNS entry (or
/// `name`) becomes the common name.
result<cert_paths> make_leaf(const std::string& dir, std::string_view name,
                             const std::vector<std::string>& sans, int days = 825);

} // namespace spectacles::net
