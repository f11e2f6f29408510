#include "actors/worker.hpp"

#include <exception>

#include "caf/sec.hpp"

#include "actors/router_type_ids.hpp"
#include "models/events.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "worker";

using worker_ptr = caf::stateful_actor<worker_state>*;

void join(worker_ptr self) {
  auto& st = self->state;
  auto spec
    = worker_spec{ st.options.group, st.options.events, st.options.window, st.options.name };
  if (spec.events.empty())
    spec.events = st.handlers.subscriptions();
  self->request(st.services.router, st.options.join_timeout, caf::join_atom::value, spec)
    .then(
      [self](uint64_t id) {
        self->state.id = id;
        log::info(component, self->state.options.name, " joined group ", self->state.options.group,
                  " as worker ", id);
      },
      [self](caf::error& err) {
        // The router may be starting or unreachable for a moment: joining
        // must be live (LESSONS.md, Discord4J/connect#11), so try again.
        log::warn(component, self->state.options.name, " could not join the router (",
                  self->system().render(err), "); retrying in 1 s");
        self->delayed_send(self, std::chrono::seconds(1), caf::join_atom::value);
      });
}

} // namespace

void worker_context::send_command(gateway_command cmd,
                                  std::function<void(const caf::error&)> done) const {
  auto op = cmd.op;
  self->request(services.router, services.command_timeout, std::move(cmd))
    .then(
      [done](caf::ok_atom) {
        if (done)
          done(caf::error{});
      },
      [self = self, done, op](caf::error& err) {
        if (done)
          done(err);
        else
          log::warn(component, "gateway command op ", op, " failed: ", self->system().render(err));
      });
}

void report_decode_failure(const event& ev, std::string_view type, const std::string& why) {
  log::warn(component, "cannot decode ", type, " (shard ", ev.shard, ", seq ", ev.seq, "): ", why,
            "; event acked without running the handler");
}

event_handlers& event_handlers::on_raw(std::string name, raw_handler fn) {
  by_name_[std::move(name)].push_back(std::move(fn));
  return *this;
}

event_handlers& event_handlers::on_event(raw_handler fn) {
  any_.push_back(std::move(fn));
  return *this;
}

event_handlers& event_handlers::on_dispatch(dispatch_handler fn) {
  return on_event([fn = std::move(fn)](const event& ev, worker_context& ctx) {
    auto decoded = models::decode_event(ev.name, ev.data);
    if (!decoded) {
      report_decode_failure(ev, ev.name, decoded.error().message);
      return;
    }
    fn(*decoded, ctx);
  });
}

std::vector<std::string> event_handlers::subscriptions() const {
  std::vector<std::string> names;
  if (!any_.empty())
    return names;
  for (auto& [name, fns] : by_name_)
    names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

bool event_handlers::dispatch(const event& ev, worker_context& ctx) const {
  bool ran = false;
  if (auto it = by_name_.find(ev.name); it != by_name_.end()) {
    for (auto& fn : it->second)
      fn(ev, ctx);
    ran = true;
  }
  for (auto& fn : any_) {
    fn(ev, ctx);
    ran = true;
  }
  return ran;
}

namespace {

/// Most acks one message carries.
constexpr size_t max_ack_batch = 256;

void send_acks(worker_ptr self) {
  auto& st = self->state;
  if (st.acks.empty())
    return;
  if (st.acks.size() == 1)
    self->send(st.services.router, ack_atom::value, st.acks.front());
  else
    self->send(st.services.router, ack_atom::value, ack_batch{ std::move(st.acks) });
  st.acks.clear();
}

void handle(worker_ptr self, const delivery& d) {
  auto& st = self->state;
  worker_context ctx{ self, st.services, d };
  try {
    st.handlers.dispatch(d.ev, ctx);
  } catch (const std::exception& e) {
    // A throwing handler counts as handled: redelivering would throw again.
    log::error(component, st.options.name, ": handler for ", d.ev.name, " (shard ", d.ev.shard,
               ", seq ", d.ev.seq, ") threw: ", e.what());
  }
  ++st.handled;
  st.acks.push_back(d.id);
  // Acks go out once the deliveries already in the mailbox are handled
  // (the flush message queues behind them), or every max_ack_batch.
  if (st.acks.size() >= max_ack_batch) {
    send_acks(self);
  } else if (!st.ack_flush_queued) {
    st.ack_flush_queued = true;
    self->send(self, ack_flush_atom::value);
  }
}

/// Acks what was handled and leaves the group; deliveries that still
/// arrive are left to the router to redeliver.
void leave(worker_ptr self) {
  auto& st = self->state;
  st.leaving = true;
  send_acks(self);
  self->request(st.services.router, st.options.join_timeout, caf::leave_atom::value)
    .then(
      [self](caf::ok_atom) {
        self->quit();
      },
      [self](caf::error&) {
        self->quit();
      });
}

} // namespace

caf::behavior worker(worker_ptr self, caf::actor router, worker_options options,
                     event_handlers handlers) {
  auto& st = self->state;
  if (options.name.empty())
    options.name = options.group + "@" + to_string(self->node());
  st.services = worker_services{ router, options.command_timeout, rest_client{} };
  st.options = std::move(options);
  st.handlers = std::move(handlers);
  self->monitor(router);
  self->set_down_handler([self](caf::down_msg& dm) {
    if (dm.source != self->state.services.router.address())
      return;
    // A router stopped on purpose (its node shutting down) is no fault.
    if (dm.reason == caf::exit_reason::user_shutdown)
      log::info(component, self->state.options.name, ": the router stopped; worker stops");
    else
      log::error(component, self->state.options.name, ": the router went down (",
                 self->system().render(dm.reason), "); worker stops");
    self->quit(dm.reason);
  });
  join(self);
  return {
    [self](delivery& d) {
      if (!self->state.leaving)
        handle(self, d);
    },
    [self](delivery_batch& b) {
      if (self->state.leaving)
        return;
      for (auto& d : b.items)
        handle(self, d);
    },
    [self](ack_flush_atom) {
      self->state.ack_flush_queued = false;
      send_acks(self);
    },
    [self](caf::join_atom) {
      join(self);
    },
    [self](put_atom, rest_atom, caf::actor& rest) {
      auto& st = self->state;
      st.services.rest = rest ? rest_client{ self->system(), rest } : rest_client{};
    },
    [self](caf::leave_atom) {
      // Drain first: the router stops sending, and its reply comes after
      // every delivery it sent here, which this worker still handles and
      // acks. Then nothing is left for the router to redeliver.
      auto& st = self->state;
      if (st.draining)
        return;
      st.draining = true;
      self->request(st.services.router, st.options.join_timeout, drain_atom::value)
        .then(
          [self](caf::ok_atom) {
            leave(self);
          },
          [self](caf::error&) {
            leave(self);
          });
    },
  };
}

caf::actor spawn_worker(caf::actor_system& sys, caf::actor router, worker_options options,
                        event_handlers handlers) {
  return sys.spawn(worker, std::move(router), std::move(options), std::move(handlers));
}

} // namespace spectacles::actors
