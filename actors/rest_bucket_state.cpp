#include "actors/rest_bucket_state.hpp"

#include <algorithm>
#include <iterator>

namespace spectacles::actors {

namespace {

using seconds_d = std::chrono::duration<double>;

rest_bucket_state::time_point after(rest_bucket_state::time_point now, double seconds,
                                    std::chrono::milliseconds offset) {
  // Clamp absurd values (a broken header) to one day instead of overflowing.
  seconds = std::min(seconds, 86400.0);
  return now + std::chrono::round<std::chrono::microseconds>(seconds_d(seconds)) + offset;
}

std::vector<rest_bucket_state::entry> merge_by_ticket(std::deque<rest_bucket_state::entry>& a,
                                                      std::vector<rest_bucket_state::entry> b) {
  std::vector<rest_bucket_state::entry> out;
  out.reserve(a.size() + b.size());
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
             std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()),
             std::back_inserter(out), [](const auto& x, const auto& y) {
               return x.ticket < y.ticket;
             });
  return out;
}

} // namespace

void rest_bucket_state::enqueue(entry e) {
  // Tickets grow with arrival; an older ticket (moved in late) still goes
  // where its arrival puts it.
  if (queue_.empty() || queue_.back().ticket < e.ticket) {
    queue_.push_back(std::move(e));
    return;
  }
  auto pos
    = std::upper_bound(queue_.begin(), queue_.end(), e.ticket, [](uint64_t t, const entry& x) {
        return t < x.ticket;
      });
  queue_.insert(pos, std::move(e));
}

rest_bucket_state::gate rest_bucket_state::check(time_point now) {
  if (queue_.empty())
    return { gate_state::idle, {} };
  if (paused_until_ > now)
    return { gate_state::wait_until, paused_until_ };
  if (!learned_ && !in_flight_.empty())
    return { gate_state::wait_response, {} };
  if (in_flight_.size() >= std::max<size_t>(opts_.max_in_flight, 1))
    return { gate_state::wait_response, {} };
  if (limit_ && remaining_ <= 0) {
    if (now < reset_at_)
      return { gate_state::wait_until, reset_at_ };
    // The window has reset: assume every request still in flight lands in
    // the new one.
    remaining_ = *limit_ - static_cast<int64_t>(in_flight_.size());
    refilled_ = true;
    if (remaining_ <= 0)
      return { gate_state::wait_response, {} };
  }
  return { gate_state::ready, {} };
}

std::optional<rest_bucket_state::entry> rest_bucket_state::start_next(time_point now) {
  if (check(now).state != gate_state::ready)
    return std::nullopt;
  entry e = std::move(queue_.front());
  queue_.pop_front();
  in_flight_.push_back(e.ticket);
  if (limit_)
    --remaining_;
  last_used_ = now;
  return e;
}

bool rest_bucket_state::release(uint64_t ticket) {
  auto i = std::find(in_flight_.begin(), in_flight_.end(), ticket);
  if (i == in_flight_.end())
    return false;
  in_flight_.erase(i);
  return true;
}

void rest_bucket_state::on_response(uint64_t ticket, int http_status,
                                    const rate_limit_headers& headers,
                                    std::optional<double> retry_after, time_point now) {
  release(ticket);
  learned_ = true;
  last_used_ = std::max(last_used_, now);
  if (headers.has_limit())
    apply_limit(headers, now);
  else if (http_status >= 200 && http_status < 400)
    limit_.reset(); // a success without limit headers: the route has none
  bool global = headers.global || headers.scope == rate_limit_scope::global;
  if (http_status == 429 && !global) {
    // The bucket (or the shared resource) is exhausted whatever our count
    // said: wait the time Discord gives (§2.6), preferring the body's value.
    double wait = retry_after           ? *retry_after
                  : headers.retry_after ? *headers.retry_after
                  : headers.reset_after ? *headers.reset_after
                                        : 1.0;
    remaining_ = 0;
    if (!limit_)
      limit_ = headers.limit.value_or(1);
    paused_until_ = std::max(paused_until_, after(now, wait, opts_.reset_offset));
    reset_at_ = std::max(reset_at_, paused_until_);
  }
}

