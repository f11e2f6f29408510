// application, SKU, subscription, integration, webhook, invite, ban, audit log entry and
// auto-moderation (developers/resources/application.mdx, sku.mdx, subscription.mdx, guild.mdx
// § Integration/Ban, webhook.mdx, invite.mdx, audit-log.mdx, auto-moderation.mdx).
//
//   {"id":"9000...","name":"bot","flags":11051008,"bot_public":true,...}
#pragma once

#include "models/channel.hpp"
#include "models/describe.hpp"
#include "models/guild.hpp"
#include "models/json.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"
#include "models/user.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::models {

struct application {
  snowflake id;
  std::optional<std::string> name;
  std::optional<nullable<image_hash>> icon;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> rpc_origins;
  std::optional<bool> bot_public;
  std::optional<bool> bot_require_code_grant;
  std::optional<models::user> bot;
  std::optional<std::string> terms_of_service_url;
  std::optional<std::string> privacy_policy_url;
  std::optional<models::user> owner;
  std::optional<std::string> verify_key;
  std::optional<nullable<raw_json>> team;
  std::optional<snowflake> guild_id;
  std::optional<snowflake> primary_sku_id;
  std::optional<std::string> slug;
  std::optional<image_hash> cover_image;
  std::optional<uint64_t> flags;
  std::optional<int32_t> approximate_guild_count;
  std::optional<int32_t> approximate_user_install_count;
  std::optional<std::vector<std::string>> redirect_uris;
  std::optional<nullable<std::string>> interactions_endpoint_url;
  std::optional<nullable<std::string>> role_connections_verification_url;
  std::optional<nullable<std::string>> event_webhooks_url;
  std::optional<int32_t> event_webhooks_status;
  std::optional<std::vector<std::string>> tags;
  std::optional<raw_json> install_params;
  std::optional<raw_json> integration_types_config;
  std::optional<std::string> custom_install_url;
  SPECTACLES_FIELDS(application, id, name, icon, description, rpc_origins, bot_public,
                    bot_require_code_grant, bot, terms_of_service_url, privacy_policy_url, owner,
                    verify_key, team, guild_id, primary_sku_id, slug, cover_image, flags,
                    approximate_guild_count, approximate_user_install_count, redirect_uris,
                    interactions_endpoint_url, role_connections_verification_url,
                    event_webhooks_url, event_webhooks_status, tags, install_params,
                    integration_types_config, custom_install_url)
};

struct sku {
  snowflake id;
  int32_t type = 0;
  snowflake application_id;
  std::string name;
  std::string slug;
  uint64_t flags = 0;
  SPECTACLES_FIELDS(sku, id, type, application_id, name, slug, flags)
};

struct subscription {
  snowflake id;
  snowflake user_id;
  std::vector<snowflake> sku_ids;
  std::vector<snowflake> entitlement_ids;
  std::optional<nullable<std::vector<snowflake>>> renewal_sku_ids;
  timestamp current_period_start;
  timestamp current_period_end;
  int32_t status = 0;
  nullable<timestamp> canceled_at;
  std::optional<std::string> country;
  SPECTACLES_FIELDS(subscription, id, user_id, sku_ids, entitlement_ids, renewal_sku_ids,
                    current_period_start, current_period_end, status, canceled_at, country)
};

struct integration_account {
  std::string id;
  std::string name;
  SPECTACLES_FIELDS(integration_account, id, name)
};

struct integration {
  snowflake id;
  std::string name;
  std::string type;
  std::optional<bool> enabled;
  std::optional<bool> syncing;
  std::optional<snowflake> role_id;
  std::optional<bool> enable_emoticons;
  std::optional<int32_t> expire_behavior;
  std::optional<int32_t> expire_grace_period;
  std::optional<models::user> user;
  std::optional<integration_account> account;
  std::optional<nullable<timestamp>> synced_at;
  std::optional<int32_t> subscriber_count;
  std::optional<bool> revoked;
  std::optional<raw_json> application;
  std::optional<std::vector<std::string>> scopes;
  std::optional<snowflake> guild_id; // INTEGRATION_CREATE/UPDATE
  SPECTACLES_FIELDS(integration, id, name, type, enabled, syncing, role_id, enable_emoticons,
                    expire_behavior, expire_grace_period, user, account, synced_at,
                    subscriber_count, revoked, application, scopes, guild_id)
};

