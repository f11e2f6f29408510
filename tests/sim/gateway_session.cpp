#include "sim/gateway_session.hpp"

#define CAF_SUITE sim.gateway_session

#include "caf/test/unit_test.hpp"

#include <simdjson.h>

using namespace spectacles::sim;
using namespace std::chrono_literals;

namespace {

const time_point t0{ std::chrono::seconds{ 1700000000 } };

struct frame {
  int op = -1;
  std::string t;
  uint64_t s = 0;
  std::string raw;
};

struct fixture {
  world state{ world_options{ 6, 2, 25, 2 } };
  fault_plan faults;
  verdict tally;
  session_start_limit start;
  gateway_hub hub{ state, faults, tally, start, make_options() };
  time_point now = t0;
  simdjson::dom::parser parser;

  static gateway_options make_options() {
    gateway_options o;
    o.token = "tok";
    o.heartbeat_interval = 1000ms;
    o.resume_url = "ws://127.0.0.1:2/";
    o.gateway_url = "ws://127.0.0.1:1/";
    o.allowed_privileged = intents::guild_members;
    o.member_chunk_size = 10;
    return o;
  }

  std::vector<frame> frames(const std::vector<gateway_action>& acts) {
    std::vector<frame> out;
    for (auto& a : acts) {
      if (a.what != gateway_action::kind::send)
        continue;
      frame f;
      f.raw = *a.payload;
      auto doc = parser.parse(f.raw).value();
      f.op = static_cast<int>(int64_t(doc["op"]));
      if (doc["t"].is_string())
        f.t = std::string(std::string_view(doc["t"]));
      if (doc["s"].is_uint64())
        f.s = uint64_t(doc["s"]);
      out.push_back(std::move(f));
    }
    return out;
  }

  // By value: CAF_CHECK_EQUAL keeps references past the full expression.
  std::string first_t(const std::vector<gateway_action>& acts) {
    auto fs = frames(acts);
    return fs.empty() ? std::string{ "<none>" } : fs[0].t;
  }

  int first_op(const std::vector<gateway_action>& acts) {
    auto fs = frames(acts);
    return fs.empty() ? -1 : fs[0].op;
  }

  static int close_code(const std::vector<gateway_action>& acts) {
    for (auto& a : acts)
      if (a.what == gateway_action::kind::close)
        return a.code;
    return 0;
  }

  std::string identify(uint32_t shard, uint32_t n, uint64_t intents = 513,
                       std::string token = "tok") {
    return R"({"op":2,"d":{"token":")" + token + R"(","intents":)" + std::to_string(intents)
           + R"(,"shard":[)" + std::to_string(shard) + "," + std::to_string(n)
           + R"(],"properties":{"os":"linux","browser":"spectacles","device":"spectacles"}}})";
  }

  std::vector<gateway_action> send(gateway_session& s, const std::string& text) {
    std::vector<gateway_action> out;
    s.receive(text, now, out);
    return out;
  }

  std::vector<gateway_action> poll(gateway_session& s, size_t budget = 1000) {
    std::vector<gateway_action> out;
    s.poll(now, budget, out);
    return out;
  }

