// Errors of the gateway's plain protocol classes as values: a category the
// caller branches on and a sentence for the operator that says what failed,
// with what input, and what to do.
//
//   if (auto err = shard.queue_command(now, 8, d)) log::warn("shard", err->message);
#pragma once

#include <string>
#include <string_view>

namespace spectacles::actors {

enum class gateway_errc {
  payload_too_large,   // an outbound payload above 4096 bytes (PROTOCOL.md §1.3)
  command_not_allowed, // an opcode the shard owns itself (1, 2, 6) or one Discord does not accept
  queue_full,          // too many user commands waiting for READY or for the 120/60 s limiter
  invalid_json,     // a message from the gateway (or a config value) that is not the JSON we expect
  invalid_config,   // a shard option that Discord would reject
  shard_stopped,    // the shard is fatally closed and takes no more commands
  identify_reserve, // the daily session_start_limit is down to the reserve (PROTOCOL.md §1.6)
};

std::string_view to_string(gateway_errc code);

struct gateway_error {
  gateway_errc code = gateway_errc::invalid_json;
  std::string message;
};

} // namespace spectacles::actors
