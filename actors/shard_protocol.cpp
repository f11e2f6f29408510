#include "actors/shard_protocol.hpp"

#include "actors/gateway_json.hpp"
#include "actors/shard_close_code.hpp"
#include "models/envelope.hpp"

#include <algorithm>

namespace spectacles::actors {

namespace json = gateway_json;

std::string_view to_string(shard_state state) {
  switch (state) {
    case shard_state::disconnected: return "disconnected";
    case shard_state::connecting: return "connecting";
    case shard_state::identifying: return "identifying";
    case shard_state::resuming: return "resuming";
    case shard_state::running: return "running";
    case shard_state::fatally_closed: return "fatally_closed";
  }
  return "unknown";
}

std::optional<gateway_error> validate(const shard_options& options) {
  auto bad = [](std::string message) {
    return gateway_error{ gateway_errc::invalid_config, std::move(message) };
  };
  const auto& id = options.identify;
  if (id.token.empty())
    return bad("gateway: no bot token; set DISCORD_TOKEN or the token file");
  if (id.shard_count == 0 || id.shard_id >= id.shard_count)
    return bad("gateway: shard " + std::to_string(id.shard_id) + " is not below the shard count "
               + std::to_string(id.shard_count));
  if (id.large_threshold < 50 || id.large_threshold > 250)
    return bad("gateway: large_threshold " + std::to_string(id.large_threshold)
               + " is outside 50-250 (PROTOCOL.md §1.6)");
  if (options.gateway_url.empty())
    return bad("gateway: no gateway URL (GET /gateway/bot gives one)");
  if (options.compression != "" && options.compression != "zlib-stream"
      && options.compression != "zstd-stream")
    return bad("gateway: compression '" + options.compression
               + "' is not one of zstd-stream, zlib-stream or empty");
  auto size = identify_payload(id).size();
  if (size > max_gateway_payload_bytes)
    return bad("gateway: IDENTIFY would be " + std::to_string(size)
               + " bytes; Discord accepts at most 4096 (shorten gateway.presence)");
  if (options.invalid_session_max < options.invalid_session_min)
    return bad("gateway: invalid_session_max is below invalid_session_min");
  return std::nullopt;
}

shard_protocol::shard_protocol(shard_options options, unit_random random)
    : options_(std::move(options)),
      random_(std::move(random)),
      limiter_(options_.limiter),
      backoff_(options_.backoff),
      record_(options_.session) {
  if (!random_)
    random_ = make_unit_random(options_.identify.shard_id);
}

std::string shard_protocol::shard_label() const {
  return "shard " + std::to_string(options_.identify.shard_id) + "/"
         + std::to_string(options_.identify.shard_count);
}

// -- inputs -------------------------------------------------------------------

shard_actions shard_protocol::start(gateway_time now, std::optional<session_snapshot> stored) {
  shard_actions out;
  if (state_ != shard_state::disconnected)
    return out;
  if (stored && !stored->session_id.empty()) {
    record_.restore(*stored);
    last_seq_ = stored->seq;
  }
  connect(now, milliseconds{ 0 }, out);
  return out;
}

shard_actions shard_protocol::on_connected(uint64_t connection, gateway_time now) {
  shard_actions out;
  if (connection != connection_ || state_ != shard_state::connecting || socket_open_)
    return out;
  socket_open_ = true;
  ++stats_.connects;
  deadline_ = now + options_.hello_timeout;
  deadline_reason_ = "no HELLO in time";
  return out;
}

shard_actions shard_protocol::on_message(uint64_t connection, std::string_view text,
                                         gateway_time now) {
  shard_actions out;
  on_message(connection, text, now, out);
  return out;
}

void shard_protocol::on_message(uint64_t connection, std::string_view text, gateway_time now,
                                shard_actions& out) {
  if (connection != connection_ || !socket_open_)
    return;
  auto scanned = models::scan_envelope(text);
  if (!scanned) {
    // Bad input from the wire is a reason to reconnect, never to die (LESSONS.md).
    reconnect(now, next_session::resume, "unreadable message: " + scanned.error_message(), true,
              out);
    return;
  }
  const auto& env = *scanned;
  switch (env.op) {
    case 0:
      on_dispatch(env.s, env.t, env.d, env.guild_id ? env.guild_id->value() : 0, now, out);
      break;
    case 1: // the server wants a heartbeat now (PROTOCOL.md §1.5)
      heartbeat_.on_server_request(now);
      send_heartbeat(now, out);
      break;
    case 7: reconnect(now, next_session::resume, "op 7 reconnect", true, out); break;
    case 9: {
      ++stats_.invalid_sessions;
      bool resumable = json::parse_bool(env.d).value_or(false);
      if (resumable && record_.current())
        reconnect(now, next_session::resume, "op 9 invalid session (resumable)", true, out);
      else
        reconnect(now, next_session::identify_after_invalid_session, "op 9 invalid session", true,
                  out);
      break;
    }
    case 10: on_hello(env.d, now, out); break;
    case 11: heartbeat_.on_ack(now); break;
    default: break; // unknown opcodes are tolerated
  }
  if (state_ != shard_state::fatally_closed)
    run_timers(now, out);
}

shard_actions shard_protocol::on_closed(uint64_t connection, std::optional<uint16_t> code,
                                        gateway_time now) {
  shard_actions out;
  if (connection != connection_ || state_ == shard_state::disconnected
      || state_ == shard_state::fatally_closed)
    return out;
  auto decision = decide_close(code);
  std::string reason = code ? "closed with " + std::to_string(*code) : "socket dropped";
  switch (decision.outcome) {
    case close_outcome::fatal:
      state_ = shard_state::fatally_closed;
      socket_open_ = false;
      deadline_.reset();
      heartbeat_.reset();
      out.push_back(shard_fatal{ *code, fatal_close_message(options_.identify.shard_id,
                                                            options_.identify.shard_count, *code,
                                                            options_.identify.intents) });
      break;
    case close_outcome::identify: reconnect(now, next_session::identify, reason, false, out); break;
    case close_outcome::resume: reconnect(now, next_session::resume, reason, false, out); break;
  }
  return out;
}

shard_actions shard_protocol::on_tick(gateway_time now) {
  shard_actions out;
  run_timers(now, out);
  return out;
}

shard_actions shard_protocol::on_identify_permit(gateway_time now) {
  shard_actions out;
  // A permit that arrives after we gave up waiting is simply not used.
  if (state_ != shard_state::identifying || !awaiting_permit_ || !socket_open_)
    return out;
  awaiting_permit_ = false;
  limiter_.record_protocol(now);
  ++stats_.identifies;
  out.push_back(shard_send{ send_kind::identify, identify_payload(options_.identify) });
  deadline_ = now + options_.ready_timeout;
  deadline_reason_ = "no READY in time";
  run_timers(now, out);
  return out;
}

shard_actions shard_protocol::on_commit(uint64_t seq, gateway_time now) {
  shard_actions out;
  if (auto save = record_.on_commit(seq, now))
    out.push_back(shard_save_session{ std::move(*save) });
  return out;
}

command_outcome shard_protocol::queue_command(gateway_time now, int op, std::string_view d_json) {
  command_outcome result;
  auto fail = [&](gateway_errc code, std::string message) {
    result.error = gateway_error{ code, shard_label() + ": " + std::move(message) };
    return result;
  };
  if (state_ == shard_state::fatally_closed)
    return fail(gateway_errc::shard_stopped, "the shard is fatally closed; command dropped");
  // Heartbeat, IDENTIFY and RESUME belong to the shard; these are the user's (§1.4).
  if (op != 3 && op != 4 && op != 8 && op != 31 && op != 43)
    return fail(gateway_errc::command_not_allowed,
                "op " + std::to_string(op)
                  + " is not a user command (allowed: 3 presence, 4 voice state, 8 request guild "
                    "members, 31 soundboard sounds, 43 channel info)");
  if (!json::is_single_value(d_json))
    return fail(gateway_errc::invalid_json,
                "the `d` of op " + std::to_string(op) + " is not one JSON value");
  auto payload = command_payload(op, d_json);
  if (payload.size() > max_gateway_payload_bytes)
    return fail(gateway_errc::payload_too_large,
                "op " + std::to_string(op) + " would be " + std::to_string(payload.size())
                  + " bytes; Discord accepts at most 4096 bytes per payload and closes the "
                    "connection with 4002 above that (split the request)");
  if (queue_.size() >= options_.max_queued_commands)
    return fail(gateway_errc::queue_full, std::to_string(queue_.size())
                                            + " commands already wait for the connection or the "
                                              "120/60 s limit; try again later");
  queue_.push_back(std::move(payload));
  flush_commands(now, result.actions);
  return result;
}

shard_actions shard_protocol::stop(gateway_time now, bool keep_session) {
  shard_actions out;
  if (state_ == shard_state::disconnected || state_ == shard_state::fatally_closed)
    return out;
  out.push_back(shard_close{ keep_session ? resumable_client_close_code : final_client_close_code,
                             keep_session ? "shard moving" : "shutdown" });
  if (keep_session) {
    if (auto snapshot = record_.current())
      out.push_back(shard_save_session{ *snapshot });
  } else {
    record_.invalidate();
    last_seq_.reset();
    out.push_back(shard_clear_session{});
  }
  ++connection_; // events of the closed socket no longer count
  state_ = shard_state::disconnected;
  socket_open_ = false;
  hello_seen_ = false;
  awaiting_permit_ = false;
  deadline_.reset();
  heartbeat_.reset();
  running_since_.reset();
  (void)now;
  return out;
}

std::optional<gateway_time> shard_protocol::next_wakeup(gateway_time now) {
  std::optional<gateway_time> next;
  auto take = [&](std::optional<gateway_time> t) {
    if (t && (!next || *t < *next))
      next = t;
  };
  if (state_ == shard_state::fatally_closed || state_ == shard_state::disconnected)
    return std::nullopt;
  take(deadline_);
  if (socket_open_)
    take(heartbeat_.next_due());
  take(record_.next_deadline());
  if (state_ == shard_state::running && !queue_.empty())
    take(limiter_.next_user_slot(now));
  return next;
}

// -- transitions --------------------------------------------------------------

void shard_protocol::connect(gateway_time now, milliseconds delay, shard_actions& out) {
  ++connection_;
  socket_open_ = false;
  hello_seen_ = false;
  awaiting_permit_ = false;
  running_since_.reset();
  heartbeat_.reset();
  limiter_.reset(); // the 120/60 s allowance is per connection
  state_ = shard_state::connecting;
  deadline_ = now + delay + options_.connect_timeout;
  deadline_reason_ = "connect timed out";
  // Resume on resume_gateway_url with the same query as the first connection (§1.1).
  auto session = record_.current();
  const auto& base = session && !session->resume_gateway_url.empty() ? session->resume_gateway_url
                                                                     : options_.gateway_url;
  out.push_back(
    shard_connect{ connection_, gateway_connect_url(base, options_.compression), delay });
}

void shard_protocol::reconnect(gateway_time now, next_session next, std::string reason,
                               bool we_close, shard_actions& out) {
  if (we_close) {
    // Never 1000/1001: they would end the session (PROTOCOL.md §1.11).
    if (reason.size() > 120)
      reason.resize(120);
    out.push_back(shard_close{ resumable_client_close_code, reason });
  }
  if (next != next_session::resume || !record_.current()) {
    if (record_.current())
      out.push_back(shard_clear_session{});
    record_.invalidate();
    last_seq_.reset();
  }
  // A session that ran long enough was healthy: the next failure starts the backoff over.
  if (running_since_ && now - *running_since_ >= options_.healthy_after)
    backoff_.reset();
  auto delay = backoff_.next_delay(random_());
  if (next == next_session::identify_after_invalid_session) {
    auto span = options_.invalid_session_max - options_.invalid_session_min;
    auto wait = options_.invalid_session_min
                + milliseconds{ static_cast<int64_t>(static_cast<double>(span.count())
                                                     * unit_interval(random_())) };
    delay = std::max(delay, wait);
  }
  connect(now, delay, out);
}

void shard_protocol::on_hello(std::string_view d, gateway_time now, shard_actions& out) {
  if (hello_seen_ || state_ != shard_state::connecting)
    return;
  auto raw = json::find_member(d, "heartbeat_interval");
  auto interval = raw ? json::parse_uint(*raw) : std::nullopt;
  if (!interval || *interval == 0 || *interval > 3'600'000) {
    reconnect(now, next_session::resume, "HELLO without a usable heartbeat_interval", true, out);
    return;
  }
  hello_seen_ = true;
  heartbeat_.on_hello(now, milliseconds{ static_cast<int64_t>(*interval) }, random_());
  if (auto session = record_.current(); session && last_seq_) {
    state_ = shard_state::resuming;
    record_.on_resuming(*last_seq_);
    limiter_.record_protocol(now);
    ++stats_.resumes;
    out.push_back(shard_send{ send_kind::resume, resume_payload(options_.identify.token,
                                                                session->session_id, *last_seq_) });
    deadline_ = now + options_.resume_timeout;
    deadline_reason_ = "no RESUMED in time";
  } else {
    state_ = shard_state::identifying;
    awaiting_permit_ = true;
    out.push_back(shard_request_permit{ options_.identify.shard_id });
    deadline_ = now + options_.permit_timeout;
    deadline_reason_ = "no identify permit in time";
  }
}

void shard_protocol::on_dispatch(std::optional<uint64_t> seq, std::string_view name,
                                 std::string_view d, uint64_t guild_id, gateway_time now,
                                 shard_actions& out) {
  if (seq)
    last_seq_ = seq; // heartbeats and RESUME carry the last non-null s (§1.3)
  if (name == "READY") {
    auto id_raw = json::find_member(d, "session_id");
    auto url_raw = json::find_member(d, "resume_gateway_url");
    auto session_id = id_raw ? json::parse_string(*id_raw) : std::nullopt;
    auto url = url_raw ? json::parse_string(*url_raw) : std::nullopt;
    if (!session_id || session_id->empty() || !url) {
      reconnect(now, next_session::identify, "READY without session_id/resume_gateway_url", true,
                out);
      return;
    }
    out.push_back(shard_save_session{ record_.on_ready(std::move(*session_id), std::move(*url),
                                                       seq.value_or(last_seq_.value_or(0)), now) });
  } else if (name == "RESUMED") {
    if (auto save = record_.on_resumed(seq.value_or(last_seq_.value_or(0)), now))
      out.push_back(shard_save_session{ std::move(*save) });
  } else if (seq) {
    if (auto save = record_.on_seq(*seq, now))
      out.push_back(shard_save_session{ std::move(*save) });
  }
  ++stats_.dispatches;
  out.push_back(shard_dispatch{ event{ options_.identify.shard_id, seq.value_or(0),
                                       std::string(name), guild_id, std::string(d) } });
  if (name == "READY" || name == "RESUMED") {
    enter_running(now, out);
  } else if (state_ == shard_state::resuming) {
    // Replayed events are progress: the deadline bounds silence, not replay length.
    deadline_ = now + options_.resume_timeout;
  }
}

void shard_protocol::enter_running(gateway_time now, shard_actions& out) {
  state_ = shard_state::running;
  running_since_ = now;
  awaiting_permit_ = false;
  deadline_.reset(); // from here the heartbeat's zombie check guards the connection
  flush_commands(now, out);
}

void shard_protocol::send_heartbeat(gateway_time now, shard_actions& out) {
  limiter_.record_protocol(now);
  out.push_back(shard_send{ send_kind::heartbeat, heartbeat_payload(last_seq_) });
}

void shard_protocol::run_timers(gateway_time now, shard_actions& out) {
  if (state_ == shard_state::disconnected || state_ == shard_state::fatally_closed)
    return;
  if (socket_open_) {
    switch (heartbeat_.on_tick(now)) {
      case shard_heartbeat::tick_result::idle: break;
      case shard_heartbeat::tick_result::send: send_heartbeat(now, out); break;
      case shard_heartbeat::tick_result::zombie:
        ++stats_.zombies;
        reconnect(now, next_session::resume, "zombie: no heartbeat ACK", true, out);
        return;
    }
  }
  if (deadline_ && now >= *deadline_) {
    reconnect(now, next_session::resume, deadline_reason_, true, out);
    return;
  }
  if (auto save = record_.on_tick(now))
    out.push_back(shard_save_session{ std::move(*save) });
  flush_commands(now, out);
}

void shard_protocol::flush_commands(gateway_time now, shard_actions& out) {
  // Commands wait for READY/RESUMED: anything before IDENTIFY gets 4003 (§1.6).
  if (state_ != shard_state::running || !socket_open_)
    return;
  while (!queue_.empty() && limiter_.try_user(now)) {
    out.push_back(shard_send{ send_kind::command, std::move(queue_.front()) });
    queue_.pop_front();
    ++stats_.commands_sent;
  }
}

} // namespace spectacles::actors
