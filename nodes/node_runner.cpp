#include "nodes/node_runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "caf/actor_system.hpp"
#include "caf/io/middleman.hpp"
#include "caf/openssl/manager.hpp"
#include "caf/openssl/publish.hpp"

#include "actors/membership.hpp"
#include "config/node_config.hpp"
#include "net/log.hpp"
#include "nodes/openssl_error_queue.hpp"
#include "nodes/roles.hpp"

namespace spectacles::nodes {

namespace {

constexpr std::string_view component = "node";

std::string default_name(const std::string& host) {
  return host + ":" + std::to_string(::getpid());
}

} // namespace

int run_node(config::node_config& cfg) {
  std::string host;
  uint16_t port = 0;
  if (!actors::split_host_port(cfg.listen, host, port)) {
    log::error(component, "cluster.listen: expected host:port, got \"", cfg.listen, "\"");
    return 2;
  }
  // Signals go to sigwait below, not to CAF's threads (they inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto tls = cfg.uses_tls();
  if (tls && !openssl_error_queue_guard_active())
    log::warn(component, "OpenSSL error-queue guard missing: a failed TLS handshake may drop "
                         "healthy cluster links");
  caf::actor_system sys{ cfg };
  auto mm = tls ? sys.openssl_manager().actor_handle() : sys.middleman().actor_handle();
  auto name = cfg.node_name.empty() ? default_name(host) : cfg.node_name;
  actors::membership_settings settings;
  settings.seeds = cfg.seeds;
  settings.middleman = mm;
  auto agent
    = sys.spawn(actors::membership, actors::node_info{ name, cfg.roles, "", 0, 0 }, settings);
  auto bound = tls ? caf::openssl::publish(agent, port, host.c_str(), true)
                   : sys.middleman().publish(agent, port, host.c_str(), true);
  if (!bound) {
    log::error(component, "cannot listen on ", cfg.listen, ": ", sys.render(bound.error()));
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    return 1;
  }
  auto address = host + ":" + std::to_string(*bound);
  caf::anon_send(agent, actors::put_atom::value, address);
  log::info(component, "node ", name, " listening on ", address,
            tls ? " (mutual TLS)" : " (plain TCP, loopback)");
  // One line on stdout for scripts and tests that start nodes on port 0.
  std::cout << "{\"node\":\"" << name << "\",\"cluster\":\"" << address
            << "\",\"pid\":" << ::getpid() << "}" << std::endl;

  auto role_actors = start_roles(sys, cfg, agent, name);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info(component, "node ", name, " stopping on signal ", sig);
  for (auto& a : role_actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace spectacles::nodes
