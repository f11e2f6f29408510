// Discord's zlib-stream transport compression (PROTOCOL.md §1.2): one zlib
// context per connection; binary frames are appended to a buffer until it
// ends with the Z_SYNC_FLUSH marker 00 00 FF FF, then the whole buffer is
// inflated through the shared context. A new connection needs reset().
//
//   78 9C 34 C9 41 0A … 00 00 FF FF   ->   {"t":null,"s":null,"op":10,"d":{…}}
//
// Both buffers are reused between messages; after a message above
// `shrink_above` (a big GUILD_CREATE) they are released again at the next
// call, so one huge event does not pin memory for the connection's lifetime.
// An idle connection can hibernate(): Discord flushes every message with
// Z_SYNC_FLUSH, so between messages the whole state of the stream is the last
// 32 KiB of output, which is kept compressed and set as the dictionary of a
// raw inflater when the next message comes.
// Corrupt input is an errc::corrupt error; the context then stays broken
// until reset(), because zlib cannot resynchronize mid-stream.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace spectacles::net {

struct inflater_options {
  size_t shrink_above = 1 << 20;   // release buffers after a message larger than this
  size_t max_message = 256u << 20; // a larger inflated message is errc::too_large
};

class zlib_inflater {
public:
  explicit zlib_inflater(inflater_options opts = {});
  ~zlib_inflater();
  zlib_inflater(const zlib_inflater&) = delete;
  zlib_inflater& operator=(const zlib_inflater&) = delete;

  /// Feeds one WebSocket binary frame. Returns the inflated message when the
  /// buffered frames end with 00 00 FF FF, nullopt while it is partial. The
  /// view stays valid until the next feed() or reset().
  result<std::optional<std::string_view>> feed(std::string_view frame);

  /// Forgets the stream: call it for every new connection (and after an error).
  void reset();

  /// Bytes held by the input and output buffers (tests check the shrinking).
  size_t buffer_capacity() const;

  /// Frees the buffers if they grew beyond `keep` bytes (after a large
  /// message; the last returned view becomes invalid). Idle connections then
  /// hold only zlib's window and state.
  void release_buffers(size_t keep);

  /// For a connection gone quiet: keeps the 32 KiB window deflated (a few
  /// KiB) and frees zlib's context (window and state, ~39 KiB, returned to
  /// the OS) and both buffers. The next feed() restores the context (about a
  /// hundred microseconds) and inflates as if nothing happened. Only between
  /// messages: returns false (and changes nothing) before the first message,
  /// with a partial message buffered, when the last message did not end at a
  /// deflate block boundary (a real sync flush always does), or on a broken
  /// stream.
  bool hibernate();

  /// True between hibernate() and the next feed() or reset().
  bool hibernating() const;

  /// Bytes this inflater holds on the heap now: zlib's context, the buffers
  /// and a hibernated window (tests and benchmarks).
  size_t held_bytes() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The server side of zlib-stream (the simulator, round-trip tests): one
/// deflate context per connection, each message flushed with Z_SYNC_FLUSH so
/// it ends with 00 00 FF FF.
class zlib_deflater {
public:
  explicit zlib_deflater(int level = 6);
  ~zlib_deflater();
  zlib_deflater(const zlib_deflater&) = delete;
  zlib_deflater& operator=(const zlib_deflater&) = delete;

  /// The compressed frame for `message`, valid until the next call.
  result<std::string_view> compress(std::string_view message);

  void reset();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace spectacles::net
