// bench_rest: what the REST role costs per request. The simulator answers with
// its rate limits lifted; the same requests go (a) through the bare
// net::http_client and (b) through rest_client -> rest_link -> rest_router ->
// rest_bucket -> http_client. Reported: requests/s with 32 in flight over 64
// routes, whose ratio gives the time the actors add per request
// (1e6/router - 1e6/bare; goal: <= 20 us), and the latency with one request
// in flight (what a lone call pays for its thread hand-offs).
#include "actors/register_types.hpp"
#include "actors/rest_client.hpp"
#include "actors/rest_router.hpp"
#include "actors/rest_type_ids.hpp"
#include "bench/bench.hpp"
#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "sim/simulator.hpp"

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/scoped_actor.hpp"
#include "caf/send.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace spectacles;
using namespace std::chrono_literals;

namespace {

constexpr size_t routes = 64;

std::string path_of(size_t i) {
  return "/channels/" + std::to_string(900000000000000000ull + i % routes) + "/messages/"
         + std::to_string(1000 + i);
}

struct done_signal {
  std::mutex mtx;
  std::condition_variable cv;
  bool done = false;
  void set() {
    std::lock_guard<std::mutex> g{ mtx };
    done = true;
    cv.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> l{ mtx };
    cv.wait(l, [&] {
      return done;
    });
  }
};

/// Bare client: `total` requests, `window` in flight. Returns seconds and
/// fills per-request latencies (us).
double run_bare(net::http_client& http, const std::string& base, size_t total, size_t window,
                std::vector<double>& lat) {
  struct run {
    net::http_client* http;
    std::string base;
    size_t total;
    std::atomic<size_t> next{ 0 };
    std::atomic<size_t> finished{ 0 };
    std::mutex mtx;
    std::vector<double>* lat;
    done_signal sig;
    void go() {
      auto i = next++;
      if (i >= total)
        return;
      auto t0 = std::chrono::steady_clock::now();
      http->request("GET", base + path_of(i), { { "Authorization", "Bot sim-token" } }, {},
                    [this, t0](net::result<net::http_response>) {
                      auto us = bench::seconds_since(t0) * 1e6;
                      {
                        std::lock_guard<std::mutex> g{ mtx };
                        lat->push_back(us);
                      }
                      if (++finished == total)
                        sig.set();
                      else
                        go();
                    });
    }
  };
  run r;
  r.http = &http;
  r.base = base;
  r.total = total;
  r.lat = &lat;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t k = 0; k < window; ++k)
    r.go();
  r.sig.wait();
  return bench::seconds_since(t0);
}

double run_router(caf::actor_system& sys, const actors::rest_client& rest, size_t total,
                  size_t window, std::vector<double>& lat) {
  auto sig = std::make_shared<done_signal>();
  auto t0 = std::chrono::steady_clock::now();
  sys.spawn(
    [&, sig](caf::event_based_actor* self, int) {
      auto next = std::make_shared<size_t>(0);
      auto finished = std::make_shared<size_t>(0);
      auto go = std::make_shared<std::function<void()>>();
      *go = [=, &rest, &lat]() {
        auto i = (*next)++;
        if (i >= total)
          return;
        auto s = std::chrono::steady_clock::now();
        actors::rest_request req;
        req.method = "GET";
        req.path = path_of(i);
        rest.request(self, std::move(req), [=, &lat](actors::rest_result<actors::rest_response>) {
          lat.push_back(bench::seconds_since(s) * 1e6);
          if (++*finished == total) {
            sig->set();
            *go = nullptr; // breaks the cycle
            self->quit();
          } else {
            (*go)();
          }
        });
      };
      for (size_t k = 0; k < window; ++k)
        (*go)();
    },
    0);
  sig->wait();
  return bench::seconds_since(t0);
}

struct cfg : caf::actor_system_config {
  explicit cfg(const char* policy) {
    actors::register_types(*this);
    // spectacles-node runs the sharing scheduler (config/node_config.cpp);
    // CAF's default is work stealing, whose sleeping workers add latency to
    // every hand-off (CAF-0.17.md §6).
    set("scheduler.policy", caf::atom_from_string(policy));
    // One worker per core, as config/node_config.cpp sets for nodes.
    set("scheduler.max-threads", size_t{ std::max(1u, std::thread::hardware_concurrency()) });
  }
};

