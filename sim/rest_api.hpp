// rest_api: Discord's REST API under /api/v10 over the simulator's world, as a
// plain function from request to response with an injected `now` (the REST
// server around it only moves bytes). Checks the bot token, applies injected
// faults and the rate-limit model, records every request, and answers with
// Discord's payloads and error bodies:
//
//   GET /api/v10/users/@me        Authorization: Bot <token>
//   -> 200 {"id":"900000000000000018","username":"spectacles-sim","bot":true,...}
//   -> 401 {"message": "401: Unauthorized", "code": 0}
//   -> 404 {"message": "Unknown Channel", "code": 10003}
//   -> 400 {"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[...]}}}
//
// Routes: gateway, users (@me, by id, DM create), channels (get, modify,
// delete, permission overwrites, threads), messages (CRUD, bulk delete),
// reactions (add, list, remove one/user/all), guilds (get, modify, channels,
// members, roles, bans), webhooks and interaction callbacks and follow-ups,
// application commands (list, bulk overwrite; global and per guild).
#pragma once

#include "net/http_message.hpp"
#include "sim/clock.hpp"
#include "sim/faults.hpp"
#include "sim/rest_limits.hpp"
#include "sim/verdict.hpp"
#include "sim/world.hpp"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace spectacles::sim {

struct session_start_limit {
  uint32_t total = 1000;
  uint32_t remaining = 1000;
  uint64_t reset_after_ms = 14400000;
  uint32_t max_concurrency = 1;
};

struct rest_options {
  std::string token = "sim-token";
  std::string gateway_url = "ws://127.0.0.1:0"; ///< what /gateway and /gateway/bot return
  uint32_t shards = 1;                          ///< recommended shard count
  rest_limits_options limits = default_rest_limits();
  size_t max_messages = 10000; ///< oldest messages are dropped above this
  size_t max_records = 100000; ///< request log bound
};

/// One request as the sim saw it (for assertions).
struct request_record {
  time_point time;
  std::string method;
  std::string path;   ///< without query
  std::string route;  ///< "POST /channels/:id/messages"
  std::string bucket; ///< X-RateLimit-Bucket
  unsigned status = 0;
  std::string scope;              ///< 429 scope, else empty
  std::string user_agent{};       ///< the User-Agent header as received
  std::string audit_log_reason{}; ///< X-Audit-Log-Reason as received (still URL-encoded)
  bool authorization = false;     ///< an Authorization header came (the token is not kept)
};

/// An application command as PUT /applications/{id}/commands left it.
struct sim_command {
  uint64_t id = 0;
  uint64_t guild_id = 0; ///< 0 = global
  int type = 1;          ///< 1 chat input, 2 user, 3 message
  std::string name;
  std::string description;
  std::string options_json;               ///< empty = not given
  std::string default_member_permissions; ///< empty = null
  bool nsfw = false;
  uint64_t version = 0;
};

struct rest_reply {
  net::http_response response;
  milliseconds delay{ 0 }; ///< answer this much later (slow-response fault)
};

class rest_api {
public:
  /// `state`, `faults`, `tally` and `start_limit` outlive the api; the caller
  /// serialises calls (the simulator's state mutex).
  rest_api(world& state, fault_plan& faults, verdict& tally, session_start_limit& start_limit,
           rest_options options);
  ~rest_api();

  rest_reply handle(const net::http_request& req, time_point now);

  const std::deque<request_record>& requests() const {
    return records_;
  }
  rest_limits& limits() {
    return limits_;
  }
  const rest_options& options() const {
    return options_;
  }
  void set_gateway_url(std::string url) {
    options_.gateway_url = std::move(url);
  }
  void set_shards(uint32_t n) {
    options_.shards = n;
  }

  /// Observer for messages created through REST (the gateway echoes them as
  /// MESSAGE_CREATE on the guild's shard).
  std::function<void(const sim_message&)> on_message_created;

private:
  struct parsed_body;
  rest_reply route(const net::http_request& req, const route_key& key, std::string_view path,
                   std::string_view query, time_point now);

  world& state_;
  fault_plan& faults_;
  verdict& tally_;
  session_start_limit& start_limit_;
  rest_options options_;
  rest_limits limits_;
  std::deque<request_record> records_;
  std::set<std::string> revoked_tokens_; ///< tokens that already got a 401
  std::set<std::string> acked_interactions_;
  std::unordered_map<std::string, uint64_t> originals_;   ///< interaction token -> message id
  std::map<uint64_t, std::vector<sim_command>> commands_; ///< by guild id (0 = global)
  struct json_parser;
  std::unique_ptr<json_parser> parser_;
};

} // namespace spectacles::sim
