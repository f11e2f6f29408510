#include "sim/gateway_session.hpp"

#include "sim/json_writer.hpp"
#include "sim/payloads.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace spectacles::sim {

namespace {

constexpr std::string_view trace = R"(["[\"gateway-sim-1\",{\"micros\":0.0}]"])";

// One parser per I/O thread, reused (STYLE.md: simdjson).
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

uint64_t to_id(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() ? v : 0;
}

bool read_id(const simdjson::dom::element& e, uint64_t& out) {
  std::string_view s;
  if (!e.get_string().get(s)) {
    out = to_id(s);
    return out != 0;
  }
  return !e.get_uint64().get(out);
}

// Close codes after which the session cannot be resumed (PROTOCOL.md §1.12).
bool ends_session(int code) {
  return code == 1000 || code == 1001 || code == 4004 || code == 4007 || code == 4009
         || (code >= 4010 && code <= 4014);
}

std::string lower(std::string_view s) {
  std::string out{ s };
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

} // namespace

gateway_session::gateway_session(gateway_hub& hub, bool via_resume_url)
    : hub_(hub), id_(hub.new_connection_id()), via_resume_url_(via_resume_url) {}

session_state* gateway_session::live() const {
  if (session_id_.empty())
    return nullptr;
  auto* s = hub_.find_session(session_id_);
  return s && s->connection == id_ ? s : nullptr;
}

const session_state* gateway_session::session() const {
  return live();
}

void gateway_session::send(std::vector<gateway_action>& out, std::string text) {
  send(out, std::make_shared<const std::string>(std::move(text)));
}

void gateway_session::send(std::vector<gateway_action>& out,
                           std::shared_ptr<const std::string> frame) {
  out.push_back(gateway_action{ gateway_action::kind::send, std::move(frame), 0, {} });
}

void gateway_session::close(std::vector<gateway_action>& out, uint16_t code, std::string reason,
                            time_point now) {
  if (closed_)
    return;
  ++hub_.tally().closes_sent[code];
  out.push_back(gateway_action{ gateway_action::kind::close, nullptr, code, std::move(reason) });
  if (ends_session(code) && live())
    hub_.drop_session(session_id_);
  detach(now);
  closed_ = true;
}

void gateway_session::detach(time_point now) {
  if (auto* s = live()) {
    s->connection = 0;
    s->detached_at = now;
  }
  ready_ = false;
}

void gateway_session::open(time_point now, std::vector<gateway_action>& out) {
  last_heartbeat_ = now;
  json_writer w;
  w.begin_object().key("t").null().key("s").null().field("op", 10);
  w.key("d")
    .begin_object()
    .field("heartbeat_interval", hub_.options().heartbeat_interval.count())
    .key("_trace")
    .raw(trace)
    .end_object()
    .end_object();
  send(out, w.take());
}

void gateway_session::receive(std::string_view text, time_point now,
                              std::vector<gateway_action>& out) {
  if (closed_)
    return;
  auto& opts = hub_.options();
  if (text.size() > opts.max_payload) {
    hub_.tally().note("payload of " + std::to_string(text.size()) + " bytes (limit 4096)");
    return close(out, 4002, "Decode error.", now);
  }
  commands_.push_back(now);
  while (!commands_.empty() && now - commands_.front() >= opts.command_window)
    commands_.pop_front();
  if (commands_.size() > opts.command_limit) {
    ++hub_.tally().commands_rate_limited;
    hub_.tally().note("more than 120 gateway commands in 60 s");
    return close(out, 4008, "Rate limited.", now);
  }
  simdjson::padded_string padded{ text };
  simdjson::dom::element doc;
  int64_t op = 0;
  if (thread_parser().parse(padded).get(doc) || !doc.is_object() || doc["op"].get_int64().get(op))
    return close(out, 4002, "Decode error.", now);
  simdjson::dom::element d;
  bool has_d = !doc["d"].get(d);
  bool identified = !session_id_.empty();
  switch (op) {
    case 1: return heartbeat(now, out);
    case 2:
      if (identified)
        return close(out, 4005, "Already authenticated.", now);
      if (!has_d || !d.is_object())
        return close(out, 4002, "Decode error.", now);
      return identify(d, now, out);
    case 6:
      if (identified)
        return close(out, 4005, "Already authenticated.", now);
      if (!has_d || !d.is_object())
        return close(out, 4002, "Decode error.", now);
      return resume(d, now, out);
    case 3:
    case 4:
    case 8:
    case 31:
    case 43:
      if (!identified)
        return close(out, 4003, "Not authenticated.", now);
      if (op == 8 && has_d && d.is_object())
        request_members(d, now, out);
      return;
    default: return close(out, 4001, "Unknown opcode.", now);
  }
}

