// The direct decoder (models/detail/codec.hpp, direct_ctx) reads documents straight from
// simdjson's stage 1 and leaves everything it refuses to the DOM decoder. These tests hold it to
// its contract: it decodes real payloads itself, to exactly what the DOM decodes; it refuses
// every malformed document the DOM refuses; and whatever it leaves to the DOM still decodes, or
// fails with the DOM's own message.
#include "models/detail/codec.hpp"

#define CAF_SUITE models.direct
#include "caf/test/unit_test.hpp"

#include "models/channel.hpp"
#include "models/check_payload.hpp"
#include "models/envelope.hpp"
#include "models/events.hpp"
#include "models/guild.hpp"
#include "models/message.hpp"
#include "models/user.hpp"
#include "tests/net/fixtures.hpp"

using namespace spectacles::models;
using detail::decode_route;

namespace {

std::string read_fixture(const std::string& name) {
  return spectacles::net::testing::read_fixture("discord-captures/" + name);
}

// Runs `f` with this thread's decoder route set to `route`.
template <class F>
auto on_route(decode_route route, F&& f) {
  detail::thread_decode_route() = route;
  auto out = f();
  detail::thread_decode_route() = decode_route::direct_then_dom;
  return out;
}

template <class T>
result<T> decode_on(decode_route route, std::string_view json) {
  return on_route(route, [&] {
    return decode<T>(json);
  });
}

// The three routes' answers for one document.
template <class T>
struct answers {
  result<T> direct;
  result<T> dom;
  result<T> fastest; // the default route: direct, then the DOM
};

template <class T>
answers<T> decode_all(std::string_view json) {
  return { decode_on<T>(decode_route::direct_only, json),
           decode_on<T>(decode_route::dom_only, json), decode<T>(json) };
}

const std::string user_prefix = R"({"id":"80351110224678912","username":"nelly")";

} // namespace

CAF_TEST(every gateway capture decodes on the direct path to what the dom decodes) {
  size_t compared = 0;
  for (const char* name :
       { "gateway_guild_create.json", "gateway_guild_member_update.json",
         "gateway_interaction_create.json", "gateway_message_create.json",
         "gateway_message_delete.json", "gateway_message_reaction_add.json",
         "gateway_message_update.json", "gateway_ready.json", "gateway_thread_create.json",
         "gateway_voice_channel_start_time_update.json", "gateway_voice_channel_status_update.json",
         "gateway_voice_state_update.json" }) {
    auto payloads = split_payloads(read_fixture(name));
    CAF_REQUIRE(payloads);
    for (auto& text : *payloads) {
      auto env = scan_envelope(text);
      CAF_REQUIRE(env);
      if (env->op != 0)
        continue;
      auto direct = on_route(decode_route::direct_only, [&] {
        return decode_event(env->t, env->d);
      });
      auto dom = on_route(decode_route::dom_only, [&] {
        return decode_event(env->t, env->d);
      });
      if (!direct)
        CAF_FAIL(name << " " << env->t
                      << ": the direct decoder refused it: " << direct.error().message);
      CAF_REQUIRE(dom);
      CAF_CHECK(*direct == *dom);
      ++compared;
    }
  }
  CAF_CHECK_EQUAL(compared, 21u);
}

namespace {

// Decodes each capture in a REST fixture (an array of bodies) both ways; returns how many.
template <class T>
size_t compare_rest_fixture(const std::string& name) {
  auto bodies = split_payloads(read_fixture(name));
  CAF_REQUIRE(bodies);
  for (auto& body : *bodies) {
    auto a = decode_all<T>(body);
    if (!a.direct)
      CAF_FAIL(name << ": the direct decoder refused it: " << a.direct.error().message);
    CAF_REQUIRE(a.dom);
    CAF_CHECK(*a.direct == *a.dom);
  }
  return bodies->size();
}

} // namespace

CAF_TEST(rest captures decode on the direct path to what the dom decodes) {
  CAF_CHECK_GREATER(compare_rest_fixture<message>("rest_create_message.json"), 0u);
  CAF_CHECK_GREATER(compare_rest_fixture<channel>("rest_get_channel.json"), 0u);
  CAF_CHECK_GREATER(compare_rest_fixture<guild>("rest_get_guild.json"), 0u);
}

