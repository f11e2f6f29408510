// Plain structs of the gateway role's protocol between the coordinator, the
// gateway hosts and the shard actors (actors/coordinator.hpp,
// actors/gateway_host.hpp, actors/shard.hpp). No CAF in here; atoms and
// inspect overloads live in actors/gateway_type_ids.hpp.
#pragma once

#include <cstdint>
#include <string>

namespace spectacles::actors {

/// The coordinator's order to a gateway host: run `shard` of `total`.
struct shard_assignment {
  uint32_t shard = 0;
  uint32_t total = 1;
  std::string gateway_url; // "url" of GET /gateway/bot

  bool operator==(const shard_assignment&) const = default;
};

/// What one shard reports for `status` and the metrics endpoint.
struct shard_report {
  uint32_t shard = 0;
  std::string node;
  std::string state; // to_string(shard_state)
  uint64_t seq = 0;
  std::string session_id;
  uint64_t dispatches = 0;
  uint64_t identifies = 0;
  uint64_t resumes = 0;
  uint64_t zombies = 0;
  uint64_t connects = 0;
  int64_t latency_ms = -1;   // last heartbeat -> ACK; -1 before the first ACK
  uint64_t buffered = 0;     // events waiting for a router
  uint64_t shed = 0;         // events dropped because the buffer was full
  uint64_t hibernations = 0; // times the idle shard's zlib context was put to sleep
  std::string error;         // the fatal error, if the shard stopped for good

  bool operator==(const shard_report&) const = default;
};

} // namespace spectacles::actors
