#include "actors/rest_bucket_state.hpp"

#define CAF_SUITE actors.rest_bucket_state

#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;
using namespace std::chrono_literals;
using gate_state = rest_bucket_state::gate_state;

namespace {

const rest_bucket_state::time_point t0 = rest_bucket_state::time_point{} + 1000s;

rate_limit_headers limit_headers(int64_t limit, int64_t remaining, double reset_after,
                                 std::optional<double> reset = std::nullopt) {
  rate_limit_headers h;
  h.limit = limit;
  h.remaining = remaining;
  h.reset_after = reset_after;
  h.reset = reset;
  return h;
}

rest_bucket_state::entry req(uint64_t ticket, std::string key = "GET /a") {
  return { ticket, std::move(key), false };
}

uint64_t start(rest_bucket_state& b, rest_bucket_state::time_point now) {
  auto e = b.start_next(now);
  if (!e)
    CAF_FAIL("nothing could start");
  return e ? e->ticket : 0;
}

} // namespace

CAF_TEST(an unknown bucket lets one request out until the first reply) {
  rest_bucket_state b{ { 50ms, 4 } };
  CAF_CHECK(b.check(t0).state == gate_state::idle);
  b.enqueue(req(1));
  b.enqueue(req(2));
  CAF_CHECK(b.check(t0).state == gate_state::ready);
  CAF_CHECK_EQUAL(start(b, t0), 1u);
  CAF_CHECK(b.check(t0).state == gate_state::wait_response);
  CAF_CHECK(!b.start_next(t0));
  b.on_response(1, 200, limit_headers(5, 4, 5.0), std::nullopt, t0 + 10ms);
  CAF_CHECK(b.check(t0 + 10ms).state == gate_state::ready);
  CAF_CHECK_EQUAL(b.limit().value_or(0), 5);
  CAF_CHECK_EQUAL(b.remaining(), 4);
}

CAF_TEST(an exhausted window waits until reset after plus the offset) {
  rest_bucket_state b; // defaults: 50 ms offset, one in flight
  for (uint64_t t = 1; t <= 4; ++t)
    b.enqueue(req(t));
  auto now = t0;
  CAF_CHECK_EQUAL(start(b, now), 1u);
  b.on_response(1, 200, limit_headers(2, 1, 2.5, 100.0), std::nullopt, now);
  CAF_CHECK_EQUAL(start(b, now), 2u);
  b.on_response(2, 200, limit_headers(2, 0, 2.4, 100.0), std::nullopt, now + 100ms);
  auto gate = b.check(now + 100ms);
  CAF_REQUIRE(gate.state == gate_state::wait_until);
  // Reset-After is counted from the reply that said it, plus 50 ms.
  CAF_CHECK(gate.until == now + 100ms + 2400ms + 50ms);
  CAF_CHECK(!b.start_next(now + 2549ms));
  // At the reset the window refills to the limit, and the queue goes on.
  CAF_CHECK_EQUAL(start(b, now + 2550ms), 3u);
  CAF_CHECK_EQUAL(b.remaining(), 1);
}

CAF_TEST(requests leave in arrival order) {
  rest_bucket_state b;
  for (uint64_t t = 1; t <= 6; ++t)
    b.enqueue(req(t));
  std::vector<uint64_t> order;
  for (int i = 0; i < 6; ++i) {
    auto ticket = start(b, t0);
    order.push_back(ticket);
    b.on_response(ticket, 200, limit_headers(10, 9 - i, 10.0, 50.0), std::nullopt, t0);
  }
  CAF_CHECK_EQUAL(order, std::vector<uint64_t>({ 1, 2, 3, 4, 5, 6 }));
  // A late request with an older ticket (moved in by a merge) goes in its place.
  b.enqueue(req(9));
  b.enqueue(req(8));
  CAF_CHECK_EQUAL(b.queued_tickets(), std::vector<uint64_t>({ 8, 9 }));
}

CAF_TEST(a 429 of the route pauses the bucket for the body retry after) {
  rest_bucket_state b;
  b.enqueue(req(1));
  b.enqueue(req(2));
  start(b, t0);
  rate_limit_headers h = limit_headers(5, 0, 0.5);
  h.scope = rate_limit_scope::user;
  h.retry_after = 2; // the header is rounded up; the body's 1.5 wins
  b.on_response(1, 429, h, 1.5, t0);
  auto gate = b.check(t0);
  CAF_REQUIRE(gate.state == gate_state::wait_until);
  CAF_CHECK(gate.until == t0 + 1550ms);
  CAF_CHECK(b.check(t0 + 1550ms).state == gate_state::ready);
}

