#include "actors/shard_placement.hpp"

#include <algorithm>

namespace spectacles::actors {

shard_placement::shard_placement(uint32_t total_shards, placement_strategy strategy)
    : strategy_(strategy), owner_(total_shards) {}

size_t shard_placement::load(const std::string& node) const {
  return static_cast<size_t>(std::count(owner_.begin(), owner_.end(), node));
}

std::vector<uint32_t> shard_placement::shards_of(const std::string& node) const {
  std::vector<uint32_t> out;
  for (uint32_t s = 0; s < owner_.size(); ++s)
    if (owner_[s] == node)
      out.push_back(s);
  return out;
}

void shard_placement::move(uint32_t shard, const std::string& to, std::vector<shard_move>& moves) {
  // A shard that moves twice in one plan (orphan -> A -> B) is reported once.
  auto it = std::find_if(moves.begin(), moves.end(), [&](const shard_move& m) {
    return m.shard == shard;
  });
  if (it == moves.end())
    moves.push_back(shard_move{ shard, owner_[shard], to });
  else if (it->from == to)
    moves.erase(it);
  else
    it->to = to;
  owner_[shard] = to;
}

std::vector<shard_move> shard_placement::assign(std::vector<std::string> nodes) {
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  nodes_ = std::move(nodes);
  std::vector<shard_move> moves;
  auto total = static_cast<uint32_t>(owner_.size());
  auto n = static_cast<uint32_t>(nodes_.size());
  for (uint32_t s = 0; s < total; ++s) {
    std::string to;
    if (n > 0) {
      // consecutive: node k holds [k*total/n, (k+1)*total/n)
      auto k = strategy_ == placement_strategy::consecutive
                 ? static_cast<uint32_t>(uint64_t{ s } * n / total)
                 : s % n;
      to = nodes_[k];
    }
    if (owner_[s] != to)
      move(s, to, moves);
  }
  return moves;
}

void shard_placement::place_orphans(std::vector<shard_move>& moves) {
  if (nodes_.empty())
    return;
  for (uint32_t s = 0; s < owner_.size(); ++s) {
    if (!owner_[s].empty())
      continue;
    // Least loaded first; ties go to the first node in name order.
    auto target = *std::min_element(nodes_.begin(), nodes_.end(),
                                    [&](const std::string& a, const std::string& b) {
                                      return load(a) < load(b);
                                    });
    move(s, target, moves);
  }
}

void shard_placement::even_out(std::vector<shard_move>& moves) {
  if (nodes_.size() < 2)
    return;
  for (;;) {
    auto by_load = [&](const std::string& a, const std::string& b) {
      return load(a) < load(b);
    };
    auto lightest = *std::min_element(nodes_.begin(), nodes_.end(), by_load);
    auto heaviest = *std::max_element(nodes_.begin(), nodes_.end(), by_load);
    if (load(heaviest) <= load(lightest) + 1)
      return;
    // The donor gives its highest shard, so a contiguous range stays contiguous.
    auto donated = shards_of(heaviest).back();
    move(donated, lightest, moves);
  }
}

std::vector<shard_move> shard_placement::node_joined(const std::string& node) {
  std::vector<shard_move> moves;
  if (std::binary_search(nodes_.begin(), nodes_.end(), node))
    return moves;
  nodes_.insert(std::lower_bound(nodes_.begin(), nodes_.end(), node), node);
  place_orphans(moves);
  even_out(moves);
  std::sort(moves.begin(), moves.end(), [](const shard_move& a, const shard_move& b) {
    return a.shard < b.shard;
  });
  return moves;
}

void shard_placement::adopt(uint32_t shard, const std::string& node) {
  if (shard >= owner_.size() || node.empty())
    return;
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), node);
  if (it == nodes_.end() || *it != node)
    nodes_.insert(it, node);
  owner_[shard] = node;
}

std::vector<shard_move> shard_placement::place_unowned() {
  std::vector<shard_move> moves;
  place_orphans(moves);
  return moves;
}

std::vector<shard_move> shard_placement::node_left(const std::string& node) {
  std::vector<shard_move> moves;
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), node);
  if (it == nodes_.end() || *it != node)
    return moves;
  nodes_.erase(it);
  auto orphans = shards_of(node);
  for (auto s : orphans) {
    moves.push_back(shard_move{ s, node, "" });
    owner_[s].clear();
  }
  // place_orphans fills in `to` for the moves recorded above.
  place_orphans(moves);
  std::sort(moves.begin(), moves.end(), [](const shard_move& a, const shard_move& b) {
    return a.shard < b.shard;
  });
  return moves;
}

} // namespace spectacles::actors
