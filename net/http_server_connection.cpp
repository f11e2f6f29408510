#include "net/http_server_connection.hpp"

#include <atomic>
#include <exception>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "net/log.hpp"

namespace spectacles::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, asio::ip::tcp::socket>;

// Answers 500 if the handler drops its responder without calling it, and
// ignores every call after the first.
template <class Conn>
struct responder_state {
  std::shared_ptr<Conn> conn;
  uint64_t seq;
  std::atomic<bool> answered{ false };

  responder_state(std::shared_ptr<Conn> c, uint64_t s) : conn(std::move(c)), seq(s) {}

  void answer(http_response res) {
    if (answered.exchange(true))
      return;
    asio::post(conn->executor(), [c = conn, s = seq, r = std::move(res)]() mutable {
      c->deliver(s, std::move(r));
    });
  }

  ~responder_state() {
    if (!answered.load())
      answer(
        http_response{ 500, { { "Content-Type", "text/plain" } }, "handler gave no answer\n" });
  }
};

} // namespace

template <class Stream>
http_server_connection<Stream>::http_server_connection(
  Stream stream, std::string remote, std::shared_ptr<const http_server_options> opts,
  std::shared_ptr<const http_handler> handler, std::weak_ptr<http_server> server, uint64_t id)
    : stream_(std::move(stream)),
      remote_(std::move(remote)),
      opts_(std::move(opts)),
      handler_(std::move(handler)),
      server_(std::move(server)),
      id_(id),
      timer_(beast::get_lowest_layer(stream_).get_executor()) {}

template <class Stream>
http_server_connection<Stream>::~http_server_connection() {
  if (auto srv = server_.lock())
    srv->forget(id_);
}

template <class Stream>
void http_server_connection<Stream>::run() {
  // The strand of the socket serializes everything from here on.
  asio::dispatch(executor(), [self = this->shared_from_this()] {
    self->arm_idle();
    if constexpr (is_tls<Stream>)
      self->stream_.async_handshake(asio::ssl::stream_base::server, [self](error_code ec) {
        self->on_handshake(ec);
      });
    else
      self->do_read();
  });
}

template <class Stream>
void http_server_connection<Stream>::close() {
  asio::post(executor(), [self = this->shared_from_this()] {
    self->close_now();
  });
}

template <class Stream>
void http_server_connection<Stream>::on_handshake(error_code ec) {
  if (ec) {
    log::debug("http_server", "TLS handshake with ", remote_, " failed: ", ec.message());
    return close_now();
  }
  do_read();
}

template <class Stream>
void http_server_connection<Stream>::do_read() {
  if (closed_ || read_done_ || reading_)
    return;
  parser_.emplace();
  parser_->body_limit(opts_->max_body);
  parser_->header_limit(64 * 1024);
  reading_ = true;
  http::async_read(stream_, buffer_, *parser_,
                   [self = this->shared_from_this()](error_code ec, size_t n) {
                     self->on_read(ec, n);
                   });
}

template <class Stream>
void http_server_connection<Stream>::on_read(error_code ec, size_t) {
  reading_ = false;
  if (closed_ || ec == asio::error::operation_aborted)
    return;
  if (ec == http::error::end_of_stream || ec == asio::error::eof
      || ec == asio::ssl::error::stream_truncated) {
    // The client is done sending; answer what it already asked, then close.
    read_done_ = true;
    if (slots_.empty())
      do_shutdown();
    return;
  }
  if (ec == http::error::body_limit)
    return reject(413, "request body larger than " + std::to_string(opts_->max_body) + " bytes");
  if (ec == http::error::header_limit)
    return reject(431, "request header too large");
  if (ec.category() == http::make_error_code(http::error::bad_method).category())
    return reject(400, "malformed request: " + ec.message());
  if (ec) {
    log::debug("http_server", "read from ", remote_, " failed: ", ec.message());
    return close_now();
  }
  arm_idle();
  dispatch_request();
}

