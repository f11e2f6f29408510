// gateway_connection: one WebSocket connection of the simulated gateway, on
// Beast (server side), plain or TLS. It owns the socket, a timer, the
// compressor of its transport compression and its outgoing queue (Beast
// allows one write in flight); the protocol itself is its gateway_session.
//
//   GET /?v=10&encoding=json&compress=zstd-stream  -> 101, then HELLO ...
//
// Each step has an on_<step> handler that starts with its error check. The
// session runs under the simulator's state mutex; everything else of the
// connection runs on its strand.
#pragma once

#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"
#include "sim/gateway_session.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

namespace spectacles::sim {

enum class transport_compression { none, zlib_stream, zstd_stream };

/// What every connection shares: the hub, its mutex and the counters the
/// tests read to check that memory stays bounded.
struct gateway_shared {
  gateway_hub& hub;
  std::mutex& mtx;
  std::atomic<size_t> max_queue_frames{ 0 };
  std::atomic<size_t> max_queue_bytes{ 0 };
  std::atomic<uint64_t> frames_sent{ 0 };
  std::atomic<uint64_t> bytes_sent{ 0 };
  std::atomic<size_t> open_connections{ 0 };

  gateway_shared(gateway_hub& h, std::mutex& m) : hub(h), mtx(m) {}
};

/// Type-erased handle so the server can close every connection on stop().
struct gateway_connection_base {
  virtual ~gateway_connection_base() = default;
  virtual void shutdown() = 0;
};

template <class Stream>
class gateway_connection : public gateway_connection_base,
                           public std::enable_shared_from_this<gateway_connection<Stream>> {
public:
  using ws_stream = boost::beast::websocket::stream<Stream>;

  gateway_connection(Stream stream, std::shared_ptr<gateway_shared> shared, bool via_resume_url);
  ~gateway_connection() override;

  /// TLS handshake (if any), then the HTTP upgrade.
  void run();
  void shutdown() override;

private:
  struct outgoing {
    std::shared_ptr<const std::string> text; ///< uncompressed text frame
    std::string binary;                      ///< compressed or corrupt frame
    bool is_binary = false;
    bool is_close = false;
    uint16_t code = 0;
    std::string reason; ///< of a close frame, as Discord words it
  };

  void on_handshake(boost::beast::error_code ec);
  void read_upgrade();
  void on_upgrade_read(boost::beast::error_code ec, size_t bytes);
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void schedule();
  void on_timer(boost::beast::error_code ec);
  void poll_now();
  void execute(std::vector<gateway_action>& actions);
  void enqueue(outgoing frame);
  void do_write();
  void on_write(boost::beast::error_code ec, size_t bytes);
  void on_close(boost::beast::error_code ec);
  void drop();
  void finish(bool transport_lost, int client_code);

  ws_stream ws_;
  std::shared_ptr<gateway_shared> shared_;
  bool via_resume_url_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::string_body> upgrade_;
  std::unique_ptr<gateway_session> session_;
  transport_compression compression_ = transport_compression::none;
  std::unique_ptr<net::zlib_deflater> zlib_;
  std::unique_ptr<net::zstd_deflater> zstd_;
  std::deque<outgoing> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  int pending_close_ = 0; ///< close code to send once the socket is accepted
};

} // namespace spectacles::sim
