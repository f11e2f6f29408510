#define CAF_SUITE gateway.shard

#include "caf/test/unit_test.hpp"

#include "tests/gateway/support.hpp"

#include <algorithm>
#include <set>

using namespace spectacles;
using namespace spectacles::gateway_testing;

namespace {

// What a shard did after the sim closed it with `code` (or applied `fault`).
struct aftermath {
  uint64_t identifies = 0;
  uint64_t resumes = 0;
  std::string state;
};

aftermath after_fault(const std::string& fault, std::string compression = "zstd-stream") {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 20;
  fx.start();
  auto shard = fx.spawn_shard(fx.shard_options(0, 1, std::move(compression)));
  if (!eventually([&] {
        return fx.worker_seq(0) >= 6;
      }))
    CAF_FAIL("shard 0 did not start for fault " << fault);
  if (auto problem = fx.sim->faults().add_text(fault))
    CAF_FAIL("bad fault " << fault << ": " << *problem);
  // Whatever the shard does next shows in the verdict within a few seconds.
  eventually(
    [&] {
      auto v = fx.verdict();
      return v.identifies >= 2 || v.resumes_ok >= 1 || fx.report(shard).state == "fatally_closed";
    },
    std::chrono::seconds(8));
  // A shard that stopped must stay stopped: give it time to misbehave.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto v = fx.verdict();
  return aftermath{ v.identifies, v.resumes_ok, fx.report(shard).state };
}

} // namespace

CAF_TEST(a shard identifies and its events reach a worker in order) {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 100;
  fx.start();
  auto shard = fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.worker_seq(0) >= 40;
  }));
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.identifies, 1u);
  CAF_CHECK_EQUAL(v.identify_pacing_violations, 0u);
  CAF_CHECK(v.clean());
  auto events = fx.events();
  CAF_REQUIRE(!events.empty());
  CAF_CHECK_EQUAL(events.front().name, "READY");
  // One worker: every seq from 1 up, each once, in order.
  for (size_t i = 0; i < events.size(); ++i)
    CAF_CHECK_EQUAL(events[i].seq, i + 1);
  auto r = fx.report(shard);
  CAF_CHECK_EQUAL(r.state, "running");
  CAF_CHECK(!r.session_id.empty());
}

CAF_TEST(zlib - stream carries the same events) {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 100;
  fx.start();
  fx.spawn_shard(fx.shard_options(0, 1, "zlib-stream"));
  CAF_REQUIRE(eventually([&] {
    return fx.worker_seq(0) >= 30;
  }));
  CAF_CHECK_EQUAL(fx.verdict().identifies, 1u);
}

CAF_TEST(an idle zlib - stream shard sleeps its inflater between events and loses none) {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 5; // 200 ms of silence before each event
  fx.start();
  auto o = fx.shard_options(0, 1, "zlib-stream");
  o.hibernate_after = std::chrono::milliseconds(100);
  auto shard = fx.spawn_shard(std::move(o));
  // Asleep after most events (the sim catches up in bursts when its timer
  // runs late, and a burst's events come without silence between them), and
  // each wake read the stream on: no frame failed to inflate, so no reconnect
  // and no resume.
  CAF_REQUIRE(eventually([&] {
    return fx.worker_seq(0) >= 12 && fx.report(shard).hibernations >= 6;
  }));
  auto r = fx.report(shard);
  CAF_CHECK_EQUAL(r.connects, 1u);
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.identifies, 1u);
  CAF_CHECK_EQUAL(v.resumes_ok, 0u);
  auto events = fx.events();
  for (size_t i = 0; i < events.size(); ++i)
    CAF_CHECK_EQUAL(events[i].seq, i + 1);
}

