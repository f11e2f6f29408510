#include "net/http_client.hpp"

#define CAF_SUITE net.http_client

#include "caf/test/unit_test.hpp"

#include <atomic>
#include <condition_variable>
#include <thread>

#include "net/http_server.hpp"
#include "net/io_pool.hpp"
#include "net/multipart.hpp"
#include "tests/net/raw_server.hpp"
#include "tests/net/stall_listener.hpp"
#include "tests/net/support.hpp"

using namespace spectacles::net;

namespace {

// "/slow/<ms>" answers after <ms> from another thread and records how many
// requests were in the handler at once; "/multipart" lists the parts it
// parsed; anything else echoes the method, target and body.
struct fixture {
  io_pool io{ 2 };
  std::shared_ptr<http_server> server;
  std::shared_ptr<http_client> client;
  std::atomic<int> in_flight{ 0 };
  std::atomic<int> max_in_flight{ 0 };
  std::atomic<int> slow_threads{ 0 }; // detached answerers still running
  std::atomic<int> drops{ 0 };        // the next N requests get no answer: the connection closes
  std::atomic<int> requests{ 0 };     // requests the handler saw

  ~fixture() {
    // A slow answer may outlive its test (the client timed out): wait for
    // it, so that it touches neither this fixture nor a destroyed io_pool.
    while (slow_threads.load() > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (server)
      server->stop();
  }

  void handle(http_request&& req, http_responder respond) {
    ++requests;
    if (drops.load() > 0) {
      --drops;
      http_response dropped;
      dropped.drop = true;
      return respond(std::move(dropped));
    }
    if (req.target.starts_with("/slow/")) {
      auto ms = std::stoi(req.target.substr(6));
      int now = ++in_flight;
      int seen = max_in_flight.load();
      while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
      }
      ++slow_threads;
      std::thread([this, ms, respond] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        --in_flight;
        respond(http_response{ 200, {}, "slow" });
        --slow_threads;
      }).detach();
      return;
    }
    if (req.target == "/multipart") {
      auto parts = parse_multipart(req.header("content-type"), req.body);
      if (!parts)
        return respond(http_response{ 400, {}, parts.error().what() });
      std::string out;
      for (auto& p : *parts)
        out += p.name + "|" + p.filename + "|" + p.content_type + "|" + p.data + "\n";
      return respond(http_response{ 200, {}, out });
    }
    http_response res;
    res.headers.emplace_back("X-RateLimit-Remaining", "4");
    res.headers.emplace_back("X-RateLimit-Bucket", "abcd1234");
    res.body = req.method + " " + req.target + " " + req.body;
    respond(std::move(res));
  }

  void start_server(http_server_options opts = {}) {
    auto r = http_server::start(io.context(), std::move(opts),
                                [this](http_request&& req, http_responder respond) {
                                  handle(std::move(req), std::move(respond));
                                });
    CAF_REQUIRE(static_cast<bool>(r));
    server = *r;
  }

  void make_client(http_client_options opts = {}) {
    auto c = http_client::create(io.context(), std::move(opts));
    CAF_REQUIRE(static_cast<bool>(c));
    client = *c;
  }

  std::string base(const char* scheme = "http", const char* host = "127.0.0.1") const {
    return std::string(scheme) + "://" + host + ":" + std::to_string(server->port());
  }
};

tls_context client_tls(const std::string& ca_file) {
  tls_client_options opts;
  opts.ca_file = ca_file;
  auto ctx = make_client_context(opts);
  CAF_REQUIRE(static_cast<bool>(ctx));
  return *ctx;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_client_tests, fixture)

CAF_TEST(keep alive reuses one connection and headers reach the caller) {
  start_server();
  make_client();
  for (int i = 0; i < 10; ++i) {
    auto r = client->request_sync("POST", base() + "/api/v10/x?i=" + std::to_string(i),
                                  { { "Content-Type", "application/json" } }, "{}");
    CAF_REQUIRE(static_cast<bool>(r));
    CAF_CHECK_EQUAL(r->status, 200u);
    CAF_CHECK_EQUAL(r->body, "POST /api/v10/x?i=" + std::to_string(i) + " {}");
    CAF_CHECK_EQUAL(r->header("x-ratelimit-remaining"), "4");
    CAF_CHECK_EQUAL(r->header("X-RateLimit-Bucket"), "abcd1234");
  }
  CAF_CHECK_EQUAL(client->connections_opened(), 1u);
  CAF_CHECK_EQUAL(server->connections_accepted(), 1u);
}

