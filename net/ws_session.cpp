#include "net/ws_session.hpp"

#include <type_traits>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/log.hpp"

namespace spectacles::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

// Connections that vanish without a close frame: Discord's "dropped" case,
// which a shard must tell apart from a close code (PROTOCOL.md §1.7).
bool is_drop(const error_code& ec) {
  return ec == asio::error::eof || ec == beast::http::error::end_of_stream
         || ec == asio::error::connection_reset || ec == asio::error::broken_pipe
         || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_aborted;
}

} // namespace

template <class Stream>
ws_session<Stream>::ws_session(asio::io_context& ioc, url where, ws_client_options opts,
                               ws_callbacks cbs, tls_context tls)
    : strand_(asio::make_strand(ioc)),
      url_(std::move(where)),
      opts_(std::move(opts)),
      cbs_(std::move(cbs)),
      tls_(std::move(tls)),
      resolver_(strand_),
      timer_(strand_),
      ws_([&]() -> websocket::stream<Stream> {
        if constexpr (is_tls<Stream>)
          return websocket::stream<Stream>{ strand_, *tls_ };
        else
          return websocket::stream<Stream>{ strand_ };
      }()) {}

template <class Stream>
void ws_session<Stream>::connect() {
  asio::post(strand_, [self = this->shared_from_this()] {
    self->start();
  });
}

template <class Stream>
void ws_session<Stream>::send(std::string data, bool binary) {
  ++queued_;
  asio::post(strand_, [self = this->shared_from_this(), d = std::move(data), binary]() mutable {
    if (self->state_ == state::done || self->close_request_) {
      --self->queued_;
      return;
    }
    self->queue_.emplace_back(std::move(d), binary);
    self->do_write();
  });
}

template <class Stream>
void ws_session<Stream>::close(uint16_t code, std::string reason) {
  asio::post(strand_, [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
    switch (self->state_) {
      case state::done:
      case state::closing: return;
      case state::idle:
      case state::connecting: {
        ws_close_info info;
        info.local = true;
        info.err = error{ errc::cancelled, "closed before the connection was open" };
        return self->finish(std::move(info));
      }
      case state::open:
        self->state_ = state::closing;
        // RFC 6455 §5.5: a control frame payload is at most 125 bytes.
        if (r.size() > 123)
          r.resize(123);
        self->close_request_.emplace(static_cast<websocket::close_code>(code), r);
        self->do_write(); // the close frame follows the queued frames
    }
  });
}

template <class Stream>
void ws_session<Stream>::abort() {
  asio::post(strand_, [self = this->shared_from_this()] {
    if (self->state_ == state::done)
      return;
    ws_close_info info;
    info.local = true;
    info.err = error{ errc::cancelled, "aborted locally without a close frame" };
    self->finish(std::move(info));
  });
}

template <class Stream>
void ws_session<Stream>::start() {
  if (state_ != state::idle)
    return;
  state_ = state::connecting;
  // The resolver has no timeout of its own.
  timer_.expires_after(opts_.connect_timeout);
  timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    self->on_resolve_timeout(ec);
  });
  resolver_.async_resolve(url_.host, std::to_string(url_.port),
                          [self = this->shared_from_this()](error_code ec, auto results) {
                            self->on_resolve(ec, std::move(results));
                          });
}

template <class Stream>
void ws_session<Stream>::on_resolve_timeout(error_code ec) {
  if (ec || state_ != state::connecting)
    return;
  resolve_timed_out_ = true;
  resolver_.cancel();
}

template <class Stream>
void ws_session<Stream>::on_resolve(error_code ec, tcp::resolver::results_type results) {
  if (state_ != state::connecting)
    return;
  timer_.cancel();
  if (resolve_timed_out_)
    return fail(ec, errc::timeout, "resolving '" + url_.host + "' timed out");
  if (ec)
    return fail(ec, errc::dns, "cannot resolve '" + url_.host + "'");
  beast::get_lowest_layer(ws_).expires_after(opts_.connect_timeout);
  beast::get_lowest_layer(ws_).async_connect(
    results, [self = this->shared_from_this()](error_code ec, tcp::endpoint ep) {
      self->on_connect(ec, ep);
    });
}

