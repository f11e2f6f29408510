// event_router: takes gateway events from producers (the shards) and hands
// them to workers with the guarantees of actors/delivery_book.hpp
// (fan-out to groups, competing workers, at-least-once with acks, order per
// guild, credit windows, bounded buffers, duplicate drop, commit point).
// It also carries gateway commands from workers back to the shard that owns
// the guild.
//
// Protocol (dynamically typed; "->" is the reply, "=>" a message it sends):
//
//   producers
//     (event)                          one-way; duplicates of (shard, seq) are dropped
//     (reset_atom, uint32 shard)      -> ok_atom      the shard started a new session
//     (commit_atom, uint32 shard)     -> uint64       the shard's commit point (RESUME seq)
//     (shard_atom, uint32 shard, uint32 shard_count)
//                                     -> ok_atom      the sender takes commands for `shard`;
//                                                     monitored, forgotten when it goes down
//   workers
//     (join_atom, worker_spec)        -> uint64 id    the sender becomes a worker (monitored)
//                                     => (delivery) or (delivery_batch) to the worker, at most
//                                        spec.window unacked
//     (ack_atom, uint64 delivery_id)   one-way, after the handler returned
//     (ack_atom, ack_batch)            the same for several deliveries
//     (drain_atom)                    -> ok_atom      no new deliveries to the sender; the
//                                        reply comes after every delivery sent to it
//     (leave_atom)                    -> ok_atom      unacked deliveries go to other workers
//     (gateway_command)               -> ok_atom | error{router_errc, ...}
//                                        forwarded to the shard as (gateway_command) -> ok_atom
//                                        with options.command_timeout
//   status and metrics
//     (get_atom, stats_atom)          -> router_stats
//
// A worker that goes down (its actor, or its node: CAF 0.17 reports a dead node
// as down_msg of its proxies, CAF-0.17.md §4) has its unacked deliveries
// redelivered at once to another worker of its group.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/actor_addr.hpp"
#include "caf/behavior.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/delivery_book.hpp"

namespace spectacles::actors {

struct router_options {
  delivery_limits limits;
  caf::timespan command_timeout = std::chrono::seconds(5);
  /// Groups (subscribed to all events) that buffer before their first worker joins.
  std::vector<std::string> groups;
};

struct event_router_state {
  delivery_book book;
  router_options options;
  std::map<caf::actor_addr, worker_id> worker_ids;
  std::map<worker_id, caf::actor> worker_handles;
  std::map<uint32_t, caf::actor> shards;
  uint32_t shard_count = 0;
  uint64_t commands = 0;
  uint64_t command_errors = 0;
  /// A flush message is queued behind the events in the mailbox.
  bool flush_queued = false;
  static inline const char* name = "event_router";
};

caf::behavior event_router(caf::stateful_actor<event_router_state>* self, router_options options);

} // namespace spectacles::actors
