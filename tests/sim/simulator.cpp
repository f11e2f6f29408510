#include "sim/simulator.hpp"

#define CAF_SUITE sim.simulator

#include "caf/test/unit_test.hpp"

#include "tests/sim/support.hpp"

#if defined(__SANITIZE_ADDRESS__)
// From ASan's runtime (sanitizer/allocator_interface.h, not shipped with g++ 12).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <malloc.h>

#include <thread>

using namespace spectacles;
using namespace spectacles::sim;
using namespace spectacles::sim::testing;
using namespace std::chrono_literals;

namespace {

const std::string identify_json = R"({"op":2,"d":{"token":"sim-token","intents":513,"shard":[0,1],)"
                                  R"("properties":{"os":"linux","browser":"t","device":"t"}}})";

simulator_options fast_options() {
  simulator_options o;
  o.gateway.heartbeat_interval = 60000ms;
  o.world.guilds = 3;
  return o;
}

std::unique_ptr<simulator> start(simulator_options o) {
  auto sim = simulator::start(std::move(o));
  if (!sim) {
    CAF_FAIL("simulator did not start: " << sim.error().what());
  }
  return std::move(*sim);
}

/// Reads until READY and the guild creates are in; returns READY.
gateway_message identify(ws_test_client& c, size_t guilds) {
  auto hello = parse_gateway(c.next().text);
  CAF_CHECK_EQUAL(hello.op, 10);
  c.send(identify_json);
  auto ready = parse_gateway(c.next().text);
  CAF_CHECK_EQUAL(ready.t, "READY");
  for (size_t i = 0; i < guilds; ++i)
    CAF_CHECK_EQUAL(parse_gateway(c.next().text).t, "GUILD_CREATE");
  return ready;
}

// Heap in use, in KiB: the bytes allocated and not yet freed, which is what
// a leak or an unbounded buffer grows. RSS says little: under
// AddressSanitizer freed blocks sit in its quarantine (hundreds of MiB), and
// glibc keeps freed pages too. ASan's allocator is not glibc's, so there
// mallinfo2() sees nothing and ASan's own counter is used.
size_t memory_kib() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes() / 1024;
#else
  auto info = mallinfo2();
  return (info.uordblks + info.hblkhd) / 1024;
#endif
}

} // namespace

CAF_TEST(plain gateway session with events and heartbeat acks) {
  auto o = fast_options();
  o.gateway.events_per_second = 200;
  auto sim = start(o);
  ws_test_client c;
  CAF_REQUIRE(c.connect(sim->gateway_port()));
  auto ready = identify(c, 3);
  CAF_CHECK_EQUAL(ready.resume_url, sim->resume_url());
  CAF_CHECK_NOT_EQUAL(ready.resume_url, sim->gateway_url());
  uint64_t last = 4;
  for (int i = 0; i < 20; ++i) {
    auto ev = parse_gateway(c.next().text);
    CAF_CHECK_EQUAL(ev.op, 0);
    CAF_CHECK_EQUAL(ev.s, last + 1);
    last = ev.s;
  }
  c.send(R"({"op":1,"d":)" + std::to_string(last) + "}");
  for (int i = 0; i < 100; ++i)
    if (parse_gateway(c.next().text).op == 11)
      break;
  c.close(4000);
  std::this_thread::sleep_for(100ms);
  auto v = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.identifies, 1u);
  CAF_CHECK_EQUAL(v.heartbeats, 1u);
  CAF_CHECK(v.shards[0].events >= 24u);
  CAF_CHECK_EQUAL(v.closes_received[4000], 1u);
}

CAF_TEST(tls gateway and rest with a test CA and zstd - stream) {
  temp_dir dir;
  CAF_REQUIRE(net::make_ca(dir.path, "sim test CA"));
  CAF_REQUIRE(net::make_leaf(dir.path, "localhost", { "DNS:localhost", "IP:127.0.0.1" }));
  auto o = fast_options();
  o.tls_cert = dir.path + "/localhost.pem";
  o.tls_key = dir.path + "/localhost.key";
  auto sim = start(o);
  CAF_CHECK_EQUAL(sim->gateway_url().substr(0, 6), "wss://");
  CAF_CHECK_EQUAL(sim->rest_url().substr(0, 8), "https://");
  ws_test_client c;
  CAF_REQUIRE(c.connect(sim->gateway_port(), "zstd-stream", dir.path + "/ca.pem"));
  identify(c, 3);
  // A client that does not trust the CA fails the handshake.
  temp_dir other;
  CAF_REQUIRE(net::make_ca(other.path, "stranger CA"));
  ws_test_client stranger;
  CAF_CHECK(!stranger.connect(sim->gateway_port(), {}, other.path + "/ca.pem"));
}

