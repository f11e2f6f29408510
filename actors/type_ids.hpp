// Every CAF message type and atom of the project, in one place.
//
// CAF 0.17 sends custom types over the wire by *name*: every node must
// announce the same names, which `register_types()` does. Include this header
// only from .cpp files that use CAF; it pulls in CAF's core headers.
#pragma once

#include "caf/actor.hpp"
#include "caf/atom.hpp"
#include "caf/meta/type_name.hpp"
#include "caf/type_id.hpp"

#include "actors/wire.hpp"

namespace spectacles::actors {

// Atoms are limited to 10 characters in CAF 0.17. CAF's own atoms (get,
// join, subscribe, tick, ...) are reused where the meaning is the same.
using caf::get_atom;
using caf::join_atom;
using caf::put_atom;
using caf::subscribe_atom;
using caf::tick_atom;
using members_atom = caf::atom_constant<caf::atom("members")>;
using node_up_atom = caf::atom_constant<caf::atom("node_up")>;
using node_down_atom = caf::atom_constant<caf::atom("node_down")>;

/// A node of the cluster as membership knows it: what it says about itself
/// and its membership agent (the actor it publishes on cluster.listen).
struct member {
  node_info info;
  caf::actor agent;
};

inline bool operator==(const member& a, const member& b) {
  return a.info == b.info && a.agent == b.agent;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("spectacles.node_info"), x.name, x.roles, x.address, x.pid,
           x.uptime_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member& x) {
  return f(caf::meta::type_name("spectacles.member"), x.info, x.agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("spectacles.event"), x.shard, x.seq, x.name, x.guild_id, x.data);
}

} // namespace spectacles::actors
