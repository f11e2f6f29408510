#include "actors/identify_schedule.hpp"

#define CAF_SUITE actors.identify_schedule
#include "caf/test/unit_test.hpp"

#include <map>
#include <vector>

using namespace spectacles::actors;
using namespace std::chrono_literals;

namespace {

struct grant {
  uint32_t shard;
  gateway_time at;
};

// Drives a schedule the way its actor would: poll, then sleep until
// next_wakeup; every granted shard sends its IDENTIFY at once and says so.
std::vector<grant> run_all(identify_schedule& q, gateway_time now, gateway_time limit) {
  std::vector<grant> out;
  while (auto next = q.next_wakeup(now)) {
    if (*next > limit)
      break;
    now = *next;
    for (auto s : q.poll(now).granted) {
      q.sent(s, now);
      out.push_back({ s, now });
    }
  }
  return out;
}

identify_schedule_options options(milliseconds margin, bool takeover = false,
                                  uint32_t reserve = 0) {
  return {
    .window = 5s, .margin = margin, .confirm_timeout = 5s, .reserve = reserve, .takeover = takeover
  };
}

// What the sim checks: two identifies with one rate-limit key less than 5 s apart.
size_t pacing_violations(const std::vector<grant>& grants, uint32_t max_concurrency) {
  size_t violations = 0;
  for (size_t i = 0; i < grants.size(); ++i)
    for (size_t j = i + 1; j < grants.size(); ++j)
      if (grants[i].shard % max_concurrency == grants[j].shard % max_concurrency
          && grants[j].at - grants[i].at < 5s && grants[i].at - grants[j].at < 5s)
        ++violations;
  return violations;
}

// At most max_concurrency identifies in any 5 s interval.
size_t window_overflows(const std::vector<grant>& grants, uint32_t max_concurrency) {
  size_t overflows = 0;
  for (size_t i = 0; i < grants.size(); ++i) {
    size_t in_window = 0;
    for (auto& g : grants)
      if (g.at >= grants[i].at && g.at < grants[i].at + 5s)
        ++in_window;
    if (in_window > max_concurrency)
      ++overflows;
  }
  return overflows;
}

const identify_schedule::wall_time wall0 = identify_schedule::wall_time{} + 1764280800s;

session_start_limit limits(uint32_t max_concurrency, uint32_t remaining = 1000) {
  return { 1000, remaining, 14'400'000ms, max_concurrency };
}

} // namespace

CAF_TEST(sixteen shards with max_concurrency 1 take fifteen windows in order) {
  gateway_time t0{};
  identify_schedule q({}, limits(1), t0, wall0);
  for (uint32_t s = 0; s < 16; ++s)
    q.request(s);
  auto grants = run_all(q, t0, t0 + 10min);
  CAF_REQUIRE_EQUAL(grants.size(), 16u);
  for (uint32_t i = 0; i < 16; ++i) {
    CAF_CHECK_EQUAL(grants[i].shard, i);
    CAF_CHECK(grants[i].at == t0 + 5s * i);
  }
  CAF_CHECK_EQUAL(pacing_violations(grants, 1), 0u);
  CAF_CHECK_EQUAL(window_overflows(grants, 1), 0u);
  CAF_CHECK(grants.back().at - t0 == 75s); // the minimum: (16 - 1) windows
  CAF_CHECK_EQUAL(q.remaining(), 984u);
}

CAF_TEST(sixteen shards with max_concurrency 4 start in four buckets) {
  gateway_time t0{};
  identify_schedule q({}, limits(4), t0, wall0);
  // Requests arrive in any order, from any node.
  for (uint32_t s : { 15, 3, 7, 0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14 })
    q.request(s);
  auto grants = run_all(q, t0, t0 + 10min);
  CAF_REQUIRE_EQUAL(grants.size(), 16u);
  CAF_CHECK_EQUAL(pacing_violations(grants, 4), 0u);
  CAF_CHECK_EQUAL(window_overflows(grants, 4), 0u);
  CAF_CHECK(grants.back().at - t0 == 15s); // the minimum: 16 / 4 - 1 windows
  std::map<int64_t, std::vector<uint32_t>> by_window;
  for (auto& g : grants)
    by_window[(g.at - t0) / 5s].push_back(g.shard);
  CAF_CHECK_EQUAL(by_window.size(), 4u);
  // FIFO per key: key 3 asked 15, 3, 7, 11 in that order.
  CAF_CHECK_EQUAL(by_window[0], (std::vector<uint32_t>{ 0, 1, 2, 15 }));
  CAF_CHECK_EQUAL(by_window[1], (std::vector<uint32_t>{ 4, 5, 6, 3 }));
}

