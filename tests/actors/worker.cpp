#include "actors/worker.hpp"

#define CAF_SUITE actors.worker

#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <unistd.h>

#include "actors/event_router.hpp"
#include "actors/register_types.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/worker_record.hpp"
#include "models/events.hpp"
#include "models/message.hpp"

#include "caf/test/dsl.hpp"

using namespace spectacles;
using namespace spectacles::actors;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    register_types(*this);
  }
};

// The `d` of the first MESSAGE_CREATE in the captured fixture, as raw JSON.
std::string captured_message_d() {
  simdjson::dom::parser parser;
  auto doc = parser.load(std::string(SPECTACLES_FIXTURES_DIR)
                         + "/discord-captures/gateway_message_create.json");
  for (auto env : doc.get_array())
    return simdjson::minify(env["d"]);
  return {};
}

caf::behavior fake_shard(caf::event_based_actor*,
                         std::shared_ptr<std::vector<gateway_command>> log) {
  return {
    [=](gateway_command& cmd) {
      log->push_back(cmd);
      return caf::ok_atom::value;
    },
    [](caf::ok_atom) {},
  };
}

worker_options options(std::string group, std::string name = {}) {
  worker_options opts;
  opts.group = std::move(group);
  opts.name = std::move(name);
  opts.window = 10;
  return opts;
}

struct fixture : test_coordinator_fixture<test_config> {
  caf::actor router;
  std::vector<caf::actor> actors;

  fixture() {
    router = sys.spawn(event_router, router_options{});
    run();
  }

  ~fixture() {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    run();
  }

  caf::actor start(worker_options opts, event_handlers handlers) {
    auto w = spawn_worker(sys, router, std::move(opts), std::move(handlers));
    actors.push_back(w);
    run();
    return w;
  }

  // A worker of group "g" named `name` that counts the events it handles.
  caf::actor start_counting(std::string name, std::shared_ptr<int> count) {
    return start(options("g", std::move(name)),
                 event_handlers{}.on_event([count](const event&, worker_context&) {
                   ++*count;
                 }));
  }

  void produce(event ev) {
    self->send(router, std::move(ev));
    run();
  }

