#include "actors/rest_probe_fence.hpp"

#include <algorithm>

namespace spectacles::actors {

namespace {

/// Requests a known bucket may still start, as far as the fence can tell.
int64_t available(const rest_probe_fence::window& w, rest_probe_fence::time_point now) {
  if (!w.limited)
    return INT64_MAX;
  return now >= w.reset_at ? w.limit : w.remaining;
}

} // namespace

bool rest_probe_fence::probe_fits(const major_state& m, time_point now, time_point& retry_at) {
  retry_at = time_point::max();
  bool fits = true;
  for (const auto& [bucket, w] : m.known) {
    if (available(w, now) >= 1)
      continue;
    fits = false;
    retry_at = std::min(retry_at, w.reset_at);
  }
  return fits;
}

void rest_probe_fence::unpark(const parked_request& p, bool probe, std::vector<release>& out) {
  waiter_major_.erase(p.waiter);
  out.push_back({ p.waiter, probe });
}

void rest_probe_fence::release_what_fits(major_state& m, time_point now,
                                         std::vector<release>& out) {
  if (m.probe)
    return;
  for (const auto& p : m.known_waiting)
    unpark(p, false, out);
  m.known_waiting.clear();
  time_point retry_at;
  if (m.probes_waiting.empty() || !probe_fits(m, now, retry_at))
    return;
  auto next = m.probes_waiting.front();
  m.probes_waiting.pop_front();
  m.probe = next.bucket;
  m.probe_since = now;
  unpark(next, true, out);
}

void rest_probe_fence::tidy(const std::string& major) {
  auto it = majors_.find(major);
  if (it == majors_.end())
    return;
  auto& m = it->second;
  if (!m.probe && m.known.empty() && m.probes_waiting.empty() && m.known_waiting.empty())
    majors_.erase(it);
}

bool rest_probe_fence::ask(const std::string& major, uint64_t bucket, bool probe, const window& w,
                           uint64_t waiter, time_point now) {
  major_of_bucket_[bucket] = major;
  auto& m = majors_[major];
  if (probe) {
    if (m.probe == bucket)
      return true; // its own probe again (a retry after a transport error)
    time_point retry_at;
    if (!m.probe && m.probes_waiting.empty() && probe_fits(m, now, retry_at)) {
      m.probe = bucket;
      m.probe_since = now;
      return true;
    }
    m.probes_waiting.push_back({ waiter, bucket });
  } else {
    if (!w.limited) {
      m.known.erase(bucket); // no route limit: nothing a probe could take
      tidy(major);
      return true;
    }
    if (!m.probe || *m.probe == bucket || w.remaining > 1) {
      auto& v = m.known[bucket];
      v = w;
      v.remaining = w.remaining - 1;
      // A window that was refilled locally starts with this request; when
      // it ends is known only from the reply.
      if (w.reset_at <= now)
        v.reset_at = time_point::max();
      return true;
    }
    m.known_waiting.push_back({ waiter, bucket });
  }
  waiter_major_[waiter] = major;
  ++fenced_total_;
  return false;
}

std::vector<rest_probe_fence::release> rest_probe_fence::observe(const std::string& major,
                                                                 uint64_t bucket, const window& w,
                                                                 time_point now, bool stricter) {
  std::vector<release> out;
  major_of_bucket_[bucket] = major;
  auto& m = majors_[major];
  auto it = m.known.find(bucket);
  if (!w.limited) {
    if (!stricter && it != m.known.end())
      m.known.erase(it);
  } else if (stricter && it != m.known.end()) {
    it->second.remaining = std::min(it->second.remaining, w.remaining);
    it->second.reset_at = std::max(it->second.reset_at, w.reset_at);
  } else {
    m.known[bucket] = w;
  }
  release_what_fits(m, now, out);
  tidy(major);
  return out;
}

std::vector<rest_probe_fence::release> rest_probe_fence::end_probe(uint64_t bucket,
                                                                   time_point now) {
  std::vector<release> out;
  auto b = major_of_bucket_.find(bucket);
  if (b == major_of_bucket_.end())
    return out;
  auto major = b->second;
  auto it = majors_.find(major);
  if (it == majors_.end() || it->second.probe != bucket)
    return out;
  it->second.probe.reset();
  release_what_fits(it->second, now, out);
  tidy(major);
  return out;
}

std::vector<rest_probe_fence::release> rest_probe_fence::drop_waiter(uint64_t waiter,
                                                                     time_point now) {
  std::vector<release> out;
  auto w = waiter_major_.find(waiter);
  if (w == waiter_major_.end())
    return out;
  auto major = w->second;
  waiter_major_.erase(w);
  auto it = majors_.find(major);
  if (it == majors_.end())
    return out;
  auto& m = it->second;
  auto is_it = [waiter](const parked_request& p) {
    return p.waiter == waiter;
  };
  std::erase_if(m.probes_waiting, is_it);
  std::erase_if(m.known_waiting, is_it);
  release_what_fits(m, now, out);
  tidy(major);
  return out;
}

std::vector<rest_probe_fence::release> rest_probe_fence::forget(uint64_t bucket, time_point now) {
  std::vector<release> out;
  auto b = major_of_bucket_.find(bucket);
  if (b == major_of_bucket_.end())
    return out;
  auto major = b->second;
  major_of_bucket_.erase(b);
  auto it = majors_.find(major);
  if (it == majors_.end())
    return out;
  auto& m = it->second;
  m.known.erase(bucket);
  if (m.probe == bucket)
    m.probe.reset();
  auto of_bucket = [&](const parked_request& p) {
    if (p.bucket != bucket)
      return false;
    waiter_major_.erase(p.waiter);
    return true;
  };
  std::erase_if(m.probes_waiting, of_bucket);
  std::erase_if(m.known_waiting, of_bucket);
  release_what_fits(m, now, out);
  tidy(major);
  return out;
}

std::vector<rest_probe_fence::release> rest_probe_fence::poll(time_point now) {
  std::vector<release> out;
  std::vector<std::string> idle;
  for (auto& [major, m] : majors_) {
    if (m.probe && m.probe_since + stale_ <= now)
      m.probe.reset();
    release_what_fits(m, now, out);
    if (!m.probe && m.known.empty() && m.probes_waiting.empty() && m.known_waiting.empty())
      idle.push_back(major);
  }
  for (auto& major : idle)
    majors_.erase(major);
  return out;
}

std::optional<rest_probe_fence::time_point> rest_probe_fence::wake_at() const {
  std::optional<time_point> at;
  auto earliest = [&at](time_point t) {
    if (t != time_point::max() && (!at || t < *at))
      at = t;
  };
  for (const auto& [major, m] : majors_) {
    if (m.probe) {
      if (!m.probes_waiting.empty() || !m.known_waiting.empty())
        earliest(m.probe_since + stale_);
      continue;
    }
    if (m.probes_waiting.empty())
      continue;
    // Blocked by buckets at 0: the earliest of their resets.
    time_point retry_at;
    probe_fits(m, time_point::min(), retry_at);
    earliest(retry_at);
  }
  return at;
}

} // namespace spectacles::actors
