#include "actors/rest_ownership.hpp"

#include <algorithm>

namespace spectacles::actors {

namespace {

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// MurmurHash3's 64-bit finalizer: spreads every input bit over the output,
// which FNV alone does poorly for similar short strings.
uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t combine(uint64_t node_hash, uint64_t key_hash) {
  return mix(key_hash ^ (mix(node_hash) * 0x9e3779b97f4a7c15ULL));
}

} // namespace

bool rest_ownership::add_node(std::string node) {
  if (std::find(names_.begin(), names_.end(), node) != names_.end())
    return false;
  hashes_.push_back(fnv1a(node));
  names_.push_back(std::move(node));
  return true;
}

bool rest_ownership::remove_node(std::string_view node) {
  auto it = std::find(names_.begin(), names_.end(), node);
  if (it == names_.end())
    return false;
  auto index = static_cast<size_t>(it - names_.begin());
  names_.erase(it);
  hashes_.erase(hashes_.begin() + static_cast<std::ptrdiff_t>(index));
  return true;
}

std::optional<std::string> rest_ownership::owner(std::string_view key) const {
  if (names_.empty())
    return std::nullopt;
  auto key_hash = fnv1a(key);
  size_t best = 0;
  uint64_t best_weight = 0;
  for (size_t i = 0; i < names_.size(); ++i) {
    auto w = combine(hashes_[i], key_hash);
    // Ties (practically never) go to the smaller name, so all nodes agree.
    if (i == 0 || w > best_weight || (w == best_weight && names_[i] < names_[best])) {
      best = i;
      best_weight = w;
    }
  }
  return names_[best];
}

uint64_t rest_ownership::weight(std::string_view node, std::string_view key) {
  return combine(fnv1a(node), fnv1a(key));
}

} // namespace spectacles::actors
