// delivery_book: the event router's bookkeeping, as plain logic (no CAF).
//
// Rules it enforces (ARCHITECTURE.md key decision 3, issue 5 "Event router"):
// - fan-out: every group subscribed to an event name gets the event;
//   workers of one group compete for it;
// - at-least-once: a delivery stays tracked until its worker acks it; when the
//   worker goes (down or leave) its unacked deliveries go back to the group,
//   marked redelivered, with their attempt count kept; an event delivered
//   `max_attempts` times is dead-lettered instead of bouncing forever
//   (LESSONS.md, @discordjs/brokers);
// - exact duplicates (same shard and seq, e.g. replayed by a RESUME) are dropped;
// - order per guild: inside a group at most one event of a guild is in flight,
//   so a guild's events reach workers one at a time in seq order, and a dead
//   worker's guild moves to another worker without reordering. Events without
//   a guild (guild_id 0: DMs, READY) have no order to keep;
// - backpressure: a worker gets at most `window` deliveries in flight; what
//   cannot be delivered waits in the group's buffer, bounded by count and
//   bytes; beyond the bound the oldest events are shed, counted and logged;
// - commit point per shard: the highest seq at or below which every event was
//   acked (or shed, or dead-lettered) by every group that subscribed to it
//   (ARCHITECTURE.md key decision 4): the seq a shard may RESUME from.
//
// The owner feeds it events, worker changes and acks, with the current time,
// and sends what `take_outbox()` returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/router_wire.hpp"

namespace spectacles::actors {

using router_clock = std::chrono::steady_clock;
using worker_id = uint64_t;

struct delivery_limits {
  uint32_t max_attempts = 5;                    // deliveries before dead-lettering
  size_t max_queued = 10'000;                   // buffered events per group
  size_t max_queued_bytes = size_t{ 64 } << 20; // buffered bytes per group
  size_t dead_letters_kept = 100;               // newest dead letters kept for status
  std::chrono::milliseconds shed_log_interval{
    1000
  }; // at most one shed line per group per interval
};

/// One delivery the owner must send to `worker`.
struct outgoing {
  worker_id worker = 0;
  uint64_t id = 0;      // what the worker acks
  uint32_t attempt = 0; // 1 for a first delivery
  std::shared_ptr<const event> ev;
};

class delivery_book {
public:
  using time_point = router_clock::time_point;

  explicit delivery_book(delivery_limits limits = {});

  /// Adds a worker to `group` (created on first use). `events` lists the event
  /// names to receive; empty or "*" means all. A group receives the union of
  /// its workers' subscriptions.
  worker_id add_worker(const std::string& group, const std::vector<std::string>& events,
                       uint32_t window, std::string label, time_point now);

  /// Creates `group` with its subscriptions before any worker joins, so it
  /// buffers (up to the limits) from the first event on instead of leaving
  /// early events unrouted. Workers joining later add their subscriptions.
  void declare_group(const std::string& group, const std::vector<std::string>& events);

  /// The worker is gone (down or left): its unacked deliveries go back to the
  /// group, ahead of what is buffered, and the group keeps buffering if it
  /// has no worker left. Returns false for an unknown worker.
  bool remove_worker(worker_id w, time_point now);

  /// The worker is about to leave: it gets no new deliveries, and acks what
  /// it holds before remove_worker(), so a clean stop redelivers nothing.
  /// Returns false for an unknown worker.
  bool drain_worker(worker_id w);

  enum class push_result { accepted, duplicate, unrouted };

  /// An event from a producer. `unrouted`: no group subscribes to it; it
  /// still counts as handled for the commit point.
  push_result push(event ev, time_point now);

  enum class ack_result { ok, unknown };

  /// `unknown` for an id that is not in flight at `w` (already acked, or taken
  /// back from `w` because it was presumed dead).
  ack_result ack(worker_id w, uint64_t delivery_id, time_point now);

  /// The shard started a new session (IDENTIFY, not RESUME): its seq restarts,
  /// so seqs seen before are no longer duplicates.
  void reset_shard(uint32_t shard);

  /// 0 until something of the shard is handled.
  uint64_t commit_point(uint32_t shard) const;

  /// Deliveries produced by the calls since the last take.
  std::vector<outgoing> take_outbox();

  bool has_worker(worker_id w) const {
    return workers_.count(w) > 0;
  }

  const std::deque<dead_letter>& dead_letters() const {
    return dead_letters_;
  }

  router_stats stats(time_point now) const;

private:
  struct entry {
    std::shared_ptr<const event> ev;
    uint64_t arrival = 0; // order inside the group; kept across redeliveries
    uint32_t attempts = 0;
    uint32_t epoch = 0; // the shard session the event belongs to
    time_point queued_at;
  };

  // The events of one guild inside a group, oldest first.
  struct lane {
    std::deque<entry> pending;
    uint32_t in_flight = 0;
    uint64_t linked_arrival = 0; // key under which the lane sits in heads/ready
    bool linked = false;
  };

  struct group_state {
    std::string name;
    bool all = false;
    std::set<std::string> events;
    std::vector<worker_id> workers;
    std::unordered_map<uint64_t, lane> lanes;      // by guild id
    std::set<std::pair<uint64_t, uint64_t>> heads; // (arrival, guild) of lanes with pending
    std::set<std::pair<uint64_t, uint64_t>> ready; // subset whose head may go out now
    size_t queued = 0;
    size_t queued_bytes = 0;
    uint64_t next_arrival = 1;
    size_t rr = 0;
    group_counters counters;
    uint64_t shed_unlogged = 0;
    time_point last_shed_log{};
  };

  struct worker_state {
    worker_id id = 0;
    std::string group;
    std::string label;
    uint32_t window = 1;
    std::set<uint64_t> in_flight; // delivery ids
    uint64_t delivered = 0;
    uint64_t acked = 0;
    uint64_t redelivered = 0;
    bool draining = false; // takes no new deliveries
  };

  struct flight {
    worker_id worker = 0;
    std::string group;
    uint64_t guild = 0;
    entry e;
  };

  struct shard_track {
    uint32_t epoch = 0;
    uint64_t floor = 0; // every seq <= floor is handled
    uint64_t last_seq = 0;
    std::map<uint64_t, uint32_t> outstanding; // seq -> groups still to handle it
    std::set<uint64_t> done;                  // handled seqs above floor
  };

  static bool subscribed(const group_state& g, const std::string& name);
  static bool lane_blocked(uint64_t guild, const lane& l);
  void unlink(group_state& g, uint64_t guild, lane& l);
  void link(group_state& g, uint64_t guild, lane& l);
  void enqueue(group_state& g, entry e);
  void pump(group_state& g);
  worker_state* pick_worker(group_state& g);
  void shed(group_state& g, time_point now);
  void handled(const event& ev, uint32_t epoch);
  void dead_letter_entry(group_state& g, const entry& e);
  static size_t bytes_of(const event& ev);

  delivery_limits limits_;
  std::map<std::string, group_state> groups_;
  std::map<worker_id, worker_state> workers_;
  std::unordered_map<uint64_t, flight> flights_;
  std::map<uint32_t, shard_track> shards_;
  std::map<std::string, type_counters> types_;
  std::deque<dead_letter> dead_letters_;
  std::vector<outgoing> outbox_;
  router_counters totals_;
  worker_id next_worker_ = 1;
  uint64_t next_delivery_ = 1;
  uint32_t next_epoch_ = 1;
};

} // namespace spectacles::actors
