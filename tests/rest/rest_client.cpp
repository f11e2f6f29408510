// rest_client against the simulator: typed calls decode into models (every
// typed method, each against the sim's Discord-shaped route), Discord errors
// into rest_call_error with field errors, uploads go as multipart, requests
// carry the library's User-Agent and the URL-encoded audit-log reason, and a
// client whose router dies fails its calls at once.
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

/// Runs one typed call, `f(self, done)`, in a fresh actor and waits for it.
template <class T, class F>
rest_result<T> call_typed(rest_env& env, F f) {
  return run_in_actor<rest_result<T>>(*env.sys, [&](caf::event_based_actor* self, cb<T> done) {
    f(self, std::move(done));
  });
}

/// A plain text message to `channel`.
rest_result<models::message> post_text(rest_env& env, const rest_client& rest,
                                       models::snowflake channel, std::string content) {
  return call_typed<models::message>(env, [&](auto* self, auto done) {
    message_create p;
    p.content = std::move(content);
    rest.create_message(self, channel, p, done);
  });
}

/// Short rate-limit windows: the typed-call tests make several calls per route.
sim::simulator_options quick_sim() {
  sim::simulator_options so;
  so.limits = fast_limits(100ms, 50);
  return so;
}

constexpr uint64_t bot_id = 900000000000000018ull; // the sim's bot user (and application)

/// Ids of the sim's first guild: its channels (the category first), roles
/// (@everyone first) and members other than the bot, in id order.
struct guild_ids {
  uint64_t guild = 0;
  std::vector<uint64_t> channels;
  std::vector<uint64_t> roles;
  std::vector<uint64_t> users;
};

guild_ids first_guild(rest_env& env) {
  return env.sim->with_state([](auto&, auto&, auto& world) {
    guild_ids out;
    auto* g = world.guild(world.guild_ids().front());
    out.guild = g->id;
    out.channels = g->channels;
    for (auto& r : g->roles)
      out.roles.push_back(r.id);
    for (auto& [id, m] : g->members)
      if (id != bot_id)
        out.users.push_back(id);
    return out;
  });
}

std::string name_of(const models::channel& c) {
  return c.name ? c.name->value_or(std::string{}) : std::string{};
}

uint64_t parent_of(const models::channel& c) {
  return c.parent_id && c.parent_id->has_value() ? (**c.parent_id).value() : 0;
}

std::vector<uint64_t> ids_of(const std::vector<models::snowflake>& xs) {
  std::vector<uint64_t> out;
  for (auto x : xs)
    out.push_back(x.value());
  return out;
}

} // namespace

// CAF_CHECK_EQUAL takes no temporaries: compares a snowflake with an id
// through locals.
#define CHECK_ID(got, want)                                                                        \
  do {                                                                                             \
    uint64_t got_id = (got).value();                                                               \
    uint64_t want_id = (want);                                                                     \
    CAF_CHECK_EQUAL(got_id, want_id);                                                              \
  } while (false)

// Checks that a result is a Discord error with this status and JSON code.
#define CHECK_HTTP_ERROR(result, status, json_code)                                                \
  do {                                                                                             \
    CAF_REQUIRE(!(result).ok());                                                                   \
    CAF_CHECK((result).error().what == rest_call_error::kind::http);                               \
    int got_status = (result).error().http.http_status;                                            \
    int64_t got_code = (result).error().http.code;                                                 \
    int want_status = (status);                                                                    \
    int64_t want_code = (json_code);                                                               \
    CAF_CHECK_EQUAL(got_status, want_status);                                                      \
    CAF_CHECK_EQUAL(got_code, want_code);                                                          \
  } while (false)

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
  // The sim's defaults (sim::session_start_limit, one shard).
  CAF_CHECK_EQUAL(gw->shards, 1);
  CAF_CHECK_EQUAL(gw->session_start_limit.total, 1000);
  CAF_CHECK_EQUAL(gw->session_start_limit.remaining, 1000);
  CAF_CHECK_EQUAL(gw->session_start_limit.reset_after, 14400000);
  CAF_CHECK_EQUAL(gw->session_start_limit.max_concurrency, 1);
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

