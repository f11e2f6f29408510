#include "actors/rest_bucket_map.hpp"

#define CAF_SUITE actors.rest_bucket_map

#include "caf/test/unit_test.hpp"

#include <map>
#include <queue>
#include <random>
#include <set>

using namespace spectacles::actors;
using namespace std::chrono_literals;

namespace {

const rest_bucket_map::time_point t0 = rest_bucket_map::time_point{} + 1000s;

rest_route route(std::string key, std::string major = "channels/1", bool exempt = false) {
  rest_route r;
  r.key = std::move(key);
  r.major = std::move(major);
  r.global_exempt = exempt;
  return r;
}

rate_limit_headers hashed(std::string bucket, int64_t limit, int64_t remaining,
                          double reset_after = 5.0) {
  rate_limit_headers h;
  h.limit = limit;
  h.remaining = remaining;
  h.reset_after = reset_after;
  h.bucket = std::move(bucket);
  return h;
}

std::vector<uint64_t> tickets(const rest_bucket_map::poll_result& r) {
  std::vector<uint64_t> out;
  for (auto& s : r.start)
    out.push_back(s.ticket);
  return out;
}

} // namespace

CAF_TEST(each key starts in a provisional bucket of its own) {
  rest_bucket_map m;
  auto a = m.enqueue(route("POST /channels/1/messages"));
  auto b = m.enqueue(route("PATCH /channels/1/messages/:id"));
  CAF_CHECK_EQUAL(a, 1u);
  CAF_CHECK_EQUAL(b, 2u);
  CAF_CHECK_EQUAL(m.bucket_count(), 2u);
  CAF_CHECK_EQUAL(m.bucket_of("POST /channels/1/messages"), "~POST /channels/1/messages");
  auto r = m.poll(t0);
  CAF_CHECK_EQUAL(tickets(r), std::vector<uint64_t>({ 1, 2 }));
  CAF_CHECK(!r.wake_at);
}

CAF_TEST(keys that share a bucket hash merge without reordering their queues) {
  rest_bucket_map m;
  const std::string post = "POST /channels/1/messages";
  const std::string patch = "PATCH /channels/1/messages/:id";
  m.enqueue(route(post));  // 1
  m.enqueue(route(patch)); // 2
  m.enqueue(route(post));  // 3
  m.enqueue(route(patch)); // 4
  m.enqueue(route(post));  // 5
  m.enqueue(route(patch)); // 6
  auto first = m.poll(t0);
  CAF_CHECK_EQUAL(tickets(first), std::vector<uint64_t>({ 1, 2 }));
  auto e1 = m.on_response(1, 200, hashed("h1", 5, 4), std::nullopt, t0);
  CAF_CHECK(e1.moved);
  CAF_CHECK(!e1.merged);
  CAF_CHECK_EQUAL(e1.bucket, "h1:channels/1");
  CAF_CHECK_EQUAL(e1.queue, std::vector<uint64_t>({ 3, 5 }));
  // The PATCH key turns out to share the bucket: its queue (4, 6) and its
  // in-flight request (2) join, interleaved by arrival.
  auto e2 = m.on_response(2, 200, hashed("h1", 5, 3), std::nullopt, t0 + 1ms);
  CAF_CHECK(e2.merged);
  CAF_CHECK_EQUAL(e2.queue, std::vector<uint64_t>({ 3, 4, 5, 6 }));
  CAF_CHECK_EQUAL(m.bucket_of(patch), "h1:channels/1");
  CAF_CHECK_EQUAL(m.bucket_count(), 1u);
  CAF_CHECK_EQUAL(m.keys_of("h1:channels/1"), std::vector<std::string>({ patch, post }));
  // From now on one window (3 left) serves both keys, one at a time, in order.
  std::vector<uint64_t> sent;
  auto now = t0 + 2ms;
  for (int round = 0; round < 3; ++round) {
    auto r = m.poll(now);
    CAF_REQUIRE_EQUAL(r.start.size(), 1u);
    sent.push_back(r.start[0].ticket);
    m.on_response(r.start[0].ticket, 200, hashed("h1", 5, 2 - round), std::nullopt, now);
  }
  CAF_CHECK_EQUAL(sent, std::vector<uint64_t>({ 3, 4, 5 }));
  auto blocked = m.poll(now);
  CAF_CHECK(blocked.start.empty());
  CAF_REQUIRE(blocked.wake_at);
  CAF_CHECK(*blocked.wake_at == now + 5050ms);
  CAF_CHECK_EQUAL(tickets(m.poll(*blocked.wake_at)), std::vector<uint64_t>({ 6 }));
}