template <class Stream>
void ws_session<Stream>::on_connect(error_code ec, tcp::endpoint) {
  if (state_ != state::connecting)
    return;
  auto where = url_.host + ":" + std::to_string(url_.port);
  if (ec == beast::error::timeout)
    return fail(ec, errc::timeout, "connecting to " + where + " timed out");
  if (ec)
    return fail(ec, errc::connect, "cannot connect to " + where);
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
  if constexpr (is_tls<Stream>) {
    auto* ssl = ws_.next_layer().native_handle();
    if (auto st = prepare_client_stream(ssl, url_.host); !st)
      return fail({}, errc::tls, st.error().message);
    beast::get_lowest_layer(ws_).expires_after(opts_.handshake_timeout);
    ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                     [self = this->shared_from_this()](error_code ec) {
                                       self->on_tls_handshake(ec);
                                     });
  } else {
    start_ws_handshake();
  }
}

template <class Stream>
void ws_session<Stream>::on_tls_handshake(error_code ec) {
  if (state_ != state::connecting)
    return;
  if (ec == beast::error::timeout)
    return fail(ec, errc::timeout, "TLS handshake with " + url_.host + " timed out");
  if (ec) {
    std::string detail;
    if constexpr (is_tls<Stream>) {
      auto verify = SSL_get_verify_result(ws_.next_layer().native_handle());
      if (verify != X509_V_OK)
        detail = std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
    return fail(ec, errc::tls, "TLS handshake with " + url_.host + " failed" + detail);
  }
  start_ws_handshake();
}

template <class Stream>
void ws_session<Stream>::start_ws_handshake() {
  // From here the WebSocket stream's own timeouts apply: the handshake and
  // the close handshake are bounded; idle time is not (the gateway's
  // heartbeat decides when a quiet connection is dead).
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = opts_.handshake_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([headers = opts_.headers](auto& req) {
    req.set(beast::http::field::user_agent, "spectacles-cpp");
    for (const auto& [name, value] : headers)
      req.set(name, value);
  }));
  ws_.read_message_max(opts_.max_message);
  ws_.auto_fragment(false);
  ws_.async_handshake(upgrade_response_, url_.host_header(), url_.target,
                      [self = this->shared_from_this()](error_code ec) {
                        self->on_handshake(ec);
                      });
}

template <class Stream>
void ws_session<Stream>::on_handshake(error_code ec) {
  if (state_ != state::connecting)
    return;
  if (ec == beast::error::timeout)
    return fail(ec, errc::timeout, "WebSocket handshake with " + url_.host + " timed out");
  if (ec == websocket::error::upgrade_declined)
    return fail(ec, errc::protocol,
                "server answered " + std::to_string(upgrade_response_.result_int())
                  + " instead of 101 to " + url_.target);
  if (ec)
    return fail(ec, errc::protocol, "WebSocket handshake with " + url_.host + " failed");
  state_ = state::open;
  upgrade_response_ = {};
  if (cbs_.on_open)
    cbs_.on_open();
  do_read();
  do_write();
}

template <class Stream>
void ws_session<Stream>::do_read() {
  ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, size_t n) {
    self->on_read(ec, n);
  });
}

template <class Stream>
void ws_session<Stream>::on_read(error_code ec, size_t) {
  if (state_ == state::done)
    return;
  if (ec)
    return end_from(ec);
  auto data = buffer_.cdata();
  if (cbs_.on_message)
    cbs_.on_message(std::string_view{ static_cast<const char*>(data.data()), data.size() },
                    ws_.got_binary());
  buffer_.consume(buffer_.size());
  // A GUILD_CREATE of many MB must not pin that much memory afterwards.
  if (buffer_.capacity() > opts_.keep_buffer)
    buffer_.shrink_to_fit();
  if (state_ != state::done)
    do_read();
}

