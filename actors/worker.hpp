// worker: what a bot author writes to receive events. A worker is a CAF actor
// that joins the event router's group, runs the matching handlers for each
// delivery and acks it after the handlers returned (at-least-once: a worker
// that dies before acking gets its events redelivered elsewhere).
//
//   auto handlers = event_handlers{}
//     .on<models::message>("MESSAGE_CREATE", [](const models::message& m, worker_context& ctx) {
//        if (m.content == "!ping") ...;
//     })
//     .on_raw("GUILD_CREATE", [](const event& ev, worker_context&) { ... ev.data ... });
//   auto w = spawn_worker(sys, router, worker_options{ "ping-bot" }, std::move(handlers));
//
// The worker subscribes to the names it has handlers for (all names when it
// has a catch-all on_event/on_dispatch handler, or the names in
// options.events when given). Payloads are decoded only for typed handlers,
// only when such an event arrives (ARCHITECTURE.md key decision 1).
//
// Protocol of the worker actor itself:
//   (delivery) | (delivery_batch)   from the router; handlers run, then the
//                   acks go to the router after the mailbox's queued deliveries
//   (leave_atom)    drains: asks the router for no new deliveries, handles
//                   and acks everything sent before the router's reply, then
//                   leaves the group and quits (a clean stop redelivers nothing)
//   (put_atom, rest_atom, actor)   the REST role's router for ctx.services.rest
//                                   (an invalid actor: REST is gone)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "caf/actor.hpp"
#include "caf/actor_system.hpp"
#include "caf/error.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/rest_client.hpp"
#include "actors/router_wire.hpp"
#include "models/json.hpp"

namespace spectacles::models {
struct dispatch;
} // namespace spectacles::models

namespace spectacles::actors {

struct worker_options {
  std::string group;               // workers with the same group share its events
  uint32_t window = 64;            // deliveries in flight to this worker
  std::string name;                // in status and records; default: group@node
  std::vector<std::string> events; // override the subscriptions derived from the handlers
  caf::timespan join_timeout = std::chrono::seconds(5);
  caf::timespan command_timeout = std::chrono::seconds(10);
};

/// What a worker reaches besides the event: the cluster's services. `rest`
/// is valid once a node with the REST role was found (check rest.valid()).
struct worker_services {
  caf::actor router;
  caf::timespan command_timeout = std::chrono::seconds(10);
  rest_client rest;
};

/// Handed to every handler call.
struct worker_context {
  caf::event_based_actor* self;
  const worker_services& services;
  const delivery& current; // shard, seq, attempt: redelivered() tells a repeat

  /// Sends a gateway command (presence, voice state, request guild members) to
  /// the shard that owns it. `done` gets an empty error once the shard took
  /// it, or the reason it did not (unknown shard, timeout); without `done`
  /// failures are logged.
  void send_command(gateway_command cmd, std::function<void(const caf::error&)> done = {}) const;
};

using raw_handler = std::function<void(const event&, worker_context&)>;
using dispatch_handler = std::function<void(const models::dispatch&, worker_context&)>;

/// Logs an event whose payload did not decode into the handler's type. The
/// event is still acked: redelivering it would fail the same way.
void report_decode_failure(const event& ev, std::string_view type, const std::string& why);

class event_handlers {
public:
  /// The raw event (payload as JSON text) for one event name.
  event_handlers& on_raw(std::string name, raw_handler fn);

  /// Every event, raw.
  event_handlers& on_event(raw_handler fn);

  /// Every event, decoded by models::decode_event (unknown names arrive as
  /// models::unknown_event).
  event_handlers& on_dispatch(dispatch_handler fn);

  /// The payload of `name` decoded as T, e.g. on<models::message>("MESSAGE_CREATE", ...).
  template <class T, class F>
  event_handlers& on(std::string name, F fn) {
    return on_raw(std::move(name), [fn = std::move(fn)](const event& ev, worker_context& ctx) {
      auto decoded = models::decode<T>(ev.data, "d");
      if (!decoded) {
        report_decode_failure(ev, ev.name, decoded.error().message);
        return;
      }
      fn(*decoded, ctx);
    });
  }

  /// Event names to subscribe to; empty = all.
  std::vector<std::string> subscriptions() const;

  /// Runs the handlers for `ev`; false when none matched.
  bool dispatch(const event& ev, worker_context& ctx) const;

private:
  std::unordered_map<std::string, std::vector<raw_handler>> by_name_;
  std::vector<raw_handler> any_;
};

struct worker_state {
  worker_options options;
  event_handlers handlers;
  worker_services services;
  uint64_t id = 0; // given by the router on join
  uint64_t handled = 0;
  /// Handled deliveries not yet acked, and whether a flush is queued.
  std::vector<uint64_t> acks;
  bool ack_flush_queued = false;
  /// (leave_atom) drains first: deliveries are still handled until the
  /// router confirmed it sends no more; once leaving, deliveries that still
  /// arrive are not handled (the router redelivers them).
  bool draining = false;
  bool leaving = false;
  static inline const char* name = "worker";
};

caf::behavior worker(caf::stateful_actor<worker_state>* self, caf::actor router,
                     worker_options options, event_handlers handlers);

/// Spawns a worker that joins `router` (a local actor or a remote proxy).
caf::actor spawn_worker(caf::actor_system& sys, caf::actor router, worker_options options,
                        event_handlers handlers);

} // namespace spectacles::actors