CAF_TEST(the direct path refuses every malformed document and the dom explains it) {
  const std::string u = user_prefix;
  const std::vector<std::string> bad = {
    "",
    "   ",
    u + ",}",              // trailing comma
    u + R"( "bot":true})", // missing comma
    u,                     // unclosed object
    u + "}}",              // content after the root
    u + "} x",
    u + "}[]",
    u + R"(,"x":tru})", // bad atoms in an unknown field
    u + R"(,"x":nulll})",
    u + R"(,"x":falsey})",
    u + R"(,"x":01})", // bad numbers
    u + R"(,"x":1.})",
    u + R"(,"x":-})",
    u + R"(,"x":1e})",
    u + R"(,"x":.5})",
    u + R"(,"x":1x})",
    u + R"(,"x":99999999999999999999999})",
    u + R"(,"x":-99999999999999999999})",
    u + R"(,"x":1e999})",
    u + R"(,"x":"\q"})", // bad escapes
    u + R"(,"x":"\u12g4"})",
    u + R"(,"x":"\u12"})",
    u + R"(,"x":"a"x})", // junk after a string
    u + R"(,"x":[1,]})", // bad containers
    u + R"(,"x":[1 2]})",
    u + R"(,"x":[,1]})",
    u + R"(,"x":{"a" 1}})",
    u + R"(,"x":{"a":}})",
    u + R"(,"x":{1:2}})",
    u + R"(,"x":{"a":1,}})",
    u + R"(,"x":[}})",
    u + R"(,"x":{]})",
    u + R"(,"x":[[[]]})",
    u + R"(,:1})",  // a colon without a key
    u + R"(,"x"})", // a key without a value
    u + R"(,"x":})",
    u + R"(,"x":)" + std::string(1100, '[') + std::string(1100, ']') + "}", // too deep for the DOM
    u + R"(,"bot":tru})", // the same faults in fields the model decodes
    u + R"(,"bot":truex})",
    u + R"(,"accent_color":01})",
    u + R"(,"accent_color":1.})",
    u + R"(,"global_name":"\q"})",
    u + R"(,"global_name":"a"x})",
    R"({"id":"80351110224678912"x,"username":"nelly"})",
    R"({"id":"80351110224678912","username":"nel)"
    "\x01"
    R"(ly"})", // a control character
    R"({"id":"80351110224678912","username":"nel)"
    "\xff"
    R"(ly"})", // not UTF-8
  };
  for (auto& json : bad) {
    auto a = decode_all<user>(json);
    CAF_MESSAGE("document: " << json.substr(0, 80));
    CAF_CHECK(!a.dom);
    CAF_CHECK(!a.direct);
    CAF_REQUIRE(!a.fastest);
    if (!a.dom)
      CAF_CHECK_EQUAL(a.fastest.error().message, a.dom.error().message);
  }
}

CAF_TEST(a wrong type in a known field is refused and explained with its path) {
  for (std::string field : { R"("bot":"yes")", R"("id":true)", R"("accent_color":-1)",
                             R"("avatar":5)", R"("username":null)", R"("public_flags":1.5)" }) {
    auto json = R"({"id":"1","username":"a",)" + field + "}";
    auto a = decode_all<user>(json);
    CAF_CHECK(!a.direct);
    CAF_REQUIRE(!a.dom);
    CAF_REQUIRE(!a.fastest);
    CAF_CHECK_EQUAL(a.fastest.error().message, a.dom.error().message);
  }
  auto a = decode_all<user>(R"({"id":"1","username":"a","bot":"yes"})");
  CAF_REQUIRE(!a.fastest);
  CAF_CHECK_EQUAL(a.fastest.error().message, "bot: expected a boolean, got \"yes\"");
}

CAF_TEST(what the direct path leaves to the dom still decodes) {
  // Valid JSON the direct decoder does not read itself: escaped keys, surrogate pairs, "-0",
  // integers past 19 digits, fractions inside raw values, unknown values nested past 64.
  const std::vector<std::string> left = {
    R"({"\u0069d":"80351110224678912","username":"nelly"})",
    R"({"id":"80351110224678912","username":"smile \ud83d\ude00"})",
    user_prefix + R"(,"x":-0})",
    user_prefix + R"(,"x":18446744073709551615})",
    user_prefix + R"(,"x":[1.5e3,-0.25]})",
    user_prefix + R"(,"collectibles":{"nameplate":{"sku_id":"1","ratio":0.5}}})",
    R"({"id":"80351110224678912","username":"nelly","accent_color":16711680} )",
    user_prefix + R"(,"x":)" + std::string(100, '[') + std::string(100, ']') + "}",
  };
  for (auto& json : left) {
    auto a = decode_all<user>(json);
    CAF_MESSAGE("document: " << json);
    CAF_REQUIRE(a.dom);
    CAF_REQUIRE(a.fastest);
    CAF_CHECK(*a.fastest == *a.dom);
    if (a.direct) // where the direct path did read it, it read the same
      CAF_CHECK(*a.direct == *a.dom);
  }
  auto escaped_key = decode<user>(left[0]);
  CAF_REQUIRE(escaped_key);
  CAF_CHECK_EQUAL(escaped_key->id, snowflake{ 80351110224678912 });
  auto emoji = decode<user>(left[1]);
  CAF_REQUIRE(emoji);
  CAF_CHECK_EQUAL(emoji->username, "smile \xF0\x9F\x98\x80");
}

