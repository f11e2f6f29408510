// The connection behind a ws_client, for one stream type (plain TCP or TLS):
// resolve -> connect -> [TLS handshake] -> WebSocket handshake -> read loop,
// with an owned write queue (Beast allows one write in flight) and a close
// handshake. Every step is one on_<step> handler that checks its error first;
// all of them run on the session's strand.
//
//   connecting --on_handshake--> open --close()--> closing --> done
//        \                          \--peer close / drop / error--> done
//         \--error / timeout / close() / abort()--------------------> done
#pragma once

#include <atomic>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/url.hpp"
#include "net/ws_client.hpp"

namespace spectacles::net {

template <class Stream>
class ws_session : public ws_client, public std::enable_shared_from_this<ws_session<Stream>> {
public:
  ws_session(boost::asio::io_context& ioc, url where, ws_client_options opts, ws_callbacks cbs,
             tls_context tls);

  void connect() override;
  void send(std::string data, bool binary) override;
  void close(uint16_t code, std::string reason) override;
  void abort() override;

  size_t queued() const override {
    return queued_.load();
  }

private:
  enum class state { idle, connecting, open, closing, done };

  void start();
  void on_resolve_timeout(boost::system::error_code ec);
  void on_resolve(boost::system::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::system::error_code ec, boost::asio::ip::tcp::endpoint ep);
  void on_tls_handshake(boost::system::error_code ec);
  void start_ws_handshake();
  void on_handshake(boost::system::error_code ec);
  void do_read();
  void on_read(boost::system::error_code ec, size_t bytes);
  void do_write();
  void on_write(boost::system::error_code ec, size_t bytes);
  void do_close();
  void on_close(boost::system::error_code ec);
  void fail(boost::system::error_code ec, errc code, std::string what);
  void end_from(boost::system::error_code ec);
  void finish(ws_close_info info);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  url url_;
  ws_client_options opts_;
  ws_callbacks cbs_;
  tls_context tls_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::websocket::response_type upgrade_response_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, bool>> queue_;
  std::atomic<size_t> queued_{ 0 };
  std::optional<boost::beast::websocket::close_reason> close_request_;
  state state_ = state::idle;
  bool writing_ = false;
  bool close_sent_ = false;
  bool resolve_timed_out_ = false;
};

using plain_ws_session = ws_session<boost::beast::tcp_stream>;
using tls_ws_session = ws_session<boost::asio::ssl::stream<boost::beast::tcp_stream>>;

} // namespace spectacles::net
