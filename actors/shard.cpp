#include "actors/shard.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "caf/actor_cast.hpp"
#include "caf/all.hpp"

#include "actors/gateway_type_ids.hpp"
#include "actors/router_type_ids.hpp"
#include "net/io_pool.hpp"
#include "net/log.hpp"
#include "net/ws_client.hpp"
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "shard";

using self_ptr = caf::stateful_actor<shard_actor_state>*;

// The I/O half of one connection. Only the callbacks touch it, and they run
// one at a time on the connection's strand; the actor never does. It holds a
// weak handle to the socket (the socket owns the callbacks that own this).
struct shard_io {
  caf::actor_addr owner;
  uint64_t id = 0;
  std::weak_ptr<net::ws_client> ws;
  std::unique_ptr<net::zlib_inflater> zlib;
  std::unique_ptr<net::zstd_inflater> zstd;
  bool failed = false;
  std::chrono::milliseconds hibernate_after{ 0 };
  std::chrono::steady_clock::time_point last_message{};
  std::shared_ptr<std::atomic<uint64_t>> hibernations;
  static constexpr size_t keep_buffer = 16 * 1024;
  // The messages of the socket read being handled: the actor gets them in
  // one message at the end of the read (on_flush), or at the batch's cut.
  read_batch batch;

  void flush() {
    auto b = batch.take();
    if (!b.ends.empty())
      tell(ws_msg_atom::value, id, std::move(b.text), std::move(b.ends));
  }

  template <class... Ts>
  void tell(Ts&&... xs) {
    if (auto hdl = caf::actor_cast<caf::actor>(owner))
      caf::anon_send(hdl, std::forward<Ts>(xs)...);
  }

  void on_message(std::string_view data, bool binary) {
    if (failed)
      return;
    std::string_view text = data;
    std::string problem;
    if (zlib && binary) {
      auto out = zlib->feed(data);
      if (!out)
        problem = out.error().what();
      else if (!*out)
        return; // the message continues in the next frame
      else
        text = **out;
    } else if (zstd && binary) {
      auto out = zstd->feed(data);
      if (!out)
        problem = out.error().what();
      else
        text = *out;
    }
    if (!problem.empty()) {
      // A corrupt stream cannot be resynchronised: drop this connection; the
      // shard resumes on a new one with a fresh inflater (PROTOCOL.md §1.2).
      failed = true;
      flush(); // what came before the bad frame is good
      log::warn(component, "connection ", id, ": frame does not inflate (", problem,
                "); reconnecting");
      if (auto sock = ws.lock())
        sock->abort();
      return;
    }
    if (batch.add(text)) // a batch ends with its socket read, or at its cut
      flush();
    // An idle shard should hold little more than the inflater's window: give
    // back what a large message (GUILD_CREATE) made the buffers grow to.
    if (zlib)
      zlib->release_buffers(keep_buffer);
    else if (zstd)
      zstd->release_buffers(keep_buffer);
    // A message after a long silence (an idle shard's heartbeat ACK): the
    // next one is most likely far off too, so the zlib context sleeps until
    // then. A busy shard never pays for it; zstd has no way to do the same.
    auto now = std::chrono::steady_clock::now();
    bool quiet = now - last_message >= hibernate_after;
    last_message = now;
    if (zlib && hibernate_after.count() > 0 && quiet && zlib->hibernate())
      ++*hibernations;
  }
};

} // namespace

struct shard_connection {
  uint64_t id = 0;
  std::shared_ptr<net::ws_client> ws;
};

shard_actor_state::~shard_actor_state() {
  if (conn && conn->ws)
    conn->ws->abort();
}

namespace {

uint32_t shard_id(self_ptr self) {
  return self->state.options.protocol.identify.shard_id;
}

void perform(self_ptr self, shard_actions&& actions);

void schedule_wakeup(self_ptr self) {
  auto& st = self->state;
  auto now = gateway_clock::now();
  auto next = st.protocol->next_wakeup(now);
  if (!next || (st.wakeup && *st.wakeup <= *next))
    return;
  st.wakeup = *next;
  auto delay = std::max(gateway_clock::duration::zero(), *next - now);
  self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(delay), tick_atom::value);
}

