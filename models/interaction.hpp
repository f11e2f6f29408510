// interaction, its data for every interaction type, the interaction response and application
// commands (developers/interactions/receiving-and-responding.mdx, application-commands.mdx).
//
//   {"id":"...","application_id":"...","type":2,"token":"...","version":1,
//    "data":{"id":"...","name":"ping","type":1},"guild_id":"...","channel_id":"...",
//    "member":{...},"app_permissions":"2248473465835073","locale":"en-US","context":0}
#pragma once

#include "models/channel.hpp"
#include "models/describe.hpp"
#include "models/json.hpp"
#include "models/message.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"
#include "models/user.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::models {

enum class interaction_type : int32_t {
  ping = 1,
  application_command = 2,
  message_component = 3,
  application_command_autocomplete = 4,
  modal_submit = 5,
};

enum class application_command_option_type : int32_t {
  sub_command = 1,
  sub_command_group = 2,
  string = 3,
  integer = 4,
  boolean = 5,
  user = 6,
  channel = 7,
  role = 8,
  mentionable = 9,
  number = 10,
  attachment = 11,
};

/// An option the user filled in; `value` is a string, integer, number or boolean.
struct interaction_data_option {
  std::string name;
  application_command_option_type type = application_command_option_type::string;
  std::optional<raw_json> value;
  std::optional<std::vector<interaction_data_option>> options;
  std::optional<bool> focused; // autocomplete
  SPECTACLES_FIELDS(interaction_data_option, name, type, value, options, focused)
};

/// `data` of every interaction type in one shape: application command (id, name, type,
/// resolved, options, target_id), message component (custom_id, component_type, values),
/// modal submit (custom_id, components).
struct interaction_data {
  std::optional<snowflake> id;
  std::optional<std::string> name;
  std::optional<int32_t> type;
  std::optional<resolved_data> resolved;
  std::optional<std::vector<interaction_data_option>> options;
  std::optional<snowflake> guild_id;
  std::optional<snowflake> target_id;
  std::optional<std::string> custom_id;
  std::optional<models::component_type> component_type;
  std::optional<std::vector<std::string>> values;
  std::optional<std::vector<component>> components;
  SPECTACLES_FIELDS(interaction_data, id, name, type, resolved, options, guild_id, target_id,
                    custom_id, component_type, values, components)
};

/// The partial guild an interaction carries.
struct interaction_guild {
  snowflake id;
  std::optional<std::vector<std::string>> features;
  std::optional<models::locale> locale;
  SPECTACLES_FIELDS(interaction_guild, id, features, locale)
};

struct entitlement {
  snowflake id;
  snowflake sku_id;
  snowflake application_id;
  std::optional<snowflake> user_id;
  int32_t type = 0;
  bool deleted = false;
  std::optional<nullable<timestamp>> starts_at;
  std::optional<nullable<timestamp>> ends_at;
  std::optional<snowflake> guild_id;
  std::optional<bool> consumed;
  SPECTACLES_FIELDS(entitlement, id, sku_id, application_id, user_id, type, deleted, starts_at,
                    ends_at, guild_id, consumed)
};

struct interaction {
  snowflake id;
  snowflake application_id;
  interaction_type type = interaction_type::ping;
  std::optional<interaction_data> data;
  std::optional<interaction_guild> guild;
  std::optional<snowflake> guild_id;
  std::optional<models::channel> channel;
  std::optional<snowflake> channel_id;
  std::optional<guild_member> member;
  std::optional<models::user> user;
  std::string token;
  int32_t version = 1;
  std::optional<models::message> message;
  std::optional<permissions> app_permissions;
  std::optional<models::locale> locale;
  std::optional<models::locale> guild_locale;
  std::vector<entitlement> entitlements;
  std::optional<std::vector<snowflake>> entitlement_sku_ids;
  std::map<std::string, snowflake> authorizing_integration_owners;
  std::optional<int32_t> context;
  std::optional<uint64_t> attachment_size_limit;
  SPECTACLES_FIELDS(interaction, id, application_id, type, data, guild, guild_id, channel,
                    channel_id, member, user, token, version, message, app_permissions, locale,
                    guild_locale, entitlements, entitlement_sku_ids, authorizing_integration_owners,
                    context, attachment_size_limit)
};

