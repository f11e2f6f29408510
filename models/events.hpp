// events: a typed payload for every dispatch event (PROTOCOL.md §1.18) and the decoder from an
// event name plus the raw `d` the envelope scan found.
//
//   auto env = scan_envelope(frame);                 // op 0, t "MESSAGE_CREATE", d {...}
//   auto ev = decode_event(env->t, env->d);          // result<dispatch>
//   if (auto* m = std::get_if<message>(&ev->payload)) ...
//
// Events whose payload is an object the library already models (MESSAGE_CREATE = message,
// GUILD_CREATE = guild, CHANNEL_* = channel, ...) use that type; the others get a small struct
// here. Names this build does not know become unknown_event{name, raw JSON}, never an error.
#pragma once

#include "models/application.hpp"
#include "models/channel.hpp"
#include "models/describe.hpp"
#include "models/gateway.hpp"
#include "models/guild.hpp"
#include "models/interaction.hpp"
#include "models/json.hpp"
#include "models/message.hpp"
#include "models/user.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spectacles::models {

/// RESUMED: `d` carries only an undocumented `_trace`.
struct resumed {
  static constexpr auto fields() {
    return std::tuple<>{};
  }
};

/// RATE_LIMITED: a gateway command (op 8 so far) was rate limited.
struct rate_limited {
  int32_t opcode = 0;
  double retry_after = 0;
  raw_json meta;
  SPECTACLES_FIELDS(rate_limited, opcode, retry_after, meta)
};

struct auto_moderation_action_execution {
  snowflake guild_id;
  auto_moderation_action action;
  snowflake rule_id;
  int32_t rule_trigger_type = 0;
  snowflake user_id;
  std::optional<snowflake> channel_id;
  std::optional<snowflake> message_id;
  std::optional<snowflake> alert_system_message_id;
  std::string content;
  nullable<std::string> matched_keyword;
  nullable<std::string> matched_content;
  SPECTACLES_FIELDS(auto_moderation_action_execution, guild_id, action, rule_id, rule_trigger_type,
                    user_id, channel_id, message_id, alert_system_message_id, content,
                    matched_keyword, matched_content)
};

struct channel_info_entry {
  snowflake id;
  std::optional<nullable<std::string>> status;
  std::optional<nullable<int64_t>> voice_start_time;
  SPECTACLES_FIELDS(channel_info_entry, id, status, voice_start_time)
};

struct channel_info {
  snowflake guild_id;
  std::vector<channel_info_entry> channels;
  SPECTACLES_FIELDS(channel_info, guild_id, channels)
};

struct channel_pins_update {
  std::optional<snowflake> guild_id;
  snowflake channel_id;
  std::optional<nullable<timestamp>> last_pin_timestamp;
  SPECTACLES_FIELDS(channel_pins_update, guild_id, channel_id, last_pin_timestamp)
};

struct thread_list_sync {
  snowflake guild_id;
  std::optional<std::vector<snowflake>> channel_ids;
  std::vector<channel> threads;
  std::vector<thread_member> members;
  SPECTACLES_FIELDS(thread_list_sync, guild_id, channel_ids, threads, members)
};

struct thread_members_update {
  snowflake id;
  snowflake guild_id;
  int32_t member_count = 0;
  std::optional<std::vector<thread_member>> added_members;
  std::optional<std::vector<snowflake>> removed_member_ids;
  SPECTACLES_FIELDS(thread_members_update, id, guild_id, member_count, added_members,
                    removed_member_ids)
};

/// GUILD_BAN_ADD, GUILD_BAN_REMOVE and GUILD_MEMBER_REMOVE: a guild and a user.
struct guild_user_event {
  snowflake guild_id;
  models::user user;
  SPECTACLES_FIELDS(guild_user_event, guild_id, user)
};

struct guild_emojis_update {
  snowflake guild_id;
  std::vector<emoji> emojis;
  SPECTACLES_FIELDS(guild_emojis_update, guild_id, emojis)
};

