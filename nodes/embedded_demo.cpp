#include "nodes/embedded_demo.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "caf/actor_system.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/gateway_type_ids.hpp"
#include "actors/membership.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/worker_ping.hpp"
#include "config/node_config.hpp"
#include "net/io_pool.hpp"
#include "net/log.hpp"
#include "nodes/roles.hpp"
#include "sim/simulator.hpp"

namespace spectacles::nodes {

namespace {

constexpr const char* component = "demo";

struct snapshot {
  uint32_t ready = 0;
  uint32_t shards = 0;
  uint64_t dispatches = 0;
  uint64_t identifies = 0;
  uint64_t resumes = 0;
  actors::router_counters router;
};

caf::actor role_actor(caf::scoped_actor& self, const caf::actor& agent, const std::string& role) {
  caf::actor out;
  self->request(agent, std::chrono::seconds(2), actors::get_atom::value, role)
    .receive(
      [&](caf::actor& a) {
        out = std::move(a);
      },
      [](caf::error&) {});
  return out;
}

snapshot take(caf::scoped_actor& self, const caf::actor& coordinator, const caf::actor& router) {
  snapshot s;
  if (coordinator)
    self
      ->request(coordinator, std::chrono::seconds(2), actors::get_atom::value,
                actors::shards_atom::value)
      .receive(
        [&](std::vector<actors::shard_report>& reports) {
          for (auto& r : reports) {
            ++s.shards;
            if (r.state == "running")
              ++s.ready;
            s.dispatches += r.dispatches;
            s.identifies += r.identifies;
            s.resumes += r.resumes;
          }
        },
        [](caf::error&) {});
  if (router)
    self
      ->request(router, std::chrono::seconds(2), actors::get_atom::value, actors::stats_atom::value)
      .receive(
        [&](actors::router_stats& st) {
          s.router = st.totals;
        },
        [](caf::error&) {});
  return s;
}

} // namespace

int run_embedded_demo(config::node_config& cfg, double duration_s) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Discord, simulated: 4 recommended shards, two identify buckets (so the
  // pacing shows: shards 0 and 1 first, 2 and 3 one window later), a steady
  // stream of messages on every session.
  sim::simulator_options so;
  so.shards = 4;
  so.start_limit.max_concurrency = 2;
  so.world.guilds = 16;
  so.gateway.events_per_second = 25;
  auto started = sim::simulator::start(so);
  if (!started) {
    std::cerr << "demo: the simulator did not start: " << started.error().what() << '\n';
    return 1;
  }
  auto sim = std::move(*started);
  std::cout << "spectacles-cpp embedded demo: simulated Discord at " << sim->rest_url() << " and "
            << sim->gateway_url() << "\n";
  // Only this process sees these: the library reads its token and REST URL
  // the way a production node does.
  ::setenv("DISCORD_TOKEN", so.token.c_str(), 1);
  ::setenv("DISCORD_REST_URL", sim->rest_url().c_str(), 1);
  auto record_file = "/tmp/spectacles-demo-" + std::to_string(::getpid()) + ".jsonl";
  cfg.roles = { "coordinator", "gateway", "rest", "router", "worker" };
  cfg.gateway_shards = 4;
  cfg.gateway_settle_ms = 200;
  cfg.worker_count = 1;
  cfg.worker_group = "record";
  cfg.worker_record_file = record_file;
  // The second worker answers "!ping" with "pong" through the REST role.
  worker_def ping;
  ping.options.group = "ping";
  ping.options.name = "ping";
  ping.handlers = [](const std::string&) -> net::result<actors::event_handlers> {
    return actors::ping_handlers();
  };

  auto io = std::make_unique<net::io_pool>(2);
  int rc = 0;
  {
    caf::actor_system sys{ cfg };
    actors::membership_settings settings;
    settings.middleman = sys.middleman().actor_handle();
    auto agent
      = sys.spawn(actors::membership, actors::node_info{ "demo", cfg.roles, "", 0, 0 }, settings);
    auto actors = start_roles(sys, cfg, agent, "demo", { ping }, io.get());
    caf::scoped_actor self{ sys };
    auto coordinator = role_actor(self, agent, "coordinator");
    auto router = role_actor(self, agent, "router");
    auto t0 = std::chrono::steady_clock::now();
    snapshot last;
    auto last_t = t0;
    bool interactive = ::isatty(STDOUT_FILENO) != 0;
    for (;;) {
      timespec one_second{ 1, 0 };
      int sig = sigtimedwait(&stop_signals, nullptr, &one_second);
      auto now = std::chrono::steady_clock::now();
      double elapsed = std::chrono::duration<double>(now - t0).count();
      auto s = take(self, coordinator, router);
      double dt = std::chrono::duration<double>(now - last_t).count();
      double rate
        = dt > 0 ? static_cast<double>(s.router.events_in - last.router.events_in) / dt : 0.0;
      auto verdict = sim->verdict_snapshot();
      uint64_t limited = 0;
      for (auto& [scope, n] : verdict.rest_rate_limited)
        limited += n;
      char line[320];
      std::snprintf(line, sizeof(line),
                    "[%5.1fs] shards ready %u/4 | events %llu (%.0f/s) | deliveries %llu | "
                    "acks %llu | pongs %llu/%llu | 429s %llu",
                    elapsed, s.ready, static_cast<unsigned long long>(s.router.events_in), rate,
                    static_cast<unsigned long long>(s.router.deliveries),
                    static_cast<unsigned long long>(s.router.acks),
                    static_cast<unsigned long long>(actors::ping_stats().replies.load()),
                    static_cast<unsigned long long>(actors::ping_stats().pings.load()),
                    static_cast<unsigned long long>(limited));
      std::cout << (interactive ? "\r" : "") << line << (interactive ? "" : "\n") << std::flush;
      last = s;
      last_t = now;
      if (sig > 0 || (duration_s > 0 && elapsed >= duration_s))
        break;
    }
    if (interactive)
      std::cout << '\n';
    auto v = sim->verdict_snapshot();
    std::cout << "summary: " << last.ready << "/4 shards ready, " << last.router.events_in
              << " events routed, " << last.router.deliveries << " deliveries, " << last.router.acks
              << " acks, " << last.router.duplicates << " duplicates dropped\n"
              << "simulator verdict: " << v.identifies << " identifies, "
              << v.identify_pacing_violations << " pacing violations, " << v.missing_heartbeats
              << " missed heartbeats, " << v.resumes_ok << " resumes, " << v.rest_requests
              << " REST requests, " << v.rest_exhausted_bucket << " into exhausted buckets, "
              << v.rest_global_breaches << " global-limit breaches"
              << (v.clean() ? " (clean)" : " (NOT clean)") << "\n"
              << "events recorded by the workers in " << record_file << "\n";
    std::cout << "ping worker: " << actors::ping_stats().pings.load() << " \"!ping\" seen, "
              << actors::ping_stats().replies.load() << " \"pong\" replies sent, "
              << actors::ping_stats().failed.load() << " failed\n";
    if (!v.clean() || last.ready != 4)
      rc = 1;
    stop_roles(sys, actors, std::chrono::milliseconds(cfg.worker_drain_ms));
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  }
  io.reset();
  sim->stop();
  return rc;
}

} // namespace spectacles::nodes
