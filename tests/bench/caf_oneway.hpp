// The raw CAF one-way messaging baseline, shared by the benchmarks that
// compare against it (bench_caf_messaging, bench_router): a driver keeps
// `window` 1 KB strings in flight to a sink that acks every `ack_every`; and a
// helper to run the benchmark binary itself as a second process.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "caf/actor_system.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/send.hpp"

#include "bench/bench.hpp"

namespace spectacles::bench::oneway {

constexpr size_t payload_size = 1024;
constexpr uint64_t window = 1000;
constexpr uint64_t ack_every = 100;
constexpr int reps = 5;

inline caf::behavior sink(caf::event_based_actor* self) {
  auto count = std::make_shared<uint64_t>(0);
  return {
    [self, count](const std::string&) {
      if (++*count % ack_every == 0)
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), *count);
    },
  };
}

// Sends `total` payloads to `target`, never more than `window` unacked.
inline caf::behavior driver(caf::event_based_actor* self, caf::actor target, uint64_t total,
                            uint64_t base, std::shared_ptr<std::promise<double>> done) {
  auto payload = std::string(payload_size, 'x');
  auto sent = std::make_shared<uint64_t>(0);
  auto t0 = std::chrono::steady_clock::now();
  auto send_up_to = [=](uint64_t limit) {
    while (*sent < limit && *sent < total) {
      self->send(target, payload);
      ++*sent;
    }
  };
  send_up_to(window);
  return {
    [=](uint64_t acked) {
      acked -= base;
      if (acked >= total) {
        done->set_value(seconds_since(t0));
        self->quit();
        return;
      }
      send_up_to(acked + window);
    },
  };
}

inline double run_once(caf::actor_system& sys, caf::actor target, uint64_t total, uint64_t base) {
  auto done = std::make_shared<std::promise<double>>();
  auto fut = done->get_future();
  sys.spawn(driver, target, total, base, done);
  auto secs = fut.get();
  return static_cast<double>(total) / secs;
}

/// msg/s, median of `reps` runs after one warm-up run. `target` must be a
/// fresh sink (its count starts at 0).
inline double measure(caf::actor_system& sys, caf::actor target, uint64_t total) {
  std::vector<double> rates;
  uint64_t base = 0;
  for (int i = 0; i <= reps; ++i) {
    auto rate = run_once(sys, target, total, base);
    base += total;
    if (i > 0) // the first run warms up
      rates.push_back(rate);
  }
  return median(rates);
}

/// This very binary started again as `argv0 args...`, with pipes on its
/// stdin/stdout. Closing `to_child` tells it to finish.
struct child_process {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;

  /// One line the child printed (without the newline); empty on EOF.
  std::string read_line() const {
    std::string line;
    char c;
    while (::read(from_child, &c, 1) == 1 && c != '\n')
      line.push_back(c);
    return line;
  }

  /// Tells the child to finish; returns the last line it printed.
  std::string finish() {
    ::close(to_child);
    std::string last;
    for (auto line = read_line(); !line.empty(); line = read_line())
      last = line;
    ::waitpid(pid, nullptr, 0);
    ::close(from_child);
    return last;
  }
};

inline child_process start_self(const char* argv0, std::vector<std::string> args) {
  int to_child[2];
  int from_child[2];
  child_process child;
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0)
    return child;
  auto pid = ::fork();
  if (pid == 0) {
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    ::close(to_child[1]);
    ::close(from_child[0]);
    std::vector<char*> argv{ const_cast<char*>(argv0) };
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  child.pid = pid;
  child.to_child = to_child[1];
  child.from_child = from_child[0];
  return child;
}

/// In a child: blocks until the parent closes our stdin.
inline void wait_for_parent() {
  char c;
  while (::read(0, &c, 1) > 0) {
  }
}

} // namespace spectacles::bench::oneway
