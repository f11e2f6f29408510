// How long a shard waits before its next connection attempt: exponential in
// the number of attempts that failed in a row, with jitter so a thousand
// shards that lost the same gateway do not return in lockstep, and capped.
//
//   attempt 0 -> 0 (reconnect at once: op 7, one zombie, one dropped socket)
//   attempt n -> min(cap, base * 2^(n-1)) * (1 - jitter * r), r in [0, 1)
//
// The count goes back to 0 only after a healthy session (see shard_protocol),
// so a shard that flaps right after READY keeps backing off.
#pragma once

#include "actors/gateway_clock.hpp"

#include <cstdint>

namespace spectacles::actors {

struct backoff_options {
  milliseconds base{ 1000 };
  milliseconds cap{ 60'000 };
  /// Share of the delay that is random: 0.5 gives [d/2, d].
  double jitter = 0.5;
};

class shard_backoff {
public:
  explicit shard_backoff(backoff_options options = {});

  /// The delay before the next attempt; counts the attempt.
  milliseconds next_delay(double random_unit);

  /// The delay next_delay would return for attempt n (no jitter, r = 0).
  milliseconds ceiling(uint32_t attempt) const;

  void reset() {
    attempts_ = 0;
  }

  uint32_t attempts() const {
    return attempts_;
  }

private:
  backoff_options options_;
  uint32_t attempts_ = 0;
};

} // namespace spectacles::actors
