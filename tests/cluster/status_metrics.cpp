// Observability of a running node: Prometheus text on metrics.listen with the
// router's counters right (a group with no worker sheds exactly at its bound),
// and `spectacles-node status` printing the cluster as one table.
#define CAF_SUITE cluster.status_metrics

#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "cluster/node_process.hpp"

using namespace std::chrono_literals;
using spectacles::test::eventually;
using spectacles::test::node_process;

namespace {

// One HTTP/1.0 GET over a plain socket; the whole response or "".
std::string http_get(uint16_t port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return {};
  }
  auto req = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return {};
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// The value of the first sample line starting with `prefix`, or -1.
double sample(const std::string& text, const std::string& prefix) {
  auto pos = text.find("\n" + prefix);
  if (pos == std::string::npos)
    return -1;
  auto space = text.find(' ', pos + 1 + prefix.size());
  return std::stod(text.substr(space + 1, text.find('\n', space) - space - 1));
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string run_status(const std::string& address) {
  auto cmd = std::string(SPECTACLES_NODE_BIN) + " status --node " + address
             + " --cluster.insecure-loopback 2>&1";
  std::string out;
  if (auto* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;)
      out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

} // namespace

CAF_TEST(a group without workers buffers to its bound then sheds with the counter right) {
  auto port = free_port();
  node_process router{ "router",
                       { "run", "--node.name=router", "--node.roles=[\"router\",\"producer\"]",
                         "--cluster.listen=127.0.0.1:0", "--cluster.insecure-loopback",
                         "--router.groups=[\"audit\"]", "--router.max-queued=1000",
                         "--producer.total=5000", "--producer.rate=20000",
                         "--metrics.listen=127.0.0.1:" + std::to_string(port) } };
  CAF_REQUIRE(router.started());
  std::string text;
  CAF_CHECK(eventually(
    [&] {
      text = http_get(port, "/metrics");
      return sample(text, "spectacles_router_events_in_total") == 5000;
    },
    10s));
  CAF_CHECK_EQUAL(text.rfind("HTTP/1.", 0), 0u);
  CAF_CHECK_EQUAL(text.substr(8, 5), " 200 ");
  CAF_CHECK_EQUAL(sample(text, "spectacles_router_shed_total"), 4000);
  CAF_CHECK_EQUAL(
    sample(text, "spectacles_router_group_queue_depth{node=\"router\",group=\"audit\"}"), 1000);
  CAF_CHECK_EQUAL(sample(text, "spectacles_producer_events_total"), 5000);
  CAF_CHECK_EQUAL(sample(text, "spectacles_cluster_nodes"), 1);
  // Shedding is never silent: the router logs it.
  CAF_CHECK_NOT_EQUAL(router.log().find("shed"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(http_get(port, "/nope").find("404"), std::string::npos);
}

CAF_TEST(a slow worker never has more than its window in flight) {
  auto port = free_port();
  node_process router{ "router",
                       { "run", "--node.name=router", "--node.roles=[\"router\",\"producer\"]",
                         "--cluster.listen=127.0.0.1:0", "--cluster.insecure-loopback",
                         "--router.groups=[\"default\"]", "--router.max-queued=100000",
                         "--producer.total=3000", "--producer.rate=3000",
                         "--metrics.listen=127.0.0.1:" + std::to_string(port) } };
  CAF_REQUIRE(router.started());
  // 20 ms per event, window 8: at most 8 unacked, the rest waits in the group.
  node_process slow{ "slow",
                     { "run", "--node.name=slow", "--node.roles=[\"worker\"]",
                       "--cluster.listen=127.0.0.1:0", "--cluster.insecure-loopback",
                       "--cluster.seeds=[\"" + router.address() + "\"]", "--worker.window=8",
                       "--worker.delay-ms=20", "--worker.record-file=/dev/null" } };
  CAF_REQUIRE(slow.started());
  double most = 0;
  double deepest_queue = 0;
  auto saw_work = eventually(
    [&] {
      auto text = http_get(port, "/metrics");
      auto in_flight = sample(text, "spectacles_router_worker_in_flight{");
      most = std::max(most, in_flight);
      deepest_queue = std::max(
        deepest_queue,
        sample(text, "spectacles_router_group_queue_depth{node=\"router\",group=\"default\"}"));
      return sample(text, "spectacles_router_acks_total") >= 100;
    },
    30s);
  CAF_CHECK(saw_work);
  CAF_MESSAGE("most in flight " << most << ", deepest group queue " << deepest_queue);
  CAF_CHECK_LESS_OR_EQUAL(most, 8);
  CAF_CHECK_GREATER(most, 0);
  CAF_CHECK_GREATER(deepest_queue, 100); // the rest waited in the router, not in the worker
}

CAF_TEST(status prints nodes groups workers and shards) {
  node_process router{ "router",
                       { "run", "--node.name=router", "--node.roles=[\"router\",\"producer\"]",
                         "--cluster.listen=127.0.0.1:0", "--cluster.insecure-loopback",
                         "--router.groups=[\"default\"]", "--producer.rate=2000" } };
  CAF_REQUIRE(router.started());
  node_process worker{ "w1",
                       { "run", "--node.name=w1", "--node.roles=[\"worker\"]",
                         "--cluster.listen=127.0.0.1:0", "--cluster.insecure-loopback",
                         "--cluster.seeds=[\"" + router.address() + "\"]",
                         "--worker.record-file=/dev/null" } };
  CAF_REQUIRE(worker.started());
  std::string out;
  CAF_CHECK(eventually(
    [&] {
      out = run_status(worker.address());
      return out.find("w1/w ") != std::string::npos;
    },
    10s));
  for (auto* expected : { "NODES", "router,producer", "w1 ", "ROUTER on router", "GROUPS",
                          "default", "WORKERS", "SHARDS", "PRODUCER on router" })
    CAF_CHECK_NOT_EQUAL(out.find(expected), std::string::npos);
  CAF_MESSAGE("status output:\n" << out);
  CAF_CHECK_NOT_EQUAL(run_status("127.0.0.1:1").find("cannot reach"), std::string::npos);
}
