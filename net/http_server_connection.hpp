// One accepted connection of http_server (plain TCP or TLS): reads requests,
// hands them to the handler, and writes the answers back in request order
// (HTTP/1.1 pipelining) as they arrive from the responders.
//
// Everything runs on the connection's strand. Requests read ahead are bounded
// by max_pipelined, so a client that pipelines without reading answers cannot
// grow memory. The idle timer closes a connection that has no request being
// read and no answer pending from the handler.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_server.hpp"

namespace spectacles::net {

template <class Stream>
class http_server_connection : public http_server::connection_base,
                               public std::enable_shared_from_this<http_server_connection<Stream>> {
public:
  using response_type = boost::beast::http::response<boost::beast::http::string_body>;

  http_server_connection(Stream stream, std::string remote,
                         std::shared_ptr<const http_server_options> opts,
                         std::shared_ptr<const http_handler> handler,
                         std::weak_ptr<http_server> server, uint64_t id);
  ~http_server_connection() override;

  void run();
  void close() override;

  /// Called (on the strand) with the handler's answer to request `seq`.
  void deliver(uint64_t seq, http_response res);

  boost::asio::any_io_executor executor() {
    return timer_.get_executor();
  }

private:
  struct slot {
    uint64_t seq;
    bool keep_alive;
    unsigned version;
    std::optional<response_type> res;
  };

  void on_handshake(boost::system::error_code ec);
  void do_read();
  void on_read(boost::system::error_code ec, size_t bytes);
  void dispatch_request();
  void reject(unsigned status, std::string reason);
  void do_write();
  void on_write(boost::system::error_code ec, size_t bytes);
  void arm_idle();
  void on_idle(boost::system::error_code ec);
  void do_shutdown();
  void on_shutdown(boost::system::error_code ec);
  void close_now();
  bool waiting_for_handler() const;

  Stream stream_;
  std::string remote_;
  std::shared_ptr<const http_server_options> opts_;
  std::shared_ptr<const http_handler> handler_;
  std::weak_ptr<http_server> server_;
  uint64_t id_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::deque<slot> slots_;
  uint64_t next_seq_ = 0;
  bool reading_ = false;
  bool read_done_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

using plain_http_server_connection = http_server_connection<boost::asio::ip::tcp::socket>;
using tls_http_server_connection
  = http_server_connection<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>>;

} // namespace spectacles::net
