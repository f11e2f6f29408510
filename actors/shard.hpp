// shard: one gateway connection as an actor around the plain state machine
// of actors/shard_protocol.hpp. It owns the WebSocket (net::ws_client on an
// io_pool, never on CAF's threads) and the per-connection inflater, performs
// the protocol's actions, and talks to three other actors:
//
//   coordinator  (identify_atom, shard)            -> ok_atom  an IDENTIFY permit (may take long)
//                (caf::delete_atom, identify_atom, shard)      the permit is no longer needed
//                (get_atom, session_atom, shard)    -> session_snapshot (empty id = none)
//                (put_atom, session_atom, shard, session_snapshot)   save (one-way)
//                (caf::delete_atom, session_atom, shard)               forget (one-way)
//   router       (event)                            one-way, every dispatch with (shard, seq)
//                (caf::reset_atom, shard)           before the first event of a new session
//                (commit_atom, shard)               -> uint64 commit point, polled
//                (shard_atom, shard, total)         -> ok  registers for gateway commands
//
// Its own protocol (from its gateway host, the router, status):
//   (put_atom, router_atom, actor)        the router to hand events to (events
//                                         wait in a bounded buffer without one)
//   (caf::delete_atom, router_atom, actor) that router is gone
//   (put_atom, coord_atom, actor)         a new coordinator took over
//   (gateway_command)                     -> ok_atom | error   a user command (op 3/4/8/...)
//   (caf::close_atom, bool keep_session)  -> session_snapshot  leave the gateway; with
//                                         keep_session the session stays resumable (4900) and
//                                         the reply is what to resume from (a shard move)
//   (get_atom, stats_atom)                -> shard_report
//
// Internal: ws_open / ws_msg / ws_closed from the I/O thread, connect_atom
// after a backoff, tick_atom at the protocol's next wakeup, commit polls.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "caf/actor.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/response_promise.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/gateway_wire.hpp"
#include "actors/read_batch.hpp"
#include "actors/shard_protocol.hpp"
#include "net/tls.hpp"

namespace spectacles::net {
class io_pool;
class ws_client;
} // namespace spectacles::net

namespace spectacles::actors {

struct shard_actor_options {
  shard_options protocol;     // identify fields (token, shard, intents), URL, timeouts
  net::io_pool* io = nullptr; // runs the socket; must outlive the actor
  net::tls_context tls;       // for wss://; null = the system CA store
  std::string node_name;      // shown in reports
  caf::timespan commit_interval = std::chrono::milliseconds(250);
  caf::timespan request_timeout = std::chrono::seconds(5); // coordinator/router requests
  caf::timespan close_timeout = std::chrono::seconds(3);   // close handshake on a stop
  size_t max_buffered = 50'000;                            // events kept while no router is known
  // A zlib-stream shard whose last message came after this much silence
  // (an idle shard: only heartbeat ACKs) hibernates its inflater until the
  // next message: ~39 KiB less per idle connection. 0 = never.
  std::chrono::milliseconds hibernate_after = std::chrono::seconds(10);
  // The messages of one socket read go to the actor together, in batches cut
  // at this many bytes of text (actors/read_batch.hpp says why 64 KiB).
  size_t read_batch_bytes = read_batch::default_cut;
  uint64_t seed = 0; // random source (heartbeat jitter, backoff); 0 = from the clock
};

struct shard_connection; // the I/O side of one WebSocket connection

struct shard_actor_state {
  ~shard_actor_state(); // aborts the socket: the I/O side must not outlive its shard

  shard_actor_options options;
  std::unique_ptr<shard_protocol> protocol;
  std::shared_ptr<shard_connection> conn; // the current socket, if any
  caf::actor coordinator;
  caf::actor router;
  std::deque<event> buffered; // dispatches waiting for a router
  /// Dispatches of the socket read being handled, sent to the router in one
  /// message once it is done (`batching` while it is).
  std::vector<event> pending;
  bool batching = false;
  uint64_t shed = 0;
  /// Inflater hibernations, counted by the I/O side of every connection.
  std::shared_ptr<std::atomic<uint64_t>> hibernations = std::make_shared<std::atomic<uint64_t>>(0);
  std::string session_id; // of the last session handed to the router
  std::optional<gateway_time> wakeup;
  bool permit_wanted = false;
  bool permit_pending = false;
  bool started = false;
  std::optional<caf::response_promise> closing; // a stop waiting for the socket to close
  uint64_t closing_connection = 0;
  std::string fatal;
  static inline const char* name = "shard";
};

caf::behavior shard_actor(caf::stateful_actor<shard_actor_state>* self, shard_actor_options options,
                          caf::actor coordinator, caf::actor router);

} // namespace spectacles::actors
