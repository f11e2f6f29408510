// gateway: opcodes, the commands a shard sends and the non-dispatch payloads it receives
// (PROTOCOL.md §1.3-§1.10, §1.17; developers/events/gateway-events.mdx § Send Events).
//
//   gateway_command(identify{ .token = t, .properties = {"linux", "spectacles", "spectacles"},
//                             .intents = intents{ intents::guilds } })
//     -> {"op":2,"d":{"token":"...","properties":{"os":"linux",...},"intents":1}}
#pragma once

#include "models/application.hpp"
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

/// Gateway opcodes (PROTOCOL.md §1.4). Opcode 5 does not exist.
enum class opcode : int32_t {
  dispatch = 0,
  heartbeat = 1,
  identify = 2,
  presence_update = 3,
  voice_state_update = 4,
  resume = 6,
  reconnect = 7,
  request_guild_members = 8,
  invalid_session = 9,
  hello = 10,
  heartbeat_ack = 11,
  request_soundboard_sounds = 31,
  request_channel_info = 43,
};

struct identify_properties {
  std::string os;
  std::string browser;
  std::string device;
  SPECTACLES_FIELDS(identify_properties, os, browser, device)
};

/// Op 3, and the `presence` of IDENTIFY.
struct presence_update {
  static constexpr opcode op = opcode::presence_update;
  nullable<int64_t> since; // unix ms when the client went idle
  std::vector<activity> activities;
  std::string status = "online"; // online, dnd, idle, invisible, offline
  bool afk = false;
  SPECTACLES_FIELDS(presence_update, since, activities, status, afk)
};

struct identify {
  static constexpr opcode op = opcode::identify;
  std::string token;
  identify_properties properties;
  std::optional<bool> compress;
  std::optional<int32_t> large_threshold;     // 50-250
  std::optional<std::vector<uint32_t>> shard; // [shard_id, num_shards]
  std::optional<presence_update> presence;
  models::intents intents;
  SPECTACLES_FIELDS(identify, token, properties, compress, large_threshold, shard, presence,
                    intents)
};

struct resume {
  static constexpr opcode op = opcode::resume;
  std::string token;
  std::string session_id;
  uint64_t seq = 0;
  SPECTACLES_FIELDS(resume, token, session_id, seq)
};

/// Op 4; a null channel_id disconnects.
struct voice_state_update {
  static constexpr opcode op = opcode::voice_state_update;
  snowflake guild_id;
  nullable<snowflake> channel_id;
  bool self_mute = false;
  bool self_deaf = false;
  SPECTACLES_FIELDS(voice_state_update, guild_id, channel_id, self_mute, self_deaf)
};

struct request_guild_members {
  static constexpr opcode op = opcode::request_guild_members;
  snowflake guild_id;
  std::optional<std::string> query;
  std::optional<int32_t> limit;
  std::optional<bool> presences;
  std::optional<std::vector<snowflake>> user_ids;
  std::optional<std::string> nonce; // <= 32 bytes, otherwise Discord ignores it
  SPECTACLES_FIELDS(request_guild_members, guild_id, query, limit, presences, user_ids, nonce)
};

struct request_soundboard_sounds {
  static constexpr opcode op = opcode::request_soundboard_sounds;
  std::vector<snowflake> guild_ids;
  SPECTACLES_FIELDS(request_soundboard_sounds, guild_ids)
};

struct request_channel_info {
  static constexpr opcode op = opcode::request_channel_info;
  snowflake guild_id;
  std::vector<std::string> fields_; // JSON "fields": "status", "voice_start_time"
  static constexpr auto fields() {
    return std::tuple{ field_desc{ "guild_id", &request_channel_info::guild_id },
                       field_desc{ "fields", &request_channel_info::fields_ } };
  }
};

/// `{"op":N,"d":<command>}` for any command above.
template <class T>
std::string gateway_command(const T& command) {
  std::string out = "{\"op\":" + std::to_string(static_cast<int>(T::op)) + ",\"d\":";
  encode_to(out, command);
  out += '}';
  return out;
}

/// `{"op":1,"d":<last seq or null>}` (PROTOCOL.md §1.5).
std::string heartbeat_command(std::optional<uint64_t> last_seq);

/// Op 10's `d`.
struct hello {
  int64_t heartbeat_interval = 0; // ms
  SPECTACLES_FIELDS(hello, heartbeat_interval)
};

/// READY's `d` (PROTOCOL.md §1.7); undocumented keys are ignored.
struct ready {
  int32_t v = 0;
  models::user user;
  std::vector<unavailable_guild> guilds;
  std::string session_id;
  std::string resume_gateway_url;
  std::optional<std::vector<uint32_t>> shard;
  models::application application; // partial: id and flags
  SPECTACLES_FIELDS(ready, v, user, guilds, session_id, resume_gateway_url, shard, application)
};

/// Op 9's `d` is a bare boolean: true = the session may be resumed (PROTOCOL.md §1.10).
/// nullopt when `d` is not a boolean.
std::optional<bool> parse_invalid_session(std::string_view d);

} // namespace spectacles::models
