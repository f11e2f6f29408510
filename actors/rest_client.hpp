// rest_client: what a worker (or any actor) uses to call Discord's REST API
// through the cluster's "rest" role. Every call goes to the rest_router, which
// rate-limits it cluster-wide; replies are decoded into models types, errors
// into rest_call_error (Discord's JSON error with field errors by path, or a
// local reason: token invalid, deadline, REST node gone, ...).
//
//   rest_client rest{ sys, router };
//   rest.create_message(self, channel_id, { .content = "pong" },
//                       [](rest_result<models::message> r) {
//                         if (!r) log::warn("bot", r.error().describe());
//                       });
//
// Callbacks run in the calling actor (`self`), like a request(...).then(...).
// Every call has a deadline (options.timeout unless the call gives one). A
// client watches its router: once the router (or its node) is gone, calls in
// flight and later calls fail at once with kind::router_down.
//
// No CAF headers here: user code includes this file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "actors/rest_params.hpp"
#include "actors/rest_wire.hpp"
#include "models/rest_error.hpp"

namespace caf {
class actor;
class actor_system;
class event_based_actor;
} // namespace caf

namespace spectacles::actors {

struct rest_call_error {
  enum class kind {
    http,             // Discord answered with an error status: see `http`
    token_invalid,    // a 401 marked the bot token invalid; nothing goes out until replaced
    too_many_invalid, // near the invalid-request limit (PROTOCOL.md §2.8); try later
    deadline,         // no reply within the call's timeout
    transport,        // the HTTP request failed after the allowed retries
    invalid_request,  // malformed call (method, path, audit-log reason)
    router_down,      // the REST node is gone
    decode,           // a 2xx reply whose body did not decode into the expected type
    internal,
  };
  kind what = kind::internal;
  /// kind::http: status, Discord code, message, field errors by path.
  models::rest_error http;
  std::string message;

  /// One line: "HTTP 404, code 10003: Unknown Channel" or "deadline: ...".
  std::string describe() const;
};

std::string_view to_string(rest_call_error::kind k);

/// Either a T or a rest_call_error.
template <class T>
class rest_result {
public:
  rest_result(T value) : data_(std::move(value)) {}
  rest_result(rest_call_error err) : data_(std::move(err)) {}

  bool ok() const {
    return data_.index() == 0;
  }
  explicit operator bool() const {
    return ok();
  }
  T& value() {
    return std::get<0>(data_);
  }
  const T& value() const {
    return std::get<0>(data_);
  }
  T& operator*() {
    return value();
  }
  T* operator->() {
    return &value();
  }
  const rest_call_error& error() const {
    return std::get<1>(data_);
  }

private:
  std::variant<T, rest_call_error> data_;
};

struct rest_client_options {
  /// Deadline of a call that does not give its own.
  std::chrono::milliseconds timeout{ 15000 };
};

/// Per call: a deadline other than the client's, an audit-log reason.
struct rest_call_options {
  std::chrono::milliseconds timeout{ 0 };
  std::string audit_log_reason;
};

class rest_client {
public:
  template <class T>
  using callback = std::function<void(rest_result<T>)>;
  using snowflake = models::snowflake;

  rest_client() = default;
  /// `router`: the REST role's rest_router, local or on another node.
  rest_client(caf::actor_system& sys, const caf::actor& router, rest_client_options options = {});

  /// Whether this client has a router (a default-constructed one has not).
  bool valid() const {
    return impl_ != nullptr;
  }

  // Generic: any endpoint. A non-2xx reply is an error of kind http.
  void request(caf::event_based_actor* self, rest_request req, callback<rest_response> done) const;
  void request(caf::event_based_actor* self, std::string method, std::string path, std::string body,
               callback<rest_response> done) const;
  /// Blocking, for code outside actors (scripts, tests); never call it from an actor.
  rest_result<rest_response> request_sync(rest_request req) const;

