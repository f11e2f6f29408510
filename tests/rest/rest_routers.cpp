// Two rest_routers in one actor system, told of each other as their
// role_finders would: bucket keys are owned by rendezvous hashing of the
// major parameter, calls are forwarded to the owner, the global budget is
// split, and when a router dies the calls forwarded to it fail at once.
// (tests/cluster/rest.cpp runs the same across real node processes.)
#include "actors/rest_router.hpp"

#define CAF_SUITE actors.rest_routers

#include "caf/test/unit_test.hpp"

#include <map>

#include "caf/scoped_actor.hpp"

#include "actors/rest_type_ids.hpp"
#include "actors/type_ids.hpp"
#include "tests/rest/rest_support.hpp"

using namespace spectacles;
using namespace spectacles::actors;
using namespace spectacles::actors::testing;
using namespace std::chrono_literals;

namespace {

rest_stats stats_of(caf::actor_system& sys, const caf::actor& router) {
  caf::scoped_actor self{ sys };
  rest_stats out;
  self->request(router, 5s, caf::get_atom::value, rest_stats_atom::value)
    .receive(
      [&](rest_stats& s) {
        out = s;
      },
      [](caf::error&) {});
  return out;
}

std::vector<planned_call> plan(size_t c, size_t count, size_t channels) {
  std::vector<planned_call> calls;
  for (size_t i = 0; i < count; ++i) {
    auto ch = std::to_string(900000000000000000ull + (i * 7 + c) % channels);
    if (i % 3 == 0)
      calls.push_back({ make_request("GET", "/channels/" + ch + "/messages?limit=1"), ch });
    else
      calls.push_back({ make_request("GET", "/channels/" + ch + "/messages/"
                                              + std::to_string(1000000 * (c + 1) + i)),
                        ch });
  }
  return calls;
}

size_t done_calls(const std::vector<std::shared_ptr<call_log>>& logs) {
  size_t n = 0;
  for (auto& l : logs)
    n += l->size();
  return n;
}

bool is_404(const call_log::entry& e) {
  return !e.result.ok() && e.result.error().what == rest_call_error::kind::http
         && e.result.error().http.http_status == 404;
}

struct two_routers {
  rest_env env;
  caf::actor r1;
  caf::actor r2;

  /// `joined` false: the routers learn of each other only at join().
  /// `token`: the bot token both use (default: the sim's).
  two_routers(unsigned sim_global, size_t cluster_global, bool joined = true,
              std::string token = {})
      : env(sim_options(sim_global)) {
    auto o = env.router_options();
    o.global_per_second = cluster_global;
    if (!token.empty())
      o.token = std::move(token);
    r1 = env.start_router(o);
    r2 = spawn_rest_router(*env.sys, o);
    if (joined)
      join();
  }

  /// Tells each router of the other, as their role_finders would.
  void join() {
    caf::anon_send(r1, caf::put_atom::value, r2);
    caf::anon_send(r2, caf::put_atom::value, r1);
  }

  ~two_routers() {
    caf::anon_send_exit(r2, caf::exit_reason::user_shutdown);
  }

  static sim::simulator_options sim_options(unsigned sim_global) {
    sim::simulator_options so;
    so.limits = fast_limits(250ms, sim_global);
    return so;
  }
};

} // namespace

