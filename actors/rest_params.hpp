// rest_params: JSON bodies of the typed REST calls (rest_client.hpp) and the
// few reply shapes no model covers. Fields as Discord names them; optional
// ones are left out of the JSON when empty (PROTOCOL.md §2.14).
//
//   message_create m;  m.content = "pong";  m.allowed_mentions = models::allowed_mentions{};
//   models::encode(m)  ->  {"content":"pong","allowed_mentions":{}}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/rest_wire.hpp"
#include "models/application.hpp"
#include "models/channel.hpp"
#include "models/describe.hpp"
#include "models/guild.hpp"
#include "models/interaction.hpp"
#include "models/json.hpp"
#include "models/message.hpp"
#include "models/user.hpp"

namespace spectacles::actors {

using models::nullable;
using models::snowflake;

/// POST /channels/{id}/messages (files go as multipart, PROTOCOL.md §2.12).
struct message_create {
  std::optional<std::string> content;
  std::optional<std::string> nonce;
  std::optional<bool> tts;
  std::optional<std::vector<models::embed>> embeds;
  std::optional<models::allowed_mentions> allowed_mentions;
  std::optional<models::message_reference> message_reference;
  std::optional<std::vector<models::component>> components;
  std::optional<std::vector<snowflake>> sticker_ids;
  std::optional<std::vector<models::attachment>> attachments;
  std::optional<uint64_t> flags;
  /// Not JSON: uploaded as files[n] parts.
  std::vector<rest_file> files;
  SPECTACLES_FIELDS(message_create, content, nonce, tts, embeds, allowed_mentions,
                    message_reference, components, sticker_ids, attachments, flags)
};

/// PATCH /channels/{id}/messages/{id}; null clears a field.
struct message_edit {
  std::optional<nullable<std::string>> content;
  std::optional<nullable<std::vector<models::embed>>> embeds;
  std::optional<nullable<uint64_t>> flags;
  std::optional<nullable<models::allowed_mentions>> allowed_mentions;
  std::optional<nullable<std::vector<models::component>>> components;
  std::optional<nullable<std::vector<models::attachment>>> attachments;
  std::vector<rest_file> files;
  SPECTACLES_FIELDS(message_edit, content, embeds, flags, allowed_mentions, components, attachments)
};

/// PATCH /channels/{id}
struct channel_modify {
  std::optional<std::string> name;
  std::optional<int32_t> type;
  std::optional<nullable<int32_t>> position;
  std::optional<nullable<std::string>> topic;
  std::optional<nullable<bool>> nsfw;
  std::optional<nullable<int32_t>> rate_limit_per_user;
  std::optional<nullable<std::vector<models::overwrite>>> permission_overwrites;
  std::optional<nullable<snowflake>> parent_id;
  std::optional<bool> archived;
  std::optional<bool> locked;
  std::optional<int32_t> auto_archive_duration;
  SPECTACLES_FIELDS(channel_modify, name, type, position, topic, nsfw, rate_limit_per_user,
                    permission_overwrites, parent_id, archived, locked, auto_archive_duration)
};

/// PUT /channels/{id}/permissions/{overwrite id}
struct permission_edit {
  std::optional<std::string> allow;
  std::optional<std::string> deny;
  int32_t type = 0; // 0 role, 1 member
  SPECTACLES_FIELDS(permission_edit, allow, deny, type)
};

/// POST /channels/{id}/threads (without a message) and /messages/{id}/threads.
struct thread_create {
  std::string name;
  std::optional<int32_t> auto_archive_duration;
  std::optional<int32_t> type;
  std::optional<bool> invitable;
  std::optional<nullable<int32_t>> rate_limit_per_user;
  SPECTACLES_FIELDS(thread_create, name, auto_archive_duration, type, invitable,
                    rate_limit_per_user)
};

/// POST /guilds/{id}/channels
struct guild_channel_create {
  std::string name;
  std::optional<int32_t> type;
  std::optional<std::string> topic;
  std::optional<int32_t> position;
  std::optional<snowflake> parent_id;
  std::optional<bool> nsfw;
  std::optional<std::vector<models::overwrite>> permission_overwrites;
  SPECTACLES_FIELDS(guild_channel_create, name, type, topic, position, parent_id, nsfw,
                    permission_overwrites)
};

/// PATCH /guilds/{id}
struct guild_modify {
  std::optional<std::string> name;
  std::optional<nullable<int32_t>> verification_level;
  std::optional<nullable<int32_t>> default_message_notifications;
  std::optional<nullable<snowflake>> afk_channel_id;
  std::optional<int32_t> afk_timeout;
  std::optional<nullable<std::string>> icon;
  std::optional<nullable<snowflake>> system_channel_id;
  std::optional<nullable<std::string>> description;
  SPECTACLES_FIELDS(guild_modify, name, verification_level, default_message_notifications,
                    afk_channel_id, afk_timeout, icon, system_channel_id, description)
};

/// PATCH /guilds/{id}/members/{user id}
struct member_modify {
  std::optional<nullable<std::string>> nick;
  std::optional<nullable<std::vector<snowflake>>> roles;
  std::optional<nullable<bool>> mute;
  std::optional<nullable<bool>> deaf;
  std::optional<nullable<snowflake>> channel_id;
  std::optional<nullable<std::string>> communication_disabled_until;
  SPECTACLES_FIELDS(member_modify, nick, roles, mute, deaf, channel_id,
                    communication_disabled_until)
};

/// POST /guilds/{id}/roles, PATCH /guilds/{id}/roles/{id}
struct role_params {
  std::optional<std::string> name;
  std::optional<std::string> permissions;
  std::optional<uint32_t> color;
  std::optional<bool> hoist;
  std::optional<bool> mentionable;
  SPECTACLES_FIELDS(role_params, name, permissions, color, hoist, mentionable)
};

/// PUT /guilds/{id}/bans/{user id}
struct ban_create {
  std::optional<int32_t> delete_message_seconds;
  SPECTACLES_FIELDS(ban_create, delete_message_seconds)
};

/// POST /users/@me/channels
struct dm_create {
  snowflake recipient_id;
  SPECTACLES_FIELDS(dm_create, recipient_id)
};

/// POST /webhooks/{id}/{token} (also interaction follow-ups), PATCH of its messages.
struct webhook_message {
  std::optional<std::string> content;
  std::optional<std::string> username;
  std::optional<std::string> avatar_url;
  std::optional<bool> tts;
  std::optional<std::vector<models::embed>> embeds;
  std::optional<models::allowed_mentions> allowed_mentions;
  std::optional<std::vector<models::component>> components;
  std::optional<std::vector<models::attachment>> attachments;
  std::optional<uint64_t> flags;
  std::vector<rest_file> files;
  SPECTACLES_FIELDS(webhook_message, content, username, avatar_url, tts, embeds, allowed_mentions,
                    components, attachments, flags)
};

/// One command of PUT /applications/{id}/commands (bulk overwrite).
struct application_command_create {
  std::string name;
  std::optional<int32_t> type;
  std::optional<std::string> description;
  std::optional<std::vector<models::application_command_option>> options;
  std::optional<nullable<std::string>> default_member_permissions;
  std::optional<std::vector<int32_t>> integration_types;
  std::optional<std::vector<int32_t>> contexts;
  std::optional<bool> nsfw;
  SPECTACLES_FIELDS(application_command_create, name, type, description, options,
                    default_member_permissions, integration_types, contexts, nsfw)
};

/// POST /channels/{id}/messages/bulk-delete: 2 to 100 ids younger than 14 days.
struct bulk_delete {
  std::vector<snowflake> messages;
  SPECTACLES_FIELDS(bulk_delete, messages)
};

/// GET /gateway/bot
struct session_start_limit_reply {
  int32_t total = 0;
  int32_t remaining = 0;
  int64_t reset_after = 0;
  int32_t max_concurrency = 1;
  SPECTACLES_FIELDS(session_start_limit_reply, total, remaining, reset_after, max_concurrency)
};

struct gateway_bot_reply {
  std::string url;
  int32_t shards = 1;
  actors::session_start_limit_reply session_start_limit;
  SPECTACLES_FIELDS(gateway_bot_reply, url, shards, session_start_limit)
};

/// A reply without a body (204 No Content).
struct rest_empty {};

} // namespace spectacles::actors