  // Messages
  void create_message(caf::event_based_actor* self, snowflake channel, const message_create& p,
                      callback<models::message> done, const rest_call_options& o = {}) const;
  void get_message(caf::event_based_actor* self, snowflake channel, snowflake message,
                   callback<models::message> done, const rest_call_options& o = {}) const;
  /// `query` without "?": "limit=50&before=123".
  void get_messages(caf::event_based_actor* self, snowflake channel, std::string query,
                    callback<std::vector<models::message>> done,
                    const rest_call_options& o = {}) const;
  void edit_message(caf::event_based_actor* self, snowflake channel, snowflake message,
                    const message_edit& p, callback<models::message> done,
                    const rest_call_options& o = {}) const;
  void delete_message(caf::event_based_actor* self, snowflake channel, snowflake message,
                      callback<rest_empty> done, const rest_call_options& o = {}) const;
  void bulk_delete_messages(caf::event_based_actor* self, snowflake channel,
                            std::vector<snowflake> messages, callback<rest_empty> done,
                            const rest_call_options& o = {}) const;

  // Reactions; `emoji` as typed ("👍" or "name:id"), encoded here (PROTOCOL.md §2.9).
  void create_reaction(caf::event_based_actor* self, snowflake channel, snowflake message,
                       std::string_view emoji, callback<rest_empty> done,
                       const rest_call_options& o = {}) const;
  void delete_own_reaction(caf::event_based_actor* self, snowflake channel, snowflake message,
                           std::string_view emoji, callback<rest_empty> done,
                           const rest_call_options& o = {}) const;
  void delete_user_reaction(caf::event_based_actor* self, snowflake channel, snowflake message,
                            std::string_view emoji, snowflake user, callback<rest_empty> done,
                            const rest_call_options& o = {}) const;
  void get_reactions(caf::event_based_actor* self, snowflake channel, snowflake message,
                     std::string_view emoji, callback<std::vector<models::user>> done,
                     const rest_call_options& o = {}) const;
  void delete_all_reactions(caf::event_based_actor* self, snowflake channel, snowflake message,
                            callback<rest_empty> done, const rest_call_options& o = {}) const;

  // Channels
  void get_channel(caf::event_based_actor* self, snowflake channel, callback<models::channel> done,
                   const rest_call_options& o = {}) const;
  void modify_channel(caf::event_based_actor* self, snowflake channel, const channel_modify& p,
                      callback<models::channel> done, const rest_call_options& o = {}) const;
  void delete_channel(caf::event_based_actor* self, snowflake channel,
                      callback<models::channel> done, const rest_call_options& o = {}) const;
  void edit_permissions(caf::event_based_actor* self, snowflake channel, snowflake overwrite,
                        const permission_edit& p, callback<rest_empty> done,
                        const rest_call_options& o = {}) const;
  void start_thread(caf::event_based_actor* self, snowflake channel, const thread_create& p,
                    callback<models::channel> done, const rest_call_options& o = {}) const;

  // Guilds, members, roles, bans
  void get_guild(caf::event_based_actor* self, snowflake guild, callback<models::guild> done,
                 const rest_call_options& o = {}) const;
  void modify_guild(caf::event_based_actor* self, snowflake guild, const guild_modify& p,
                    callback<models::guild> done, const rest_call_options& o = {}) const;
  void get_guild_channels(caf::event_based_actor* self, snowflake guild,
                          callback<std::vector<models::channel>> done,
                          const rest_call_options& o = {}) const;
  void create_guild_channel(caf::event_based_actor* self, snowflake guild,
                            const guild_channel_create& p, callback<models::channel> done,
                            const rest_call_options& o = {}) const;
  void get_member(caf::event_based_actor* self, snowflake guild, snowflake user,
                  callback<models::guild_member> done, const rest_call_options& o = {}) const;
  /// `query` without "?": "limit=1000&after=0".
  void list_members(caf::event_based_actor* self, snowflake guild, std::string query,
                    callback<std::vector<models::guild_member>> done,
                    const rest_call_options& o = {}) const;
  void modify_member(caf::event_based_actor* self, snowflake guild, snowflake user,
                     const member_modify& p, callback<models::guild_member> done,
                     const rest_call_options& o = {}) const;
  void add_member_role(caf::event_based_actor* self, snowflake guild, snowflake user,
                       snowflake role, callback<rest_empty> done,
                       const rest_call_options& o = {}) const;
  void remove_member_role(caf::event_based_actor* self, snowflake guild, snowflake user,
                          snowflake role, callback<rest_empty> done,
                          const rest_call_options& o = {}) const;
  void remove_member(caf::event_based_actor* self, snowflake guild, snowflake user,
                     callback<rest_empty> done, const rest_call_options& o = {}) const;
  void get_roles(caf::event_based_actor* self, snowflake guild,
                 callback<std::vector<models::role>> done, const rest_call_options& o = {}) const;
  void create_role(caf::event_based_actor* self, snowflake guild, const role_params& p,
                   callback<models::role> done, const rest_call_options& o = {}) const;
  void modify_role(caf::event_based_actor* self, snowflake guild, snowflake role,
                   const role_params& p, callback<models::role> done,
                   const rest_call_options& o = {}) const;
  void delete_role(caf::event_based_actor* self, snowflake guild, snowflake role,
                   callback<rest_empty> done, const rest_call_options& o = {}) const;
  void get_bans(caf::event_based_actor* self, snowflake guild,
                callback<std::vector<models::ban>> done, const rest_call_options& o = {}) const;
  void create_ban(caf::event_based_actor* self, snowflake guild, snowflake user,
                  const ban_create& p, callback<rest_empty> done,
                  const rest_call_options& o = {}) const;
  void remove_ban(caf::event_based_actor* self, snowflake guild, snowflake user,
                  callback<rest_empty> done, const rest_call_options& o = {}) const;

