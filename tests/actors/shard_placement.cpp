#include "actors/shard_placement.hpp"

#define CAF_SUITE actors.shard_placement
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <random>
#include <set>

using namespace spectacles::actors;

namespace {

void check_balanced(const shard_placement& p) {
  if (p.nodes().empty())
    return;
  size_t lo = SIZE_MAX, hi = 0;
  for (auto& n : p.nodes()) {
    auto k = p.shards_of(n).size();
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  CAF_CHECK_LESS_OR_EQUAL(hi - lo, 1u);
  for (uint32_t s = 0; s < p.total_shards(); ++s)
    CAF_CHECK(std::binary_search(p.nodes().begin(), p.nodes().end(), p.owner(s)));
}

} // namespace

CAF_TEST(consecutive ranges and round robin layouts) {
  shard_placement c(16, placement_strategy::consecutive);
  auto moves = c.assign({ "gw-2", "gw-1" });
  CAF_CHECK_EQUAL(moves.size(), 16u);
  for (auto& m : moves)
    CAF_CHECK(m.from.empty());
  CAF_CHECK_EQUAL(c.shards_of("gw-1"), (std::vector<uint32_t>{ 0, 1, 2, 3, 4, 5, 6, 7 }));
  CAF_CHECK_EQUAL(c.shards_of("gw-2"), (std::vector<uint32_t>{ 8, 9, 10, 11, 12, 13, 14, 15 }));
  shard_placement b(16, placement_strategy::balanced);
  b.assign({ "gw-1", "gw-2", "gw-3" });
  CAF_CHECK_EQUAL(b.shards_of("gw-1"), (std::vector<uint32_t>{ 0, 3, 6, 9, 12, 15 }));
  CAF_CHECK_EQUAL(b.shards_of("gw-2"), (std::vector<uint32_t>{ 1, 4, 7, 10, 13 }));
  check_balanced(b);
  shard_placement uneven(10, placement_strategy::consecutive);
  uneven.assign({ "a", "b", "c" });
  check_balanced(uneven);
  CAF_CHECK_EQUAL(uneven.shards_of("a"), (std::vector<uint32_t>{ 0, 1, 2, 3 }));
}

CAF_TEST(a joining node takes the fewest shards and only from live nodes) {
  shard_placement p(16, placement_strategy::consecutive);
  p.assign({ "gw-1", "gw-2" });
  auto moves = p.node_joined("gw-3");
  CAF_CHECK_EQUAL(moves.size(), 5u); // 16 / 3 = 5: fewer cannot balance
  std::set<uint32_t> moved;
  for (auto& m : moves) {
    CAF_CHECK_EQUAL(m.to, "gw-3");
    CAF_CHECK(m.from == "gw-1" || m.from == "gw-2");
    moved.insert(m.shard);
  }
  CAF_CHECK_EQUAL(moved.size(), 5u); // each shard moves once
  check_balanced(p);
  // Donors give their highest shards, so their ranges stay contiguous.
  CAF_CHECK_EQUAL(p.shards_of("gw-1"), (std::vector<uint32_t>{ 0, 1, 2, 3, 4 }));
  CAF_CHECK_EQUAL(p.shards_of("gw-2"), (std::vector<uint32_t>{ 8, 9, 10, 11, 12, 13 }));
  CAF_CHECK(p.node_joined("gw-3").empty()); // already known
}

CAF_TEST(the shards of a dead node go to the survivors) {
  shard_placement p(16, placement_strategy::balanced);
  p.assign({ "gw-1", "gw-2", "gw-3" });
  auto before = p.shards_of("gw-2");
  auto moves = p.node_left("gw-2");
  CAF_CHECK_EQUAL(moves.size(), before.size());
  for (auto& m : moves) {
    CAF_CHECK_EQUAL(m.from, "gw-2");
    CAF_CHECK(m.to == "gw-1" || m.to == "gw-3");
  }
  check_balanced(p);
  CAF_CHECK(p.shards_of("gw-2").empty());
  CAF_CHECK(p.node_left("gw-2").empty());
}

CAF_TEST(the last node leaving orphans every shard and the next one takes them) {
  shard_placement p(4, placement_strategy::balanced);
  p.node_joined("gw-1");
  auto moves = p.node_left("gw-1");
  CAF_CHECK_EQUAL(moves.size(), 4u);
  for (auto& m : moves)
    CAF_CHECK(m.to.empty());
  auto back = p.node_joined("gw-9");
  CAF_CHECK_EQUAL(back.size(), 4u);
  for (auto& m : back) {
    CAF_CHECK(m.from.empty());
    CAF_CHECK_EQUAL(m.to, "gw-9");
  }
}

CAF_TEST(random joins and leaves stay balanced with minimal moves) {
  std::mt19937 rng(7);
  for (auto strategy : { placement_strategy::consecutive, placement_strategy::balanced }) {
    shard_placement p(37, strategy);
    std::vector<std::string> live;
    int next = 0;
    for (int step = 0; step < 300; ++step) {
      bool join = live.size() < 2 || (live.size() < 9 && rng() % 2 == 0);
      if (join) {
        auto name = "n" + std::to_string(next++);
        auto moves = p.node_joined(name);
        live.push_back(name);
        // Only the new node receives, and it receives just what balance needs.
        for (auto& m : moves)
          CAF_CHECK_EQUAL(m.to, name);
        if (live.size() > 1)
          CAF_CHECK_EQUAL(moves.size(), 37u / live.size());
      } else {
        auto victim = live[rng() % live.size()];
        auto had = p.shards_of(victim).size();
        auto moves = p.node_left(victim);
        live.erase(std::find(live.begin(), live.end(), victim));
        CAF_CHECK_EQUAL(moves.size(), had);
        for (auto& m : moves)
          CAF_CHECK_NOT_EQUAL(m.from, m.to);
      }
      check_balanced(p);
    }
  }
}
