#include "actors/rest_global_limit.hpp"

#define CAF_SUITE actors.rest_global_limit

#include "caf/test/unit_test.hpp"

#include <cmath>
#include <vector>

using namespace spectacles::actors;
using namespace std::chrono_literals;

namespace {

const rest_global_limit::time_point t0 = rest_global_limit::time_point{} + 1000s;

} // namespace

CAF_TEST(fifty requests per second by default then a wait) {
  rest_global_limit g;
  CAF_CHECK_EQUAL(g.settings().per_second, 50u);
  for (int i = 0; i < 50; ++i)
    CAF_CHECK(g.try_acquire(t0 + std::chrono::milliseconds(i * 8)));
  auto now = t0 + 400ms;
  CAF_CHECK_EQUAL(g.available(now), 0u);
  CAF_CHECK(!g.try_acquire(now));
  // The first permit comes back one window + offset after its send.
  CAF_CHECK(g.next_free(now) == t0 + 1050ms);
  CAF_CHECK(!g.try_acquire(t0 + 1049ms));
  CAF_CHECK(g.try_acquire(t0 + 1050ms));
  CAF_CHECK(!g.try_acquire(t0 + 1050ms));
  CAF_CHECK(g.next_free(t0 + 1050ms) == t0 + 8ms + 1050ms);
}

CAF_TEST(no one second span ever holds more than the budget) {
  rest_global_limit g{ { 10, 1000ms, 0ms } };
  std::vector<rest_global_limit::time_point> sent;
  for (int ms = 0; ms < 5000; ms += 7) {
    auto now = t0 + std::chrono::milliseconds(ms);
    while (g.try_acquire(now))
      sent.push_back(now);
  }
  CAF_CHECK_GREATER_OR_EQUAL(sent.size(), 40u);
  for (size_t i = 0; i + 10 < sent.size(); ++i)
    CAF_CHECK_GREATER_OR_EQUAL(sent[i + 10] - sent[i], std::chrono::nanoseconds(1000ms));
}

CAF_TEST(the budget is configurable and grants leases) {
  rest_global_limit g{ { 120, 1000ms, 50ms } };
  CAF_CHECK_EQUAL(g.grant(t0, 100), 100u);
  CAF_CHECK_EQUAL(g.grant(t0, 100), 20u);
  CAF_CHECK_EQUAL(g.grant(t0, 1), 0u);
  CAF_CHECK_EQUAL(g.available(t0 + 1050ms), 120u);
  rest_global_limit zero{ { 0, 1000ms, 50ms } };
  CAF_CHECK_EQUAL(zero.settings().per_second, 1u);
  CAF_CHECK(zero.try_acquire(t0));
  CAF_CHECK(zero.next_free(t0) == t0 + 1050ms);
}

CAF_TEST(interaction callbacks are exempt even when the budget is spent) {
  rest_global_limit g{ { 1, 1000ms, 50ms } };
  CAF_CHECK(g.try_acquire(t0));
  CAF_CHECK(!g.try_acquire(t0));
  CAF_CHECK(g.try_acquire(t0, true));
  g.on_global_429(t0, 5);
  CAF_CHECK(g.try_acquire(t0, true));
  CAF_CHECK_EQUAL(g.available(t0 + 2s), 0u);
}

CAF_TEST(a global 429 pauses everything for retry after) {
  rest_global_limit g;
  g.on_global_429(t0, 2.5);
  CAF_CHECK(g.paused(t0));
  CAF_CHECK_EQUAL(g.available(t0 + 2549ms), 0u);
  CAF_CHECK(g.next_free(t0) == t0 + 2550ms);
  CAF_CHECK(!g.try_acquire(t0 + 1s));
  CAF_CHECK_EQUAL(g.available(t0 + 2550ms), 50u);
  // A shorter second pause does not shorten the first; junk becomes 1 s.
  g.on_global_429(t0 + 3s, 10);
  g.on_global_429(t0 + 3s, 1);
  CAF_CHECK(g.paused(t0 + 13s));
  rest_global_limit h;
  h.on_global_429(t0, std::nan(""));
  CAF_CHECK(h.next_free(t0) == t0 + 1050ms);
}
