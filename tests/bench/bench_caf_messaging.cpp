// Baseline for every broker figure: CAF one-way messaging with 1 KB payloads,
// (a) between two actors of one process and (b) between two processes over
// BASP on 127.0.0.1. The driver keeps `window` messages in flight; the sink
// acks every `ack_every` (bench/caf_oneway.hpp). Same scheduler settings as a
// spectacles node.
//
//   build/bench/bench_caf_messaging            # prints two rows
#include <cstdio>
#include <iostream>
#include <string>

#include "caf/actor_system.hpp"
#include "caf/io/middleman.hpp"

#include "bench/bench.hpp"
#include "bench/caf_oneway.hpp"
#include "config/node_config.hpp"

namespace oneway = spectacles::bench::oneway;

namespace {

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
  auto local_sink = sys.spawn(oneway::sink);
  auto local_rate = oneway::measure(sys, local_sink, 200'000);
  caf::anon_send_exit(local_sink, caf::exit_reason::user_shutdown);

  auto child = oneway::start_self(argv[0], { "sink" });
  auto line = child.read_line();
  if (line.empty()) {
    std::cerr << "sink process did not start\n";
    return 1;
  }
  auto port = static_cast<uint16_t>(std::stoi(line));
  auto remote = sys.middleman().remote_actor("127.0.0.1", port);
  if (!remote) {
    std::cerr << "cannot reach sink: " << sys.render(remote.error()) << '\n';
    return 1;
  }
  auto remote_rate = oneway::measure(sys, *remote, 100'000);
  child.finish();

  using spectacles::bench::report;
  report("caf.local.oneway.1KB", local_rate, "msg/s");
  report("caf.remote.oneway.1KB", remote_rate, "msg/s", "caf.local.oneway.1KB", local_rate,
         "two processes over BASP on 127.0.0.1");
  return 0;
}
