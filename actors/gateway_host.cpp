#include "actors/gateway_host.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "caf/all.hpp"

#include "actors/gateway_type_ids.hpp"
#include "actors/router_type_ids.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "gateway";

using self_ptr = caf::stateful_actor<gateway_host_state>*;

template <class... Ts>
void tell_shards(self_ptr self, const Ts&... xs) {
  for (auto& [id, shard] : self->state.shards)
    self->send(shard, xs...);
}

} // namespace

caf::behavior gateway_host(caf::stateful_actor<gateway_host_state>* self,
                           gateway_host_options options) {
  self->state.options = std::move(options);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto it = st.shards.begin(); it != st.shards.end(); ++it) {
      if (it->second.address() == dm.source) {
        st.shards.erase(it);
        return;
      }
    }
    if (st.coordinator && dm.source == st.coordinator.address()) {
      log::warn(component, "coordinator gone; shards keep running until the next one");
      st.coordinator = nullptr;
    }
  });
  return {
    [self](shard_assignment& a) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      if (sender && sender != st.coordinator) {
        st.coordinator = sender;
        self->monitor(sender);
      }
      if (a.total == 0 || a.shard >= a.total)
        return caf::make_error(caf::sec::invalid_argument, "shard id out of range");
      if (st.shards.count(a.shard) != 0)
        return caf::ok_atom::value;
      auto opts = st.options.shard;
      opts.protocol.identify.shard_id = a.shard;
      opts.protocol.identify.shard_count = a.total;
      opts.protocol.gateway_url = a.gateway_url;
      if (auto problem = validate(opts.protocol))
        return caf::make_error(caf::sec::invalid_argument, problem->message);
      auto shard
        = self->spawn<caf::linked>(shard_actor, std::move(opts), st.coordinator, st.router);
      self->monitor(shard);
      st.shards.emplace(a.shard, shard);
      log::info(component, "running shard ", a.shard, "/", a.total, " (", st.shards.size(),
                " on this node)");
      return caf::ok_atom::value;
    },
    [self](caf::close_atom, uint32_t shard, bool keep_session) -> caf::result<session_snapshot> {
      auto& st = self->state;
      auto it = st.shards.find(shard);
      if (it == st.shards.end())
        return session_snapshot{};
      auto target = it->second;
      st.shards.erase(it);
      self->demonitor(target);
      auto rp = self->make_response_promise<session_snapshot>();
      auto timeout = st.options.shard.close_timeout + st.options.request_timeout;
      self->request(target, timeout, caf::close_atom::value, keep_session)
        .then(
          [rp](session_snapshot& snapshot) mutable {
            rp.deliver(std::move(snapshot));
          },
          [self, rp, target, shard](caf::error& err) mutable {
            log::warn(component, "shard ", shard,
                      " did not close cleanly: ", self->system().render(err));
            self->send_exit(target, caf::exit_reason::user_shutdown);
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [self](get_atom, shards_atom) -> caf::result<std::vector<shard_report>> {
      auto& st = self->state;
      if (st.shards.empty())
        return std::vector<shard_report>{};
      auto rp = self->make_response_promise<std::vector<shard_report>>();
      auto reports = std::make_shared<std::vector<shard_report>>();
      auto pending = std::make_shared<size_t>(st.shards.size());
      auto done = [rp, reports, pending]() mutable {
        if (--*pending == 0)
          rp.deliver(std::move(*reports));
      };
      for (auto& [id, shard] : st.shards) {
        self->request(shard, st.options.request_timeout, get_atom::value, stats_atom::value)
          .then(
            [reports, done](shard_report& r) mutable {
              reports->push_back(std::move(r));
              done();
            },
            [reports, done, id = id](caf::error&) mutable {
              shard_report r;
              r.shard = id;
              r.state = "unresponsive";
              reports->push_back(std::move(r));
              done();
            });
      }
      return rp;
    },
    [self](put_atom, coord_atom, caf::actor& coordinator) {
      auto& st = self->state;
      if (st.coordinator == coordinator)
        return;
      st.coordinator = coordinator;
      self->monitor(coordinator);
      tell_shards(self, put_atom::value, coord_atom::value, coordinator);
    },
    [self](put_atom, caf::actor& router) {
      auto& st = self->state;
      st.routers.push_back(router);
      if (st.router)
        return; // keep the first router while it lives
      st.router = router;
      log::info(component, "router found; ", st.shards.size(), " shards told");
      tell_shards(self, put_atom::value, router_atom::value, router);
    },
    [self](caf::delete_atom, const caf::actor& router) {
      auto& st = self->state;
      st.routers.erase(std::remove(st.routers.begin(), st.routers.end(), router), st.routers.end());
      if (st.router != router)
        return;
      tell_shards(self, caf::delete_atom::value, router_atom::value, router);
      st.router = st.routers.empty() ? caf::actor{} : st.routers.front();
      if (st.router)
        tell_shards(self, put_atom::value, router_atom::value, st.router);
    },
  };
}

} // namespace spectacles::actors
