// Baseline for every broker figure: CAF one-way messaging with 1 KB payloads,
// (a) between two actors of one process and (b) between two processes over
// BASP on 127.0.0.1. The driver keeps `window` messages in flight; the sink
// acks every `ack_every`. Same scheduler settings as a spectacles node.
//
//   build/bench/bench_caf_messaging            # prints two rows
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <string>

#include "caf/actor_system.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/io/middleman.hpp"
#include "caf/send.hpp"

#include "bench/bench.hpp"
#include "config/node_config.hpp"

namespace {

constexpr size_t payload_size = 1024;
constexpr uint64_t window = 1000;
constexpr uint64_t ack_every = 100;
constexpr int reps = 5;

caf::behavior sink(caf::event_based_actor* self) {
  auto count = std::make_shared<uint64_t>(0);
  return {
    [self, count](const std::string&) {
      if (++*count % ack_every == 0)
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), *count);
    },
  };
}

// Sends `total` payloads to `target`, never more than `window` unacked.
caf::behavior driver(caf::event_based_actor* self, caf::actor target, uint64_t total, uint64_t base,
                     std::shared_ptr<std::promise<double>> done) {
  auto payload = std::string(payload_size, 'x');
  auto sent = std::make_shared<uint64_t>(0);
  auto t0 = std::chrono::steady_clock::now();
  auto send_up_to = [=](uint64_t limit) {
    while (*sent < limit && *sent < total) {
      self->send(target, payload);
      ++*sent;
    }
  };
  send_up_to(window);
  return {
    [=](uint64_t acked) {
      acked -= base;
      if (acked >= total) {
        done->set_value(spectacles::bench::seconds_since(t0));
        self->quit();
        return;
      }
      send_up_to(acked + window);
    },
  };
}

double run_once(caf::actor_system& sys, caf::actor target, uint64_t total, uint64_t base) {
  auto done = std::make_shared<std::promise<double>>();
  auto fut = done->get_future();
  sys.spawn(driver, target, total, base, done);
  auto secs = fut.get();
  return static_cast<double>(total) / secs;
}

double measure(caf::actor_system& sys, caf::actor target, uint64_t total) {
  std::vector<double> rates;
  uint64_t base = 0;
  for (int i = 0; i <= reps; ++i) {
    auto rate = run_once(sys, target, total, base);
    base += total;
    if (i > 0) // the first run warms up
      rates.push_back(rate);
  }
  return spectacles::bench::median(rates);
}

int run_sink_process(spectacles::config::node_config& cfg) {
  caf::actor_system sys{ cfg };
  auto s = sys.spawn(sink);
  auto port = sys.middleman().publish(s, 0, "127.0.0.1", true);
  if (!port)
    return 1;
  std::printf("%u\n", static_cast<unsigned>(*port));
  std::fflush(stdout);
  // The parent closes our stdin when it is done.
  char c;
  while (::read(0, &c, 1) > 0) {
  }
  caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  spectacles::config::node_config cfg;
  cfg.load<caf::io::middleman>();
  bool sink_mode = argc > 1 && std::string(argv[1]) == "sink";
  if (auto err = cfg.parse(1, argv))
    return 2;
  if (sink_mode)
    return run_sink_process(cfg);

  caf::actor_system sys{ cfg };
  auto local_sink = sys.spawn(sink);
  auto local_rate = measure(sys, local_sink, 200'000);
  caf::anon_send_exit(local_sink, caf::exit_reason::user_shutdown);

  int to_child[2];
  int from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0)
    return 1;
  auto pid = ::fork();
  if (pid == 0) {
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    ::close(to_child[1]);
    ::close(from_child[0]);
    ::execl("/proc/self/exe", argv[0], "sink", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  char buf[32] = {};
  auto n = ::read(from_child[0], buf, sizeof(buf) - 1);
  if (n <= 0) {
    std::cerr << "sink process did not start\n";
    return 1;
  }
  auto port = static_cast<uint16_t>(std::stoi(buf));
  auto remote = sys.middleman().remote_actor("127.0.0.1", port);
  if (!remote) {
    std::cerr << "cannot reach sink: " << sys.render(remote.error()) << '\n';
    return 1;
  }
  auto remote_rate = measure(sys, *remote, 100'000);
  ::close(to_child[1]);
  ::waitpid(pid, nullptr, 0);

  using spectacles::bench::report;
  report("caf.local.oneway.1KB", local_rate, "msg/s");
  report("caf.remote.oneway.1KB", remote_rate, "msg/s", "caf.local.oneway.1KB", local_rate,
         "two processes over BASP on 127.0.0.1");
  return 0;
}
