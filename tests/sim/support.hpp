// Shared by the sim's end-to-end tests: a minimal Beast WebSocket client with
// timeouts (plain or TLS, zlib-stream / zstd-stream through net's inflaters),
// the library's own net::ws_client wrapped as a gateway_probe, a one-shot
// HTTP client, and a temporary directory with a test CA.
#pragma once

#include "net/certs.hpp"
#include "net/io_pool.hpp"
#include "net/tls.hpp"
#include "net/ws_client.hpp"
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"
#include "tests/net/support.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace spectacles::sim::testing {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;

// One temporary-directory helper for every test folder.
using net::testing::temp_dir;

/// One received gateway message, or how the connection ended.
struct ws_event {
  enum class kind { message, closed, error, timeout } what = kind::timeout;
  std::string text;     ///< inflated JSON
  int close_code = 0;   ///< on closed
  std::string error;    ///< on error (socket or inflate)
  bool corrupt = false; ///< the inflater rejected the data
};

class ws_test_client {
public:
  /// `compress`: "", "zlib-stream" or "zstd-stream"; `ca_file` non-empty = wss.
  bool connect(uint16_t port, std::string compress = {}, std::string ca_file = {},
               std::string query = "?v=10&encoding=json") {
    compress_ = compress;
    if (!compress.empty())
      query += "&compress=" + compress;
    asio::ip::tcp::endpoint ep{ asio::ip::make_address("127.0.0.1"), port };
    beast::error_code ec;
    if (ca_file.empty()) {
      plain_ = std::make_unique<websocket::stream<beast::tcp_stream>>(ioc_);
      plain_->next_layer().connect(ep, ec);
      if (!ec)
        plain_->handshake("127.0.0.1:" + std::to_string(port), "/" + query, ec);
    } else {
      auto ctx = net::make_client_context({ ca_file, {}, {} });
      if (!ctx)
        return false;
      ctx_ = *ctx;
      tls_ = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(ioc_, *ctx_);
      beast::get_lowest_layer(*tls_).connect(ep, ec);
      if (!ec) {
        SSL_set_tlsext_host_name(tls_->next_layer().native_handle(), "localhost");
        tls_->next_layer().set_verify_callback(asio::ssl::host_name_verification("localhost"));
        tls_->next_layer().handshake(asio::ssl::stream_base::client, ec);
      }
      if (!ec)
        tls_->handshake("localhost:" + std::to_string(port), "/" + query, ec);
    }
    return !ec;
  }

  bool send(const std::string& text) {
    beast::error_code ec;
    with([&](auto& ws) {
      ws.text(true);
      ws.write(asio::buffer(text), ec);
    });
    return !ec;
  }

  /// Closes with `code` (not waiting for the peer's answer beyond a second).
  void close(uint16_t code) {
    with([&](auto& ws) {
      ws.async_close(websocket::close_reason{ code }, [](beast::error_code) {});
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds{ 1 });
  }

  /// Ends TCP without a close frame.
  void drop() {
    beast::error_code ignored;
    with([&](auto& ws) {
      beast::get_lowest_layer(ws).socket().close(ignored);
    });
  }

  /// The next message; on timeout the read stays pending for the next call
  /// (a cancelled Beast read would leave the stream unusable).
  ws_event next(std::chrono::milliseconds timeout = std::chrono::milliseconds{ 5000 }) {
    for (;;) {
      if (!reading_) {
        reading_ = true;
        done_ = false;
        buffer_.clear();
        with([&](auto& ws) {
          ws.async_read(buffer_, [this, &ws](beast::error_code ec, size_t) {
            done_ = true;
            result_ = ws_event{};
            if (ec == websocket::error::closed) {
              result_.what = ws_event::kind::closed;
              result_.close_code = ws.reason().code;
            } else if (ec) {
              result_.what = ws_event::kind::error;
              result_.error = ec.message();
            } else {
              result_.what = ws_event::kind::message;
              result_.text = beast::buffers_to_string(buffer_.data());
            }
          });
        });
      }
      ioc_.restart();
      ioc_.run_for(timeout);
      if (!done_)
        return ws_event{};
      reading_ = false;
      ws_event ev = std::move(result_);
      if (ev.what != ws_event::kind::message || compress_.empty())
        return ev;
      ++frames_;
      if (compress_ == "zlib-stream") {
        auto r = zlib_.feed(ev.text);
        if (!r) {
          ev.what = ws_event::kind::error;
          ev.corrupt = r.error().code == net::errc::corrupt;
          ev.error = r.error().what();
          return ev;
        }
        if (!*r)
          continue; // partial message
        ev.text = std::string{ **r };
      } else {
        auto r = zstd_.feed(ev.text);
        if (!r) {
          ev.what = ws_event::kind::error;
          ev.corrupt = r.error().code == net::errc::corrupt;
          ev.error = r.error().what();
          return ev;
        }
        ev.text = std::string{ *r };
      }
      return ev;
    }
  }

  size_t inflater_capacity() const {
    return compress_ == "zlib-stream" ? zlib_.buffer_capacity() : zstd_.buffer_capacity();
  }
  size_t read_buffer_capacity() const {
    return buffer_.capacity();
  }

private:
  template <class F>
  void with(F f) {
    if (tls_)
      f(*tls_);
    else if (plain_)
      f(*plain_);
  }

  asio::io_context ioc_;
  std::shared_ptr<asio::ssl::context> ctx_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> plain_;
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> tls_;
  beast::flat_buffer buffer_;
  std::string compress_;
  net::zlib_inflater zlib_;
  net::zstd_inflater zstd_;
  size_t frames_ = 0;
  bool reading_ = false;
  bool done_ = false;
  ws_event result_;
};

/// One gateway message as a gateway_probe saw it: inflated and parsed.
struct gateway_message {
  int op = -1;                    ///< -1: not JSON with an op
  std::string t;                  ///< dispatch name
  uint64_t s = 0;                 ///< dispatch seq
  int d_bool = -1;                ///< d as a boolean (op 9): 0 or 1; -1 when d is not a boolean
  int64_t heartbeat_interval = 0; ///< op 10
  std::string session_id;         ///< READY
  std::string resume_url;         ///< READY's resume_gateway_url
  std::chrono::steady_clock::time_point at;
};

inline gateway_message parse_gateway(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  gateway_message m;
  m.at = std::chrono::steady_clock::now();
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc) || !doc.is_object())
    return m;
  int64_t op = -1;
  if (!doc["op"].get_int64().get(op))
    m.op = static_cast<int>(op);
  std::string_view sv;
  if (!doc["t"].get_string().get(sv))
    m.t = std::string{ sv };
  uint64_t s = 0;
  if (!doc["s"].get_uint64().get(s))
    m.s = s;
  bool b = false;
  if (!doc["d"].get_bool().get(b))
    m.d_bool = b ? 1 : 0;
  int64_t interval = 0;
  if (!doc["d"]["heartbeat_interval"].get_int64().get(interval))
    m.heartbeat_interval = interval;
  if (!doc["d"]["session_id"].get_string().get(sv))
    m.session_id = std::string{ sv };
  if (!doc["d"]["resume_gateway_url"].get_string().get(sv))
    m.resume_url = std::string{ sv };
  return m;
}

