#include "actors/rest_bucket.hpp"

#include <unordered_map>

#include "caf/actor.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/local_actor.hpp"
#include "caf/send.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/rest_type_ids.hpp"
#include "models/rest_error.hpp"
#include "net/http_client.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "rest";

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

struct bucket_job {
  rest_job job;
  rest_retry retry;
  bool in_flight = false;
  /// The router answered the caller already (deadline): a reply still
  /// updates the window but goes to nobody.
  bool cancelled = false;
};

struct rest_bucket_actor_state {
  rest_bucket_state bucket;
  rest_bucket_options options;
  std::shared_ptr<net::http_client> http;
  caf::actor router;
  std::unordered_map<uint64_t, bucket_job> jobs;
  /// Bucket hash last confirmed by the router, per key held here.
  std::unordered_map<std::string, std::string> key_hash;
  bool awaiting_permit = false;
  /// The request the pending permit was asked for.
  uint64_t permit_for = 0;
  std::string permit_token;
  bool permit_authenticated = false;
  bool awaiting_learn = false;
  bool retiring = false;
  std::optional<time_point> timer_at;
  static inline const char* name = "rest_bucket";
};

using bucket_ptr = caf::stateful_actor<rest_bucket_actor_state>*;

time_point deadline_of(const rest_job& j) {
  return time_point{ std::chrono::nanoseconds{ j.deadline_ns } };
}

rest_window window_of(const rest_bucket_state& b) {
  rest_window w;
  if (auto limit = b.limit()) {
    w.limited = true;
    w.limit = *limit;
    w.remaining = b.remaining();
    w.reset_at_ns
      = std::chrono::duration_cast<std::chrono::nanoseconds>(b.reset_at().time_since_epoch())
          .count();
  }
  return w;
}

void add_job(bucket_ptr self, rest_job&& j) {
  auto& st = self->state;
  auto ticket = j.ticket;
  auto method = parse_rest_method(j.method).value_or(rest_method::post);
  auto deadline = deadline_of(j);
  st.bucket.enqueue({ ticket, j.key, j.exempt });
  st.jobs.emplace(
    ticket, bucket_job{ std::move(j), rest_retry{ method, deadline, st.options.retry, ticket } });
}

void report_failure(bucket_ptr self, const rest_job& j, rest_errc code, std::string text) {
  rest_outcome o;
  o.ticket = j.ticket;
  o.key = j.key;
  o.token = j.token;
  o.authenticated = j.authenticated;
  o.final = true;
  o.error_code = static_cast<uint8_t>(code);
  o.error_text = std::move(text);
  o.window = window_of(self->state.bucket);
  self->send(self->state.router, std::move(o));
}

void pump(bucket_ptr self);

void start_front(bucket_ptr self, time_point now) {
  auto& st = self->state;
  auto e = st.bucket.start_next(now);
  if (!e)
    return;
  auto& bj = st.jobs.at(e->ticket);
  bj.in_flight = true;
  net::http_headers headers;
  headers.reserve(bj.job.headers.size());
  for (const auto& h : bj.job.headers)
    headers.emplace_back(h.name, h.value);
  auto handle = caf::actor_cast<caf::actor>(self);
  auto ticket = e->ticket;
  st.http->request(bj.job.method, bj.job.url, std::move(headers), bj.job.body,
                   [handle, ticket](net::result<net::http_response> r) {
                     if (r) {
                       rest_response resp;
                       resp.status = static_cast<uint16_t>(r->status);
                       resp.headers.reserve(r->headers.size());
                       for (auto& [name, value] : r->headers)
                         resp.headers.push_back({ std::move(name), std::move(value) });
                       resp.body = std::move(r->body);
                       caf::anon_send(handle, rest_http_atom::value, ticket, std::move(resp));
                     } else {
                       caf::anon_send(handle, rest_http_atom::value, ticket,
                                      static_cast<uint8_t>(r.error().code), r.error().what());
                     }
                   });
}

void arm_timer(bucket_ptr self, time_point until, time_point now) {
  auto& st = self->state;
  if (st.timer_at && *st.timer_at <= until)
    return;
  st.timer_at = until;
  self->delayed_send(self, until > now ? until - now : clock::duration{ 0 }, caf::tick_atom::value);
}

