// counter: two groups fan out over the same events. Group "per-guild" counts
// messages per guild, group "per-author" counts them per author; every
// message reaches both groups, and the workers inside a group share them.
//
//   build/nodes/spectacles-node run --node.roles='["router","producer"]'
//     --cluster.listen=127.0.0.1:4100 --cluster.insecure-loopback
//     --router.groups='["per-guild","per-author"]'
//   build/examples/example-counter --cluster.seeds='["127.0.0.1:4100"]'
//     --cluster.insecure-loopback
#include <iostream>
#include <map>
#include <memory>

#include "actors/worker.hpp"
#include "models/message.hpp"
#include "nodes/bot.hpp"

using namespace spectacles;

int main(int argc, char** argv) {
  auto per_guild = std::make_shared<std::map<uint64_t, uint64_t>>();
  auto per_author = std::make_shared<std::map<uint64_t, uint64_t>>();
  auto report = [](const char* what, uint64_t key, uint64_t n) {
    if (n % 1000 == 0)
      std::cout << what << ' ' << key << ": " << n << " messages\n";
  };
  nodes::bot bot;
  bot.worker("per-guild",
             actors::event_handlers{}.on<models::message>(
               "MESSAGE_CREATE", [=](const models::message& m, actors::worker_context&) {
                 auto guild = m.guild_id ? m.guild_id->value() : 0;
                 report("guild", guild, ++(*per_guild)[guild]);
               }));
  bot.worker("per-author",
             actors::event_handlers{}.on<models::message>(
               "MESSAGE_CREATE", [=](const models::message& m, actors::worker_context&) {
                 auto author = m.author.id.value();
                 report("author", author, ++(*per_author)[author]);
               }));
  return bot.run(argc, argv);
}
