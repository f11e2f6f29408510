// Shared by the net tests: a temporary directory with a test CA and a
// localhost certificate, made fresh per test with net/certs.
#pragma once

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>

#include "net/certs.hpp"

namespace spectacles::net::testing {

struct temp_dir {
  std::string path;

  temp_dir() {
    static std::atomic<int> counter{ 0 };
    std::random_device rd;
    path = (std::filesystem::temp_directory_path()
            / ("spectacles-net-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)
               + "-" + std::to_string(rd())))
             .string();
    std::filesystem::create_directories(path);
  }

  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

/// dir/ca.{pem,key}, dir/localhost.{pem,key} (DNS:localhost, IP:127.0.0.1)
/// and dir/client.{pem,key}. Returns false when any step failed.
inline bool make_test_pki(const std::string& dir) {
  return make_ca(dir, "spectacles test CA")
         && make_leaf(dir, "localhost", { "DNS:localhost", "IP:127.0.0.1" })
         && make_leaf(dir, "client", { "DNS:client.test" });
}

} // namespace spectacles::net::testing
