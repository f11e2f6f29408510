// bot: the few lines a bot binary needs to join a spectacles cluster with its
// own handlers. It takes the same options as `spectacles-node run`
// (cluster.seeds, cluster.tls.*, ...), finds the cluster's router and runs the
// workers, restarting them against a new router if the old one's node dies.
//
//   int main(int argc, char** argv) {
//     spectacles::nodes::bot bot;
//     bot.worker("pings", spectacles::actors::event_handlers{}.on<models::message>(
//       "MESSAGE_CREATE", [](const models::message& m, actors::worker_context& ctx) { ... }));
//     return bot.run(argc, argv);
//   }
#pragma once

#include <string>
#include <vector>

#include "actors/worker.hpp"
#include "nodes/roles.hpp"

namespace spectacles::nodes {

class bot {
public:
  /// Runs `count` workers of `group` with these handlers (copied per worker).
  bot& worker(std::string group, actors::event_handlers handlers, uint32_t count = 1,
              uint32_t window = 64);

  /// Full control: options and a handler factory.
  bot& worker(worker_def def);

  /// Parses the options, joins the cluster and serves until SIGINT/SIGTERM.
  int run(int argc, char** argv);

private:
  std::vector<worker_def> workers_;
};

} // namespace spectacles::nodes
