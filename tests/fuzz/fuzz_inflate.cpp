// Fuzzes both stream inflaters with arbitrary frames: the first byte picks
// zlib-stream or zstd-stream and how the rest is cut into frames (as a
// WebSocket would deliver them); every frame must give a message, "wait for
// more" or an error, never a crash, a hang or unbounded memory. After an
// error the inflater must refuse until reset(), and work again after it.
// With the top bit set, a zlib inflater that hibernates after every message
// must give the same messages as one that never does.
#include "net/zlib_stream.hpp"
#include "net/zstd_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
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
  } else if (mode & 0x80) {
    // Differential: a second inflater hibernates after every message and
    // must read the stream exactly as the one that never sleeps.
    zlib_inflater awake{ opts };
    zlib_inflater sleepy{ opts };
    for (size_t pos = 0; pos < rest.size(); pos += chunk) {
      auto frame = rest.substr(pos, chunk);
      auto a = awake.feed(frame);
      std::string first = a && *a ? std::string{ **a } : std::string{};
      bool a_message = a && *a;
      auto b = sleepy.feed(frame);
      bool b_message = b && *b;
      if (a_message && b_message && first != **b)
        std::abort();
      if (static_cast<bool>(a) != static_cast<bool>(b) || a_message != b_message)
        break; // they may part at a corrupt frame or a stream end; output never differs
      if (!a)
        break;
      if (b_message)
        sleepy.hibernate(); // refused unless the message ended at a block boundary
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
