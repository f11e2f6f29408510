#include "actors/delivery_book.hpp"

#define CAF_SUITE actors.delivery_book

#include "caf/test/unit_test.hpp"

#include <algorithm>

using namespace spectacles::actors;

namespace {

using namespace std::chrono_literals;

const auto t0 = router_clock::time_point{} + 1h;

event make_event(uint64_t seq, uint64_t guild, std::string name = "MESSAGE_CREATE",
                 uint32_t shard = 0, size_t size = 10) {
  return event{ shard, seq, std::move(name), guild, std::string(size, 'x') };
}

// (worker, seq) of each delivery, in order.
std::vector<std::pair<worker_id, uint64_t>> sent(const std::vector<outgoing>& out) {
  std::vector<std::pair<worker_id, uint64_t>> xs;
  for (auto& o : out)
    xs.emplace_back(o.worker, o.ev->seq);
  return xs;
}

using pairs = std::vector<std::pair<worker_id, uint64_t>>;

} // namespace

CAF_TEST(every subscribed group gets every event and others get none) {
  delivery_book book;
  auto a = book.add_worker("a", { "MESSAGE_CREATE" }, 10, "a1", t0);
  auto b = book.add_worker("b", {}, 10, "b1", t0);
  auto c = book.add_worker("c", { "GUILD_CREATE" }, 10, "c1", t0);
  CAF_CHECK(book.push(make_event(1, 7), t0) == delivery_book::push_result::accepted);
  auto out = book.take_outbox();
  CAF_CHECK_EQUAL(sent(out), (pairs{ { a, 1 }, { b, 1 } }));
  CAF_CHECK_EQUAL(out[0].ev.get(), out[1].ev.get()); // one copy shared by the groups
  CAF_CHECK(book.push(make_event(2, 8, "GUILD_CREATE"), t0)
            == delivery_book::push_result::accepted);
  CAF_CHECK_EQUAL(sent(book.take_outbox()), (pairs{ { b, 2 }, { c, 2 } }));
  CAF_CHECK(book.push(make_event(3, 9, "TYPING_START"), t0)
            == delivery_book::push_result::accepted);
  CAF_CHECK_EQUAL(sent(book.take_outbox()), (pairs{ { b, 3 } }));
  auto st = book.stats(t0);
  CAF_CHECK_EQUAL(st.totals.events_in, 3u);
  CAF_CHECK_EQUAL(st.totals.deliveries, 5u);
}

CAF_TEST(an event no group wants is unrouted and still committed) {
  delivery_book book;
  book.add_worker("a", { "MESSAGE_CREATE" }, 10, "a1", t0);
  CAF_CHECK(book.push(make_event(1, 7, "TYPING_START"), t0)
            == delivery_book::push_result::unrouted);
  CAF_CHECK(book.take_outbox().empty());
  CAF_CHECK_EQUAL(book.commit_point(0), 1u);
  {
    auto copy = book.stats(t0);
    CAF_CHECK_EQUAL(copy.totals.unrouted, 1u);
  }
}

CAF_TEST(workers of one group compete and the least loaded gets the next event) {
  delivery_book book;
  auto w1 = book.add_worker("g", {}, 10, "w1", t0);
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  for (uint64_t i = 1; i <= 4; ++i)
    book.push(make_event(i, 100 + i), t0);
  auto out = book.take_outbox();
  CAF_REQUIRE_EQUAL(out.size(), 4u);
  auto to_w1 = std::count_if(out.begin(), out.end(), [&](auto& o) {
    return o.worker == w1;
  });
  auto to_w2 = std::count_if(out.begin(), out.end(), [&](auto& o) {
    return o.worker == w2;
  });
  CAF_CHECK_EQUAL(to_w1, 2);
  CAF_CHECK_EQUAL(to_w2, 2);
}

CAF_TEST(a worker never has more than its window in flight) {
  delivery_book book;
  auto w = book.add_worker("g", {}, 2, "w", t0);
  for (uint64_t i = 1; i <= 5; ++i)
    book.push(make_event(i, 100 + i), t0);
  auto out = book.take_outbox();
  CAF_CHECK_EQUAL(sent(out), (pairs{ { w, 1 }, { w, 2 } }));
  auto st = book.stats(t0);
  CAF_CHECK_EQUAL(st.groups.at(0).queued, 3u);
  CAF_CHECK_EQUAL(st.workers.at(0).in_flight, 2u);
  CAF_CHECK(book.ack(w, out[0].id, t0) == delivery_book::ack_result::ok);
  CAF_CHECK_EQUAL(sent(book.take_outbox()), (pairs{ { w, 3 } }));
  {
    auto copy = book.stats(t0);
    CAF_CHECK_EQUAL(copy.workers.at(0).in_flight, 2u);
  }
}

