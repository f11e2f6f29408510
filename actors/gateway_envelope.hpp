// The four envelope fields of a gateway message, found without a DOM
// (PROTOCOL.md §1.3). `d` stays raw text pointing into the message, so the
// shard hands it on without parsing it.
//
//   {"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"guild_id":"1",...}}
//     -> op 0, s 42, t "MESSAGE_CREATE", d = R"({"guild_id":"1",...})"
//
// Local to the gateway until models/envelope.hpp (models::scan_envelope)
// lands; the shard only uses scan_envelope() and dispatch_guild_id().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::actors {

struct gateway_envelope {
  int op = -1;
  std::optional<uint64_t> s;         // null or absent unless op == 0
  std::optional<std::string_view> t; // event name without quotes; null unless op == 0
  std::string_view d = "null";       // raw JSON of `d` ("null" when absent)
};

/// The envelope of one complete (already inflated) gateway message, or an
/// error text saying what is wrong with it.
struct envelope_scan_result {
  std::optional<gateway_envelope> envelope;
  std::string error;
};

envelope_scan_result scan_envelope(std::string_view text);

/// The guild an event belongs to, 0 if none: `d.guild_id`, except for the
/// GUILD_CREATE/UPDATE/DELETE events whose `d` *is* the guild (`d.id`).
uint64_t dispatch_guild_id(std::string_view event_name, std::string_view d);

} // namespace spectacles::actors
