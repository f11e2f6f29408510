// The gateway role across real node processes, against the simulator (which
// runs in this test process): 16 shards placed on two gateway nodes with the
// identify queue pacing them, and a gateway node killed with SIGKILL whose
// shards resume on the other node without losing an event.
#define CAF_SUITE cluster.gateway

#include "caf/test/unit_test.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/register_types.hpp"
#include "actors/router_type_ids.hpp"
#include "cluster/node_process.hpp"
#include "cluster/records.hpp"
#include "sim/simulator.hpp"

using namespace std::chrono_literals;
using spectacles::test::eventually;
using spectacles::test::node_process;
using spectacles::test::read_records;

namespace {

constexpr uint32_t total_shards = 16;
constexpr auto window = std::chrono::milliseconds(1000);
// gateway.identify-margin-ms: on top of the window, for the scatter between an
// IDENTIFY leaving its shard and the sim stamping it. Production's 250 ms is
// 5% of Discord's 5 s window; here the window is scaled down to 1 s but the
// scatter is not (under ASan, with another test binary beside this one, the
// sim stamped IDENTIFYs that left a full window apart ~60 ms closer).
constexpr auto margin = std::chrono::milliseconds(150);

struct fixture {
  std::string dir;
  std::unique_ptr<spectacles::sim::simulator> sim;

  fixture() {
    dir = "/tmp/spectacles-gw-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
  }

  ~fixture() {
    if (sim)
      sim->stop();
    std::filesystem::remove_all(dir);
  }

  void start_sim(uint32_t max_concurrency, double events_per_second) {
    spectacles::sim::simulator_options so;
    so.shards = total_shards;
    so.start_limit.max_concurrency = max_concurrency;
    so.world.guilds = 2 * total_shards;
    so.gateway.identify_window = window;
    // The sim timestamps an IDENTIFY when it handles it: with one I/O thread
    // (under ASan) the HELLOs and zstd contexts of 16 new connections held the
    // first IDENTIFY back ~200 ms, so two that left the shards a full window
    // apart were stamped less than one apart. Discord is not that slow.
    so.io_threads = 4;
    so.gateway.events_per_second = events_per_second;
    auto started = spectacles::sim::simulator::start(so);
    if (!started)
      CAF_FAIL("simulator: " << started.error().what());
    sim = std::move(*started);
    // The nodes inherit these, as production nodes read them.
    ::setenv("DISCORD_TOKEN", so.token.c_str(), 1);
    ::setenv("DISCORD_REST_URL", sim->rest_url().c_str(), 1);
  }

  std::vector<std::string> gateway_args(const std::string& name, const std::string& seed) {
    std::vector<std::string> args{ "run",
                                   "--node.name=" + name,
                                   "--node.roles=[\"gateway\"]",
                                   "--cluster.listen=127.0.0.1:0",
                                   "--cluster.insecure-loopback",
                                   "--gateway.compression=zstd-stream",
                                   "--gateway.session-staleness-ms=200" };
    if (!seed.empty())
      args.push_back("--cluster.seeds=[\"" + seed + "\"]");
    return args;
  }

  std::vector<std::string> coordinator_args(const std::string& seed) {
    return { "run",
             "--node.name=coord",
             "--node.roles=[\"coordinator\",\"router\",\"worker\"]",
             "--cluster.listen=127.0.0.1:0",
             "--cluster.insecure-loopback",
             "--cluster.seeds=[\"" + seed + "\"]",
             "--gateway.shards=" + std::to_string(total_shards),
             "--gateway.identify-window-ms=" + std::to_string(window.count()),
             "--gateway.identify-margin-ms=" + std::to_string(margin.count()),
             "--gateway.settle-ms=1500",
             "--router.groups=[\"default\"]",
             "--router.max-queued=1000000",
             "--worker.window=256",
             "--worker.record-file=" + dir + "/coord.jsonl" };
  }