CAF_TEST(requests reach Discord with the library user agent and the encoded audit log reason) {
  rest_env env;
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  auto channel_text = env.channel();
  models::snowflake channel{ std::stoull(channel_text) };
  // A space, an em dash, parentheses and an o with umlaut: every byte that
  // is not unreserved in RFC 3986 is percent-encoded, UTF-8 byte by byte.
  const std::string reason = "Spam \xE2\x80\x94 warned (\xC3\xB6)";
  const std::string encoded = "Spam%20%E2%80%94%20warned%20%28%C3%B6%29";
  // rest_request_headers.hpp: "DiscordBot ($url, $versionNumber)".
  const std::string agent = "DiscordBot (https://github.com/spectacles-cpp, 0.1.0)";
  auto created = call_typed<models::message>(env, [&](auto* self, auto done) {
    message_create p;
    p.content = "with a reason";
    rest.create_message(self, channel, p, done, { 0ms, reason });
  });
  CAF_REQUIRE(created.ok());
  auto id = created->id;
  auto fetched = call_typed<models::message>(env, [&](auto* self, auto done) {
    rest.get_message(self, channel, id, done);
  });
  CAF_REQUIRE(fetched.ok());
  auto posts = env.records("POST", "/channels/" + channel_text + "/messages");
  CAF_REQUIRE_EQUAL(posts.size(), 1u);
  CAF_CHECK_EQUAL(posts[0].user_agent, agent);
  CAF_CHECK_EQUAL(posts[0].audit_log_reason, encoded);
  CAF_CHECK(posts[0].authorization);
  auto gets
    = env.records("GET", "/channels/" + channel_text + "/messages/" + std::to_string(id.value()));
  CAF_REQUIRE_EQUAL(gets.size(), 1u);
  CAF_CHECK_EQUAL(gets[0].user_agent, agent);
  CAF_CHECK(gets[0].audit_log_reason.empty());
  CAF_CHECK(gets[0].authorization);
  // A caller's other agent is replaced by the library's, a DiscordBot one is
  // kept; a call without the bot token goes without Authorization.
  auto curl = make_request("GET", "/users/@me");
  curl.headers.push_back({ "User-Agent", "curl/8.0" });
  CAF_CHECK(rest.request_sync(curl).ok());
  auto own = make_request("GET", "/gateway");
  own.headers.push_back({ "User-Agent", "DiscordBot (https://example.org/bot, 2.1)" });
  own.bot_token = false;
  CAF_CHECK(rest.request_sync(own).ok());
  auto me = env.records("GET", "/users/@me");
  CAF_REQUIRE_EQUAL(me.size(), 1u);
  CAF_CHECK_EQUAL(me[0].user_agent, agent);
  auto gateway = env.records("GET", "/gateway");
  CAF_REQUIRE_EQUAL(gateway.size(), 1u);
  CAF_CHECK_EQUAL(gateway[0].user_agent, "DiscordBot (https://example.org/bot, 2.1)");
  CAF_CHECK(!gateway[0].authorization);
  CAF_CHECK(gateway[0].audit_log_reason.empty());
}

CAF_TEST(a message with an embed and a button comes back with both) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  models::snowflake channel{ std::stoull(env.channel()) };
  auto created = call_typed<models::message>(env, [&](auto* self, auto done) {
    models::embed e;
    e.title = "Release 1.2";
    e.description = "What changed";
    e.color = models::color{ 0x336699 };
    e.fields_ = std::vector<models::embed_field>{ { "Fixes", "12", true } };
    models::component button;
    button.type = models::component_type::button;
    button.style = 1;
    button.label = "Got it";
    button.custom_id = "ack:1";
    models::component row;
    row.type = models::component_type::action_row;
    row.components = std::vector<models::component>{ button };
    message_create p;
    p.content = "release";
    p.embeds = std::vector<models::embed>{ e };
    p.components = std::vector<models::component>{ row };
    rest.create_message(self, channel, p, done);
  });
  CAF_REQUIRE(created.ok());
  auto id = created->id;
  auto fetched = call_typed<models::message>(env, [&](auto* self, auto done) {
    rest.get_message(self, channel, id, done);
  });
  CAF_REQUIRE(fetched.ok());
  for (auto* m : { &created.value(), &fetched.value() }) {
    CAF_CHECK_EQUAL(m->content, "release");
    CAF_REQUIRE_EQUAL(m->embeds.size(), 1u);
    auto& e = m->embeds.front();
    auto title = e.title.value_or("");
    auto description = e.description.value_or("");
    CAF_CHECK_EQUAL(title, "Release 1.2");
    CAF_CHECK_EQUAL(description, "What changed");
    uint32_t rgb = e.color ? e.color->rgb : 0;
    CAF_CHECK_EQUAL(rgb, 0x336699u);
    CAF_REQUIRE(e.fields_ && e.fields_->size() == 1);
    CAF_CHECK_EQUAL(e.fields_->front().name, "Fixes");
    CAF_CHECK_EQUAL(e.fields_->front().value, "12");
    CAF_CHECK(e.fields_->front().is_inline.value_or(false));
    CAF_REQUIRE(m->components && m->components->size() == 1);
    auto& row = m->components->front();
    CAF_CHECK(row.type == models::component_type::action_row);
    CAF_REQUIRE(row.components && row.components->size() == 1);
    auto& button = row.components->front();
    CAF_CHECK(button.type == models::component_type::button);
    CAF_CHECK_EQUAL(button.style.value_or(0), 1);
    auto label = button.label.value_or("");
    auto custom_id = button.custom_id.value_or("");
    CAF_CHECK_EQUAL(label, "Got it");
    CAF_CHECK_EQUAL(custom_id, "ack:1");
  }
  // An edit with an empty component list removes them; the embed stays.
  auto edited = call_typed<models::message>(env, [&](auto* self, auto done) {
    message_edit p;
    p.components
      = models::nullable<std::vector<models::component>>{ std::vector<models::component>{} };
    rest.edit_message(self, channel, id, p, done);
  });
  CAF_REQUIRE(edited.ok());
  CAF_CHECK(!edited->components || edited->components->empty());
  CAF_CHECK_EQUAL(edited->embeds.size(), 1u);
}

