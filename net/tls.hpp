// TLS contexts for every socket of net/ (PROTOCOL.md §1.1: Discord speaks
// TLS 1.2+ only). Client contexts verify the peer against the system CA
// store, or against one CA file (tests and the cluster CA); the per-connection
// parts (SNI and host-name verification) are applied by the clients through
// prepare_client_stream(). Server contexts load a certificate chain and key
// and optionally require client certificates of a given CA (mutual TLS).
//
//   net::tls_client_options opts;
//   opts.ca_file = dir + "/ca.pem";
//   auto ctx = net::make_client_context(opts);
//   if (!ctx) return ctx.error();
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "net/result.hpp"

typedef struct ssl_st SSL;

namespace spectacles::net {

struct tls_client_options {
  /// Empty: the system CA store. Otherwise trust only the CAs in this file.
  std::string ca_file;
  /// Client certificate + key for mutual TLS (both empty: none).
  std::string cert_file;
  std::string key_file;
};

struct tls_server_options {
  std::string cert_file; // PEM chain, leaf first
  std::string key_file;  // PEM private key
  /// Non-empty: require a client certificate signed by a CA in this file.
  std::string client_ca_file;
};

using tls_context = std::shared_ptr<boost::asio::ssl::context>;

result<tls_context> make_client_context(const tls_client_options& opts = {});
result<tls_context> make_server_context(const tls_server_options& opts);

/// Sets SNI (for host names, not IP literals) and makes the handshake fail
/// unless the peer's certificate matches `host` (DNS name or IP address).
status prepare_client_stream(SSL* ssl, const std::string& host);

/// The OpenSSL error queue (or `ec`) as one readable line; clears the queue.
std::string tls_error_text(const boost::system::error_code& ec);

} // namespace spectacles::net
