#include "actors/rest_global_limit.hpp"

#include <algorithm>
#include <cmath>

namespace spectacles::actors {

void rest_global_limit::expire(time_point now) {
  auto span = opts_.window + opts_.offset;
  while (!sends_.empty() && sends_.front() + span <= now)
    sends_.pop_front();
}

size_t rest_global_limit::available(time_point now) {
  if (paused(now))
    return 0;
  expire(now);
  return sends_.size() >= opts_.per_second ? 0 : opts_.per_second - sends_.size();
}

bool rest_global_limit::try_acquire(time_point now, bool exempt) {
  if (exempt)
    return true;
  return grant(now, 1) == 1;
}

size_t rest_global_limit::grant(time_point now, size_t wanted) {
  auto n = std::min(wanted, available(now));
  sends_.insert(sends_.end(), n, now);
  return n;
}

rest_global_limit::time_point rest_global_limit::next_free(time_point now) {
  if (paused(now))
    return paused_until_;
  expire(now);
  if (sends_.size() < opts_.per_second)
    return now;
  // The permit of the send that leaves the span first.
  auto index = sends_.size() - opts_.per_second;
  return sends_[index] + opts_.window + opts_.offset;
}

void rest_global_limit::on_global_429(time_point now, double retry_after) {
  retry_after = std::isfinite(retry_after) ? std::clamp(retry_after, 0.0, 86400.0) : 1.0;
  auto wait
    = std::chrono::round<std::chrono::microseconds>(std::chrono::duration<double>(retry_after));
  paused_until_ = std::max(paused_until_, now + wait + opts_.offset);
}

} // namespace spectacles::actors
