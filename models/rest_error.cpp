#include "models/rest_error.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>

namespace spectacles::models {

namespace {

constexpr size_t excerpt_limit = 200;
/// Field paths beyond this many are dropped: a hostile or broken body must
/// not make an error value of unbounded size.
constexpr size_t max_field_errors = 1000;

std::string excerpt(std::string_view body) {
  std::string out;
  for (unsigned char c : body.substr(0, excerpt_limit))
    out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  if (body.size() > excerpt_limit)
    out += "...";
  return out;
}

std::optional<int64_t> integer_of(simdjson::dom::element e) {
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS)
    return i;
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) && d == std::floor(d)
      && std::fabs(d) < 9.0e18)
    return static_cast<int64_t>(d);
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
    if (ec == std::errc{} && ptr == s.data() + s.size())
      return i;
  }
  return std::nullopt;
}

std::string text_of(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS)
    return std::string(s);
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS)
    return std::to_string(i);
  uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS)
    return std::to_string(u);
  return {};
}

class field_walker {
public:
  explicit field_walker(std::vector<rest_field_errors>& out) : out_(out) {}

  void walk(simdjson::dom::element e, const std::string& path) {
    if (auto obj = e.get_object(); obj.error() == simdjson::SUCCESS) {
      for (auto [key, value] : obj.value_unsafe()) {
        if (key == "_errors")
          leaf(value, path);
        else
          walk(value, join(path, key));
      }
    } else if (auto arr = e.get_array(); arr.error() == simdjson::SUCCESS) {
      // Not in Discord's schema, but some proxies send real arrays.
      size_t i = 0;
      for (auto value : arr.value_unsafe())
        walk(value, join(path, std::to_string(i++)));
    }
  }

private:
  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  void leaf(simdjson::dom::element value, const std::string& path) {
    auto arr = value.get_array();
    if (arr.error() != simdjson::SUCCESS)
      return;
    for (auto item : arr.value_unsafe()) {
      if (count_ >= max_field_errors)
        return;
      rest_field_error fe;
      if (auto obj = item.get_object(); obj.error() == simdjson::SUCCESS) {
        simdjson::dom::element code;
        if (obj.value_unsafe().at_key("code").get(code) == simdjson::SUCCESS)
          fe.code = text_of(code);
        simdjson::dom::element message;
        if (obj.value_unsafe().at_key("message").get(message) == simdjson::SUCCESS)
          fe.message = text_of(message);
      } else {
        fe.message = text_of(item);
      }
      entry(path).errors.push_back(std::move(fe));
      ++count_;
    }
  }

  rest_field_errors& entry(const std::string& path) {
    for (auto& f : out_)
      if (f.path == path)
        return f;
    out_.push_back({ path, {} });
    return out_.back();
  }

  std::vector<rest_field_errors>& out_;
  size_t count_ = 0;
};

} // namespace

const std::vector<rest_field_error>* rest_error::field(std::string_view path) const {
  for (auto& f : fields)
    if (f.path == path)
      return &f.errors;
  return nullptr;
}

std::string rest_error::describe() const {
  std::string out = "HTTP " + std::to_string(http_status);
  if (code != 0)
    out += ", code " + std::to_string(code);
  if (!message.empty())
    out += ": " + message;
  for (auto& f : fields) {
    for (auto& e : f.errors) {
      out += "; ";
      out += f.path.empty() ? "(request)" : f.path;
      out += ": ";
      out += e.code.empty() ? "error" : e.code;
      if (!e.message.empty())
        out += " (" + e.message + ")";
    }
  }
  if (retry_after) {
    auto ms = static_cast<long long>(std::llround(*retry_after * 1000));
    out += "; retry after " + std::to_string(ms) + " ms";
  }
  if (global && *global)
    out += " (global limit)";
  return out;
}

rest_error decode_rest_error(int http_status, std::string_view body) {
  rest_error result;
  result.http_status = http_status;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (body.empty()) {
    result.message = "empty body";
    return result;
  }
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS
      || doc.get_object().get(obj) != simdjson::SUCCESS) {
    result.message = "body is not a JSON object: " + excerpt(body);
    return result;
  }
  result.json = true;
  simdjson::dom::element value;
  if (obj.at_key("code").get(value) == simdjson::SUCCESS)
    result.code = integer_of(value).value_or(0);
  if (obj.at_key("message").get(value) == simdjson::SUCCESS)
    result.message = text_of(value);
  if (obj.at_key("retry_after").get(value) == simdjson::SUCCESS) {
    double seconds = 0;
    if (value.get_double().get(seconds) == simdjson::SUCCESS && std::isfinite(seconds)
        && seconds >= 0)
      result.retry_after = seconds;
  }
  if (obj.at_key("global").get(value) == simdjson::SUCCESS) {
    bool flag = false;
    if (value.get_bool().get(flag) == simdjson::SUCCESS)
      result.global = flag;
  }
  if (obj.at_key("errors").get(value) == simdjson::SUCCESS)
    field_walker{ result.fields }.walk(value, "");
  return result;
}

} // namespace spectacles::models
