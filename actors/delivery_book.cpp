#include "actors/delivery_book.hpp"

#include <algorithm>

#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "router";

} // namespace

delivery_book::delivery_book(delivery_limits limits) : limits_(limits) {
  if (limits_.max_attempts == 0)
    limits_.max_attempts = 1;
}

size_t delivery_book::bytes_of(const event& ev) {
  // The envelope fields count too, so a flood of empty events is bounded.
  return ev.data.size() + ev.name.size() + 32;
}

bool delivery_book::subscribed(const group_state& g, const std::string& name) {
  return g.all || g.events.count(name) > 0;
}

bool delivery_book::lane_blocked(uint64_t guild, const lane& l) {
  // Events without a guild have no order to keep; a guild has one in flight.
  return guild != 0 && l.in_flight > 0;
}

void delivery_book::unlink(group_state& g, uint64_t guild, lane& l) {
  if (!l.linked)
    return;
  auto key = std::make_pair(l.linked_arrival, guild);
  g.heads.erase(key);
  g.ready.erase(key);
  l.linked = false;
}

void delivery_book::link(group_state& g, uint64_t guild, lane& l) {
  if (l.pending.empty()) {
    if (l.in_flight == 0)
      g.lanes.erase(guild); // invalidates l
    return;
  }
  auto key = std::make_pair(l.pending.front().arrival, guild);
  g.heads.insert(key);
  if (!lane_blocked(guild, l))
    g.ready.insert(key);
  l.linked_arrival = key.first;
  l.linked = true;
}

void delivery_book::declare_group(const std::string& group,
                                  const std::vector<std::string>& events) {
  auto& g = groups_[group];
  g.name = group;
  if (events.empty() || std::find(events.begin(), events.end(), "*") != events.end())
    g.all = true;
  else
    g.events.insert(events.begin(), events.end());
}

worker_id delivery_book::add_worker(const std::string& group,
                                    const std::vector<std::string>& events, uint32_t window,
                                    std::string label, time_point) {
  declare_group(group, events);
  auto& g = groups_[group];
  auto id = next_worker_++;
  auto& w = workers_[id];
  w.id = id;
  w.group = group;
  w.label = std::move(label);
  w.window = std::max<uint32_t>(window, 1);
  g.workers.push_back(id);
  pump(g);
  return id;
}

bool delivery_book::remove_worker(worker_id id, time_point now) {
  auto wi = workers_.find(id);
  if (wi == workers_.end())
    return false;
  auto& g = groups_[wi->second.group];
  g.workers.erase(std::remove(g.workers.begin(), g.workers.end(), id), g.workers.end());
  std::vector<flight> taken;
  for (auto delivery_id : wi->second.in_flight) {
    auto fi = flights_.find(delivery_id);
    if (fi == flights_.end())
      continue;
    taken.push_back(std::move(fi->second));
    flights_.erase(fi);
  }
  workers_.erase(wi);
  // Newest first, each to the front of its lane: the lanes end up oldest first.
  std::sort(taken.begin(), taken.end(), [](const flight& a, const flight& b) {
    return a.e.arrival > b.e.arrival;
  });
  for (auto& f : taken) {
    auto& l = g.lanes[f.guild];
    unlink(g, f.guild, l);
    --l.in_flight;
    if (f.e.attempts >= limits_.max_attempts) {
      link(g, f.guild, l);
      dead_letter_entry(g, f.e);
      continue;
    }
    l.pending.push_front(std::move(f.e));
    ++g.queued;
    g.queued_bytes += bytes_of(*l.pending.front().ev);
    link(g, f.guild, l);
  }
  if (!taken.empty())
    log::info(component, "worker ", id, " of group ", g.name, " gone with ", taken.size(),
              " unacked deliveries; redelivering");
  pump(g);
  shed(g, now);
  return true;
}

bool delivery_book::drain_worker(worker_id id) {
  auto wi = workers_.find(id);
  if (wi == workers_.end())
    return false;
  wi->second.draining = true;
  return true;
}

