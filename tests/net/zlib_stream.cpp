#include "net/zlib_stream.hpp"

#define CAF_SUITE net.zlib_stream

#include "caf/test/unit_test.hpp"

#include <random>

#include "tests/net/fixtures.hpp"

using namespace spectacles::net;
using spectacles::net::testing::read_fixture;

namespace {

struct fixture {
  std::string frame = read_fixture("compression/hello.zlib-stream.bin");
  std::string expected = read_fixture("compression/hello.zlib-stream.json");

  fixture() {
    CAF_REQUIRE_EQUAL(frame.size(), 111u);
    CAF_REQUIRE(!expected.empty());
  }
};

// Feeds `pieces` and returns the one message they complete ("" on error).
std::string feed_all(zlib_inflater& z, const std::vector<std::string_view>& pieces) {
  std::string got;
  for (size_t i = 0; i < pieces.size(); ++i) {
    auto r = z.feed(pieces[i]);
    if (!r)
      return "error: " + r.error().what();
    if (i + 1 < pieces.size() && r->has_value())
      return "completed early";
    if (r->has_value())
      got = std::string(**r);
  }
  return got;
}

std::string random_text(std::mt19937& rng, size_t n) {
  static constexpr char alphabet[] = "{}\":,abcdefghijklmnopqrstuvwxyz0123456789 ";
  std::string s(n, ' ');
  for (auto& c : s)
    c = alphabet[rng() % (sizeof(alphabet) - 1)];
  return s;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(zlib_stream_tests, fixture)

CAF_TEST(the HELLO vector inflates whole) {
  zlib_inflater z;
  CAF_CHECK_EQUAL(feed_all(z, { frame }), expected);
}

CAF_TEST(the HELLO vector inflates split in two at every point) {
  std::string_view all{ frame };
  for (size_t cut = 1; cut < all.size(); ++cut) {
    zlib_inflater z;
    CAF_CHECK_EQUAL(feed_all(z, { all.substr(0, cut), all.substr(cut) }), expected);
  }
}

CAF_TEST(the HELLO vector inflates byte by byte) {
  zlib_inflater z;
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < frame.size(); ++i)
    bytes.push_back(std::string_view{ frame }.substr(i, 1));
  CAF_CHECK_EQUAL(feed_all(z, bytes), expected);
}

CAF_TEST(a frame without the marker is partial) {
  zlib_inflater z;
  auto r = z.feed(std::string_view{ frame }.substr(0, 50));
  CAF_REQUIRE(static_cast<bool>(r));
  CAF_CHECK(!r->has_value());
}

CAF_TEST(corrupt input is an error and needs a reset) {
  zlib_inflater z;
  auto bad = frame;
  bad[0] = 0x12; // not a zlib header
  auto r = z.feed(bad);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::corrupt);
  CAF_MESSAGE(r.error().what());
  CAF_CHECK(!z.feed(frame)); // still broken
  z.reset();
  CAF_CHECK_EQUAL(feed_all(z, { frame }), expected);
  // Garbage in the middle of a valid stream, ending with the marker.
  zlib_inflater y;
  auto garbage = frame;
  for (size_t i = 10; i < 60; ++i)
    garbage[i] = static_cast<char>(0xA5 ^ i);
  CAF_CHECK(!y.feed(garbage));
  CAF_CHECK(!y.feed(std::string("\x00\x00\xff\xff", 4))); // broken until reset
}

CAF_TEST(a second connection reusing the context without reset fails and with reset works) {
  zlib_inflater z;
  CAF_CHECK_EQUAL(feed_all(z, { frame }), expected);
  // The HELLO of a new connection starts with a new zlib header.
  CAF_CHECK(!z.feed(frame));
  z.reset();
  CAF_CHECK_EQUAL(feed_all(z, { frame }), expected);
}

CAF_TEST(round trips many messages through one shared context) {
  std::mt19937 rng{ 42 };
  zlib_deflater d;
  zlib_inflater z;
  for (int i = 0; i < 200; ++i) {
    auto msg = random_text(rng, rng() % 5000);
    auto c = d.compress(msg);
    CAF_REQUIRE(static_cast<bool>(c));
    CAF_REQUIRE(c->size() >= 4);
    CAF_CHECK_EQUAL(c->substr(c->size() - 4), std::string_view("\x00\x00\xff\xff", 4));
    std::string copy{ *c };
    // Every third message arrives in two frames.
    std::string got = i % 3 ? feed_all(z, { copy })
                            : feed_all(z, { std::string_view{ copy }.substr(0, copy.size() / 2),
                                            std::string_view{ copy }.substr(copy.size() / 2) });
    CAF_CHECK_EQUAL(got, msg);
  }
}