CAF_TEST(zlib - stream and zstd - stream frames inflate with the net inflaters) {
  auto o = fast_options();
  o.gateway.identify_window = 1ms; // two identifies back to back
  o.gateway.events_per_second = 500;
  auto sim = start(o);
  for (std::string mode : { "zlib-stream", "zstd-stream" }) {
    ws_test_client c;
    CAF_REQUIRE(c.connect(sim->gateway_port(), mode));
    identify(c, 3);
    for (int i = 0; i < 50; ++i) {
      auto ev = c.next();
      CAF_REQUIRE(ev.what == ws_event::kind::message);
      CAF_CHECK_EQUAL(parse_gateway(ev.text).op, 0);
    }
    c.close(4000);
  }
}

CAF_TEST(each gateway fault is seen by the client) {
  auto o = fast_options();
  o.gateway.events_per_second = 20;
  o.gateway.reconnect_grace = 300ms;
  o.gateway.identify_window = 1ms; // many identifies in one test
  auto sim = start(o);
  auto session = [&](std::string compress = {}) {
    auto c = std::make_unique<ws_test_client>();
    CAF_REQUIRE(c->connect(sim->gateway_port(), compress));
    identify(*c, 3);
    return c;
  };
  auto until = [](ws_test_client& c, auto pred) {
    for (int i = 0; i < 200; ++i) {
      auto ev = c.next(3000ms);
      if (pred(ev))
        return true;
      if (ev.what != ws_event::kind::message)
        return false;
    }
    return false;
  };
  {
    auto c = session();
    sim->faults().add_text("close:4900@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      return ev.what == ws_event::kind::closed && ev.close_code == 4900;
    }));
  }
  {
    auto c = session();
    sim->faults().add_text("reconnect@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      return parse_gateway(ev.text).op == 7;
    }));
    // The sim closes after the grace period if the client does not.
    CAF_CHECK(until(*c, [](auto& ev) {
      return ev.what == ws_event::kind::closed && ev.close_code == 4000;
    }));
  }
  {
    auto c = session();
    sim->faults().add_text("invalid_session:false@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      auto p = parse_gateway(ev.text);
      return p.op == 9 && p.d_bool == 0;
    }));
  }
  {
    auto c = session();
    sim->faults().add_text("invalid_session:true@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      auto p = parse_gateway(ev.text);
      return p.op == 9 && p.d_bool == 1;
    }));
  }
  {
    auto c = session();
    sim->faults().add_text("heartbeat_request@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      return parse_gateway(ev.text).op == 1;
    }));
  }
  {
    auto c = session();
    sim->faults().add_text("drop@shard:0");
    // No close frame: a socket error, not a close code.
    CAF_CHECK(until(*c, [](auto& ev) {
      return ev.what == ws_event::kind::error;
    }));
  }
  {
    auto c = session("zlib-stream");
    sim->faults().add_text("corrupt@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      return ev.corrupt;
    }));
  }
  {
    auto c = session("zstd-stream");
    sim->faults().add_text("corrupt@shard:0");
    CAF_CHECK(until(*c, [](auto& ev) {
      return ev.corrupt;
    }));
  }
  {
    auto c = session();
    sim->faults().add_text("zombie@shard:0");
    c->next();
    c->send(R"({"op":1,"d":null})");
    // 40 events (2 s at 20/s) and no op 11 among them.
    bool acked = false;
    for (int i = 0; i < 40 && !acked; ++i)
      acked = parse_gateway(c->next(1000ms).text).op == 11;
    CAF_CHECK(!acked);
  }
  {
    auto c = session();
    sim->faults().add_text("pause:1500@shard:0");
    // Events already on their way arrive; then a gap (20/s means one per
    // 50 ms otherwise), then the stream goes on.
    bool gap = false;
    for (int i = 0; i < 10 && !gap; ++i)
      gap = c->next(700ms).what == ws_event::kind::timeout;
    CAF_CHECK(gap);
    CAF_CHECK(c->next(2000ms).what == ws_event::kind::message);
  }
}

