#include "net/http_client_connection.hpp"

#include <poll.h>

#include <type_traits>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace spectacles::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

bool is_hangup(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream
         || ec == asio::error::connection_reset || ec == asio::error::broken_pipe
         || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_aborted;
}

// An idle HTTP/1.1 connection receives nothing: if its socket is readable,
// the server has closed it (or sent something we cannot use).
bool idle_peer_gone(tcp::socket& sock) {
  pollfd p{};
  p.fd = sock.native_handle();
  p.events = POLLIN | POLLRDHUP;
  return ::poll(&p, 1, 0) > 0;
}

} // namespace

template <class Stream>
http_client_connection<Stream>::http_client_connection(asio::io_context& ioc,
                                                       std::shared_ptr<http_client> owner,
                                                       url where, tls_context tls)
    : strand_(asio::make_strand(ioc)),
      owner_(owner),
      opts_(owner->options()),
      where_(std::move(where)),
      tls_(std::move(tls)),
      resolver_(strand_),
      resolve_timer_(strand_) {
  origin = where_.origin();
  reset_stream();
}

template <class Stream>
void http_client_connection<Stream>::reset_stream() {
  if constexpr (is_tls<Stream>)
    stream_.emplace(strand_, *tls_);
  else
    stream_.emplace(strand_);
  buffer_.clear();
  connected_ = false;
  reused_ = false;
}

template <class Stream>
void http_client_connection<Stream>::run(std::shared_ptr<http_client::job> j) {
  asio::post(strand_, [self = this->shared_from_this(), j = std::move(j)]() mutable {
    self->job_ = std::move(j);
    if (self->connected_ && idle_peer_gone(beast::get_lowest_layer(*self->stream_).socket())) {
      // Closed by the server while idle: found out before sending, so even
      // a POST goes out (once) on a fresh connection.
      error_code ignored;
      beast::get_lowest_layer(*self->stream_).socket().close(ignored);
      self->reset_stream();
    }
    if (self->connected_) {
      self->reused_ = true;
      self->do_write();
    } else {
      self->do_resolve();
    }
  });
}

template <class Stream>
void http_client_connection<Stream>::close() {
  asio::post(strand_, [self = this->shared_from_this()] {
    error_code ignored;
    beast::get_lowest_layer(*self->stream_).socket().close(ignored);
    self->connected_ = false;
  });
}

template <class Stream>
void http_client_connection<Stream>::do_resolve() {
  // connect_timeout bounds name resolution too: the stream's deadline only
  // starts with the TCP connect, so a timer cancels a resolver that hangs.
  resolve_timed_out_ = false;
  resolve_timer_.expires_after(opts_.connect_timeout);
  resolve_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    if (ec)
      return;
    self->resolve_timed_out_ = true;
    self->resolver_.cancel();
  });
  resolver_.async_resolve(where_.host, std::to_string(where_.port),
                          [self = this->shared_from_this()](error_code ec, auto results) {
                            self->on_resolve(ec, std::move(results));
                          });
}

template <class Stream>
void http_client_connection<Stream>::on_resolve(error_code ec,
                                                tcp::resolver::results_type results) {
  resolve_timer_.cancel();
  if (resolve_timed_out_)
    return fail(errc::timeout, "resolving '" + where_.host + "' timed out", ec);
  if (ec)
    return fail(errc::dns, "cannot resolve '" + where_.host + "'", ec);
  auto& layer = beast::get_lowest_layer(*stream_);
  layer.expires_after(opts_.connect_timeout);
  layer.async_connect(results, [self = this->shared_from_this()](error_code ec, tcp::endpoint ep) {
    self->on_connect(ec, ep);
  });
}

template <class Stream>
void http_client_connection<Stream>::on_connect(error_code ec, tcp::endpoint) {
  auto where = where_.host + ":" + std::to_string(where_.port);
  if (ec == beast::error::timeout)
    return fail(errc::timeout, "connecting to " + where + " timed out");
  if (ec)
    return fail(errc::connect, "cannot connect to " + where, ec);
  if (auto owner = owner_.lock())
    owner->count_open();
  error_code ignored;
  beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true), ignored);
  if constexpr (is_tls<Stream>) {
    if (auto st = prepare_client_stream(stream_->native_handle(), where_.host); !st)
      return fail(errc::tls, st.error().message);
    beast::get_lowest_layer(*stream_).expires_after(opts_.connect_timeout);
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [self = this->shared_from_this()](error_code ec) {
                               self->on_tls_handshake(ec);
                             });
  } else {
    connected_ = true;
    do_write();
  }
}

