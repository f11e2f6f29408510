#include "actors/membership.hpp"

#include <algorithm>

#include "caf/event_based_actor.hpp"
#include "caf/io/middleman_actor.hpp"

#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr std::string_view component = "membership";

using self_ptr = caf::stateful_actor<membership_state>*;

std::string roles_of(const node_info& info) {
  std::string out;
  for (auto& r : info.roles)
    out += (out.empty() ? "" : ",") + r;
  return out.empty() ? "-" : out;
}

std::vector<member> all_members(self_ptr self) {
  std::vector<member> out;
  auto me = self->state.self_info;
  me.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now()
                                                                       - self->state.started)
                   .count();
  out.push_back(member{ me, caf::actor_cast<caf::actor>(self) });
  for (auto& [nid, m] : self->state.members)
    out.push_back(m);
  return out;
}

bool is_member_address(self_ptr self, const std::string& address) {
  if (address == self->state.self_info.address)
    return true;
  return std::any_of(self->state.members.begin(), self->state.members.end(), [&](auto& kv) {
    return kv.second.info.address == address;
  });
}

void notify(self_ptr self, bool up, const member& m) {
  for (auto& sub : self->state.subscribers) {
    if (up)
      self->send(sub, node_up_atom::value, m);
    else
      self->send(sub, node_down_atom::value, m);
  }
}

void connect_and_join(self_ptr self, const std::string& address);

// Adds a member reached over a direct connection; everything else it knows
// about is joined directly in turn.
void add_member(self_ptr self, const member& m) {
  if (!m.agent || m.agent.node() == self->node())
    return;
  auto& members = self->state.members;
  if (members.count(m.agent.node()) != 0)
    return;
  self->monitor(m.agent);
  members.emplace(m.agent.node(), m);
  self->state.unreachable.erase(m.info.address);
  log::info(component, "node ", m.info.name, " (", roles_of(m.info), ") at ", m.info.address,
            " joined; ", members.size() + 1, " nodes");
  notify(self, true, m);
}

void handle_join_reply(self_ptr self, const caf::actor& agent, std::vector<member>& others) {
  for (auto& m : others) {
    if (m.agent.node() == agent.node())
      add_member(self, member{ m.info, agent }); // the direct handle, not the listed one
    else if (m.agent.node() != self->node() && self->state.members.count(m.agent.node()) == 0)
      connect_and_join(self, m.info.address);
  }
}

void connect_and_join(self_ptr self, const std::string& address) {
  auto& st = self->state;
  if (address.empty() || is_member_address(self, address) || st.connecting.count(address) != 0)
    return;
  std::string host;
  uint16_t port = 0;
  if (!split_host_port(address, host, port)) {
    log::error(component, "cannot join \"", address, "\": expected host:port");
    return;
  }
  st.connecting.insert(address);
  auto timeout = st.settings.request_timeout;
  self->request(st.settings.middleman, timeout, caf::connect_atom::value, host, port)
    .then(
      [self, address, timeout](const caf::node_id&, caf::strong_actor_ptr& ptr,
                               const std::set<std::string>&) {
        auto agent = caf::actor_cast<caf::actor>(ptr);
        if (!agent || agent.node() == self->node()) {
          self->state.connecting.erase(address);
          if (!agent)
            log::warn(component, address, " answers but publishes no membership agent");
          return;
        }
        self->request(agent, timeout, join_atom::value, self->state.self_info)
          .then(
            [self, address, agent](std::vector<member>& others) {
              self->state.connecting.erase(address);
              handle_join_reply(self, agent, others);
            },
            [self, address](caf::error& err) {
              self->state.connecting.erase(address);
              log::warn(component, "join through ", address,
                        " failed: ", self->system().render(err));
            });
      },
      [self, address](caf::error& err) {
        auto& st = self->state;
        st.connecting.erase(address);
        // Warn once per address until it works again; retries stay quiet.
        if (!st.unreachable.insert(address).second) {
          log::debug(component, "still cannot reach ", address, ": ", self->system().render(err));
          return;
        }
        auto hint = err == caf::sec::disconnect_during_handshake
                      ? " (TLS handshake refused: both nodes need certificates of the same "
                        "cluster CA in cluster.tls.*, or both plain on loopback)"
                      : "";
        log::warn(component, "cannot reach ", address, ": ", self->system().render(err), hint,
                  "; retrying every ", st.settings.retry_interval.count(), " ms");
      });
}

} // namespace

bool split_host_port(const std::string& address, std::string& host, uint16_t& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    return false;
  unsigned long value = 0;
  for (auto i = colon + 1; i < address.size(); ++i) {
    if (address[i] < '0' || address[i] > '9')
      return false;
    value = value * 10 + static_cast<unsigned long>(address[i] - '0');
    if (value > 65535)
      return false;
  }
  host = address.substr(0, colon);
  port = static_cast<uint16_t>(value);
  return true;
}

caf::behavior membership(caf::stateful_actor<membership_state>* self, node_info self_info,
                         membership_settings settings) {
  self->state.self_info = std::move(self_info);
  self->state.settings = std::move(settings);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    st.subscribers.erase(std::remove_if(st.subscribers.begin(), st.subscribers.end(),
                                        [&](auto& s) {
                                          return s.address() == dm.source;
                                        }),
                         st.subscribers.end());
    for (auto i = st.roles.begin(); i != st.roles.end();)
      i = i->second.address() == dm.source ? st.roles.erase(i) : std::next(i);
    for (auto i = st.members.begin(); i != st.members.end(); ++i) {
      if (i->second.agent.address() == dm.source) {
        auto gone = i->second;
        st.members.erase(i);
        log::warn(component, "node ", gone.info.name, " (", roles_of(gone.info), ") at ",
                  gone.info.address, " is gone: ", self->system().render(dm.reason), "; ",
                  st.members.size() + 1, " nodes");
        notify(self, false, gone);
        return;
      }
    }
  });
  self->state.started = self->clock().now();
  return {
    [self](caf::put_atom, std::string& address) {
      self->state.self_info.address = std::move(address);
      if (!self->state.ticking) {
        self->state.ticking = true;
        self->send(self, tick_atom::value);
      }
    },
    [self](join_atom, node_info& info) -> std::vector<member> {
      auto joiner = caf::actor_cast<caf::actor>(self->current_sender());
      add_member(self, member{ std::move(info), joiner });
      return all_members(self);
    },
    [self](members_atom) {
      return all_members(self);
    },
    [self](put_atom, std::string& role, caf::actor& provider) {
      self->monitor(provider);
      self->state.roles[role] = std::move(provider);
    },
    [self](get_atom, const std::string& role) -> caf::result<caf::actor> {
      auto i = self->state.roles.find(role);
      if (i == self->state.roles.end())
        return caf::make_error(caf::sec::remote_lookup_failed,
                               "node " + self->state.self_info.name + " has no " + role + " role");
      return i->second;
    },
    [self](subscribe_atom) {
      auto sub = caf::actor_cast<caf::actor>(self->current_sender());
      if (!sub)
        return;
      self->monitor(sub);
      self->state.subscribers.push_back(sub);
      for (auto& [nid, m] : self->state.members)
        self->send(sub, node_up_atom::value, m);
    },
    [self](tick_atom) {
      for (auto& seed : self->state.settings.seeds)
        connect_and_join(self, seed);
      self->delayed_send(self, self->state.settings.retry_interval, tick_atom::value);
    },
  };
}

} // namespace spectacles::actors