// After a pause the sim sends what it held back at once (256 events per poll), and socket reads
// carry several messages each. With batches cut at 1 KiB (instead of 64 KiB) the I/O side cuts
// batches in the middle of reads (a run with a counter saw 1,031 cuts). Every event must still
// arrive, once and in order.
CAF_TEST(a burst after a pause crosses batch cuts and loses nothing) {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 500;
  fx.start();
  auto o = fx.shard_options(0, 1);
  o.read_batch_bytes = 1024;
  auto shard = fx.spawn_shard(std::move(o));
  CAF_REQUIRE(eventually([&] {
    return fx.worker_seq(0) >= 20;
  }));
  auto before = fx.worker_seq(0);
  if (auto problem = fx.sim->faults().add_text("pause:2000@shard:0"))
    CAF_FAIL("bad fault: " << *problem);
  CAF_REQUIRE(eventually(
    [&] {
      return fx.worker_seq(0) >= before + 1500;
    },
    std::chrono::seconds(30)));
  auto r = fx.report(shard);
  CAF_CHECK_EQUAL(r.connects, 1u);
  CAF_CHECK_EQUAL(r.state, "running");
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.identifies, 1u);
  CAF_CHECK_EQUAL(v.resumes_ok, 0u);
  auto events = fx.events();
  CAF_REQUIRE_GREATER_OR_EQUAL(events.size(), before + 1500);
  size_t out_of_order = 0;
  for (size_t i = 0; i < events.size(); ++i)
    out_of_order += events[i].seq == i + 1 ? 0 : 1;
  CAF_CHECK_EQUAL(out_of_order, 0u);
}

CAF_TEST(resumable close codes resume) {
  for (int code : { 4000, 4001, 4002, 4005, 4008 }) {
    CAF_MESSAGE("close code " << code);
    auto a = after_fault("close:" + std::to_string(code) + "@shard:0");
    CAF_CHECK_EQUAL(a.resumes, 1u);
    CAF_CHECK_EQUAL(a.identifies, 1u);
    CAF_CHECK_EQUAL(a.state, "running");
  }
}

CAF_TEST(close codes that end the session identify anew) {
  for (int code : { 4003, 4007, 4009 }) {
    CAF_MESSAGE("close code " << code);
    auto a = after_fault("close:" + std::to_string(code) + "@shard:0");
    CAF_CHECK_EQUAL(a.resumes, 0u);
    CAF_CHECK_EQUAL(a.identifies, 2u);
    CAF_CHECK_EQUAL(a.state, "running");
  }
}

CAF_TEST(fatal close codes stop the shard without a retry) {
  for (int code : { 4004, 4010, 4011, 4012, 4013, 4014 }) {
    CAF_MESSAGE("close code " << code);
    auto a = after_fault("close:" + std::to_string(code) + "@shard:0");
    CAF_CHECK_EQUAL(a.state, "fatally_closed");
    CAF_CHECK_EQUAL(a.resumes, 0u);
    CAF_CHECK_EQUAL(a.identifies, 1u);
  }
}

CAF_TEST(op 7 and op 9 true resume while op 9 false identifies) {
  auto reconnect = after_fault("reconnect@shard:0");
  CAF_CHECK_EQUAL(reconnect.resumes, 1u);
  CAF_CHECK_EQUAL(reconnect.identifies, 1u);
  auto resumable = after_fault("invalid_session:true@shard:0");
  CAF_CHECK_EQUAL(resumable.resumes, 1u);
  CAF_CHECK_EQUAL(resumable.identifies, 1u);
  auto gone = after_fault("invalid_session:false@shard:0");
  CAF_CHECK_EQUAL(gone.resumes, 0u);
  CAF_CHECK_EQUAL(gone.identifies, 2u);
}

CAF_TEST(a dropped connection and a corrupt frame resume) {
  auto dropped = after_fault("drop@shard:0");
  CAF_CHECK_EQUAL(dropped.resumes, 1u);
  CAF_CHECK_EQUAL(dropped.identifies, 1u);
  auto corrupt = after_fault("corrupt@shard:0");
  CAF_CHECK_EQUAL(corrupt.resumes, 1u);
  CAF_CHECK_EQUAL(corrupt.identifies, 1u);
  auto corrupt_zlib = after_fault("corrupt@shard:0", "zlib-stream");
  CAF_CHECK_EQUAL(corrupt_zlib.resumes, 1u);
}

CAF_TEST(a zombie connection is closed with a resumable code and resumed) {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 20;
  fx.start();
  auto shard = fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.ready(shard);
  }));
  CAF_REQUIRE(!fx.sim->faults().add_text("zombie@shard:0"));
  CAF_REQUIRE(eventually(
    [&] {
      return fx.verdict().resumes_ok >= 1;
    },
    std::chrono::seconds(10)));
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.identifies, 1u);
  CAF_CHECK_EQUAL(v.closes_received.count(1000), 0u);
  CAF_CHECK_EQUAL(v.closes_received.count(1001), 0u);
  CAF_CHECK_EQUAL(fx.report(shard).zombies, 1u);
}

