// guild and what GUILD_CREATE carries with it: voice states, presences, scheduled events,
// stage instances, soundboard sounds (developers/resources/guild.mdx, voice.mdx,
// guild-scheduled-event.mdx, stage-instance.mdx, soundboard.mdx; events/gateway-events.mdx
// § Guild Create, § Presence Update).
//
//   {"id":"197038439483310086","name":"Discord Testers","icon":"f64c482b807da4f539cff778d174971c",
//    "owner_id":"73193882359173120","roles":[...],"emojis":[...],"features":["COMMUNITY"],...}
#pragma once

#include "models/channel.hpp"
#include "models/describe.hpp"
#include "models/json.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"
#include "models/user.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::models {

struct voice_state {
  std::optional<snowflake> guild_id; // absent inside GUILD_CREATE
  nullable<snowflake> channel_id;
  snowflake user_id;
  std::optional<guild_member> member;
  std::string session_id;
  bool deaf = false;
  bool mute = false;
  bool self_deaf = false;
  bool self_mute = false;
  std::optional<bool> self_stream;
  bool self_video = false;
  bool suppress = false;
  nullable<timestamp> request_to_speak_timestamp;
  std::optional<bool> discoverable;
  SPECTACLES_FIELDS(voice_state, guild_id, channel_id, user_id, member, session_id, deaf, mute,
                    self_deaf, self_mute, self_stream, self_video, suppress,
                    request_to_speak_timestamp, discoverable)
};

struct activity_timestamps {
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  SPECTACLES_FIELDS(activity_timestamps, start, end)
};

struct activity_emoji {
  std::string name;
  std::optional<snowflake> id;
  std::optional<bool> animated;
  SPECTACLES_FIELDS(activity_emoji, name, id, animated)
};

struct activity_party {
  std::optional<std::string> id;
  std::optional<std::vector<int32_t>> size;
  SPECTACLES_FIELDS(activity_party, id, size)
};

struct activity_assets {
  std::optional<std::string> large_image;
  std::optional<std::string> large_text;
  std::optional<std::string> large_url;
  std::optional<std::string> small_image;
  std::optional<std::string> small_text;
  std::optional<std::string> small_url;
  SPECTACLES_FIELDS(activity_assets, large_image, large_text, large_url, small_image, small_text,
                    small_url)
};

struct activity_button {
  std::string label;
  std::string url;
  SPECTACLES_FIELDS(activity_button, label, url)
};

/// An activity (gateway-events.mdx § Activity Object). Bots send name, type, state and url.
struct activity {
  std::string name;
  int32_t type = 0; // 0 playing, 1 streaming, 2 listening, 3 watching, 4 custom, 5 competing
  std::optional<nullable<std::string>> url;
  std::optional<int64_t> created_at;
  std::optional<activity_timestamps> timestamps;
  std::optional<snowflake> application_id;
  std::optional<int32_t> status_display_type;
  std::optional<nullable<std::string>> details;
  std::optional<nullable<std::string>> details_url;
  std::optional<nullable<std::string>> state;
  std::optional<nullable<std::string>> state_url;
  std::optional<nullable<activity_emoji>> emoji;
  std::optional<activity_party> party;
  std::optional<activity_assets> assets;
  std::optional<raw_json> secrets;
  std::optional<bool> instance;
  std::optional<uint64_t> flags;
  std::optional<raw_json> buttons; // labels only when received, objects when sent
  SPECTACLES_FIELDS(activity, name, type, url, created_at, timestamps, application_id,
                    status_display_type, details, details_url, state, state_url, emoji, party,
                    assets, secrets, instance, flags, buttons)
};

struct client_status {
  std::optional<std::string> desktop;
  std::optional<std::string> mobile;
  std::optional<std::string> web;
  SPECTACLES_FIELDS(client_status, desktop, mobile, web)
};

