#include "actors/identify_schedule.hpp"

#include <algorithm>
#include <ctime>

namespace spectacles::actors {

namespace {

constexpr milliseconds one_day{ 86'400'000 };

std::string format_duration(milliseconds d) {
  auto s = std::max<int64_t>(0, d.count() / 1000);
  return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m "
         + std::to_string(s % 60) + "s";
}

std::string format_utc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace

identify_schedule::identify_schedule(identify_schedule_options options, session_start_limit limits,
                                     gateway_time now, wall_time wall_now)
    : options_(options) {
  keys_.resize(std::max<uint32_t>(1, limits.max_concurrency));
  total_ = limits.total;
  remaining_ = limits.remaining;
  reset_at_ = now + limits.reset_after;
  wall_reset_at_ = wall_now + limits.reset_after;
  if (options_.takeover)
    for (auto& key : keys_)
      key.last_grant = now; // the dead queue may have granted just before it died
}

void identify_schedule::update_limits(session_start_limit limits, gateway_time now,
                                      wall_time wall_now) {
  total_ = limits.total;
  remaining_ = limits.remaining;
  reset_at_ = now + limits.reset_after;
  wall_reset_at_ = wall_now + limits.reset_after;
  auto concurrency = std::max<uint32_t>(1, limits.max_concurrency);
  if (concurrency == keys_.size())
    return;
  std::vector<waiter> all;
  std::optional<gateway_time> latest;
  for (auto& key : keys_) {
    all.insert(all.end(), key.queue.begin(), key.queue.end());
    if (key.last_grant && (!latest || *key.last_grant > *latest))
      latest = key.last_grant;
  }
  std::sort(all.begin(), all.end(), [](const waiter& a, const waiter& b) {
    return a.ticket < b.ticket;
  });
  keys_.assign(concurrency, key_state{});
  for (auto& key : keys_)
    key.last_grant = latest;
  for (auto& w : all)
    keys_[w.shard_id % concurrency].queue.push_back(w);
}

void identify_schedule::request(uint32_t shard_id) {
  auto& queue = keys_[shard_id % keys_.size()].queue;
  for (auto& w : queue)
    if (w.shard_id == shard_id)
      return;
  queue.push_back(waiter{ shard_id, next_ticket_++ });
}

bool identify_schedule::cancel(uint32_t shard_id) {
  auto& queue = keys_[shard_id % keys_.size()].queue;
  auto it = std::find_if(queue.begin(), queue.end(), [&](const waiter& w) {
    return w.shard_id == shard_id;
  });
  if (it == queue.end())
    return false;
  queue.erase(it);
  return true;
}

size_t identify_schedule::waiting() const {
  size_t n = 0;
  for (auto& key : keys_)
    n += key.queue.size();
  return n;
}

void identify_schedule::roll_daily_reset(gateway_time now) {
  // Without a fresh GET /gateway/bot, assume Discord refilled the limit at the
  // announced time and the next reset is a day later.
  while (now >= reset_at_) {
    remaining_ = total_;
    reset_at_ += one_day;
    wall_reset_at_ += one_day;
  }
}

std::string identify_schedule::refusal_message(uint32_t shard_id, gateway_time now) const {
  return "identify refused for shard " + std::to_string(shard_id) + ": "
         + std::to_string(remaining_) + " of " + std::to_string(total_)
         + " daily session starts left and gateway.reserve-identifies keeps "
         + std::to_string(options_.reserve)
         + " back (spending them all resets the bot token); the limit resets in "
         + format_duration(std::chrono::duration_cast<milliseconds>(reset_at_ - now)) + " (at "
         + format_utc(wall_reset_at_) + ")";
}

void identify_schedule::sent(uint32_t shard_id, gateway_time now) {
  // Also from shards a queue before this one granted (a takeover): the later
  // of the two times is the safe one.
  auto& key = keys_[shard_id % keys_.size()];
  if (key.unconfirmed == shard_id) {
    key.unconfirmed.reset();
    key.last_grant = now;
  } else if (!key.last_grant || *key.last_grant < now) {
    key.last_grant = now;
  }
}

std::optional<gateway_time> identify_schedule::free_at(const key_state& key) const {
  if (!key.last_grant)
    return std::nullopt;
  return *key.last_grant + options_.window + options_.margin;
}

identify_poll identify_schedule::poll(gateway_time now) {
  identify_poll result;
  roll_daily_reset(now);
  for (auto& key : keys_) {
    if (key.queue.empty())
      continue;
    if (auto at = free_at(key); at && now < *at)
      continue;
    if (remaining_ <= options_.reserve) {
      result.refused = gateway_error{ gateway_errc::identify_reserve,
                                      refusal_message(key.queue.front().shard_id, now) };
      break;
    }
    result.granted.push_back(key.queue.front().shard_id);
    key.unconfirmed = key.queue.front().shard_id;
    key.queue.erase(key.queue.begin());
    key.last_grant = now + options_.confirm_timeout; // until sent() says when
    --remaining_;
  }
  return result;
}

std::optional<gateway_time> identify_schedule::next_wakeup(gateway_time now) const {
  std::optional<gateway_time> next;
  for (auto& key : keys_) {
    if (key.queue.empty())
      continue;
    auto free = free_at(key);
    auto at = free ? std::max(now, *free) : now;
    if (!next || at < *next)
      next = at;
  }
  if (next && remaining_ <= options_.reserve && now < reset_at_)
    next = std::max(*next, reset_at_);
  return next;
}

} // namespace spectacles::actors
