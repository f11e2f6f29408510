#include "models/snowflake.hpp"

#define CAF_SUITE models.snowflake

#include "caf/test/unit_test.hpp"

using spectacles::models::snowflake;

CAF_TEST(the documented example splits into its parts) {
  auto id = snowflake::parse("175928847299117063");
  CAF_REQUIRE(id);
  CAF_CHECK_EQUAL(id->timestamp(), 1462015105796u);
  CAF_CHECK_EQUAL(id->worker_id(), 1);
  CAF_CHECK_EQUAL(id->process_id(), 0);
  CAF_CHECK_EQUAL(id->increment(), 7);
  CAF_CHECK_EQUAL(id->to_string(), "175928847299117063");
}

CAF_TEST(the largest id survives and junk is refused) {
  CAF_CHECK_EQUAL(snowflake::parse("18446744073709551615")->value(), UINT64_MAX);
  CAF_CHECK(!snowflake::parse("18446744073709551616"));
  CAF_CHECK(!snowflake::parse("-1"));
  CAF_CHECK(!snowflake::parse("12a"));
  CAF_CHECK(!snowflake::parse(""));
}

CAF_TEST(guilds map to shards by the Discord formula) {
  CAF_CHECK_EQUAL(snowflake{ 41771983423143937 }.shard_for(3), 0u);
  CAF_CHECK_EQUAL(snowflake{ 81384788765712384 }.shard_for(16), 2u);
  CAF_CHECK_EQUAL(snowflake::from_timestamp(1462015105796).timestamp(), 1462015105796u);
}