CAF_TEST(bulk delete and every reaction call change the message as Discord does) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  models::snowflake channel{ std::stoull(env.channel()) };
  std::vector<models::snowflake> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = post_text(env, rest, channel, "message " + std::to_string(i));
    CAF_REQUIRE(r.ok());
    ids.push_back(r->id);
  }
  auto bulk = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.bulk_delete_messages(self, channel, { ids[0], ids[1] }, done);
  });
  CAF_CHECK(bulk.ok());
  auto left = call_typed<std::vector<models::message>>(env, [&](auto* self, auto done) {
    rest.get_messages(self, channel, "limit=10", done);
  });
  CAF_REQUIRE(left.ok());
  CAF_REQUIRE_EQUAL(left->size(), 1u);
  CHECK_ID(left->front().id, ids[2].value());
  CAF_CHECK_EQUAL(left->front().content, "message 2");
  // Discord wants 2 to 100 ids.
  auto single = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.bulk_delete_messages(self, channel, { ids[2] }, done);
  });
  CHECK_HTTP_ERROR(single, 400, 50016);

  auto msg = ids[2];
  const std::string thumbs = "\xF0\x9F\x91\x8D";
  auto react = [&](std::string emoji) {
    auto r = call_typed<rest_empty>(env, [&](auto* self, auto done) {
      rest.create_reaction(self, channel, msg, emoji, done);
    });
    CAF_CHECK(r.ok());
  };
  auto reactors = [&]() {
    auto r = call_typed<std::vector<models::user>>(env, [&](auto* self, auto done) {
      rest.get_reactions(self, channel, msg, thumbs, done);
    });
    CAF_REQUIRE(r.ok());
    std::vector<uint64_t> out;
    for (auto& u : *r)
      out.push_back(u.id.value());
    return out;
  };
  react(thumbs);
  // Another user's reaction, as if added in the Discord client.
  auto other = first_guild(env).users.front();
  env.sim->with_state([&](auto&, auto&, auto& world) {
    world.message(msg.value())->reactions[thumbs].insert(other);
  });
  auto users = call_typed<std::vector<models::user>>(env, [&](auto* self, auto done) {
    rest.get_reactions(self, channel, msg, thumbs, done);
  });
  CAF_REQUIRE(users.ok());
  CAF_REQUIRE_EQUAL(users->size(), 2u);
  CHECK_ID((*users)[0].id, bot_id);
  CAF_CHECK_EQUAL((*users)[0].username, "spectacles-sim");
  CHECK_ID((*users)[1].id, other);
  CAF_CHECK_EQUAL((*users)[1].username, "user_1");
  auto removed_other = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.delete_user_reaction(self, channel, msg, thumbs, models::snowflake{ other }, done);
  });
  CAF_CHECK(removed_other.ok());
  auto after_user = reactors();
  auto only_bot = std::vector<uint64_t>{ bot_id };
  CAF_CHECK_EQUAL(after_user, only_bot);
  auto removed_own = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.delete_own_reaction(self, channel, msg, thumbs, done);
  });
  CAF_CHECK(removed_own.ok());
  auto after_own = reactors();
  CAF_CHECK(after_own.empty());
  // Two emoji (one custom, "name:id"), then all of them go at once.
  react(thumbs);
  react("party:123456789012345678");
  auto with_two = call_typed<models::message>(env, [&](auto* self, auto done) {
    rest.get_message(self, channel, msg, done);
  });
  CAF_REQUIRE(with_two.ok());
  CAF_REQUIRE(with_two->reactions.has_value());
  CAF_CHECK_EQUAL(with_two->reactions->size(), 2u);
  auto cleared = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.delete_all_reactions(self, channel, msg, done);
  });
  CAF_CHECK(cleared.ok());
  auto none = call_typed<models::message>(env, [&](auto* self, auto done) {
    rest.get_message(self, channel, msg, done);
  });
  CAF_REQUIRE(none.ok());
  CAF_CHECK(!none->reactions || none->reactions->empty());
}

