// The JSON codec behind models/json.hpp, driven by each model's field list (models/describe.hpp).
// Only models/*.cpp include this (it pulls in simdjson); users include models/json.hpp.
//
// Every codec decodes through a context, and there are two (see decode_document_into):
// - direct_ctx reads values straight from the text at the positions simdjson's stage 1 found
//   (its structural index), checking the JSON itself as it goes. It explains nothing: it only
//   accepts or refuses.
// - decode_ctx walks the DOM simdjson builds (stage 1 and stage 2). It decodes whatever the
//   direct path refused, and its errors name the path and the expectation.
// Both use the kernel simdjson picks at run time (haswell, icelake, ...); simdjson 3.0.1's On
// Demand front end picks its kernel at compile time (the portable fallback unless built with
// -mavx2), which is several times slower on the same machine.
//
// decode_ctx reads the DOM's tape directly (simdjson's documented tape format, its docs/tape.md;
// dom::document's `tape` and `string_buf` are public) rather than through dom::element: those
// accessors reload the document's pointers and call out of line at every step, and a bare walk
// through them cost two thirds of the parse itself. The accessors below keep dom::element's
// exact rules (which number forms read as int64, uint64, double); error messages still describe
// values through a dom::element built for the same tape position. Errors are collected on the
// way back up, so a success pays nothing for paths.
#pragma once

#include "models/describe.hpp"
#include "models/json.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"

#include <simdjson.h>
#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::models::detail {

using element = simdjson::dom::element;

/// A value of the document being decoded: its index on the DOM tape.
struct node {
  size_t at;
};

static_assert(sizeof(element) == sizeof(simdjson::internal::tape_ref)
                && std::is_trivially_copyable_v<
                  element> && std::is_trivially_copyable_v<simdjson::internal::tape_ref>,
              "dom::element is expected to be exactly a tape_ref (simdjson 3.x)");

struct decode_ctx {
  const uint64_t* tape = nullptr;
  const uint8_t* strings = nullptr;
  const simdjson::dom::document* doc = nullptr;
  std::string message; // "expected a snowflake string, got true"
  std::string path;    // "author.id", built while unwinding

  /// Points the context at the document `root` belongs to; returns root's node.
  node start(element root) {
    auto ref = std::bit_cast<simdjson::internal::tape_ref>(root);
    doc = ref.doc;
    tape = doc->tape.get();
    strings = doc->string_buf.get();
    return node{ ref.json_index };
  }

  // One tape word: the type character in the top byte, a 56-bit payload below.
  static constexpr uint64_t word(char type) {
    return uint64_t(static_cast<unsigned char>(type)) << 56;
  }
  char type(node n) const {
    return static_cast<char>(tape[n.at] >> 56);
  }
  bool is_null(node n) const {
    return tape[n.at] == word('n');
  }
  bool is_object(node n) const {
    return type(n) == '{';
  }
  bool is_array(node n) const {
    return type(n) == '[';
  }
  /// The index just past the value at `n` (dom's tape_ref::after_element).
  size_t after(node n) const {
    // Without branches: the type changes from value to value, and a mispredicted switch here
    // cost more than the rest of the step.
    uint64_t w = tape[n.at];
    auto t = static_cast<unsigned char>(w >> 56);
    bool container = (t | 0x20) == '{'; // '[' is '{' without bit 0x20
    bool number = t == 'l' || t == 'u' || t == 'd';
    size_t scalar_end = n.at + 1 + (number ? 1 : 0);
    return container ? static_cast<uint32_t>(w) : scalar_end;
  }
  /// Index of the closing bracket of the object or array at `n`.
  size_t close_of(node n) const {
    return static_cast<uint32_t>(tape[n.at]) - 1;
  }
  /// Elements of the array at `n` (the tape's count, which saturates; only a size hint).
  size_t count_hint(node n) const {
    return static_cast<size_t>((tape[n.at] >> 32) & simdjson::internal::JSON_COUNT_MASK);
  }
  std::string_view string_at(node n) const {
    size_t offset = static_cast<size_t>(tape[n.at] & simdjson::internal::JSON_VALUE_MASK);
    uint32_t len;
    std::memcpy(&len, strings + offset, sizeof(len));
    return { reinterpret_cast<const char*>(strings + offset + sizeof(len)), len };
  }

  // The rules of dom::element's get_bool/get_string/get_int64/get_uint64/get_double.
  bool get_bool(node n, bool& out) const {
    if (tape[n.at] == word('t'))
      out = true;
    else if (tape[n.at] == word('f'))
      out = false;
    else
      return false;
    return true;
  }
  bool get_string(node n, std::string_view& out) const {
    if (type(n) != '"')
      return false;
    out = string_at(n);
    return true;
  }
  /// A string that only a strict grammar reads (ids, timestamps, bitsets); see direct_ctx.
  bool get_token(node n, std::string_view& out) const {
    return get_string(n, out);
  }
  bool get_int64(node n, int64_t& out) const {
    uint64_t w = tape[n.at];
    uint64_t v = tape[n.at + 1];
    if (w == word('l')) {
      out = static_cast<int64_t>(v);
      return true;
    }
    if (w == word('u') && v <= uint64_t(std::numeric_limits<int64_t>::max())) {
      out = static_cast<int64_t>(v);
      return true;
    }
    return false;
  }
  bool get_uint64(node n, uint64_t& out) const {
    uint64_t w = tape[n.at];
    uint64_t v = tape[n.at + 1];
    if (w == word('u') || (w == word('l') && static_cast<int64_t>(v) >= 0)) {
      out = v;
      return true;
    }
    return false;
  }
  bool get_double(node n, double& out) const {
    uint64_t w = tape[n.at];
    uint64_t v = tape[n.at + 1];
    if (w == word('d'))
      std::memcpy(&out, &v, sizeof(out));
    else if (w == word('u'))
      out = static_cast<double>(v);
    else if (w == word('l'))
      out = static_cast<double>(static_cast<int64_t>(v));
    else
      return false;
    return true;
  }
  /// The same value as a dom::element, for describe() and minify.
  element to_element(node n) const {
    return std::bit_cast<element>(simdjson::internal::tape_ref{ doc, n.at });
  }

