#include "actors/gateway_payload.hpp"

#define CAF_SUITE actors.gateway_payload
#include "caf/test/unit_test.hpp"

#include "actors/gateway_json.hpp"

using namespace spectacles::actors;
namespace models = spectacles::models;

CAF_TEST(heartbeat carries the last seq or null) {
  CAF_CHECK_EQUAL(heartbeat_payload(std::nullopt), R"({"op":1,"d":null})");
  CAF_CHECK_EQUAL(heartbeat_payload(41), R"({"op":1,"d":41})");
}

CAF_TEST(identify has token properties intents shard presence and large_threshold) {
  identify_fields f;
  f.token = "tok\"en";
  f.intents = 513;
  f.shard_id = 3;
  f.shard_count = 16;
  f.large_threshold = 250;
  f.presence = models::presence_update{};
  f.presence->status = "idle";
  auto p = identify_payload(f);
  CAF_CHECK(gateway_json::is_single_value(p));
  CAF_CHECK_EQUAL(p, std::string(R"({"op":2,"d":{"token":"tok\"en","properties":{"os":")")
                       + std::string(gateway_os_name())
                       + R"(","browser":"spectacles-cpp","device":"spectacles-cpp"},)"
                         R"("large_threshold":250,"shard":[3,16],)"
                         R"("presence":{"since":null,"activities":[],"status":"idle","afk":false},)"
                         R"("intents":513}})");
  f.presence.reset();
  CAF_CHECK(identify_payload(f).find("presence") == std::string::npos);
}

CAF_TEST(resume carries token session and seq) {
  CAF_CHECK_EQUAL(resume_payload("t", "abc", 77),
                  R"({"op":6,"d":{"token":"t","session_id":"abc","seq":77}})");
}

CAF_TEST(connect urls keep the same query for the gateway and resume urls) {
  CAF_CHECK_EQUAL(gateway_connect_url("wss://gateway.discord.gg", "zstd-stream"),
                  "wss://gateway.discord.gg/?v=10&encoding=json&compress=zstd-stream");
  CAF_CHECK_EQUAL(gateway_connect_url("wss://gateway-us-east1-b.discord.gg/", "zlib-stream"),
                  "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json&compress=zlib-stream");
  CAF_CHECK_EQUAL(gateway_connect_url("wss://gateway.discord.gg/?v=10&encoding=json", ""),
                  "wss://gateway.discord.gg/?v=10&encoding=json");
  CAF_CHECK_EQUAL(gateway_connect_url("ws://127.0.0.1:9000/gw?x=1", "zstd-stream"),
                  "ws://127.0.0.1:9000/?v=10&encoding=json&compress=zstd-stream");
}

CAF_TEST(commands wrap d verbatim) {
  CAF_CHECK_EQUAL(command_payload(8, R"( {"guild_id":"1","query":"","limit":0} )"),
                  R"({"op":8,"d":{"guild_id":"1","query":"","limit":0}})");
}
