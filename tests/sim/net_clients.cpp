#include "sim/simulator.hpp"

#define CAF_SUITE sim.net_clients

#include "caf/test/unit_test.hpp"

#include "net/http_client.hpp"
#include "tests/sim/support.hpp"

#include <simdjson.h>

#include <thread>

using namespace spectacles;
using namespace spectacles::sim::testing;
using namespace std::chrono_literals;

namespace {

// A sim on 127.0.0.1, plain (ws:// and http://) or TLS (wss:// and https://
// with a certificate of a CA made for the test; the clients trust only it).
struct sim_env {
  std::string name;
  temp_dir dir;
  net::tls_context tls; ///< the clients' context; null on plain
  std::unique_ptr<sim::simulator> sim;

  sim_env(bool use_tls, sim::simulator_options o) : name(use_tls ? "tls" : "plain") {
    if (use_tls) {
      CAF_REQUIRE(net::make_ca(dir.path, "sim test CA"));
      CAF_REQUIRE(net::make_leaf(dir.path, "localhost", { "DNS:localhost", "IP:127.0.0.1" }));
      o.tls_cert = dir.path + "/localhost.pem";
      o.tls_key = dir.path + "/localhost.key";
      auto ctx = net::make_client_context({ dir.path + "/ca.pem", {}, {} });
      CAF_REQUIRE(ctx);
      tls = *ctx;
    }
    auto s = sim::simulator::start(std::move(o));
    if (!s)
      CAF_FAIL("sim did not start: " << s.error().what());
    sim = std::move(*s);
    auto scheme = sim->gateway_url().substr(0, sim->gateway_url().find(':'));
    CAF_REQUIRE_EQUAL(scheme, use_tls ? "wss" : "ws");
  }

  /// A probe that identified and got READY plus the guild creates.
  std::unique_ptr<gateway_probe> session(std::string compress, size_t guilds = 2) {
    auto p = std::make_unique<gateway_probe>();
    gateway_probe::options o;
    o.compress = std::move(compress);
    o.tls = tls;
    CAF_REQUIRE(p->start(sim->gateway_url(), o));
    CAF_REQUIRE(p->wait_ready(guilds));
    return p;
  }

