// rest_probe_fence: keeps the first request of a new rate-limit key (a
// "probe") from spending a slot that a bucket of the same major parameter
// has already counted on (PROTOCOL.md §2.5; LESSONS.md: shared buckets).
//
// Discord reveals that two routes share a bucket only in the reply to each
// route's first request. Until then the router cannot know where a probe
// lands, but it does know the probe can only land in a bucket of the same
// major parameter (the bucket id is hash + major). So, per major parameter:
//
//   * one probe at a time, and only while every known bucket of that major
//     parameter has a slot left for it (a bucket at 0 blocks probes until
//     its window resets);
//   * while a probe is on its way, a known bucket spends its last slot only
//     after the probe's reply has been learned (it may have taken that slot).
//
//   bucket X (hash H, channel 1) remaining 1    probe of GET /channels/1/messages
//   X asks:  remaining 1 <= 1 probe in flight -> parked
//   probe reply: bucket H, remaining 0 -> key moves into X, X's count drops to 0
//   end_probe -> X rechecks: remaining 0, waits for the reset. No 429.
//
// The cost is one round trip of waiting, once per new key, and only when a
// bucket of the same major parameter is nearly spent. Nothing reads a clock:
// every call takes `now`. Waiters are numbers the caller maps to promises.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace spectacles::actors {

class rest_probe_fence {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  /// A bucket's own view of its window when it asks to start a request.
  struct window {
    /// The bucket knows a route limit (false: unknown or the route has none).
    bool limited = false;
    int64_t limit = 0;
    /// Requests it may still start in this window (after a due reset).
    int64_t remaining = 0;
    time_point reset_at{};
  };

  explicit rest_probe_fence(std::chrono::milliseconds stale = std::chrono::seconds{ 35 })
      : stale_(stale) {}

  struct release {
    uint64_t waiter = 0;
    /// true: a probe that may start now; false: a known bucket that should
    /// look at its window again and ask anew.
    bool probe = false;
  };

  /// Bucket `bucket` of `major` asks to start a request. `probe`: the bucket
  /// has never had a reply. Returns true when it may start; false when it is
  /// parked_request as `waiter` until a release names it.
  bool ask(const std::string& major, uint64_t bucket, bool probe, const window& w, uint64_t waiter,
           time_point now);

  /// The window a known bucket reported after a reply (or learned from a
  /// reply that revealed a key shares it: `stricter` keeps the lower count).
  /// A window that opened up may release a parked_request probe.
  std::vector<release> observe(const std::string& major, uint64_t bucket, const window& w,
                               time_point now, bool stricter = false);

  /// The probe of `bucket` is over: its reply was learned (and a move it
  /// caused has reached the target bucket), or it failed.
  std::vector<release> end_probe(uint64_t bucket, time_point now);

  /// A parked_request request went away (its bucket gave up waiting).
  std::vector<release> drop_waiter(uint64_t waiter, time_point now);

  /// The bucket is gone (merged away or stopped): its view, its probe and
  /// its parked_request requests go with it.
  std::vector<release> forget(uint64_t bucket, time_point now);

  /// Releases probes whose blocking bucket has reset, and ends probes older
  /// than the stale limit (a lost reply must not fence a major parameter
  /// forever).
  std::vector<release> poll(time_point now);

  /// When poll() may release something (nullopt: nothing waits on time).
  std::optional<time_point> wake_at() const;

  size_t parked() const {
    return waiter_major_.size();
  }
  /// Requests that waited here so far (probes and known buckets).
  uint64_t fenced_total() const {
    return fenced_total_;
  }

private:
  struct parked_request {
    uint64_t waiter = 0;
    uint64_t bucket = 0;
  };
  struct major_state {
    std::optional<uint64_t> probe; // the bucket whose probe is on its way
    time_point probe_since{};
    std::map<uint64_t, window> known;
    std::deque<parked_request> probes_waiting;
    std::vector<parked_request> known_waiting;
  };

  /// Whether a probe may start now; if not, `retry_at` gets the earliest
  /// reset that could change that (time_point::max(): none known).
  static bool probe_fits(const major_state& m, time_point now, time_point& retry_at);
  /// Releases the parked_request known buckets when no probe is on its way, and the
  /// next probe if it fits.
  void release_what_fits(major_state& m, time_point now, std::vector<release>& out);
  void unpark(const parked_request& p, bool probe, std::vector<release>& out);
  void tidy(const std::string& major);

  std::chrono::milliseconds stale_;
  std::unordered_map<std::string, major_state> majors_;
  std::unordered_map<uint64_t, std::string> major_of_bucket_;
  std::unordered_map<uint64_t, std::string> waiter_major_;
  uint64_t fenced_total_ = 0;
};

} // namespace spectacles::actors
