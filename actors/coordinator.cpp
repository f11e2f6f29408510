#include "actors/coordinator.hpp"

#include <algorithm>

#include "caf/all.hpp"

#include "actors/gateway_type_ids.hpp"
#include "actors/router_type_ids.hpp"
#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "coordinator";

using self_ptr = caf::stateful_actor<coordinator_state>*;

bool has_role(const member& m, const char* role) {
  return std::find(m.info.roles.begin(), m.info.roles.end(), role) != m.info.roles.end();
}

// --- identify queue ---------------------------------------------------------

void schedule_wakeup(self_ptr self) {
  auto& st = self->state;
  if (!st.schedule)
    return;
  auto now = gateway_clock::now();
  auto next = st.schedule->next_wakeup(now);
  if (!next || (st.wakeup && *st.wakeup <= *next && *st.wakeup > now))
    return;
  st.wakeup = *next;
  auto delay = std::max(gateway_clock::duration::zero(), *next - now);
  self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(delay), tick_atom::value);
}

void poll_identifies(self_ptr self) {
  auto& st = self->state;
  if (!st.schedule || !st.leader)
    return;
  auto result = st.schedule->poll(gateway_clock::now());
  for (auto shard : result.granted) {
    ++st.granted;
    auto it = st.permits.find(shard);
    if (it == st.permits.end())
      continue;
    // Only the newest request of a shard gets the permit; older ones were
    // from connections the shard has given up on.
    auto promises = std::move(it->second);
    st.permits.erase(it);
    for (size_t i = 0; i < promises.size(); ++i) {
      if (i + 1 == promises.size())
        promises[i].deliver(caf::ok_atom::value);
      else
        promises[i].deliver(caf::make_error(caf::sec::request_timeout, "superseded"));
    }
  }
  if (result.refused) {
    if (!st.warned_refusal)
      log::error(component, result.refused->message);
    st.warned_refusal = true;
    for (auto& [shard, promises] : st.permits)
      for (auto& rp : promises)
        rp.deliver(caf::make_error(caf::sec::runtime_error, result.refused->message));
    for (auto& [shard, promises] : st.permits)
      st.schedule->cancel(shard);
    st.permits.clear();
  } else {
    st.warned_refusal = false;
  }
  schedule_wakeup(self);
}

void make_schedule(self_ptr self, bool takeover) {
  auto& st = self->state;
  if (st.schedule || !st.bot)
    return;
  auto opts = st.options.identify;
  opts.takeover = takeover;
  st.schedule.emplace(opts, st.bot->limits, gateway_clock::now(), std::chrono::system_clock::now());
  log::info(component, "identify queue: max_concurrency ", st.bot->limits.max_concurrency, ", ",
            st.bot->limits.remaining, "/", st.bot->limits.total, " session starts left",
            takeover ? "; taking over, first grant after one window" : "");
  for (auto& [shard, promises] : st.permits)
    st.schedule->request(shard);
  poll_identifies(self);
}

// --- GET /gateway/bot -------------------------------------------------------

void fetch_limits(self_ptr self) {
  auto& st = self->state;
  if (st.fetching || st.options.io == nullptr)
    return;
  if (!st.http) {
    net::http_client_options opts;
    opts.tls = st.options.tls;
    opts.max_connections_per_host = 1;
    auto client = net::http_client::create(st.options.io->context(), opts);
    if (!client) {
      log::error(component, "cannot create the HTTP client: ", client.error().what());
      return;
    }
    st.http = *client;
  }
  st.fetching = true;
  net::http_headers headers;
  headers.emplace_back("Authorization", "Bot " + st.options.token);
  auto hdl = caf::actor_cast<caf::actor>(self);
  st.http->request("GET", st.options.rest_url + "/gateway/bot", std::move(headers), {},
                   [hdl](net::result<net::http_response> r) {
                     if (r)
                       caf::anon_send(hdl, limits_atom::value, uint32_t{ r->status },
                                      std::move(r->body), std::string{});
                     else
                       caf::anon_send(hdl, limits_atom::value, uint32_t{ 0 }, std::string{},
                                      r.error().what());
                   });
}