  router_stats stats() {
    self->send(router, caf::get_atom::value, stats_atom::value);
    run();
    router_stats result;
    self->receive([&](router_stats& x) {
      result = std::move(x);
    });
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(worker_tests, fixture)

CAF_TEST(a raw handler runs and the delivery is acked after it returns) {
  auto seen = std::make_shared<std::vector<uint64_t>>();
  start(options("g"),
        event_handlers{}.on_raw("MESSAGE_CREATE", [seen](const event& ev, worker_context& ctx) {
          CAF_CHECK_EQUAL(ctx.current.ev.seq, ev.seq);
          seen->push_back(ev.seq);
        }));
  produce(event{ 0, 1, "MESSAGE_CREATE", 5, "{}" });
  produce(event{ 0, 2, "MESSAGE_CREATE", 6, "{}" });
  CAF_CHECK_EQUAL(*seen, (std::vector<uint64_t>{ 1, 2 }));
  auto st = stats();
  CAF_CHECK_EQUAL(st.totals.acks, 2u);
  CAF_CHECK_EQUAL(st.groups.at(0).in_flight, 0u);
  CAF_CHECK_EQUAL(st.shards.at(0).commit_seq, 2u);
}

// A stand-in router that hands a joining worker `n` deliveries at once and
// records the ack messages it gets back.
caf::behavior burst_router(caf::event_based_actor* self, size_t n,
                           std::shared_ptr<std::vector<std::vector<uint64_t>>> acks) {
  return {
    [=](caf::join_atom, worker_spec&) -> uint64_t {
      auto w = caf::actor_cast<caf::actor>(self->current_sender());
      for (size_t i = 1; i <= n; ++i)
        self->send(w, delivery{ i, 1, event{ 0, i, "MESSAGE_CREATE", 5, "{}" } });
      return 1;
    },
    [=](ack_atom, uint64_t id) {
      acks->push_back({ id });
    },
    [=](ack_atom, const ack_batch& b) {
      acks->push_back(b.ids);
    },
  };
}

CAF_TEST(a busy worker acks the deliveries it handled in one message) {
  auto acks = std::make_shared<std::vector<std::vector<uint64_t>>>();
  auto fake = sys.spawn(burst_router, size_t{ 10 }, acks);
  auto handled = std::make_shared<size_t>(0);
  auto w = spawn_worker(
    sys, fake, options("g"),
    event_handlers{}.on_raw("MESSAGE_CREATE", [handled](const event&, worker_context&) {
      ++*handled;
    }));
  actors.push_back(w);
  actors.push_back(fake);
  run();
  CAF_CHECK_EQUAL(*handled, 10u);
  // All ten were in the mailbox together: one ack message, in order.
  CAF_REQUIRE_EQUAL(acks->size(), 1u);
  CAF_CHECK_EQUAL(acks->front(), (std::vector<uint64_t>{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }));
}

CAF_TEST(a worker subscribes to the names it has handlers for) {
  auto count = std::make_shared<int>(0);
  start(options("g"), event_handlers{}
                        .on_raw("MESSAGE_CREATE",
                                [count](const event&, worker_context&) {
                                  ++*count;
                                })
                        .on_raw("GUILD_CREATE", [count](const event&, worker_context&) {
                          ++*count;
                        }));
  produce(event{ 0, 1, "TYPING_START", 5, "{}" });
  produce(event{ 0, 2, "GUILD_CREATE", 5, "{}" });
  CAF_CHECK_EQUAL(*count, 1);
  auto st = stats();
  CAF_CHECK_EQUAL(st.groups.at(0).events,
                  (std::vector<std::string>{ "GUILD_CREATE", "MESSAGE_CREATE" }));
  CAF_CHECK_EQUAL(st.totals.unrouted, 1u);
}

CAF_TEST(typed handlers get the decoded model) {
  auto contents = std::make_shared<std::vector<std::string>>();
  auto names = std::make_shared<std::vector<std::string>>();
  start(options("typed"),
        event_handlers{}.on<models::message>("MESSAGE_CREATE",
                                             [contents](const models::message& m, worker_context&) {
                                               contents->push_back(m.content);
                                             }));
  start(options("dispatch"),
        event_handlers{}.on_dispatch([names](const models::dispatch& d, worker_context&) {
          names->push_back(d.name);
          CAF_CHECK(std::holds_alternative<models::message>(d.payload));
        }));
  auto d = captured_message_d();
  CAF_REQUIRE(!d.empty());
  produce(event{ 0, 1, "MESSAGE_CREATE", 5, d });
  CAF_REQUIRE_EQUAL(contents->size(), 1u);
  CAF_CHECK_EQUAL(*names, (std::vector<std::string>{ "MESSAGE_CREATE" }));
  // A payload that does not decode is acked (and logged), not redelivered.
  produce(event{ 0, 2, "MESSAGE_CREATE", 5, R"({"id":true})" });
  CAF_CHECK_EQUAL(contents->size(), 1u);
  CAF_CHECK_EQUAL(stats().totals.acks, 4u);
}

CAF_TEST(a handler sends a gateway command to the shard of its guild) {
  auto cmds = std::make_shared<std::vector<gateway_command>>();
  auto shard = sys.spawn(fake_shard, cmds);
  actors.push_back(shard);
  caf::send_as(shard, router, shard_atom::value, uint32_t{ 0 }, uint32_t{ 1 });
  run();
  auto outcome = std::make_shared<std::vector<caf::error>>();
  start(options("g"),
        event_handlers{}.on_raw("GUILD_CREATE", [outcome](const event& ev, worker_context& ctx) {
          ctx.send_command(gateway_command{ 8, ev.guild_id, 0, R"({"query":"","limit":0})" },
                           [outcome](const caf::error& err) {
                             outcome->push_back(err);
                           });
          ctx.send_command(gateway_command{ 3, 0, 7, "{}" }, // no shard 7
                           [outcome](const caf::error& err) {
                             outcome->push_back(err);
                           });
        }));
  produce(event{ 0, 1, "GUILD_CREATE", 81384788765712384u, "{}" });
  CAF_REQUIRE_EQUAL(cmds->size(), 1u);
  CAF_CHECK_EQUAL(cmds->at(0).guild_id, 81384788765712384u);
  CAF_REQUIRE_EQUAL(outcome->size(), 2u);
  // The refusal comes back at once, the shard's ok after its round trip.
  CAF_CHECK_EQUAL(outcome->at(0), make_error(router_errc::unknown_shard));
  CAF_CHECK_EQUAL(outcome->at(1), caf::error{});
}

CAF_TEST(a leaving worker hands its group to the others) {
  auto a = std::make_shared<int>(0);
  auto b = std::make_shared<int>(0);
  auto wa = start_counting("a", a);
  start_counting("b", b);
  caf::anon_send(wa, caf::leave_atom::value);
  run();
  for (uint64_t i = 1; i <= 4; ++i)
    produce(event{ 0, i, "MESSAGE_CREATE", 100 + i, "{}" });
  CAF_CHECK_EQUAL(*a, 0);
  CAF_CHECK_EQUAL(*b, 4);
  CAF_CHECK_EQUAL(stats().workers.size(), 1u);
}

CAF_TEST(a leaving worker first handles what was sent to it so nothing is redelivered) {
  auto a = std::make_shared<int>(0);
  auto b = std::make_shared<int>(0);
  auto wa = start_counting("a", a);
  start_counting("b", b);
  // The leave request reaches `a` before the events it is sent reach it.
  caf::anon_send(wa, caf::leave_atom::value);
  for (uint64_t i = 1; i <= 8; ++i)
    self->send(router, event{ 0, i, "MESSAGE_CREATE", 100 + i, "{}" });
  run();
  CAF_CHECK_EQUAL(*a + *b, 8);
  auto st = stats();
  CAF_CHECK_EQUAL(st.totals.redeliveries, 0u);
  CAF_CHECK_EQUAL(st.totals.acks, 8u);
  CAF_CHECK_EQUAL(st.workers.size(), 1u);
  for (uint64_t i = 9; i <= 12; ++i)
    produce(event{ 0, i, "MESSAGE_CREATE", 100 + i, "{}" });
  CAF_CHECK_EQUAL(*a + *b, 12);
  CAF_CHECK_EQUAL(stats().totals.redeliveries, 0u);
}

CAF_TEST(the record handler appends one JSON line per event) {
  char path[] = "/tmp/spectacles-record-XXXXXX";
  int fd = ::mkstemp(path);
  CAF_REQUIRE(fd >= 0);
  ::close(fd);
  auto handlers = record_handlers(path, "w1");
  CAF_REQUIRE(static_cast<bool>(handlers));
  start(options("rec", "w1"), std::move(*handlers));
  produce(event{ 2, 7, "MESSAGE_CREATE", 81384788765712384u, "{}" });
  produce(event{ 2, 8, "GUILD_CREATE", 0, "{}" });
  std::ifstream in{ path };
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line))
    lines.push_back(line.substr(0, line.find(",\"at_ms\":")));
  ::unlink(path);
  CAF_CHECK_EQUAL(
    lines,
    (std::vector<std::string>{
      R"({"shard":2,"seq":7,"t":"MESSAGE_CREATE","guild_id":81384788765712384,"worker":"w1","redelivered":false)",
      R"({"shard":2,"seq":8,"t":"GUILD_CREATE","guild_id":0,"worker":"w1","redelivered":false)",
    }));
  CAF_CHECK(!record_handlers("/nonexistent-dir/x.jsonl", "w"));
}

CAF_TEST_FIXTURE_SCOPE_END()
