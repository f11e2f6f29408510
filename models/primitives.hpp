// primitives: the small value types Discord's objects are made of.
//
//   "joined_at": "2024-02-27T19:50:51.701000+00:00"   -> timestamp (µs since the Unix epoch)
//   "permissions": "2251799813685247"                  -> permissions (64-bit, sent as a string)
//   "color": 3447003                                    -> color (0xRRGGBB)
//   "avatar": "a_1269e74af4df7417b13759eae50c83dc"      -> image_hash ("a_" = animated)
//   "locale": "en-US"                                   -> locale
#pragma once

#include <compare>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::models {

/// An ISO 8601 instant (PROTOCOL.md §2.14), kept to the microsecond. Offsets are folded into
/// UTC when parsed; to_string() always writes "YYYY-MM-DDTHH:MM:SS.ffffff+00:00".
class timestamp {
public:
  constexpr timestamp() = default;
  constexpr explicit timestamp(int64_t unix_us) : unix_us_(unix_us) {}

  /// Accepts "2020-07-14T13:02:12.171000+00:00", "2020-07-14T13:02:12Z",
  /// "2020-07-14 13:02:12.1-05:30"; nullopt for anything else.
  static std::optional<timestamp> parse(std::string_view text);
  /// The same, into `out`; false (and `out` untouched) for anything else (the decoders' form,
  /// see snowflake::parse).
  static bool parse(std::string_view text, timestamp& out);

  constexpr int64_t unix_us() const {
    return unix_us_;
  }
  constexpr int64_t unix_ms() const {
    return unix_us_ / 1000;
  }
  std::string to_string() const;

  constexpr auto operator<=>(const timestamp&) const = default;

private:
  int64_t unix_us_ = 0;
};

/// Discord's permission bitset (64 bits, a decimal string in JSON).
class permissions {
public:
  // Values from developers/topics/permissions.mdx § Permission flags.
  static constexpr uint64_t create_instant_invite = 1ull << 0;
  static constexpr uint64_t kick_members = 1ull << 1;
  static constexpr uint64_t ban_members = 1ull << 2;
  static constexpr uint64_t administrator = 1ull << 3;
  static constexpr uint64_t manage_channels = 1ull << 4;
  static constexpr uint64_t manage_guild = 1ull << 5;
  static constexpr uint64_t add_reactions = 1ull << 6;
  static constexpr uint64_t view_audit_log = 1ull << 7;
  static constexpr uint64_t priority_speaker = 1ull << 8;
  static constexpr uint64_t stream = 1ull << 9;
  static constexpr uint64_t view_channel = 1ull << 10;
  static constexpr uint64_t send_messages = 1ull << 11;
  static constexpr uint64_t send_tts_messages = 1ull << 12;
  static constexpr uint64_t manage_messages = 1ull << 13;
  static constexpr uint64_t embed_links = 1ull << 14;
  static constexpr uint64_t attach_files = 1ull << 15;
  static constexpr uint64_t read_message_history = 1ull << 16;
  static constexpr uint64_t mention_everyone = 1ull << 17;
  static constexpr uint64_t use_external_emojis = 1ull << 18;
  static constexpr uint64_t view_guild_insights = 1ull << 19;
  static constexpr uint64_t connect = 1ull << 20;
  static constexpr uint64_t speak = 1ull << 21;
  static constexpr uint64_t mute_members = 1ull << 22;
  static constexpr uint64_t deafen_members = 1ull << 23;
  static constexpr uint64_t move_members = 1ull << 24;
  static constexpr uint64_t use_vad = 1ull << 25;
  static constexpr uint64_t change_nickname = 1ull << 26;
  static constexpr uint64_t manage_nicknames = 1ull << 27;
  static constexpr uint64_t manage_roles = 1ull << 28;
  static constexpr uint64_t manage_webhooks = 1ull << 29;
  static constexpr uint64_t manage_guild_expressions = 1ull << 30;
  static constexpr uint64_t use_application_commands = 1ull << 31;
  static constexpr uint64_t request_to_speak = 1ull << 32;
  static constexpr uint64_t manage_events = 1ull << 33;
  static constexpr uint64_t manage_threads = 1ull << 34;
  static constexpr uint64_t create_public_threads = 1ull << 35;
  static constexpr uint64_t create_private_threads = 1ull << 36;
  static constexpr uint64_t use_external_stickers = 1ull << 37;
  static constexpr uint64_t send_messages_in_threads = 1ull << 38;
  static constexpr uint64_t use_embedded_activities = 1ull << 39;
  static constexpr uint64_t moderate_members = 1ull << 40;
  static constexpr uint64_t view_creator_monetization_analytics = 1ull << 41;
  static constexpr uint64_t use_soundboard = 1ull << 42;
  static constexpr uint64_t create_guild_expressions = 1ull << 43;
  static constexpr uint64_t create_events = 1ull << 44;
  static constexpr uint64_t use_external_sounds = 1ull << 45;
  static constexpr uint64_t send_voice_messages = 1ull << 46;
  static constexpr uint64_t send_polls = 1ull << 49;
  static constexpr uint64_t use_external_apps = 1ull << 50;
  static constexpr uint64_t pin_messages = 1ull << 51;
  static constexpr uint64_t bypass_slowmode = 1ull << 52;

