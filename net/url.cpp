#include "net/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace spectacles::net {

namespace {

uint16_t default_port(std::string_view scheme) {
  return scheme == "https" || scheme == "wss" ? 443 : 80;
}

error bad(std::string_view text, std::string_view why) {
  return error{ errc::invalid_argument,
                "bad URL '" + std::string(text) + "': " + std::string(why) };
}

} // namespace

std::string url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme))
    h += ":" + std::to_string(port);
  return h;
}

std::string url::origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

result<url> parse_url(std::string_view text) {
  url out;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return bad(text, "no scheme (expected http://, https://, ws:// or wss://)");
  out.scheme = std::string(text.substr(0, sep));
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  if (out.scheme != "http" && out.scheme != "https" && out.scheme != "ws" && out.scheme != "wss")
    return bad(text, "unsupported scheme '" + out.scheme + "'");
  auto rest = text.substr(sep + 3);
  auto path_at = rest.find_first_of("/?#");
  auto authority = rest.substr(0, path_at);
  auto path = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);
  if (auto hash = path.find('#'); hash != std::string_view::npos)
    path = path.substr(0, hash);
  if (authority.find('@') != std::string_view::npos)
    return bad(text, "user info is not supported");
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad(text, "unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return bad(text, "junk after IPv6 literal");
      port = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty())
    return bad(text, "no host");
  out.host = std::string(host);
  if (port.empty()) {
    out.port = default_port(out.scheme);
  } else {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return bad(text, "bad port '" + std::string(port) + "'");
    out.port = static_cast<uint16_t>(value);
  }
  out.target = path.empty() ? "/" : std::string(path);
  if (out.target[0] == '?')
    out.target.insert(out.target.begin(), '/');
  return out;
}

} // namespace spectacles::net
