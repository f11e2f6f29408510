// The discord-sim executable as users run it: --help, bad flags, and a fault
// given on the command line, seen by net::ws_client over ws:// and wss://.
#define CAF_SUITE sim.discord_sim_cli

#include "caf/test/unit_test.hpp"

#include "net/http_client.hpp"
#include "tests/sim/support.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

#ifdef SPECTACLES_SIM_BIN

using namespace spectacles;
using namespace spectacles::sim::testing;
using namespace std::chrono_literals;

namespace {

// discord-sim as a child process: stdout is a pipe (its first line is the
// ports JSON), stderr goes to a file (errors, and the verdict at exit). The
// destructor kills and reaps it, so no test leaves one behind.
class sim_process {
public:
  sim_process(std::vector<std::string> args, std::string stderr_file)
      : stderr_file_(std::move(stderr_file)) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
      return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_file_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string bin = SPECTACLES_SIM_BIN;
    std::vector<char*> argv{ bin.data() };
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    out_ = out[0];
  }

  sim_process(const sim_process&) = delete;
  sim_process& operator=(const sim_process&) = delete;

  ~sim_process() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      wait(10s);
    }
    if (out_ >= 0)
      ::close(out_);
  }

  bool running() const {
    return pid_ > 0 && !exited_;
  }

  void signal(int sig) {
    if (running())
      ::kill(pid_, sig);
  }

  /// The next line of stdout (without the newline); nullopt on EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        auto line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      if (!fill(deadline))
        return std::nullopt;
    }
  }

  /// Everything on stdout until the child closes it.
  std::string read_all(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {
    }
    return std::exchange(buffer_, {});
  }

  /// Waits for the exit; its status, -1 when a signal ended it, -2 on timeout.
  int wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0)
      return -2;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exited_) {
      int st = 0;
      auto r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      } else if (r < 0 || std::chrono::steady_clock::now() >= deadline) {
        return -2;
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
    return status_;
  }

  std::string stderr_text() const {
    std::ifstream in{ stderr_file_ };
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

private:
  // Reads what is there (waiting until `deadline`); false on EOF or timeout.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    if (out_ < 0)
      return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd pfd{ out_, POLLIN, 0 };
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char buf[4096];
    auto n = ::read(out_, buf, sizeof(buf));
    if (n <= 0)
      return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  std::string stderr_file_;
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool exited_ = false;
  int status_ = -1;
};

// The flags sim/main.cpp parses: flag(arg, "--x", v) and arg == "--x".
std::set<std::string> parsed_flags() {
  std::ifstream in{ SPECTACLES_FIXTURES_DIR "/../../sim/main.cpp" };
  std::stringstream ss;
  ss << in.rdbuf();
  auto source = ss.str();
  std::set<std::string> out;
  std::regex pattern{ R"((?:flag\(arg, |arg == )\"(--[a-z0-9-]+)\")" };
  for (std::sregex_iterator i{ source.begin(), source.end(), pattern }, end; i != end; ++i)
    out.insert((*i)[1].str());
  return out;
}

// Every "--word" in a text.
std::set<std::string> mentioned_flags(const std::string& text) {
  std::set<std::string> out;
  std::regex pattern{ R"((^|[^a-z0-9-])(--[a-z0-9-]+))" };
  for (std::sregex_iterator i{ text.begin(), text.end(), pattern }, end; i != end; ++i)
    out.insert((*i)[2].str());
  return out;
}

} // namespace

CAF_TEST(help exits 0 and documents every flag main parses) {
  temp_dir dir;
  sim_process p{ { "--help" }, dir.path + "/stderr" };
  auto help = p.read_all(10s);
  auto status = p.wait(10s);
  CAF_CHECK_EQUAL(status, 0);
  auto parsed = parsed_flags();
  CAF_MESSAGE(parsed.size() << " flags parsed in sim/main.cpp");
  CAF_REQUIRE_GREATER_OR_EQUAL(parsed.size(), 25u); // the extraction found them
  CAF_CHECK_EQUAL(parsed.count("--fault"), 1u);
  auto mentioned = mentioned_flags(help);
  for (auto& f : parsed)
    if (mentioned.count(f) == 0)
      CAF_FAIL("--help does not mention " << f);
  // And the help promises no flag that main does not parse ("--flag=value"
  // is the usage pattern).
  mentioned.erase("--flag");
  for (auto& f : mentioned)
    if (parsed.count(f) == 0)
      CAF_FAIL("--help mentions " << f << ", which main does not parse");
}

CAF_TEST(unknown flags and bad faults fail with an exit code) {
  temp_dir dir;
  {
    sim_process p{ { "--no-such-flag" }, dir.path + "/unknown" };
    auto status = p.wait(10s);
    CAF_CHECK_EQUAL(status, 2);
    auto err = p.stderr_text();
    CAF_CHECK(err.find("unknown flag '--no-such-flag'") != std::string::npos);
  }
  {
    sim_process p{ { "--fault=nonsense@shard:0", "--gateway-port=0" }, dir.path + "/fault" };
    auto status = p.wait(10s);
    CAF_CHECK_EQUAL(status, 1);
    auto err = p.stderr_text();
    CAF_CHECK(err.find("--fault: unknown fault 'nonsense'") != std::string::npos);
    auto out = p.read_all(1s);
    CAF_CHECK_EQUAL(out, ""); // no ports line when it did not start
  }
}

