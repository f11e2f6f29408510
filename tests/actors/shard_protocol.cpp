#include "actors/shard_protocol.hpp"

#define CAF_SUITE actors.shard_protocol
#include "caf/test/unit_test.hpp"

#include "actors/gateway_json.hpp"
#include "actors/shard_close_code.hpp"

#include <deque>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace spectacles::actors;
namespace models = spectacles::models;
using namespace std::chrono_literals;

namespace {

template <class T>
std::vector<T> all(const shard_actions& actions) {
  std::vector<T> out;
  for (auto& a : actions)
    if (auto p = std::get_if<T>(&a))
      out.push_back(*p);
  return out;
}

// By value: CAF's check macros must not hold references into a temporary vector.
template <class T>
T first(const shard_actions& actions) {
  auto v = all<T>(actions);
  CAF_REQUIRE(!v.empty());
  return v.front();
}

template <class T>
bool has(const shard_actions& actions) {
  return !all<T>(actions).empty();
}

std::vector<std::string> sent(const shard_actions& actions, send_kind kind) {
  std::vector<std::string> out;
  for (auto& s : all<shard_send>(actions))
    if (s.kind == kind)
      out.push_back(s.payload);
  return out;
}

std::string hello(int interval = 41250) {
  return R"({"t":null,"s":null,"op":10,"d":{"heartbeat_interval":)" + std::to_string(interval)
         + R"(,"_trace":["gw"]}})";
}

std::string dispatch(const std::string& t, uint64_t s, const std::string& d) {
  return R"({"t":")" + t + R"(","s":)" + std::to_string(s) + R"(,"op":0,"d":)" + d + "}";
}

std::string ready(uint64_t s = 1) {
  return dispatch("READY", s,
                  R"({"v":10,"user":{"id":"1","username":"bot"},"guilds":[],)"
                  R"("session_id":"sess-1","resume_gateway_url":"wss://resume.discord.gg",)"
                  R"("shard":[1,4],"application":{"id":"1","flags":0}})");
}

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

constexpr auto gateway_query = "/?v=10&encoding=json&compress=zstd-stream";

struct fixture {
  gateway_time now = gateway_time{} + 1h;
  std::deque<double> randoms;
  double fallback = 0.5;
  shard_options opts;
  std::unique_ptr<shard_protocol> shard;
  uint64_t conn = 0;

  fixture() {
    opts.identify.token = "secret-token";
    opts.identify.intents = 513;
    opts.identify.shard_id = 1;
    opts.identify.shard_count = 4;
    opts.gateway_url = "wss://gateway.discord.gg";
    make();
  }

  void make() {
    shard = std::make_unique<shard_protocol>(opts, [this] {
      if (randoms.empty())
        return fallback;
      auto r = randoms.front();
      randoms.pop_front();
      return r;
    });
  }

  // Takes the connect action out of actions, "opens" its socket after its delay.
  shard_actions open(const shard_actions& actions) {
    auto connects = all<shard_connect>(actions);
    CAF_REQUIRE_EQUAL(connects.size(), 1u);
    conn = connects[0].connection;
    now += connects[0].delay;
    return shard->on_connected(conn, now);
  }

  shard_actions msg(const std::string& text) {
    return shard->on_message(conn, text, now);
  }

  shard_actions tick(milliseconds d) {
    now += d;
    return shard->on_tick(now);
  }

