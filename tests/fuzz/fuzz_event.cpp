// Fuzzes the full path a worker takes: scan the envelope, decode `d` by event name, and for
// anything that decodes, encode it and decode again (the result must decode and compare equal).
// Input: a gateway envelope; when it is not one, the bytes are tried as MESSAGE_CREATE's and
// GUILD_CREATE's `d` so the decoders see arbitrary JSON too.
#include "models/envelope.hpp"
#include "models/events.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace spectacles::models;

namespace {

void round_trip(std::string_view name, std::string_view d) {
  auto ev = decode_event(name, d);
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