/// What a gateway_probe has seen so far (read it under the probe's lock:
/// wait() and snapshot()).
struct probe_state {
  std::vector<gateway_message> messages; ///< all of them, unless keep = false
  std::map<int, size_t> ops;             ///< op -> messages
  std::map<std::string, size_t> names;   ///< dispatch name -> count
  uint64_t last_seq = 0;
  size_t seq_errors = 0; ///< dispatches whose s was not last_seq + 1
  std::optional<net::ws_close_info> closed;
  std::optional<net::error> inflate_error; ///< the first feed() that failed
  size_t max_inflater = 0;                 ///< the inflater's largest buffer capacity

  size_t count(int op) const {
    auto i = ops.find(op);
    return i == ops.end() ? 0 : i->second;
  }
  size_t count(const std::string& name) const {
    auto i = names.find(name);
    return i == names.end() ? 0 : i->second;
  }
};

/// How a gateway_probe connects and what it keeps.
struct gateway_probe_options {
  std::string compress; ///< "", "zlib-stream" or "zstd-stream"
  net::tls_context tls; ///< wss: trust this context's CA
  bool identify = true; ///< send IDENTIFY on open
  bool keep = true;     ///< keep every message (false: only the counters)
  /// Sees each message on the I/O thread before it is counted.
  std::function<void(const gateway_message&)> observe;
};

/// The library's WebSocket client against the sim, used the way the shard
/// actor uses it: binary frames go through net::zlib_inflater /
/// net::zstd_inflater (compress=… in the URL; the buffers are released after
/// each message), a corrupt frame stops the inflating. Identifies as shard
/// [0,1] on open unless told not to. The callbacks run on the probe's own
/// I/O thread.
class gateway_probe {
public:
  using options = gateway_probe_options;

  static constexpr const char* identify_json
    = R"({"op":2,"d":{"token":"sim-token","intents":513,"shard":[0,1],)"
      R"("properties":{"os":"linux","browser":"t","device":"t"}}})";

  // Join the I/O thread before the members its callbacks use go away.
  ~gateway_probe() {
    io_.stop();
  }

  /// Connects to `gateway_url` ("ws://…" or "wss://…").
  bool start(const std::string& gateway_url, options o = {}) {
    opts_ = std::move(o);
    net::ws_client_options wo;
    wo.url = gateway_url + "/?v=10&encoding=json";
    if (!opts_.compress.empty())
      wo.url += "&compress=" + opts_.compress;
    wo.tls = opts_.tls;
    wo.keep_buffer = keep_buffer;
    net::ws_callbacks cbs;
    cbs.on_open = [this] {
      if (opts_.identify)
        ws_->send(identify_json, false);
    };
    cbs.on_message = [this](std::string_view data, bool binary) {
      on_message(data, binary);
    };
    cbs.on_close = [this](const net::ws_close_info& info) {
      std::lock_guard<std::mutex> guard{ mtx_ };
      state_.closed = info;
      cv_.notify_all();
    };
    auto created = net::ws_client::create(io_.context(), std::move(wo), std::move(cbs));
    if (!created)
      return false;
    ws_ = *created;
    ws_->connect();
    return true;
  }

