#include "actors/rest_router.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>
#include <vector>

#include "caf/actor_system.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/node_id.hpp"
#include "caf/response_promise.hpp"
#include "caf/send.hpp"
#include "caf/stateful_actor.hpp"

#include "actors/rest_global_limit.hpp"
#include "actors/rest_ownership.hpp"
#include "actors/rest_probe_fence.hpp"
#include "actors/rest_rate_limit_headers.hpp"
#include "actors/rest_request_headers.hpp"
#include "actors/rest_route.hpp"
#include "actors/rest_type_ids.hpp"
#include "actors/role_finder.hpp"
#include "actors/type_ids.hpp"
#include "net/log.hpp"
#include "net/multipart.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "rest";

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

/// Longer than any HTTP request may take (http_client's request timeout).
constexpr std::chrono::seconds stale_permit{ 35 };

struct pending_call {
  caf::response_promise rp;
  time_point deadline;
  caf::actor bucket;
};

struct token_state {
  rest_global_limit global;
  rest_invalid_guard guard;
  /// An authenticated reply other than 401 came: the token works.
  bool verified = false;
  /// The one authenticated request allowed before that is on its way.
  bool probing = false;
  time_point probe_since{};
  /// Permits granted whose request has not reported back (grant times), and
  /// when recent ones reported back. Discord counts a request when it
  /// arrives, somewhere between our grant and its reply; a request therefore
  /// occupies the global window from its grant until its reply + window.
  /// Whatever the latency, no window Discord looks at holds more than the
  /// budget (the sliding window of grants alone does not promise that when
  /// requests wait in the connection pool).
  std::deque<time_point> outstanding;
  std::deque<time_point> recent;
  bool warned = false;
  struct waiter {
    caf::response_promise rp;
    bool authenticated = false;
  };
  std::deque<waiter> waiters;
};

struct key_entry {
  caf::actor bucket;
  std::string bucket_id;
  std::string major;
  /// A move to another bucket is under way: new jobs wait in `held`.
  bool moving = false;
  std::vector<rest_job> held;
};

struct bucket_entry {
  std::string id;
  std::string major;
  std::set<std::string> keys;
  /// Its last outcome said it had nothing to do, and no job went there since.
  bool idle = false;
  /// Its window after that outcome.
  rest_window window;
};

/// A permit request the probe fence holds back.
struct fenced_permit {
  caf::response_promise rp;
  std::string token;
  bool authenticated = false;
  caf::actor_addr bucket;
  uint64_t ticket = 0;
};

/// A call sent on to the router that owns its bucket.
struct forward_call {
  caf::response_promise rp;
  std::string owner; // its name in `owners`
};

struct rest_router_state {
  rest_router_options options;
  // Several REST nodes (see rest_router.hpp).
  std::string self_name;
  rest_ownership owners;                             // self included
  std::unordered_map<std::string, caf::actor> peers; // other routers, by name
  std::unordered_map<uint64_t, forward_call> forwards;
  uint64_t next_forward = 1;
  size_t share = 0;        // global permits per second this router grants
  size_t target_share = 0; // what the current member count gives

  std::string bot_auth; // "Bot <token>"
  std::string user_agent;
  uint64_t next_ticket = 1;
  std::unordered_map<std::string, token_state> tokens;
  std::unordered_map<std::string, key_entry> keys;
  std::unordered_map<std::string, caf::actor> bucket_ids;
  std::map<caf::actor_addr, bucket_entry> buckets;
  /// Bucket actors by major parameter (for handing a major over).
  std::unordered_map<std::string, std::set<caf::actor_addr>> majors;
  /// Majors a joining router now owns while calls for them still queue here:
  /// major -> the new owner, told once they are drained.
  std::unordered_map<std::string, std::string> draining_to;
  /// Majors this router owns that an older owner is still draining: major ->
  /// that router; calls for them go there until it says they are drained.
  std::unordered_map<std::string, std::string> held_by;
  rest_probe_fence fence{ stale_permit };
  std::unordered_map<uint64_t, fenced_permit> fenced; // by fence waiter number
  uint64_t next_waiter = 1;
  std::unordered_map<uint64_t, pending_call> pending;
  using deadline_entry = std::pair<time_point, uint64_t>;
  std::priority_queue<deadline_entry, std::vector<deadline_entry>, std::greater<>> deadlines;
  bool sweep_armed = false;
  std::optional<time_point> wake_at;
  rest_stats stats;
  static inline const char* name = "rest_router";