struct guild_stickers_update {
  snowflake guild_id;
  std::vector<sticker> stickers;
  SPECTACLES_FIELDS(guild_stickers_update, guild_id, stickers)
};

/// GUILD_INTEGRATIONS_UPDATE, WEBHOOKS_UPDATE (with channel_id).
struct guild_ref_event {
  snowflake guild_id;
  std::optional<snowflake> channel_id;
  SPECTACLES_FIELDS(guild_ref_event, guild_id, channel_id)
};

struct guild_members_chunk {
  snowflake guild_id;
  std::vector<guild_member> members;
  int32_t chunk_index = 0;
  int32_t chunk_count = 0;
  std::optional<std::vector<snowflake>> not_found; // may hold integers (PROTOCOL.md §1.19)
  std::optional<std::vector<presence>> presences;
  std::optional<std::string> nonce;
  SPECTACLES_FIELDS(guild_members_chunk, guild_id, members, chunk_index, chunk_count, not_found,
                    presences, nonce)
};

struct guild_role_event {
  snowflake guild_id;
  models::role role;
  SPECTACLES_FIELDS(guild_role_event, guild_id, role)
};

struct guild_role_delete {
  snowflake guild_id;
  snowflake role_id;
  SPECTACLES_FIELDS(guild_role_delete, guild_id, role_id)
};

struct guild_scheduled_event_user {
  snowflake guild_scheduled_event_id;
  snowflake user_id;
  snowflake guild_id;
  SPECTACLES_FIELDS(guild_scheduled_event_user, guild_scheduled_event_id, user_id, guild_id)
};

struct guild_soundboard_sound_delete {
  snowflake sound_id;
  snowflake guild_id;
  SPECTACLES_FIELDS(guild_soundboard_sound_delete, sound_id, guild_id)
};

/// GUILD_SOUNDBOARD_SOUNDS_UPDATE and SOUNDBOARD_SOUNDS.
struct guild_soundboard_sounds {
  std::vector<soundboard_sound> soundboard_sounds;
  snowflake guild_id;
  SPECTACLES_FIELDS(guild_soundboard_sounds, soundboard_sounds, guild_id)
};

struct integration_delete {
  snowflake id;
  snowflake guild_id;
  std::optional<snowflake> application_id;
  SPECTACLES_FIELDS(integration_delete, id, guild_id, application_id)
};

struct invite_delete {
  snowflake channel_id;
  std::optional<snowflake> guild_id;
  std::string code;
  SPECTACLES_FIELDS(invite_delete, channel_id, guild_id, code)
};

struct message_delete {
  snowflake id;
  snowflake channel_id;
  std::optional<snowflake> guild_id;
  SPECTACLES_FIELDS(message_delete, id, channel_id, guild_id)
};

struct message_delete_bulk {
  std::vector<snowflake> ids;
  snowflake channel_id;
  std::optional<snowflake> guild_id;
  SPECTACLES_FIELDS(message_delete_bulk, ids, channel_id, guild_id)
};

/// MESSAGE_REACTION_ADD and MESSAGE_REACTION_REMOVE (remove has no member/author/colors).
struct message_reaction {
  snowflake user_id;
  snowflake channel_id;
  snowflake message_id;
  std::optional<snowflake> guild_id;
  std::optional<guild_member> member;
  models::emoji emoji;
  std::optional<snowflake> message_author_id;
  bool burst = false;
  std::optional<std::vector<std::string>> burst_colors;
  int32_t type = 0; // 0 normal, 1 burst
  SPECTACLES_FIELDS(message_reaction, user_id, channel_id, message_id, guild_id, member, emoji,
                    message_author_id, burst, burst_colors, type)
};

/// MESSAGE_REACTION_REMOVE_ALL and MESSAGE_REACTION_REMOVE_EMOJI (with emoji).
struct message_reaction_remove_all {
  snowflake channel_id;
  snowflake message_id;
  std::optional<snowflake> guild_id;
  std::optional<models::emoji> emoji;
  SPECTACLES_FIELDS(message_reaction_remove_all, channel_id, message_id, guild_id, emoji)
};