CAF_TEST(buffers shrink back after a huge message) {
  std::mt19937 rng{ 7 };
  inflater_options opts;
  opts.shrink_above = 256 * 1024;
  zlib_deflater d;
  zlib_inflater z{ opts };
  auto small = random_text(rng, 1000);
  auto huge = random_text(rng, 4 << 20);
  std::string c1{ *d.compress(small) };
  std::string c2{ *d.compress(huge) };
  std::string c3{ *d.compress(small) };
  CAF_CHECK_EQUAL(feed_all(z, { c1 }), small);
  auto base = z.buffer_capacity();
  CAF_CHECK_EQUAL(feed_all(z, { c2 }).size(), huge.size());
  CAF_CHECK_GREATER(z.buffer_capacity(), 4u << 20);
  CAF_CHECK_EQUAL(feed_all(z, { c3 }), small);
  CAF_CHECK_LESS_OR_EQUAL(z.buffer_capacity(), base);
  // release_buffers gives growth back at once, and the stream goes on.
  std::string c4{ *d.compress(huge) };
  std::string c5{ *d.compress(small) };
  CAF_CHECK_EQUAL(feed_all(z, { c4 }).size(), huge.size());
  z.release_buffers(16 * 1024);
  CAF_CHECK_LESS_OR_EQUAL(z.buffer_capacity(), 32u * 1024);
  CAF_CHECK_EQUAL(feed_all(z, { c5 }), small);
}

// Gateway-like messages that repeat each other's text, so that later ones are
// mostly back-references into the window earlier ones filled.
std::string guild_message(std::mt19937& rng, int i) {
  std::string m = R"({"t":"MESSAGE_CREATE","s":)" + std::to_string(i)
                  + R"(,"op":0,"d":{"content":")" + random_text(rng, 40) + R"(","author":)";
  for (int k = 0; k < 20; ++k)
    m += R"({"username":"user_)" + std::to_string(k) + R"(","avatar":"0123456789abcdef"},)";
  return m + "}}";
}

CAF_TEST(a hibernated inflater goes on with the stream as if it never slept) {
  std::mt19937 rng{ 11 };
  zlib_deflater d;
  zlib_inflater z;
  zlib_inflater awake;       // the same stream, never hibernated
  CAF_CHECK(!z.hibernate()); // nothing to keep before the first message
  CAF_CHECK(!z.hibernating());
  for (int i = 0; i < 60; ++i) {
    auto msg = guild_message(rng, i);
    std::string c{ *d.compress(msg) };
    CAF_CHECK_EQUAL(feed_all(z, { c }), msg);
    CAF_CHECK_EQUAL(feed_all(awake, { c }), msg);
    if (i % 2 == 0) {
      auto held = z.held_bytes();
      CAF_REQUIRE(z.hibernate());
      CAF_CHECK(z.hibernating());
      // The window (32 KiB once it is full) and the state are gone; what is
      // kept is the window deflated.
      if (i >= 20) {
        CAF_CHECK_GREATER_OR_EQUAL(held, 39u * 1024);
        CAF_CHECK_LESS(z.held_bytes(), 8u * 1024);
      }
      CAF_CHECK(!z.hibernate()); // already asleep
    }
  }
  // Its compressed frames are back-references into the window: a fresh
  // raw inflater without the window could not read them.
  auto msg = guild_message(rng, 60);
  std::string c{ *d.compress(msg) };
  CAF_CHECK_LESS(c.size(), msg.size() / 4);
  CAF_CHECK_EQUAL(feed_all(z, { c }), msg);
}

CAF_TEST(an inflater with a partial message does not hibernate) {
  std::mt19937 rng{ 12 };
  zlib_deflater d;
  zlib_inflater z;
  std::string c1{ *d.compress(guild_message(rng, 1)) };
  std::string c2{ *d.compress(guild_message(rng, 2)) };
  CAF_CHECK(!feed_all(z, { c1 }).empty());
  auto half = std::string_view{ c2 }.substr(0, c2.size() / 2);
  auto r = z.feed(half);
  CAF_REQUIRE(r && !r->has_value());
  CAF_CHECK(!z.hibernate());
  auto rest = z.feed(std::string_view{ c2 }.substr(c2.size() / 2));
  CAF_REQUIRE(r && rest->has_value());
  CAF_CHECK(z.hibernate());
}

CAF_TEST(a hibernated inflater resets for a new connection and reports corrupt input) {
  std::mt19937 rng{ 13 };
  zlib_deflater d;
  zlib_inflater z;
  std::string c1{ *d.compress(guild_message(rng, 1)) };
  CAF_CHECK(!feed_all(z, { c1 }).empty());
  CAF_REQUIRE(z.hibernate());
  // A new connection: a new zlib header, which the woken raw context would
  // reject; reset() starts over with a zlib context.
  z.reset();
  CAF_CHECK(!z.hibernating());
  zlib_deflater d2;
  auto msg = guild_message(rng, 2);
  std::string c2{ *d2.compress(msg) };
  CAF_CHECK_EQUAL(feed_all(z, { c2 }), msg);
  CAF_REQUIRE(z.hibernate());
  std::string garbage(64, '\x7f');
  garbage += std::string("\x00\x00\xff\xff", 4);
  auto r = z.feed(garbage);
  CAF_CHECK(!r);
  CAF_CHECK(!z.feed(c2)); // broken until reset
  z.reset();
  CAF_CHECK_EQUAL(feed_all(z, { c2 }), msg);
}

CAF_TEST(an inflation bomb is too_large) {
  inflater_options opts;
  opts.max_message = 1 << 20;
  zlib_deflater d;
  zlib_inflater z{ opts };
  std::string zeros(8 << 20, '\0');
  std::string c{ *d.compress(zeros) };
  auto r = z.feed(c);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::too_large);
}

CAF_TEST_FIXTURE_SCOPE_END()
