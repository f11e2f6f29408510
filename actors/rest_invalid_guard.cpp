#include "actors/rest_invalid_guard.hpp"

namespace spectacles::actors {

namespace {

int64_t second_of(rest_invalid_guard::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

rest_invalid_guard::time_point end_of(int64_t second) {
  return rest_invalid_guard::time_point{} + std::chrono::seconds(second + 1);
}

} // namespace

void rest_invalid_guard::expire(time_point now) {
  while (!slots_.empty() && end_of(slots_.front().second) + opts_.window <= now) {
    total_ -= slots_.front().count;
    slots_.pop_front();
  }
}

uint32_t rest_invalid_guard::count(time_point now) {
  expire(now);
  return total_;
}

void rest_invalid_guard::record(int http_status, rate_limit_scope scope, time_point now,
                                bool authenticated) {
  bool invalid = http_status == 401 || http_status == 403
                 || (http_status == 429 && scope != rate_limit_scope::shared);
  if (!invalid)
    return;
  if (http_status == 401 && authenticated)
    token_invalid_ = true;
  expire(now);
  auto second = second_of(now);
  if (slots_.empty() || slots_.back().second < second)
    slots_.push_back({ second, 0 });
  ++slots_.back().count; // a reply late from an older second lands in the newest slot
  ++total_;
}

rest_invalid_guard::verdict rest_invalid_guard::check(time_point now) {
  verdict v;
  if (token_invalid_) {
    v.kind = verdict_kind::token_invalid;
    v.message = "the bot token was rejected with HTTP 401 (invalid or reset token); no more "
                "requests are sent with it. Set a new token and restart (or reset the guard).";
    return v;
  }
  expire(now);
  if (total_ < opts_.refuse_at)
    return v;
  // Walk forward until enough slots have aged out to drop below the limit.
  uint32_t left = total_;
  for (auto& s : slots_) {
    left -= s.count;
    if (left < opts_.refuse_at) {
      v.retry_at = end_of(s.second) + opts_.window;
      break;
    }
  }
  v.kind = verdict_kind::too_many_invalid;
  v.message = std::to_string(total_) + " invalid requests (401/403/429) in the last "
              + std::to_string(opts_.window.count())
              + " s: calls are refused to stay under Discord's 10,000 per 10 minutes "
                "(Cloudflare ban). Check permissions (403) and rate limits (429).";
  return v;
}

} // namespace spectacles::actors
