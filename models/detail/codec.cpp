#include "models/detail/codec.hpp"

#include <cstdlib>

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

bool fail(decode_ctx& c, std::string_view expected, node got) {
  c.message = "expected " + std::string(expected) + ", got " + describe(c.to_element(got));
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

namespace {

bool json_number_grammar(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9')
      ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-')
    ++i;
  if (i < t.size() && t[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits())
      return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-'))
      ++i;
    if (!digits())
      return false;
  }
  return i == t.size();
}

// simdjson's DOM parser refuses a number it cannot represent (an integer beyond 64 bits) for
// the whole document, without saying where. Only then, this walks the text once more to find
// the first such number and name its path, so the error reads like every other decode error:
// "author.id: expected a number that fits in 64 bits, got 18446744073709551616".
bool locate_bad_number(std::string_view json, decode_ctx& c) {
  struct frame {
    bool object;
    size_t index;
    std::string_view key;
  };
  std::vector<frame> stack;
  std::string_view last_string;
  for (size_t i = 0; i < json.size();) {
    char ch = json[i];
    if (ch == '"') {
      size_t j = i + 1;
      while (j < json.size() && json[j] != '"')
        j += json[j] == '\\' ? 2 : 1;
      if (j >= json.size())
        return false;
      last_string = json.substr(i + 1, j - i - 1);
      i = j + 1;
      continue;
    }
    if (ch == '{' || ch == '[') {
      stack.push_back({ ch == '{', 0, {} });
    } else if (ch == '}' || ch == ']') {
      if (stack.empty())
        return false;
      stack.pop_back();
    } else if (ch == ':' && !stack.empty() && stack.back().object) {
      stack.back().key = last_string;
    } else if (ch == ',' && !stack.empty() && !stack.back().object) {
      ++stack.back().index;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      size_t j = i;
      while (j < json.size()
             && ((json[j] >= '0' && json[j] <= '9') || json[j] == '-' || json[j] == '+'
                 || json[j] == '.' || json[j] == 'e' || json[j] == 'E'))
        ++j;
      std::string_view token = json.substr(i, j - i);
      const char* problem = nullptr;
      if (!json_number_grammar(token)) {
        problem = "a JSON number";
      } else if (token.find_first_of(".eE") == std::string_view::npos) {
        bool fits = false;
        if (token[0] == '-') {
          int64_t v = 0;
          auto r = std::from_chars(token.data(), token.data() + token.size(), v);
          fits = r.ec == std::errc{} && r.ptr == token.data() + token.size();
        } else {
          uint64_t v = 0;
          auto r = std::from_chars(token.data(), token.data() + token.size(), v);
          fits = r.ec == std::errc{} && r.ptr == token.data() + token.size();
        }
        if (!fits)
          problem = "a number that fits in 64 bits";
      } else {
        double v = std::strtod(std::string(token).c_str(), nullptr);
        if (!std::isfinite(v))
          problem = "a finite number";
      }
      if (problem) {
        c.message = "expected " + std::string(problem) + ", got " + std::string(token);
        c.path.clear();
        for (auto f = stack.rbegin(); f != stack.rend(); ++f) {
          if (f->object)
            prepend_key(c, f->key);
          else
            prepend_index(c, f->index);
        }
        return true;
      }
      i = j;
      continue;
    }
    ++i;
  }
  return false;
}

} // namespace

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
    bool number = err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE;
    if (!number || !locate_bad_number(json, c))
      c.message = std::string("invalid JSON: ") + simdjson::error_message(err);
    return false;
  }
  return true;
}

parse_buffer& thread_parse_buffer() {
  thread_local parse_buffer buffer;
  return buffer;
}

bool codec<timestamp>::decode(node e, timestamp& out, decode_ctx& c) {
  std::string_view sv;
  if (c.get_string(e, sv) && timestamp::parse(sv, out))
    return true;
  return fail(c, "an ISO 8601 timestamp", e);
}

bool codec<permissions>::decode(node e, permissions& out, decode_ctx& c) {
  std::string_view sv;
  if (c.get_string(e, sv)) {
    snowflake bits;
    if (snowflake::parse(sv, bits)) { // same grammar: a decimal uint64
      out = permissions{ bits.value() };
      return true;
    }
  } else {
    uint64_t v = 0;
    if (c.get_uint64(e, v)) {
      out = permissions{ v };
      return true;
    }
  }
  return fail(c, "a permission bitset string", e);
}

} // namespace spectacles::models::detail