  // CAF destroys the state when the router ends for any reason (killed
  // included). Its callers on this node talk to it directly (rest_client),
  // so they learn of its end here rather than at their deadlines.
  ~rest_router_state() {
    auto down = [] {
      return make_error(rest_errc::router_down, "the REST router went down");
    };
    for (auto& [ticket, call] : pending)
      call.rp.deliver(down());
    for (auto& [id, call] : forwards)
      call.rp.deliver(down());
  }
};

using router_ptr = caf::stateful_actor<rest_router_state>*;

token_state& token_of(router_ptr self, const std::string& token) {
  auto& st = self->state;
  auto it = st.tokens.find(token);
  if (it != st.tokens.end())
    return it->second;
  token_state ts;
  ts.global = rest_global_limit{ rest_global_limit::options{ st.share } };
  ts.guard = rest_invalid_guard{ st.options.guard };
  return st.tokens.emplace(token, std::move(ts)).first->second;
}

caf::error guard_error(const rest_invalid_guard::verdict& v) {
  return make_error(v.kind == rest_invalid_guard::verdict_kind::token_invalid
                      ? rest_errc::token_invalid
                      : rest_errc::too_many_invalid,
                    v.message);
}

void arm_wake(router_ptr self, time_point at, time_point now) {
  auto& st = self->state;
  if (st.wake_at && *st.wake_at <= at)
    return;
  st.wake_at = at;
  self->delayed_send(self, at > now ? at - now : clock::duration{ 0 }, rest_wake_atom::value);
}

/// Takes one permit of the token's global budget if there is one now;
/// otherwise arms a wake-up for when there may be.
bool take_global(router_ptr self, token_state& ts, time_point now) {
  auto span = ts.global.settings().window + ts.global.settings().offset;
  while (!ts.recent.empty() && ts.recent.front() + span <= now)
    ts.recent.pop_front();
  // A permit whose request never reported (a lost reply) stops counting
  // after the longest time an HTTP request may take.
  while (!ts.outstanding.empty() && ts.outstanding.front() + stale_permit <= now)
    ts.outstanding.pop_front();
  if (ts.outstanding.size() + ts.recent.size() >= ts.global.settings().per_second) {
    arm_wake(self, ts.recent.empty() ? now + span : ts.recent.front() + span, now);
    return false;
  }
  if (!ts.global.try_acquire(now)) {
    arm_wake(self, ts.global.next_free(now), now);
    return false;
  }
  ts.outstanding.push_back(now);
  return true;
}

/// Grants the permits that may go now, oldest first.
void drain(router_ptr self, token_state& ts, time_point now) {
  while (!ts.waiters.empty()) {
    auto& w = ts.waiters.front();
    if (w.authenticated) {
      auto v = ts.guard.check(now);
      if (!v) {
        auto err = guard_error(v);
        for (auto& x : ts.waiters)
          x.rp.deliver(err);
        ts.waiters.clear();
        return;
      }
      if (!ts.verified && ts.probing && now - ts.probe_since < stale_permit)
        return; // the first reply decides whether the token works
    }
    if (!take_global(self, ts, now))
      return;
    if (w.authenticated && !ts.verified) {
      ts.probing = true;
      ts.probe_since = now;
    }
    w.rp.deliver(true);
    ts.waiters.pop_front();
  }
}

void arm_sweep(router_ptr self) {
  auto& st = self->state;
  if (st.sweep_armed || st.pending.empty())
    return;
  st.sweep_armed = true;
  self->delayed_send(self, st.options.sweep_interval, rest_sweep_atom::value);
}

caf::actor new_bucket(router_ptr self, const std::string& id, const std::string& major) {
  auto& st = self->state;
  auto b = spawn_rest_bucket(self, st.options.http, st.options.bucket);
  st.bucket_ids[id] = b;
  st.buckets[b.address()] = bucket_entry{ id, major, {}, false, {} };
  st.majors[major].insert(b.address());
  return b;
}

void unindex_bucket(router_ptr self, const caf::actor_addr& b, const std::string& major) {
  auto& st = self->state;
  auto m = st.majors.find(major);
  if (m == st.majors.end())
    return;
  m->second.erase(b);
  if (m->second.empty())
    st.majors.erase(m);
}

/// Calls of `major` still queued or in flight in this router's buckets.
bool busy_here(router_ptr self, const std::string& major) {
  auto& st = self->state;
  auto m = st.majors.find(major);
  if (m == st.majors.end())
    return false;
  for (auto& addr : m->second)
    if (auto b = st.buckets.find(addr); b != st.buckets.end() && !b->second.idle)
      return true;
  return false;
}

/// Tells the new owner of a drained major that its calls may start there.
void end_drain_if_idle(router_ptr self, const std::string& major) {
  auto& st = self->state;
  auto d = st.draining_to.find(major);
  if (d == st.draining_to.end() || busy_here(self, major))
    return;
  if (auto p = st.peers.find(d->second); p != st.peers.end())
    self->send(p->second, rest_drained_atom::value, major);
  st.draining_to.erase(d);
}

