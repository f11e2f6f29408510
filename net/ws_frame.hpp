// RFC 6455 framing for the client side of a WebSocket, without I/O: a
// reader that turns the bytes of one socket read into whole messages and
// control frames, and the writer of masked client frames.
//
// Why not Beast's websocket::stream: it hands over one message per
// asynchronous read, each a trip through the io_context, which cost ~1.4 µs
// per gateway event here (more than inflating and scanning it). The reader
// parses every frame a socket read brought in one loop, and a message that
// arrived in one frame is passed on as a view of the read buffer, uncopied.
//
//   ws_frame_reader reader{ 64u << 20 };
//   auto r = reader.read(buffered, sink);  // sink.on_message / on_ping / on_close
//   consume r.consumed bytes; if (r.err) send close r.close_code and end
//
//   std::string out;
//   append_client_frame(out, ws_opcode::text, R"({"op":1,"d":null})", mask_key);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace spectacles::net {

enum class ws_opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xa,
};

/// What the reader found, in wire order. Views are valid only during the call.
class ws_frame_sink {
public:
  virtual ~ws_frame_sink() = default;
  virtual void on_message(std::string_view data, bool binary) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  /// The peer's close frame; code 0 when it carried none. The reader reads
  /// nothing after it.
  virtual void on_close(uint16_t code, std::string_view reason) = 0;
};

struct ws_read_result {
  size_t consumed = 0; // bytes of whole frames handled; the rest starts a frame
  size_t need = 0;     // when > 0: the unconsumed frame is this many bytes in all
  bool closed = false; // a close frame was read (and reported)
  /// A protocol violation (errc::protocol) or a message above the limit
  /// (errc::too_large); the connection cannot go on. close_code is what to
  /// tell the peer: 1002 or 1009.
  std::optional<error> err;
  uint16_t close_code = 0;
};

class ws_frame_reader {
public:
  /// Messages larger than `max_message` bytes are refused (1009);
  /// `keep_buffer`: a fragment buffer grown beyond it is freed after use.
  explicit ws_frame_reader(size_t max_message, size_t keep_buffer = 1u << 20)
      : max_message_(max_message), keep_buffer_(keep_buffer) {}

  /// Reads the whole frames at the front of `buffered` (server frames:
  /// unmasked). Stops at an incomplete frame, after a close frame, or at an
  /// error; after an error or a close it must not be called again.
  ws_read_result read(std::string_view buffered, ws_frame_sink& sink);

  /// Bytes held for a fragmented message in progress (memory figures).
  size_t held() const {
    return fragments_.capacity();
  }

private:
  size_t max_message_;
  size_t keep_buffer_;
  std::string fragments_;   // the message so far when it comes in several frames
  bool in_message_ = false; // a first fragment arrived, its final one not yet
  bool binary_ = false;     // the fragmented message's type
};

/// Appends a frame header: `first` (FIN, RSV and opcode bits), then the
/// payload length in the shortest form RFC 6455 §5.2 allows, with the MASK
/// bit when `masked` (the 4-byte key is the caller's to append).
void append_frame_header(std::string& out, uint8_t first, uint64_t length, bool masked);

/// Appends one client frame (FIN set, masked with `mask_key` as RFC 6455
/// §5.3 requires of a client) carrying `payload`.
void append_client_frame(std::string& out, ws_opcode op, std::string_view payload,
                         uint32_t mask_key);

/// The payload of a close frame: the code in network order, then the reason
/// (cut to 123 bytes so that the frame stays a control frame).
std::string close_payload(uint16_t code, std::string_view reason);

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
std::string ws_accept_for(std::string_view key);

/// A Sec-WebSocket-Key: 16 bytes from `random` in base64.
std::string ws_key_from(uint64_t random_hi, uint64_t random_lo);

} // namespace spectacles::net
