#include "sim/event_stream.hpp"

#include "sim/json_writer.hpp"
#include "sim/payloads.hpp"

#include <array>

namespace spectacles::sim {

namespace {

enum class kind {
  message_create,
  typing_start,
  reaction_add,
  message_update,
  presence_update,
  message_delete,
  member_update,
  voice_state_update,
};

struct kind_info {
  kind k;
  uint64_t intent;
};

// The order mirrors a busy guild: mostly messages, typing and reactions.
constexpr std::array<kind_info, 8> kinds{ {
  { kind::message_create, intents::guild_messages },
  { kind::typing_start, intents::guild_message_typing },
  { kind::reaction_add, intents::guild_message_reactions },
  { kind::message_update, intents::guild_messages },
  { kind::presence_update, intents::guild_presences },
  { kind::message_delete, intents::guild_messages },
  { kind::member_update, intents::guild_members },
  { kind::voice_state_update, intents::guild_voice_states },
} };

void string_id(json_writer& w, std::string_view name, uint64_t id) {
  w.key(name).value(std::to_string(id));
}

} // namespace

std::string dispatch_frame(std::string_view name, uint64_t seq, std::string_view data) {
  std::string out;
  out.reserve(data.size() + name.size() + 40);
  out += R"({"t":")";
  out += name;
  out += R"(","s":)";
  out += std::to_string(seq);
  out += R"(,"op":0,"d":)";
  out += data;
  out += '}';
  return out;
}

event_stream::event_stream(std::vector<uint64_t> guild_ids, uint64_t intents)
    : guilds_(std::move(guild_ids)), intents_(intents) {}

bool event_stream::next(world& state, time_point now, dispatch_event& out) {
  if (guilds_.empty())
    return false;
  for (size_t tries = 0; tries < kinds.size(); ++tries) {
    auto info = kinds[kind_++ % kinds.size()];
    if (!(intents_ & info.intent))
      continue;
    auto* g = state.guild(guilds_[guild_++ % guilds_.size()]);
    if (!g || g->members.size() < 2 || g->channels.size() < 2)
      return false;
    // Skip the bot (first member by id is not guaranteed; find a human).
    auto it = g->members.begin();
    std::advance(it, 1 + member_++ % (g->members.size() - 1));
    auto& member = it->second;
    uint64_t channel = g->channels[1 + (member_ % (g->channels.size() - 1))];
    json_writer w;
    switch (info.k) {
      case kind::message_create: {
        sim_message m;
        m.id = state.next_id(now);
        m.channel_id = channel;
        m.guild_id = g->id;
        m.author_id = member.user_id;
        // Without MESSAGE_CONTENT the content arrives empty (PROTOCOL.md §1.16).
        // Every 10th message is a "!ping", for ping bots to answer.
        if (intents_ & intents::message_content)
          m.content = ++messages_ % 10 == 0
                        ? "!ping"
                        : "message " + std::to_string(m.id % 100000) + " from the simulator";
        m.timestamp = iso_timestamp(now);
        m.nonce = std::to_string(m.id - 1);
        write_message(w, state, m, true);
        last_message_ = m.id;
        last_channel_ = channel;
        out.name = "MESSAGE_CREATE";
        break;
      }
      case kind::typing_start:
        w.begin_object();
        string_id(w, "user_id", member.user_id);
        w.field("timestamp",
                std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
        w.key("member");
        write_member(w, state, member);
        string_id(w, "channel_id", channel);
        string_id(w, "guild_id", g->id);
        w.end_object();
        out.name = "TYPING_START";
        break;
      case kind::reaction_add:
        w.begin_object();
        w.key("member");
        write_member(w, state, member);
        string_id(w, "message_id", last_message_ ? last_message_ : state.next_id(now));
        string_id(w, "message_author_id", member.user_id);
        w.key("emoji").begin_object().field("name", "👍").key("id").null().end_object();
        string_id(w, "guild_id", g->id);
        string_id(w, "user_id", member.user_id);
        string_id(w, "channel_id", last_channel_ ? last_channel_ : channel);
        w.field("burst", false).field("type", 0).end_object();
        out.name = "MESSAGE_REACTION_ADD";
        break;
      case kind::message_update: {
        sim_message m;
        m.id = last_message_ ? last_message_ : state.next_id(now);
        m.channel_id = last_channel_ ? last_channel_ : channel;
        m.guild_id = g->id;
        m.author_id = member.user_id;
        if (intents_ & intents::message_content)
          m.content = "edited in the simulator";
        m.timestamp = iso_timestamp(now - std::chrono::seconds{ 5 });
        m.edited_timestamp = iso_timestamp(now);
        write_message(w, state, m, true);
        out.name = "MESSAGE_UPDATE";
        break;
      }
      case kind::presence_update:
        w.begin_object();
        w.key("user").begin_object();
        string_id(w, "id", member.user_id);
        w.end_object();
        string_id(w, "guild_id", g->id);
        w.field("status", (member_ % 3) ? "online" : "idle");
        w.key("activities").begin_array().end_array();
        w.key("client_status").begin_object().field("desktop", "online").end_object();
        w.end_object();
        out.name = "PRESENCE_UPDATE";
        break;
      case kind::message_delete:
        w.begin_object();
        string_id(w, "id", last_message_ ? last_message_ : state.next_id(now));
        string_id(w, "channel_id", last_channel_ ? last_channel_ : channel);
        string_id(w, "guild_id", g->id);
        w.end_object();
        last_message_ = 0;
        out.name = "MESSAGE_DELETE";
        break;
      case kind::member_update:
        w.begin_object();
        string_id(w, "guild_id", g->id);
        w.key("user");
        if (auto* u = state.user(member.user_id))
          write_user(w, *u);
        else
          w.null();
        w.key("roles").begin_array();
        for (auto r : member.roles)
          w.value(std::to_string(r));
        w.end_array();
        w.field("joined_at", member.joined_at).key("nick").null().key("avatar").null();
        w.key("premium_since").null().field("pending", false).field("deaf", false);
        w.field("mute", false).field("flags", 0).key("communication_disabled_until").null();
        w.end_object();
        out.name = "GUILD_MEMBER_UPDATE";
        break;
      case kind::voice_state_update:
        w.begin_object();
        w.key("member");
        write_member(w, state, member);
        string_id(w, "user_id", member.user_id);
        w.field("suppress", false).field("session_id", "0123456789abcdef0123456789abcdef");
        w.field("self_video", false).field("self_mute", false).field("self_deaf", false);
        w.key("request_to_speak_timestamp").null().field("mute", false).field("deaf", false);
        w.key("channel_id").null();
        string_id(w, "guild_id", g->id);
        w.end_object();
        out.name = "VOICE_STATE_UPDATE";
        break;
    }
    out.data = w.take();
    return true;
  }
  return false;
}

} // namespace spectacles::sim