  void send(std::string text) {
    ws_->send(std::move(text), false);
  }
  net::ws_client& client() {
    return *ws_;
  }

  /// Waits until `pred(state)` holds (called under the lock, on each
  /// message and every 20 ms), at most `timeout`.
  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds{ 5000 }) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> guard{ mtx_ };
    while (!pred(state_)) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline)
        return false;
      cv_.wait_for(guard, std::min<std::chrono::steady_clock::duration>(
                            deadline - now, std::chrono::milliseconds{ 20 }));
    }
    return true;
  }

  /// READY and `guilds` GUILD_CREATEs arrived.
  bool wait_ready(size_t guilds) {
    return wait([guilds](const probe_state& st) {
             return st.count(std::string{ "GUILD_CREATE" }) >= guilds || st.closed.has_value();
           })
           && !snapshot().closed;
  }

  std::optional<net::ws_close_info> wait_closed(std::chrono::milliseconds timeout
                                                = std::chrono::milliseconds{ 5000 }) {
    wait(
      [](const probe_state& st) {
        return st.closed.has_value();
      },
      timeout);
    return snapshot().closed;
  }

  probe_state snapshot() {
    std::lock_guard<std::mutex> guard{ mtx_ };
    return state_;
  }

private:
  static constexpr size_t keep_buffer = 16 * 1024; // as the shard actor

  void on_message(std::string_view data, bool binary) {
    if (failed_)
      return;
    std::string_view text = data;
    std::optional<net::error> err;
    size_t capacity = 0;
    if (binary && opts_.compress == "zlib-stream") {
      auto r = zlib_.feed(data);
      if (!r)
        err = r.error();
      else if (!*r)
        return; // the message continues in the next frame
      else
        text = **r;
      capacity = zlib_.buffer_capacity();
    } else if (binary && opts_.compress == "zstd-stream") {
      auto r = zstd_.feed(data);
      if (!r)
        err = r.error();
      else
        text = *r;
      capacity = zstd_.buffer_capacity();
    }
    if (err) {
      failed_ = true; // zlib and zstd cannot resynchronize mid-stream
      std::lock_guard<std::mutex> guard{ mtx_ };
      state_.inflate_error = std::move(err);
      cv_.notify_all();
      return;
    }
    auto m = parse_gateway(text);
    zlib_.release_buffers(keep_buffer);
    zstd_.release_buffers(keep_buffer);
    if (opts_.observe)
      opts_.observe(m);
    std::lock_guard<std::mutex> guard{ mtx_ };
    state_.max_inflater = std::max(state_.max_inflater, capacity);
    ++state_.ops[m.op];
    if (m.op == 0) {
      ++state_.names[m.t];
      if (m.s != state_.last_seq + 1)
        ++state_.seq_errors;
      state_.last_seq = m.s;
    }
    // Waking the waiter for each of tens of thousands of dispatches costs
    // more than the rest of a long counters-only run; wait() looks anyway.
    bool wake = opts_.keep || m.op != 0 || state_.ops[0] % 64 == 0;
    if (opts_.keep)
      state_.messages.push_back(std::move(m));
    if (wake)
      cv_.notify_all();
  }

  net::io_pool io_{ 1 };
  options opts_;
  std::shared_ptr<net::ws_client> ws_;
  net::zlib_inflater zlib_; // I/O thread only
  net::zstd_inflater zstd_; // I/O thread only
  bool failed_ = false;     // I/O thread only
  std::mutex mtx_;
  std::condition_variable cv_;
  probe_state state_;
};

/// One HTTP/1.1 request on a fresh connection (plain), for the REST tests.
inline std::pair<unsigned, std::string> http_call(uint16_t port, std::string method,
                                                  std::string target, std::string body = {},
                                                  std::string token = "sim-token") {
  asio::io_context ioc;
  beast::tcp_stream stream{ ioc };
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint{ asio::ip::make_address("127.0.0.1"), port }, ec);
  if (ec)
    return { 0, ec.message() };
  beast::http::request<beast::http::string_body> req{ beast::http::string_to_verb(method), target,
                                                      11 };
  req.set(beast::http::field::host, "127.0.0.1");
  if (!token.empty())
    req.set(beast::http::field::authorization, "Bot " + token);
  if (!body.empty())
    req.set(beast::http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::http::write(stream, req, ec);
  beast::flat_buffer buf;
  beast::http::response<beast::http::string_body> res;
  if (!ec)
    beast::http::read(stream, buf, res, ec);
  if (ec)
    return { 0, ec.message() };
  return { res.result_int(), res.body() };
}

} // namespace spectacles::sim::testing