CAF_TEST(two routers split the keys and the global budget and keep every limit) {
  two_routers t{ 250, 200 };
  auto& sys = *t.env.sys;
  CAF_CHECK_EQUAL(stats_of(sys, t.r1).rest_nodes, 2u);
  CAF_CHECK_EQUAL(stats_of(sys, t.r1).global_share, 100u);
  CAF_CHECK_EQUAL(stats_of(sys, t.r2).global_share, 100u);
  constexpr size_t clients = 4;
  constexpr size_t per_client = 500;
  std::vector<std::shared_ptr<call_log>> logs;
  std::vector<rest_client> rest;
  for (size_t c = 0; c < clients; ++c) {
    rest.emplace_back(sys, c % 2 == 0 ? t.r1 : t.r2, rest_client_options{ 60s });
    logs.push_back(std::make_shared<call_log>());
    fire(sys, rest.back(), plan(c, per_client, 50), logs.back());
  }
  CAF_REQUIRE(wait_for([&] {
    return done_calls(logs) == clients * per_client;
  }));
  size_t ok = 0;
  for (auto& l : logs)
    for (auto& e : l->snapshot())
      ok += is_404(e) ? 1 : 0;
  CAF_CHECK_EQUAL(ok, clients * per_client);
  auto v = t.env.sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.rest_requests, clients * per_client);
  CAF_CHECK_EQUAL(v.rest_exhausted_bucket, 0u);
  CAF_CHECK_EQUAL(v.rest_global_breaches, 0u);
  CAF_CHECK_EQUAL(v.rest_rate_limited.size(), 0u);
  auto s1 = stats_of(sys, t.r1);
  auto s2 = stats_of(sys, t.r2);
  CAF_MESSAGE("r1: " << s1.forwarded << " forwarded, " << s1.buckets << " buckets; r2: "
                     << s2.forwarded << " forwarded, " << s2.buckets << " buckets");
  CAF_CHECK_GREATER(s1.forwarded, 0u);
  CAF_CHECK_GREATER(s2.forwarded, 0u);
  CAF_CHECK_GREATER(s1.buckets, 0u);
  CAF_CHECK_GREATER(s2.buckets, 0u);
  CAF_CHECK_GREATER(s1.merges + s2.merges, 0u);
  // One bucket actor per channel in the whole system (both routes of a
  // channel share one Discord bucket and one owner).
  CAF_CHECK_EQUAL(s1.buckets + s2.buckets, 50u);
}

CAF_TEST(calls forwarded to a router that dies fail at once and new ones go to the survivor) {
  two_routers t{ 100, 40 }; // 20/s each: the calls queue up
  auto& sys = *t.env.sys;
  constexpr size_t total = 400;
  auto log = std::make_shared<call_log>();
  rest_client client{ sys, t.r1, rest_client_options{ 300s } };
  fire(sys, client, plan(0, total, 40), log);
  CAF_REQUIRE(wait_for([&] {
    return log->size() >= 20;
  }));
  CAF_REQUIRE_GREATER(stats_of(sys, t.r1).forwarded, 0u);
  caf::anon_send_exit(t.r2, caf::exit_reason::kill);
  // r1 serves what it owns at 20/s, then at 40/s once the dead router's
  // window has passed; a forwarded call ends at once with router_down.
  CAF_REQUIRE(wait_for(
    [&] {
      return log->size() == total;
    },
    60s));
  std::map<std::string, size_t> outcomes;
  for (auto& e : log->snapshot())
    ++outcomes[is_404(e) ? std::string{ "completed" }
                         : std::string{ to_string(e.result.error().what) }];
  for (auto& [what, n] : outcomes)
    CAF_MESSAGE(what << ": " << n);
  CAF_CHECK_GREATER(outcomes["router_down"], 0u);
  CAF_CHECK_EQUAL(outcomes["completed"] + outcomes["router_down"], total);
  auto s1 = stats_of(sys, t.r1);
  CAF_CHECK_EQUAL(s1.rest_nodes, 1u);
  // The whole budget comes back one window after the death.
  CAF_CHECK(wait_for(
    [&] {
      return stats_of(sys, t.r1).global_share == 40u;
    },
    5s));
  // New calls on every channel: all served by r1 now.
  auto after = std::make_shared<call_log>();
  fire(sys, client, plan(1, 80, 40), after);
  CAF_REQUIRE(wait_for([&] {
    return after->size() == 80;
  }));
  size_t ok = 0;
  for (auto& e : after->snapshot())
    ok += is_404(e) ? 1 : 0;
  CAF_CHECK_EQUAL(ok, 80u);
}

