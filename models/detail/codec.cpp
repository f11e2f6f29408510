#include "models/detail/codec.hpp"

namespace spectacles::models {

void write_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0; // bytes copied as they are, appended in one go
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

} // namespace spectacles::models

namespace spectacles::models::detail {

std::string describe(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
    case simdjson::dom::element_type::STRING: {
      std::string_view sv = e.get_string().value_unsafe();
      std::string out;
      write_json_string(out, sv.size() > 40 ? sv.substr(0, 40) : sv);
      if (sv.size() > 40) {
        out.pop_back();
        out += "...\"";
      }
      return out;
    }
    default: return simdjson::minify(e);
  }
}

bool fail(decode_ctx& c, std::string_view expected, element got) {
  c.message = "expected " + std::string(expected) + ", got " + describe(got);
  return false;
}

// Paths are built on the way back up (only when decoding failed), so a new string per level.
void prepend_key(decode_ctx& c, std::string_view key) {
  std::string path{ key };
  if (!c.path.empty() && c.path.front() != '[')
    path += '.';
  path += c.path;
  c.path = std::move(path);
}

void prepend_index(decode_ctx& c, size_t index) {
  std::string path{ '[' };
  path += std::to_string(index);
  path += ']';
  path += c.path;
  c.path = std::move(path);
}

bool parse_buffer::parse(std::string_view json, element& root, decode_ctx& c) {
  // The input is copied into a buffer with simdjson's padding that lives as long as the parser,
  // so the parser never allocates a padded copy per call.
  size_t need = json.size() + simdjson::SIMDJSON_PADDING;
  if (need > capacity) {
    capacity = std::max(need, capacity * 2);
    data = std::make_unique<char[]>(capacity);
  }
  std::memcpy(data.get(), json.data(), json.size());
  std::memset(data.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
  auto err = parser.parse(data.get(), json.size(), false).get(root);
  if (err) {
    c.message = std::string("invalid JSON: ") + simdjson::error_message(err);
    return false;
  }
  return true;
}

parse_buffer& thread_parse_buffer() {
  thread_local parse_buffer buffer;
  return buffer;
}

bool codec<snowflake>::decode(element e, snowflake& out, decode_ctx& c) {
  // IDs are strings, but ones we sent may come back as integers (PROTOCOL.md §1.19).
  std::string_view sv;
  if (!e.get_string().get(sv)) {
    if (auto id = snowflake::parse(sv)) {
      out = *id;
      return true;
    }
    return fail(c, "a snowflake string", e);
  }
  uint64_t v = 0;
  if (!e.get_uint64().get(v)) {
    out = snowflake{ v };
    return true;
  }
  return fail(c, "a snowflake string", e);
}

bool codec<timestamp>::decode(element e, timestamp& out, decode_ctx& c) {
  std::string_view sv;
  if (!e.get_string().get(sv)) {
    if (auto t = timestamp::parse(sv)) {
      out = *t;
      return true;
    }
  }
  return fail(c, "an ISO 8601 timestamp", e);
}

bool codec<permissions>::decode(element e, permissions& out, decode_ctx& c) {
  std::string_view sv;
  if (!e.get_string().get(sv)) {
    if (auto bits = snowflake::parse(sv)) { // same grammar: a decimal uint64
      out = permissions{ bits->value() };
      return true;
    }
  } else {
    uint64_t v = 0;
    if (!e.get_uint64().get(v)) {
      out = permissions{ v };
      return true;
    }
  }
  return fail(c, "a permission bitset string", e);
}

} // namespace spectacles::models::detail