struct webhook {
  snowflake id;
  int32_t type = 1;
  std::optional<nullable<snowflake>> guild_id;
  nullable<snowflake> channel_id;
  std::optional<models::user> user;
  nullable<std::string> name;
  nullable<image_hash> avatar;
  std::optional<std::string> token;
  nullable<snowflake> application_id;
  std::optional<raw_json> source_guild;
  std::optional<raw_json> source_channel;
  std::optional<std::string> url;
  SPECTACLES_FIELDS(webhook, id, type, guild_id, channel_id, user, name, avatar, token,
                    application_id, source_guild, source_channel, url)
};

struct invite {
  std::optional<int32_t> type;
  std::string code;
  std::optional<raw_json> guild; // partial guild
  std::optional<nullable<raw_json>> channel;
  std::optional<models::user> inviter;
  std::optional<int32_t> target_type;
  std::optional<models::user> target_user;
  std::optional<raw_json> target_application;
  std::optional<int32_t> approximate_presence_count;
  std::optional<int32_t> approximate_member_count;
  std::optional<nullable<timestamp>> expires_at;
  std::optional<scheduled_event> guild_scheduled_event;
  std::optional<uint64_t> flags;
  // invite metadata and INVITE_CREATE fields
  std::optional<int32_t> uses;
  std::optional<int32_t> max_uses;
  std::optional<int32_t> max_age;
  std::optional<bool> temporary;
  std::optional<timestamp> created_at;
  std::optional<snowflake> channel_id;
  std::optional<snowflake> guild_id;
  SPECTACLES_FIELDS(invite, type, code, guild, channel, inviter, target_type, target_user,
                    target_application, approximate_presence_count, approximate_member_count,
                    expires_at, guild_scheduled_event, flags, uses, max_uses, max_age, temporary,
                    created_at, channel_id, guild_id)
};

struct ban {
  nullable<std::string> reason;
  models::user user;
  SPECTACLES_FIELDS(ban, reason, user)
};

struct audit_log_change {
  std::optional<raw_json> new_value;
  std::optional<raw_json> old_value;
  std::string key;
  SPECTACLES_FIELDS(audit_log_change, new_value, old_value, key)
};

struct audit_log_entry {
  nullable<std::string> target_id;
  std::optional<std::vector<audit_log_change>> changes;
  nullable<snowflake> user_id;
  snowflake id;
  int32_t action_type = 0;
  std::optional<raw_json> options;
  std::optional<std::string> reason;
  std::optional<snowflake> guild_id; // GUILD_AUDIT_LOG_ENTRY_CREATE
  SPECTACLES_FIELDS(audit_log_entry, target_id, changes, user_id, id, action_type, options, reason,
                    guild_id)
};

struct auto_moderation_action_metadata {
  std::optional<snowflake> channel_id;
  std::optional<int32_t> duration_seconds;
  std::optional<std::string> custom_message;
  SPECTACLES_FIELDS(auto_moderation_action_metadata, channel_id, duration_seconds, custom_message)
};

struct auto_moderation_action {
  int32_t type = 1; // 1 block message, 2 send alert, 3 timeout, 4 block member interaction
  std::optional<auto_moderation_action_metadata> metadata;
  SPECTACLES_FIELDS(auto_moderation_action, type, metadata)
};

struct auto_moderation_trigger_metadata {
  std::optional<std::vector<std::string>> keyword_filter;
  std::optional<std::vector<std::string>> regex_patterns;
  std::optional<std::vector<int32_t>> presets;
  std::optional<std::vector<std::string>> allow_list;
  std::optional<int32_t> mention_total_limit;
  std::optional<bool> mention_raid_protection_enabled;
  SPECTACLES_FIELDS(auto_moderation_trigger_metadata, keyword_filter, regex_patterns, presets,
                    allow_list, mention_total_limit, mention_raid_protection_enabled)
};

struct auto_moderation_rule {
  snowflake id;
  snowflake guild_id;
  std::string name;
  snowflake creator_id;
  int32_t event_type = 1;
  int32_t trigger_type = 1;
  auto_moderation_trigger_metadata trigger_metadata;
  std::vector<auto_moderation_action> actions;
  bool enabled = false;
  std::vector<snowflake> exempt_roles;
  std::vector<snowflake> exempt_channels;
  SPECTACLES_FIELDS(auto_moderation_rule, id, guild_id, name, creator_id, event_type, trigger_type,
                    trigger_metadata, actions, enabled, exempt_roles, exempt_channels)
};

} // namespace spectacles::models
