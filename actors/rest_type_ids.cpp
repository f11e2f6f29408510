#include "actors/rest_type_ids.hpp"

#include "caf/message.hpp"

namespace spectacles::actors {

const char* to_string(rest_errc x) {
  switch (x) {
    case rest_errc::token_invalid:
      return "token_invalid: Discord answered 401, the bot token is invalid; replace it";
    case rest_errc::too_many_invalid:
      return "too_many_invalid: close to Discord's limit of 10,000 invalid requests per 10 "
             "minutes; calls are refused until older ones age out";
    case rest_errc::deadline: return "deadline: the call did not complete in its time";
    case rest_errc::transport: return "transport: the HTTP request failed";
    case rest_errc::invalid_request: return "invalid_request: the request is malformed";
    case rest_errc::router_down: return "router_down: the REST node serving this call is gone";
    case rest_errc::internal: return "internal: a REST bucket actor failed";
  }
  return "unknown rest error";
}

std::string render_rest_error(uint8_t code, caf::atom_value, const caf::message& context) {
  std::string out = "rest_error(";
  out += to_string(static_cast<rest_errc>(code));
  if (context.match_elements<std::string>()) {
    out += "; ";
    out += context.get_as<std::string>(0);
  } else if (!context.empty()) {
    out += ", ";
    out += caf::to_string(context);
  }
  out += ')';
  return out;
}

} // namespace spectacles::actors