  // start -> HELLO -> permit -> READY; returns the READY actions.
  shard_actions run_to_ready() {
    open(shard->start(now));
    auto h = msg(hello());
    CAF_REQUIRE(has<shard_request_permit>(h));
    auto p = shard->on_identify_permit(now);
    CAF_REQUIRE_EQUAL(sent(p, send_kind::identify).size(), 1u);
    auto r = msg(ready());
    CAF_REQUIRE(shard->state() == shard_state::running);
    return r;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(shard_protocol_tests, fixture)

CAF_TEST(options Discord would reject are found before connecting) {
  CAF_CHECK(!validate(opts));
  auto o = opts;
  o.identify.shard_id = 4;
  CAF_CHECK(validate(o).has_value());
  o = opts;
  o.identify.large_threshold = 251;
  CAF_CHECK(validate(o).has_value());
  o = opts;
  o.identify.presence = models::presence_update{};
  CAF_CHECK(!validate(o));
  o.identify.presence->activities.resize(1);
  o.identify.presence->activities[0].name = std::string(5000, 'x');
  auto err = validate(o);
  CAF_REQUIRE(err);
  CAF_CHECK(err->message.find("4096") != std::string::npos);
  o = opts;
  o.compression = "gzip";
  CAF_CHECK(validate(o).has_value());
  o = opts;
  o.identify.token.clear();
  CAF_CHECK(validate(o).has_value());
}

CAF_TEST(start connects to the gateway url with v10 json and compression) {
  auto a = shard->start(now);
  auto c = all<shard_connect>(a);
  CAF_REQUIRE_EQUAL(c.size(), 1u);
  CAF_CHECK_EQUAL(c[0].url, std::string("wss://gateway.discord.gg") + gateway_query);
  CAF_CHECK_EQUAL(c[0].delay.count(), 0);
  CAF_CHECK(shard->state() == shard_state::connecting);
  CAF_CHECK(shard->start(now).empty()); // already started
}

CAF_TEST(hello asks for a permit and identify waits for it) {
  open(shard->start(now));
  randoms = { 0.25 };
  auto h = msg(hello());
  CAF_CHECK(shard->state() == shard_state::identifying);
  auto permits = all<shard_request_permit>(h);
  CAF_REQUIRE_EQUAL(permits.size(), 1u);
  CAF_CHECK_EQUAL(permits[0].shard_id, 1u);
  CAF_CHECK(sent(h, send_kind::identify).empty());
  // First heartbeat at 41250 * 0.25 = 10312 ms, carrying null (no s yet).
  CAF_CHECK(sent(tick(10311ms), send_kind::heartbeat).empty());
  auto beat = sent(tick(1ms), send_kind::heartbeat);
  CAF_REQUIRE_EQUAL(beat.size(), 1u);
  CAF_CHECK_EQUAL(beat[0], R"({"op":1,"d":null})");
  msg(R"({"op":11})");
  auto p = shard->on_identify_permit(now);
  auto ids = sent(p, send_kind::identify);
  CAF_REQUIRE_EQUAL(ids.size(), 1u);
  CAF_CHECK(ids[0].find(R"("token":"secret-token")") != std::string::npos);
  CAF_CHECK(ids[0].find(R"("browser":"spectacles-cpp","device":"spectacles-cpp")")
            != std::string::npos);
  CAF_CHECK(ids[0].find(R"("shard":[1,4])") != std::string::npos);
  CAF_CHECK(ids[0].find(R"("intents":513)") != std::string::npos);
  CAF_CHECK(shard->on_identify_permit(now).empty()); // a second permit is not used
}

CAF_TEST(ready stores the session emits the dispatch and heartbeats carry the last seq) {
  auto r = run_to_ready();
  auto saves = all<shard_save_session>(r);
  CAF_REQUIRE_EQUAL(saves.size(), 1u);
  CAF_CHECK_EQUAL(saves[0].session.session_id, "sess-1");
  CAF_CHECK_EQUAL(saves[0].session.resume_gateway_url, "wss://resume.discord.gg");
  CAF_CHECK_EQUAL(saves[0].session.seq, 1u);
  auto d = all<shard_dispatch>(r);
  CAF_REQUIRE_EQUAL(d.size(), 1u);
  CAF_CHECK_EQUAL(d[0].ev.name, "READY");
  CAF_CHECK_EQUAL(d[0].ev.shard, 1u);
  auto m = msg(dispatch("MESSAGE_CREATE", 7, R"({"id":"5","guild_id":"81384788765712384"})"));
  auto md = all<shard_dispatch>(m);
  CAF_REQUIRE_EQUAL(md.size(), 1u);
  CAF_CHECK_EQUAL(md[0].ev.seq, 7u);
  CAF_CHECK_EQUAL(md[0].ev.guild_id, 81384788765712384u);
  CAF_CHECK_EQUAL(md[0].ev.data, R"({"id":"5","guild_id":"81384788765712384"})");
  msg(R"({"t":null,"s":null,"op":11,"d":null})"); // null s must not erase the last seq
  auto beat = sent(tick(41250ms), send_kind::heartbeat);
  CAF_REQUIRE_EQUAL(beat.size(), 1u);
  CAF_CHECK_EQUAL(beat[0], R"({"op":1,"d":7})");
}

CAF_TEST(a server heartbeat request is answered at once) {
  run_to_ready();
  auto a = msg(R"({"op":1,"d":null})");
  auto beat = sent(a, send_kind::heartbeat);
  CAF_REQUIRE_EQUAL(beat.size(), 1u);
  CAF_CHECK_EQUAL(beat[0], R"({"op":1,"d":1})");
}

CAF_TEST(heartbeat latency is the time to the ack) {
  run_to_ready();
  auto first = *shard->heartbeat().next_due();
  now = first;
  CAF_CHECK_EQUAL(sent(shard->on_tick(now), send_kind::heartbeat).size(), 1u);
  now += 87ms;
  msg(R"({"op":11})");
  CAF_CHECK_EQUAL(shard->heartbeat().last_latency().value_or(0ms).count(), 87);
}

CAF_TEST(zombie connection closes non 1000 and resumes on the resume url) {
  run_to_ready();
  now = *shard->heartbeat().next_due();
  CAF_CHECK_EQUAL(sent(shard->on_tick(now), send_kind::heartbeat).size(), 1u);
  // No ACK; the next beat is due: the connection is a zombie.
  auto z = tick(41250ms);
  auto closes = all<shard_close>(z);
  CAF_REQUIRE_EQUAL(closes.size(), 1u);
  CAF_CHECK_EQUAL(closes[0].code, resumable_client_close_code);
  CAF_CHECK_NOT_EQUAL(closes[0].code, 1000);
  CAF_CHECK_NOT_EQUAL(closes[0].code, 1001);
  CAF_CHECK(sent(z, send_kind::heartbeat).empty());
  CAF_CHECK(!has<shard_clear_session>(z));
  auto c = all<shard_connect>(z);
  CAF_REQUIRE_EQUAL(c.size(), 1u);
  CAF_CHECK_EQUAL(c[0].url, std::string("wss://resume.discord.gg") + gateway_query);
  CAF_CHECK_EQUAL(shard->stats().zombies, 1u);
  open(z);
  auto h = msg(hello());
  auto res = sent(h, send_kind::resume);
  CAF_REQUIRE_EQUAL(res.size(), 1u);
  CAF_CHECK_EQUAL(res[0], R"({"op":6,"d":{"token":"secret-token","session_id":"sess-1","seq":1}})");
  CAF_CHECK(!has<shard_request_permit>(h));
  CAF_CHECK(shard->state() == shard_state::resuming);
  auto replay = msg(dispatch("MESSAGE_CREATE", 2, R"({"guild_id":"1"})"));
  CAF_CHECK_EQUAL(all<shard_dispatch>(replay).size(), 1u);
  auto resumed = msg(dispatch("RESUMED", 3, "null"));
  CAF_CHECK(shard->state() == shard_state::running);
  auto saves = all<shard_save_session>(resumed);
  CAF_REQUIRE_EQUAL(saves.size(), 1u);
  CAF_CHECK_EQUAL(saves[0].session.seq, 3u);
}

CAF_TEST(events of an abandoned connection are ignored) {
  run_to_ready();
  auto old = conn;
  auto a = msg(R"({"op":7,"d":null})");
  CAF_CHECK(has<shard_connect>(a));
  CAF_CHECK(shard->on_closed(old, 4000, now).empty());
  CAF_CHECK(shard->on_message(old, ready(), now).empty());
  CAF_CHECK(shard->on_connected(old, now).empty());
}

CAF_TEST(op 7 reconnects and resumes) {
  run_to_ready();
  auto a = msg(R"({"op":7,"d":null})");
  auto closes = all<shard_close>(a);
  CAF_REQUIRE_EQUAL(closes.size(), 1u);
  CAF_CHECK_EQUAL(closes[0].code, resumable_client_close_code);
  auto c = all<shard_connect>(a);
  CAF_REQUIRE_EQUAL(c.size(), 1u);
  CAF_CHECK_EQUAL(c[0].url, std::string("wss://resume.discord.gg") + gateway_query);
  CAF_CHECK_EQUAL(c[0].delay.count(), 0); // Discord asked: no backoff for the first try
  open(a);
  CAF_CHECK_EQUAL(sent(msg(hello()), send_kind::resume).size(), 1u);
}

CAF_TEST(op 7 before hello still reconnects) {
  open(shard->start(now));
  auto a = msg(R"({"op":7,"d":null})");
  CAF_CHECK(has<shard_close>(a));
  auto c = all<shard_connect>(a);
  CAF_REQUIRE_EQUAL(c.size(), 1u);
  CAF_CHECK_EQUAL(c[0].url, std::string("wss://gateway.discord.gg") + gateway_query);
  open(a);
  CAF_CHECK(has<shard_request_permit>(msg(hello())));
}

CAF_TEST(op 9 true resumes) {
  run_to_ready();
  auto a = msg(R"({"op":9,"d":true})");
  CAF_CHECK(has<shard_close>(a));
  CAF_CHECK(!has<shard_clear_session>(a));
  auto c = all<shard_connect>(a);
  CAF_REQUIRE_EQUAL(c.size(), 1u);
  CAF_CHECK_EQUAL(c[0].url, std::string("wss://resume.discord.gg") + gateway_query);
  open(a);
  CAF_CHECK_EQUAL(sent(msg(hello()), send_kind::resume).size(), 1u);
}

CAF_TEST(op 9 false waits one to five seconds and identifies on the gateway url) {
  run_to_ready();
  for (double r : { 0.0, 0.5, 0.999 }) {
    randoms = { 0.0 /* backoff jitter */, r /* invalid session wait */ };
    auto a = msg(R"({"op":9,"d":false})");
    CAF_CHECK(has<shard_clear_session>(a) || !shard->session());
    auto c = all<shard_connect>(a);
    CAF_REQUIRE_EQUAL(c.size(), 1u);
    CAF_CHECK_EQUAL(c[0].url, std::string("wss://gateway.discord.gg") + gateway_query);
    CAF_CHECK_GREATER_OR_EQUAL(c[0].delay.count(), 1000);
    CAF_CHECK_LESS_OR_EQUAL(c[0].delay.count(), 5000);
    CAF_CHECK_EQUAL(c[0].delay.count(), 1000 + static_cast<int64_t>(4000 * r));
    CAF_CHECK(!shard->session());
    open(a);
    auto h = msg(hello());
    CAF_CHECK(has<shard_request_permit>(h));
    CAF_CHECK(sent(h, send_kind::resume).empty());
    shard->on_identify_permit(now);
    msg(ready());
  }
}

CAF_TEST(op 9 while resuming means the session is gone) {
  run_to_ready();
  open(msg(R"({"op":7,"d":null})"));
  CAF_CHECK_EQUAL(sent(msg(hello()), send_kind::resume).size(), 1u);
  auto a = msg(R"({"op":9,"d":false})");
  CAF_CHECK(has<shard_clear_session>(a));
  open(a);
  CAF_CHECK(has<shard_request_permit>(msg(hello())));
}

CAF_TEST(each resumable close code reconnects and resumes) {
  std::vector<std::optional<uint16_t>> codes
    = { std::nullopt, 1000, 1001, 1006, 4000, 4001, 4002, 4005, 4008, 4999 };
  for (auto code : codes) {
    make();
    run_to_ready();
    auto a = shard->on_closed(conn, code, now);
    CAF_CHECK(!has<shard_close>(a)); // the socket is already gone
    CAF_CHECK(!has<shard_clear_session>(a));
    CAF_CHECK(!has<shard_fatal>(a));
    auto c = all<shard_connect>(a);
    CAF_REQUIRE_EQUAL(c.size(), 1u);
    CAF_CHECK_EQUAL(c[0].url, std::string("wss://resume.discord.gg") + gateway_query);
    open(a);
    auto h = msg(hello());
    CAF_CHECK_EQUAL(sent(h, send_kind::resume).size(), 1u);
    CAF_CHECK(!has<shard_request_permit>(h));
  }
}

CAF_TEST(close codes 4003 4007 4009 start a new session) {
  for (uint16_t code : { 4003, 4007, 4009 }) {
    make();
    run_to_ready();
    auto a = shard->on_closed(conn, code, now);
    CAF_CHECK(has<shard_clear_session>(a));
    CAF_CHECK(!has<shard_fatal>(a));
    auto c = all<shard_connect>(a);
    CAF_REQUIRE_EQUAL(c.size(), 1u);
    CAF_CHECK_EQUAL(c[0].url, std::string("wss://gateway.discord.gg") + gateway_query);
    open(a);
    auto h = msg(hello());
    CAF_CHECK(sent(h, send_kind::resume).empty());
    CAF_CHECK(has<shard_request_permit>(h));
  }
}

CAF_TEST(fatal close codes stop the shard with an operator message and no retry) {
  for (uint16_t code : { 4004, 4010, 4011, 4012, 4013, 4014 }) {
    make();
    run_to_ready();
    auto a = shard->on_closed(conn, code, now);
    auto f = all<shard_fatal>(a);
    CAF_REQUIRE_EQUAL(f.size(), 1u);
    CAF_CHECK_EQUAL(f[0].close_code, code);
    CAF_CHECK(f[0].message.find(std::to_string(code)) != std::string::npos);
    CAF_CHECK(f[0].message.find("shard 1/4") != std::string::npos);
    CAF_CHECK(!has<shard_connect>(a));
    CAF_CHECK(shard->state() == shard_state::fatally_closed);
    CAF_CHECK(tick(10min).empty());
    CAF_CHECK(!shard->next_wakeup(now));
    CAF_CHECK(shard->start(now).empty());
    auto q = shard->queue_command(now, 3, R"({"status":"online"})");
    CAF_REQUIRE(q.error);
    CAF_CHECK(q.error->code == gateway_errc::shard_stopped);
  }
}

CAF_TEST(a fatal code during identify stops too) {
  open(shard->start(now));
  msg(hello());
  shard->on_identify_permit(now);
  auto a = shard->on_closed(conn, 4014, now);
  CAF_CHECK(has<shard_fatal>(a));
  CAF_CHECK(shard->state() == shard_state::fatally_closed);
}

CAF_TEST(commands over 4096 bytes are refused before sending) {
  run_to_ready();
  // {"op":3,"d":<d>} is 13 bytes + d.
  auto d_for = [](size_t total) {
    return R"({"x":")" + std::string(total - 13 - 8, 'a') + R"("})";
  };
  auto ok = shard->queue_command(now, 3, d_for(4096));
  CAF_CHECK(!ok.error);
  auto sends = sent(ok.actions, send_kind::command);
  CAF_REQUIRE_EQUAL(sends.size(), 1u);
  CAF_CHECK_EQUAL(sends[0].size(), 4096u);
  auto big = shard->queue_command(now, 3, d_for(4097));
  CAF_REQUIRE(big.error);
  CAF_CHECK(big.error->code == gateway_errc::payload_too_large);
  CAF_CHECK(big.error->message.find("4097") != std::string::npos);
  CAF_CHECK(big.error->message.find("4096") != std::string::npos);
  CAF_CHECK(big.actions.empty());
  CAF_CHECK_EQUAL(shard->queued_commands(), 0u);
}

CAF_TEST(protocol opcodes and bad json are not user commands) {
  run_to_ready();
  for (int op : { 1, 2, 6, 0, 5, 7, 99 }) {
    auto r = shard->queue_command(now, op, "{}");
    CAF_REQUIRE(r.error);
    CAF_CHECK(r.error->code == gateway_errc::command_not_allowed);
  }
  auto bad = shard->queue_command(now, 8, R"({"guild_id":)");
  CAF_REQUIRE(bad.error);
  CAF_CHECK(bad.error->code == gateway_errc::invalid_json);
}

CAF_TEST(commands queued while not ready are sent after ready in order) {
  auto q1 = shard->queue_command(now, 3, R"({"status":"idle"})");
  CAF_CHECK(!q1.error && q1.actions.empty());
  open(shard->start(now));
  msg(hello());
  auto q2 = shard->queue_command(now, 4, R"({"guild_id":"1","channel_id":null})");
  CAF_CHECK(sent(q2.actions, send_kind::command).empty());
  auto p = shard->on_identify_permit(now);
  CAF_CHECK(sent(p, send_kind::command).empty()); // never before READY (4003)
  auto r = msg(ready());
  auto cmds = sent(r, send_kind::command);
  CAF_REQUIRE_EQUAL(cmds.size(), 2u);
  CAF_CHECK_EQUAL(cmds[0], R"({"op":3,"d":{"status":"idle"}})");
  CAF_CHECK_EQUAL(cmds[1], R"({"op":4,"d":{"guild_id":"1","channel_id":null}})");
}

CAF_TEST(commands wait through a resume and go after resumed) {
  run_to_ready();
  auto a = shard->on_closed(conn, std::nullopt, now);
  open(a);
  auto q = shard->queue_command(now, 8, R"({"guild_id":"1","query":"","limit":0})");
  CAF_CHECK(q.actions.empty());
  msg(hello());
  CAF_CHECK(sent(msg(dispatch("GUILD_CREATE", 2, R"({"id":"1"})")), send_kind::command).empty());
  auto r = msg(dispatch("RESUMED", 3, "null"));
  CAF_CHECK_EQUAL(sent(r, send_kind::command).size(), 1u);
}

CAF_TEST(user commands get 110 of 120 per minute and no window exceeds 120) {
  run_to_ready();
  std::vector<gateway_time> times = { now }; // IDENTIFY
  size_t first_burst = 0;
  for (int i = 0; i < 300; ++i) {
    auto r = shard->queue_command(now, 3, R"({"status":"online"})");
    CAF_REQUIRE(!r.error);
    for (size_t k = 0; k < sent(r.actions, send_kind::command).size(); ++k)
      times.push_back(now);
    first_burst += sent(r.actions, send_kind::command).size();
  }
  CAF_CHECK_EQUAL(first_burst, 109u); // 110 minus the IDENTIFY in this window
  // Run five minutes, acking every heartbeat, sending whatever the limiter allows.
  size_t commands = first_burst;
  auto end = now + 5min;
  while (now < end) {
    auto next = shard->next_wakeup(now);
    CAF_REQUIRE(next);
    now = std::max(now, *next);
    auto a = shard->on_tick(now);
    for (auto& s : all<shard_send>(a)) {
      times.push_back(now);
      if (s.kind == send_kind::command)
        ++commands;
    }
    if (!sent(a, send_kind::heartbeat).empty())
      msg(R"({"op":11})");
    CAF_REQUIRE(!has<shard_close>(a));
  }
  size_t worst = 0;
  for (size_t i = 0, j = 0; i < times.size(); ++i) {
    while (times[i] - times[j] >= 60s)
      ++j;
    worst = std::max(worst, i - j + 1);
  }
  CAF_CHECK_LESS_OR_EQUAL(worst, 120u);
  CAF_CHECK_EQUAL(commands, 300u); // all went out eventually
  CAF_CHECK_EQUAL(shard->queued_commands(), 0u);
}

CAF_TEST(a queue of waiting commands is bounded) {
  opts.max_queued_commands = 3;
  make();
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(!shard->queue_command(now, 3, "{}").error);
  auto r = shard->queue_command(now, 3, "{}");
  CAF_REQUIRE(r.error);
  CAF_CHECK(r.error->code == gateway_errc::queue_full);
}

CAF_TEST(no hello in time reconnects) {
  open(shard->start(now));
  CAF_CHECK(tick(19999ms).empty());
  auto a = tick(1ms);
  CAF_CHECK(has<shard_close>(a));
  CAF_CHECK(has<shard_connect>(a));
  CAF_CHECK(shard->state() == shard_state::connecting);
}

CAF_TEST(a connect that never completes is abandoned) {
  auto a = shard->start(now);
  conn = first<shard_connect>(a).connection;
  CAF_CHECK(*shard->next_wakeup(now) == now + 30s);
  auto t = tick(30s);
  CAF_CHECK(has<shard_close>(t));
  auto c = all<shard_connect>(t);
  CAF_REQUIRE_EQUAL(c.size(), 1u);
  CAF_CHECK_NOT_EQUAL(c[0].connection, conn);
}

CAF_TEST(no permit in time reconnects and asks again) {
  opts.permit_timeout = 120s;
  make();
  open(shard->start(now));
  msg(hello());
  msg(R"({"op":11})");
  shard_actions a;
  for (int i = 0; i < 120 && !has<shard_connect>(a); ++i) {
    a = tick(1s);
    if (!sent(a, send_kind::heartbeat).empty())
      msg(R"({"op":11})");
  }
  CAF_CHECK(has<shard_connect>(a));
  CAF_CHECK(has<shard_close>(a));
  open(a);
  CAF_CHECK(has<shard_request_permit>(msg(hello())));
}

CAF_TEST(no ready in time reconnects) {
  open(shard->start(now));
  msg(hello(100'000));
  shard->on_identify_permit(now);
  CAF_CHECK(!has<shard_connect>(tick(29999ms)));
  auto a = tick(1ms);
  CAF_CHECK(has<shard_connect>(a));
  open(a);
  CAF_CHECK(has<shard_request_permit>(msg(hello())));
}

CAF_TEST(resume deadline counts silence not replay length) {
  run_to_ready();
  open(shard->on_closed(conn, std::nullopt, now));
  msg(hello(1'000'000));
  for (int i = 0; i < 5; ++i) {
    CAF_CHECK(!has<shard_connect>(tick(20s)));
    msg(dispatch("MESSAGE_CREATE", 10 + static_cast<uint64_t>(i), "{}"));
  }
  CAF_CHECK(shard->state() == shard_state::resuming);
  auto a = tick(30s);
  CAF_CHECK(has<shard_connect>(a));
}

CAF_TEST(an unreadable message reconnects instead of dying) {
  run_to_ready();
  auto a = msg("{\"op\":0,\"d\":{broken");
  auto closes = all<shard_close>(a);
  CAF_REQUIRE_EQUAL(closes.size(), 1u);
  CAF_CHECK_EQUAL(closes[0].code, resumable_client_close_code);
  CAF_CHECK(closes[0].reason.size() <= 123u);
  CAF_CHECK(has<shard_connect>(a));
  CAF_CHECK(shard->session().has_value());
}

CAF_TEST(failed connects back off exponentially with a cap and jitter) {
  opts.backoff = { 1000ms, 8000ms, 0.5 };
  make();
  fallback = 0.0; // no jitter: exact ceilings
  auto a = shard->start(now);
  std::vector<int64_t> delays;
  for (int i = 0; i < 7; ++i) {
    conn = first<shard_connect>(a).connection;
    a = shard->on_closed(conn, std::nullopt, now); // connect refused
    delays.push_back(first<shard_connect>(a).delay.count());
  }
  CAF_CHECK_EQUAL(delays, (std::vector<int64_t>{ 0, 1000, 2000, 4000, 8000, 8000, 8000 }));
  fallback = 0.999;
  conn = first<shard_connect>(a).connection;
  a = shard->on_closed(conn, std::nullopt, now);
  auto d = first<shard_connect>(a).delay.count();
  CAF_CHECK_GREATER_OR_EQUAL(d, 4000);
  CAF_CHECK_LESS(d, 8000);
}

CAF_TEST(backoff resets only after a healthy session) {
  opts.backoff = { 1000ms, 60'000ms, 0.5 };
  opts.healthy_after = 60s;
  make();
  fallback = 0.0;
  run_to_ready();
  // Flapping right after READY keeps growing the delay.
  auto a = shard->on_closed(conn, 4000, now);
  CAF_CHECK_EQUAL(first<shard_connect>(a).delay.count(), 0);
  open(a);
  msg(hello(1'000'000));
  msg(dispatch("RESUMED", 2, "null"));
  a = shard->on_closed(conn, 4000, now + 1s);
  CAF_CHECK_EQUAL(first<shard_connect>(a).delay.count(), 1000);
  open(a);
  msg(hello(1'000'000));
  msg(dispatch("RESUMED", 3, "null"));
  // Healthy for a minute: the next failure starts over.
  now += 61s;
  a = shard->on_closed(conn, 4000, now);
  CAF_CHECK_EQUAL(first<shard_connect>(a).delay.count(), 0);
}

CAF_TEST(stop keeps the session for a move and another shard resumes it) {
  run_to_ready();
  msg(dispatch("MESSAGE_CREATE", 5, R"({"guild_id":"1"})"));
  auto s = shard->stop(now, true);
  auto closes = all<shard_close>(s);
  CAF_REQUIRE_EQUAL(closes.size(), 1u);
  CAF_CHECK_EQUAL(closes[0].code, resumable_client_close_code);
  auto saves = all<shard_save_session>(s);
  CAF_REQUIRE_EQUAL(saves.size(), 1u);
  CAF_CHECK_EQUAL(saves[0].session.seq, 5u);
  CAF_CHECK(shard->state() == shard_state::disconnected);
  CAF_CHECK(shard->on_closed(conn, 4900, now).empty());
  // The shard starts on another node from the store.
  auto stored = saves[0].session;
  make();
  auto a = shard->start(now, stored);
  CAF_CHECK_EQUAL(first<shard_connect>(a).url,
                  std::string("wss://resume.discord.gg") + gateway_query);
  open(a);
  auto h = msg(hello());
  auto res = sent(h, send_kind::resume);
  CAF_REQUIRE_EQUAL(res.size(), 1u);
  CAF_CHECK(res[0].find(R"("session_id":"sess-1","seq":5)") != std::string::npos);
  CAF_CHECK(!has<shard_request_permit>(h));
}

CAF_TEST(stop without keeping the session closes with 1000 and clears it) {
  run_to_ready();
  auto s = shard->stop(now, false);
  CAF_CHECK_EQUAL(first<shard_close>(s).code, 1000);
  CAF_CHECK(has<shard_clear_session>(s));
  CAF_CHECK(!shard->session());
}

CAF_TEST(the commit point becomes the saved seq) {
  opts.session = { 0ms, 1, true };
  make();
  run_to_ready();
  msg(dispatch("MESSAGE_CREATE", 2, "{}"));
  msg(dispatch("MESSAGE_CREATE", 3, "{}"));
  auto c = shard->on_commit(2, now);
  auto saves = all<shard_save_session>(c);
  CAF_REQUIRE_EQUAL(saves.size(), 1u);
  CAF_CHECK_EQUAL(saves[0].session.seq, 2u);
  // The shard's own RESUME still uses the last seq it received.
  open(msg(R"({"op":7,"d":null})"));
  auto res = sent(msg(hello()), send_kind::resume);
  CAF_REQUIRE_EQUAL(res.size(), 1u);
  CAF_CHECK(res[0].find(R"("seq":3)") != std::string::npos);
}

CAF_TEST(hello without an interval reconnects) {
  open(shard->start(now));
  auto a = msg(R"({"op":10,"d":{"heartbeat_interval":0}})");
  CAF_CHECK(has<shard_close>(a));
  CAF_CHECK(has<shard_connect>(a));
}

CAF_TEST(unknown opcodes and event names are tolerated) {
  run_to_ready();
  CAF_CHECK(msg(R"({"op":42,"d":{}})").empty());
  auto a = msg(dispatch("SOMETHING_NEW", 2, R"({"guild_id":"9"})"));
  auto d = all<shard_dispatch>(a);
  CAF_REQUIRE_EQUAL(d.size(), 1u);
  CAF_CHECK_EQUAL(d[0].ev.name, "SOMETHING_NEW");
  CAF_CHECK_EQUAL(d[0].ev.guild_id, 9u);
}

CAF_TEST(real Discord captures drive the shard from hello to a dispatch) {
  auto hello_text = first_capture("gateway_hello.json");
  auto ready_text = first_capture("gateway_ready.json");
  auto message_text = first_capture("gateway_message_create.json");
  CAF_REQUIRE(!hello_text.empty() && !ready_text.empty() && !message_text.empty());
  open(shard->start(now));
  CAF_CHECK(has<shard_request_permit>(msg(hello_text)));
  CAF_CHECK_EQUAL(shard->heartbeat().interval().count(), 41250);
  shard->on_identify_permit(now);
  auto r = msg(ready_text);
  CAF_REQUIRE(shard->state() == shard_state::running);
  auto save = first<shard_save_session>(r);
  CAF_CHECK(!save.session.session_id.empty());
  CAF_CHECK_EQUAL(save.session.resume_gateway_url, "wss://gateway.discord.gg/?v=10&encoding=json");
  auto m = first<shard_dispatch>(msg(message_text));
  CAF_CHECK_EQUAL(m.ev.name, "MESSAGE_CREATE");
  CAF_CHECK_EQUAL(m.ev.seq, 4u);
  CAF_CHECK_NOT_EQUAL(m.ev.guild_id, 0u);
  CAF_CHECK(gateway_json::is_single_value(m.ev.data));
  // The resume URL from READY is used with our own query, not the one it came with.
  auto z = msg(R"({"op":7,"d":null})");
  CAF_CHECK_EQUAL(first<shard_connect>(z).url,
                  std::string("wss://gateway.discord.gg") + gateway_query);
}

CAF_TEST(typed commands from the models room are queued like raw ones) {
  run_to_ready();
  models::request_guild_members req;
  req.guild_id = models::snowflake{ 81384788765712384u };
  req.query = "";
  req.limit = 0;
  auto r = shard->queue(now, req);
  CAF_REQUIRE(!r.error);
  auto cmds = sent(r.actions, send_kind::command);
  CAF_REQUIRE_EQUAL(cmds.size(), 1u);
  CAF_CHECK(cmds[0].rfind(R"({"op":8,"d":{"guild_id":"81384788765712384")", 0) == 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
