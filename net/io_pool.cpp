#include "net/io_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>

#include "net/log.hpp"

namespace spectacles::net {

io_pool::io_pool(size_t threads) : ioc_(static_cast<int>(std::max<size_t>(threads, 1))) {
  guard_.emplace(ioc_.get_executor());
  threads_.reserve(std::max<size_t>(threads, 1));
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    threads_.emplace_back([this] {
      // Named so that `top -H` and the benchmarks can tell them from CAF's.
      pthread_setname_np(pthread_self(), "spectacles.io");
      // A handler that throws would otherwise end the thread and silently
      // shrink the pool; log it and keep running.
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& ex) {
          log::error("io_pool", "handler threw: ", ex.what());
        }
      }
    });
}

io_pool::~io_pool() {
  stop();
}

void io_pool::stop() {
  guard_.reset();
  ioc_.stop();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

bool io_pool::running_in_this_thread() {
  return ioc_.get_executor().running_in_this_thread();
}

} // namespace spectacles::net
