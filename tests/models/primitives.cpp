// The primitives' own parsers: timestamps (the fast path for the form Discord writes and the
// general parser must agree, and both must refuse what is not a date) and image hashes (kept
// inline up to 34 characters, on the heap beyond, equal and re-encoded as they came either way)
// and heap_optional (the large members a message or channel rarely carries).
#include "models/events.hpp"

#define CAF_SUITE models.primitives
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

using namespace spectacles::models;

namespace {

// "2024-02-27T19:50:51.701000" + `offset`.
std::string stamp(int y, int mo, int d, int h, int mi, int s, int us, const char* offset) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06d%s", y, mo, d, h, mi, s, us,
                offset);
  return buf;
}

int64_t us_of(const std::optional<timestamp>& t) {
  return t ? t->unix_us() : INT64_MIN;
}

} // namespace

CAF_TEST(the form Discord writes reads the same as every other spelling of the instant) {
  auto t = timestamp::parse("2024-02-27T19:50:51.701000+00:00");
  CAF_REQUIRE(t);
  CAF_CHECK_EQUAL(t->unix_us(), int64_t{ 1709063451701000 });
  CAF_CHECK_EQUAL(t->to_string(), "2024-02-27T19:50:51.701000+00:00");
  CAF_CHECK_EQUAL(us_of(timestamp::parse("2024-02-27T19:50:51.701Z")), t->unix_us());
  CAF_CHECK_EQUAL(us_of(timestamp::parse("2024-02-27T21:20:51.701000+01:30")), t->unix_us());
  CAF_CHECK_EQUAL(us_of(timestamp::parse("2024-02-27 19:50:51.7010009+00:00")), t->unix_us());

  // Random instants over four centuries: the 32-character form (the fast path, for 1970..2099)
  // against the same instant written with 'Z' and with a "+0000" offset (the general parser),
  // and all three against the standard library's calendar.
  std::mt19937 rng{ 20261202 };
  for (int i = 0; i < 20000; ++i) {
    int y = std::uniform_int_distribution<int>{ 1900, 2300 }(rng);
    int mo = std::uniform_int_distribution<int>{ 1, 12 }(rng);
    int d = std::uniform_int_distribution<int>{ 1, 28 }(rng);
    int h = std::uniform_int_distribution<int>{ 0, 23 }(rng);
    int mi = std::uniform_int_distribution<int>{ 0, 59 }(rng);
    int s = std::uniform_int_distribution<int>{ 0, 59 }(rng);
    int us = std::uniform_int_distribution<int>{ 0, 999999 }(rng);
    auto fast = timestamp::parse(stamp(y, mo, d, h, mi, s, us, "+00:00"));
    auto z = timestamp::parse(stamp(y, mo, d, h, mi, s, us, "Z"));
    auto plain = timestamp::parse(stamp(y, mo, d, h, mi, s, us, "+0000"));
    CAF_REQUIRE(fast && z && plain);
    if (fast->unix_us() != z->unix_us() || fast->unix_us() != plain->unix_us())
      CAF_FAIL("the two parsers disagree on " << stamp(y, mo, d, h, mi, s, us, "+00:00"));
    using namespace std::chrono;
    auto day = sys_days{ year{ y } / month{ static_cast<unsigned>(mo) }
                         / std::chrono::day{ static_cast<unsigned>(d) } };
    auto expected = duration_cast<microseconds>(day.time_since_epoch() + hours{ h } + minutes{ mi }
                                                + seconds{ s })
                    + microseconds{ us };
    if (fast->unix_us() != expected.count())
      CAF_FAIL("the calendar disagrees on " << stamp(y, mo, d, h, mi, s, us, "+00:00"));
    if (timestamp::parse(fast->to_string()) != fast)
      CAF_FAIL("to_string does not read back for " << fast->to_string());
  }
}

// The fast path's own calendar (1970..2099, every fourth year a leap year) day by day, across
// both ends of its range and every month end, against the standard library's.
CAF_TEST(every day from 1969 to 2100 reads as the standard calendar says) {
  using namespace std::chrono;
  size_t failures = 0;
  for (sys_days day = sys_days{ 1969y / December / 1 }; day < sys_days{ 2100y / March / 31 };
       day += days{ 1 }) {
    year_month_day ymd{ day };
    auto text = stamp(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                      static_cast<int>(unsigned(ymd.day())), 23, 59, 59, 999999, "+00:00");
    auto expected = duration_cast<microseconds>(day.time_since_epoch() + hours{ 24 }).count() - 1;
    auto got = timestamp::parse(text);
    if (!got || got->unix_us() != expected) {
      if (++failures < 5)
        CAF_MESSAGE("wrong instant for " << text << ": " << us_of(got));
    }
  }
  CAF_CHECK_EQUAL(failures, 0u);
  CAF_CHECK(!timestamp::parse("2100-02-29T00:00:00.000000+00:00")); // not a leap year
  CAF_CHECK(!timestamp::parse("1969-02-29T00:00:00.000000+00:00"));
  CAF_CHECK_EQUAL(us_of(timestamp::parse("1970-01-01T00:00:00.000000+00:00")), int64_t{ 0 });
  timestamp kept{ 42 };
  CAF_CHECK(!timestamp::parse("2024-02-30T00:00:00.000000+00:00", kept));
  CAF_CHECK_EQUAL(kept.unix_us(), int64_t{ 42 }); // a refused text leaves the target alone
}