CAF_TEST(channel calls modify overwrite thread and delete a channel) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  auto g = first_guild(env);
  models::snowflake channel{ g.channels[2] };
  auto got = call_typed<models::channel>(env, [&](auto* self, auto done) {
    rest.get_channel(self, channel, done);
  });
  CAF_REQUIRE(got.ok());
  CHECK_ID(got->id, g.channels[2]);
  auto got_name = name_of(*got);
  auto got_parent = parent_of(*got);
  CAF_CHECK_EQUAL(got_name, "channel-2");
  CAF_CHECK_EQUAL(got_parent, g.channels[0]);
  auto modified = call_typed<models::channel>(env, [&](auto* self, auto done) {
    channel_modify p;
    p.name = "renamed";
    p.position = models::nullable<int32_t>{ 7 };
    rest.modify_channel(self, channel, p, done);
  });
  CAF_REQUIRE(modified.ok());
  CHECK_ID(modified->id, g.channels[2]);
  auto modified_name = name_of(*modified);
  CAF_CHECK_EQUAL(modified_name, "renamed");
  CAF_CHECK_EQUAL(modified->position.value_or(0), 7);
  auto bad_name = call_typed<models::channel>(env, [&](auto* self, auto done) {
    channel_modify p;
    p.name = "";
    rest.modify_channel(self, channel, p, done);
  });
  CHECK_HTTP_ERROR(bad_name, 400, 50035);
  if (!bad_name.ok()) {
    auto* field = bad_name.error().http.field("name");
    CAF_REQUIRE(field != nullptr && !field->empty());
    CAF_CHECK_EQUAL(field->front().code, "BASE_TYPE_BAD_LENGTH");
  }
  auto overwrite = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    permission_edit p;
    p.allow = "1024";
    p.deny = "2048";
    p.type = 0;
    rest.edit_permissions(self, channel, models::snowflake{ g.roles[1] }, p, done);
  });
  CAF_CHECK(overwrite.ok());
  auto stored = env.sim->with_state([&](auto&, auto&, auto& world) {
    return world.channel(g.channels[2])->overwrites;
  });
  CAF_REQUIRE_EQUAL(stored.size(), 1u);
  CAF_CHECK_EQUAL(stored[0].id, g.roles[1]);
  CAF_CHECK_EQUAL(stored[0].type, 0);
  CAF_CHECK_EQUAL(stored[0].allow, "1024");
  CAF_CHECK_EQUAL(stored[0].deny, "2048");
  auto unknown_role = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    permission_edit p;
    p.allow = "1024";
    rest.edit_permissions(self, channel, models::snowflake{ 123456789012345678ull }, p, done);
  });
  CHECK_HTTP_ERROR(unknown_role, 404, 10011);
  auto thread = call_typed<models::channel>(env, [&](auto* self, auto done) {
    thread_create p;
    p.name = "release notes";
    p.auto_archive_duration = 1440;
    p.type = 11;
    rest.start_thread(self, channel, p, done);
  });
  CAF_REQUIRE(thread.ok());
  CAF_CHECK(thread->type == models::channel_type::public_thread);
  auto thread_name = name_of(*thread);
  auto thread_parent = parent_of(*thread);
  CAF_CHECK_EQUAL(thread_name, "release notes");
  CAF_CHECK_EQUAL(thread_parent, g.channels[2]);
  CAF_REQUIRE(thread->guild_id && thread->owner_id && thread->thread_metadata);
  CHECK_ID(*thread->guild_id, g.guild);
  CHECK_ID(*thread->owner_id, bot_id);
  CAF_CHECK_EQUAL(thread->thread_metadata->auto_archive_duration, 1440);
  CAF_CHECK(!thread->thread_metadata->archived);
  auto thread_id = thread->id;
  auto in_thread = post_text(env, rest, thread_id, "first in thread");
  CAF_REQUIRE(in_thread.ok());
  CHECK_ID(in_thread->channel_id, thread_id.value());
  auto deleted = call_typed<models::channel>(env, [&](auto* self, auto done) {
    rest.delete_channel(self, channel, done);
  });
  CAF_REQUIRE(deleted.ok());
  CHECK_ID(deleted->id, g.channels[2]);
  auto deleted_name = name_of(*deleted);
  CAF_CHECK_EQUAL(deleted_name, "renamed");
  auto gone = call_typed<models::channel>(env, [&](auto* self, auto done) {
    rest.get_channel(self, channel, done);
  });
  CHECK_HTTP_ERROR(gone, 404, 10003);
}

