#include "actors/rest_invalid_guard.hpp"

#define CAF_SUITE actors.rest_invalid_guard

#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;
using namespace std::chrono_literals;
using kind = rest_invalid_guard::verdict_kind;

namespace {

const rest_invalid_guard::time_point t0 = rest_invalid_guard::time_point{} + 100000s;

} // namespace

CAF_TEST(a 401 stops the token after the first) {
  rest_invalid_guard g;
  CAF_CHECK(g.check(t0));
  g.record(200, rate_limit_scope::none, t0);
  g.record(404, rate_limit_scope::none, t0);
  CAF_CHECK(g.check(t0));
  g.record(401, rate_limit_scope::none, t0);
  auto v = g.check(t0 + 1h);
  CAF_CHECK(!v);
  CAF_CHECK(v.kind == kind::token_invalid);
  CAF_CHECK_NOT_EQUAL(v.message.find("401"), std::string::npos);
  CAF_CHECK(g.token_invalid());
  g.reset_token();
  CAF_CHECK(g.check(t0 + 1h));
}

CAF_TEST(a 401 without the bot token does not kill it) {
  rest_invalid_guard g;
  g.record(401, rate_limit_scope::none, t0, false);
  CAF_CHECK(g.check(t0));
  CAF_CHECK_EQUAL(g.count(t0), 1u); // still an invalid request for Cloudflare
}

CAF_TEST(403 and 429 count but shared 429s do not ) {
  rest_invalid_guard g;
  g.record(403, rate_limit_scope::none, t0);
  g.record(429, rate_limit_scope::user, t0);
  g.record(429, rate_limit_scope::global, t0);
  g.record(429, rate_limit_scope::none, t0);
  g.record(429, rate_limit_scope::shared, t0);
  g.record(500, rate_limit_scope::none, t0);
  CAF_CHECK_EQUAL(g.count(t0), 4u);
}

CAF_TEST(calls are refused near the limit until old errors age out) {
  rest_invalid_guard g{ { 100, 600s } };
  // 60 invalid requests at t0, 40 more a minute later.
  for (int i = 0; i < 60; ++i)
    g.record(403, rate_limit_scope::none, t0);
  CAF_CHECK(g.check(t0));
  for (int i = 0; i < 40; ++i)
    g.record(429, rate_limit_scope::user, t0 + 60s);
  auto v = g.check(t0 + 61s);
  CAF_REQUIRE(!v);
  CAF_CHECK(v.kind == kind::too_many_invalid);
  CAF_CHECK_NOT_EQUAL(v.message.find("100 invalid requests"), std::string::npos);
  // The first 60 leave the window 10 minutes after their (whole) second.
  CAF_CHECK(v.retry_at == t0 + 1s + 600s);
  CAF_CHECK(!g.check(t0 + 600s));
  CAF_CHECK(g.check(t0 + 601s));
  CAF_CHECK_EQUAL(g.count(t0 + 601s), 40u);
  CAF_CHECK_EQUAL(g.count(t0 + 661s), 0u);
}

CAF_TEST(the default refuses at nine thousand in ten minutes) {
  rest_invalid_guard g;
  // 15 per second is under the ban rate (about 16.7/s) but reaches 9,000.
  auto now = t0;
  int sent = 0;
  while (g.check(now) && sent < 20000) {
    for (int i = 0; i < 15; ++i)
      g.record(403, rate_limit_scope::none, now);
    sent += 15;
    now += 1s;
  }
  CAF_CHECK_EQUAL(sent, 9000);
  CAF_CHECK_LESS(g.count(now), 10000u);
}