void rest_bucket_state::apply_limit(const rate_limit_headers& headers, time_point now) {
  auto in_flight = static_cast<int64_t>(in_flight_.size());
  int64_t estimate = std::max<int64_t>(0, *headers.remaining - in_flight);
  // Without Reset-After, assume the shortest common window (1 s).
  auto new_reset_at = after(now, headers.reset_after.value_or(1.0), opts_.reset_offset);
  bool new_window;
  if (headers.reset && window_reset_) {
    if (*headers.reset < *window_reset_ - 0.001)
      return; // a reply from an earlier window, overtaken by newer ones
    new_window = *headers.reset > *window_reset_ + 0.001;
  } else {
    new_window = !limit_ || refilled_;
  }
  limit_ = *headers.limit;
  if (new_window) {
    remaining_ = estimate;
    reset_at_ = new_reset_at;
    window_reset_ = headers.reset;
    refilled_ = false;
  } else {
    remaining_ = std::min(remaining_, estimate);
    reset_at_ = std::max(reset_at_, new_reset_at);
    if (headers.reset)
      window_reset_ = headers.reset;
  }
}

bool rest_bucket_state::cancel(uint64_t ticket) {
  if (release(ticket))
    return true;
  auto i = std::find_if(queue_.begin(), queue_.end(), [ticket](const entry& e) {
    return e.ticket == ticket;
  });
  if (i == queue_.end())
    return false;
  queue_.erase(i);
  return true;
}

void rest_bucket_state::pause_until(time_point until) {
  paused_until_ = std::max(paused_until_, until);
}

std::vector<rest_bucket_state::entry> rest_bucket_state::take_key(const std::string& key) {
  std::vector<entry> taken;
  std::deque<entry> kept;
  for (auto& e : queue_)
    (e.key == key ? taken.emplace_back(std::move(e)) : kept.emplace_back(std::move(e)));
  queue_ = std::move(kept);
  return taken;
}

std::vector<uint64_t> rest_bucket_state::absorb(std::vector<entry> moved) {
  auto merged = merge_by_ticket(queue_, std::move(moved));
  queue_.assign(std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end()));
  return queued_tickets();
}

std::vector<uint64_t> rest_bucket_state::absorb(rest_bucket_state&& other) {
  if (other.learned_) {
    if (!learned_) {
      limit_ = other.limit_;
      remaining_ = other.remaining_;
      reset_at_ = other.reset_at_;
      window_reset_ = other.window_reset_;
      refilled_ = other.refilled_;
    } else if (other.limit_) {
      // Two views of one bucket: the stricter one is the safe one.
      if (limit_) {
        limit_ = std::min(*limit_, *other.limit_);
        remaining_ = std::min(remaining_, other.remaining_);
      } else {
        limit_ = other.limit_;
        remaining_ = other.remaining_;
      }
      reset_at_ = std::max(reset_at_, other.reset_at_);
    }
    learned_ = true;
  }
  paused_until_ = std::max(paused_until_, other.paused_until_);
  last_used_ = std::max(last_used_, other.last_used_);
  in_flight_.insert(in_flight_.end(), other.in_flight_.begin(), other.in_flight_.end());
  std::vector<entry> moved(std::make_move_iterator(other.queue_.begin()),
                           std::make_move_iterator(other.queue_.end()));
  other.queue_.clear();
  other.in_flight_.clear();
  return absorb(std::move(moved));
}

std::vector<uint64_t> rest_bucket_state::queued_tickets() const {
  std::vector<uint64_t> out;
  out.reserve(queue_.size());
  for (auto& e : queue_)
    out.push_back(e.ticket);
  return out;
}

} // namespace spectacles::actors