CAF_TEST(a caller asking for Connection close gets a fresh connection each time) {
  start_server();
  make_client();
  for (int i = 0; i < 5; ++i) {
    auto r = client->request_sync("GET", base() + "/once", { { "Connection", "close" } });
    CAF_REQUIRE(static_cast<bool>(r));
    CAF_CHECK_EQUAL(r->body, "GET /once ");
  }
  CAF_CHECK_EQUAL(client->connections_opened(), 5u);
  CAF_CHECK_EQUAL(server->connections_accepted(), 5u);
  // Without the header the next two share one new connection.
  CAF_REQUIRE(client->request_sync("GET", base() + "/a"));
  CAF_REQUIRE(client->request_sync("GET", base() + "/b"));
  CAF_CHECK_EQUAL(client->connections_opened(), 6u);
}

CAF_TEST(the pool limit holds and extra requests queue) {
  start_server();
  http_client_options opts;
  opts.max_connections_per_host = 2;
  make_client(opts);
  std::mutex mtx;
  std::condition_variable cv;
  int done = 0;
  int ok = 0;
  for (int i = 0; i < 8; ++i)
    client->request("GET", base() + "/slow/30", {}, {}, [&](result<http_response> r) {
      std::lock_guard guard{ mtx };
      ++done;
      ok += r && r->body == "slow";
      cv.notify_all();
    });
  std::unique_lock lock{ mtx };
  CAF_REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] {
    return done == 8;
  }));
  CAF_CHECK_EQUAL(ok, 8);
  CAF_CHECK_EQUAL(max_in_flight.load(), 2);
  CAF_CHECK_EQUAL(client->connections_opened(), 2u);
}

CAF_TEST(a pooled connection closed by the server is replaced transparently) {
  http_server_options sopts;
  sopts.idle_timeout = std::chrono::milliseconds(50);
  start_server(sopts);
  make_client();
  CAF_REQUIRE(client->request_sync("GET", base() + "/a"));
  std::this_thread::sleep_for(std::chrono::milliseconds(250)); // the server closes it meanwhile
  auto r = client->request_sync("GET", base() + "/b");
  CAF_REQUIRE(static_cast<bool>(r));
  CAF_CHECK_EQUAL(r->body, "GET /b ");
  CAF_CHECK_EQUAL(client->connections_opened(), 2u);
}

CAF_TEST(a dropped answer on a pooled connection is retried for GET and not for POST) {
  start_server();
  make_client();
  CAF_REQUIRE(client->request_sync("GET", base() + "/warm")); // pooled now
  // The server reads the POST and closes without answering: it may have
  // carried it out, so the client must not send it again on its own.
  drops = 1;
  auto post = client->request_sync("POST", base() + "/messages", {}, "once");
  CAF_REQUIRE(!post);
  CAF_CHECK(post.error().code == errc::closed);
  CAF_MESSAGE(post.error().what());
  CAF_CHECK_EQUAL(requests.load(), 2);
  // A GET is harmless to repeat: sent again on a fresh connection.
  CAF_REQUIRE(client->request_sync("GET", base() + "/warm-again"));
  drops = 1;
  auto get = client->request_sync("GET", base() + "/c");
  CAF_REQUIRE(static_cast<bool>(get));
  CAF_CHECK_EQUAL(get->body, "GET /c ");
  CAF_CHECK_EQUAL(requests.load(), 5);
}

CAF_TEST(a POST on a pooled connection the server closed while idle goes out once) {
  http_server_options sopts;
  sopts.idle_timeout = std::chrono::milliseconds(50);
  start_server(sopts);
  make_client();
  CAF_REQUIRE(client->request_sync("GET", base() + "/a"));
  std::this_thread::sleep_for(std::chrono::milliseconds(250)); // the server closes it meanwhile
  // Seen before sending (the idle socket turned readable), so not ambiguous.
  auto r = client->request_sync("POST", base() + "/b", {}, "body");
  CAF_REQUIRE(static_cast<bool>(r));
  CAF_CHECK_EQUAL(r->body, "POST /b body");
  CAF_CHECK_EQUAL(requests.load(), 2);
  CAF_CHECK_EQUAL(client->connections_opened(), 2u);
}

CAF_TEST(chunked response bodies are reassembled) {
  testing::raw_server raw{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n"
                           "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n" };
  make_client();
  auto r = client->request_sync("GET", "http://127.0.0.1:" + std::to_string(raw.port()) + "/");
  CAF_REQUIRE(static_cast<bool>(r));
  CAF_CHECK_EQUAL(r->body, "Wikipedia");
  CAF_CHECK_EQUAL(r->header("x-a"), "b");
}

CAF_TEST(a malformed response is a protocol error) {
  testing::raw_server raw{ "HTTP/1.1 abc nonsense\r\n\r\n" };
  make_client();
  auto r = client->request_sync("GET", "http://127.0.0.1:" + std::to_string(raw.port()) + "/");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::protocol);
  CAF_MESSAGE(r.error().what());
}

