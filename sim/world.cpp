#include "sim/world.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace spectacles::sim {

namespace {

constexpr uint64_t discord_epoch_ms = 1420070400000ull;
// 2024-01-01T00:00:00Z: the creation time of the generated guilds and users.
constexpr uint64_t world_epoch_ms = 1704067200000ull;

uint64_t stamp(uint64_t unix_ms, uint64_t increment) {
  return ((unix_ms - discord_epoch_ms) << 22) | (increment & 0xFFF);
}

} // namespace

std::string iso_timestamp(time_point t) {
  auto ms = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03d000+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

world::world(world_options options) : options_(std::move(options)) {
  users_[options_.bot_id] = sim_user{ options_.bot_id, options_.bot_name, "", "7281", true };
  auto joined = iso_timestamp(time_point{ milliseconds{ world_epoch_ms } });
  uint64_t seq = 1;
  for (size_t g = 0; g < options_.guilds; ++g) {
    sim_guild guild;
    // One millisecond apart: consecutive guilds land on consecutive shards.
    guild.id = stamp(world_epoch_ms + g, 0);
    guild.name = "guild_" + std::to_string(g + 1);
    // @everyone shares the guild's id (PROTOCOL.md §3).
    guild.roles.push_back(sim_role{ guild.id, "@everyone", 0, 0, "2248473465835073" });
    for (size_t r = 0; r < options_.roles_per_guild; ++r)
      guild.roles.push_back(
        sim_role{ stamp(world_epoch_ms + 100000 + g, seq++), "role_" + std::to_string(r + 1),
                  static_cast<uint32_t>(3066993 + r * 1000), static_cast<int>(r + 1),
                  r == 0 ? "8" : "274881121280", r == 0, false, r == 0 });
    uint64_t category = stamp(world_epoch_ms + 200000 + g, seq++);
    channels_[category] = sim_channel{ category, guild.id, 0, "Text Channels", 4, 0, 0 };
    guild.channels.push_back(category);
    for (size_t c = 0; c < options_.channels_per_guild; ++c) {
      uint64_t id = stamp(world_epoch_ms + 200000 + g, seq++);
      channels_[id] = sim_channel{
        id, guild.id, category, "channel-" + std::to_string(c + 1), 0, static_cast<int>(c), 0
      };
      guild.channels.push_back(id);
    }
    guild.members[options_.bot_id] = sim_member{ options_.bot_id, {}, joined };
    for (size_t m = 0; m < options_.members_per_guild; ++m) {
      // Users are shared between guilds where the index overlaps, as in life.
      uint64_t uid = stamp(world_epoch_ms + 300000 + m, 1);
      if (!users_.count(uid))
        users_[uid] = sim_user{ uid, "user_" + std::to_string(m + 1),
                                "User " + std::to_string(m + 1), "0", false };
      sim_member member{ uid, {}, joined };
      if (options_.roles_per_guild > 0)
        member.roles.push_back(guild.roles[1 + m % options_.roles_per_guild].id);
      guild.members[uid] = std::move(member);
    }
    guild.owner_id
      = guild.members.size() > 1 ? std::next(guild.members.begin())->first : options_.bot_id;
    if (guild.channels.size() > 1)
      webhooks_.push_back(sim_webhook{ stamp(world_epoch_ms + 400000 + g, 1), guild.channels[1],
                                       guild.id, "webhook-token-" + std::to_string(g + 1),
                                       "hook " + std::to_string(g + 1) });
    guild_ids_.push_back(guild.id);
    guilds_[guild.id] = std::move(guild);
  }
}

uint64_t world::next_id(time_point now) {
  auto ms = static_cast<uint64_t>(
    std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count());
  uint64_t id = stamp(std::max(ms, discord_epoch_ms), 0);
  last_id_ = std::max(id, last_id_ + 1);
  return last_id_;
}

const sim_user* world::user(uint64_t id) const {
  auto i = users_.find(id);
  return i == users_.end() ? nullptr : &i->second;
}

sim_guild* world::guild(uint64_t id) {
  auto i = guilds_.find(id);
  return i == guilds_.end() ? nullptr : &i->second;
}

sim_channel* world::channel(uint64_t id) {
  auto i = channels_.find(id);
  return i == channels_.end() ? nullptr : &i->second;
}

const sim_guild* world::guild(uint64_t id) const {
  auto i = guilds_.find(id);
  return i == guilds_.end() ? nullptr : &i->second;
}

const sim_channel* world::channel(uint64_t id) const {
  auto i = channels_.find(id);
  return i == channels_.end() ? nullptr : &i->second;
}

sim_message* world::message(uint64_t id) {
  auto i = messages_.find(id);
  return i == messages_.end() ? nullptr : &i->second;
}

std::vector<uint64_t> world::guilds_of_shard(uint32_t shard_id, uint32_t num_shards) const {
  std::vector<uint64_t> out;
  for (auto id : guild_ids_)
    if (num_shards == 0 || (id >> 22) % num_shards == shard_id)
      out.push_back(id);
  return out;
}

sim_message& world::add_message(sim_message msg) {
  if (auto* ch = channel(msg.channel_id))
    ch->last_message_id = msg.id;
  auto id = msg.id;
  return messages_[id] = std::move(msg);
}

bool world::remove_message(uint64_t id) {
  return messages_.erase(id) > 0;
}

std::vector<const sim_message*> world::channel_messages(uint64_t channel_id, size_t limit) const {
  std::vector<const sim_message*> out;
  for (auto i = messages_.rbegin(); i != messages_.rend() && out.size() < limit; ++i)
    if (i->second.channel_id == channel_id)
      out.push_back(&i->second);
  return out;
}

void world::trim_messages(size_t max) {
  while (messages_.size() > max)
    messages_.erase(messages_.begin());
}

const sim_webhook* world::webhook(uint64_t id) const {
  for (auto& h : webhooks_)
    if (h.id == id)
      return &h;
  return nullptr;
}

sim_role& world::add_role(uint64_t guild_id, sim_role role) {
  auto& g = guilds_.at(guild_id);
  g.roles.push_back(std::move(role));
  return g.roles.back();
}

sim_channel& world::add_channel(sim_channel c, bool listed) {
  if (auto* g = guild(c.guild_id); g && listed)
    g->channels.push_back(c.id);
  auto id = c.id;
  return channels_[id] = std::move(c);
}

bool world::remove_channel(uint64_t id) {
  auto i = channels_.find(id);
  if (i == channels_.end())
    return false;
  if (auto* g = guild(i->second.guild_id))
    g->channels.erase(std::remove(g->channels.begin(), g->channels.end(), id), g->channels.end());
  channels_.erase(i);
  std::erase_if(messages_, [id](const auto& entry) {
    return entry.second.channel_id == id;
  });
  return true;
}

sim_channel& world::dm_channel(uint64_t recipient, time_point now) {
  for (auto& [id, c] : channels_)
    if (c.type == 1 && c.recipient_id == recipient)
      return c;
  sim_channel c;
  c.id = next_id(now);
  c.type = 1;
  c.recipient_id = recipient;
  return add_channel(std::move(c), false);
}

} // namespace spectacles::sim
