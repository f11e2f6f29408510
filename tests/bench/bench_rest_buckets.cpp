// The plain REST rate-limit logic per request, without sockets or actors:
// route key, bucket map (enqueue, poll, reply with headers), global budget.
// Figure: ns per request over 500 routes, next to computing the route key
// alone (the cheapest step, as baseline). The budget for the whole
// router + bucket path is 20 us per request.
//
//   ./build/bench/bench_rest_buckets
#include "actors/rest_bucket_map.hpp"
#include "actors/rest_global_limit.hpp"
#include "actors/rest_route.hpp"
#include "bench/bench.hpp"

#include <string>
#include <vector>

using namespace spectacles::actors;

int main() {
  constexpr size_t routes = 500;
  constexpr size_t requests = 100000;
  std::vector<std::string> paths;
  for (size_t i = 0; i < routes; ++i)
    paths.push_back("/channels/" + std::to_string(81384788765712384ULL + i) + "/messages");
  auto wall = std::chrono::system_clock::now();
  std::vector<double> key_ns;
  std::vector<double> full_ns;
  size_t sink = 0;
  for (int rep = 0; rep < 7; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < requests; ++i)
      sink += make_rest_route(rest_method::post, paths[i % routes], wall).key.size();
    key_ns.push_back(spectacles::bench::seconds_since(t0) * 1e9 / requests);

    rest_bucket_map buckets;
    rest_global_limit global{ { 1000000, std::chrono::milliseconds(1000),
                                std::chrono::milliseconds(0) } };
    rate_limit_headers headers;
    headers.limit = 1000000;
    headers.remaining = 999999;
    headers.reset_after = 1.0;
    headers.bucket = "h1";
    auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < requests; ++i) {
      auto route = make_rest_route(rest_method::post, paths[i % routes], wall);
      buckets.enqueue(route);
      auto started = buckets.poll(now, global.available(now));
      for (auto& s : started.start) {
        global.try_acquire(now, s.global_exempt);
        buckets.on_response(s.ticket, 200, headers, std::nullopt, now);
        ++sink;
      }
      now += std::chrono::microseconds(1);
    }
    full_ns.push_back(spectacles::bench::seconds_since(t0) * 1e9 / requests);
  }
  if (sink == 0)
    return 1;
  auto key = spectacles::bench::median(key_ns);
  spectacles::bench::report("rest route key", key, "ns/req");
  spectacles::bench::report("rest route+buckets+global (500 routes)",
                            spectacles::bench::median(full_ns), "ns/req", "rest route key", key,
                            "plain logic only; budget 20000 ns/req for the whole path");
}
