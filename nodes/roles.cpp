#include "nodes/roles.hpp"

#include <algorithm>

#include "caf/scoped_actor.hpp"

#include "actors/coordinator.hpp"
#include "actors/event_router.hpp"
#include "actors/gateway_host.hpp"
#include "actors/role_finder.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/synthetic_producer.hpp"
#include "actors/type_ids.hpp"
#include "actors/worker.hpp"
#include "actors/worker_ping.hpp"
#include "actors/worker_record.hpp"
#include "config/node_config.hpp"
#include "net/log.hpp"
#include "net/tls.hpp"
#include "nodes/rest_role.hpp"

namespace spectacles::nodes {

namespace {

constexpr std::string_view component = "node";

bool has_role(const config::node_config& cfg, std::string_view role) {
  return std::find(cfg.roles.begin(), cfg.roles.end(), role) != cfg.roles.end();
}

struct worker_pool_state {
  std::vector<caf::actor> workers;
  caf::actor router;
  caf::actor rest; // the REST role's router, handed to every worker
  /// Answered once every worker has drained and quit (leave_atom).
  std::vector<caf::response_promise> drained;
  static inline const char* name = "worker_pool";
};

// Runs the node's workers against whichever router it was told about last;
// when that router's node dies the workers go with it and return with the
// next router (their unacked events were redelivered by the router side).
caf::behavior worker_pool(caf::stateful_actor<worker_pool_state>* self,
                          std::vector<worker_def> defs, std::string node_name) {
  auto start = [self, defs, node_name](const caf::actor& router) {
    for (auto& def : defs) {
      for (uint32_t i = 0; i < std::max<uint32_t>(def.count, 1); ++i) {
        auto opts = def.options;
        opts.name = node_name + "/" + (opts.name.empty() ? opts.group : opts.name)
                    + (def.count > 1 ? "." + std::to_string(i) : "");
        auto handlers = def.handlers(opts.name);
        if (!handlers) {
          log::error("worker", "cannot start ", opts.name, ": ", handlers.error().what());
          continue;
        }
        auto w = actors::spawn_worker(self->system(), router, opts, std::move(*handlers));
        if (self->state.rest)
          self->send(w, actors::put_atom::value, actors::rest_atom::value, self->state.rest);
        self->monitor(w);
        self->state.workers.push_back(w);
      }
    }
  };
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& ws = self->state.workers;
    ws.erase(std::remove_if(ws.begin(), ws.end(),
                            [&](auto& w) {
                              return w.address() == dm.source;
                            }),
             ws.end());
    if (ws.empty()) {
      for (auto& rp : self->state.drained)
        rp.deliver(caf::ok_atom::value);
      self->state.drained.clear();
    }
  });
  self->set_exit_handler([self](caf::exit_msg& em) {
    for (auto& w : self->state.workers)
      self->send_exit(w, em.reason);
    self->quit(em.reason);
  });
  return {
    [self, start](actors::put_atom, caf::actor& router) {
      if (self->state.router)
        return; // one router at a time; another one is a standby
      self->state.router = router;
      start(router);
    },
    [self](actors::rest_atom, caf::actor& rest) {
      self->state.rest = rest;
      for (auto& w : self->state.workers)
        self->send(w, actors::put_atom::value, actors::rest_atom::value, rest);
    },
    [self](caf::leave_atom) {
      // Node shutdown: each worker finishes what it holds, acks, leaves.
      auto& st = self->state;
      auto rp = self->make_response_promise();
      if (st.workers.empty()) {
        rp.deliver(caf::ok_atom::value);
        return rp;
      }
      for (auto& w : st.workers)
        self->send(w, caf::leave_atom::value);
      st.drained.push_back(rp);
      return rp;
    },
    [self](caf::delete_atom, const caf::actor& router) {
      if (router != self->state.router)
        return;
      log::warn("worker", "router gone; workers wait for the next one");
      for (auto& w : self->state.workers)
        self->send_exit(w, caf::exit_reason::user_shutdown);
      self->state.workers.clear();
      self->state.router = nullptr;
    },
  };
}

struct rest_relay_state {
  std::vector<caf::actor> found; // live REST routers; the first one serves the pool
  static inline const char* name = "rest_relay";
};

