// GET /gateway/bot (PROTOCOL.md §1.1, §1.14): the gateway URL, Discord's
// recommended shard count and the session start limit.
//
//   {"url":"wss://gateway.discord.gg","shards":9,"session_start_limit":
//    {"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "actors/identify_schedule.hpp"

namespace spectacles::actors {

struct gateway_bot {
  std::string url;
  uint32_t shards = 1;
  session_start_limit limits;
};

/// Parses the body of a 200 answer; the string says what was missing.
std::variant<gateway_bot, std::string> parse_gateway_bot(std::string_view body);

} // namespace spectacles::actors
