// rest_route: turns a REST request (method + path) into the rate-limit key of
// the bucket that must carry it (PROTOCOL.md §2.9).
//
//   DELETE /channels/81384788765712384/messages/175928847299117063
//     -> key   "DELETE /channels/81384788765712384/messages/:id"
//        major "channels/81384788765712384"
//   PUT /channels/1/messages/2/reactions/%F0%9F%91%8D/@me
//     -> key   "PUT /channels/1/messages/:id/reactions/:reaction"
//   POST /webhooks/223/aW50ZXJhY3Rpb246...   (an interaction follow-up)
//     -> key   "POST /webhooks/223/:token~5f1c0e7a2b9d4e11"   global_exempt
//
// Ids become ":id" except the major parameter (channel, guild, webhook id;
// for webhooks with a token also a digest of the token), because Discord
// limits /channels/1 and /channels/2 independently. Tokens never appear in a
// key or a log path: a webhook or interaction token is replaced by ":token"
// (plus, in keys, a 64-bit digest so that two tokens keep two buckets).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace spectacles::actors {

enum class rest_method { get, head, post, put, patch, delete_ };

/// "GET", "POST", ... (upper case, as on the wire).
std::string_view to_string(rest_method method);

/// Parses an HTTP method name (case-sensitive, as HTTP says); nullopt for
/// methods Discord does not use (OPTIONS, TRACE, CONNECT, junk).
std::optional<rest_method> parse_rest_method(std::string_view name);

/// GET, HEAD, PUT and DELETE may be repeated without a second effect
/// (RFC 9110 §9.2.2); POST and PATCH may not (see rest_retry.hpp).
bool is_idempotent(rest_method method);

/// A 64-bit FNV-1a digest, as 16 hex digits: identifies a token in keys and
/// maps without storing or printing the token itself.
std::string token_digest(std::string_view token);

struct rest_route {
  rest_method method = rest_method::get;
  /// The bucket key: "METHOD /path/with/:id" (major parameter kept).
  std::string key;
  /// "channels/<id>", "guilds/<id>", "webhooks/<id>" or "global".
  std::string major;
  /// The request path with tokens replaced by ":token", query dropped: what
  /// logs and metrics may show.
  std::string log_path;
  /// Interaction callbacks and interaction webhooks do not count towards the
  /// global 50/s limit (PROTOCOL.md §2.7).
  bool global_exempt = false;
  /// Interaction callback (POST /interactions/<id>/<token>/callback): one
  /// answer per interaction, due within 3 s (§2.13); its key is per
  /// interaction so it never queues behind another interaction's answer.
  bool interaction_callback = false;
  /// A message delete whose message is older than 14 days: Discord limits
  /// these in their own bucket (§2.9, "Delete Old Message").
  bool old_message_delete = false;
};

struct rest_route_options {
  /// The bot's application id, when known: webhooks/<application_id>/<token>
  /// are interaction follow-ups. Without it, a token that starts with
  /// base64("interaction:") is recognised as an interaction token (observed
  /// in every captured interaction; not documented by Discord).
  uint64_t application_id = 0;
};

/// Messages older than this are deleted through their own bucket (§2.9).
inline constexpr std::chrono::milliseconds old_message_age{ 14LL * 24 * 60 * 60 * 1000 };

/// Computes the route of `path` (relative to /api/v10, e.g.
/// "/channels/1/messages?limit=5"). `now` is the wall clock, used only to
/// age the message of a DELETE. Never fails: an unusual path just yields a
/// key with its non-id segments kept.
rest_route make_rest_route(rest_method method, std::string_view path,
                           std::chrono::system_clock::time_point now,
                           const rest_route_options& options = {});

/// A request target the REST proxy accepted: the path relative to /api/v10
/// ("/channels/1/messages") and the query without its "?" ("limit=5").
struct proxy_target {
  std::string path;
  std::string query;
};

struct proxy_target_error {
  /// Suggested HTTP status for the proxy's reply (400 or 404).
  int http_status = 400;
  std::string message;
};

/// Validates a request target received by the REST proxy: it must be
/// "/api/v10/..." (the only version the cluster speaks, §2.1), with no empty,
/// "." or ".." segment, no fragment, no control character or space, and at
/// most 2048 bytes. Anything else is refused with a message saying why.
std::variant<proxy_target, proxy_target_error> normalize_proxy_target(std::string_view target);

} // namespace spectacles::actors