// Turns role_finder's (put_atom | delete_atom, actor) for the REST role into
// (rest_atom, actor) for a worker pool, which also hears about routers. Any
// live REST router will do (routers forward to the owner of each bucket);
// when the one in use dies, the pool gets the next.
caf::behavior rest_relay(caf::stateful_actor<rest_relay_state>* self, caf::actor pool) {
  return {
    [self, pool](actors::put_atom, caf::actor& rest) {
      auto& found = self->state.found;
      if (std::find(found.begin(), found.end(), rest) != found.end())
        return;
      found.push_back(rest);
      if (found.size() == 1)
        self->send(pool, actors::rest_atom::value, rest);
    },
    [self, pool](caf::delete_atom, const caf::actor& rest) {
      auto& found = self->state.found;
      auto it = std::find(found.begin(), found.end(), rest);
      if (it == found.end())
        return;
      bool was_current = it == found.begin();
      found.erase(it);
      if (was_current)
        self->send(pool, actors::rest_atom::value, found.empty() ? caf::actor{} : found.front());
    },
  };
}

// Proxies live as long as the process (a node runs at most one).
std::vector<std::shared_ptr<actors::rest_proxy>>& running_proxies() {
  static std::vector<std::shared_ptr<actors::rest_proxy>> proxies;
  return proxies;
}

} // namespace

const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> roles{ "coordinator", "gateway", "rest",    "rest-proxy",
                                               "router",      "worker",  "producer" };
  return roles;
}

std::string check_roles(const config::node_config& cfg) {
  for (auto& role : cfg.roles) {
    auto& known = known_roles();
    if (std::find(known.begin(), known.end(), role) == known.end()) {
      std::string list;
      for (auto& k : known)
        list += (list.empty() ? "" : ", ") + k;
      return "node.roles: \"" + role + "\" is not a role this build runs (" + list + ")";
    }
  }
  if (needs_io(cfg) && cfg.gateway_compression != "zstd-stream"
      && cfg.gateway_compression != "zlib-stream" && cfg.gateway_compression != "none")
    return "gateway.compression: \"" + cfg.gateway_compression
           + "\" is not zstd-stream, zlib-stream or none";
  if (needs_io(cfg) && cfg.gateway_placement != "balanced"
      && cfg.gateway_placement != "consecutive")
    return "gateway.placement: \"" + cfg.gateway_placement + "\" is not balanced or consecutive";
  if (has_role(cfg, "worker") && cfg.worker_handler != "record" && cfg.worker_handler != "ping")
    return "worker.handler: \"" + cfg.worker_handler
           + "\" is not a built-in handler (record, ping)";
  if (has_role(cfg, "rest-proxy") && !has_role(cfg, "rest"))
    return "node.roles: rest-proxy runs next to the rest role on the same node";
  if (has_role(cfg, "rest-proxy") && cfg.rest_proxy_listen.empty())
    return "rest.proxy-listen: the rest-proxy role needs host:port to serve on";
  return {};
}

bool needs_io(const config::node_config& cfg) {
  return has_role(cfg, "gateway") || has_role(cfg, "coordinator");
}

namespace {

net::result<net::tls_context> gateway_tls(const config::node_config& cfg) {
  if (cfg.gateway_tls_ca.empty())
    return net::tls_context{}; // the system CA store
  net::tls_client_options opts;
  opts.ca_file = cfg.gateway_tls_ca;
  return net::make_client_context(opts);
}

actors::shard_options shard_template(const config::node_config& cfg, const std::string& token) {
  actors::shard_options opts;
  opts.identify.token = token;
  opts.identify.intents = cfg.gateway_intents;
  opts.identify.large_threshold = cfg.gateway_large_threshold;
  opts.compression = cfg.gateway_compression == "none" ? "" : cfg.gateway_compression;
  opts.session.max_staleness = std::chrono::milliseconds(cfg.gateway_session_staleness_ms);
  // The router drops the duplicates a resume from the commit point replays.
  opts.session.use_commit_point = true;
  return opts;
}

} // namespace

