// event_stream: the realistic dispatch events a session receives after READY —
// messages, reactions, typing, edits, deletes, presences, member updates,
// voice states — cycling over the guilds of the shard, shaped like the
// captures in tests/fixtures/discord-captures and filtered by the session's
// intents (PROTOCOL.md §1.16; message content only with MESSAGE_CONTENT).
//
//   {"t":"MESSAGE_REACTION_ADD","s":42,"op":0,"d":{"user_id":"...","message_id":"...",
//    "emoji":{"name":"👍","id":null},"channel_id":"...","guild_id":"...","burst":false,"type":0}}
#pragma once

#include "sim/clock.hpp"
#include "sim/world.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace spectacles::sim {

namespace intents {
constexpr uint64_t guilds = 1 << 0;
constexpr uint64_t guild_members = 1 << 1;
constexpr uint64_t guild_voice_states = 1 << 7;
constexpr uint64_t guild_presences = 1 << 8;
constexpr uint64_t guild_messages = 1 << 9;
constexpr uint64_t guild_message_reactions = 1 << 10;
constexpr uint64_t guild_message_typing = 1 << 11;
constexpr uint64_t message_content = 1 << 15;
/// Every assigned bit (PROTOCOL.md §1.16).
constexpr uint64_t all = 53608447;
constexpr uint64_t privileged = guild_members | guild_presences | message_content;
} // namespace intents

/// One generated event: its name and its serialized `d`.
struct dispatch_event {
  std::string name;
  std::string data;
};

class event_stream {
public:
  event_stream(std::vector<uint64_t> guild_ids, uint64_t intents);

  /// The next event for these intents; false when the intents allow none.
  bool next(world& state, time_point now, dispatch_event& out);

private:
  std::vector<uint64_t> guilds_;
  uint64_t intents_;
  size_t kind_ = 0;
  size_t guild_ = 0;
  size_t member_ = 0;
  uint64_t last_message_ = 0;
  uint64_t messages_ = 0; ///< MESSAGE_CREATEs so far; every 10th says "!ping"
  uint64_t last_channel_ = 0;
};

/// A whole gateway frame: {"t":NAME,"s":SEQ,"op":0,"d":DATA}.
std::string dispatch_frame(std::string_view name, uint64_t seq, std::string_view data);

} // namespace spectacles::sim
