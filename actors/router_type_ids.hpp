// Atoms, errors and CAF inspect overloads of the event router's protocol
// (structs in actors/router_wire.hpp; registered by register_types()).
// Include only from .cpp files that use CAF.
#pragma once

#include <cstdint>
#include <string>

#include "caf/atom.hpp"
#include "caf/error.hpp"
#include "caf/message.hpp"
#include "caf/meta/type_name.hpp"

#include "actors/router_wire.hpp"
#include "actors/type_ids.hpp"

namespace spectacles::actors {

// CAF's own atoms where the meaning is the same: join, leave, get, reset, ok.
using ack_atom = caf::atom_constant<caf::atom("ack")>;
using ack_flush_atom = caf::atom_constant<caf::atom("ackflush")>; // a worker to itself
using flush_atom = caf::atom_constant<caf::atom("flush")>;        // the router to itself
using drain_atom = caf::atom_constant<caf::atom("drain")>;        // a worker about to leave
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using shard_atom = caf::atom_constant<caf::atom("shard")>;
using rest_atom = caf::atom_constant<caf::atom("rest")>; // hands a worker the REST role's router

/// Errors the router replies with, category "router".
enum class router_errc : uint8_t {
  unknown_shard = 1, // no shard actor registered for the command's shard
  no_shard_count,    // a command by guild id before any shard said how many shards there are
  shard_unreachable, // the shard did not answer in time or is gone
  not_registered,    // an ack or leave from an actor that never joined
};

const char* to_string(router_errc x);

inline caf::error make_error(router_errc x) {
  return caf::error{ static_cast<uint8_t>(x), caf::atom("router") };
}

/// For actor_system_config::add_error_category (done by register_types()).
std::string render_router_error(uint8_t code, caf::atom_value, const caf::message& context);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_batch& x) {
  return f(caf::meta::type_name("spectacles.delivery_batch"), x.items);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack_batch& x) {
  return f(caf::meta::type_name("spectacles.ack_batch"), x.ids);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery& x) {
  return f(caf::meta::type_name("spectacles.delivery"), x.id, x.attempt, x.ev);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_spec& x) {
  return f(caf::meta::type_name("spectacles.worker_spec"), x.group, x.events, x.window, x.name);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gateway_command& x) {
  return f(caf::meta::type_name("spectacles.gateway_command"), x.op, x.guild_id, x.shard, x.data);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, type_counters& x) {
  return f(caf::meta::type_name("spectacles.type_counters"), x.name, x.in, x.out);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_counters& x) {
  return f(caf::meta::type_name("spectacles.group_counters"), x.delivered, x.acked, x.redelivered,
           x.shed, x.dead_lettered);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_stats& x) {
  return f(caf::meta::type_name("spectacles.group_stats"), x.name, x.events, x.workers, x.queued,
           x.queued_bytes, x.in_flight, x.lag_ms, x.counters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_stats& x) {
  return f(caf::meta::type_name("spectacles.worker_stats"), x.id, x.group, x.name, x.window,
           x.in_flight, x.delivered, x.acked, x.redelivered);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_stats& x) {
  return f(caf::meta::type_name("spectacles.shard_stats"), x.shard, x.last_seq, x.commit_seq,
           x.outstanding, x.registered);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dead_letter& x) {
  return f(caf::meta::type_name("spectacles.dead_letter"), x.group, x.shard, x.seq, x.name,
           x.attempts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, router_counters& x) {
  return f(caf::meta::type_name("spectacles.router_counters"), x.events_in, x.duplicates,
           x.unrouted, x.deliveries, x.acks, x.stale_acks, x.redeliveries, x.shed, x.dead_lettered,
           x.commands, x.command_errors);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, router_stats& x) {
  return f(caf::meta::type_name("spectacles.router_stats"), x.totals, x.types, x.groups, x.workers,
           x.shards, x.dead_letters);
}

} // namespace spectacles::actors
