#include "net/ws_client.hpp"

#define CAF_SUITE net.ws_client

#include "caf/test/unit_test.hpp"

#include "net/http_server.hpp"
#include "net/io_pool.hpp"
#include "tests/net/recorder.hpp"
#include "tests/net/stall_listener.hpp"
#include "tests/net/support.hpp"
#include "tests/net/ws_server.hpp"

#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace spectacles::net;
using spectacles::net::testing::ws_recorder;
using spectacles::net::testing::ws_server;

namespace {

struct fixture {
  io_pool io{ 1 };
  ws_recorder rec;
  std::shared_ptr<ws_client> client;

  // The I/O thread must be gone before `rec`: a session finishing late would
  // otherwise call into a destroyed recorder (LeakSanitizer saw its copy).
  ~fixture() {
    io.stop();
  }

  void connect(ws_client_options opts) {
    auto c = ws_client::create(io.context(), std::move(opts), rec.callbacks());
    CAF_REQUIRE(static_cast<bool>(c));
    client = *c;
    client->connect();
  }

  bool open() {
    if (rec.wait_open())
      return true;
    CAF_MESSAGE("not open: " << rec.failure);
    return false;
  }

  void connect(const std::string& url) {
    ws_client_options opts;
    opts.url = url;
    connect(std::move(opts));
  }
};

// A TLS server context for `dir`'s localhost certificate.
tls_context server_tls(const std::string& dir, const std::string& name = "localhost") {
  tls_server_options opts;
  opts.cert_file = dir + "/" + name + ".pem";
  opts.key_file = dir + "/" + name + ".key";
  auto ctx = make_server_context(opts);
  CAF_REQUIRE(static_cast<bool>(ctx));
  return *ctx;
}

tls_context client_tls(const std::string& ca_file) {
  tls_client_options opts;
  opts.ca_file = ca_file;
  auto ctx = make_client_context(opts);
  CAF_REQUIRE(static_cast<bool>(ctx));
  return *ctx;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(ws_client_tests, fixture)

CAF_TEST(text and binary frames round trip in order) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  CAF_CHECK_EQUAL(server.last_target(), "/?v=10&encoding=json");
  client->send(R"({"op":1,"d":null})", false);
  client->send(std::string("\x00\x01\x02\xff", 4), true);
  for (int i = 0; i < 50; ++i)
    client->send("m" + std::to_string(i), false);
  CAF_REQUIRE(rec.wait_messages(52));
  CAF_CHECK_EQUAL(rec.messages[0].first, R"({"op":1,"d":null})");
  CAF_CHECK(!rec.messages[0].second);
  CAF_CHECK_EQUAL(rec.messages[1].first, std::string("\x00\x01\x02\xff", 4));
  CAF_CHECK(rec.messages[1].second);
  for (int i = 0; i < 50; ++i)
    CAF_CHECK_EQUAL(rec.messages[2 + i].first, "m" + std::to_string(i));
  client->close(1000, "bye");
  auto info = rec.wait_closed();
  CAF_CHECK(info.clean);
  CAF_CHECK(info.local);
  CAF_CHECK(info.was_open);
  CAF_CHECK_EQUAL(info.code, 1000u);
  CAF_CHECK_EQUAL(client->queued(), 0u);
}

CAF_TEST(frames sent before the connection opens go out after the handshake) {
  ws_server server;
  ws_client_options opts;
  opts.url = server.url();
  auto c = ws_client::create(io.context(), opts, rec.callbacks());
  CAF_REQUIRE(static_cast<bool>(c));
  client = *c;
  client->send("early", false);
  client->connect();
  CAF_REQUIRE(rec.wait_messages(1));
  CAF_CHECK_EQUAL(rec.messages[0].first, "early");
}

CAF_TEST(on_written runs once its frame is out and never after the connection ended) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  std::mutex m;
  std::vector<std::string> written;
  auto note = [&](std::string what) {
    return [&, what] {
      std::lock_guard<std::mutex> lock{ m };
      written.push_back(what);
    };
  };
  client->send("first", false, note("first"));
  client->send("plain", false);
  client->send("second", false, note("second"));
  CAF_REQUIRE(rec.wait_messages(3)); // echoed, so written
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto count = [&] {
    std::lock_guard<std::mutex> lock{ m };
    return written.size();
  };
  while (count() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    std::lock_guard<std::mutex> lock{ m };
    CAF_CHECK_EQUAL(written, (std::vector<std::string>{ "first", "second" }));
  }
  client->abort();
  rec.wait_closed();
  client->send("late", false, note("late"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CAF_CHECK_EQUAL(count(), 2u);
}

CAF_TEST(the close code from the server is surfaced) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  client->send("close 4004 Authentication failed.", false);
  auto info = rec.wait_closed();
  CAF_CHECK(info.clean);
  CAF_CHECK(!info.local);
  CAF_CHECK_EQUAL(info.code, 4004u);
  CAF_CHECK_EQUAL(info.reason, "Authentication failed.");
  CAF_CHECK(!info.err);
}

CAF_TEST(a server dropping TCP without a close frame is told apart) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  client->send("drop", false);
  auto info = rec.wait_closed();
  CAF_CHECK(!info.clean);
  CAF_CHECK_EQUAL(info.code, 0u);
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::closed);
  CAF_MESSAGE(info.err->what());
}

