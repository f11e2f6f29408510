// The JSON codec behind models/json.hpp, driven by each model's field list (models/describe.hpp).
// Only models/*.cpp include this (it pulls in simdjson); users include models/json.hpp.
//
// Decoding walks simdjson's DOM. simdjson 3.0.1's On Demand front end picks its kernel at compile
// time (the portable fallback unless built with -mavx2), while the DOM parser picks haswell or
// icelake at run time, which is several times faster on the same machine and keeps the build
// portable. Errors are collected on the way back up, so a success pays nothing for paths.
//
// The walk reads the DOM's tape directly (simdjson's documented tape format, its docs/tape.md;
// dom::document's `tape` and `string_buf` are public) rather than through dom::element: those
// accessors reload the document's pointers and call out of line at every step, and a bare walk
// through them cost two thirds of the parse itself. The accessors below keep dom::element's
// exact rules (which number forms read as int64, uint64, double); error messages still describe
// values through a dom::element built for the same tape position.
#pragma once

#include "models/describe.hpp"
#include "models/json.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"

#include <simdjson.h>

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
};

/// "true", "\"abc\"", "an object", ... for error messages.
std::string describe(element e);
bool fail(decode_ctx& c, std::string_view expected, node got);
void prepend_key(decode_ctx& c, std::string_view key);
void prepend_index(decode_ctx& c, size_t index);