template <class Stream>
void http_server_connection<Stream>::dispatch_request() {
  auto msg = parser_->release();
  parser_.reset();
  bool keep_alive = msg.keep_alive();
  auto seq = next_seq_++;
  slots_.push_back(slot{ seq, keep_alive, msg.version(), std::nullopt });
  if (!keep_alive)
    read_done_ = true;
  http_request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& field : msg)
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  req.body = std::move(msg.body());
  req.remote = remote_;
  auto state
    = std::make_shared<responder_state<http_server_connection>>(this->shared_from_this(), seq);
  http_responder respond = [state](http_response res) {
    state->answer(std::move(res));
  };
  try {
    (*handler_)(std::move(req), std::move(respond));
  } catch (const std::exception& ex) {
    log::error("http_server", "handler threw: ", ex.what());
    state->answer(http_response{ 500, { { "Content-Type", "text/plain" } }, "handler failed\n" });
  }
  if (slots_.size() < opts_->max_pipelined)
    do_read();
}

template <class Stream>
void http_server_connection<Stream>::reject(unsigned status, std::string reason) {
  log::debug("http_server", "rejecting request from ", remote_, ": ", reason);
  read_done_ = true;
  auto seq = next_seq_++;
  slots_.push_back(slot{ seq, false, 11, std::nullopt });
  deliver(seq, http_response{ status, { { "Content-Type", "text/plain" } }, reason + "\n" });
}

template <class Stream>
void http_server_connection<Stream>::deliver(uint64_t seq, http_response res) {
  if (closed_)
    return;
  if (res.drop)
    return close_now();
  for (auto& s : slots_) {
    if (s.seq != seq)
      continue;
    response_type out{ static_cast<http::status>(res.status), s.version };
    for (auto& [name, value] : res.headers)
      out.insert(name, value);
    out.body() = std::move(res.body);
    // The handler may ask to close with "Connection: close".
    s.keep_alive = s.keep_alive && out.keep_alive();
    out.keep_alive(s.keep_alive);
    out.prepare_payload();
    s.res.emplace(std::move(out));
    break;
  }
  do_write();
}

template <class Stream>
void http_server_connection<Stream>::do_write() {
  if (writing_ || closed_ || slots_.empty() || !slots_.front().res)
    return;
  writing_ = true;
  http::async_write(stream_, *slots_.front().res,
                    [self = this->shared_from_this()](error_code ec, size_t n) {
                      self->on_write(ec, n);
                    });
}

template <class Stream>
void http_server_connection<Stream>::on_write(error_code ec, size_t) {
  writing_ = false;
  if (closed_ || ec == asio::error::operation_aborted)
    return;
  if (ec) {
    log::debug("http_server", "write to ", remote_, " failed: ", ec.message());
    return close_now();
  }
  bool keep_alive = slots_.front().keep_alive;
  slots_.pop_front();
  arm_idle();
  if (!keep_alive)
    return do_shutdown();
  if (!slots_.empty())
    return do_write();
  if (read_done_)
    return do_shutdown();
  do_read();
}

template <class Stream>
bool http_server_connection<Stream>::waiting_for_handler() const {
  for (const auto& s : slots_)
    if (!s.res)
      return true;
  return false;
}

template <class Stream>
void http_server_connection<Stream>::arm_idle() {
  if (closed_)
    return;
  timer_.expires_after(opts_->idle_timeout);
  timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    self->on_idle(ec);
  });
}

template <class Stream>
void http_server_connection<Stream>::on_idle(error_code ec) {
  if (ec || closed_)
    return;
  // A slow handler (or the sim's slow-response fault) is not an idle client.
  if (waiting_for_handler())
    return arm_idle();
  log::debug("http_server", "closing idle connection from ", remote_);
  close_now();
}

template <class Stream>
void http_server_connection<Stream>::do_shutdown() {
  if (closed_)
    return;
  if constexpr (is_tls<Stream>) {
    read_done_ = true;
    arm_idle(); // bounds a peer that never answers close_notify
    stream_.async_shutdown([self = this->shared_from_this()](error_code ec) {
      self->on_shutdown(ec);
    });
  } else {
    error_code ignored;
    stream_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    close_now();
  }
}

template <class Stream>
void http_server_connection<Stream>::on_shutdown(error_code) {
  close_now();
}

template <class Stream>
void http_server_connection<Stream>::close_now() {
  if (closed_)
    return;
  closed_ = true;
  error_code ignored;
  beast::get_lowest_layer(stream_).close(ignored);
  timer_.cancel();
}

template class http_server_connection<asio::ip::tcp::socket>;
template class http_server_connection<asio::ssl::stream<asio::ip::tcp::socket>>;

} // namespace spectacles::net