CAF_TEST(a 401 seen by one router stops the token on the other) {
  two_routers t{ 100, 50, true, "not-the-sim-token" };
  auto& env = t.env;
  auto& r1 = t.r1;
  auto& r2 = t.r2;
  auto& sys = *env.sys;
  CAF_REQUIRE(wait_for([&] {
    return stats_of(sys, r1).rest_nodes == 2 && stats_of(sys, r2).rest_nodes == 2;
  }));
  rest_client c1{ sys, r1, rest_client_options{ 30s } };
  rest_client c2{ sys, r2, rest_client_options{ 30s } };
  auto first = c1.request_sync(make_request("GET", "/users/@me"));
  CAF_REQUIRE(!first.ok());
  CAF_CHECK_EQUAL(first.error().http.http_status, 401);
  // Calls through the other router, over channels both of them own: none
  // reaches Discord, each fails at once with token_invalid.
  auto log = std::make_shared<call_log>();
  fire(sys, c2, plan(0, 40, 20), log);
  CAF_REQUIRE(wait_for([&] {
    return log->size() == 40;
  }));
  size_t refused = 0;
  for (auto& e : log->snapshot())
    refused += !e.result.ok() && e.result.error().what == rest_call_error::kind::token_invalid;
  CAF_CHECK_EQUAL(refused, 40u);
  auto v = env.sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.rest_unauthorized, 1u);
  CAF_CHECK_EQUAL(v.rest_requests, 1u);
}

CAF_TEST(a router joining under load takes keys over without breaking a limit or an order) {
  two_routers t{ 100, 40, false }; // below the sim's 100/s: the calls queue up
  auto& env = t.env;
  auto& r1 = t.r1;
  auto& r2 = t.r2;
  auto& sys = *env.sys;
  constexpr size_t total = 300;
  auto log = std::make_shared<call_log>();
  rest_client client{ sys, r1, rest_client_options{ 120s } };
  fire(sys, client, plan(0, total, 30), log);
  CAF_REQUIRE(wait_for([&] {
    return log->size() >= 60;
  }));
  // r2 joins while r1 still holds a queue for every channel; the next calls
  // on the channels r2 now owns go there while r1 drains its queues.
  t.join();
  CAF_REQUIRE(wait_for([&] {
    return stats_of(sys, r1).rest_nodes == 2;
  }));
  // A client of the new router calls the same channels meanwhile.
  constexpr size_t more = 150;
  auto later = std::make_shared<call_log>();
  auto other_log = std::make_shared<call_log>();
  rest_client other{ sys, r2, rest_client_options{ 120s } };
  fire(sys, client, plan(1, more, 30), later);
  fire(sys, other, plan(2, more, 30), other_log);
  CAF_REQUIRE(wait_for(
    [&] {
      return log->size() == total && later->size() == more && other_log->size() == more;
    },
    60s));
  size_t ok = 0;
  for (auto& l : { log, later, other_log })
    for (auto& e : l->snapshot())
      ok += is_404(e) ? 1 : 0;
  CAF_CHECK_EQUAL(ok, total + 2 * more);
  // While r1 drained the channels r2 now owns, r2 sent their calls to r1.
  CAF_CHECK_GREATER(stats_of(sys, r2).forwarded, 0u);
  // Drained, they belong to r2: r1 forwards new calls for them.
  auto last = std::make_shared<call_log>();
  fire(sys, client, plan(3, 60, 30), last);
  CAF_REQUIRE(wait_for([&] {
    return last->size() == 60;
  }));
  for (auto& e : last->snapshot())
    ok += is_404(e) ? 1 : 0;
  CAF_CHECK_EQUAL(ok, total + 2 * more + 60);
  CAF_CHECK_GREATER(stats_of(sys, r1).forwarded, 0u);
  auto v = env.sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.rest_requests, total + 2 * more + 60);
  CAF_CHECK_EQUAL(v.rest_exhausted_bucket, 0u);
  CAF_CHECK_EQUAL(v.rest_global_breaches, 0u);
  CAF_CHECK_EQUAL(v.rest_rate_limited.size(), 0u);
  // Per channel and client (the call numbers' millions), Discord saw the
  // message calls in the order they were made.
  std::map<std::string, uint64_t> last_id;
  size_t out_of_order = 0;
  for (auto& r : env.sim->requests()) {
    auto at = r.path.rfind('/');
    auto channel = r.path.substr(0, at);
    if (channel.find("/messages") == std::string::npos)
      continue; // ".../messages?limit=1" carries no call number
    auto id = std::stoull(r.path.substr(at + 1));
    auto lane = channel + "#" + std::to_string(id / 1000000);
    if (id < last_id[lane])
      ++out_of_order;
    last_id[lane] = id;
  }
  CAF_CHECK_EQUAL(out_of_order, 0u);
}