/// The parser and padded buffer one thread reuses for every decode.
struct parse_buffer {
  simdjson::dom::parser parser;
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  /// Parses `json`; on failure fills c.message.
  bool parse(std::string_view json, element& root, decode_ctx& c);
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
template <class T>
bool decode_value(node e, T& out, decode_ctx& c) {
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
  static bool decode(node e, bool& out, decode_ctx& c) {
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
  static bool decode(node e, T& out, decode_ctx& c) {
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
  static bool decode(node e, T& out, decode_ctx& c) {
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
  static bool decode(node e, double& out, decode_ctx& c) {
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
  static bool decode(node e, std::string& out, decode_ctx& c) {
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
  static bool decode(node e, snowflake& out, decode_ctx& c) {
    // IDs are strings, but ones we sent may come back as integers (PROTOCOL.md §1.19).
    std::string_view sv;
    if (c.get_string(e, sv)) {
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
  static bool decode(node e, timestamp& out, decode_ctx& c);
  static void encode(std::string& out, timestamp v) {
    out += '"';
    out += v.to_string();
    out += '"';
  }
};

template <>
struct codec<permissions> {
  static bool decode(node e, permissions& out, decode_ctx& c);
  static void encode(std::string& out, permissions v) {
    out += '"';
    write_uint(out, v.bits());
    out += '"';
  }
};

template <>
struct codec<intents> {
  static bool decode(node e, intents& out, decode_ctx& c) {
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
  static bool decode(node e, color& out, decode_ctx& c) {
    return codec<uint32_t>::decode(e, out.rgb, c);
  }
  static void encode(std::string& out, color v) {
    write_uint(out, v.rgb);
  }
};

template <>
struct codec<image_hash> {
  static bool decode(node e, image_hash& out, decode_ctx& c) {
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
  static bool decode(node e, locale& out, decode_ctx& c) {
    return codec<std::string>::decode(e, out.value, c);
  }
  static void encode(std::string& out, const locale& v) {
    write_json_string(out, v.value);
  }
};

template <>
struct codec<raw_json> {
  static bool decode(node e, raw_json& out, decode_ctx& c) {
    // The scalars Discord sends here (a nonce string, null) are written as simdjson::minify
    // writes them (same escapes) without its builder; numbers with a fraction and containers
    // still go through minify.
    out.text.clear();
    switch (c.type(e)) {
      case '"': write_json_string(out.text, c.string_at(e)); return true;
      case 'n': out.text = "null"; return true;
      case 't': out.text = "true"; return true;
      case 'f': out.text = "false"; return true;
      case 'l': write_int(out.text, static_cast<int64_t>(c.tape[e.at + 1])); return true;
      case 'u': write_uint(out.text, c.tape[e.at + 1]); return true;
      default: out.text = simdjson::minify(c.to_element(e)); return true;
    }
  }
  static void encode(std::string& out, const raw_json& v) {
    out += v.text.empty() ? std::string_view{ "null" } : std::string_view{ v.text };
  }
};

template <class T>
struct codec<nullable<T>> {
  static bool decode(node e, nullable<T>& out, decode_ctx& c) {
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
  static bool decode(node e, std::optional<T>& out, decode_ctx& c) {
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
  static bool decode(node e, box<T>& out, decode_ctx& c) {
    return codec<T>::decode(e, *out, c);
  }
  static void encode(std::string& out, const box<T>& v) {
    codec<T>::encode(out, *v);
  }
};

template <class T>
struct codec<std::vector<T>> {
  static bool decode(node e, std::vector<T>& out, decode_ctx& c) {
    if (!c.is_array(e))
      return fail(c, "an array", e);
    out.clear();
    out.reserve(c.count_hint(e));
    size_t i = 0;
    const size_t end = c.close_of(e);
    for (node item{ e.at + 1 }; item.at < end;) {
      const size_t next = c.after(item); // before the decode, as for an object's keys
      T* slot;
      if constexpr (described<T>)
        slot = &out.emplace_back(default_init<T>{});
      else
        slot = &out.emplace_back();
      if (!codec<T>::decode(item, *slot, c)) {
        prepend_index(c, i);
        return false;
      }
      ++i;
      item.at = next;
    }
    return true;
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
  static bool decode(node e, std::map<K, T>& out, decode_ctx& c) {
    if (!c.is_object(e))
      return fail(c, "an object", e);
    out.clear();
    const size_t end = c.close_of(e);
    for (node key_node{ e.at + 1 }; key_node.at < end;
         key_node.at = c.after(node{ key_node.at + 1 })) {
      std::string_view key = c.string_at(key_node);
      node val{ key_node.at + 1 };
      K k{};
      if constexpr (std::is_same_v<K, snowflake>) {
        auto id = snowflake::parse(key);
        if (!id) {
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
    }
    return true;
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
  using decode_fn = bool (*)(node, T&, decode_ctx&);

  std::array<std::string_view, size> names{};
  std::array<decode_fn, size> decoders{};

  template <size_t I>
  static bool decode_field(node e, T& out, decode_ctx& c) {
    auto& member = out.*(std::get<I>(fields).member);
    using M = std::remove_reference_t<decltype(member)>;
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
      : names{ std::get<I>(fields).name... }, decoders{ &decode_field<I>... } {
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
  // SIMDJSON_PADDING bytes beyond the most its strings can fill (dom::document::allocate), so
  // eight bytes from the start of any key can be read; the digest then needs no branch on the
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
  size_t find_after(size_t prev, std::string_view key) const {
    digest d = digest_of_key(key.data(), key.size());
    size_t guess = next[prev].load(std::memory_order_relaxed);
    if (guess != 0) {
      const digest& g = digests[guess - 1];
      if (g.head == d.head && g.tail == d.tail && g.len == d.len
          && (d.len <= 16 || same_middle(names[guess - 1].data(), key.data(), d.len)))
        return guess - 1;
    }
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
  static bool decode(node e, T& out, decode_ctx& c) {
    if (!c.is_object(e))
      return fail(c, "an object", e);
    const auto& table = field_table<T>::get();
    const size_t end = c.close_of(e);
    size_t prev = table.size;
    // The next key's position is taken from the tape before this value is decoded: read after
    // the call, it waited for the position to come back from the stack, and every key of an
    // object waited in turn for the one before.
    for (node key_node{ e.at + 1 }; key_node.at < end;) {
      node val{ key_node.at + 1 };
      const size_t next = c.after(val);
      std::string_view key = c.string_at(key_node);
      size_t i = table.find_after(prev, key);
      if (i != table.size) { // unknown fields are ignored (LESSONS.md § Models)
        if (!table.decoders[i](val, out, c)) {
          prepend_key(c, key);
          return false;
        }
        prev = i;
      }
      key_node.at = next;
    }
    return true;
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

/// Decodes a whole document with the thread's parser into `out` (a fresh T).
template <class T>
bool decode_document_into(std::string_view json, std::string_view root, T& out, decode_error& err) {
  decode_ctx c;
  element top;
  auto& buf = thread_parse_buffer();
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
