#include "actors/shard_command_limiter.hpp"

#define CAF_SUITE actors.shard_command_limiter
#include "caf/test/unit_test.hpp"

#include <vector>

using namespace spectacles::actors;
using namespace std::chrono_literals;

CAF_TEST(user commands stop at 110 per 60 s and heartbeats still pass) {
  shard_command_limiter l;
  gateway_time t0{};
  int sent = 0;
  for (int i = 0; i < 200; ++i)
    sent += l.try_user(t0 + milliseconds{ i }) ? 1 : 0;
  CAF_CHECK_EQUAL(sent, 110);
  for (int i = 0; i < 10; ++i)
    l.record_protocol(t0 + 1s);
  CAF_CHECK_EQUAL(l.sent_in_window(t0 + 1s), 120u);
  CAF_CHECK(!l.try_user(t0 + 59s));
  // The first user command leaves the window at t0 + 60 s exactly.
  CAF_CHECK(l.next_user_slot(t0 + 2s) > t0 + 59s);
}

CAF_TEST(next_user_slot is when the oldest sends leave the window) {
  shard_command_limiter l({ 60s, 120, 110 });
  gateway_time t0{};
  for (int i = 0; i < 110; ++i)
    CAF_REQUIRE(l.try_user(t0 + std::chrono::seconds{ i / 10 })); // 10 per second for 11 s
  CAF_CHECK(l.next_user_slot(t0 + 20s) == t0 + 60s);
  CAF_CHECK(!l.try_user(t0 + 60s - 1ms));
  CAF_CHECK(l.try_user(t0 + 60s));
  CAF_CHECK(l.next_user_slot(t0 + 60s) == t0 + 60s + 0s || l.next_user_slot(t0 + 60s) > t0 + 60s);
}

CAF_TEST(no sliding 60 s window ever holds more than 120 sends) {
  shard_command_limiter l;
  gateway_time t0{};
  std::vector<gateway_time> sends;
  // Ten minutes of a user hammering every 100 ms plus a heartbeat every 41.25 s.
  auto next_beat = t0;
  for (auto t = t0; t < t0 + 600s; t += 100ms) {
    if (t >= next_beat) {
      l.record_protocol(t);
      sends.push_back(t);
      next_beat += 41250ms;
    }
    if (l.try_user(t))
      sends.push_back(t);
  }
  size_t worst = 0;
  for (size_t i = 0, j = 0; i < sends.size(); ++i) {
    while (sends[i] - sends[j] >= 60s)
      ++j;
    worst = std::max(worst, i - j + 1);
  }
  CAF_CHECK_LESS_OR_EQUAL(worst, 120u);
  CAF_CHECK_GREATER_OR_EQUAL(worst, 110u); // and the allowance is actually used
}
