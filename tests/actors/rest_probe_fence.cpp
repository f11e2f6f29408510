#include "actors/rest_probe_fence.hpp"

#define CAF_SUITE actors.rest_probe_fence

#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;

namespace {

using namespace std::chrono_literals;
using fence = rest_probe_fence;

const auto t0 = fence::time_point{} + 1h;

fence::window limited(int64_t remaining, fence::time_point reset_at, int64_t limit = 5) {
  return { true, limit, remaining, reset_at };
}

const fence::window no_reply{};

// Buckets of channel 1 (X, Y known; P, Q probes) and of channel 2 (R).
constexpr uint64_t X = 1, Y = 2, P = 10, Q = 11, R = 20;
const std::string ch1 = "channels/1";
const std::string ch2 = "channels/2";

} // namespace

CAF_TEST(a known bucket keeps its last slot while a probe of its channel is out) {
  fence f;
  CAF_CHECK(f.ask(ch1, P, true, no_reply, 1, t0));
  // 2 left: even if the probe lands here, this request fits.
  CAF_CHECK(f.ask(ch1, X, false, limited(2, t0 + 1s), 2, t0));
  // Now 1 left (as X last heard): the probe may have taken it.
  CAF_CHECK(!f.ask(ch1, X, false, limited(1, t0 + 1s), 3, t0));
  CAF_CHECK_EQUAL(f.parked(), 1u);
  auto out = f.end_probe(P, t0 + 10ms);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].waiter, 3u);
  CAF_CHECK(!out[0].probe); // look at the window again, do not just go
  CAF_CHECK_EQUAL(f.parked(), 0u);
  // With no probe out, the last slot is X's to spend.
  CAF_CHECK(f.ask(ch1, X, false, limited(1, t0 + 1s), 4, t0 + 10ms));
  CAF_CHECK_EQUAL(f.fenced_total(), 1u);
}

CAF_TEST(a probe waits while a known bucket of its channel is spent) {
  fence f;
  CAF_CHECK(f.ask(ch1, X, false, limited(1, t0 + 1s), 1, t0)); // spends the last slot
  CAF_CHECK(!f.ask(ch1, P, true, no_reply, 2, t0));
  CAF_REQUIRE(f.wake_at().has_value());
  CAF_CHECK(*f.wake_at() == t0 + 1s);
  CAF_CHECK(f.poll(t0 + 999ms).empty());
  auto out = f.poll(t0 + 1s);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].waiter, 2u);
  CAF_CHECK(out[0].probe);
  // The released probe is the one out now: another waits for it.
  CAF_CHECK(!f.ask(ch1, Q, true, no_reply, 3, t0 + 1s));
}

CAF_TEST(a reply that refills a known bucket releases the waiting probe) {
  fence f;
  CAF_CHECK(f.ask(ch1, X, false, limited(1, t0 + 5s), 1, t0));
  CAF_CHECK(!f.ask(ch1, P, true, no_reply, 2, t0));
  // X's reply opened a new window with room.
  auto out = f.observe(ch1, X, limited(4, t0 + 6s), t0 + 20ms);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK(out[0].probe);
  // A stricter view (the reply that revealed a shared bucket) only lowers.
  CAF_CHECK(f.observe(ch1, X, limited(0, t0 + 6s), t0 + 30ms, true).empty());
  CAF_CHECK(f.observe(ch1, X, limited(3, t0 + 6s), t0 + 40ms, true).empty());
  f.end_probe(P, t0 + 50ms);
  CAF_CHECK(!f.ask(ch1, Q, true, no_reply, 3, t0 + 50ms)); // X is still at 0
}

CAF_TEST(one probe per channel and channels do not fence each other) {
  fence f;
  CAF_CHECK(f.ask(ch1, P, true, no_reply, 1, t0));
  CAF_CHECK(!f.ask(ch1, Q, true, no_reply, 2, t0));
  CAF_CHECK(f.ask(ch2, R, true, no_reply, 3, t0));
  CAF_CHECK(f.ask(ch2, R, true, no_reply, 4, t0)); // its own probe, retried
  auto out = f.end_probe(P, t0 + 5ms);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].waiter, 2u);
  CAF_CHECK(out[0].probe);
  CAF_CHECK(f.end_probe(P, t0 + 6ms).empty()); // over once
}

CAF_TEST(buckets without a route limit never block a probe) {
  fence f;
  CAF_CHECK(f.ask(ch1, X, false, no_reply, 1, t0)); // known, no limit headers
  CAF_CHECK(f.ask(ch1, Y, false, limited(1, t0 + 1s), 2, t0));
  CAF_CHECK(!f.ask(ch1, P, true, no_reply, 3, t0)); // Y is spent
  // Y's next reply says the route has no limit after all.
  auto out = f.observe(ch1, Y, no_reply, t0 + 1ms);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].waiter, 3u);
}

CAF_TEST(a gone bucket and a gone waiter free the fence) {
  fence f;
  CAF_CHECK(f.ask(ch1, P, true, no_reply, 1, t0));
  CAF_CHECK(!f.ask(ch1, X, false, limited(1, t0 + 1s), 2, t0));
  CAF_CHECK(!f.ask(ch1, Q, true, no_reply, 3, t0));
  // X gave up waiting: only Q is left.
  CAF_CHECK(f.drop_waiter(2, t0).empty());
  CAF_CHECK_EQUAL(f.parked(), 1u);
  // P's bucket stopped: its probe is over, Q goes.
  auto out = f.forget(P, t0 + 1ms);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].waiter, 3u);
  CAF_CHECK(out[0].probe);
}

CAF_TEST(a probe whose reply never came stops fencing after the stale limit) {
  fence f{ 2s };
  CAF_CHECK(f.ask(ch1, P, true, no_reply, 1, t0));
  CAF_CHECK(!f.ask(ch1, X, false, limited(1, t0 + 10s), 2, t0));
  CAF_REQUIRE(f.wake_at().has_value());
  CAF_CHECK(*f.wake_at() == t0 + 2s);
  CAF_CHECK(f.poll(t0 + 1s).empty());
  auto out = f.poll(t0 + 2s);
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].waiter, 2u);
  CAF_CHECK(!out[0].probe);
}
