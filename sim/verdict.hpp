// verdict: what the simulator saw a client do wrong (and right), for tests to
// assert on and for GET /_sim/verdict:
//
//   {"identify":{"total":4,"pacing_violations":1},"heartbeats":{"missing":0,"late":1},
//    "resumes":{"ok":2,"wrong_url":1,"wrong_seq":0,"unknown_session":0},
//    "shards":{"0":{"events":120,"last_seq":123}},
//    "rest":{"requests":40,"exhausted_bucket":2,"global_breaches":0,
//            "rate_limited":{"user":2,"global":0,"shared":0},
//            "invalid_last_10min":3,"invalid_peak_10min":3}, ...}
//
// The gateway session logic and the REST API write into one verdict under the
// simulator's state mutex; readers take a copy.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace spectacles::sim {

struct shard_tally {
  uint64_t events = 0;   ///< dispatches sent (replays included)
  uint64_t last_seq = 0; ///< highest s sent on any session of the shard
  uint64_t sessions = 0; ///< READYs
  uint64_t resumes = 0;  ///< RESUMEDs
  uint64_t pings = 0;    ///< MESSAGE_CREATEs whose content is "!ping" (for ping bots)
};

struct verdict {
  // Gateway (PROTOCOL.md §1.5, §1.8, §1.13, §1.14)
  uint64_t identifies = 0;
  uint64_t identify_pacing_violations = 0;
  uint64_t identify_cap_exceeded = 0;
  uint64_t heartbeats = 0;
  uint64_t missing_heartbeats = 0; ///< connection closed because none came in time
  uint64_t late_heartbeats = 0;    ///< came, but after the interval plus tolerance
  uint64_t resumes_ok = 0;
  uint64_t resumes_wrong_url = 0; ///< RESUME sent to the main URL, not resume_gateway_url
  uint64_t resumes_wrong_seq = 0; ///< seq ahead of the session or older than the replay buffer
  uint64_t resumes_unknown_session = 0;
  uint64_t commands_rate_limited = 0; ///< closes with 4008
  std::map<uint32_t, shard_tally> shards;
  std::map<int, uint64_t> closes_sent;     ///< close code -> count (sim closed)
  std::map<int, uint64_t> closes_received; ///< close code -> count (client closed)
  std::vector<std::string> notes;          ///< the first violations, described

  // REST (PROTOCOL.md §2.5–§2.8)
  uint64_t rest_requests = 0;
  uint64_t rest_exhausted_bucket = 0; ///< sent while the bucket had 0 remaining
  uint64_t rest_global_breaches = 0;
  std::map<std::string, uint64_t> rest_rate_limited; ///< scope -> 429s
  uint64_t rest_unauthorized = 0;
  uint64_t rest_resets = 0; ///< requests answered by closing the connection (rest_reset fault)
  uint64_t rest_after_unauthorized = 0; ///< requests with a token that already got a 401
  uint64_t invalid_last_10min = 0;
  uint64_t invalid_peak_10min = 0;

  /// Keeps at most 100 notes so a misbehaving client cannot grow memory.
  void note(std::string text);

  /// Nothing a client is blamed for (notes aside).
  bool clean() const;

  std::string to_json() const;
};

} // namespace spectacles::sim
