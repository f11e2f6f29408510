// Outbound pacing of one gateway connection: Discord allows 120 payloads per
// 60 s and closes with 4008 above that (PROTOCOL.md §1.13). User commands may
// use only `user_limit` (110) of them, so heartbeats, IDENTIFY and RESUME,
// which must never wait, always find room in a sliding 60 s window.
//
//   limiter.try_user(now)        -> false once 110 payloads went out in 60 s
//   limiter.record_protocol(now) -> heartbeats always pass, but they count
#pragma once

#include "actors/gateway_clock.hpp"

#include <cstdint>
#include <deque>

namespace spectacles::actors {

struct command_limiter_options {
  milliseconds window{ 60'000 };
  uint32_t limit = 120;      // what Discord allows per window
  uint32_t user_limit = 110; // what user commands may use of it
};

class shard_command_limiter {
public:
  explicit shard_command_limiter(command_limiter_options options = {});

  /// Takes a slot for a user command if fewer than user_limit payloads were
  /// sent in the last window; returns false (and takes nothing) otherwise.
  bool try_user(gateway_time now);

  /// Counts a heartbeat, IDENTIFY or RESUME: never refused.
  void record_protocol(gateway_time now);

  /// When try_user will next succeed (now if it would succeed now).
  gateway_time next_user_slot(gateway_time now);

  /// Payloads sent in the window ending at now.
  uint32_t sent_in_window(gateway_time now);

  /// A new connection starts with a fresh allowance.
  void reset() {
    sent_.clear();
  }

private:
  void expire(gateway_time now);

  command_limiter_options options_;
  std::deque<gateway_time> sent_; // send times inside the current window, oldest first
};

} // namespace spectacles::actors
