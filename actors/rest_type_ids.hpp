// Atoms, errors and CAF inspect overloads of the REST role's protocol
// (structs in actors/rest_wire.hpp; registered by register_types()).
// Include only from .cpp files that use CAF.
#pragma once

#include <cstdint>
#include <string>

#include "caf/atom.hpp"
#include "caf/error.hpp"
#include "caf/make_message.hpp"
#include "caf/message.hpp"
#include "caf/meta/type_name.hpp"

#include "actors/rest_wire.hpp"

namespace spectacles::actors {

// bucket -> router
using rest_permit_atom = caf::atom_constant<caf::atom("rpermit")>;
using rest_learned_atom = caf::atom_constant<caf::atom("rlearned")>;
// router -> bucket
using rest_take_atom = caf::atom_constant<caf::atom("rtake")>;
using rest_absorb_atom = caf::atom_constant<caf::atom("rabsorb")>;
using rest_cancel_atom = caf::atom_constant<caf::atom("rcancel")>;
using rest_retire_atom = caf::atom_constant<caf::atom("rretire")>;
// I/O thread -> bucket
using rest_http_atom = caf::atom_constant<caf::atom("rhttp")>;
// router -> router (the owner of the request's bucket key; never forwarded again)
using rest_fwd_atom = caf::atom_constant<caf::atom("rfwd")>;
// timers and status
using rest_budget_atom = caf::atom_constant<caf::atom("rbudget")>;
using rest_sweep_atom = caf::atom_constant<caf::atom("rsweep")>;
using rest_wake_atom = caf::atom_constant<caf::atom("rwake")>;
/// (token digest): Discord answered 401 for this token on a peer router.
using rest_revoked_atom = caf::atom_constant<caf::atom("rrevoked")>;
/// (majors): a joining router's majors this router still has calls queued
/// for; the new owner sends their calls here until (rest_drained_atom, major).
using rest_draining_atom = caf::atom_constant<caf::atom("rdraining")>;
using rest_drained_atom = caf::atom_constant<caf::atom("rdrained")>;
using rest_stats_atom = caf::atom_constant<caf::atom("reststats")>;

/// Why a REST call got no reply from Discord; category "rest".
enum class rest_errc : uint8_t {
  token_invalid = 1, // a 401 marked the bot token dead: no call goes out until it is replaced
  too_many_invalid,  // near Discord's 10,000 invalid requests per 10 min: refused for now
  deadline,          // the call's time ran out (queued, waiting, or retrying)
  transport,         // the HTTP request failed (connect, TLS, timeout, closed) beyond retries
  invalid_request,   // the request itself is malformed (method, path, audit-log reason)
  router_down,       // the REST node serving this client is gone
  internal,          // a bucket actor failed; the call's fate is unknown
};

const char* to_string(rest_errc x);

inline caf::error make_error(rest_errc x, std::string text = {}) {
  if (text.empty())
    return caf::error{ static_cast<uint8_t>(x), caf::atom("rest") };
  return caf::error{ static_cast<uint8_t>(x), caf::atom("rest"),
                     caf::make_message(std::move(text)) };
}

/// For actor_system_config::add_error_category (done by register_types()).
std::string render_rest_error(uint8_t code, caf::atom_value, const caf::message& context);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_header& x) {
  return f(caf::meta::type_name("spectacles.rest_header"), x.name, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_file& x) {
  return f(caf::meta::type_name("spectacles.rest_file"), x.name, x.filename, x.content_type,
           x.data);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_request& x) {
  return f(caf::meta::type_name("spectacles.rest_request"), x.method, x.path, x.body,
           x.content_type, x.audit_log_reason, x.headers, x.files, x.timeout_ms, x.bot_token);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_response& x) {
  return f(caf::meta::type_name("spectacles.rest_response"), x.status, x.headers, x.body);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_job& x) {
  return f(caf::meta::type_name("spectacles.rest_job"), x.ticket, x.key, x.token, x.exempt,
           x.authenticated, x.method, x.url, x.headers, x.body, x.deadline_ns, x.permit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_window& x) {
  return f(caf::meta::type_name("spectacles.rest_window"), x.limited, x.limit, x.remaining,
           x.reset_at_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_outcome& x) {
  return f(caf::meta::type_name("spectacles.rest_outcome"), x.ticket, x.key, x.token,
           x.authenticated, x.status, x.scope, x.global, x.retry_after, x.bucket_hash, x.counted,
           x.final, x.response, x.error_code, x.error_text, x.window, x.still_probing, x.idle);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_stats& x) {
  return f(caf::meta::type_name("spectacles.rest_stats"), x.requests, x.attempts, x.completed,
           x.failed, x.rate_limited, x.unexpected_429, x.retries, x.buckets, x.merges, x.forwarded,
           x.rest_nodes, x.global_share, x.fenced, x.fast_permits);
}

} // namespace spectacles::actors
