#include "sim/rest_api.hpp"

#define CAF_SUITE sim.rest_api

#include "caf/test/unit_test.hpp"

#include <simdjson.h>

using namespace spectacles;
using namespace spectacles::sim;
using namespace std::chrono_literals;

namespace {

const time_point t0{ std::chrono::seconds{ 1700000000 } };

struct fixture {
  world state{ world_options{} };
  fault_plan faults;
  verdict tally;
  session_start_limit start;
  rest_api api{ state, faults, tally, start, make_options() };
  simdjson::dom::parser parser;
  time_point now = t0;

  static rest_options make_options() {
    rest_options o;
    o.token = "secret";
    o.gateway_url = "ws://127.0.0.1:4000";
    o.shards = 3;
    return o;
  }

  net::http_response call(std::string method, std::string target, std::string body = {},
                          std::string content_type = "application/json",
                          std::string token = "secret") {
    net::http_request req;
    req.method = std::move(method);
    req.target = "/api/v10" + target;
    if (!token.empty())
      req.headers.emplace_back("Authorization", "Bot " + token);
    if (!body.empty())
      req.headers.emplace_back("Content-Type", content_type);
    req.body = std::move(body);
    now += 10ms;
    return api.handle(req, now).response;
  }

  simdjson::dom::element json(const net::http_response& r) {
    return parser.parse(r.body).value();
  }

