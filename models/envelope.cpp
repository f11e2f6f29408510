#include "models/envelope.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#  include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#  define SPECTACLES_SCAN_HAVE_AVX2 1
#  include <immintrin.h>
#else
#  define SPECTACLES_SCAN_HAVE_AVX2 0
#endif

namespace spectacles::models {

namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The top-level keys of `d` that name its guild (see envelope_view::guild_id). Only the one the
// event needs is looked for when `t` came before `d` (it does in what Discord sends).
struct guild_keys {
  bool want_guild_id = true;
  bool want_id = true;
  std::optional<snowflake> guild_id;
  std::optional<snowflake> id;
};

// GUILD_CREATE/UPDATE/DELETE carry the guild itself, so its id is the guild id.
bool is_guild_itself(std::string_view t) {
  return t == "GUILD_CREATE" || t == "GUILD_UPDATE" || t == "GUILD_DELETE";
}

// The end of the run of ASCII digits at p: eight bytes at a time while they are all in the
// input (an id is 17 to 20 digits), then byte by byte. A byte is flagged when its high nibble is
// not 3 or adding 6 carries out of its low nibble; a carry into the next byte can only come
// from a byte that is itself flagged, so the first flag is the first non-digit.
const char* digit_run_end(const char* p, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    while (end - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      uint64_t flags
        = ((v & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull)
          | (((v + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull);
      if (flags != 0)
        return p + __builtin_ctzll(flags) / 8;
      p += 8;
    }
  }
  while (p < end && is_digit(*p))
    ++p;
  return p;
}

// `key` is just after an opening quote at the top level of `d`: records it when it is
// "guild_id" or "id" with a snowflake value.
void peek_guild_key(const char* key, const char* end, guild_keys& keys) {
  auto rest = static_cast<size_t>(end - key);
  bool is_guild_id = keys.want_guild_id && rest >= 9 && std::memcmp(key, "guild_id\"", 9) == 0;
  bool is_id = keys.want_id && !is_guild_id && rest >= 3 && std::memcmp(key, "id\"", 3) == 0;
  if (!is_guild_id && !is_id)
    return;
  const char* q = key + (is_guild_id ? 9 : 3);
  while (q < end && is_ws(*q))
    ++q;
  if (q >= end || *q != ':')
    return; // a string value that happens to read "id", not a key
  ++q;
  while (q < end && is_ws(*q))
    ++q;
  bool quoted = q < end && *q == '"';
  if (quoted)
    ++q;
  const char* digits = q;
  q = digit_run_end(q, end);
  if (q == digits || (quoted && (q >= end || *q != '"')))
    return;
  if (auto id = snowflake::parse(std::string_view(digits, static_cast<size_t>(q - digits)))) {
    (is_guild_id ? keys.guild_id : keys.id) = id;
  }
}

/// Where an object or array ends: just past its closing bracket, or nullptr when the input
/// ends first (inside a string or not).
struct container_end {
  const char* end;
  bool unterminated_string;
};

using find_container_end_fn = container_end (*)(const char*, const char*, guild_keys*);

} // namespace

namespace sse2 {
namespace {
#define SPECTACLES_SCAN_AVX2 0
#define SPECTACLES_SCAN_TARGET
#include "models/detail/envelope_kernel.inl"
#undef SPECTACLES_SCAN_TARGET
#undef SPECTACLES_SCAN_AVX2
} // namespace
} // namespace sse2

#if SPECTACLES_SCAN_HAVE_AVX2
namespace avx2 {
namespace {
#  define SPECTACLES_SCAN_AVX2 1
#  define SPECTACLES_SCAN_TARGET __attribute__((target("avx2,bmi,pclmul,popcnt")))
#  include "models/detail/envelope_kernel.inl"
#  undef SPECTACLES_SCAN_TARGET
#  undef SPECTACLES_SCAN_AVX2
} // namespace
} // namespace avx2
#endif

namespace {

bool cpu_has_avx2() {
#if SPECTACLES_SCAN_HAVE_AVX2
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi")
                          && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
  return has;
#else
  return false;
#endif
}

find_container_end_fn kernel_fn(scan_kernel k) {
#if SPECTACLES_SCAN_HAVE_AVX2
  if (k == scan_kernel::avx2)
    return &avx2::find_container_end;
#endif
  (void)k;
  return &sse2::find_container_end;
}

class scanner {
public:
  scanner(std::string_view text, find_container_end_fn find_end)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        find_end_(find_end) {}

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

  const char* begin_;
  const char* p_;
  const char* end_;
  find_container_end_fn find_end_;
  const char* error_ = nullptr;
  const char* error_at_ = nullptr;
};

bool scanner::skip_string_body() {
  const char* s = p_;
  while (true) {
    // The envelope's own strings are short ("op", "t", "MESSAGE_CREATE"): look at the first
    // bytes here before paying for a call into memchr.
    const char* q = s;
    const char* near_end = end_ - s > 24 ? s + 24 : end_;
    while (q < near_end && *q != '"')
      ++q;
    if (q == near_end)
      q = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end_ - q)));
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

bool scanner::skip_container(guild_keys* keys) {
  const char* start = p_;
  auto r = find_end_(p_, end_, keys);
  if (r.end) {
    p_ = r.end;
    return true;
  }
  return fail(r.unterminated_string ? "unterminated string" : "unterminated object or array",
              start);
}

scan_result scanner::run() {
  envelope_view env;
  guild_keys keys;
  bool have_op = false;
  bool have_t = false;
  bool keys_for_guild_itself = false; // what `keys` looked for, when it did not look for both
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
      have_t = true;
    } else if (key == "d") {
      keys = {};
      if (have_t) {
        keys_for_guild_itself = is_guild_itself(env.t);
        keys.want_id = keys_for_guild_itself;
        keys.want_guild_id = !keys_for_guild_itself;
      }
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
  bool guild_itself = is_guild_itself(env.t);
  if (!(keys.want_id && keys.want_guild_id) && guild_itself != keys_for_guild_itself
      && !env.d.empty() && env.d.front() == '{') {
    // A `t` after `d` changed which key counts (never so in what Discord sends): look again.
    keys = {};
    find_end_(env.d.data(), end_, &keys);
  }
  env.guild_id = guild_itself ? keys.id : keys.guild_id;
  return env;
}

} // namespace

std::string scan_result::error_message() const {
  if (ok())
    return {};
  return "gateway envelope at byte " + std::to_string(offset_) + ": " + error_;
}

scan_result scan_envelope(std::string_view text) {
  static const find_container_end_fn best = kernel_fn(active_scan_kernel());
  return scanner{ text, best }.run();
}

scan_kernel active_scan_kernel() {
  return cpu_has_avx2() ? scan_kernel::avx2 : scan_kernel::sse2;
}

bool scan_kernel_available(scan_kernel k) {
  return k == scan_kernel::sse2 || (k == scan_kernel::avx2 && cpu_has_avx2());
}

scan_result scan_envelope_with(scan_kernel k, std::string_view text) {
  if (!scan_kernel_available(k))
    k = scan_kernel::sse2;
  return scanner{ text, kernel_fn(k) }.run();
}

} // namespace spectacles::models
