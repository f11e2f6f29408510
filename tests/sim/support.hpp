// Shared by the sim's end-to-end tests: a minimal Beast WebSocket client with
// timeouts (plain or TLS, zlib-stream / zstd-stream through net's inflaters),
// a one-shot HTTP client, and a temporary directory with a test CA.
#pragma once

#include "net/certs.hpp"
#include "net/tls.hpp"
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

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>

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
