// The parts of an http(s):// or ws(s):// URL that a client needs to connect.
//
//   wss://gateway.discord.gg/?v=10&encoding=json&compress=zstd-stream
//   -> {scheme "wss", host "gateway.discord.gg", port 443, target "/?v=10&encoding=json&…"}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace spectacles::net {

struct url {
  std::string scheme; // "http", "https", "ws" or "wss" (lower case)
  std::string host;   // without brackets for IPv6 literals
  uint16_t port = 0;  // the scheme's default when absent
  std::string target; // path and query, at least "/"

  bool tls() const {
    return scheme == "https" || scheme == "wss";
  }

  /// "host" or "host:port" when not the default (the Host header).
  std::string host_header() const;

  /// scheme://host:port, the key of a connection pool.
  std::string origin() const;
};

/// errc::invalid_argument with the offending URL in the message.
result<url> parse_url(std::string_view text);

} // namespace spectacles::net
