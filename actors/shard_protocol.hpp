// One gateway shard as a plain state machine (PROTOCOL.md §1): inputs are
// what the socket, the timers, the identify queue and the user did; outputs
// are actions for the actor around it (open a socket, send text, close,
// ask for an identify permit, hand a dispatch to the router, save the
// session, report a fatal error). No sockets, no CAF, no clock reads here.
//
//                start()                HELLO, no session: ask a permit
//   disconnected -------> connecting ------------------------------> identifying
//        ^                 ^    |                                        |
//        | stop()          |    | HELLO, session: send RESUME            | permit: IDENTIFY,
//        |                 |    v                                        | then READY
//        |                 |  resuming ---------- RESUMED ------------+  |
//        |                 |                                          v  v
//        +-----------------+------------------------------------- running
//            socket closed, zombie, op 7, op 9, a state's deadline:
//            back off (jitter, cap), reconnect; resume if a session is
//            kept, else identify. From connecting/identifying/resuming too.
//
//   A fatal close code (4004, 4010-4014) in any state -> fatally_closed (terminal).
//
// Every state has a deadline (connect/HELLO, identify permit, READY,
// RESUMED progress) and heartbeats police the open socket (zombie check), so
// no state can hang (../shared/LESSONS.md).
//
// Connection ids: every connect action carries a new id; socket events of an
// older id are ignored, so the actor never has to race a close it asked for.
//
// Driving it (the shard actor): perform the returned actions in order; report
// socket events with the id of their connect action; call on_tick() at
// next_wakeup(); on stop(), also cancel the shard's identify request.
#pragma once

#include "actors/gateway_clock.hpp"
#include "actors/gateway_error.hpp"
#include "actors/gateway_payload.hpp"
#include "actors/session_record.hpp"
#include "actors/shard_backoff.hpp"
#include "actors/shard_command_limiter.hpp"
#include "actors/shard_heartbeat.hpp"
#include "actors/wire.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spectacles::actors {

enum class shard_state {
  disconnected,   // no socket and nothing scheduled (before start, after stop)
  connecting,     // waiting out a backoff, opening the socket, or waiting for HELLO
  identifying,    // HELLO seen, no session: waiting for a permit, then for READY
  resuming,       // RESUME sent: waiting for the replay and RESUMED
  running,        // READY or RESUMED seen: dispatches flow, user commands go out
  fatally_closed, // a close code that forbids retrying; terminal
};

std::string_view to_string(shard_state state);

// The actions the shard asks its actor to perform, in order.

/// Open a WebSocket to url after delay; later socket events carry `connection`.
struct shard_connect {
  uint64_t connection = 0;
  std::string url;
  milliseconds delay{ 0 };
};

enum class send_kind { heartbeat, identify, resume, command };

/// Send one text frame on the current connection.
struct shard_send {
  send_kind kind = send_kind::command;
  std::string payload;
};

/// Close the current connection (the shard already considers it gone).
struct shard_close {
  uint16_t code = 0;
  std::string reason; // short (a close frame holds at most 123 bytes)
};

/// Ask the identify queue for a permit; answer with on_identify_permit.
struct shard_request_permit {
  uint32_t shard_id = 0;
};

/// Hand a dispatch (op 0) to the router.
struct shard_dispatch {
  event ev;
};

/// Write the session to the session store.
struct shard_save_session {
  session_snapshot session;
};

/// Remove the session from the session store: it cannot be resumed.
struct shard_clear_session {};

/// The shard stopped for good; the message tells an operator what to fix.
struct shard_fatal {
  uint16_t close_code = 0;
  std::string message;
};

using shard_action
  = std::variant<shard_connect, shard_send, shard_close, shard_request_permit, shard_dispatch,
                 shard_save_session, shard_clear_session, shard_fatal>;
using shard_actions = std::vector<shard_action>;