rest_probe_fence::time_point time_of(int64_t steady_ns) {
  return rest_probe_fence::time_point{ std::chrono::nanoseconds{ steady_ns } };
}

rest_probe_fence::window fence_window(const rest_window& w) {
  return { w.limited, w.limit, w.remaining, time_of(w.reset_at_ns) };
}

/// Hands the permits the fence let go on: probes to the global budget,
/// known buckets back to look at their window again.
void apply_releases(router_ptr self, const std::vector<rest_probe_fence::release>& releases,
                    time_point now) {
  auto& st = self->state;
  for (const auto& r : releases) {
    auto it = st.fenced.find(r.waiter);
    if (it == st.fenced.end())
      continue;
    auto f = std::move(it->second);
    st.fenced.erase(it);
    if (!r.probe) {
      f.rp.deliver(false);
      continue;
    }
    auto& ts = token_of(self, f.token);
    ts.waiters.push_back({ std::move(f.rp), f.authenticated });
    drain(self, ts, now);
  }
  if (auto at = st.fence.wake_at())
    arm_wake(self, *at, now);
}

/// Parked permits of a bucket that went away or gave one up.
void drop_fenced(router_ptr self, const caf::actor_addr& bucket, std::optional<uint64_t> ticket,
                 time_point now) {
  auto& st = self->state;
  for (auto it = st.fenced.begin(); it != st.fenced.end();) {
    if (it->second.bucket == bucket && (!ticket || it->second.ticket == *ticket)) {
      apply_releases(self, st.fence.drop_waiter(it->first, now), now);
      it = st.fenced.erase(it);
    } else {
      ++it;
    }
  }
}

void forget_bucket_if_empty(router_ptr self, const caf::actor& b) {
  auto& st = self->state;
  auto it = st.buckets.find(b.address());
  if (it == st.buckets.end() || !it->second.keys.empty())
    return;
  auto id = st.bucket_ids.find(it->second.id);
  if (id != st.bucket_ids.end() && id->second == b)
    st.bucket_ids.erase(id);
  auto major = it->second.major;
  unindex_bucket(self, b.address(), major);
  st.buckets.erase(it);
  end_drain_if_idle(self, major);
  auto now = clock::now();
  drop_fenced(self, b.address(), std::nullopt, now);
  apply_releases(self, st.fence.forget(b.id(), now), now);
  self->send(b, rest_retire_atom::value);
}

void finish_move(router_ptr self, const std::string& key, const caf::actor& from,
                 const caf::actor& to, const std::string& target,
                 const std::vector<rest_header>& observed, std::vector<rest_job> jobs) {
  auto& st = self->state;
  auto kit = st.keys.find(key);
  if (kit == st.keys.end())
    return;
  auto& ke = kit->second;
  for (auto& j : ke.held)
    jobs.push_back(std::move(j));
  ke.held.clear();
  std::sort(jobs.begin(), jobs.end(), [](const rest_job& a, const rest_job& b) {
    return a.ticket < b.ticket;
  });
  for (const auto& j : jobs)
    if (auto p = st.pending.find(j.ticket); p != st.pending.end())
      p->second.bucket = to;
  self->send(to, rest_absorb_atom::value, std::move(jobs), observed);
  if (auto t = st.buckets.find(to.address()); t != st.buckets.end())
    t->second.idle = false;
  ke.bucket = to;
  ke.bucket_id = target;
  ke.moving = false;
  st.buckets[to.address()].keys.insert(key);
  if (auto a = st.buckets.find(from.address()); a != st.buckets.end())
    a->second.keys.erase(key);
  // Unblocks the old bucket (it waited for this answer) and drops the key there.
  self->send(from, rest_learned_atom::value, key, std::string{});
  // The target now counts the reply that moved the key (the absorb above
  // reaches it before any permit answer sent from here on): only now may a
  // probe of this key count as over.
  auto now = clock::now();
  auto h = rate_limit_headers::from(observed);
  if (h.has_limit() && h.remaining) {
    rest_probe_fence::window w{ true, h.limit.value_or(*h.remaining), *h.remaining,
                                now
                                  + std::chrono::round<clock::duration>(
                                    std::chrono::duration<double>(h.reset_after.value_or(1.0))) };
    apply_releases(self, st.fence.observe(ke.major, to.id(), w, now, true), now);
  }
  apply_releases(self, st.fence.end_probe(from.id(), now), now);
  forget_bucket_if_empty(self, from);
}

