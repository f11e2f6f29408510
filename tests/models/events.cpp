#include "models/events.hpp"

#define CAF_SUITE models.events
#include "caf/test/unit_test.hpp"

#include "models/check_payload.hpp"
#include "models/envelope.hpp"

#include <fstream>
#include <sstream>

using namespace spectacles::models;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream f{ std::string(SPECTACLES_FIXTURES_DIR) + "/discord-captures/" + name };
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

} // namespace

namespace {

struct decoded {
  std::vector<dispatch> events;
  std::vector<std::string> errors;
};

// Decodes every envelope of a gateway fixture and checks decode(encode(x)) == x for each.
decoded decode_fixture(const std::string& name) {
  decoded out;
  auto payloads = split_payloads(read_fixture(name));
  if (!payloads) {
    out.errors.push_back(name + ": " + payloads.error().message);
    return out;
  }
  for (auto& text : *payloads) {
    auto env = scan_envelope(text);
    if (!env) {
      out.errors.push_back(name + ": " + env.error_message());
      continue;
    }
    if (env->op != 0)
      continue;
    auto ev = decode_event(env->t, env->d);
    if (!ev) {
      out.errors.push_back(name + ": " + ev.error().message);
      continue;
    }
    auto again = decode_event(ev->name, encode_payload(ev->payload));
    if (!again) {
      out.errors.push_back(name + ": re-decode: " + again.error().message);
      continue;
    }
    if (!(*again == *ev))
      out.errors.push_back(name + ": decode(encode(x)) != x for " + ev->name);
    out.events.push_back(std::move(*ev));
  }
  return out;
}

template <class T>
const T* first_of(const decoded& d) {
  for (auto& ev : d.events)
    if (auto* p = std::get_if<T>(&ev.payload))
      return p;
  return nullptr;
}

} // namespace

CAF_TEST(every gateway fixture decodes into its typed event and round trips) {
  for (auto name :
       { "gateway_guild_create.json", "gateway_guild_member_update.json",
         "gateway_interaction_create.json", "gateway_message_create.json",
         "gateway_message_delete.json", "gateway_message_reaction_add.json",
         "gateway_message_update.json", "gateway_ready.json", "gateway_thread_create.json",
         "gateway_voice_channel_start_time_update.json", "gateway_voice_channel_status_update.json",
         "gateway_voice_state_update.json" }) {
    auto d = decode_fixture(name);
    for (auto& e : d.errors)
      CAF_MESSAGE(e);
    CAF_CHECK(d.errors.empty());
    CAF_CHECK(!d.events.empty());
    for (auto& ev : d.events)
      CAF_CHECK(!std::holds_alternative<unknown_event>(ev.payload));
  }
}

// decode_event finds every name it types (its own lookup table, not a std::unordered_map) and
// nothing else: a known name never becomes unknown_event, and near misses do.
CAF_TEST(every known event name finds its payload type) {
  const auto& names = known_event_names();
  CAF_CHECK_GREATER_OR_EQUAL(names.size(), 79u);
  for (auto name : names) {
    auto ev = decode_event(name, "{}");
    bool typed = !ev || !std::holds_alternative<unknown_event>(ev->payload);
    if (!typed)
      CAF_MESSAGE("not found: " << name);
    CAF_CHECK(typed);
  }
  for (std::string_view near : { "MESSAGE_CREATE_", "MESSAGE_CREATf", "message_create", "", "M",
                                 "GUILD_CREATE ", "READ", "READY_", "TYPING_STAR" }) {
    auto ev = decode_event(near, "{}");
    CAF_REQUIRE(ev.ok());
    CAF_CHECK(std::holds_alternative<unknown_event>(ev->payload));
  }
}