CAF_TEST(the direct path decodes escapes numbers and raw values as the dom does) {
  // Each of these is read by the direct decoder itself (direct_only succeeds).
  const std::vector<std::string> own = {
    user_prefix + R"(,"global_name":"q\"b\\s\/l\b\f\n\r\t \u00e9\u4e2d\u0000 end"})",
    user_prefix + R"(,"global_name":")" + std::string(300, 'x') + R"(\n"})",
    user_prefix + R"(,"accent_color":0,"public_flags":9007199254740993,"bot":false})",
    user_prefix + R"(,"x":{"a":[1,-2,true,false,null,"s\"",{"b":{}}],"c":[]},"y":[[],[[]]]})",
    user_prefix + R"(,"x":-9223372036854775808,"z":9999999999999999999})",
    user_prefix + R"(,"x":1.5,"y":-2e-3,"z":1E+2})",
    user_prefix + R"(,"collectibles":{"nameplate":{"sku_id":"1","label":"a\u00e9\"","n":[1,-2]}}})",
    user_prefix + R"(,"collectibles":"a\tb"})",
    user_prefix + R"(,"collectibles":{"k\n":["\b\f\u0001\u001f\u007f\u2028/\/",-1,{}]}})",
    user_prefix + R"(,"collectibles":-12})",
  };
  for (auto& json : own) {
    auto a = decode_all<user>(json);
    CAF_MESSAGE("document: " << json.substr(0, 120));
    CAF_REQUIRE(a.dom);
    if (!a.direct)
      CAF_FAIL("the direct decoder refused it: " << a.direct.error().message);
    CAF_CHECK(*a.direct == *a.dom);
  }
  auto escapes = decode_on<user>(decode_route::direct_only, own[0]);
  CAF_REQUIRE(escapes && escapes->global_name);
  CAF_CHECK_EQUAL(*escapes->global_name,
                  std::string("q\"b\\s/l\b\f\n\r\t \xC3\xA9\xE4\xB8\xAD\0 end", 23));
  auto raw = decode_on<user>(decode_route::direct_only, own[6]);
  CAF_REQUIRE(raw && raw->collectibles && *raw->collectibles);
  CAF_CHECK_EQUAL((*raw->collectibles)->text,
                  R"({"nameplate":{"sku_id":"1","label":"aé\"","n":[1,-2]}})");
}

CAF_TEST(the direct path reads json with whitespace anywhere) {
  auto json = "{\n  \"id\" : \"80351110224678912\" ,\n  \"username\"\t:\"nelly\"\r\n,"
              "\"flags\" : 64 , \"x\" : [ 1 , { \"y\" : null } ] ,\n"
              "\"accent_color\": 7 }\n";
  auto a = decode_all<user>(json);
  CAF_REQUIRE(a.dom);
  if (!a.direct)
    CAF_FAIL("the direct decoder refused it: " << a.direct.error().message);
  CAF_CHECK(*a.direct == *a.dom);
  CAF_CHECK_EQUAL(a.direct->id, snowflake{ 80351110224678912 });
  CAF_CHECK_EQUAL(a.direct->flags, uint64_t{ 64 });
}

CAF_TEST(snowflakes and timestamps written with escapes are read by the dom) {
  auto a = decode_all<message>(
    R"({"id":"\u0031","channel_id":"2","timestamp":"2024-01-01T00:00:00\u002B00:00"})");
  CAF_CHECK(!a.direct);
  CAF_REQUIRE(a.dom && a.fastest);
  CAF_CHECK(*a.fastest == *a.dom);
  CAF_CHECK_EQUAL(a.fastest->id, snowflake{ 1 });
}

CAF_TEST(an array field reserves what it held last time and holds what it is sent) {
  auto channels = [](int n) {
    std::string json = R"({"id":"1","name":"g","channels":[)";
    for (int i = 0; i < n; ++i)
      json += std::string(i ? "," : "") + R"({"id":")" + std::to_string(i + 10) + R"(","type":0})";
    return json + "]}";
  };
  auto big = decode_on<guild>(decode_route::direct_only, channels(20));
  CAF_REQUIRE(big && big->channels);
  CAF_CHECK_EQUAL(big->channels->size(), 20u);
  auto small = decode_on<guild>(decode_route::direct_only, channels(2));
  CAF_REQUIRE(small && small->channels);
  CAF_CHECK_EQUAL(small->channels->size(), 2u);
  CAF_CHECK_EQUAL(small->channels->at(1).id, snowflake{ 11 });
  CAF_CHECK_GREATER_OR_EQUAL(small->channels->capacity(), 20u);
  auto none = decode_on<guild>(decode_route::direct_only, channels(0));
  CAF_REQUIRE(none && none->channels);
  CAF_CHECK_EQUAL(none->channels->capacity(), 0u);
}
