#include "nodes/status.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "caf/actor_system.hpp"
#include "caf/io/middleman.hpp"
#include "caf/openssl/remote_actor.hpp"

#include "actors/membership.hpp"
#include "config/node_config.hpp"
#include "nodes/node_report.hpp"

namespace spectacles::nodes {

namespace {

std::string uptime(int64_t ms) {
  auto s = ms / 1000;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lldh%02lldm%02llds", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x;
  return out.empty() ? "-" : out;
}

// Per-second rate of a counter between two refreshes (0 on the first).
struct rates {
  std::map<std::string, uint64_t> last;
  double interval_s = 0;
  double of(const std::string& key, uint64_t now) {
    auto prev = last.count(key) ? last[key] : now;
    last[key] = now;
    return interval_s > 0 ? static_cast<double>(now - prev) / interval_s : 0;
  }
};

void print(std::ostream& out, const std::vector<node_report>& reports, rates& rt) {
  char line[256];
  out << "NODES\n";
  std::snprintf(line, sizeof(line), "  %-20s %-28s %-22s %-12s\n", "name", "roles", "address",
                "uptime");
  out << line;
  for (auto& r : reports) {
    std::snprintf(line, sizeof(line), "  %-20s %-28s %-22s %-12s\n", r.self.info.name.c_str(),
                  join(r.self.info.roles).c_str(), r.self.info.address.c_str(),
                  uptime(r.self.info.uptime_ms).c_str());
    out << line;
  }
  for (auto& r : reports) {
    auto node = r.self.info.name;
    if (r.produced) {
      out << "PRODUCER on " << node << "\n";
      std::snprintf(line, sizeof(line), "  events sent %llu (%.0f/s)\n",
                    static_cast<unsigned long long>(*r.produced),
                    rt.of(node + "/produced", *r.produced));
      out << line;
    }
    if (r.gateway) {
      out << "GATEWAY on " << node << "\n";
      std::snprintf(line, sizeof(line), "    %-6s %-15s %-10s %-10s %-10s %-8s %-8s %-8s %s\n",
                    "shard", "state", "seq", "events/s", "latency", "idents", "resumes", "zombies",
                    "error");
      out << line;
      for (auto& sh : *r.gateway) {
        std::snprintf(line, sizeof(line),
                      "    %-6u %-15s %-10llu %-10.0f %-10s %-8llu %-8llu %-8llu %s\n", sh.shard,
                      sh.state.c_str(), static_cast<unsigned long long>(sh.seq),
                      rt.of(node + "/gw" + std::to_string(sh.shard), sh.dispatches),
                      sh.latency_ms < 0 ? "-" : (std::to_string(sh.latency_ms) + "ms").c_str(),
                      static_cast<unsigned long long>(sh.identifies),
                      static_cast<unsigned long long>(sh.resumes),
                      static_cast<unsigned long long>(sh.zombies), sh.error.c_str());
        out << line;
      }
    }
    if (!r.router)
      continue;
    auto& s = *r.router;
    auto& t = s.totals;
    out << "ROUTER on " << node << "\n";
    std::snprintf(
      line, sizeof(line),
      "  in %llu (%.0f/s)  deliveries %llu  acks %llu (%.0f/s)  redelivered %llu  "
      "duplicates %llu  shed %llu  dead-lettered %llu  unrouted %llu\n",
      static_cast<unsigned long long>(t.events_in), rt.of(node + "/in", t.events_in),
      static_cast<unsigned long long>(t.deliveries), static_cast<unsigned long long>(t.acks),
      rt.of(node + "/acks", t.acks), static_cast<unsigned long long>(t.redeliveries),
      static_cast<unsigned long long>(t.duplicates), static_cast<unsigned long long>(t.shed),
      static_cast<unsigned long long>(t.dead_lettered),
      static_cast<unsigned long long>(t.unrouted));
    out << line;
    out << "  GROUPS\n";
    std::snprintf(line, sizeof(line), "    %-16s %-8s %-10s %-12s %-10s %-10s %-10s %-8s\n",
                  "group", "workers", "queued", "queued-bytes", "in-flight", "lag-ms", "delivered",
                  "shed");
    out << line;
    for (auto& g : s.groups) {
      std::snprintf(line, sizeof(line),
                    "    %-16s %-8u %-10llu %-12llu %-10llu %-10lld %-10llu %-8llu\n",
                    g.name.c_str(), g.workers, static_cast<unsigned long long>(g.queued),
                    static_cast<unsigned long long>(g.queued_bytes),
                    static_cast<unsigned long long>(g.in_flight), static_cast<long long>(g.lag_ms),
                    static_cast<unsigned long long>(g.counters.delivered),
                    static_cast<unsigned long long>(g.counters.shed));
      out << line;
    }
    out << "  WORKERS\n";
    std::snprintf(line, sizeof(line), "    %-24s %-16s %-7s %-10s %-10s %-10s %-11s\n", "worker",
                  "group", "window", "in-flight", "delivered", "acked", "redelivered");
    out << line;
    for (auto& w : s.workers) {
      std::snprintf(
        line, sizeof(line), "    %-24s %-16s %-7u %-10llu %-10llu %-10llu %-11llu\n",
        w.name.c_str(), w.group.c_str(), w.window, static_cast<unsigned long long>(w.in_flight),
        static_cast<unsigned long long>(w.delivered), static_cast<unsigned long long>(w.acked),
        static_cast<unsigned long long>(w.redelivered));
      out << line;
    }
    out << "  SHARDS\n";
    std::snprintf(line, sizeof(line), "    %-6s %-12s %-12s %-12s %-10s\n", "shard", "last-seq",
                  "commit-seq", "outstanding", "events/s");
    out << line;
    for (auto& sh : s.shards) {
      std::snprintf(line, sizeof(line), "    %-6u %-12llu %-12llu %-12llu %-10.0f\n", sh.shard,
                    static_cast<unsigned long long>(sh.last_seq),
                    static_cast<unsigned long long>(sh.commit_seq),
                    static_cast<unsigned long long>(sh.outstanding),
                    rt.of(node + "/shard" + std::to_string(sh.shard), sh.last_seq));
      out << line;
    }
  }
  for (auto& r : reports)
    for (auto& e : r.errors)
      out << "! " << r.self.info.name << ": " << e << '\n';
}

} // namespace

int run_status(config::node_config& cfg, const std::string& address, bool watch) {
  std::string host;
  uint16_t port = 0;
  if (!actors::split_host_port(address, host, port)) {
    std::cerr << "status: --node expects host:port, got \"" << address << "\"\n";
    return 2;
  }
  caf::actor_system sys{ cfg };
  auto agent = cfg.uses_tls() ? caf::openssl::remote_actor(sys, host, port)
                              : sys.middleman().remote_actor(host, port);
  if (!agent) {
    std::cerr << "status: cannot reach " << address << ": " << sys.render(agent.error())
              << (cfg.uses_tls() ? "" : " (a TLS cluster needs --cluster.tls.ca/cert/key)") << '\n';
    return 1;
  }
  rates rt;
  auto last = std::chrono::steady_clock::now();
  for (;;) {
    auto first = collect_report(sys, *agent);
    if (first.members.empty()) {
      std::cerr << "status: " << address << " did not answer: "
                << (first.errors.empty() ? "no members" : first.errors.front()) << '\n';
      return 1;
    }
    std::vector<node_report> reports{ first };
    for (size_t i = 1; i < first.members.size(); ++i)
      reports.push_back(collect_report(sys, first.members[i].agent));
    auto now = std::chrono::steady_clock::now();
    rt.interval_s = std::chrono::duration<double>(now - last).count();
    last = now;
    std::ostringstream out;
    print(out, reports, rt);
    if (watch)
      std::cout << "\033[2J\033[H";
    std::cout << out.str() << std::flush;
    if (!watch)
      return 0;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

} // namespace spectacles::nodes