CAF_TEST(one event of a guild in flight at a time and in seq order) {
  delivery_book book;
  auto w1 = book.add_worker("g", {}, 10, "w1", t0);
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  book.push(make_event(1, 42), t0);
  book.push(make_event(2, 42), t0);
  book.push(make_event(3, 99), t0);
  book.push(make_event(4, 42), t0);
  auto out = book.take_outbox();
  // Guild 42's second event waits; guild 99 goes to the other worker.
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK_EQUAL(out[0].ev->seq, 1u);
  CAF_CHECK_EQUAL(out[1].ev->seq, 3u);
  CAF_CHECK_NOT_EQUAL(out[0].worker, out[1].worker);
  book.ack(out[0].worker, out[0].id, t0);
  auto next = book.take_outbox();
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].ev->seq, 2u);
  book.ack(next[0].worker, next[0].id, t0);
  next = book.take_outbox();
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].ev->seq, 4u);
  CAF_CHECK(next[0].worker == w1 || next[0].worker == w2);
}

CAF_TEST(events without a guild go out in parallel) {
  delivery_book book;
  book.add_worker("g", {}, 10, "w1", t0);
  for (uint64_t i = 1; i <= 3; ++i)
    book.push(make_event(i, 0, "READY"), t0);
  {
    auto copy = book.take_outbox();
    CAF_CHECK_EQUAL(copy.size(), 3u);
  }
}

CAF_TEST(unacked events of a dead worker go to another worker marked redelivered in order) {
  delivery_book book;
  auto w1 = book.add_worker("g", {}, 10, "w1", t0);
  // Only w1 exists: it takes guild 42's first event and guild 7's.
  book.push(make_event(1, 42), t0);
  book.push(make_event(2, 7), t0);
  book.push(make_event(3, 42), t0); // waits behind seq 1
  auto out = book.take_outbox();
  CAF_CHECK_EQUAL(sent(out), (pairs{ { w1, 1 }, { w1, 2 } }));
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  CAF_CHECK(book.take_outbox().empty()); // seq 3 still waits for seq 1's ack
  CAF_CHECK(book.remove_worker(w1, t0));
  auto again = book.take_outbox();
  CAF_REQUIRE_EQUAL(again.size(), 2u);
  CAF_CHECK_EQUAL(sent(again), (pairs{ { w2, 1 }, { w2, 2 } }));
  CAF_CHECK_EQUAL(again[0].attempt, 2u);
  CAF_CHECK_EQUAL(again[1].attempt, 2u);
  // A late ack from the dead worker counts for nothing.
  CAF_CHECK(book.ack(w1, out[0].id, t0) == delivery_book::ack_result::unknown);
  CAF_CHECK(book.take_outbox().empty());
  book.ack(w2, again[0].id, t0);
  auto last = book.take_outbox();
  CAF_REQUIRE_EQUAL(last.size(), 1u);
  CAF_CHECK_EQUAL(last[0].ev->seq, 3u);
  CAF_CHECK_EQUAL(last[0].attempt, 1u);
  auto st = book.stats(t0);
  CAF_CHECK_EQUAL(st.totals.redeliveries, 2u);
  CAF_CHECK_EQUAL(st.totals.stale_acks, 1u);
  CAF_CHECK_EQUAL(st.workers.at(0).redelivered, 2u);
}

CAF_TEST(a draining worker gets no new events and leaves with nothing to redeliver) {
  delivery_book book;
  auto w1 = book.add_worker("g", {}, 10, "w1", t0);
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  for (uint64_t i = 1; i <= 4; ++i)
    book.push(make_event(i, i), t0);
  auto out = book.take_outbox();
  CAF_REQUIRE_EQUAL(out.size(), 4u);
  std::vector<uint64_t> held_by_w1;
  for (auto& o : out)
    if (o.worker == w1)
      held_by_w1.push_back(o.id);
  CAF_REQUIRE_EQUAL(held_by_w1.size(), 2u);
  // w1 acks one of its two: it holds one and w2 two, so w1 is the least
  // loaded and would get the next events.
  book.ack(w1, held_by_w1[0], t0);
  CAF_CHECK(book.drain_worker(w1));
  book.push(make_event(5, 5), t0);
  book.push(make_event(6, 6), t0);
  CAF_CHECK_EQUAL(sent(book.take_outbox()), (pairs{ { w2, 5 }, { w2, 6 } }));
  // It still acks what it holds; then it leaves and nothing goes again.
  CAF_CHECK(book.ack(w1, held_by_w1[1], t0) == delivery_book::ack_result::ok);
  CAF_CHECK(book.remove_worker(w1, t0));
  CAF_CHECK(book.take_outbox().empty());
  auto st = book.stats(t0);
  CAF_CHECK_EQUAL(st.totals.redeliveries, 0u);
  CAF_CHECK(!book.drain_worker(w1));
}

