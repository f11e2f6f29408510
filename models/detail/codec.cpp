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

// The input is copied into a buffer with simdjson's padding that lives as long as the parser, so
// the parser never allocates a padded copy per call.
void parse_buffer::copy_in(std::string_view json) {
  size_t need = json.size() + simdjson::SIMDJSON_PADDING;
  if (need > capacity) {
    capacity = std::max(need, capacity * 2);
    data = std::make_unique<char[]>(capacity);
  }
  std::memcpy(data.get(), json.data(), json.size());
  std::memset(data.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
}

bool parse_buffer::index(std::string_view json, direct_ctx& c) {
  copy_in(json);
  if (parser.capacity() < json.size()
      && parser.allocate(std::max(json.size(), simdjson::dom::MINIMAL_DOCUMENT_CAPACITY))
           != simdjson::SUCCESS)
    return false;
  auto& stage1 = *parser.implementation;
  auto err = stage1.stage1(reinterpret_cast<const uint8_t*>(data.get()), json.size(),
                           simdjson::stage1_mode::regular);
  if (err != simdjson::SUCCESS)
    return false;
  c.buf = data.get();
  c.idx = stage1.structural_indexes.get();
  c.count = stage1.n_structural_indexes;
  c.len = json.size();
  c.scratch = &scratch;
  return true;
}

bool parse_buffer::parse(std::string_view json, element& root, decode_ctx& c) {
  copy_in(json);
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

decode_route& thread_decode_route() {
  thread_local decode_route route = decode_route::direct_then_dom;
  return route;
}

bool decode_ctx::raw(node e, std::string& out) const {
  // The scalars Discord sends here (a nonce string, null) are written as simdjson::minify
  // writes them (same escapes) without its builder; numbers with a fraction and containers
  // still go through minify.
  out.clear();
  switch (type(e)) {
    case '"': write_json_string(out, string_at(e)); break;
    case 'n': out = "null"; break;
    case 't': out = "true"; break;
    case 'f': out = "false"; break;
    case 'l': write_int(out, static_cast<int64_t>(tape[e.at + 1])); break;
    case 'u': write_uint(out, tape[e.at + 1]); break;
    default: out = simdjson::minify(to_element(e)); break;
  }
  return true;
}

namespace {

int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

} // namespace

bool direct_ctx::unescape(const char* from, const char* slash, std::string_view& out) {
  std::string& text = *scratch;
  text.assign(from, slash);
  const char* p = slash;
  for (;;) { // p is at a backslash
    switch (p[1]) {
      case '"': text += '"'; break;
      case '\\': text += '\\'; break;
      case '/': text += '/'; break;
      case 'b': text += '\b'; break;
      case 'f': text += '\f'; break;
      case 'n': text += '\n'; break;
      case 'r': text += '\r'; break;
      case 't': text += '\t'; break;
      case 'u': {
        uint32_t cp = 0;
        for (int i = 2; i < 6; ++i) {
          int d = hex_digit(p[i]); // the padding and the closing quote stop a short escape
          if (d < 0)
            return false;
          cp = cp * 16 + static_cast<uint32_t>(d);
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
          return false; // surrogates, paired or not: the DOM's rules
        append_utf8(text, cp);
        p += 4;
        break;
      }
      default: return false;
    }
    p += 2;
    const char* q = quote_or_backslash(p);
    text.append(p, q);
    if (*q == '"') {
      out = text;
      return true;
    }
    p = q;
  }
}

const char* direct_ctx::fraction(const char* p, double& out) const {
  const char* q = p;
  auto digits = [&q] {
    const char* from = q;
    while (static_cast<unsigned>(*q - '0') < 10)
      ++q;
    return q > from;
  };
  if (*q == '-')
    ++q;
  if (*q == '0')
    ++q;
  else if (!digits())
    return nullptr;
  bool has_fraction = false;
  if (*q == '.') {
    ++q;
    if (!digits())
      return nullptr;
    has_fraction = true;
  }
  if (*q == 'e' || *q == 'E') {
    ++q;
    if (*q == '+' || *q == '-')
      ++q;
    if (!digits())
      return nullptr;
    has_fraction = true;
  }
  if (!has_fraction || !ends_token(q))
    return nullptr; // an integer this path left alone, or junk after the number
  auto r = std::from_chars(p, q, out);
  if (r.ec != std::errc{} || r.ptr != q || !std::isfinite(out))
    return nullptr; // beyond double's range either way: the DOM's call
  return q;
}

// Inlined into walk, which calls it for every key and scalar of a value it checks.
[[gnu::always_inline]] inline bool direct_ctx::scalar(size_t k, std::string* out) {
  const char* p = at(k);
  switch (*p) {
    case '"': {
      if (!out && *quote_or_backslash(p + 1) == '"')
        return true; // nothing to check in a string without escapes
      std::string_view text;
      if (!get_string(node{ k }, text))
        return false;
      if (out)
        write_json_string(*out, text);
      return true;
    }
    case 't':
    case 'f': {
      bool v = false;
      if (!get_bool(node{ k }, v))
        return false;
      if (out)
        *out += v ? "true" : "false";
      return true;
    }
    case 'n':
      if (!is_null(node{ k }))
        return false;
      if (out)
        *out += "null";
      return true;
    default: {
      bool negative = false;
      uint64_t v = 0;
      if (integer(node{ k }, negative, v)) {
        if (out) {
          if (negative)
            *out += '-';
          write_uint(*out, v);
        }
        return true;
      }
      double d = 0;
      return fraction(p, d) != nullptr && out == nullptr;
    }
  }
}

bool direct_ctx::walk(node e, std::string* out) {
  size_t k = e.at;
  // One bit per container open inside this value: 1 for an object. Nesting deeper than 64
  // inside one unknown or raw value is left to the DOM.
  uint64_t objects = 0;
  size_t level = 0;
  enum class want { value, key, next } state = want::value;
  for (;;) {
    switch (state) {
      case want::value: {
        char ch = first(k);
        if (ch != '{' && ch != '[') {
          if (!scalar(k, out))
            return false;
          ++k;
          state = want::next;
          break;
        }
        if (level == 64 || depth + level + 1 > max_depth)
          return false;
        bool object = ch == '{';
        objects = (objects & ~(uint64_t{ 1 } << level)) | (uint64_t{ object } << level);
        ++level;
        if (out)
          *out += ch;
        ++k;
        if (first(k) == (object ? '}' : ']')) {
          if (out)
            *out += first(k);
          --level;
          ++k;
          state = want::next;
        } else {
          state = object ? want::key : want::value;
        }
        break;
      }
      case want::key:
        if (first(k) != '"' || !scalar(k, out) || first(k + 1) != ':')
          return false;
        if (out)
          *out += ':';
        k += 2;
        state = want::value;
        break;
      case want::next: {
        if (level == 0) {
          end = k - 1;
          return true;
        }
        bool object = (objects >> (level - 1)) & 1;
        char ch = first(k);
        if (ch == ',') {
          if (out)
            *out += ',';
          ++k;
          state = object ? want::key : want::value;
        } else if (ch == (object ? '}' : ']')) {
          if (out)
            *out += ch;
          --level;
          ++k;
        } else {
          return false;
        }
        break;
      }
    }
  }
}

} // namespace spectacles::models::detail
