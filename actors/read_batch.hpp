// The messages one socket read brought, back to back in one string, for one hand-off from a
// shard's I/O side to its actor (one message and one allocation per read, not per event).
//
//   read_batch batch;                      // cut at 64 KiB
//   if (batch.add(text)) send(batch.take());
//   ...at the end of the read:  if (auto b = batch.take(); !b.ends.empty()) send(std::move(b));
//   read_batch::split(b.text, b.ends, [](std::string_view message) { ... });
//
// The cut keeps batches small: with 1 MiB batches (a burst's whole read) the I/O thread spent
// 1.7x the CPU per event of 64 KiB ones (zstd-stream, 0.83 vs 0.49 us in bench_gateway), most
// likely because a batch that size falls out of the cache while it is written and read; 16 KiB
// made one actor message (and one worker wake-up) per ~20 events and cost more.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spectacles::actors {

class read_batch {
public:
  static constexpr size_t default_cut = 64 * 1024;

  struct messages {
    std::string text;
    std::vector<uint32_t> ends; // where each message ends in `text`
  };

  explicit read_batch(size_t cut = default_cut) : cut_(cut) {}

  /// Appends one message; true when the batch has reached its cut and should go now.
  bool add(std::string_view message) {
    if (current_.text.empty()) // as large as the last one: no regrowing through a burst
      current_.text.reserve(std::max(message.size(), last_size_));
    current_.text.append(message);
    current_.ends.push_back(static_cast<uint32_t>(current_.text.size()));
    return current_.text.size() >= cut_;
  }

  /// The messages so far (none: empty `ends`); the next batch starts empty, with room for as
  /// many bytes as this one held.
  messages take() {
    last_size_ = current_.text.size();
    return std::exchange(current_, {});
  }

  /// Calls f(message) for each message of a batch, in order.
  template <class F>
  static void split(std::string_view text, const std::vector<uint32_t>& ends, F&& f) {
    uint32_t begin = 0;
    for (auto end : ends) {
      f(text.substr(begin, end - begin));
      begin = end;
    }
  }

private:
  size_t cut_;
  size_t last_size_ = 0;
  messages current_;
};

} // namespace spectacles::actors
