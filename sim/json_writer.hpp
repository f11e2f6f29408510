// json_writer: a small streaming JSON builder for the simulator's payloads.
//
//   json_writer w; w.begin_object().key("op").value(11).end_object();  // {"op":11}
//
// The sim builds every payload it sends (REST bodies, gateway events) this way,
// so no DOM is kept per event. Parsing of what clients send uses simdjson.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spectacles::sim {

/// Appends `text` to `out` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view text);

class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view name);

  json_writer& value(std::string_view text);
  json_writer& value(const char* text) {
    return value(std::string_view{ text });
  }
  json_writer& value(const std::string& text) {
    return value(std::string_view{ text });
  }
  json_writer& value(bool flag);
  json_writer& value(double number);
  template <std::integral T>
  requires(!std::same_as<T, bool>) json_writer& value(T number) {
    before_value();
    out_ += std::to_string(number);
    return *this;
  }
  json_writer& null();

  /// Inserts an already serialized JSON value.
  json_writer& raw(std::string_view json);
  /// Inserts serialized members ("a":1,"b":2) into the open object.
  json_writer& raw_fields(std::string_view fields);

  /// key(name).value(x) in one call.
  template <class T>
  json_writer& field(std::string_view name, const T& x) {
    key(name);
    return value(x);
  }

  const std::string& str() const {
    return out_;
  }
  std::string take() {
    return std::move(out_);
  }

private:
  void before_value();

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

} // namespace spectacles::sim
