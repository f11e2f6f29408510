// The built-in ping handler (worker.handler=ping): answers a message whose
// content is "!ping" with "pong" through the REST role, replying to the
// message. Bots' own messages are ignored. Counters are process-wide so the
// demo's status line and the metrics can show replies and failures.
#pragma once

#include <atomic>
#include <cstdint>

#include "actors/worker.hpp"

namespace spectacles::actors {

struct ping_counters {
  std::atomic<uint64_t> pings{ 0 };   // "!ping" messages seen
  std::atomic<uint64_t> replies{ 0 }; // "pong" created (2xx)
  std::atomic<uint64_t> failed{ 0 };  // REST errors, or no REST role found yet
};

/// The counters of every ping worker in this process.
ping_counters& ping_stats();

event_handlers ping_handlers();

} // namespace spectacles::actors
