#include "actors/rest_ownership.hpp"

#define CAF_SUITE actors.rest_ownership

#include "caf/test/unit_test.hpp"

#include <map>
#include <string>
#include <vector>

using namespace spectacles::actors;

namespace {

std::vector<std::string> sample_keys(size_t n) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; ++i)
    keys.push_back("POST /channels/" + std::to_string(81384788765712384ULL + i * 7919)
                   + "/messages");
  return keys;
}

rest_ownership cluster(size_t n) {
  rest_ownership o;
  for (size_t i = 0; i < n; ++i)
    o.add_node("rest-" + std::to_string(i));
  return o;
}

std::map<std::string, std::string> owners(const rest_ownership& o,
                                          const std::vector<std::string>& keys) {
  std::map<std::string, std::string> out;
  for (auto& k : keys)
    out[k] = *o.owner(k);
  return out;
}

} // namespace

CAF_TEST(no node means no owner and names are unique) {
  rest_ownership o;
  CAF_CHECK(!o.owner("GET /users/@me"));
  CAF_CHECK(o.add_node("a"));
  CAF_CHECK(!o.add_node("a"));
  CAF_CHECK_EQUAL(o.owner("GET /users/@me").value_or(""), "a");
  CAF_CHECK(!o.remove_node("b"));
  CAF_CHECK(o.remove_node("a"));
  CAF_CHECK(!o.owner("GET /users/@me"));
}

CAF_TEST(every node computes the same owner whatever order it learned the members in) {
  rest_ownership forward = cluster(5);
  rest_ownership backward;
  for (int i = 4; i >= 0; --i)
    backward.add_node("rest-" + std::to_string(i));
  size_t disagree = 0;
  for (auto& k : sample_keys(2000))
    disagree += *forward.owner(k) != *backward.owner(k);
  CAF_CHECK_EQUAL(disagree, 0u);
  CAF_CHECK_EQUAL(rest_ownership::weight("rest-1", "k"), rest_ownership::weight("rest-1", "k"));
  CAF_CHECK_NOT_EQUAL(rest_ownership::weight("rest-1", "k"), rest_ownership::weight("rest-2", "k"));
}

CAF_TEST(keys spread evenly over the nodes) {
  auto keys = sample_keys(20000);
  auto o = cluster(4);
  std::map<std::string, size_t> load;
  for (auto& [key, node] : owners(o, keys))
    ++load[node];
  CAF_CHECK_EQUAL(load.size(), 4u);
  for (auto& [node, n] : load) {
    CAF_CHECK_GREATER(n, 4500u); // 5000 each, within 10 %
    CAF_CHECK_LESS(n, 5500u);
  }
}

CAF_TEST(removing a node moves only the keys it owned) {
  auto keys = sample_keys(20000);
  auto o = cluster(5);
  auto before = owners(o, keys);
  o.remove_node("rest-2");
  auto after = owners(o, keys);
  size_t moved = 0;
  size_t wrongly_moved = 0;
  std::map<std::string, size_t> heirs;
  for (auto& k : keys) {
    if (before[k] == "rest-2") {
      ++heirs[after[k]];
      ++moved;
    } else {
      wrongly_moved += after[k] != before[k];
    }
  }
  CAF_CHECK_EQUAL(wrongly_moved, 0u);
  CAF_CHECK_EQUAL(heirs.count("rest-2"), 0u);
  CAF_CHECK_GREATER(moved, 3000u); // about 1/5 of 20000
  // The orphans spread over all survivors instead of piling onto one.
  CAF_CHECK_EQUAL(heirs.size(), 4u);
}

CAF_TEST(adding a node moves about one key in N plus one and only to it) {
  auto keys = sample_keys(20000);
  auto o = cluster(4);
  auto before = owners(o, keys);
  o.add_node("rest-new");
  auto after = owners(o, keys);
  size_t moved = 0;
  size_t moved_elsewhere = 0;
  for (auto& k : keys) {
    if (after[k] != before[k]) {
      moved_elsewhere += after[k] != "rest-new";
      ++moved;
    }
  }
  CAF_CHECK_EQUAL(moved_elsewhere, 0u);
  double share = static_cast<double>(moved) / static_cast<double>(keys.size());
  CAF_MESSAGE("adding a 5th node moved " << share * 100 << " % of keys (ideal 20 %)");
  CAF_CHECK_GREATER(share, 0.17);
  CAF_CHECK_LESS(share, 0.23);
  // Modulo placement (nirn-proxy) would have moved about 80 % here.
  size_t modulo_moved = 0;
  for (size_t i = 0; i < keys.size(); ++i)
    modulo_moved
      += (std::hash<std::string>{}(keys[i]) % 4) != (std::hash<std::string>{}(keys[i]) % 5);
  CAF_CHECK_GREATER(modulo_moved, keys.size() / 2);
}
