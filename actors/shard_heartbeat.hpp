// Heartbeat timing and zombie detection of one connection (PROTOCOL.md §1.5).
//
//   HELLO {"heartbeat_interval":41250} at t0, r = 0.3
//     -> first heartbeat due at t0 + 12375 ms, then every 41250 ms
//   due and the previous heartbeat has no op 11 yet -> zombie: close non-1000, resume
//
// Latency is the time from a heartbeat to its ACK.
#pragma once

#include "actors/gateway_clock.hpp"

#include <cstdint>
#include <optional>

namespace spectacles::actors {

class shard_heartbeat {
public:
  enum class tick_result {
    idle,   // nothing due
    send,   // send a heartbeat now (the heartbeat has been counted as sent)
    zombie, // the last heartbeat was never acknowledged: the connection is dead
  };

  /// Starts a connection's heartbeating from HELLO.
  void on_hello(gateway_time now, milliseconds interval, double random_unit);

  /// Checks the schedule at now.
  tick_result on_tick(gateway_time now);

  /// The server asked for a heartbeat (op 1): the caller sends one at once;
  /// the periodic schedule is unchanged.
  void on_server_request(gateway_time now);

  /// op 11.
  void on_ack(gateway_time now);

  /// When on_tick next has something to do; nullopt before HELLO.
  std::optional<gateway_time> next_due() const;

  bool started() const {
    return interval_.count() > 0;
  }

  milliseconds interval() const {
    return interval_;
  }

  /// Round trip of the most recent acknowledged heartbeat.
  std::optional<milliseconds> last_latency() const {
    return last_latency_;
  }

  /// Mean round trip over all acknowledged heartbeats of this connection.
  std::optional<milliseconds> mean_latency() const;

  uint64_t acks() const {
    return acks_;
  }

  /// Forget the connection (its heartbeats die with it).
  void reset();

private:
  milliseconds interval_{ 0 };
  gateway_time next_due_{};
  std::optional<gateway_time> outstanding_since_; // a heartbeat without an ACK yet
  std::optional<milliseconds> last_latency_;
  milliseconds latency_sum_{ 0 };
  uint64_t acks_ = 0;
};

} // namespace spectacles::actors
