#include "net/http_server.hpp"

#include <vector>

#include <boost/asio/strand.hpp>

#include "net/http_server_connection.hpp"
#include "net/log.hpp"

namespace spectacles::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

http_server::http_server(asio::io_context& ioc, http_server_options opts, http_handler handler)
    : ioc_(ioc),
      opts_(std::make_shared<const http_server_options>(std::move(opts))),
      handler_(std::make_shared<const http_handler>(std::move(handler))),
      acceptor_(ioc) {}

http_server::~http_server() {
  error_code ignored;
  acceptor_.close(ignored);
}

result<std::shared_ptr<http_server>>
http_server::start(asio::io_context& ioc, http_server_options opts, http_handler handler) {
  if (!handler)
    return error{ errc::invalid_argument, "http_server needs a handler" };
  error_code ec;
  auto addr = asio::ip::make_address(opts.host, ec);
  if (ec)
    return error{ errc::invalid_argument,
                  "http_server host '" + opts.host + "' is not an IP address: " + ec.message() };
  tcp::endpoint ep{ addr, opts.port };
  auto srv = std::make_shared<http_server>(ioc, std::move(opts), std::move(handler));
  auto where = [&] {
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  };
  srv->acceptor_.open(ep.protocol(), ec);
  if (!ec)
    srv->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    srv->acceptor_.bind(ep, ec);
  if (ec)
    return error{ errc::io, "cannot listen on " + where() + ": " + ec.message() };
  srv->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return error{ errc::io, "cannot listen on " + where() + ": " + ec.message() };
  srv->port_ = srv->acceptor_.local_endpoint(ec).port();
  if (ec)
    return error{ errc::io, "cannot read the bound port: " + ec.message() };
  // The first accept must run through the acceptor's executor like every
  // later one; post so that stop() and the accept loop never race.
  asio::post(ioc, [srv] {
    srv->do_accept();
  });
  return srv;
}

void http_server::do_accept() {
  if (stopped_)
    return;
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [self = shared_from_this()](error_code ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void http_server::on_accept(error_code ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted)
    return;
  if (ec) {
    // Out of descriptors and the like: keep accepting, the next may succeed.
    log::warn("http_server", "accept failed on port ", port_, ": ", ec.message());
    return do_accept();
  }
  ++accepted_;
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto peer = socket.remote_endpoint(ignored);
  std::string remote = peer.address().to_string() + ":" + std::to_string(peer.port());
  std::shared_ptr<connection_base> conn;
  uint64_t id;
  {
    std::lock_guard guard{ mtx_ };
    id = next_id_++;
  }
  if (opts_->tls) {
    auto c = std::make_shared<tls_http_server_connection>(
      asio::ssl::stream<tcp::socket>{ std::move(socket), *opts_->tls }, std::move(remote), opts_,
      handler_, weak_from_this(), id);
    c->run();
    conn = c;
  } else {
    auto c = std::make_shared<plain_http_server_connection>(std::move(socket), std::move(remote),
                                                            opts_, handler_, weak_from_this(), id);
    c->run();
    conn = c;
  }
  {
    std::lock_guard guard{ mtx_ };
    connections_.emplace(id, conn);
  }
  // stop() may have collected the connections just before this one joined.
  if (stopped_)
    return conn->close();
  do_accept();
}

void http_server::forget(uint64_t id) {
  std::lock_guard guard{ mtx_ };
  connections_.erase(id);
}

void http_server::stop() {
  if (stopped_.exchange(true))
    return;
  asio::post(ioc_, [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
  });
  std::vector<std::shared_ptr<connection_base>> open;
  {
    std::lock_guard guard{ mtx_ };
    for (auto& [id, weak] : connections_)
      if (auto c = weak.lock())
        open.push_back(std::move(c));
  }
  for (auto& c : open)
    c->close();
}

} // namespace spectacles::net