  // The walk the codecs share with direct_ctx (below). Here the DOM has already checked the
  // whole document, so skipping a value is free and `f` sees every key or element in turn.
  template <class F>
  bool for_fields(node e, F&& f) {
    const size_t end = close_of(e);
    // The next key's position is taken from the tape before this value is decoded: read after
    // the call, it waited for the position to come back from the stack, and every key of an
    // object waited in turn for the one before.
    for (node key_node{ e.at + 1 }; key_node.at < end;) {
      node val{ key_node.at + 1 };
      const size_t next = after(val);
      if (!f(string_at(key_node), val))
        return false;
      key_node.at = next;
    }
    return true;
  }
  template <class F>
  bool for_elements(node e, F&& f) {
    const size_t end = close_of(e);
    size_t i = 0;
    for (node item{ e.at + 1 }; item.at < end; ++i) {
      const size_t next = after(item); // before the decode, as for an object's keys
      if (!f(item, i))
        return false;
      item.at = next;
    }
    return true;
  }
  bool skip(node) const {
    return true;
  }
  static bool plain_key(std::string_view) {
    return true; // the DOM has unescaped it
  }
  /// The value's compact JSON text, as simdjson::minify writes it.
  bool raw(node e, std::string& out) const;
};

/// A document decoded straight from simdjson's structural index (the output of its stage 1:
/// the position of every bracket, colon, comma and value start), without the DOM.
///
/// The DOM parse is stage 1 plus stage 2, which writes every value onto a tape and copies every
/// string into a buffer; the codecs then read the tape back and copy the strings again. Stage 2
/// is four fifths of the parse, so a decode that reads values from the text where stage 1 found
/// them does that work once. The price is that nothing has been checked in advance: every step
/// here checks the JSON grammar, atoms, numbers and escapes itself, skipped values included.
///
/// This path only decides what it is sure of. Whenever it returns false (bad JSON, a type the
/// model does not accept, or a case it leaves alone: a key with escapes, a number with more
/// than 19 digits, a surrogate escape, a fraction inside a raw_json container), the document is
/// decoded again through the DOM, which either decodes it or explains the error with its path.
/// So a document this path accepts must be exactly one the DOM accepts, decoded to the same
/// value: tests/models/direct.cpp and the fuzz_event target compare the two.
struct direct_ctx {
  const char* buf = nullptr;     // the text, with simdjson's padding (zeros) after it
  const uint32_t* idx = nullptr; // offsets of the structurals; idx[count] == len
  size_t count = 0;
  size_t len = 0;
  size_t end = 0;   // the last structural of the value decoded last (see for_fields)
  size_t depth = 0; // containers entered; the DOM refuses documents deeper than max_depth
  std::string* scratch = nullptr; // unescaped strings
  /// Set by a field holding a vector for the vector's decoder, which takes it (see field_table).
  std::atomic<uint8_t>* size_hint = nullptr;

  static constexpr size_t max_depth = simdjson::DEFAULT_MAX_DEPTH;

  const char* at(size_t k) const {
    return buf + idx[k];
  }
  char first(size_t k) const {
    return buf[idx[k]];
  }
  /// Whether a scalar may end just before `p`: whitespace, an operator, or the end of the text.
  bool ends_token(const char* p) const {
    static constexpr auto table = [] {
      std::array<bool, 256> t{};
      for (unsigned char ch : std::string_view{ " \t\n\r,:[]{}" })
        t[ch] = true;
      return t;
    }();
    return table[static_cast<unsigned char>(*p)] || p == buf + len;
  }
  [[gnu::always_inline]] bool is_null(node n) const {
    const char* p = at(n.at);
    return *p == 'n' && std::memcmp(p, "null", 4) == 0 && ends_token(p + 4);
  }
  bool is_object(node n) const {
    return first(n.at) == '{';
  }
  bool is_array(node n) const {
    return first(n.at) == '[';
  }
  bool is_empty_array(node n) const {
    return first(n.at + 1) == ']';
  }
  bool get_bool(node n, bool& out) const {
    const char* p = at(n.at);
    if (std::memcmp(p, "true", 4) == 0 && ends_token(p + 4))
      out = true;
    else if (std::memcmp(p, "false", 5) == 0 && ends_token(p + 5))
      out = false;
    else
      return false;
    return true;
  }

