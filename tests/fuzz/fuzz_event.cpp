// Fuzzes the full path a worker takes: scan the envelope, decode `d` by event name, and for
// anything that decodes, encode it and decode again (the result must decode and compare equal).
// Input: a gateway envelope; when it is not one, the bytes are tried as MESSAGE_CREATE's and
// GUILD_CREATE's `d` so the decoders see arbitrary JSON too.
//
// Each decode is also done by the two decoders alone (models/detail/codec.hpp): whatever the
// direct decoder accepts, the DOM decoder must accept and decode to an equal value, and the
// default route must give the DOM's answer (the same value, or the same error message).
#include "models/detail/codec.hpp"
#include "models/envelope.hpp"
#include "models/events.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace spectacles::models;

namespace {

result<dispatch> decode_by(detail::decode_route route, std::string_view name, std::string_view d) {
  detail::thread_decode_route() = route;
  auto ev = decode_event(name, d);
  detail::thread_decode_route() = detail::decode_route::direct_then_dom;
  return ev;
}

void round_trip(std::string_view name, std::string_view d) {
  auto dom = decode_by(detail::decode_route::dom_only, name, d);
  auto direct = decode_by(detail::decode_route::direct_only, name, d);
  auto ev = decode_event(name, d);
  if (direct && (!dom || !(*direct == *dom)))
    std::abort(); // the direct decoder accepted what the DOM refuses, or read it differently
  if (bool(ev) != bool(dom) || (ev && !(*ev == *dom))
      || (!ev && ev.error().message != dom.error().message))
    std::abort(); // the default route must answer as the DOM does
  if (!ev) {
    if (ev.error().message.empty())
      std::abort();
    return;
  }
  auto again = decode_event(name, encode_payload(ev->payload));
  if (!again || !(*again == *ev))
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto env = scan_envelope(text);
  if (env && env->op == 0) {
    round_trip(env->t, env->d);
    return 0;
  }
  round_trip("MESSAGE_CREATE", text);
  round_trip("GUILD_CREATE", text);
  round_trip("INTERACTION_CREATE", text);
  return 0;
}