  std::string channel() {
    auto* g = state.guild(state.guild_ids().front());
    return std::to_string(g->channels[1]);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(rest_api_tests, fixture)

CAF_TEST(gateway bot reports url shards and the session start limit) {
  auto r = call("GET", "/gateway/bot");
  CAF_REQUIRE_EQUAL(r.status, 200u);
  auto doc = json(r);
  CAF_CHECK_EQUAL(std::string_view(doc["url"]), "ws://127.0.0.1:4000");
  CAF_CHECK_EQUAL(int64_t(doc["shards"]), 3);
  CAF_CHECK_EQUAL(int64_t(doc["session_start_limit"]["max_concurrency"]), 1);
  CAF_CHECK_EQUAL(int64_t(doc["session_start_limit"]["remaining"]), 1000);
  CAF_CHECK_EQUAL(std::string(r.header("X-RateLimit-Limit")), "2");
}

CAF_TEST(a wrong token gets the Discord 401 and a second use is noted) {
  auto r = call("GET", "/users/@me", {}, {}, "wrong");
  CAF_CHECK_EQUAL(r.status, 401u);
  CAF_CHECK_EQUAL(r.body, R"({"message":"401: Unauthorized","code":0})");
  call("GET", "/users/@me", {}, {}, "wrong");
  CAF_CHECK_EQUAL(tally.rest_unauthorized, 2u);
  CAF_CHECK_EQUAL(tally.rest_after_unauthorized, 1u);
  CAF_CHECK_EQUAL(tally.invalid_last_10min, 2u);
  auto me = call("GET", "/users/@me");
  CAF_CHECK_EQUAL(me.status, 200u);
  CAF_CHECK_EQUAL(std::string_view(json(me)["username"]), "spectacles-sim");
}

CAF_TEST(messages are created read edited reacted to and deleted) {
  auto ch = channel();
  auto created
    = call("POST", "/channels/" + ch + "/messages", R"({"content":"hello","nonce":"n1"})");
  CAF_REQUIRE_EQUAL(created.status, 200u);
  auto doc = json(created);
  std::string id{ std::string_view(doc["id"]) };
  CAF_CHECK_EQUAL(std::string_view(doc["content"]), "hello");
  CAF_CHECK_EQUAL(std::string_view(doc["channel_id"]), ch);
  CAF_CHECK(doc["edited_timestamp"].is_null());
  CAF_CHECK_EQUAL(std::string(created.header("X-RateLimit-Bucket")),
                  "80c17d2f203122d936070c88c8d10f33");
  auto edited = call("PATCH", "/channels/" + ch + "/messages/" + id, R"({"content":"edited"})");
  CAF_CHECK_EQUAL(std::string_view(json(edited)["content"]), "edited");
  CAF_CHECK(!json(edited)["edited_timestamp"].is_null());
  CAF_CHECK_EQUAL(
    call("PUT", "/channels/" + ch + "/messages/" + id + "/reactions/%F0%9F%91%8D/@me").status,
    204u);
  now += 1s;
  auto got = call("GET", "/channels/" + ch + "/messages/" + id);
  CAF_CHECK_EQUAL(int64_t(json(got)["reactions"].at(0)["count"]), 1);
  CAF_CHECK_EQUAL(std::string_view(json(got)["reactions"].at(0)["emoji"]["name"]), "👍");
  CAF_CHECK_EQUAL(call("DELETE", "/channels/" + ch + "/messages/" + id).status, 204u);
  auto gone = call("GET", "/channels/" + ch + "/messages/" + id);
  CAF_CHECK_EQUAL(gone.status, 404u);
  CAF_CHECK_EQUAL(gone.body, R"({"message":"Unknown Message","code":10008})");
}

CAF_TEST(bad bodies get the Discord nested error format) {
  auto ch = channel();
  auto r = call("POST", "/channels/" + ch + "/messages",
                R"({"content":")" + std::string(2001, 'x') + R"("})");
  CAF_CHECK_EQUAL(r.status, 400u);
  auto doc = json(r);
  CAF_CHECK_EQUAL(int64_t(doc["code"]), 50035);
  CAF_CHECK_EQUAL(std::string_view(doc["errors"]["content"]["_errors"].at(0)["code"]),
                  "BASE_TYPE_MAX_LENGTH");
  auto empty = call("POST", "/channels/" + ch + "/messages", R"({"content":""})");
  CAF_CHECK_EQUAL(int64_t(json(empty)["code"]), 50006);
  auto junk = call("POST", "/channels/" + ch + "/messages", R"({"content":)");
  CAF_CHECK_EQUAL(int64_t(json(junk)["code"]), 50109);
  auto unknown = call("GET", "/channels/1/messages");
  CAF_CHECK_EQUAL(unknown.status, 404u);
  CAF_CHECK_EQUAL(int64_t(json(unknown)["code"]), 10003);
}

CAF_TEST(multipart message create takes payload_json and files) {
  auto ch = channel();
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n"
                     "Content-Type: application/json\r\n\r\n{\"content\":\"with file\"}\r\n"
                     "--XyZ\r\nContent-Disposition: form-data; name=\"files[0]\"; "
                     "filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello file\r\n"
                     "--XyZ--\r\n";
  auto r = call("POST", "/channels/" + ch + "/messages", body, "multipart/form-data; boundary=XyZ");
  CAF_REQUIRE_EQUAL(r.status, 200u);
  auto doc = json(r);
  CAF_CHECK_EQUAL(std::string_view(doc["content"]), "with file");
  CAF_CHECK_EQUAL(std::string_view(doc["attachments"].at(0)["filename"]), "a.txt");
  CAF_CHECK_EQUAL(int64_t(doc["attachments"].at(0)["size"]), 10);
}

CAF_TEST(guild members roles and channels) {
  auto g = std::to_string(state.guild_ids().front());
  CAF_CHECK_EQUAL(std::string_view(json(call("GET", "/guilds/" + g))["id"]), g);
  auto members = json(call("GET", "/guilds/" + g + "/members?limit=10"));
  CAF_CHECK_EQUAL(simdjson::dom::array(members).size(), 10u);
  auto roles = json(call("GET", "/guilds/" + g + "/roles"));
  CAF_CHECK_EQUAL(simdjson::dom::array(roles).size(), 4u);
  auto role = call("POST", "/guilds/" + g + "/roles", R"({"name":"mods","color":255})");
  CAF_CHECK_EQUAL(std::string_view(json(role)["name"]), "mods");
  CAF_CHECK_EQUAL(simdjson::dom::array(json(call("GET", "/guilds/" + g + "/channels"))).size(), 4u);
  CAF_CHECK_EQUAL(int64_t(json(call("GET", "/guilds/" + g + "/members/1"))["code"]), 10007);
}

CAF_TEST(interaction callbacks and follow - ups) {
  auto r = call("POST", "/interactions/5/itok/callback", R"({"type":4,"data":{"content":"pong"}})",
                "application/json", "");
  CAF_CHECK_EQUAL(r.status, 204u);
  auto again = call("POST", "/interactions/5/itok/callback", R"({"type":4,"data":{}})",
                    "application/json", "");
  CAF_CHECK_EQUAL(int64_t(json(again)["code"]), 40060);
  auto app = std::to_string(state.bot().id);
  auto orig = call("GET", "/webhooks/" + app + "/itok/messages/@original", {}, {}, "");
  CAF_REQUIRE_EQUAL(orig.status, 200u);
  CAF_CHECK_EQUAL(std::string_view(json(orig)["content"]), "pong");
  auto follow
    = call("POST", "/webhooks/" + app + "/itok", R"({"content":"more"})", "application/json", "");
  CAF_CHECK_EQUAL(follow.status, 200u);
  auto& hook = state.webhooks().front();
  auto exec = call("POST", "/webhooks/" + std::to_string(hook.id) + "/" + hook.token,
                   R"({"content":"hook"})", "application/json", "");
  CAF_CHECK_EQUAL(exec.status, 204u);
  auto bad = call("POST", "/webhooks/" + std::to_string(hook.id) + "/nope", R"({"content":"x"})",
                  "application/json", "");
  CAF_CHECK_EQUAL(int64_t(json(bad)["code"]), 10015);
}

CAF_TEST(a sixth message in five seconds is a 429 recorded in the verdict) {
  auto ch = channel();
  for (int i = 0; i < 5; ++i)
    CAF_CHECK_EQUAL(call("POST", "/channels/" + ch + "/messages", R"({"content":"x"})").status,
                    200u);
  auto r = call("POST", "/channels/" + ch + "/messages", R"({"content":"x"})");
  CAF_CHECK_EQUAL(r.status, 429u);
  CAF_CHECK_EQUAL(std::string(r.header("X-RateLimit-Scope")), "user");
  CAF_CHECK_EQUAL(tally.rest_exhausted_bucket, 1u);
  CAF_CHECK_EQUAL(tally.rest_rate_limited["user"], 1u);
  CAF_CHECK_EQUAL(api.requests().back().status, 429u);
  CAF_CHECK_EQUAL(api.requests().back().route, "POST /channels/:id/messages");
  CAF_CHECK_EQUAL(api.requests().back().bucket, "80c17d2f203122d936070c88c8d10f33");
}

CAF_TEST(rest faults answer 5xx shared 429s and slow replies for K requests) {
  CAF_REQUIRE(!faults.add_text("rest_5xx:503x2\nrest_429:sharedx1\nrest_slow:1500x1"));
  CAF_CHECK_EQUAL(call("GET", "/users/@me").status, 503u);
  CAF_CHECK_EQUAL(call("GET", "/users/@me").status, 503u);
  auto shared = call("GET", "/users/@me");
  CAF_CHECK_EQUAL(shared.status, 429u);
  CAF_CHECK_EQUAL(std::string(shared.header("X-RateLimit-Scope")), "shared");
  net::http_request req{
    "GET", "/api/v10/users/@me", { { "Authorization", "Bot secret" } }, {}, {}
  };
  auto slow = api.handle(req, now += 10ms);
  CAF_CHECK_EQUAL(slow.response.status, 200u);
  CAF_CHECK_EQUAL(slow.delay.count(), 1500);
  CAF_CHECK_EQUAL(api.handle(req, now += 10ms).delay.count(), 0);
  // Shared-scope 429s are not invalid requests (PROTOCOL.md §2.8).
  CAF_CHECK_EQUAL(tally.invalid_last_10min, 0u);
  CAF_CHECK_EQUAL(tally.rest_rate_limited["shared"], 1u);
}

CAF_TEST(a reset fault drops K requests without carrying them out) {
  auto spec = sim::parse_fault("rest_resetx2");
  CAF_REQUIRE(std::holds_alternative<sim::fault>(spec));
  auto text = sim::to_string(std::get<sim::fault>(spec));
  CAF_CHECK_EQUAL(text, "rest_resetx2");
  CAF_REQUIRE(!faults.add_text("rest_resetx1"));
  auto before = state.message_count();
  auto dropped = call("POST", "/channels/" + channel() + "/messages", R"({"content":"lost"})");
  CAF_CHECK(dropped.drop);
  auto after = state.message_count();
  CAF_CHECK_EQUAL(after, before);
  CAF_CHECK_EQUAL(api.requests().back().status, 0u);
  CAF_CHECK_EQUAL(tally.rest_resets, 1u);
  auto next = call("GET", "/users/@me");
  CAF_CHECK(!next.drop);
  CAF_CHECK_EQUAL(next.status, 200u);
}

CAF_TEST(a low global limit is breached and the verdict says so) {
  api.limits().set_global_per_second(3);
  for (int i = 0; i < 3; ++i)
    CAF_CHECK_EQUAL(call("GET", "/users/@me").status, 200u);
  // The fourth in the same second (calls are 10 ms apart) is a global 429.
  auto r = call("GET", "/users/@me");
  CAF_CHECK_EQUAL(r.status, 429u);
  CAF_CHECK_EQUAL(std::string(r.header("X-RateLimit-Scope")), "global");
  CAF_CHECK_EQUAL(std::string(r.header("X-RateLimit-Global")), "true");
  CAF_CHECK_EQUAL(std::string(r.header("Retry-After")), "1");
  auto body = json(r);
  CAF_CHECK_EQUAL(bool(body["global"]), true);
  auto retry_after = double(body["retry_after"]);
  CAF_CHECK_GREATER(retry_after, 0.9); // the first of the three was 30 ms ago
  CAF_CHECK_LESS_OR_EQUAL(retry_after, 1.0);
  // Interaction callbacks do not count against the global limit (§2.7).
  auto callback = call("POST", "/interactions/5/itok/callback",
                       R"({"type":4,"data":{"content":"pong"}})", "application/json", "");
  CAF_CHECK_EQUAL(callback.status, 204u);
  CAF_CHECK_EQUAL(tally.rest_global_breaches, 1u);
  CAF_CHECK_EQUAL(tally.rest_rate_limited["global"], 1u);
  CAF_CHECK_EQUAL(tally.rest_exhausted_bucket, 0u);
  CAF_CHECK(!tally.clean());
  CAF_CHECK_EQUAL(api.requests().back().scope, "");
  CAF_CHECK_EQUAL(api.requests()[3].scope, "global");
  auto text = tally.to_json();
  auto doc = parser.parse(text).value();
  CAF_CHECK_EQUAL(bool(doc["clean"]), false);
  CAF_CHECK_EQUAL(int64_t(doc["rest"]["global_breaches"]), 1);
  CAF_CHECK_EQUAL(int64_t(doc["rest"]["rate_limited"]["global"]), 1);
  CAF_CHECK_EQUAL(int64_t(doc["rest"]["rate_limited"]["user"]), 0);
  CAF_CHECK_EQUAL(int64_t(doc["rest"]["exhausted_bucket"]), 0);
  // A second later the window has slid past all three.
  now += 1s;
  CAF_CHECK_EQUAL(call("GET", "/users/@me").status, 200u);
  CAF_CHECK_EQUAL(tally.rest_global_breaches, 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
