#include "sim/simulator.hpp"

#define CAF_SUITE sim.net_clients

#include "caf/test/unit_test.hpp"

#include "net/io_pool.hpp"
#include "net/ws_client.hpp"

#include <condition_variable>
#include <mutex>

using namespace spectacles;
using namespace std::chrono_literals;

namespace {

// Drives net::ws_client against the sim: identifies on open, collects the
// text of every message and the close info.
struct gateway_probe {
  net::io_pool io{ 1 };
  std::shared_ptr<net::ws_client> ws;
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> messages;
  std::optional<net::ws_close_info> closed;

  // Join the I/O thread before the members its callbacks write to go away.
  ~gateway_probe() {
    io.stop();
  }

  bool start(const std::string& url) {
    net::ws_client_options wo;
    wo.url = url + "/?v=10&encoding=json";
    auto created = net::ws_client::create(
      io.context(), wo,
      { [this] {
         ws->send(R"({"op":2,"d":{"token":"sim-token","intents":513,"shard":[0,1],)"
                  R"("properties":{"os":"linux","browser":"t","device":"t"}}})",
                  false);
       },
        [this](std::string_view data, bool) {
          std::lock_guard<std::mutex> guard{ mtx };
          messages.emplace_back(data);
          cv.notify_all();
        },
        [this](const net::ws_close_info& info) {
          std::lock_guard<std::mutex> guard{ mtx };
          closed = info;
          cv.notify_all();
        } });
    if (!created)
      return false;
    ws = *created;
    ws->connect();
    return true;
  }

  bool wait_messages(size_t n) {
    std::unique_lock<std::mutex> guard{ mtx };
    return cv.wait_for(guard, 5s, [&] {
      return messages.size() >= n;
    });
  }

  std::optional<net::ws_close_info> wait_closed() {
    std::unique_lock<std::mutex> guard{ mtx };
    cv.wait_for(guard, 5s, [&] {
      return closed.has_value();
    });
    return closed;
  }
};

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

} // namespace

CAF_TEST(net ws_client surfaces the close code of an injected close) {
  auto sim = start_sim();
  gateway_probe p;
  CAF_REQUIRE(p.start(sim->gateway_url()));
  CAF_REQUIRE(p.wait_messages(4)); // HELLO, READY, 2 GUILD_CREATE
  sim->faults().add_text("close:4000@shard:0");
  auto info = p.wait_closed();
  CAF_REQUIRE(info.has_value());
  CAF_CHECK_EQUAL(info->code, 4000u);
  CAF_CHECK(info->clean);
}

CAF_TEST(net ws_client tells a dropped connection apart) {
  auto sim = start_sim();
  gateway_probe p;
  CAF_REQUIRE(p.start(sim->gateway_url()));
  CAF_REQUIRE(p.wait_messages(4));
  sim->faults().add_text("drop@shard:0");
  auto info = p.wait_closed();
  CAF_REQUIRE(info.has_value());
  CAF_CHECK(!info->clean);
  CAF_CHECK_EQUAL(info->code, 0u);
  CAF_REQUIRE(info->err.has_value());
  CAF_CHECK(info->err->code == net::errc::closed);
}

CAF_TEST(a client close with 1000 ends the session and 4000 keeps it) {
  auto sim = start_sim();
  for (uint16_t code : { 1000, 4000 }) {
    gateway_probe p;
    CAF_REQUIRE(p.start(sim->gateway_url()));
    CAF_REQUIRE(p.wait_messages(4));
    p.ws->close(code, "bye");
    CAF_REQUIRE(p.wait_closed().has_value());
  }
  auto v = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.closes_received[1000], 1u);
  CAF_CHECK_EQUAL(v.closes_received[4000], 1u);
  auto sessions = sim->with_state([](sim::gateway_hub& hub, sim::rest_api&, sim::world&) {
    return hub.session_count();
  });
  CAF_CHECK_EQUAL(sessions, 1u); // only the 4000 one is still resumable
}
