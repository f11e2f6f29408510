#include "nodes/pair_demo.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include "caf/actor_system.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/node_info_service.hpp"
#include "config/node_config.hpp"
#include "net/log.hpp"

namespace spectacles::nodes {

namespace {

constexpr auto request_timeout = std::chrono::seconds(5);
constexpr int round_trips = 200;

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x;
  return out;
}

} // namespace

int run_pair_demo(config::node_config& cfg, const std::string& self_exe) {
  caf::actor_system sys{ cfg };
  auto info = actors::node_info{ "demo-a", { "coordinator", "router" }, "", 0, 0 };
  auto svc = sys.spawn(actors::node_info_service, info);
  auto port = sys.middleman().publish(svc, 0, "127.0.0.1", true);
  if (!port) {
    std::cerr << "cannot publish on 127.0.0.1: " << sys.render(port.error()) << '\n';
    caf::anon_send_exit(svc, caf::exit_reason::user_shutdown);
    return 1;
  }
  std::cout << "[node A pid " << ::getpid()
            << "] published node_info_service on 127.0.0.1:" << *port << '\n'
            << std::flush;
  auto child = ::fork();
  if (child == 0) {
    auto port_str = std::to_string(*port);
    ::execl(self_exe.c_str(), self_exe.c_str(), "pair-peer", "127.0.0.1", port_str.c_str(),
            static_cast<char*>(nullptr));
    std::perror("exec spectacles-node pair-peer");
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  caf::anon_send_exit(svc, caf::exit_reason::user_shutdown);
  auto ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::cout << "[node A] node B (pid " << child << ") "
            << (ok ? "finished: two-node cluster worked" : "failed") << '\n';
  return ok ? 0 : 1;
}

int run_pair_peer(config::node_config& cfg, const std::string& host, uint16_t port) {
  caf::actor_system sys{ cfg };
  auto remote = sys.middleman().remote_actor<actors::node_info_actor>(host, port);
  if (!remote) {
    std::cerr << "[node B] cannot connect to " << host << ':' << port << ": "
              << sys.render(remote.error()) << '\n';
    return 1;
  }
  caf::scoped_actor self{ sys };
  std::vector<double> micros;
  actors::node_info peer;
  bool failed = false;
  for (int i = 0; i < round_trips && !failed; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    self->request(*remote, request_timeout, actors::get_atom::value)
      .receive(
        [&](const actors::node_info& reply) {
          peer = reply;
          auto dt = std::chrono::steady_clock::now() - t0;
          micros.push_back(std::chrono::duration<double, std::micro>(dt).count());
        },
        [&](const caf::error& err) {
          std::cerr << "[node B] request failed: " << sys.render(err) << '\n';
          failed = true;
        });
  }
  if (failed)
    return 1;
  std::sort(micros.begin(), micros.end());
  std::cout << "[node B pid " << ::getpid() << "] connected to node " << to_string(remote->node())
            << '\n'
            << "[node B] peer says: name=" << peer.name << " roles=" << join(peer.roles)
            << " pid=" << peer.pid << " uptime=" << peer.uptime_ms << "ms\n"
            << "[node B] " << round_trips << " request/response round trips over BASP: p50 "
            << micros[micros.size() / 2] << " us, p99 " << micros[micros.size() * 99 / 100]
            << " us\n"
            << std::flush;
  return 0;
}

} // namespace spectacles::nodes