CAF_TEST(a shared 429 also pauses the bucket and the header is used without a body) {
  rest_bucket_state b;
  b.enqueue(req(1));
  b.enqueue(req(2));
  start(b, t0);
  rate_limit_headers h;
  h.scope = rate_limit_scope::shared;
  h.retry_after = 3;
  b.on_response(1, 429, h, std::nullopt, t0);
  CAF_CHECK(b.check(t0 + 3049ms).state == gate_state::wait_until);
  CAF_CHECK(b.check(t0 + 3050ms).state == gate_state::ready);
}

CAF_TEST(a global 429 leaves the bucket to the global limiter) {
  rest_bucket_state b;
  b.enqueue(req(1));
  b.enqueue(req(2));
  start(b, t0);
  rate_limit_headers h = limit_headers(5, 3, 1.0);
  h.global = true;
  h.scope = rate_limit_scope::global;
  b.on_response(1, 429, h, 10.0, t0);
  CAF_CHECK(b.check(t0).state == gate_state::ready);
}

CAF_TEST(cancelling an in - flight request frees its slot but not its use of the window) {
  rest_bucket_state b;
  b.enqueue(req(1));
  b.enqueue(req(2));
  b.enqueue(req(3));
  start(b, t0);
  b.on_response(1, 200, limit_headers(3, 2, 5.0), std::nullopt, t0);
  CAF_CHECK_EQUAL(start(b, t0), 2u);
  // Ticket 2's reply never comes (timeout): without cancel the bucket would
  // wait forever (discordeno#5274).
  CAF_CHECK(b.check(t0 + 20s).state == gate_state::wait_response);
  CAF_CHECK(b.cancel(2));
  CAF_CHECK(b.in_flight().empty());
  CAF_CHECK_EQUAL(b.remaining(), 1);
  CAF_CHECK_EQUAL(start(b, t0 + 1s), 3u);
  CAF_CHECK(!b.cancel(2));
  // Cancelling a queued request removes it.
  b.enqueue(req(4));
  b.enqueue(req(5));
  CAF_CHECK(b.cancel(4));
  CAF_CHECK_EQUAL(b.queued_tickets(), std::vector<uint64_t>({ 5 }));
}

CAF_TEST(with several in flight the count never trusts an older reply) {
  rest_bucket_state b{ { 50ms, 3 } };
  for (uint64_t t = 1; t <= 6; ++t)
    b.enqueue(req(t));
  start(b, t0);
  b.on_response(1, 200, limit_headers(5, 4, 5.0, 200.0), std::nullopt, t0);
  CAF_CHECK_EQUAL(start(b, t0), 2u);
  CAF_CHECK_EQUAL(start(b, t0), 3u);
  CAF_CHECK_EQUAL(start(b, t0), 4u);
  CAF_CHECK(b.check(t0).state == gate_state::wait_response);
  CAF_CHECK_EQUAL(b.remaining(), 1);
  // Discord processed 2, 3, 4 (remaining 3, 2, 1) but the replies arrive
  // as 4, 2, 3: the count must not go back up.
  b.on_response(4, 200, limit_headers(5, 1, 4.9, 200.0), std::nullopt, t0 + 5ms);
  CAF_CHECK_EQUAL(b.remaining(), 0); // 1 left minus 2 still in flight, floored
  b.on_response(2, 200, limit_headers(5, 3, 4.9, 200.0), std::nullopt, t0 + 6ms);
  CAF_CHECK_EQUAL(b.remaining(), 0);
  b.on_response(3, 200, limit_headers(5, 2, 4.9, 200.0), std::nullopt, t0 + 7ms);
  CAF_CHECK_EQUAL(b.remaining(), 0);
  CAF_CHECK(b.check(t0 + 7ms).state == gate_state::wait_until);
  // A reply of an earlier window (Reset 199) changes nothing.
  b.on_response(99, 200, limit_headers(5, 5, 0.1, 199.0), std::nullopt, t0 + 8ms);
  CAF_CHECK_EQUAL(b.remaining(), 0);
  // A reply of a later window (Reset 205) is believed.
  CAF_CHECK_EQUAL(start(b, t0 + 5050ms), 5u); // first reply: 5.0 s + 50 ms
  b.on_response(5, 200, limit_headers(5, 4, 5.0, 205.0), std::nullopt, t0 + 5050ms);
  CAF_CHECK_EQUAL(b.remaining(), 4);
}

