#include "nodes/rest_role.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "caf/atom.hpp"
#include "caf/send.hpp"

#include "actors/membership.hpp"
#include "actors/rest_proxy.hpp"
#include "actors/rest_router.hpp"
#include "config/node_config.hpp"
#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "net/log.hpp"

namespace spectacles::nodes {

namespace {

constexpr const char* component = "rest";

/// The I/O threads of the REST role and the proxy. They live as long as the
/// process: bucket actors and pending HTTP completions hold on to them until
/// the very end of a shutdown, and an io_pool must never be stopped from one
/// of its own threads, which destroying it with the last actor could do. The
/// pointer stays reachable, so LeakSanitizer does not count it.
struct rest_io {
  net::io_pool pool{ 1 };
  std::shared_ptr<net::http_client> http;
};

rest_io& shared_io() {
  static std::once_flag once;
  static rest_io* io = nullptr;
  std::call_once(once, [] {
    io = new rest_io;
    // Up to one request in flight per busy bucket: enough connections that
    // they do not queue in the pool.
    net::http_client_options ho;
    ho.max_connections_per_host = 64;
    auto client = net::http_client::create(io->pool.context(), ho);
    if (client)
      io->http = *client;
    else
      log::error(component, "cannot create the HTTP client: ", client.error().what());
  });
  return *io;
}

} // namespace

std::vector<caf::actor> start_rest_role(caf::actor_system& sys, const config::node_config& cfg,
                                        const caf::actor& membership_agent) {
  actors::rest_router_options opts;
  opts.base_url = cfg.effective_rest_url();
  opts.token = cfg.token();
  if (opts.token.empty())
    log::warn(component, "no bot token (DISCORD_TOKEN or rest.token-file): only calls that bring "
                         "their own Authorization header are authenticated");
  else
    log::add_secret(opts.token);
  opts.global_per_second = cfg.rest_global_limit;
  opts.http = shared_io().http;
  if (!opts.http)
    return {};
  // With the agent, the router finds the other REST nodes and shares
  // buckets and the global budget with them (rest_router.hpp).
  auto router = actors::spawn_rest_router(sys, std::move(opts), membership_agent);
  caf::anon_send(membership_agent, caf::put_atom::value, std::string{ "rest" }, router);
  log::info(component, "REST role up: ", cfg.rest_global_limit,
            " requests/s global budget, split between the live REST nodes");
  return { router };
}

net::result<std::shared_ptr<actors::rest_proxy>>
start_rest_proxy(caf::actor_system& sys, const caf::actor& rest_router, const std::string& listen) {
  actors::rest_proxy_options o;
  std::string host;
  uint16_t port = 0;
  if (!actors::split_host_port(listen, host, port))
    return net::error{ net::errc::invalid_argument,
                       "rest proxy listen address must be host:port, got '" + listen + "'" };
  o.host = host;
  o.port = port;
  return actors::rest_proxy::start(sys, shared_io().pool.context(), rest_router, o);
}

} // namespace spectacles::nodes