/// PRESENCE_UPDATE: `user` may hold only an id, and no field is guaranteed (§1.19).
struct presence {
  raw_json user; // a partial user whose field types Discord does not validate
  std::optional<snowflake> guild_id;
  std::optional<std::string> status;
  std::optional<std::vector<activity>> activities;
  std::optional<models::client_status> client_status;
  SPECTACLES_FIELDS(presence, user, guild_id, status, activities, client_status)
};

struct scheduled_event_recurrence_rule {
  timestamp start;
  nullable<timestamp> end;
  int32_t frequency = 0;
  int32_t interval = 1;
  nullable<std::vector<int32_t>> by_weekday;
  nullable<raw_json> by_n_weekday;
  nullable<std::vector<int32_t>> by_month;
  nullable<std::vector<int32_t>> by_month_day;
  nullable<std::vector<int32_t>> by_year_day;
  nullable<int32_t> count;
  SPECTACLES_FIELDS(scheduled_event_recurrence_rule, start, end, frequency, interval, by_weekday,
                    by_n_weekday, by_month, by_month_day, by_year_day, count)
};

struct scheduled_event_metadata {
  std::optional<std::string> location;
  SPECTACLES_FIELDS(scheduled_event_metadata, location)
};

struct scheduled_event {
  snowflake id;
  snowflake guild_id;
  nullable<snowflake> channel_id;
  std::optional<nullable<snowflake>> creator_id;
  std::string name;
  std::optional<nullable<std::string>> description;
  timestamp scheduled_start_time;
  nullable<timestamp> scheduled_end_time;
  int32_t privacy_level = 2;
  int32_t status = 1;
  int32_t entity_type = 1;
  nullable<snowflake> entity_id;
  nullable<scheduled_event_metadata> entity_metadata;
  std::optional<user> creator;
  std::optional<int32_t> user_count;
  std::optional<nullable<image_hash>> image;
  std::optional<nullable<scheduled_event_recurrence_rule>> recurrence_rule;
  SPECTACLES_FIELDS(scheduled_event, id, guild_id, channel_id, creator_id, name, description,
                    scheduled_start_time, scheduled_end_time, privacy_level, status, entity_type,
                    entity_id, entity_metadata, creator, user_count, image, recurrence_rule)
};

struct stage_instance {
  snowflake id;
  snowflake guild_id;
  snowflake channel_id;
  std::string topic;
  int32_t privacy_level = 2;
  bool discoverable_disabled = false;
  nullable<snowflake> guild_scheduled_event_id;
  SPECTACLES_FIELDS(stage_instance, id, guild_id, channel_id, topic, privacy_level,
                    discoverable_disabled, guild_scheduled_event_id)
};

struct soundboard_sound {
  std::string name;
  snowflake sound_id;
  double volume = 1.0;
  nullable<snowflake> emoji_id;
  nullable<std::string> emoji_name;
  std::optional<snowflake> guild_id;
  bool available = true;
  std::optional<models::user> user;
  SPECTACLES_FIELDS(soundboard_sound, name, sound_id, volume, emoji_id, emoji_name, guild_id,
                    available, user)
};

/// `{id, unavailable: true}` in READY, GUILD_CREATE during outages and GUILD_DELETE.
struct unavailable_guild {
  snowflake id;
  std::optional<bool> unavailable; // absent in GUILD_DELETE = the bot left or was removed
  SPECTACLES_FIELDS(unavailable_guild, id, unavailable)
};

struct welcome_screen_channel {
  snowflake channel_id;
  std::string description;
  nullable<snowflake> emoji_id;
  nullable<std::string> emoji_name;
  SPECTACLES_FIELDS(welcome_screen_channel, channel_id, description, emoji_id, emoji_name)
};

struct welcome_screen {
  nullable<std::string> description;
  std::vector<welcome_screen_channel> welcome_channels;
  SPECTACLES_FIELDS(welcome_screen, description, welcome_channels)
};

