// simulator: the whole discord-sim in one object — world, REST API on
// net::http_server, gateway listeners (main + resume URL), faults and the
// verdict — on its own I/O threads. Tests start it in-process; sim/main.cpp
// wraps it in a command line.
//
//   sim::simulator_options o;  o.gateway.events_per_second = 50;
//   auto sim = sim::simulator::start(o);
//   (*sim)->gateway_url();   // "ws://127.0.0.1:40123"
//   (*sim)->faults().add_text("zombie@shard:0");
//   (*sim)->verdict_snapshot().missing_heartbeats;
//
// Control endpoints on the REST port (not under /api):
//   GET /_sim/verdict     the verdict as JSON
//   POST /_sim/faults     body: fault specs, one per line (see faults.hpp)
//   GET /_sim/faults      pending faults
//   GET /_sim/requests    the last requests (time, method, route, bucket, status)
#pragma once

#include "net/http_server.hpp"
#include "net/io_pool.hpp"
#include "net/result.hpp"
#include "sim/gateway_server.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spectacles::sim {

struct simulator_options {
  std::string host = "127.0.0.1";
  uint16_t gateway_port = 0;
  uint16_t resume_port = 0;
  uint16_t rest_port = 0;
  std::string tls_cert; ///< PEM; with tls_key, both gateway and REST use TLS
  std::string tls_key;
  std::string token = "sim-token";
  uint32_t shards = 1; ///< recommended count in /gateway/bot
  session_start_limit start_limit;
  world_options world;
  gateway_options gateway; ///< token, URLs are filled in by start()
  rest_limits_options limits = default_rest_limits();
  size_t io_threads = 1;
  std::vector<std::string> faults; ///< applied at start
};

class simulator {
public:
  static net::result<std::unique_ptr<simulator>> start(simulator_options options);

  ~simulator();
  simulator(const simulator&) = delete;
  simulator& operator=(const simulator&) = delete;

  void stop();

  uint16_t gateway_port() const;
  uint16_t resume_port() const;
  uint16_t rest_port() const;
  std::string gateway_url() const;
  std::string resume_url() const;
  /// "http://127.0.0.1:PORT/api/v10" (https with TLS).
  std::string rest_url() const;
  /// {"gateway":P,"resume_gateway":P,"rest":P,"tls":false}
  std::string ports_json() const;

  fault_plan& faults() {
    return faults_;
  }
  verdict verdict_snapshot();
  std::vector<request_record> requests();
  /// Runs `f(hub, api, world)` under the state mutex.
  template <class F>
  auto with_state(F f) {
    std::lock_guard<std::mutex> guard{ mtx_ };
    return f(*hub_, *api_, world_);
  }
  /// Counters of the gateway connections (queue high-water marks, frames sent).
  const gateway_shared& gateway_stats() const {
    return *shared_;
  }

private:
  explicit simulator(simulator_options options);
  void handle(net::http_request&& req, net::http_responder respond);

  simulator_options options_;
  std::mutex mtx_;
  world world_;
  fault_plan faults_;
  verdict verdict_;
  session_start_limit start_limit_;
  std::unique_ptr<gateway_hub> hub_;
  std::unique_ptr<rest_api> api_;
  std::shared_ptr<gateway_shared> shared_;
  std::unique_ptr<net::io_pool> io_;
  std::shared_ptr<gateway_server> gateway_;
  std::shared_ptr<net::http_server> rest_;
  bool tls_ = false;
};

} // namespace spectacles::sim
