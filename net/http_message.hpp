// Plain HTTP request and response values shared by http_server and
// http_client: no Beast types, so the sim, actors and tests use them freely.
//
//   POST /api/v10/channels/1/messages HTTP/1.1
//   Authorization: Bot …
//   Content-Type: application/json
//
//   {"content":"hi"}
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spectacles::net {

using http_headers = std::vector<std::pair<std::string, std::string>>;

/// The first value of header `name` (case-insensitive); empty if absent.
std::string_view find_header(const http_headers& headers, std::string_view name);

struct http_request {
  std::string method; // "GET", "POST", ...
  std::string target; // "/api/v10/channels/1/messages?limit=5"
  http_headers headers;
  std::string body;
  std::string remote; // "127.0.0.1:54321" (server side); empty on the client side

  std::string_view header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct http_response {
  unsigned status = 200;
  http_headers headers;
  std::string body;
  /// Server side: close the connection instead of answering (a connection
  /// reset, as a client sees it; the simulator's rest_reset fault).
  bool drop = false;

  std::string_view header(std::string_view name) const {
    return find_header(headers, name);
  }
};

} // namespace spectacles::net
