// net/ throughput: (1) zlib-stream and zstd-stream inflate MB/s on a gateway
// stream like a session's: the recorded Discord captures once
// (tests/fixtures/discord-captures: HELLO, READY, a 48 KB GUILD_CREATE, ...),
// then 40,000 dispatches from the simulator's event generator (messages,
// reactions, typing, presences, ... with fresh ids, timestamps and content, so
// a compressor cannot turn the stream into back-references to one repeated
// block), compressed as one stream per transport by net's own compressors;
// memcpy of the same output is the ceiling. (2) http_client requests/s against
// net::http_server on 127.0.0.1 with keep-alive versus a new connection per
// request (baseline); both loops check the connections they opened.
//
//   build/bench/bench_net
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/io_pool.hpp"
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"
#include "sim/event_stream.hpp"
#include "sim/world.hpp"

namespace net = spectacles::net;
namespace sim = spectacles::sim;
namespace bench = spectacles::bench;

namespace {

constexpr int reps = 5;
constexpr size_t generated_events = 40000;

std::vector<std::string> load_captures() {
  std::vector<std::string> out;
  std::vector<std::filesystem::path> paths;
  for (auto& entry :
       std::filesystem::directory_iterator(SPECTACLES_FIXTURES_DIR "/discord-captures"))
    if (entry.path().filename().string().starts_with("gateway_"))
      paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (auto& p : paths) {
    std::ifstream in{ p, std::ios::binary };
    std::ostringstream s;
    s << in.rdbuf();
    out.push_back(s.str());
  }
  return out;
}

/// The captures, then the sim's generated dispatches with increasing seq.
std::vector<std::string> session_stream() {
  auto out = load_captures();
  sim::world_options wo;
  wo.guilds = 8;
  sim::world state{ wo };
  sim::event_stream events{ state.guild_ids(), sim::intents::all };
  auto now = sim::sim_clock::now();
  sim::dispatch_event ev;
  for (size_t seq = 1; seq <= generated_events && events.next(state, now, ev); ++seq) {
    out.push_back(sim::dispatch_frame(ev.name, seq, ev.data));
    now += std::chrono::milliseconds(37);
  }
  return out;
}

template <class Compressor>
std::vector<std::string> compress_stream(const std::vector<std::string>& messages) {
  Compressor c;
  std::vector<std::string> frames;
  frames.reserve(messages.size());
  for (auto& m : messages)
    frames.emplace_back(*c.compress(m));
  return frames;
}

// Inflates every frame with a fresh inflater; returns MB/s of output (0 on a mismatch).
template <class Inflater>
double inflate_mb_s(const std::vector<std::string>& frames, size_t expected_bytes) {
  Inflater z;
  size_t total = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto& f : frames) {
    auto r = z.feed(f);
    if (!r)
      return 0;
    if constexpr (std::is_same_v<Inflater, net::zlib_inflater>)
      total += r->has_value() ? (*r)->size() : 0;
    else
      total += r->size();
  }
  auto s = bench::seconds_since(t0);
  return total == expected_bytes ? static_cast<double>(total) / s / 1e6 : 0;
}

double memcpy_mb_s(const std::vector<std::string>& messages) {
  std::string dst(1 << 20, '\0');
  size_t total = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto& m : messages) {
    if (dst.size() < m.size())
      dst.resize(m.size());
    std::memcpy(dst.data(), m.data(), m.size());
    total += m.size();
  }
  auto s = bench::seconds_since(t0);
  // Keep the copy observable.
  volatile char sink = dst[total % dst.size()];
  (void)sink;
  return static_cast<double>(total) / s / 1e6;
}

void bench_inflate() {
  auto messages = session_stream();
  size_t expected = 0;
  for (auto& m : messages)
    expected += m.size();
  auto zlib_frames = compress_stream<net::zlib_deflater>(messages);
  auto zstd_frames = compress_stream<net::zstd_deflater>(messages);
  size_t zlib_bytes = 0, zstd_bytes = 0;
  for (auto& f : zlib_frames)
    zlib_bytes += f.size();
  for (auto& f : zstd_frames)
    zstd_bytes += f.size();
  std::vector<double> zl, zs, mc;
  for (int i = 0; i < reps; ++i) {
    zl.push_back(inflate_mb_s<net::zlib_inflater>(zlib_frames, expected));
    zs.push_back(inflate_mb_s<net::zstd_inflater>(zstd_frames, expected));
    mc.push_back(memcpy_mb_s(messages));
  }
  char note[200];
  std::snprintf(note, sizeof(note), "%zu messages, %.1f MB out, ratio zlib %.1fx zstd %.1fx",
                zlib_frames.size(), static_cast<double>(expected) / 1e6,
                static_cast<double>(expected) / static_cast<double>(zlib_bytes),
                static_cast<double>(expected) / static_cast<double>(zstd_bytes));
  auto base = bench::median(mc);
  bench::report("net memcpy of the gateway stream", base, "MB/s", {}, 0, note);
  bench::report("net zlib-stream inflate", bench::median(zl), "MB/s",
                "net memcpy of the gateway stream", base, note);
  bench::report("net zstd-stream inflate", bench::median(zs), "MB/s",
                "net memcpy of the gateway stream", base, note);
}

/// 0 when a request failed or the loop did not open the connections it
/// claims (one with keep-alive, one per request without).
double requests_per_s(net::http_client& client, const std::string& url, bool keep_alive, int n) {
  net::http_headers headers;
  if (!keep_alive)
    headers.emplace_back("Connection", "close");
  client.close_idle(); // each loop starts without a pooled connection
  auto opened_before = client.connections_opened();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto r = client.request_sync("GET", url, headers);
    if (!r || r->status != 200) {
      std::fprintf(stderr, "request failed: %s\n", r ? "bad status" : r.error().what().c_str());
      return 0;
    }
  }
  auto rate = n / bench::seconds_since(t0);
  auto opened = client.connections_opened() - opened_before;
  if (keep_alive ? opened != 1 : opened != static_cast<size_t>(n)) {
    std::fprintf(stderr, "%d requests opened %zu connections (keep-alive %s)\n", n,
                 static_cast<size_t>(opened), keep_alive ? "on" : "off");
    return 0;
  }
  return rate;
}

void bench_http() {
  net::io_pool server_io{ 1 };
  net::io_pool client_io{ 1 };
  auto server = net::http_server::start(
    server_io.context(), {}, [](net::http_request&&, net::http_responder respond) {
      respond(net::http_response{ 200,
                                  { { "Content-Type", "application/json" } },
                                  R"({"id":"80351110224678912","username":"Nelly"})" });
    });
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().what().c_str());
    return;
  }
  net::http_client_options opts;
  opts.max_connections_per_host = 1;
  auto client = net::http_client::create(client_io.context(), opts);
  if (!client)
    return;
  auto url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/api/v10/users/@me";
  std::vector<double> with, without;
  for (int i = 0; i < reps; ++i) {
    with.push_back(requests_per_s(**client, url, true, 3000));
    without.push_back(requests_per_s(**client, url, false, 1000));
  }
  auto base = bench::median(without);
  bench::report("net http_client sequential, new connection each", base, "req/s", {}, 0,
                "1 client thread, 1 server thread, 127.0.0.1");
  bench::report("net http_client sequential, keep-alive", bench::median(with), "req/s",
                "net http_client sequential, new connection each", base,
                "1 client thread, 1 server thread, 127.0.0.1");
  (*server)->stop();
}

} // namespace

int main() {
  bench_inflate();
  bench_http();
  return 0;
}
