#include "sim/rest_limits.hpp"

#define CAF_SUITE sim.rest_limits

#include "caf/test/unit_test.hpp"

#include <chrono>
#include <string>

using namespace spectacles::sim;
using namespace std::chrono_literals;

namespace {

const time_point t0{ std::chrono::seconds{ 1700000000 } };

std::string header(const limit_decision& d, std::string_view name) {
  for (auto& [k, v] : d.headers)
    if (k == name)
      return v;
  return "<missing>";
}

} // namespace

CAF_TEST(routes are keyed by template and major parameter) {
  auto k = classify_route("POST", "/channels/123/messages");
  CAF_CHECK_EQUAL(k.route, "/channels/:id/messages");
  CAF_CHECK_EQUAL(k.major, "channel:123");
  CAF_CHECK(!k.interaction);
  auto r = classify_route("PUT", "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
  CAF_CHECK_EQUAL(r.route, "/channels/:id/messages/:id/reactions/:reaction");
  auto g = classify_route("GET", "/guilds/77/members/5");
  CAF_CHECK_EQUAL(g.route, "/guilds/:id/members/:id");
  CAF_CHECK_EQUAL(g.major, "guild:77");
  auto w = classify_route("POST", "/webhooks/42/secret-token", "42");
  CAF_CHECK_EQUAL(w.route, "/webhooks/:id/:token");
  CAF_CHECK_EQUAL(w.major, "webhook:42/secret-token");
  CAF_CHECK(w.interaction);
  auto i = classify_route("POST", "/interactions/9/tok/callback");
  CAF_CHECK_EQUAL(i.route, "/interactions/:id/:token/callback");
  CAF_CHECK(i.interaction);
  CAF_CHECK(!classify_route("POST", "/webhooks/43/t", "42").interaction);
}

CAF_TEST(deleting a message older than 14 days uses its own bucket) {
  // 2020-01-01: (1577836800000 - 1420070400000) << 22; and one from "now".
  auto old_id = std::to_string((1577836800000ull - 1420070400000ull) << 22);
  auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
  auto young_id = std::to_string((now_ms - 1420070400000ull) << 22);
  auto old_key = classify_route("DELETE", "/channels/100000000000000000/messages/" + old_id, "");
  auto young_key
    = classify_route("DELETE", "/channels/100000000000000000/messages/" + young_id, "");
  CAF_CHECK_EQUAL(old_key.limit_name(), "DELETE /channels/:id/messages/:id (old)");
  CAF_CHECK_EQUAL(young_key.limit_name(), "DELETE /channels/:id/messages/:id");
  CAF_CHECK_EQUAL(old_key.name(), young_key.name()); // one API route, two buckets
  CAF_CHECK_EQUAL(old_key.major, young_key.major);
  rest_limits limits;
  CAF_CHECK_NOT_EQUAL(limits.bucket_hash(old_key), limits.bucket_hash(young_key));
  // A GET of the same old message is not a delete: the normal route.
  CAF_CHECK_EQUAL(
    classify_route("GET", "/channels/100000000000000000/messages/" + old_id, "").name(),
    "GET /channels/:id/messages/:id");
}

CAF_TEST(a bucket runs out and answers 429 with every header) {
  rest_limits lim;
  auto key = classify_route("POST", "/channels/1/messages");
  for (int n = 0; n < 5; ++n) {
    auto d = lim.check("tok", key, t0 + std::chrono::milliseconds{ n });
    CAF_REQUIRE(d.allowed);
    CAF_CHECK_EQUAL(header(d, "X-RateLimit-Limit"), "5");
    CAF_CHECK_EQUAL(header(d, "X-RateLimit-Remaining"), std::to_string(4 - n));
    CAF_CHECK_EQUAL(header(d, "X-RateLimit-Bucket"), "80c17d2f203122d936070c88c8d10f33");
  }
  auto d = lim.check("tok", key, t0 + 1s);
  CAF_CHECK(!d.allowed);
  CAF_CHECK_EQUAL(d.scope, "user");
  CAF_CHECK_EQUAL(header(d, "X-RateLimit-Scope"), "user");
  CAF_CHECK_EQUAL(header(d, "X-RateLimit-Reset-After"), "4.000");
  CAF_CHECK_EQUAL(header(d, "X-RateLimit-Reset"), "1700000005.000");
  CAF_CHECK_EQUAL(header(d, "Retry-After"), "4");
  CAF_CHECK_EQUAL(
    d.body, R"({"message":"You are being rate limited.","retry_after":4.000,"global":false})");
  // Another channel has its own copy of the bucket; the window resets.
  CAF_CHECK(lim.check("tok", classify_route("POST", "/channels/2/messages"), t0 + 1s).allowed);
  CAF_CHECK(lim.check("tok", key, t0 + 5s).allowed);
}

CAF_TEST(routes with the same hash share one limit) {
  rest_limits lim;
  auto put = classify_route("PUT", "/channels/1/messages/2/reactions/x/@me");
  auto del = classify_route("DELETE", "/channels/1/messages/2/reactions/x/@me");
  CAF_CHECK_EQUAL(lim.bucket_hash(put), lim.bucket_hash(del));
  CAF_CHECK(lim.check("tok", put, t0).allowed);
  CAF_CHECK(!lim.check("tok", del, t0 + 10ms).allowed);
  CAF_CHECK(lim.check("tok", del, t0 + 260ms).allowed);
}

CAF_TEST(the global limit answers global 429s and interactions are exempt) {
  rest_limits_options o;
  o.global_per_second = 3;
  o.default_limit = bucket_limit{ {}, 100, 1000ms };
  rest_limits lim{ o };
  for (int n = 0; n < 3; ++n)
    CAF_CHECK(
      lim.check("tok", classify_route("GET", "/channels/" + std::to_string(n)), t0).allowed);
  auto d = lim.check("tok", classify_route("GET", "/channels/9"), t0 + 100ms);
  CAF_CHECK(!d.allowed);
  CAF_CHECK_EQUAL(d.scope, "global");
  CAF_CHECK_EQUAL(header(d, "X-RateLimit-Global"), "true");
  CAF_CHECK_EQUAL(header(d, "Retry-After"), "1");
  CAF_CHECK(d.body.find("\"global\":true") != std::string::npos);
  // Another token has its own global limit; interaction callbacks skip it.
  CAF_CHECK(lim.check("other", classify_route("GET", "/channels/9"), t0 + 100ms).allowed);
  CAF_CHECK(
    lim.check("tok", classify_route("POST", "/interactions/1/t/callback"), t0 + 100ms).allowed);
  CAF_CHECK(lim.check("tok", classify_route("GET", "/channels/9"), t0 + 1s).allowed);
}

CAF_TEST(invalid requests are counted per 10 minutes without shared 429s) {
  rest_limits lim;
  lim.record_status(401, "", t0);
  lim.record_status(403, "", t0 + 1s);
  lim.record_status(429, "user", t0 + 2s);
  lim.record_status(429, "shared", t0 + 3s);
  lim.record_status(404, "", t0 + 4s);
  lim.record_status(200, "", t0 + 4s);
  CAF_CHECK_EQUAL(lim.invalid_requests(t0 + 5s), 3u);
  CAF_CHECK_EQUAL(lim.invalid_requests(t0 + 10min + 500ms), 2u);
  CAF_CHECK_EQUAL(lim.invalid_requests(t0 + 20min), 0u);
  CAF_CHECK_EQUAL(lim.peak_invalid_requests(), 3u);
}

CAF_TEST(limits can be lifted) {
  rest_limits_options o;
  o.enabled = false;
  rest_limits lim{ o };
  auto key = classify_route("POST", "/channels/1/messages");
  for (int n = 0; n < 100; ++n)
    CAF_CHECK(lim.check("tok", key, t0).allowed);
}
