// The payloads a shard sends (PROTOCOL.md §1.5, §1.6, §1.8, §1.17), encoded
// by the models room, and the URL it connects to (§1.1).
//
//   {"op":1,"d":41}
//   {"op":6,"d":{"token":"...","session_id":"9f1c...","seq":41}}
//   {"op":2,"d":{"token":"...","properties":{"os":"linux","browser":"spectacles-cpp",
//     "device":"spectacles-cpp"},"large_threshold":50,"shard":[0,2],"intents":513}}
#pragma once

#include "models/gateway.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::actors {

/// Discord closes a connection with 4002 for a bigger payload (PROTOCOL.md §1.3).
constexpr size_t max_gateway_payload_bytes = 4096;

/// The library name Discord sees in IDENTIFY `properties.browser`/`device`.
constexpr std::string_view gateway_library_name = "spectacles-cpp";

/// What a shard identifies with (from config: token, gateway.intents, the
/// shard it runs, gateway.large-threshold, gateway.presence).
struct identify_fields {
  std::string token;
  uint64_t intents = 0;
  uint32_t shard_id = 0;
  uint32_t shard_count = 1;
  int large_threshold = 50;
  std::optional<models::presence_update> presence;
};

std::string heartbeat_payload(std::optional<uint64_t> last_seq);

std::string identify_payload(const identify_fields& fields);

std::string resume_payload(std::string_view token, std::string_view session_id, uint64_t seq);

/// {"op":<op>,"d":<d_json>} with d_json inserted verbatim (trimmed).
std::string command_payload(int op, std::string_view d_json);

/// base (e.g. "wss://gateway.discord.gg" or a resume_gateway_url) with any
/// path/query replaced by "/?v=10&encoding=json[&compress=<compression>]", so
/// a resume uses the same query as the first connection (§1.1, §1.8).
std::string gateway_connect_url(std::string_view base, std::string_view compression);

/// The operating system name sent in IDENTIFY properties.os.
std::string_view gateway_os_name();

} // namespace spectacles::actors
