#include "actors/shard_heartbeat.hpp"

#define CAF_SUITE actors.shard_heartbeat
#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;
using namespace std::chrono_literals;
using tick = shard_heartbeat::tick_result;

CAF_TEST(first beat after interval times random then every interval) {
  shard_heartbeat hb;
  gateway_time t0{};
  CAF_CHECK(hb.on_tick(t0) == tick::idle); // nothing before HELLO
  hb.on_hello(t0, 41250ms, 0.25);
  CAF_CHECK(hb.next_due() == t0 + 10312ms);
  CAF_CHECK(hb.on_tick(t0 + 10311ms) == tick::idle);
  CAF_CHECK(hb.on_tick(t0 + 10312ms) == tick::send);
  hb.on_ack(t0 + 10312ms + 80ms);
  CAF_CHECK(hb.next_due() == t0 + 10312ms + 41250ms);
  CAF_CHECK(hb.on_tick(t0 + 51561ms) == tick::idle);
  CAF_CHECK(hb.on_tick(t0 + 51562ms) == tick::send);
}

CAF_TEST(jitter of the first beat stays in zero to interval) {
  gateway_time t0{};
  for (double r : { 0.0, 0.5, 0.999999, 1.0, 7.0, -1.0 }) {
    shard_heartbeat hb;
    hb.on_hello(t0, 45000ms, r);
    CAF_CHECK(*hb.next_due() >= t0);
    CAF_CHECK(*hb.next_due() < t0 + 45000ms);
  }
}

CAF_TEST(no ack between two beats is a zombie) {
  shard_heartbeat hb;
  gateway_time t0{};
  hb.on_hello(t0, 1000ms, 0.0);
  CAF_CHECK(hb.on_tick(t0) == tick::send);
  CAF_CHECK(hb.on_tick(t0 + 999ms) == tick::idle);
  CAF_CHECK(hb.on_tick(t0 + 1000ms) == tick::zombie);
}

CAF_TEST(an ack in time keeps the connection alive and measures latency) {
  shard_heartbeat hb;
  gateway_time t0{};
  hb.on_hello(t0, 1000ms, 0.0);
  CAF_CHECK(hb.on_tick(t0) == tick::send);
  hb.on_ack(t0 + 120ms);
  CAF_CHECK(hb.on_tick(t0 + 1000ms) == tick::send);
  hb.on_ack(t0 + 1040ms);
  CAF_CHECK_EQUAL(hb.last_latency().value_or(0ms).count(), 40);
  CAF_CHECK_EQUAL(hb.mean_latency().value_or(0ms).count(), 80);
  CAF_CHECK_EQUAL(hb.acks(), 2u);
  hb.on_ack(t0 + 1100ms); // unsolicited: no latency sample
  CAF_CHECK_EQUAL(hb.acks(), 2u);
}

CAF_TEST(a server requested beat must be acked before the next periodic one) {
  shard_heartbeat hb;
  gateway_time t0{};
  hb.on_hello(t0, 1000ms, 0.5);
  CAF_CHECK(hb.on_tick(t0 + 500ms) == tick::send);
  hb.on_ack(t0 + 510ms);
  hb.on_server_request(t0 + 700ms);
  CAF_CHECK(hb.next_due() == t0 + 1500ms); // schedule unchanged
  CAF_CHECK(hb.on_tick(t0 + 1500ms) == tick::zombie);
}
