// An HTTP/1.1 client on Beast for Discord's REST API: a keep-alive
// connection pool per origin (scheme + host + port) with a size limit and a
// queue when every connection is busy; TLS with SNI and host-name
// verification; connect and request timeouts; Content-Length and chunked
// response bodies; response headers for the caller (X-RateLimit-*).
//
// A pooled keep-alive connection that the server has closed meanwhile is
// noticed when the request fails before any byte of the response; the
// request is then sent once more on a fresh connection, transparently, if
// sending it twice is harmless: always when writing it failed, and for
// GET/HEAD/PUT/DELETE/OPTIONS when the answer failed (a POST or PATCH may
// have been carried out; it fails with errc::closed and the caller decides).
//
// Completions run on an I/O thread and must not block: the REST bucket actor
// posts them into itself.
//
//   auto client = *net::http_client::create(io.context(), {});
//   client->request("GET", "https://discord.com/api/v10/gateway/bot",
//                   {{"Authorization", "Bot …"}}, {}, [](net::result<net::http_response> r) {…});
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/http_message.hpp"
#include "net/result.hpp"
#include "net/tls.hpp"
#include "net/url.hpp"

namespace spectacles::net {

struct http_client_options {
  tls_context tls;                                    // https; null = the system CA store
  size_t max_connections_per_host = 8;                // further requests wait in a queue
  std::chrono::milliseconds connect_timeout{ 10000 }; // DNS + TCP + TLS handshake
  std::chrono::milliseconds request_timeout{ 30000 }; // writing the request, reading the answer
  std::chrono::milliseconds max_idle{ 50000 }; // pooled connections idle longer are not reused
  size_t max_response_body = 64u << 20;
  std::string user_agent = "spectacles-cpp (https://github.com/spec-tacles, 0.1)";
};

/// Called exactly once, on an I/O thread.
using http_completion = std::function<void(result<http_response>)>;

class http_client : public std::enable_shared_from_this<http_client> {
public:
  struct job;
  struct connection;

  static result<std::shared_ptr<http_client>> create(boost::asio::io_context& ioc,
                                                     http_client_options opts = {});

  /// Sends `method url` with `headers` and `body` (Content-Length is set).
  /// Errors: invalid_argument (URL), dns, connect, tls, timeout, protocol
  /// (malformed answer), closed (the server hung up mid-answer), too_large.
  void request(std::string method, std::string_view url, http_headers headers, std::string body,
               http_completion done);

  /// Blocking convenience for tests and benchmarks; never call it on an I/O
  /// thread of the same io_context.
  result<http_response> request_sync(std::string method, std::string_view url,
                                     http_headers headers = {}, std::string body = {});

  /// TCP connections opened so far (tests check keep-alive reuse by it).
  size_t connections_opened() const {
    return opened_.load();
  }

  /// Closes idle pooled connections; requests in flight finish normally.
  void close_idle();

  http_client(boost::asio::io_context& ioc, http_client_options opts, tls_context tls);

  // Internal: a connection reports a finished request (on its strand).
  void finished(const std::shared_ptr<connection>& conn, bool reusable);
  void count_open() {
    ++opened_;
  }
  const http_client_options& options() const {
    return opts_;
  }

private:
  struct pool {
    std::vector<std::shared_ptr<connection>> idle;
    size_t total = 0;
    std::deque<std::shared_ptr<job>> waiting;
  };

  void start(const std::shared_ptr<job>& j);
  std::shared_ptr<connection> make_connection(const url& origin);

  boost::asio::io_context& ioc_;
  http_client_options opts_;
  tls_context tls_;
  std::mutex mtx_;
  std::unordered_map<std::string, pool> pools_;
  std::atomic<size_t> opened_{ 0 };
};

} // namespace spectacles::net
