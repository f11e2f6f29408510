// multipart/form-data bodies (RFC 7578) for uploads: Discord takes message
// attachments as files[n] parts plus a payload_json part; the simulator parses
// them back with parse_multipart.
//
//   --b7c1…\r\n
//   Content-Disposition: form-data; name="payload_json"\r\n
//   Content-Type: application/json\r\n\r\n
//   {"content":"see file"}\r\n
//   --b7c1…\r\n
//   Content-Disposition: form-data; name="files[0]"; filename="a.txt"\r\n
//   Content-Type: text/plain\r\n\r\n
//   hello\r\n
//   --b7c1…--\r\n
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace spectacles::net {

struct multipart_part {
  std::string name;
  std::string filename;     // empty for plain fields
  std::string content_type; // empty when the part has none
  std::string data;
};

class multipart_form {
public:
  /// Uses a random boundary.
  multipart_form();

  void add_field(std::string name, std::string value, std::string content_type = {});
  void add_file(std::string name, std::string filename, std::string content_type, std::string data);
  /// Discord's JSON part next to the files.
  void add_payload_json(std::string json);

  /// "multipart/form-data; boundary=…", the request's Content-Type.
  std::string content_type() const;
  std::string body() const;

  const std::vector<multipart_part>& parts() const {
    return parts_;
  }

private:
  std::string boundary_;
  std::vector<multipart_part> parts_;
};

/// Splits a multipart/form-data body; errc::protocol when it is malformed.
result<std::vector<multipart_part>> parse_multipart(std::string_view content_type,
                                                    std::string_view body);

} // namespace spectacles::net
