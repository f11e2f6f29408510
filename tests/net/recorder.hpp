// Collects a ws_client's callbacks (called on an I/O thread) so a test can
// wait for them with a deadline instead of sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/ws_client.hpp"

namespace spectacles::net::testing {

struct ws_recorder {
  std::mutex mtx;
  std::condition_variable cv;
  int opened = 0;
  int closed_count = 0;
  std::vector<std::pair<std::string, bool>> messages;
  std::optional<ws_close_info> closed;

  ws_callbacks callbacks() {
    ws_callbacks cbs;
    cbs.on_open = [this] {
      std::lock_guard guard{ mtx };
      ++opened;
      cv.notify_all();
    };
    cbs.on_message = [this](std::string_view data, bool binary) {
      std::lock_guard guard{ mtx };
      messages.emplace_back(std::string(data), binary);
      cv.notify_all();
    };
    cbs.on_close = [this](const ws_close_info& info) {
      std::lock_guard guard{ mtx };
      ++closed_count;
      closed = info;
      cv.notify_all();
    };
    return cbs;
  }

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock{ mtx };
    return cv.wait_for(lock, timeout, [&] {
      return pred();
    });
  }

  /// False (with why in `failure`) unless on_open came first.
  bool wait_open() {
    bool ok = wait([this] {
                return opened > 0 || closed.has_value();
              })
              && opened > 0;
    std::lock_guard guard{ mtx };
    if (!ok)
      failure = closed && closed->err ? closed->err->what() : "no callback within the deadline";
    return ok;
  }

  std::string failure;

  bool wait_messages(size_t n) {
    return wait([this, n] {
             return messages.size() >= n || closed.has_value();
           })
           && messages.size() >= n;
  }

  ws_close_info wait_closed() {
    wait([this] {
      return closed.has_value();
    });
    std::lock_guard guard{ mtx };
    if (closed)
      return *closed;
    ws_close_info none;
    none.reason = "recorder: no on_close within the deadline";
    return none;
  }
};

} // namespace spectacles::net::testing
