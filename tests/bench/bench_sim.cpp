// Throughput against discord-sim on loopback, medians of 3 runs with the
// baseline measured in the same run:
//   - WebSocket receive: dispatch events/s on one connection through
//     net::ws_client, plain JSON (baseline) vs zlib-stream vs zstd-stream
//     (the client inflates every frame, as a shard must);
//   - REST: net::http_client requests/s against the sim (limits lifted), a
//     fresh connection per request (baseline) vs keep-alive.
#include "bench.hpp"

#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "net/ws_client.hpp"
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"
#include "sim/simulator.hpp"

#include <atomic>
#include <cstdio>
#include <future>
#include <string>

using namespace spectacles;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t events_per_run = 50000;

double ws_events_per_second(const std::string& compress) {
  sim::simulator_options o;
  o.gateway.heartbeat_interval = 60000ms;
  o.gateway.events_per_second = 1e9; // as fast as the socket drains
  o.gateway.max_events = events_per_run;
  o.world.guilds = 3;
  auto sim = sim::simulator::start(o);
  if (!sim) {
    std::fprintf(stderr, "sim: %s\n", sim.error().what().c_str());
    return 0;
  }
  net::io_pool io{ 1 };
  net::zlib_inflater zlib;
  net::zstd_inflater zstd;
  uint64_t dispatches = 0;
  std::chrono::steady_clock::time_point t0;
  std::promise<double> result;
  std::shared_ptr<net::ws_client> ws;
  std::string url = (*sim)->gateway_url() + "/?v=10&encoding=json";
  if (!compress.empty())
    url += "&compress=" + compress;
  net::ws_client_options wo;
  wo.url = url;
  auto created = net::ws_client::create(
    io.context(), wo,
    { [&] {
       ws->send(R"({"op":2,"d":{"token":"sim-token","intents":513,"shard":[0,1],)"
                R"("properties":{"os":"linux","browser":"bench","device":"bench"}}})",
                false);
     },
      [&](std::string_view data, bool) {
        std::string_view text = data;
        if (compress == "zlib-stream") {
          auto r = zlib.feed(data);
          if (!r || !*r)
            return;
          text = **r;
        } else if (compress == "zstd-stream") {
          auto r = zstd.feed(data);
          if (!r)
            return;
          text = *r;
        }
        if (text.rfind(R"({"t":")", 0) != 0)
          return;
        // READY and 3 GUILD_CREATEs come first; the clock starts after them.
        if (++dispatches == 4)
          t0 = std::chrono::steady_clock::now();
        if (dispatches == events_per_run + 4)
          result.set_value(static_cast<double>(events_per_run) / bench::seconds_since(t0));
      },
      [&](const net::ws_close_info&) {},
      {} });
  if (!created) {
    std::fprintf(stderr, "ws_client: %s\n", created.error().what().c_str());
    return 0;
  }
  ws = *created;
  ws->connect();
  auto fut = result.get_future();
  if (fut.wait_for(120s) != std::future_status::ready) {
    std::fprintf(stderr, "ws bench (%s) timed out after %llu events\n", compress.c_str(),
                 static_cast<unsigned long long>(dispatches));
    ws->abort();
    return 0;
  }
  double rate = fut.get();
  ws->abort();
  io.stop();
  return rate;
}

double http_requests_per_second(bool keep_alive, size_t n) {
  sim::simulator_options o;
  o.limits.enabled = false;
  auto sim = sim::simulator::start(o);
  if (!sim)
    return 0;
  net::io_pool io{ 1 };
  auto client = net::http_client::create(io.context(), {});
  if (!client)
    return 0;
  auto url = (*sim)->rest_url() + "/users/@me";
  net::http_headers auth{ { "Authorization", "Bot sim-token" } };
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    auto r = (*client)->request_sync("GET", url, auth);
    if (!r || r->status != 200) {
      std::fprintf(stderr, "http bench: request %zu failed\n", i);
      return 0;
    }
    if (!keep_alive)
      (*client)->close_idle();
  }
  double rate = static_cast<double>(n) / bench::seconds_since(t0);
  io.stop();
  return rate;
}

} // namespace

int main() {
  std::vector<double> none, zlib, zstd, fresh, kept;
  for (int rep = 0; rep < 3; ++rep) {
    none.push_back(ws_events_per_second(""));
    zlib.push_back(ws_events_per_second("zlib-stream"));
    zstd.push_back(ws_events_per_second("zstd-stream"));
  }
  auto base = bench::median(none);
  bench::report("sim_ws_receive_json", base, "events/s", {}, 0,
                "one connection, net::ws_client, 50k realistic dispatches");
  bench::report("sim_ws_receive_zlib_stream", bench::median(zlib), "events/s",
                "sim_ws_receive_json", base, "client inflates every frame");
  bench::report("sim_ws_receive_zstd_stream", bench::median(zstd), "events/s",
                "sim_ws_receive_json", base, "client inflates every frame");
  for (int rep = 0; rep < 3; ++rep) {
    fresh.push_back(http_requests_per_second(false, 1000));
    kept.push_back(http_requests_per_second(true, 5000));
  }
  auto fresh_rate = bench::median(fresh);
  bench::report("sim_http_new_connection", fresh_rate, "req/s", {}, 0,
                "GET /users/@me, limits lifted, one request at a time");
  bench::report("sim_http_keep_alive", bench::median(kept), "req/s", "sim_http_new_connection",
                fresh_rate, "same, one pooled keep-alive connection");
  return 0;
}
