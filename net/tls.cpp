#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

namespace spectacles::net {

namespace ssl = boost::asio::ssl;

namespace {

error tls_fail(std::string what, const boost::system::error_code& ec) {
  return error{ errc::tls, what + ": " + tls_error_text(ec) };
}

// TLS 1.2 is Discord's floor (PROTOCOL.md §1.1) and the cluster's too.
status set_floor(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                  | ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1
                  | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
    return error{ errc::tls, "cannot set minimum protocol TLS 1.2: " + tls_error_text({}) };
  return {};
}

status load_cert_and_key(ssl::context& ctx, const std::string& cert, const std::string& key) {
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert, ec);
  if (ec)
    return tls_fail("cannot load certificate chain '" + cert + "'", ec);
  ctx.use_private_key_file(key, ssl::context::pem, ec);
  if (ec)
    return tls_fail("cannot load private key '" + key + "'", ec);
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return error{ errc::tls, "private key '" + key + "' does not match certificate '" + cert
                               + "': " + tls_error_text({}) };
  return {};
}

} // namespace

std::string tls_error_text(const boost::system::error_code& ec) {
  std::string text;
  char buf[256];
  while (auto code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty())
      text += "; ";
    text += buf;
  }
  if (ec) {
    if (!text.empty())
      text += "; ";
    text += ec.message();
  }
  return text.empty() ? "unknown TLS error" : text;
}

result<tls_context> make_client_context(const tls_client_options& opts) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (auto st = set_floor(*ctx); !st)
    return st.error();
  boost::system::error_code ec;
  if (opts.ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(opts.ca_file, ec);
  if (ec)
    return tls_fail(opts.ca_file.empty() ? std::string("cannot load the system CA store")
                                         : "cannot load CA file '" + opts.ca_file + "'",
                    ec);
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec)
    return tls_fail("cannot enable peer verification", ec);
  if (!opts.cert_file.empty() || !opts.key_file.empty()) {
    if (auto st = load_cert_and_key(*ctx, opts.cert_file, opts.key_file); !st)
      return st.error();
  }
  return ctx;
}

result<tls_context> make_server_context(const tls_server_options& opts) {
  if (opts.cert_file.empty() || opts.key_file.empty())
    return error{ errc::invalid_argument, "a TLS server needs both a certificate and a key file" };
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  if (auto st = set_floor(*ctx); !st)
    return st.error();
  if (auto st = load_cert_and_key(*ctx, opts.cert_file, opts.key_file); !st)
    return st.error();
  if (!opts.client_ca_file.empty()) {
    boost::system::error_code ec;
    ctx->load_verify_file(opts.client_ca_file, ec);
    if (ec)
      return tls_fail("cannot load client CA file '" + opts.client_ca_file + "'", ec);
    auto* names = SSL_load_client_CA_file(opts.client_ca_file.c_str());
    if (names == nullptr)
      return error{ errc::tls,
                    "no CA certificate in '" + opts.client_ca_file + "': " + tls_error_text({}) };
    SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec)
      return tls_fail("cannot require client certificates", ec);
  }
  return ctx;
}

status prepare_client_stream(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  auto* param = SSL_get0_param(ssl);
  if (!ec) {
    // An IP literal: no SNI (RFC 6066 §3 forbids it), match an IP SAN.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
      return error{ errc::tls, "cannot verify against IP address '" + host + "'" };
    return {};
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
    return error{ errc::tls, "cannot set SNI host name '" + host + "': " + tls_error_text({}) };
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1)
    return error{ errc::tls, "cannot verify against host name '" + host + "'" };
  return {};
}

} // namespace spectacles::net
