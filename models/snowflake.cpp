#include "models/snowflake.hpp"

#include <charconv>

namespace spectacles::models {

std::optional<snowflake> snowflake::parse(std::string_view text) {
  if (text.empty() || text.size() > 20)
    return std::nullopt;
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size())
    return std::nullopt;
  return snowflake{ value };
}

} // namespace spectacles::models
