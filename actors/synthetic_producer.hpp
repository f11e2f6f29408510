// synthetic_producer: stands in for the gateway shards when there is no
// gateway (cluster tests, benchmarks, `producer` role). Emits realistic
// MESSAGE_CREATE dispatches numbered (shard, seq) like a shard would, each
// guild routed to its shard by Discord's formula (PROTOCOL.md §1.15).
//
//   (put_atom, actor router)        start (or continue) sending to `router`
//   (delete_atom, actor router)     that router is gone: pause until the next
//   (get_atom, stats_atom)       -> uint64 events sent so far
//   internal: (tick_atom)           one pacing step
//
// Without a router it waits; it never drops an event it has numbered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/wire.hpp"

namespace spectacles::actors {

struct producer_options {
  uint32_t shards = 4;
  uint32_t guilds_per_shard = 8;
  uint64_t total = 0;      // events to send; 0 = until stopped
  uint64_t rate = 1000;    // events per second
  size_t payload_size = 0; // pad `d` to about this many bytes (0 = natural size)
};

/// The n-th synthetic event (0-based): shard n % shards, seq n / shards + 1.
event make_synthetic_event(const producer_options& opts, uint64_t n);

struct synthetic_producer_state {
  producer_options options;
  caf::actor router;
  uint64_t sent = 0;
  bool ticking = false;
  static inline const char* name = "synthetic_producer";
};

caf::behavior synthetic_producer(caf::stateful_actor<synthetic_producer_state>* self,
                                 producer_options options);

} // namespace spectacles::actors