CAF_TEST(a message above max_message ends the connection as too_large) {
  ws_server server;
  ws_client_options opts;
  opts.url = server.url();
  opts.max_message = 1000;
  connect(opts);
  CAF_REQUIRE(open());
  client->send("big 900", false);
  CAF_REQUIRE(rec.wait_messages(1));
  CAF_CHECK_EQUAL(rec.messages[0].first.size(), 900u);
  client->send("big 2000", false);
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::too_large);
  CAF_CHECK_EQUAL(rec.messages.size(), 1u);
}

CAF_TEST(a resumable close code goes out as given) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  client->close(4000, std::string(300, 'r')); // the reason is cut to fit a control frame
  auto info = rec.wait_closed();
  CAF_CHECK(info.clean);
  CAF_CHECK(info.local);
  // The scripted server echoes the close code it received.
  CAF_CHECK_EQUAL(info.code, 4000u);
}

CAF_TEST(abort drops the connection without a close frame) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  client->abort();
  auto info = rec.wait_closed();
  CAF_CHECK(!info.clean);
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::cancelled);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CAF_CHECK_EQUAL(rec.closed_count, 1);
}

CAF_TEST(a closed port is a connect error) {
  uint16_t port;
  {
    ws_server gone;
    port = gone.port();
  }
  connect("ws://127.0.0.1:" + std::to_string(port) + "/");
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::connect);
  CAF_CHECK(!info.was_open);
  CAF_CHECK_EQUAL(rec.opened, 0);
}

CAF_TEST(an unknown host is a dns error) {
  connect("ws://no-such-host.invalid/");
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::dns);
  CAF_MESSAGE(info.err->what());
}

CAF_TEST(a server that never answers the upgrade is a timeout) {
  ws_server server{ nullptr, false };
  ws_client_options opts;
  opts.url = server.url();
  opts.handshake_timeout = std::chrono::milliseconds(200);
  connect(opts);
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::timeout);
}

CAF_TEST(a port whose TCP connect never completes is a connect timeout) {
  auto stalled = testing::stall_listener::at_connect();
  ws_client_options opts;
  opts.url = "ws://127.0.0.1:" + std::to_string(stalled.port()) + "/";
  opts.connect_timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  connect(opts);
  auto info = rec.wait_closed();
  auto took = std::chrono::steady_clock::now() - t0;
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::timeout);
  CAF_CHECK(info.err->message.find("connecting") != std::string::npos);
  CAF_CHECK(took >= std::chrono::milliseconds(300));
  CAF_MESSAGE(info.err->what());
}

CAF_TEST(a server that never answers the TLS handshake is a timeout) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  auto stalled = testing::stall_listener::at_handshake();
  ws_client_options opts;
  opts.url = "wss://localhost:" + std::to_string(stalled.port()) + "/";
  opts.tls = client_tls(dir.path + "/ca.pem");
  opts.handshake_timeout = std::chrono::milliseconds(300);
  connect(opts);
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::timeout);
  CAF_CHECK(info.err->message.find("TLS handshake") != std::string::npos);
  CAF_CHECK(!info.was_open);
}