CAF_TEST(a route without limit headers stops counting but keeps its order) {
  rest_bucket_state b{ { 50ms, 2 } };
  for (uint64_t t = 1; t <= 4; ++t)
    b.enqueue(req(t));
  start(b, t0);
  b.on_response(1, 200, rate_limit_headers{}, std::nullopt, t0);
  CAF_CHECK(!b.limit());
  CAF_CHECK_EQUAL(start(b, t0), 2u);
  CAF_CHECK_EQUAL(start(b, t0), 3u);
  CAF_CHECK(b.check(t0).state == gate_state::wait_response); // max_in_flight = 2
  // A 502 without headers does not make a limited bucket unlimited.
  rest_bucket_state limited;
  limited.enqueue(req(1));
  limited.enqueue(req(2));
  start(limited, t0);
  limited.on_response(1, 200, limit_headers(1, 0, 1.0), std::nullopt, t0);
  limited.on_response(7, 502, rate_limit_headers{}, std::nullopt, t0);
  CAF_CHECK(limited.limit());
  CAF_CHECK(limited.check(t0).state == gate_state::wait_until);
}

CAF_TEST(moving a key interleaves both queues by ticket) {
  rest_bucket_state a;
  rest_bucket_state b;
  a.enqueue(req(1, "A"));
  b.enqueue(req(2, "B"));
  a.enqueue(req(3, "A"));
  b.enqueue(req(4, "B"));
  a.enqueue(req(5, "A"));
  auto moved = b.take_key("B");
  CAF_CHECK_EQUAL(moved.size(), 2u);
  CAF_CHECK_EQUAL(b.queued(), 0u);
  auto order = a.absorb(std::move(moved));
  CAF_CHECK_EQUAL(order, std::vector<uint64_t>({ 1, 2, 3, 4, 5 }));
  // take_key leaves the other keys' requests in their order.
  auto only_a = a.take_key("A");
  CAF_CHECK_EQUAL(a.queued_tickets(), std::vector<uint64_t>({ 2, 4 }));
  CAF_CHECK_EQUAL(only_a.size(), 3u);
}

CAF_TEST(absorbing a whole bucket keeps the stricter window and all slots) {
  rest_bucket_state target;
  rest_bucket_state other;
  target.enqueue(req(1, "A"));
  other.enqueue(req(2, "B"));
  other.enqueue(req(4, "B"));
  target.enqueue(req(3, "A"));
  start(target, t0);
  start(other, t0);
  target.on_response(1, 200, limit_headers(5, 3, 1.0), std::nullopt, t0);
  other.on_response(2, 200, limit_headers(5, 1, 3.0), std::nullopt, t0);
  CAF_CHECK_EQUAL(start(other, t0), 4u); // in flight while the merge happens
  auto order = target.absorb(std::move(other));
  CAF_CHECK_EQUAL(order, std::vector<uint64_t>({ 3 }));
  CAF_CHECK_EQUAL(target.in_flight(), std::vector<uint64_t>({ 4 }));
  CAF_CHECK_EQUAL(target.remaining(), 0);
  CAF_CHECK(target.reset_at() == t0 + 3050ms);
  CAF_CHECK(target.check(t0).state == gate_state::wait_response);
  target.on_response(4, 200, limit_headers(5, 0, 2.9), std::nullopt, t0 + 100ms);
  CAF_CHECK(target.check(t0 + 100ms).state == gate_state::wait_until);
}

CAF_TEST(absurd reset values are clamped instead of overflowing) {
  rest_bucket_state b;
  b.enqueue(req(1));
  b.enqueue(req(2));
  start(b, t0);
  b.on_response(1, 200, limit_headers(1, 0, 1e300), std::nullopt, t0);
  auto gate = b.check(t0);
  CAF_REQUIRE(gate.state == gate_state::wait_until);
  CAF_CHECK(gate.until <= t0 + 86401s);
}
