#include "actors/rest_route.hpp"

#define CAF_SUITE actors.rest_route

#include "caf/test/unit_test.hpp"

#include "models/snowflake.hpp"

#include <iterator>
#include <random>
#include <variant>

using namespace spectacles::actors;
using std::chrono::system_clock;

namespace {

// 2026-11-27T00:00:00Z, a fixed wall clock for every test.
const system_clock::time_point now
  = system_clock::time_point{} + std::chrono::milliseconds(1795737600000);

rest_route route(rest_method method, std::string_view path, rest_route_options options = {}) {
  return make_rest_route(method, path, now, options);
}

std::string snowflake_at(system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return spectacles::models::snowflake::from_timestamp(static_cast<uint64_t>(ms)).to_string();
}

const std::string webhook_token
  = "Xy9kq2TnZ0b1mVh3J8sLwQe4R7uYcAo5pFgDiK6jNxzBvMt-WlErUa_sHdCfGqOyPn12";
const std::string interaction_token
  = "aW50ZXJhY3Rpb246MTA2MDMyMDYxMDkyMTc2MjgxNjpGbmo2ZGp6Q1pFT1NYY1Z2SXFp";

} // namespace

CAF_TEST(methods parse and print as on the wire) {
  CAF_CHECK(parse_rest_method("DELETE") == rest_method::delete_);
  CAF_CHECK(parse_rest_method("PATCH") == rest_method::patch);
  CAF_CHECK(!parse_rest_method("delete"));
  CAF_CHECK(!parse_rest_method("OPTIONS"));
  CAF_CHECK_EQUAL(to_string(rest_method::head), "HEAD");
  CAF_CHECK(is_idempotent(rest_method::put));
  CAF_CHECK(is_idempotent(rest_method::delete_));
  CAF_CHECK(!is_idempotent(rest_method::post));
  CAF_CHECK(!is_idempotent(rest_method::patch));
}

CAF_TEST(ids become placeholders but the major parameter stays) {
  auto r = route(rest_method::get, "/channels/81384788765712384/messages/175928847299117063");
  CAF_CHECK_EQUAL(r.key, "GET /channels/81384788765712384/messages/:id");
  CAF_CHECK_EQUAL(r.major, "channels/81384788765712384");
  CAF_CHECK_EQUAL(r.log_path, "/channels/81384788765712384/messages/175928847299117063");
  CAF_CHECK(!r.global_exempt);
  auto g = route(rest_method::patch, "/guilds/41771983423143937/members/175928847299117063");
  CAF_CHECK_EQUAL(g.key, "PATCH /guilds/41771983423143937/members/:id");
  CAF_CHECK_EQUAL(g.major, "guilds/41771983423143937");
}

CAF_TEST(two channels make two keys and two messages of one channel one key) {
  auto a = route(rest_method::post, "/channels/1111/messages");
  auto b = route(rest_method::post, "/channels/2222/messages");
  CAF_CHECK_NOT_EQUAL(a.key, b.key);
  auto c = route(rest_method::patch, "/channels/1111/messages/5");
  auto d = route(rest_method::patch, "/channels/1111/messages/6");
  CAF_CHECK_EQUAL(c.key, d.key);
  // The method is part of the key: Discord may limit it separately.
  CAF_CHECK_NOT_EQUAL(route(rest_method::get, "/channels/1111/messages").key, a.key);
}

CAF_TEST(routes without a major parameter share the global major) {
  auto r = route(rest_method::get, "/users/@me");
  CAF_CHECK_EQUAL(r.key, "GET /users/@me");
  CAF_CHECK_EQUAL(r.major, "global");
  auto u = route(rest_method::get, "/users/175928847299117063");
  CAF_CHECK_EQUAL(u.key, "GET /users/:id");
  // A guild id that is not the first segment is not a major parameter.
  auto cmds = route(rest_method::put, "/applications/11/guilds/22/commands");
  CAF_CHECK_EQUAL(cmds.key, "PUT /applications/:id/guilds/:id/commands");
  CAF_CHECK_EQUAL(cmds.major, "global");
  CAF_CHECK_EQUAL(route(rest_method::get, "/invites/discord-api").key, "GET /invites/:code");
  CAF_CHECK_EQUAL(route(rest_method::get, "/guilds/templates/hgM48av5Q69A").key,
                  "GET /guilds/templates/:code");
}

