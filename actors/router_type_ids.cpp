#include "actors/router_type_ids.hpp"

namespace spectacles::actors {

const char* to_string(router_errc x) {
  switch (x) {
    case router_errc::unknown_shard:
      return "unknown_shard: no shard is registered for this command; is the shard running?";
    case router_errc::no_shard_count:
      return "no_shard_count: no shard registered yet, so a guild cannot be mapped to its shard";
    case router_errc::shard_unreachable:
      return "shard_unreachable: the shard did not answer the command in time";
    case router_errc::not_registered:
      return "not_registered: the sender never joined the router as a worker";
  }
  return "unknown router error";
}

std::string render_router_error(uint8_t code, caf::atom_value, const caf::message& context) {
  std::string out = "router_error(";
  out += to_string(static_cast<router_errc>(code));
  if (!context.empty()) {
    out += ", ";
    out += caf::to_string(context);
  }
  out += ')';
  return out;
}

} // namespace spectacles::actors
