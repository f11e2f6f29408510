#include "net/http_server.hpp"

#define CAF_SUITE net.http_server

#include "caf/test/unit_test.hpp"

#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/io_pool.hpp"
#include "net/tls.hpp"
#include <atomic>

#include "tests/net/support.hpp"

using namespace spectacles::net;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

// Echoes method, target and body; "/slow" answers after 100 ms from another
// thread, "/drop" never calls its responder.
// Slow answerers still running; the fixture waits for them, since a
// responder released after the I/O threads are gone would touch freed state.
std::atomic<int> slow_in_flight{ 0 };

void echo(http_request&& req, http_responder respond) {
  if (req.target == "/slow") {
    ++slow_in_flight;
    std::thread([respond = std::move(respond)]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      respond(http_response{ 200, {}, "slow" });
      respond = nullptr;
      --slow_in_flight;
    }).detach();
    return;
  }
  if (req.target == "/drop")
    return;
  http_response res;
  res.headers.emplace_back("X-Method", req.method);
  res.headers.emplace_back("X-Remote", req.remote);
  res.headers.emplace_back("X-Custom-In", std::string(req.header("x-custom")));
  res.body = req.target + "|" + req.body;
  respond(std::move(res));
}

struct fixture {
  io_pool io{ 2 };
  std::shared_ptr<http_server> server;

  void start(http_server_options opts = {}) {
    auto r = http_server::start(io.context(), std::move(opts), echo);
    CAF_REQUIRE(static_cast<bool>(r));
    server = *r;
  }

  ~fixture() {
    while (slow_in_flight.load() > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (server)
      server->stop();
  }

  // A raw connected socket for writing bytes that no client library would send.
  tcp::socket connect() {
    tcp::socket s{ ctx };
    s.connect({ asio::ip::make_address("127.0.0.1"), server->port() });
    return s;
  }

  asio::io_context ctx;
};

std::string read_all(tcp::socket& s) {
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    auto n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec)
      return out;
  }
}

bhttp::response<bhttp::string_body> read_response(tcp::socket& s, beast::flat_buffer& buf) {
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res);
  return res;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_server_tests, fixture)

CAF_TEST(answers keep alive requests on one connection) {
  start();
  auto s = connect();
  beast::flat_buffer buf;
  for (int i = 0; i < 3; ++i) {
    bhttp::request<bhttp::string_body> req{ bhttp::verb::post, "/x?i=" + std::to_string(i), 11 };
    req.set("X-Custom", "v" + std::to_string(i));
    req.body() = "body" + std::to_string(i);
    req.prepare_payload();
    bhttp::write(s, req);
    auto res = read_response(s, buf);
    CAF_CHECK_EQUAL(res.result_int(), 200u);
    CAF_CHECK_EQUAL(res.body(), "/x?i=" + std::to_string(i) + "|body" + std::to_string(i));
    CAF_CHECK_EQUAL(res["X-Method"], "POST");
    CAF_CHECK_EQUAL(res["X-Custom-In"], "v" + std::to_string(i));
    CAF_CHECK(res["X-Remote"].starts_with("127.0.0.1:"));
    CAF_CHECK(res.keep_alive());
  }
  CAF_CHECK_EQUAL(server->connections_accepted(), 1u);
}

CAF_TEST(pipelined requests are answered in order even when the first is slow) {
  start();
  auto s = connect();
  std::string raw = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                    "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
                    "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(s, asio::buffer(raw));
  beast::flat_buffer buf;
  {
    auto res = read_response(s, buf);
    CAF_CHECK_EQUAL(res.body(), "slow");
  }
  {
    auto res = read_response(s, buf);
    CAF_CHECK_EQUAL(res.body(), "/fast|");
  }
  auto last = read_response(s, buf);
  CAF_CHECK_EQUAL(last.body(), "/last|");
  CAF_CHECK(!last.keep_alive());
}

CAF_TEST(chunked request bodies are reassembled) {
  start();
  auto s = connect();
  std::string raw = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  asio::write(s, asio::buffer(raw));
  beast::flat_buffer buf;
  {
    auto res = read_response(s, buf);
    CAF_CHECK_EQUAL(res.body(), "/c|hello world");
  }
}