CAF_TEST(the query string is not part of the key) {
  auto r = route(rest_method::get, "/channels/1/messages?limit=50&before=175928847299117063");
  CAF_CHECK_EQUAL(r.key, "GET /channels/1/messages");
  CAF_CHECK_EQUAL(r.log_path, "/channels/1/messages");
}

CAF_TEST(every reaction route of a message shares one key) {
  auto put = route(rest_method::put, "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
  auto other = route(rest_method::put, "/channels/1/messages/3/reactions/name%3A123/@me");
  CAF_CHECK_EQUAL(put.key, "PUT /channels/1/messages/:id/reactions/:reaction");
  CAF_CHECK_EQUAL(put.key, other.key);
  auto user = route(rest_method::delete_, "/channels/1/messages/2/reactions/%F0%9F%91%8D/99");
  auto own = route(rest_method::delete_, "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
  auto emoji = route(rest_method::delete_, "/channels/1/messages/2/reactions/%F0%9F%91%8D");
  CAF_CHECK_EQUAL(user.key, own.key);
  CAF_CHECK_EQUAL(user.key, emoji.key);
  CAF_CHECK_EQUAL(user.key, "DELETE /channels/1/messages/:id/reactions/:reaction");
  // Deleting all reactions has no tail and is a route of its own.
  CAF_CHECK_EQUAL(route(rest_method::delete_, "/channels/1/messages/2/reactions").key,
                  "DELETE /channels/1/messages/:id/reactions");
  // The log keeps the emoji (not secret) so an operator can see what failed.
  CAF_CHECK_EQUAL(user.log_path, "/channels/1/messages/2/reactions/%F0%9F%91%8D/99");
}

CAF_TEST(deleting a message older than 14 days gets its own key) {
  auto old_id = snowflake_at(now - old_message_age - std::chrono::minutes(1));
  auto young_id = snowflake_at(now - old_message_age + std::chrono::minutes(1));
  auto old_delete = route(rest_method::delete_, "/channels/1/messages/" + old_id);
  auto young_delete = route(rest_method::delete_, "/channels/1/messages/" + young_id);
  CAF_CHECK(old_delete.old_message_delete);
  CAF_CHECK(!young_delete.old_message_delete);
  CAF_CHECK_EQUAL(young_delete.key, "DELETE /channels/1/messages/:id");
  CAF_CHECK_EQUAL(old_delete.key, "DELETE /channels/1/messages/:id (older than 14 days)");
  CAF_CHECK_EQUAL(old_delete.major, young_delete.major);
  // Only DELETE of the message itself is special.
  CAF_CHECK(!route(rest_method::get, "/channels/1/messages/" + old_id).old_message_delete);
  CAF_CHECK(!route(rest_method::delete_, "/channels/1/messages/" + old_id + "/reactions")
               .old_message_delete);
  // The same id ages with the clock.
  auto later = make_rest_route(rest_method::delete_, "/channels/1/messages/" + young_id,
                               now + std::chrono::minutes(2));
  CAF_CHECK(later.old_message_delete);
}

CAF_TEST(webhook tokens never appear in keys or log paths) {
  auto path = "/webhooks/223344/" + webhook_token + "?wait=true";
  auto r = route(rest_method::post, path);
  CAF_CHECK_EQUAL(r.major, "webhooks/223344/:token~" + token_digest(webhook_token));
  CAF_CHECK_EQUAL(r.key.find(webhook_token), std::string::npos);
  CAF_CHECK_EQUAL(r.log_path, "/webhooks/223344/:token");
  CAF_CHECK_EQUAL(r.key, "POST /webhooks/223344/:token~" + token_digest(webhook_token));
  CAF_CHECK(!r.global_exempt);
  auto edit = route(rest_method::patch, "/webhooks/223344/" + webhook_token + "/messages/77");
  CAF_CHECK_EQUAL(edit.log_path, "/webhooks/223344/:token/messages/77");
  CAF_CHECK_EQUAL(edit.key.find(webhook_token), std::string::npos);
  // Two tokens of the same webhook id are two buckets (major = id + token).
  auto other = route(rest_method::post, "/webhooks/223344/another-token");
  CAF_CHECK_NOT_EQUAL(other.key, r.key);
  CAF_CHECK_NOT_EQUAL(other.major, r.major);
  CAF_CHECK_EQUAL(other.major.find("another-token"), std::string::npos);
  // Without a token the webhook id alone is the major parameter.
  CAF_CHECK_EQUAL(route(rest_method::get, "/webhooks/223344").key, "GET /webhooks/223344");
}

CAF_TEST(token digests are stable hex and differ between tokens) {
  CAF_CHECK_EQUAL(token_digest(""), "cbf29ce484222325");
  CAF_CHECK_EQUAL(token_digest("a"), "af63dc4c8601ec8c");
  CAF_CHECK_EQUAL(token_digest(webhook_token).size(), 16u);
  CAF_CHECK_NOT_EQUAL(token_digest("token-a"), token_digest("token-b"));
}

CAF_TEST(interaction callbacks are exempt from the global limit and keyed per interaction) {
  auto r = route(rest_method::post,
                 "/interactions/1060320610921762816/" + interaction_token + "/callback");
  CAF_CHECK(r.interaction_callback);
  CAF_CHECK(r.global_exempt);
  CAF_CHECK_EQUAL(r.key, "POST /interactions/1060320610921762816/:token~"
                           + token_digest(interaction_token) + "/callback");
  CAF_CHECK_EQUAL(r.log_path, "/interactions/1060320610921762816/:token/callback");
  auto other = route(rest_method::post, "/interactions/1060320610921762817/x/callback");
  CAF_CHECK_NOT_EQUAL(other.key, r.key);
}

CAF_TEST(interaction webhooks are exempt by application id or by token shape) {
  auto follow_up = route(rest_method::post, "/webhooks/555/" + interaction_token);
  CAF_CHECK(follow_up.global_exempt);
  CAF_CHECK(!follow_up.interaction_callback);
  rest_route_options options;
  options.application_id = 555;
  auto by_app = route(rest_method::patch, "/webhooks/555/opaque/messages/@original", options);
  CAF_CHECK(by_app.global_exempt);
  CAF_CHECK_EQUAL(by_app.log_path, "/webhooks/555/:token/messages/@original");
  auto plain = route(rest_method::post, "/webhooks/556/opaque", options);
  CAF_CHECK(!plain.global_exempt);
}

CAF_TEST(odd paths still give a key and never crash) {
  CAF_CHECK_EQUAL(route(rest_method::get, "").key, "GET /");
  CAF_CHECK_EQUAL(route(rest_method::get, "/").key, "GET /");
  CAF_CHECK_EQUAL(route(rest_method::get, "gateway/bot").key, "GET /gateway/bot");
  // Empty segments are skipped (the proxy refuses them before this point).
  CAF_CHECK_EQUAL(route(rest_method::get, "/channels//1").key, "GET /channels/1");
  CAF_CHECK_EQUAL(route(rest_method::get, "/channels/99999999999999999999999").key,
                  "GET /channels/99999999999999999999999");
  CAF_CHECK_EQUAL(route(rest_method::post, "/interactions").key, "POST /interactions");
  CAF_CHECK_EQUAL(route(rest_method::get, "/webhooks").major, "global");
}

CAF_TEST(the proxy accepts v10 paths and splits off the query) {
  auto ok = normalize_proxy_target("/api/v10/channels/1/messages?limit=5");
  CAF_REQUIRE(std::holds_alternative<proxy_target>(ok));
  CAF_CHECK_EQUAL(std::get<proxy_target>(ok).path, "/channels/1/messages");
  CAF_CHECK_EQUAL(std::get<proxy_target>(ok).query, "limit=5");
  auto trailing = normalize_proxy_target("/api/v10/users/@me/");
  CAF_REQUIRE(std::holds_alternative<proxy_target>(trailing));
  CAF_CHECK_EQUAL(std::get<proxy_target>(trailing).path, "/users/@me");
  CAF_CHECK_EQUAL(std::get<proxy_target>(trailing).query, "");
  auto emoji = normalize_proxy_target("/api/v10/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
  CAF_CHECK(std::holds_alternative<proxy_target>(emoji));
}

CAF_TEST(the proxy refuses other versions and malformed targets with a reason) {
  auto refused = [](std::string_view target, int status, std::string_view words) {
    auto r = normalize_proxy_target(target);
    if (!std::holds_alternative<proxy_target_error>(r)) {
      CAF_FAIL("accepted " << target);
      return;
    }
    auto& err = std::get<proxy_target_error>(r);
    CAF_CHECK_EQUAL(err.http_status, status);
    if (err.message.find(words) == std::string::npos)
      CAF_FAIL("message '" << err.message << "' lacks '" << words << "'");
  };
  refused("/api/v9/users/@me", 404, "v10");
  refused("/api/users/@me", 404, "v10");
  refused("/api/v100/users/@me", 404, "v10");
  refused("/api/v10", 404, "no endpoint");
  refused("/api/v10/", 404, "no endpoint");
  refused("/index.html", 404, "not a Discord API path");
  refused("/api/v10/channels//messages", 400, "empty path segment");
  refused("/api/v10/channels/../users/@me", 400, "dot segment");
  refused("/api/v10/channels/%2E%2e/users", 400, "dot segment");
  refused("/api/v10/channels/1%2Fmessages", 400, "encoded slash");
  refused("/api/v10/users/@me#frag", 400, "fragment");
  refused("/api/v10/users/@me x", 400, "space");
  refused("/api/v10/users/\x01", 400, "control");
  refused("/api/v10/" + std::string(3000, 'a'), 414, "longer than");
}

CAF_TEST(random paths never crash route keys or the proxy check) {
  std::mt19937 rng{ 7 };
  const std::string alphabet = "/0123456789abcdefghijklmnopqrstuvwxyz%?#.@:-_~ \x01\xff";
  const std::string parts[]
    = { "/channels/",         "/guilds/",         "/webhooks/", "/interactions/",
        "/messages/",         "/reactions/",      "/callback",  "/api/v10",
        "175928847299117063", "aW50ZXJhY3Rpb246", "/" };
  size_t accepted = 0;
  size_t wrong = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string path;
    auto pieces = 1 + rng() % 8;
    for (size_t k = 0; k < pieces; ++k) {
      if (rng() % 2)
        path += parts[rng() % std::size(parts)];
      else
        path += alphabet[rng() % alphabet.size()];
    }
    auto method = static_cast<rest_method>(rng() % 6);
    auto r = make_rest_route(method, path, now);
    wrong += r.key.substr(0, to_string(method).size()) != to_string(method);
    wrong += r.log_path.empty() || r.log_path[0] != '/';
    auto p = normalize_proxy_target(path);
    if (auto* t = std::get_if<proxy_target>(&p)) {
      ++accepted;
      wrong += t->path.empty() || t->path[0] != '/' || t->path.find("//") != std::string::npos;
    }
  }
  CAF_CHECK_EQUAL(wrong, 0u);
  CAF_MESSAGE(accepted << " of 5000 random targets were accepted by the proxy check");
}