CAF_TEST(a peer that never answers our close frame is a close handshake timeout) {
  ws_server server;
  ws_client_options opts;
  opts.url = server.url();
  opts.handshake_timeout = std::chrono::milliseconds(300);
  connect(opts);
  CAF_REQUIRE(open());
  client->send("silent", false);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client->close(1000, "bye");
  auto info = rec.wait_closed();
  CAF_CHECK(!info.clean);
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::timeout);
  CAF_CHECK(info.err->message.find("close handshake") != std::string::npos);
}

CAF_TEST(a server refusing the upgrade is a protocol error with its status) {
  auto srv = http_server::start(io.context(), {}, [](http_request&&, http_responder respond) {
    respond(http_response{ 404, {}, "no gateway here" });
  });
  CAF_REQUIRE(static_cast<bool>(srv));
  connect("ws://127.0.0.1:" + std::to_string((*srv)->port()) + "/gateway");
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::protocol);
  CAF_CHECK(info.err->message.find("404") != std::string::npos);
  (*srv)->stop();
}

CAF_TEST(bad URLs are rejected before connecting) {
  CAF_CHECK(!ws_client::create(io.context(), ws_client_options{}, rec.callbacks()));
  ws_client_options opts;
  opts.url = "http://example.com/";
  CAF_CHECK(!ws_client::create(io.context(), opts, rec.callbacks()));
  opts.url = "ws://host:99999/";
  CAF_CHECK(!ws_client::create(io.context(), opts, rec.callbacks()));
}

CAF_TEST(wss with the test CA) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  ws_server server{ server_tls(dir.path) };
  ws_client_options opts;
  opts.url = server.url("localhost");
  opts.tls = client_tls(dir.path + "/ca.pem");
  connect(opts);
  CAF_REQUIRE(open());
  client->send("over tls", false);
  client->send("close 4009 Session timed out", false);
  auto info = rec.wait_closed();
  CAF_REQUIRE_EQUAL(rec.messages.size(), 1u);
  CAF_CHECK_EQUAL(rec.messages[0].first, "over tls");
  CAF_CHECK_EQUAL(info.code, 4009u);
  // The client named the host it wanted (SNI): a shared front such as
  // Discord's picks its certificate by it.
  CAF_CHECK_EQUAL(server.last_server_name(), "localhost");
}

CAF_TEST(wss to an IP address checks the IP subject alternative name) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  ws_server server{ server_tls(dir.path) };
  ws_client_options opts;
  opts.url = server.url("127.0.0.1");
  opts.tls = client_tls(dir.path + "/ca.pem");
  connect(opts);
  CAF_CHECK(open());
  // RFC 6066: an IP address is never sent as a server name.
  CAF_CHECK_EQUAL(server.last_server_name(), "");
}

CAF_TEST(wss with the wrong CA is a tls error) {
  testing::temp_dir dir;
  testing::temp_dir other;
  CAF_REQUIRE(testing::make_test_pki(dir.path) && testing::make_test_pki(other.path));
  ws_server server{ server_tls(dir.path) };
  ws_client_options opts;
  opts.url = server.url("localhost");
  opts.tls = client_tls(other.path + "/ca.pem");
  connect(opts);
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::tls);
  CAF_MESSAGE(info.err->what());
}

CAF_TEST(wss to a host the certificate does not name is a tls error) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  // client.pem names only client.test.
  ws_server server{ server_tls(dir.path, "client") };
  ws_client_options opts;
  opts.url = server.url("localhost");
  opts.tls = client_tls(dir.path + "/ca.pem");
  connect(opts);
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::tls);
  CAF_MESSAGE(info.err->what());
  CAF_CHECK(info.err->message.find("mismatch") != std::string::npos);
}

CAF_TEST(send and close are safe from many threads) {
  ws_server server;
  connect(server.url());
  CAF_REQUIRE(open());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([this, t] {
      for (int i = 0; i < 100; ++i)
        client->send(std::to_string(t) + ":" + std::to_string(i), false);
    });
  for (auto& t : threads)
    t.join();
  CAF_REQUIRE(rec.wait_messages(400));
  // Per sending thread, order is kept.
  std::vector<int> next(4, 0);
  for (auto& [text, binary] : rec.messages) {
    auto colon = text.find(':');
    int t = std::stoi(text.substr(0, colon));
    CAF_CHECK_EQUAL(std::stoi(text.substr(colon + 1)), next[t]);
    ++next[t];
  }
  client->close(1000, "");
  CAF_CHECK(rec.wait_closed().clean);
}

CAF_TEST_FIXTURE_SCOPE_END()
