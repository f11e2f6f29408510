#include "models/snowflake.hpp"

#include <cstdint>

namespace spectacles::models {

std::optional<snowflake> snowflake::parse(std::string_view text) {
  // Every id the decoder meets goes through here, so a plain digit loop rather than
  // std::from_chars; same grammar: 1 to 20 decimal digits, no sign, no overflow.
  size_t n = text.size();
  if (n == 0 || n > 20)
    return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) {
    auto digit = static_cast<unsigned>(static_cast<unsigned char>(text[i])) - '0';
    if (digit > 9)
      return std::nullopt;
    if (i == 19 && value > (UINT64_MAX - digit) / 10) // only a 20th digit can overflow
      return std::nullopt;
    value = value * 10 + digit;
  }
  return snowflake{ value };
}

} // namespace spectacles::models
