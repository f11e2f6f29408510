#include "models/envelope.hpp"

#include <cstring>

#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

namespace spectacles::models {

namespace {

constexpr int max_depth = 1024;

bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The top-level keys of `d` that name its guild (see envelope_view::guild_id).
struct guild_keys {
  std::optional<snowflake> guild_id;
  std::optional<snowflake> id;
};

class scanner {
public:
  scanner(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  scan_result run();

private:
  bool fail(const char* message, const char* at) {
    if (!error_) {
      error_ = message;
      error_at_ = at;
    }
    return false;
  }

  void skip_ws() {
    while (p_ < end_ && is_ws(*p_))
      ++p_;
  }

  // p_ is just after an opening quote; on success p_ is just after the closing quote.
  bool skip_string_body();
  bool parse_uint(uint64_t& out, const char* what);
  bool skip_scalar();
  // Skips one value of any kind; for an object at the top of `d`, records guild keys.
  bool skip_value(guild_keys* keys);
  bool skip_container(guild_keys* keys);
  void peek_guild_key(const char* key_begin, const char* key_end, guild_keys& keys) const;

  const char* begin_;
  const char* p_;
  const char* end_;
  const char* error_ = nullptr;
  const char* error_at_ = nullptr;
};

bool scanner::skip_string_body() {
  const char* s = p_;
  while (true) {
    auto* q = static_cast<const char*>(std::memchr(s, '"', static_cast<size_t>(end_ - s)));
    if (!q)
      return fail("unterminated string", p_ - 1);
    // A quote preceded by an odd number of backslashes is escaped.
    const char* b = q;
    while (b > p_ && b[-1] == '\\')
      --b;
    if (((q - b) & 1) == 0) {
      p_ = q + 1;
      return true;
    }
    s = q + 1;
  }
}

bool scanner::parse_uint(uint64_t& out, const char* what) {
  const char* start = p_;
  if (p_ >= end_ || !is_digit(*p_))
    return fail(what, start);
  uint64_t v = 0;
  while (p_ < end_ && is_digit(*p_)) {
    auto digit = static_cast<uint64_t>(*p_ - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return fail("integer out of range", start);
    v = v * 10 + digit;
    ++p_;
  }
  if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E'))
    return fail(what, start);
  out = v;
  return true;
}

bool scanner::skip_scalar() {
  const char* start = p_;
  auto literal = [&](std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size()
        || std::memcmp(p_, word.data(), word.size()) != 0)
      return fail("invalid literal", start);
    p_ += word.size();
    return true;
  };
  switch (*p_) {
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    default: break;
  }
  if (*p_ == '-')
    ++p_;
  if (p_ >= end_ || !is_digit(*p_))
    return fail("expected a JSON value", start);
  while (p_ < end_
         && (is_digit(*p_) || *p_ == '.' || *p_ == 'e' || *p_ == 'E' || *p_ == '+' || *p_ == '-'))
    ++p_;
  return true;
}

bool scanner::skip_value(guild_keys* keys) {
  if (p_ >= end_)
    return fail("expected a value, got the end of the input", p_);
  switch (*p_) {
    case '"': ++p_; return skip_string_body();
    case '{':
    case '[': return skip_container(keys);
    default: return skip_scalar();
  }
}

void scanner::peek_guild_key(const char* key_begin, const char* key_end, guild_keys& keys) const {
  auto len = key_end - key_begin;
  bool is_guild_id = len == 8 && std::memcmp(key_begin, "guild_id", 8) == 0;
  bool is_id = len == 2 && key_begin[0] == 'i' && key_begin[1] == 'd';
  if (!is_guild_id && !is_id)
    return;
  const char* q = key_end + 1;
  while (q < end_ && is_ws(*q))
    ++q;
  if (q >= end_ || *q != ':')
    return; // a string value that happens to read "id", not a key
  ++q;
  while (q < end_ && is_ws(*q))
    ++q;
  bool quoted = q < end_ && *q == '"';
  if (quoted)
    ++q;
  const char* digits = q;
  while (q < end_ && is_digit(*q))
    ++q;
  if (q == digits || (quoted && (q >= end_ || *q != '"')))
    return;
  if (auto id = snowflake::parse(std::string_view(digits, static_cast<size_t>(q - digits)))) {
    (is_guild_id ? keys.guild_id : keys.id) = id;
  }
}

// Finds the end of an object or array by matching brackets outside strings. With SSE2 it
// looks at 64 bytes at a time and walks only the bits of `"`, `\`, and brackets, which is what
// makes the scan several times faster than building a DOM of the same bytes.
bool scanner::skip_container(guild_keys* keys) {
  uint64_t stack[max_depth / 64] = {}; // bit set = object, clear = array
  int depth = 0;
  bool in_string = false;
  const char* string_begin = nullptr;
  const char* escaped = nullptr; // the byte after a backslash inside a string
  const char* start = p_;

  auto handle = [&](const char* at) -> int { // 1 = done, 0 = continue, -1 = error
    char c = *at;
    if (at == escaped)
      return 0;
    if (in_string) {
      if (c == '\\') {
        escaped = at + 1;
      } else if (c == '"') {
        in_string = false;
        if (keys && depth == 1 && (stack[0] & 2))
          peek_guild_key(string_begin + 1, at, *keys);
      }
      return 0;
    }
    switch (c) {
      case '"':
        in_string = true;
        string_begin = at;
        return 0;
      case '{':
      case '[':
        if (depth >= max_depth - 1) {
          fail("nesting deeper than 1024 levels", at);
          return -1;
        }
        ++depth;
        if (c == '{')
          stack[depth / 64] |= uint64_t{ 1 } << (depth % 64);
        else
          stack[depth / 64] &= ~(uint64_t{ 1 } << (depth % 64));
        return 0;
      case '}':
      case ']': {
        bool is_object = (stack[depth / 64] >> (depth % 64)) & 1;
        if (is_object != (c == '}')) {
          fail("mismatched bracket", at);
          return -1;
        }
        --depth;
        return depth == 0 ? 1 : 0;
      }
      default: return 0; // a backslash outside a string is not our business here
    }
  };

  const char* q = p_;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i open_curly = _mm_set1_epi8('{');
  const __m128i close_curly = _mm_set1_epi8('}');
  const __m128i open_square = _mm_set1_epi8('[');
  const __m128i close_square = _mm_set1_epi8(']');
  auto mask16 = [&](const char* at) -> uint64_t {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    __m128i m = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open_curly), _mm_cmpeq_epi8(v, close_curly)),
                   _mm_or_si128(_mm_cmpeq_epi8(v, open_square), _mm_cmpeq_epi8(v, close_square))));
    return static_cast<uint32_t>(_mm_movemask_epi8(m));
  };
  while (end_ - q >= 64) {
    uint64_t bits
      = mask16(q) | (mask16(q + 16) << 16) | (mask16(q + 32) << 32) | (mask16(q + 48) << 48);
    while (bits) {
      const char* at = q + __builtin_ctzll(bits);
      bits &= bits - 1;
      int r = handle(at);
      if (r < 0)
        return false;
      if (r > 0) {
        p_ = at + 1;
        return true;
      }
    }
    q += 64;
  }