void open_socket(self_ptr self, uint64_t id, const std::string& url) {
  auto& st = self->state;
  if (st.conn && st.conn->ws)
    st.conn->ws->abort();
  st.conn.reset();
  auto io = std::make_shared<shard_io>();
  io->owner = self->address();
  io->id = id;
  io->hibernate_after = st.options.hibernate_after;
  io->batch = read_batch{ st.options.read_batch_bytes };
  io->last_message = std::chrono::steady_clock::now();
  io->hibernations = st.hibernations;
  const auto& compression = st.options.protocol.compression;
  if (compression == "zlib-stream")
    io->zlib = std::make_unique<net::zlib_inflater>();
  else if (compression == "zstd-stream")
    io->zstd = std::make_unique<net::zstd_inflater>();
  net::ws_client_options opts;
  opts.url = url;
  opts.tls = st.options.tls;
  opts.keep_buffer = shard_io::keep_buffer;
  net::ws_callbacks cbs;
  cbs.on_open = [io] {
    io->tell(ws_open_atom::value, io->id);
  };
  cbs.on_message = [io](std::string_view data, bool binary) {
    io->on_message(data, binary);
  };
  cbs.on_flush = [io] {
    io->flush();
  };
  cbs.on_close = [io](const net::ws_close_info& info) {
    if (!info.clean && info.err && !info.local)
      log::info(component, "connection ", io->id, " ended: ", info.err->what());
    io->tell(ws_closed_atom::value, io->id, info.code, info.code != 0 && !info.local);
  };
  auto ws = net::ws_client::create(st.options.io->context(), std::move(opts), std::move(cbs));
  if (!ws) {
    log::warn(component, "shard ", shard_id(self), ": cannot open ", url, ": ", ws.error().what());
    self->send(self, ws_closed_atom::value, id, uint16_t{ 0 }, false);
    return;
  }
  io->ws = *ws;
  st.conn = std::make_shared<shard_connection>();
  st.conn->id = id;
  st.conn->ws = *ws;
  (*ws)->connect();
}

void request_permit(self_ptr self) {
  auto& st = self->state;
  if (!st.permit_wanted || st.permit_pending || !st.coordinator)
    return;
  st.permit_pending = true;
  auto coordinator = st.coordinator;
  auto timeout = std::chrono::duration_cast<caf::timespan>(st.options.protocol.permit_timeout);
  self->request(coordinator, timeout, identify_atom::value, shard_id(self))
    .then(
      [self](caf::ok_atom) {
        auto& st = self->state;
        st.permit_pending = false;
        if (!st.permit_wanted)
          return; // the shard gave up on this IDENTIFY meanwhile
        st.permit_wanted = false;
        perform(self, st.protocol->on_identify_permit(gateway_clock::now()));
      },
      [self, coordinator](caf::error& err) {
        auto& st = self->state;
        if (st.coordinator != coordinator)
          return; // asked a coordinator that is gone; the new one was asked already
        st.permit_pending = false;
        log::warn(component, "shard ", shard_id(self),
                  ": identify permit refused: ", self->system().render(err), "; asking again");
        self->delayed_send(self, std::chrono::seconds(1), identify_atom::value);
      });
}

// Sends what is pending to the router: one event as itself, several as one
// std::vector<event> message (in order).
void flush_pending(self_ptr self) {
  auto& st = self->state;
  if (st.pending.empty())
    return;
  if (st.pending.size() == 1)
    self->send(st.router, std::move(st.pending.front()));
  else
    self->send(st.router, std::move(st.pending));
  st.pending.clear();
}

// An event with an empty name is the marker of a new session: the router
// resets the shard's sequence tracking there, after the events before it.
void send_to_router(self_ptr self, event&& ev) {
  auto& st = self->state;
  if (ev.name.empty()) {
    flush_pending(self);
    self->send(st.router, caf::reset_atom::value, ev.shard);
    return;
  }
  st.pending.push_back(std::move(ev));
  if (!st.batching)
    flush_pending(self);
}