// --- shard placement --------------------------------------------------------

void assign(self_ptr self, uint32_t shard, const std::string& node) {
  auto& st = self->state;
  auto it = st.hosts.find(node);
  if (it == st.hosts.end() || !st.placement || !st.bot)
    return;
  shard_assignment a{ shard, st.placement->total_shards(), st.bot->url };
  self->request(it->second, st.options.request_timeout, std::move(a))
    .then([](caf::ok_atom) {},
          [self, shard, node](caf::error& err) {
            log::warn(component, "shard ", shard, " could not start on ", node, ": ",
                      self->system().render(err), " (the audit retries)");
          });
}

void execute(self_ptr self, const std::vector<shard_move>& moves) {
  auto& st = self->state;
  for (const auto& m : moves) {
    if (m.to.empty()) {
      log::error(component, "shard ", m.shard, ": no live gateway node to run it");
      continue;
    }
    auto from = st.hosts.find(m.from);
    if (m.from.empty() || from == st.hosts.end()) {
      log::info(component, "shard ", m.shard, " -> ", m.to,
                m.from.empty() ? "" : " (its node " + m.from + " is gone; resuming)");
      assign(self, m.shard, m.to);
      continue;
    }
    // A live node gives the shard up first, so one shard never has two
    // connections; the session it hands back is what the new node resumes.
    log::info(component, "moving shard ", m.shard, " from ", m.from, " to ", m.to);
    st.moving.insert(m.shard);
    auto timeout = st.options.request_timeout * 2;
    self->request(from->second, timeout, caf::close_atom::value, m.shard, true)
      .then(
        [self, m](session_snapshot& snapshot) {
          auto& st = self->state;
          st.moving.erase(m.shard);
          if (!snapshot.session_id.empty())
            st.sessions[m.shard] = snapshot;
          if (st.placement && st.placement->owner(m.shard) == m.to)
            assign(self, m.shard, m.to);
        },
        [self, m](caf::error& err) {
          auto& st = self->state;
          st.moving.erase(m.shard);
          log::warn(component, "shard ", m.shard, " did not stop on ", m.from, ": ",
                    self->system().render(err), "; starting it on ", m.to);
          if (st.placement && st.placement->owner(m.shard) == m.to)
            assign(self, m.shard, m.to);
        });
  }
}

void tell_hosts_about_us(self_ptr self) {
  auto me = caf::actor_cast<caf::actor>(self);
  for (auto& [name, host] : self->state.hosts)
    self->send(host, put_atom::value, coord_atom::value, me);
}

// Asks every host what it runs; calls done(reports by node) once all answered.
template <class F>
void survey(self_ptr self, F done) {
  auto& st = self->state;
  using reports_t = std::map<std::string, std::vector<shard_report>>;
  auto reports = std::make_shared<reports_t>();
  auto pending = std::make_shared<size_t>(st.hosts.size());
  if (st.hosts.empty()) {
    done(*reports);
    return;
  }
  for (auto& [name, host] : st.hosts) {
    auto finish = [reports, pending, done, name = name](std::vector<shard_report>* got) mutable {
      if (got)
        (*reports)[name] = std::move(*got);
      if (--*pending == 0)
        done(*reports);
    };
    self->request(host, st.options.request_timeout, get_atom::value, shards_atom::value)
      .then(
        [finish](std::vector<shard_report>& got) mutable {
          finish(&got);
        },
        [finish](caf::error&) mutable {
          finish(nullptr);
        });
  }
}