void ask_permit(bucket_ptr self, const rest_job& j, time_point now) {
  auto& st = self->state;
  st.awaiting_permit = true;
  st.permit_for = j.ticket;
  st.permit_token = j.token;
  st.permit_authenticated = j.authenticated;
  auto wait = std::min<clock::duration>(deadline_of(j) - now, st.options.router_timeout);
  wait = std::max<clock::duration>(wait, std::chrono::milliseconds{ 1 });
  // The window goes along for the router's probe fence; a bucket without a
  // reply yet is a probe.
  self
    ->request(st.router, std::chrono::duration_cast<caf::timespan>(wait), rest_permit_atom::value,
              j.token, j.authenticated, j.ticket, !st.bucket.learned(), window_of(st.bucket))
    .then(
      [self](bool granted) {
        auto& st = self->state;
        st.awaiting_permit = false;
        if (!granted) {
          // The fence held it until a probe of its major parameter was
          // learned: look at the window again (it may have shrunk).
          pump(self);
          return;
        }
        auto now = clock::now();
        if (st.bucket.check(now).state == rest_bucket_state::gate_state::ready) {
          start_front(self, now);
        } else {
          // The request went away meanwhile (cancelled): the permit ends unused.
          rest_outcome o;
          o.ticket = st.permit_for;
          o.token = st.permit_token;
          o.authenticated = st.permit_authenticated;
          o.counted = true;
          o.window = window_of(st.bucket);
          self->send(st.router, std::move(o));
        }
        pump(self);
      },
      [self](caf::error& err) {
        // Refused (token invalid, too many invalid requests) or no permit in
        // the call's time: the front request fails, the next one asks again.
        auto& st = self->state;
        st.awaiting_permit = false;
        auto ticket = st.permit_for;
        auto it = st.jobs.find(ticket);
        if (it != st.jobs.end() && !it->second.in_flight) {
          st.bucket.cancel(ticket);
          {
            if (!it->second.cancelled) {
              auto code = err.category() == caf::atom("rest") ? static_cast<rest_errc>(err.code())
                                                              : rest_errc::deadline;
              report_failure(self, it->second.job, code, self->system().render(err));
            }
            st.jobs.erase(it);
          }
        }
        pump(self);
      });
}

void pump(bucket_ptr self) {
  auto& st = self->state;
  if (st.awaiting_permit || st.awaiting_learn)
    return;
  auto now = clock::now();
  for (;;) {
    auto g = st.bucket.check(now);
    switch (g.state) {
      case rest_bucket_state::gate_state::idle:
        if (st.retiring && st.jobs.empty())
          self->quit();
        return;
      case rest_bucket_state::gate_state::wait_response: return;
      case rest_bucket_state::gate_state::wait_until: arm_timer(self, g.until, now); return;
      case rest_bucket_state::gate_state::ready: break;
    }
    auto ticket = st.bucket.front()->ticket;
    auto& bj = st.jobs.at(ticket);
    if (bj.cancelled || now >= deadline_of(bj.job)) {
      st.bucket.cancel(ticket);
      if (!bj.cancelled)
        report_failure(self, bj.job, rest_errc::deadline,
                       "expired while queued in its rate-limit bucket");
      st.jobs.erase(ticket);
      continue;
    }
    if (!bj.job.exempt) {
      ask_permit(self, bj.job, now);
      return;
    }
    start_front(self, now);
  }
}

/// Nothing queued, in flight or awaited: a job sent now could start at once.
bool is_idle(bucket_ptr self) {
  auto& st = self->state;
  return st.bucket.idle() && st.bucket.learned() && !st.awaiting_permit && !st.awaiting_learn
         && !st.retiring;
}

void on_reply(bucket_ptr self, uint64_t ticket, rest_response& resp) {
  auto& st = self->state;
  auto it = st.jobs.find(ticket);
  if (it == st.jobs.end())
    return;
  auto& bj = it->second;
  auto now = clock::now();
  bj.in_flight = false;
  auto h = rate_limit_headers::from(resp.headers);
  std::optional<double> body_retry;
  if (resp.status == 429)
    body_retry = models::decode_rest_error(429, resp.body).retry_after;
  st.bucket.on_response(ticket, resp.status, h, body_retry, now);
  rest_outcome o;
  o.ticket = ticket;
  o.key = bj.job.key;
  o.token = bj.job.token;
  o.authenticated = bj.job.authenticated;
  o.status = resp.status;
  o.counted = !bj.job.exempt;
  o.scope = static_cast<uint8_t>(h.scope);
  o.global = h.global || h.scope == rate_limit_scope::global;
  o.retry_after = body_retry ? *body_retry : h.retry_after.value_or(1.0);
  if (!h.bucket.empty()) {
    auto& known = st.key_hash[bj.job.key];
    if (known != h.bucket) {
      // The router decides where this key belongs; nothing starts here
      // until it answered, so a merge cannot race a send.
      o.bucket_hash = h.bucket;
      st.awaiting_learn = true;
    }
  }
  auto d = bj.retry.on_response(resp.status, h, body_retry, now);
  if (d.what == rest_retry::action::retry && !bj.cancelled) {
    if (resp.status != 429)
      st.bucket.pause_until(d.at);
    st.bucket.enqueue({ ticket, bj.job.key, bj.job.exempt });
    o.response.status = resp.status;
    o.response.headers = std::move(resp.headers);
  } else {
    o.final = !bj.cancelled;
    o.response = std::move(resp);
    if (!o.final)
      o.response.body.clear();
    st.jobs.erase(it);
  }
  o.window = window_of(st.bucket);
  o.idle = is_idle(self);
  self->send(st.router, std::move(o));
  pump(self);
}