void hand_off(self_ptr self, event&& ev) {
  auto& st = self->state;
  if (st.router && st.buffered.empty()) {
    send_to_router(self, std::move(ev));
    return;
  }
  if (st.buffered.size() >= st.options.max_buffered) {
    ++st.shed;
    if (st.shed == 1 || st.shed % 1000 == 0)
      log::warn(component, "shard ", ev.shard, ": no router for ", st.buffered.size(),
                " buffered events; dropped ", st.shed,
                " (a resume from the store replays what was not handled)");
    return;
  }
  st.buffered.push_back(std::move(ev));
}

void flush_buffer(self_ptr self) {
  auto& st = self->state;
  st.batching = true;
  while (st.router && !st.buffered.empty()) {
    auto ev = std::move(st.buffered.front());
    st.buffered.pop_front();
    send_to_router(self, std::move(ev));
  }
  st.batching = false;
  if (st.router)
    flush_pending(self);
}

void perform(self_ptr self, shard_actions&& actions) {
  auto& st = self->state;
  for (auto& action : actions) {
    std::visit(
      [self, &st](auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, shard_connect>) {
          if (a.delay.count() <= 0)
            open_socket(self, a.connection, a.url);
          else
            self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(a.delay),
                               caf::connect_atom::value, a.connection, a.url);
        } else if constexpr (std::is_same_v<T, shard_send>) {
          if (!st.conn || !st.conn->ws) {
            // Nothing to send on.
          } else if (a.kind == send_kind::identify) {
            // The identify queue times the key's window from when the
            // IDENTIFY left, not from the grant (identify_schedule.hpp).
            st.conn->ws->send(std::move(a.payload), false,
                              [owner = self->address(), shard = shard_id(self)] {
                                if (auto hdl = caf::actor_cast<caf::actor>(owner))
                                  caf::anon_send(hdl, identified_atom::value, shard);
                              });
          } else {
            st.conn->ws->send(std::move(a.payload), false);
          }
        } else if constexpr (std::is_same_v<T, shard_close>) {
          if (st.conn && st.conn->ws)
            st.conn->ws->close(a.code, a.reason);
          st.conn.reset(); // the socket finishes its close handshake on its own
        } else if constexpr (std::is_same_v<T, shard_request_permit>) {
          st.permit_wanted = true;
          request_permit(self);
        } else if constexpr (std::is_same_v<T, shard_dispatch>) {
          hand_off(self, std::move(a.ev));
        } else if constexpr (std::is_same_v<T, shard_save_session>) {
          if (a.session.session_id != st.session_id) {
            // A new session numbers from 1 again: the router must forget the
            // old one's sequence numbers before this session's first event.
            st.session_id = a.session.session_id;
            hand_off(self, event{ shard_id(self), 0, {}, 0, {} });
          }
          if (st.coordinator)
            self->send(st.coordinator, put_atom::value, session_atom::value, shard_id(self),
                       a.session);
        } else if constexpr (std::is_same_v<T, shard_clear_session>) {
          st.session_id.clear();
          if (st.coordinator)
            self->send(st.coordinator, caf::delete_atom::value, session_atom::value,
                       shard_id(self));
        } else if constexpr (std::is_same_v<T, shard_fatal>) {
          st.fatal = a.message;
          log::error(component, "shard ", shard_id(self), " stopped for good (close code ",
                     a.close_code, "): ", a.message);
          if (st.coordinator)
            self->send(st.coordinator, caf::delete_atom::value, identify_atom::value,
                       shard_id(self));
        }
      },
      action);
  }
  if (!st.batching)
    schedule_wakeup(self);
}

void start_protocol(self_ptr self, std::optional<session_snapshot> stored) {
  auto& st = self->state;
  if (st.started)
    return;
  st.started = true;
  if (stored)
    st.session_id = stored->session_id;
  log::info(component, "shard ", shard_id(self), " starting",
            stored ? " (resuming a stored session)" : "");
  perform(self, st.protocol->start(gateway_clock::now(), std::move(stored)));
}

