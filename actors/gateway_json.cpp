#include "actors/gateway_json.hpp"

#include <charconv>

namespace spectacles::actors::gateway_json {

namespace {

constexpr int max_depth = 256;

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skip_ws(std::string_view text, size_t pos) {
  while (pos < text.size() && is_ws(text[pos]))
    ++pos;
  return pos;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// pos is at the opening quote; returns the position after the closing quote.
std::optional<size_t> skip_string(std::string_view text, size_t pos) {
  ++pos;
  while (pos < text.size()) {
    auto c = static_cast<unsigned char>(text[pos]);
    if (c == '"')
      return pos + 1;
    if (c < 0x20)
      return std::nullopt;
    if (c == '\\') {
      if (pos + 1 >= text.size())
        return std::nullopt;
      char e = text[pos + 1];
      if (e == 'u') {
        if (pos + 6 > text.size())
          return std::nullopt;
        for (size_t i = pos + 2; i < pos + 6; ++i)
          if (hex_value(text[i]) < 0)
            return std::nullopt;
        pos += 6;
        continue;
      }
      if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r'
          && e != 't')
        return std::nullopt;
      pos += 2;
      continue;
    }
    ++pos;
  }
  return std::nullopt;
}

std::optional<size_t> skip_number(std::string_view text, size_t pos) {
  if (pos < text.size() && text[pos] == '-')
    ++pos;
  if (pos >= text.size() || !is_digit(text[pos]))
    return std::nullopt;
  if (text[pos] == '0') {
    ++pos;
  } else {
    while (pos < text.size() && is_digit(text[pos]))
      ++pos;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (pos >= text.size() || !is_digit(text[pos]))
      return std::nullopt;
    while (pos < text.size() && is_digit(text[pos]))
      ++pos;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
      ++pos;
    if (pos >= text.size() || !is_digit(text[pos]))
      return std::nullopt;
    while (pos < text.size() && is_digit(text[pos]))
      ++pos;
  }
  return pos;
}

std::optional<size_t> skip_literal(std::string_view text, size_t pos, std::string_view word) {
  if (text.substr(pos, word.size()) != word)
    return std::nullopt;
  return pos + word.size();
}

std::optional<size_t> skip_at(std::string_view text, size_t pos, int depth);

std::optional<size_t> skip_container(std::string_view text, size_t pos, int depth, bool object) {
  if (depth >= max_depth)
    return std::nullopt;
  char close = object ? '}' : ']';
  pos = skip_ws(text, pos + 1);
  if (pos < text.size() && text[pos] == close)
    return pos + 1;
  while (pos < text.size()) {
    if (object) {
      if (text[pos] != '"')
        return std::nullopt;
      auto key_end = skip_string(text, pos);
      if (!key_end)
        return std::nullopt;
      pos = skip_ws(text, *key_end);
      if (pos >= text.size() || text[pos] != ':')
        return std::nullopt;
      ++pos;
    }
    auto end = skip_at(text, pos, depth + 1);
    if (!end)
      return std::nullopt;
    pos = skip_ws(text, *end);
    if (pos >= text.size())
      return std::nullopt;
    if (text[pos] == close)
      return pos + 1;
    if (text[pos] != ',')
      return std::nullopt;
    pos = skip_ws(text, pos + 1);
  }
  return std::nullopt;
}

std::optional<size_t> skip_at(std::string_view text, size_t pos, int depth) {
  pos = skip_ws(text, pos);
  if (pos >= text.size())
    return std::nullopt;
  switch (text[pos]) {
    case '{': return skip_container(text, pos, depth, true);
    case '[': return skip_container(text, pos, depth, false);
    case '"': return skip_string(text, pos);
    case 't': return skip_literal(text, pos, "true");
    case 'f': return skip_literal(text, pos, "false");
    case 'n': return skip_literal(text, pos, "null");
    default: return skip_number(text, pos);
  }
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t read_hex4(std::string_view s) {
  uint32_t v = 0;
  for (char c : s)
    v = v * 16 + static_cast<uint32_t>(hex_value(c));
  return v;
}

} // namespace

std::optional<size_t> skip_value(std::string_view text, size_t pos) {
  return skip_at(text, pos, 0);
}

bool is_single_value(std::string_view text) {
  auto end = skip_value(text, 0);
  return end && skip_ws(text, *end) == text.size();
}

std::string_view trim(std::string_view text) {
  size_t b = skip_ws(text, 0);
  size_t e = text.size();
  while (e > b && is_ws(text[e - 1]))
    --e;
  return text.substr(b, e - b);
}

std::optional<std::string_view> find_member(std::string_view object, std::string_view key) {
  size_t pos = skip_ws(object, 0);
  if (pos >= object.size() || object[pos] != '{')
    return std::nullopt;
  pos = skip_ws(object, pos + 1);
  if (pos < object.size() && object[pos] == '}')
    return std::nullopt;
  while (pos < object.size()) {
    if (object[pos] != '"')
      return std::nullopt;
    auto key_end = skip_string(object, pos);
    if (!key_end)
      return std::nullopt;
    auto raw_key = object.substr(pos + 1, *key_end - pos - 2);
    pos = skip_ws(object, *key_end);
    if (pos >= object.size() || object[pos] != ':')
      return std::nullopt;
    size_t value_begin = skip_ws(object, pos + 1);
    auto value_end = skip_value(object, value_begin);
    if (!value_end)
      return std::nullopt;
    // Keys with escapes never name a member we look for, so the raw compare is enough.
    if (raw_key == key)
      return object.substr(value_begin, *value_end - value_begin);
    pos = skip_ws(object, *value_end);
    if (pos >= object.size())
      return std::nullopt;
    if (object[pos] == '}')
      return std::nullopt;
    if (object[pos] != ',')
      return std::nullopt;
    pos = skip_ws(object, pos + 1);
  }
  return std::nullopt;
}

std::optional<std::string> parse_string(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty() || raw.front() != '"')
    return std::nullopt;
  auto end = skip_string(raw, 0);
  if (!end || *end != raw.size())
    return std::nullopt;
  std::string out;
  out.reserve(raw.size() - 2);
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp = read_hex4(raw.substr(i + 1, 4));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must be followed by \uDC00-\uDFFF.
          if (i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
            uint32_t low = read_hex4(raw.substr(i + 3, 4));
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            } else {
              return std::nullopt;
            }
          } else {
            return std::nullopt;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return std::nullopt;
        }
        append_utf8(out, cp);
        break;
      }
      default: out.push_back(e); // '"', '\\', '/'
    }
  }
  return out;
}

std::optional<uint64_t> parse_uint(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty() || !is_digit(raw.front()) || (raw.size() > 1 && raw.front() == '0'))
    return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc{} || ptr != raw.data() + raw.size())
    return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view raw) {
  raw = trim(raw);
  if (raw == "true")
    return true;
  if (raw == "false")
    return false;
  return std::nullopt;
}

} // namespace spectacles::actors::gateway_json
