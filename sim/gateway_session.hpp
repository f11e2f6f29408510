// gateway_session: Discord's gateway protocol for one WebSocket connection, as
// plain logic: bytes in, actions out, `now` injected. The server owns the
// socket and carries the actions out (send, close with a code, drop TCP,
// send a corrupt frame); tests drive the same class without any socket.
//
//   open            -> {"op":10,"d":{"heartbeat_interval":41250}}
//   {"op":2,...}    -> READY (session_id, resume_gateway_url), GUILD_CREATE per guild, events...
//   {"op":1,"d":7}  -> {"op":11}
//   {"op":6,...}    -> the missed dispatches in order, then RESUMED
//
//   awaiting_identify --IDENTIFY/RESUME ok--> ready --close/drop/fault--> closed
//          |  (op 9 on a pacing violation or unknown session: stays awaiting)
//          +--bad token 4004, bad shard 4010, bad intents 4013/4014, junk 4002--> closed
//
// Limits as Discord enforces them (PROTOCOL.md §1.3, §1.6, §1.12, §1.13):
// > 4096 bytes 4002, > 120 commands per 60 s 4008, anything but heartbeats
// before IDENTIFY 4003, a second IDENTIFY 4005, no heartbeat in time 4009.
#pragma once

#include "sim/gateway_hub.hpp"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace simdjson::dom {
class element;
} // namespace simdjson::dom

namespace spectacles::sim {

struct gateway_action {
  enum class kind {
    send,    ///< a text frame
    close,   ///< a close frame with `code`, then end the connection
    drop,    ///< end TCP without a close frame
    corrupt, ///< a frame that does not decompress or parse
  };
  kind what = kind::send;
  std::shared_ptr<const std::string> payload;
  uint16_t code = 0;
  std::string reason;
};

class gateway_session {
public:
  /// `via_resume_url`: the client connected to resume_gateway_url.
  gateway_session(gateway_hub& hub, bool via_resume_url);

  void open(time_point now, std::vector<gateway_action>& out);
  void receive(std::string_view text, time_point now, std::vector<gateway_action>& out);
  /// Timers, faults and due dispatches (at most `budget` stream events).
  void poll(time_point now, size_t budget, std::vector<gateway_action>& out);
  /// The client sent a close frame.
  void client_closed(int code, time_point now);
  /// The socket ended without a close frame (or after ours).
  void transport_lost(time_point now);

  /// When poll() has something to do next.
  time_point next_wakeup(time_point now) const;

  bool closed() const {
    return closed_;
  }
  bool ready() const {
    return ready_;
  }
  /// The attached session, if any.
  const session_state* session() const;
  uint64_t connection_id() const {
    return id_;
  }

private:
  session_state* live() const;
  void send(std::vector<gateway_action>& out, std::string text);
  void send(std::vector<gateway_action>& out, std::shared_ptr<const std::string> frame);
  void close(std::vector<gateway_action>& out, uint16_t code, std::string reason, time_point now);
  void detach(time_point now);
  void heartbeat(time_point now, std::vector<gateway_action>& out);
  void identify(const simdjson::dom::element& d, time_point now, std::vector<gateway_action>& out);
  void resume(const simdjson::dom::element& d, time_point now, std::vector<gateway_action>& out);
  void request_members(const simdjson::dom::element& d, time_point now,
                       std::vector<gateway_action>& out);
  void send_ready(session_state& s, time_point now, std::vector<gateway_action>& out);
  void apply(const fault& f, time_point now, std::vector<gateway_action>& out);

  gateway_hub& hub_;
  uint64_t id_;
  bool via_resume_url_;
  bool closed_ = false;
  bool ready_ = false;
  bool zombie_ = false;
  bool dispatch_stopped_ = false;
  std::string session_id_;
  time_point last_heartbeat_;
  time_point paused_until_;
  time_point close_at_ = time_point::max();
  std::deque<time_point> commands_;
};

} // namespace spectacles::sim
