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

/// One gateway dispatch on its way from a shard to the workers. `data` is the
/// raw JSON text of the envelope's `d`; workers decode it lazily.
struct event {
  uint32_t shard = 0;
  uint64_t seq = 0;
  std::string name;      // the envelope's `t`, e.g. "MESSAGE_CREATE"
  uint64_t guild_id = 0; // 0 when the event has none (DMs, READY, ...)
  std::string data;
};

inline bool operator==(const event& a, const event& b) {
  return a.shard == b.shard && a.seq == b.seq && a.name == b.name && a.guild_id == b.guild_id
         && a.data == b.data;
}

} // namespace spectacles::actors
