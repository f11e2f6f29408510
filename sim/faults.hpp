// faults: what the simulator can be told to do wrong, scripted from a test
// (fault_plan::add) or from the command line / POST /_sim/faults as text:
//
//   zombie@shard:0            stop answering heartbeats (no op 11) on shard 0
//   reconnect@shard:1         send op 7            invalid_session:true   op 9 d=true
//   close:4000@shard:0        close with a code    drop@shard:0           TCP gone, no close frame
//   corrupt@shard:0           a frame that does not inflate / parse
//   pause:3000@shard:0        no dispatches for 3 s (heartbeats still ACKed)
//   heartbeat_request         op 1 from the server
//   rest_5xx:503x3            the next 3 REST requests get 503
//   rest_429:sharedx2         the next 2 get 429 with X-RateLimit-Scope: shared
//   rest_429:user/250x3       the next 3 get 429 announcing retry_after 0.25 s (default 1 s)
//   rest_slow:2000x2          the next 2 are answered 2 s late
//   rest_resetx2              the next 2 get no answer: the connection is closed
//
// A gateway fault waits for a ready connection of its shard (any shard without
// "@shard:N"); "+after:N" waits until that session has sent dispatch seq N.
#pragma once

#include "sim/clock.hpp"

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spectacles::sim {

enum class fault_kind {
  zombie,
  reconnect,
  invalid_session,
  close,
  drop,
  corrupt,
  pause,
  heartbeat_request,
  rest_status,
  rest_429,
  rest_slow,
  rest_reset,
};

struct fault {
  fault_kind kind = fault_kind::close;
  std::optional<uint32_t> shard; ///< gateway target; nullopt = any shard
  uint64_t after_seq = 0;        ///< gateway: fire once the session sent this seq
  int code = 4000;               ///< close code or REST status
  bool resumable = false;        ///< op 9 d
  milliseconds duration{ 0 };    ///< pause length, slow-response delay, 429 retry_after
  unsigned count = 1;            ///< REST: how many requests
  std::string scope = "user";    ///< REST 429 scope: user, global, shared

  bool is_rest() const {
    return kind == fault_kind::rest_status || kind == fault_kind::rest_429
           || kind == fault_kind::rest_slow || kind == fault_kind::rest_reset;
  }
};

/// Parses one spec (grammar above); the error says what was wrong.
std::variant<fault, std::string> parse_fault(std::string_view spec);
std::string to_string(const fault& f);

/// The queue of injected faults; thread-safe (tests add while I/O threads take).
class fault_plan {
public:
  void add(fault f);
  /// Parses and adds every non-empty line of `text`; the first error stops it.
  std::optional<std::string> add_text(std::string_view text);

  /// The next gateway fault for a ready connection of `shard` that has sent `seq`.
  std::optional<fault> take_gateway(uint32_t shard, uint64_t seq);
  /// The fault to apply to the next REST request, if any (counts down).
  std::optional<fault> take_rest();

  std::vector<fault> pending() const;
  void clear();

private:
  mutable std::mutex mtx_;
  std::deque<fault> gateway_;
  std::deque<fault> rest_;
};

} // namespace spectacles::sim
