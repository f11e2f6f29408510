#include "actors/rest_retry.hpp"

#define CAF_SUITE actors.rest_retry

#include "caf/test/unit_test.hpp"

#include <cmath>
#include <vector>

using namespace spectacles::actors;
using namespace std::chrono_literals;
using action = rest_retry::action;
using failure = rest_retry::failure;

namespace {

const rest_retry::time_point t0 = rest_retry::time_point{} + 1000s;

rest_retry::options no_jitter() {
  rest_retry::options o;
  o.jitter = 0;
  return o;
}

rate_limit_headers scoped(rate_limit_scope scope, std::optional<double> retry_after = {}) {
  rate_limit_headers h;
  h.scope = scope;
  h.global = scope == rate_limit_scope::global;
  h.retry_after = retry_after;
  return h;
}

bool mentions(const std::string& text, std::string_view words) {
  return text.find(words) != std::string::npos;
}

} // namespace

CAF_TEST(success and redirects end the call) {
  rest_retry r{ rest_method::post, t0 + 15s };
  CAF_CHECK(r.on_response(200, {}, std::nullopt, t0).what == action::done);
  CAF_CHECK(r.on_response(204, {}, std::nullopt, t0).what == action::done);
  CAF_CHECK_EQUAL(r.attempts(), 2);
}

CAF_TEST(a 429 is retried after the body retry_after for every method) {
  rest_retry r{ rest_method::post, t0 + 15s };
  auto d = r.on_response(429, scoped(rate_limit_scope::user, 1), 0.75, t0);
  CAF_REQUIRE(d.what == action::retry);
  CAF_CHECK(d.at == t0 + 800ms); // 0.75 s from the body, not 1 s from the header, + 50 ms
  CAF_CHECK(d.unexpected_429);
  CAF_CHECK(!d.pause_global);
  CAF_CHECK(mentions(d.reason, "retry_after 0.750 s"));
  // Without a body, Retry-After; without that, Reset-After; else 1 s.
  auto h = r.on_response(429, scoped(rate_limit_scope::shared, 2), std::nullopt, t0);
  CAF_CHECK(h.at == t0 + 2050ms);
  CAF_CHECK(!h.unexpected_429);
  rate_limit_headers bare;
  bare.reset_after = 0.25;
  CAF_CHECK(r.on_response(429, bare, std::nullopt, t0).at == t0 + 300ms);
}

CAF_TEST(a global 429 asks for a global pause) {
  rest_retry r{ rest_method::get, t0 + 15s };
  auto d = r.on_response(429, scoped(rate_limit_scope::global), 2.5, t0);
  CAF_CHECK(d.what == action::retry);
  CAF_CHECK(d.pause_global);
  CAF_CHECK(d.at == t0 + 2550ms);
}

CAF_TEST(429s are retried a bounded number of times) {
  rest_retry r{ rest_method::patch, t0 + 60s };
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(r.on_response(429, scoped(rate_limit_scope::user), 0.1, t0).what == action::retry);
  auto d = r.on_response(429, scoped(rate_limit_scope::global), 0.1, t0);
  CAF_CHECK(d.what == action::fail);
  CAF_CHECK(d.why == failure::rate_limited);
  CAF_CHECK(d.pause_global); // the pause still applies to everyone else
  CAF_CHECK(mentions(d.reason, "after 3 retries"));
}

CAF_TEST(server errors back off exponentially for idempotent methods) {
  rest_retry r{ rest_method::get, t0 + 60s, no_jitter() };
  auto now = t0;
  std::vector<std::chrono::milliseconds> waits;
  for (int status : { 500, 502, 503 }) {
    auto d = r.on_response(status, {}, std::nullopt, now);
    CAF_REQUIRE(d.what == action::retry);
    waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d.at - now));
    now = d.at;
  }
  CAF_CHECK_EQUAL(waits, std::vector<std::chrono::milliseconds>({ 250ms, 500ms, 1000ms }));
  auto d = r.on_response(502, {}, std::nullopt, now);
  CAF_CHECK(d.what == action::fail);
  CAF_CHECK(d.why == failure::server_error);
  CAF_CHECK_EQUAL(to_string(d.why), "server_error");
}