CAF_TEST(the same hash on two channels stays two buckets) {
  rest_bucket_map m;
  m.enqueue(route("POST /channels/1/messages", "channels/1"));
  m.enqueue(route("POST /channels/2/messages", "channels/2"));
  m.poll(t0);
  m.on_response(1, 200, hashed("h1", 5, 4), std::nullopt, t0);
  auto e = m.on_response(2, 200, hashed("h1", 5, 4), std::nullopt, t0);
  CAF_CHECK(!e.merged);
  CAF_CHECK_EQUAL(m.bucket_of("POST /channels/1/messages"), "h1:channels/1");
  CAF_CHECK_EQUAL(m.bucket_of("POST /channels/2/messages"), "h1:channels/2");
  CAF_CHECK_EQUAL(m.bucket_count(), 2u);
}

CAF_TEST(a key whose hash changes takes only its own queued requests along) {
  rest_bucket_map m;
  const std::string del = "DELETE /channels/1/messages/:id";
  const std::string pin = "PUT /channels/1/pins/:id";
  for (int i = 0; i < 3; ++i) {
    m.enqueue(route(del)); // 1, 3, 5
    m.enqueue(route(pin)); // 2, 4, 6
  }
  m.poll(t0);
  m.on_response(1, 200, hashed("h1", 10, 9), std::nullopt, t0);
  m.on_response(2, 200, hashed("h1", 10, 8), std::nullopt, t0);
  CAF_CHECK_EQUAL(m.bucket(m.bucket_of(del))->queued_tickets(),
                  std::vector<uint64_t>({ 3, 4, 5, 6 }));
  auto r = m.poll(t0);
  CAF_REQUIRE_EQUAL(tickets(r), std::vector<uint64_t>({ 3 }));
  // Discord now says deletes live in bucket h2 (discord-api-docs#1295).
  auto e = m.on_response(3, 200, hashed("h2", 3, 2), std::nullopt, t0);
  CAF_CHECK(e.moved);
  CAF_CHECK(!e.merged);
  CAF_CHECK_EQUAL(e.bucket, "h2:channels/1");
  CAF_CHECK_EQUAL(e.queue, std::vector<uint64_t>({ 5 }));
  CAF_CHECK_EQUAL(m.bucket("h1:channels/1")->queued_tickets(), std::vector<uint64_t>({ 4, 6 }));
  CAF_CHECK_EQUAL(m.keys_of("h1:channels/1"), std::vector<std::string>({ pin }));
  CAF_CHECK_EQUAL(m.bucket("h2:channels/1")->limit().value_or(0), 3);
  // Both buckets may now send, each in its own order.
  CAF_CHECK_EQUAL(tickets(m.poll(t0)), std::vector<uint64_t>({ 4, 5 }));
}

CAF_TEST(a small global budget goes to the oldest requests and exempt ones pass) {
  rest_bucket_map m;
  m.enqueue(route("GET /a", "global"));                                     // 1
  m.enqueue(route("GET /b", "global"));                                     // 2
  m.enqueue(route("POST /interactions/9/:token/callback", "global", true)); // 3
  m.enqueue(route("GET /c", "global"));                                     // 4
  auto r = m.poll(t0, 1);
  CAF_CHECK_EQUAL(tickets(r), std::vector<uint64_t>({ 1, 3 }));
  CAF_CHECK(r.start[1].global_exempt);
  CAF_CHECK_EQUAL(r.held_by_global, 2u);
  auto rest = m.poll(t0, 5);
  CAF_CHECK_EQUAL(tickets(rest), std::vector<uint64_t>({ 2, 4 }));
}

CAF_TEST(cancel frees a slot even in a merged bucket and unknown tickets are refused) {
  rest_bucket_map m;
  m.enqueue(route("GET /a", "global")); // 1
  m.enqueue(route("GET /a", "global")); // 2
  CAF_CHECK_EQUAL(tickets(m.poll(t0)), std::vector<uint64_t>({ 1 }));
  CAF_CHECK(m.poll(t0).start.empty());
  CAF_CHECK(m.cancel(1));
  CAF_CHECK_EQUAL(tickets(m.poll(t0)), std::vector<uint64_t>({ 2 }));
  CAF_CHECK(!m.cancel(1));
  CAF_CHECK(!m.cancel(77));
  // The late reply of a cancelled request changes nothing and does not crash.
  auto e = m.on_response(1, 200, hashed("h", 1, 0), std::nullopt, t0);
  CAF_CHECK(e.bucket.empty());
}

