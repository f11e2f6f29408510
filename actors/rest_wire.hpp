// rest_wire: the plain structs that travel between a REST caller, the
// rest_router and its bucket actors (no CAF here; inspect() overloads and
// atoms are in actors/rest_type_ids.hpp).
//
//   rest_request{ "POST", "/channels/1/messages", R"({"content":"hi"})" }
//     -> rest_response{ 200, {X-RateLimit-*...}, R"({"id":"..."})" }
//     or a caf::error of category "rest" (rest_errc) when no reply from
//        Discord can be given: token invalid, deadline, transport, ...
//
// Any reply Discord gave (4xx and 5xx included) is a rest_response: the REST
// proxy forwards it as is, rest_client turns non-2xx into a structured error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spectacles::actors {

struct rest_header {
  std::string name;
  std::string value;
  bool operator==(const rest_header&) const = default;
};

/// The first value of header `name` (case-insensitive); empty if absent.
std::string_view find_rest_header(const std::vector<rest_header>& headers, std::string_view name);

/// One uploaded file of a multipart request (PROTOCOL.md §2.12).
struct rest_file {
  std::string name; ///< form field, "files[0]"
  std::string filename;
  std::string content_type;
  std::string data;
  bool operator==(const rest_file&) const = default;
};

struct rest_request {
  std::string method; ///< "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"
  /// Relative to the API base (/api/v10), query included: "/channels/1/messages?limit=5".
  std::string path;
  std::string body;
  /// Defaults to application/json when a body is given.
  std::string content_type;
  /// Raw text; the router validates and URL-encodes it (PROTOCOL.md §2.10).
  std::string audit_log_reason;
  /// Sent as given. An "Authorization" header here replaces the bot token
  /// (the REST proxy forwards its client's own).
  std::vector<rest_header> headers;
  /// Non-empty: sent as multipart/form-data with `body` as payload_json.
  std::vector<rest_file> files;
  /// Time the whole call (queueing and retries included) may take; 0 = the
  /// router's default.
  uint32_t timeout_ms = 0;
  /// Without an Authorization header: false sends the request without one
  /// (the proxy's callers use their own token or none, never the bot's).
  bool bot_token = true;
  bool operator==(const rest_request&) const = default;
};

struct rest_response {
  uint16_t status = 0;
  std::vector<rest_header> headers;
  std::string body;
  bool operator==(const rest_response&) const = default;
};

/// One request inside the REST role: what a bucket actor needs to send it.
/// Never leaves the router's node (bucket actors are local to it).
struct rest_job {
  uint64_t ticket = 0;        ///< arrival order at the router
  std::string key;            ///< rate-limit key (rest_route)
  std::string token;          ///< digest of the Authorization value (global budget, guard)
  bool exempt = false;        ///< not counted towards the global limit
  bool authenticated = false; ///< carries the bot token (a 401 says it is dead)
  std::string method;
  std::string url;
  std::vector<rest_header> headers;
  std::string body;
  int64_t deadline_ns = 0; ///< steady clock, since its epoch
  /// The router granted its global permit already (the bucket was idle with
  /// room): it may start at once; if it cannot, the permit goes back.
  bool permit = false;
  bool operator==(const rest_job&) const = default;
};

/// A bucket's view of its rate-limit window, for the router's probe fence
/// (rest_probe_fence.hpp).
struct rest_window {
  /// The bucket knows a route limit (false: unknown, or the route has none).
  bool limited = false;
  int64_t limit = 0;
  int64_t remaining = 0;
  int64_t reset_at_ns = 0; ///< steady clock, since its epoch
  bool operator==(const rest_window&) const = default;
};

/// A bucket actor tells the router what one attempt of a job got.
struct rest_outcome {
  uint64_t ticket = 0;
  std::string key;
  std::string token;
  bool authenticated = false;
  /// 0: no HTTP reply (transport error or a local failure).
  uint16_t status = 0;
  uint8_t scope = 0; ///< rate_limit_scope on a 429
  bool global = false;
  double retry_after = 0; ///< seconds, on a 429
  std::string bucket_hash;
  /// The attempt used a global permit (non-exempt): it is the end of one.
  bool counted = false;
  /// The call is over: `response` (status != 0) or `error_code`/`error_text`
  /// go to the caller. Otherwise it is retried and only headers are set.
  bool final = false;
  rest_response response;
  uint8_t error_code = 0; ///< rest_errc
  std::string error_text;
  /// The bucket's window after the attempt.
  rest_window window;
  /// The bucket has still had no reply and retries (a transport error): the
  /// key's first request is still on its way.
  bool still_probing = false;
  /// After this attempt the bucket has nothing queued or in flight and
  /// waits for no answer: the router may send its next job with a permit.
  bool idle = false;
  bool operator==(const rest_outcome&) const = default;
};

/// Counters of a rest_router, for status lines and tests.
struct rest_stats {
  uint64_t requests = 0;       ///< calls received
  uint64_t attempts = 0;       ///< HTTP replies and transport errors seen
  uint64_t completed = 0;      ///< calls answered with a Discord reply
  uint64_t failed = 0;         ///< calls answered with an error
  uint64_t rate_limited = 0;   ///< 429s received (all scopes)
  uint64_t unexpected_429 = 0; ///< 429s of scope user or global: our count was wrong
  uint64_t retries = 0;
  uint64_t buckets = 0;      ///< bucket actors alive
  uint64_t merges = 0;       ///< keys moved into a shared bucket
  uint64_t forwarded = 0;    ///< calls sent on to the REST node owning their bucket
  uint64_t rest_nodes = 0;   ///< live REST routers this one knows, itself included
  uint64_t global_share = 0; ///< this router's part of the global budget, per second
  uint64_t fenced = 0;       ///< requests held back by the probe fence
  uint64_t fast_permits = 0; ///< jobs sent to an idle bucket with their permit attached
  bool operator==(const rest_stats&) const = default;
};

} // namespace spectacles::actors
