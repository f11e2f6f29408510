#include "actors/rest_bucket_map.hpp"

#include <queue>
#include <utility>

namespace spectacles::actors {

rest_bucket_map::key_info& rest_bucket_map::ensure_key(const std::string& key,
                                                       const std::string& major) {
  auto [it, added] = keys_.try_emplace(key);
  if (added) {
    it->second.bucket = "~" + key;
    it->second.major = major;
  }
  auto bucket = buckets_.find(it->second.bucket);
  if (bucket == buckets_.end()) {
    bucket = buckets_.try_emplace(it->second.bucket, slot{ rest_bucket_state{ opts_ }, {} }).first;
    bucket->second.keys.insert(key);
  }
  return it->second;
}

void rest_bucket_map::drop_if_spent(const std::string& key) {
  auto it = keys_.find(key);
  if (it == keys_.end() || !it->second.one_shot)
    return;
  auto b = buckets_.find(it->second.bucket);
  if (b != buckets_.end()) {
    if (!b->second.state.idle())
      return;
    b->second.keys.erase(key);
    if (b->second.keys.empty())
      buckets_.erase(b);
  }
  keys_.erase(it);
}

uint64_t rest_bucket_map::enqueue(const rest_route& route) {
  uint64_t ticket = next_ticket_++;
  auto& info = ensure_key(route.key, route.major);
  info.one_shot = route.interaction_callback;
  buckets_.at(info.bucket).state.enqueue({ ticket, route.key, route.global_exempt });
  mark(info.bucket);
  where_[ticket] = info.bucket;
  key_of_ticket_[ticket] = { route.key, route.major };
  return ticket;
}

void rest_bucket_map::requeue(uint64_t ticket, const rest_route& route) {
  if (ticket == 0 || ticket >= next_ticket_ || where_.count(ticket) != 0)
    return; // not a ticket of ours, or still queued / in flight
  auto& info = ensure_key(route.key, route.major);
  buckets_.at(info.bucket).state.enqueue({ ticket, route.key, route.global_exempt });
  mark(info.bucket);
  where_[ticket] = info.bucket;
  key_of_ticket_[ticket] = { route.key, route.major };
}

void rest_bucket_map::mark(const std::string& id) {
  auto it = buckets_.find(id);
  if (it != buckets_.end() && !it->second.dirty) {
    it->second.dirty = true;
    dirty_.push_back(id);
  }
}

rest_bucket_map::poll_result rest_bucket_map::poll(time_point now, size_t global_budget) {
  poll_result result;
  // Only buckets that changed (new request, reply, cancel, merge) or whose
  // wait ended are looked at: a poll costs what happened, not the number of
  // buckets.
  while (!timers_.empty() && timers_.top().first <= now) {
    mark(timers_.top().second);
    timers_.pop();
  }
  using entry_ptr = std::pair<const std::string, slot>*;
  // Fronts of ready buckets, oldest ticket first, so that a small global
  // budget goes to the requests that have waited longest.
  using candidate = std::pair<uint64_t, entry_ptr>;
  std::priority_queue<candidate, std::vector<candidate>, std::greater<>> ready;
  auto consider = [&](entry_ptr b) {
    auto& s = b->second;
    auto gate = s.state.check(now);
    if (gate.state == rest_bucket_state::gate_state::ready) {
      ready.emplace(s.state.front()->ticket, b);
    } else if (gate.state == rest_bucket_state::gate_state::wait_until && s.timer != gate.until) {
      s.timer = gate.until;
      timers_.emplace(gate.until, b->first);
    }
  };
  std::vector<std::string> ids;
  ids.swap(dirty_);
  for (auto& id : ids) {
    auto it = buckets_.find(id);
    if (it == buckets_.end())
      continue;
    it->second.dirty = false;
    consider(&*it);
  }
  while (!ready.empty()) {
    auto [ticket, b] = ready.top();
    ready.pop();
    auto& s = b->second;
    if (!s.state.front()->global_exempt && global_budget == 0) {
      ++result.held_by_global;
      mark(b->first); // ready, but must wait for the budget: look again next time
      continue;
    }
    auto e = s.state.start_next(now);
    if (!e)
      continue;
    if (!e->global_exempt)
      --global_budget;
    result.start.push_back({ e->ticket, e->key, b->first, e->global_exempt });
    consider(b);
  }
  // May be early (a timer of a bucket that changed since): a spurious poll
  // is harmless, a missed one is not.
  if (!timers_.empty())
    result.wake_at = timers_.top().first;
  return result;
}

rest_bucket_map::reply_effect rest_bucket_map::move_key(const std::string& key,
                                                        const std::string& target) {
  reply_effect effect;
  auto& info = keys_.at(key);
  auto source_it = buckets_.find(info.bucket);
  auto target_it = buckets_.find(target);
  bool source_alone = source_it != buckets_.end() && source_it->second.keys.size() == 1;
  auto retarget = [&](const std::vector<uint64_t>& tickets) {
    for (auto t : tickets)
      where_[t] = target;
  };
  if (source_it == buckets_.end()) {
    target_it = buckets_.try_emplace(target, slot{ rest_bucket_state{ opts_ }, {} }).first;
  } else if (source_alone) {
    // The whole bucket (queue, in-flight slots, window) is the target's.
    auto& source = source_it->second.state;
    retarget(source.queued_tickets());
    retarget(source.in_flight());
    if (target_it == buckets_.end()) {
      target_it = buckets_.emplace(target, std::move(source_it->second)).first;
      target_it->second.keys.clear();
      target_it->second.dirty = false; // the old id's listing does not carry over
      target_it->second.timer = {};
    } else {
      target_it->second.state.absorb(std::move(source));
      effect.merged = true;
    }
    buckets_.erase(info.bucket);
  } else {
    // The source holds other keys too: only this key's queued requests move.
    auto moved = source_it->second.state.take_key(key);
    std::vector<uint64_t> tickets;
    for (auto& e : moved)
      tickets.push_back(e.ticket);
    retarget(tickets);
    source_it->second.keys.erase(key);
    if (target_it == buckets_.end())
      target_it = buckets_.try_emplace(target, slot{ rest_bucket_state{ opts_ }, {} }).first;
    else
      effect.merged = true;
    target_it->second.state.absorb(std::move(moved));
  }
  target_it->second.keys.insert(key);
  info.bucket = target;
  mark(target);
  effect.moved = true;
  effect.bucket = target;
  effect.queue = target_it->second.state.queued_tickets();
  return effect;
}

rest_bucket_map::reply_effect
rest_bucket_map::on_response(uint64_t ticket, int http_status, const rate_limit_headers& headers,
                             std::optional<double> retry_after, time_point now) {
  reply_effect effect;
  auto key_it = key_of_ticket_.find(ticket);
  if (key_it == key_of_ticket_.end())
    return effect; // cancelled before its reply came: the slot is already free
  auto [key, major] = std::move(key_it->second);
  key_of_ticket_.erase(key_it);
  auto& info = ensure_key(key, major);
  effect.bucket = info.bucket;
  if (!headers.bucket.empty()) {
    auto target = headers.bucket + ":" + info.major;
    if (target != info.bucket)
      effect = move_key(key, target);
  }
  auto where = where_.find(ticket);
  auto& owner = buckets_.at(info.bucket).state;
  if (where != where_.end()) {
    if (where->second != info.bucket) {
      if (auto held = buckets_.find(where->second); held != buckets_.end())
        held->second.state.cancel(ticket); // frees the slot where it was taken
      mark(where->second);
    }
    where_.erase(where);
  }
  mark(info.bucket);
  owner.on_response(ticket, http_status, headers, retry_after, now);
  drop_if_spent(key);
  return effect;
}

bool rest_bucket_map::cancel(uint64_t ticket) {
  auto where = where_.find(ticket);
  if (where == where_.end())
    return false;
  bool found = false;
  if (auto b = buckets_.find(where->second); b != buckets_.end())
    found = b->second.state.cancel(ticket);
  mark(where->second);
  where_.erase(where);
  if (auto k = key_of_ticket_.find(ticket); k != key_of_ticket_.end()) {
    auto key = std::move(k->second.key);
    key_of_ticket_.erase(k);
    drop_if_spent(key);
  }
  return found;
}

size_t rest_bucket_map::evict_idle(time_point now, std::chrono::milliseconds idle_for) {
  size_t evicted = 0;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto& s = it->second;
    if (s.state.idle() && s.state.last_used() + idle_for <= now) {
      for (auto& key : s.keys)
        keys_.erase(key);
      it = buckets_.erase(it);
      ++evicted;
    } else {
      ++it;
    }
  }
  return evicted;
}

std::string rest_bucket_map::bucket_of(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? std::string{} : it->second.bucket;
}

const rest_bucket_state* rest_bucket_map::bucket(const std::string& id) const {
  auto it = buckets_.find(id);
  return it == buckets_.end() ? nullptr : &it->second.state;
}

std::vector<std::string> rest_bucket_map::keys_of(const std::string& id) const {
  auto it = buckets_.find(id);
  if (it == buckets_.end())
    return {};
  return { it->second.keys.begin(), it->second.keys.end() };
}

} // namespace spectacles::actors