void gateway_session::heartbeat(time_point now, std::vector<gateway_action>& out) {
  auto& opts = hub_.options();
  auto& tally = hub_.tally();
  ++tally.heartbeats;
  auto late_after = std::chrono::duration_cast<sim_clock::duration>(opts.heartbeat_interval
                                                                    * (1 + opts.late_tolerance));
  if (now - last_heartbeat_ > late_after) {
    ++tally.late_heartbeats;
    tally.note(
      "late heartbeat: "
      + std::to_string(std::chrono::duration_cast<milliseconds>(now - last_heartbeat_).count())
      + " ms after the previous one (interval " + std::to_string(opts.heartbeat_interval.count())
      + " ms)");
  }
  last_heartbeat_ = now;
  if (!zombie_)
    send(out, std::string{ R"({"t":null,"s":null,"op":11,"d":null})" });
}

void gateway_session::identify(const simdjson::dom::element& d, time_point now,
                               std::vector<gateway_action>& out) {
  auto& opts = hub_.options();
  auto& tally = hub_.tally();
  ++tally.identifies;
  std::string_view token;
  if (d["token"].get_string().get(token) || (token != opts.token && token != "Bot " + opts.token))
    return close(out, 4004, "Authentication failed.", now);
  uint32_t shard_id = 0, num_shards = 1;
  simdjson::dom::array shard;
  if (!d["shard"].get_array().get(shard)) {
    uint64_t a = 0, b = 0;
    if (shard.size() != 2 || shard.at(0).get_uint64().get(a) || shard.at(1).get_uint64().get(b)
        || b == 0 || a >= b || b > 65535 || (opts.required_shards && b != opts.required_shards))
      return close(out, 4010, "Invalid shard.", now);
    shard_id = static_cast<uint32_t>(a);
    num_shards = static_cast<uint32_t>(b);
  }
  uint64_t intent_bits = 0;
  if (d["intents"].get_uint64().get(intent_bits) || (intent_bits & ~intents::all))
    return close(out, 4013, "Invalid intent(s).", now);
  if ((intent_bits & intents::privileged) & ~opts.allowed_privileged)
    return close(out, 4014, "Disallowed intent(s).", now);
  hub_.prune(now);
  if (!hub_.try_identify(shard_id, now)) {
    ++tally.identify_pacing_violations;
    tally.note("IDENTIFY of shard " + std::to_string(shard_id)
               + " inside the identify window of key " + std::to_string(hub_.identify_key(shard_id))
               + " (" + hub_.identify_refusal(shard_id, now) + ")");
    send(out, std::string{ R"({"t":null,"s":null,"op":9,"d":false})" });
    return;
  }
  if (hub_.start_limit().remaining == 0) {
    ++tally.identify_cap_exceeded;
    tally.note("IDENTIFY with no session starts remaining");
    send(out, std::string{ R"({"t":null,"s":null,"op":9,"d":false})" });
    return;
  }
  --hub_.start_limit().remaining;
  auto& s = hub_.create_session(shard_id, num_shards, intent_bits, now);
  s.connection = id_;
  session_id_ = s.id;
  send_ready(s, now, out);
}