template <class Stream>
void http_client_connection<Stream>::on_tls_handshake(error_code ec) {
  if (ec == beast::error::timeout)
    return fail(errc::timeout, "TLS handshake with " + where_.host + " timed out");
  if (ec) {
    std::string detail;
    if constexpr (is_tls<Stream>) {
      auto verify = SSL_get_verify_result(stream_->native_handle());
      if (verify != X509_V_OK)
        detail = std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
    return fail(errc::tls, "TLS handshake with " + where_.host + " failed" + detail, ec);
  }
  connected_ = true;
  do_write();
}

template <class Stream>
void http_client_connection<Stream>::do_write() {
  req_ = {};
  req_.version(11);
  auto verb = http::string_to_verb(job_->method);
  if (verb == http::verb::unknown)
    req_.method_string(job_->method);
  else
    req_.method(verb);
  req_.target(job_->where.target);
  req_.set(http::field::host, where_.host_header());
  req_.set(http::field::user_agent, opts_.user_agent);
  bool close_after = false;
  for (const auto& [name, value] : job_->headers) {
    req_.set(name, value);
    close_after
      = close_after || (beast::iequals(name, "Connection") && beast::iequals(value, "close"));
  }
  req_.body() = job_->body;
  // keep_alive(true) would strip a caller's "Connection: close" (Beast drops
  // the token for HTTP/1.1), so a caller asking for a one-shot connection
  // got a pooled one.
  req_.keep_alive(!close_after);
  req_.prepare_payload();
  beast::get_lowest_layer(*stream_).expires_after(opts_.request_timeout);
  http::async_write(*stream_, req_, [self = this->shared_from_this()](error_code ec, size_t n) {
    self->on_write(ec, n);
  });
}

template <class Stream>
void http_client_connection<Stream>::on_write(error_code ec, size_t) {
  if (ec) {
    if (retry_on_fresh_connection(ec, false))
      return;
    if (ec == beast::error::timeout)
      return fail(errc::timeout,
                  "sending " + job_->method + " " + job_->where.target + " timed out");
    return fail(errc::closed, "sending " + job_->method + " " + job_->where.target + " failed", ec);
  }
  parser_.emplace();
  parser_->body_limit(opts_.max_response_body);
  http::async_read(*stream_, buffer_, *parser_,
                   [self = this->shared_from_this()](error_code ec, size_t n) {
                     self->on_read(ec, n);
                   });
}

template <class Stream>
void http_client_connection<Stream>::on_read(error_code ec, size_t) {
  auto what = job_->method + " " + where_.origin() + job_->where.target;
  if (ec) {
    if (!parser_->got_some() && retry_on_fresh_connection(ec, true))
      return;
    if (ec == beast::error::timeout)
      return fail(errc::timeout, what + ": no complete answer within "
                                   + std::to_string(opts_.request_timeout.count()) + " ms");
    if (ec == http::error::body_limit)
      return fail(errc::too_large, what + ": response body above "
                                     + std::to_string(opts_.max_response_body) + " bytes");
    if (is_hangup(ec) || ec == http::error::partial_message)
      return fail(errc::closed, what + ": the server closed the connection mid-answer", ec);
    if (ec.category() == http::make_error_code(http::error::bad_version).category())
      return fail(errc::protocol, what + ": malformed response", ec);
    return fail(errc::io, what, ec);
  }
  beast::get_lowest_layer(*stream_).expires_never();
  auto msg = parser_->release();
  parser_.reset();
  http_response res;
  res.status = msg.result_int();
  res.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& field : msg)
    res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  res.body = std::move(msg.body());
  bool reusable = msg.keep_alive();
  if (!reusable) {
    error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
    reset_stream();
  }
  complete(std::move(res), reusable);
}

template <class Stream>
bool http_client_connection<Stream>::retry_on_fresh_connection(error_code ec, bool answer_awaited) {
  // Only a connection reused from the pool may have been closed by the
  // server while idle; a fresh one failing is a real error.
  if (!reused_ || job_->retried || !(is_hangup(ec) || ec == asio::error::not_connected))
    return false;
  // A hang-up after the request went out looks the same whether the server
  // had closed while idle or took the request and dropped the connection.
  const auto& m = job_->method;
  bool idempotent = m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
  if (answer_awaited && !idempotent)
    return false;
  job_->retried = true;
  error_code ignored;
  beast::get_lowest_layer(*stream_).socket().close(ignored);
  reset_stream();
  do_resolve();
  return true;
}

template <class Stream>
void http_client_connection<Stream>::fail(errc code, std::string what, error_code ec) {
  error_code ignored;
  beast::get_lowest_layer(*stream_).socket().close(ignored);
  // A connection that failed is replaced by a fresh one when reused.
  reset_stream();
  complete(error{ code, ec ? what + ": " + ec.message() : what }, false);
}

template <class Stream>
void http_client_connection<Stream>::complete(result<http_response> res, bool reusable) {
  auto j = std::move(job_);
  job_.reset();
  if (auto owner = owner_.lock())
    owner->finished(this->shared_from_this(), reusable);
  if (j->done)
    j->done(std::move(res));
}

template class http_client_connection<beast::tcp_stream>;
template class http_client_connection<asio::ssl::stream<beast::tcp_stream>>;

} // namespace spectacles::net