CAF_TEST(in order requests with max_concurrency 4 start buckets in shard order) {
  gateway_time t0{};
  identify_schedule q({}, limits(4), t0, wall0);
  for (uint32_t s = 0; s < 16; ++s)
    q.request(s);
  auto grants = run_all(q, t0, t0 + 10min);
  CAF_REQUIRE_EQUAL(grants.size(), 16u);
  for (uint32_t i = 0; i < 16; ++i) {
    CAF_CHECK_EQUAL(grants[i].shard, i);
    CAF_CHECK(grants[i].at == t0 + 5s * (i / 4));
  }
}

CAF_TEST(a margin spaces grants a little more) {
  gateway_time t0{};
  identify_schedule q(options(250ms), limits(1), t0, wall0);
  q.request(0);
  q.request(1);
  auto grants = run_all(q, t0, t0 + 1min);
  CAF_REQUIRE_EQUAL(grants.size(), 2u);
  CAF_CHECK(grants[1].at - grants[0].at == 5250ms);
}

CAF_TEST(the window counts from when the IDENTIFY went out not from the grant) {
  gateway_time t0{};
  identify_schedule q(options(0ms), limits(1), t0, wall0);
  q.request(0);
  q.request(1);
  CAF_CHECK_EQUAL(q.poll(t0).granted, (std::vector<uint32_t>{ 0 }));
  // The permit took 800 ms to reach shard 0 (a busy node): shard 1 waits a
  // window from then, or the two IDENTIFYs would reach Discord 4.2 s apart.
  q.sent(0, t0 + 800ms);
  CAF_CHECK(q.poll(t0 + 5s).granted.empty());
  CAF_CHECK(*q.next_wakeup(t0 + 5s) == t0 + 5800ms);
  CAF_CHECK_EQUAL(q.poll(t0 + 5800ms).granted, (std::vector<uint32_t>{ 1 }));
}

CAF_TEST(a grant never confirmed counts as sent at its confirmation deadline) {
  gateway_time t0{};
  identify_schedule q(options(0ms), limits(1), t0, wall0);
  q.request(0);
  q.request(1);
  CAF_CHECK_EQUAL(q.poll(t0).granted, (std::vector<uint32_t>{ 0 }));
  // Shard 0's node died with the permit: no word from it. It may have sent
  // its IDENTIFY as late as t0 + 5 s (confirm_timeout).
  CAF_CHECK(*q.next_wakeup(t0 + 1s) == t0 + 10s);
  CAF_CHECK(q.poll(t0 + 9999ms).granted.empty());
  CAF_CHECK_EQUAL(q.poll(t0 + 10s).granted, (std::vector<uint32_t>{ 1 }));
}

CAF_TEST(a confirmation for a grant of the queue before a takeover moves the window) {
  gateway_time t0{};
  identify_schedule q(options(0ms, true), limits(1), t0, wall0);
  q.request(1);
  // The dead queue granted shard 0, whose IDENTIFY went out at t0 + 2 s.
  q.sent(0, t0 + 2s);
  CAF_CHECK(q.poll(t0 + 5s).granted.empty());
  CAF_CHECK(*q.next_wakeup(t0 + 5s) == t0 + 7s);
  CAF_CHECK_EQUAL(q.poll(t0 + 7s).granted, (std::vector<uint32_t>{ 1 }));
  // A stray confirmation from earlier never pulls the window back.
  q.request(2);
  q.sent(1, t0 + 7s);
  q.sent(0, t0 + 3s);
  CAF_CHECK(*q.next_wakeup(t0 + 7s) == t0 + 12s);
}

CAF_TEST(requests are idempotent and can be cancelled) {
  gateway_time t0{};
  identify_schedule q({}, limits(1), t0, wall0);
  q.request(2);
  q.request(5);
  q.request(2);
  CAF_CHECK_EQUAL(q.waiting(), 2u);
  CAF_CHECK(q.cancel(5));
  CAF_CHECK(!q.cancel(5));
  auto p = q.poll(t0);
  CAF_CHECK_EQUAL(p.granted, (std::vector<uint32_t>{ 2 }));
  CAF_CHECK(!q.next_wakeup(t0));
}

