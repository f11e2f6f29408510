// The simulator's notion of time. Plain logic classes take `now` as a parameter
// (STYLE.md §8), so tests move time by hand instead of sleeping. Wall-clock
// time, because X-RateLimit-Reset is in epoch seconds (PROTOCOL.md §2.5).
#pragma once

#include <chrono>

namespace spectacles::sim {

using sim_clock = std::chrono::system_clock;
using time_point = sim_clock::time_point;
using std::chrono::milliseconds;

/// Seconds (with decimals) between two points; negative spans clamp to 0.
inline double seconds_between(time_point from, time_point to) {
  auto d = std::chrono::duration<double>(to - from).count();
  return d < 0 ? 0 : d;
}

/// Epoch seconds of `t`.
inline double epoch_seconds(time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

} // namespace spectacles::sim
