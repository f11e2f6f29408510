#include "models/gateway.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(identify_properties, presence_update, identify, resume,
                            voice_state_update, request_guild_members, request_soundboard_sounds,
                            request_channel_info, hello, ready)

std::string heartbeat_command(std::optional<uint64_t> last_seq) {
  std::string out = "{\"op\":1,\"d\":";
  if (last_seq)
    out += std::to_string(*last_seq);
  else
    out += "null";
  out += '}';
  return out;
}

std::optional<bool> parse_invalid_session(std::string_view d) {
  auto is_ws = [](char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  };
  while (!d.empty() && is_ws(d.front()))
    d.remove_prefix(1);
  while (!d.empty() && is_ws(d.back()))
    d.remove_suffix(1);
  if (d == "true")
    return true;
  if (d == "false")
    return false;
  return std::nullopt;
}

} // namespace spectacles::models