delivery_book::push_result delivery_book::push(event ev, time_point now) {
  auto& s = shards_[ev.shard];
  if (s.epoch == 0)
    s.epoch = next_epoch_++;
  // Discord numbers dispatches from 1; seq 0 (a producer without seqs) is
  // delivered but cannot be deduplicated or committed.
  auto tracked = ev.seq != 0;
  if (tracked) {
    if (ev.seq <= s.floor || s.outstanding.count(ev.seq) > 0 || s.done.count(ev.seq) > 0) {
      ++totals_.duplicates;
      return push_result::duplicate;
    }
    s.last_seq = std::max(s.last_seq, ev.seq);
  }
  ++totals_.events_in;
  auto& tc = types_[ev.name];
  if (tc.name.empty())
    tc.name = ev.name;
  ++tc.in;
  std::vector<group_state*> targets;
  for (auto& [name, g] : groups_)
    if (subscribed(g, ev.name))
      targets.push_back(&g);
  if (targets.empty()) {
    ++totals_.unrouted;
    if (tracked) {
      s.done.insert(ev.seq);
      s.floor = std::max(s.floor, commit_point(ev.shard));
      s.done.erase(s.done.begin(), s.done.upper_bound(s.floor));
    }
    return push_result::unrouted;
  }
  if (tracked)
    s.outstanding.emplace(ev.seq, static_cast<uint32_t>(targets.size()));
  auto epoch = s.epoch;
  auto shared = std::make_shared<const event>(std::move(ev));
  for (auto* g : targets) {
    enqueue(*g, entry{ shared, g->next_arrival++, 0, epoch, now });
    pump(*g);
    shed(*g, now);
  }
  return push_result::accepted;
}

void delivery_book::enqueue(group_state& g, entry e) {
  auto guild = e.ev->guild_id;
  auto& l = g.lanes[guild];
  unlink(g, guild, l);
  ++g.queued;
  g.queued_bytes += bytes_of(*e.ev);
  l.pending.push_back(std::move(e));
  link(g, guild, l);
}

delivery_book::worker_state* delivery_book::pick_worker(group_state& g) {
  worker_state* best = nullptr;
  auto n = g.workers.size();
  for (size_t i = 0; i < n; ++i) {
    auto& w = workers_[g.workers[(g.rr + i) % n]];
    if (w.draining || w.in_flight.size() >= w.window)
      continue;
    if (best == nullptr || w.in_flight.size() < best->in_flight.size())
      best = &w;
  }
  if (best != nullptr)
    g.rr = (g.rr + 1) % n;
  return best;
}

void delivery_book::pump(group_state& g) {
  while (!g.ready.empty()) {
    auto* w = pick_worker(g);
    if (w == nullptr)
      return;
    auto guild = g.ready.begin()->second;
    auto& l = g.lanes[guild];
    unlink(g, guild, l);
    auto e = std::move(l.pending.front());
    l.pending.pop_front();
    --g.queued;
    g.queued_bytes -= bytes_of(*e.ev);
    ++l.in_flight;
    link(g, guild, l);
    ++e.attempts;
    auto id = next_delivery_++;
    w->in_flight.insert(id);
    ++w->delivered;
    ++g.counters.delivered;
    ++totals_.deliveries;
    if (e.attempts > 1) {
      ++w->redelivered;
      ++g.counters.redelivered;
      ++totals_.redeliveries;
    }
    auto& tc = types_[e.ev->name];
    ++tc.out;
    outbox_.push_back(outgoing{ w->id, id, e.attempts, e.ev });
    flights_.emplace(id, flight{ w->id, g.name, guild, std::move(e) });
  }
}

void delivery_book::shed(group_state& g, time_point now) {
  while ((g.queued > limits_.max_queued || g.queued_bytes > limits_.max_queued_bytes)
         && !g.heads.empty()) {
    auto guild = g.heads.begin()->second;
    auto& l = g.lanes[guild];
    unlink(g, guild, l);
    auto e = std::move(l.pending.front());
    l.pending.pop_front();
    --g.queued;
    g.queued_bytes -= bytes_of(*e.ev);
    link(g, guild, l);
    ++g.counters.shed;
    ++totals_.shed;
    ++g.shed_unlogged;
    handled(*e.ev, e.epoch);
  }
  if (g.shed_unlogged == 0)
    return;
  if (g.last_shed_log == time_point{} || now - g.last_shed_log >= limits_.shed_log_interval) {
    log::warn(component, "group ", g.name, " shed ", g.shed_unlogged,
              " oldest buffered events (buffer bound ", limits_.max_queued, " events / ",
              limits_.max_queued_bytes, " bytes; ", g.workers.size(), " workers); ",
              g.counters.shed, " shed in total");
    g.shed_unlogged = 0;
    g.last_shed_log = now;
  }
}

