// The I/O threads of a process: one io_context, kept alive by a work guard,
// run by `threads` dedicated threads. Every socket of net/ (WebSocket, HTTP
// client, HTTP server) runs here, never on CAF's scheduler threads
// (ARCHITECTURE.md key decision 2); completions are posted into actors.
//
//   net::io_pool io{2};
//   auto server = net::http_server::start(io.context(), opts, handler);
#pragma once

#include <cstddef>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace spectacles::net {

class io_pool {
public:
  explicit io_pool(size_t threads = 1);
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  /// Stops and joins the threads.
  ~io_pool();

  boost::asio::io_context& context() {
    return ioc_;
  }

  size_t size() const {
    return threads_.size();
  }

  /// Stops the io_context and joins the threads; pending handlers are not
  /// run. Idempotent; must not be called from one of the pool's threads.
  void stop();

  /// True when the calling thread is one of this pool's threads.
  bool running_in_this_thread();

private:
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
};

} // namespace spectacles::net
