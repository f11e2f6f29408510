// The router in one actor system, a worker in another, over a real TCP socket
// on 127.0.0.1: when the worker's system goes away with events unacked, they
// are redelivered to a worker in the router's system, marked redelivered.
#include "actors/event_router.hpp"

#define CAF_SUITE actors.router_remote

#include "caf/test/unit_test.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/register_types.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/worker.hpp"

using namespace spectacles::actors;
using namespace std::chrono_literals;

namespace {

struct node_cfg : caf::actor_system_config {
  node_cfg() {
    register_types(*this);
    load<caf::io::middleman>();
    set("scheduler.max-threads", size_t{ 2 });
  }
};

// A worker that takes deliveries and never acks them: its events stay in
// flight until its system goes away.
caf::behavior holding_worker(caf::event_based_actor* self, caf::actor router,
                             std::shared_ptr<std::atomic<int>> joined,
                             std::shared_ptr<std::atomic<int>> got) {
  self
    ->request(router, std::chrono::seconds(5), caf::join_atom::value,
              worker_spec{ "g", {}, 10, "remote-worker" })
    .then(
      [joined](uint64_t) {
        ++*joined;
      },
      [](caf::error&) {});
  return {
    [got](delivery&) {
      ++*got;
    },
    [got](delivery_batch& b) {
      *got += static_cast<int>(b.items.size());
    },
  };
}

template <class Predicate>
bool wait_for(Predicate pred, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

struct record {
  std::mutex mtx;
  std::vector<std::pair<uint64_t, bool>> seen; // (seq, redelivered)

  size_t size() {
    std::lock_guard<std::mutex> guard{ mtx };
    return seen.size();
  }
};

} // namespace

CAF_TEST(events unacked by a worker whose system shuts down go to a worker of the router system) {
  node_cfg cfg_a;
  caf::actor_system a{ cfg_a };
  auto router = a.spawn(event_router, router_options{});
  auto port = a.middleman().publish(router, 0, "127.0.0.1", true);
  CAF_REQUIRE(port);
  auto local = std::make_shared<record>();
  {
    node_cfg cfg_b;
    caf::actor_system b{ cfg_b };
    auto proxy = b.middleman().remote_actor("127.0.0.1", *port);
    CAF_REQUIRE(proxy);
    auto joined = std::make_shared<std::atomic<int>>(0);
    auto got = std::make_shared<std::atomic<int>>(0);
    auto remote_worker = b.spawn(holding_worker, *proxy, joined, got);
    CAF_REQUIRE(wait_for([&] {
      return *joined == 1;
    }));
    for (uint64_t seq = 1; seq <= 3; ++seq)
      caf::anon_send(router, event{ 0, seq, "MESSAGE_CREATE", 1000 + seq, R"({"content":"x"})" });
    CAF_REQUIRE(wait_for([&] {
      return *got == 3;
    }));
    // Now a second worker, in the router's system: nothing for it yet.
    worker_options opts;
    opts.group = "g";
    opts.name = "local-worker";
    spawn_worker(a, router, opts,
                 event_handlers{}.on_event([local](const event& ev, worker_context& ctx) {
                   std::lock_guard<std::mutex> guard{ local->mtx };
                   local->seen.emplace_back(ev.seq, ctx.current.redelivered());
                 }));
    caf::scoped_actor self{ a };
    CAF_REQUIRE(wait_for([&] {
      size_t workers = 0;
      self->request(router, 1s, caf::get_atom::value, stats_atom::value)
        .receive(
          [&](router_stats& st) {
            workers = st.workers.size();
          },
          [](caf::error&) {});
      return workers == 2;
    }));
    CAF_CHECK_EQUAL(local->size(), 0u);
    caf::anon_send_exit(remote_worker, caf::exit_reason::user_shutdown);
  } // system b is gone
  CAF_REQUIRE(wait_for([&] {
    return local->size() == 3;
  }));
  std::lock_guard<std::mutex> guard{ local->mtx };
  std::sort(local->seen.begin(), local->seen.end());
  CAF_CHECK_EQUAL(
    local->seen, (std::vector<std::pair<uint64_t, bool>>{ { 1, true }, { 2, true }, { 3, true } }));
  // The local worker acks after recording: the commit point follows.
  caf::scoped_actor self{ a };
  CAF_CHECK(wait_for([&] {
    uint64_t commit = 0;
    self->request(router, 1s, commit_atom::value, uint32_t{ 0 })
      .receive(
        [&](uint64_t x) {
          commit = x;
        },
        [](caf::error&) {});
    return commit == 3;
  }));
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
}
