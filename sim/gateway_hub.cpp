#include "sim/gateway_hub.hpp"

#include <cmath>
#include <cstdio>

namespace spectacles::sim {

gateway_hub::gateway_hub(world& state, fault_plan& faults, verdict& tally,
                         session_start_limit& start_limit, gateway_options options)
    : state_(state),
      faults_(faults),
      tally_(tally),
      start_limit_(start_limit),
      options_(std::move(options)) {}

uint32_t gateway_hub::identify_key(uint32_t shard_id) const {
  return shard_id % std::max<uint32_t>(1, start_limit_.max_concurrency);
}

bool gateway_hub::try_identify(uint32_t shard_id, time_point now) {
  auto key = identify_key(shard_id);
  auto i = identify_at_.find(key);
  if (i != identify_at_.end() && now - i->second.at < options_.identify_window)
    return false;
  identify_at_[key] = last_identify{ now, shard_id };
  return true;
}

std::string gateway_hub::identify_refusal(uint32_t shard_id, time_point now) const {
  auto i = identify_at_.find(identify_key(shard_id));
  if (i == identify_at_.end())
    return {};
  auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(now - i->second.at);
  return std::to_string(gap.count()) + " ms after shard " + std::to_string(i->second.shard_id)
         + "'s";
}

session_state& gateway_hub::create_session(uint32_t shard_id, uint32_t num_shards, uint64_t intents,
                                           time_point now) {
  char id[40];
  // Discord's session ids are 32 hex digits.
  std::snprintf(id, sizeof(id), "%016llx%016llx",
                static_cast<unsigned long long>(0x5ec7ac1e5ull * 1000003 + shard_id),
                static_cast<unsigned long long>(++last_session_));
  auto s = std::make_unique<session_state>(state_.guilds_of_shard(shard_id, num_shards), intents);
  s->id = id;
  s->shard_id = shard_id;
  s->num_shards = num_shards;
  s->intents = intents;
  s->stream_start = now;
  auto& ref = *s;
  sessions_[ref.id] = std::move(s);
  return ref;
}

session_state* gateway_hub::find_session(const std::string& id) {
  auto i = sessions_.find(id);
  return i == sessions_.end() ? nullptr : i->second.get();
}

void gateway_hub::drop_session(const std::string& id) {
  sessions_.erase(id);
}

void gateway_hub::prune(time_point now) {
  for (auto i = sessions_.begin(); i != sessions_.end();) {
    auto& s = *i->second;
    if (s.connection == 0 && now - s.detached_at > options_.session_timeout)
      i = sessions_.erase(i);
    else
      ++i;
  }
}

std::shared_ptr<const std::string>
gateway_hub::record_dispatch(session_state& s, std::string_view name, std::string_view data) {
  auto frame = std::make_shared<const std::string>(dispatch_frame(name, ++s.seq, data));
  s.replay.emplace_back(s.seq, frame);
  while (s.replay.size() > options_.replay_buffer)
    s.replay.pop_front();
  auto& t = tally_.shards[s.shard_id];
  ++t.events;
  if (name == "MESSAGE_CREATE" && data.find(R"("content":"!ping")") != std::string_view::npos)
    ++t.pings;
  t.last_seq = std::max(t.last_seq, s.seq);
  return frame;
}

time_point gateway_hub::next_event_at(const session_state& s) const {
  if (options_.events_per_second <= 0
      || (options_.max_events && s.stream_generated >= options_.max_events))
    return time_point::max();
  auto offset = std::chrono::duration<double>(static_cast<double>(s.stream_generated + 1)
                                              / options_.events_per_second);
  return s.stream_start + std::chrono::duration_cast<sim_clock::duration>(offset);
}

size_t gateway_hub::generate_due(session_state& s, time_point now, size_t budget,
                                 std::vector<std::shared_ptr<const std::string>>* out) {
  if (options_.events_per_second <= 0)
    return 0;
  double elapsed = seconds_between(s.stream_start, now);
  auto due = static_cast<uint64_t>(std::floor(elapsed * options_.events_per_second));
  if (options_.max_events)
    due = std::min(due, options_.max_events);
  size_t made = 0;
  dispatch_event ev;
  while (s.stream_generated < due && made < budget) {
    if (!s.stream.next(state_, now, ev)) {
      // The intents allow no stream event: the stream is simply empty.
      s.stream_generated = due;
      break;
    }
    ++s.stream_generated;
    auto frame = record_dispatch(s, ev.name, ev.data);
    if (out)
      out->push_back(std::move(frame));
    ++made;
  }
  return made;
}

void gateway_hub::push_guild_event(uint64_t guild_id, std::string name, std::string data) {
  guild_events_.emplace_back(guild_id, dispatch_event{ std::move(name), std::move(data) });
  while (guild_events_.size() > 1000)
    guild_events_.pop_front();
}

std::vector<dispatch_event> gateway_hub::take_guild_events(const session_state& s) {
  std::vector<dispatch_event> out;
  for (auto i = guild_events_.begin(); i != guild_events_.end();) {
    if (s.num_shards && (i->first >> 22) % s.num_shards == s.shard_id) {
      out.push_back(std::move(i->second));
      i = guild_events_.erase(i);
    } else {
      ++i;
    }
  }
  return out;
}

} // namespace spectacles::sim
