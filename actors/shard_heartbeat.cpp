#include "actors/shard_heartbeat.hpp"

namespace spectacles::actors {

void shard_heartbeat::on_hello(gateway_time now, milliseconds interval, double random_unit) {
  reset();
  interval_ = interval.count() > 0 ? interval : milliseconds{ 1 };
  // The first beat waits interval * U[0,1) so reconnect storms spread out.
  auto first = milliseconds{ static_cast<int64_t>(static_cast<double>(interval_.count())
                                                  * unit_interval(random_unit)) };
  next_due_ = now + first;
}

shard_heartbeat::tick_result shard_heartbeat::on_tick(gateway_time now) {
  if (!started() || now < next_due_)
    return tick_result::idle;
  if (outstanding_since_)
    return tick_result::zombie; // no op 11 between two of our heartbeats
  outstanding_since_ = now;
  next_due_ = now + interval_;
  return tick_result::send;
}

void shard_heartbeat::on_server_request(gateway_time now) {
  if (!outstanding_since_)
    outstanding_since_ = now;
}

void shard_heartbeat::on_ack(gateway_time now) {
  if (!outstanding_since_)
    return; // an unsolicited ACK says nothing about latency
  auto rtt = std::chrono::duration_cast<milliseconds>(now - *outstanding_since_);
  last_latency_ = rtt;
  latency_sum_ += rtt;
  ++acks_;
  outstanding_since_.reset();
}

std::optional<gateway_time> shard_heartbeat::next_due() const {
  if (!started())
    return std::nullopt;
  return next_due_;
}

std::optional<milliseconds> shard_heartbeat::mean_latency() const {
  if (acks_ == 0)
    return std::nullopt;
  return milliseconds{ latency_sum_.count() / static_cast<int64_t>(acks_) };
}

void shard_heartbeat::reset() {
  interval_ = milliseconds{ 0 };
  next_due_ = {};
  outstanding_since_.reset();
  last_latency_.reset();
  latency_sum_ = milliseconds{ 0 };
  acks_ = 0;
}

} // namespace spectacles::actors
