// A small JSON toolkit for the shard: escape strings into payloads we build
// (IDENTIFY, RESUME, heartbeats) and find top-level members in messages we
// receive, without a DOM and without copying what we only look at
// (ARCHITECTURE.md key decision 1).
//
// It is local to the gateway until the models room's encoder lands; it only
// validates as much JSON grammar as it needs to skip values safely, and it
// never reads past the text it is given.
//
//   find_member(R"({"session_id":"abc","seq":4})", "session_id") -> R"("abc")"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::actors::gateway_json {

/// Appends s as a JSON string literal (with quotes), escaping `"`, `\` and
/// control characters; other bytes (UTF-8) pass through unchanged.
void append_string(std::string& out, std::string_view s);

/// The position just past the JSON value that starts at pos (after leading
/// whitespace), or nullopt if the text there is not a complete value.
/// Nesting deeper than 256 levels is refused rather than recursed into.
std::optional<size_t> skip_value(std::string_view text, size_t pos);

/// True if text holds exactly one JSON value, with whitespace around it only.
bool is_single_value(std::string_view text);

/// The raw text of the member `key` of the top-level object `object`, or
/// nullopt when object is not an object, is malformed, or has no such key.
std::optional<std::string_view> find_member(std::string_view object, std::string_view key);

/// Walks the members of a top-level object once, in order:
///
///   member_cursor c(text);
///   while (auto m = c.next()) use(m->key, m->value);
///   if (!c.ok()) ... // malformed; c.done() is true after a clean '}'
class member_cursor {
public:
  struct member {
    std::string_view key;   // raw, without quotes (escapes left as they are)
    std::string_view value; // raw JSON text of the value
  };

  explicit member_cursor(std::string_view object);

  std::optional<member> next();

  /// False once malformed input was seen.
  bool ok() const {
    return ok_;
  }

  /// True after the closing brace (and only whitespace after it) was read.
  bool done() const {
    return done_;
  }

private:
  std::string_view text_;
  size_t pos_ = 0;
  bool ok_ = true;
  bool done_ = false;
  bool first_ = true;
};

/// Decodes a raw JSON string literal (with its quotes), resolving escapes
/// including \uXXXX surrogate pairs into UTF-8.
std::optional<std::string> parse_string(std::string_view raw);

/// A raw JSON integer that fits in uint64 (no sign, fraction or exponent).
std::optional<uint64_t> parse_uint(std::string_view raw);

/// A raw JSON integer that fits in int64.
std::optional<int64_t> parse_int(std::string_view raw);

/// A raw `true` or `false`.
std::optional<bool> parse_bool(std::string_view raw);

/// A snowflake as Discord sends it (a string) or as it may echo it back (a
/// bare integer, PROTOCOL.md §1.19).
std::optional<uint64_t> parse_snowflake(std::string_view raw);

/// Text with leading/trailing JSON whitespace removed.
std::string_view trim(std::string_view text);

} // namespace spectacles::actors::gateway_json