void register_with_router(self_ptr self) {
  auto& st = self->state;
  if (!st.router)
    return;
  auto router = st.router;
  self->monitor(router);
  self
    ->request(router, st.options.request_timeout, shard_atom::value, shard_id(self),
              st.options.protocol.identify.shard_count)
    .then([](caf::ok_atom) {},
          [self](caf::error& err) {
            log::warn(component, "shard ", shard_id(self),
                      ": router registration failed: ", self->system().render(err));
          });
  flush_buffer(self);
}

shard_report make_report(self_ptr self) {
  auto& st = self->state;
  shard_report r;
  r.shard = shard_id(self);
  r.node = st.options.node_name;
  r.state = std::string{ to_string(st.protocol->state()) };
  r.seq = st.protocol->last_seq().value_or(0);
  r.session_id = st.session_id;
  const auto& stats = st.protocol->stats();
  r.dispatches = stats.dispatches;
  r.identifies = stats.identifies;
  r.resumes = stats.resumes;
  r.zombies = stats.zombies;
  r.connects = stats.connects;
  if (auto latency = st.protocol->heartbeat().last_latency())
    r.latency_ms = latency->count();
  r.buffered = st.buffered.size();
  r.shed = st.shed;
  r.hibernations = st.hibernations->load();
  r.error = st.fatal;
  return r;
}

void finish_close(self_ptr self) {
  auto& st = self->state;
  if (!st.closing)
    return;
  session_snapshot snapshot;
  if (auto session = st.protocol->session())
    snapshot = *session;
  st.closing->deliver(std::move(snapshot));
  st.closing.reset();
  self->quit();
}

} // namespace