CAF_TEST(idle buckets are evicted after their lifetime) {
  rest_bucket_map m;
  m.enqueue(route("GET /a", "global"));
  m.enqueue(route("GET /b", "global"));
  m.poll(t0);
  m.on_response(1, 200, hashed("ha", 5, 4), std::nullopt, t0);
  CAF_CHECK_EQUAL(m.evict_idle(t0 + 24h, 24h), 1u); // /b is still in flight
  CAF_CHECK(m.bucket_of("GET /a").empty());
  CAF_CHECK_EQUAL(m.bucket_of("GET /b"), "~GET /b");
  m.on_response(2, 200, hashed("hb", 5, 4), std::nullopt, t0 + 1h);
  CAF_CHECK_EQUAL(m.evict_idle(t0 + 24h, 24h), 0u);
  CAF_CHECK_EQUAL(m.evict_idle(t0 + 25h, 24h), 1u);
  CAF_CHECK_EQUAL(m.bucket_count(), 0u);
}

CAF_TEST(interaction callback buckets disappear once answered or cancelled) {
  rest_bucket_map m;
  auto callback = route("POST /interactions/1/:token~ab/callback", "global", true);
  callback.interaction_callback = true;
  m.enqueue(callback);
  auto other = route("POST /interactions/2/:token~cd/callback", "global", true);
  other.interaction_callback = true;
  auto cancelled = m.enqueue(other);
  CAF_CHECK_EQUAL(m.bucket_count(), 2u);
  auto r = m.poll(t0, 0);
  CAF_CHECK_EQUAL(r.start.size(), 2u); // exempt: no global budget needed
  m.on_response(1, 200, rate_limit_headers{}, std::nullopt, t0);
  CAF_CHECK_EQUAL(m.bucket_count(), 1u);
  CAF_CHECK(m.bucket_of(callback.key).empty());
  CAF_CHECK(m.cancel(cancelled));
  CAF_CHECK_EQUAL(m.bucket_count(), 0u);
}

CAF_TEST(a reply whose key was evicted meanwhile is still handled) {
  rest_bucket_map m{ { 50ms, 2 } };
  const std::string del = "DELETE /channels/1/messages/:id";
  const std::string pin = "PUT /channels/1/pins/:id";
  m.enqueue(route(del)); // 1
  m.enqueue(route(pin)); // 2
  m.poll(t0);
  m.on_response(1, 200, hashed("h1", 50, 49), std::nullopt, t0);
  m.on_response(2, 200, hashed("h1", 50, 48), std::nullopt, t0);
  m.enqueue(route(del)); // 3
  m.enqueue(route(del)); // 4
  CAF_CHECK_EQUAL(tickets(m.poll(t0)), std::vector<uint64_t>({ 3, 4 }));
  // 3 says deletes now live in h2: the key moves, 4's slot stays in h1.
  m.on_response(3, 200, hashed("h2", 5, 4), std::nullopt, t0);
  CAF_CHECK_EQUAL(m.bucket_of(del), "h2:channels/1");
  CAF_CHECK_EQUAL(m.bucket("h1:channels/1")->in_flight(), std::vector<uint64_t>({ 4 }));
  // A day later the idle h2 and the delete key are evicted; 4 is still out.
  CAF_CHECK_EQUAL(m.evict_idle(t0 + 25h, 24h), 1u);
  CAF_CHECK(m.bucket_of(del).empty());
  // Its reply comes at last: the key is rebuilt and h1's slot is freed.
  auto e = m.on_response(4, 200, hashed("h2", 5, 4), std::nullopt, t0 + 25h);
  CAF_CHECK_EQUAL(e.bucket, "h2:channels/1");
  CAF_CHECK_EQUAL(m.bucket_of(del), "h2:channels/1");
  CAF_CHECK(m.bucket("h1:channels/1")->in_flight().empty());
}

CAF_TEST(a retried request keeps its place ahead of later ones) {
  rest_bucket_map m;
  auto r = route("POST /channels/1/messages");
  m.enqueue(r); // 1
  m.enqueue(r); // 2
  m.enqueue(r); // 3
  CAF_CHECK_EQUAL(tickets(m.poll(t0)), std::vector<uint64_t>({ 1 }));
  rate_limit_headers limited = hashed("h1", 5, 0, 1.0);
  limited.scope = rate_limit_scope::user;
  m.on_response(1, 429, limited, 1.0, t0);
  m.requeue(1, r);
  CAF_CHECK_EQUAL(m.bucket("h1:channels/1")->queued_tickets(), std::vector<uint64_t>({ 1, 2, 3 }));
  auto waiting = m.poll(t0);
  CAF_CHECK(waiting.start.empty());
  CAF_REQUIRE(waiting.wake_at);
  CAF_CHECK_EQUAL(tickets(m.poll(*waiting.wake_at)), std::vector<uint64_t>({ 1 }));
  // Unknown, queued or in-flight tickets are not queued twice.
  m.requeue(1, r);
  m.requeue(2, r);
  m.requeue(99, r);
  CAF_CHECK_EQUAL(m.bucket("h1:channels/1")->queued_tickets(), std::vector<uint64_t>({ 2, 3 }));
}

