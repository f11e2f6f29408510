// ping: the smallest useful bot. Answers "!ping" with "pong" through the
// cluster's REST role, so the reply is rate-limited cluster-wide.
//
// A whole cluster on one machine against the simulator (no token needed):
//   build/sim/discord-sim --event-rate=5 &      # prints its REST URL
//   export DISCORD_TOKEN=sim-token DISCORD_REST_URL=http://127.0.0.1:PORT/api/v10
//   build/nodes/spectacles-node run --node.roles='["coordinator","gateway","rest","router"]'
//     --cluster.listen=127.0.0.1:4100 --cluster.insecure-loopback --router.groups='["pings"]'
//   build/examples/example-ping --cluster.seeds='["127.0.0.1:4100"]' --cluster.insecure-loopback
// Against Discord: the same with a real DISCORD_TOKEN and no DISCORD_REST_URL.
#include <iostream>

#include "actors/worker.hpp"
#include "models/message.hpp"
#include "nodes/bot.hpp"

using namespace spectacles;

int main(int argc, char** argv) {
  auto on_message = [](const models::message& m, actors::worker_context& ctx) {
    if (m.content != "!ping" || m.author.bot.value_or(false))
      return;
    actors::message_create reply;
    reply.content = "pong";
    ctx.services.rest.create_message(ctx.self, m.channel_id, reply, [](auto result) {
      if (!result)
        std::cerr << "pong failed: " << result.error().describe() << '\n';
    });
  };
  nodes::bot bot;
  bot.worker("pings", actors::event_handlers{}.on<models::message>("MESSAGE_CREATE", on_message));
  return bot.run(argc, argv);
}