CAF_TEST(resume on the resume url replays missed events then RESUMED) {
  auto o = fast_options();
  o.gateway.events_per_second = 100;
  auto sim = start(o);
  ws_test_client c;
  CAF_REQUIRE(c.connect(sim->gateway_port()));
  auto ready = identify(c, 3);
  uint64_t seen = 0;
  for (int i = 0; i < 5; ++i)
    seen = parse_gateway(c.next().text).s;
  c.drop();
  std::this_thread::sleep_for(300ms);
  ws_test_client r;
  CAF_REQUIRE(r.connect(sim->resume_port()));
  CAF_CHECK_EQUAL(parse_gateway(r.next().text).op, 10);
  r.send(R"({"op":6,"d":{"token":"sim-token","session_id":")" + ready.session_id + R"(","seq":)"
         + std::to_string(seen) + "}}");
  uint64_t expect = seen + 1;
  for (;;) {
    auto p = parse_gateway(r.next().text);
    if (p.t == "RESUMED")
      break;
    CAF_REQUIRE_EQUAL(p.s, expect);
    ++expect;
  }
  CAF_CHECK(expect > seen + 10); // ~30 events fell due while away
  auto v = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.resumes_ok, 1u);
  CAF_CHECK_EQUAL(v.resumes_wrong_url, 0u);
}

CAF_TEST(bad query parameters and protocol errors close with the Discord codes) {
  auto sim = start(fast_options());
  ws_test_client bad_v;
  CAF_REQUIRE(bad_v.connect(sim->gateway_port(), {}, {}, "?v=3&encoding=json"));
  CAF_CHECK_EQUAL(bad_v.next().close_code, 4012);
  ws_test_client early;
  CAF_REQUIRE(early.connect(sim->gateway_port()));
  early.next();
  early.send(R"({"op":8,"d":{"guild_id":"1","query":"","limit":0}})");
  CAF_CHECK_EQUAL(early.next().close_code, 4003);
  ws_test_client big;
  CAF_REQUIRE(big.connect(sim->gateway_port()));
  big.next();
  big.send(R"({"op":1,"d":")" + std::string(5000, 'x') + R"("})");
  CAF_CHECK_EQUAL(big.next().close_code, 4002);
  ws_test_client token;
  CAF_REQUIRE(token.connect(sim->gateway_port()));
  token.next();
  token.send(R"({"op":2,"d":{"token":"nope","intents":513,"properties":{}}})");
  CAF_CHECK_EQUAL(token.next().close_code, 4004);
}

CAF_TEST(rest over http with faults control endpoint and verdict) {
  auto sim = start(fast_options());
  auto port = sim->rest_port();
  auto [status, body] = http_call(port, "GET", "/api/v10/gateway/bot");
  CAF_CHECK_EQUAL(status, 200u);
  CAF_CHECK(body.find(sim->gateway_url()) != std::string::npos);
  CAF_CHECK_EQUAL(http_call(port, "GET", "/api/v10/users/@me", {}, "bad").first, 401u);
  CAF_CHECK_EQUAL(http_call(port, "POST", "/_sim/faults", "rest_5xx:502x1").first, 204u);
  CAF_CHECK_EQUAL(http_call(port, "POST", "/_sim/faults", "nonsense").first, 400u);
  CAF_CHECK_EQUAL(http_call(port, "GET", "/api/v10/users/@me").first, 502u);
  CAF_CHECK_EQUAL(http_call(port, "POST", "/_sim/faults", "rest_slow:300x1").first, 204u);
  auto t0 = std::chrono::steady_clock::now();
  CAF_CHECK_EQUAL(http_call(port, "GET", "/api/v10/users/@me").first, 200u);
  CAF_CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
  auto verdict = http_call(port, "GET", "/_sim/verdict");
  CAF_CHECK_EQUAL(verdict.first, 200u);
  CAF_CHECK(verdict.second.find(R"("unauthorized":1)") != std::string::npos);
  CAF_CHECK_EQUAL(sim->requests().size(), 4u);
}

