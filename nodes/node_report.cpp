#include "nodes/node_report.hpp"

#include <algorithm>
#include <sstream>

#include "caf/scoped_actor.hpp"

#include "actors/gateway_type_ids.hpp"
#include "actors/router_type_ids.hpp"

namespace spectacles::nodes {

namespace {

template <class T>
std::optional<T> ask(caf::scoped_actor& self, const caf::actor& whom,
                     std::chrono::milliseconds timeout, std::vector<std::string>& errors,
                     const std::string& what, caf::message msg) {
  std::optional<T> out;
  self->request(whom, timeout, std::move(msg))
    .receive(
      [&](T& x) {
        out = std::move(x);
      },
      [&](caf::error& err) {
        errors.push_back(what + ": " + self->system().render(err));
      });
  return out;
}

bool has_role(const actors::node_info& info, const std::string& role) {
  return std::find(info.roles.begin(), info.roles.end(), role) != info.roles.end();
}

// Label values escaped per the Prometheus text format.
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

} // namespace

node_report collect_report(caf::actor_system& sys, const caf::actor& agent,
                           std::chrono::milliseconds timeout) {
  node_report report;
  caf::scoped_actor self{ sys };
  auto members = ask<std::vector<actors::member>>(self, agent, timeout, report.errors, "members",
                                                  caf::make_message(actors::members_atom::value));
  if (!members || members->empty())
    return report;
  report.self = members->front();
  report.cluster_size = members->size();
  report.members = std::move(*members);
  auto role_actor = [&](const std::string& role) {
    return ask<caf::actor>(self, agent, timeout, report.errors, role,
                           caf::make_message(actors::get_atom::value, role));
  };
  if (has_role(report.self.info, "router"))
    if (auto router = role_actor("router"))
      report.router = ask<actors::router_stats>(
        self, *router, timeout, report.errors, "router stats",
        caf::make_message(actors::get_atom::value, actors::stats_atom::value));
  if (has_role(report.self.info, "gateway"))
    if (auto host = role_actor("gateway"))
      report.gateway = ask<std::vector<actors::shard_report>>(
        self, *host, timeout, report.errors, "gateway shards",
        caf::make_message(actors::get_atom::value, actors::shards_atom::value));
  if (has_role(report.self.info, "producer"))
    if (auto producer = role_actor("producer"))
      report.produced
        = ask<uint64_t>(self, *producer, timeout, report.errors, "producer stats",
                        caf::make_message(actors::get_atom::value, actors::stats_atom::value));
  return report;
}

std::string render_prometheus(const node_report& r) {
  std::ostringstream out;
  auto node = label(r.self.info.name);
  auto metric = [&](const char* name, const char* type, const char* help) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  };
  metric("spectacles_cluster_nodes", "gauge", "Nodes this node knows, itself included.");
  out << "spectacles_cluster_nodes{node=\"" << node << "\"} " << r.cluster_size << '\n';
  metric("spectacles_node_uptime_seconds", "gauge", "Seconds since the node started.");
  out << "spectacles_node_uptime_seconds{node=\"" << node << "\"} "
      << static_cast<double>(r.self.info.uptime_ms) / 1000.0 << '\n';
  if (r.gateway) {
    auto per_shard = [&](const char* name, const char* type, const char* help, auto value) {
      metric(name, type, help);
      for (auto& sh : *r.gateway)
        out << name << "{node=\"" << node << "\",shard=\"" << sh.shard << "\"} " << value(sh)
            << '\n';
    };
    per_shard("spectacles_gateway_shard_ready", "gauge", "1 while the shard is READY/RESUMED.",
              [](const actors::shard_report& sh) {
                return sh.state == "running" ? 1 : 0;
              });
    per_shard("spectacles_gateway_dispatches_total", "counter", "Dispatches received.",
              [](const actors::shard_report& sh) {
                return sh.dispatches;
              });
    per_shard("spectacles_gateway_identifies_total", "counter", "IDENTIFYs sent.",
              [](const actors::shard_report& sh) {
                return sh.identifies;
              });
    per_shard("spectacles_gateway_resumes_total", "counter", "RESUMEs sent.",
              [](const actors::shard_report& sh) {
                return sh.resumes;
              });
    per_shard("spectacles_gateway_zombies_total", "counter", "Connections closed as zombies.",
              [](const actors::shard_report& sh) {
                return sh.zombies;
              });
    per_shard("spectacles_gateway_latency_seconds", "gauge", "Last heartbeat to ACK.",
              [](const actors::shard_report& sh) {
                return sh.latency_ms < 0 ? -1.0 : static_cast<double>(sh.latency_ms) / 1000.0;
              });
    per_shard("spectacles_gateway_buffered_events", "gauge", "Events waiting for a router.",
              [](const actors::shard_report& sh) {
                return sh.buffered;
              });
  }
  if (r.produced) {
    metric("spectacles_producer_events_total", "counter", "Synthetic events sent.");
    out << "spectacles_producer_events_total{node=\"" << node << "\"} " << *r.produced << '\n';
  }
  if (r.router) {
    auto& t = r.router->totals;
    auto total = [&](const char* name, const char* help, uint64_t value) {
      metric(name, "counter", help);
      out << name << "{node=\"" << node << "\"} " << value << '\n';
    };
    total("spectacles_router_events_in_total", "Events from producers (duplicates excluded).",
          t.events_in);
    total("spectacles_router_duplicates_dropped_total", "Exact (shard, seq) duplicates dropped.",
          t.duplicates);
    total("spectacles_router_unrouted_total", "Events no group subscribed to.", t.unrouted);
    total("spectacles_router_deliveries_total", "Deliveries to workers.", t.deliveries);
    total("spectacles_router_acks_total", "Acks from workers.", t.acks);
    total("spectacles_router_redeliveries_total", "Deliveries repeated after a worker died.",
          t.redeliveries);
    total("spectacles_router_shed_total", "Events shed at a full group buffer.", t.shed);
    total("spectacles_router_dead_lettered_total", "Events given up after max attempts.",
          t.dead_lettered);
    total("spectacles_router_commands_total", "Gateway commands forwarded to shards.", t.commands);
    metric("spectacles_router_type_events_in_total", "counter", "Events in, by event name.");
    for (auto& ty : r.router->types)
      out << "spectacles_router_type_events_in_total{node=\"" << node << "\",type=\""
          << label(ty.name) << "\"} " << ty.in << '\n';
    metric("spectacles_router_type_events_out_total", "counter", "Deliveries, by event name.");
    for (auto& ty : r.router->types)
      out << "spectacles_router_type_events_out_total{node=\"" << node << "\",type=\""
          << label(ty.name) << "\"} " << ty.out << '\n';
    metric("spectacles_router_group_queue_depth", "gauge", "Events buffered per group.");
    for (auto& g : r.router->groups)
      out << "spectacles_router_group_queue_depth{node=\"" << node << "\",group=\"" << label(g.name)
          << "\"} " << g.queued << '\n';
    metric("spectacles_router_group_shed_total", "counter", "Events shed per group.");
    for (auto& g : r.router->groups)
      out << "spectacles_router_group_shed_total{node=\"" << node << "\",group=\"" << label(g.name)
          << "\"} " << g.counters.shed << '\n';
    metric("spectacles_router_worker_in_flight", "gauge", "Unacked deliveries per worker.");
    for (auto& w : r.router->workers)
      out << "spectacles_router_worker_in_flight{node=\"" << node << "\",group=\"" << label(w.group)
          << "\",worker=\"" << label(w.name) << "\"} " << w.in_flight << '\n';
  }
  return out.str();
}

} // namespace spectacles::nodes