  /// Any node: roles, a seed, the gateway options every test uses, extras.
  std::vector<std::string> node_args(const std::string& name, const std::string& roles,
                                     const std::string& seed, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{ "run",
                                   "--node.name=" + name,
                                   "--node.roles=" + roles,
                                   "--cluster.listen=127.0.0.1:0",
                                   "--cluster.insecure-loopback",
                                   "--gateway.shards=" + std::to_string(total_shards),
                                   "--gateway.identify-window-ms=" + std::to_string(window.count()),
                                   "--gateway.identify-margin-ms=" + std::to_string(margin.count()),
                                   "--gateway.session-staleness-ms=200",
                                   "--gateway.settle-ms=1500" };
    if (!seed.empty())
      args.push_back("--cluster.seeds=[\"" + seed + "\"]");
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::vector<std::string> recorder_extras(const std::string& name) {
    return { "--router.groups=[\"default\"]", "--router.max-queued=1000000", "--worker.window=256",
             "--worker.record-file=" + dir + "/" + name + ".jsonl" };
  }

  /// Shards with at least one READY, by the sim's count.
  uint32_t shards_with_session() {
    uint32_t n = 0;
    for (auto& [shard, tally] : sim->verdict_snapshot().shards)
      if (tally.sessions > 0)
        ++n;
    return n;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_cluster_tests, fixture)

CAF_TEST(16 shards on 2 gateway nodes are paced by the identify queue) {
  for (uint32_t mc : { 4u, 1u }) {
    CAF_MESSAGE("max_concurrency " << mc);
    start_sim(mc, 0);
    node_process gw1{ "gw1", gateway_args("gw1", "") };
    CAF_REQUIRE(gw1.started());
    node_process gw2{ "gw2", gateway_args("gw2", gw1.address()) };
    CAF_REQUIRE(gw2.started());
    node_process coord{ "coord", coordinator_args(gw1.address()) };
    CAF_REQUIRE(coord.started());
    // First and last READY as this test sees them (polled every 20 ms).
    std::optional<std::chrono::steady_clock::time_point> first, last;
    auto all_ready = eventually(
      [&] {
        auto n = shards_with_session();
        auto now = std::chrono::steady_clock::now();
        if (n > 0 && !first)
          first = now;
        if (n == total_shards && !last)
          last = now;
        return n == total_shards;
      },
      std::chrono::seconds(90));
    if (!all_ready)
      CAF_FAIL("only " << shards_with_session() << " shards ready; coordinator log:\n"
                       << coord.log());
    auto v = sim->verdict_snapshot();
    CAF_CHECK_EQUAL(v.identify_pacing_violations, 0u);
    CAF_CHECK_EQUAL(v.identifies, total_shards);
    if (v.identify_pacing_violations > 0 || v.identifies != total_shards) {
      for (auto& note : v.notes)
        CAF_MESSAGE("sim: " << note);
      CAF_MESSAGE("coordinator log:\n" << coord.log());
    }
    // The minimum is one window (plus margin) per round of max_concurrency
    // identifies after the first round; allow one window more.
    auto rounds = total_shards / mc;
    auto spread = std::chrono::duration_cast<std::chrono::milliseconds>(*last - *first);
    auto spacing = window + margin;
    auto bound = spacing * (rounds - 1) + window;
    CAF_MESSAGE("first to last READY: " << spread.count() << " ms (minimum "
                                        << (spacing * (rounds - 1)).count() << " ms, bound "
                                        << bound.count() << " ms)");
    CAF_CHECK_LESS_OR_EQUAL(spread.count(), bound.count());
    CAF_CHECK_GREATER_OR_EQUAL(spread.count(), (spacing * (rounds - 1)).count() - 100);
    coord.signal(SIGTERM);
    gw1.signal(SIGTERM);
    gw2.signal(SIGTERM);
    coord.wait();
    gw1.wait();
    gw2.wait();
    sim->stop();
    sim.reset();
  }
}

CAF_TEST(kill - 9 of a gateway node : its shards resume on the other without a lost event) {
  start_sim(4, 20);
  node_process gw1{ "gw1", gateway_args("gw1", "") };
  CAF_REQUIRE(gw1.started());
  node_process gw2{ "gw2", gateway_args("gw2", gw1.address()) };
  CAF_REQUIRE(gw2.started());
  node_process coord{ "coord", coordinator_args(gw1.address()) };
  CAF_REQUIRE(coord.started());
  if (!eventually(
        [&] {
          return shards_with_session() == total_shards;
        },
        60s))
    CAF_FAIL("shards not ready; coordinator log:\n" << coord.log());
  // A steady stream for a while, then the kill.
  std::this_thread::sleep_for(2s);
  auto before = sim->verdict_snapshot();
  CAF_REQUIRE_EQUAL(before.identifies, total_shards);
  gw2.signal(SIGKILL);
  gw2.wait();
  auto killed_at = std::chrono::steady_clock::now();
  // Balanced placement put half the shards on gw2; all of them resume on gw1.
  auto resumed = eventually(
    [&] {
      return sim->verdict_snapshot().resumes_ok >= before.resumes_ok + total_shards / 2;
    },
    20s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                    - killed_at);
  CAF_MESSAGE("shards of the killed node resumed after " << took.count() << " ms");
  if (!resumed)
    CAF_FAIL("only " << sim->verdict_snapshot().resumes_ok - before.resumes_ok
                     << " resumes; coordinator log:\n"
                     << coord.log() << "\ngw1 log:\n"
                     << gw1.log());
  CAF_CHECK_LESS_OR_EQUAL(took.count(), 15000);
  std::this_thread::sleep_for(1s);
  auto after = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(after.identifies, total_shards); // 0 re-identifies
  CAF_CHECK_EQUAL(after.resumes_wrong_seq, 0u);
  CAF_CHECK_EQUAL(after.resumes_unknown_session, 0u);
  // Every seq the sim had sent by now reaches the record handler.
  std::map<uint32_t, uint64_t> sent;
  for (auto& [shard, tally] : after.shards)
    sent[shard] = tally.last_seq;
  std::map<uint32_t, std::set<uint64_t>> seen;
  auto complete = eventually(
    [&] {
      seen.clear();
      for (auto& r : read_records(dir + "/coord.jsonl"))
        seen[r.shard].insert(r.seq);
      for (auto& [shard, last_seq] : sent)
        for (uint64_t s = 1; s <= last_seq; ++s)
          if (seen[shard].count(s) == 0)
            return false;
      return true;
    },
    30s);
  if (!complete) {
    for (auto& [shard, last_seq] : sent) {
      uint64_t missing = 0;
      for (uint64_t s = 1; s <= last_seq; ++s)
        missing += seen[shard].count(s) == 0 ? 1 : 0;
      if (missing > 0)
        CAF_MESSAGE("shard " << shard << ": " << missing << " of " << last_seq << " missing");
    }
    CAF_FAIL("events lost");
  }
  coord.signal(SIGTERM);
  gw1.signal(SIGTERM);
}

CAF_TEST(a gateway node that joins takes shards by a clean close and a resume) {
  start_sim(16, 20);
  node_process gw1{ "gw1", node_args("gw1", "[\"gateway\"]", "") };
  CAF_REQUIRE(gw1.started());
  node_process coord{ "coord", coordinator_args(gw1.address()) };
  CAF_REQUIRE(coord.started());
  CAF_REQUIRE(eventually(
    [&] {
      return shards_with_session() == total_shards;
    },
    60s));
  auto before = sim->verdict_snapshot();
  node_process gw2{ "gw2", node_args("gw2", "[\"gateway\"]", gw1.address()) };
  CAF_REQUIRE(gw2.started());
  // Balanced: half the shards move; each closes with 4900 (resumable) on gw1
  // first, then resumes on gw2.
  auto moved = eventually(
    [&] {
      return sim->verdict_snapshot().resumes_ok >= before.resumes_ok + total_shards / 2;
    },
    30s);
  if (!moved)
    CAF_FAIL("shards did not move; coordinator log:\n" << coord.log());
  auto after = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(after.identifies, total_shards);
  CAF_CHECK_EQUAL(after.closes_received[4900], total_shards / 2);
  CAF_CHECK_EQUAL(after.closes_received.count(1000), 0u);
  CAF_CHECK_EQUAL(after.resumes_wrong_seq, 0u);
  std::this_thread::sleep_for(1s);
  CAF_CHECK_EQUAL(shards_with_session(), total_shards);
  coord.signal(SIGTERM);
  gw1.signal(SIGTERM);
  gw2.signal(SIGTERM);
}

CAF_TEST(a standby coordinator takes over and still resumes the shards of a dead node) {
  start_sim(16, 20);
  node_process gw1{ "gw1", node_args("gw1", "[\"gateway\"]", "") };
  CAF_REQUIRE(gw1.started());
  node_process gw2{ "gw2", node_args("gw2", "[\"gateway\"]", gw1.address()) };
  CAF_REQUIRE(gw2.started());
  node_process rec{ "rec", node_args("rec", "[\"router\",\"worker\"]", gw1.address(),
                                     recorder_extras("rec")) };
  CAF_REQUIRE(rec.started());
  // c1 sorts first: it leads; c2 keeps a replica of the session store.
  node_process c1{ "c1", node_args("c1", "[\"coordinator\"]", gw1.address()) };
  CAF_REQUIRE(c1.started());
  node_process c2{ "c2", node_args("c2", "[\"coordinator\"]", gw1.address()) };
  CAF_REQUIRE(c2.started());
  if (!eventually(
        [&] {
          return shards_with_session() == total_shards;
        },
        60s))
    CAF_FAIL("shards not ready; c1 log:\n" << c1.log());
  std::this_thread::sleep_for(1s);
  c1.signal(SIGKILL);
  c1.wait();
  CAF_REQUIRE(eventually(
    [&] {
      return c2.log().find("taking over") != std::string::npos;
    },
    10s));
  auto before = sim->verdict_snapshot();
  // The new leader adopted what runs; a gateway node now dies.
  std::this_thread::sleep_for(2s);
  gw2.signal(SIGKILL);
  gw2.wait();
  auto resumed = eventually(
    [&] {
      return sim->verdict_snapshot().resumes_ok >= before.resumes_ok + total_shards / 2;
    },
    20s);
  if (!resumed)
    CAF_FAIL("no resumes after the takeover; c2 log:\n" << c2.log());
  auto after = sim->verdict_snapshot();
  CAF_CHECK_EQUAL(after.identifies, total_shards);
  CAF_CHECK_EQUAL(after.identify_pacing_violations, 0u);
  CAF_CHECK_EQUAL(after.resumes_unknown_session, 0u);
  c2.signal(SIGTERM);
  gw1.signal(SIGTERM);
  rec.signal(SIGTERM);
}

CAF_TEST(a gateway command from another node reaches the shard that owns the guild) {
  start_sim(16, 0);
  node_process gw1{ "gw1", node_args("gw1", "[\"gateway\"]", "") };
  CAF_REQUIRE(gw1.started());
  node_process coord{ "coord", coordinator_args(gw1.address()) };
  CAF_REQUIRE(coord.started());
  CAF_REQUIRE(eventually(
    [&] {
      return shards_with_session() == total_shards;
    },
    60s));
  // This test process joins as a client (like `status` does) and sends op 8
  // through the router on `coord` to the shard on gw1 that owns the guild.
  caf::actor_system_config cfg;
  spectacles::actors::register_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{ cfg };
  auto agent = sys.middleman().remote_actor("127.0.0.1", coord.port());
  CAF_REQUIRE(agent);
  caf::scoped_actor self{ sys };
  caf::actor router;
  self->request(*agent, 5s, spectacles::actors::get_atom::value, std::string{ "router" })
    .receive(
      [&](caf::actor& r) {
        router = r;
      },
      [&](caf::error& err) {
        CAF_FAIL("no router: " << sys.render(err));
      });
  uint64_t guild = 0;
  sim->with_state([&](auto&, auto&, auto& world) {
    guild = world.guild_ids().back();
    return 0;
  });
  spectacles::actors::gateway_command cmd;
  cmd.op = 8;
  cmd.guild_id = guild;
  cmd.data = R"({"guild_id":")" + std::to_string(guild) + R"(","query":"","limit":0})";
  bool sent = false;
  self->request(router, 10s, cmd)
    .receive(
      [&](caf::ok_atom) {
        sent = true;
      },
      [&](caf::error& err) {
        CAF_FAIL("command failed: " << sys.render(err));
      });
  CAF_CHECK(sent);
  // The sim answers with GUILD_MEMBERS_CHUNK on that guild's shard; the
  // record worker sees it.
  auto shard = static_cast<uint32_t>((guild >> 22) % total_shards);
  auto chunk = eventually(
    [&] {
      std::ifstream in{ dir + "/coord.jsonl" };
      std::string line;
      while (std::getline(in, line))
        if (line.find("GUILD_MEMBERS_CHUNK") != std::string::npos
            && line.find("\"shard\":" + std::to_string(shard) + ",") != std::string::npos)
          return true;
      return false;
    },
    10s);
  CAF_CHECK(chunk);
  // An unknown shard is an error, not a hang.
  spectacles::actors::gateway_command bad;
  bad.op = 3;
  bad.shard = 999;
  bad.data = R"({"since":null,"activities":[],"status":"online","afk":false})";
  bool refused = false;
  self->request(router, 10s, bad)
    .receive([&](caf::ok_atom) {},
             [&](caf::error&) {
               refused = true;
             });
  CAF_CHECK(refused);
  coord.signal(SIGTERM);
  gw1.signal(SIGTERM);
}

CAF_TEST_FIXTURE_SCOPE_END()