  /// The first '"' or '\\' at or after `p`. Stage 1 has seen every string closed, and the
  /// padding covers the 16-byte reads past the closing quote.
  static const char* quote_or_backslash(const char* p) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (;; p += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      auto hits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
      if (hits != 0)
        return p + std::countr_zero(hits);
    }
#else
    while (*p != '"' && *p != '\\')
      ++p;
    return p;
#endif
  }
  // Stage 1 has checked UTF-8 and refused control characters in strings, and marks whatever
  // follows a closing quote as the next structural, so the grammar checks catch junk there.
  bool get_string(node n, std::string_view& out) {
    const char* p = at(n.at);
    if (*p != '"')
      return false;
    const char* q = quote_or_backslash(p + 1);
    if (*q == '"') {
      out = { p + 1, static_cast<size_t>(q - p - 1) };
      return true;
    }
    return unescape(p + 1, q, out);
  }
  /// A string whose reader (snowflake::parse, timestamp::parse) accepts only digits and
  /// punctuation, never a backslash: it is taken as written, up to the quote just before the
  /// next structural, with no search for its end. A token written with escapes then fails to
  /// parse here and the DOM reads it.
  bool get_token(node n, std::string_view& out) const {
    const char* p = at(n.at);
    const char* q = closing_quote(p, at(n.at + 1));
    if (*p != '"' || q == nullptr)
      return false;
    out = { p + 1, static_cast<size_t>(q - p - 1) };
    return true;
  }
  /// A string with escapes, from `from` (after the opening quote) with the first backslash at
  /// `slash`, into *scratch; false for a bad escape or one the DOM should judge (surrogates).
  bool unescape(const char* from, const char* slash, std::string_view& out);

  /// An integer token of at most 19 digits followed by the end of the token; false otherwise
  /// (a fraction or exponent, bad grammar, "-0", or more digits: left to the DOM).
  bool integer(node n, bool& negative, uint64_t& magnitude) const {
    const char* p = at(n.at);
    // Most of Discord's numbers are one digit (types, flags, counts of zero).
    auto d0 = static_cast<unsigned>(*p - '0');
    if (d0 < 10 && static_cast<unsigned>(p[1] - '0') >= 10) {
      negative = false;
      magnitude = d0;
      return ends_token(p + 1);
    }
    return long_integer(p, negative, magnitude);
  }
  bool long_integer(const char* p, bool& negative, uint64_t& magnitude) const {
    negative = *p == '-';
    p += negative ? 1 : 0;
    const char* digits = p;
    uint64_t v = 0;
    while (static_cast<unsigned>(*p - '0') < 10 && p - digits < 20) {
      v = v * 10 + static_cast<unsigned>(*p - '0');
      ++p;
    }
    auto n_digits = p - digits;
    if (n_digits == 0 || n_digits > 19 || (n_digits > 1 && *digits == '0') || !ends_token(p)
        || (negative && v == 0))
      return false;
    magnitude = v;
    return true;
  }
  bool get_int64(node n, int64_t& out) const {
    bool negative = false;
    uint64_t v = 0;
    if (!integer(n, negative, v))
      return false;
    if (negative) {
      if (v > uint64_t{ 1 } << 63)
        return false;
      out = static_cast<int64_t>(uint64_t{ 0 } - v);
    } else {
      if (v > uint64_t(std::numeric_limits<int64_t>::max()))
        return false;
      out = static_cast<int64_t>(v);
    }
    return true;
  }
  bool get_uint64(node n, uint64_t& out) const {
    bool negative = false;
    uint64_t v = 0;
    if (!integer(n, negative, v) || negative)
      return false;
    out = v;
    return true;
  }
  bool get_double(node n, double& out) const {
    bool negative = false;
    uint64_t v = 0;
    if (integer(n, negative, v)) {
      out = negative ? -static_cast<double>(v) : static_cast<double>(v);
      return true;
    }
    return fraction(at(n.at), out) != nullptr;
  }
  /// A number with a fraction or exponent at `p`: its end, or nullptr when it is not one this
  /// path reads (bad grammar, out of range, or not followed by the end of the token).
  const char* fraction(const char* p, double& out) const;

  template <class F>
  bool for_fields(node e, F&& f) {
    if (++depth > max_depth)
      return false;
    size_t k = e.at + 1;
    if (first(k) != '}') {
      for (;;) {
        // The key runs to the quote just before the colon, and is taken as it is written:
        // `f` must refuse a key with a backslash (see plain_key) unless it matched a name,
        // which has none.
        const char* p = at(k);
        const char* colon = at(k + 1);
        const char* q = closing_quote(p, colon);
        if (*p != '"' || *colon != ':' || q == nullptr)
          return false;
        end = k + 2; // a scalar value; a container moves `end` to its closing bracket
        if (!f(std::string_view{ p + 1, static_cast<size_t>(q - p - 1) }, node{ k + 2 }))
          return false;
        k = end + 1;
        char next = first(k);
        if (next == '}')
          break;
        if (next != ',')
          return false;
        ++k;
      }
    }
    end = k;
    --depth;
    return true;
  }
  template <class F>
  bool for_elements(node e, F&& f) {
    if (++depth > max_depth)
      return false;
    size_t k = e.at + 1;
    if (first(k) != ']') {
      for (size_t i = 0;; ++i) {
        end = k;
        if (!f(node{ k }, i))
          return false;
        k = end + 1;
        char next = first(k);
        if (next == ']')
          break;
        if (next != ',')
          return false;
        ++k;
      }
    }
    end = k;
    --depth;
    return true;
  }
  /// The closing quote of the string opening at `p`, found from the next structural `next`:
  /// only whitespace can stand between them (anything else would be a structural itself).
  /// nullptr when there is no quote there.
  static const char* closing_quote(const char* p, const char* next) {
    const char* q = next - 1;
    if (*q == '"' && q > p) [[likely]] // compact JSON, as Discord sends it
      return q;
    return quote_before_space(p, q);
  }
  [[gnu::cold, gnu::noinline]] static const char* quote_before_space(const char* p, const char* q) {
    while (q > p && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
      --q;
    return *q == '"' && q > p ? q : nullptr;
  }
  /// Whether a key for_fields passed on is the same text unescaped (it has no backslash).
  static bool plain_key(std::string_view key) {
    bool plain = true;
    for (char ch : key) // short: a loop costs less than the call to memchr
      plain &= ch != '\\';
    return plain;
  }
  /// Checks the value at `e` as the DOM would and moves `end` past it (an unknown field).
  bool skip(node e) {
    const char* p = at(e.at);
    bool b = false;
    bool negative = false;
    uint64_t v = 0;
    switch (*p) {
      case '"':
        if (*quote_or_backslash(p + 1) == '"')
          return true; // a string without escapes: nothing in it to check
        break;
      case 'n': return is_null(e);
      case 't':
      case 'f': return get_bool(e, b);
      case '{':
      case '[': break;
      default:
        if (integer(e, negative, v))
          return true;
        break;
    }
    return walk(e, nullptr);
  }
  /// The value's compact JSON text, as simdjson::minify writes it; false as for skip, and for
  /// any number with a fraction or exponent (minify's own formatting: left to the DOM).
  bool raw(node e, std::string& out) {
    out.clear();
    std::string_view text;
    if (first(e.at) == '"' && get_string(e, text)) {
      write_json_string(out, text);
      return true;
    }
    return walk(e, &out);
  }

private:
  bool walk(node e, std::string* out);
  bool scalar(size_t k, std::string* out);
};

