// A small scripted WebSocket server for the ws_client tests (Beast, C++20
// coroutines, real sockets on 127.0.0.1, plain or TLS). Every text message
// is a command, anything else is echoed back with its frame type:
//
//   "close 4004 bad token"  answer with a close frame (code 4004, reason "bad token")
//   "drop"                  close TCP without a close frame
//   "big 2000"              send a 2000-byte binary message
//   "silent"                stop reading (the client's close handshake then times out)
#pragma once

#include <atomic>
#include <memory>
#include <sstream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/io_pool.hpp"
#include "net/tls.hpp"

namespace spectacles::net::testing {

class ws_server {
public:
  /// `handshake` false: accept TCP and then never answer (handshake timeouts).
  explicit ws_server(tls_context tls = nullptr, bool handshake = true)
      : tls_(std::move(tls)), handshake_(handshake), acceptor_(io_.context()) {
    using boost::asio::ip::tcp;
    tcp::endpoint ep{ boost::asio::ip::make_address("127.0.0.1"), 0 };
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_.context(), accept_loop(), boost::asio::detached);
  }

  ~ws_server() {
    io_.stop();
  }

  uint16_t port() const {
    return port_;
  }

  std::string url(const std::string& host = "127.0.0.1") const {
    return std::string(tls_ ? "wss" : "ws") + "://" + host + ":" + std::to_string(port_)
           + "/?v=10&encoding=json";
  }

  int connections() const {
    return connections_.load();
  }

  /// The server name (SNI) the last TLS client sent; empty when it sent none.
  std::string last_server_name() const {
    std::lock_guard guard{ mtx_ };
    return last_server_name_;
  }

  /// The target of the last upgrade request.
  std::string last_target() const {
    std::lock_guard guard{ mtx_ };
    return last_target_;
  }

private:
  using tcp_stream = boost::beast::tcp_stream;
  using tls_stream = boost::asio::ssl::stream<tcp_stream>;

  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      ++connections_;
      if (!handshake_) {
        held_.push_back(std::make_shared<boost::asio::ip::tcp::socket>(std::move(socket)));
        continue;
      }
      if (tls_)
        boost::asio::co_spawn(acceptor_.get_executor(), run_tls(std::move(socket)),
                              boost::asio::detached);
      else
        boost::asio::co_spawn(
          acceptor_.get_executor(),
          session(std::make_shared<boost::beast::websocket::stream<tcp_stream>>(std::move(socket))),
          boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> run_tls(boost::asio::ip::tcp::socket socket) {
    auto ws
      = std::make_shared<boost::beast::websocket::stream<tls_stream>>(std::move(socket), *tls_);
    try {
      co_await ws->next_layer().async_handshake(boost::asio::ssl::stream_base::server,
                                                boost::asio::use_awaitable);
    } catch (const std::exception&) {
      co_return;
    }
    {
      const char* sni
        = SSL_get_servername(ws->next_layer().native_handle(), TLSEXT_NAMETYPE_host_name);
      std::lock_guard guard{ mtx_ };
      last_server_name_ = sni != nullptr ? sni : "";
    }
    co_await session(ws);
  }

  template <class Ws>
  boost::asio::awaitable<void> session(std::shared_ptr<Ws> ws) {
    namespace websocket = boost::beast::websocket;
    try {
      boost::beast::http::request<boost::beast::http::string_body> req;
      boost::beast::flat_buffer buf;
      co_await boost::beast::http::async_read(ws->next_layer(), buf, req,
                                              boost::asio::use_awaitable);
      {
        std::lock_guard guard{ mtx_ };
        last_target_ = std::string(req.target());
      }
      co_await ws->async_accept(req, boost::asio::use_awaitable);
      for (;;) {
        boost::beast::flat_buffer msg;
        co_await ws->async_read(msg, boost::asio::use_awaitable);
        auto text = boost::beast::buffers_to_string(msg.data());
        bool binary = ws->got_binary();
        if (!binary && text.starts_with("close ")) {
          std::istringstream in{ text.substr(6) };
          unsigned code = 0;
          in >> code;
          std::string reason;
          std::getline(in >> std::ws, reason);
          co_await ws->async_close(
            websocket::close_reason{ static_cast<websocket::close_code>(code), reason },
            boost::asio::use_awaitable);
          co_return;
        }
        if (!binary && text == "drop") {
          boost::beast::get_lowest_layer(*ws).socket().close();
          co_return;
        }
        if (!binary && text == "silent") {
          boost::asio::steady_timer t{ co_await boost::asio::this_coro::executor };
          t.expires_after(std::chrono::seconds(10));
          co_await t.async_wait(boost::asio::use_awaitable);
          co_return;
        }
        if (!binary && text.starts_with("big ")) {
          std::string big(std::stoul(text.substr(4)), 'x');
          ws->binary(true);
          co_await ws->async_write(boost::asio::buffer(big), boost::asio::use_awaitable);
          continue;
        }
        ws->binary(binary);
        co_await ws->async_write(boost::asio::buffer(text), boost::asio::use_awaitable);
      }
    } catch (const std::exception&) {
      // The client went away or closed: the session is over.
    }
  }

  tls_context tls_;
  bool handshake_;
  io_pool io_{ 1 };
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{ 0 };
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> held_;
  mutable std::mutex mtx_;
  std::string last_target_;
  std::string last_server_name_;
};

} // namespace spectacles::net::testing