CAF_TEST(guild calls read and change the guild its channels members and roles) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  auto g = first_guild(env);
  models::snowflake guild{ g.guild };
  auto got = call_typed<models::guild>(env, [&](auto* self, auto done) {
    rest.get_guild(self, guild, done);
  });
  CAF_REQUIRE(got.ok());
  CHECK_ID(got->id, g.guild);
  CAF_CHECK_EQUAL(got->name, "guild_1");
  CHECK_ID(got->owner_id, g.users.front());
  CAF_CHECK_EQUAL(got->roles.size(), g.roles.size());
  auto modified = call_typed<models::guild>(env, [&](auto* self, auto done) {
    guild_modify p;
    p.name = "renamed guild";
    rest.modify_guild(self, guild, p, done);
  });
  CAF_REQUIRE(modified.ok());
  CHECK_ID(modified->id, g.guild);
  CAF_CHECK_EQUAL(modified->name, "renamed guild");
  auto created = call_typed<models::channel>(env, [&](auto* self, auto done) {
    guild_channel_create p;
    p.name = "announcements";
    p.type = 0;
    p.parent_id = models::snowflake{ g.channels[0] };
    rest.create_guild_channel(self, guild, p, done);
  });
  CAF_REQUIRE(created.ok());
  auto created_name = name_of(*created);
  auto created_parent = parent_of(*created);
  CAF_CHECK_EQUAL(created_name, "announcements");
  CAF_CHECK(created->type == models::channel_type::guild_text);
  CAF_CHECK_EQUAL(created_parent, g.channels[0]);
  auto channels = call_typed<std::vector<models::channel>>(env, [&](auto* self, auto done) {
    rest.get_guild_channels(self, guild, done);
  });
  CAF_REQUIRE(channels.ok());
  CAF_REQUIRE_EQUAL(channels->size(), g.channels.size() + 1);
  CHECK_ID(channels->front().id, g.channels[0]);
  CAF_CHECK(channels->front().type == models::channel_type::guild_category);
  CHECK_ID(channels->back().id, created->id.value());

  // Members: the sim gives members of guild index m role (m % 3) + 1.
  auto user = g.users[3];
  models::snowflake member{ user };
  auto get_member = [&]() {
    return call_typed<models::guild_member>(env, [&](auto* self, auto done) {
      rest.get_member(self, guild, member, done);
    });
  };
  auto fetched = get_member();
  CAF_REQUIRE(fetched.ok());
  CAF_REQUIRE(fetched->user.has_value());
  CHECK_ID(fetched->user->id, user);
  CAF_CHECK_EQUAL(fetched->user->username, "user_4");
  auto fetched_roles = ids_of(fetched->roles);
  auto want_roles = std::vector<uint64_t>{ g.roles[1] };
  CAF_CHECK_EQUAL(fetched_roles, want_roles);
  auto page = call_typed<std::vector<models::guild_member>>(env, [&](auto* self, auto done) {
    rest.list_members(self, guild, "limit=3&after=" + std::to_string(user), done);
  });
  CAF_REQUIRE(page.ok());
  std::vector<uint64_t> page_ids;
  for (auto& m : *page)
    page_ids.push_back(m.user ? m.user->id.value() : 0);
  auto want_page = std::vector<uint64_t>{ g.users[4], g.users[5], g.users[6] };
  CAF_CHECK_EQUAL(page_ids, want_page);
  auto changed = call_typed<models::guild_member>(env, [&](auto* self, auto done) {
    member_modify p;
    p.roles = models::nullable<std::vector<models::snowflake>>{ std::vector<models::snowflake>{
      models::snowflake{ g.roles[2] }, models::snowflake{ g.roles[3] } } };
    rest.modify_member(self, guild, member, p, done);
  });
  CAF_REQUIRE(changed.ok());
  auto want_changed = std::vector<uint64_t>{ g.roles[2], g.roles[3] };
  auto changed_roles = ids_of(changed->roles);
  CAF_CHECK_EQUAL(changed_roles, want_changed);
  auto added = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.add_member_role(self, guild, member, models::snowflake{ g.roles[1] }, done);
  });
  CAF_CHECK(added.ok());
  auto removed = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.remove_member_role(self, guild, member, models::snowflake{ g.roles[2] }, done);
  });
  CAF_CHECK(removed.ok());
  auto after_roles = get_member();
  CAF_REQUIRE(after_roles.ok());
  auto want_after = std::vector<uint64_t>{ g.roles[3], g.roles[1] };
  auto after_ids = ids_of(after_roles->roles);
  CAF_CHECK_EQUAL(after_ids, want_after);
  auto kicked = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.remove_member(self, guild, member, done);
  });
  CAF_CHECK(kicked.ok());
  auto gone = get_member();
  CHECK_HTTP_ERROR(gone, 404, 10007);

  // Roles
  auto role = call_typed<models::role>(env, [&](auto* self, auto done) {
    role_params p;
    p.name = "mods";
    p.color = 0x00FF00;
    p.permissions = "8";
    p.hoist = true;
    rest.create_role(self, guild, p, done);
  });
  CAF_REQUIRE(role.ok());
  CAF_CHECK_EQUAL(role->name, "mods");
  CAF_CHECK_EQUAL(role->color.rgb, 0x00FF00u);
  CAF_CHECK_EQUAL(role->permissions.bits(), 8u);
  auto role_id = role->id;
  auto edited = call_typed<models::role>(env, [&](auto* self, auto done) {
    role_params p;
    p.name = "moderators";
    p.color = 0x123456;
    p.mentionable = true;
    rest.modify_role(self, guild, role_id, p, done);
  });
  CAF_REQUIRE(edited.ok());
  CHECK_ID(edited->id, role_id.value());
  CAF_CHECK_EQUAL(edited->name, "moderators");
  CAF_CHECK_EQUAL(edited->color.rgb, 0x123456u);
  CAF_CHECK(edited->mentionable);
  CAF_CHECK_EQUAL(edited->permissions.bits(), 8u); // unchanged
  auto roles = call_typed<std::vector<models::role>>(env, [&](auto* self, auto done) {
    rest.get_roles(self, guild, done);
  });
  CAF_REQUIRE(roles.ok());
  CAF_REQUIRE_EQUAL(roles->size(), g.roles.size() + 1);
  CAF_CHECK_EQUAL(roles->front().name, "@everyone");
  CAF_CHECK_EQUAL(roles->back().name, "moderators");
  auto dropped = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.delete_role(self, guild, role_id, done);
  });
  CAF_CHECK(dropped.ok());
  auto again = call_typed<models::role>(env, [&](auto* self, auto done) {
    role_params p;
    p.name = "ghost";
    rest.modify_role(self, guild, role_id, p, done);
  });
  CHECK_HTTP_ERROR(again, 404, 10011);
  auto everyone = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.delete_role(self, guild, guild, done);
  });
  CHECK_HTTP_ERROR(everyone, 400, 50028);
}

