// The gateway's figures (issue 6, "Benchmarks"). <c> is the transport
// compression, zstd-stream or zlib-stream; medians of 5 runs unless noted.
//
//   gateway.baseline.inflate_scan.<c>  events/s of bare inflate + models::scan_envelope over
//                                      a session's bytes captured from discord-sim in this run
//   gateway.ingest.<c>                 events/s ONE shard actor ingests (inflate + scan +
//                                      hand-off to a router actor), READY -> N-th event, the
//                                      same captured bytes replayed as fast as it reads
//                                      (goal >= 0.5 of the baseline)
//   gateway.ingest_cpu.{io_thread,other_threads}.<c>  CPU per event during that ingest, on
//                                      the I/O thread (socket, frames, inflate) and on the rest
//                                      (CAF workers: scan, hand-off, the sink; replay writer)
//   gateway.bare_ws_client.<c>         the same replay into net::ws_client + inflate + scan,
//                                      no actor: what the transport alone allows
//   gateway.sim_send_rate.<c>          what a bare client gets from the sim itself (one run):
//                                      the sim's sending ceiling
//   gateway.ingest_from_sim.<c>        a shard actor fed by the sim itself (one run)
//   gateway.cpu_us_per_event.<c>       client process CPU per event, one shard at 2000
//                                      events/s, vs a bare ws_client at that rate
//   gateway.rss_per_idle_shard.<cfg>   (RSS with 128 idle shards - RSS with 1) / 127, once
//                                      the shards went idle (only heartbeat ACKs) past their
//                                      hibernate_after (goal <= 48 KiB with zlib-stream); also
//                                      zstd and wss
//   gateway.heap_per_idle_shard.<cfg>  the same as live malloc bytes (mallinfo2)
//   gateway.rss_per_shard_after_ready.<cfg>  the same 1 s after READY + GUILD_CREATEs
//   gateway.mem.{ws_client,inflater}   where it goes: 128 bare idle ws_clients, then 128
//                                      inflaters fed an idle session's frames; and a wss
//                                      ws_client with SSL_MODE_RELEASE_BUFFERS (an experiment)
//
// Why the replay: the sim generates and compresses every event (~20k events/s
// here), far below what a shard ingests, so a shard fed by the sim measures the
// sim. The replay server writes the captured frames in one go, so the shard
// meets exactly the bytes the baseline inflates.
//
// Why the sim runs in a child process (this binary again, `bench_gateway sim
// ...`): getrusage(RUSAGE_SELF) and /proc/self/statm of the measuring process
// are then the client's alone, so neither the CPU nor the RSS figure needs the
// sim's share measured and subtracted. The RSS figures are taken in a fresh
// process per configuration (`bench_gateway rss|probe ...`), so that no run
// reuses another's freed-but-kept heap.
//
// The router is a sink actor that only counts (it answers the shard's
// registration, reset and commit polls) and the coordinator a stub that grants
// every IDENTIFY at once: neither is measured. Scheduler settings are a node's
// (config::node_config).
//
//   build/bench/bench_gateway          (~65 s)
//   build/bench/bench_gateway ingest   (phases 1 + 2 only, ~20 s: for profiling)
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "caf/actor_system.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/scoped_actor.hpp"
#include "caf/send.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <openssl/ssl.h>

#include "actors/gateway_type_ids.hpp"
#include "actors/router_type_ids.hpp"
#include "actors/shard.hpp"
#include "bench/bench.hpp"
#include "bench/caf_oneway.hpp"
#include "config/node_config.hpp"
#include "models/envelope.hpp"
#include "net/certs.hpp"
#include "net/io_pool.hpp"
#include "net/log.hpp"
#include "net/tls.hpp"
#include "net/ws_client.hpp"
#include "net/ws_frame.hpp"
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"
#include "sim/simulator.hpp"

using namespace spectacles;
using namespace spectacles::actors;
using namespace std::chrono_literals;
namespace oneway = spectacles::bench::oneway;

