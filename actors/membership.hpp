// membership: who is in the cluster, learned by joining through seeds.
//
// Every node runs one and publishes it on cluster.listen; it is the node's
// agent. A node joins by connecting to any seed and sending `join`; the reply
// lists every member, and the joiner then connects *directly* to each of them
// and joins there too, so every pair of nodes has its own connection and its
// own monitor (routes through a third node would break when it dies).
//
//   from other agents:
//     (join_atom, node_info)      -> std::vector<member>   all members, self included
//   from anyone:
//     (members_atom)              -> std::vector<member>   all members, self included
//     (subscribe_atom)            -> ok; then (node_up_atom, member) for every member
//                                    now and later, (node_down_atom, member) on death
//     (get_atom, string role)     -> actor                 this node's actor for a role
//                                    ("router", "producer", ...) or error no_such_role
//   from the node that owns it:
//     (put_atom, string address)  its published host:port; starts joining seeds
//     (put_atom, string role, actor)  registers the local actor serving `role`
//   internal:
//     (tick_atom)                 retries seeds that are not members (a restarted
//                                 seed comes back this way)
//
// Death: a killed node is seen at once (its socket closes); a frozen one after
// middleman.connection-timeout (CAF-0.17.md §4: off unless configured, and
// node_config sets it). CAF 0.17 has no node_down_msg, so this actor monitors
// each member's agent and turns the down_msg into node_down.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "caf/event_based_actor.hpp"
#include "caf/io/middleman_actor.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/type_ids.hpp"

namespace spectacles::actors {

struct membership_settings {
  /// host:port of nodes to join through; the node's own address is skipped.
  std::vector<std::string> seeds;
  /// The middleman to connect with: plain (caf::io) or TLS (caf::openssl).
  caf::io::middleman_actor middleman;
  std::chrono::milliseconds retry_interval{ 2000 };
  std::chrono::milliseconds request_timeout{ 5000 };
};

struct membership_state {
  node_info self_info;
  membership_settings settings;
  std::map<caf::node_id, member> members;
  std::set<std::string> connecting;  // addresses with a join in flight
  std::set<std::string> unreachable; // addresses whose last attempt failed (warned once)
  std::vector<caf::actor> subscribers;
  std::map<std::string, caf::actor> roles; // local role actors, by role name
  caf::actor_clock::time_point started;
  bool ticking = false;
  static inline const char* name = "membership";
};

caf::behavior membership(caf::stateful_actor<membership_state>* self, node_info self_info,
                         membership_settings settings);

/// Splits "host:port"; false when the port is missing or not a number.
bool split_host_port(const std::string& address, std::string& host, uint16_t& port);

} // namespace spectacles::actors