  constexpr permissions() = default;
  constexpr explicit permissions(uint64_t bits) : bits_(bits) {}
  constexpr uint64_t bits() const {
    return bits_;
  }
  /// True when every bit of `flags` is set (administrator is not special-cased here).
  constexpr bool has(uint64_t flags) const {
    return (bits_ & flags) == flags;
  }
  constexpr permissions with(uint64_t flags) const {
    return permissions{ bits_ | flags };
  }
  constexpr permissions without(uint64_t flags) const {
    return permissions{ bits_ & ~flags };
  }
  constexpr auto operator<=>(const permissions&) const = default;

private:
  uint64_t bits_ = 0;
};

/// Gateway intents (PROTOCOL.md §1.16); an integer in IDENTIFY.
class intents {
public:
  static constexpr uint64_t guilds = 1ull << 0;
  static constexpr uint64_t guild_members = 1ull << 1; // privileged
  static constexpr uint64_t guild_moderation = 1ull << 2;
  static constexpr uint64_t guild_expressions = 1ull << 3;
  static constexpr uint64_t guild_integrations = 1ull << 4;
  static constexpr uint64_t guild_webhooks = 1ull << 5;
  static constexpr uint64_t guild_invites = 1ull << 6;
  static constexpr uint64_t guild_voice_states = 1ull << 7;
  static constexpr uint64_t guild_presences = 1ull << 8; // privileged
  static constexpr uint64_t guild_messages = 1ull << 9;
  static constexpr uint64_t guild_message_reactions = 1ull << 10;
  static constexpr uint64_t guild_message_typing = 1ull << 11;
  static constexpr uint64_t direct_messages = 1ull << 12;
  static constexpr uint64_t direct_message_reactions = 1ull << 13;
  static constexpr uint64_t direct_message_typing = 1ull << 14;
  static constexpr uint64_t message_content = 1ull << 15; // privileged
  static constexpr uint64_t guild_scheduled_events = 1ull << 16;
  static constexpr uint64_t auto_moderation_configuration = 1ull << 20;
  static constexpr uint64_t auto_moderation_execution = 1ull << 21;
  static constexpr uint64_t guild_message_polls = 1ull << 24;
  static constexpr uint64_t direct_message_polls = 1ull << 25;
  static constexpr uint64_t privileged = guild_members | guild_presences | message_content;
  static constexpr uint64_t all = 53608447;            // every listed intent (§1.16)
  static constexpr uint64_t non_privileged = 53575421; // all minus the privileged ones

