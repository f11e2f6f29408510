// What a shard needs to RESUME elsewhere (session_id, resume_gateway_url,
// seq), and when it is worth writing to the session store (ARCHITECTURE.md
// key decision 4, PROTOCOL.md §1.8).
//
// Saves happen at once on READY/RESUMED and as seq moves, with bounded
// staleness: at most `max_staleness` after the first unsaved event, or after
// `max_unsaved_events` events, whichever comes first.
//
// With `use_commit_point`, the saved seq is the router's commit point (the
// highest seq below which every event was acked), never the last seq the
// shard received: a node that resumes from the store then makes Discord
// replay every event that was received but not yet handled.
//
//   {"session_id":"9f1c...","resume_gateway_url":"wss://gateway-us-east1-b.discord.gg","seq":41}
#pragma once

#include "actors/gateway_clock.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace spectacles::actors {

struct session_snapshot {
  std::string session_id;
  std::string resume_gateway_url;
  uint64_t seq = 0;
};

inline bool operator==(const session_snapshot& a, const session_snapshot& b) {
  return a.session_id == b.session_id && a.resume_gateway_url == b.resume_gateway_url
         && a.seq == b.seq;
}

struct session_record_options {
  milliseconds max_staleness{ 1000 };
  uint64_t max_unsaved_events = 100;
  bool use_commit_point = false;
};

class session_record {
public:
  explicit session_record(session_record_options options = {});

  /// READY (a new session; its seq is READY's `s`): returns the snapshot to save now.
  session_snapshot on_ready(std::string session_id, std::string resume_gateway_url, uint64_t seq,
                            gateway_time now);

  /// Before sending RESUME with `seq`: the commit point cannot be below it in
  /// this session's view, since the store handed us exactly that seq.
  void on_resuming(uint64_t seq);

  /// RESUMED (the same session lives on): returns the snapshot to save now.
  std::optional<session_snapshot> on_resumed(uint64_t seq, gateway_time now);

  /// A dispatch with sequence seq was received. Returns a snapshot when the
  /// staleness bound says to save.
  std::optional<session_snapshot> on_seq(uint64_t seq, gateway_time now);

  /// The router's commit point moved (monotonic; lower values are ignored).
  std::optional<session_snapshot> on_commit(uint64_t seq, gateway_time now);

  /// Time passed: saves a pending change once it is max_staleness old.
  std::optional<session_snapshot> on_tick(gateway_time now);

  /// When on_tick would next save, if something is unsaved.
  std::optional<gateway_time> next_deadline() const;

  /// The session is gone (op 9 false, 4007, 4009, 4003).
  void invalidate();

  /// The current snapshot (seq = what a save would write now), if any.
  std::optional<session_snapshot> current() const;

  /// The last sequence number received (what a RESUME from this node uses).
  std::optional<uint64_t> received_seq() const {
    return received_seq_;
  }

  /// Restores a snapshot read from the store (the shard moved here).
  void restore(session_snapshot snapshot);

private:
  uint64_t save_seq() const;
  std::optional<session_snapshot> maybe_save(gateway_time now, bool force);

  session_record_options options_;
  std::string session_id_;
  std::string resume_gateway_url_;
  std::optional<uint64_t> received_seq_;
  uint64_t commit_seq_ = 0;
  uint64_t saved_seq_ = 0;
  bool has_saved_ = false;
  uint64_t unsaved_events_ = 0;
  std::optional<gateway_time> dirty_since_;
};

} // namespace spectacles::actors
