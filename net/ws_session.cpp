#include "net/ws_session.hpp"

#include <type_traits>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <random>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "net/log.hpp"

namespace spectacles::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

constexpr size_t min_read = 4096;
constexpr size_t max_read = 64 * 1024;

bool has_token(std::string_view list, std::string_view token) {
  // "Connection: keep-alive, Upgrade"
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (beast::iequals(item, token))
      return true;
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return false;
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
      stream_([&]() -> Stream {
        if constexpr (is_tls<Stream>)
          return Stream{ strand_, *tls_ };
        else
          return Stream{ strand_ };
      }()),
      reader_(opts_.max_message, opts_.keep_buffer) {
  std::random_device rd;
  random_ = (uint64_t{ rd() } << 32) | rd() | 1;
}

template <class Stream>
uint32_t ws_session<Stream>::next_mask() {
  // xorshift64: masking keys need not be secret from us, only unpredictable
  // to what sits between us and the server (RFC 6455 §10.3).
  random_ ^= random_ << 13;
  random_ ^= random_ >> 7;
  random_ ^= random_ << 17;
  return static_cast<uint32_t>(random_ >> 16);
}

template <class Stream>
void ws_session<Stream>::connect() {
  asio::post(strand_, [self = this->shared_from_this()] {
    self->start();
  });
}

template <class Stream>
void ws_session<Stream>::send(std::string data, bool binary) {
  send(std::move(data), binary, {});
}

template <class Stream>
void ws_session<Stream>::send(std::string data, bool binary, std::function<void()> on_written) {
  ++queued_;
  asio::post(strand_, [self = this->shared_from_this(), d = std::move(data), binary,
                       done = std::move(on_written)]() mutable {
    if (self->state_ == state::done || self->close_request_ || self->ending_) {
      --self->queued_;
      return;
    }
    self->queue_.push_back(outgoing{ std::move(d), binary, std::move(done) });
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
        if (self->ending_)
          return; // the peer's close (or an error) is being answered already
        self->state_ = state::closing;
        self->close_request_.emplace(code, std::move(r));
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
  beast::get_lowest_layer(stream_).expires_after(opts_.connect_timeout);
  beast::get_lowest_layer(stream_).async_connect(
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
  beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ignored);
  beast::get_lowest_layer(stream_).expires_after(opts_.handshake_timeout);
  if constexpr (is_tls<Stream>) {
    auto* ssl = stream_.native_handle();
    if (auto st = prepare_client_stream(ssl, url_.host); !st)
      return fail({}, errc::tls, st.error().message);
    stream_.async_handshake(asio::ssl::stream_base::client,
                            [self = this->shared_from_this()](error_code ec) {
                              self->on_tls_handshake(ec);
                            });
  } else {
    start_upgrade();
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
      auto verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK)
        detail = std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
    return fail(ec, errc::tls, "TLS handshake with " + url_.host + " failed" + detail);
  }
  start_upgrade();
}

template <class Stream>
void ws_session<Stream>::start_upgrade() {
  // The handshake timeout (set at connect) bounds the upgrade too. Idle time
  // afterwards is not bounded: the gateway's heartbeat decides when a quiet
  // connection is dead.
  key_ = ws_key_from(uint64_t{ next_mask() } << 32 | next_mask(),
                     uint64_t{ next_mask() } << 32 | next_mask());
  auto& req = upgrade_request_.emplace(http::verb::get, url_.target, 11);
  req.set(http::field::host, url_.host_header());
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, key_);
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::user_agent, "spectacles-cpp");
  for (const auto& [name, value] : opts_.headers)
    req.set(name, value);
  http::async_write(stream_, req, [self = this->shared_from_this()](error_code ec, size_t) {
    self->on_upgrade_written(ec);
  });
}

template <class Stream>
void ws_session<Stream>::fail_handshake(error_code ec) {
  if (ec == beast::error::timeout)
    return fail(ec, errc::timeout, "WebSocket handshake with " + url_.host + " timed out");
  fail(ec, errc::protocol, "WebSocket handshake with " + url_.host + " failed");
}

template <class Stream>
void ws_session<Stream>::on_upgrade_written(error_code ec) {
  if (state_ != state::connecting)
    return;
  if (ec)
    return fail_handshake(ec);
  upgrade_request_.reset();
  upgrade_response_.emplace();
  http::async_read_header(stream_, upgrade_buffer_, *upgrade_response_,
                          [self = this->shared_from_this()](error_code ec, size_t) {
                            self->on_upgrade(ec);
                          });
}

