// What a shard does after the gateway closed its connection, one row per
// close code of PROTOCOL.md §1.12, and the code the shard itself closes with.
//
//   4004 -> fatal ("authentication failed: ... check the token")
//   4007, 4009, 4003 -> identify (new session); 4000..4008, none, unknown -> resume
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::actors {

/// The code the shard closes with when it wants to come back and RESUME
/// (zombie connection, op 7, a timeout, a message it cannot read).
/// Any code but 1000/1001 keeps the session (PROTOCOL.md §1.11). 4900 is in
/// RFC 6455's private-use range 4000-4999 but outside Discord's 4000-4014, so
/// neither Discord nor our own sim nor a log reader can mistake it for a
/// Discord verdict; 1012 ("service restart") would suggest the server restarted.
constexpr uint16_t resumable_client_close_code = 4900;

/// The code for a deliberate shutdown that should end the session for good.
constexpr uint16_t final_client_close_code = 1000;

enum class close_outcome {
  resume,   // reconnect to resume_gateway_url and RESUME (identify if there is no session)
  identify, // forget the session, reconnect to the gateway URL and IDENTIFY
  fatal,    // stop: reconnecting cannot help until an operator changes something
};

struct close_decision {
  close_outcome outcome = close_outcome::resume;
  std::string_view name; // Discord's name for the code, "" if unknown
  std::string_view hint; // for fatal codes: what the operator should do
};

/// The decision for a close code; nullopt means the socket dropped without one.
close_decision decide_close(std::optional<uint16_t> code);

/// "shard 3/16: gateway closed with 4004 (authentication failed): ... Not retrying."
std::string fatal_close_message(uint32_t shard_id, uint32_t shard_count, uint16_t code,
                                uint64_t intents);

} // namespace spectacles::actors