namespace {

// A Discord-like bucket for the simulation below: a window of `limit`
// requests that starts with the first request after the previous one ended.
struct fake_discord_bucket {
  int64_t limit = 5;
  std::chrono::milliseconds window{ 1000 };
  int64_t remaining = 0;
  rest_bucket_map::time_point reset{};
  size_t exhausted_hits = 0;

  rate_limit_headers process(rest_bucket_map::time_point at, int& status) {
    if (at >= reset) {
      remaining = limit;
      reset = at + window;
    }
    status = 200;
    if (remaining == 0) {
      ++exhausted_hits;
      status = 429;
    } else {
      --remaining;
    }
    rate_limit_headers h;
    h.limit = limit;
    h.remaining = remaining;
    h.reset_after = std::chrono::duration<double>(reset - at).count();
    h.reset = std::chrono::duration<double>(reset.time_since_epoch()).count();
    h.bucket = "h1";
    if (status == 429) {
      h.scope = rate_limit_scope::user;
      h.retry_after = *h.reset_after;
    }
    return h;
  }
};

struct sim_result {
  size_t completed = 0;
  size_t exhausted_hits = 0;
  bool per_key_order_kept = true;
};

// Random arrivals on two keys that Discord puts in one bucket, random
// one-way latencies (1-40 ms, so replies overtake each other when several
// are in flight), virtual time only.
sim_result simulate(size_t max_in_flight, uint32_t seed, size_t requests) {
  rest_bucket_map m{ { 50ms, max_in_flight } };
  fake_discord_bucket discord;
  std::mt19937 rng{ seed };
  std::uniform_int_distribution<int> latency_ms{ 1, 40 };
  std::uniform_int_distribution<int> gap_ms{ 0, 150 };
  enum kind { arrive, process, reply, wake };
  struct event {
    rest_bucket_map::time_point at;
    kind what;
    uint64_t ticket;
    std::string key;
    rate_limit_headers headers;
    int status;
  };
  auto later = [](const event& a, const event& b) {
    return a.at > b.at;
  };
  std::priority_queue<event, std::vector<event>, decltype(later)> events{ later };
  const std::string keys[] = { "POST /channels/1/messages", "PATCH /channels/1/messages/:id" };
  auto now = t0;
  for (size_t i = 0; i < requests; ++i) {
    now += std::chrono::milliseconds(gap_ms(rng));
    events.push({ now, arrive, 0, keys[rng() % 2], {}, 0 });
  }
  sim_result out;
  std::map<std::string, uint64_t> last_processed;
  std::set<rest_bucket_map::time_point> wakes;
  while (!events.empty()) {
    auto e = events.top();
    events.pop();
    now = e.at;
    switch (e.what) {
      case arrive: m.enqueue(route(e.key)); break;
      case process: {
        int status = 0;
        auto h = discord.process(now, status);
        if (status == 200) {
          if (last_processed[e.key] > e.ticket)
            out.per_key_order_kept = false;
          last_processed[e.key] = e.ticket;
        }
        events.push(
          { now + std::chrono::milliseconds(latency_ms(rng)), reply, e.ticket, e.key, h, status });
        break;
      }
      case reply:
        m.on_response(e.ticket, e.status, e.headers, e.headers.retry_after, now);
        if (e.status == 429)
          m.requeue(e.ticket, route(e.key));
        else
          ++out.completed;
        break;
      case wake: break;
    }
    auto r = m.poll(now);
    for (auto& s : r.start)
      events.push(
        { now + std::chrono::milliseconds(latency_ms(rng)), process, s.ticket, s.key, {}, 0 });
    if (r.wake_at && *r.wake_at > now && wakes.insert(*r.wake_at).second)
      events.push({ *r.wake_at, wake, 0, {}, {}, 0 });
  }
  out.exhausted_hits = discord.exhausted_hits;
  return out;
}

} // namespace

CAF_TEST(a simulated Discord bucket never sees a request into an exhausted window) {
  for (uint32_t seed : { 1u, 2u, 3u }) {
    for (size_t in_flight : { 1u, 3u }) {
      auto r = simulate(in_flight, seed, 600);
      CAF_MESSAGE("seed " << seed << ", max_in_flight " << in_flight << ": " << r.completed
                          << " completed, " << r.exhausted_hits << " into an exhausted window");
      CAF_CHECK_EQUAL(r.completed, 600u);
      CAF_CHECK_EQUAL(r.exhausted_hits, 0u);
      if (in_flight == 1)
        CAF_CHECK(r.per_key_order_kept);
    }
  }
}