/// "true", "\"abc\"", "an object", ... for error messages.
std::string describe(element e);
bool fail(decode_ctx& c, std::string_view expected, node got);
void prepend_key(decode_ctx& c, std::string_view key);
void prepend_index(decode_ctx& c, size_t index);
// The direct path explains nothing: a refusal sends the document to the DOM, which does.
inline bool fail(direct_ctx&, std::string_view, node) {
  return false;
}
inline void prepend_key(direct_ctx&, std::string_view) {}
inline void prepend_index(direct_ctx&, size_t) {}

/// The most elements a vector is reserved for from a field's last size (more grow as usual).
inline constexpr size_t max_size_hint = 64;

/// Which decoder decode<T> uses: the direct one with the DOM behind it, or (for tests and the
/// fuzz target, which compare them) only one of the two.
enum class decode_route { direct_then_dom, direct_only, dom_only };
/// This thread's route; direct_then_dom unless a test changes it.
decode_route& thread_decode_route();

/// The parser and padded buffer one thread reuses for every decode.
struct parse_buffer {
  simdjson::dom::parser parser;
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  std::string scratch; // direct_ctx's unescaped strings
  void copy_in(std::string_view json);
  /// Parses `json`; on failure fills c.message.
  bool parse(std::string_view json, element& root, decode_ctx& c);
  /// Runs only simdjson's stage 1 on `json` and points `c` at the result; false when stage 1
  /// refuses the text (bad UTF-8, an unclosed string, a control character in a string).
  bool index(std::string_view json, direct_ctx& c);
};
parse_buffer& thread_parse_buffer();

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_optional<heap_optional<T>> : std::true_type {};
template <class T>
struct is_nullable : std::false_type {};
template <class T>
struct is_nullable<nullable<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
/// T inside std::optional, heap_optional and nullable, any number deep.
template <class T>
struct unwrap_optional {
  using type = T;
};
template <class T>
requires is_optional<T>::value || is_nullable<T>::value struct unwrap_optional<T> {
  using type = typename unwrap_optional<typename T::value_type>::type;
};

template <class T, class = void>
struct codec;

/// Engages `o` (a std::optional, heap_optional or nullable) with a fresh value: default-
/// initialised for models (see default_init), so a large model is not zeroed first;
/// value-initialised for everything else.
template <class O>
typename O::value_type& emplace_fresh(O& o) {
  using T = typename O::value_type;
  if constexpr (described<T>)
    return o.emplace(default_init<T>{});
  else
    return o.emplace();
}

template <class T>
void encode_value(std::string& out, const T& v) {
  codec<T>::encode(out, v);
}
template <class T, class Ctx>
bool decode_value(node e, T& out, Ctx& c) {
  return codec<T>::decode(e, out, c);
}

inline void write_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}
inline void write_int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

template <>
struct codec<bool> {
  template <class Ctx>
  static bool decode(node e, bool& out, Ctx& c) {
    if (!c.get_bool(e, out))
      return fail(c, "a boolean", e);
    return true;
  }
  static void encode(std::string& out, bool v) {
    out += v ? "true" : "false";
  }
};

