// The options of a spectacles node, as one CAF actor_system_config.
//
// Sources, later wins: built-in defaults < INI file (--config-file=F or the
// node's --config F) < command line (--section.key=value). Every option is
// listed, with its default, in config/all-in-one.ini and by --long-help.
#pragma once

#include <string>
#include <vector>

#include "caf/actor_system_config.hpp"

namespace spectacles::config {

class node_config : public caf::actor_system_config {
public:
  node_config();

  // [node]
  std::string node_name;
  std::vector<std::string> roles;
  std::string log_level = "info";

  // [cluster]
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> seeds;
};

} // namespace spectacles::config
