// Discord's zstd-stream transport compression (PROTOCOL.md §1.2): one zstd
// decompression stream for the connection's lifetime; each WebSocket binary
// message is exactly one gateway message, but the zstd frame stays open
// (the server flushes with ZSTD_e_flush and never ends the frame), so the
// decoder is fed until the message's input is consumed, whatever
// ZSTD_decompressStream returns.
//
//   28 B5 2F FD 00 40 64 03 …   ->   {"t":null,"s":null,"op":10,"d":{…}}
//
// Buffers are reused and released after a message above `shrink_above`.
// Corrupt input is an errc::corrupt error; call reset() (a new connection)
// before feeding again.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "net/result.hpp"
#include "net/zlib_stream.hpp"

namespace spectacles::net {

class zstd_inflater {
public:
  explicit zstd_inflater(inflater_options opts = {});
  ~zstd_inflater();
  zstd_inflater(const zstd_inflater&) = delete;
  zstd_inflater& operator=(const zstd_inflater&) = delete;

  /// Decompresses one WebSocket message; returns everything it yields. The
  /// view stays valid until the next feed() or reset(). Fed a message in
  /// pieces, it returns each piece's output (concatenate them).
  result<std::string_view> feed(std::string_view message);

  void reset();

  size_t buffer_capacity() const;

  /// Frees the output buffer if it grew beyond `keep` bytes (the last
  /// returned view becomes invalid).
  void release_buffers(size_t keep);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The server side of zstd-stream: one compression stream per connection,
/// each message flushed (ZSTD_e_flush), the frame never ended.
class zstd_deflater {
public:
  explicit zstd_deflater(int level = 3);
  ~zstd_deflater();
  zstd_deflater(const zstd_deflater&) = delete;
  zstd_deflater& operator=(const zstd_deflater&) = delete;

  /// The compressed message, valid until the next call.
  result<std::string_view> compress(std::string_view message);

  void reset();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace spectacles::net
