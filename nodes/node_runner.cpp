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
#include "net/http_server.hpp"
#include "net/io_pool.hpp"
#include "net/log.hpp"
#include "nodes/node_report.hpp"
#include "nodes/openssl_error_queue.hpp"
#include "nodes/roles.hpp"

namespace spectacles::nodes {

namespace {

constexpr std::string_view component = "node";

std::string default_name(const std::string& host) {
  return host + ":" + std::to_string(::getpid());
}

} // namespace

int run_node(config::node_config& cfg, std::vector<worker_def> workers) {
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
  // Declared before the actor system so it outlives every actor using it.
  std::unique_ptr<net::io_pool> role_io;
  if (needs_io(cfg))
    role_io = std::make_unique<net::io_pool>(2);
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

  auto role_actors = start_roles(sys, cfg, agent, name, std::move(workers), role_io.get());

  // Prometheus text on metrics.listen, served from its own I/O thread: a
  // scrape blocks that thread (up to a few seconds) while it asks the actors.
  std::unique_ptr<net::io_pool> metrics_io;
  std::shared_ptr<net::http_server> metrics;
  if (!cfg.metrics_listen.empty()) {
    std::string mhost;
    uint16_t mport = 0;
    if (!actors::split_host_port(cfg.metrics_listen, mhost, mport)) {
      log::error(component, "metrics.listen: expected host:port, got \"", cfg.metrics_listen, "\"");
    } else {
      metrics_io = std::make_unique<net::io_pool>(1);
      net::http_server_options opts;
      opts.host = mhost;
      opts.port = mport;
      auto handler = [&sys, agent](net::http_request&& req, net::http_responder respond) {
        net::http_response res;
        if (req.method != "GET" || (req.target != "/metrics" && req.target != "/")) {
          res.status = 404;
          res.body = "metrics are at GET /metrics\n";
        } else {
          res.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
          res.body = render_prometheus(collect_report(sys, agent));
        }
        respond(std::move(res));
      };
      auto started = net::http_server::start(metrics_io->context(), opts, handler);
      if (!started)
        log::error(component, "cannot serve metrics on ", cfg.metrics_listen, ": ",
                   started.error().what());
      else {
        metrics = *started;
        log::info(component, "metrics at http://", mhost, ":", metrics->port(), "/metrics");
      }
    }
  }

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info(component, "node ", name, " stopping on signal ", sig);
  if (metrics)
    metrics->stop();
  metrics_io.reset();
  stop_roles(sys, role_actors, std::chrono::milliseconds(cfg.worker_drain_ms));
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace spectacles::nodes