delivery_book::ack_result delivery_book::ack(worker_id w, uint64_t delivery_id, time_point) {
  auto fi = flights_.find(delivery_id);
  if (fi == flights_.end() || fi->second.worker != w) {
    ++totals_.stale_acks;
    return ack_result::unknown;
  }
  auto f = std::move(fi->second);
  flights_.erase(fi);
  auto& ws = workers_[w];
  ws.in_flight.erase(delivery_id);
  ++ws.acked;
  auto& g = groups_[f.group];
  ++g.counters.acked;
  ++totals_.acks;
  auto& l = g.lanes[f.guild];
  unlink(g, f.guild, l);
  --l.in_flight;
  link(g, f.guild, l);
  handled(*f.e.ev, f.e.epoch);
  pump(g);
  return ack_result::ok;
}

void delivery_book::dead_letter_entry(group_state& g, const entry& e) {
  ++g.counters.dead_lettered;
  ++totals_.dead_lettered;
  dead_letters_.push_back(dead_letter{ g.name, e.ev->shard, e.ev->seq, e.ev->name, e.attempts });
  while (dead_letters_.size() > limits_.dead_letters_kept)
    dead_letters_.pop_front();
  log::warn(component, "group ", g.name, ": event ", e.ev->name, " (shard ", e.ev->shard, ", seq ",
            e.ev->seq, ") dead-lettered after ", e.attempts,
            " deliveries whose workers died without acking");
  handled(*e.ev, e.epoch);
}

void delivery_book::handled(const event& ev, uint32_t epoch) {
  if (ev.seq == 0)
    return;
  auto si = shards_.find(ev.shard);
  if (si == shards_.end() || si->second.epoch != epoch)
    return; // from a session the shard has since replaced
  auto& s = si->second;
  auto oi = s.outstanding.find(ev.seq);
  if (oi == s.outstanding.end() || --oi->second > 0)
    return;
  s.outstanding.erase(oi);
  s.done.insert(ev.seq);
  s.floor = std::max(s.floor, commit_point(ev.shard));
  s.done.erase(s.done.begin(), s.done.upper_bound(s.floor));
}

void delivery_book::reset_shard(uint32_t shard) {
  auto& s = shards_[shard];
  s = shard_track{};
  s.epoch = next_epoch_++;
}

uint64_t delivery_book::commit_point(uint32_t shard) const {
  auto si = shards_.find(shard);
  if (si == shards_.end())
    return 0;
  auto& s = si->second;
  if (s.outstanding.empty())
    return s.last_seq;
  return std::max(s.floor, s.outstanding.begin()->first - 1);
}

std::vector<outgoing> delivery_book::take_outbox() {
  std::vector<outgoing> out;
  out.swap(outbox_);
  return out;
}

router_stats delivery_book::stats(time_point now) const {
  router_stats st;
  st.totals = totals_;
  for (auto& [name, tc] : types_)
    st.types.push_back(tc);
  for (auto& [name, g] : groups_) {
    group_stats gs;
    gs.name = name;
    if (!g.all)
      gs.events.assign(g.events.begin(), g.events.end());
    gs.workers = static_cast<uint32_t>(g.workers.size());
    gs.queued = g.queued;
    gs.queued_bytes = g.queued_bytes;
    for (auto w : g.workers)
      gs.in_flight += workers_.at(w).in_flight.size();
    if (!g.heads.empty()) {
      auto& oldest = g.lanes.at(g.heads.begin()->second).pending.front();
      gs.lag_ms
        = std::chrono::duration_cast<std::chrono::milliseconds>(now - oldest.queued_at).count();
    }
    gs.counters = g.counters;
    st.groups.push_back(std::move(gs));
  }
  for (auto& [id, w] : workers_)
    st.workers.push_back(worker_stats{ id, w.group, w.label, w.window, w.in_flight.size(),
                                       w.delivered, w.acked, w.redelivered });
  for (auto& [shard, s] : shards_)
    st.shards.push_back(
      shard_stats{ shard, s.last_seq, commit_point(shard), s.outstanding.size(), false });
  st.dead_letters.assign(dead_letters_.begin(), dead_letters_.end());
  return st;
}

} // namespace spectacles::actors