struct application_command_option_choice {
  std::string name;
  std::optional<nullable<std::map<std::string, std::string>>> name_localizations;
  raw_json value; // string, integer or number
  SPECTACLES_FIELDS(application_command_option_choice, name, name_localizations, value)
};

struct application_command_option {
  application_command_option_type type = application_command_option_type::string;
  std::string name;
  std::optional<nullable<std::map<std::string, std::string>>> name_localizations;
  std::string description;
  std::optional<nullable<std::map<std::string, std::string>>> description_localizations;
  std::optional<bool> required;
  std::optional<std::vector<application_command_option_choice>> choices;
  std::optional<std::vector<application_command_option>> options;
  std::optional<std::vector<channel_type>> channel_types;
  std::optional<raw_json> min_value;
  std::optional<raw_json> max_value;
  std::optional<int32_t> min_length;
  std::optional<int32_t> max_length;
  std::optional<bool> autocomplete;
  SPECTACLES_FIELDS(application_command_option, type, name, name_localizations, description,
                    description_localizations, required, choices, options, channel_types, min_value,
                    max_value, min_length, max_length, autocomplete)
};

struct application_command {
  snowflake id;
  std::optional<int32_t> type; // 1 chat input, 2 user, 3 message, 4 primary entry point
  snowflake application_id;
  std::optional<snowflake> guild_id;
  std::string name;
  std::optional<nullable<std::map<std::string, std::string>>> name_localizations;
  std::string description;
  std::optional<nullable<std::map<std::string, std::string>>> description_localizations;
  std::optional<std::vector<application_command_option>> options;
  nullable<permissions> default_member_permissions;
  std::optional<bool> dm_permission;
  std::optional<nullable<bool>> default_permission;
  std::optional<bool> nsfw;
  std::optional<std::vector<int32_t>> integration_types;
  std::optional<nullable<std::vector<int32_t>>> contexts;
  snowflake version;
  std::optional<int32_t> handler;
  SPECTACLES_FIELDS(application_command, id, type, application_id, guild_id, name,
                    name_localizations, description, description_localizations, options,
                    default_member_permissions, dm_permission, default_permission, nsfw,
                    integration_types, contexts, version, handler)
};

struct application_command_permission {
  snowflake id;
  int32_t type = 1; // 1 role, 2 user, 3 channel
  bool permission = false;
  SPECTACLES_FIELDS(application_command_permission, id, type, permission)
};

/// APPLICATION_COMMAND_PERMISSIONS_UPDATE and GET .../permissions.
struct guild_application_command_permissions {
  snowflake id;
  snowflake application_id;
  snowflake guild_id;
  std::vector<application_command_permission> permissions;
  SPECTACLES_FIELDS(guild_application_command_permissions, id, application_id, guild_id,
                    permissions)
};

struct allowed_mentions {
  std::optional<std::vector<std::string>> parse;
  std::optional<std::vector<snowflake>> roles;
  std::optional<std::vector<snowflake>> users;
  std::optional<bool> replied_user;
  SPECTACLES_FIELDS(allowed_mentions, parse, roles, users, replied_user)
};

/// The `data` of an interaction response: a message, choices (autocomplete) or a modal.
struct interaction_callback_data {
  std::optional<bool> tts;
  std::optional<std::string> content;
  std::optional<std::vector<embed>> embeds;
  std::optional<models::allowed_mentions> allowed_mentions;
  std::optional<uint64_t> flags;
  std::optional<std::vector<component>> components;
  std::optional<std::vector<attachment>> attachments;
  std::optional<models::poll> poll;
  std::optional<std::vector<application_command_option_choice>> choices;
  std::optional<std::string> custom_id;
  std::optional<std::string> title;
  SPECTACLES_FIELDS(interaction_callback_data, tts, content, embeds, allowed_mentions, flags,
                    components, attachments, poll, choices, custom_id, title)
};

struct interaction_response {
  int32_t type
    = 4; // 1 pong, 4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete, 9 modal
  std::optional<interaction_callback_data> data;
  SPECTACLES_FIELDS(interaction_response, type, data)
};

} // namespace spectacles::models
