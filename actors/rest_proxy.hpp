// rest_proxy: an HTTP server that speaks Discord's REST API at /api/v10/...
// for clients in any language (curl, @discordjs/rest with its `api` option
// pointed here). Each request, with the client's own Authorization header,
// goes through the cluster's rest_router, so it is rate limited together with
// everything else the bot sends; the reply is Discord's, as Discord sent it.
//
//   curl -H "Authorization: Bot $TOKEN" http://127.0.0.1:8089/api/v10/users/@me
//
// Errors the cluster gives instead of a Discord reply come back as Discord-
// shaped JSON ({"message": "...", "code": 0}) with a status that says what
// happened: 400 malformed request, 401 token marked invalid, 429 invalid-request
// guard (with Retry-After), 502 transport failure, 503 REST role down, 504
// deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "net/result.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace caf {
class actor;
class actor_system;
} // namespace caf

namespace spectacles::actors {

struct rest_proxy_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0; // 0 = any
  /// Deadline of each proxied call.
  std::chrono::milliseconds timeout{ 15000 };
  /// A request without an Authorization header goes out with the bot's
  /// token. Off by default: anyone who can reach the proxy would act as the
  /// bot; such a request goes out with no token, as Discord would see it.
  bool lend_bot_token = false;
};

class rest_proxy {
public:
  /// Listens on `ioc` (its I/O threads must outlive the proxy) and forwards
  /// to `router`.
  static net::result<std::shared_ptr<rest_proxy>>
  start(caf::actor_system& sys, boost::asio::io_context& ioc, const caf::actor& router,
        rest_proxy_options options = {});
  ~rest_proxy();

  uint16_t port() const;
  /// Stops listening and the forwarding actor. Idempotent.
  void stop();

  struct impl;
  explicit rest_proxy(std::unique_ptr<impl> i);

private:
  std::unique_ptr<impl> impl_;
};

} // namespace spectacles::actors