  std::vector<gateway_action> open(gateway_session& s) {
    std::vector<gateway_action> out;
    s.open(now, out);
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_session_tests, fixture)

CAF_TEST(hello identify ready and one guild create per guild of the shard) {
  gateway_session s{ hub, false };
  auto hello = frames(open(s));
  CAF_REQUIRE_EQUAL(hello.size(), 1u);
  CAF_CHECK_EQUAL(hello[0].op, 10);
  CAF_CHECK(hello[0].raw.find(R"("heartbeat_interval":1000)") != std::string::npos);
  auto got = frames(send(s, identify(1, 2)));
  // 6 guilds one millisecond apart: 3 land on shard 1 of 2.
  CAF_REQUIRE_EQUAL(got.size(), 4u);
  CAF_CHECK_EQUAL(got[0].t, "READY");
  CAF_CHECK_EQUAL(got[0].s, 1u);
  auto ready = parser.parse(got[0].raw).value()["d"];
  CAF_CHECK_EQUAL(std::string_view(ready["resume_gateway_url"]), "ws://127.0.0.1:2/");
  CAF_CHECK_EQUAL(std::string_view(ready["session_id"]).size(), 32u);
  CAF_CHECK_EQUAL(uint64_t(ready["shard"].at(0)), 1u);
  CAF_CHECK_EQUAL(simdjson::dom::array(ready["guilds"]).size(), 3u);
  for (size_t i = 1; i < got.size(); ++i) {
    CAF_CHECK_EQUAL(got[i].t, "GUILD_CREATE");
    CAF_CHECK_EQUAL(got[i].s, i + 1);
    auto gid
      = std::stoull(std::string(std::string_view(parser.parse(got[i].raw).value()["d"]["id"])));
    CAF_CHECK_EQUAL((gid >> 22) % 2, 1u);
  }
  CAF_CHECK_EQUAL(tally.shards[1].sessions, 1u);
  CAF_CHECK_EQUAL(start.remaining, 999u);
}

CAF_TEST(heartbeats are acked unless the connection is a zombie) {
  gateway_session s{ hub, false };
  open(s);
  send(s, identify(0, 1));
  now += 500ms;
  auto ack = frames(send(s, R"({"op":1,"d":7})"));
  CAF_REQUIRE_EQUAL(ack.size(), 1u);
  CAF_CHECK_EQUAL(ack[0].op, 11);
  faults.add(std::get<fault>(parse_fault("zombie@shard:0")));
  poll(s);
  now += 900ms;
  CAF_CHECK(frames(send(s, R"({"op":1,"d":7})")).empty());
  CAF_CHECK_EQUAL(tally.heartbeats, 2u);
  CAF_CHECK_EQUAL(tally.late_heartbeats, 0u);
}

CAF_TEST(a late heartbeat is noted and a missing one closes with 4009) {
  gateway_session s{ hub, false };
  open(s);
  send(s, identify(0, 1));
  now += 1200ms;
  send(s, R"({"op":1,"d":null})");
  CAF_CHECK_EQUAL(tally.late_heartbeats, 1u);
  now += 1400ms;
  CAF_CHECK_EQUAL(close_code(poll(s)), 0);
  now += 200ms;
  CAF_CHECK_EQUAL(close_code(poll(s)), 4009);
  CAF_CHECK_EQUAL(tally.missing_heartbeats, 1u);
  CAF_CHECK(s.closed());
}

CAF_TEST(identify pacing allows one per key per five seconds) {
  gateway_session a{ hub, false }, b{ hub, false }, c{ hub, false };
  open(a), open(b), open(c);
  CAF_CHECK_EQUAL(first_t(send(a, identify(0, 2))), "READY");
  now += 1s;
  auto refused = frames(send(b, identify(1, 2)));
  CAF_REQUIRE_EQUAL(refused.size(), 1u);
  CAF_CHECK_EQUAL(refused[0].op, 9);
  CAF_CHECK(refused[0].raw.find(R"("d":false)") != std::string::npos);
  CAF_CHECK_EQUAL(tally.identify_pacing_violations, 1u);
  now += 4s;
  CAF_CHECK_EQUAL(first_t(send(c, identify(1, 2))), "READY");
  // With max_concurrency 2, shards 0 and 1 use different keys.
  start.max_concurrency = 2;
  now += 5s;
  gateway_session d{ hub, false }, e{ hub, false };
  open(d), open(e);
  CAF_CHECK_EQUAL(first_t(send(d, identify(0, 2))), "READY");
  CAF_CHECK_EQUAL(first_t(send(e, identify(1, 2))), "READY");
  CAF_CHECK_EQUAL(tally.identify_pacing_violations, 1u);
}

CAF_TEST(protocol errors close with the Discord codes) {
  auto code_of = [&](std::vector<std::string> msgs) {
    gateway_session s{ hub, false };
    open(s);
    int code = 0;
    for (auto& m : msgs) {
      code = close_code(send(s, m));
      now += 6s; // stay clear of identify pacing
      if (code)
        break;
    }
    return code;
  };
  CAF_CHECK_EQUAL(code_of({ identify(0, 1, 513, "wrong") }), 4004);
  CAF_CHECK_EQUAL(code_of({ identify(2, 2) }), 4010);
  CAF_CHECK_EQUAL(code_of({ identify(0, 0) }), 4010);
  CAF_CHECK_EQUAL(code_of({ identify(0, 1, 1 << 17) }), 4013);
  CAF_CHECK_EQUAL(code_of({ identify(0, 1, intents::message_content) }), 4014);
  CAF_CHECK_EQUAL(code_of({ R"({"op":8,"d":{"guild_id":"1"}})" }), 4003);
  CAF_CHECK_EQUAL(code_of({ identify(0, 1), identify(0, 1) }), 4005);
  CAF_CHECK_EQUAL(code_of({ "{not json" }), 4002);
  CAF_CHECK_EQUAL(code_of({ R"({"op":5,"d":null})" }), 4001);
  CAF_CHECK_EQUAL(code_of({ R"({"op":1,"d":")" + std::string(4100, 'x') + R"("})" }), 4002);
  CAF_CHECK_EQUAL(tally.closes_sent[4010], 2u);
}

CAF_TEST(more than 120 commands in 60 seconds closes with 4008) {
  gateway_session s{ hub, false };
  open(s);
  send(s, identify(0, 1));
  int code = 0;
  for (int i = 0; i < 121 && !code; ++i) {
    now += 100ms;
    code = close_code(
      send(s, R"({"op":3,"d":{"status":"online","since":null,"activities":[],"afk":false}})"));
  }
  CAF_CHECK_EQUAL(code, 4008);
  CAF_CHECK_EQUAL(tally.commands_rate_limited, 1u);
}

CAF_TEST(events stream with increasing seq and resume replays what was missed) {
  hub.mutable_options().events_per_second = 100;
  gateway_session s{ hub, false };
  open(s);
  auto first = frames(send(s, identify(0, 1)));
  auto sid = std::string(std::string_view(parser.parse(first[0].raw).value()["d"]["session_id"]));
  now += 100ms;
  auto evs = frames(poll(s));
  CAF_REQUIRE_EQUAL(evs.size(), 10u);
  uint64_t last = first.back().s;
  for (auto& e : evs) {
    CAF_CHECK_EQUAL(e.s, last + 1);
    CAF_CHECK_EQUAL(e.op, 0);
    last = e.s;
  }
  // The client saw up to `seen`, then the socket died; 20 more events fall due.
  uint64_t seen = last - 3;
  s.transport_lost(now);
  now += 200ms;
  gateway_session r{ hub, true };
  open(r);
  auto replay = frames(send(r, R"({"op":6,"d":{"token":"tok","session_id":")" + sid + R"(","seq":)"
                                 + std::to_string(seen) + "}}"));
  CAF_REQUIRE_EQUAL(replay.size(), 3u + 20u + 1u);
  for (size_t i = 0; i + 1 < replay.size(); ++i)
    CAF_CHECK_EQUAL(replay[i].s, seen + 1 + i);
  CAF_CHECK_EQUAL(replay.back().t, "RESUMED");
  CAF_CHECK_EQUAL(tally.resumes_ok, 1u);
  CAF_CHECK_EQUAL(tally.resumes_wrong_url, 0u);
  now += 50ms;
  auto more = frames(poll(r));
  CAF_REQUIRE(!more.empty());
  CAF_CHECK_EQUAL(more[0].s, replay.back().s + 1);
}

CAF_TEST(bad resumes are answered and recorded) {
  hub.mutable_options().replay_buffer = 5;
  hub.mutable_options().events_per_second = 100;
  gateway_session s{ hub, false };
  open(s);
  auto first = frames(send(s, identify(0, 1)));
  auto sid = std::string(std::string_view(parser.parse(first[0].raw).value()["d"]["session_id"]));
  now += 200ms;
  poll(s);
  s.client_closed(4000, now);
  auto resume = [&](std::string id, uint64_t seq, bool via_resume) {
    gateway_session r{ hub, via_resume };
    open(r);
    return send(r, R"({"op":6,"d":{"token":"tok","session_id":")" + id + R"(","seq":)"
                     + std::to_string(seq) + "}}");
  };
  auto unknown = frames(resume("nope", 1, true));
  CAF_REQUIRE_EQUAL(unknown.size(), 1u);
  CAF_CHECK_EQUAL(unknown[0].op, 9);
  CAF_CHECK_EQUAL(tally.resumes_unknown_session, 1u);
  // The main URL instead of resume_gateway_url works but is recorded.
  {
    gateway_session r{ hub, false };
    open(r);
    auto back = frames(send(r, R"({"op":6,"d":{"token":"tok","session_id":")" + sid + R"(","seq":)"
                                 + std::to_string(first.back().s + 20) + "}}"));
    CAF_REQUIRE(!back.empty());
    CAF_CHECK_EQUAL(back.back().t, "RESUMED");
    CAF_CHECK_EQUAL(tally.resumes_wrong_url, 1u);
    r.client_closed(4000, now);
  }
  // Ahead of the session: 4007, and the session is gone.
  CAF_CHECK_EQUAL(close_code(resume(sid, 100000, true)), 4007);
  CAF_CHECK_EQUAL(tally.resumes_wrong_seq, 1u);
  CAF_CHECK_EQUAL(first_op(resume(sid, 1, true)), 9);
  CAF_CHECK_EQUAL(tally.resumes_unknown_session, 2u);
}

CAF_TEST(a seq older than the replay buffer gets op 9 false) {
  hub.mutable_options().replay_buffer = 5;
  hub.mutable_options().events_per_second = 100;
  gateway_session s{ hub, false };
  open(s);
  auto first = frames(send(s, identify(0, 1)));
  auto sid = std::string(std::string_view(parser.parse(first[0].raw).value()["d"]["session_id"]));
  now += 200ms;
  poll(s);
  s.transport_lost(now);
  gateway_session r{ hub, true };
  open(r);
  auto got
    = frames(send(r, R"({"op":6,"d":{"token":"tok","session_id":")" + sid + R"(","seq":2}})"));
  CAF_REQUIRE_EQUAL(got.size(), 1u);
  CAF_CHECK_EQUAL(got[0].op, 9);
  CAF_CHECK_EQUAL(tally.resumes_wrong_seq, 1u);
}

CAF_TEST(request guild members is answered with chunks) {
  gateway_session s{ hub, false };
  open(s);
  auto ready = frames(send(s, identify(0, 1, 513 | intents::guild_members)));
  auto gid = std::string(std::string_view(parser.parse(ready[1].raw).value()["d"]["id"]));
  auto chunks = frames(
    send(s, R"({"op":8,"d":{"guild_id":")" + gid + R"(","query":"","limit":0,"nonce":"abc"}})"));
  // 25 members + the bot in chunks of 10.
  CAF_REQUIRE_EQUAL(chunks.size(), 3u);
  size_t total = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    CAF_CHECK_EQUAL(chunks[i].t, "GUILD_MEMBERS_CHUNK");
    auto d = parser.parse(chunks[i].raw).value()["d"];
    CAF_CHECK_EQUAL(uint64_t(d["chunk_index"]), i);
    CAF_CHECK_EQUAL(uint64_t(d["chunk_count"]), 3u);
    CAF_CHECK_EQUAL(std::string_view(d["nonce"]), "abc");
    total += simdjson::dom::array(d["members"]).size();
  }
  CAF_CHECK_EQUAL(total, 26u);
  auto limited
    = frames(send(s, R"({"op":8,"d":{"guild_id":")" + gid + R"(","query":"","limit":0}})"));
  CAF_REQUIRE_EQUAL(limited.size(), 1u);
  CAF_CHECK_EQUAL(limited[0].t, "RATE_LIMITED");
  auto by_name
    = frames(send(s, R"({"op":8,"d":{"guild_id":")" + gid + R"(","query":"user_1","limit":5}})"));
  CAF_REQUIRE_EQUAL(by_name.size(), 1u);
  CAF_CHECK_EQUAL(simdjson::dom::array(parser.parse(by_name[0].raw).value()["d"]["members"]).size(),
                  5u);
  auto ids = frames(send(s, R"({"op":8,"d":{"guild_id":")" + gid + R"(","user_ids":["1"]}})"));
  CAF_CHECK_EQUAL(std::string_view(parser.parse(ids[0].raw).value()["d"]["not_found"].at(0)), "1");
}

CAF_TEST(gateway faults reach the ready connection of their shard) {
  hub.mutable_options().heartbeat_interval = 60s;
  gateway_session s{ hub, false };
  open(s);
  send(s, identify(0, 1));
  faults.add_text("reconnect@shard:0");
  auto op7 = frames(poll(s));
  CAF_REQUIRE_EQUAL(op7.size(), 1u);
  CAF_CHECK_EQUAL(op7[0].op, 7);
  now += 5s;
  CAF_CHECK_EQUAL(close_code(poll(s)), 4000);
  CAF_REQUIRE(s.closed());

  now += 5s;
  gateway_session t{ hub, false };
  open(t);
  send(t, identify(0, 1));
  faults.add_text("invalid_session:true@shard:0");
  auto op9 = frames(poll(t));
  CAF_CHECK(op9[0].raw.find(R"("op":9,"d":true)") != std::string::npos);

  now += 5s;
  gateway_session u{ hub, false };
  open(u);
  send(u, identify(0, 1));
  faults.add_text("close:4900@shard:0");
  CAF_CHECK_EQUAL(close_code(poll(u)), 4900);

  now += 5s;
  gateway_session v{ hub, false };
  open(v);
  send(v, identify(0, 1));
  faults.add_text("drop@shard:0\ncorrupt@shard:0");
  auto dropped = poll(v);
  CAF_REQUIRE_EQUAL(dropped.size(), 1u);
  CAF_CHECK(dropped[0].what == gateway_action::kind::drop);
  CAF_CHECK(v.closed());
  // The dropped session stays resumable (no close frame).
  CAF_CHECK(hub.session_count() >= 1u);
}

CAF_TEST(pause holds dispatches back) {
  hub.mutable_options().events_per_second = 100;
  gateway_session s{ hub, false };
  open(s);
  send(s, identify(0, 1));
  faults.add_text("pause:1000@shard:0");
  poll(s);
  now += 500ms;
  CAF_CHECK(frames(poll(s)).empty());
  now += 600ms;
  CAF_CHECK_EQUAL(frames(poll(s)).size(), 110u);
}

CAF_TEST(rest faults parse and bad specs say why) {
  auto f = parse_fault("rest_5xx:503x3");
  CAF_REQUIRE(std::holds_alternative<fault>(f));
  CAF_CHECK_EQUAL(std::get<fault>(f).code, 503);
  CAF_CHECK_EQUAL(std::get<fault>(f).count, 3u);
  CAF_CHECK_EQUAL(to_string(std::get<fault>(f)), "rest_5xx:503x3");
  CAF_CHECK_EQUAL(to_string(std::get<fault>(parse_fault("close:4000@shard:2+after:10"))),
                  "close:4000@shard:2+after:10");
  auto storm = parse_fault("rest_429:shared/250x4");
  CAF_REQUIRE(std::holds_alternative<fault>(storm));
  CAF_CHECK_EQUAL(std::get<fault>(storm).scope, "shared");
  CAF_CHECK_EQUAL(std::get<fault>(storm).duration.count(), 250);
  CAF_CHECK_EQUAL(std::get<fault>(storm).count, 4u);
  CAF_CHECK_EQUAL(to_string(std::get<fault>(storm)), "rest_429:shared/250x4");
  auto plain = parse_fault("rest_429:global");
  CAF_REQUIRE(std::holds_alternative<fault>(plain));
  CAF_CHECK_EQUAL(std::get<fault>(plain).duration.count(), 1000);
  CAF_CHECK(std::holds_alternative<std::string>(parse_fault("rest_429:user/soon")));
  CAF_CHECK(std::holds_alternative<std::string>(parse_fault("rest_429:nobody/10")));
  CAF_CHECK(std::holds_alternative<std::string>(parse_fault("explode")));
  CAF_CHECK(std::holds_alternative<std::string>(parse_fault("close:99")));
  CAF_CHECK(std::holds_alternative<std::string>(parse_fault("zombie@shard:x")));
  CAF_CHECK(faults.add_text("zombie\nbogus").has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