CAF_TEST(user ban and DM calls) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  auto g = first_guild(env);
  models::snowflake guild{ g.guild };
  auto user = call_typed<models::user>(env, [&](auto* self, auto done) {
    rest.get_user(self, models::snowflake{ g.users[0] }, done);
  });
  CAF_REQUIRE(user.ok());
  CHECK_ID(user->id, g.users[0]);
  CAF_CHECK_EQUAL(user->username, "user_1");
  auto global_name = user->global_name.value_or("");
  CAF_CHECK_EQUAL(global_name, "User 1");
  auto nobody = call_typed<models::user>(env, [&](auto* self, auto done) {
    rest.get_user(self, models::snowflake{ 123456789012345678ull }, done);
  });
  CHECK_HTTP_ERROR(nobody, 404, 10013);

  // A ban's reason is its audit-log reason: sent encoded, stored decoded.
  models::snowflake banned{ g.users[1] };
  const std::string reason = "Spam \xE2\x80\x94 banned";
  auto ban = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    ban_create p;
    p.delete_message_seconds = 3600;
    rest.create_ban(self, guild, banned, p, done, { 0ms, reason });
  });
  CAF_CHECK(ban.ok());
  auto puts = env.records("PUT", "/guilds/" + std::to_string(g.guild) + "/bans/"
                                   + std::to_string(g.users[1]));
  CAF_REQUIRE_EQUAL(puts.size(), 1u);
  CAF_CHECK_EQUAL(puts[0].audit_log_reason, "Spam%20%E2%80%94%20banned");
  auto bans = call_typed<std::vector<models::ban>>(env, [&](auto* self, auto done) {
    rest.get_bans(self, guild, done);
  });
  CAF_REQUIRE(bans.ok());
  CAF_REQUIRE_EQUAL(bans->size(), 1u);
  CHECK_ID(bans->front().user.id, g.users[1]);
  auto ban_reason = bans->front().reason.value_or("");
  CAF_CHECK_EQUAL(ban_reason, reason);
  auto member = call_typed<models::guild_member>(env, [&](auto* self, auto done) {
    rest.get_member(self, guild, banned, done);
  });
  CHECK_HTTP_ERROR(member, 404, 10007); // a ban removes the member
  auto too_long = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    ban_create p;
    p.delete_message_seconds = 700000;
    rest.create_ban(self, guild, models::snowflake{ g.users[2] }, p, done);
  });
  CHECK_HTTP_ERROR(too_long, 400, 50035);
  auto lifted = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.remove_ban(self, guild, banned, done);
  });
  CAF_CHECK(lifted.ok());
  auto no_bans = call_typed<std::vector<models::ban>>(env, [&](auto* self, auto done) {
    rest.get_bans(self, guild, done);
  });
  CAF_REQUIRE(no_bans.ok());
  CAF_CHECK(no_bans->empty());
  auto lifted_again = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    rest.remove_ban(self, guild, banned, done);
  });
  CHECK_HTTP_ERROR(lifted_again, 404, 10026);

  // DMs: one channel per recipient, messages go there.
  auto open_dm = [&](uint64_t recipient) {
    return call_typed<models::channel>(env, [&](auto* self, auto done) {
      rest.create_dm(self, models::snowflake{ recipient }, done);
    });
  };
  auto dm = open_dm(g.users[0]);
  CAF_REQUIRE(dm.ok());
  CAF_CHECK(dm->type == models::channel_type::dm);
  CAF_REQUIRE(dm->recipients && dm->recipients->size() == 1);
  CHECK_ID(dm->recipients->front().id, g.users[0]);
  auto dm_again = open_dm(g.users[0]);
  CAF_REQUIRE(dm_again.ok());
  CHECK_ID(dm_again->id, dm->id.value());
  auto dm_id = dm->id;
  auto sent = post_text(env, rest, dm_id, "hello in private");
  CAF_REQUIRE(sent.ok());
  CHECK_ID(sent->channel_id, dm_id.value());
  auto invalid = open_dm(42);
  CHECK_HTTP_ERROR(invalid, 400, 50033);
}