namespace {

constexpr uint64_t ingest_events = 100'000;
constexpr int reps = 9;
constexpr size_t ingest_guilds = 4;
constexpr double cpu_rate = 2000;    // events/s
constexpr int cpu_windows = 5;       // one-second windows, median
constexpr uint32_t rss_shards = 128; // vs 1
constexpr int64_t rss_heartbeat_ms = 2000;
constexpr size_t rss_guilds = 256;  // ~2 GUILD_CREATEs per shard of 128
constexpr uint64_t intents = 37377; // node default: GUILDS, GUILD_MESSAGES, DMs, MESSAGE_CONTENT
const char* const compressions[] = { "zstd-stream", "zlib-stream" };

int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

double cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

size_t rss_bytes() {
  long pages = 0;
  long resident = 0;
  if (auto* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

/// Live malloc bytes over all arenas (small blocks + mmapped ones).
size_t heap_bytes() {
  auto mi = ::mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// ---------------------------------------------------------------- the sim, as a child process

/// `bench_gateway sim EPS MAX_EVENTS GUILDS CERT|- KEY|-`: prints the gateway
/// URL, serves until the parent closes stdin.
int run_sim_process(char** argv) {
  log::set_level(log::level::error);
  sim::simulator_options o;
  o.gateway.events_per_second = std::atof(argv[2]);
  o.gateway.max_events = std::strtoull(argv[3], nullptr, 10);
  o.world.guilds = std::strtoull(argv[4], nullptr, 10);
  if (std::string{ argv[5] } != "-") {
    o.tls_cert = argv[5];
    o.tls_key = argv[6];
  }
  o.gateway.heartbeat_interval
    = sim::milliseconds{ argv[7] != nullptr ? std::atoll(argv[7]) : 41250 };
  // Every shard identifies at once: its own rate-limit key, a tiny window.
  o.gateway.identify_window = sim::milliseconds{ 1 };
  o.start_limit.max_concurrency = 1024;
  o.start_limit.total = o.start_limit.remaining = 100'000;
  o.limits.enabled = false;
  auto sim = sim::simulator::start(o);
  if (!sim) {
    std::fprintf(stderr, "sim: %s\n", sim.error().what().c_str());
    return 1;
  }
  std::printf("%s\n", (*sim)->gateway_url().c_str());
  std::fflush(stdout);
  oneway::wait_for_parent();
  (*sim)->stop();
  return 0;
}

struct sim_child {
  oneway::child_process proc;
  std::string url;

  sim_child(const char* argv0, double eps, uint64_t max_events, size_t guilds,
            const net::cert_paths* tls = nullptr, int64_t heartbeat_ms = 41250) {
    proc = oneway::start_self(argv0, { "sim", std::to_string(eps), std::to_string(max_events),
                                       std::to_string(guilds), tls ? tls->cert : "-",
                                       tls ? tls->key : "-", std::to_string(heartbeat_ms) });
    url = proc.read_line();
  }
  ~sim_child() {
    proc.finish();
  }
};

// ---------------------------------------------------------------- stand-ins for router and
// coordinator

struct sink_counters {
  std::atomic<uint64_t> events{ 0 };  // every event handed over, all shards
  std::atomic<uint64_t> batches{ 0 }; // messages of several events
  std::atomic<uint64_t> batched{ 0 }; // events in them
  std::atomic<uint32_t> resets{ 0 };  // sessions started (READY)
  std::atomic<int64_t> ready_ns{ 0 };
  std::atomic<int64_t> done_ns{ 0 };
  uint64_t target_seq = 0; // done when an event with this seq arrives (0 = never)
};

caf::behavior sink_router(caf::event_based_actor*, std::shared_ptr<sink_counters> c) {
  auto last = std::make_shared<std::unordered_map<uint32_t, uint64_t>>();
  return {
    [c, last](const event& ev) {
      (*last)[ev.shard] = ev.seq;
      c->events.fetch_add(1, std::memory_order_relaxed);
      if (ev.seq == c->target_seq)
        c->done_ns = mono_ns();
    },
    [c, last](const std::vector<event>& evs) {
      for (const auto& ev : evs) {
        (*last)[ev.shard] = ev.seq;
        if (ev.seq == c->target_seq)
          c->done_ns = mono_ns();
      }
      c->events.fetch_add(evs.size(), std::memory_order_relaxed);
      c->batches.fetch_add(1, std::memory_order_relaxed);
      c->batched.fetch_add(evs.size(), std::memory_order_relaxed);
    },
    [c, last](caf::reset_atom, uint32_t shard) {
      (*last)[shard] = 0;
      c->ready_ns = mono_ns();
      ++c->resets;
      return caf::ok_atom::value;
    },
    [last](commit_atom, uint32_t shard) {
      return (*last)[shard];
    },
    [](shard_atom, uint32_t, uint32_t) {
      return caf::ok_atom::value;
    },
  };
}

caf::behavior stub_coordinator(caf::event_based_actor*) {
  return {
    [](identify_atom, uint32_t) {
      return caf::ok_atom::value;
    },
    [](caf::delete_atom, identify_atom, uint32_t) {},
    [](identified_atom, uint32_t) {},
    [](get_atom, session_atom, uint32_t) {
      return session_snapshot{};
    },
    [](put_atom, session_atom, uint32_t, const session_snapshot&) {},
    [](caf::delete_atom, session_atom, uint32_t) {},
  };
}

struct client {
  config::node_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  net::io_pool io{ 1 };
  caf::actor coordinator;

  explicit client(char* argv0) {
    char* args[] = { argv0, nullptr };
    if (auto err = cfg.parse(1, args))
      std::fprintf(stderr, "config: %s\n", to_string(err).c_str());
    sys = std::make_unique<caf::actor_system>(cfg);
    coordinator = sys->spawn(stub_coordinator);
  }

  ~client() {
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    sys.reset();
    io.stop();
  }

  shard_actor_options options(const std::string& url, const std::string& compression,
                              uint32_t id = 0, uint32_t count = 1, net::tls_context tls = nullptr) {
    shard_actor_options o;
    o.protocol.identify.token = "sim-token";
    o.protocol.identify.intents = intents;
    o.protocol.identify.shard_id = id;
    o.protocol.identify.shard_count = count;
    o.protocol.gateway_url = url;
    o.protocol.compression = compression;
    o.protocol.session.use_commit_point = true;
    o.protocol.backoff.base = 50ms;
    o.protocol.backoff.cap = 500ms;
    o.protocol.invalid_session_min = 100ms;
    o.protocol.invalid_session_max = 300ms;
    o.io = &io;
    o.tls = std::move(tls);
    o.node_name = "bench";
    o.seed = 42 + id;
    return o;
  }

  caf::actor spawn_shard(shard_actor_options o, const caf::actor& sink) {
    return sys->spawn(shard_actor, std::move(o), coordinator, sink);
  }

  std::string state(const caf::actor& shard) {
    caf::scoped_actor self{ *sys };
    std::string out;
    self->request(shard, 5s, get_atom::value, stats_atom::value)
      .receive(
        [&](shard_report& r) {
          out = r.state;
        },
        [&](caf::error& err) {
          out = "error: " + sys->render(err);
        });
    return out;
  }

  /// Waits until every shard reports "running" (READY seen).
  bool all_running(const std::vector<caf::actor>& shards, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (auto& s : shards)
      while (state(s) != "running") {
        if (std::chrono::steady_clock::now() > deadline)
          return false;
        std::this_thread::sleep_for(20ms);
      }
    return true;
  }
};

bool wait_until(const std::function<bool()>& pred, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// ---------------------------------------------------------------- bare client, capture, replay

/// Inflates one frame; the text view stays valid until the next call.
struct any_inflater {
  std::unique_ptr<net::zlib_inflater> zlib;
  std::unique_ptr<net::zstd_inflater> zstd;

  explicit any_inflater(const std::string& compression) {
    if (compression == "zlib-stream")
      zlib = std::make_unique<net::zlib_inflater>();
    else
      zstd = std::make_unique<net::zstd_inflater>();
  }

  std::string_view feed(std::string_view frame) {
    if (zlib) {
      auto r = zlib->feed(frame);
      return r && *r ? **r : std::string_view{};
    }
    auto r = zstd->feed(frame);
    return r ? *r : std::string_view{};
  }
};

std::string identify_json(uint32_t shard, uint32_t count) {
  return R"({"op":2,"d":{"token":"sim-token","intents":)" + std::to_string(intents)
         + R"(,"shard":[)" + std::to_string(shard) + "," + std::to_string(count)
         + R"(],"properties":{"os":"linux","browser":"bench","device":"bench"}}})";
}

/// A gateway client without actors: net::ws_client + inflate + envelope scan
/// on the I/O thread, identifying as shard [0, 1]. Optionally keeps every
/// frame it receives (the capture the baseline and the replay use).
struct bare_client {
  net::io_pool io{ 1 };
  any_inflater inflater;
  std::shared_ptr<net::ws_client> ws;
  bool keep;
  uint64_t last_seq;
  std::vector<std::string> frames;
  size_t ready_index = 0; // frames[ready_index] is READY
  std::atomic<uint64_t> dispatches{ 0 };
  std::atomic<int64_t> ready_ns{ 0 };
  std::atomic<int64_t> done_ns{ 0 }; // when the dispatch with last_seq arrived

  bare_client(const std::string& url, const std::string& compression, bool keep_frames,
              uint64_t last)
      : inflater(compression), keep(keep_frames), last_seq(last) {
    net::ws_client_options wo;
    wo.url = url + "/?v=10&encoding=json&compress=" + compression;
    auto created = net::ws_client::create(io.context(), wo,
                                          { [this] {
                                             ws->send(identify_json(0, 1), false);
                                           },
                                            [this](std::string_view data, bool) {
                                              on_message(data);
                                            },
                                            [](const net::ws_close_info&) {},
                                            {} });
    if (!created) {
      std::fprintf(stderr, "ws_client: %s\n", created.error().what().c_str());
      return;
    }
    ws = *created;
    ws->connect();
  }

  ~bare_client() {
    if (ws)
      ws->abort();
    io.stop();
  }

  void on_message(std::string_view data) {
    if (keep)
      frames.emplace_back(data);
    auto env = models::scan_envelope(inflater.feed(data));
    if (!env || env->op != 0 || !env->s)
      return;
    dispatches.fetch_add(1, std::memory_order_relaxed);
    if (env->t == "READY") {
      ready_index = frames.empty() ? 0 : frames.size() - 1;
      ready_ns = mono_ns();
    }
    if (*env->s == last_seq)
      done_ns = mono_ns();
  }

  /// events/s from READY to the last event; 0 if it did not arrive in time.
  double wait_rate(std::chrono::seconds limit) {
    if (!wait_until(
          [this] {
            return done_ns.load() != 0;
          },
          limit))
      return 0;
    return static_cast<double>(ingest_events) * 1e9
           / static_cast<double>(done_ns.load() - ready_ns.load());
  }
};

/// WebSocket frame bytes (server to client: unmasked, FIN, binary).
void append_frame(std::string& out, std::string_view payload) {
  net::append_frame_header(out, 0x82, payload.size(), false);
  out.append(payload);
}

/// Plays a captured session back, byte for byte, as fast as the client
/// reads: HELLO on connect, everything else (READY, GUILD_CREATEs, the
/// stream) in one write after the client's first message (its IDENTIFY).
/// One connection at a time; the sim's own sending speed is out of the way.
class replay_server {
public:
  explicit replay_server(const std::vector<std::string>& frames)
      : acceptor_(ioc_, { boost::asio::ip::address_v4::loopback(), 0 }) {
    if (!frames.empty())
      append_frame(hello_, frames[0]);
    for (size_t i = 1; i < frames.size(); ++i)
      append_frame(rest_, frames[i]);
    thread_ = std::thread([this] {
      run();
    });
  }

  ~replay_server() {
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake{ ioc_ };
    wake.connect(acceptor_.local_endpoint(), ec); // unblocks accept()
    thread_.join();
  }

  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

private:
  void run() {
    namespace websocket = boost::beast::websocket;
    while (!stop_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket sock{ ioc_ };
      acceptor_.accept(sock, ec);
      if (stop_)
        return;
      if (ec)
        continue;
      websocket::stream<boost::asio::ip::tcp::socket> ws{ std::move(sock) };
      ws.accept(ec);
      if (ec)
        continue;
      boost::asio::write(ws.next_layer(), boost::asio::buffer(hello_), ec);
      boost::beast::flat_buffer buf;
      ws.read(buf, ec); // IDENTIFY
      if (!ec)
        boost::asio::write(ws.next_layer(), boost::asio::buffer(rest_), ec);
      while (!ec && !stop_) { // heartbeats, until the client goes
        buf.clear();
        ws.read(buf, ec);
      }
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string hello_;
  std::string rest_;
  std::atomic<bool> stop_{ false };
  std::thread thread_;
};

/// Bare inflate + envelope scan over the captured frames: the frames up to
/// READY go through untimed (they set up the stream's state), the rest (the
/// GUILD_CREATEs and N stream events) are timed, as the ingest figure is.
double inflate_scan_rate(const bare_client& cap, const std::string& compression) {
  any_inflater inflater{ compression };
  for (size_t i = 0; i <= cap.ready_index; ++i)
    (void)models::scan_envelope(inflater.feed(cap.frames[i]));
  uint64_t dispatches = 0;
  uint64_t checksum = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = cap.ready_index + 1; i < cap.frames.size(); ++i) {
    auto env = models::scan_envelope(inflater.feed(cap.frames[i]));
    if (env && env->op == 0) {
      ++dispatches;
      checksum += env->d.size() + (env->guild_id ? env->guild_id->value() : 0);
    }
  }
  auto secs = bench::seconds_since(t0);
  if (dispatches < ingest_events || checksum == 0)
    std::fprintf(stderr, "baseline (%s): only %llu dispatches\n", compression.c_str(),
                 static_cast<unsigned long long>(dispatches));
  return static_cast<double>(ingest_events) / secs;
}

// ---------------------------------------------------------------- ingest and CPU

/// CPU nanoseconds per thread of this process, by thread id, with the
/// thread's name (net::io_pool names its threads "spectacles.io").
struct thread_cpu {
  std::string name;
  uint64_t ns = 0;
};

std::unordered_map<int, thread_cpu> thread_cpu_ns() {
  std::unordered_map<int, thread_cpu> out;
  for (auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    thread_cpu t;
    if (FILE* f = std::fopen((e.path() / "schedstat").c_str(), "r")) {
      unsigned long long ns = 0;
      if (std::fscanf(f, "%llu", &ns) == 1)
        t.ns = ns;
      std::fclose(f);
    }
    if (FILE* f = std::fopen((e.path() / "comm").c_str(), "r")) {
      char name[64] = {};
      if (std::fgets(name, sizeof name, f) != nullptr)
        t.name = std::string(name, std::strcspn(name, "\n"));
      std::fclose(f);
    }
    out[std::stoi(e.path().filename().string())] = t;
  }
  return out;
}

/// One ingest run: events/s, and the CPU it took per event on the I/O thread
/// (socket, frames, inflate) and on every other thread of the process (CAF's
/// workers: the shard actor's scan and hand-off, the sink; the replay writer).
struct ingest_run {
  double rate = 0;
  double io_us = 0;
  double other_us = 0;
  double per_message = 0; // events per message the router got
};

ingest_run ingest_rate(client& cl, const std::string& url, const std::string& compression,
                       uint64_t last_seq) {
  auto cpu0 = thread_cpu_ns();
  auto c = std::make_shared<sink_counters>();
  c->target_seq = last_seq;
  auto sink = cl.sys->spawn(sink_router, c);
  auto shard = cl.spawn_shard(cl.options(url, compression), sink);
  bool ok = wait_until(
    [&] {
      return c->done_ns.load() != 0;
    },
    60s);
  caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  if (!ok) {
    std::fprintf(stderr, "ingest (%s) timed out after %llu events\n", compression.c_str(),
                 static_cast<unsigned long long>(c->events.load()));
    return {};
  }
  auto cpu1 = thread_cpu_ns();
  ingest_run run;
  for (auto& [tid, t] : cpu1) {
    double us = static_cast<double>(t.ns - cpu0[tid].ns) / 1e3 / static_cast<double>(ingest_events);
    (t.name == "spectacles.io" ? run.io_us : run.other_us) += us;
  }
  auto messages = c->batches.load() + (c->events.load() - c->batched.load());
  run.per_message
    = messages > 0 ? static_cast<double>(c->events.load()) / static_cast<double>(messages) : 0;
  run.rate = static_cast<double>(ingest_events) * 1e9
             / static_cast<double>(c->done_ns.load() - c->ready_ns.load());
  return run;
}

/// Process CPU per event over one-second windows (median), `count` being the
/// events handled so far. getrusage(RUSAGE_SELF) sees every thread of this
/// process (CAF's, the I/O thread) and nothing of the sim, another process.
double cpu_per_event(const std::function<uint64_t()>& count) {
  std::vector<double> per_event;
  std::this_thread::sleep_for(500ms); // READY's and the GUILD_CREATEs' work is done
  for (int w = 0; w < cpu_windows; ++w) {
    auto cpu0 = cpu_seconds();
    auto n0 = count();
    std::this_thread::sleep_for(1s);
    auto n = count() - n0;
    if (n > 0)
      per_event.push_back((cpu_seconds() - cpu0) * 1e6 / static_cast<double>(n));
  }
  return bench::median(per_event);
}

/// Client CPU per event through a shard actor at a fixed rate. It includes
/// what a shard costs at that rate besides the events themselves (commit
/// polls, session saves, threads waking up), as a deployment pays it.
double shard_cpu_us_per_event(client& cl, const char* argv0, const std::string& compression) {
  sim_child sim{ argv0, cpu_rate, 0, ingest_guilds };
  auto c = std::make_shared<sink_counters>();
  auto sink = cl.sys->spawn(sink_router, c);
  auto shard = cl.spawn_shard(cl.options(sim.url, compression), sink);
  double us = 0;
  if (wait_until(
        [&] {
          return c->resets.load() > 0;
        },
        20s))
    us = cpu_per_event([&] {
      return c->events.load();
    });
  caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return us;
}

/// The same with a bare ws_client (inflate + scan on the I/O thread, no actor).
double bare_cpu_us_per_event(const char* argv0, const std::string& compression) {
  sim_child sim{ argv0, cpu_rate, 0, ingest_guilds };
  bare_client bc{ sim.url, compression, false, 0 };
  if (!wait_until(
        [&] {
          return bc.ready_ns.load() != 0;
        },
        20s))
    return 0;
  return cpu_per_event([&] {
    return bc.dispatches.load();
  });
}

// ---------------------------------------------------------------- RSS per idle shard

/// `bench_gateway rss COMPRESSION CERTDIR|-`: in a fresh process, RSS and live
/// heap with 1 shard connected, then with 128, measured twice: 1 s after READY
/// and the GUILD_CREATEs, and once every shard has been idle (no events, only
/// heartbeat ACKs) past its hibernate_after. Prints "<rss1> <rss128> <heap1>
/// <heap128>" for each, in bytes. The sim's heartbeat interval is 2 s and the
/// shards' hibernate_after 1 s (Discord's: 41.25 s; the default: 10 s), so an
/// idle shard's inflater hibernates at its first ACK after READY.
int run_rss_process(char** argv) {
  log::set_level(log::level::warn);
  std::string compression = argv[2];
  std::string dir = argv[3];
  net::tls_context tls;
  std::optional<net::cert_paths> leaf;
  if (dir != "-") {
    leaf = net::cert_paths{ dir + "/sim.pem", dir + "/sim.key" };
    auto ctx = net::make_client_context({ dir + "/ca.pem", {}, {} });
    if (!ctx) {
      std::fprintf(stderr, "tls: %s\n", ctx.error().what().c_str());
      return 1;
    }
    tls = *ctx;
  }
  sim_child sim{ argv[0], 0, 0, rss_guilds, leaf ? &*leaf : nullptr, rss_heartbeat_ms };
  client cl{ argv[0] };
  auto c = std::make_shared<sink_counters>();
  auto sink = cl.sys->spawn(sink_router, c);
  std::vector<caf::actor> shards;
  auto spawn = [&](uint32_t id) {
    auto o = cl.options(sim.url, compression, id, rss_shards, tls);
    o.hibernate_after = std::chrono::milliseconds{ rss_heartbeat_ms / 2 };
    shards.push_back(cl.spawn_shard(std::move(o), sink));
  };
  spawn(0);
  if (!cl.all_running(shards, 20s)) {
    std::fprintf(stderr, "rss: shard 0 did not become ready\n");
    return 1;
  }
  std::this_thread::sleep_for(1s);
  auto rss1 = rss_bytes();
  auto heap1 = heap_bytes();
  for (uint32_t id = 1; id < rss_shards; ++id)
    spawn(id);
  if (!cl.all_running(shards, 60s)) {
    std::fprintf(stderr, "rss: not all %u shards became ready\n", rss_shards);
    return 1;
  }
  std::this_thread::sleep_for(1s); // the GUILD_CREATEs after READY
  auto rss128 = rss_bytes();
  auto heap128 = heap_bytes();
  // Idle: two heartbeat intervals, so every shard got an ACK after a second
  // of silence (the one shard measured first has been idle longer still).
  std::this_thread::sleep_for(std::chrono::milliseconds{ 2 * rss_heartbeat_ms + 500 });
  auto idle_rss128 = rss_bytes();
  auto idle_heap128 = heap_bytes();
  std::printf("%zu %zu %zu %zu %zu %zu\n", rss1, rss128, heap1, heap128, idle_rss128, idle_heap128);
  std::fflush(stdout);
  for (auto& s : shards)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return 0;
}

struct rss_result {
  double rss_kib = 0; // 1 s after READY
  double heap_kib = 0;
  double idle_rss_kib = 0; // after idling past hibernate_after
  double idle_heap_kib = 0;
};

rss_result rss_per_shard(const char* argv0, const std::string& compression,
                         const std::string& certdir) {
  auto child = oneway::start_self(argv0, { "rss", compression, certdir });
  auto line = child.read_line();
  child.finish();
  size_t rss1 = 0, rss128 = 0, heap1 = 0, heap128 = 0, idle_rss128 = 0, idle_heap128 = 0;
  if (std::sscanf(line.c_str(), "%zu %zu %zu %zu %zu %zu", &rss1, &rss128, &heap1, &heap128,
                  &idle_rss128, &idle_heap128)
      != 6) {
    std::fprintf(stderr, "rss (%s, %s): child said \"%s\"\n", compression.c_str(), certdir.c_str(),
                 line.c_str());
    return {};
  }
  auto per = [](size_t one, size_t many) {
    return (static_cast<double>(many) - static_cast<double>(one)) / (rss_shards - 1) / 1024.0;
  };
  // The one shard of the first figure is idle by the second as well.
  return { per(rss1, rss128), per(heap1, heap128), per(rss1, idle_rss128),
           per(heap1, idle_heap128) };
}

/// Where an idle shard's memory goes: `bench_gateway probe COMPRESSION
/// CERTDIR|-`, in a fresh process, (a) 128 bare net::ws_clients connected and
/// identified as shards [i, 128], idle after READY and their GUILD_CREATEs (no
/// inflater, no actor), then (b) 128 inflaters fed the frames client 0 got.
/// Prints "<ws rss> <ws heap> <inflater rss> <inflater heap>", bytes per one.
int run_probe_process(char** argv) {
  log::set_level(log::level::warn);
  std::string compression = argv[2];
  std::string dir = argv[3];
  net::tls_context tls;
  std::optional<net::cert_paths> leaf;
  if (dir != "-") {
    leaf = net::cert_paths{ dir + "/sim.pem", dir + "/sim.key" };
    auto ctx = net::make_client_context({ dir + "/ca.pem", {}, {} });
    if (!ctx)
      return 1;
    tls = *ctx;
    // An experiment, not what net/ does today: OpenSSL frees a connection's
    // read and write buffers while they are empty.
    if (argv[4] != nullptr && std::string{ argv[4] } == "release")
      SSL_CTX_set_mode(tls->native_handle(), SSL_MODE_RELEASE_BUFFERS);
  }
  sim_child sim{ argv[0], 0, 0, rss_guilds, leaf ? &*leaf : nullptr };
  net::io_pool io{ 1 };
  std::mutex mtx;
  std::vector<std::string> frames; // what client 0 received
  std::atomic<uint32_t> opened{ 0 };
  std::vector<std::shared_ptr<net::ws_client>> clients(rss_shards);
  auto rss0 = rss_bytes();
  auto heap0 = heap_bytes();
  for (uint32_t i = 0; i < rss_shards; ++i) {
    net::ws_client_options wo;
    wo.url = sim.url + "/?v=10&encoding=json&compress=" + compression;
    wo.tls = tls;
    auto identify = identify_json(i, rss_shards);
    auto created = net::ws_client::create(io.context(), wo,
                                          { [&, i, identify] {
                                             clients[i]->send(identify, false);
                                             ++opened;
                                           },
                                            [&, i](std::string_view data, bool) {
                                              if (i != 0)
                                                return;
                                              std::lock_guard<std::mutex> guard{ mtx };
                                              frames.emplace_back(data);
                                            },
                                            [](const net::ws_close_info&) {},
                                            {} });
    if (!created)
      return 1;
    clients[i] = *created;
  }
  for (auto& c : clients)
    c->connect();
  if (!wait_until(
        [&] {
          return opened.load() == rss_shards;
        },
        30s))
    return 1;
  std::this_thread::sleep_for(1500ms); // READY and the GUILD_CREATEs arrive
  auto rss1 = rss_bytes();
  auto heap1 = heap_bytes();
  std::vector<std::unique_ptr<any_inflater>> inflaters;
  {
    std::lock_guard<std::mutex> guard{ mtx };
    for (uint32_t i = 0; i < rss_shards; ++i) {
      inflaters.push_back(std::make_unique<any_inflater>(compression));
      for (auto& f : frames)
        (void)inflaters.back()->feed(f);
    }
  }
  auto rss2 = rss_bytes();
  auto heap2 = heap_bytes();
  std::printf("%.0f %.0f %.0f %.0f\n",
              (static_cast<double>(rss1) - static_cast<double>(rss0)) / rss_shards,
              (static_cast<double>(heap1) - static_cast<double>(heap0)) / rss_shards,
              (static_cast<double>(rss2) - static_cast<double>(rss1)) / rss_shards,
              (static_cast<double>(heap2) - static_cast<double>(heap1)) / rss_shards);
  std::fflush(stdout);
  for (auto& c : clients)
    c->abort();
  io.stop();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "sim" && argc > 6)
    return run_sim_process(argv);
  if (mode == "rss" && argc > 3)
    return run_rss_process(argv);
  if (mode == "probe" && argc > 3)
    return run_probe_process(argv);
  log::set_level(log::level::warn);
  bool ingest_only = mode == "ingest"; // phases 1 + 2 only (profiling)
  auto started = std::chrono::steady_clock::now();

  // 1 + 2: ingest through a shard actor vs bare inflate + scan on the same bytes.
  const uint64_t last_seq = 1 + ingest_guilds + ingest_events; // READY, GUILD_CREATEs, stream
  struct ingest_figures {
    std::string compression;
    double ingest = 0, baseline = 0, bare = 0, sim_rate = 0, from_sim = 0;
    double io_us = 0, other_us = 0, per_message = 0;
    size_t max_frame = 0, max_message = 0;
  };
  std::vector<ingest_figures> ingest;
  {
    client cl{ argv[0] };
    for (const char* compression : compressions) {
      ingest_figures f;
      f.compression = compression;
      sim_child sim{ argv[0], 1e9, ingest_events, ingest_guilds };
      bare_client cap{ sim.url, compression, true, last_seq };
      f.sim_rate = cap.wait_rate(60s);
      cap.ws->abort();
      cap.io.stop(); // the frames are ours now
      f.from_sim = ingest_rate(cl, sim.url, compression, last_seq).rate;
      replay_server replay{ cap.frames };
      std::vector<double> base, rates, bare, io_us, other_us, per_message;
      for (int i = 0; i < reps; ++i) {
        base.push_back(inflate_scan_rate(cap, compression));
        auto run = ingest_rate(cl, replay.url(), compression, last_seq);
        rates.push_back(run.rate);
        io_us.push_back(run.io_us);
        other_us.push_back(run.other_us);
        per_message.push_back(run.per_message);
        bare_client bc{ replay.url(), compression, false, last_seq };
        bare.push_back(bc.wait_rate(60s));
      }
      f.ingest = bench::median(rates);
      f.baseline = bench::median(base);
      f.bare = bench::median(bare);
      f.io_us = bench::median(io_us);
      f.other_us = bench::median(other_us);
      f.per_message = bench::median(per_message);
      any_inflater inflater{ compression };
      for (auto& frame : cap.frames) {
        f.max_frame = std::max(f.max_frame, frame.size());
        f.max_message = std::max(f.max_message, inflater.feed(frame).size());
      }
      ingest.push_back(f);
    }
  }
  std::printf("# phase 1+2 (ingest) %.1f s\n", bench::seconds_since(started));
  for (auto& f : ingest) {
    auto base_name = "gateway.baseline.inflate_scan." + f.compression;
    bench::report(base_name, f.baseline, "events/s", {}, 0,
                  "bare inflate + envelope scan over the captured sim stream");
    bench::report("gateway.ingest." + f.compression, f.ingest, "events/s", base_name, f.baseline,
                  "one shard actor, same bytes replayed, READY to N-th event (goal >= 0.5)");
    bench::report("gateway.bare_ws_client." + f.compression, f.bare, "events/s", base_name,
                  f.baseline, "ws_client + inflate + scan, no actor, same replay");
    bench::report("gateway.sim_send_rate." + f.compression, f.sim_rate, "events/s", base_name,
                  f.baseline, "bare ws_client from the sim itself (its ceiling), one run");
    bench::report("gateway.ingest_from_sim." + f.compression, f.from_sim, "events/s",
                  "gateway.sim_send_rate." + f.compression, f.sim_rate,
                  "one shard actor fed by the sim, one run");
    bench::report("gateway.ingest_cpu.io_thread." + f.compression, f.io_us, "us/event", {}, 0,
                  "CPU of the I/O thread during ingest: socket, frames, inflate");
    bench::report("gateway.ingest_cpu.other_threads." + f.compression, f.other_us, "us/event", {},
                  0, "CPU of the rest: CAF workers (scan, hand-off, sink), replay writer");
    std::printf("# %s: %.0f events per message to the router (a socket read's, cut at 64 KiB)\n",
                f.compression.c_str(), f.per_message);
    std::printf("# %s: largest frame %.1f KiB compressed, %.1f KiB inflated\n",
                f.compression.c_str(), static_cast<double>(f.max_frame) / 1024,
                static_cast<double>(f.max_message) / 1024);
  }

  if (ingest_only)
    return 0;

  // 3: CPU per event at a fixed rate, next to a bare ws_client at that rate.
  {
    client cl{ argv[0] };
    for (auto& f : ingest) {
      auto bare_us = bare_cpu_us_per_event(argv[0], f.compression);
      auto us = shard_cpu_us_per_event(cl, argv[0], f.compression);
      auto base_name = "gateway.bare_ws_client.cpu_us_per_event." + f.compression;
      bench::report(base_name, bare_us, "us/event", {}, 0,
                    "ws_client + inflate + scan at 2000 events/s, process CPU");
      bench::report("gateway.cpu_us_per_event." + f.compression, us, "us/event", base_name, bare_us,
                    "one shard actor at 2000 events/s, process CPU, 5 x 1 s median");
    }
  }
  std::printf("# phase 3 (cpu) %.1f s\n", bench::seconds_since(started));

  // 4: RSS per connected idle shard; each configuration in a fresh process.
  char tmpl[] = "/tmp/bench_gateway.XXXXXX";
  std::string certdir = ::mkdtemp(tmpl) ? tmpl : "";
  bool have_tls = !certdir.empty() && net::make_ca(certdir)
                  && net::make_leaf(certdir, "sim", { "IP:127.0.0.1" });
  struct rss_config {
    std::string name;
    std::string compression;
    bool tls;
    const char* note;
  };
  const rss_config configs[] = {
    { "zlib-stream", "zlib-stream", false, "(RSS@128 - RSS@1) / 127, ws:// (goal <= 48 KiB)" },
    { "zstd-stream", "zstd-stream", false, "(RSS@128 - RSS@1) / 127, ws://" },
    { "zlib-stream.tls", "zlib-stream", true, "(RSS@128 - RSS@1) / 127, wss://" },
    { "zstd-stream.tls", "zstd-stream", true, "(RSS@128 - RSS@1) / 127, wss://" },
  };
  double tls_ws_rss = 0;
  for (auto& cfg : configs) {
    if (cfg.tls && !have_tls) {
      std::fprintf(stderr, "no test certificates; skipping %s\n", cfg.name.c_str());
      continue;
    }
    auto dir = cfg.tls ? certdir : std::string{ "-" };
    auto r = rss_per_shard(argv[0], cfg.compression, dir);
    bench::report("gateway.rss_per_idle_shard." + cfg.name, r.idle_rss_kib, "KiB", {}, 0, cfg.note);
    bench::report("gateway.heap_per_idle_shard." + cfg.name, r.idle_heap_kib, "KiB", {}, 0,
                  "live malloc bytes (mallinfo2), same runs");
    bench::report("gateway.rss_per_shard_after_ready." + cfg.name, r.rss_kib, "KiB", {}, 0,
                  "the same, 1 s after READY + GUILD_CREATEs (not idle yet)");
    bench::report("gateway.heap_per_shard_after_ready." + cfg.name, r.heap_kib, "KiB", {}, 0,
                  "live malloc bytes then");
    auto probe = oneway::start_self(argv[0], { "probe", cfg.compression, dir });
    auto line = probe.read_line();
    probe.finish();
    double ws_rss = 0, ws_heap = 0, inf_rss = 0, inf_heap = 0;
    if (std::sscanf(line.c_str(), "%lf %lf %lf %lf", &ws_rss, &ws_heap, &inf_rss, &inf_heap) != 4) {
      std::fprintf(stderr, "probe (%s): child said \"%s\"\n", cfg.name.c_str(), line.c_str());
      continue;
    }
    char note[160];
    std::snprintf(note, sizeof(note), "of it: bare idle ws_client, RSS; live heap %.1f KiB",
                  ws_heap / 1024);
    bench::report("gateway.mem.ws_client." + cfg.name, ws_rss / 1024, "KiB", {}, 0, note);
    if (cfg.name == "zlib-stream.tls")
      tls_ws_rss = ws_rss / 1024;
    std::snprintf(note, sizeof(note),
                  "of it: inflater after READY + GUILD_CREATEs, RSS; heap %.1f KiB",
                  inf_heap / 1024);
    bench::report("gateway.mem.inflater." + cfg.name, inf_rss / 1024, "KiB", {}, 0, note);
  }
  if (have_tls) {
    auto probe = oneway::start_self(argv[0], { "probe", "zlib-stream", certdir, "release" });
    auto line = probe.read_line();
    probe.finish();
    double ws_rss = 0, ws_heap = 0;
    if (std::sscanf(line.c_str(), "%lf %lf", &ws_rss, &ws_heap) == 2)
      bench::report("gateway.mem.ws_client.tls.release_buffers", ws_rss / 1024, "KiB",
                    "gateway.mem.ws_client.zlib-stream.tls", tls_ws_rss,
                    "experiment: SSL_MODE_RELEASE_BUFFERS on the client context");
  }
  if (!certdir.empty())
    std::filesystem::remove_all(certdir);
  std::printf("# bench_gateway took %.1f s\n", bench::seconds_since(started));
  return 0;
}
