#include "sim/gateway_server.hpp"

#include <boost/asio/strand.hpp>

namespace spectacles::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

net::result<std::shared_ptr<gateway_server>>
gateway_server::start(asio::io_context& ioc, gateway_server_options opts,
                      std::shared_ptr<gateway_shared> shared) {
  auto srv = std::make_shared<gateway_server>(ioc, std::move(opts), std::move(shared));
  if (auto st = srv->listen(srv->main_, srv->opts_.port, srv->port_); !st)
    return st.error();
  if (auto st = srv->listen(srv->resume_, srv->opts_.resume_port, srv->resume_port_); !st)
    return st.error();
  srv->do_accept(srv->main_, false);
  srv->do_accept(srv->resume_, true);
  return srv;
}

gateway_server::gateway_server(asio::io_context& ioc, gateway_server_options opts,
                               std::shared_ptr<gateway_shared> shared)
    : ioc_(ioc), opts_(std::move(opts)), shared_(std::move(shared)), main_(ioc), resume_(ioc) {}

gateway_server::~gateway_server() {
  stop();
}

net::status gateway_server::listen(tcp::acceptor& acc, uint16_t port, uint16_t& bound) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(opts_.host, ec);
  if (ec)
    return net::error{ net::errc::invalid_argument, "bad gateway host '" + opts_.host + "'" };
  tcp::endpoint ep{ addr, port };
  acc.open(ep.protocol(), ec);
  if (!ec)
    acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acc.bind(ep, ec);
  if (!ec)
    acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return net::error{ net::errc::io, "gateway listen on " + opts_.host + ":" + std::to_string(port)
                                        + ": " + ec.message() };
  bound = acc.local_endpoint().port();
  return {};
}

std::string gateway_server::url() const {
  return std::string{ opts_.tls ? "wss://" : "ws://" } + opts_.host + ":" + std::to_string(port_);
}

std::string gateway_server::resume_url() const {
  return std::string{ opts_.tls ? "wss://" : "ws://" } + opts_.host + ":"
         + std::to_string(resume_port_);
}

void gateway_server::do_accept(tcp::acceptor& acc, bool resume) {
  acc.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&gateway_server::on_accept,
                                                                      shared_from_this(), resume));
}

void gateway_server::on_accept(bool resume, beast::error_code ec, tcp::socket socket) {
  std::shared_ptr<gateway_connection_base> conn;
  {
    std::lock_guard<std::mutex> guard{ mtx_ };
    if (stopped_)
      return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      if (opts_.tls) {
        auto c = std::make_shared<gateway_connection<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>{ beast::tcp_stream{ std::move(socket) },
                                                *opts_.tls },
          shared_, resume);
        c->run();
        conn = c;
      } else {
        auto c = std::make_shared<gateway_connection<beast::tcp_stream>>(
          beast::tcp_stream{ std::move(socket) }, shared_, resume);
        c->run();
        conn = c;
      }
      std::erase_if(connections_, [](auto& w) {
        return w.expired();
      });
      connections_.push_back(conn);
    }
  }
  do_accept(resume ? resume_ : main_, resume);
}

void gateway_server::stop() {
  std::vector<std::weak_ptr<gateway_connection_base>> conns;
  {
    std::lock_guard<std::mutex> guard{ mtx_ };
    if (stopped_)
      return;
    stopped_ = true;
    conns.swap(connections_);
  }
  beast::error_code ignored;
  main_.close(ignored);
  resume_.close(ignored);
  for (auto& w : conns)
    if (auto c = w.lock())
      c->shutdown();
}

} // namespace spectacles::sim
