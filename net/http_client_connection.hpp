// One pooled connection of http_client, for one stream type (plain TCP or
// TLS). It serves one request at a time:
//
//   idle --run--> [resolve -> connect -> TLS handshake]? -> write -> read --> idle (keep-alive)
//                                                                       \--> closed
//
// A reused connection whose request fails before any byte of the answer
// (the server closed it while it sat in the pool) reconnects and sends the
// request once more. Every step runs on the connection's strand.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_client.hpp"

namespace spectacles::net {

struct http_client::job {
  std::string method;
  url where;
  http_headers headers;
  std::string body;
  http_completion done;
  bool retried = false;
};

struct http_client::connection {
  virtual ~connection() = default;
  virtual void run(std::shared_ptr<job> j) = 0;
  virtual void close() = 0;

  std::string origin;
  std::chrono::steady_clock::time_point last_used{};
};

template <class Stream>
class http_client_connection : public http_client::connection,
                               public std::enable_shared_from_this<http_client_connection<Stream>> {
public:
  http_client_connection(boost::asio::io_context& ioc, std::shared_ptr<http_client> owner,
                         url where, tls_context tls);

  void run(std::shared_ptr<http_client::job> j) override;
  void close() override;

private:
  void do_resolve();
  void on_resolve(boost::system::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::system::error_code ec, boost::asio::ip::tcp::endpoint ep);
  void on_tls_handshake(boost::system::error_code ec);
  void do_write();
  void on_write(boost::system::error_code ec, size_t bytes);
  void on_read(boost::system::error_code ec, size_t bytes);
  /// `answer_awaited`: the request was written and the answer failed. The
  /// server may then have carried it out, so only an idempotent request is
  /// sent again (RFC 9110 §9.2.2: a POST must not be repeated blindly).
  bool retry_on_fresh_connection(boost::system::error_code ec, bool answer_awaited);
  void fail(errc code, std::string what, boost::system::error_code ec = {});
  void complete(result<http_response> res, bool reusable);
  void reset_stream();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::weak_ptr<http_client> owner_; // the client owns idle connections
  http_client_options opts_;
  url where_;
  tls_context tls_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer resolve_timer_; // the resolver has no deadline of its own
  bool resolve_timed_out_ = false;
  std::optional<Stream> stream_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::string_body> req_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<http_client::job> job_;
  bool connected_ = false;
  bool reused_ = false;
};

using plain_http_client_connection = http_client_connection<boost::beast::tcp_stream>;
using tls_http_client_connection
  = http_client_connection<boost::asio::ssl::stream<boost::beast::tcp_stream>>;

} // namespace spectacles::net