template <class T>
struct codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  template <class Ctx>
  static bool decode(node e, T& out, Ctx& c) {
    if constexpr (std::is_signed_v<T>) {
      int64_t v = 0;
      if (!c.get_int64(e, v) || v < std::numeric_limits<T>::min()
          || v > std::numeric_limits<T>::max())
        return fail(c, "an integer", e);
      out = static_cast<T>(v);
    } else {
      uint64_t v = 0;
      if (!c.get_uint64(e, v) || v > std::numeric_limits<T>::max())
        return fail(c, "a non-negative integer", e);
      out = static_cast<T>(v);
    }
    return true;
  }
  static void encode(std::string& out, T v) {
    if constexpr (std::is_signed_v<T>)
      write_int(out, v);
    else
      write_uint(out, v);
  }
};

// Discord's enums are open: a value this build does not name is kept and sent back as it came.
template <class T>
struct codec<T, std::enable_if_t<std::is_enum_v<T>>> {
  using U = std::underlying_type_t<T>;
  template <class Ctx>
  static bool decode(node e, T& out, Ctx& c) {
    U v{};
    if (!codec<U>::decode(e, v, c))
      return false;
    out = static_cast<T>(v);
    return true;
  }
  static void encode(std::string& out, T v) {
    codec<U>::encode(out, static_cast<U>(v));
  }
};

template <>
struct codec<double> {
  template <class Ctx>
  static bool decode(node e, double& out, Ctx& c) {
    if (!c.get_double(e, out))
      return fail(c, "a number", e);
    return true;
  }
  static void encode(std::string& out, double v) {
    if (!std::isfinite(v)) {
      out += "null"; // JSON has no NaN or infinity
      return;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
  }
};

template <>
struct codec<std::string> {
  template <class Ctx>
  static bool decode(node e, std::string& out, Ctx& c) {
    std::string_view sv;
    if (!c.get_string(e, sv))
      return fail(c, "a string", e);
    out.assign(sv.data(), sv.size());
    return true;
  }
  static void encode(std::string& out, const std::string& v) {
    write_json_string(out, v);
  }
};

template <>
struct codec<snowflake> {
  template <class Ctx>
  static bool decode(node e, snowflake& out, Ctx& c) {
    // IDs are strings, but ones we sent may come back as integers (PROTOCOL.md §1.19).
    std::string_view sv;
    if (c.get_token(e, sv)) {
      if (snowflake::parse(sv, out))
        return true;
      return fail(c, "a snowflake string", e);
    }
    uint64_t v = 0;
    if (c.get_uint64(e, v)) {
      out = snowflake{ v };
      return true;
    }
    return fail(c, "a snowflake string", e);
  }
  static void encode(std::string& out, snowflake v) {
    out += '"';
    write_uint(out, v.value());
    out += '"';
  }
};

template <>
struct codec<timestamp> {
  template <class Ctx>
  static bool decode(node e, timestamp& out, Ctx& c) {
    std::string_view sv;
    if (c.get_token(e, sv) && timestamp::parse(sv, out))
      return true;
    return fail(c, "an ISO 8601 timestamp", e);
  }
  static void encode(std::string& out, timestamp v) {
    out += '"';
    out += v.to_string();
    out += '"';
  }
};

template <>
struct codec<permissions> {
  template <class Ctx>
  static bool decode(node e, permissions& out, Ctx& c) {
    std::string_view sv;
    if (c.get_token(e, sv)) {
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
  static void encode(std::string& out, permissions v) {
    out += '"';
    write_uint(out, v.bits());
    out += '"';
  }
};

template <>
struct codec<intents> {
  template <class Ctx>
  static bool decode(node e, intents& out, Ctx& c) {
    uint64_t v = 0;
    if (!codec<uint64_t>::decode(e, v, c))
      return false;
    out = intents{ v };
    return true;
  }
  static void encode(std::string& out, intents v) {
    write_uint(out, v.bits());
  }
};

template <>
struct codec<color> {
  template <class Ctx>
  static bool decode(node e, color& out, Ctx& c) {
    return codec<uint32_t>::decode(e, out.rgb, c);
  }
  static void encode(std::string& out, color v) {
    write_uint(out, v.rgb);
  }
};

template <>
struct codec<image_hash> {
  template <class Ctx>
  static bool decode(node e, image_hash& out, Ctx& c) {
    std::string_view sv;
    if (!c.get_string(e, sv))
      return fail(c, "an image hash string", e);
    out.assign(sv);
    return true;
  }
  static void encode(std::string& out, const image_hash& v) {
    write_json_string(out, v.view());
  }
};

template <>
struct codec<locale> {
  template <class Ctx>
  static bool decode(node e, locale& out, Ctx& c) {
    return codec<std::string>::decode(e, out.value, c);
  }
  static void encode(std::string& out, const locale& v) {
    write_json_string(out, v.value);
  }
};

template <>
struct codec<raw_json> {
  template <class Ctx>
  static bool decode(node e, raw_json& out, Ctx& c) {
    return c.raw(e, out.text);
  }
  static void encode(std::string& out, const raw_json& v) {
    out += v.text.empty() ? std::string_view{ "null" } : std::string_view{ v.text };
  }
};

template <class T>
struct codec<nullable<T>> {
  template <class Ctx>
  static bool decode(node e, nullable<T>& out, Ctx& c) {
    if (c.is_null(e)) {
      out.reset();
      return true;
    }
    return codec<T>::decode(e, emplace_fresh(out), c);
  }
  static void encode(std::string& out, const nullable<T>& v) {
    if (v.is_null())
      out += "null";
    else
      codec<T>::encode(out, *v);
  }
};

// Only reached for optionals outside objects (an array element); fields handle absence.
template <class T>
struct codec<std::optional<T>> {
  template <class Ctx>
  static bool decode(node e, std::optional<T>& out, Ctx& c) {
    if (c.is_null(e) && !is_nullable<T>::value) {
      out.reset(); // Discord sometimes sends null for a `field?`; read it as absent
      return true;
    }
    return codec<T>::decode(e, emplace_fresh(out), c);
  }
  static void encode(std::string& out, const std::optional<T>& v) {
    if (v)
      codec<T>::encode(out, *v);
    else
      out += "null";
  }
};

template <class T>
struct codec<box<T>> {
  template <class Ctx>
  static bool decode(node e, box<T>& out, Ctx& c) {
    return codec<T>::decode(e, *out, c);
  }
  static void encode(std::string& out, const box<T>& v) {
    codec<T>::encode(out, *v);
  }
};

template <class T>
struct codec<std::vector<T>> {
  template <class Ctx>
  static bool decode(node e, std::vector<T>& out, Ctx& c) {
    if (!c.is_array(e))
      return fail(c, "an array", e);
    out.clear();
    // The tape knows the count; the direct path only the size this field had last time.
    std::atomic<uint8_t>* last_size = nullptr;
    if constexpr (requires { c.count_hint(e); }) {
      out.reserve(c.count_hint(e));
    } else {
      last_size = std::exchange(c.size_hint, nullptr);
      if (last_size != nullptr && !c.is_empty_array(e))
        out.reserve(last_size->load(std::memory_order_relaxed));
    }
    bool ok = c.for_elements(e, [&](node item, size_t i) {
      T* slot;
      if constexpr (described<T>)
        slot = &out.emplace_back(default_init<T>{});
      else
        slot = &out.emplace_back();
      if (!codec<T>::decode(item, *slot, c)) {
        prepend_index(c, i);
        return false;
      }
      return true;
    });
    if (last_size != nullptr)
      last_size->store(static_cast<uint8_t>(std::min<size_t>(out.size(), max_size_hint)),
                       std::memory_order_relaxed);
    return ok;
  }
  static void encode(std::string& out, const std::vector<T>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i)
        out += ',';
      codec<T>::encode(out, v[i]);
    }
    out += ']';
  }
};

// Maps keyed by id (the `resolved` data of interactions) or by string (localizations).
template <class K, class T>
struct codec<std::map<K, T>> {
  template <class Ctx>
  static bool decode(node e, std::map<K, T>& out, Ctx& c) {
    if (!c.is_object(e))
      return fail(c, "an object", e);
    out.clear();
    return c.for_fields(e, [&](std::string_view key, node val) {
      if (!c.plain_key(key))
        return false;
      K k{};
      if constexpr (std::is_same_v<K, snowflake>) {
        auto id = snowflake::parse(key);
        if (!id) {
          if constexpr (std::is_same_v<Ctx, decode_ctx>)
            c.message = "expected snowflake keys, got \"" + std::string(key) + "\"";
          return false;
        }
        k = *id;
      } else {
        k = K(key);
      }
      if (!codec<T>::decode(val, out[k], c)) {
        prepend_key(c, key);
        return false;
      }
      return true;
    });
  }
  static void encode(std::string& out, const std::map<K, T>& v) {
    out += '{';
    bool first = true;
    for (auto& [k, val] : v) {
      if (!first)
        out += ',';
      first = false;
      if constexpr (std::is_same_v<K, snowflake>) {
        codec<snowflake>::encode(out, k);
      } else {
        write_json_string(out, k);
      }
      out += ':';
      codec<T>::encode(out, val);
    }
    out += '}';
  }
};

/// Name -> field decoder for one model, built once from its field list.
template <class T>
struct field_table {
  static constexpr auto fields = T::fields();
  static constexpr size_t size = std::tuple_size_v<decltype(fields)>;
  template <class Ctx>
  using decode_fn = bool (*)(node, T&, Ctx&);

