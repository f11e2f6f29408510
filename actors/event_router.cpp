#include "actors/event_router.hpp"

#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/sec.hpp"

#include "actors/router_type_ids.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "router";

using router_ptr = caf::stateful_actor<event_router_state>*;

void flush(router_ptr self) {
  auto& st = self->state;
  auto outbox = st.book.take_outbox();
  if (outbox.empty())
    return;
  // One message per worker, deliveries in outbox order.
  std::map<worker_id, std::vector<delivery>> per_worker;
  for (auto& out : outbox)
    per_worker[out.worker].push_back(delivery{ out.id, out.attempt, *out.ev });
  for (auto& [id, items] : per_worker) {
    auto it = st.worker_handles.find(id);
    if (it == st.worker_handles.end())
      continue;
    if (items.size() == 1)
      self->send(it->second, std::move(items.front()));
    else
      self->send(it->second, delivery_batch{ std::move(items) });
  }
}

/// Flushes once the messages already in the mailbox are handled: events
/// that arrive together leave together.
void flush_soon(router_ptr self) {
  auto& st = self->state;
  if (st.flush_queued)
    return;
  st.flush_queued = true;
  self->send(self, flush_atom::value);
}

void drop_worker(router_ptr self, const caf::actor_addr& addr, const char* why) {
  auto& st = self->state;
  auto it = st.worker_ids.find(addr);
  if (it == st.worker_ids.end())
    return;
  auto id = it->second;
  st.worker_ids.erase(it);
  st.worker_handles.erase(id);
  log::info(component, "worker ", id, " ", why);
  st.book.remove_worker(id, self->clock().now());
  flush(self);
}

// PROTOCOL.md 1.15: shard_id = (guild_id >> 22) % num_shards.
uint32_t shard_of(uint64_t guild_id, uint32_t shard_count) {
  return static_cast<uint32_t>((guild_id >> 22) % shard_count);
}

} // namespace

