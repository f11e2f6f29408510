// payloads: JSON for users, members, roles, channels, guilds and messages in
// the shape of real Discord captures (tests/fixtures/discord-captures), with the
// undocumented-but-real null fields kept so clients meet what Discord sends.
//
//   {"id":"900000000000000019","channel_id":"900000000000000009","author":{...},
//    "content":"hi","timestamp":"2026-02-27T23:56:37.361000+00:00","edited_timestamp":null,...}
#pragma once

#include "sim/json_writer.hpp"
#include "sim/world.hpp"

#include <string>

namespace spectacles::sim {

/// `with_private` adds what /users/@me and READY carry (mfa_enabled, verified, email...).
/// `"name":"<id>"`, or `"name":null` when id is 0.
void id_field(json_writer& w, std::string_view name, uint64_t id);
void write_user(json_writer& w, const sim_user& user, bool with_private = false);
void write_role(json_writer& w, const sim_role& role);
void write_member(json_writer& w, const world& state, const sim_member& member,
                  bool with_user = true);
void write_channel(json_writer& w, const sim_channel& channel);
/// The REST guild object (GET /guilds/{id}).
void write_guild(json_writer& w, const sim_guild& guild);
/// The gateway GUILD_CREATE payload: the guild plus members, channels, presences...
void write_guild_create(json_writer& w, const world& state, const sim_guild& guild, time_point now);
/// A message; `gateway` adds guild_id, member and channel_type as MESSAGE_CREATE does.
void write_message(json_writer& w, const world& state, const sim_message& msg,
                   bool gateway = false);

/// Discord's error JSON: {"message": "...", "code": N} (PROTOCOL.md §2.11).
std::string error_body(int code, std::string_view message);
/// Discord's nested form error: {"code":50035,"message":"Invalid Form Body",
/// "errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"..."}]}}}
std::string form_error_body(std::string_view field, std::string_view code,
                            std::string_view message);

} // namespace spectacles::sim