CAF_TEST(a group whose last worker died keeps the events for the next worker) {
  delivery_book book;
  auto w1 = book.add_worker("g", {}, 10, "w1", t0);
  book.push(make_event(1, 42), t0);
  book.push(make_event(2, 42), t0);
  book.take_outbox();
  book.remove_worker(w1, t0);
  CAF_CHECK(book.take_outbox().empty());
  {
    auto copy = book.stats(t0);
    CAF_CHECK_EQUAL(copy.groups.at(0).queued, 2u);
  }
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  auto out = book.take_outbox();
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].worker, w2);
  CAF_CHECK_EQUAL(out[0].ev->seq, 1u);
  CAF_CHECK_EQUAL(out[0].attempt, 2u);
}

CAF_TEST(a poison event is dead lettered after max attempts and commits) {
  delivery_limits limits;
  limits.max_attempts = 2;
  delivery_book book{ limits };
  auto w1 = book.add_worker("g", {}, 10, "w1", t0);
  book.push(make_event(1, 42), t0);
  book.take_outbox();
  book.remove_worker(w1, t0);
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  {
    auto copy = book.take_outbox();
    CAF_CHECK_EQUAL(copy.at(0).attempt, 2u);
  }
  CAF_CHECK_EQUAL(book.commit_point(0), 0u);
  book.remove_worker(w2, t0);
  book.add_worker("g", {}, 10, "w3", t0);
  CAF_CHECK(book.take_outbox().empty());
  auto st = book.stats(t0);
  CAF_CHECK_EQUAL(st.totals.dead_lettered, 1u);
  CAF_CHECK_EQUAL(st.groups.at(0).counters.dead_lettered, 1u);
  CAF_REQUIRE_EQUAL(st.dead_letters.size(), 1u);
  CAF_CHECK_EQUAL(st.dead_letters[0], (dead_letter{ "g", 0, 1, "MESSAGE_CREATE", 2 }));
  CAF_CHECK_EQUAL(book.commit_point(0), 1u);
}

CAF_TEST(exact duplicates are dropped until the shard starts a new session) {
  delivery_book book;
  auto w = book.add_worker("g", {}, 10, "w", t0);
  book.push(make_event(1, 42), t0);
  book.push(make_event(2, 43), t0);
  auto out = book.take_outbox();
  // In flight, and acked-below-commit: both duplicates.
  CAF_CHECK(book.push(make_event(2, 43), t0) == delivery_book::push_result::duplicate);
  book.ack(w, out[0].id, t0);
  CAF_CHECK(book.push(make_event(1, 42), t0) == delivery_book::push_result::duplicate);
  // Another shard's seq 1 is a different event.
  CAF_CHECK(book.push(make_event(1, 42, "MESSAGE_CREATE", 1), t0)
            == delivery_book::push_result::accepted);
  {
    auto copy = book.stats(t0);
    CAF_CHECK_EQUAL(copy.totals.duplicates, 2u);
  }
  {
    auto copy = book.take_outbox();
    CAF_CHECK_EQUAL(copy.size(), 1u);
  }
  book.reset_shard(0);
  CAF_CHECK(book.push(make_event(1, 42), t0) == delivery_book::push_result::accepted);
  // The old session's in-flight seq 2 no longer holds the new session back.
  book.ack(w, out[1].id, t0);
  CAF_CHECK_EQUAL(book.commit_point(0), 0u);
}

CAF_TEST(acked events above a gap are still duplicates) {
  delivery_book book;
  auto w = book.add_worker("g", {}, 10, "w", t0);
  book.push(make_event(1, 1), t0);
  book.push(make_event(2, 2), t0);
  auto out = book.take_outbox();
  book.ack(w, out[1].id, t0); // seq 2 done, seq 1 not: commit stays 0
  CAF_CHECK_EQUAL(book.commit_point(0), 0u);
  CAF_CHECK(book.push(make_event(2, 2), t0) == delivery_book::push_result::duplicate);
  book.ack(w, out[0].id, t0);
  CAF_CHECK_EQUAL(book.commit_point(0), 2u);
}