void gateway_session::send_ready(session_state& s, time_point now,
                                 std::vector<gateway_action>& out) {
  auto& state = hub_.state();
  auto guilds = state.guilds_of_shard(s.shard_id, s.num_shards);
  json_writer w;
  w.begin_object().field("v", 10);
  w.key("user");
  write_user(w, state.bot(), true);
  w.key("guilds").begin_array();
  for (auto id : guilds)
    w.begin_object().field("unavailable", true).field("id", std::to_string(id)).end_object();
  w.end_array();
  w.field("session_id", s.id).field("resume_gateway_url", hub_.options().resume_url);
  w.key("shard").begin_array().value(s.shard_id).value(s.num_shards).end_array();
  w.key("application")
    .begin_object()
    .field("id", std::to_string(state.bot().id))
    .field("flags", 11051008)
    .end_object();
  w.field("session_type", "normal").key("_trace").raw(trace);
  w.key("user_settings").begin_object().end_object();
  for (auto empty : { "presences", "private_channels", "relationships", "guild_join_requests",
                      "game_relationships" })
    w.key(empty).begin_array().end_array();
  w.key("auth").begin_object().end_object();
  w.key("geo_ordered_rtc_regions")
    .begin_array()
    .value("frankfurt")
    .value("brussels")
    .value("milan")
    .end_array();
  w.end_object();
  send(out, hub_.record_dispatch(s, "READY", w.str()));
  ++hub_.tally().shards[s.shard_id].sessions;
  // Lazy guild backfill: one GUILD_CREATE per guild of the shard (§1.19).
  for (auto id : guilds) {
    if (auto* g = state.guild(id)) {
      json_writer gw;
      write_guild_create(gw, state, *g, now);
      send(out, hub_.record_dispatch(s, "GUILD_CREATE", gw.str()));
    }
  }
  ready_ = true;
}

void gateway_session::resume(const simdjson::dom::element& d, time_point now,
                             std::vector<gateway_action>& out) {
  auto& opts = hub_.options();
  auto& tally = hub_.tally();
  std::string_view token, sid;
  uint64_t seq = 0;
  if (d["token"].get_string().get(token) || (token != opts.token && token != "Bot " + opts.token))
    return close(out, 4004, "Authentication failed.", now);
  if (d["session_id"].get_string().get(sid) || d["seq"].get_uint64().get(seq))
    return close(out, 4002, "Decode error.", now);
  hub_.prune(now);
  auto* s = hub_.find_session(std::string{ sid });
  if (!s) {
    ++tally.resumes_unknown_session;
    tally.note("RESUME of unknown or expired session " + std::string{ sid });
    send(out, std::string{ R"({"t":null,"s":null,"op":9,"d":false})" });
    return;
  }
  if (!via_resume_url_) {
    ++tally.resumes_wrong_url;
    tally.note("RESUME on the main gateway URL instead of resume_gateway_url");
  }
  // Events of the stream that fell due while the client was away.
  hub_.generate_due(*s, now, opts.replay_buffer, nullptr);
  if (seq > s->seq) {
    ++tally.resumes_wrong_seq;
    tally.note("RESUME with seq " + std::to_string(seq) + " ahead of the session's "
               + std::to_string(s->seq));
    hub_.drop_session(s->id);
    return close(out, 4007, "Invalid seq.", now);
  }
  bool too_old = s->replay.empty() ? seq < s->seq : seq + 1 < s->replay.front().first;
  if (too_old) {
    ++tally.resumes_wrong_seq;
    tally.note("RESUME with seq " + std::to_string(seq) + " older than the replay buffer");
    hub_.drop_session(s->id);
    send(out, std::string{ R"({"t":null,"s":null,"op":9,"d":false})" });
    return;
  }
  s->connection = id_;
  session_id_ = s->id;
  for (auto& [q, frame] : s->replay)
    if (q > seq) {
      send(out, frame);
      ++tally.shards[s->shard_id].events;
    }
  send(out, hub_.record_dispatch(*s, "RESUMED",
                                 std::string{ R"({"_trace":)" } + std::string{ trace } + "}"));
  ++tally.resumes_ok;
  ++tally.shards[s->shard_id].resumes;
  ready_ = true;
}

