// The cluster-wide identify queue's arithmetic (PROTOCOL.md §1.6, §1.14):
// at most max_concurrency IDENTIFYs per 5 s window, one per rate-limit key
// `shard_id % max_concurrency`, first come first served per key, keys served
// in order (so with max_concurrency 16 shards 0-15 start together, then
// 16-31), and never the last `reserve` identifies of the daily
// session_start_limit (spending all 1000 resets the bot's token).
//
//   GET /gateway/bot -> "session_start_limit": {"total":1000,"remaining":999,
//                        "reset_after":14400000,"max_concurrency":1}
//
// A window counts from the moment the IDENTIFY left its shard's socket, not
// from the grant: the shard confirms (sent()), and the key's next grant waits
// a window from the confirmation. A permit that takes long to reach its shard
// (a busy node, a slow link) therefore cannot bring two IDENTIFYs of one key
// closer than the window. A grant never confirmed (the shard's node died, the
// connection dropped first) counts as sent `confirm_timeout` after the grant.
//
// Takeover: when the node running the queue dies, the queue that replaces it
// cannot know when the old one granted last. With `takeover` set, every key
// waits one full window from construction before its first grant, so no
// window ever sees two identifies for one key across the handover.
#pragma once

#include "actors/gateway_clock.hpp"
#include "actors/gateway_error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::actors {

struct session_start_limit {
  uint32_t total = 1000;
  uint32_t remaining = 1000;
  milliseconds reset_after{ 86'400'000 };
  uint32_t max_concurrency = 1;
};

struct identify_schedule_options {
  milliseconds window{ 5000 };
  /// Extra spacing per key on top of the window, for the time a permit takes
  /// to reach its shard and the IDENTIFY to reach Discord.
  milliseconds margin{ 0 };
  /// How long a grant waits for its shard's confirmation before it counts as
  /// sent anyway (at the grant plus this).
  milliseconds confirm_timeout{ 5000 };
  /// Identifies of the daily limit never spent (gateway.reserve-identifies).
  uint32_t reserve = 0;
  /// This queue replaces one that died: wait a window before the first grant.
  bool takeover = false;
};

struct identify_poll {
  std::vector<uint32_t> granted;        // shard ids that may IDENTIFY now, in grant order
  std::optional<gateway_error> refused; // set while the reserve blocks every grant
};

class identify_schedule {
public:
  using wall_time = std::chrono::system_clock::time_point;

  identify_schedule(identify_schedule_options options, session_start_limit limits, gateway_time now,
                    wall_time wall_now);

  /// New numbers from GET /gateway/bot. A changed max_concurrency re-buckets
  /// the waiting shards (keeping their request order) and makes every new
  /// key wait out the latest grant of any old key.
  void update_limits(session_start_limit limits, gateway_time now, wall_time wall_now);

  /// A shard wants to IDENTIFY. Asking again keeps its place.
  void request(uint32_t shard_id);

  /// A shard no longer needs its permit (stopped, moved). True if it waited.
  bool cancel(uint32_t shard_id);

  /// The shard's IDENTIFY went out at `now`: its key's window starts here.
  void sent(uint32_t shard_id, gateway_time now);

  /// Grants what the windows allow at now.
  identify_poll poll(gateway_time now);

  /// When poll can next grant something; nullopt if nobody waits.
  std::optional<gateway_time> next_wakeup(gateway_time now) const;

  size_t waiting() const;

  uint32_t remaining() const {
    return remaining_;
  }

  uint32_t max_concurrency() const {
    return static_cast<uint32_t>(keys_.size());
  }

private:
  struct waiter {
    uint32_t shard_id;
    uint64_t ticket; // request order, kept across re-bucketing
  };

  struct key_state {
    std::vector<waiter> queue; // FIFO
    /// When the key's last IDENTIFY went out (or may have: a grant not yet
    /// confirmed counts as going out at its confirmation deadline).
    std::optional<gateway_time> last_grant;
    /// The shard granted last, until it confirms.
    std::optional<uint32_t> unconfirmed;
  };

  /// When `key` may grant next (nullopt: at once).
  std::optional<gateway_time> free_at(const key_state& key) const;

  void roll_daily_reset(gateway_time now);
  std::string refusal_message(uint32_t shard_id, gateway_time now) const;

  identify_schedule_options options_;
  std::vector<key_state> keys_;
  uint32_t total_ = 0;
  uint32_t remaining_ = 0;
  gateway_time reset_at_;
  wall_time wall_reset_at_;
  uint64_t next_ticket_ = 0;
};

} // namespace spectacles::actors