/// A reply of `key` (sent by bucket `from`) named its bucket `hash`.
/// Returns whether the key's queue is now moving to another bucket.
bool learn(router_ptr self, const std::string& key, const std::string& hash,
           const std::vector<rest_header>& observed, const caf::actor& from) {
  auto& st = self->state;
  auto kit = st.keys.find(key);
  if (kit == st.keys.end() || kit->second.moving || kit->second.bucket != from) {
    // A late reply for a key that moved or is moving: nothing to decide.
    self->send(from, rest_learned_atom::value, key, hash);
    return false;
  }
  auto& ke = kit->second;
  auto target = hash + ":" + ke.major;
  if (ke.bucket_id == target) {
    self->send(from, rest_learned_atom::value, key, hash);
    return false;
  }
  caf::actor to;
  if (auto b = st.bucket_ids.find(target); b != st.bucket_ids.end()) {
    to = b->second;
  } else {
    auto& own = st.buckets[from.address()];
    if (own.keys.size() == 1) {
      // The key's own bucket: it simply gets its real name.
      if (auto old = st.bucket_ids.find(own.id); old != st.bucket_ids.end() && old->second == from)
        st.bucket_ids.erase(old);
      own.id = target;
      st.bucket_ids[target] = from;
      ke.bucket_id = target;
      self->send(from, rest_learned_atom::value, key, hash);
      return false;
    }
    to = new_bucket(self, target, ke.major);
  }
  if (to == from) {
    ke.bucket_id = target;
    self->send(from, rest_learned_atom::value, key, hash);
    return false;
  }
  // Shared bucket (or the key's hash changed): move its queued jobs.
  ke.moving = true;
  ++st.stats.merges;
  log::debug(component, "key ", key, " shares bucket ", target, "; moving its queue");
  self->request(from, st.options.bucket.router_timeout, rest_take_atom::value, key)
    .then(
      [self, key, from, to, target, observed](std::vector<rest_job>& jobs) {
        finish_move(self, key, from, to, target, observed, std::move(jobs));
      },
      [self, key, from, to, target, observed](caf::error& err) {
        log::warn(component, "bucket did not hand over key ", key, ": ",
                  self->system().render(err));
        finish_move(self, key, from, to, target, observed, {});
      });
  return true;
}

