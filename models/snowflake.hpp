// snowflake: Discord's 64-bit unique id (PROTOCOL.md §3).
//
//   "175928847299117063"  ->  timestamp 1462015105796 ms, worker 1, process 0, increment 7
//
// A distinct type, so an id cannot be mixed up with a count or a seq number.
#pragma once

#include <compare>
#include <cstdint>
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
  uint64_t value_ = 0;
};

} // namespace spectacles::models

template <>
struct std::hash<spectacles::models::snowflake> {
  size_t operator()(spectacles::models::snowflake id) const noexcept {
    return std::hash<uint64_t>{}(id.value());
  }
};
