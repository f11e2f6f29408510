// The name -> payload type table of decode_event (PROTOCOL.md §1.18). This file only sees the
// declarations of decode<T>; each model's own .cpp holds its codec, so adding an event here
// does not recompile the codecs.
#include "models/events.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace spectacles::models {

namespace {

// Decodes `d` straight into the payload variant of the dispatch being built: a guild or a
// message is large, and moving it through result<T> -> variant -> dispatch -> result cost
// several full moves per event.
using decode_fn = bool (*)(std::string_view, event_payload&, decode_error&);

// Payloads are default-initialised in the variant (default_init): value-initialising them would
// zero kilobytes per event before the decoder fills them.
template <class T>
T& emplace_payload(event_payload& out) {
  if constexpr (described<T>)
    return out.emplace<T>(default_init<T>{});
  else
    return out.emplace<T>();
}

template <class T>
bool decode_as(std::string_view d, event_payload& out, decode_error& err) {
  return decode_into<T>(d, emplace_payload<T>(out), err, "d");
}

// GUILD_CREATE is a whole guild, or `{id, unavailable: true}` during an outage (§1.19).
bool decode_guild_create(std::string_view d, event_payload& out, decode_error& err) {
  auto& g = emplace_payload<guild>(out);
  if (!decode_into<guild>(d, g, err, "d"))
    return false;
  if (g.unavailable.value_or(false)) {
    auto id = g.id;
    out.emplace<unavailable_guild>(unavailable_guild{ id, true });
  }
  return true;
}

struct entry {
  std::string_view name;
  decode_fn fn;
};

// clang-format off
const entry table[] = {
  { "READY", decode_as<ready> },
  { "RESUMED", decode_as<resumed> },
  { "RATE_LIMITED", decode_as<rate_limited> },
  { "APPLICATION_COMMAND_PERMISSIONS_UPDATE", decode_as<guild_application_command_permissions> },
  { "AUTO_MODERATION_RULE_CREATE", decode_as<auto_moderation_rule> },
  { "AUTO_MODERATION_RULE_UPDATE", decode_as<auto_moderation_rule> },
  { "AUTO_MODERATION_RULE_DELETE", decode_as<auto_moderation_rule> },
  { "AUTO_MODERATION_ACTION_EXECUTION", decode_as<auto_moderation_action_execution> },
  { "CHANNEL_CREATE", decode_as<channel> },
  { "CHANNEL_UPDATE", decode_as<channel> },
  { "CHANNEL_DELETE", decode_as<channel> },
  { "CHANNEL_INFO", decode_as<channel_info> },
  { "CHANNEL_PINS_UPDATE", decode_as<channel_pins_update> },
  { "THREAD_CREATE", decode_as<channel> },
  { "THREAD_UPDATE", decode_as<channel> },
  { "THREAD_DELETE", decode_as<channel> },
  { "THREAD_LIST_SYNC", decode_as<thread_list_sync> },
  { "THREAD_MEMBER_UPDATE", decode_as<thread_member> },
  { "THREAD_MEMBERS_UPDATE", decode_as<thread_members_update> },
  { "ENTITLEMENT_CREATE", decode_as<entitlement> },
  { "ENTITLEMENT_UPDATE", decode_as<entitlement> },
  { "ENTITLEMENT_DELETE", decode_as<entitlement> },
  { "GUILD_CREATE", decode_guild_create },
  { "GUILD_UPDATE", decode_as<guild> },
  { "GUILD_DELETE", decode_as<unavailable_guild> },
  { "GUILD_AUDIT_LOG_ENTRY_CREATE", decode_as<audit_log_entry> },
  { "GUILD_BAN_ADD", decode_as<guild_user_event> },
  { "GUILD_BAN_REMOVE", decode_as<guild_user_event> },
  { "GUILD_EMOJIS_UPDATE", decode_as<guild_emojis_update> },
  { "GUILD_STICKERS_UPDATE", decode_as<guild_stickers_update> },
  { "GUILD_INTEGRATIONS_UPDATE", decode_as<guild_ref_event> },
  { "GUILD_MEMBER_ADD", decode_as<guild_member> },
  { "GUILD_MEMBER_REMOVE", decode_as<guild_user_event> },
  { "GUILD_MEMBER_UPDATE", decode_as<guild_member> },
  { "GUILD_MEMBERS_CHUNK", decode_as<guild_members_chunk> },
  { "GUILD_ROLE_CREATE", decode_as<guild_role_event> },
  { "GUILD_ROLE_UPDATE", decode_as<guild_role_event> },
  { "GUILD_ROLE_DELETE", decode_as<guild_role_delete> },
  { "GUILD_SCHEDULED_EVENT_CREATE", decode_as<scheduled_event> },
  { "GUILD_SCHEDULED_EVENT_UPDATE", decode_as<scheduled_event> },
  { "GUILD_SCHEDULED_EVENT_DELETE", decode_as<scheduled_event> },
  { "GUILD_SCHEDULED_EVENT_USER_ADD", decode_as<guild_scheduled_event_user> },
  { "GUILD_SCHEDULED_EVENT_USER_REMOVE", decode_as<guild_scheduled_event_user> },
  { "GUILD_SOUNDBOARD_SOUND_CREATE", decode_as<soundboard_sound> },
  { "GUILD_SOUNDBOARD_SOUND_UPDATE", decode_as<soundboard_sound> },
  { "GUILD_SOUNDBOARD_SOUND_DELETE", decode_as<guild_soundboard_sound_delete> },
  { "GUILD_SOUNDBOARD_SOUNDS_UPDATE", decode_as<guild_soundboard_sounds> },
  { "SOUNDBOARD_SOUNDS", decode_as<guild_soundboard_sounds> },
  { "INTEGRATION_CREATE", decode_as<integration> },
  { "INTEGRATION_UPDATE", decode_as<integration> },
  { "INTEGRATION_DELETE", decode_as<integration_delete> },
  { "INTERACTION_CREATE", decode_as<interaction> },
  { "INVITE_CREATE", decode_as<invite> },
  { "INVITE_DELETE", decode_as<invite_delete> },
  { "MESSAGE_CREATE", decode_as<message> },
  { "MESSAGE_UPDATE", decode_as<message> },
  { "MESSAGE_DELETE", decode_as<message_delete> },
  { "MESSAGE_DELETE_BULK", decode_as<message_delete_bulk> },
  { "MESSAGE_REACTION_ADD", decode_as<message_reaction> },
  { "MESSAGE_REACTION_REMOVE", decode_as<message_reaction> },
  { "MESSAGE_REACTION_REMOVE_ALL", decode_as<message_reaction_remove_all> },
  { "MESSAGE_REACTION_REMOVE_EMOJI", decode_as<message_reaction_remove_all> },
  { "MESSAGE_POLL_VOTE_ADD", decode_as<message_poll_vote> },
  { "MESSAGE_POLL_VOTE_REMOVE", decode_as<message_poll_vote> },
  { "PRESENCE_UPDATE", decode_as<presence> },
  { "STAGE_INSTANCE_CREATE", decode_as<stage_instance> },
  { "STAGE_INSTANCE_UPDATE", decode_as<stage_instance> },
  { "STAGE_INSTANCE_DELETE", decode_as<stage_instance> },
  { "SUBSCRIPTION_CREATE", decode_as<subscription> },
  { "SUBSCRIPTION_UPDATE", decode_as<subscription> },
  { "SUBSCRIPTION_DELETE", decode_as<subscription> },
  { "TYPING_START", decode_as<typing_start> },
  { "USER_UPDATE", decode_as<user> },
  { "VOICE_CHANNEL_EFFECT_SEND", decode_as<voice_channel_effect_send> },
  { "VOICE_CHANNEL_START_TIME_UPDATE", decode_as<voice_channel_start_time_update> },
  { "VOICE_CHANNEL_STATUS_UPDATE", decode_as<voice_channel_status_update> },
  { "VOICE_STATE_UPDATE", decode_as<voice_state> },
  { "VOICE_SERVER_UPDATE", decode_as<voice_server_update> },
  { "WEBHOOKS_UPDATE", decode_as<guild_ref_event> },
};
// clang-format on

// Open addressing on a hash of the name's length and outer bytes (std::hash over the whole
// name cost more than the rest of the lookup): one probe and one comparison per event.
class name_table {
public:
  name_table() {
    for (const auto& e : table) {
      size_t at = hash(e.name) & (slot_count - 1);
      while (slots_[at] != nullptr)
        at = (at + 1) & (slot_count - 1);
      slots_[at] = &e;
    }
  }

