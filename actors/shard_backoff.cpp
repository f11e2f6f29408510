#include "actors/shard_backoff.hpp"

#include <algorithm>

namespace spectacles::actors {

shard_backoff::shard_backoff(backoff_options options) : options_(options) {
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
  if (options_.cap < options_.base)
    options_.cap = options_.base;
}

milliseconds shard_backoff::ceiling(uint32_t attempt) const {
  if (attempt == 0)
    return milliseconds{ 0 };
  // Doubling stops at the cap, so no shift can overflow however long it fails.
  auto delay = options_.base;
  for (uint32_t i = 1; i < attempt && delay < options_.cap; ++i)
    delay *= 2;
  return std::min(delay, options_.cap);
}

milliseconds shard_backoff::next_delay(double random_unit) {
  auto top = ceiling(attempts_);
  if (attempts_ < UINT32_MAX)
    ++attempts_;
  double factor = 1.0 - options_.jitter * unit_interval(random_unit);
  return milliseconds{ static_cast<int64_t>(static_cast<double>(top.count()) * factor) };
}

} // namespace spectacles::actors