struct incidents_data {
  nullable<timestamp> invites_disabled_until;
  nullable<timestamp> dms_disabled_until;
  std::optional<nullable<timestamp>> dm_spam_detected_at;
  std::optional<nullable<timestamp>> raid_detected_at;
  SPECTACLES_FIELDS(incidents_data, invites_disabled_until, dms_disabled_until, dm_spam_detected_at,
                    raid_detected_at)
};

/// A guild; the optional block at the end is what GUILD_CREATE adds (PROTOCOL.md §1.19).
struct guild {
  snowflake id;
  std::string name;
  nullable<image_hash> icon;
  std::optional<nullable<image_hash>> icon_hash;
  nullable<image_hash> splash;
  nullable<image_hash> discovery_splash;
  std::optional<bool> owner;
  snowflake owner_id;
  std::optional<models::permissions> permissions;
  std::optional<nullable<std::string>> region;
  nullable<snowflake> afk_channel_id;
  int32_t afk_timeout = 0;
  std::optional<bool> widget_enabled;
  std::optional<nullable<snowflake>> widget_channel_id;
  int32_t verification_level = 0;
  int32_t default_message_notifications = 0;
  int32_t explicit_content_filter = 0;
  std::vector<role> roles;
  std::vector<emoji> emojis;
  std::vector<std::string> features;
  int32_t mfa_level = 0;
  nullable<snowflake> application_id;
  nullable<snowflake> system_channel_id;
  uint64_t system_channel_flags = 0;
  nullable<snowflake> rules_channel_id;
  std::optional<nullable<int32_t>> max_presences;
  std::optional<int32_t> max_members;
  nullable<std::string> vanity_url_code;
  nullable<std::string> description;
  nullable<image_hash> banner;
  int32_t premium_tier = 0;
  std::optional<int32_t> premium_subscription_count;
  locale preferred_locale;
  nullable<snowflake> public_updates_channel_id;
  std::optional<int32_t> max_video_channel_users;
  std::optional<int32_t> max_stage_video_channel_users;
  std::optional<int32_t> approximate_member_count;
  std::optional<int32_t> approximate_presence_count;
  std::optional<models::welcome_screen> welcome_screen;
  int32_t nsfw_level = 0;
  std::optional<std::vector<sticker>> stickers;
  bool premium_progress_bar_enabled = false;
  nullable<snowflake> safety_alerts_channel_id;
  std::optional<nullable<models::incidents_data>> incidents_data;
  // GUILD_CREATE extras
  std::optional<timestamp> joined_at;
  std::optional<bool> large;
  std::optional<bool> unavailable;
  std::optional<int32_t> member_count;
  std::optional<std::vector<voice_state>> voice_states;
  std::optional<std::vector<guild_member>> members;
  std::optional<std::vector<channel>> channels;
  std::optional<std::vector<channel>> threads;
  std::optional<std::vector<presence>> presences;
  std::optional<std::vector<stage_instance>> stage_instances;
  std::optional<std::vector<scheduled_event>> guild_scheduled_events;
  std::optional<std::vector<soundboard_sound>> soundboard_sounds;
  SPECTACLES_FIELDS(guild, id, name, icon, icon_hash, splash, discovery_splash, owner, owner_id,
                    permissions, region, afk_channel_id, afk_timeout, widget_enabled,
                    widget_channel_id, verification_level, default_message_notifications,
                    explicit_content_filter, roles, emojis, features, mfa_level, application_id,
                    system_channel_id, system_channel_flags, rules_channel_id, max_presences,
                    max_members, vanity_url_code, description, banner, premium_tier,
                    premium_subscription_count, preferred_locale, public_updates_channel_id,
                    max_video_channel_users, max_stage_video_channel_users,
                    approximate_member_count, approximate_presence_count, welcome_screen,
                    nsfw_level, stickers, premium_progress_bar_enabled, safety_alerts_channel_id,
                    incidents_data, joined_at, large, unavailable, member_count, voice_states,
                    members, channels, threads, presences, stage_instances, guild_scheduled_events,
                    soundboard_sounds)
};

} // namespace spectacles::models
