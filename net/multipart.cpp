#include "net/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <random>

namespace spectacles::net {

namespace {

std::string random_boundary() {
  static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  thread_local std::mt19937_64 rng{ std::random_device{}() };
  std::string out = "spectacles-";
  for (int i = 0; i < 32; ++i)
    out += alphabet[rng() % (sizeof(alphabet) - 1)];
  return out;
}

// Quotes are escaped as %22 like browsers do (RFC 7578 §4.2 leaves it open).
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"')
      out += "%22";
    else if (c == '\r' || c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out + "\"";
}

std::string lower(std::string_view s) {
  std::string out{ s };
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

// The value of `key=` in a header line such as Content-Disposition.
std::string param(std::string_view line, std::string_view key) {
  auto low = lower(line);
  std::string needle = std::string(key) + "=";
  size_t at = 0;
  while ((at = low.find(needle, at)) != std::string::npos) {
    // Must start a parameter: preceded by ';' or space.
    if (at == 0 || low[at - 1] == ';' || low[at - 1] == ' ')
      break;
    at += needle.size();
  }
  if (at == std::string::npos)
    return {};
  auto value = line.substr(at + needle.size());
  if (value.starts_with("\"")) {
    auto end = value.find('"', 1);
    return std::string(value.substr(1, end == std::string_view::npos ? end : end - 1));
  }
  auto end = value.find(';');
  auto v = value.substr(0, end);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  return std::string(v);
}

} // namespace

multipart_form::multipart_form() : boundary_(random_boundary()) {}

void multipart_form::add_field(std::string name, std::string value, std::string content_type) {
  parts_.push_back({ std::move(name), {}, std::move(content_type), std::move(value) });
}

void multipart_form::add_file(std::string name, std::string filename, std::string content_type,
                              std::string data) {
  parts_.push_back(
    { std::move(name), std::move(filename), std::move(content_type), std::move(data) });
}

void multipart_form::add_payload_json(std::string json) {
  add_field("payload_json", std::move(json), "application/json");
}

std::string multipart_form::content_type() const {
  return "multipart/form-data; boundary=" + boundary_;
}

std::string multipart_form::body() const {
  std::string out;
  for (const auto& p : parts_) {
    out += "--" + boundary_ + "\r\n";
    out += "Content-Disposition: form-data; name=" + quoted(p.name);
    if (!p.filename.empty())
      out += "; filename=" + quoted(p.filename);
    out += "\r\n";
    if (!p.content_type.empty())
      out += "Content-Type: " + p.content_type + "\r\n";
    out += "\r\n";
    out += p.data;
    out += "\r\n";
  }
  out += "--" + boundary_ + "--\r\n";
  return out;
}

result<std::vector<multipart_part>> parse_multipart(std::string_view content_type,
                                                    std::string_view body) {
  auto fail = [](std::string why) {
    return error{ errc::protocol, "bad multipart/form-data body: " + why };
  };
  if (!lower(content_type).starts_with("multipart/form-data"))
    return fail("Content-Type is '" + std::string(content_type) + "'");
  auto boundary = param(content_type, "boundary");
  if (boundary.empty())
    return fail("no boundary in the Content-Type");
  std::string delim = "--" + boundary;
  std::vector<multipart_part> parts;
  auto at = body.find(delim);
  if (at == std::string_view::npos)
    return fail("no opening boundary");
  at += delim.size();
  for (;;) {
    if (body.substr(at).starts_with("--"))
      return parts; // closing boundary
    if (!body.substr(at).starts_with("\r\n"))
      return fail("boundary not followed by CRLF");
    at += 2;
    auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos)
      return fail("part without a blank line after its headers");
    multipart_part part;
    auto headers = body.substr(at, head_end - at);
    bool disposition = false;
    while (!headers.empty()) {
      auto eol = headers.find("\r\n");
      auto line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      auto colon = line.find(':');
      if (colon == std::string_view::npos)
        return fail("header line without ':'");
      auto name = lower(line.substr(0, colon));
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
      if (name == "content-disposition") {
        disposition = true;
        part.name = param(value, "name");
        part.filename = param(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!disposition)
      return fail("part without Content-Disposition");
    auto data_begin = head_end + 4;
    auto next = body.find("\r\n" + delim, data_begin);
    if (next == std::string_view::npos)
      return fail("part '" + part.name + "' is not terminated by a boundary");
    part.data = std::string(body.substr(data_begin, next - data_begin));
    parts.push_back(std::move(part));
    at = next + 2 + delim.size();
  }
}

} // namespace spectacles::net