void place(self_ptr self) {
  auto& st = self->state;
  if (!st.leader || !st.settled || !st.bot || st.placement || st.placing)
    return;
  st.placing = true;
  tell_hosts_about_us(self);
  survey(self, [self](const std::map<std::string, std::vector<shard_report>>& reports) {
    auto& st = self->state;
    st.placing = false;
    if (!st.leader || st.placement)
      return;
    auto total = st.options.shards != 0 ? st.options.shards : st.bot->shards;
    st.placement.emplace(total, st.options.strategy);
    size_t adopted = 0;
    for (auto& [node, list] : reports)
      for (auto& r : list)
        if (r.shard < total && st.hosts.count(node) != 0) {
          st.placement->adopt(r.shard, node);
          ++adopted;
        }
    // Shards already running mean a coordinator granted identifies recently.
    make_schedule(self, st.ever_follower || adopted > 0);
    std::vector<std::string> nodes;
    for (auto& [name, host] : st.hosts)
      nodes.push_back(name);
    std::vector<shard_move> moves;
    if (adopted == 0) {
      moves = st.placement->assign(nodes);
    } else {
      // Orphans first onto the nodes that run shards, then the idle nodes
      // join; a shard that moves twice is one move from its first `from`.
      auto merge = [&moves](std::vector<shard_move> more) {
        for (auto& m : more) {
          auto it = std::find_if(moves.begin(), moves.end(), [&m](const shard_move& x) {
            return x.shard == m.shard;
          });
          if (it == moves.end())
            moves.push_back(std::move(m));
          else
            it->to = m.to;
        }
      };
      merge(st.placement->place_unowned());
      for (auto& n : nodes)
        merge(st.placement->node_joined(n));
    }
    log::info(component, "placing ", total, " shards on ", nodes.size(), " gateway node(s)",
              adopted != 0 ? " (" + std::to_string(adopted) + " already running)" : "");
    execute(self, moves);
  });
}

// Restarts what should run but does not (a lost assignment, a host that
// restarted its shards' actors).
void audit(self_ptr self) {
  auto& st = self->state;
  if (!st.leader || !st.placement || st.placing)
    return;
  survey(self, [self](const std::map<std::string, std::vector<shard_report>>& reports) {
    auto& st = self->state;
    if (!st.leader || !st.placement)
      return;
    for (uint32_t s = 0; s < st.placement->total_shards(); ++s) {
      const auto& owner = st.placement->owner(s);
      if (owner.empty() || st.moving.count(s) != 0 || st.hosts.count(owner) == 0)
        continue;
      auto it = reports.find(owner);
      if (it == reports.end())
        continue; // no answer this time
      auto running = std::any_of(it->second.begin(), it->second.end(), [s](const shard_report& r) {
        return r.shard == s;
      });
      if (!running) {
        log::info(component, "audit: shard ", s, " is not running on ", owner, "; starting it");
        assign(self, s, owner);
      }
    }
  });
}

// --- leadership -------------------------------------------------------------

void update_leadership(self_ptr self) {
  auto& st = self->state;
  bool leads
    = !st.coordinator_nodes.empty() && *st.coordinator_nodes.begin() == st.options.node_name;
  if (leads == st.leader)
    return;
  st.leader = leads;
  if (!leads) {
    st.ever_follower = true;
    log::info(component, "following ", *st.coordinator_nodes.begin());
    st.schedule.reset();
    st.placement.reset();
    for (auto& [shard, promises] : st.permits)
      for (auto& rp : promises)
        rp.deliver(caf::make_error(caf::sec::request_receiver_down, "coordinator lost the lead"));
    st.permits.clear();
    return;
  }
  log::info(component, "leading the gateway", st.ever_follower ? " (taking over)" : "");
  fetch_limits(self);
  place(self);
}