void gateway_session::request_members(const simdjson::dom::element& d, time_point now,
                                      std::vector<gateway_action>& out) {
  auto* s = live();
  uint64_t guild_id = 0;
  if (!s || !ready_ || !read_id(d["guild_id"], guild_id))
    return;
  auto* g = hub_.state().guild(guild_id);
  if (!g || (guild_id >> 22) % s->num_shards != s->shard_id)
    return;
  std::string_view query, nonce;
  bool has_query = !d["query"].get_string().get(query);
  uint64_t limit = 0;
  if (d["limit"].get_uint64().get(limit))
    limit = 0;
  if (d["nonce"].get_string().get(nonce))
    nonce = {};
  if (nonce.size() > 32)
    nonce = {};
  std::vector<uint64_t> wanted;
  simdjson::dom::element ids;
  if (!d["user_ids"].get(ids)) {
    uint64_t one = 0;
    if (ids.is_array()) {
      for (auto e : simdjson::dom::array(ids))
        if (read_id(e, one))
          wanted.push_back(one);
    } else if (read_id(ids, one)) {
      wanted.push_back(one);
    }
  }
  bool all = wanted.empty() && has_query && query.empty() && limit == 0;
  if (all) {
    // Request-all is limited to 1 per guild per 30 s (PROTOCOL.md §1.13).
    auto& last = hub_.all_members_requested[guild_id];
    if (last != time_point{} && now - last < std::chrono::seconds{ 30 }) {
      auto retry = 30.0 - seconds_between(last, now);
      json_writer w;
      w.begin_object().field("opcode", 8).field("retry_after", retry);
      w.key("meta").begin_object().field("guild_id", std::to_string(guild_id));
      if (!nonce.empty())
        w.field("nonce", nonce);
      w.end_object().end_object();
      send(out, hub_.record_dispatch(*s, "RATE_LIMITED", w.str()));
      return;
    }
    last = now;
  }
  std::vector<const sim_member*> found;
  std::vector<uint64_t> not_found;
  auto& state = hub_.state();
  if (!wanted.empty()) {
    for (auto id : wanted) {
      if (found.size() >= 100)
        break;
      auto i = g->members.find(id);
      if (i == g->members.end())
        not_found.push_back(id);
      else
        found.push_back(&i->second);
    }
  } else {
    auto prefix = lower(query);
    size_t cap = all ? SIZE_MAX : std::min<uint64_t>(limit == 0 ? 100 : limit, 100);
    for (auto& [id, m] : g->members) {
      if (found.size() >= cap)
        break;
      auto* u = state.user(id);
      if (!prefix.empty() && (!u || lower(u->username).rfind(prefix, 0) != 0))
        continue;
      found.push_back(&m);
    }
  }
  size_t per = std::max<size_t>(1, hub_.options().member_chunk_size);
  size_t chunks = std::max<size_t>(1, (found.size() + per - 1) / per);
  for (size_t c = 0; c < chunks; ++c) {
    json_writer w;
    w.begin_object().field("guild_id", std::to_string(guild_id));
    w.key("members").begin_array();
    for (size_t i = c * per; i < std::min(found.size(), (c + 1) * per); ++i)
      write_member(w, state, *found[i]);
    w.end_array();
    w.field("chunk_index", c).field("chunk_count", chunks);
    if (c == 0 && !not_found.empty()) {
      w.key("not_found").begin_array();
      for (auto id : not_found)
        w.value(std::to_string(id));
      w.end_array();
    }
    if (!nonce.empty())
      w.field("nonce", nonce);
    w.end_object();
    send(out, hub_.record_dispatch(*s, "GUILD_MEMBERS_CHUNK", w.str()));
  }
}