  const entry* find(std::string_view name) const {
    for (size_t at = hash(name) & (slot_count - 1);; at = (at + 1) & (slot_count - 1)) {
      const entry* e = slots_[at];
      if (e == nullptr || e->name == name)
        return e;
    }
  }

private:
  static constexpr size_t slot_count = 256; // > 3x the names: probes stay short
  static_assert(std::size(table) < slot_count / 2);

  static size_t hash(std::string_view s) {
    uint64_t a = 0;
    uint64_t b = 0;
    if (s.size() >= 8) {
      std::memcpy(&a, s.data(), 8);
      std::memcpy(&b, s.data() + s.size() - 8, 8);
    } else {
      for (char ch : s)
        a = (a << 8) | static_cast<unsigned char>(ch);
    }
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ s.size()) * 0xFF51AFD7ED558CCDull;
    return static_cast<size_t>(h >> 40);
  }

  std::array<const entry*, slot_count> slots_{};
};

const name_table& lookup() {
  static const name_table names;
  return names;
}

} // namespace

result<dispatch> decode_event(std::string_view name, std::string_view raw_d) {
  // Built in place and returned by name on every path, so the payload is never moved; a
  // default-initialised dispatch holds an empty unknown_event, not 13 KB of zeroes.
  result<dispatch> out{ std::in_place, default_init<dispatch>{} };
  out->name.assign(name.data(), name.size());
  const entry* i = lookup().find(name);
  if (i == nullptr) {
    out->payload.emplace<unknown_event>(unknown_event{ std::string(name), std::string(raw_d) });
    return out;
  }
  decode_error err;
  if (!i->fn(raw_d, out->payload, err))
    out = result<dispatch>{ decode_error{ std::string(name) + " " + err.message } };
  return out;
}

const std::vector<std::string_view>& known_event_names() {
  static const auto names = [] {
    std::vector<std::string_view> v;
    for (auto& e : table)
      v.push_back(e.name);
    return v;
  }();
  return names;
}

std::string encode_payload(const event_payload& payload) {
  return std::visit(
    [](const auto& p) -> std::string {
      using T = std::decay_t<decltype(p)>;
      if constexpr (std::is_same_v<T, unknown_event>)
        return p.raw;
      else
        return encode(p);
    },
    payload);
}

} // namespace spectacles::models
