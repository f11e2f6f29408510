// Every CAF message type and atom of the project, in one place.
//
// CAF 0.17 sends custom types over the wire by *name*: every node must
// announce the same names, which `register_types()` does. Include this header
// only from .cpp files that use CAF; it pulls in CAF's core headers.
#pragma once

#include "caf/atom.hpp"
#include "caf/meta/type_name.hpp"

#include "actors/wire.hpp"

namespace spectacles::actors {

// Atoms are limited to 10 characters in CAF 0.17.
using get_atom = caf::atom_constant<caf::atom("get")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("spectacles.node_info"), x.name, x.roles, x.address, x.pid,
           x.uptime_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("spectacles.event"), x.shard, x.seq, x.name, x.guild_id, x.data);
}

} // namespace spectacles::actors
