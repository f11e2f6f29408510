// json: decoding models from JSON text and encoding them back, with errors as values.
//
//   auto m = models::decode<models::message>(text, "d");
//   if (!m) log::warn("worker", m.error().message);  // "d.author.id: expected a snowflake string,
//   got true" std::string body = models::encode(*m);             // compact JSON
//
// This header has no simdjson in it; every model's .cpp instantiates decode/encode for its types
// (SPECTACLES_JSON_INSTANTIATE in models/detail/codec.hpp). Decoding uses one simdjson parser per
// thread, reused, with the input copied into its padded buffer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace spectacles::models {

/// A decode failure: the JSON path and what was expected, in one readable line.
struct decode_error {
  std::string message;
};

/// Either a T or a decode_error (std::expected is not in g++ 12's C++20).
template <class T>
class result {
public:
  result(T value) : data_(std::move(value)) {}
  result(decode_error err) : data_(std::move(err)) {}
  /// Builds the value in place from `args` (no move of a large T).
  template <class... Args>
  explicit result(std::in_place_t, Args&&... args)
      : data_(std::in_place_index<0>, std::forward<Args>(args)...) {}

  bool ok() const {
    return data_.index() == 0;
  }
  explicit operator bool() const {
    return ok();
  }
  T& value() {
    return std::get<0>(data_);
  }
  const T& value() const {
    return std::get<0>(data_);
  }
  T& operator*() {
    return value();
  }
  const T& operator*() const {
    return value();
  }
  T* operator->() {
    return &value();
  }
  const T* operator->() const {
    return &value();
  }
  const decode_error& error() const {
    return std::get<1>(data_);
  }

private:
  std::variant<T, decode_error> data_;
};

/// Decodes one JSON document (an object for models) into T. `root` names the document in
/// error paths ("d" for a dispatch payload); empty means paths start at the first key.
template <class T>
result<T> decode(std::string_view json, std::string_view root = {});

/// decode() into an existing, freshly constructed T (no moves of the result; the event decoder
/// decodes straight into its variant). On failure `out` is partly filled and `err` says why.
template <class T>
bool decode_into(std::string_view json, T& out, decode_error& err, std::string_view root = {});

/// Appends the compact JSON of `value` to `out`.
template <class T>
void encode_to(std::string& out, const T& value);

template <class T>
std::string encode(const T& value) {
  std::string out;
  encode_to(out, value);
  return out;
}

/// Appends `text` as a JSON string literal (quotes, escapes, control characters as \u00XX).
void write_json_string(std::string& out, std::string_view text);

/// JSON kept as text: for payloads the library does not model (an unknown event's `d`) and for
/// values whose type varies (an option's `value` is a string, number or boolean).
struct raw_json {
  std::string text; // compact JSON; empty means absent
  friend bool operator==(const raw_json&, const raw_json&) = default;
};

} // namespace spectacles::models
