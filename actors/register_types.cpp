#include "actors/register_types.hpp"

#include "caf/actor_system_config.hpp"

#include "actors/node_info_service.hpp"
#include "actors/type_ids.hpp"

namespace spectacles::actors {

void register_types(caf::actor_system_config& cfg) {
  // add_message_type<T> also announces std::vector<T>.
  cfg.add_message_type<node_info>("spectacles.node_info");
  cfg.add_message_type<event>("spectacles.event");
  cfg.add_message_type<member>("spectacles.member");
  cfg.add_message_type<node_info_actor>("spectacles.node_info_actor");
}

} // namespace spectacles::actors