#endif
  for (; q < end_; ++q) {
    char c = *q;
    if (c != '"' && c != '\\' && c != '{' && c != '}' && c != '[' && c != ']')
      continue;
    int r = handle(q);
    if (r < 0)
      return false;
    if (r > 0) {
      p_ = q + 1;
      return true;
    }
  }
  return fail(in_string ? "unterminated string" : "unterminated object or array", start);
}

scan_result scanner::run() {
  envelope_view env;
  guild_keys keys;
  bool have_op = false;
  skip_ws();
  if (p_ >= end_ || *p_ != '{')
    return { "expected a JSON object", static_cast<size_t>(p_ - begin_) };
  ++p_;
  skip_ws();
  bool first = true;
  while (true) {
    if (p_ >= end_)
      return { "unterminated object", static_cast<size_t>(p_ - begin_) };
    if (*p_ == '}') {
      if (!first)
        return { "trailing comma before '}'", static_cast<size_t>(p_ - begin_) };
      ++p_;
      break;
    }
    if (*p_ != '"')
      return { "expected a key string", static_cast<size_t>(p_ - begin_) };
    const char* key_begin = ++p_;
    if (!skip_string_body())
      return { error_, static_cast<size_t>(error_at_ - begin_) };
    std::string_view key(key_begin, static_cast<size_t>(p_ - 1 - key_begin));
    skip_ws();
    if (p_ >= end_ || *p_ != ':')
      return { "expected ':' after a key", static_cast<size_t>(p_ - begin_) };
    ++p_;
    skip_ws();
    if (p_ >= end_)
      return { "expected a value, got the end of the input", static_cast<size_t>(p_ - begin_) };
    const char* value_begin = p_;
    bool ok = true;
    if (key == "op") {
      uint64_t op = 0;
      ok = parse_uint(op, "`op` must be a non-negative integer");
      if (ok && op > 0xFFFF)
        ok = fail("`op` out of range", value_begin);
      env.op = static_cast<int>(op);
      have_op = true;
    } else if (key == "s") {
      if (*p_ == 'n') {
        ok = skip_scalar();
        env.s.reset();
      } else {
        uint64_t s = 0;
        ok = parse_uint(s, "`s` must be null or a non-negative integer");
        env.s = s;
      }
    } else if (key == "t") {
      if (*p_ == '"') {
        ++p_;
        ok = skip_string_body();
        env.t = std::string_view(value_begin + 1, static_cast<size_t>(p_ - value_begin - 2));
      } else if (*p_ == 'n') {
        ok = skip_scalar();
        env.t = {};
      } else {
        ok = fail("`t` must be null or a string", value_begin);
      }
    } else if (key == "d") {
      keys = {};
      ok = skip_value(&keys);
      env.d = std::string_view(value_begin, static_cast<size_t>(p_ - value_begin));
    } else {
      ok = skip_value(nullptr);
    }
    if (!ok)
      return { error_, static_cast<size_t>(error_at_ - begin_) };
    first = false;
    skip_ws();
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      skip_ws();
      if (p_ < end_ && *p_ == '}')
        return { "trailing comma before '}'", static_cast<size_t>(p_ - begin_) };
      continue;
    }
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      break;
    }
    if (p_ >= end_)
      return { "unterminated object", static_cast<size_t>(p_ - begin_) };
    return { "expected ',' or '}' after a value", static_cast<size_t>(p_ - begin_) };
  }
  skip_ws();
  if (p_ != end_)
    return { "unexpected text after the envelope", static_cast<size_t>(p_ - begin_) };
  if (!have_op)
    return { "`op` is missing", 0 };
  if (env.op == 0 && env.t.empty())
    return { "dispatch (op 0) without an event name `t`", 0 };
  // GUILD_CREATE/UPDATE/DELETE carry the guild itself, so its id is the guild id.
  bool is_guild_itself
    = env.t == "GUILD_CREATE" || env.t == "GUILD_UPDATE" || env.t == "GUILD_DELETE";
  env.guild_id = is_guild_itself ? keys.id : keys.guild_id;
  return env;
}

} // namespace

std::string scan_result::error_message() const {
  if (ok())
    return {};
  return "gateway envelope at byte " + std::to_string(offset_) + ": " + error_;
}

scan_result scan_envelope(std::string_view text) {
  return scanner{ text }.run();
}

} // namespace spectacles::models
