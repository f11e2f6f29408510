#include "actors/gateway_error.hpp"

namespace spectacles::actors {

std::string_view to_string(gateway_errc code) {
  switch (code) {
    case gateway_errc::payload_too_large: return "payload_too_large";
    case gateway_errc::command_not_allowed: return "command_not_allowed";
    case gateway_errc::queue_full: return "queue_full";
    case gateway_errc::invalid_json: return "invalid_json";
    case gateway_errc::invalid_config: return "invalid_config";
    case gateway_errc::shard_stopped: return "shard_stopped";
    case gateway_errc::identify_reserve: return "identify_reserve";
  }
  return "unknown";
}

} // namespace spectacles::actors