CAF_TEST(dates that do not exist and malformed text are refused in the form Discord writes) {
  CAF_CHECK(timestamp::parse("2024-02-29T00:00:00.000000+00:00")); // a leap day
  CAF_CHECK(timestamp::parse("2000-02-29T00:00:00.000000+00:00"));
  CAF_CHECK(timestamp::parse("2016-12-31T23:59:60.000000+00:00")); // a leap second
  for (const char* bad : {
         "2023-02-29T00:00:00.000000+00:00",
         "1900-02-29T00:00:00.000000+00:00",
         "2024-13-01T00:00:00.000000+00:00",
         "2024-00-01T00:00:00.000000+00:00",
         "2024-04-31T00:00:00.000000+00:00",
         "2024-01-00T00:00:00.000000+00:00",
         "2024-01-01T24:00:00.000000+00:00",
         "2024-01-01T00:60:00.000000+00:00",
         "2024-01-01T00:00:61.000000+00:00",
         "2024-01-01T00:00:00.000000+00:0",
         "2024-01-01T00:00:00.000000",
         "2024-01-01T00:00:00.000000+00:00 ",
       })
    if (timestamp::parse(bad))
      CAF_FAIL("accepted " << bad);
  // Every byte of the canonical form replaced by every other byte class: a digit where a
  // separator belongs, a letter, a slash or colon (the bytes around the digits), a high byte.
  const std::string good = "2024-02-27T19:50:51.701000+00:00";
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : { '0', '9', 'a', '/', ':', '-', '.', '+', ' ', '\xB0' }) {
      if (c == good[i])
        continue;
      std::string text = good;
      text[i] = c;
      auto t = timestamp::parse(text);
      bool digit_for_digit = c >= '0' && c <= '9' && good[i] >= '0' && good[i] <= '9';
      // Some replacements are other valid spellings ('T' -> ' ', "+00:00" -> "-00:00").
      bool still_valid = (i == 10 && c == ' ') || (i == 26 && c == '-');
      if (digit_for_digit || still_valid)
        continue; // the same or another valid instant (checked against the general parser)
      if (t)
        CAF_FAIL("accepted " << text);
    }
  }
  // Digit for digit in the date, time and fraction, the fast path must agree with the general
  // parser (the same text ending in 'Z') wherever either accepts.
  for (size_t i = 0; i < 26; ++i) {
    if (good[i] < '0' || good[i] > '9')
      continue;
    for (char c = '0'; c <= '9'; ++c) {
      std::string text = good;
      text[i] = c;
      std::string z = text.substr(0, 26) + "Z";
      CAF_CHECK_EQUAL(us_of(timestamp::parse(text)), us_of(timestamp::parse(z)));
    }
  }
}

