// discord-sim: a Discord-compatible gateway + REST server on loopback, for
// tests, benchmarks and the embedded demo. Prints its ports as one JSON line,
// runs until SIGINT/SIGTERM, then prints the verdict to stderr.
//
//   discord-sim --shards=2 --event-rate=50 --fault=zombie@shard:0+after:100
//   {"gateway":40123,"resume_gateway":40124,"rest":40125,"tls":false,...}
#include "net/log.hpp"
#include "sim/simulator.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

using namespace spectacles;

namespace {

constexpr std::string_view usage
  = R"(discord-sim: a Discord-compatible gateway and REST API on loopback

Usage: discord-sim [--flag=value ...]

Listening
  --host=ADDR                 address to bind (default 127.0.0.1)
  --gateway-port=N            gateway WebSocket port (default 0 = any free port)
  --resume-port=N             resume_gateway_url port, distinct from the gateway (default 0)
  --rest-port=N               REST port, /api/v10 and /_sim/* (default 0)
  --tls-cert=FILE             PEM certificate chain; with --tls-key, wss:// and https://
  --tls-key=FILE              PEM private key
  --io-threads=N              I/O threads (default 1)

Bot and sessions
  --token=TOKEN               the valid bot token (default sim-token)
  --shards=N                  recommended shard count in GET /gateway/bot (default 1)
  --required-shards=N         IDENTIFY must use this shard count, else 4010 (default 0 = any)
  --max-concurrency=N         session_start_limit.max_concurrency (default 1)
  --session-start-total=N     session_start_limit.total (default 1000)
  --session-start-remaining=N session_start_limit.remaining (default 1000)
  --privileged-intents=MASK   privileged intents the bot may use (default 33026 = all;
                              0 makes GUILD_MEMBERS/PRESENCES/MESSAGE_CONTENT close 4014)

World
  --guilds=N                  guilds (default 4), spread over shards by (id >> 22) % shards
  --channels=N                text channels per guild (default 3)
  --members=N                 members per guild (default 25)
  --roles=N                   roles per guild besides @everyone (default 3)

Gateway behaviour
  --heartbeat-interval=MS     HELLO heartbeat_interval (default 41250)
  --event-rate=N              dispatch events per second per session (default 0)
  --max-events=N              stop each session's stream after N events (default 0 = never)
  --replay-buffer=N           dispatches kept per session for RESUME (default 2048)
  --session-timeout=MS        a detached session can be resumed this long (default 180000)
  --member-chunk=N            members per GUILD_MEMBERS_CHUNK (default 1000)

REST limits
  --global-limit=N            requests per second per token (default 50)
  --no-rate-limits            lift every REST limit (benchmarks)

Faults (repeatable; also POST /_sim/faults with one spec per line)
  --fault=SPEC                zombie | reconnect | invalid_session:true|false | close:CODE
                              | drop | corrupt | pause:MS | heartbeat_request
                              [@shard:N][+after:SEQ]
                              rest_5xx:STATUSxK | rest_429:user|global|shared[/MS]xK | rest_slow:MSxK
                              | rest_resetxK

Other
  --log-level=LEVEL           trace, debug, info, warn, error, off (default info)
  --help                      this text

Endpoints besides /api/v10: GET /_sim/verdict, GET|POST /_sim/faults, GET /_sim/requests.
)";

bool flag(std::string_view arg, std::string_view name, std::string& value) {
  if (arg.substr(0, name.size()) != name)
    return false;
  if (arg.size() == name.size()) {
    value.clear();
    return true;
  }
  if (arg[name.size()] != '=')
    return false;
  value = std::string{ arg.substr(name.size() + 1) };
  return true;
}

template <class T>
bool number(const std::string& text, T& out) {
  try {
    size_t used = 0;
    auto v = std::stoull(text, &used);
    if (used != text.size())
      return false;
    out = static_cast<T>(v);
    return true;
  } catch (...) {
    return false;
  }
}

} // namespace

int main(int argc, char** argv) {
  sim::simulator_options o;
  o.gateway.heartbeat_interval = sim::milliseconds{ 41250 };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string v;
    bool ok = true;
    uint64_t n = 0;
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    } else if (flag(arg, "--host", v)) {
      o.host = v;
    } else if (flag(arg, "--gateway-port", v)) {
      ok = number(v, o.gateway_port);
    } else if (flag(arg, "--resume-port", v)) {
      ok = number(v, o.resume_port);
    } else if (flag(arg, "--rest-port", v)) {
      ok = number(v, o.rest_port);
    } else if (flag(arg, "--tls-cert", v)) {
      o.tls_cert = v;
    } else if (flag(arg, "--tls-key", v)) {
      o.tls_key = v;
    } else if (flag(arg, "--io-threads", v)) {
      ok = number(v, o.io_threads);
    } else if (flag(arg, "--token", v)) {
      o.token = v;
      ok = !v.empty();
    } else if (flag(arg, "--shards", v)) {
      ok = number(v, o.shards) && o.shards > 0;
    } else if (flag(arg, "--required-shards", v)) {
      ok = number(v, o.gateway.required_shards);
    } else if (flag(arg, "--max-concurrency", v)) {
      ok = number(v, o.start_limit.max_concurrency) && o.start_limit.max_concurrency > 0;
    } else if (flag(arg, "--session-start-total", v)) {
      ok = number(v, o.start_limit.total);
    } else if (flag(arg, "--session-start-remaining", v)) {
      ok = number(v, o.start_limit.remaining);
    } else if (flag(arg, "--privileged-intents", v)) {
      ok = number(v, o.gateway.allowed_privileged);
    } else if (flag(arg, "--guilds", v)) {
      ok = number(v, o.world.guilds);
    } else if (flag(arg, "--channels", v)) {
      ok = number(v, o.world.channels_per_guild);
    } else if (flag(arg, "--members", v)) {
      ok = number(v, o.world.members_per_guild);
    } else if (flag(arg, "--roles", v)) {
      ok = number(v, o.world.roles_per_guild);
    } else if (flag(arg, "--heartbeat-interval", v)) {
      ok = number(v, n) && n > 0;
      o.gateway.heartbeat_interval = sim::milliseconds{ n };
    } else if (flag(arg, "--event-rate", v)) {
      try {
        o.gateway.events_per_second = std::stod(v);
      } catch (...) {
        ok = false;
      }
    } else if (flag(arg, "--max-events", v)) {
      ok = number(v, o.gateway.max_events);
    } else if (flag(arg, "--replay-buffer", v)) {
      ok = number(v, o.gateway.replay_buffer) && o.gateway.replay_buffer > 0;
    } else if (flag(arg, "--session-timeout", v)) {
      ok = number(v, n);
      o.gateway.session_timeout = sim::milliseconds{ n };
    } else if (flag(arg, "--member-chunk", v)) {
      ok = number(v, o.gateway.member_chunk_size) && o.gateway.member_chunk_size > 0;
    } else if (flag(arg, "--global-limit", v)) {
      ok = number(v, o.limits.global_per_second);
    } else if (arg == "--no-rate-limits") {
      o.limits.enabled = false;
    } else if (flag(arg, "--fault", v)) {
      o.faults.push_back(v);
    } else if (flag(arg, "--log-level", v)) {
      auto lvl = log::parse_level(v);
      ok = lvl.has_value();
      if (lvl)
        log::set_level(*lvl);
    } else {
      std::cerr << "discord-sim: unknown flag '" << arg << "' (see --help)\n";
      return 2;
    }
    if (!ok) {
      std::cerr << "discord-sim: bad value in '" << arg << "' (see --help)\n";
      return 2;
    }
  }
  log::add_secret(o.token);
  // Block the signals before any thread starts, then wait for them here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto sim = sim::simulator::start(o);
  if (!sim) {
    std::cerr << "discord-sim: " << sim.error().what() << "\n";
    return 1;
  }
  std::cout << (*sim)->ports_json() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  auto tally = (*sim)->verdict_snapshot();
  (*sim)->stop();
  std::cerr << tally.to_json() << std::endl;
  return 0;
}