  // Users
  void get_current_user(caf::event_based_actor* self, callback<models::user> done,
                        const rest_call_options& o = {}) const;
  void get_user(caf::event_based_actor* self, snowflake user, callback<models::user> done,
                const rest_call_options& o = {}) const;
  void create_dm(caf::event_based_actor* self, snowflake recipient, callback<models::channel> done,
                 const rest_call_options& o = {}) const;

  // Webhooks (their token is in the path; it never appears in logs, rest_route.hpp)
  void execute_webhook(caf::event_based_actor* self, snowflake webhook, std::string_view token,
                       const webhook_message& p, callback<models::message> done,
                       const rest_call_options& o = {}) const;
  void edit_webhook_message(caf::event_based_actor* self, snowflake webhook, std::string_view token,
                            std::string_view message, const webhook_message& p,
                            callback<models::message> done, const rest_call_options& o = {}) const;

  // Interactions (exempt from the global limit, PROTOCOL.md §2.7; answer within 3 s, §2.13)
  void create_interaction_response(caf::event_based_actor* self, snowflake interaction,
                                   std::string_view token, const models::interaction_response& p,
                                   callback<rest_empty> done,
                                   const rest_call_options& o = {}) const;
  void edit_original_response(caf::event_based_actor* self, snowflake application,
                              std::string_view token, const webhook_message& p,
                              callback<models::message> done,
                              const rest_call_options& o = {}) const;
  void create_followup(caf::event_based_actor* self, snowflake application, std::string_view token,
                       const webhook_message& p, callback<models::message> done,
                       const rest_call_options& o = {}) const;

  // Application commands
  void get_global_commands(caf::event_based_actor* self, snowflake application,
                           callback<std::vector<models::application_command>> done,
                           const rest_call_options& o = {}) const;
  void bulk_overwrite_global_commands(caf::event_based_actor* self, snowflake application,
                                      const std::vector<application_command_create>& commands,
                                      callback<std::vector<models::application_command>> done,
                                      const rest_call_options& o = {}) const;
  void bulk_overwrite_guild_commands(caf::event_based_actor* self, snowflake application,
                                     snowflake guild,
                                     const std::vector<application_command_create>& commands,
                                     callback<std::vector<models::application_command>> done,
                                     const rest_call_options& o = {}) const;

  // Gateway
  void get_gateway_bot(caf::event_based_actor* self, callback<gateway_bot_reply> done,
                       const rest_call_options& o = {}) const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// Turns a router reply into a typed result (exposed for the proxy and tests):
/// non-2xx -> kind::http with Discord's error decoded; 2xx -> T decoded.
template <class T>
rest_result<T> decode_rest_reply(const rest_response& r);

} // namespace spectacles::actors