CAF_TEST(a malformed request gets 400 and the connection closes) {
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("THIS IS NOT HTTP\r\n\r\n")));
  auto text = read_all(s);
  CAF_CHECK(text.starts_with("HTTP/1.1 400"));
}

CAF_TEST(a body above max_body gets 413) {
  http_server_options opts;
  opts.max_body = 10;
  start(opts);
  auto s = connect();
  asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n")));
  auto text = read_all(s);
  CAF_CHECK(text.starts_with("HTTP/1.1 413"));
}

CAF_TEST(a dropped responder answers 500) {
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /drop HTTP/1.1\r\nHost: x\r\n\r\n")));
  beast::flat_buffer buf;
  CAF_CHECK_EQUAL(read_response(s, buf).result_int(), 500u);
}

CAF_TEST(an idle connection is closed after idle_timeout) {
  http_server_options opts;
  opts.idle_timeout = std::chrono::milliseconds(100);
  start(opts);
  auto s = connect();
  auto t0 = std::chrono::steady_clock::now();
  auto text = read_all(s); // returns when the server closes
  CAF_CHECK(text.empty());
  CAF_CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

CAF_TEST(a slow handler is not an idle connection) {
  http_server_options opts;
  opts.idle_timeout = std::chrono::milliseconds(30);
  start(opts);
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  beast::flat_buffer buf;
  {
    auto res = read_response(s, buf);
    CAF_CHECK_EQUAL(res.body(), "slow");
  }
}

CAF_TEST(a port in use is a readable error) {
  start();
  http_server_options opts;
  opts.port = server->port();
  auto again = http_server::start(io.context(), opts, echo);
  CAF_REQUIRE(!again);
  CAF_MESSAGE(again.error().what());
  CAF_CHECK(again.error().message.find(std::to_string(server->port())) != std::string::npos);
  opts.host = "not an address";
  CAF_CHECK(!http_server::start(io.context(), opts, echo));
}

CAF_TEST(stop closes open connections) {
  start();
  auto s = connect();
  std::this_thread::sleep_for(std::chrono::milliseconds(20)); // let the accept complete
  server->stop();
  auto text = read_all(s);
  CAF_CHECK(text.empty());
}

CAF_TEST(tls with a required client certificate) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  tls_server_options sopts;
  sopts.cert_file = dir.path + "/localhost.pem";
  sopts.key_file = dir.path + "/localhost.key";
  sopts.client_ca_file = dir.path + "/ca.pem";
  auto sctx = make_server_context(sopts);
  CAF_REQUIRE(static_cast<bool>(sctx));
  http_server_options opts;
  opts.tls = *sctx;
  start(opts);
  auto request_over_tls = [&](const tls_client_options& copts) -> std::string {
    auto cctx = make_client_context(copts);
    CAF_REQUIRE(static_cast<bool>(cctx));
    asio::ssl::stream<tcp::socket> stream{ ctx, **cctx };
    CAF_REQUIRE(static_cast<bool>(prepare_client_stream(stream.native_handle(), "localhost")));
    stream.next_layer().connect({ asio::ip::make_address("127.0.0.1"), server->port() });
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec)
      return "handshake: " + ec.message();
    bhttp::request<bhttp::string_body> req{ bhttp::verb::get, "/tls", 11 };
    bhttp::write(stream, req, ec);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buf, res, ec);
    if (ec)
      return "read: " + ec.message();
    return res.body();
  };
  tls_client_options with_cert;
  with_cert.ca_file = dir.path + "/ca.pem";
  with_cert.cert_file = dir.path + "/client.pem";
  with_cert.key_file = dir.path + "/client.key";
  CAF_CHECK_EQUAL(request_over_tls(with_cert), "/tls|");
  tls_client_options without_cert;
  without_cert.ca_file = dir.path + "/ca.pem";
  auto rejected = request_over_tls(without_cert);
  CAF_MESSAGE("without a client certificate: " << rejected);
  CAF_CHECK(rejected != "/tls|");
}

CAF_TEST_FIXTURE_SCOPE_END()
