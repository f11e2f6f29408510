// Which gateway node runs which shard, and the moves when nodes come and go.
//
//   16 shards, nodes {gw-1, gw-2}, consecutive: gw-1 0-7, gw-2 8-15
//                                  balanced:    gw-1 0,2,4,..  gw-2 1,3,5,..
//   gw-3 joins   -> 5 moves {shard, from, to} (the fewest that keep loads within 1)
//   gw-1 dies    -> its shards go to the least loaded survivors, one move each
//
// A move whose `from` is a live node is executed as stop-then-start: the old
// node closes with a resumable code and saves the session, then the new node
// starts the shard and RESUMEs, so one shard never has two live connections.
// `from` empty means the shard runs nowhere yet; `to` empty means no node is
// left to run it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spectacles::actors {

enum class placement_strategy {
  consecutive, // contiguous ranges; later moves take each donor's highest shards
  balanced,    // round robin
};

struct shard_move {
  uint32_t shard = 0;
  std::string from;
  std::string to;
};

inline bool operator==(const shard_move& a, const shard_move& b) {
  return a.shard == b.shard && a.from == b.from && a.to == b.to;
}

class shard_placement {
public:
  shard_placement(uint32_t total_shards, placement_strategy strategy);

  /// Lays the shards out over nodes as the strategy says (the start of a
  /// cluster, or an operator's "rebalance"); returns what changed.
  std::vector<shard_move> assign(std::vector<std::string> nodes);

  /// A live gateway node joined: the fewest shards move to it.
  std::vector<shard_move> node_joined(const std::string& node);

  /// A gateway node died or left: its shards go to the others.
  std::vector<shard_move> node_left(const std::string& node);

  /// A coordinator taking over learned that `node` already runs `shard`.
  void adopt(uint32_t shard, const std::string& node);

  /// Puts every shard that runs nowhere on the least loaded node (after a
  /// takeover's adopt() calls); returns those moves. Running shards stay.
  std::vector<shard_move> place_unowned();

  /// The node running shard, "" if none.
  const std::string& owner(uint32_t shard) const {
    return owner_.at(shard);
  }

  std::vector<uint32_t> shards_of(const std::string& node) const;

  const std::vector<std::string>& nodes() const {
    return nodes_;
  }

  uint32_t total_shards() const {
    return static_cast<uint32_t>(owner_.size());
  }

private:
  size_t load(const std::string& node) const;
  void place_orphans(std::vector<shard_move>& moves);
  void even_out(std::vector<shard_move>& moves);
  void move(uint32_t shard, const std::string& to, std::vector<shard_move>& moves);

  placement_strategy strategy_;
  std::vector<std::string> nodes_; // sorted, unique
  std::vector<std::string> owner_; // per shard, "" = unassigned
};

} // namespace spectacles::actors
