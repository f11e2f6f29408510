#include "actors/role_finder.hpp"

#include <algorithm>

#include "actors/type_ids.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr auto lookup_timeout = std::chrono::seconds(5);

using self_ptr = caf::stateful_actor<role_finder_state>*;

void add_found(self_ptr self, const caf::actor& provider) {
  auto& st = self->state;
  if (!provider || std::find(st.found.begin(), st.found.end(), provider) != st.found.end())
    return;
  self->monitor(provider);
  st.found.push_back(provider);
  for (auto& client : st.clients)
    self->send(client, put_atom::value, provider);
}

void lookup(self_ptr self, const caf::actor& agent, bool quiet = false) {
  self->request(agent, lookup_timeout, get_atom::value, self->state.role)
    .then(
      [self](caf::actor& provider) {
        add_found(self, provider);
      },
      [self, quiet](caf::error& err) {
        if (!quiet)
          log::warn("discovery", "a node lists role ", self->state.role,
                    " but did not hand it out: ", self->system().render(err));
      });
}

} // namespace

caf::behavior role_finder(caf::stateful_actor<role_finder_state>* self, caf::actor membership,
                          std::string role, std::vector<caf::actor> clients) {
  self->state.role = std::move(role);
  self->state.membership = membership;
  self->state.clients = std::move(clients);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& found = self->state.found;
    auto i = std::find_if(found.begin(), found.end(), [&](auto& a) {
      return a.address() == dm.source;
    });
    if (i == found.end())
      return;
    auto gone = *i;
    found.erase(i);
    for (auto& client : self->state.clients)
      self->send(client, caf::delete_atom::value, gone);
  });
  // Our own node first (membership lists only the others); it may not have the role.
  lookup(self, membership, true);
  self->send(membership, subscribe_atom::value);
  return {
    [self](node_up_atom, const member& m) {
      auto& roles = m.info.roles;
      if (std::find(roles.begin(), roles.end(), self->state.role) != roles.end())
        lookup(self, m.agent);
    },
    [](node_down_atom, const member&) {
      // The monitor on the found actor reports it.
    },
    [self](put_atom, caf::actor& client) {
      for (auto& provider : self->state.found)
        self->send(client, put_atom::value, provider);
      self->state.clients.push_back(std::move(client));
    },
  };
}

} // namespace spectacles::actors
