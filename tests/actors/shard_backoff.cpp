#include "actors/shard_backoff.hpp"

#define CAF_SUITE actors.shard_backoff
#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;

CAF_TEST(first retry is immediate then delays double up to the cap) {
  shard_backoff b({ milliseconds{ 1000 }, milliseconds{ 60'000 }, 0.5 });
  CAF_CHECK_EQUAL(b.next_delay(0.0).count(), 0);
  CAF_CHECK_EQUAL(b.next_delay(0.0).count(), 1000);
  CAF_CHECK_EQUAL(b.next_delay(0.0).count(), 2000);
  CAF_CHECK_EQUAL(b.next_delay(0.0).count(), 4000);
  for (int i = 0; i < 100; ++i)
    b.next_delay(0.0);
  CAF_CHECK_EQUAL(b.next_delay(0.0).count(), 60'000); // capped, no overflow after 100+ tries
  CAF_CHECK_EQUAL(b.ceiling(1'000'000).count(), 60'000);
  b.reset();
  CAF_CHECK_EQUAL(b.attempts(), 0u);
  CAF_CHECK_EQUAL(b.next_delay(0.9).count(), 0);
}

CAF_TEST(jitter stays within half the delay and the delay) {
  shard_backoff b({ milliseconds{ 1000 }, milliseconds{ 8000 }, 0.5 });
  b.next_delay(0.0);
  for (int attempt = 1; attempt < 12; ++attempt) {
    auto top = b.ceiling(static_cast<uint32_t>(attempt)).count();
    double r = (attempt % 4) / 4.0 + 0.2;
    auto d = b.next_delay(r).count();
    CAF_CHECK_GREATER_OR_EQUAL(d, top / 2);
    CAF_CHECK_LESS_OR_EQUAL(d, top);
    CAF_CHECK_LESS_OR_EQUAL(d, 8000);
  }
}

CAF_TEST(a bad random source cannot break the bounds) {
  shard_backoff b({ milliseconds{ 1000 }, milliseconds{ 8000 }, 0.5 });
  b.next_delay(0.0);
  CAF_CHECK_EQUAL(b.next_delay(1.0).count(), 500);   // clamped just below 1
  CAF_CHECK_EQUAL(b.next_delay(-5.0).count(), 2000); // clamped to 0
  CAF_CHECK_EQUAL(b.next_delay(std::numeric_limits<double>::quiet_NaN()).count(), 4000);
}
