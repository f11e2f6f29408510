#include "actors/rest_retry.hpp"

#include <algorithm>
#include <cmath>

namespace spectacles::actors {

namespace {

std::chrono::steady_clock::duration seconds(double s) {
  s = std::isfinite(s) ? std::clamp(s, 0.0, 86400.0) : 1.0;
  return std::chrono::round<std::chrono::microseconds>(std::chrono::duration<double>(s));
}

std::string fixed(double s) {
  auto ms = static_cast<long long>(std::llround(s * 1000));
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100)
         + std::to_string(ms % 100 / 10) + std::to_string(ms % 10) + " s";
}

} // namespace

std::string_view to_string(rest_retry::failure why) {
  switch (why) {
    case rest_retry::failure::none: return "none";
    case rest_retry::failure::client_error: return "client_error";
    case rest_retry::failure::rate_limited: return "rate_limited";
    case rest_retry::failure::server_error: return "server_error";
    case rest_retry::failure::connection: return "connection";
    case rest_retry::failure::deadline: return "deadline";
  }
  return "none";
}

rest_retry::rest_retry(rest_method method, time_point deadline)
    : rest_retry(method, deadline, options{}, 0) {}

rest_retry::rest_retry(rest_method method, time_point deadline, options opts, uint64_t seed)
    : method_(method),
      deadline_(deadline),
      opts_(opts),
      rng_(static_cast<std::minstd_rand::result_type>(seed % 2147483646 + 1)) {}

rest_retry::decision rest_retry::retry_at(time_point at, std::string reason) {
  if (at >= deadline_)
    return fail(failure::deadline, reason + "; the retry would start after the call's deadline");
  decision d;
  d.what = action::retry;
  d.at = at;
  d.reason = std::move(reason);
  return d;
}

rest_retry::decision rest_retry::fail(failure why, std::string reason) {
  decision d;
  d.what = action::fail;
  d.why = why;
  d.reason = std::move(reason);
  return d;
}

rest_retry::decision rest_retry::backoff(failure kind, std::string what, time_point now,
                                         bool repeatable) {
  if (!repeatable)
    return fail(kind, what + " on " + std::string(to_string(method_))
                        + ", which is not retried: Discord may already have carried it out");
  if (++errors_ > opts_.max_error_retries)
    return fail(kind, what + " after " + std::to_string(opts_.max_error_retries) + " retries");
  auto shift = std::min(errors_ - 1, 20);
  auto wait = std::min<std::chrono::milliseconds::rep>(opts_.backoff_base.count() << shift,
                                                       opts_.backoff_cap.count());
  std::uniform_real_distribution<double> cut(0.0, std::clamp(opts_.jitter, 0.0, 1.0));
  auto jittered = std::chrono::milliseconds(static_cast<int64_t>(wait * (1.0 - cut(rng_))));
  return retry_at(now + jittered, what + ": retry " + std::to_string(errors_) + " of "
                                    + std::to_string(opts_.max_error_retries) + " in "
                                    + std::to_string(jittered.count()) + " ms");
}

rest_retry::decision rest_retry::on_response(int http_status, const rate_limit_headers& headers,
                                             std::optional<double> body_retry_after,
                                             time_point now) {
  ++attempts_;
  if (http_status < 400)
    return {};
  if (http_status == 429) {
    bool global = headers.global || headers.scope == rate_limit_scope::global;
    double wait = body_retry_after      ? *body_retry_after
                  : headers.retry_after ? *headers.retry_after
                  : headers.reset_after ? *headers.reset_after
                                        : 1.0;
    std::string what = "HTTP 429 (scope " + std::string(to_string(headers.scope))
                       + (global ? ", global" : "") + "), retry_after " + fixed(wait);
    auto resume = now + seconds(wait) + opts_.retry_offset;
    auto d = ++rate_limited_ > opts_.max_rate_limit_retries
               ? fail(failure::rate_limited,
                      what + " after " + std::to_string(opts_.max_rate_limit_retries) + " retries")
               : retry_at(resume, what);
    // Even a failed call reports when the limit lifts, for the global pause.
    d.at = resume;
    d.pause_global = global;
    d.unexpected_429 = headers.scope == rate_limit_scope::user;
    return d;
  }
  if (http_status >= 500)
    return backoff(failure::server_error, "HTTP " + std::to_string(http_status), now,
                   is_idempotent(method_));
  return fail(failure::client_error,
              "HTTP " + std::to_string(http_status) + ": the request itself was refused");
}

rest_retry::decision rest_retry::on_transport_error(std::string_view what,
                                                    bool may_have_reached_server, time_point now) {
  ++attempts_;
  // Nothing sent (refused, DNS, TLS): safe to repeat for any method.
  return backoff(failure::connection, "connection error (" + std::string(what) + ")", now,
                 !may_have_reached_server || is_idempotent(method_));
}

} // namespace spectacles::actors