void gateway_session::apply(const fault& f, time_point now, std::vector<gateway_action>& out) {
  auto grace = hub_.options().reconnect_grace;
  switch (f.kind) {
    case fault_kind::zombie: zombie_ = true; break;
    case fault_kind::reconnect:
      send(out, std::string{ R"({"t":null,"s":null,"op":7,"d":null})" });
      dispatch_stopped_ = true;
      close_at_ = now + grace;
      break;
    case fault_kind::invalid_session:
      send(out, std::string{ f.resumable ? R"({"t":null,"s":null,"op":9,"d":true})"
                                         : R"({"t":null,"s":null,"op":9,"d":false})" });
      if (!f.resumable)
        hub_.drop_session(session_id_);
      dispatch_stopped_ = true;
      close_at_ = now + grace;
      break;
    case fault_kind::close:
      close(out, static_cast<uint16_t>(f.code), "Injected close.", now);
      break;
    case fault_kind::drop:
      out.push_back(gateway_action{ gateway_action::kind::drop, nullptr, 0, {} });
      detach(now);
      closed_ = true;
      break;
    case fault_kind::corrupt:
      out.push_back(gateway_action{ gateway_action::kind::corrupt, nullptr, 0, {} });
      break;
    case fault_kind::pause: paused_until_ = now + f.duration; break;
    case fault_kind::heartbeat_request:
      send(out, std::string{ R"({"t":null,"s":null,"op":1,"d":null})" });
      break;
    default: break;
  }
}

void gateway_session::poll(time_point now, size_t budget, std::vector<gateway_action>& out) {
  if (closed_)
    return;
  auto& opts = hub_.options();
  auto deadline = last_heartbeat_
                  + std::chrono::duration_cast<sim_clock::duration>(opts.heartbeat_interval
                                                                    * (1 + opts.missing_tolerance));
  if (now > deadline) {
    ++hub_.tally().missing_heartbeats;
    hub_.tally().note(
      "no heartbeat within "
      + std::to_string(std::chrono::duration_cast<milliseconds>(deadline - last_heartbeat_).count())
      + " ms");
    return close(out, 4009, "Session timed out.", now);
  }
  if (now >= close_at_)
    return close(out, 4000, "Reconnect requested.", now);
  auto* s = live();
  if (!s || !ready_)
    return;
  if (auto f = hub_.faults().take_gateway(s->shard_id, s->seq)) {
    apply(*f, now, out);
    if (closed_ || !live())
      return;
  }
  if (dispatch_stopped_ || now < paused_until_)
    return;
  for (auto& ev : hub_.take_guild_events(*s))
    send(out, hub_.record_dispatch(*s, ev.name, ev.data));
  std::vector<std::shared_ptr<const std::string>> frames;
  hub_.generate_due(*s, now, budget, &frames);
  for (auto& f : frames)
    send(out, std::move(f));
}

time_point gateway_session::next_wakeup(time_point now) const {
  auto& opts = hub_.options();
  auto next = now + milliseconds{ 50 };
  auto deadline = last_heartbeat_
                  + std::chrono::duration_cast<sim_clock::duration>(opts.heartbeat_interval
                                                                    * (1 + opts.missing_tolerance));
  next = std::min(next, deadline + milliseconds{ 1 });
  next = std::min(next, close_at_);
  if (auto* s = live(); s && ready_ && !dispatch_stopped_)
    next = std::min(next, std::max(hub_.next_event_at(*s), paused_until_));
  return std::max(next, now);
}

void gateway_session::client_closed(int code, time_point now) {
  ++hub_.tally().closes_received[code];
  // 1000/1001 end the session; anything else keeps it resumable (§1.11).
  if ((code == 1000 || code == 1001) && live())
    hub_.drop_session(session_id_);
  detach(now);
  closed_ = true;
}

void gateway_session::transport_lost(time_point now) {
  detach(now);
  closed_ = true;
}

} // namespace spectacles::sim