void on_outcome(router_ptr self, rest_outcome& o) {
  auto& st = self->state;
  auto now = clock::now();
  ++st.stats.attempts;
  auto& ts = token_of(self, o.token);
  auto scope = static_cast<rate_limit_scope>(o.scope);
  if (o.counted) {
    if (!ts.outstanding.empty())
      ts.outstanding.pop_front();
    ts.recent.push_back(now);
  }
  if (o.status != 0) {
    ts.guard.record(o.status, scope, now, o.authenticated);
    if (o.status == 429) {
      ++st.stats.rate_limited;
      if (scope != rate_limit_scope::shared)
        ++st.stats.unexpected_429;
      if (o.global)
        ts.global.on_global_429(now, o.retry_after);
    }
    if (o.authenticated) {
      ts.probing = false;
      if (o.status == 401) {
        if (!ts.warned) {
          log::error(component, "Discord answered 401 Unauthorized: the bot token is invalid; "
                                "every further call fails until it is replaced");
          // The other REST nodes stop too, rather than each spending a 401
          // of its own on the same dead token.
          for (auto& [name, peer] : st.peers)
            self->send(peer, rest_revoked_atom::value, o.token);
        }
        ts.warned = true;
      } else {
        ts.verified = true;
      }
      drain(self, ts, now);
    }
  } else if (o.authenticated && !ts.verified) {
    ts.probing = false;
    drain(self, ts, now);
  }
  auto from = caf::actor_cast<caf::actor>(self->current_sender());
  if (auto b = st.buckets.find(from.address()); b != st.buckets.end()) {
    b->second.idle = o.idle;
    if (o.idle)
      end_drain_if_idle(self, b->second.major);
    b->second.window = o.window;
    // A request that timed out at the bucket while the fence held it.
    if (o.final && o.status == 0)
      drop_fenced(self, from.address(), o.ticket, now);
    if (o.window.limited || o.status != 0)
      apply_releases(
        self, st.fence.observe(b->second.major, from.id(), fence_window(o.window), now), now);
  }
  bool moving
    = !o.bucket_hash.empty() && learn(self, o.key, o.bucket_hash, o.response.headers, from);
  // A probe is over once its reply is learned; a move ends it in finish_move.
  if (!moving && !o.still_probing)
    apply_releases(self, st.fence.end_probe(from.id(), now), now);
  if (!o.final) {
    ++st.stats.retries;
    return;
  }
  auto it = st.pending.find(o.ticket);
  if (it == st.pending.end())
    return;
  auto rp = std::move(it->second.rp);
  st.pending.erase(it);
  if (o.status != 0) {
    ++st.stats.completed;
    rp.deliver(std::move(o.response));
  } else {
    ++st.stats.failed;
    rp.deliver(make_error(static_cast<rest_errc>(o.error_code), std::move(o.error_text)));
  }
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string name_of(const caf::actor_addr& a) {
  return caf::to_string(a.node()) + "/" + std::to_string(a.id());
}

/// Sends `req` on to `owner` (named `name`) and answers `rp` with its reply.
void forward(router_ptr self, const caf::actor& owner, const std::string& name, rest_request req,
             caf::response_promise& rp) {
  auto& st = self->state;
  auto id = st.next_forward++;
  st.forwards.emplace(id, forward_call{ rp, name });
  ++st.stats.forwarded;
  auto timeout = req.timeout_ms != 0 ? std::chrono::milliseconds{ req.timeout_ms }
                                     : st.options.default_timeout;
  // The owner answers by the call's deadline; the margin covers the hop.
  self->request(owner, timeout + std::chrono::seconds(2), rest_fwd_atom::value, std::move(req))
    .then(
      [self, id](rest_response& r) {
        auto it = self->state.forwards.find(id);
        if (it == self->state.forwards.end())
          return;
        auto p = std::move(it->second.rp);
        self->state.forwards.erase(it);
        p.deliver(std::move(r));
      },
      [self, id](caf::error& err) {
        auto it = self->state.forwards.find(id);
        if (it == self->state.forwards.end())
          return;
        auto p = std::move(it->second.rp);
        self->state.forwards.erase(it);
        if (err == caf::sec::request_timeout)
          err = make_error(rest_errc::deadline, "the REST node owning the bucket did not answer "
                                                "within the call's timeout");
        p.deliver(std::move(err));
      });
}

void apply_share(router_ptr self, size_t share) {
  auto& st = self->state;
  st.share = share;
  auto now = clock::now();
  for (auto& [token, ts] : st.tokens) {
    ts.global.set_per_second(share);
    if (!ts.waiters.empty())
      drain(self, ts, now);
  }
}

/// The member count changed: recompute this router's part of the budget.
void update_share(router_ptr self) {
  auto& st = self->state;
  auto n = std::max<size_t>(st.owners.nodes().size(), 1);
  st.target_share = std::max<size_t>(st.options.global_per_second / n, 1);
  if (st.target_share < st.share) {
    apply_share(self, st.target_share);
  } else if (st.target_share > st.share) {
    // What a dead router sent in the last window still counts at Discord.
    rest_global_limit::options defaults;
    self->delayed_send(self, defaults.window + defaults.offset, rest_budget_atom::value);
  }
}

void add_peer(router_ptr self, const caf::actor& peer) {
  auto& st = self->state;
  if (!peer || peer.address() == self->address())
    return;
  auto name = name_of(peer.address());
  if (st.peers.count(name) != 0)
    return;
  st.peers.emplace(name, peer);
  st.owners.add_node(name);
  self->monitor(peer);
  for (auto& [token, ts] : st.tokens)
    if (ts.guard.token_invalid())
      self->send(peer, rest_revoked_atom::value, token);
  std::vector<std::string> draining;
  for (auto& [major, addrs] : st.majors)
    if (st.owners.owner(major) == name && busy_here(self, major)) {
      st.draining_to[major] = name;
      draining.push_back(major);
    }
  if (!draining.empty()) {
    log::info(component, "REST router ", name, " takes over ", draining.size(),
              " busy majors once their queued calls are done here");
    self->send(peer, rest_draining_atom::value, std::move(draining));
  }
  update_share(self);
  log::info(component, "REST router ", name, " joined: ", st.owners.nodes().size(),
            " REST nodes, global share ", st.target_share, "/s");
}

void drop_peer(router_ptr self, const caf::actor_addr& peer) {
  auto& st = self->state;
  auto name = name_of(peer);
  auto p = st.peers.find(name);
  if (p == st.peers.end())
    return;
  st.peers.erase(p);
  st.owners.remove_node(name);
  std::erase_if(st.draining_to, [&](const auto& d) {
    return d.second == name;
  });
  std::erase_if(st.held_by, [&](const auto& h) {
    return h.second == name;
  });
  size_t failed = 0;
  for (auto it = st.forwards.begin(); it != st.forwards.end();) {
    if (it->second.owner == name) {
      it->second.rp.deliver(
        make_error(rest_errc::router_down, "the REST node owning this call's bucket went down"));
      ++st.stats.failed;
      ++failed;
      it = st.forwards.erase(it);
    } else {
      ++it;
    }
  }
  update_share(self);
  log::warn(component, "REST router ", name, " is gone (", failed,
            " forwarded calls failed): ", st.owners.nodes().size(), " REST nodes, global share ",
            st.target_share, "/s from the next window");
}

/// The job goes to an idle bucket whose window has room for it and for a
/// probe: grant its global permit now, so the bucket starts it without
/// asking (saves the permit round trip on the common path). Everything the
/// permit path checks still holds: nobody waits for the token's budget
/// before it, the token is verified, the guard allows it, and the probe
/// fence would let it go.
bool try_fast_permit(router_ptr self, token_state& ts, const bucket_entry& b, uint64_t bucket,
                     bool authenticated, time_point now) {
  auto& st = self->state;
  if (!ts.waiters.empty() || (authenticated && (!ts.verified || !ts.guard.check(now))))
    return false;
  auto w = fence_window(b.window);
  if (w.limited && now >= w.reset_at)
    w.remaining = w.limit; // the window has reset since
  if (w.limited && w.remaining < 2)
    return false;
  if (!take_global(self, ts, now))
    return false;
  // A known bucket with 2 or more left always passes the fence; this keeps
  // the fence's view of the bucket as if it had asked.
  st.fence.ask(b.major, bucket, false, w, 0, now);
  ++st.stats.fast_permits;
  return true;
}

caf::response_promise on_request(router_ptr self, rest_request& req, bool forwarded) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  ++st.stats.requests;
  auto fail = [&](rest_errc code, std::string text) {
    ++st.stats.failed;
    rp.deliver(make_error(code, std::move(text)));
    return rp;
  };
  auto method = parse_rest_method(req.method);
  if (!method)
    return fail(rest_errc::invalid_request, "unsupported HTTP method " + req.method);
  if (req.path.empty() || req.path[0] != '/')
    return fail(rest_errc::invalid_request,
                "the path must start with '/' (relative to /api/v10): " + req.path);
  auto now = clock::now();
  rest_route_options ropts;
  ropts.application_id = st.options.application_id;
  auto route = make_rest_route(*method, req.path, std::chrono::system_clock::now(), ropts);
  if (!forwarded && !st.peers.empty()) {
    // Every key of one major parameter has one owner: keys that may share a
    // Discord bucket meet in one bucket actor there.
    // A major whose ownership moved when a router joined stays with the old
    // owner until the calls queued there are done: the old and the new owner
    // never send into one Discord bucket at once, and no call overtakes one
    // queued before it.
    auto owner = st.owners.owner(route.major);
    if (auto h = st.held_by.find(route.major); h != st.held_by.end())
      owner = h->second;
    else if (owner && *owner != st.self_name && st.draining_to.count(route.major) != 0)
      owner = st.self_name;
    if (owner && *owner != st.self_name) {
      if (auto p = st.peers.find(*owner); p != st.peers.end()) {
        forward(self, p->second, *owner, std::move(req), rp);
        return rp;
      }
    }
  }
  std::string auth{ find_rest_header(req.headers, "Authorization") };
  if (auth.empty() && req.bot_token)
    auth = st.bot_auth;
  // Webhook and interaction routes carry their own token in the path: a 401
  // there says nothing about the bot token.
  bool own_token_route
    = starts_with(req.path, "/webhooks/") || starts_with(req.path, "/interactions/");
  bool authenticated = !auth.empty() && !own_token_route;
  auto token = auth.empty() ? std::string{} : token_digest(auth);
  auto& ts = token_of(self, token);
  if (authenticated)
    if (auto v = ts.guard.check(now); !v)
      return fail(v.kind == rest_invalid_guard::verdict_kind::token_invalid
                    ? rest_errc::token_invalid
                    : rest_errc::too_many_invalid,
                  v.message);
  rest_job j;
  j.ticket = st.next_ticket++;
  j.key = route.key;
  j.token = token;
  j.exempt = route.global_exempt;
  j.authenticated = authenticated;
  j.method = std::string{ to_string(*method) };
  j.url = st.options.base_url + req.path;
  bool has_ua = false;
  bool has_ct = false;
  j.headers.reserve(req.headers.size() + 4);
  for (auto& h : req.headers) {
    if (iequals(h.name, "Authorization") || iequals(h.name, "Host")
        || iequals(h.name, "Content-Length"))
      continue;
    if (iequals(h.name, "User-Agent")) {
      // Discord wants "DiscordBot (url, version)" (PROTOCOL.md §2.3); a
      // proxied client's other agent (curl/8.0) is replaced by ours.
      if (!starts_with(h.value, "DiscordBot"))
        continue;
      has_ua = true;
    }
    has_ct = has_ct || iequals(h.name, "Content-Type");
    j.headers.push_back(std::move(h));
  }
  if (!auth.empty())
    j.headers.push_back({ "Authorization", auth });
  if (!has_ua)
    j.headers.push_back({ "User-Agent", st.user_agent });
  if (!req.audit_log_reason.empty()) {
    auto enc = encode_audit_log_reason(req.audit_log_reason);
    if (auto* err = std::get_if<audit_reason_error>(&enc))
      return fail(rest_errc::invalid_request, "X-Audit-Log-Reason: " + err->message);
    j.headers.push_back({ "X-Audit-Log-Reason", std::get<std::string>(enc) });
  }
  std::string content_type = req.content_type;
  if (!req.files.empty()) {
    net::multipart_form form;
    if (!req.body.empty())
      form.add_payload_json(req.body);
    for (size_t i = 0; i < req.files.size(); ++i) {
      auto& f = req.files[i];
      form.add_file(f.name.empty() ? "files[" + std::to_string(i) + "]" : f.name, f.filename,
                    f.content_type.empty() ? "application/octet-stream" : f.content_type,
                    std::move(f.data));
    }
    j.body = form.body();
    content_type = form.content_type();
  } else {
    j.body = std::move(req.body);
    if (content_type.empty() && !j.body.empty())
      content_type = "application/json";
  }
  if (!content_type.empty() && !has_ct)
    j.headers.push_back({ "Content-Type", content_type });
  auto timeout = req.timeout_ms != 0 ? std::chrono::milliseconds{ req.timeout_ms }
                                     : st.options.default_timeout;
  auto deadline = now + timeout;
  j.deadline_ns
    = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
  // Find or make the key's bucket.
  auto kit = st.keys.find(j.key);
  if (kit == st.keys.end()) {
    auto id = "~" + j.key;
    auto b = new_bucket(self, id, route.major);
    st.buckets[b.address()].keys.insert(j.key);
    kit = st.keys.emplace(j.key, key_entry{ b, id, route.major, false, {} }).first;
  }
  auto& ke = kit->second;
  st.pending.emplace(j.ticket, pending_call{ rp, deadline, ke.bucket });
  st.deadlines.emplace(deadline, j.ticket);
  if (ke.moving) {
    ke.held.push_back(std::move(j));
  } else {
    if (auto b = st.buckets.find(ke.bucket.address()); b != st.buckets.end()) {
      if (!j.exempt && b->second.idle)
        j.permit = try_fast_permit(self, ts, b->second, ke.bucket.id(), authenticated, now);
      b->second.idle = false;
    }
    self->send(ke.bucket, std::move(j));
  }
  arm_sweep(self);
  return rp;
}