  std::array<std::string_view, size> names{};
  std::array<decode_fn<decode_ctx>, size> dom_decoders{};
  std::array<decode_fn<direct_ctx>, size> direct_decoders{};

  template <class Ctx>
  decode_fn<Ctx> decoder(size_t i) const {
    if constexpr (std::is_same_v<Ctx, decode_ctx>)
      return dom_decoders[i];
    else
      return direct_decoders[i];
  }

  // The number of elements each array field had when last decoded (at most max_size_hint), so
  // the direct path reserves a vector once instead of growing it (it has no count to go by).
  // Only a hint, shared by every thread like `next` below.
  mutable std::array<std::atomic<uint8_t>, size> sizes{};

  template <size_t I, class Ctx>
  static bool decode_field(node e, T& out, Ctx& c) {
    auto& member = out.*(std::get<I>(fields).member);
    using M = std::remove_reference_t<decltype(member)>;
    if constexpr (std::is_same_v<Ctx, direct_ctx>) {
      if constexpr (is_vector<typename unwrap_optional<M>::type>::value) {
        c.size_hint = &get().sizes[I];
        bool ok = decode_member(e, member, c);
        c.size_hint = nullptr; // not taken when the field was null
        return ok;
      }
    }
    return decode_member(e, member, c);
  }