CAF_TEST(webhook and interaction follow up calls return the messages they made) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  struct hook_info {
    uint64_t id = 0;
    uint64_t channel = 0;
    std::string token;
  };
  auto hook = env.sim->with_state([](auto&, auto&, auto& world) {
    auto& h = world.webhooks().front();
    return hook_info{ h.id, h.channel_id, h.token };
  });
  models::snowflake hook_id{ hook.id };
  auto executed = call_typed<models::message>(env, [&](auto* self, auto done) {
    webhook_message p;
    p.content = "from the hook";
    rest.execute_webhook(self, hook_id, hook.token, p, done);
  });
  CAF_REQUIRE(executed.ok());
  CAF_CHECK_EQUAL(executed->content, "from the hook");
  CAF_REQUIRE(executed->webhook_id.has_value());
  CHECK_ID(*executed->webhook_id, hook.id);
  CHECK_ID(executed->channel_id, hook.channel);
  auto message_id = std::to_string(executed->id.value());
  auto edited = call_typed<models::message>(env, [&](auto* self, auto done) {
    webhook_message p;
    p.content = "from the hook, edited";
    rest.edit_webhook_message(self, hook_id, hook.token, message_id, p, done);
  });
  CAF_REQUIRE(edited.ok());
  CHECK_ID(edited->id, executed->id.value());
  CAF_CHECK_EQUAL(edited->content, "from the hook, edited");
  CAF_CHECK(edited->edited_timestamp.has_value());
  auto wrong_token = call_typed<models::message>(env, [&](auto* self, auto done) {
    webhook_message p;
    p.content = "nope";
    rest.execute_webhook(self, hook_id, "not-the-token", p, done);
  });
  CHECK_HTTP_ERROR(wrong_token, 404, 10015);

  // An interaction: answered with a message, which is then edited, then a
  // follow-up.
  const std::string token = "aW50ZXJhY3Rpb246Zm9sbG93dXA";
  models::snowflake app{ bot_id };
  auto answered = call_typed<rest_empty>(env, [&](auto* self, auto done) {
    models::interaction_response p;
    p.type = 4;
    p.data = models::interaction_callback_data{};
    p.data->content = "pong";
    rest.create_interaction_response(self, models::snowflake{ 222222222222222222ull }, token, p,
                                     done);
  });
  CAF_CHECK(answered.ok());
  auto original = call_typed<models::message>(env, [&](auto* self, auto done) {
    webhook_message p;
    p.content = "pong, edited";
    rest.edit_original_response(self, app, token, p, done);
  });
  CAF_REQUIRE(original.ok());
  CAF_CHECK_EQUAL(original->content, "pong, edited");
  CAF_REQUIRE(original->webhook_id.has_value());
  CHECK_ID(*original->webhook_id, bot_id);
  CHECK_ID(original->author.id, bot_id);
  auto followup = call_typed<models::message>(env, [&](auto* self, auto done) {
    webhook_message p;
    p.content = "one more thing";
    rest.create_followup(self, app, token, p, done);
  });
  CAF_REQUIRE(followup.ok());
  CAF_CHECK_EQUAL(followup->content, "one more thing");
  CAF_CHECK(followup->id != original->id);
  CHECK_ID(followup->channel_id, original->channel_id.value());
}

