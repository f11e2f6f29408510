// rest_call_error and the decoding of router replies into typed results
// (no CAF here: the JSON work stays out of the CAF translation units).
#include "actors/rest_client.hpp"

namespace spectacles::actors {

std::string_view to_string(rest_call_error::kind k) {
  using kind = rest_call_error::kind;
  switch (k) {
    case kind::http: return "http";
    case kind::token_invalid: return "token_invalid";
    case kind::too_many_invalid: return "too_many_invalid";
    case kind::deadline: return "deadline";
    case kind::transport: return "transport";
    case kind::invalid_request: return "invalid_request";
    case kind::router_down: return "router_down";
    case kind::decode: return "decode";
    case kind::internal: return "internal";
  }
  return "unknown";
}

std::string rest_call_error::describe() const {
  if (what == kind::http)
    return http.describe();
  std::string out{ to_string(what) };
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

template <class T>
rest_result<T> decode_rest_reply(const rest_response& r) {
  if (r.status < 200 || r.status >= 300) {
    rest_call_error err;
    err.what = rest_call_error::kind::http;
    err.http = models::decode_rest_error(r.status, r.body);
    err.message = err.http.describe();
    return err;
  }
  if constexpr (std::is_same_v<T, rest_response>) {
    return r;
  } else if constexpr (std::is_same_v<T, rest_empty>) {
    return rest_empty{};
  } else {
    auto decoded = models::decode<T>(r.body);
    if (!decoded)
      return rest_call_error{ rest_call_error::kind::decode, {}, decoded.error().message };
    return std::move(*decoded);
  }
}

template rest_result<rest_response> decode_rest_reply<rest_response>(const rest_response&);
template rest_result<rest_empty> decode_rest_reply<rest_empty>(const rest_response&);
template rest_result<models::message> decode_rest_reply<models::message>(const rest_response&);
template rest_result<std::vector<models::message>>
decode_rest_reply<std::vector<models::message>>(const rest_response&);
template rest_result<models::channel> decode_rest_reply<models::channel>(const rest_response&);
template rest_result<std::vector<models::channel>>
decode_rest_reply<std::vector<models::channel>>(const rest_response&);
template rest_result<models::guild> decode_rest_reply<models::guild>(const rest_response&);
template rest_result<models::guild_member>
decode_rest_reply<models::guild_member>(const rest_response&);
template rest_result<std::vector<models::guild_member>>
decode_rest_reply<std::vector<models::guild_member>>(const rest_response&);
template rest_result<models::role> decode_rest_reply<models::role>(const rest_response&);
template rest_result<std::vector<models::role>>
decode_rest_reply<std::vector<models::role>>(const rest_response&);
template rest_result<std::vector<models::ban>>
decode_rest_reply<std::vector<models::ban>>(const rest_response&);
template rest_result<models::user> decode_rest_reply<models::user>(const rest_response&);
template rest_result<std::vector<models::user>>
decode_rest_reply<std::vector<models::user>>(const rest_response&);
template rest_result<std::vector<models::application_command>>
decode_rest_reply<std::vector<models::application_command>>(const rest_response&);
template rest_result<gateway_bot_reply> decode_rest_reply<gateway_bot_reply>(const rest_response&);

} // namespace spectacles::actors