caf::behavior event_router(router_ptr self, router_options options) {
  self->state.options = options;
  self->state.book = delivery_book{ options.limits };
  for (auto& group : options.groups)
    self->state.book.declare_group(group, {});
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto it = st.shards.begin(); it != st.shards.end(); ++it) {
      if (it->second.address() == dm.source) {
        // A shard stopped on purpose (its node shutting down, a move) is no fault.
        if (dm.reason == caf::exit_reason::user_shutdown)
          log::info(component, "shard ", it->first,
                    " stopped; its commands fail until it registers again");
        else
          log::warn(component, "shard ", it->first, " went down (",
                    self->system().render(dm.reason),
                    "); its commands fail until it registers again");
        st.shards.erase(it);
        return;
      }
    }
    drop_worker(self, dm.source, "went down");
  });
  return {
    [self](event& ev) {
      self->state.book.push(std::move(ev), self->clock().now());
      flush_soon(self);
    },
    [self](std::vector<event>& evs) {
      // A shard's events of one socket read, in order.
      auto now = self->clock().now();
      for (auto& ev : evs)
        self->state.book.push(std::move(ev), now);
      flush_soon(self);
    },
    [self](flush_atom) {
      self->state.flush_queued = false;
      flush(self);
    },
    [self](ack_atom, uint64_t delivery_id) {
      auto& st = self->state;
      auto it = st.worker_ids.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
      if (it == st.worker_ids.end())
        return;
      st.book.ack(it->second, delivery_id, self->clock().now());
      flush(self);
    },
    [self](ack_atom, const ack_batch& acks) {
      auto& st = self->state;
      auto it = st.worker_ids.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
      if (it == st.worker_ids.end())
        return;
      auto now = self->clock().now();
      for (auto id : acks.ids)
        st.book.ack(it->second, id, now);
      flush(self);
    },
    [self](caf::join_atom, worker_spec& spec) -> uint64_t {
      auto& st = self->state;
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      auto addr = sender.address();
      if (auto it = st.worker_ids.find(addr); it != st.worker_ids.end())
        return it->second;
      self->monitor(sender);
      auto id
        = st.book.add_worker(spec.group, spec.events, spec.window, spec.name, self->clock().now());
      st.worker_ids.emplace(addr, id);
      st.worker_handles.emplace(id, sender);
      log::info(component, "worker ", id, " (", spec.name, ") joined group ", spec.group,
                " with window ", spec.window);
      flush(self);
      return id;
    },
    [self](drain_atom) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto it = st.worker_ids.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
      if (it == st.worker_ids.end())
        return make_error(router_errc::not_registered);
      // What is bound for the worker goes before the reply, so the reply
      // tells the worker it holds everything it will get.
      flush(self);
      st.book.drain_worker(it->second);
      log::info(component, "worker ", it->second, " drains before leaving");
      return caf::ok_atom::value;
    },
    [self](caf::leave_atom) -> caf::result<caf::ok_atom> {
      auto addr = caf::actor_cast<caf::actor_addr>(self->current_sender());
      if (self->state.worker_ids.count(addr) == 0)
        return make_error(router_errc::not_registered);
      self->demonitor(addr);
      drop_worker(self, addr, "left");
      return caf::ok_atom::value;
    },
    [self](shard_atom, uint32_t shard, uint32_t shard_count) {
      auto& st = self->state;
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      self->monitor(sender);
      st.shards[shard] = sender;
      if (shard_count != 0)
        st.shard_count = shard_count;
      log::info(component, "shard ", shard, "/", shard_count, " registered for commands");
      return caf::ok_atom::value;
    },
    [self](caf::reset_atom, uint32_t shard) {
      self->state.book.reset_shard(shard);
      return caf::ok_atom::value;
    },
    [self](commit_atom, uint32_t shard) -> uint64_t {
      return self->state.book.commit_point(shard);
    },
    [self](caf::get_atom, stats_atom) {
      auto& st = self->state;
      auto stats = st.book.stats(self->clock().now());
      stats.totals.commands = st.commands;
      stats.totals.command_errors = st.command_errors;
      for (auto& [shard, handle] : st.shards) {
        auto it = std::find_if(stats.shards.begin(), stats.shards.end(),
                               [shard = shard](const shard_stats& s) {
                                 return s.shard == shard;
                               });
        if (it == stats.shards.end())
          stats.shards.push_back(shard_stats{ shard, 0, 0, 0, true });
        else
          it->registered = true;
      }
      std::sort(stats.shards.begin(), stats.shards.end(),
                [](const shard_stats& a, const shard_stats& b) {
                  return a.shard < b.shard;
                });
      return stats;
    },
    [self](gateway_command& cmd) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      ++st.commands;
      uint32_t target = cmd.shard;
      if (cmd.guild_id != 0) {
        if (st.shard_count == 0) {
          ++st.command_errors;
          return make_error(router_errc::no_shard_count);
        }
        target = shard_of(cmd.guild_id, st.shard_count);
      }
      auto it = st.shards.find(target);
      if (it == st.shards.end()) {
        ++st.command_errors;
        log::warn(component, "gateway command op ", cmd.op, " for shard ", target,
                  ": no such shard registered");
        return make_error(router_errc::unknown_shard);
      }
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(it->second, st.options.command_timeout, std::move(cmd))
        .then(
          [rp](caf::ok_atom) mutable {
            rp.deliver(caf::ok_atom::value);
          },
          [self, rp, target](caf::error& err) mutable {
            ++self->state.command_errors;
            log::warn(component, "gateway command for shard ", target,
                      " failed: ", self->system().render(err));
            if (err == caf::sec::request_timeout)
              rp.deliver(make_error(router_errc::shard_unreachable));
            else
              rp.deliver(std::move(err));
          });
      return rp;
    },
  };
}

} // namespace spectacles::actors
