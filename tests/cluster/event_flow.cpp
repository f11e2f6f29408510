// Events through real processes: a router+producer node and two worker nodes
// with the record handler. Kill -9 a worker node mid-stream, restart worker
// nodes one after the other: nothing is lost, duplicates are only
// redeliveries (none at all for a clean stop), and every worker sees each
// guild's events in seq order.
#define CAF_SUITE cluster.event_flow

#include "caf/test/unit_test.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "cluster/node_process.hpp"
#include "cluster/records.hpp"

using namespace std::chrono_literals;
using spectacles::test::eventually;
using spectacles::test::node_process;
using spectacles::test::read_records;
using spectacles::test::record;

namespace {

struct fixture {
  std::string dir;
  uint32_t shards = 4;

  fixture() {
    dir = "/tmp/spectacles-flow-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
  }

  ~fixture() {
    std::filesystem::remove_all(dir);
  }

  std::vector<std::string> router_args(uint64_t total, uint64_t rate) {
    return { "run",
             "--node.name=router",
             "--node.roles=[\"router\",\"producer\"]",
             "--cluster.listen=127.0.0.1:0",
             "--cluster.insecure-loopback",
             "--router.groups=[\"default\"]",
             "--router.max-queued=1000000",
             "--producer.shards=" + std::to_string(shards),
             "--producer.guilds-per-shard=16",
             "--producer.total=" + std::to_string(total),
             "--producer.rate=" + std::to_string(rate) };
  }

  std::vector<std::string> worker_args(const std::string& name, const std::string& seed) {
    return { "run",
             "--node.name=" + name,
             "--node.roles=[\"worker\"]",
             "--cluster.listen=127.0.0.1:0",
             "--cluster.insecure-loopback",
             "--cluster.seeds=[\"" + seed + "\"]",
             "--worker.window=64",
             "--worker.record-file=" + dir + "/" + name + ".jsonl" };
  }

  // A worker node stopped with SIGTERM exits with status 0.
  void stopped_cleanly(node_process& node) {
    auto status = node.wait();
    CAF_CHECK_EQUAL(status, 0);
    if (status != 0)
      CAF_MESSAGE("worker log:\n" << node.log());
  }

  std::vector<record> all_records(const std::vector<std::string>& names) {
    std::vector<record> out;
    for (auto& n : names) {
      auto rs = read_records(dir + "/" + n + ".jsonl");
      out.insert(out.end(), rs.begin(), rs.end());
    }
    return out;
  }

  size_t distinct(const std::vector<record>& rs) {
    std::set<std::pair<uint32_t, uint64_t>> keys;
    for (auto& r : rs)
      keys.emplace(r.shard, r.seq);
    return keys.size();
  }

  // Every (shard, seq) of `total` events present; duplicates only as
  // redeliveries; per worker, each guild's seqs strictly increase. Returns
  // the number of redeliveries.
  uint64_t check_delivery(const std::vector<std::string>& names, uint64_t total) {
    auto rs = all_records(names);
    std::map<std::pair<uint32_t, uint64_t>, std::pair<int, int>> seen; // first, redelivered
    for (auto& r : rs) {
      auto& [first, again] = seen[{ r.shard, r.seq }];
      (r.redelivered ? again : first)++;
    }
    uint64_t missing = 0;
    for (uint64_t n = 0; n < total; ++n)
      if (seen.count({ static_cast<uint32_t>(n % shards), n / shards + 1 }) == 0)
        ++missing;
    CAF_CHECK_EQUAL(missing, 0u);
    uint64_t bad_duplicates = 0;
    uint64_t redeliveries = 0;
    for (auto& [key, counts] : seen) {
      if (counts.first > 1)
        ++bad_duplicates;
      redeliveries += static_cast<uint64_t>(counts.second);
    }
    CAF_CHECK_EQUAL(bad_duplicates, 0u);
    CAF_MESSAGE(rs.size() << " records, " << seen.size() << " distinct events, " << redeliveries
                          << " redeliveries");
    std::map<std::tuple<std::string, uint64_t>, uint64_t> last_seq;
    uint64_t out_of_order = 0;
    for (auto& r : rs) {
      auto& last = last_seq[{ r.worker, r.guild }];
      if (r.seq <= last && ++out_of_order <= 5)
        CAF_MESSAGE("out of order at " << r.worker << ", guild " << r.guild << ": seq " << r.seq
                                       << (r.redelivered ? " (redelivered)" : "") << " after "
                                       << last);
      last = r.seq;
    }
    CAF_CHECK_EQUAL(out_of_order, 0u);
    return redeliveries;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(event_flow_tests, fixture)

CAF_TEST(100000 events survive kill - 9 of a worker node mid - stream) {
  constexpr uint64_t total = 100'000;
  node_process router{ "router", router_args(total, 20'000) };
  CAF_REQUIRE(router.started());
  node_process w1{ "w1", worker_args("w1", router.address()) };
  auto w2 = std::make_unique<node_process>("w2", worker_args("w2", router.address()));
  CAF_REQUIRE(w1.started() && w2->started());
  // Let both take a share, then kill one without warning.
  CAF_REQUIRE(eventually(
    [&] {
      return read_records(dir + "/w2.jsonl").size() > 10'000;
    },
    30s));
  w2->signal(SIGKILL);
  w2->wait();
  CAF_CHECK(eventually(
    [&] {
      return distinct(all_records({ "w1", "w2" })) == total;
    },
    60s));
  check_delivery({ "w1", "w2" }, total);
  if (distinct(all_records({ "w1", "w2" })) != total)
    CAF_MESSAGE("router log:\n" << router.log());
}

CAF_TEST(a rolling restart of both worker nodes loses nothing) {
  constexpr uint64_t total = 60'000;
  node_process router{ "router", router_args(total, 10'000) };
  CAF_REQUIRE(router.started());
  auto w1 = std::make_unique<node_process>("w1", worker_args("w1", router.address()));
  auto w2 = std::make_unique<node_process>("w2", worker_args("w2", router.address()));
  CAF_REQUIRE(eventually(
    [&] {
      return distinct(all_records({ "w1", "w2" })) > 5'000;
    },
    30s));
  // Update w1: stop it cleanly, start the new version, then the same for w2.
  w1->signal(SIGTERM);
  stopped_cleanly(*w1);
  w1 = std::make_unique<node_process>("w1b", worker_args("w1b", router.address()));
  CAF_REQUIRE(w1->started());
  CAF_REQUIRE(eventually(
    [&] {
      return read_records(dir + "/w1b.jsonl").size() > 2'000;
    },
    30s));
  w2->signal(SIGTERM);
  stopped_cleanly(*w2);
  w2 = std::make_unique<node_process>("w2b", worker_args("w2b", router.address()));
  CAF_REQUIRE(w2->started());
  std::vector<std::string> names{ "w1", "w2", "w1b", "w2b" };
  CAF_CHECK(eventually(
    [&] {
      return distinct(all_records(names)) == total;
    },
    60s));
  // A stopped worker drains (handles and acks what it holds, then leaves):
  // nothing needs redelivering.
  CAF_CHECK_EQUAL(check_delivery(names, total), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
