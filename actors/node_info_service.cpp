#include "actors/node_info_service.hpp"

#include <unistd.h>

#include "caf/stateful_actor.hpp"

namespace spectacles::actors {

node_info_actor::behavior_type
node_info_service(node_info_actor::stateful_pointer<node_info_state> self, node_info info) {
  if (info.pid == 0)
    info.pid = static_cast<uint32_t>(::getpid());
  self->state.info = std::move(info);
  self->state.started = self->clock().now();
  return {
    [self](get_atom) {
      auto reply = self->state.info;
      auto up = self->clock().now() - self->state.started;
      reply.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(up).count();
      return reply;
    },
  };
}

} // namespace spectacles::actors
