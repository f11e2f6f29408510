// Atoms and CAF inspect overloads of the gateway role (structs in
// actors/gateway_wire.hpp, actors/session_record.hpp and
// actors/identify_schedule.hpp; registered by register_types()). Include only
// from .cpp files that use CAF.
#pragma once

#include "caf/atom.hpp"
#include "caf/meta/type_name.hpp"

#include "actors/gateway_wire.hpp"
#include "actors/identify_schedule.hpp"
#include "actors/session_record.hpp"
#include "actors/type_ids.hpp"

namespace spectacles::actors {

using identify_atom = caf::atom_constant<caf::atom("identify")>;
/// Shard -> coordinator: my IDENTIFY is out (the window starts now).
using identified_atom = caf::atom_constant<caf::atom("identified")>;
using session_atom = caf::atom_constant<caf::atom("session")>;
using router_atom = caf::atom_constant<caf::atom("router")>;
using coord_atom = caf::atom_constant<caf::atom("coord")>;
using shards_atom = caf::atom_constant<caf::atom("shards")>;
using limits_atom = caf::atom_constant<caf::atom("limits")>;
using ws_open_atom = caf::atom_constant<caf::atom("ws_open")>;
using ws_msg_atom = caf::atom_constant<caf::atom("ws_msg")>;
using ws_closed_atom = caf::atom_constant<caf::atom("ws_closed")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_snapshot& x) {
  return f(caf::meta::type_name("spectacles.session_snapshot"), x.session_id, x.resume_gateway_url,
           x.seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_assignment& x) {
  return f(caf::meta::type_name("spectacles.shard_assignment"), x.shard, x.total, x.gateway_url);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_report& x) {
  return f(caf::meta::type_name("spectacles.shard_report"), x.shard, x.node, x.state, x.seq,
           x.session_id, x.dispatches, x.identifies, x.resumes, x.zombies, x.connects, x.latency_ms,
           x.buffered, x.shed, x.hibernations, x.error);
}

} // namespace spectacles::actors