struct message_poll_vote {
  snowflake user_id;
  snowflake channel_id;
  snowflake message_id;
  std::optional<snowflake> guild_id;
  int32_t answer_id = 0;
  SPECTACLES_FIELDS(message_poll_vote, user_id, channel_id, message_id, guild_id, answer_id)
};

struct typing_start {
  snowflake channel_id;
  std::optional<snowflake> guild_id;
  snowflake user_id;
  int64_t timestamp = 0; // unix seconds
  std::optional<guild_member> member;
  SPECTACLES_FIELDS(typing_start, channel_id, guild_id, user_id, timestamp, member)
};

struct voice_channel_effect_send {
  snowflake channel_id;
  snowflake guild_id;
  snowflake user_id;
  std::optional<nullable<models::emoji>> emoji;
  std::optional<nullable<int32_t>> animation_type;
  std::optional<int32_t> animation_id;
  std::optional<snowflake> sound_id; // a snowflake or an integer
  std::optional<double> sound_volume;
  SPECTACLES_FIELDS(voice_channel_effect_send, channel_id, guild_id, user_id, emoji, animation_type,
                    animation_id, sound_id, sound_volume)
};

struct voice_channel_start_time_update {
  snowflake id;
  snowflake guild_id;
  nullable<int64_t> voice_start_time; // unix seconds
  SPECTACLES_FIELDS(voice_channel_start_time_update, id, guild_id, voice_start_time)
};

struct voice_channel_status_update {
  snowflake id;
  snowflake guild_id;
  nullable<std::string> status;
  SPECTACLES_FIELDS(voice_channel_status_update, id, guild_id, status)
};

struct voice_server_update {
  std::string token;
  snowflake guild_id;
  nullable<std::string> endpoint; // null: the voice server is being reallocated
  SPECTACLES_FIELDS(voice_server_update, token, guild_id, endpoint)
};

/// An event name this build does not know, kept with its raw `d`.
struct unknown_event {
  std::string name;
  std::string raw;
  friend bool operator==(const unknown_event&, const unknown_event&) = default;
};

using event_payload = std::variant<
  unknown_event, ready, resumed, rate_limited, guild_application_command_permissions,
  auto_moderation_rule, auto_moderation_action_execution, channel, channel_info,
  channel_pins_update, thread_list_sync, thread_member, thread_members_update, entitlement, guild,
  unavailable_guild, audit_log_entry, guild_user_event, guild_emojis_update, guild_stickers_update,
  guild_ref_event, guild_member, guild_members_chunk, guild_role_event, guild_role_delete,
  scheduled_event, guild_scheduled_event_user, soundboard_sound, guild_soundboard_sound_delete,
  guild_soundboard_sounds, integration, integration_delete, interaction, invite, invite_delete,
  message, message_delete, message_delete_bulk, message_reaction, message_reaction_remove_all,
  message_poll_vote, presence, stage_instance, subscription, typing_start, user,
  voice_channel_effect_send, voice_channel_start_time_update, voice_channel_status_update,
  voice_state, voice_server_update>;

/// One decoded dispatch: its name (the envelope's `t`) and typed payload.
struct dispatch {
  std::string name;
  event_payload payload;
  friend bool operator==(const dispatch&, const dispatch&) = default;
};

inline const std::string& event_name(const dispatch& ev) {
  return ev.name;
}

/// Decodes the `d` of dispatch `name`. Unknown names give unknown_event; a payload that does
/// not match its event's type gives an error naming the path ("d.author.id: expected ...").
/// Uses the calling thread's reused parser.
result<dispatch> decode_event(std::string_view name, std::string_view raw_d);

/// The 79 event names of PROTOCOL.md §1.18 that decode_event types.
const std::vector<std::string_view>& known_event_names();

/// The compact JSON of a payload (unknown_event: its raw text).
std::string encode_payload(const event_payload& payload);

} // namespace spectacles::models