void run_suite(const std::string& base, net::http_client& http_ref,
               std::shared_ptr<net::http_client> http, const char* policy) {
  cfg c{ policy };
  std::string tag = std::string{ " [" } + policy + "]";
  caf::actor_system sys{ c };
  actors::rest_router_options ro;
  ro.base_url = base;
  ro.token = "sim-token";
  ro.http = http;
  ro.global_per_second = 1'000'000'000;
  auto router = actors::spawn_rest_router(sys, ro);
  {
    actors::rest_client rest{ sys, router };
    constexpr size_t total = 4000;
    constexpr int reps = 5;
    std::vector<double> bare_rps, router_rps, bare_p50, router_p50;
    // Warm-up: connections, buckets learned.
    std::vector<double> scratch;
    run_bare(http_ref, base, 500, 32, scratch);
    run_router(sys, rest, 500, 32, scratch);
    for (int r = 0; r < reps; ++r) {
      std::vector<double> lat;
      bare_rps.push_back(total / run_bare(http_ref, base, total, 32, lat));
      lat.clear();
      router_rps.push_back(total / run_router(sys, rest, total, 32, lat));
      lat.clear();
      run_bare(http_ref, base, 1000, 1, lat);
      bare_p50.push_back(bench::median(lat));
      lat.clear();
      run_router(sys, rest, 1000, 1, lat);
      router_p50.push_back(bench::median(lat));
    }
    auto b = bench::median(bare_rps);
    auto rr = bench::median(router_rps);
    auto bl = bench::median(bare_p50);
    auto rl = bench::median(router_p50);
    bench::report("rest: bare http_client, 32 in flight" + tag, b, "req/s");
    bench::report("rest: client+router+bucket, 32 in flight" + tag, rr, "req/s",
                  "rest: bare http_client, 32 in flight" + tag, b);
    bench::report("rest: bare http_client, 1 in flight p50" + tag, bl, "us");
    bench::report("rest: client+router+bucket, 1 in flight p50" + tag, rl, "us",
                  "rest: bare http_client, 1 in flight p50" + tag, bl);
    bench::report("rest: us added per request, 1 in flight" + tag, rl - bl, "us", {}, 0,
                  "latency view: the thread hand-offs of one lone call");
    bench::report("rest: us added per request, 32 in flight" + tag, 1e6 / rr - 1e6 / b, "us", {}, 0,
                  "issue 7's figure (from the requests/s ratio): goal <= 20 us");
    {
      caf::scoped_actor self{ sys };
      self->request(router, 5s, caf::get_atom::value, actors::rest_stats_atom::value)
        .receive(
          [&](actors::rest_stats& st) {
            std::printf("router: %llu requests, %llu with their permit attached, %llu fenced\n",
                        static_cast<unsigned long long>(st.requests),
                        static_cast<unsigned long long>(st.fast_permits),
                        static_cast<unsigned long long>(st.fenced));
          },
          [](caf::error&) {});
    }
    std::printf("{\"policy\":\"%s\",\"bare_rps\":%.1f,\"router_rps\":%.1f,\"bare_p50_us\":%.1f,"
                "\"router_p50_us\":%.1f,\"added_us\":%.1f}\n",
                policy, b, rr, bl, rl, rl - bl);
  }
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
}

} // namespace

int main() {
  sim::simulator_options so;
  so.limits.enabled = false;
  auto sim = sim::simulator::start(so);
  if (!sim) {
    std::fprintf(stderr, "sim: %s\n", sim.error().what().c_str());
    return 1;
  }
  auto base = (*sim)->rest_url();
  net::io_pool io{ 1 };
  net::http_client_options ho;
  ho.max_connections_per_host = 64;
  auto http = *net::http_client::create(io.context(), ho);
  run_suite(base, *http, http, "sharing");
  run_suite(base, *http, http, "stealing");
  io.stop();
  (*sim)->stop();
  return 0;
}
