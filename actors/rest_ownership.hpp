// rest_ownership: which live REST node owns a rate-limit bucket key or a
// token's global budget, by rendezvous (highest random weight) hashing.
//
//   nodes {rest-a, rest-b, rest-c}
//   owner("POST /channels/1/messages") = the node with the highest
//                                        weight(node, key)
//
// Every node computes the same answer from the same member list, with no
// coordination. When a node dies, only the keys it owned move (each to its
// second-highest node); when one joins, it takes about 1/(N+1) of the keys
// and nothing else moves. Modulo hashing (nirn-proxy, LESSONS.md) moves
// almost every key on any change, and each moved bucket forgets its window,
// which costs 429s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spectacles::actors {

class rest_ownership {
public:
  /// Adds a live REST node (by its stable name); false if already known.
  bool add_node(std::string node);

  /// Removes a node (it died or left); false if unknown.
  bool remove_node(std::string_view node);

  /// The owner of `key`; nullopt when no REST node is alive.
  std::optional<std::string> owner(std::string_view key) const;

  /// The rendezvous weight of (node, key): a 64-bit mix of both hashes.
  static uint64_t weight(std::string_view node, std::string_view key);

  const std::vector<std::string>& nodes() const {
    return names_;
  }

private:
  std::vector<std::string> names_;
  /// Hash of each name, same order as names_.
  std::vector<uint64_t> hashes_;
};

} // namespace spectacles::actors
