#include "actors/role_finder.hpp"

#include <algorithm>

#include "actors/type_ids.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr auto lookup_timeout = std::chrono::seconds(5);
/// A node announces its roles when it joins, which can be before it has
/// registered the actors: a refused lookup is tried again this often.
constexpr auto retry_interval = std::chrono::milliseconds(250);
constexpr int lookup_attempts = 40;

using lookup_atom = caf::atom_constant<caf::atom("rflookup")>;

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

void lookup(self_ptr self, const caf::actor& agent, bool quiet = false,
            int attempts = lookup_attempts) {
  self->request(agent, lookup_timeout, get_atom::value, self->state.role)
    .then(
      [self](caf::actor& provider) {
        add_found(self, provider);
      },
      [self, agent, quiet, attempts](caf::error& err) {
        if (err == caf::sec::remote_lookup_failed && attempts > 1) {
          self->delayed_send(self, retry_interval, lookup_atom::value, agent, quiet, attempts - 1);
          return;
        }
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
    [self](lookup_atom, const caf::actor& agent, bool quiet, int attempts) {
      lookup(self, agent, quiet, attempts);
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
