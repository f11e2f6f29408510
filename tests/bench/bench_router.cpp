// The event router's figures, next to the raw CAF figure measured in the same
// run (bench/caf_oneway.hpp):
//   router.remote.events.1KB   events/s from a router to a worker in another
//                              process (worker API, acks on), 1 KB events,
//                              1000 guilds, producer kept <= 5000 ahead of the
//                              commit point; vs raw CAF cross-process one-way
//   router.latency.p50/p99     producer send -> handler entry in the worker
//                              process, paced at 10 000 events/s
// Same scheduler settings as a node (config::node_config).
//
//   build/bench/bench_router
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "caf/actor_system.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/event_router.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/worker.hpp"
#include "bench/bench.hpp"
#include "bench/caf_oneway.hpp"
#include "config/node_config.hpp"

namespace oneway = spectacles::bench::oneway;
using namespace spectacles::actors;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t events_per_rep = 100'000;
constexpr uint64_t max_ahead = 5'000;
constexpr uint32_t worker_window = 1'000;
constexpr uint64_t guilds = 1'000;
constexpr int latency_rate = 10'000; // events/s
constexpr auto latency_duration = 3s;

int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

int run_sink_process(spectacles::config::node_config& cfg) {
  caf::actor_system sys{ cfg };
  auto s = sys.spawn(oneway::sink);
  auto port = sys.middleman().publish(s, 0, "127.0.0.1", true);
  if (!port)
    return 1;
  std::printf("%u\n", static_cast<unsigned>(*port));
  std::fflush(stdout);
  oneway::wait_for_parent();
  caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  return 0;
}

struct latencies {
  std::mutex mtx;
  std::vector<double> us;
};

// The worker side: joins the router, measures latency of stamped events
// ("L<monotonic ns>;..."), prints "<count> <p50 us> <p99 us>" when the parent
// closes our stdin. steady_clock is CLOCK_MONOTONIC, shared by both processes.
int run_worker_process(spectacles::config::node_config& cfg, uint16_t port) {
  caf::actor_system sys{ cfg };
  auto router = sys.middleman().remote_actor("127.0.0.1", port);
  if (!router)
    return 1;
  auto lat = std::make_shared<latencies>();
  worker_options opts;
  opts.group = "bench";
  opts.name = "bench-worker";
  opts.window = worker_window;
  auto w = spawn_worker(sys, *router, opts,
                        event_handlers{}.on_event([lat](const event& ev, worker_context&) {
                          if (ev.data.empty() || ev.data[0] != 'L')
                            return;
                          auto sent = std::stoll(ev.data.substr(1, ev.data.find(';') - 1));
                          std::lock_guard<std::mutex> guard{ lat->mtx };
                          lat->us.push_back(static_cast<double>(mono_ns() - sent) / 1000.0);
                        }));
  std::printf("joining\n");
  std::fflush(stdout);
  oneway::wait_for_parent();
  {
    std::lock_guard<std::mutex> guard{ lat->mtx };
    std::printf("%zu %.1f %.1f\n", lat->us.size(), spectacles::bench::percentile(lat->us, 50),
                spectacles::bench::percentile(lat->us, 99));
    std::fflush(stdout);
  }
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  return 0;
}

struct producer {
  caf::scoped_actor& self;
  caf::actor router;
  uint64_t seq = 0;

  uint64_t commit() {
    uint64_t result = 0;
    self->request(router, 10s, commit_atom::value, uint32_t{ 0 })
      .receive(
        [&](uint64_t x) {
          result = x;
        },
        [&](caf::error& err) {
          std::cerr << "commit query failed: " << to_string(err) << '\n';
        });
    return result;
  }

  void send(std::string data) {
    ++seq;
    self->send(router,
               event{ 0, seq, "MESSAGE_CREATE", (seq % guilds + 1) << 22, std::move(data) });
  }

  void wait_committed() {
    while (commit() < seq)
      std::this_thread::sleep_for(100us);
  }
};

double router_rate_once(producer& p, const std::string& payload) {
  auto t0 = std::chrono::steady_clock::now();
  auto target = p.seq + events_per_rep;
  auto committed = p.commit();
  while (p.seq < target) {
    while (p.seq < target && p.seq - committed < max_ahead)
      p.send(payload);
    auto before = committed;
    committed = p.commit();
    if (committed == before)
      std::this_thread::sleep_for(50us);
  }
  p.wait_committed();
  return static_cast<double>(events_per_rep) / spectacles::bench::seconds_since(t0);
}

} // namespace

