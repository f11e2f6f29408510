// A WebSocket client on Beast for ws:// and wss:// (the gateway transport):
// SNI, host-name verification, the system CA store or a given CA; runs on an
// io_pool's io_context; one write in flight with an owned outgoing queue;
// connect / TLS / WebSocket-handshake timeouts; text and binary frames; close
// with a code and reason; a maximum message size. Every frame one socket read
// brought is parsed in one go (net/ws_frame.hpp); on_flush marks the end.
//
// Callbacks run on an I/O thread (the connection's strand), one at a time,
// never concurrently; they must not block. The shard actor posts them into
// itself as messages. on_close is called exactly once per connect(), also
// when connecting fails (then without on_open before it).
//
//   net::ws_client_options opts;
//   opts.url = "wss://gateway.discord.gg/?v=10&encoding=json";
//   net::ws_callbacks cbs;
//   cbs.on_message = [](std::string_view data, bool binary) {…};
//   cbs.on_close = [](const net::ws_close_info& info) {…};
//   auto ws = net::ws_client::create(io.context(), opts, cbs);
//   (*ws)->connect();
//   (*ws)->send(R"({"op":1,"d":null})", false);    // any thread
//   (*ws)->close(4000, "resuming");               // any thread
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "net/http_message.hpp"
#include "net/result.hpp"
#include "net/tls.hpp"

namespace spectacles::net {

struct ws_client_options {
  std::string url;                                      // ws://host:port/path?query or wss://…
  tls_context tls;                                      // wss only; null = system CA store
  std::chrono::milliseconds connect_timeout{ 10000 };   // DNS + TCP connect
  std::chrono::milliseconds handshake_timeout{ 10000 }; // TLS, upgrade, and close handshakes
  size_t max_message = 64u << 20;                       // larger incoming messages close with 1009
  // The buffer of a message that came in fragments is freed after a message
  // that grew it beyond this; the read buffer goes back to 4 KiB whenever
  // the connection is quiet (a read that fills less than half of it).
  size_t keep_buffer = 1u << 20;
  http_headers headers; // extra upgrade request headers (User-Agent, …)
};

/// How a connection ended.
struct ws_close_info {
  /// The close code the peer sent (1000, 4004, …); 0 when no close frame
  /// arrived (dropped connection, connect failure).
  uint16_t code = 0;
  std::string reason;
  /// True when a close frame was received: a WebSocket close handshake.
  bool clean = false;
  /// True when close() or abort() on this side started it.
  bool local = false;
  /// Why it ended when not clean: errc::closed = "dropped without a close
  /// frame"; dns / connect / tls / timeout / protocol / too_large / cancelled.
  std::optional<error> err;
  /// Whether on_open had been called.
  bool was_open = false;
};

struct ws_callbacks {
  std::function<void()> on_open;
  /// `data` is valid only during the call.
  std::function<void(std::string_view data, bool binary)> on_message;
  std::function<void(const ws_close_info&)> on_close;
  /// After the messages that one socket read brought (one or more): a
  /// consumer that queues messages hands them on here, in one batch.
  std::function<void()> on_flush;
};

class ws_client {
public:
  /// Parses the URL and prepares TLS; does not connect yet.
  static result<std::shared_ptr<ws_client>> create(boost::asio::io_context& ioc,
                                                   ws_client_options opts, ws_callbacks cbs);

  virtual ~ws_client() = default;

  /// Starts resolving, connecting and handshaking. Call once.
  virtual void connect() = 0;

  /// Queues a frame; frames go out in order, one write in flight. Any thread.
  virtual void send(std::string data, bool binary) = 0;

  /// The same, and `on_written` runs (on the I/O thread) once the frame is
  /// in the socket: a caller timing a rate limit from the moment its frame
  /// left (IDENTIFY) uses this. It never runs if the connection ends first.
  virtual void send(std::string data, bool binary, std::function<void()> on_written) = 0;

  /// Sends a close frame after the queued frames and waits (up to the
  /// handshake timeout) for the peer's; 1000/1001 end a Discord session,
  /// other codes keep it resumable. Any thread.
  virtual void close(uint16_t code = 1000, std::string reason = {}) = 0;

  /// Drops the TCP connection without a close frame. Any thread.
  virtual void abort() = 0;

  /// Frames queued and not yet written (tests, back-pressure).
  virtual size_t queued() const = 0;
};

} // namespace spectacles::net
