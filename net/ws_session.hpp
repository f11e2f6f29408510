// The connection behind a ws_client, for one stream type (plain TCP or TLS):
// resolve -> connect -> [TLS handshake] -> HTTP upgrade -> read loop, with an
// owned write queue (one write in flight) and a close handshake. Every step is
// one on_<step> handler that checks its error first; all of them run on the
// session's strand.
//
// Beast does the HTTP upgrade; the frames after it are read and written here
// (net/ws_frame.hpp): each socket read is parsed in one loop and every whole
// message in it handed to on_message, then on_flush once.
//
//   connecting --on_upgrade--> open --close()--> closing --> done
//        \                       \--peer close / drop / error--> done
//         \--error / timeout / close() / abort()-----------------> done
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>

#include "net/url.hpp"
#include "net/ws_client.hpp"
#include "net/ws_frame.hpp"

namespace spectacles::net {

template <class Stream>
class ws_session : public ws_client,
                   public std::enable_shared_from_this<ws_session<Stream>>,
                   private ws_frame_sink {
public:
  ws_session(boost::asio::io_context& ioc, url where, ws_client_options opts, ws_callbacks cbs,
             tls_context tls);

  void connect() override;
  void send(std::string data, bool binary) override;
  void send(std::string data, bool binary, std::function<void()> on_written) override;
  void close(uint16_t code, std::string reason) override;
  void abort() override;

  size_t queued() const override {
    return queued_.load();
  }

private:
  enum class state { idle, connecting, open, closing, done };

  void start();
  void on_resolve_timeout(boost::system::error_code ec);
  void on_resolve(boost::system::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::system::error_code ec, boost::asio::ip::tcp::endpoint ep);
  void on_tls_handshake(boost::system::error_code ec);
  void start_upgrade();
  void on_upgrade_written(boost::system::error_code ec);
  void on_upgrade(boost::system::error_code ec);
  void do_read();
  void on_read(boost::system::error_code ec, size_t bytes);
  void do_write();
  void on_write(boost::system::error_code ec, size_t bytes);
  void send_close(uint16_t code, std::string_view reason);
  void on_close_timeout(boost::system::error_code ec);
  void fail(boost::system::error_code ec, errc code, std::string what);
  /// The upgrade request or response could not be written or read.
  void fail_handshake(boost::system::error_code ec);
  void end_from(boost::system::error_code ec);
  void finish(ws_close_info info);
  void release_read_buffer();
  uint32_t next_mask();

  // ws_frame_sink
  void on_message(std::string_view data, bool binary) override;
  void on_ping(std::string_view payload) override;
  void on_close(uint16_t code, std::string_view reason) override;

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  url url_;
  ws_client_options opts_;
  ws_callbacks cbs_;
  tls_context tls_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  Stream stream_;
  ws_frame_reader reader_;
  uint64_t random_ = 0; // xorshift64 state for masking keys

  // The upgrade.
  std::string key_;
  std::optional<boost::beast::http::request<boost::beast::http::empty_body>> upgrade_request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::empty_body>>
    upgrade_response_;
  boost::beast::flat_buffer upgrade_buffer_; // also holds what came after the response

  // Reading: bytes [rpos_, rend_) of rbuf_ are read and not yet parsed.
  std::unique_ptr<char[]> rbuf_;
  size_t rcap_ = 0;
  size_t rpos_ = 0;
  size_t rend_ = 0;
  size_t rneed_ = 0; // bytes the frame at rpos_ needs in all (0 = any)
  size_t rwant_ = 0; // size of the next read; doubles while reads come back full
  bool delivered_ = false;
  // An async_read_some into rbuf_ is outstanding. Over TLS the read can still copy decrypted
  // bytes into the buffer after the socket is closed (the lower layer's read had completed and
  // SSL_read runs when its handler does), so finish() must not free rbuf_ until it returns.
  bool read_pending_ = false;

  // Writing: data frames in order; control frames (pong, close) go first.
  struct outgoing {
    std::string data;
    bool binary = false;
    std::function<void()> on_written;
  };
  std::deque<outgoing> queue_;
  std::function<void()> out_written_; // of the data frame being written
  std::deque<std::string> control_;
  std::string out_; // the frame being written
  bool out_is_data_ = false;
  std::atomic<size_t> queued_{ 0 };
  std::optional<std::pair<uint16_t, std::string>> close_request_;
  // Set once a close frame is queued in answer to the peer's, or after a
  // protocol error: how the connection ends once that frame is written.
  std::optional<ws_close_info> ending_;
  state state_ = state::idle;
  bool writing_ = false;
  bool close_sent_ = false;
  bool resolve_timed_out_ = false;
};

using plain_ws_session = ws_session<boost::beast::tcp_stream>;
using tls_ws_session = ws_session<boost::asio::ssl::stream<boost::beast::tcp_stream>>;

} // namespace spectacles::net
