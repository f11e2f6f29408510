// world: the simulator's in-memory Discord state — the bot user, guilds with
// channels, roles and members, and the messages created through REST.
//
// Guild ids are snowflakes one millisecond apart, so guilds spread round-robin
// over shards by Discord's formula (guild_id >> 22) % num_shards (PROTOCOL.md §3).
// Not thread-safe: the simulator guards it with its one state mutex.
#pragma once

#include "sim/clock.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace spectacles::sim {

struct sim_user {
  uint64_t id = 0;
  std::string username;
  std::string global_name; ///< empty = null
  std::string discriminator = "0";
  bool bot = false;
};

struct sim_role {
  uint64_t id = 0;
  std::string name;
  uint32_t color = 0;
  int position = 0;
  std::string permissions = "0";
  bool hoist = false;
  bool managed = false;
  bool mentionable = false;
};

struct sim_member {
  uint64_t user_id = 0;
  std::vector<uint64_t> roles;
  std::string joined_at;
};

/// A permission overwrite of a channel (PUT /channels/{id}/permissions/{id}).
struct sim_overwrite {
  uint64_t id = 0;
  int type = 0; ///< 0 role, 1 member
  std::string allow = "0";
  std::string deny = "0";
};

struct sim_channel {
  uint64_t id = 0;
  uint64_t guild_id = 0;
  uint64_t parent_id = 0; ///< 0 = null
  std::string name;
  int type = 0; ///< 0 text, 1 DM, 4 category, 11/12 thread
  int position = 0;
  uint64_t last_message_id = 0;
  std::vector<sim_overwrite> overwrites{};
  uint64_t recipient_id = 0;     ///< DM channels: the other user
  uint64_t owner_id = 0;         ///< threads: who started it
  int auto_archive_duration = 0; ///< threads, minutes
  std::string created{};         ///< threads: ISO8601 creation time
};

struct sim_attachment {
  uint64_t id = 0;
  std::string filename;
  std::string content_type;
  size_t size = 0;
};

struct sim_message {
  uint64_t id = 0;
  uint64_t channel_id = 0;
  uint64_t guild_id = 0;
  uint64_t author_id = 0;
  uint64_t webhook_id = 0;
  std::string content;
  std::string timestamp;
  std::string edited_timestamp; ///< empty = null
  std::string embeds_json = "[]";
  std::string components_json = "[]";
  std::vector<sim_attachment> attachments;
  /// emoji (as in the URL, decoded) -> users who reacted
  std::map<std::string, std::set<uint64_t>> reactions;
  std::string nonce;
};

struct sim_guild {
  uint64_t id = 0;
  std::string name;
  uint64_t owner_id = 0;
  std::vector<uint64_t> channels;
  std::vector<sim_role> roles;
  std::map<uint64_t, sim_member> members; ///< by user id, ordered for paging
  std::map<uint64_t, std::string> bans;   ///< user id -> reason (empty = null)
};

struct sim_webhook {
  uint64_t id = 0;
  uint64_t channel_id = 0;
  uint64_t guild_id = 0;
  std::string token;
  std::string name;
};

struct world_options {
  size_t guilds = 4;
  size_t channels_per_guild = 3;
  size_t members_per_guild = 25;
  size_t roles_per_guild = 3;
  uint64_t bot_id = 900000000000000018ull;
  std::string bot_name = "spectacles-sim";
};

/// ISO8601 like Discord: "2026-02-27T23:56:37.361000+00:00".
std::string iso_timestamp(time_point t);

class world {
public:
  explicit world(world_options options = {});

  /// A fresh snowflake stamped with `now`.
  uint64_t next_id(time_point now);

  const sim_user& bot() const {
    return users_.at(options_.bot_id);
  }
  const sim_user* user(uint64_t id) const;
  sim_guild* guild(uint64_t id);
  const sim_guild* guild(uint64_t id) const;
  sim_channel* channel(uint64_t id);
  const sim_channel* channel(uint64_t id) const;
  sim_message* message(uint64_t id);
  const std::vector<uint64_t>& guild_ids() const {
    return guild_ids_;
  }
  /// Guilds of shard [shard_id, num_shards], by (guild_id >> 22) % num_shards.
  std::vector<uint64_t> guilds_of_shard(uint32_t shard_id, uint32_t num_shards) const;

  sim_message& add_message(sim_message msg);
  bool remove_message(uint64_t id);
  /// Messages of a channel, newest first, at most `limit`.
  std::vector<const sim_message*> channel_messages(uint64_t channel_id, size_t limit) const;
  size_t message_count() const {
    return messages_.size();
  }
  /// Drops the oldest messages above `max` so a long run stays bounded.
  void trim_messages(size_t max);

  sim_role& add_role(uint64_t guild_id, sim_role role);

  /// Adds a channel; `listed` puts it in its guild's channel list (threads
  /// and DMs are not listed, as in GET /guilds/{id}/channels).
  sim_channel& add_channel(sim_channel channel, bool listed);
  /// Removes a channel, its place in its guild and its messages.
  bool remove_channel(uint64_t id);
  /// The bot's DM channel with `recipient`, made on first use.
  sim_channel& dm_channel(uint64_t recipient, time_point now);

  /// One incoming webhook per guild, on its first text channel.
  const sim_webhook* webhook(uint64_t id) const;
  const std::vector<sim_webhook>& webhooks() const {
    return webhooks_;
  }

private:
  world_options options_;
  uint64_t last_id_ = 0;
  std::unordered_map<uint64_t, sim_user> users_;
  std::unordered_map<uint64_t, sim_guild> guilds_;
  std::vector<uint64_t> guild_ids_;
  std::unordered_map<uint64_t, sim_channel> channels_;
  std::map<uint64_t, sim_message> messages_; ///< ordered by id = by time
  std::vector<sim_webhook> webhooks_;
};

} // namespace spectacles::sim