CAF_TEST(image hashes are kept inline up to 34 characters and on the heap beyond) {
  image_hash plain{ "1269e74af4df7417b13759eae50c83dc" };
  image_hash animated{ "a_1269e74af4df7417b13759eae50c83dc" };
  CAF_CHECK_EQUAL(plain.view(), "1269e74af4df7417b13759eae50c83dc");
  CAF_CHECK(!plain.animated());
  CAF_CHECK(animated.animated());
  CAF_CHECK_EQUAL(animated.view().size(), image_hash::inline_capacity);
  CAF_CHECK(image_hash{}.empty());
  CAF_CHECK(!image_hash{ "a_" }.animated());
  std::string long_text(100, 'f');
  long_text.replace(0, 2, "a_");
  image_hash long_hash{ long_text };
  CAF_CHECK_EQUAL(long_hash.view(), long_text);
  CAF_CHECK(long_hash.animated());
  // Copies, moves and reassignment between the two storages keep the text.
  image_hash copy = long_hash;
  CAF_CHECK(copy == long_hash);
  copy = plain;
  CAF_CHECK(copy == plain);
  CAF_CHECK_EQUAL(copy.view(), plain.view());
  copy.assign(long_text);
  image_hash moved = std::move(copy);
  CAF_CHECK_EQUAL(moved.view(), long_text);
  CAF_CHECK(copy.empty()); // NOLINT: a moved-from hash is empty, not dangling
  CAF_CHECK_EQUAL(copy.view(), "");
  copy = std::move(moved);
  CAF_CHECK_EQUAL(copy.view(), long_text);
  CAF_CHECK(moved.empty()); // NOLINT
  moved = copy;
  CAF_CHECK_EQUAL(moved.view(), long_text);
  moved.assign("ab");
  CAF_CHECK_EQUAL(moved.view(), "ab");
  CAF_CHECK(plain < animated); // ordered as their text
  CAF_CHECK(plain != animated);

  // Through the codec: inline, heap and escaped hashes decode and re-encode as they came.
  for (const std::string& hash :
       { std::string("1269e74af4df7417b13759eae50c83dc"),
         std::string("a_1269e74af4df7417b13759eae50c83dc"), long_text, std::string("") }) {
    std::string json = R"({"id":"5","username":"u","discriminator":"0","global_name":null,)"
                       R"("avatar":")"
                       + hash + R"("})";
    auto u = decode<user>(json);
    CAF_REQUIRE(u.ok());
    CAF_REQUIRE(u->avatar.has_value());
    CAF_CHECK_EQUAL(u->avatar->view(), hash);
    CAF_CHECK_EQUAL(encode(*u), json);
  }
  auto escaped = decode<user>(R"({"id":"5","avatar":"a_\u0031\"x"})");
  CAF_REQUIRE(escaped.ok());
  CAF_CHECK_EQUAL(escaped->avatar->view(), "a_1\"x");
  auto wrong = decode<user>(R"({"id":"5","avatar":12})");
  CAF_REQUIRE(!wrong.ok());
  CAF_CHECK_EQUAL(wrong.error().message, "avatar: expected an image hash string, got 12");
}

// -- heap_optional ------------------------------------------------------------------------------

CAF_TEST(heap optionals read like std optional and copy deeply) {
  heap_optional<std::string> none;
  CAF_CHECK(!none);
  CAF_CHECK(!none.has_value());
  CAF_CHECK(none == std::nullopt);
  CAF_CHECK_EQUAL(none.value_or("fallback"), "fallback");
  bool threw = false;
  try {
    (void)none.value();
  } catch (const std::bad_optional_access&) {
    threw = true;
  }
  CAF_CHECK(threw);
  heap_optional<std::string> one{ std::string("x") };
  CAF_REQUIRE(one);
  CAF_CHECK_EQUAL(*one, "x");
  CAF_CHECK_EQUAL(one->size(), 1u);
  heap_optional<std::string> copy = one;
  copy->append("y"); // a deep copy: the original keeps its value
  CAF_CHECK_EQUAL(*one, "x");
  CAF_CHECK_EQUAL(*copy, "xy");
  CAF_CHECK(!(copy == one));
  copy = one;
  CAF_CHECK(copy == one);
  copy = std::nullopt;
  CAF_CHECK(!copy);
  CAF_CHECK(!(copy == one));
  copy.emplace("z");
  CAF_CHECK_EQUAL(*copy, "z");
  copy.reset();
  CAF_CHECK(copy == none);
}

CAF_TEST(members that are rarely sent keep the common models small) {
  // A message once held a whole channel (thread), two interaction records, a poll and resolved
  // data inline: 9 KB for every decoded message. They live behind heap_optional now.
  CAF_CHECK_LESS(sizeof(message), 4096u);
  CAF_CHECK_LESS(sizeof(channel), 1024u);
  std::string json = R"({"id":"1","channel_id":"2","author":{"id":"3","username":"u",)"
                     R"("discriminator":"0","global_name":null,"avatar":null},"content":"c",)"
                     R"("timestamp":"2024-02-27T19:50:51.701000+00:00","edited_timestamp":null,)"
                     R"("tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],)"
                     R"("attachments":[],"embeds":[],"pinned":false,"type":0,)"
                     R"("thread":{"id":"4","type":11,"member":{"id":"4","user_id":"3",)"
                     R"("join_timestamp":"2024-02-27T19:50:51.701000+00:00","flags":0}}})";
  auto m = decode<message>(json);
  CAF_REQUIRE(m.ok());
  CAF_REQUIRE(m->thread);
  CAF_CHECK_EQUAL(m->thread->id.value(), 4u);
  CAF_REQUIRE(m->thread->member);
  CAF_CHECK_EQUAL(m->thread->member->user_id->value(), 3u);
  CAF_CHECK(!m->poll);
  CAF_CHECK(!m->interaction);
  auto again = decode<message>(encode(*m));
  CAF_REQUIRE(again.ok());
  CAF_CHECK(*again == *m);
  message copy = *m;
  CAF_CHECK(copy == *m);
  copy.thread->member->flags = 1; // the copy owns its own thread
  CAF_CHECK_EQUAL(m->thread->member->flags, 0u);
}