void on_node_up(self_ptr self, const member& m) {
  auto& st = self->state;
  if (has_role(m, "coordinator")) {
    st.coordinator_nodes.insert(m.info.name);
    if (m.info.name != st.options.node_name && m.agent)
      self
        ->request(m.agent, st.options.request_timeout, get_atom::value,
                  std::string{ "coordinator" })
        .then(
          [self, name = m.info.name](caf::actor& peer) {
            self->monitor(peer);
            self->state.coordinators[name] = peer;
            // A new standby gets the sessions so far.
            if (self->state.leader)
              for (auto& [shard, snapshot] : self->state.sessions)
                self->send(peer, caf::update_atom::value, shard, snapshot);
          },
          [](caf::error&) {});
    update_leadership(self);
  }
  if (has_role(m, "gateway") && m.agent && st.hosts.count(m.info.name) == 0)
    self->request(m.agent, st.options.request_timeout, get_atom::value, std::string{ "gateway" })
      .then(
        [self, name = m.info.name](caf::actor& host) {
          auto& st = self->state;
          if (st.hosts.count(name) != 0)
            return;
          self->monitor(host);
          st.hosts[name] = host;
          log::info(component, "gateway node ", name, " joined");
          if (!st.leader)
            return;
          self->send(host, put_atom::value, coord_atom::value, caf::actor_cast<caf::actor>(self));
          if (st.placement)
            execute(self, st.placement->node_joined(name));
        },
        [self, name = m.info.name](caf::error& err) {
          log::warn(component, "gateway node ", name,
                    " has no gateway host: ", self->system().render(err));
        });
}

void gateway_node_gone(self_ptr self, const std::string& name) {
  auto& st = self->state;
  if (st.hosts.erase(name) == 0)
    return;
  log::warn(component, "gateway node ", name, " is gone");
  if (st.leader && st.placement)
    execute(self, st.placement->node_left(name));
}

void coordinator_gone(self_ptr self, const std::string& name) {
  auto& st = self->state;
  st.coordinators.erase(name);
  if (st.coordinator_nodes.erase(name) != 0)
    update_leadership(self);
}

caf::actor leader_actor(self_ptr self) {
  auto& st = self->state;
  if (st.coordinator_nodes.empty())
    return {};
  auto it = st.coordinators.find(*st.coordinator_nodes.begin());
  return it == st.coordinators.end() ? caf::actor{} : it->second;
}

void replicate(self_ptr self, uint32_t shard, const session_snapshot& snapshot) {
  if (!self->state.leader)
    return;
  for (auto& [name, peer] : self->state.coordinators)
    self->send(peer, caf::update_atom::value, shard, snapshot);
}

} // namespace