CAF_TEST(a server hanging up mid answer is a closed error) {
  testing::raw_server raw{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part" };
  make_client();
  auto r = client->request_sync("GET", "http://127.0.0.1:" + std::to_string(raw.port()) + "/");
  CAF_REQUIRE(!r);
  CAF_MESSAGE(r.error().what());
  CAF_CHECK(r.error().code == errc::closed);
}

CAF_TEST(a multipart body is parsed back by the server) {
  start_server();
  make_client();
  multipart_form form;
  form.add_payload_json(R"({"content":"see file","attachments":[{"id":0}]})");
  form.add_file("files[0]", "a \"b\".txt", "text/plain", "hello\r\n--not a boundary");
  form.add_field("plain", "value");
  auto r = client->request_sync("POST", base() + "/multipart",
                                { { "Content-Type", form.content_type() } }, form.body());
  CAF_REQUIRE(static_cast<bool>(r));
  CAF_CHECK_EQUAL(r->status, 200u);
  CAF_CHECK_EQUAL(r->body, "payload_json||application/json|"
                           "{\"content\":\"see file\",\"attachments\":[{\"id\":0}]}\n"
                           "files[0]|a %22b%22.txt|text/plain|hello\r\n--not a boundary\n"
                           "plain|||value\n");
}

CAF_TEST(a slow answer is a timeout error) {
  start_server();
  http_client_options opts;
  opts.request_timeout = std::chrono::milliseconds(100);
  make_client(opts);
  auto r = client->request_sync("GET", base() + "/slow/1000");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::timeout);
  CAF_MESSAGE(r.error().what());
  // The pool still works afterwards.
  auto again = client->request_sync("GET", base() + "/ok");
  CAF_CHECK(static_cast<bool>(again));
}

CAF_TEST(a closed port is a connect error) {
  start_server();
  auto port = server->port();
  server->stop();
  server.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  make_client();
  auto r = client->request_sync("GET", "http://127.0.0.1:" + std::to_string(port) + "/");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::connect);
  CAF_MESSAGE(r.error().what());
}

CAF_TEST(a port whose TCP connect never completes is a timeout) {
  auto stalled = testing::stall_listener::at_connect();
  http_client_options opts;
  opts.connect_timeout = std::chrono::milliseconds(300);
  make_client(opts);
  auto r = client->request_sync("GET", "http://127.0.0.1:" + std::to_string(stalled.port()) + "/");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::timeout);
  CAF_CHECK(r.error().message.find("connecting") != std::string::npos);
}

CAF_TEST(a server that never answers the TLS handshake is a timeout) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  auto stalled = testing::stall_listener::at_handshake();
  http_client_options opts;
  opts.tls = client_tls(dir.path + "/ca.pem");
  opts.connect_timeout = std::chrono::milliseconds(300);
  make_client(opts);
  auto r = client->request_sync("GET", "https://localhost:" + std::to_string(stalled.port()) + "/");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::timeout);
  CAF_CHECK(r.error().message.find("TLS handshake") != std::string::npos);
}

CAF_TEST(an unknown host is a dns error and a bad URL an invalid_argument) {
  make_client();
  auto r = client->request_sync("GET", "http://no-such-host.invalid/");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::dns);
  auto bad = client->request_sync("GET", "ftp://example.com/");
  CAF_REQUIRE(!bad);
  CAF_CHECK(bad.error().code == errc::invalid_argument);
}

CAF_TEST(https with the test CA reuses connections; a wrong CA is a tls error) {
  testing::temp_dir dir;
  testing::temp_dir other;
  CAF_REQUIRE(testing::make_test_pki(dir.path) && testing::make_test_pki(other.path));
  tls_server_options sopts;
  sopts.cert_file = dir.path + "/localhost.pem";
  sopts.key_file = dir.path + "/localhost.key";
  auto sctx = make_server_context(sopts);
  CAF_REQUIRE(static_cast<bool>(sctx));
  http_server_options opts;
  opts.tls = *sctx;
  start_server(opts);
  http_client_options copts;
  copts.tls = client_tls(dir.path + "/ca.pem");
  make_client(copts);
  for (int i = 0; i < 3; ++i) {
    auto r = client->request_sync("GET", base("https", "localhost") + "/tls");
    CAF_REQUIRE(static_cast<bool>(r));
    CAF_CHECK_EQUAL(r->body, "GET /tls ");
  }
  CAF_CHECK_EQUAL(client->connections_opened(), 1u);
  copts.tls = client_tls(other.path + "/ca.pem");
  make_client(copts);
  auto wrong = client->request_sync("GET", base("https", "localhost") + "/tls");
  CAF_REQUIRE(!wrong);
  CAF_CHECK(wrong.error().code == errc::tls);
  CAF_MESSAGE(wrong.error().what());
}

CAF_TEST_FIXTURE_SCOPE_END()
