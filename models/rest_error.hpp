// rest_error: a Discord REST error reply, decoded (PROTOCOL.md §2.11, §2.6).
//
//   HTTP 400
//   {"code": 50035, "message": "Invalid Form Body",
//    "errors": {"embeds": {"0": {"description": {"_errors": [
//      {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}}
//   -> status 400, code 50035, message "Invalid Form Body",
//      fields: "embeds.0.description" -> [{BASE_TYPE_MAX_LENGTH, "Must be 4096 or fewer ..."}]
//
//   HTTP 429
//   {"message": "You are being rate limited.", "retry_after": 64.57, "global": false}
//
// Never fails: a body that is not a JSON object (a Cloudflare HTML page, an
// empty 502) still gives a rest_error with the status and a short, cleaned
// excerpt of the body as its message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spectacles::models {

/// One leaf of "errors": the code is a string in Discord's docs
/// ("BASE_TYPE_REQUIRED") and an integer in the OpenAPI spec; integers are
/// kept as their decimal text.
struct rest_field_error {
  std::string code;
  std::string message;
  bool operator==(const rest_field_error&) const = default;
};

/// The errors of one field, by its dotted path ("embeds.0.description");
/// the path is empty for errors of the request as a whole.
struct rest_field_errors {
  std::string path;
  std::vector<rest_field_error> errors;
  bool operator==(const rest_field_errors&) const = default;
};

struct rest_error {
  int http_status = 0;
  /// Discord's JSON error code (0: none given, or a general error).
  int64_t code = 0;
  std::string message;
  /// Field errors in document order.
  std::vector<rest_field_errors> fields;
  /// 429 bodies: seconds to wait, and whether the global limit was hit.
  std::optional<double> retry_after;
  std::optional<bool> global;
  /// Whether the body was a JSON object at all.
  bool json = false;

  /// The errors of one field path, or nullptr.
  const std::vector<rest_field_error>* field(std::string_view path) const;

  /// One line for logs and callers:
  /// "HTTP 400, code 50035: Invalid Form Body; embeds.0.description: BASE_TYPE_MAX_LENGTH
  ///  (Must be 4096 or fewer in length.)"
  std::string describe() const;

  bool operator==(const rest_error&) const = default;
};

/// Decodes the body of a reply with status `http_status`. Uses one simdjson
/// parser per thread, reused.
rest_error decode_rest_error(int http_status, std::string_view body);

} // namespace spectacles::models
