// The few JSON reads the shard does beyond the envelope (models::scan_envelope):
// two strings of READY's `d`, HELLO's interval, op 9's boolean, and a check
// that a user command's `d` is one JSON value. No DOM: READY can be large and
// the shard needs two of its keys (ARCHITECTURE.md key decision 1); a full
// models::decode<ready> would also stop the shard on any odd field of `user`
// or `application`, which it does not use.
//
// It validates as much JSON grammar as it needs to skip values safely and
// never reads past the text it is given.
//
//   find_member(R"({"session_id":"abc","seq":4})", "session_id") -> R"("abc")"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::actors::gateway_json {

/// The position just past the JSON value that starts at pos (after leading
/// whitespace), or nullopt if the text there is not a complete value.
/// Nesting deeper than 256 levels is refused rather than recursed into.
std::optional<size_t> skip_value(std::string_view text, size_t pos);

/// True if text holds exactly one JSON value, with whitespace around it only.
bool is_single_value(std::string_view text);

/// The raw text of the member `key` of the top-level object `object`, or
/// nullopt when object is not an object, is malformed, or has no such key.
std::optional<std::string_view> find_member(std::string_view object, std::string_view key);

/// Decodes a raw JSON string literal (with its quotes), resolving escapes
/// including \uXXXX surrogate pairs into UTF-8.
std::optional<std::string> parse_string(std::string_view raw);

/// A raw JSON integer that fits in uint64 (no sign, fraction or exponent).
std::optional<uint64_t> parse_uint(std::string_view raw);

/// A raw `true` or `false`.
std::optional<bool> parse_bool(std::string_view raw);

/// Text with leading/trailing JSON whitespace removed.
std::string_view trim(std::string_view text);

} // namespace spectacles::actors::gateway_json