template <class Stream>
void ws_session<Stream>::do_write() {
  if (writing_ || (state_ != state::open && state_ != state::closing))
    return;
  if (queue_.empty()) {
    if (close_request_ && !close_sent_)
      do_close();
    return;
  }
  writing_ = true;
  ws_.binary(queue_.front().second);
  ws_.async_write(asio::buffer(queue_.front().first),
                  [self = this->shared_from_this()](error_code ec, size_t n) {
                    self->on_write(ec, n);
                  });
}

template <class Stream>
void ws_session<Stream>::on_write(error_code ec, size_t) {
  writing_ = false;
  if (state_ == state::done)
    return;
  if (ec)
    return end_from(ec);
  queue_.pop_front();
  --queued_;
  do_write();
}

template <class Stream>
void ws_session<Stream>::do_close() {
  close_sent_ = true;
  ws_.async_close(*close_request_, [self = this->shared_from_this()](error_code ec) {
    self->on_close(ec);
  });
}

template <class Stream>
void ws_session<Stream>::on_close(error_code ec) {
  if (state_ == state::done)
    return;
  if (ec)
    return end_from(ec);
  ws_close_info info;
  info.code = static_cast<uint16_t>(ws_.reason().code);
  info.reason = std::string(ws_.reason().reason.c_str());
  info.clean = true;
  info.local = true;
  finish(std::move(info));
}

template <class Stream>
void ws_session<Stream>::fail(error_code ec, errc code, std::string what) {
  ws_close_info info;
  info.err = error{ code, ec ? what + ": " + ec.message() : what };
  finish(std::move(info));
}

template <class Stream>
void ws_session<Stream>::end_from(error_code ec) {
  ws_close_info info;
  info.local = close_sent_;
  if (ec == websocket::error::closed) {
    info.code = static_cast<uint16_t>(ws_.reason().code);
    info.reason = std::string(ws_.reason().reason.c_str());
    info.clean = true;
  } else if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    info.err = error{ errc::too_large, "incoming message larger than "
                                         + std::to_string(opts_.max_message) + " bytes" };
  } else if (ec == beast::error::timeout) {
    info.err = error{ errc::timeout, "WebSocket close handshake timed out" };
  } else if (is_drop(ec)) {
    info.err = error{ errc::closed, "connection dropped without a close frame: " + ec.message() };
  } else if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
    info.err = error{ errc::protocol, "WebSocket protocol error: " + ec.message() };
  } else {
    info.err = error{ errc::io, ec.message() };
  }
  finish(std::move(info));
}

template <class Stream>
void ws_session<Stream>::finish(ws_close_info info) {
  if (state_ == state::done)
    return;
  info.was_open = state_ == state::open || state_ == state::closing;
  state_ = state::done;
  timer_.cancel();
  resolver_.cancel();
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  // Sends posted after this point undo their own count in send().
  queued_ -= queue_.size();
  queue_.clear();
  if (info.err)
    log::debug("ws_client", url_.origin(), ": ", info.err->what());
  if (cbs_.on_close)
    cbs_.on_close(info);
  // Break reference cycles through user callbacks that capture the client.
  cbs_ = {};
}

template class ws_session<beast::tcp_stream>;
template class ws_session<asio::ssl::stream<beast::tcp_stream>>;

result<std::shared_ptr<ws_client>> ws_client::create(asio::io_context& ioc, ws_client_options opts,
                                                     ws_callbacks cbs) {
  auto where = parse_url(opts.url);
  if (!where)
    return where.error();
  if (where->scheme != "ws" && where->scheme != "wss")
    return error{ errc::invalid_argument,
                  "ws_client needs a ws:// or wss:// URL, got '" + opts.url + "'" };
  if (!where->tls())
    return std::shared_ptr<ws_client>{ std::make_shared<plain_ws_session>(
      ioc, std::move(*where), std::move(opts), std::move(cbs), nullptr) };
  auto tls = opts.tls;
  if (!tls) {
    auto ctx = make_client_context();
    if (!ctx)
      return ctx.error();
    tls = *ctx;
  }
  return std::shared_ptr<ws_client>{ std::make_shared<tls_ws_session>(
    ioc, std::move(*where), std::move(opts), std::move(cbs), std::move(tls)) };
}

} // namespace spectacles::net