void sweep(router_ptr self) {
  auto& st = self->state;
  st.sweep_armed = false;
  auto now = clock::now();
  while (!st.deadlines.empty() && st.deadlines.top().first <= now) {
    auto [deadline, ticket] = st.deadlines.top();
    st.deadlines.pop();
    auto it = st.pending.find(ticket);
    if (it == st.pending.end() || it->second.deadline != deadline)
      continue;
    auto rp = std::move(it->second.rp);
    self->send(it->second.bucket, rest_cancel_atom::value, ticket);
    st.pending.erase(it);
    ++st.stats.failed;
    rp.deliver(make_error(rest_errc::deadline, "no reply within the call's timeout"));
  }
  if (st.pending.empty()) {
    // Completed calls leave their entries behind; drop them all at once.
    decltype(st.deadlines){}.swap(st.deadlines);
  }
  arm_sweep(self);
}

void on_bucket_exit(router_ptr self, const caf::actor_addr& source, const caf::error& reason) {
  auto& st = self->state;
  auto it = st.buckets.find(source);
  if (it == st.buckets.end())
    return;
  if (reason) {
    log::error(component, "bucket ", it->second.id, " failed (", self->system().render(reason),
               "); its calls fail");
    for (auto p = st.pending.begin(); p != st.pending.end();) {
      if (p->second.bucket.address() == source) {
        ++st.stats.failed;
        p->second.rp.deliver(make_error(rest_errc::internal, "its bucket actor failed"));
        p = st.pending.erase(p);
      } else {
        ++p;
      }
    }
  }
  for (auto& key : it->second.keys)
    st.keys.erase(key);
  if (auto id = st.bucket_ids.find(it->second.id);
      id != st.bucket_ids.end() && id->second.address() == source)
    st.bucket_ids.erase(id);
  auto major = it->second.major;
  unindex_bucket(self, source, major);
  st.buckets.erase(it);
  end_drain_if_idle(self, major);
  auto now = clock::now();
  drop_fenced(self, source, std::nullopt, now);
  apply_releases(self, st.fence.forget(source.id(), now), now);
}