CAF_TEST(a group without workers buffers to its bound then sheds oldest first) {
  delivery_limits limits;
  limits.max_queued = 3;
  delivery_book book{ limits };
  auto w = book.add_worker("g", {}, 10, "w", t0);
  book.remove_worker(w, t0);
  for (uint64_t i = 1; i <= 5; ++i)
    book.push(make_event(i, 100 + i), t0 + std::chrono::milliseconds(i));
  auto st = book.stats(t0 + 10ms);
  CAF_CHECK_EQUAL(st.groups.at(0).queued, 3u);
  CAF_CHECK_EQUAL(st.groups.at(0).counters.shed, 2u);
  CAF_CHECK_EQUAL(st.totals.shed, 2u);
  CAF_CHECK_EQUAL(st.groups.at(0).lag_ms, 7); // seq 3 queued at +3 ms
  // Shed events count as handled: the commit point is not held back by them.
  CAF_CHECK_EQUAL(book.commit_point(0), 2u);
  auto w2 = book.add_worker("g", {}, 10, "w2", t0);
  CAF_CHECK_EQUAL(sent(book.take_outbox()), (pairs{ { w2, 3 }, { w2, 4 }, { w2, 5 } }));
}

CAF_TEST(the byte bound sheds too) {
  delivery_limits limits;
  limits.max_queued_bytes = 3 * (1000 + 14 + 32);
  delivery_book book{ limits };
  auto w = book.add_worker("g", {}, 1, "w", t0);
  for (uint64_t i = 1; i <= 6; ++i)
    book.push(make_event(i, 100 + i, "MESSAGE_CREATE", 0, 1000), t0);
  // One in flight, three buffered, two shed.
  auto st = book.stats(t0);
  CAF_CHECK_EQUAL(st.groups.at(0).queued, 3u);
  CAF_CHECK_EQUAL(st.groups.at(0).counters.shed, 2u);
  CAF_CHECK_EQUAL(sent(book.take_outbox()), (pairs{ { w, 1 } }));
}

CAF_TEST(the commit point moves only when every subscribed group acked) {
  delivery_book book;
  auto a = book.add_worker("a", {}, 10, "a", t0);
  auto b = book.add_worker("b", { "MESSAGE_CREATE" }, 10, "b", t0);
  book.push(make_event(1, 1), t0);
  book.push(make_event(2, 2, "TYPING_START"), t0); // only group a
  book.push(make_event(3, 3), t0);
  auto out = book.take_outbox();
  CAF_REQUIRE_EQUAL(out.size(), 5u);
  auto id_of = [&](worker_id w, uint64_t seq) {
    for (auto& o : out)
      if (o.worker == w && o.ev->seq == seq)
        return o.id;
    CAF_FAIL("no delivery of seq " << seq << " to worker " << w);
    return uint64_t{ 0 };
  };
  book.ack(a, id_of(a, 1), t0);
  CAF_CHECK_EQUAL(book.commit_point(0), 0u);
  book.ack(a, id_of(a, 2), t0);
  book.ack(a, id_of(a, 3), t0);
  CAF_CHECK_EQUAL(book.commit_point(0), 0u);
  book.ack(b, id_of(b, 1), t0);
  CAF_CHECK_EQUAL(book.commit_point(0), 2u);
  book.ack(b, id_of(b, 3), t0);
  CAF_CHECK_EQUAL(book.commit_point(0), 3u);
  auto st = book.stats(t0);
  CAF_REQUIRE_EQUAL(st.shards.size(), 1u);
  CAF_CHECK_EQUAL(st.shards[0].commit_seq, 3u);
  CAF_CHECK_EQUAL(st.shards[0].outstanding, 0u);
  CAF_CHECK_EQUAL(st.totals.acks, 5u);
}

CAF_TEST(per type counters count in and out) {
  delivery_book book;
  book.add_worker("a", {}, 10, "a", t0);
  book.add_worker("b", {}, 10, "b", t0);
  book.push(make_event(1, 1), t0);
  book.push(make_event(2, 2, "GUILD_CREATE"), t0);
  auto st = book.stats(t0);
  CAF_REQUIRE_EQUAL(st.types.size(), 2u);
  CAF_CHECK_EQUAL(st.types[0], (type_counters{ "GUILD_CREATE", 1, 2 }));
  CAF_CHECK_EQUAL(st.types[1], (type_counters{ "MESSAGE_CREATE", 1, 2 }));
}
