// Time and randomness for the gateway's plain protocol classes. Both are
// passed in, never read from the system inside the logic, so tests drive
// virtual time and fixed "random" numbers instead of sleeping (STYLE.md #8).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace spectacles::actors {

using gateway_clock = std::chrono::steady_clock;
using gateway_time = gateway_clock::time_point;
using std::chrono::milliseconds;

/// A source of uniform numbers in [0, 1). Values outside are clamped by the
/// users (see unit_interval), so a sloppy source cannot break a bound.
using unit_random = std::function<double()>;

/// Clamps x into [0, 1): a source returning exactly 1.0 (or garbage) must not
/// push a jittered delay past its documented upper bound.
inline double unit_interval(double x) {
  if (!(x >= 0.0)) // also catches NaN
    return 0.0;
  if (x >= 1.0)
    return 0.99999999999999989; // largest double below 1
  return x;
}

/// A default source for production: a 64-bit Mersenne twister seeded once.
unit_random make_unit_random(uint64_t seed);

} // namespace spectacles::actors
