// rest_client against the simulator: typed calls decode into models, Discord
// errors into rest_call_error with field errors, uploads go as multipart, and
// a client whose router dies fails its calls at once.
#include "actors/rest_client.hpp"

#define CAF_SUITE actors.rest_client

#include "caf/test/unit_test.hpp"

#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/send.hpp"

#include "tests/rest/rest_support.hpp"

using namespace spectacles;
using namespace spectacles::actors;
using namespace spectacles::actors::testing;
using namespace std::chrono_literals;

namespace {

template <class T>
using cb = std::function<void(rest_result<T>)>;

} // namespace

CAF_TEST(typed message calls decode into models) {
  rest_env env;
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  models::snowflake channel{ std::stoull(env.channel()) };
  auto created = run_in_actor<rest_result<models::message>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::message> done) {
      message_create p;
      p.content = "hello";
      p.allowed_mentions = models::allowed_mentions{};
      rest.create_message(self, channel, p, done, { 0ms, "testing the audit log" });
    });
  CAF_REQUIRE(created.ok());
  CAF_CHECK_EQUAL(created->content, "hello");
  CAF_CHECK_EQUAL(created->channel_id.value(), channel.value());
  auto id = created->id;
  auto fetched = run_in_actor<rest_result<models::message>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::message> done) {
      rest.get_message(self, channel, id, done);
    });
  CAF_REQUIRE(fetched.ok());
  CAF_CHECK_EQUAL(fetched->id.value(), id.value());
  auto edited = run_in_actor<rest_result<models::message>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::message> done) {
      message_edit p;
      p.content = models::nullable<std::string>{ "edited" };
      rest.edit_message(self, channel, id, p, done);
    });
  CAF_REQUIRE(edited.ok());
  CAF_CHECK_EQUAL(edited->content, "edited");
  auto listed = run_in_actor<rest_result<std::vector<models::message>>>(
    *env.sys, [&](caf::event_based_actor* self, cb<std::vector<models::message>> done) {
      rest.get_messages(self, channel, "limit=5", done);
    });
  CAF_REQUIRE(listed.ok());
  CAF_CHECK_GREATER_OR_EQUAL(listed->size(), 1u);
  auto reacted = run_in_actor<rest_result<rest_empty>>(
    *env.sys, [&](caf::event_based_actor* self, cb<rest_empty> done) {
      rest.create_reaction(self, channel, id, "\xF0\x9F\x91\x8D", done);
    });
  CAF_CHECK(reacted.ok());
  auto deleted = run_in_actor<rest_result<rest_empty>>(
    *env.sys, [&](caf::event_based_actor* self, cb<rest_empty> done) {
      rest.delete_message(self, channel, id, done);
    });
  CAF_CHECK(deleted.ok());
  auto gone = run_in_actor<rest_result<models::message>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::message> done) {
      rest.get_message(self, channel, id, done);
    });
  CAF_REQUIRE(!gone.ok());
  CAF_CHECK(gone.error().what == rest_call_error::kind::http);
  CAF_CHECK_EQUAL(gone.error().http.http_status, 404);
  CAF_CHECK_EQUAL(gone.error().http.code, 10008);
}

