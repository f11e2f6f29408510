#include "models/snowflake.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace spectacles::models {

namespace {

// Eight ASCII digits at `p` -> their value, or false when any byte is not a digit. SWAR: a
// digit loop is a chain of 18 dependent multiply-adds per id, and every id the decoder meets
// comes through here.
bool eight_digits(const char* p, uint64_t& out) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native != std::endian::little)
    v = __builtin_bswap64(v);
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

} // namespace

std::optional<snowflake> snowflake::parse(std::string_view text) {
  // Same grammar as std::from_chars on a uint64: 1 to 20 decimal digits, no sign, no overflow.
  size_t n = text.size();
  if (n == 0 || n > 20)
    return std::nullopt;
  const char* p = text.data();
  uint64_t value = 0;
  size_t i = 0;
  // At most 16 digits in blocks of 8 (< 10^16, no overflow possible); the rest one by one.
  for (; i + 8 <= n && i < 16; i += 8) {
    uint64_t block;
    if (!eight_digits(p + i, block))
      return std::nullopt;
    value = value * 100000000 + block;
  }
  for (; i < n; ++i) {
    auto digit = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - '0';
    if (digit > 9)
      return std::nullopt;
    if (i == 19 && value > (UINT64_MAX - digit) / 10) // only a 20th digit can overflow
      return std::nullopt;
    value = value * 10 + digit;
  }
  return snowflake{ value };
}

} // namespace spectacles::models
