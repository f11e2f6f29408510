#include "nodes/bot.hpp"

#include <iostream>

#include "caf/io/middleman.hpp"
#include "caf/openssl/manager.hpp"

#include "config/node_config.hpp"
#include "net/log.hpp"
#include "nodes/node_runner.hpp"

namespace spectacles::nodes {

bot& bot::worker(std::string group, actors::event_handlers handlers, uint32_t count,
                 uint32_t window) {
  worker_def def;
  def.options.group = std::move(group);
  def.options.window = window;
  def.count = count;
  def.handlers = [handlers = std::move(handlers)](const std::string&) {
    return net::result<actors::event_handlers>{ handlers };
  };
  return worker(std::move(def));
}

bot& bot::worker(worker_def def) {
  workers_.push_back(std::move(def));
  return *this;
}

int bot::run(int argc, char** argv) {
  config::node_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
  if (auto err = cfg.parse(argc, argv)) {
    std::cerr << "error in the configuration: " << to_string(err) << '\n';
    return 2;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  if (auto lvl = log::parse_level(cfg.log_level))
    log::set_level(*lvl);
  if (auto problem = cfg.finalize(); !problem.empty()) {
    std::cerr << "refusing to start: " << problem << '\n';
    return 2;
  }
  if (auto problem = check_roles(cfg); !problem.empty()) {
    std::cerr << "refusing to start: " << problem << '\n';
    return 2;
  }
  return run_node(cfg, workers_);
}

} // namespace spectacles::nodes
