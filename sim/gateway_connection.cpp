#include "sim/gateway_connection.hpp"

#include "net/log.hpp"

#include <boost/asio/post.hpp>

namespace spectacles::sim {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;

namespace {

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

// Bytes no inflater accepts: a deflate block of the reserved type 3 ending in
// the sync-flush marker (zlib-stream), a zstd block of the reserved type
// (zstd-stream), or text that is not JSON.
std::string corrupt_frame(transport_compression c) {
  switch (c) {
    case transport_compression::zlib_stream:
      return std::string{ "\xff\xff\xff\xff\x00\x00\xff\xff", 8 };
    case transport_compression::zstd_stream: return std::string{ "\xff\xff\xff\xff\xff\xff", 6 };
    default: return "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"d\":{corrupt";
  }
}

std::string query_value(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return {};
  auto query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = std::min(query.find('&'), query.size());
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string{} : std::string{ pair.substr(eq + 1) };
    query = amp < query.size() ? query.substr(amp + 1) : std::string_view{};
  }
  return {};
}

} // namespace

template <class Stream>
gateway_connection<Stream>::gateway_connection(Stream stream,
                                               std::shared_ptr<gateway_shared> shared,
                                               bool via_resume_url)
    : ws_(std::move(stream)),
      shared_(std::move(shared)),
      via_resume_url_(via_resume_url),
      timer_(ws_.get_executor()) {}

template <class Stream>
gateway_connection<Stream>::~gateway_connection() = default;

template <class Stream>
void gateway_connection<Stream>::run() {
  beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds{ 10 });
  if constexpr (is_tls<Stream>) {
    ws_.next_layer().async_handshake(
      boost::asio::ssl::stream_base::server,
      beast::bind_front_handler(&gateway_connection::on_handshake, this->shared_from_this()));
  } else {
    read_upgrade();
  }
}

template <class Stream>
void gateway_connection<Stream>::on_handshake(beast::error_code ec) {
  if (ec)
    return finish(true, 0);
  read_upgrade();
}

template <class Stream>
void gateway_connection<Stream>::read_upgrade() {
  http::async_read(
    ws_.next_layer(), buffer_, upgrade_,
    beast::bind_front_handler(&gateway_connection::on_upgrade_read, this->shared_from_this()));
}

template <class Stream>
void gateway_connection<Stream>::on_upgrade_read(beast::error_code ec, size_t) {
  if (ec || !websocket::is_upgrade(upgrade_))
    return drop();
  std::string_view target{ upgrade_.target().data(), upgrade_.target().size() };
  auto v = query_value(target, "v");
  auto encoding = query_value(target, "encoding");
  auto compress = query_value(target, "compress");
  // Bad query parameters are answered after the upgrade, with Discord's codes.
  if (!v.empty() && v != "10" && v != "9")
    pending_close_ = 4012;
  else if (!encoding.empty() && encoding != "json")
    pending_close_ = 4002; // the sim speaks JSON only
  if (compress == "zlib-stream") {
    compression_ = transport_compression::zlib_stream;
    zlib_ = std::make_unique<net::zlib_deflater>();
  } else if (compress == "zstd-stream") {
    compression_ = transport_compression::zstd_stream;
    zstd_ = std::make_unique<net::zstd_deflater>();
  } else if (!compress.empty()) {
    pending_close_ = 4002;
  }
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds{ 10 };
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws_.set_option(t);
  ws_.read_message_max(1 << 20);
  ws_.auto_fragment(false);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "discord-sim");
  }));
  ws_.async_accept(
    upgrade_, beast::bind_front_handler(&gateway_connection::on_accept, this->shared_from_this()));
}

template <class Stream>
void gateway_connection<Stream>::on_accept(beast::error_code ec) {
  if (ec)
    return finish(true, 0);
  ++shared_->open_connections;
  buffer_.clear();
  std::vector<gateway_action> actions;
  {
    std::lock_guard<std::mutex> guard{ shared_->mtx };
    session_ = std::make_unique<gateway_session>(shared_->hub, via_resume_url_);
    if (pending_close_)
      actions.push_back(gateway_action{ gateway_action::kind::close, nullptr,
                                        static_cast<uint16_t>(pending_close_), "Bad request." });
    else
      session_->open(sim_clock::now(), actions);
  }
  execute(actions);
  do_read();
  schedule();
}

template <class Stream>
void gateway_connection<Stream>::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&gateway_connection::on_read, this->shared_from_this()));
}

template <class Stream>
void gateway_connection<Stream>::on_read(beast::error_code ec, size_t) {
  if (ec) {
    if (ec == websocket::error::closed)
      return finish(false, ws_.reason().code);
    return finish(true, 0);
  }
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  std::vector<gateway_action> actions;
  {
    std::lock_guard<std::mutex> guard{ shared_->mtx };
    session_->receive(text, sim_clock::now(), actions);
  }
  execute(actions);
  if (!finished_)
    do_read();
}