  template <class M, class Ctx>
  static bool decode_member(node e, M& member, Ctx& c) {
    if constexpr (is_optional<M>::value) {
      using inner = typename M::value_type;
      if (c.is_null(e) && !is_nullable<inner>::value) {
        member.reset(); // a null for a `field?`: read as absent
        return true;
      }
      return codec<inner>::decode(e, emplace_fresh(member), c);
    } else {
      return codec<M>::decode(e, member, c);
    }
  }

  // Open addressing on a hash of the key's length and outer bytes: almost every key costs one
  // probe (the names of one length used to be scanned in turn, and Discord's key order rarely
  // matches the field list's). Each slot keeps its name's length and outer bytes, which are the
  // whole name up to 16 bytes, so a match is three integer comparisons with no loop whose trip
  // count changes from key to key. At least half the slots stay empty.
  struct digest {
    uint64_t head = 0; // first 8 bytes; the name's bytes and zeroes when shorter
    uint64_t tail = 0; // last 8 bytes; 0 when shorter
    size_t len = 0;
  };
  struct slot {
    digest name;
    uint32_t field = 0; // field index + 1; 0 = empty
  };
  static constexpr size_t slot_count = std::bit_ceil(2 * size + 2);
  std::array<slot, slot_count> slots{};
  std::array<digest, size> digests{}; // of names[i]

  // Discord writes an object's keys in the same order every time, so the field after the one
  // just decoded is usually the one that came after it last time: next[f] remembers it (field
  // index + 1; next[size] for the first key, 0 when unknown), and a key that matches is found
  // without hashing. Only a hint, shared by every thread: relaxed, rewritten only on a miss.
  static_assert(size < 255, "field indices are kept in a byte");
  mutable std::array<std::atomic<uint8_t>, size + 1> next{};
  // Keys this build does not model (Discord's undocumented "version" on every channel and
  // role, say) would otherwise be hashed and probed for in every object. unknown_after[f]
  // remembers the unknown key that last followed field f when it is 1 to 7 bytes long: its
  // bytes and length packed into one word (0 = none), which names exactly one key, so a match
  // is that same unknown key and never a field. One atomic word: no torn reads across threads.
  mutable std::array<std::atomic<uint64_t>, size + 1> unknown_after{};
  static uint64_t packed_short(const digest& d) {
    return d.len - 1 < 7 ? d.head | (uint64_t(d.len) << 56) : 0;
  }

  template <size_t... I>
  field_table(std::index_sequence<I...>)
      : names{ std::get<I>(fields).name... },
        dom_decoders{ &decode_field<I, decode_ctx>... },
        direct_decoders{ &decode_field<I, direct_ctx>... } {
    for (size_t i = 0; i < size; ++i) {
      digest d = digest_of_name(names[i]);
      digests[i] = d;
      size_t at = hash(d) & (slot_count - 1);
      while (slots[at].field != 0)
        at = (at + 1) & (slot_count - 1);
      slots[at] = slot{ d, static_cast<uint32_t>(i + 1) };
    }
  }

  static const field_table& get() {
    static const field_table table{ std::make_index_sequence<size>{} };
    return table;
  }

  // A key is a view into the DOM's string buffer, which simdjson allocates with
  // SIMDJSON_PADDING bytes beyond the most its strings can fill (dom::document::allocate), or
  // into the padded input text (direct_ctx), so eight bytes from the start of any key can be
  // read; the digest then needs no branch on the
  // key's length (which changes from key to key and was mispredicted).
  static_assert(simdjson::SIMDJSON_PADDING >= 8);
  static digest digest_of_key(const char* p, size_t n) {
    digest d;
    d.len = n;
    uint64_t head;
    uint64_t tail;
    std::memcpy(&head, p, 8);
    std::memcpy(&tail, p + (n >= 8 ? n - 8 : 0), 8);
    d.head = n >= 8 ? head : head & ((uint64_t{ 1 } << (8 * n)) - 1);
    d.tail = n >= 8 ? tail : 0;
    return d;
  }

  // The same digest of a name from the field list (a literal: copied out before reading).
  static digest digest_of_name(std::string_view name) {
    std::string padded{ name };
    padded.resize(name.size() + 8, '\0');
    return digest_of_key(padded.data(), name.size());
  }

  static size_t hash(const digest& d) {
    uint64_t h = (d.head ^ (d.tail * 0x9E3779B97F4A7C15ull) ^ d.len) * 0xFF51AFD7ED558CCDull;
    return static_cast<size_t>(h >> 40);
  }

  // Bytes 8 .. n-8 of two names longer than 16 bytes (the digest holds the rest).
  static bool same_middle(const char* a, const char* b, size_t n) {
    for (size_t i = 8; i + 8 < n; i += 8) {
      uint64_t x;
      uint64_t y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y)
        return false;
    }
    return true;
  }

  /// The index of the field named `key` (whose digest is `d`), or `size` when there is none.
  size_t find(const digest& d, std::string_view key) const {
    for (size_t at = hash(d) & (slot_count - 1);; at = (at + 1) & (slot_count - 1)) {
      const slot& s = slots[at];
      if (s.field == 0)
        return size;
      if (s.name.head == d.head && s.name.tail == d.tail && s.name.len == d.len
          && (d.len <= 16 || same_middle(names[s.field - 1].data(), key.data(), d.len)))
        return s.field - 1;
    }
  }
  size_t find(std::string_view key) const {
    return find(digest_of_key(key.data(), key.size()), key);
  }