  constexpr intents() = default;
  constexpr explicit intents(uint64_t bits) : bits_(bits) {}
  constexpr uint64_t bits() const {
    return bits_;
  }
  constexpr bool has(uint64_t flags) const {
    return (bits_ & flags) == flags;
  }
  constexpr auto operator<=>(const intents&) const = default;

private:
  uint64_t bits_ = 0;
};

/// An RGB color as Discord sends it: an integer 0xRRGGBB.
struct color {
  uint32_t rgb = 0;
  constexpr uint8_t red() const {
    return static_cast<uint8_t>(rgb >> 16);
  }
  constexpr uint8_t green() const {
    return static_cast<uint8_t>(rgb >> 8);
  }
  constexpr uint8_t blue() const {
    return static_cast<uint8_t>(rgb);
  }
  constexpr auto operator<=>(const color&) const = default;
};

/// An image hash (avatar, icon, banner, ...); the CDN URL is built from it.
///
/// Discord's hashes are 32 hex digits, with "a_" in front when the image is animated. Up to 34
/// characters are kept inside the object, so decoding a user's avatar, a guild's icon or a
/// badge allocates nothing (a std::string would, past 15 characters); anything longer is kept
/// whole on the heap, so an unexpected hash is read, compared and re-encoded as it came.
class image_hash {
public:
  static constexpr size_t inline_capacity = 34;

  image_hash() = default;
  image_hash(std::string_view text) { // NOLINT: implicit, like std::string from a literal
    assign(text);
  }
  image_hash(const char* text) : image_hash(std::string_view{ text }) {}
  image_hash(const image_hash& other) {
    assign(other.view());
  }
  // A moved-from hash is empty (a defaulted move would leave it saying "on the heap" with no
  // heap text).
  image_hash(image_hash&& other) noexcept : size_(other.size_), heap_(std::move(other.heap_)) {
    std::memcpy(inline_, other.inline_, inline_capacity);
    other.size_ = 0;
  }
  image_hash& operator=(const image_hash& other) {
    if (this != &other)
      assign(other.view());
    return *this;
  }
  image_hash& operator=(image_hash&& other) noexcept {
    if (this != &other) {
      size_ = other.size_;
      std::memcpy(inline_, other.inline_, inline_capacity);
      heap_ = std::move(other.heap_);
      other.size_ = 0;
    }
    return *this;
  }
  ~image_hash() = default;

  void assign(std::string_view text) {
    if (text.size() <= inline_capacity) {
      size_ = static_cast<uint8_t>(text.size());
      std::memcpy(inline_, text.data(), text.size());
      heap_.reset();
    } else {
      auto copy = std::make_unique<std::string>(text);
      size_ = on_heap;
      heap_ = std::move(copy);
    }
  }

  std::string_view view() const {
    return size_ == on_heap ? std::string_view{ *heap_ } : std::string_view{ inline_, size_ };
  }
  std::string str() const {
    return std::string{ view() };
  }
  bool empty() const {
    return size_ == 0;
  }
  /// Animated images have hashes starting with "a_" and are served as GIF/WebP.
  bool animated() const {
    auto v = view();
    return v.size() > 2 && v[0] == 'a' && v[1] == '_';
  }

  friend bool operator==(const image_hash& a, const image_hash& b) {
    return a.view() == b.view();
  }
  friend auto operator<=>(const image_hash& a, const image_hash& b) {
    return a.view() <=> b.view();
  }

private:
  static constexpr uint8_t on_heap = 0xFF;
  uint8_t size_ = 0;                  // characters in inline_, or on_heap
  char inline_[inline_capacity] = {}; // NOLINT: a fixed buffer on purpose
  // Only for text longer than inline_capacity; a pointer, not a std::string, keeps the object at
  // 48 bytes (a std::string here made it 72, and every model holding a hash grew with it).
  std::unique_ptr<std::string> heap_;
};

/// A locale string such as "en-US" (developers/reference.mdx § Locales); kept open.
struct locale {
  std::string value;
  auto operator<=>(const locale&) const = default;
};

} // namespace spectacles::models
