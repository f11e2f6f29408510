// The payloads a shard sends, as compact JSON text (PROTOCOL.md §1.5, §1.6,
// §1.8, §1.17), and the URL it connects to (§1.1).
//
//   {"op":1,"d":41}
//   {"op":6,"d":{"token":"...","session_id":"9f1c...","seq":41}}
//   {"op":2,"d":{"token":"...","properties":{"os":"linux","browser":"spectacles-cpp",
//     "device":"spectacles-cpp"},"intents":513,"shard":[0,2],"large_threshold":50}}
#pragma once

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

struct identify_fields {
  std::string token;
  uint64_t intents = 0;
  uint32_t shard_id = 0;
  uint32_t shard_count = 1;
  int large_threshold = 50;
  /// A JSON object (Update Presence, §1.17) inserted verbatim; empty = none.
  std::string presence_json;
};

std::string heartbeat_payload(std::optional<uint64_t> last_seq);

std::string identify_payload(const identify_fields& fields);

std::string resume_payload(std::string_view token, std::string_view session_id, uint64_t seq);

/// {"op":<op>,"d":<d_json>} with d_json inserted verbatim.
std::string command_payload(int op, std::string_view d_json);

/// base (e.g. "wss://gateway.discord.gg" or a resume_gateway_url) with any
/// path/query replaced by "/?v=10&encoding=json[&compress=<compression>]", so
/// a resume uses the same query as the first connection (§1.1, §1.8).
std::string gateway_connect_url(std::string_view base, std::string_view compression);

/// The operating system name sent in IDENTIFY properties.os.
std::string_view gateway_os_name();

} // namespace spectacles::actors
