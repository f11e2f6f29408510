// channel, threads and forum parts (developers/resources/channel.mdx).
//
//   {"id":"41771983423143937","type":0,"guild_id":"41771983423143937","name":"general",
//    "position":6,"permission_overwrites":[],"nsfw":true,"topic":"24/7 chat",
//    "last_message_id":"155117677105512449","parent_id":"399942396007890945"}
#pragma once

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

/// Every channel type (channel.mdx § Channel Types); unknown values are kept.
enum class channel_type : int32_t {
  guild_text = 0,
  dm = 1,
  guild_voice = 2,
  group_dm = 3,
  guild_category = 4,
  guild_announcement = 5,
  announcement_thread = 10,
  public_thread = 11,
  private_thread = 12,
  guild_stage_voice = 13,
  guild_directory = 14,
  guild_forum = 15,
  guild_media = 16,
};

/// A role (type 0) or member (type 1) permission overwrite.
struct overwrite {
  snowflake id;
  int32_t type = 0;
  permissions allow;
  permissions deny;
  SPECTACLES_FIELDS(overwrite, id, type, allow, deny)
};

struct thread_metadata {
  bool archived = false;
  int32_t auto_archive_duration = 0;
  nullable<timestamp> archive_timestamp;
  bool locked = false;
  std::optional<bool> invitable;
  std::optional<nullable<timestamp>> create_timestamp;
  SPECTACLES_FIELDS(thread_metadata, archived, auto_archive_duration, archive_timestamp, locked,
                    invitable, create_timestamp)
};

struct thread_member {
  std::optional<snowflake> id;
  std::optional<snowflake> user_id;
  timestamp join_timestamp;
  uint64_t flags = 0;
  std::optional<guild_member> member;
  std::optional<snowflake> guild_id; // THREAD_MEMBER_UPDATE
  SPECTACLES_FIELDS(thread_member, id, user_id, join_timestamp, flags, member, guild_id)
};

struct forum_tag {
  snowflake id;
  std::string name;
  bool moderated = false;
  nullable<snowflake> emoji_id;
  nullable<std::string> emoji_name;
  SPECTACLES_FIELDS(forum_tag, id, name, moderated, emoji_id, emoji_name)
};

struct default_reaction {
  nullable<snowflake> emoji_id;
  nullable<std::string> emoji_name;
  SPECTACLES_FIELDS(default_reaction, emoji_id, emoji_name)
};

struct channel {
  snowflake id;
  channel_type type = channel_type::guild_text;
  std::optional<snowflake> guild_id;
  std::optional<int32_t> position;
  std::optional<std::vector<overwrite>> permission_overwrites;
  std::optional<nullable<std::string>> name;
  std::optional<nullable<std::string>> topic;
  std::optional<bool> nsfw;
  std::optional<nullable<snowflake>> last_message_id;
  std::optional<int32_t> bitrate;
  std::optional<int32_t> user_limit;
  std::optional<int32_t> rate_limit_per_user;
  std::optional<std::vector<user>> recipients;
  std::optional<nullable<image_hash>> icon;
  std::optional<snowflake> owner_id;
  std::optional<snowflake> application_id;
  std::optional<bool> managed;
  std::optional<nullable<snowflake>> parent_id;
  std::optional<nullable<timestamp>> last_pin_timestamp;
  std::optional<nullable<std::string>> rtc_region;
  std::optional<int32_t> video_quality_mode;
  std::optional<int32_t> message_count;
  std::optional<int32_t> member_count;
  std::optional<models::thread_metadata> thread_metadata;
  heap_optional<thread_member> member;
  std::optional<int32_t> default_auto_archive_duration;
  std::optional<models::permissions> permissions;
  std::optional<uint64_t> flags;
  std::optional<int32_t> total_message_sent;
  std::optional<std::vector<forum_tag>> available_tags;
  std::optional<std::vector<snowflake>> applied_tags;
  std::optional<nullable<default_reaction>> default_reaction_emoji;
  std::optional<int32_t> default_thread_rate_limit_per_user;
  std::optional<nullable<int32_t>> default_sort_order;
  std::optional<int32_t> default_forum_layout;
  std::optional<nullable<std::string>> status; // voice channel status
  std::optional<bool> newly_created;           // THREAD_CREATE
  SPECTACLES_FIELDS(channel, id, type, guild_id, position, permission_overwrites, name, topic, nsfw,
                    last_message_id, bitrate, user_limit, rate_limit_per_user, recipients, icon,
                    owner_id, application_id, managed, parent_id, last_pin_timestamp, rtc_region,
                    video_quality_mode, message_count, member_count, thread_metadata, member,
                    default_auto_archive_duration, permissions, flags, total_message_sent,
                    available_tags, applied_tags, default_reaction_emoji,
                    default_thread_rate_limit_per_user, default_sort_order, default_forum_layout,
                    status, newly_created)
};

/// A partial channel as mentioned in a message (`mention_channels`).
struct channel_mention {
  snowflake id;
  snowflake guild_id;
  channel_type type = channel_type::guild_text;
  std::string name;
  SPECTACLES_FIELDS(channel_mention, id, guild_id, type, name)
};

} // namespace spectacles::models
