#include "actors/session_record.hpp"

#define CAF_SUITE actors.session_record
#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;
using namespace std::chrono_literals;

CAF_TEST(ready saves at once and seq saves are bounded by time) {
  session_record r({ 1000ms, 100, false });
  gateway_time t0{};
  auto s = r.on_ready("sess", "wss://resume", 1, t0);
  CAF_CHECK_EQUAL(s.session_id, "sess");
  CAF_CHECK_EQUAL(s.seq, 1u);
  CAF_CHECK(!r.on_seq(2, t0 + 10ms));
  CAF_CHECK(!r.on_seq(3, t0 + 500ms));
  CAF_CHECK(r.next_deadline() == t0 + 1010ms);
  CAF_CHECK(!r.on_tick(t0 + 1009ms));
  auto saved = r.on_tick(t0 + 1010ms);
  CAF_REQUIRE(saved);
  CAF_CHECK_EQUAL(saved->seq, 3u);
  CAF_CHECK(!r.on_tick(t0 + 5000ms)); // nothing new
  auto late = r.on_seq(4, t0 + 9000ms);
  CAF_CHECK(!late);
  CAF_REQUIRE(r.on_seq(5, t0 + 10001ms));
}

CAF_TEST(seq saves are bounded by event count) {
  session_record r({ 60'000ms, 10, false });
  gateway_time t0{};
  r.on_ready("sess", "wss://resume", 1, t0);
  int saves = 0;
  uint64_t last = 0;
  for (uint64_t seq = 2; seq <= 101; ++seq)
    if (auto s = r.on_seq(seq, t0)) {
      ++saves;
      last = s->seq;
    }
  CAF_CHECK_EQUAL(saves, 10);
  CAF_CHECK_EQUAL(last, 101u);
}

CAF_TEST(the saved seq is the commit point when one is used) {
  session_record r({ 0ms, 1, true });
  gateway_time t0{};
  auto s = r.on_ready("sess", "wss://resume", 1, t0);
  CAF_CHECK_EQUAL(s.seq, 0u);  // nothing acked yet
  CAF_CHECK(!r.on_seq(2, t0)); // received, not committed: nothing to save
  CAF_CHECK(!r.on_seq(3, t0));
  auto c = r.on_commit(2, t0);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->seq, 2u);
  CAF_CHECK(!r.on_commit(1, t0));  // commits never go back
  auto ahead = r.on_commit(9, t0); // never above what was received
  CAF_REQUIRE(ahead);
  CAF_CHECK_EQUAL(ahead->seq, 3u);
}

CAF_TEST(restore resume and invalidate) {
  session_record r({ 1000ms, 100, true });
  gateway_time t0{};
  r.restore({ "sess", "wss://resume", 40 });
  r.on_resuming(40);
  auto s = r.on_resumed(45, t0);
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->seq, 40u); // replayed 41..45 are not committed yet
  CAF_CHECK_EQUAL(r.received_seq().value_or(0), 45u);
  r.invalidate();
  CAF_CHECK(!r.current());
  CAF_CHECK(!r.on_seq(50, t0));
  CAF_CHECK(!r.on_resumed(50, t0));
}
