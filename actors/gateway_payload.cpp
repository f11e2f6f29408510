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
  std::string out = R"({"op":1,"d":)";
  out += last_seq ? std::to_string(*last_seq) : "null";
  out += '}';
  return out;
}

std::string identify_payload(const identify_fields& fields) {
  std::string out = R"({"op":2,"d":{"token":)";
  gateway_json::append_string(out, fields.token);
  out += R"(,"properties":{"os":)";
  gateway_json::append_string(out, gateway_os_name());
  out += R"(,"browser":)";
  gateway_json::append_string(out, gateway_library_name);
  out += R"(,"device":)";
  gateway_json::append_string(out, gateway_library_name);
  out += R"(},"intents":)";
  out += std::to_string(fields.intents);
  out += R"(,"shard":[)";
  out += std::to_string(fields.shard_id);
  out += ',';
  out += std::to_string(fields.shard_count);
  out += R"(],"large_threshold":)";
  out += std::to_string(fields.large_threshold);
  if (!fields.presence_json.empty()) {
    out += R"(,"presence":)";
    out += gateway_json::trim(fields.presence_json);
  }
  out += "}}";
  return out;
}

std::string resume_payload(std::string_view token, std::string_view session_id, uint64_t seq) {
  std::string out = R"({"op":6,"d":{"token":)";
  gateway_json::append_string(out, token);
  out += R"(,"session_id":)";
  gateway_json::append_string(out, session_id);
  out += R"(,"seq":)";
  out += std::to_string(seq);
  out += "}}";
  return out;
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
