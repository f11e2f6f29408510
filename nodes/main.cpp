// spectacles-node: one executable for every role of a spectacles cluster.
//
//   spectacles-node [--duration S]       the embedded demo (no token, no config needed)
//   spectacles-node pair-demo            a two-process CAF cluster round trip
//   spectacles-node --config FILE ...    run the roles FILE configures
//   spectacles-node status --node host:port [--watch]   the cluster as that node sees it
//   spectacles-node make-certs DIR [NAME...]   cluster CA + node certificates
//   spectacles-node check-payload FILE... [--as TYPE]   why does this payload not decode?
//   spectacles-node -h | --long-help     list every option with its default
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "caf/io/middleman.hpp"
#include "caf/openssl/manager.hpp"

#include "config/node_config.hpp"
#include "models/check_payload.hpp"
#include "net/log.hpp"
#include "nodes/embedded_demo.hpp"
#include "nodes/make_certs.hpp"
#include "nodes/node_runner.hpp"
#include "nodes/pair_demo.hpp"
#include "nodes/roles.hpp"
#include "nodes/status.hpp"

namespace {

std::string self_exe() {
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return "spectacles-node";
  return std::string(buf, static_cast<size_t>(n));
}

} // namespace

int main(int argc, char** argv) {
  using namespace spectacles;
  // check-payload takes plain arguments (--as TYPE), not CAF options.
  if (argc > 1 && std::strcmp(argv[1], "check-payload") == 0)
    return models::check_payload({ argv + 2, argv + argc }, std::cout, std::cerr);
  // status takes --node host:port and --watch besides the cluster.tls.* options.
  std::string status_node;
  bool status_watch = false;
  double demo_duration = 0;
  bool demo = argc == 1;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (i == 1 && a == "--duration" && i + 1 < argc) {
      demo = true;
      demo_duration = std::atof(argv[++i]);
      continue;
    }
    if (argc > 1 && std::strcmp(argv[1], "status") == 0 && i > 1) {
      if (a == "--watch") {
        status_watch = true;
        continue;
      }
      if (a == "--node" && i + 1 < argc) {
        status_node = argv[++i];
        continue;
      }
      if (a.rfind("--node=", 0) == 0) {
        status_node = a.substr(7);
        continue;
      }
    }
    args.push_back(argv[i]);
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  std::string sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "";
  config::node_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
  // Options after the sub-command go to CAF's parser.
  int skip = sub.empty() ? 1 : 2;
  if (auto err = cfg.parse(argc - skip + 1, argv + skip - 1)) {
    std::cerr << "error in the configuration: " << to_string(err) << '\n';
    return 2;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  if (auto lvl = log::parse_level(cfg.log_level)) {
    log::set_level(*lvl);
  } else {
    std::cerr << "node.log-level: expected trace, debug, info, warn, error or off, got \""
              << cfg.log_level << "\"\n";
    return 2;
  }
  if (demo && sub.empty() && argc == 1)
    return nodes::run_embedded_demo(cfg, demo_duration);
  if (sub == "pair-demo")
    return nodes::run_pair_demo(cfg, self_exe());
  if (sub.empty() || sub == "run") {
    if (auto problem = cfg.finalize(); !problem.empty()) {
      std::cerr << "refusing to start: " << problem << '\n';
      return 2;
    }
    if (auto problem = nodes::check_roles(cfg); !problem.empty()) {
      std::cerr << "refusing to start: " << problem << '\n';
      return 2;
    }
    return nodes::run_node(cfg);
  }
  if (sub == "status") {
    if (status_node.empty()) {
      std::cerr << "usage: spectacles-node status --node host:port [--watch] [--cluster.tls.*]\n";
      return 2;
    }
    if (auto problem = cfg.finalize(); !problem.empty() && cfg.uses_tls()) {
      std::cerr << problem << '\n';
      return 2;
    }
    return nodes::run_status(cfg, status_node, status_watch);
  }
  if (sub == "make-certs") {
    if (cfg.remainder.empty()) {
      std::cerr << "usage: spectacles-node make-certs DIR [NAME...]\n";
      return 2;
    }
    return nodes::make_certs(cfg.remainder[0], { cfg.remainder.begin() + 1, cfg.remainder.end() });
  }
  if (sub == "pair-peer" && cfg.remainder.size() >= 2)
    return nodes::run_pair_peer(cfg, cfg.remainder[0],
                                static_cast<uint16_t>(std::stoi(cfg.remainder[1])));
  std::cerr << "unknown sub-command \"" << sub << "\"; see spectacles-node --long-help\n";
  return 2;
}