struct shard_options {
  identify_fields identify;
  std::string gateway_url;                  // "url" of GET /gateway/bot (PROTOCOL.md §1.1)
  std::string compression = "zstd-stream";  // "zstd-stream", "zlib-stream" or "" (none)
  milliseconds connect_timeout{ 30'000 };   // backoff delay end -> socket open
  milliseconds hello_timeout{ 20'000 };     // socket open -> HELLO
  milliseconds permit_timeout{ 600'000 };   // permit request -> permit (a long queue is normal)
  milliseconds ready_timeout{ 30'000 };     // IDENTIFY -> READY
  milliseconds resume_timeout{ 30'000 };    // RESUME or last replayed event -> next progress
  milliseconds healthy_after{ 60'000 };     // running this long resets the backoff
  milliseconds invalid_session_min{ 1000 }; // op 9 d=false: wait 1-5 s (PROTOCOL.md §1.10)
  milliseconds invalid_session_max{ 5000 };
  size_t max_queued_commands = 1000;
  backoff_options backoff;
  command_limiter_options limiter;
  session_record_options session;
};

/// Problems Discord would reject (or that would make the shard loop), found
/// before the first connection.
std::optional<gateway_error> validate(const shard_options& options);

struct shard_protocol_stats {
  uint64_t connects = 0;
  uint64_t identifies = 0;
  uint64_t resumes = 0;
  uint64_t zombies = 0;
  uint64_t invalid_sessions = 0;
  uint64_t dispatches = 0;
  uint64_t commands_sent = 0;
};

/// What queue_command did: an error (nothing was queued) or actions.
struct command_outcome {
  std::optional<gateway_error> error;
  shard_actions actions;
};

class shard_protocol {
public:
  shard_protocol(shard_options options, unit_random random);

  /// Connect; with a stored session (a shard moved here) it resumes.
  shard_actions start(gateway_time now, std::optional<session_snapshot> stored = std::nullopt);

  /// The socket of `connection` is open (WebSocket handshake done).
  shard_actions on_connected(uint64_t connection, gateway_time now);

  /// One complete, inflated text message arrived on `connection`.
  shard_actions on_message(uint64_t connection, std::string_view text, gateway_time now);
  /// The same, appending to `out` (a batch reuses one vector).
  void on_message(uint64_t connection, std::string_view text, gateway_time now, shard_actions& out);

  /// The socket of `connection` closed or failed; code is the peer's close
  /// code if there was a close frame.
  shard_actions on_closed(uint64_t connection, std::optional<uint16_t> code, gateway_time now);

  /// Time passed; call at next_wakeup() (calling more often is harmless).
  shard_actions on_tick(gateway_time now);

  /// The identify queue granted this shard an IDENTIFY.
  shard_actions on_identify_permit(gateway_time now);

  /// The router's commit point for this shard moved (ARCHITECTURE.md key decision 4).
  shard_actions on_commit(uint64_t seq, gateway_time now);

  /// A user command (op 3, 4, 8, 31 or 43 with its `d` as JSON). Refused
  /// before anything is sent if the payload would exceed 4096 bytes; sent
  /// after READY/RESUMED and within the 120/60 s allowance.
  command_outcome queue_command(gateway_time now, int op, std::string_view d_json);

  /// The same for a typed command of the models room, e.g.
  /// models::request_guild_members{ .guild_id = g, .query = "", .limit = 0 }.
  template <class Command>
  command_outcome queue(gateway_time now, const Command& command) {
    return queue_command(now, static_cast<int>(Command::op), models::encode(command));
  }

  /// Leave the gateway. keep_session = true closes with 4900 and saves the
  /// session so another node can RESUME it (a shard move); false closes with
  /// 1000, which ends the session (PROTOCOL.md §1.11).
  shard_actions stop(gateway_time now, bool keep_session);

  /// When on_tick next has work; nullopt when nothing is pending.
  std::optional<gateway_time> next_wakeup(gateway_time now);

  shard_state state() const {
    return state_;
  }

  uint64_t connection() const {
    return connection_;
  }

  std::optional<session_snapshot> session() const {
    return record_.current();
  }

  std::optional<uint64_t> last_seq() const {
    return last_seq_;
  }

  const shard_heartbeat& heartbeat() const {
    return heartbeat_;
  }

  const shard_protocol_stats& stats() const {
    return stats_;
  }

  size_t queued_commands() const {
    return queue_.size();
  }

  uint32_t reconnect_attempts() const {
    return backoff_.attempts();
  }

private:
  enum class next_session { resume, identify, identify_after_invalid_session };

  void connect(gateway_time now, milliseconds delay, shard_actions& out);
  void reconnect(gateway_time now, next_session next, std::string reason, bool we_close,
                 shard_actions& out);
  void on_hello(std::string_view d, gateway_time now, shard_actions& out);
  void on_dispatch(std::optional<uint64_t> seq, std::string_view name, std::string_view d,
                   uint64_t guild_id, gateway_time now, shard_actions& out);
  void enter_running(gateway_time now, shard_actions& out);
  void send_heartbeat(gateway_time now, shard_actions& out);
  void run_timers(gateway_time now, shard_actions& out);
  void flush_commands(gateway_time now, shard_actions& out);
  std::string shard_label() const;

  shard_options options_;
  unit_random random_;
  shard_state state_ = shard_state::disconnected;
  uint64_t connection_ = 0;
  bool socket_open_ = false;
  bool hello_seen_ = false;
  bool awaiting_permit_ = false;
  std::optional<gateway_time> deadline_;
  std::string deadline_reason_;
  std::optional<gateway_time> running_since_;
  std::optional<uint64_t> last_seq_;
  shard_heartbeat heartbeat_;
  shard_command_limiter limiter_;
  shard_backoff backoff_;
  session_record record_;
  std::deque<std::string> queue_;
  shard_protocol_stats stats_;
};

} // namespace spectacles::actors
