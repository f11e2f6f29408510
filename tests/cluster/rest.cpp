// The REST role on two real node processes against the simulator (which
// runs in this test process): bucket ownership spread by rendezvous hashing,
// calls forwarded to the owning node, the global budget split between the
// two, and a REST node killed with SIGKILL in the middle of the load.
//
// The load comes from this test process, which joins the cluster as a client
// node (like `status` does): it asks each REST node's agent for its "rest"
// actor and runs rest_client calls from actors here, half of the clients on
// each REST node, so both forward to each other.
#define CAF_SUITE cluster.rest

#include "caf/test/unit_test.hpp"

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/rest_type_ids.hpp"
#include "actors/type_ids.hpp"
#include "cluster/node_process.hpp"
#include "tests/rest/rest_support.hpp"

using namespace std::chrono_literals;
using namespace spectacles::actors;
using namespace spectacles::actors::testing;
using spectacles::test::eventually;
using spectacles::test::node_process;

namespace {

struct client_config : caf::actor_system_config {
  client_config() {
    register_types(*this);
    load<caf::io::middleman>();
    set("scheduler.max-threads", size_t{ 2 });
    // Nodes drop a peer that is silent for 1.5 s (node_config): this client
    // sends all its calls at once and then only listens, so it must beat.
    set("middleman.heartbeat-interval", caf::timespan{ std::chrono::milliseconds(250) });
  }
};

std::string channel_id(size_t i) {
  return std::to_string(900000000000000000ull + i);
}

struct fixture {
  std::unique_ptr<spectacles::sim::simulator> sim;

  ~fixture() {
    if (sim)
      sim->stop();
  }

  void start_sim(unsigned sim_global_per_second) {
    spectacles::sim::simulator_options so;
    so.limits = fast_limits(250ms, sim_global_per_second);
    auto started = spectacles::sim::simulator::start(so);
    if (!started)
      CAF_FAIL("simulator: " << started.error().what());
    sim = std::move(*started);
    ::setenv("DISCORD_TOKEN", so.token.c_str(), 1);
    ::setenv("DISCORD_REST_URL", sim->rest_url().c_str(), 1);
  }

