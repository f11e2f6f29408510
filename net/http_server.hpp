// A small HTTP/1.1 server on Beast: the metrics endpoint, the REST proxy and
// the simulator's REST API. Keep-alive; pipelined requests are answered in
// order; Content-Length and chunked request bodies; 400 on a malformed
// request; a connection idle for `idle_timeout` is closed.
//
// The handler runs on an I/O thread and must not block; it answers by calling
// the responder exactly once, from any thread, possibly later (the sim delays
// answers to inject slow responses). A responder dropped without being called
// answers 500, so a forgotten path never hangs a client.
//
// (Options are set field by field: -Wextra rejects partial designated
// initializers.)
//
//   net::http_server_options opts;
//   opts.port = 0;
//   auto srv = net::http_server::start(io.context(), opts,
//     [](net::http_request&& req, net::http_responder respond) {
//       respond({200, {{"Content-Type", "text/plain"}}, "ok\n"});
//     });
//   if (!srv) { log::error("metrics", srv.error().what()); return; }
//   auto port = (*srv)->port();
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/http_message.hpp"
#include "net/result.hpp"

namespace spectacles::net {

/// Call exactly once, from any thread; may be delayed.
using http_responder = std::function<void(http_response)>;
using http_handler = std::function<void(http_request&&, http_responder)>;

struct http_server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                               // 0 = ephemeral
  std::shared_ptr<boost::asio::ssl::context> tls;  // null = plain HTTP
  size_t max_body = 16 * 1024 * 1024;              // larger bodies get 413
  std::chrono::milliseconds idle_timeout{ 30000 }; // no request and no answer pending
  size_t max_pipelined = 32;                       // unanswered requests read ahead
};

class http_server : public std::enable_shared_from_this<http_server> {
public:
  /// Binds and starts accepting on `ioc`; a readable error when the address
  /// is in use, the host does not parse, ...
  static result<std::shared_ptr<http_server>> start(boost::asio::io_context& ioc,
                                                    http_server_options opts, http_handler handler);

  ~http_server();

  uint16_t port() const {
    return port_;
  }

  /// Connections accepted since start (tests count keep-alive reuse by it).
  size_t connections_accepted() const {
    return accepted_.load();
  }

  /// Closes the listener and all connections. Idempotent, any thread.
  void stop();

  // Internal: connections register here so that stop() can close them.
  struct connection_base {
    virtual ~connection_base() = default;
    virtual void close() = 0;
  };

  /// Internal, called by connections when they end.
  void forget(uint64_t id);

  http_server(boost::asio::io_context& ioc, http_server_options opts, http_handler handler);

private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  std::shared_ptr<const http_server_options> opts_;
  std::shared_ptr<const http_handler> handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<size_t> accepted_{ 0 };
  std::atomic<bool> stopped_{ false };
  std::mutex mtx_;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, std::weak_ptr<connection_base>> connections_;
};

} // namespace spectacles::net