int main(int argc, char** argv) {
  spectacles::config::node_config cfg;
  cfg.load<caf::io::middleman>();
  std::string mode = argc > 1 ? argv[1] : "";
  if (auto err = cfg.parse(1, argv))
    return 2;
  if (mode == "sink")
    return run_sink_process(cfg);
  if (mode == "worker" && argc > 2)
    return run_worker_process(cfg, static_cast<uint16_t>(std::stoi(argv[2])));

  caf::actor_system sys{ cfg };
  // Raw CAF, cross-process one-way: the baseline of this run.
  auto sink_child = oneway::start_self(argv[0], { "sink" });
  auto line = sink_child.read_line();
  if (line.empty()) {
    std::cerr << "sink process did not start\n";
    return 1;
  }
  auto sink = sys.middleman().remote_actor("127.0.0.1", static_cast<uint16_t>(std::stoi(line)));
  if (!sink) {
    std::cerr << "cannot reach sink: " << sys.render(sink.error()) << '\n';
    return 1;
  }
  auto raw_rate = oneway::measure(sys, *sink, events_per_rep);
  sink_child.finish();

  router_options ro;
  ro.limits.max_queued = 1'000'000; // the producer is paced by the commit point; never shed here
  ro.limits.max_queued_bytes = size_t{ 2 } << 30;
  auto router = sys.spawn(event_router, ro);
  auto port = sys.middleman().publish(router, 0, "127.0.0.1", true);
  if (!port)
    return 1;
  auto worker_child = oneway::start_self(argv[0], { "worker", std::to_string(*port) });
  if (worker_child.read_line() != "joining") {
    std::cerr << "worker process did not start\n";
    return 1;
  }
  caf::scoped_actor self{ sys };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (size_t workers = 0; workers == 0;) {
    self->request(router, 1s, caf::get_atom::value, stats_atom::value)
      .receive(
        [&](router_stats& st) {
          workers = st.workers.size();
        },
        [](caf::error&) {});
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "worker did not join\n";
      return 1;
    }
    std::this_thread::sleep_for(10ms);
  }
  producer p{ self, router };
  auto payload = std::string(oneway::payload_size, 'x');
  std::vector<double> rates;
  for (int i = 0; i <= oneway::reps; ++i) {
    auto rate = router_rate_once(p, payload);
    if (i > 0)
      rates.push_back(rate);
  }
  auto router_rate = spectacles::bench::median(rates);

  // Paced latency: one event every 100 us, stamped at the producer.
  auto period = std::chrono::nanoseconds(1'000'000'000 / latency_rate);
  auto n = static_cast<uint64_t>(latency_rate)
           * static_cast<uint64_t>(std::chrono::seconds(latency_duration).count());
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    std::this_thread::sleep_until(start + period * i);
    auto data = "L" + std::to_string(mono_ns()) + ";";
    data.resize(oneway::payload_size, 'x');
    p.send(std::move(data));
  }
  p.wait_committed();
  self->request(router, 5s, caf::get_atom::value, stats_atom::value)
    .receive(
      [&](router_stats& st) {
        if (st.totals.shed != 0 || st.totals.redeliveries != 0)
          std::cerr << "unexpected: shed " << st.totals.shed << ", redelivered "
                    << st.totals.redeliveries << '\n';
      },
      [](caf::error&) {});
  auto result = worker_child.finish();
  size_t count = 0;
  double p50 = 0;
  double p99 = 0;
  if (std::sscanf(result.c_str(), "%zu %lf %lf", &count, &p50, &p99) != 3 || count != n) {
    std::cerr << "worker reported \"" << result << "\", expected " << n << " latencies\n";
    return 1;
  }
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);

  using spectacles::bench::report;
  report("router.baseline.caf.remote.oneway.1KB", raw_rate, "msg/s", "", 0,
         "raw CAF cross-process one-way, this run");
  report("router.remote.events.1KB", router_rate, "events/s",
         "router.baseline.caf.remote.oneway.1KB", raw_rate,
         "router to a worker process, acks on (goal >= 0.6)");
  report("router.latency.p50.10k_per_s", p50, "us", "", 0, "producer to handler, paced");
  report("router.latency.p99.10k_per_s", p99, "us", "", 0, "goal <= 2000 us");
  return 0;
}