CAF_TEST(backoff is capped and jitter only shortens it) {
  rest_retry::options o;
  o.max_error_retries = 10;
  o.jitter = 0.5;
  rest_retry r{ rest_method::delete_, t0 + 1h, o, 42 };
  for (int i = 1; i <= 10; ++i) {
    auto d = r.on_response(503, {}, std::nullopt, t0);
    CAF_REQUIRE(d.what == action::retry);
    auto full = std::min<int64_t>(250LL << (i - 1), 8000);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(d.at - t0).count();
    CAF_CHECK_LESS_OR_EQUAL(wait, full);
    CAF_CHECK_GREATER_OR_EQUAL(wait, full / 2);
  }
}

CAF_TEST(POST and PATCH are not retried after a server error) {
  for (auto method : { rest_method::post, rest_method::patch }) {
    rest_retry r{ method, t0 + 15s };
    auto d = r.on_response(502, {}, std::nullopt, t0);
    CAF_CHECK(d.what == action::fail);
    CAF_CHECK(d.why == failure::server_error);
    CAF_CHECK(mentions(d.reason, "not retried"));
  }
  rest_retry put{ rest_method::put, t0 + 15s };
  CAF_CHECK(put.on_response(502, {}, std::nullopt, t0).what == action::retry);
}

CAF_TEST(connection errors are retried when nothing was sent or the method is idempotent) {
  rest_retry post{ rest_method::post, t0 + 15s, no_jitter() };
  auto refused = post.on_transport_error("connection refused", false, t0);
  CAF_CHECK(refused.what == action::retry);
  CAF_CHECK(refused.at == t0 + 250ms);
  auto reset = post.on_transport_error("connection reset after write", true, t0);
  CAF_CHECK(reset.what == action::fail);
  CAF_CHECK(reset.why == failure::connection);
  CAF_CHECK(mentions(reset.reason, "connection reset after write"));
  rest_retry get{ rest_method::get, t0 + 15s, no_jitter() };
  CAF_CHECK(get.on_transport_error("eof", true, t0).what == action::retry);
  CAF_CHECK(get.on_transport_error("eof", true, t0).what == action::retry);
  CAF_CHECK(get.on_transport_error("eof", true, t0).what == action::retry);
  CAF_CHECK(get.on_transport_error("eof", true, t0).what == action::fail);
}

CAF_TEST(a retry after the deadline fails at once) {
  rest_retry r{ rest_method::get, t0 + 15s };
  auto d = r.on_response(429, scoped(rate_limit_scope::user), 64.57, t0);
  CAF_CHECK(d.what == action::fail);
  CAF_CHECK(d.why == failure::deadline);
  CAF_CHECK(d.at == t0 + 64620ms);
  CAF_CHECK(mentions(d.reason, "deadline"));
  rest_retry late{ rest_method::get, t0 + 100ms, no_jitter() };
  CAF_CHECK(late.on_response(500, {}, std::nullopt, t0).why == failure::deadline);
  CAF_CHECK(!late.expired(t0));
  CAF_CHECK(late.expired(t0 + 100ms));
}

CAF_TEST(other client errors are not retried) {
  for (int status : { 400, 401, 403, 404, 405 }) {
    rest_retry r{ rest_method::get, t0 + 15s };
    auto d = r.on_response(status, {}, std::nullopt, t0);
    CAF_CHECK(d.what == action::fail);
    CAF_CHECK(d.why == failure::client_error);
  }
}

CAF_TEST(junk retry_after values become a bounded wait) {
  rest_retry r{ rest_method::get, t0 + 48h };
  auto d = r.on_response(429, scoped(rate_limit_scope::user), std::nan(""), t0);
  CAF_CHECK(d.at == t0 + 1050ms);
  auto huge = r.on_response(429, scoped(rate_limit_scope::user), 1e300, t0);
  CAF_CHECK(huge.at <= t0 + 86401s);
}
