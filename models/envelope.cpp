#include "models/envelope.hpp"

#include <cstring>

#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

namespace spectacles::models {

namespace {

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
  // `key` is just after an opening quote at the top level of `d`.
  void peek_guild_key(const char* key, guild_keys& keys) const;

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

void scanner::peek_guild_key(const char* key, guild_keys& keys) const {
  auto rest = static_cast<size_t>(end_ - key);
  bool is_guild_id = rest >= 9 && std::memcmp(key, "guild_id\"", 9) == 0;
  bool is_id = !is_guild_id && rest >= 3 && std::memcmp(key, "id\"", 3) == 0;
  if (!is_guild_id && !is_id)
    return;
  const char* q = key + (is_guild_id ? 9 : 3);
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

namespace {

struct block_masks {
  uint64_t quote = 0;
  uint64_t backslash = 0;
  uint64_t open = 0;   // { [
  uint64_t close = 0;  // } ]
  uint64_t g_or_i = 0; // first letters of "guild_id" and "id"
};

block_masks classify(const char* block) {
  block_masks m;
#if defined(__SSE2__)
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * k));
    auto mask = [&](char c) {
      return static_cast<uint64_t>(
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)))));
    };
    m.quote |= mask('"') << (16 * k);
    m.backslash |= mask('\\') << (16 * k);
    m.open |= (mask('{') | mask('[')) << (16 * k);
    m.close |= (mask('}') | mask(']')) << (16 * k);
    m.g_or_i |= (mask('g') | mask('i')) << (16 * k);
  }
#else
  for (int i = 0; i < 64; ++i) {
    uint64_t bit = uint64_t{ 1 } << i;
    switch (block[i]) {
      case '"': m.quote |= bit; break;
      case '\\': m.backslash |= bit; break;
      case '{':
      case '[': m.open |= bit; break;
      case '}':
      case ']': m.close |= bit; break;
      case 'g':
      case 'i': m.g_or_i |= bit; break;
      default: break;
    }
  }
#endif
  return m;
}

// Without -mpopcnt, __builtin_popcountll is a call into libgcc; this inline SWAR count is
// several times cheaper and keeps the build portable to baseline x86-64.
int popcount(uint64_t x) {
#if defined(__POPCNT__)
  return __builtin_popcountll(x);
#else
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
#endif
}

// Bit i of the result = XOR of bits 0..i: set from an opening quote up to its closing quote.
uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

} // namespace

// Finds the end of an object or array, 64 bytes at a time (the idea of simdjson's stage 1,
// kept small): masks of quotes, backslashes and brackets; escaped quotes removed; a prefix XOR
// of the quotes marks the bytes inside strings; brackets outside strings change the depth.
// Only blocks where the depth could fall to 0 (the end) or 1 (the keys of `d`, for guild_id)
// are walked bit by bit; every other block costs a few popcounts. Brackets are counted, not
// matched by type: `d` is delimited here and validated by the worker that decodes it.
bool scanner::skip_container(guild_keys* keys) {
  const char* start = p_;
  bool track_keys = keys && *p_ == '{';
  int64_t depth = 0;
  uint64_t in_string_carry = 0; // all ones when the previous block ended inside a string
  bool backslash_carry = false; // the previous block ended with an unescaped backslash
  char tail[64];
  for (const char* q = p_; q < end_; q += 64) {
    auto n = static_cast<size_t>(end_ - q);
    const char* block = q;
    if (n < 64) { // never load past the input: classify a space-padded copy of the tail
      std::memset(tail, ' ', sizeof(tail));
      std::memcpy(tail, q, n);
      block = tail;
    } else {
      n = 64;
    }
    block_masks m = classify(block);
    uint64_t escaped = backslash_carry ? 1 : 0;
    backslash_carry = false;
    for (uint64_t bs = m.backslash & ~escaped; bs; bs &= bs - 1) {
      int i = __builtin_ctzll(bs);
      if ((escaped >> i) & 1)
        continue; // this backslash is itself escaped
      if (i == 63)
        backslash_carry = true;
      else
        escaped |= uint64_t{ 1 } << (i + 1);
    }
    uint64_t quotes = m.quote & ~escaped;
    uint64_t in_string = prefix_xor(quotes) ^ in_string_carry;
    in_string_carry = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
    uint64_t opens = m.open & ~in_string;
    uint64_t closes = m.close & ~in_string;
    int64_t lowest = depth - popcount(closes);
    int end_at = -1;
    if (lowest <= 0) { // the container may end in this block: walk its brackets
      int64_t d = depth;
      for (uint64_t bits = opens | closes; bits; bits &= bits - 1) {
        int i = __builtin_ctzll(bits);
        d += ((opens >> i) & 1) ? 1 : -1;
        if (d == 0) {
          end_at = i;
          break;
        }
      }
    }
    if (track_keys && lowest <= 1) {
      // Opening quotes followed by 'g' or 'i' (bit 63's neighbour is in the next block, so it
      // is always a candidate); each one's depth comes from the brackets before it.
      uint64_t candidates = quotes & in_string & ((m.g_or_i >> 1) | (uint64_t{ 1 } << 63));
      if (end_at >= 0)
        candidates &= end_at == 63 ? ~uint64_t{ 0 } : (uint64_t{ 1 } << (end_at + 1)) - 1;
      for (; candidates; candidates &= candidates - 1) {
        int i = __builtin_ctzll(candidates);
        uint64_t below = (uint64_t{ 1 } << i) - 1;
        if (depth + popcount(opens & below) - popcount(closes & below) == 1)
          peek_guild_key(q + i + 1, *keys);
      }
    }
    if (end_at >= 0) {
      p_ = q + end_at + 1;
      return true;
    }
    depth += popcount(opens) - popcount(closes);
  }
  return fail(in_string_carry ? "unterminated string" : "unterminated object or array", start);
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
