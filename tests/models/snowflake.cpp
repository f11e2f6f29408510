#include "models/snowflake.hpp"

#define CAF_SUITE models.snowflake

#include "caf/test/unit_test.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

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
  snowflake kept{ 7 };
  CAF_CHECK(!snowflake::parse("1844674407370955161x", kept));
  CAF_CHECK(!snowflake::parse("99999999999999999999", kept));
  CAF_CHECK_EQUAL(kept.value(), 7u); // a refused text leaves the target alone
  CAF_CHECK(snowflake::parse("80351110224678912", kept));
  CAF_CHECK_EQUAL(kept.value(), 80351110224678912u);
}

// parse reads digits eight at a time; it must accept exactly what from_chars accepts as a whole
// uint64 (no sign, no junk, no overflow) in at most 20 digits, with the odd byte anywhere and at
// every length.
CAF_TEST(parse agrees with from_chars at every length and position) {
  auto reference = [](const std::string& s) -> std::optional<uint64_t> {
    uint64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s.size() > 20 || r.ec != std::errc{} || r.ptr != s.data() + s.size())
      return std::nullopt;
    return v;
  };
  auto same = [&](const std::string& s) {
    auto got = snowflake::parse(s);
    auto want = reference(s);
    if (got.has_value() != want.has_value() || (got && got->value() != *want)) {
      CAF_MESSAGE("disagree on \"" << s << "\"");
      return false;
    }
    return true;
  };
  std::mt19937_64 rng{ 42 };
  const char odd_bytes[] = "/:+- a\x00\xB0\x39\x40\xFF\x3A\x2F";
  const std::string odd(odd_bytes, sizeof(odd_bytes) - 1);
  size_t failures = 0;
  for (size_t len = 0; len <= 22; ++len) {
    for (int round = 0; round < 200; ++round) {
      std::string s(len, '0');
      for (auto& ch : s)
        ch = static_cast<char>('0' + rng() % 10);
      if (round % 2 == 1 && len > 0) // one odd byte somewhere
        s[rng() % len] = odd[rng() % odd.size()];
      if (round == 2 && len == 20) // near the top of the range
        s = "184467440737095516" + std::to_string(10 + rng() % 10);
      failures += same(s) ? 0 : 1;
    }
  }
  for (const char* s : { "18446744073709551615", "18446744073709551616", "99999999999999999999",
                         "00000000000000000001", "0", "9", "12345678", "123456789",
                         "1234567890123456", "12345678901234567" })
    failures += same(s) ? 0 : 1;
  CAF_CHECK_EQUAL(failures, 0u);
}

CAF_TEST(guilds map to shards by the Discord formula) {
  CAF_CHECK_EQUAL(snowflake{ 41771983423143937 }.shard_for(3), 0u);
  CAF_CHECK_EQUAL(snowflake{ 81384788765712384 }.shard_for(16), 2u);
  CAF_CHECK_EQUAL(snowflake::from_timestamp(1462015105796).timestamp(), 1462015105796u);
}
