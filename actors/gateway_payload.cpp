#include "actors/gateway_payload.hpp"

#include "actors/gateway_json.hpp"

namespace spectacles::actors {

std::string_view gateway_os_name() {
#if defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "macos";
#elif defined(_WIN32)
  return "windows";
#else
  return "unknown";
#endif
}

std::string heartbeat_payload(std::optional<uint64_t> last_seq) {
  return models::heartbeat_command(last_seq);
}

std::string identify_payload(const identify_fields& fields) {
  models::identify id;
  id.token = fields.token;
  id.properties = { std::string(gateway_os_name()), std::string(gateway_library_name),
                    std::string(gateway_library_name) };
  id.large_threshold = fields.large_threshold;
  id.shard = std::vector<uint32_t>{ fields.shard_id, fields.shard_count };
  id.presence = fields.presence;
  id.intents = models::intents{ fields.intents };
  return models::gateway_command(id);
}

std::string resume_payload(std::string_view token, std::string_view session_id, uint64_t seq) {
  return models::gateway_command(
    models::resume{ std::string(token), std::string(session_id), seq });
}

std::string command_payload(int op, std::string_view d_json) {
  std::string out = R"({"op":)";
  out += std::to_string(op);
  out += R"(,"d":)";
  out += gateway_json::trim(d_json);
  out += '}';
  return out;
}

std::string gateway_connect_url(std::string_view base, std::string_view compression) {
  // Keep scheme://host[:port]; Discord's URLs carry no path we need.
  auto scheme_end = base.find("://");
  size_t host_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  auto host_end = base.find_first_of("/?#", host_begin);
  std::string out(base.substr(0, host_end));
  out += "/?v=10&encoding=json";
  if (!compression.empty()) {
    out += "&compress=";
    out += compression;
  }
  return out;
}

} // namespace spectacles::actors