CAF_TEST(application commands are overwritten in bulk and listed) {
  rest_env env{ quick_sim() };
  auto router = env.start_router(env.router_options());
  rest_client rest{ *env.sys, router };
  auto g = first_guild(env);
  models::snowflake app{ bot_id };
  application_command_create ping;
  ping.name = "ping";
  ping.description = "Replies with pong";
  models::application_command_option text;
  text.type = models::application_command_option_type::string;
  text.name = "text";
  text.description = "What to echo";
  text.required = true;
  ping.options = std::vector<models::application_command_option>{ text };
  application_command_create report;
  report.name = "Report";
  report.type = 2; // user command: no description
  using command_list = std::vector<models::application_command>;
  auto overwrite = [&](std::vector<application_command_create> commands) {
    return call_typed<command_list>(env, [&](auto* self, auto done) {
      rest.bulk_overwrite_global_commands(self, app, commands, done);
    });
  };
  auto list = [&]() {
    return call_typed<command_list>(env, [&](auto* self, auto done) {
      rest.get_global_commands(self, app, done);
    });
  };
  auto put = overwrite({ ping, report });
  CAF_REQUIRE(put.ok());
  CAF_REQUIRE_EQUAL(put->size(), 2u);
  auto& first = (*put)[0];
  CAF_CHECK_EQUAL(first.name, "ping");
  CAF_CHECK_EQUAL(first.description, "Replies with pong");
  CAF_CHECK_EQUAL(first.type.value_or(0), 1);
  CHECK_ID(first.application_id, bot_id);
  CAF_CHECK(!first.guild_id);
  CAF_REQUIRE(first.options && first.options->size() == 1);
  CAF_CHECK_EQUAL(first.options->front().name, "text");
  CAF_CHECK_EQUAL((*put)[1].name, "Report");
  CAF_CHECK_EQUAL((*put)[1].type.value_or(0), 2);
  auto ping_id = first.id.value();
  auto report_id = (*put)[1].id.value();
  CAF_CHECK_NOT_EQUAL(ping_id, report_id);
  auto listed = list();
  CAF_REQUIRE(listed.ok());
  CAF_REQUIRE_EQUAL(listed->size(), 2u);
  CHECK_ID((*listed)[0].id, ping_id);
  CHECK_ID((*listed)[1].id, report_id);
  // An overwrite replaces the list; a command of the same name keeps its id.
  ping.description = "Pong!";
  auto second = overwrite({ ping });
  CAF_REQUIRE(second.ok());
  CAF_REQUIRE_EQUAL(second->size(), 1u);
  CHECK_ID(second->front().id, ping_id);
  CAF_CHECK_EQUAL(second->front().description, "Pong!");
  auto relisted = list();
  CAF_REQUIRE(relisted.ok());
  CAF_CHECK_EQUAL(relisted->size(), 1u);
  // Guild commands are a list of their own.
  auto in_guild = call_typed<command_list>(env, [&](auto* self, auto done) {
    rest.bulk_overwrite_guild_commands(self, app, models::snowflake{ g.guild },
                                       std::vector<application_command_create>{ report }, done);
  });
  CAF_REQUIRE(in_guild.ok());
  CAF_REQUIRE_EQUAL(in_guild->size(), 1u);
  CAF_CHECK_EQUAL(in_guild->front().name, "Report");
  CAF_REQUIRE(in_guild->front().guild_id.has_value());
  CHECK_ID(*in_guild->front().guild_id, g.guild);
  auto global_after = list();
  CAF_REQUIRE(global_after.ok());
  CAF_REQUIRE_EQUAL(global_after->size(), 1u);
  CAF_CHECK_EQUAL(global_after->front().name, "ping");
  // Errors: another application, a chat command without description.
  auto other_app = call_typed<command_list>(env, [&](auto* self, auto done) {
    rest.get_global_commands(self, models::snowflake{ 123456789012345678ull }, done);
  });
  CHECK_HTTP_ERROR(other_app, 403, 50001);
  application_command_create bare;
  bare.name = "bare";
  auto invalid = overwrite({ bare });
  CHECK_HTTP_ERROR(invalid, 400, 50035);
  if (!invalid.ok()) {
    auto* field = invalid.error().http.field("0.description");
    CAF_REQUIRE(field != nullptr && !field->empty());
    CAF_CHECK_EQUAL(field->front().code, "BASE_TYPE_BAD_LENGTH");
  }
}
