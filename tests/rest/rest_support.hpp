// Shared by the REST actor tests: the in-process simulator standing in for
// Discord, an HTTP client on its own io_pool, an actor system with a
// rest_router, and helpers that fire calls from client actors and collect
// their results.
#pragma once

#include "actors/register_types.hpp"
#include "actors/rest_client.hpp"
#include "actors/rest_router.hpp"
#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "sim/simulator.hpp"

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/send.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace spectacles::actors::testing {

using namespace std::chrono_literals;

template <class Predicate>
bool wait_for(Predicate pred, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// The sim's limits with every window scaled to `window` so tests run fast.
inline sim::rest_limits_options fast_limits(std::chrono::milliseconds window,
                                            unsigned global_per_second) {
  auto o = sim::default_rest_limits();
  o.global_per_second = global_per_second;
  o.default_limit.window = window;
  for (auto& [name, lim] : o.routes)
    lim.window = window;
  return o;
}

struct rest_test_config : caf::actor_system_config {
  rest_test_config() {
    register_types(*this);
    set("scheduler.max-threads", size_t{ 2 });
  }
};

class rest_env {
public:
  explicit rest_env(sim::simulator_options so = {}) {
    auto started = sim::simulator::start(std::move(so));
    if (!started)
      throw std::runtime_error("simulator: " + started.error().what());
    sim = std::move(*started);
    io = std::make_unique<net::io_pool>(1);
    net::http_client_options ho;
    ho.max_connections_per_host = 64; // one per busy bucket, without queueing
    auto client = net::http_client::create(io->context(), ho);
    if (!client)
      throw std::runtime_error("http_client: " + client.error().what());
    http = *client;
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  /// Router options pointing at the sim with its token; tests adjust them.
  rest_router_options router_options() const {
    rest_router_options o;
    o.base_url = sim->rest_url();
    o.token = "sim-token";
    o.http = http;
    o.bucket.retry.backoff_base = std::chrono::milliseconds{ 20 };
    o.bucket.retry.backoff_cap = std::chrono::milliseconds{ 200 };
    return o;
  }

  caf::actor start_router(rest_router_options o) {
    router = spawn_rest_router(*sys, std::move(o));
    return router;
  }

  ~rest_env() {
    // Actors first (they use the HTTP client), then the I/O threads, whose
    // pending completions hold actor handles, then the system, then the sim.
    if (router)
      caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    router = nullptr;
    sys->await_all_actors_done();
    io->stop();
    http.reset();
    io.reset();
    sys.reset();
    sim->stop();
  }

  std::unique_ptr<sim::simulator> sim;
  std::unique_ptr<net::io_pool> io;
  std::shared_ptr<net::http_client> http;
  rest_test_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor router;

  std::string channel(size_t i = 1) {
    return sim->with_state([i](auto&, auto&, auto& world) {
      auto* g = world.guild(world.guild_ids().front());
      return std::to_string(g->channels[i]);
    });
  }

  /// The sim's records of `method` requests to `path` (relative to /api/v10,
  /// without query), oldest first.
  std::vector<sim::request_record> records(std::string_view method, std::string_view path) {
    std::vector<sim::request_record> out;
    for (auto& r : sim->requests())
      if (r.method == method && r.path == "/api/v10" + std::string{ path })
        out.push_back(r);
    return out;
  }
};

/// Results of calls made from client actors, in completion order.
struct call_log {
  struct entry {
    size_t index = 0; // the call's number in its batch
    std::string tag;
    rest_result<rest_response> result{ rest_call_error{} };
    std::chrono::steady_clock::time_point at{}; // when the result came
  };
  std::mutex mtx;
  std::vector<entry> done;

  void add(size_t index, std::string tag, rest_result<rest_response> r) {
    std::lock_guard<std::mutex> guard{ mtx };
    done.push_back({ index, std::move(tag), std::move(r), std::chrono::steady_clock::now() });
  }
  size_t size() {
    std::lock_guard<std::mutex> guard{ mtx };
    return done.size();
  }
  std::vector<entry> snapshot() {
    std::lock_guard<std::mutex> guard{ mtx };
    return done;
  }
};

struct planned_call {
  rest_request req;
  std::string tag;
};

/// Spawns an actor that sends every call at once through `client` and logs
/// each result; it quits when the last result is in.
inline caf::actor fire(caf::actor_system& sys, rest_client client, std::vector<planned_call> calls,
                       std::shared_ptr<call_log> log) {
  // (An argument, because CAF 0.17 binds a null tuple for argument-less
  // lambdas, which UBSan stops.)
  return sys.spawn(
    [client, calls = std::move(calls), log](caf::event_based_actor* self, int) mutable {
      auto left = std::make_shared<size_t>(calls.size());
      for (size_t i = 0; i < calls.size(); ++i) {
        client.request(self, calls[i].req,
                       [self, log, left, i, tag = calls[i].tag](rest_result<rest_response> r) {
                         log->add(i, tag, std::move(r));
                         if (--*left == 0)
                           self->quit();
                       });
      }
      if (calls.empty())
        self->quit();
    },
    0);
}

/// Runs `f(self, done)` in a fresh actor and waits until it called `done`.
template <class T>
T run_in_actor(caf::actor_system& sys,
               std::function<void(caf::event_based_actor*, std::function<void(T)>)> f) {
  struct shared {
    std::mutex mtx;
    std::condition_variable cv;
    std::optional<T> out;
  };
  auto st = std::make_shared<shared>();
  sys.spawn(
    [st, f](caf::event_based_actor* self, int) {
      f(self, [st, self](T value) {
        std::lock_guard<std::mutex> guard{ st->mtx };
        st->out.emplace(std::move(value));
        st->cv.notify_all();
        self->quit();
      });
    },
    0);
  std::unique_lock<std::mutex> lock{ st->mtx };
  st->cv.wait(lock, [&] {
    return st->out.has_value();
  });
  return std::move(*st->out);
}

inline rest_request make_request(std::string method, std::string path, std::string body = {}) {
  rest_request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

} // namespace spectacles::actors::testing