  /// Waits until the sim has no gateway connection left, so that the next
  /// fault cannot be taken by the connection of the previous case.
  bool settle() {
    for (int i = 0; i < 300; ++i) {
      if (sim->gateway_stats().open_connections.load() == 0)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  /// Waits until every injected fault has been taken by a connection.
  bool fault_taken() {
    for (int i = 0; i < 300; ++i) {
      if (sim->faults().pending().empty())
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

sim::simulator_options fault_options() {
  sim::simulator_options o;
  o.gateway.heartbeat_interval = 60000ms;
  o.gateway.identify_window = 1ms; // a new session per case
  o.gateway.events_per_second = 20;
  o.gateway.reconnect_grace = 300ms;
  o.world.guilds = 2;
  return o;
}

std::unique_ptr<sim::simulator> start_sim() {
  sim::simulator_options o;
  o.gateway.heartbeat_interval = 60000ms;
  o.gateway.identify_window = 1ms;
  o.world.guilds = 2;
  auto s = sim::simulator::start(o);
  if (!s)
    CAF_FAIL("sim did not start: " << s.error().what());
  return std::move(*s);
}

using ms = std::chrono::milliseconds;

ms since(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<ms>(b - a);
}

// The first message with `op` at or after index `from`; messages.size() if none.
size_t find_op(const probe_state& st, int op, size_t from = 0) {
  for (size_t i = from; i < st.messages.size(); ++i)
    if (st.messages[i].op == op)
      return i;
  return st.messages.size();
}

const std::string heartbeat = R"({"op":1,"d":null})";

} // namespace

CAF_TEST(net ws_client sees every gateway fault over ws and wss) {
  for (bool use_tls : { false, true }) {
    sim_env env{ use_tls, fault_options() };
    auto& sim = *env.sim;
    CAF_MESSAGE(env.name << ": close with a chosen code (zstd-stream)");
    {
      auto p = env.session("zstd-stream");
      sim.faults().add_text("close:4900@shard:0");
      auto info = p->wait_closed();
      CAF_REQUIRE(info.has_value());
      CAF_CHECK_EQUAL(info->code, 4900u);
      CAF_CHECK_EQUAL(info->reason, "Injected close.");
      CAF_CHECK(info->clean);
      CAF_CHECK(!info->local);
      CAF_CHECK(info->was_open);
      CAF_CHECK(!info->err.has_value());
    }
    CAF_REQUIRE(env.settle());
    CAF_MESSAGE(env.name << ": drop (zlib-stream)");
    {
      auto p = env.session("zlib-stream");
      sim.faults().add_text("drop@shard:0");
      auto info = p->wait_closed();
      CAF_REQUIRE(info.has_value());
      CAF_CHECK(!info->clean);
      CAF_CHECK(!info->local);
      CAF_CHECK_EQUAL(info->code, 0u);
      CAF_REQUIRE(info->err.has_value());
      auto code = std::string{ net::to_string(info->err->code) };
      CAF_CHECK_EQUAL(code, "closed");
    }
    CAF_REQUIRE(env.settle());
    for (std::string mode : { "zlib-stream", "zstd-stream" }) {
      CAF_MESSAGE(env.name << ": corrupt (" << mode << ")");
      auto p = env.session(mode);
      sim.faults().add_text("corrupt@shard:0");
      CAF_REQUIRE(p->wait([](const probe_state& st) {
        return st.inflate_error.has_value() || st.closed.has_value();
      }));
      auto st = p->snapshot();
      CAF_REQUIRE(st.inflate_error.has_value());
      auto code = std::string{ net::to_string(st.inflate_error->code) };
      CAF_CHECK_EQUAL(code, "corrupt");
      CAF_CHECK(!st.closed.has_value()); // the sim keeps the connection; the client drops it
      p->client().abort();
      CAF_REQUIRE(p->wait_closed().has_value());
      CAF_REQUIRE(env.settle());
    }
    CAF_MESSAGE(env.name << ": reconnect (zlib-stream)");
    {
      auto p = env.session("zlib-stream");
      sim.faults().add_text("reconnect@shard:0");
      auto info = p->wait_closed(3000ms);
      CAF_REQUIRE(info.has_value());
      // The client does nothing: the sim closes with 4000 after its grace.
      CAF_CHECK_EQUAL(info->code, 4000u);
      CAF_CHECK(info->clean);
      auto st = p->snapshot();
      auto i = find_op(st, 7);
      CAF_REQUIRE_NOT_EQUAL(i, st.messages.size());
      CAF_CHECK_EQUAL(st.count(7), 1u);
      CAF_CHECK_EQUAL(find_op(st, 0, i), st.messages.size()); // no dispatch after op 7
      auto waited = since(st.messages[i].at, std::chrono::steady_clock::now());
      CAF_CHECK_GREATER_OR_EQUAL(waited.count(), 200); // grace 300 ms
    }
    CAF_REQUIRE(env.settle());
    for (bool resumable : { true, false }) {
      CAF_MESSAGE(env.name << ": invalid_session:" << resumable);
      auto p = env.session(resumable ? "zstd-stream" : "");
      sim.faults().add_text(resumable ? "invalid_session:true@shard:0"
                                      : "invalid_session:false@shard:0");
      auto info = p->wait_closed(3000ms);
      CAF_REQUIRE(info.has_value());
      CAF_CHECK_EQUAL(info->code, 4000u);
      auto st = p->snapshot();
      auto i = find_op(st, 9);
      CAF_REQUIRE_NOT_EQUAL(i, st.messages.size());
      CAF_CHECK_EQUAL(st.messages[i].d_bool, resumable ? 1 : 0);
      CAF_CHECK_EQUAL(st.count(9), 1u);
      CAF_REQUIRE(env.settle());
    }
    CAF_MESSAGE(env.name << ": heartbeat_request (zlib-stream)");
    {
      auto p = env.session("zlib-stream");
      auto requests = p->snapshot().count(1);
      CAF_CHECK_EQUAL(requests, 0u);
      sim.faults().add_text("heartbeat_request@shard:0");
      CAF_CHECK(p->wait([](const probe_state& st) {
        return st.count(1) == 1;
      }));
      p->client().close(4000, "next case");
      CAF_REQUIRE(p->wait_closed().has_value());
    }
    CAF_REQUIRE(env.settle());
    CAF_MESSAGE(env.name << ": zombie (zstd-stream)");
    {
      auto p = env.session("zstd-stream");
      // Before the fault a heartbeat is ACKed.
      p->send(heartbeat);
      CAF_REQUIRE(p->wait([](const probe_state& st) {
        return st.count(11) == 1;
      }));
      sim.faults().add_text("zombie@shard:0");
      CAF_REQUIRE(env.fault_taken());
      auto dispatches = p->snapshot().count(0);
      p->send(heartbeat);
      p->send(heartbeat);
      // 15 more dispatches (750 ms at 20/s) come after both heartbeats, on
      // the same connection: an ACK would have come before them.
      CAF_CHECK(p->wait([dispatches](const probe_state& st) {
        return st.count(0) >= dispatches + 15;
      }));
      auto st = p->snapshot();
      CAF_CHECK_EQUAL(st.count(11), 1u);
      CAF_CHECK(!st.closed.has_value());
      CAF_CHECK_EQUAL(st.seq_errors, 0u);
      p->client().close(4000, "next case");
      CAF_REQUIRE(p->wait_closed().has_value());
    }
    CAF_REQUIRE(env.settle());
    CAF_MESSAGE(env.name << ": pause (zlib-stream)");
    {
      auto p = env.session("zlib-stream");
      sim.faults().add_text("pause:1000@shard:0");
      CAF_REQUIRE(env.fault_taken());
      auto taken = std::chrono::steady_clock::now();
      // The gaps are measured from the last dispatch before the pause.
      size_t from = 0;
      {
        auto st = p->snapshot();
        for (size_t i = 0; i < st.messages.size(); ++i)
          if (st.messages[i].op == 0)
            from = i;
      }
      // A heartbeat in the middle of the pause is still ACKed.
      std::this_thread::sleep_for(300ms);
      p->send(heartbeat);
      CAF_CHECK(p->wait([](const probe_state& st) {
        return st.count(11) == 1;
      }));
      // Dispatches resume after the pause.
      CAF_REQUIRE(p->wait([&](const probe_state& st) {
        return st.messages.back().op == 0 && since(taken, st.messages.back().at) >= 900ms;
      }));
      auto st = p->snapshot();
      // The longest gap between two dispatches, and where the ACK came.
      size_t before = 0, after = 0;
      ms gap{ 0 };
      for (size_t i = from, last = st.messages.size(); i < st.messages.size(); ++i) {
        if (st.messages[i].op != 0)
          continue;
        if (last < st.messages.size() && since(st.messages[last].at, st.messages[i].at) > gap) {
          gap = since(st.messages[last].at, st.messages[i].at);
          before = last;
          after = i;
        }
        last = i;
      }
      CAF_MESSAGE("longest gap between dispatches: " << gap.count() << " ms");
      CAF_CHECK_GREATER_OR_EQUAL(gap.count(), 700);
      auto ack = find_op(st, 11, from);
      CAF_CHECK_LESS(before, ack);
      CAF_CHECK_LESS(ack, after);
      CAF_CHECK_EQUAL(st.seq_errors, 0u); // nothing was lost, only delayed
      p->client().close(4000, "next case");
      CAF_REQUIRE(p->wait_closed().has_value());
    }
    auto v = sim.verdict_snapshot();
    CAF_CHECK_EQUAL(v.closes_sent[4900], 1u);
    CAF_CHECK_EQUAL(v.closes_sent[4000], 3u); // reconnect, invalid_session x2
    CAF_CHECK_EQUAL(v.missing_heartbeats, 0u);
  }
}

CAF_TEST(121 presence updates in a minute close with 4008 over ws and wss) {
  const std::string presence
    = R"({"op":3,"d":{"since":null,"activities":[],"status":"online","afk":false}})";
  for (bool use_tls : { false, true }) {
    sim_env env{ use_tls, fault_options() };
    auto p = env.session({});
    // IDENTIFY plus 119 updates is 120 commands: the limit, still open.
    for (int i = 0; i < 119; ++i)
      p->send(presence);
    CAF_CHECK(!p->wait_closed(300ms).has_value());
    auto early = env.sim->verdict_snapshot();
    CAF_CHECK_EQUAL(early.commands_rate_limited, 0u);
    // Two more (121 updates in all): the 121st command closes.
    p->send(presence);
    p->send(presence);
    auto info = p->wait_closed();
    CAF_REQUIRE(info.has_value());
    CAF_CHECK_EQUAL(info->code, 4008u);
    CAF_CHECK_EQUAL(info->reason, "Rate limited.");
    CAF_CHECK(info->clean);
    auto v = env.sim->verdict_snapshot();
    CAF_CHECK_EQUAL(v.commands_rate_limited, 1u);
    CAF_CHECK_EQUAL(v.closes_sent[4008], 1u);
  }
}

CAF_TEST(net http_client sees the REST faults over http and https) {
  for (bool use_tls : { false, true }) {
    auto o = fault_options();
    sim_env env{ use_tls, o };
    auto& sim = *env.sim;
    CAF_MESSAGE(env.name << ": " << sim.rest_url());
    auto scheme = sim.rest_url().substr(0, sim.rest_url().find(':'));
    CAF_REQUIRE_EQUAL(scheme, use_tls ? "https" : "http");
    net::io_pool io{ 1 };
    net::http_client_options ho;
    ho.tls = env.tls;
    auto created = net::http_client::create(io.context(), ho);
    CAF_REQUIRE(created);
    auto client = *created;
    auto me = sim.rest_url() + "/users/@me";
    const net::http_headers auth{ { "Authorization", "Bot sim-token" } };
    {
      auto r = client->request_sync("GET", me, { { "Authorization", "Bot wrong" } });
      CAF_REQUIRE(r);
      CAF_CHECK_EQUAL(r->status, 401u);
      CAF_CHECK_EQUAL(r->body, R"({"message":"401: Unauthorized","code":0})");
    }
    {
      auto r = client->request_sync("GET", me, auth);
      CAF_REQUIRE(r);
      CAF_CHECK_EQUAL(r->status, 200u);
    }
    for (int status : { 502, 503 }) {
      CAF_REQUIRE(!sim.faults().add_text("rest_5xx:" + std::to_string(status) + "x1"));
      auto r = client->request_sync("GET", me, auth);
      CAF_REQUIRE(r);
      CAF_CHECK_EQUAL(r->status, static_cast<unsigned>(status));
      auto after = client->request_sync("GET", me, auth);
      CAF_REQUIRE(after);
      CAF_CHECK_EQUAL(after->status, 200u); // x1: only one request
    }
    for (std::string scope : { "user", "global", "shared" }) {
      CAF_REQUIRE(!sim.faults().add_text("rest_429:" + scope + "x1"));
      auto r = client->request_sync("GET", me, auth);
      CAF_REQUIRE(r);
      CAF_CHECK_EQUAL(r->status, 429u);
      auto header_scope = std::string{ r->header("X-RateLimit-Scope") };
      auto retry_header = std::string{ r->header("Retry-After") };
      auto global_header = std::string{ r->header("X-RateLimit-Global") };
      CAF_CHECK_EQUAL(header_scope, scope);
      CAF_CHECK_EQUAL(retry_header, "1");
      CAF_CHECK_EQUAL(global_header, scope == "global" ? "true" : "");
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      CAF_REQUIRE(!parser.parse(r->body).get(doc));
      double retry_after = 0;
      bool global = false;
      CAF_REQUIRE(!doc["retry_after"].get_double().get(retry_after));
      CAF_REQUIRE(!doc["global"].get_bool().get(global));
      CAF_CHECK_EQUAL(retry_after, 1.0);
      CAF_CHECK_EQUAL(global, scope == "global");
    }
    {
      // A request timeout shorter than the injected delay.
      net::http_client_options quick = ho;
      quick.request_timeout = 150ms;
      auto impatient = *net::http_client::create(io.context(), quick);
      CAF_REQUIRE(!sim.faults().add_text("rest_slow:600x1"));
      auto t0 = std::chrono::steady_clock::now();
      auto r = impatient->request_sync("GET", me, auth);
      auto took = since(t0, std::chrono::steady_clock::now());
      CAF_REQUIRE(!r);
      CAF_MESSAGE("slow request: " << r.error().what() << " after " << took.count() << " ms");
      auto code = std::string{ net::to_string(r.error().code) };
      CAF_CHECK_EQUAL(code, "timeout");
      CAF_CHECK_LESS(took.count(), 600);
      auto again = impatient->request_sync("GET", me, auth);
      CAF_REQUIRE(again);
      CAF_CHECK_EQUAL(again->status, 200u);
      // Let the late answer go out before the sim stops.
      std::this_thread::sleep_for(600ms - since(t0, std::chrono::steady_clock::now()));
    }
    {
      // The request log an operator reads: what each request carried.
      auto r = client->request_sync("DELETE", sim.rest_url() + "/channels/1/messages/2",
                                    { { "Authorization", "Bot sim-token" },
                                      { "User-Agent", "DiscordBot (test, 1.0)" },
                                      { "X-Audit-Log-Reason", "spam%20cleanup" } });
      CAF_REQUIRE(r);
      auto anonymous = client->request_sync("GET", me, {});
      CAF_REQUIRE(anonymous);
      CAF_CHECK_EQUAL(anonymous->status, 401u);
      auto root = sim.rest_url().substr(0, sim.rest_url().find("/api/"));
      auto log = client->request_sync("GET", root + "/_sim/requests", {});
      CAF_REQUIRE(log);
      CAF_REQUIRE_EQUAL(log->status, 200u);
      simdjson::dom::parser parser;
      simdjson::dom::array entries;
      CAF_REQUIRE(!parser.parse(log->body).get(entries));
      CAF_REQUIRE_GREATER_OR_EQUAL(entries.size(), 2u);
      simdjson::dom::element del = entries.at(entries.size() - 2);
      simdjson::dom::element anon = entries.at(entries.size() - 1);
      std::string method{ del["method"].get_string().value_unsafe() };
      std::string agent{ del["user_agent"].get_string().value_unsafe() };
      std::string reason{ del["audit_log_reason"].get_string().value_unsafe() };
      bool del_auth = del["authorization"].get_bool().value_unsafe();
      bool anon_auth = anon["authorization"].get_bool().value_unsafe();
      uint64_t anon_status = anon["status"].get_uint64().value_unsafe();
      CAF_CHECK_EQUAL(method, "DELETE");
      CAF_CHECK_EQUAL(agent, "DiscordBot (test, 1.0)");
      CAF_CHECK_EQUAL(reason, "spam%20cleanup");
      CAF_CHECK(del_auth);
      CAF_CHECK(!anon_auth);
      CAF_CHECK_EQUAL(anon_status, 401u);
      auto token_at = log->body.find("sim-token");
      // The token itself is never in the log.
      CAF_CHECK_EQUAL(token_at, std::string::npos);
    }
    auto v = sim.verdict_snapshot();
    CAF_CHECK_EQUAL(v.rest_unauthorized, 2u);
    CAF_CHECK_EQUAL(v.rest_rate_limited["user"], 1u);
    CAF_CHECK_EQUAL(v.rest_rate_limited["global"], 1u);
    CAF_CHECK_EQUAL(v.rest_rate_limited["shared"], 1u);
    client.reset();
    io.stop();
  }
}

CAF_TEST(a client close with 1000 ends the session and 4000 keeps it) {
  auto sim = start_sim();
  for (uint16_t code : { 1000, 4000 }) {
    gateway_probe p;
    CAF_REQUIRE(p.start(sim->gateway_url()));
    CAF_REQUIRE(p.wait_ready(2));
    p.client().close(code, "bye");
    auto info = p.wait_closed();
    CAF_REQUIRE(info.has_value());
    CAF_CHECK(info->local);
    CAF_CHECK_EQUAL(info->code, code);
  }
  auto v = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.closes_received[1000], 1u);
  CAF_CHECK_EQUAL(v.closes_received[4000], 1u);
  auto sessions = sim->with_state([](sim::gateway_hub& hub, sim::rest_api&, sim::world&) {
    return hub.session_count();
  });
  CAF_CHECK_EQUAL(sessions, 1u); // only the 4000 one is still resumable
}
