#include "actors/shard_close_code.hpp"

namespace spectacles::actors {

close_decision decide_close(std::optional<uint16_t> code) {
  if (!code) // a dropped TCP connection keeps the session (PROTOCOL.md §1.8)
    return { close_outcome::resume, "", "" };
  switch (*code) {
    case 4000: return { close_outcome::resume, "unknown error", "" };
    case 4001: return { close_outcome::resume, "unknown opcode", "" };
    case 4002: return { close_outcome::resume, "decode error", "" };
    // Sent before IDENTIFY or the session was invalidated: a new session is needed.
    case 4003: return { close_outcome::identify, "not authenticated", "" };
    case 4004:
      return { close_outcome::fatal, "authentication failed",
               "Discord rejected the bot token; set a valid token (DISCORD_TOKEN or the token "
               "file) and restart." };
    case 4005: return { close_outcome::resume, "already authenticated", "" };
    case 4007: return { close_outcome::identify, "invalid seq", "" };
    case 4008: return { close_outcome::resume, "rate limited", "" };
    case 4009: return { close_outcome::identify, "session timed out", "" };
    case 4010:
      return { close_outcome::fatal, "invalid shard",
               "the shard id or count is not valid for this bot; use the count GET "
               "/gateway/bot recommends (or a multiple of Discord's large-bot number), "
               "option gateway.shards." };
    case 4011:
      return { close_outcome::fatal, "sharding required",
               "this session would hold too many guilds (over 2500 per shard); raise "
               "gateway.shards or set it to 0 for Discord's recommendation." };
    case 4012:
      return { close_outcome::fatal, "invalid API version",
               "the gateway rejected v=10; this build of spectacles-cpp is outdated." };
    case 4013:
      return { close_outcome::fatal, "invalid intents",
               "the intents bitfield is not valid; fix gateway.intents." };
    case 4014:
      return { close_outcome::fatal, "disallowed intents",
               "a privileged intent (GUILD_MEMBERS 2, GUILD_PRESENCES 256, MESSAGE_CONTENT "
               "32768) is requested but not enabled for this app; enable it in the Developer "
               "Portal (Bot page) or remove it from gateway.intents." };
    default:
      // Unknown codes, and 1000/1001 from the server side: try to resume; if
      // the session is gone Discord answers op 9 and we identify then.
      return { close_outcome::resume, "", "" };
  }
}

std::string fatal_close_message(uint32_t shard_id, uint32_t shard_count, uint16_t code,
                                uint64_t intents) {
  auto decision = decide_close(code);
  std::string out = "shard " + std::to_string(shard_id) + "/" + std::to_string(shard_count)
                    + ": gateway closed the connection with " + std::to_string(code);
  if (!decision.name.empty())
    out += " (" + std::string(decision.name) + ")";
  out += ": ";
  out += decision.hint;
  if (code == 4013 || code == 4014)
    out += " Intents sent: " + std::to_string(intents) + ".";
  out += " Not retrying.";
  return out;
}

} // namespace spectacles::actors