void on_transport_error(bucket_ptr self, uint64_t ticket, uint8_t code, std::string& what) {
  auto& st = self->state;
  auto it = st.jobs.find(ticket);
  if (it == st.jobs.end())
    return;
  auto& bj = it->second;
  auto now = clock::now();
  bj.in_flight = false;
  // Frees the slot but keeps the window: nothing was learned.
  st.bucket.cancel(ticket);
  auto kind = static_cast<net::errc>(code);
  bool reached = kind != net::errc::dns && kind != net::errc::connect && kind != net::errc::tls;
  auto d = bj.retry.on_transport_error(what, reached, now);
  rest_outcome o;
  o.ticket = ticket;
  o.key = bj.job.key;
  o.token = bj.job.token;
  o.authenticated = bj.job.authenticated;
  o.counted = !bj.job.exempt;
  o.window = window_of(st.bucket);
  if (d.what == rest_retry::action::retry && !bj.cancelled) {
    st.bucket.pause_until(d.at);
    st.bucket.enqueue({ ticket, bj.job.key, bj.job.exempt });
    o.still_probing = !st.bucket.learned();
  } else {
    if (!bj.cancelled) {
      o.final = true;
      o.error_code = static_cast<uint8_t>(
        d.why == rest_retry::failure::deadline ? rest_errc::deadline : rest_errc::transport);
      o.error_text = d.reason.empty() ? what : d.reason;
    }
    st.jobs.erase(it);
  }
  o.idle = is_idle(self);
  // Always reported: the router ends the attempt's global permit with it.
  self->send(st.router, std::move(o));
  pump(self);
}

caf::behavior rest_bucket(bucket_ptr self, caf::actor router,
                          std::shared_ptr<net::http_client> http, rest_bucket_options options) {
  auto& st = self->state;
  st.bucket = rest_bucket_state{ options.bucket };
  st.options = options;
  st.http = std::move(http);
  st.router = std::move(router);
  return {
    [self](rest_job& j) {
      auto& st = self->state;
      auto ticket = j.ticket;
      bool permit = j.permit;
      add_job(self, std::move(j));
      if (permit) {
        auto now = clock::now();
        auto* front = st.bucket.front();
        // The router's view was right if the job is next, nothing else is
        // pending, and the window still has room for it and for a probe.
        bool room = !st.bucket.limit() || st.bucket.remaining() >= 2;
        if (!st.awaiting_permit && !st.awaiting_learn && front && front->ticket == ticket && room
            && st.bucket.check(now).state == rest_bucket_state::gate_state::ready) {
          start_front(self, now);
        } else {
          // Not now after all: the permit goes back (counted, as if used).
          rest_outcome o;
          o.ticket = ticket;
          o.token = st.jobs.at(ticket).job.token;
          o.counted = true;
          o.window = window_of(st.bucket);
          self->send(st.router, std::move(o));
        }
      }
      pump(self);
    },
    [self](rest_absorb_atom, std::vector<rest_job>& moved, std::vector<rest_header>& observed) {
      auto& st = self->state;
      for (auto& j : moved)
        add_job(self, std::move(j));
      // The reply that revealed the shared bucket counts here too: of two
      // views of one window, the stricter is kept (no ticket is in flight
      // for it here, so only the window is updated).
      auto h = rate_limit_headers::from(observed);
      if (h.has_limit())
        st.bucket.on_response(0, 200, h, std::nullopt, clock::now());
      pump(self);
    },
    [self](rest_take_atom, std::string& key) -> std::vector<rest_job> {
      auto& st = self->state;
      std::vector<rest_job> out;
      for (auto& e : st.bucket.take_key(key)) {
        auto it = st.jobs.find(e.ticket);
        if (it == st.jobs.end())
          continue;
        out.push_back(std::move(it->second.job));
        st.jobs.erase(it);
      }
      return out;
    },
    [self](rest_learned_atom, std::string& key, std::string& hash) {
      auto& st = self->state;
      if (hash.empty())
        st.key_hash.erase(key);
      else
        st.key_hash[key] = std::move(hash);
      st.awaiting_learn = false;
      pump(self);
    },
    [self](rest_cancel_atom, uint64_t ticket) {
      auto& st = self->state;
      auto it = st.jobs.find(ticket);
      if (it == st.jobs.end())
        return;
      if (it->second.in_flight) {
        it->second.cancelled = true;
        return;
      }
      st.bucket.cancel(ticket);
      st.jobs.erase(it);
      pump(self);
    },
    [self](rest_retire_atom) {
      self->state.retiring = true;
      pump(self);
    },
    [self](caf::tick_atom) {
      self->state.timer_at.reset();
      pump(self);
    },
    [self](rest_http_atom, uint64_t ticket, rest_response& resp) {
      on_reply(self, ticket, resp);
    },
    [self](rest_http_atom, uint64_t ticket, uint8_t code, std::string& what) {
      on_transport_error(self, ticket, code, what);
    },
  };
}

} // namespace

caf::actor spawn_rest_bucket(caf::local_actor* router, std::shared_ptr<net::http_client> http,
                             rest_bucket_options options) {
  auto handle = caf::actor_cast<caf::actor>(router);
  auto bucket = router->spawn(rest_bucket, handle, std::move(http), std::move(options));
  router->link_to(bucket);
  return bucket;
}

} // namespace spectacles::actors
