#include "actors/synthetic_producer.hpp"

#include <algorithm>
#include <chrono>

#include "actors/router_type_ids.hpp"
#include "actors/type_ids.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr auto tick_interval = std::chrono::milliseconds(10);

// Shaped like tests/fixtures/discord-captures/gateway_message_create.json.
constexpr std::string_view message_template_head
  = R"({"type":0,"tts":false,"timestamp":"2026-11-27T19:43:53.123000+00:00","pinned":false,)"
    R"("mentions":[],"mention_roles":[],"mention_everyone":false,"member":{"roles":[],)"
    R"("premium_since":null,"pending":false,"nick":null,"mute":false,)"
    R"("joined_at":"2021-03-04T18:02:11.301000+00:00","flags":0,"deaf":false,"avatar":null},)"
    R"("flags":0,"embeds":[],"edited_timestamp":null,"components":[],"channel_type":0,)"
    R"("author":{"username":"synthetic","public_flags":0,"id":"175928847299117063",)"
    R"("global_name":"Synthetic","discriminator":"0","avatar":null},"attachments":[],)";

} // namespace

event make_synthetic_event(const producer_options& opts, uint64_t n) {
  auto shards = std::max<uint32_t>(opts.shards, 1);
  auto guilds = std::max<uint32_t>(opts.guilds_per_shard, 1);
  event ev;
  ev.shard = static_cast<uint32_t>(n % shards);
  ev.seq = n / shards + 1;
  ev.name = "MESSAGE_CREATE";
  // (k * shards + shard) << 22 lands on `shard` by (guild_id >> 22) % shards.
  auto k = (ev.seq * 7919) % guilds + 1;
  ev.guild_id = ((k * shards + ev.shard) << 22) | 0x1000;
  auto id = std::to_string((ev.seq << 22) | ev.shard);
  ev.data.reserve(std::max<size_t>(opts.payload_size, 900));
  ev.data += message_template_head;
  ev.data += R"("id":")" + id + R"(","guild_id":")" + std::to_string(ev.guild_id);
  ev.data += R"(","channel_id":")" + std::to_string(ev.guild_id + 1);
  ev.data
    += R"(","content":"synthetic event )" + std::to_string(ev.shard) + ":" + std::to_string(ev.seq);
  if (ev.data.size() + 3 < opts.payload_size)
    ev.data.append(opts.payload_size - ev.data.size() - 3, '.');
  ev.data += R"("})";
  return ev;
}

caf::behavior synthetic_producer(caf::stateful_actor<synthetic_producer_state>* self,
                                 producer_options options) {
  self->state.options = options;
  return {
    [self](put_atom, caf::actor& router) {
      auto& st = self->state;
      st.router = std::move(router);
      if (!st.ticking) {
        st.ticking = true;
        log::info("producer", "sending ", st.options.rate, " events/s over ", st.options.shards,
                  " shards");
        self->send(self, tick_atom::value);
      }
    },
    [self](caf::delete_atom, const caf::actor& router) {
      // The router's node died; numbering pauses until another router appears.
      if (router == self->state.router)
        self->state.router = nullptr;
    },
    [self](get_atom, stats_atom) {
      return self->state.sent;
    },
    [self](tick_atom) {
      auto& st = self->state;
      if (!st.router) {
        st.ticking = false;
        return;
      }
      auto per_tick = std::max<uint64_t>(1, st.options.rate * tick_interval.count() / 1000);
      for (uint64_t i = 0; i < per_tick; ++i) {
        if (st.options.total != 0 && st.sent >= st.options.total) {
          log::info("producer", "sent all ", st.sent, " events");
          return;
        }
        self->send(st.router, make_synthetic_event(st.options, st.sent));
        ++st.sent;
      }
      self->delayed_send(self, tick_interval, tick_atom::value);
    },
  };
}

} // namespace spectacles::actors
