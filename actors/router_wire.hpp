// Plain structs of the event router's protocol (actors/event_router.hpp):
// what workers send and receive, gateway commands, and the stats that
// `spectacles-node status` and the metrics endpoint read. No CAF in here; the
// inspect overloads live in actors/router_type_ids.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/wire.hpp"

namespace spectacles::actors {

/// An event handed to a worker; the worker acks `id` after its handler
/// returned. `attempt` > 1 means an earlier delivery was not acked (its worker
/// died): the handler may have seen this (shard, seq) before.
struct delivery {
  uint64_t id = 0;
  uint32_t attempt = 1;
  event ev;

  bool redelivered() const {
    return attempt > 1;
  }

  bool operator==(const delivery&) const = default;
};

/// Several deliveries to one worker in one message, in delivery order: the
/// router sends what piled up for a worker while it handled its mailbox as
/// one remote message instead of one per event.
struct delivery_batch {
  std::vector<delivery> items;

  bool operator==(const delivery_batch&) const = default;
};

/// Acks of several deliveries in one message: a busy worker acks everything
/// it handled since its last ack at once (one remote message instead of one
/// per event).
struct ack_batch {
  std::vector<uint64_t> ids;

  bool operator==(const ack_batch&) const = default;
};

/// What a worker says when it joins the router.
struct worker_spec {
  std::string group;               // competing consumers share a group name
  std::vector<std::string> events; // event names; empty or "*" = all
  uint32_t window = 64;            // max deliveries in flight to this worker
  std::string name;                // shown in status and in records

  bool operator==(const worker_spec&) const = default;
};

/// A gateway command from a worker (PROTOCOL.md 1.17): op 3 presence update,
/// op 4 voice state update, op 8 request guild members. Goes to the shard of
/// `guild_id` ((guild_id >> 22) % shard_count, PROTOCOL.md 1.15), or to
/// `shard` when guild_id is 0.
///
///   { op: 8, guild_id: 81384788765712384, data:
///   R"({"guild_id":"81384788765712384","query":"","limit":0})" }
struct gateway_command {
  uint32_t op = 0;
  uint64_t guild_id = 0;
  uint32_t shard = 0;
  std::string data; // raw JSON of the command's `d`

  bool operator==(const gateway_command&) const = default;
};

struct type_counters {
  std::string name; // event name, e.g. MESSAGE_CREATE
  uint64_t in = 0;  // received from producers (duplicates excluded)
  uint64_t out = 0; // deliveries to workers (redeliveries included)

  bool operator==(const type_counters&) const = default;
};

struct group_counters {
  uint64_t delivered = 0;
  uint64_t acked = 0;
  uint64_t redelivered = 0;
  uint64_t shed = 0;
  uint64_t dead_lettered = 0;

  bool operator==(const group_counters&) const = default;
};

struct group_stats {
  std::string name;
  std::vector<std::string> events; // empty = all
  uint32_t workers = 0;
  uint64_t queued = 0;
  uint64_t queued_bytes = 0;
  uint64_t in_flight = 0;
  int64_t lag_ms = 0; // age of the oldest buffered event
  group_counters counters;

  bool operator==(const group_stats&) const = default;
};

struct worker_stats {
  uint64_t id = 0;
  std::string group;
  std::string name;
  uint32_t window = 0;
  uint64_t in_flight = 0;
  uint64_t delivered = 0;
  uint64_t acked = 0;
  uint64_t redelivered = 0;

  bool operator==(const worker_stats&) const = default;
};

struct shard_stats {
  uint32_t shard = 0;
  uint64_t last_seq = 0;
  uint64_t commit_seq = 0;
  uint64_t outstanding = 0; // events not yet handled by every group
  bool registered = false;  // a shard actor is registered for commands

  bool operator==(const shard_stats&) const = default;
};

/// An event given up on after max_attempts deliveries (a poison event).
struct dead_letter {
  std::string group;
  uint32_t shard = 0;
  uint64_t seq = 0;
  std::string name;
  uint32_t attempts = 0;

  bool operator==(const dead_letter&) const = default;
};

struct router_counters {
  uint64_t events_in = 0;
  uint64_t duplicates = 0;
  uint64_t unrouted = 0; // no group subscribed
  uint64_t deliveries = 0;
  uint64_t acks = 0;
  uint64_t stale_acks = 0; // acks for deliveries no longer in flight at that worker
  uint64_t redeliveries = 0;
  uint64_t shed = 0;
  uint64_t dead_lettered = 0;
  uint64_t commands = 0;
  uint64_t command_errors = 0;

  bool operator==(const router_counters&) const = default;
};

/// The reply to (get_atom, stats_atom).
struct router_stats {
  router_counters totals;
  std::vector<type_counters> types;
  std::vector<group_stats> groups;
  std::vector<worker_stats> workers;
  std::vector<shard_stats> shards;
  std::vector<dead_letter> dead_letters; // newest last

  bool operator==(const router_stats&) const = default;
};

} // namespace spectacles::actors