caf::behavior rest_router(router_ptr self, rest_router_options options, caf::actor membership) {
  auto& st = self->state;
  st.options = std::move(options);
  st.self_name = name_of(self->address());
  st.owners.add_node(st.self_name);
  st.share = st.target_share = std::max<size_t>(st.options.global_per_second, 1);
  self->set_down_handler([self](caf::down_msg& dm) {
    drop_peer(self, dm.source);
  });
  if (membership) {
    auto finder = self->spawn(role_finder, membership, std::string{ "rest" },
                              std::vector<caf::actor>{ caf::actor_cast<caf::actor>(self) });
    self->attach_functor([finder] {
      caf::anon_send_exit(finder, caf::exit_reason::user_shutdown);
    });
  }
  if (!st.options.token.empty())
    st.bot_auth = "Bot " + st.options.token;
  st.user_agent = user_agent();
  while (!st.options.base_url.empty() && st.options.base_url.back() == '/')
    st.options.base_url.pop_back();
  self->set_exit_handler([self](caf::exit_msg& em) {
    if (self->state.buckets.count(em.source) != 0) {
      on_bucket_exit(self, em.source, em.reason);
      return;
    }
    if (em.reason)
      self->quit(em.reason);
  });
  return {
    [self](rest_request& req) {
      return on_request(self, req, false);
    },
    [self](rest_fwd_atom, rest_request& req) {
      return on_request(self, req, true);
    },
    [self](put_atom, caf::actor& peer) {
      add_peer(self, peer);
    },
    [self](caf::delete_atom, const caf::actor& peer) {
      drop_peer(self, peer.address());
    },
    [self](rest_draining_atom, std::vector<std::string>& majors) {
      auto& st = self->state;
      auto from = name_of(caf::actor_cast<caf::actor_addr>(self->current_sender()));
      if (st.peers.count(from) == 0)
        return;
      for (auto& m : majors)
        st.held_by[m] = from;
    },
    [self](rest_drained_atom, const std::string& major) {
      self->state.held_by.erase(major);
    },
    [self](rest_revoked_atom, const std::string& token) {
      auto& ts = token_of(self, token);
      if (ts.guard.token_invalid())
        return;
      ts.guard.mark_token_invalid();
      ts.warned = true;
      log::error(component, "a peer REST router got 401 Unauthorized for the bot token; "
                            "every further call fails until it is replaced");
      drain(self, ts, clock::now());
    },
    [self](rest_budget_atom) {
      if (self->state.target_share > self->state.share)
        apply_share(self, self->state.target_share);
    },
    [self](rest_outcome& o) {
      on_outcome(self, o);
    },
    [self](rest_permit_atom, std::string& token, bool authenticated, uint64_t ticket, bool probe,
           const rest_window& window) {
      auto& st = self->state;
      // (Before make_response_promise(), which takes the sender away.)
      auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
      auto rp = self->make_response_promise();
      auto now = clock::now();
      if (auto b = st.buckets.find(sender); b != st.buckets.end()) {
        auto waiter = st.next_waiter++;
        if (!st.fence.ask(b->second.major, sender.id(), probe, fence_window(window), waiter, now)) {
          ++st.stats.fenced;
          st.fenced.emplace(waiter, fenced_permit{ rp, token, authenticated, sender, ticket });
          if (auto at = st.fence.wake_at())
            arm_wake(self, *at, now);
          return rp;
        }
      }
      auto& ts = token_of(self, token);
      ts.waiters.push_back({ rp, authenticated });
      drain(self, ts, now);
      return rp;
    },
    [self](rest_wake_atom) {
      auto now = clock::now();
      self->state.wake_at.reset();
      apply_releases(self, self->state.fence.poll(now), now);
      for (auto& [token, ts] : self->state.tokens)
        if (!ts.waiters.empty())
          drain(self, ts, now);
    },
    [self](rest_sweep_atom) {
      sweep(self);
    },
    [self](caf::get_atom, rest_stats_atom) {
      auto s = self->state.stats;
      s.buckets = self->state.buckets.size();
      s.rest_nodes = self->state.owners.nodes().size();
      s.global_share = self->state.share;
      return s;
    },
  };
}

} // namespace

caf::actor spawn_rest_router(caf::actor_system& sys, rest_router_options options) {
  return sys.spawn(rest_router, std::move(options), caf::actor{});
}

caf::actor spawn_rest_router(caf::actor_system& sys, rest_router_options options,
                             const caf::actor& membership) {
  return sys.spawn(rest_router, std::move(options), membership);
}

} // namespace spectacles::actors
