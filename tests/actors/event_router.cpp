#include "actors/event_router.hpp"

#define CAF_SUITE actors.event_router

#include "caf/test/dsl.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "actors/register_types.hpp"
#include "actors/router_type_ids.hpp"

using namespace spectacles::actors;

namespace {

using namespace std::chrono_literals;

struct test_config : caf::actor_system_config {
  test_config() {
    register_types(*this);
  }
};

using delivery_log = std::shared_ptr<std::vector<delivery>>;

// A worker stand-in: records every delivery and acks it if asked to.
caf::behavior probe_worker(caf::event_based_actor* self, caf::actor router, delivery_log log,
                           bool auto_ack) {
  return {
    [=](delivery& d) {
      log->push_back(d);
      if (auto_ack)
        self->send(router, ack_atom::value, d.id);
    },
    [=](delivery_batch& b) {
      for (auto& d : b.items) {
        log->push_back(d);
        if (auto_ack)
          self->send(router, ack_atom::value, d.id);
      }
    },
    [](uint64_t) {}, // join reply
  };
}

// A worker stand-in that records how many deliveries each message carried.
caf::behavior batch_counter(caf::event_based_actor*, std::shared_ptr<std::vector<size_t>> sizes) {
  return {
    [=](delivery&) {
      sizes->push_back(1);
    },
    [=](delivery_batch& b) {
      sizes->push_back(b.items.size());
    },
    [](uint64_t) {}, // join reply
  };
}

// A worker stand-in for draining: logs the seq of each delivery and 0 for
// the router's reply to (drain_atom).
caf::behavior draining_worker(caf::event_based_actor*, std::shared_ptr<std::vector<uint64_t>> log) {
  return {
    [=](delivery& d) {
      log->push_back(d.ev.seq);
    },
    [=](delivery_batch& b) {
      for (auto& d : b.items)
        log->push_back(d.ev.seq);
    },
    [=](caf::ok_atom) {
      log->push_back(0);
    },
    [](uint64_t) {}, // join reply
  };
}

using command_log = std::shared_ptr<std::vector<gateway_command>>;

// A shard stand-in: records commands; answers them unless `silent`.
caf::behavior fake_shard(caf::event_based_actor*, command_log log, bool silent) {
  return {
    [=](gateway_command& cmd) -> caf::result<caf::ok_atom> {
      log->push_back(cmd);
      if (silent)
        return caf::delegated<caf::ok_atom>{};
      return caf::ok_atom::value;
    },
    [](caf::ok_atom) {}, // registration reply
  };
}

event make_event(uint64_t seq, uint64_t guild, std::string name = "MESSAGE_CREATE") {
  return event{ 0, seq, std::move(name), guild, R"({"content":"hi"})" };
}

struct fixture : test_coordinator_fixture<test_config> {
  caf::actor router;
  std::vector<caf::actor> actors;

  fixture(router_options opts = {}) {
    router = sys.spawn(event_router, opts);
    run();
  }

  ~fixture() {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    run();
  }

