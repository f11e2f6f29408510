#include "actors/rest_request_headers.hpp"

#include <cstdint>
#include <optional>

namespace spectacles::actors {

namespace {

void append_printable(std::string& out, std::string_view text) {
  for (unsigned char c : text)
    if (c >= 0x20 && c != 0x7F)
      out += static_cast<char>(c);
}

/// Number of code points, or nullopt when `text` is not valid UTF-8
/// (overlong forms, surrogates and values above U+10FFFF included).
std::optional<size_t> utf8_length(std::string_view text) {
  size_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      extra = 0;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (extra > text.size() - i - 1)
      return std::nullopt; // cut off in the middle of a character
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80)
        return std::nullopt;
      cp = (cp << 6) | (next & 0x3F);
    }
    static constexpr uint32_t smallest[] = { 0, 0x80, 0x800, 0x10000 };
    if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return std::nullopt;
    i += extra + 1;
    ++count;
  }
  return count;
}

} // namespace

std::string user_agent(std::string_view url, std::string_view version, std::string_view extra) {
  std::string out = "DiscordBot (";
  append_printable(out, url);
  out += ", ";
  append_printable(out, version);
  out += ')';
  if (!extra.empty()) {
    out += ' ';
    append_printable(out, extra);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                      || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::variant<std::string, audit_reason_error> encode_audit_log_reason(std::string_view reason) {
  auto length = utf8_length(reason);
  if (!length)
    return audit_reason_error{ "audit-log reason is not valid UTF-8" };
  if (*length == 0)
    return audit_reason_error{ "audit-log reason is empty (Discord wants 1-512 characters; "
                               "leave the reason out instead)" };
  if (*length > 512)
    return audit_reason_error{ "audit-log reason has " + std::to_string(*length)
                               + " characters; Discord allows at most 512" };
  return percent_encode(reason);
}

} // namespace spectacles::actors
