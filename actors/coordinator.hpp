// coordinator: the cluster's identify queue, session store and shard manager,
// in one actor per coordinator node (ARCHITECTURE.md, PROTOCOL.md §1.6,
// §1.8, §1.14).
//
// Leadership: of the live nodes with the coordinator role, the one whose name
// sorts first leads; the others are standbys that keep a replica of the
// session store and pass identify requests to the leader. When the leader's
// node dies, the next one takes over: it asks every gateway host what it
// runs, adopts that, starts only what runs nowhere, and its identify queue
// waits a full window before its first grant (so the handover never grants
// two identifies in one window).
//
//   from shards
//     (identify_atom, uint32 shard)        -> ok_atom when the shard may IDENTIFY
//                                             (error: the daily reserve is reached)
//     (caf::delete_atom, identify_atom, uint32 shard)   no longer needed
//     (put_atom, session_atom, uint32 shard, session_snapshot)
//     (caf::delete_atom, session_atom, uint32 shard)
//     (get_atom, session_atom, uint32 shard) -> session_snapshot (empty id: none)
//   from the leader (replication)
//     (caf::update_atom, uint32 shard, session_snapshot)   empty id = forget
//   status
//     (get_atom, shards_atom)              -> std::vector<shard_report> of every host
//   internal
//     (settle_atom)  the first placement, after gateway nodes had time to join
//     (limits_atom, uint32 status, std::string body, std::string error)  GET /gateway/bot
//     (tick_atom)    the identify queue's next grant; (shards_atom) the periodic audit
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/response_promise.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/gateway_bot.hpp"
#include "actors/gateway_wire.hpp"
#include "actors/identify_schedule.hpp"
#include "actors/session_record.hpp"
#include "actors/shard_placement.hpp"
#include "net/tls.hpp"

namespace spectacles::net {
class io_pool;
class http_client;
} // namespace spectacles::net

namespace spectacles::actors {

struct coordinator_options {
  std::string node_name;
  caf::actor membership;
  uint32_t shards = 0; // gateway.shards; 0 = Discord's recommendation
  placement_strategy strategy = placement_strategy::balanced;
  identify_schedule_options identify; // window, reserve
  std::string rest_url;               // "https://discord.com/api/v10" or the sim's
  std::string token;
  net::io_pool* io = nullptr; // runs GET /gateway/bot; must outlive the actor
  net::tls_context tls;       // for https; null = the system CA store
  caf::timespan settle = std::chrono::seconds(2);
  caf::timespan request_timeout = std::chrono::seconds(5);
  caf::timespan audit_interval = std::chrono::seconds(5);
  caf::timespan limits_refresh = std::chrono::minutes(5);
};

struct coordinator_state {
  coordinator_options options;
  bool leader = false;
  bool ever_follower = false; // another coordinator led before us
  bool settled = false;
  bool placing = false;        // a reconciliation is in flight
  bool fetching = false;       // GET /gateway/bot in flight
  bool warned_refusal = false; // the reserve refusal was logged
  std::optional<gateway_bot> bot;
  std::optional<identify_schedule> schedule;
  std::optional<shard_placement> placement;
  std::map<uint32_t, std::vector<caf::response_promise>> permits; // shard -> waiting requests
  std::map<uint32_t, session_snapshot> sessions;
  std::map<std::string, caf::actor> hosts;        // gateway node name -> its gateway_host
  std::map<std::string, caf::actor> coordinators; // other coordinator nodes -> their actor
  std::set<std::string> coordinator_nodes;        // live coordinator node names, self included
  std::set<uint32_t> moving;                      // shards with a move in flight
  std::optional<gateway_time> wakeup;
  std::shared_ptr<net::http_client> http;
  uint64_t granted = 0;
  static inline const char* name = "coordinator";
};

caf::behavior coordinator(caf::stateful_actor<coordinator_state>* self,
                          coordinator_options options);

} // namespace spectacles::actors