  static std::vector<std::string> rest_args(const std::string& name, const std::string& seed,
                                            unsigned global_limit) {
    std::vector<std::string> args{ "run",
                                   "--node.name=" + name,
                                   "--node.roles=[\"rest\"]",
                                   "--cluster.listen=127.0.0.1:0",
                                   "--cluster.insecure-loopback",
                                   "--rest.global-limit=" + std::to_string(global_limit) };
    if (!seed.empty())
      args.push_back("--cluster.seeds=[\"" + seed + "\"]");
    return args;
  }
};

/// The rest actor of the node at `port`, asked of its agent (retried while
/// the role is still starting).
caf::actor rest_router_of(caf::actor_system& sys, uint16_t port) {
  auto agent = sys.middleman().remote_actor("127.0.0.1", port);
  if (!agent)
    return {};
  caf::actor out;
  eventually(
    [&] {
      caf::scoped_actor self{ sys };
      self->request(*agent, 5s, get_atom::value, std::string{ "rest" })
        .receive(
          [&](caf::actor& r) {
            out = r;
          },
          [](caf::error&) {});
      return static_cast<bool>(out);
    },
    20s);
  return out;
}

rest_stats stats_of(caf::actor_system& sys, const caf::actor& router) {
  caf::scoped_actor self{ sys };
  rest_stats out;
  self->request(router, 5s, get_atom::value, rest_stats_atom::value)
    .receive(
      [&](rest_stats& s) {
        out = s;
      },
      [](caf::error&) {});
  return out;
}

size_t done_calls(const std::vector<std::shared_ptr<call_log>>& logs) {
  size_t n = 0;
  for (auto& l : logs)
    n += l->size();
  return n;
}

/// Calls of client `c`: GET one message (id = 1000000 * (c + 1) + i, so the
/// sim's log shows each client's order per channel) and, every third call,
/// GET the message list; both routes of a channel share one bucket in the
/// sim, as in Discord.
std::vector<planned_call> plan(size_t c, size_t count, size_t channels, uint32_t timeout_ms) {
  std::vector<planned_call> calls;
  for (size_t i = 0; i < count; ++i) {
    auto ch = channel_id((i * 7 + c) % channels);
    auto req = i % 3 == 0 ? make_request("GET", "/channels/" + ch + "/messages?limit=1")
                          : make_request("GET", "/channels/" + ch + "/messages/"
                                                  + std::to_string(1000000 * (c + 1) + i));
    req.timeout_ms = timeout_ms;
    calls.push_back({ std::move(req), ch });
  }
  return calls;
}

/// The end of a node's log, for failure messages.
std::string log_tail(const node_process& p, size_t bytes = 6000) {
  auto text = p.log();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

bool is_404(const call_log::entry& e) {
  return !e.result.ok() && e.result.error().what == rest_call_error::kind::http
         && e.result.error().http.http_status == 404;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(rest_cluster_tests, fixture)

CAF_TEST(10000 calls over 500 routes through 2 REST nodes keep every limit and the order) {
  // The sim's windows are 250 ms and its global limit 500/s (Discord: 5 s
  // windows, 50/s) so that 10,000 calls take seconds, not minutes; the
  // cluster's budget is 400/s, 200/s per REST node. The margin covers the
  // clocks of three processes seeing one send at slightly different times.
  constexpr unsigned sim_global = 500;
  constexpr unsigned cluster_global = 400;
  constexpr size_t clients = 4;
  constexpr size_t per_client = 2500;
  constexpr size_t channels = 250; // x 2 routes = 500 rate-limit keys
  start_sim(sim_global);
  node_process rest1{ "rest1", rest_args("rest1", "", cluster_global) };
  CAF_REQUIRE(rest1.started());
  node_process rest2{ "rest2", rest_args("rest2", rest1.address(), cluster_global) };
  CAF_REQUIRE(rest2.started());
  client_config cfg;
  // Gone before the nodes stop (shutting a system down while its peers
  // close their links under it left CAF's BASP broker leaked).
  auto sys_ptr = std::make_unique<caf::actor_system>(cfg);
  auto& sys = *sys_ptr;
  auto r1 = rest_router_of(sys, rest1.port());
  auto r2 = rest_router_of(sys, rest2.port());
  CAF_REQUIRE(r1);
  CAF_REQUIRE(r2);
  // Both routers know both before the load starts.
  if (!eventually(
        [&] {
          return stats_of(sys, r1).rest_nodes == 2 && stats_of(sys, r2).rest_nodes == 2;
        },
        20s))
    CAF_FAIL("the REST nodes did not find each other; rest1 log:\n" << rest1.log());
  CAF_CHECK_EQUAL(stats_of(sys, r1).global_share, cluster_global / 2);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<call_log>> logs;
  {
    std::vector<rest_client> rest;
    for (size_t c = 0; c < clients; ++c) {
      rest.emplace_back(sys, c % 2 == 0 ? r1 : r2, rest_client_options{ 120s });
      logs.push_back(std::make_shared<call_log>());
      fire(sys, rest.back(), plan(c, per_client, channels, 120000), logs.back());
    }
    if (!eventually(
          [&] {
            return done_calls(logs) == clients * per_client;
          },
          180s))
      CAF_FAIL("only " << done_calls(logs) << " calls done; rest1 log:\n"
                       << rest1.log() << "\nrest2 log:\n"
                       << rest2.log());
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                    - started);
  CAF_MESSAGE(clients * per_client << " calls in " << took.count() << " ms");
  size_t not_404 = 0;
  for (auto& l : logs)
    for (auto& e : l->snapshot())
      if (!is_404(e)) {
        if (not_404++ < 5)
          CAF_MESSAGE("unexpected result: " << (e.result.ok() ? std::string{ "2xx" }
                                                              : e.result.error().describe()));
      }
  CAF_CHECK_EQUAL(not_404, 0u); // unknown channels: the sim answers 404
  if (not_404 != 0)
    CAF_MESSAGE("rest1 log:\n" << log_tail(rest1) << "\nrest2 log:\n" << log_tail(rest2));
  auto v = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.rest_requests, clients * per_client);
  CAF_CHECK_EQUAL(v.rest_exhausted_bucket, 0u);
  CAF_CHECK_EQUAL(v.rest_global_breaches, 0u);
  CAF_CHECK_EQUAL(v.rest_rate_limited.size(), 0u); // no 429 of any scope
  for (auto& note : v.notes)
    CAF_MESSAGE("sim note: " << note);
  // Order per bucket: one client's message ids on one channel reach the sim
  // in the order the client made its calls.
  std::map<std::string, uint64_t> last; // channel + client -> last id seen
  size_t out_of_order = 0;
  size_t ordered = 0;
  for (auto& rec : sim->requests()) {
    auto pos = rec.path.rfind('/');
    auto tail = rec.path.substr(pos + 1);
    if (tail == "messages")
      continue;
    auto id = std::stoull(tail);
    auto key = rec.path.substr(0, pos) + "#" + std::to_string(id / 1000000);
    if (last[key] > id)
      ++out_of_order;
    last[key] = id;
    ++ordered;
  }
  CAF_CHECK_GREATER(ordered, clients * per_client / 2);
  CAF_CHECK_EQUAL(out_of_order, 0u);
  auto s1 = stats_of(sys, r1);
  auto s2 = stats_of(sys, r2);
  CAF_MESSAGE("rest1: " << s1.requests << " calls, " << s1.forwarded << " forwarded, " << s1.buckets
                        << " buckets, " << s1.merges << " merges");
  CAF_MESSAGE("rest2: " << s2.requests << " calls, " << s2.forwarded << " forwarded, " << s2.buckets
                        << " buckets, " << s2.merges << " merges");
  // Both own part of the keys and forward the rest to the other.
  CAF_CHECK_GREATER(s1.forwarded, 0u);
  CAF_CHECK_GREATER(s2.forwarded, 0u);
  CAF_CHECK_GREATER(s1.buckets, 0u);
  CAF_CHECK_GREATER(s2.buckets, 0u);
  // The shared buckets were learned (on whichever node owns the channel).
  CAF_CHECK_GREATER(s1.merges + s2.merges, 0u);
  CAF_CHECK_EQUAL(s1.unexpected_429 + s2.unexpected_429, 0u);
  r1 = r2 = nullptr;
  sys_ptr.reset();
  rest1.signal(SIGTERM);
  rest2.signal(SIGTERM);
  rest1.wait();
  rest2.wait();
}

CAF_TEST(a REST node killed mid - load : every call completes or fails at once) {
  constexpr unsigned sim_global = 100;
  constexpr unsigned cluster_global = 80; // 40/s per node: the load lasts long enough
  constexpr size_t clients = 4;
  constexpr size_t per_client = 500;
  constexpr size_t channels = 100;
  start_sim(sim_global);
  node_process rest1{ "rest1", rest_args("rest1", "", cluster_global) };
  CAF_REQUIRE(rest1.started());
  node_process rest2{ "rest2", rest_args("rest2", rest1.address(), cluster_global) };
  CAF_REQUIRE(rest2.started());
  client_config cfg;
  // Gone before the nodes stop (shutting a system down while its peers
  // close their links under it left CAF's BASP broker leaked).
  auto sys_ptr = std::make_unique<caf::actor_system>(cfg);
  auto& sys = *sys_ptr;
  auto r1 = rest_router_of(sys, rest1.port());
  auto r2 = rest_router_of(sys, rest2.port());
  CAF_REQUIRE(r1);
  CAF_REQUIRE(r2);
  CAF_REQUIRE(eventually(
    [&] {
      return stats_of(sys, r1).rest_nodes == 2 && stats_of(sys, r2).rest_nodes == 2;
    },
    20s));
  std::vector<std::shared_ptr<call_log>> logs;
  {
    std::vector<rest_client> rest;
    // Deadlines far beyond the bound below: a call that ends in time did not
    // end by its deadline.
    for (size_t c = 0; c < clients; ++c) {
      rest.emplace_back(sys, c % 2 == 0 ? r1 : r2, rest_client_options{ 300s });
      logs.push_back(std::make_shared<call_log>());
      fire(sys, rest.back(), plan(c, per_client, channels, 300000), logs.back());
    }
    CAF_REQUIRE(eventually(
      [&] {
        return done_calls(logs) >= clients * per_client / 4;
      },
      120s));
    auto before = done_calls(logs);
    rest2.signal(SIGKILL);
    rest2.wait();
    auto killed_at = std::chrono::steady_clock::now();
    CAF_MESSAGE(before << " of " << clients * per_client << " calls done when rest2 died");
    // rest1 alone: what it still owns at 40/s, then everything at 80/s. The
    // bound is far below the calls' deadline.
    auto all_done = eventually(
      [&] {
        return done_calls(logs) == clients * per_client;
      },
      60s);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
    if (!all_done)
      CAF_FAIL(clients * per_client - done_calls(logs)
               << " calls still outstanding " << took.count() << " ms after the kill; rest1 log:\n"
               << rest1.log());
    CAF_MESSAGE("the last call ended " << took.count() << " ms after the kill");
    std::map<std::string, size_t> outcomes;
    for (auto& l : logs)
      for (auto& e : l->snapshot())
        ++outcomes[is_404(e) ? std::string{ "completed" }
                             : std::string{ to_string(e.result.error().what) }];
    for (auto& [what, n] : outcomes)
      CAF_MESSAGE(what << ": " << n);
    // Completed at Discord or failed because their REST node died; never a
    // deadline, never anything else.
    CAF_CHECK_EQUAL(outcomes["completed"] + outcomes["router_down"], clients * per_client);
    CAF_CHECK_GREATER(outcomes["router_down"], 0u);
    CAF_CHECK_EQUAL(outcomes["deadline"], 0u);
  }
  // New calls, on every channel, are served by the survivor (the new owner
  // of rest2's keys).
  auto s1 = stats_of(sys, r1);
  CAF_CHECK_EQUAL(s1.rest_nodes, 1u);
  auto after = std::make_shared<call_log>();
  {
    rest_client rest{ sys, r1, rest_client_options{ 60s } };
    fire(sys, rest, plan(0, 2 * channels, channels, 60000), after);
    CAF_REQUIRE(eventually(
      [&] {
        return after->size() == 2 * channels;
      },
      60s));
  }
  size_t ok = 0;
  for (auto& e : after->snapshot())
    ok += is_404(e) ? 1 : 0;
  CAF_CHECK_EQUAL(ok, 2 * channels);
  auto v = sim->verdict_snapshot();
  CAF_MESSAGE("sim: " << v.rest_requests << " requests, " << v.rest_exhausted_bucket
                      << " into an exhausted bucket, " << v.rest_global_breaches
                      << " global breaches");
  CAF_CHECK_EQUAL(v.rest_global_breaches, 0u);
  r1 = r2 = nullptr;
  sys_ptr.reset();
  rest1.signal(SIGTERM);
  rest1.wait();
}

CAF_TEST_FIXTURE_SCOPE_END()