  /// The index of the field named `key` when it follows field `prev` (`size`: the first key).
  // The guess is checked inline in the key loop; a miss calls out.
  [[gnu::always_inline]] size_t find_after(size_t prev, std::string_view key) const {
    digest d = digest_of_key(key.data(), key.size());
    size_t guess = next[prev].load(std::memory_order_relaxed);
    if (guess != 0) {
      const digest& g = digests[guess - 1];
      if (g.head == d.head && g.tail == d.tail && g.len == d.len
          && (d.len <= 16 || same_middle(names[guess - 1].data(), key.data(), d.len)))
        return guess - 1;
    }
    return find_unguessed(prev, d, key);
  }
  [[gnu::noinline]] size_t find_unguessed(size_t prev, const digest& d,
                                          std::string_view key) const {
    uint64_t packed = packed_short(d);
    if (packed != 0 && packed == unknown_after[prev].load(std::memory_order_relaxed))
      return size;
    size_t i = find(d, key);
    if (i != size)
      next[prev].store(static_cast<uint8_t>(i + 1), std::memory_order_relaxed);
    else if (packed != 0)
      unknown_after[prev].store(packed, std::memory_order_relaxed);
    return i;
  }
};

template <described T>
struct codec<T> {
  template <class Ctx>
  static bool decode(node e, T& out, Ctx& c) {
    if (!c.is_object(e))
      return fail(c, "an object", e);
    const auto& table = field_table<T>::get();
    size_t prev = table.size;
    return c.for_fields(e, [&](std::string_view key, node val) {
      size_t i = table.find_after(prev, key);
      if (i == table.size) // unknown fields are ignored (LESSONS.md § Models), once checked
        return c.plain_key(key) && c.skip(val);
      if (!table.template decoder<Ctx>(i)(val, out, c)) {
        prepend_key(c, key);
        return false;
      }
      prev = i;
      return true;
    });
  }

  static void encode(std::string& out, const T& v) {
    out += '{';
    bool first = true;
    std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& field) {
          const auto& member = v.*(field.member);
          using M = std::remove_cvref_t<decltype(member)>;
          if constexpr (is_optional<M>::value) {
            if (!member)
              return;
          }
          if (!first)
            out += ',';
          first = false;
          out += '"';
          out += field.name;
          out += "\":";
          if constexpr (is_optional<M>::value)
            codec<typename M::value_type>::encode(out, *member);
          else
            codec<M>::encode(out, member);
        };
        (one(f), ...);
        (void)one; // a model without fields never calls it
      },
      T::fields());
    out += '}';
  }
};

/// Decodes a whole document with the thread's parser into `out` (a fresh T): straight from
/// stage 1's index, and through the DOM only when that path refuses the document (see
/// direct_ctx). A refused attempt leaves `out` partly filled; the DOM decode then writes every
/// field the document has again, and the document has no others.
template <class T>
bool decode_document_into(std::string_view json, std::string_view root, T& out, decode_error& err) {
  auto& buf = thread_parse_buffer();
  const decode_route route = thread_decode_route();
  if (route != decode_route::dom_only) {
    direct_ctx d;
    if (buf.index(json, d) && codec<T>::decode(node{ 0 }, out, d) && d.end + 1 == d.count)
      return true;
    if (route == decode_route::direct_only) {
      err.message = "refused by the direct decoder";
      return false;
    }
  }
  decode_ctx c;
  element top;
  if (buf.parse(json, top, c) && codec<T>::decode(c.start(top), out, c))
    return true;
  if (!root.empty())
    prepend_key(c, root);
  err.message = c.path.empty() ? c.message : c.path + ": " + c.message;
  return false;
}

template <class T>
result<T> decode_document(std::string_view json, std::string_view root) {
  // Built in place and returned by name, so the value is never moved; models are
  // default-initialised (default_init) rather than zeroed first.
  result<T> out = [] {
    if constexpr (described<T>)
      return result<T>{ std::in_place, default_init<T>{} };
    else
      return result<T>{ std::in_place };
  }();
  decode_error err;
  if (!decode_document_into(json, root, *out, err))
    out = result<T>{ std::move(err) };
  return out;
}

} // namespace spectacles::models::detail

namespace spectacles::models {

template <class T>
result<T> decode(std::string_view json, std::string_view root) {
  return detail::decode_document<T>(json, root);
}

template <class T>
bool decode_into(std::string_view json, T& out, decode_error& err, std::string_view root) {
  return detail::decode_document_into<T>(json, root, out, err);
}

template <class T>
void encode_to(std::string& out, const T& value) {
  detail::codec<T>::encode(out, value);
}

} // namespace spectacles::models

/// Instantiates decode<T> and encode_to<T> for the listed types (in the model's .cpp, inside
/// namespace spectacles::models).
#define SPECTACLES_JSON_INSTANTIATE_ONE(T)                                                         \
  template result<T> decode<T>(std::string_view, std::string_view);                                \
  template bool decode_into<T>(std::string_view, T&, decode_error&, std::string_view);             \
  template void encode_to<T>(std::string&, const T&);
#define SPECTACLES_JSON_INSTANTIATE(...)                                                           \
  SPECTACLES_FOR_EACH(SPECTACLES_JSON_INSTANTIATE_ONE, __VA_ARGS__)
