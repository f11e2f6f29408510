// gateway_server: the simulated Discord gateway's listeners — the main URL
// and a distinct resume URL (its own port, so a client resuming on the wrong
// URL is seen) — each plain or TLS, accepting WebSocket connections that run
// gateway_connection + gateway_session.
//
//   auto gw = gateway_server::start(io.context(), {.tls = ctx}, shared);
//   gw->url();          // "wss://127.0.0.1:40123"
//   gw->resume_url();   // "wss://127.0.0.1:40124"
#pragma once

#include "net/result.hpp"
#include "sim/gateway_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spectacles::sim {

struct gateway_server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                              ///< 0 = ephemeral
  uint16_t resume_port = 0;                       ///< 0 = ephemeral
  std::shared_ptr<boost::asio::ssl::context> tls; ///< null = plain ws://
};

class gateway_server : public std::enable_shared_from_this<gateway_server> {
public:
  static net::result<std::shared_ptr<gateway_server>> start(boost::asio::io_context& ioc,
                                                            gateway_server_options opts,
                                                            std::shared_ptr<gateway_shared> shared);

  gateway_server(boost::asio::io_context& ioc, gateway_server_options opts,
                 std::shared_ptr<gateway_shared> shared);
  ~gateway_server();

  uint16_t port() const {
    return port_;
  }
  uint16_t resume_port() const {
    return resume_port_;
  }
  std::string url() const;
  std::string resume_url() const;

  /// Closes the listeners and every connection. Idempotent.
  void stop();

private:
  net::status listen(boost::asio::ip::tcp::acceptor& acc, uint16_t port, uint16_t& bound);
  void do_accept(boost::asio::ip::tcp::acceptor& acc, bool resume);
  void on_accept(bool resume, boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  gateway_server_options opts_;
  std::shared_ptr<gateway_shared> shared_;
  boost::asio::ip::tcp::acceptor main_;
  boost::asio::ip::tcp::acceptor resume_;
  uint16_t port_ = 0;
  uint16_t resume_port_ = 0;
  std::mutex mtx_;
  bool stopped_ = false;
  std::vector<std::weak_ptr<gateway_connection_base>> connections_;
};

} // namespace spectacles::sim
