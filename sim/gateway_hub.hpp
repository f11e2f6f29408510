// gateway_hub: the state the gateway connections share — the options, the
// live and resumable sessions with their replay buffers, identify pacing per
// max_concurrency key, the session start limit, and the verdict. Each
// connection runs a gateway_session (one per socket) against the hub.
//
// Identify pacing (PROTOCOL.md §1.13, §1.14): rate_limit_key = shard_id %
// max_concurrency, one IDENTIFY per key per 5 s; a second one inside the
// window is recorded and answered with op 9 d=false, as Discord does.
//
// Not thread-safe: the server calls it under the simulator's state mutex.
#pragma once

#include "sim/clock.hpp"
#include "sim/event_stream.hpp"
#include "sim/faults.hpp"
#include "sim/rest_api.hpp"
#include "sim/verdict.hpp"
#include "sim/world.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace spectacles::sim {

struct gateway_options {
  std::string token = "sim-token";
  milliseconds heartbeat_interval{ 41250 };
  /// A heartbeat later than interval * (1 + late_tolerance) is "late"; none
  /// by interval * (1 + missing_tolerance) closes the connection (4009).
  double late_tolerance = 0.1;
  double missing_tolerance = 0.5;
  /// 0 accepts any [id, n]; otherwise n must equal this (else 4010).
  uint32_t required_shards = 0;
  /// Privileged intents the application may use (PROTOCOL.md §1.16).
  uint64_t allowed_privileged = intents::privileged;
  double events_per_second = 0; ///< dispatch stream per session; 0 = only READY/GUILD_CREATE
  uint64_t max_events = 0;      ///< stream length per session; 0 = unlimited
  size_t replay_buffer = 2048;  ///< dispatches kept per session for RESUME
  milliseconds session_timeout{ 180000 }; ///< a detached session is forgotten after this
  milliseconds identify_window{ 5000 };
  size_t command_limit = 120;
  milliseconds command_window{ 60000 };
  size_t max_payload = 4096;
  size_t member_chunk_size = 1000;
  milliseconds reconnect_grace{ 5000 }; ///< close after op 7 if the client does not
  std::string gateway_url;              ///< the main URL (/gateway/bot)
  std::string resume_url;               ///< resume_gateway_url in READY
};

/// A resumable session: what survives the connection (PROTOCOL.md §1.8).
struct session_state {
  std::string id;
  uint32_t shard_id = 0;
  uint32_t num_shards = 1;
  uint64_t intents = 0;
  uint64_t seq = 0; ///< last dispatch seq generated
  std::deque<std::pair<uint64_t, std::shared_ptr<const std::string>>> replay;
  event_stream stream;
  time_point stream_start;
  uint64_t stream_generated = 0;
  uint64_t connection = 0; ///< the attached connection, 0 when detached
  time_point detached_at;

  session_state(std::vector<uint64_t> guilds, uint64_t intent_bits)
      : stream(std::move(guilds), intent_bits) {}
};

class gateway_hub {
public:
  gateway_hub(world& state, fault_plan& faults, verdict& tally, session_start_limit& start_limit,
              gateway_options options);

  const gateway_options& options() const {
    return options_;
  }
  gateway_options& mutable_options() {
    return options_;
  }
  world& state() {
    return state_;
  }
  fault_plan& faults() {
    return faults_;
  }
  verdict& tally() {
    return tally_;
  }
  session_start_limit& start_limit() {
    return start_limit_;
  }

  uint64_t new_connection_id() {
    return ++last_connection_;
  }

  /// Whether an IDENTIFY of `shard_id` now keeps the pacing; records it if so.
  bool try_identify(uint32_t shard_id, time_point now);
  /// The shard's identify rate-limit key: shard_id % max_concurrency.
  uint32_t identify_key(uint32_t shard_id) const;
  /// Why try_identify refused: "12 ms after shard 4's" (for the verdict's notes).
  std::string identify_refusal(uint32_t shard_id, time_point now) const;

  session_state& create_session(uint32_t shard_id, uint32_t num_shards, uint64_t intents,
                                time_point now);
  session_state* find_session(const std::string& id);
  void drop_session(const std::string& id);
  /// Forgets sessions detached for longer than the session timeout.
  void prune(time_point now);
  size_t session_count() const {
    return sessions_.size();
  }

  /// Appends a dispatch to the session's replay buffer and counts it; returns the frame.
  std::shared_ptr<const std::string> record_dispatch(session_state& s, std::string_view name,
                                                     std::string_view data);

  /// Generates the events of the session's stream that are due at `now`, at
  /// most `budget`; each frame is appended to `out` when it is non-null.
  size_t generate_due(session_state& s, time_point now, size_t budget,
                      std::vector<std::shared_ptr<const std::string>>* out);
  /// When the next stream event is due (time_point::max() if none).
  time_point next_event_at(const session_state& s) const;

  /// Messages created through REST, waiting for the shard of their guild.
  void push_guild_event(uint64_t guild_id, std::string name, std::string data);
  /// Takes the queued events for a session's shard.
  std::vector<dispatch_event> take_guild_events(const session_state& s);

  /// Guild -> time of the last request for all its members (1 per 30 s, §1.13).
  std::unordered_map<uint64_t, time_point> all_members_requested;

private:
  world& state_;
  fault_plan& faults_;
  verdict& tally_;
  session_start_limit& start_limit_;
  gateway_options options_;
  uint64_t last_connection_ = 0;
  uint64_t last_session_ = 0;
  struct last_identify {
    time_point at;
    uint32_t shard_id = 0;
  };
  std::map<uint32_t, last_identify> identify_at_; ///< rate-limit key -> last identify
  std::unordered_map<std::string, std::unique_ptr<session_state>> sessions_;
  std::deque<std::pair<uint64_t, dispatch_event>> guild_events_; ///< bounded
};

} // namespace spectacles::sim