template <class Stream>
void gateway_connection<Stream>::schedule() {
  if (finished_ || closing_)
    return;
  time_point now = sim_clock::now(), wake;
  {
    std::lock_guard<std::mutex> guard{ shared_->mtx };
    wake = session_->next_wakeup(now);
  }
  timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(wake - now));
  timer_.async_wait(
    beast::bind_front_handler(&gateway_connection::on_timer, this->shared_from_this()));
}

template <class Stream>
void gateway_connection<Stream>::on_timer(beast::error_code ec) {
  if (ec || finished_)
    return;
  poll_now();
  schedule();
}

template <class Stream>
void gateway_connection<Stream>::poll_now() {
  if (finished_ || closing_ || !session_)
    return;
  // Backpressure: new stream events only while the queue is short, so a slow
  // reader never makes the sim buffer without bound.
  size_t budget = queue_.size() < 16 ? 256 : 0;
  std::vector<gateway_action> actions;
  {
    std::lock_guard<std::mutex> guard{ shared_->mtx };
    session_->poll(sim_clock::now(), budget, actions);
  }
  execute(actions);
}

template <class Stream>
void gateway_connection<Stream>::execute(std::vector<gateway_action>& actions) {
  for (auto& a : actions) {
    if (finished_)
      return;
    switch (a.what) {
      case gateway_action::kind::send: {
        outgoing o;
        if (compression_ == transport_compression::none) {
          o.text = std::move(a.payload);
        } else {
          auto packed = zlib_ ? zlib_->compress(*a.payload) : zstd_->compress(*a.payload);
          if (!packed) {
            log::error("discord-sim", "compression failed: ", packed.error().what());
            drop();
            return;
          }
          o.binary = std::string{ *packed };
          o.is_binary = true;
        }
        enqueue(std::move(o));
        break;
      }
      case gateway_action::kind::close: {
        outgoing o;
        o.is_close = true;
        o.code = a.code;
        o.reason = a.reason;
        closing_ = true;
        enqueue(std::move(o));
        break;
      }
      case gateway_action::kind::drop: drop(); return;
      case gateway_action::kind::corrupt: {
        outgoing o;
        o.binary = corrupt_frame(compression_);
        o.is_binary = compression_ != transport_compression::none;
        if (!o.is_binary)
          o.text = std::make_shared<const std::string>(std::move(o.binary));
        enqueue(std::move(o));
        break;
      }
    }
  }
}

template <class Stream>
void gateway_connection<Stream>::enqueue(outgoing frame) {
  queued_bytes_ += frame.text ? frame.text->size() : frame.binary.size();
  queue_.push_back(std::move(frame));
  auto frames = queue_.size();
  auto prev = shared_->max_queue_frames.load();
  while (frames > prev && !shared_->max_queue_frames.compare_exchange_weak(prev, frames)) {
  }
  auto bytes = queued_bytes_;
  prev = shared_->max_queue_bytes.load();
  while (bytes > prev && !shared_->max_queue_bytes.compare_exchange_weak(prev, bytes)) {
  }
  if (!writing_)
    do_write();
}

template <class Stream>
void gateway_connection<Stream>::do_write() {
  if (queue_.empty() || finished_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto& front = queue_.front();
  if (front.is_close) {
    ws_.async_close(
      websocket::close_reason{ static_cast<websocket::close_code>(front.code), front.reason },
      beast::bind_front_handler(&gateway_connection::on_close, this->shared_from_this()));
    return;
  }
  ws_.text(!front.is_binary);
  auto buf = front.is_binary ? boost::asio::buffer(front.binary) : boost::asio::buffer(*front.text);
  ws_.async_write(
    buf, beast::bind_front_handler(&gateway_connection::on_write, this->shared_from_this()));
}

template <class Stream>
void gateway_connection<Stream>::on_write(beast::error_code ec, size_t bytes) {
  if (ec)
    return finish(true, 0);
  auto& front = queue_.front();
  queued_bytes_ -= front.text ? front.text->size() : front.binary.size();
  queue_.pop_front();
  ++shared_->frames_sent;
  shared_->bytes_sent += bytes;
  // A drained queue pulls the next due events at once (throughput runs).
  if (queue_.size() < 4)
    poll_now();
  do_write();
}

template <class Stream>
void gateway_connection<Stream>::on_close(beast::error_code) {
  queue_.clear();
  writing_ = false;
  finish(false, 0);
}

template <class Stream>
void gateway_connection<Stream>::drop() {
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                 ignored);
  beast::get_lowest_layer(ws_).socket().close(ignored);
  finish(true, 0);
}

template <class Stream>
void gateway_connection<Stream>::finish(bool transport_lost, int client_code) {
  if (finished_)
    return;
  finished_ = true;
  timer_.cancel();
  if (session_) {
    --shared_->open_connections;
    std::lock_guard<std::mutex> guard{ shared_->mtx };
    if (!session_->closed()) {
      if (transport_lost)
        session_->transport_lost(sim_clock::now());
      else
        session_->client_closed(client_code, sim_clock::now());
    }
  }
}

template <class Stream>
void gateway_connection<Stream>::shutdown() {
  boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
    self->drop();
  });
}

template class gateway_connection<beast::tcp_stream>;
template class gateway_connection<tls_stream>;

} // namespace spectacles::sim