template <class Stream>
void ws_session<Stream>::on_upgrade(error_code ec) {
  if (state_ != state::connecting)
    return;
  if (ec)
    return fail_handshake(ec);
  const auto& res = upgrade_response_->get();
  if (res.result() != http::status::switching_protocols)
    return fail({}, errc::protocol,
                "server answered " + std::to_string(res.result_int()) + " instead of 101 to "
                  + url_.target);
  if (!beast::iequals(res[http::field::upgrade], "websocket")
      || !has_token(res[http::field::connection], "upgrade"))
    return fail({}, errc::protocol, "server answered 101 without upgrading to websocket");
  if (res[http::field::sec_websocket_accept] != ws_accept_for(key_))
    return fail({}, errc::protocol, "server answered 101 with a wrong Sec-WebSocket-Accept");
  if (res.count(http::field::sec_websocket_extensions) > 0)
    return fail({}, errc::protocol, "server chose a WebSocket extension nobody asked for");
  beast::get_lowest_layer(stream_).expires_never();
  upgrade_response_.reset();
  // Frames may have come in the same read as the response: they start the
  // read buffer.
  auto early = upgrade_buffer_.cdata();
  rcap_ = std::max(min_read, early.size());
  rbuf_ = std::make_unique<char[]>(rcap_);
  std::memcpy(rbuf_.get(), early.data(), early.size());
  rend_ = early.size();
  rwant_ = min_read;
  upgrade_buffer_ = {};
  state_ = state::open;
  if (cbs_.on_open)
    cbs_.on_open();
  if (state_ == state::done)
    return;
  do_write();
  if (rend_ > 0)
    on_read({}, 0); // parse them before reading more
  else
    do_read();
}

template <class Stream>
void ws_session<Stream>::do_read() {
  // Room for the frame in progress, or for the next read's worth.
  size_t held = rend_ - rpos_;
  size_t want = std::max(rwant_, rneed_ > held ? rneed_ - held : 0);
  if (rcap_ - rend_ < want) {
    if (rcap_ >= held + want) {
      std::memmove(rbuf_.get(), rbuf_.get() + rpos_, held);
    } else {
      auto bigger = std::make_unique<char[]>(held + want);
      std::memcpy(bigger.get(), rbuf_.get() + rpos_, held);
      rbuf_ = std::move(bigger);
      rcap_ = held + want;
    }
    rpos_ = 0;
    rend_ = held;
  }
  read_pending_ = true;
  stream_.async_read_some(
    asio::buffer(rbuf_.get() + rend_, rcap_ - rend_),
    [self = this->shared_from_this(), asked = rcap_ - rend_](error_code ec, size_t n) {
      self->read_pending_ = false;
      if (self->state_ == state::done) {
        self->release_read_buffer(); // finish() left it to this read
        return;
      }
      // A full read means more is waiting: read more at once next time.
      if (!ec && n == asked)
        self->rwant_ = std::min(self->rwant_ * 2, max_read);
      self->on_read(ec, n);
    });
}

template <class Stream>
void ws_session<Stream>::on_read(error_code ec, size_t bytes) {
  if (state_ == state::done)
    return;
  if (ec)
    return end_from(ec);
  rend_ += bytes;
  delivered_ = false;
  auto r = reader_.read({ rbuf_.get() + rpos_, rend_ - rpos_ }, *this);
  rpos_ += r.consumed;
  rneed_ = r.need;
  if (delivered_ && cbs_.on_flush && state_ != state::done)
    cbs_.on_flush();
  if (state_ == state::done)
    return;
  if (r.err) {
    // Tell the peer why (1002 / 1009), then end without waiting for its answer.
    ws_close_info info;
    info.err = std::move(r.err);
    ending_ = std::move(info);
    send_close(r.close_code, {});
    return;
  }
  if (r.closed)
    return; // on_close answered; nothing is read after a close frame
  if (rpos_ == rend_) {
    rpos_ = rend_ = 0;
    // A quiet connection (this read did not fill half the buffer) gives back
    // what a burst or a large message made the buffer grow to: an idle
    // shard keeps 4 KiB here.
    if (bytes < rcap_ / 2 && rcap_ > min_read) {
      rbuf_ = std::make_unique<char[]>(min_read);
      rcap_ = min_read;
      rwant_ = min_read;
    }
  }
  do_read();
}

