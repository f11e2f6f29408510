#include "actors/register_types.hpp"

#include "caf/actor_system_config.hpp"

#include "actors/gateway_type_ids.hpp"
#include "actors/node_info_service.hpp"
#include "actors/rest_type_ids.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/type_ids.hpp"

namespace spectacles::actors {

void register_types(caf::actor_system_config& cfg) {
  // add_message_type<T> also announces std::vector<T>.
  cfg.add_message_type<node_info>("spectacles.node_info");
  cfg.add_message_type<event>("spectacles.event");
  cfg.add_message_type<member>("spectacles.member");
  cfg.add_message_type<node_info_actor>("spectacles.node_info_actor");
  // Event router (actors/event_router.hpp).
  cfg.add_message_type<delivery>("spectacles.delivery");
  cfg.add_message_type<ack_batch>("spectacles.ack_batch");
  cfg.add_message_type<delivery_batch>("spectacles.delivery_batch");
  cfg.add_message_type<worker_spec>("spectacles.worker_spec");
  cfg.add_message_type<gateway_command>("spectacles.gateway_command");
  cfg.add_message_type<router_stats>("spectacles.router_stats");
  cfg.add_error_category(caf::atom("router"), render_router_error);
  // Gateway role (actors/coordinator.hpp, actors/gateway_host.hpp, actors/shard.hpp).
  cfg.add_message_type<session_snapshot>("spectacles.session_snapshot");
  cfg.add_message_type<shard_assignment>("spectacles.shard_assignment");
  cfg.add_message_type<shard_report>("spectacles.shard_report");
  // REST role (actors/rest_router.hpp, actors/rest_bucket.hpp).
  cfg.add_message_type<rest_header>("spectacles.rest_header");
  cfg.add_message_type<rest_file>("spectacles.rest_file");
  cfg.add_message_type<rest_request>("spectacles.rest_request");
  cfg.add_message_type<rest_response>("spectacles.rest_response");
  cfg.add_message_type<rest_job>("spectacles.rest_job");
  cfg.add_message_type<rest_window>("spectacles.rest_window");
  cfg.add_message_type<rest_outcome>("spectacles.rest_outcome");
  cfg.add_message_type<rest_stats>("spectacles.rest_stats");
  cfg.add_error_category(caf::atom("rest"), render_rest_error);
}

} // namespace spectacles::actors