CAF_TEST(a fault from the command line reaches the client over ws and wss) {
  for (bool use_tls : { false, true }) {
    temp_dir dir;
    std::vector<std::string> args{ "--gateway-port=0",
                                   "--resume-port=0",
                                   "--rest-port=0",
                                   "--guilds=2",
                                   "--heartbeat-interval=60000",
                                   "--fault=close:4000@shard:0",
                                   "--fault=rest_5xx:503x1",
                                   "--log-level=warn" };
    net::tls_context tls;
    if (use_tls) {
      CAF_REQUIRE(net::make_ca(dir.path, "sim test CA"));
      CAF_REQUIRE(net::make_leaf(dir.path, "localhost", { "DNS:localhost", "IP:127.0.0.1" }));
      args.push_back("--tls-cert=" + dir.path + "/localhost.pem");
      args.push_back("--tls-key=" + dir.path + "/localhost.key");
      auto ctx = net::make_client_context({ dir.path + "/ca.pem", {}, {} });
      CAF_REQUIRE(ctx);
      tls = *ctx;
    }
    sim_process p{ args, dir.path + "/stderr" };
    auto line = p.read_line(20s);
    if (!line)
      CAF_FAIL("no ports line from discord-sim; stderr: " << p.stderr_text());
    CAF_MESSAGE("discord-sim: " << *line);
    simdjson::dom::parser parser;
    simdjson::dom::element ports;
    CAF_REQUIRE(!parser.parse(*line).get(ports));
    uint64_t gateway = 0;
    bool is_tls = !use_tls;
    std::string_view url;
    CAF_REQUIRE(!ports["gateway"].get_uint64().get(gateway));
    CAF_REQUIRE(!ports["tls"].get_bool().get(is_tls));
    CAF_REQUIRE(!ports["gateway_url"].get_string().get(url));
    CAF_CHECK_NOT_EQUAL(gateway, 0u);
    CAF_CHECK_EQUAL(is_tls, use_tls);
    std::string gateway_url{ url };
    auto expected_url
      = std::string{ use_tls ? "wss" : "ws" } + "://127.0.0.1:" + std::to_string(gateway);
    CAF_CHECK_EQUAL(gateway_url, expected_url);
    {
      gateway_probe probe;
      gateway_probe::options o;
      o.tls = tls;
      CAF_REQUIRE(probe.start(gateway_url, o));
      // The scripted close comes as soon as the session is ready.
      auto info = probe.wait_closed(10s);
      CAF_REQUIRE(info.has_value());
      CAF_CHECK_EQUAL(info->code, 4000u);
      CAF_CHECK(info->clean);
      auto st = probe.snapshot();
      auto readies = st.count(std::string{ "READY" });
      auto guilds = st.count(std::string{ "GUILD_CREATE" });
      CAF_CHECK_EQUAL(readies, 1u);
      CAF_CHECK_EQUAL(guilds, 2u);
    }
    {
      // The REST fault from the command line: one 503, then normal answers.
      std::string_view rest_url;
      CAF_REQUIRE(!ports["rest_url"].get_string().get(rest_url));
      auto me = std::string{ rest_url } + "/users/@me";
      net::io_pool io{ 1 };
      net::http_client_options ho;
      ho.tls = tls;
      auto client = net::http_client::create(io.context(), ho);
      CAF_REQUIRE(client);
      const net::http_headers auth{ { "Authorization", "Bot sim-token" } };
      auto first = (*client)->request_sync("GET", me, auth);
      auto second = (*client)->request_sync("GET", me, auth);
      CAF_REQUIRE(first);
      CAF_REQUIRE(second);
      CAF_CHECK_EQUAL(first->status, 503u);
      CAF_CHECK_EQUAL(second->status, 200u);
    }
    // SIGTERM: a clean exit with the verdict on stderr.
    p.signal(SIGTERM);
    auto status = p.wait(20s);
    CAF_CHECK_EQUAL(status, 0);
    auto err = p.stderr_text();
    auto verdict_at = err.rfind("{\"clean\":");
    CAF_REQUIRE_NOT_EQUAL(verdict_at, std::string::npos);
    simdjson::dom::element verdict;
    CAF_REQUIRE(!parser.parse(err.substr(verdict_at)).get(verdict));
    int64_t closes = 0, identifies = 0;
    CAF_CHECK(!verdict["closes_sent"]["4000"].get_int64().get(closes));
    CAF_CHECK(!verdict["identify"]["total"].get_int64().get(identifies));
    CAF_CHECK_EQUAL(closes, 1);
    CAF_CHECK_EQUAL(identifies, 1);
  }
}

#else

CAF_TEST(discord - sim cli tests need SPECTACLES_SIM_BIN) {
  CAF_MESSAGE("SPECTACLES_SIM_BIN is not defined: skipped");
}

#endif