CAF_TEST(the reserve of daily identifies is never spent) {
  gateway_time t0{};
  identify_schedule q(options(0ms, false, 2), limits(1, 4), t0, wall0);
  for (uint32_t s = 0; s < 5; ++s)
    q.request(s);
  auto grants = run_all(q, t0, t0 + 1h);
  CAF_CHECK_EQUAL(grants.size(), 2u); // 4 left, 2 kept back
  CAF_CHECK_EQUAL(q.remaining(), 2u);
  auto p = q.poll(t0 + 1h);
  CAF_CHECK(p.granted.empty());
  CAF_REQUIRE(p.refused);
  CAF_CHECK(p.refused->code == gateway_errc::identify_reserve);
  CAF_CHECK(p.refused->message.find("shard 2") != std::string::npos);
  CAF_CHECK(p.refused->message.find("2 of 1000") != std::string::npos);
  CAF_CHECK(p.refused->message.find("resets in 3h 0m 0s") != std::string::npos);
  // 1764280800 = 2025-11-27T22:00:00Z; plus reset_after 4 h.
  CAF_CHECK(p.refused->message.find("2025-11-28T02:00:00Z") != std::string::npos);
  // It sleeps until the reset, then grants again with a full limit.
  CAF_CHECK(*q.next_wakeup(t0 + 1h) == t0 + 4h);
  auto after = q.poll(t0 + 4h);
  CAF_CHECK_EQUAL(after.granted, (std::vector<uint32_t>{ 2 }));
  CAF_CHECK(!after.refused);
  CAF_CHECK_EQUAL(q.remaining(), 999u);
}

CAF_TEST(fresh limits from gateway bot replace the old ones) {
  gateway_time t0{};
  identify_schedule q(options(0ms, false, 5), limits(1, 5), t0, wall0);
  q.request(0);
  CAF_CHECK(q.poll(t0).refused);
  q.update_limits(limits(1, 900), t0 + 1s, wall0 + 1s);
  CAF_CHECK_EQUAL(q.poll(t0 + 1s).granted.size(), 1u);
}

CAF_TEST(a takeover queue waits one full window before its first grant) {
  gateway_time t0{};
  // The old queue granted key 0 at t0 - 1 s and died; the new one starts at t0.
  identify_schedule q(options(0ms, true), limits(2), t0, wall0);
  q.request(0);
  q.request(1);
  CAF_CHECK(q.poll(t0).granted.empty());
  CAF_CHECK(q.poll(t0 + 4999ms).granted.empty());
  CAF_CHECK(*q.next_wakeup(t0) == t0 + 5s);
  CAF_CHECK_EQUAL(q.poll(t0 + 5s).granted, (std::vector<uint32_t>{ 0, 1 }));
  std::vector<grant> across = { { 0, t0 - 1s }, { 0, t0 + 5s } };
  CAF_CHECK_EQUAL(pacing_violations(across, 2), 0u);
  // Without takeover the first grant is immediate.
  identify_schedule fresh({}, limits(2), t0, wall0);
  fresh.request(0);
  CAF_CHECK_EQUAL(fresh.poll(t0).granted.size(), 1u);
}

CAF_TEST(a new max_concurrency rebuckets waiting shards without violations) {
  gateway_time t0{};
  identify_schedule q({}, limits(1), t0, wall0);
  for (uint32_t s = 0; s < 8; ++s)
    q.request(s);
  std::vector<grant> grants;
  for (auto s : q.poll(t0).granted) {
    q.sent(s, t0);
    grants.push_back({ s, t0 });
  }
  CAF_CHECK_EQUAL(grants.size(), 1u);
  q.update_limits(limits(4), t0 + 1s, wall0 + 1s);
  CAF_CHECK_EQUAL(q.max_concurrency(), 4u);
  CAF_CHECK_EQUAL(q.waiting(), 7u);
  // Every new key waits out the last grant of the old key 0.
  CAF_CHECK(q.poll(t0 + 4s).granted.empty());
  auto rest = run_all(q, t0 + 4s, t0 + 1min);
  grants.insert(grants.end(), rest.begin(), rest.end());
  CAF_REQUIRE_EQUAL(grants.size(), 8u);
  CAF_CHECK_EQUAL(pacing_violations(grants, 1) > 0, true); // mc 1 rules no longer apply...
  CAF_CHECK_EQUAL(pacing_violations(grants, 4), 0u);       // ...mc 4 rules hold
  CAF_CHECK(rest.front().at == t0 + 5s);
  CAF_CHECK(rest.back().at == t0 + 10s);
}