caf::behavior coordinator(caf::stateful_actor<coordinator_state>* self,
                          coordinator_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.coordinator_nodes.insert(st.options.node_name);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto& [name, host] : st.hosts)
      if (host.address() == dm.source) {
        gateway_node_gone(self, std::string{ name });
        return;
      }
    for (auto& [name, peer] : st.coordinators)
      if (peer.address() == dm.source) {
        coordinator_gone(self, std::string{ name });
        return;
      }
  });
  if (st.options.membership) {
    // membership's subscription lists the other nodes; our own comes from members_atom.
    self->request(st.options.membership, st.options.request_timeout, members_atom::value)
      .then(
        [self](std::vector<member>& all) {
          for (auto& m : all)
            if (m.info.name == self->state.options.node_name)
              on_node_up(self, m);
        },
        [](caf::error&) {});
    self->send(st.options.membership, subscribe_atom::value);
  }
  self->delayed_send(self, st.options.settle, settle_atom::value);
  self->delayed_send(self, st.options.audit_interval, shards_atom::value);
  update_leadership(self);
  return {
    [](caf::ok_atom) {
      // membership's answer to subscribe
    },
    [self](node_up_atom, const member& m) {
      on_node_up(self, m);
    },
    [self](node_down_atom, const member& m) {
      gateway_node_gone(self, m.info.name);
      if (m.info.name != self->state.options.node_name)
        coordinator_gone(self, m.info.name);
    },
    [self](settle_atom) {
      self->state.settled = true;
      place(self);
    },
    [self](shards_atom) {
      self->delayed_send(self, self->state.options.audit_interval, shards_atom::value);
      audit(self);
    },
    [self](limits_atom, uint32_t status, const std::string& body, const std::string& error) {
      auto& st = self->state;
      st.fetching = false;
      auto retry = std::chrono::seconds(5);
      if (status == 200) {
        auto parsed = parse_gateway_bot(body);
        if (auto bot = std::get_if<gateway_bot>(&parsed)) {
          bool first = !st.bot;
          st.bot = std::move(*bot);
          if (st.schedule)
            st.schedule->update_limits(st.bot->limits, gateway_clock::now(),
                                       std::chrono::system_clock::now());
          if (first)
            log::info(component, "GET /gateway/bot: ", st.bot->shards,
                      " shard(s) recommended, max_concurrency ", st.bot->limits.max_concurrency);
          self->delayed_send(self, st.options.limits_refresh, caf::update_atom::value);
          place(self);
          poll_identifies(self);
          return;
        }
        log::error(component, std::get<std::string>(parsed));
      } else if (status == 401) {
        log::error(component, "GET /gateway/bot: 401 Unauthorized: the bot token is wrong; fix "
                              "DISCORD_TOKEN (asking again in 60 s)");
        retry = std::chrono::seconds(60);
      } else if (status != 0) {
        log::warn(component, "GET /gateway/bot: HTTP ", status, "; asking again");
      } else {
        log::warn(component, "GET /gateway/bot failed: ", error, "; asking again");
      }
      self->delayed_send(self, retry, caf::update_atom::value);
    },
    [self](caf::update_atom) {
      fetch_limits(self);
    },
    [self](tick_atom) {
      self->state.wakeup.reset();
      poll_identifies(self);
    },
    [self](identify_atom, uint32_t shard) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (!st.leader) {
        auto leader = leader_actor(self);
        if (!leader)
          return caf::make_error(caf::sec::request_receiver_down, "no leading coordinator yet");
        auto rp = self->make_response_promise<caf::ok_atom>();
        rp.delegate(leader, identify_atom::value, shard);
        return rp;
      }
      auto rp = self->make_response_promise<caf::ok_atom>();
      st.permits[shard].push_back(rp);
      if (st.schedule) {
        st.schedule->request(shard);
        poll_identifies(self);
      }
      return rp;
    },
    [self](identified_atom, uint32_t shard) {
      auto& st = self->state;
      if (!st.leader) {
        if (auto leader = leader_actor(self))
          self->send(leader, identified_atom::value, shard);
        return;
      }
      if (st.schedule) {
        st.schedule->sent(shard, gateway_clock::now());
        schedule_wakeup(self);
      }
    },
    [self](caf::delete_atom, identify_atom, uint32_t shard) {
      auto& st = self->state;
      if (!st.leader) {
        if (auto leader = leader_actor(self))
          self->send(leader, caf::delete_atom::value, identify_atom::value, shard);
        return;
      }
      if (st.schedule)
        st.schedule->cancel(shard);
      auto it = st.permits.find(shard);
      if (it == st.permits.end())
        return;
      for (auto& rp : it->second)
        rp.deliver(caf::make_error(caf::sec::request_timeout, "cancelled"));
      st.permits.erase(it);
    },
    [self](put_atom, session_atom, uint32_t shard, session_snapshot& snapshot) {
      self->state.sessions[shard] = snapshot;
      replicate(self, shard, snapshot);
    },
    [self](caf::delete_atom, session_atom, uint32_t shard) {
      self->state.sessions.erase(shard);
      replicate(self, shard, session_snapshot{});
    },
    [self](get_atom, session_atom, uint32_t shard) {
      auto& st = self->state;
      auto it = st.sessions.find(shard);
      return it == st.sessions.end() ? session_snapshot{} : it->second;
    },
    [self](caf::update_atom, uint32_t shard, session_snapshot& snapshot) {
      if (snapshot.session_id.empty())
        self->state.sessions.erase(shard);
      else
        self->state.sessions[shard] = std::move(snapshot);
    },
    [self](get_atom, shards_atom) -> caf::result<std::vector<shard_report>> {
      auto rp = self->make_response_promise<std::vector<shard_report>>();
      survey(self, [rp](const std::map<std::string, std::vector<shard_report>>& reports) mutable {
        std::vector<shard_report> all;
        for (auto& [node, list] : reports)
          all.insert(all.end(), list.begin(), list.end());
        std::sort(all.begin(), all.end(), [](const shard_report& a, const shard_report& b) {
          return a.shard < b.shard;
        });
        rp.deliver(std::move(all));
      });
      return rp;
    },
  };
}

} // namespace spectacles::actors
