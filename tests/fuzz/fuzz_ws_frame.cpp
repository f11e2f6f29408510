// Fuzzes the client's WebSocket frame reader (net/ws_frame.hpp) with
// arbitrary server bytes: the first byte picks the message limit and how the
// rest is cut into socket reads. Every read must end in whole frames
// handled, "need more", a close, or an error; never a crash, a hang or a
// message above the limit. Differential: the same bytes read in one piece
// and in pieces must give the same messages, pings, close and error.
#include "net/ws_frame.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace spectacles::net;

struct collect : ws_frame_sink {
  size_t max_message = 0;
  std::vector<std::string> seen;

  void on_message(std::string_view data, bool binary) override {
    if (data.size() > max_message)
      std::abort();
    seen.push_back((binary ? "b" : "t") + std::string(data));
  }
  void on_ping(std::string_view payload) override {
    if (payload.size() > 125)
      std::abort();
    seen.push_back("p" + std::string(payload));
  }
  void on_close(uint16_t code, std::string_view reason) override {
    seen.push_back("c" + std::to_string(code) + std::string(reason));
  }
};

// Reads `wire` in pieces of `chunk`; returns whether it ended in an error.
bool read_in(std::string_view wire, size_t chunk, size_t max_message, collect& sink) {
  ws_frame_reader reader{ max_message, 4096 };
  std::string buffered;
  for (size_t pos = 0; pos < wire.size(); pos += chunk) {
    buffered.append(wire.substr(pos, chunk));
    auto r = reader.read(buffered, sink);
    if (r.consumed > buffered.size())
      std::abort();
    if (r.err)
      return true;
    buffered.erase(0, r.consumed);
    if (r.closed)
      return false;
    if (r.need != 0 && r.need <= buffered.size())
      std::abort(); // claims to need bytes it already has
  }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  auto mode = data[0];
  std::string_view wire{ reinterpret_cast<const char*>(data + 1), size - 1 };
  size_t max_message = 16u << (mode & 0x0f); // 16 B .. 512 KiB
  size_t chunk = 1 + (mode >> 4) * 7;
  collect whole;
  whole.max_message = max_message;
  bool whole_failed = read_in(wire, wire.size() + 1, max_message, whole);
  collect pieces;
  pieces.max_message = max_message;
  bool pieces_failed = read_in(wire, chunk, max_message, pieces);
  // The reader's output depends on the bytes only, not on how reads cut them.
  if (whole_failed != pieces_failed || whole.seen != pieces.seen)
    std::abort();
  return 0;
}
