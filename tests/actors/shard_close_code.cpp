#include "actors/shard_close_code.hpp"

#define CAF_SUITE actors.shard_close_code
#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;

CAF_TEST(every documented close code has its row of PROTOCOL.md 1.12) {
  struct row {
    uint16_t code;
    close_outcome outcome;
  };
  row rows[] = {
    { 4000, close_outcome::resume },   { 4001, close_outcome::resume },
    { 4002, close_outcome::resume },   { 4003, close_outcome::identify },
    { 4004, close_outcome::fatal },    { 4005, close_outcome::resume },
    { 4007, close_outcome::identify }, { 4008, close_outcome::resume },
    { 4009, close_outcome::identify }, { 4010, close_outcome::fatal },
    { 4011, close_outcome::fatal },    { 4012, close_outcome::fatal },
    { 4013, close_outcome::fatal },    { 4014, close_outcome::fatal },
  };
  for (auto& r : rows) {
    auto d = decide_close(r.code);
    CAF_CHECK(d.outcome == r.outcome);
    CAF_CHECK(!d.name.empty());
    if (r.outcome == close_outcome::fatal)
      CAF_CHECK(!d.hint.empty());
  }
}

CAF_TEST(no close code unknown codes and server 1000 1001 try to resume) {
  CAF_CHECK(decide_close(std::nullopt).outcome == close_outcome::resume);
  for (uint16_t code : { 1000, 1001, 1006, 1011, 4006, 4015, 4900 })
    CAF_CHECK(decide_close(code).outcome == close_outcome::resume);
}

CAF_TEST(our own resumable close code keeps the session) {
  // 1000 and 1001 end the session (PROTOCOL.md 1.11); Discord's own codes would confuse readers.
  CAF_CHECK_NOT_EQUAL(resumable_client_close_code, 1000);
  CAF_CHECK_NOT_EQUAL(resumable_client_close_code, 1001);
  CAF_CHECK(resumable_client_close_code < 4000 || resumable_client_close_code > 4014);
}

CAF_TEST(fatal messages name the shard the code and what to do) {
  auto m = fatal_close_message(3, 16, 4014, 33281);
  CAF_CHECK(m.find("shard 3/16") != std::string::npos);
  CAF_CHECK(m.find("4014") != std::string::npos);
  CAF_CHECK(m.find("disallowed intents") != std::string::npos);
  CAF_CHECK(m.find("33281") != std::string::npos);
  CAF_CHECK(m.find("Developer Portal") != std::string::npos);
  CAF_CHECK(m.find("Not retrying") != std::string::npos);
  auto t = fatal_close_message(0, 1, 4004, 0);
  CAF_CHECK(t.find("token") != std::string::npos);
}