started_roles start_roles(caf::actor_system& sys, const config::node_config& cfg,
                          const caf::actor& agent, const std::string& node_name,
                          std::vector<worker_def> workers, net::io_pool* io) {
  started_roles result;
  auto& started = result.actors;
  std::vector<caf::actor> router_clients; // told where the router is (role_finder, below)
  if (needs_io(cfg)) {
    auto token = cfg.token();
    if (!token.empty())
      log::add_secret(token);
    auto tls = gateway_tls(cfg);
    if (!tls)
      log::error(component, "gateway.tls-ca: ", tls.error().what());
    else if (token.empty())
      log::error(component, "the gateway and coordinator roles need the bot token: set "
                            "DISCORD_TOKEN or rest.token-file");
    else if (io == nullptr)
      log::error(component, "the gateway and coordinator roles need an I/O pool");
    else {
      if (has_role(cfg, "gateway")) {
        actors::gateway_host_options opts;
        opts.shard.protocol = shard_template(cfg, token);
        opts.shard.io = io;
        opts.shard.tls = *tls;
        opts.shard.node_name = node_name;
        opts.shard.hibernate_after = std::chrono::milliseconds(cfg.gateway_hibernate_after_ms);
        auto host = sys.spawn(actors::gateway_host, std::move(opts));
        caf::anon_send(agent, actors::put_atom::value, std::string{ "gateway" }, host);
        started.push_back(host);
        router_clients.push_back(host);
        log::info(component, "gateway host started");
      }
      if (has_role(cfg, "coordinator")) {
        actors::coordinator_options opts;
        opts.node_name = node_name;
        opts.membership = agent;
        opts.shards = cfg.gateway_shards;
        opts.strategy = cfg.gateway_placement == "consecutive"
                          ? actors::placement_strategy::consecutive
                          : actors::placement_strategy::balanced;
        opts.identify.window = std::chrono::milliseconds(cfg.gateway_identify_window_ms);
        opts.identify.margin = std::chrono::milliseconds(cfg.gateway_identify_margin_ms);
        opts.identify.reserve = cfg.gateway_reserve_identifies;
        opts.rest_url = cfg.effective_rest_url();
        opts.token = token;
        opts.io = io;
        opts.tls = *tls;
        opts.settle = std::chrono::milliseconds(cfg.gateway_settle_ms);
        auto coordinator = sys.spawn(actors::coordinator, std::move(opts));
        caf::anon_send(agent, actors::put_atom::value, std::string{ "coordinator" }, coordinator);
        started.push_back(coordinator);
        log::info(component, "coordinator started");
      }
    }
  }
  if (has_role(cfg, "rest")) {
    auto rest = start_rest_role(sys, cfg, agent);
    started.insert(started.end(), rest.begin(), rest.end());
    if (has_role(cfg, "rest-proxy") && !rest.empty()) {
      auto proxy = start_rest_proxy(sys, rest.front(), cfg.rest_proxy_listen);
      if (!proxy)
        log::error(component, "rest-proxy on ", cfg.rest_proxy_listen, ": ", proxy.error().what());
      else
        running_proxies().push_back(*proxy);
    }
  }
  if (has_role(cfg, "router")) {
    actors::router_options opts;
    opts.limits.max_queued = cfg.router_max_queued;
    opts.limits.max_queued_bytes = cfg.router_max_queued_bytes;
    opts.limits.max_attempts = cfg.router_max_attempts;
    opts.groups = cfg.router_groups;
    auto router = sys.spawn(actors::event_router, opts);
    caf::anon_send(agent, actors::put_atom::value, std::string{ "router" }, router);
    started.push_back(router);
    log::info(component, "router started");
  }
  if (has_role(cfg, "producer")) {
    actors::producer_options opts;
    opts.shards = cfg.producer_shards;
    opts.guilds_per_shard = cfg.producer_guilds_per_shard;
    opts.total = cfg.producer_total;
    opts.rate = cfg.producer_rate;
    opts.payload_size = cfg.producer_payload_size;
    auto producer = sys.spawn(actors::synthetic_producer, opts);
    caf::anon_send(agent, actors::put_atom::value, std::string{ "producer" }, producer);
    router_clients.push_back(producer);
    started.push_back(producer);
  }
  if (has_role(cfg, "worker")) {
    worker_def record;
    record.options.group = cfg.worker_group;
    record.options.window = cfg.worker_window;
    record.options.events = cfg.worker_events;
    record.options.name = "w";
    record.count = cfg.worker_count;
    record.handlers
      = [file = cfg.worker_record_file,
         delay = std::chrono::milliseconds(cfg.worker_delay_ms)](const std::string& name) {
          return actors::record_handlers(file, name, delay);
        };
    workers.push_back(std::move(record));
  }
  if (!workers.empty()) {
    auto pool = sys.spawn(worker_pool, std::move(workers), node_name);
    result.workers = pool;
    router_clients.push_back(pool);
    started.push_back(pool);
    auto relay = sys.spawn(rest_relay, pool);
    started.push_back(relay);
    started.push_back(sys.spawn(actors::role_finder, agent, std::string{ "rest" },
                                std::vector<caf::actor>{ relay }));
  }
  if (!router_clients.empty())
    started.push_back(
      sys.spawn(actors::role_finder, agent, std::string{ "router" }, router_clients));
  return result;
}

void stop_roles(caf::actor_system& sys, const started_roles& roles,
                std::chrono::milliseconds drain) {
  if (roles.workers && drain.count() > 0) {
    caf::scoped_actor self{ sys };
    self->request(roles.workers, drain, caf::leave_atom::value)
      .receive([](caf::ok_atom) {},
               [&](caf::error& err) {
                 log::warn("worker", "workers did not drain within ", drain.count(), " ms (",
                           sys.render(err), "); their unacked events are redelivered");
               });
  }
  for (auto& a : roles.actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

} // namespace spectacles::nodes
