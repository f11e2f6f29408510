// A one-connection WebSocket server that writes bytes no well-behaved server
// library would (frames glued to the 101 response, pings, masked or
// malformed frames), for the ws_client's own framing. It answers the
// upgrade, writes each chunk of `script` in its own write (with `gap`
// between them), then records everything the client sends until it closes.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "net/ws_frame.hpp"

namespace spectacles::net::testing {

/// A server frame (unmasked) with any first byte.
inline std::string server_frame(uint8_t first, std::string_view payload) {
  std::string out;
  append_frame_header(out, first, payload.size(), false);
  out.append(payload);
  return out;
}

/// One client frame, unmasked; `size` 0 when `bytes` holds no whole frame.
struct client_frame {
  uint8_t opcode = 0;
  bool fin = false;
  bool masked = false;
  std::string payload;
  size_t size = 0;
};

inline client_frame parse_client_frame(std::string_view bytes) {
  client_frame f;
  if (bytes.size() < 2)
    return f;
  auto b = [&](size_t i) {
    return static_cast<uint8_t>(bytes[i]);
  };
  f.fin = (b(0) & 0x80) != 0;
  f.opcode = b(0) & 0x0f;
  f.masked = (b(1) & 0x80) != 0;
  uint64_t len = b(1) & 0x7f;
  size_t at = 2;
  if (len == 126) {
    if (bytes.size() < 4)
      return f;
    len = (uint64_t{ b(2) } << 8) | b(3);
    at = 4;
  } else if (len == 127) {
    if (bytes.size() < 10)
      return f;
    len = 0;
    for (size_t i = 2; i < 10; ++i)
      len = (len << 8) | b(i);
    at = 10;
  }
  uint8_t mask[4] = { 0, 0, 0, 0 };
  if (f.masked) {
    if (bytes.size() < at + 4)
      return f;
    for (size_t i = 0; i < 4; ++i)
      mask[i] = b(at + i);
    at += 4;
  }
  if (bytes.size() < at + len)
    return f;
  f.payload.assign(bytes.substr(at, len));
  for (size_t i = 0; i < f.payload.size(); ++i)
    f.payload[i] = static_cast<char>(static_cast<uint8_t>(f.payload[i]) ^ mask[i & 3]);
  f.size = at + len;
  return f;
}

class raw_ws_server {
public:
  /// `accept_override`: a Sec-WebSocket-Accept to send instead of the right one.
  explicit raw_ws_server(std::vector<std::string> script,
                         std::chrono::milliseconds gap = std::chrono::milliseconds(0),
                         std::string accept_override = {})
      : acceptor_(ctx_) {
    using boost::asio::ip::tcp;
    tcp::endpoint ep{ boost::asio::ip::make_address("127.0.0.1"), 0 };
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread(
      [this, script = std::move(script), gap, accept_override = std::move(accept_override)] {
        boost::system::error_code ec;
        auto& s = socket_;
        acceptor_.accept(s, ec);
        {
          std::lock_guard guard{ mtx_ };
          accepted_ = true;
          if (ec || stop_)
            return;
        }
        s.set_option(tcp::no_delay(true), ec);
        boost::asio::streambuf buf;
        auto n = boost::asio::read_until(s, buf, "\r\n\r\n", ec);
        if (ec)
          return;
        std::string head{ boost::asio::buffers_begin(buf.data()),
                          boost::asio::buffers_begin(buf.data()) + static_cast<long>(n) };
        buf.consume(n);
        auto key_at = head.find("Sec-WebSocket-Key: ");
        std::string key;
        if (key_at != std::string::npos) {
          key_at += 19;
          key = head.substr(key_at, head.find("\r\n", key_at) - key_at);
        }
        std::string accept = accept_override.empty() ? ws_accept_for(key) : accept_override;
        std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                               + accept + "\r\n\r\n";
        // The first chunk goes out with the response, in one write.
        for (size_t i = 0; i < script.size() || i == 0; ++i) {
          std::string chunk = i == 0 ? response : std::string{};
          if (i < script.size())
            chunk += script[i];
          if (i > 0 && gap.count() > 0)
            std::this_thread::sleep_for(gap);
          boost::asio::write(s, boost::asio::buffer(chunk), ec);
          if (ec)
            break;
        }
        // Everything the client sends, until it closes.
        std::string got{ boost::asio::buffers_begin(buf.data()),
                         boost::asio::buffers_end(buf.data()) };
        char tmp[4096];
        for (;;) {
          auto k = s.read_some(boost::asio::buffer(tmp), ec);
          if (ec)
            break;
          got.append(tmp, k);
          std::lock_guard guard{ mtx_ };
          received_ = got;
        }
        std::lock_guard guard{ mtx_ };
        received_ = got;
      });
  }

  ~raw_ws_server() {
    boost::system::error_code ec;
    bool accepted;
    {
      std::lock_guard guard{ mtx_ };
      stop_ = true;
      accepted = accepted_;
      if (accepted) // wakes a blocked read
        socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
    if (!accepted) {
      boost::asio::ip::tcp::socket wake{ ctx_ };
      wake.connect(acceptor_.local_endpoint(), ec); // unblocks accept()
    }
    thread_.join();
  }

  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(port_) + "/";
  }

  /// The client's frames so far, unmasked.
  std::vector<client_frame> frames() {
    std::string bytes;
    {
      std::lock_guard guard{ mtx_ };
      bytes = received_;
    }
    std::vector<client_frame> out;
    std::string_view rest{ bytes };
    for (;;) {
      auto f = parse_client_frame(rest);
      if (f.size == 0)
        return out;
      rest.remove_prefix(f.size);
      out.push_back(std::move(f));
    }
  }

  /// Waits up to `limit` until the client has sent at least `n` frames.
  std::vector<client_frame> wait_frames(size_t n, std::chrono::milliseconds limit
                                                  = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto got = frames();
      if (got.size() >= n || std::chrono::steady_clock::now() > deadline)
        return got;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

private:
  boost::asio::io_context ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  boost::asio::ip::tcp::socket socket_{ ctx_ };
  std::mutex mtx_;
  bool accepted_ = false;
  bool stop_ = false;
  std::string received_;
  std::thread thread_; // last: it uses the members above
};

} // namespace spectacles::net::testing
