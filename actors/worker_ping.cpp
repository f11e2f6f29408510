#include "actors/worker_ping.hpp"

#include "models/message.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

ping_counters& ping_stats() {
  static ping_counters counters;
  return counters;
}

event_handlers ping_handlers() {
  return event_handlers{}.on<models::message>("MESSAGE_CREATE", [](const models::message& m,
                                                                   worker_context& ctx) {
    if (m.content != "!ping" || m.author.bot.value_or(false))
      return;
    auto& stats = ping_stats();
    ++stats.pings;
    if (!ctx.services.rest.valid()) {
      ++stats.failed;
      log::warn("ping", "no REST role found yet; \"!ping\" in channel ", m.channel_id.value(),
                " not answered");
      return;
    }
    message_create reply;
    reply.content = "pong";
    ctx.services.rest.create_message(ctx.self, m.channel_id, reply,
                                     [](rest_result<models::message> r) {
                                       if (r) {
                                         ++ping_stats().replies;
                                       } else {
                                         ++ping_stats().failed;
                                         log::warn("ping", "reply failed: ", r.error().describe());
                                       }
                                     });
  });
}

} // namespace spectacles::actors