CAF_TEST(an hour of events at a fast rate passes without memory growth) {
  // A busy bot sees ~10 events/s: 36,000 events is an hour of them. An hour
  // of heartbeats at Discord's 41.25 s interval is 88: the sim says 50 ms
  // here, and the client keeps that pace while the events stream in.
  constexpr uint64_t events = 36000, warmup = 4000, first_seq = 5; // READY + 3 GUILD_CREATE
  constexpr size_t hour_of_heartbeats = 88;
  auto o = fast_options();
  o.gateway.events_per_second = 40000;
  o.gateway.max_events = events;
  o.gateway.heartbeat_interval = 50ms;
  // The heartbeats stop after an hour's worth while events still stream in:
  // no 4009 for that (nor for a test thread descheduled under load).
  o.gateway.missing_tolerance = 1000;
  auto sim = start(o);
  std::atomic<size_t> kib_after_warmup{ 0 };
  std::atomic<int64_t> interval{ 0 };
  gateway_probe p;
  gateway_probe::options po;
  po.compress = "zlib-stream";
  po.keep = false; // the counters only: the probe itself must not grow
  po.observe = [&](const gateway_message& m) {
    if (m.op == 10)
      interval = m.heartbeat_interval;
    if (m.op == 0 && m.s == first_seq + warmup)
      kib_after_warmup = memory_kib();
  };
  CAF_REQUIRE(p.start(sim->gateway_url(), po));
  CAF_REQUIRE(p.wait_ready(3));
  CAF_REQUIRE_EQUAL(interval.load(), 50);
  auto done = [&](const probe_state& st) {
    return (st.last_seq == first_seq + events - 1 && st.count(11) == hour_of_heartbeats)
           || st.closed.has_value();
  };
  // Exactly an hour's worth: heartbeats count against the 120 commands a
  // minute too, so a faster client would be closed with 4008.
  auto t0 = std::chrono::steady_clock::now();
  size_t sent = 0;
  while (std::chrono::steady_clock::now() - t0 < 30s) {
    if (sent < hour_of_heartbeats) {
      p.send(R"({"op":1,"d":)" + std::to_string(p.snapshot().last_seq) + "}");
      ++sent;
    }
    if (p.wait(done, 50ms))
      break;
  }
  auto took = std::chrono::steady_clock::now() - t0;
  auto st = p.snapshot();
  if (st.closed)
    CAF_FAIL("closed after " << st.last_seq << " dispatches: code " << st.closed->code << " "
                             << (st.closed->err ? st.closed->err->what() : std::string{}));
  CAF_REQUIRE_EQUAL(st.last_seq, first_seq + events - 1);
  CAF_CHECK_EQUAL(st.count(0), events + 4);
  CAF_CHECK_EQUAL(st.seq_errors, 0u);
  CAF_CHECK_EQUAL(st.count(11), hour_of_heartbeats);
  auto growth = static_cast<long>(memory_kib()) - static_cast<long>(kib_after_warmup.load());
  CAF_MESSAGE(events << " events and " << sent << " heartbeats in "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                     << " ms; memory growth after warm-up: " << growth
                     << " KiB; sim queue high-water "
                     << sim->gateway_stats().max_queue_frames.load() << " frames / "
                     << sim->gateway_stats().max_queue_bytes.load() << " bytes; inflater "
                     << st.max_inflater << " bytes");
  CAF_REQUIRE_NOT_EQUAL(kib_after_warmup.load(), 0u);
  // Keeping ~0.5 KB of every event would be ~16 MiB after the warm-up; the
  // sim's replay buffer (2048 events) is full before it.
  CAF_CHECK_LESS_OR_EQUAL(growth, 4 * 1024);
  CAF_CHECK_LESS(sim->gateway_stats().max_queue_frames.load(), 400u);
  CAF_CHECK_LESS(st.max_inflater, 1u << 20);
  auto v = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.missing_heartbeats, 0u);
  CAF_CHECK_EQUAL(v.heartbeats, hour_of_heartbeats);
  auto sessions = sim->with_state([](gateway_hub& hub, rest_api&, world&) {
    return hub.session_count();
  });
  CAF_CHECK_EQUAL(sessions, 1u);
}
