#include "actors/gateway_envelope.hpp"

#include "actors/gateway_json.hpp"

namespace spectacles::actors {

namespace json = gateway_json;

envelope_scan_result scan_envelope(std::string_view text) {
  envelope_scan_result result;
  gateway_envelope env;
  bool has_op = false;
  // One pass over the top-level members; `d` is skipped (validated) once and kept raw.
  json::member_cursor cursor(text);
  while (auto m = cursor.next()) {
    if (m->key == "op") {
      auto op = json::parse_int(m->value);
      if (!op || *op < 0 || *op > 255) {
        result.error = "\"op\" is not a small integer: " + std::string(m->value.substr(0, 32));
        return result;
      }
      env.op = static_cast<int>(*op);
      has_op = true;
    } else if (m->key == "s") {
      if (m->value == "null")
        continue;
      auto seq = json::parse_uint(m->value);
      if (!seq) {
        result.error
            = "\"s\" is neither null nor a sequence number: " + std::string(m->value.substr(0, 32));
        return result;
      }
      env.s = *seq;
    } else if (m->key == "t") {
      if (m->value == "null")
        continue;
      // Event names are UPPER_SNAKE_CASE; anything needing escapes is not one.
      if (m->value.front() != '"' || m->value.find('\\') != std::string_view::npos) {
        result.error = "\"t\" is not a plain event name: " + std::string(m->value.substr(0, 32));
        return result;
      }
      env.t = m->value.substr(1, m->value.size() - 2);
    } else if (m->key == "d") {
      env.d = m->value;
    }
  }
  if (!cursor.done()) {
    result.error = "not a complete JSON object";
    return result;
  }
  if (!has_op) {
    result.error = "no \"op\" in a gateway message";
    return result;
  }
  result.envelope = env;
  return result;
}

uint64_t dispatch_guild_id(std::string_view event_name, std::string_view d) {
  bool is_guild = event_name == "GUILD_CREATE" || event_name == "GUILD_UPDATE"
                  || event_name == "GUILD_DELETE";
  auto raw = json::find_member(d, is_guild ? "id" : "guild_id");
  if (!raw)
    return 0;
  return json::parse_snowflake(*raw).value_or(0);
}

} // namespace spectacles::actors
