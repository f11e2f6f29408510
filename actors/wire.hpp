// Plain structs that travel between actors and nodes. No CAF in here: the
// CAF `inspect` overloads and type registrations live in actors/type_ids.hpp,
// so code that only builds or reads these messages does not pay for CAF's
// headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spectacles::actors {

/// What a node says about itself (membership, `status`).
struct node_info {
  std::string name;               // operator-chosen node name, e.g. "gw-1"
  std::vector<std::string> roles; // coordinator, gateway, rest, router, worker
  std::string address;            // host:port of its cluster listener
  uint32_t pid = 0;
  int64_t uptime_ms = 0;
};

inline bool operator==(const node_info& a, const node_info& b) {
  return a.name == b.name && a.roles == b.roles && a.address == b.address && a.pid == b.pid
         && a.uptime_ms == b.uptime_ms;
}

} // namespace spectacles::actors