template <class Stream>
void ws_session<Stream>::on_message(std::string_view data, bool binary) {
  // Once a close frame went out, data frames are no longer of interest (RFC 6455 §1.4).
  if (close_sent_ || state_ == state::done)
    return;
  delivered_ = true;
  if (cbs_.on_message)
    cbs_.on_message(data, binary);
}

template <class Stream>
void ws_session<Stream>::on_ping(std::string_view payload) {
  if (close_sent_ || ending_)
    return;
  std::string frame;
  append_client_frame(frame, ws_opcode::pong, payload, next_mask());
  control_.push_back(std::move(frame));
  do_write();
}

template <class Stream>
void ws_session<Stream>::on_close(uint16_t code, std::string_view reason) {
  ws_close_info info;
  info.code = code;
  info.reason = std::string(reason);
  info.clean = true;
  info.local = close_sent_;
  if (close_sent_)
    return finish(std::move(info)); // the answer to our close: the handshake is done
  // The peer closed first: echo its code (RFC 6455 §5.5.1), then end.
  ending_ = std::move(info);
  send_close(code, {});
}

template <class Stream>
void ws_session<Stream>::send_close(uint16_t code, std::string_view reason) {
  std::string frame;
  append_client_frame(frame, ws_opcode::close,
                      code == 0 ? std::string{} : close_payload(code, reason), next_mask());
  close_sent_ = true;
  control_.push_back(std::move(frame));
  timer_.expires_after(opts_.handshake_timeout);
  timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    self->on_close_timeout(ec);
  });
  do_write();
}

template <class Stream>
void ws_session<Stream>::on_close_timeout(error_code ec) {
  if (ec || state_ == state::done)
    return;
  if (ending_)
    return finish(std::move(*ending_)); // our last frame could not even be written
  ws_close_info info;
  info.local = true;
  info.err = error{ errc::timeout, "WebSocket close handshake timed out" };
  finish(std::move(info));
}

template <class Stream>
void ws_session<Stream>::do_write() {
  if (writing_ || (state_ != state::open && state_ != state::closing))
    return;
  if (!control_.empty()) {
    out_ = std::move(control_.front());
    control_.pop_front();
    out_is_data_ = false;
  } else if (!queue_.empty() && !close_sent_) {
    out_.clear();
    auto& next = queue_.front();
    append_client_frame(out_, next.binary ? ws_opcode::binary : ws_opcode::text, next.data,
                        next_mask());
    out_written_ = std::move(next.on_written);
    queue_.pop_front();
    out_is_data_ = true;
  } else if (close_request_ && !close_sent_ && !ending_) {
    auto [code, reason] = std::move(*close_request_);
    return send_close(code, reason);
  } else {
    return;
  }
  writing_ = true;
  asio::async_write(stream_, asio::buffer(out_),
                    [self = this->shared_from_this()](error_code ec, size_t n) {
                      self->on_write(ec, n);
                    });
}

template <class Stream>
void ws_session<Stream>::on_write(error_code ec, size_t) {
  writing_ = false;
  if (out_is_data_)
    --queued_;
  out_is_data_ = false;
  auto written = std::move(out_written_);
  out_written_ = nullptr;
  if (state_ == state::done)
    return;
  if (!ec && written)
    written();
  if (ending_ && close_sent_ && control_.empty()) {
    // Our answer to the peer's close (or our 1002/1009) is out, or could not
    // go out: either way the connection is over.
    return finish(std::move(*ending_));
  }
  if (ec)
    return end_from(ec);
  do_write();
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
  if (ending_) {
    info = std::move(*ending_);
  } else if (is_drop(ec)) {
    info.err = error{ errc::closed, "connection dropped without a close frame: " + ec.message() };
  } else {
    info.err = error{ errc::io, ec.message() };
  }
  finish(std::move(info));
}

template <class Stream>
void ws_session<Stream>::release_read_buffer() {
  rbuf_.reset();
  rcap_ = rpos_ = rend_ = 0;
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
  beast::get_lowest_layer(stream_).socket().close(ignored);
  // Sends posted after this point undo their own count in send().
  queued_ -= queue_.size();
  queue_.clear();
  control_.clear();
  if (!read_pending_)
    release_read_buffer();
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
