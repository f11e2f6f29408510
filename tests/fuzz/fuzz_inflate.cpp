// Fuzzes both stream inflaters with arbitrary frames: the first byte picks
// zlib-stream or zstd-stream and how the rest is cut into frames (as a
// WebSocket would deliver them); every frame must give a message, "wait for
// more" or an error, never a crash, a hang or unbounded memory. After an
// error the inflater must refuse until reset(), and work again after it.
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace spectacles::net;
  if (size == 0)
    return 0;
  auto mode = data[0];
  std::string_view rest{ reinterpret_cast<const char*>(data + 1), size - 1 };
  inflater_options opts;
  opts.max_message = 1 << 20; // bombs must stop here, not exhaust memory
  opts.shrink_above = 64 * 1024;
  size_t chunk = 1 + (mode >> 1) % 64;
  if (mode & 1) {
    zstd_inflater z{ opts };
    for (size_t pos = 0; pos < rest.size(); pos += chunk) {
      auto r = z.feed(rest.substr(pos, chunk));
      if (!r) {
        if (z.feed("x")) // broken until reset
          std::abort();
        z.reset();
      } else if (r->size() > opts.max_message + 4096) {
        std::abort();
      }
      z.release_buffers(16 * 1024);
    }
  } else {
    zlib_inflater z{ opts };
    for (size_t pos = 0; pos < rest.size(); pos += chunk) {
      auto r = z.feed(rest.substr(pos, chunk));
      if (!r) {
        if (z.feed(std::string_view{ "\x00\x00\xff\xff", 4 }))
          std::abort();
        z.reset();
      } else if (*r && (*r)->size() > opts.max_message + 4096) {
        std::abort();
      }
      z.release_buffers(16 * 1024);
    }
  }
  return 0;
}