caf::behavior shard_actor(caf::stateful_actor<shard_actor_state>* self, shard_actor_options options,
                          caf::actor coordinator, caf::actor router) {
  auto& st = self->state;
  auto seed = options.seed != 0
                ? options.seed
                : static_cast<uint64_t>(gateway_clock::now().time_since_epoch().count())
                    ^ (uint64_t{ options.protocol.identify.shard_id } << 32);
  st.options = std::move(options);
  st.protocol = std::make_unique<shard_protocol>(st.options.protocol, make_unit_random(seed));
  st.coordinator = std::move(coordinator);
  st.router = std::move(router);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.coordinator && dm.source == st.coordinator.address()) {
      log::warn(component, "shard ", shard_id(self), ": coordinator gone; waiting for the next");
      st.coordinator = nullptr;
      st.permit_pending = false;
    }
    if (st.router && dm.source == st.router.address()) {
      log::warn(component, "shard ", shard_id(self), ": router gone; buffering events");
      st.router = nullptr;
    }
  });
  if (st.coordinator) {
    self->monitor(st.coordinator);
    self
      ->request(st.coordinator, st.options.request_timeout, get_atom::value, session_atom::value,
                shard_id(self))
      .then(
        [self](session_snapshot& stored) {
          if (stored.session_id.empty())
            start_protocol(self, std::nullopt);
          else
            start_protocol(self, std::move(stored));
        },
        [self](caf::error& err) {
          log::warn(component, "shard ", shard_id(self), ": no stored session (",
                    self->system().render(err), "); identifying");
          start_protocol(self, std::nullopt);
        });
  } else {
    self->send(self, caf::open_atom::value);
  }
  register_with_router(self);
  self->delayed_send(self, st.options.commit_interval, commit_atom::value);
  return {
    [self](caf::open_atom) {
      start_protocol(self, std::nullopt);
    },
    [self](caf::connect_atom, uint64_t id, const std::string& url) {
      if (id == self->state.protocol->connection())
        open_socket(self, id, url);
    },
    [self](ws_open_atom, uint64_t id) {
      perform(self, self->state.protocol->on_connected(id, gateway_clock::now()));
    },
    [self](ws_msg_atom, uint64_t id, const std::string& texts, const std::vector<uint32_t>& ends) {
      // The messages of one socket read: their dispatches go to the router
      // in one message, and the timers are looked at once.
      auto& st = self->state;
      auto now = gateway_clock::now();
      st.batching = true;
      shard_actions actions;
      read_batch::split(texts, ends, [&](std::string_view message) {
        st.protocol->on_message(id, message, now, actions);
        perform(self, std::move(actions));
        actions.clear(); // performed; the capacity serves the next message
      });
      st.batching = false;
      if (st.router)
        flush_pending(self);
      schedule_wakeup(self);
    },
    [self](ws_closed_atom, uint64_t id, uint16_t code, bool has_code) {
      auto& st = self->state;
      if (st.closing && id == st.closing_connection) {
        finish_close(self);
        return;
      }
      if (st.conn && st.conn->id == id)
        st.conn.reset();
      std::optional<uint16_t> peer_code;
      if (has_code)
        peer_code = code;
      perform(self, st.protocol->on_closed(id, peer_code, gateway_clock::now()));
    },
    [self](tick_atom) {
      self->state.wakeup.reset();
      perform(self, self->state.protocol->on_tick(gateway_clock::now()));
    },
    [self](identify_atom) {
      request_permit(self);
    },
    [self](identified_atom, uint32_t shard) {
      // From the socket: the IDENTIFY is out. Passed on to the queue.
      if (auto& coordinator = self->state.coordinator)
        self->send(coordinator, identified_atom::value, shard);
    },
    [self](commit_atom) {
      auto& st = self->state;
      self->delayed_send(self, st.options.commit_interval, commit_atom::value);
      if (!st.router || !st.started || st.closing)
        return;
      self->request(st.router, st.options.request_timeout, commit_atom::value, shard_id(self))
        .then(
          [self](uint64_t seq) {
            if (seq > 0)
              perform(self, self->state.protocol->on_commit(seq, gateway_clock::now()));
          },
          [](caf::error&) {
            // The next poll asks again; a lost router shows up as a down_msg.
          });
    },
    [](caf::ok_atom) {
      // The router's answer to a one-way reset_atom.
    },
    [self](put_atom, router_atom, caf::actor& router) {
      auto& st = self->state;
      if (st.router == router)
        return;
      st.router = std::move(router);
      register_with_router(self);
    },
    [self](caf::delete_atom, router_atom, const caf::actor& router) {
      if (self->state.router == router)
        self->state.router = nullptr;
    },
    [self](put_atom, coord_atom, caf::actor& coordinator) {
      auto& st = self->state;
      if (st.coordinator == coordinator)
        return;
      st.coordinator = std::move(coordinator);
      self->monitor(st.coordinator);
      st.permit_pending = false;
      request_permit(self);
      if (auto session = st.protocol->session())
        self->send(st.coordinator, put_atom::value, session_atom::value, shard_id(self), *session);
    },
    [self](gateway_command& cmd) -> caf::result<caf::ok_atom> {
      auto outcome = self->state.protocol->queue_command(gateway_clock::now(),
                                                         static_cast<int>(cmd.op), cmd.data);
      if (outcome.error)
        return caf::make_error(caf::sec::invalid_argument, outcome.error->message);
      perform(self, std::move(outcome.actions));
      return caf::ok_atom::value;
    },
    [self](caf::close_atom, bool keep_session) -> caf::result<session_snapshot> {
      auto& st = self->state;
      if (st.closing)
        return caf::make_error(caf::sec::invalid_argument, "shard is already closing");
      auto rp = self->make_response_promise<session_snapshot>();
      st.closing = rp;
      st.permit_wanted = false;
      if (st.coordinator)
        self->send(st.coordinator, caf::delete_atom::value, identify_atom::value, shard_id(self));
      bool open = st.conn != nullptr;
      st.closing_connection = open ? st.conn->id : 0;
      log::info(component, "shard ", shard_id(self), " closing",
                keep_session ? " (session kept for a resume elsewhere)" : "");
      perform(self, st.protocol->stop(gateway_clock::now(), keep_session));
      if (!open)
        finish_close(self);
      else
        self->delayed_send(self, st.options.close_timeout, caf::close_atom::value);
      return rp;
    },
    [self](caf::close_atom) {
      // The close handshake took too long: give up on it.
      finish_close(self);
    },
    [self](get_atom, stats_atom) {
      return make_report(self);
    },
  };
}

} // namespace spectacles::actors