CAF_TEST(Discord error bodies become structured errors with field paths) {
  rest_env env;
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  models::snowflake channel{ std::stoull(env.channel()) };
  auto too_long = run_in_actor<rest_result<models::message>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::message> done) {
      message_create p;
      p.content = std::string(2001, 'x');
      rest.create_message(self, channel, p, done);
    });
  CAF_REQUIRE(!too_long.ok());
  auto& err = too_long.error();
  CAF_CHECK_EQUAL(err.http.http_status, 400);
  CAF_CHECK_EQUAL(err.http.code, 50035);
  auto* field = err.http.field("content");
  CAF_REQUIRE(field != nullptr);
  CAF_REQUIRE_EQUAL(field->size(), 1u);
  CAF_CHECK_EQUAL(field->front().code, "BASE_TYPE_MAX_LENGTH");
  auto unknown = run_in_actor<rest_result<models::channel>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::channel> done) {
      rest.get_channel(self, models::snowflake{ 123456789012345678ull }, done);
    });
  CAF_REQUIRE(!unknown.ok());
  CAF_CHECK_EQUAL(unknown.error().http.code, 10003);
  auto bad_reason = rest.request_sync([] {
    rest_request r;
    r.method = "DELETE";
    r.path = "/channels/1/messages/2";
    r.audit_log_reason = std::string(513, 'a');
    return r;
  }());
  CAF_REQUIRE(!bad_reason.ok());
  CAF_CHECK(bad_reason.error().what == rest_call_error::kind::invalid_request);
}

CAF_TEST(files go as multipart with payload_json) {
  rest_env env;
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  models::snowflake channel{ std::stoull(env.channel()) };
  auto created = run_in_actor<rest_result<models::message>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::message> done) {
      message_create p;
      p.content = "see file";
      p.files.push_back({ "files[0]", "a.txt", "text/plain", "hello" });
      rest.create_message(self, channel, p, done);
    });
  CAF_REQUIRE(created.ok());
  CAF_CHECK_EQUAL(created->content, "see file");
  CAF_REQUIRE_EQUAL(created->attachments.size(), 1u);
  CAF_CHECK_EQUAL(created->attachments.front().filename, "a.txt");
}

CAF_TEST(users gateway and interaction calls) {
  rest_env env;
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  auto me = run_in_actor<rest_result<models::user>>(
    *env.sys, [&](caf::event_based_actor* self, cb<models::user> done) {
      rest.get_current_user(self, done);
    });
  CAF_REQUIRE(me.ok());
  CAF_CHECK_EQUAL(me->username, "spectacles-sim");
  auto gw = run_in_actor<rest_result<gateway_bot_reply>>(
    *env.sys, [&](caf::event_based_actor* self, cb<gateway_bot_reply> done) {
      rest.get_gateway_bot(self, done);
    });
  CAF_REQUIRE(gw.ok());
  CAF_CHECK_EQUAL(gw->url, env.sim->gateway_url());
  CAF_CHECK_GREATER(gw->session_start_limit.total, 0);
  auto answered = run_in_actor<rest_result<rest_empty>>(
    *env.sys, [&](caf::event_based_actor* self, cb<rest_empty> done) {
      models::interaction_response p;
      p.type = 4;
      p.data = models::interaction_callback_data{};
      p.data->content = "pong";
      rest.create_interaction_response(self, models::snowflake{ 111111111111111111ull },
                                       "aW50ZXJhY3Rpb246dGVzdA", p, done);
    });
  CAF_CHECK(answered.ok());
}

CAF_TEST(a call whose router dies fails at once and so do later calls) {
  rest_env env;
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router, rest_client_options{ 60s } };
  sim::fault slow;
  slow.kind = sim::fault_kind::rest_slow;
  slow.duration = 5000ms;
  slow.count = 1;
  env.sim->faults().add(slow);
  auto log = std::make_shared<call_log>();
  fire(*env.sys, rest, { { make_request("GET", "/users/@me"), "" } }, log);
  CAF_REQUIRE(wait_for([&] {
    return env.sim->verdict_snapshot().rest_requests == 1;
  }));
  caf::anon_send_exit(router, caf::exit_reason::kill);
  env.router = nullptr;
  CAF_REQUIRE(wait_for([&] {
    return log->size() == 1;
  }));
  auto first = log->snapshot().front();
  CAF_REQUIRE(!first.result.ok());
  CAF_CHECK(first.result.error().what == rest_call_error::kind::router_down);
  auto later = rest.request_sync(make_request("GET", "/users/@me"));
  CAF_REQUIRE(!later.ok());
  CAF_CHECK(later.error().what == rest_call_error::kind::router_down);
}