  caf::actor join(const std::string& group, std::vector<std::string> events, uint32_t window,
                  delivery_log log, bool auto_ack = false) {
    auto w = sys.spawn(probe_worker, router, log, auto_ack);
    actors.push_back(w);
    caf::send_as(w, router, caf::join_atom::value,
                 worker_spec{ group, std::move(events), window, group + "-worker" });
    run();
    return w;
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

  uint64_t commit(uint32_t shard) {
    self->send(router, commit_atom::value, shard);
    run();
    uint64_t result = 0;
    self->receive([&](uint64_t x) {
      result = x;
    });
    return result;
  }

  // The reply to a command sent from `self`: empty error = ok_atom.
  caf::error command(gateway_command cmd) {
    self->send(router, std::move(cmd));
    run();
    caf::error result;
    bool replied = false;
    self->receive(
      [&](caf::ok_atom) {
        replied = true;
      },
      [&](caf::error& err) {
        replied = true;
        result = std::move(err);
      });
    CAF_CHECK(replied);
    return result;
  }
};

std::vector<uint64_t> seqs(const delivery_log& log) {
  std::vector<uint64_t> xs;
  for (auto& d : *log)
    xs.push_back(d.ev.seq);
  return xs;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(event_router_tests, fixture)

CAF_TEST(every group gets the events it subscribed to) {
  auto a = std::make_shared<std::vector<delivery>>();
  auto b = std::make_shared<std::vector<delivery>>();
  join("a", { "MESSAGE_CREATE" }, 10, a, true);
  join("b", { "*" }, 10, b, true);
  produce(make_event(1, 10));
  produce(make_event(2, 11, "GUILD_CREATE"));
  CAF_CHECK_EQUAL(seqs(a), (std::vector<uint64_t>{ 1 }));
  CAF_CHECK_EQUAL(seqs(b), (std::vector<uint64_t>{ 1, 2 }));
  CAF_REQUIRE_EQUAL(a->size(), 1u);
  CAF_CHECK_EQUAL(a->at(0).ev, make_event(1, 10));
  CAF_CHECK(!a->at(0).redelivered());
  auto st = stats();
  CAF_CHECK_EQUAL(st.totals.events_in, 2u);
  CAF_CHECK_EQUAL(st.totals.acks, 3u);
  CAF_CHECK_EQUAL(st.groups.size(), 2u);
}

CAF_TEST(workers of a group compete within their windows) {
  auto l1 = std::make_shared<std::vector<delivery>>();
  auto l2 = std::make_shared<std::vector<delivery>>();
  auto w1 = join("g", {}, 1, l1);
  join("g", {}, 1, l2);
  for (uint64_t i = 1; i <= 4; ++i)
    produce(make_event(i, 100 + i));
  CAF_CHECK_EQUAL(l1->size(), 1u);
  CAF_CHECK_EQUAL(l2->size(), 1u);
  auto st = stats();
  CAF_CHECK_EQUAL(st.groups.at(0).queued, 2u);
  CAF_CHECK_EQUAL(st.groups.at(0).in_flight, 2u);
  // An ack frees one credit: exactly one more delivery to that worker.
  caf::send_as(w1, router, ack_atom::value, l1->at(0).id);
  run();
  CAF_CHECK_EQUAL(l1->size(), 2u);
  CAF_CHECK_EQUAL(l2->size(), 1u);
}

CAF_TEST(a guild goes to one worker at a time in seq order) {
  auto l1 = std::make_shared<std::vector<delivery>>();
  auto l2 = std::make_shared<std::vector<delivery>>();
  auto w1 = join("g", {}, 10, l1);
  auto w2 = join("g", {}, 10, l2);
  produce(make_event(1, 42));
  produce(make_event(2, 42));
  produce(make_event(3, 42));
  CAF_CHECK_EQUAL(l1->size() + l2->size(), 1u);
  std::vector<uint64_t> order;
  size_t seen1 = 0;
  for (size_t i = 0; i < 3; ++i) {
    // Exactly one more delivery each round: never two of the guild in flight.
    CAF_REQUIRE_EQUAL(l1->size() + l2->size(), i + 1);
    {
      auto copy = stats();
      CAF_CHECK_EQUAL(copy.groups.at(0).in_flight, 1u);
    }
    auto from1 = l1->size() > seen1;
    seen1 = l1->size();
    auto& l = from1 ? l1 : l2;
    order.push_back(l->back().ev.seq);
    caf::send_as(from1 ? w1 : w2, router, ack_atom::value, l->back().id);
    run();
  }
  CAF_CHECK_EQUAL(order, (std::vector<uint64_t>{ 1, 2, 3 }));
}

CAF_TEST(unacked deliveries of a worker that exits go to another worker marked redelivered) {
  auto l1 = std::make_shared<std::vector<delivery>>();
  auto l2 = std::make_shared<std::vector<delivery>>();
  auto w1 = join("g", {}, 10, l1);
  produce(make_event(1, 42));
  produce(make_event(2, 43));
  produce(make_event(3, 42));                              // waits behind seq 1
  caf::send_as(w1, router, ack_atom::value, l1->at(1).id); // seq 2 is done
  run();
  join("g", {}, 10, l2, true);
  CAF_CHECK(l2->empty());
  caf::anon_send_exit(w1, caf::exit_reason::kill);
  run();
  CAF_CHECK_EQUAL(seqs(l2), (std::vector<uint64_t>{ 1, 3 }));
  CAF_REQUIRE_EQUAL(l2->size(), 2u);
  CAF_CHECK(l2->at(0).redelivered());
  CAF_CHECK_EQUAL(l2->at(0).attempt, 2u);
  CAF_CHECK(!l2->at(1).redelivered());
  auto st = stats();
  CAF_CHECK_EQUAL(st.totals.redeliveries, 1u);
  CAF_CHECK_EQUAL(st.workers.size(), 1u);
  CAF_CHECK_EQUAL(commit(0), 3u);
}

CAF_TEST(a draining worker gets its reply after what was bound for it and nothing new) {
  auto la = std::make_shared<std::vector<uint64_t>>();
  auto a = sys.spawn(draining_worker, la);
  actors.push_back(a);
  caf::send_as(a, router, caf::join_atom::value, worker_spec{ "g", {}, 10, "a" });
  run();
  // Two events wait in the router's mailbox for their flush when the drain
  // request arrives: the reply must not overtake them.
  self->send(router, make_event(1, 101));
  self->send(router, make_event(2, 102));
  caf::send_as(a, router, drain_atom::value);
  run();
  CAF_CHECK_EQUAL(*la, (std::vector<uint64_t>{ 1, 2, 0 }));
  auto lb = std::make_shared<std::vector<delivery>>();
  join("g", {}, 10, lb);
  for (uint64_t i = 3; i <= 6; ++i)
    produce(make_event(i, 100 + i));
  CAF_CHECK_EQUAL(seqs(lb), (std::vector<uint64_t>{ 3, 4, 5, 6 }));
  CAF_CHECK_EQUAL(la->size(), 3u);
  // It acks what it held and leaves: nothing is redelivered.
  auto st = stats();
  auto held = std::find_if(st.workers.begin(), st.workers.end(), [](const worker_stats& w) {
    return w.name == "a";
  });
  CAF_REQUIRE(held != st.workers.end());
  CAF_CHECK_EQUAL(held->in_flight, 2u);
  for (uint64_t id = 1; id <= 2; ++id)
    caf::send_as(a, router, ack_atom::value, id);
  caf::send_as(a, router, caf::leave_atom::value);
  run();
  st = stats();
  CAF_CHECK_EQUAL(st.totals.redeliveries, 0u);
  CAF_CHECK_EQUAL(st.totals.acks, 2u);
  CAF_CHECK_EQUAL(st.workers.size(), 1u);
  CAF_CHECK_EQUAL(seqs(lb), (std::vector<uint64_t>{ 3, 4, 5, 6 }));
}

CAF_TEST(exact duplicates are dropped and counted) {
  auto l = std::make_shared<std::vector<delivery>>();
  join("g", {}, 10, l, true);
  produce(make_event(1, 42));
  produce(make_event(2, 42));
  produce(make_event(1, 42)); // a RESUME replaying what was handled
  CAF_CHECK_EQUAL(seqs(l), (std::vector<uint64_t>{ 1, 2 }));
  {
    auto copy = stats();
    CAF_CHECK_EQUAL(copy.totals.duplicates, 1u);
  }
  // A new session restarts seq: no longer a duplicate.
  self->send(router, caf::reset_atom::value, uint32_t{ 0 });
  run();
  self->receive([](caf::ok_atom) {});
  produce(make_event(1, 42));
  CAF_CHECK_EQUAL(seqs(l), (std::vector<uint64_t>{ 1, 2, 1 }));
}

CAF_TEST(a batch of events from one socket read is taken in order with duplicates dropped) {
  auto l = std::make_shared<std::vector<delivery>>();
  join("g", {}, 10, l, true);
  produce(make_event(1, 42));
  // What a shard sends for one socket read: several events in one message,
  // here with a resume overlap (seq 1 again).
  self->send(router, std::vector<event>{ make_event(1, 42), make_event(2, 42), make_event(3, 7),
                                         make_event(4, 42) });
  run();
  CAF_CHECK_EQUAL(seqs(l), (std::vector<uint64_t>{ 1, 2, 3, 4 }));
  auto st = stats();
  CAF_CHECK_EQUAL(st.totals.duplicates, 1u);
  CAF_CHECK_EQUAL(commit(0), 4u);
}

CAF_TEST(the commit point moves only when every group acked) {
  auto a = std::make_shared<std::vector<delivery>>();
  auto b = std::make_shared<std::vector<delivery>>();
  auto wa = join("a", {}, 10, a);
  auto wb = join("b", {}, 10, b);
  produce(make_event(1, 1));
  produce(make_event(2, 2));
  caf::send_as(wa, router, ack_atom::value, a->at(0).id);
  caf::send_as(wa, router, ack_atom::value, a->at(1).id);
  run();
  CAF_CHECK_EQUAL(commit(0), 0u);
  caf::send_as(wb, router, ack_atom::value, b->at(1).id);
  run();
  CAF_CHECK_EQUAL(commit(0), 0u);
  caf::send_as(wb, router, ack_atom::value, b->at(0).id);
  run();
  CAF_CHECK_EQUAL(commit(0), 2u);
}

CAF_TEST(gateway commands reach the shard of the guild) {
  auto cmds = std::make_shared<std::vector<gateway_command>>();
  auto s0 = sys.spawn(fake_shard, cmds, false);
  auto s1 = sys.spawn(fake_shard, cmds, false);
  actors.push_back(s0);
  actors.push_back(s1);
  caf::send_as(s0, router, shard_atom::value, uint32_t{ 0 }, uint32_t{ 2 });
  caf::send_as(s1, router, shard_atom::value, uint32_t{ 1 }, uint32_t{ 2 });
  run();
  // (guild >> 22) % 2 == 1
  auto guild = (uint64_t{ 12345 } << 22) | 77;
  auto cmd = gateway_command{ 8, guild, 0, R"({"guild_id":"1","query":"","limit":0})" };
  CAF_CHECK_EQUAL(command(cmd), caf::error{});
  CAF_REQUIRE_EQUAL(cmds->size(), 1u);
  CAF_CHECK_EQUAL(cmds->at(0), cmd);
  // By shard id when there is no guild (a presence update).
  auto presence = gateway_command{ 3, 0, 0, R"({"status":"online","afk":false})" };
  CAF_CHECK_EQUAL(command(presence), caf::error{});
  CAF_CHECK_EQUAL(cmds->size(), 2u);
  auto st = stats();
  CAF_CHECK_EQUAL(st.totals.commands, 2u);
  CAF_REQUIRE_EQUAL(st.shards.size(), 2u);
  CAF_CHECK(st.shards[0].registered);
}

CAF_TEST(a command for an unknown shard is an error not silence) {
  CAF_CHECK_EQUAL(command(gateway_command{ 8, 1234, 0, "{}" }),
                  make_error(router_errc::no_shard_count));
  auto cmds = std::make_shared<std::vector<gateway_command>>();
  auto s0 = sys.spawn(fake_shard, cmds, false);
  actors.push_back(s0);
  caf::send_as(s0, router, shard_atom::value, uint32_t{ 0 }, uint32_t{ 4 });
  run();
  CAF_CHECK_EQUAL(command(gateway_command{ 3, 0, 3, "{}" }),
                  make_error(router_errc::unknown_shard));
  // A shard that goes down is forgotten.
  caf::anon_send_exit(s0, caf::exit_reason::kill);
  run();
  CAF_CHECK_EQUAL(command(gateway_command{ 3, 0, 0, "{}" }),
                  make_error(router_errc::unknown_shard));
  CAF_CHECK(cmds->empty());
  {
    auto copy = stats();
    CAF_CHECK_EQUAL(copy.totals.command_errors, 3u);
  }
}

CAF_TEST(a shard that does not answer makes the command fail after the timeout) {
  auto cmds = std::make_shared<std::vector<gateway_command>>();
  auto s0 = sys.spawn(fake_shard, cmds, true);
  actors.push_back(s0);
  caf::send_as(s0, router, shard_atom::value, uint32_t{ 0 }, uint32_t{ 1 });
  run();
  self->send(router, gateway_command{ 3, 0, 0, "{}" });
  sched.run(); // not run(): that would fire the timeout too
  CAF_CHECK_EQUAL(cmds->size(), 1u);
  CAF_CHECK(self->mailbox().empty());
  advance_time(router_options{}.command_timeout);
  run();
  caf::error err;
  self->receive([&](caf::error& x) {
    err = std::move(x);
  });
  CAF_CHECK_EQUAL(err, make_error(router_errc::shard_unreachable));
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct small_buffer_fixture : fixture {
  small_buffer_fixture() : fixture(options()) {}

  static router_options options() {
    router_options opts;
    opts.limits.max_queued = 3;
    return opts;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(event_router_bound_tests, small_buffer_fixture)

CAF_TEST(a group with no worker sheds at its bound with the counter right) {
  auto l = std::make_shared<std::vector<delivery>>();
  auto w = join("g", {}, 10, l, true);
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  run();
  for (uint64_t i = 1; i <= 10; ++i)
    produce(make_event(i, 100 + i));
  auto st = stats();
  CAF_REQUIRE_EQUAL(st.groups.size(), 1u);
  CAF_CHECK_EQUAL(st.groups[0].workers, 0u);
  CAF_CHECK_EQUAL(st.groups[0].queued, 3u);
  CAF_CHECK_EQUAL(st.groups[0].counters.shed, 7u);
  CAF_CHECK_EQUAL(st.totals.shed, 7u);
  auto l2 = std::make_shared<std::vector<delivery>>();
  join("g", {}, 10, l2, true);
  CAF_CHECK_EQUAL(seqs(l2), (std::vector<uint64_t>{ 8, 9, 10 }));
}

CAF_TEST(events that arrive together reach a worker in one message) {
  auto sizes = std::make_shared<std::vector<size_t>>();
  auto w = sys.spawn(batch_counter, sizes);
  actors.push_back(w);
  caf::send_as(w, router, caf::join_atom::value, worker_spec{ "g", {}, 10, "g-worker" });
  run();
  for (uint64_t i = 1; i <= 6; ++i)
    self->send(router, make_event(i, 100 + i));
  run();
  CAF_CHECK_EQUAL(*sizes, (std::vector<size_t>{ 6 }));
  // One event alone goes alone (and the window of 10 is now full at 10).
  for (uint64_t i = 7; i <= 11; ++i)
    produce(make_event(i, 100 + i));
  CAF_CHECK_EQUAL(*sizes, (std::vector<size_t>{ 6, 1, 1, 1, 1 }));
  auto st = stats();
  CAF_CHECK_EQUAL(st.groups.at(0).in_flight, 10u);
}

CAF_TEST_FIXTURE_SCOPE_END()
