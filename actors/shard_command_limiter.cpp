#include "actors/shard_command_limiter.hpp"

#include <algorithm>

namespace spectacles::actors {

shard_command_limiter::shard_command_limiter(command_limiter_options options) : options_(options) {
  options_.user_limit = std::min(options_.user_limit, options_.limit);
}

void shard_command_limiter::expire(gateway_time now) {
  // A send at t stops counting at t + window.
  while (!sent_.empty() && sent_.front() + options_.window <= now)
    sent_.pop_front();
}

uint32_t shard_command_limiter::sent_in_window(gateway_time now) {
  expire(now);
  return static_cast<uint32_t>(sent_.size());
}

bool shard_command_limiter::try_user(gateway_time now) {
  if (sent_in_window(now) >= options_.user_limit)
    return false;
  sent_.push_back(now);
  return true;
}

void shard_command_limiter::record_protocol(gateway_time now) {
  expire(now);
  sent_.push_back(now);
}

gateway_time shard_command_limiter::next_user_slot(gateway_time now) {
  auto count = sent_in_window(now);
  if (count < options_.user_limit)
    return now;
  // The slot frees when enough of the oldest sends have left the window.
  auto index = count - options_.user_limit;
  return sent_[index] + options_.window;
}

} // namespace spectacles::actors
