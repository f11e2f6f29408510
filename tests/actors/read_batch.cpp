#include "actors/read_batch.hpp"

#define CAF_SUITE actors.read_batch
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

using namespace spectacles::actors;

namespace {

// Message i: its number, then filler, 1 to 3000 bytes long (sizes vary from message to message).
std::string message(size_t i) {
  std::string m = std::to_string(i) + ":";
  m.resize(1 + (i * 7919) % 3000, static_cast<char>('a' + i % 26));
  return m;
}

} // namespace

CAF_TEST(a burst is cut into batches at the cut and splits back into every message in order) {
  constexpr size_t cut = 16 * 1024;
  read_batch batch{ cut };
  std::vector<read_batch::messages> sent;
  constexpr size_t count = 500;
  for (size_t i = 0; i < count; ++i)
    if (batch.add(message(i)))
      sent.push_back(batch.take());
  sent.push_back(batch.take());                   // the end of the read
  CAF_REQUIRE_GREATER_OR_EQUAL(sent.size(), 40u); // ~750 KB in 16 KiB batches
  std::vector<std::string> got;
  for (size_t b = 0; b < sent.size(); ++b) {
    auto& s = sent[b];
    CAF_REQUIRE(!s.ends.empty());
    CAF_CHECK_EQUAL(s.ends.back(), s.text.size());
    // Every batch but the last reached the cut, and went with the message that reached it.
    if (b + 1 < sent.size()) {
      uint32_t before_last = s.ends.size() > 1 ? s.ends[s.ends.size() - 2] : 0;
      CAF_CHECK_GREATER_OR_EQUAL(s.text.size(), cut);
      CAF_CHECK_LESS(before_last, cut);
    }
    read_batch::split(s.text, s.ends, [&](std::string_view m) {
      got.emplace_back(m);
    });
  }
  CAF_REQUIRE_EQUAL(got.size(), count);
  for (size_t i = 0; i < count; ++i)
    CAF_CHECK_EQUAL(got[i], message(i));
}

CAF_TEST(a message larger than the cut goes alone and nothing is lost around it) {
  read_batch batch{ 1024 };
  CAF_CHECK(!batch.add("small"));
  std::string large(5000, 'x');
  CAF_CHECK(batch.add(large));
  auto first = batch.take();
  CAF_REQUIRE_EQUAL(first.ends.size(), 2u);
  CAF_CHECK_EQUAL(first.ends[0], 5u);
  CAF_CHECK_EQUAL(first.ends[1], 5005u);
  CAF_CHECK(batch.add(large));
  auto second = batch.take();
  CAF_REQUIRE_EQUAL(second.ends.size(), 1u);
  CAF_CHECK_EQUAL(second.text, large);
}

CAF_TEST(a read without a whole message hands over nothing) {
  read_batch batch;
  auto none = batch.take();
  CAF_CHECK(none.ends.empty());
  CAF_CHECK(none.text.empty());
}

CAF_TEST(the next batch starts with room for as much as the last one held) {
  read_batch batch{ 1 << 20 };
  for (int i = 0; i < 100; ++i)
    batch.add(std::string(1000, 'y'));
  auto full = batch.take();
  CAF_REQUIRE_EQUAL(full.text.size(), 100'000u);
  batch.add("z");
  auto next = batch.take();
  CAF_CHECK_EQUAL(next.text, "z");
  CAF_CHECK_GREATER_OR_EQUAL(next.text.capacity(), 100'000u); // reserved once, not regrown
  batch.add("w");
  auto after_small = batch.take();
  CAF_CHECK_LESS(after_small.text.capacity(), 100'000u); // a quiet read gives the room back
}
