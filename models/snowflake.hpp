// snowflake: Discord's 64-bit unique id (PROTOCOL.md §3).
//
//   "175928847299117063"  ->  timestamp 1462015105796 ms, worker 1, process 0, increment 7
//
// A distinct type, so an id cannot be mixed up with a count or a seq number.
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::models {

class snowflake {
public:
  /// Milliseconds from the Unix epoch to the Discord epoch (2015-01-01T00:00:00Z).
  static constexpr uint64_t discord_epoch_ms = 1420070400000;

  constexpr snowflake() = default;
  constexpr explicit snowflake(uint64_t value) : value_(value) {}

  /// Parses the decimal string form; nullopt on anything else (sign, overflow, junk).
  static std::optional<snowflake> parse(std::string_view text);
  /// The same, into `out`; false (and `out` untouched) on anything else. The decoders' form: an
  /// optional returned from a call that is not inlined is read back from the stack with a
  /// wider load than the store that set its flag, which stalls.
  static bool parse(std::string_view text, snowflake& out);

  /// The smallest snowflake at `unix_ms` (a pagination bound for before/after).
  static constexpr snowflake from_timestamp(uint64_t unix_ms) {
    return snowflake{ unix_ms < discord_epoch_ms ? 0 : (unix_ms - discord_epoch_ms) << 22 };
  }

  constexpr uint64_t value() const {
    return value_;
  }
  constexpr explicit operator bool() const {
    return value_ != 0;
  }

  /// Creation time in milliseconds since the Unix epoch.
  constexpr uint64_t timestamp() const {
    return (value_ >> 22) + discord_epoch_ms;
  }
  constexpr uint8_t worker_id() const {
    return static_cast<uint8_t>((value_ & 0x3E0000) >> 17);
  }
  constexpr uint8_t process_id() const {
    return static_cast<uint8_t>((value_ & 0x1F000) >> 12);
  }
  constexpr uint16_t increment() const {
    return static_cast<uint16_t>(value_ & 0xFFF);
  }

  /// Which shard receives this guild's events: (guild_id >> 22) % num_shards.
  constexpr uint32_t shard_for(uint32_t num_shards) const {
    return num_shards == 0 ? 0 : static_cast<uint32_t>((value_ >> 22) % num_shards);
  }

  std::string to_string() const {
    return std::to_string(value_);
  }

  constexpr auto operator<=>(const snowflake&) const = default;

private:
  static bool eight_digits(const char* p, uint64_t& out);
  static bool eight_digits_word(uint64_t v, uint64_t& out);

  uint64_t value_ = 0;
};

// Inline: the decoder and the envelope scan parse an id for every one they meet.
// Eight ASCII digits (at `p`, or in a word whose lowest byte is the first) -> their value, or
// false when any byte is not a digit. SWAR: a
// digit loop is a chain of 18 dependent multiply-adds per id, and every id the decoder meets
// comes through here.
inline bool snowflake::eight_digits_word(uint64_t v, uint64_t& out) {
  // Every byte in 0x30..0x39: high nibble 3, and adding 6 does not carry out of the nibble.
  if ((v & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull
      || ((v + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull)
    return false;
  v -= 0x3030303030303030ull;
  v = (v * 10) + (v >> 8); // pairs of digits
  v = (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32)))
       + (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32))))
      >> 32;
  out = v;
  return true;
}

inline bool snowflake::eight_digits(const char* p, uint64_t& out) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native != std::endian::little)
    v = __builtin_bswap64(v);
  return eight_digits_word(v, out);
}

inline bool snowflake::parse(std::string_view text, snowflake& out) {
  // Same grammar as std::from_chars on a uint64: 1 to 20 decimal digits, no sign, no overflow.
  size_t n = text.size();
  const char* p = text.data();
  if constexpr (std::endian::native == std::endian::little) {
    // Every id Discord has handed out since 2015 has 17 to 20 digits: two blocks of eight, and
    // the last 1 to 4 digits read as the top bytes of the word that ends the text (its lower
    // bytes, already in the second block, are replaced by '0'). No loop whose trip count
    // changes with the id's length.
    if (n - 17 <= 3) {
      uint64_t last;
      std::memcpy(&last, p + n - 8, 8);
      unsigned rest = static_cast<unsigned>(n - 16);
      uint64_t keep = ~uint64_t{ 0 } << (8 * (8 - rest));
      last = (last & keep) | (0x3030303030303030ull & ~keep);
      uint64_t a = 0;
      uint64_t b = 0;
      uint64_t c = 0;
      bool digits = eight_digits(p, a);
      digits &= eight_digits(p + 8, b);
      digits &= eight_digits_word(last, c);
      static constexpr uint64_t scale[] = { 10, 100, 1000, 10000 };
      uint64_t value;
      if (!digits || __builtin_mul_overflow(a * 100000000 + b, scale[rest - 1], &value)
          || __builtin_add_overflow(value, c, &value))
        return false;
      out = snowflake{ value };
      return true;
    }
  }
  if (n == 0 || n > 20)
    return false;
  uint64_t value = 0;
  size_t i = 0;
  // At most 16 digits in blocks of 8 (< 10^16, no overflow possible); the rest one by one.
  for (; i + 8 <= n && i < 16; i += 8) {
    uint64_t block;
    if (!eight_digits(p + i, block))
      return false;
    value = value * 100000000 + block;
  }
  for (; i < n; ++i) {
    auto digit = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - '0';
    if (digit > 9)
      return false;
    if (i == 19 && value > (UINT64_MAX - digit) / 10) // only a 20th digit can overflow
      return false;
    value = value * 10 + digit;
  }
  out = snowflake{ value };
  return true;
}

inline std::optional<snowflake> snowflake::parse(std::string_view text) {
  snowflake id;
  if (!parse(text, id))
    return std::nullopt;
  return id;
}

} // namespace spectacles::models

template <>
struct std::hash<spectacles::models::snowflake> {
  size_t operator()(spectacles::models::snowflake id) const noexcept {
    return std::hash<uint64_t>{}(id.value());
  }
};