CAF_TEST(a heartbeat request is answered at once) {
  gateway_fixture fx;
  // A long interval: a heartbeat soon after the request can only be the answer.
  fx.sim_options.gateway.heartbeat_interval = std::chrono::milliseconds(30000);
  fx.start();
  auto shard = fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.ready(shard);
  }));
  // The first heartbeat comes after interval * jitter; wait for it so the
  // count is stable, unless the jitter put it far out.
  eventually(
    [&] {
      return fx.verdict().heartbeats >= 1;
    },
    std::chrono::milliseconds(500));
  auto before = fx.verdict().heartbeats;
  CAF_REQUIRE(!fx.sim->faults().add_text("heartbeat_request@shard:0"));
  CAF_CHECK(eventually(
    [&] {
      return fx.verdict().heartbeats > before;
    },
    std::chrono::seconds(3)));
}

CAF_TEST(gateway commands over 4096 bytes are refused before sending) {
  gateway_fixture fx;
  fx.start();
  auto shard = fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.ready(shard);
  }));
  caf::scoped_actor self{ *fx.sys };
  actors::gateway_command big;
  big.op = 8;
  big.data = R"({"guild_id":"1","query":")" + std::string(5000, 'x') + R"(","limit":0})";
  bool refused = false;
  self->request(shard, std::chrono::seconds(5), big)
    .receive([&](caf::ok_atom) {},
             [&](caf::error& err) {
               refused = true;
               CAF_MESSAGE("refused: " << fx.sys->render(err));
             });
  CAF_CHECK(refused);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.closes_sent.count(4002), 0u);
  CAF_CHECK_EQUAL(fx.report(shard).state, "running");
}

CAF_TEST(commands beyond the 120 per 60 s allowance wait instead of getting 4008) {
  gateway_fixture fx;
  fx.start();
  auto shard = fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.ready(shard);
  }));
  caf::scoped_actor self{ *fx.sys };
  size_t accepted = 0;
  for (int i = 0; i < 150; ++i) {
    actors::gateway_command cmd;
    cmd.op = 3;
    cmd.data = R"({"since":null,"activities":[],"status":"online","afk":false})";
    self->request(shard, std::chrono::seconds(5), cmd)
      .receive(
        [&](caf::ok_atom) {
          ++accepted;
        },
        [&](caf::error&) {});
  }
  CAF_CHECK_EQUAL(accepted, 150u); // queued, not refused
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.commands_rate_limited, 0u);
  CAF_CHECK_EQUAL(v.closes_sent.count(4008), 0u);
  CAF_CHECK_EQUAL(fx.report(shard).state, "running");
}

CAF_TEST(a stopped shard hands its session to a successor that resumes without a gap) {
  gateway_fixture fx;
  fx.sim_options.gateway.events_per_second = 100;
  fx.start();
  auto first = fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.worker_seq(0) >= 30;
  }));
  caf::scoped_actor self{ *fx.sys };
  actors::session_snapshot handed;
  self->request(first, std::chrono::seconds(10), caf::close_atom::value, true)
    .receive(
      [&](actors::session_snapshot& s) {
        handed = std::move(s);
      },
      [&](caf::error& err) {
        CAF_FAIL("close failed: " << fx.sys->render(err));
      });
  CAF_CHECK(!handed.session_id.empty());
  // The successor (another node in production) reads the store and resumes.
  self->send(fx.coordinator, actors::put_atom::value, actors::session_atom::value, uint32_t{ 0 },
             handed);
  auto seq_at_stop = fx.worker_seq(0);
  fx.spawn_shard(fx.shard_options(0, 1));
  CAF_REQUIRE(eventually([&] {
    return fx.worker_seq(0) >= seq_at_stop + 50;
  }));
  auto v = fx.verdict();
  CAF_CHECK_EQUAL(v.identifies, 1u);
  CAF_CHECK_EQUAL(v.resumes_ok, 1u);
  CAF_CHECK_EQUAL(v.resumes_wrong_url, 0u);
  // Every seq reached the worker; the router dropped the replayed overlap. One copy of the
  // record: events keep arriving, and a second call could see one more than the first.
  auto seen = fx.events();
  std::set<uint64_t> seqs;
  for (auto& r : seen)
    seqs.insert(r.seq);
  auto top = *seqs.rbegin();
  CAF_CHECK_EQUAL(seqs.size(), top);
  CAF_CHECK_EQUAL(seen.size(), seqs.size());
}
