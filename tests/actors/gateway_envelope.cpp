#include "actors/gateway_envelope.hpp"

#define CAF_SUITE actors.gateway_envelope
#include "caf/test/unit_test.hpp"

#include "actors/gateway_json.hpp"

#include <fstream>
#include <sstream>
#include <string>

using namespace spectacles::actors;

namespace {

// The captures are JSON arrays of envelopes; this returns the first one's text.
std::string first_capture(const std::string& name) {
  std::ifstream in(std::string(SPECTACLES_FIXTURES_DIR) + "/discord-captures/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  auto begin = text.find('{');
  if (begin == std::string::npos)
    return {};
  auto end = gateway_json::skip_value(text, begin);
  return end ? text.substr(begin, *end - begin) : std::string{};
}

} // namespace

CAF_TEST(a real READY capture yields op s t and the raw d) {
  auto text = first_capture("gateway_ready.json");
  CAF_REQUIRE(!text.empty());
  auto r = scan_envelope(text);
  CAF_REQUIRE(r.envelope);
  CAF_CHECK_EQUAL(r.envelope->op, 0);
  CAF_CHECK_EQUAL(r.envelope->s.value_or(0), 1u);
  CAF_CHECK_EQUAL(r.envelope->t.value_or(""), "READY");
  CAF_CHECK(gateway_json::find_member(r.envelope->d, "session_id").has_value());
  CAF_CHECK_EQUAL(
      gateway_json::parse_string(*gateway_json::find_member(r.envelope->d, "resume_gateway_url"))
          .value_or(""),
      "wss://gateway.discord.gg/?v=10&encoding=json");
}

CAF_TEST(a real HELLO capture has a null s and t) {
  auto r = scan_envelope(first_capture("gateway_hello.json"));
  CAF_REQUIRE(r.envelope);
  CAF_CHECK_EQUAL(r.envelope->op, 10);
  CAF_CHECK(!r.envelope->s);
  CAF_CHECK(!r.envelope->t);
  CAF_CHECK_EQUAL(gateway_json::find_member(r.envelope->d, "heartbeat_interval").value_or(""),
                  "41250");
}

CAF_TEST(a real MESSAGE_CREATE capture names its guild) {
  auto r = scan_envelope(first_capture("gateway_message_create.json"));
  CAF_REQUIRE(r.envelope);
  CAF_CHECK_EQUAL(r.envelope->t.value_or(""), "MESSAGE_CREATE");
  CAF_CHECK_NOT_EQUAL(dispatch_guild_id("MESSAGE_CREATE", r.envelope->d), 0u);
}

CAF_TEST(guild events take the guild id from d id) {
  CAF_CHECK_EQUAL(dispatch_guild_id("GUILD_CREATE", R"({"id":"41771983423143937","x":1})"),
                  41771983423143937u);
  CAF_CHECK_EQUAL(dispatch_guild_id("MESSAGE_CREATE", R"({"id":"5","guild_id":"7"})"), 7u);
  CAF_CHECK_EQUAL(dispatch_guild_id("TYPING_START", R"({"channel_id":"5"})"), 0u);
  CAF_CHECK_EQUAL(dispatch_guild_id("READY", "null"), 0u);
}

CAF_TEST(heartbeat ack without d and members in any order) {
  auto r = scan_envelope(R"({"op":11})");
  CAF_REQUIRE(r.envelope);
  CAF_CHECK_EQUAL(r.envelope->op, 11);
  CAF_CHECK_EQUAL(r.envelope->d, "null");
  auto r2 = scan_envelope(R"({"d":{"a":1},"s":9,"t":"X","op":0})");
  CAF_REQUIRE(r2.envelope);
  CAF_CHECK_EQUAL(r2.envelope->s.value_or(0), 9u);
  CAF_CHECK_EQUAL(r2.envelope->d, R"({"a":1})");
}

CAF_TEST(broken messages give an error and no envelope) {
  for (auto text : { R"({"op":0,"d":{)", R"({"d":null})", R"({"op":"x"})", R"({"op":0,"s":-1})",
                     R"({"op":0,"t":5})", "[]", "", R"({"op":0} trailing)" }) {
    auto r = scan_envelope(text);
    CAF_CHECK(!r.envelope);
    CAF_CHECK(!r.error.empty());
  }
}
