// Shared by the gateway tests: the in-process simulator (Discord), a real
// actor system with the coordinator, the event router and a recording worker,
// and helpers to spawn shards and wait on the sim's verdict.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/coordinator.hpp"
#include "actors/event_router.hpp"
#include "actors/gateway_type_ids.hpp"
#include "actors/register_types.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/shard.hpp"
#include "actors/worker.hpp"
#include "net/io_pool.hpp"
#include "sim/simulator.hpp"

namespace spectacles::gateway_testing {

using namespace std::chrono_literals;

struct test_config : caf::actor_system_config {
  test_config() {
    actors::register_types(*this);
  }
};

/// Polls `pred` every 20 ms for up to `limit`; true once it held.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

struct recorded {
  uint32_t shard;
  uint64_t seq;
  std::string name;
};

struct gateway_fixture {
  sim::simulator_options sim_options;
  std::unique_ptr<sim::simulator> sim;
  net::io_pool io{ 1 };
  test_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor coordinator;
  caf::actor router;
  caf::actor worker;
  std::vector<caf::actor> shards;
  std::mutex mtx;
  std::vector<recorded> seen;

  gateway_fixture() {
    sim_options.gateway.heartbeat_interval = std::chrono::milliseconds(400);
    sim_options.gateway.identify_window = std::chrono::milliseconds(500);
    sim_options.world.guilds = 4;
  }

  /// Starts the sim (after the test adjusted sim_options), the actor system,
  /// the coordinator (no membership: it leads alone), the router and a worker.
  void start(uint32_t shard_count = 1) {
    auto started = sim::simulator::start(sim_options);
    if (!started)
      CAF_FAIL("simulator did not start: " << started.error().what());
    sim = std::move(*started);
    sys = std::make_unique<caf::actor_system>(cfg);
    actors::coordinator_options co;
    co.node_name = "test";
    co.shards = shard_count;
    co.identify.window = sim_options.gateway.identify_window;
    co.identify.margin = std::chrono::milliseconds(50);
    co.rest_url = sim->rest_url();
    co.token = sim_options.token;
    co.io = &io;
    co.settle = std::chrono::milliseconds(1);
    coordinator = sys->spawn(actors::coordinator, co);
    router = sys->spawn(actors::event_router, actors::router_options{});
    actors::event_handlers handlers;
    handlers.on_event([this](const actors::event& ev, actors::worker_context&) {
      std::lock_guard<std::mutex> guard{ mtx };
      seen.push_back(recorded{ ev.shard, ev.seq, ev.name });
    });
    actors::worker_options wo;
    wo.group = "record";
    worker = actors::spawn_worker(*sys, router, wo, std::move(handlers));
  }

  actors::shard_actor_options shard_options(uint32_t id, uint32_t count,
                                            std::string compression = "zstd-stream") {
    actors::shard_actor_options o;
    o.protocol.identify.token = sim_options.token;
    o.protocol.identify.intents = 513;
    o.protocol.identify.shard_id = id;
    o.protocol.identify.shard_count = count;
    o.protocol.gateway_url = sim->gateway_url();
    o.protocol.compression = std::move(compression);
    o.protocol.session.use_commit_point = true;
    o.protocol.session.max_staleness = std::chrono::milliseconds(100);
    o.protocol.backoff.base = std::chrono::milliseconds(50);
    o.protocol.backoff.cap = std::chrono::milliseconds(500);
    o.protocol.invalid_session_min = std::chrono::milliseconds(100);
    o.protocol.invalid_session_max = std::chrono::milliseconds(300);
    o.io = &io;
    o.node_name = "test";
    o.commit_interval = std::chrono::milliseconds(50);
    o.seed = 42 + id;
    return o;
  }

  caf::actor spawn_shard(actors::shard_actor_options o) {
    auto s = sys->spawn(actors::shard_actor, std::move(o), coordinator, router);
    shards.push_back(s);
    return s;
  }

  actors::shard_report report(const caf::actor& shard) {
    caf::scoped_actor self{ *sys };
    actors::shard_report out;
    self
      ->request(shard, std::chrono::seconds(5), actors::get_atom::value, actors::stats_atom::value)
      .receive(
        [&](actors::shard_report& r) {
          out = std::move(r);
        },
        [&](caf::error& err) {
          out.state = "error: " + sys->render(err);
        });
    return out;
  }

  sim::verdict verdict() {
    return sim->verdict_snapshot();
  }

  std::vector<recorded> events() {
    std::lock_guard<std::mutex> guard{ mtx };
    return seen;
  }

  /// Highest seq seen for a shard by the worker.
  uint64_t worker_seq(uint32_t shard) {
    uint64_t best = 0;
    for (auto& r : events())
      if (r.shard == shard && r.seq > best)
        best = r.seq;
    return best;
  }

  bool ready(const caf::actor& shard) {
    return report(shard).state == "running";
  }

  ~gateway_fixture() {
    if (sys) {
      for (auto& s : shards)
        caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
      for (auto* a : { &worker, &router, &coordinator })
        if (*a)
          caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
      sys.reset();
    }
    io.stop();
    if (sim)
      sim->stop();
  }
};

} // namespace spectacles::gateway_testing
