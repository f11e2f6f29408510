// A one-shot TCP server for answers no well-behaved server library writes
// (hand-made chunked bodies, garbage): it accepts one connection, reads one
// request head and writes `reply` verbatim, then closes.
#pragma once

#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace spectacles::net::testing {

class raw_server {
public:
  explicit raw_server(std::string reply) : acceptor_(ctx_) {
    using boost::asio::ip::tcp;
    tcp::endpoint ep{ boost::asio::ip::make_address("127.0.0.1"), 0 };
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this, reply = std::move(reply)] {
      boost::system::error_code ec;
      tcp::socket s{ ctx_ };
      acceptor_.accept(s, ec);
      if (ec)
        return;
      boost::asio::streambuf buf;
      boost::asio::read_until(s, buf, "\r\n\r\n", ec);
      boost::asio::write(s, boost::asio::buffer(reply), ec);
      s.shutdown(tcp::socket::shutdown_both, ec);
    });
  }

  ~raw_server() {
    thread_.join();
  }

  uint16_t port() const {
    return port_;
  }

private:
  boost::asio::io_context ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
};

} // namespace spectacles::net::testing
